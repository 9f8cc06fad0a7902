import DatelineCore
import DequeModule
import EventLog
import Logging
import NIOConcurrencyHelpers
import NIOCore
import PostgresNIO

/// Group commit into PostgreSQL: one task takes every batch queued since its last commit and
/// writes them in one transaction.
///
/// Why positions stay gap-free and in commit order across servers: each transaction first locks
/// the one row of `dateline.head` (`SELECT … FOR UPDATE`, its own statement, before any other
/// read), numbers its events from the head it read, inserts them, moves the head, sends
/// `NOTIFY` and commits. A second server's transaction waits on that row lock until the first
/// has committed, then (READ COMMITTED re-reads a locked row) sees the new head and continues
/// the numbering. So no transaction can commit a lower position after a higher one has become
/// visible, and a reader that has seen position N can read `position > N` without ever skipping
/// an event, the sequence-gap fault of event stores that number rows with a sequence. Holding the
/// lock also makes the checks of event ids and stream versions race-free: no other appender can
/// insert between the check and the insert.
///
/// A failure at any step rolls the whole transaction back and fails every batch of the group
/// with the mapped error (`unavailable` when the connection was lost); nothing is acknowledged
/// before the commit answered. A commit whose answer was lost may still have happened: a retry
/// with the same event ids then answers the original positions.
final class PostgresAppender: Sendable {
    struct Batch: Sendable {
        var stream: StreamName
        var expected: ExpectedVersion
        var events: [ProposedEvent]
        var encoded: [StoredPayload]
    }

    private struct Pending: Sendable {
        var batch: Batch
        var continuation: CheckedContinuation<Result<AppendResult, EventLogError>, Never>
    }

    private struct State: Sendable {
        var queue: Deque<Pending> = []
        var stopping = false
        var statistics = WriterStatistics()
    }

    /// Largest number of events committed in one transaction; the rest wait for the next one.
    static let maxEventsPerCommit = 20_000
    /// PostgreSQL takes at most 65,535 bound parameters per statement; 10 per event row.
    static let rowsPerInsert = 5_000

    private let client: PostgresClient
    private let location: PostgresLocation
    private let timeout: Duration
    private let logger: Logger
    private let state = NIOLockedValueBox(State())
    /// Told of each commit's new events, in position order, before the appenders are resumed.
    private let committed: @Sendable ([RecordedEvent]) -> Void
    private let wake: AsyncStream<Void>.Continuation
    private let worker: Task<Void, Never>

