import DatelineCore

/// Where a log has stored an event id: what the retry rule needs to answer a batch again.
public struct StoredEventID: Sendable, Equatable {
    public var position: Int64
    public var stream: String
    public var version: Int64
    public var recordedAt: Int64

    public init(position: Int64, stream: String, version: Int64, recordedAt: Int64) {
        self.position = position
        self.stream = stream
        self.version = version
        self.recordedAt = recordedAt
    }
}

/// The event-id rule every backend applies before it checks a batch's expectation, in one
/// place so that the backends cannot drift apart. `stored` holds, for each event of the batch
/// in order, where its id is stored already (nil: not stored).
///
/// - No id stored: nil, the batch is new.
/// - Every id stored in this stream: the original positions, `duplicate == true` (a retry
///   after a lost acknowledgement).
/// - An id stored in another stream: `eventIDInOtherStream`.
/// - Some ids stored, some new: `mixedEventIDs`, naming both.
public func retryAnswer(stream: StreamName, events: [ProposedEvent],
                        stored: [StoredEventID?]) throws(EventLogError) -> AppendResult? {
    precondition(stored.count == events.count, "one lookup per event")
    let storedCount = stored.count(where: { $0 != nil })
    if storedCount == 0 { return nil }
    for (event, row) in zip(events, stored) {
        if let row, row.stream != stream.rawValue {
            let other = (try? StreamName(row.stream)) ?? stream
            throw .eventIDInOtherStream(id: event.id, stream: stream, storedIn: other)
        }
    }
    if storedCount < events.count {
        var old: [EventID] = [], new: [EventID] = []
        for (event, row) in zip(events, stored) {
            if row == nil { new.append(event.id) } else { old.append(event.id) }
        }
        throw .mixedEventIDs(stream: stream, alreadyStored: old, new: new)
    }
    let rows = stored.map { $0! }
    return AppendResult(stream: stream, positions: rows.map { Position($0.position) },
                        lastVersion: StreamVersion(rows.last!.version),
                        recordedAt: Timestamp(rawValue: rows.last!.recordedAt), duplicate: true)
}
