import DatelineCore

/// One problem found by `EventStore.verify()`.
public struct VerifyFault: Sendable, Equatable, CustomStringConvertible {
    /// The position concerned, when the fault is about one event.
    public var position: Position?
    public var message: String

    public init(position: Position?, message: String) {
        self.position = position
        self.message = message
    }

    public var description: String {
        if let position { return "position \(position): \(message)" }
        return message
    }
}

/// What `verify()` found.
public struct VerifyReport: Sendable, Equatable {
    public var events: Int
    public var streams: Int
    public var head: Position
    /// Payload bytes as stored (after compression).
    public var storedBytes: Int64
    /// Payload bytes after decompression.
    public var rawBytes: Int64
    /// Events per codec.
    public var codecCounts: [String: Int]
    /// Empty for a healthy log. At most `VerifyReport.maxFaults` are listed; `faultCount`
    /// counts them all.
    public var faults: [VerifyFault]
    public var faultCount: Int

    public static let maxFaults = 1_000
    public var isHealthy: Bool { faultCount == 0 }
}

/// The checks `verify()` makes of each event, in position order, shared by every log backend.
public struct VerifyAccumulator: Sendable {
    public private(set) var report = VerifyReport(events: 0, streams: 0, head: .start, storedBytes: 0, rawBytes: 0,
                                                  codecCounts: [:], faults: [], faultCount: 0)
    private var nextVersion: [String: Int64] = [:]
    private var expectedPosition: Int64 = 1
    private var lastRecordedAt = Int64.min

    public init() {}

    /// Records a fault about the log as a whole (`position` nil) or one event.
    public mutating func fault(_ position: Position?, _ message: String) {
        report.faultCount += 1
        if report.faults.count < VerifyReport.maxFaults {
            report.faults.append(VerifyFault(position: position, message: message))
        }
    }

    /// Checks one stored event: its position continues the last, its version its stream's,
    /// its time is not earlier, its payload decodes (`decode` inflates and checks the CRC) to
    /// `size` bytes, and its names are valid.
    public mutating func check(position: Position, stream: String, version: Int64, type: String, eventID: String,
                               recordedAt: Int64, codec codecValue: Int64, storedBytes: Int, size: Int64,
                               decode: () throws(EventLogError) -> [UInt8]) {
        report.events += 1
        report.head = position
        if position.rawValue != expectedPosition {
            if position.rawValue > expectedPosition {
                fault(position, "gap: positions \(expectedPosition)…\(position.rawValue - 1) are missing")
            } else {
                fault(position, "position out of order (expected \(expectedPosition))")
            }
        }
        expectedPosition = position.rawValue + 1

        let expectedVersion = nextVersion[stream] ?? 0
        if version != expectedVersion {
            fault(position, "stream \(stream) has version \(version) where \(expectedVersion) was expected")
        }
        nextVersion[stream] = version + 1
        report.streams = nextVersion.count

        if recordedAt < lastRecordedAt {
            fault(position, "recorded_at \(Timestamp(rawValue: recordedAt)) is earlier than the previous event's \(Timestamp(rawValue: lastRecordedAt))")
        }
        lastRecordedAt = max(lastRecordedAt, recordedAt)

        let codec = PayloadCodec(rawValue: codecValue)
        report.codecCounts[codec?.description ?? "unknown(\(codecValue))", default: 0] += 1
        report.storedBytes += Int64(storedBytes)
        do {
            let data = try decode()
            report.rawBytes += Int64(data.count)
            if Int64(data.count) != size {
                fault(position, "payload is \(data.count) bytes but its row says \(size)")
            }
        } catch {
            if case .corruptPayload(_, let reason) = error { fault(position, reason) } else { fault(position, "\(error)") }
        }
        if (try? StreamName(stream)) == nil { fault(position, "invalid stream name") }
        if (try? EventType(type)) == nil { fault(position, "invalid event type") }
        if (try? EventID(eventID)) == nil { fault(position, "invalid event id") }
    }
}

enum Verifier {
    static func run(_ reader: LogReader) throws(EventLogError) -> VerifyReport {
        var checks = VerifyAccumulator()
        let db = reader.db
        do {
            try db.transaction(.deferred) {
                let check = try db.prepare("PRAGMA quick_check")
                while try check.step() {
                    let line = check.string(0)
                    if line != "ok" { checks.fault(nil, "SQLite quick_check: \(line)") }
                }
                for trigger in ["events_no_update", "events_no_delete"] {
                    let present = try db.scalarInt("SELECT count(*) FROM sqlite_schema WHERE type = 'trigger' AND name = ?1",
                                                   [.text(trigger)]) ?? 0
                    if present == 0 { checks.fault(nil, "append-only trigger \(trigger) is missing") }
                }

                let s = try db.prepare("SELECT \(Schema.selectColumns), size FROM events ORDER BY position")
                while try s.step() {
                    let position = Position(s.int64(0))
                    checks.check(position: position, stream: s.string(1), version: s.int64(2), type: s.string(3),
                                 eventID: s.string(4), recordedAt: s.int64(5), codec: s.int64(6),
                                 storedBytes: s.byteCount(8), size: s.int64(9)) { () throws(EventLogError) in
                        try reader.payload(s, codecColumn: 6, crcColumn: 7, payloadColumn: 8, position: position)
                    }
                }
            }
        } catch let error as EventLogError {
            throw error
        } catch let error as SQLiteError {
            throw EventLogError.from(error, path: reader.path)
        } catch {
            throw .sqlite(SQLiteError(code: 1, message: "\(error)"))
        }
        return checks.report
    }
}