    init(client: PostgresClient, location: PostgresLocation, timeout: Duration, logger: Logger,
         committed: @escaping @Sendable ([RecordedEvent]) -> Void) {
        self.client = client
        self.committed = committed
        self.location = location
        self.timeout = timeout
        self.logger = logger
        let (signals, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        self.wake = wake
        let state = state
        let commitGroup = Self.commit
        worker = Task { [client, location, timeout, logger, committed] in
            for await _ in signals {
                while true {
                    let group: [Pending] = state.withLockedValue { s in
                        var taken: [Pending] = [], events = 0
                        while let next = s.queue.first,
                              taken.isEmpty || events + next.batch.events.count <= Self.maxEventsPerCommit {
                            events += next.batch.events.count
                            taken.append(s.queue.removeFirst())
                        }
                        return taken
                    }
                    if group.isEmpty { break }
                    let started = ContinuousClock.now
                    let outcomes = await commitGroup(group.map(\.batch), client, location, timeout, logger)
                    let elapsed = ContinuousClock.now - started
                    state.withLockedValue { s in
                        s.statistics.commits += 1
                        s.statistics.largestCommitBatches = max(s.statistics.largestCommitBatches, group.count)
                        s.statistics.commitNanoseconds += UInt64(elapsed.components.seconds) * 1_000_000_000
                            + UInt64(elapsed.components.attoseconds / 1_000_000_000)
                        for outcome in outcomes {
                            switch outcome {
                            case .success(let result) where !result.duplicate:
                                s.statistics.batches += 1
                                s.statistics.events += result.positions.count
                            case .success: break
                            case .failure: s.statistics.refusedBatches += 1
                            }
                        }
                    }
                    // Observers first, so that when an append returns, live subscribers have been
                    // handed its events.
                    let recorded = zip(group, outcomes).flatMap { pending, outcome -> [RecordedEvent] in
                        guard case .success(let result) = outcome, !result.duplicate else { return [] }
                        let batch = pending.batch
                        let first = result.lastVersion.rawValue - Int64(batch.events.count) + 1
                        return batch.events.enumerated().map { i, event in
                            RecordedEvent(position: result.positions[i], stream: batch.stream,
                                          version: StreamVersion(first + Int64(i)), id: event.id, type: event.type,
                                          recordedAt: result.recordedAt, data: event.data)
                        }
                    }
                    if !recorded.isEmpty { committed(recorded) }
                    for (pending, outcome) in zip(group, outcomes) { pending.continuation.resume(returning: outcome) }
                }
                if state.withLockedValue({ $0.stopping && $0.queue.isEmpty }) { break }
            }
        }
    }

    var statistics: WriterStatistics { state.withLockedValue { $0.statistics } }

    func append(_ batch: Batch) async throws(EventLogError) -> AppendResult {
        let result: Result<AppendResult, EventLogError> = await withCheckedContinuation { continuation in
            let accepted = state.withLockedValue { s -> Bool in
                if s.stopping { return false }
                s.queue.append(Pending(batch: batch, continuation: continuation))
                return true
            }
            if accepted { wake.yield() } else { continuation.resume(returning: .failure(.closed)) }
        }
        return try result.get()
    }

    /// Commits what is queued, then stops the task.
    func stop() async {
        state.withLockedValue { $0.stopping = true }
        wake.yield()
        wake.finish()
        await worker.value
        // Anything queued after the task left (a race with `stop`) is refused.
        let left = state.withLockedValue { s -> [Pending] in defer { s.queue.removeAll() }; return Array(s.queue) }
        for pending in left { pending.continuation.resume(returning: .failure(.closed)) }
    }

    // MARK: One transaction

    /// What is already stored under one event id.
    private struct StoredID: Sendable {
        var position: Int64
        var stream: String
        var version: Int64
        var recordedAt: Int64
    }

    @Sendable
    private static func commit(_ group: [Batch], client: PostgresClient, location: PostgresLocation,
                               timeout: Duration, logger: Logger) async -> [Result<AppendResult, EventLogError>] {
        do {
            return try await withThrowingTaskGroup(of: [Result<AppendResult, EventLogError>]?.self) { tasks in
                tasks.addTask {
                    try await client.withTransaction(logger: logger) { connection in
                        try await transaction(group, connection: connection, logger: logger)
                    }
                }
                tasks.addTask {
                    try await Task.sleep(for: timeout)
                    return nil
                }
                defer { tasks.cancelAll() }
                guard let first = try await tasks.next(), let outcomes = first else {
                    throw EventLogError.unavailable(location: location.description,
                                                    reason: "the append was not answered within \(timeout); it may or may not have been committed")
                }
                return outcomes
            }
        } catch {
            let failure = EventLogError.postgres(error, location: location)
            logger.error("log commit failed; the whole group was rolled back", metadata: [
                "location": "\(location)", "batches": "\(group.count)", "error": "\(failure)",
            ])
            return group.map { _ in .failure(failure) }
        }
    }

    private static func transaction(_ group: [Batch], connection: PostgresConnection,
                                    logger: Logger) async throws -> [Result<AppendResult, EventLogError>] {
        let headRows = try await connection.query(
            "SELECT position, recorded_at FROM dateline.head FOR UPDATE", logger: logger).collect()
        guard let (headPosition, lastTime) = try headRows.first?.decode((Int64, Int64).self) else {
            throw EventLogError.database(location: "dateline.head", code: "P0002", message: "the head row is missing")
        }
        var head = headPosition
        let now = max(wallClockMicroseconds(), lastTime)

        // Everything the group needs to check, in two queries for the whole group.
        let ids = group.flatMap { $0.events.map(\.id.rawValue) }
        var stored: [String: StoredID] = [:]
        for try await (id, position, stream, version, recordedAt) in try await connection.query("""
            SELECT event_id, position, stream, version, recorded_at FROM dateline.events WHERE event_id = ANY(\(ids))
            """, logger: logger).decode((String, Int64, String, Int64, Int64).self) {
            stored[id] = StoredID(position: position, stream: stream, version: version, recordedAt: recordedAt)
        }
        let streams = Array(Set(group.map(\.stream.rawValue)))
        var versions: [String: Int64] = [:]
        for try await (stream, version) in try await connection.query("""
            SELECT stream, max(version) FROM dateline.events WHERE stream = ANY(\(streams)) GROUP BY stream
            """, logger: logger).decode((String, Int64).self) {
            versions[stream] = version
        }

        var outcomes: [Result<AppendResult, EventLogError>] = []
        var rows: [(position: Int64, stream: String, version: Int64, batch: Int, event: Int)] = []
        for (index, batch) in group.enumerated() {
            let stream = batch.stream
            if let answer = try storedAnswer(batch, stored: stored) {
                outcomes.append(answer)
                continue
            }
            let current = versions[stream.rawValue]
            let ok: Bool
            switch batch.expected {
            case .any: ok = true
            case .noStream: ok = current == nil
            case .exists: ok = current != nil
            case .exact(let v): ok = current == v.rawValue
            }
            guard ok else {
                outcomes.append(.failure(.wrongExpectedVersion(stream: stream, expected: batch.expected,
                                                               actual: current.map { StreamVersion($0) })))
                continue
            }
            var version = current ?? -1
            var positions: [Position] = []
            for (eventIndex, event) in batch.events.enumerated() {
                head += 1
                version += 1
                rows.append((head, stream.rawValue, version, index, eventIndex))
                positions.append(Position(head))
                // A later batch of the same group with these ids is a retry of this one.
                stored[event.id.rawValue] = StoredID(position: head, stream: stream.rawValue, version: version, recordedAt: now)
            }
            versions[stream.rawValue] = version
            outcomes.append(.success(AppendResult(stream: stream, positions: positions, lastVersion: StreamVersion(version),
                                                  recordedAt: Timestamp(rawValue: now), duplicate: false)))
        }

        guard !rows.isEmpty else { return outcomes }
        var start = 0
        while start < rows.count {
            let chunk = rows[start..<min(rows.count, start + rowsPerInsert)]
            var sql = "INSERT INTO dateline.events(position, stream, version, type, event_id, recorded_at, codec, crc32, size, payload) VALUES "
            var binds = PostgresBindings(capacity: chunk.count * 10)
            for (n, row) in chunk.enumerated() {
                let event = group[row.batch].events[row.event]
                let payload = group[row.batch].encoded[row.event]
                let base = n * 10
                sql += n == 0 ? "(" : ",("
                sql += (1...10).map { "$\(base + $0)" }.joined(separator: ",")
                sql += ")"
                binds.append(row.position)
                binds.append(row.stream)
                binds.append(row.version)
                binds.append(event.type.rawValue)
                binds.append(event.id.rawValue)
                binds.append(now)
                binds.append(Int16(payload.codec.rawValue))
                binds.append(Int64(payload.crc32))
                binds.append(Int32(payload.rawCount))
                binds.append(ByteBuffer(bytes: payload.bytes))
            }
            try await connection.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger)
            start += chunk.count
        }
        try await connection.query("""
            UPDATE dateline.head SET position = \(head), recorded_at = \(now)
            """, logger: logger)
        try await connection.query("SELECT pg_notify(\(PostgresSchema.notifyChannel), \(String(head)))", logger: logger)
        return outcomes
    }

    /// Idempotency, as in the SQLite log: nil when none of the batch's ids is stored; the
    /// original positions (marked duplicate) when all are stored in this stream; otherwise the
    /// error that refuses the batch.
    private static func storedAnswer(_ batch: Batch, stored: [String: StoredID]) throws -> Result<AppendResult, EventLogError>? {
        let rows = batch.events.map { stored[$0.id.rawValue] }
        let storedCount = rows.count(where: { $0 != nil })
        if storedCount == 0 { return nil }
        for (event, row) in zip(batch.events, rows) {
            if let row, row.stream != batch.stream.rawValue {
                let other = (try? StreamName(row.stream)) ?? batch.stream
                return .failure(.eventIDInOtherStream(id: event.id, stream: batch.stream, storedIn: other))
            }
        }
        if storedCount < batch.events.count {
            var old: [EventID] = [], new: [EventID] = []
            for (event, row) in zip(batch.events, rows) {
                if row == nil { new.append(event.id) } else { old.append(event.id) }
            }
            return .failure(.mixedEventIDs(stream: batch.stream, alreadyStored: old, new: new))
        }
        let found = rows.map { $0! }
        return .success(AppendResult(stream: batch.stream, positions: found.map { Position($0.position) },
                                     lastVersion: StreamVersion(found.last!.version),
                                     recordedAt: Timestamp(rawValue: found.last!.recordedAt), duplicate: true))
    }
}
