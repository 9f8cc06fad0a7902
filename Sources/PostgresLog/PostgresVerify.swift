import DatelineCore
import EventLog
import NIOCore
import PostgresNIO

extension PostgresEventLog {
    /// Checks the whole log as `EventStore.verify()` does: every position from 1 to the head
    /// present once, stream versions contiguous, times in order, every payload's CRC, the
    /// append-only triggers in place and the head row equal to the last position. Reads the log
    /// in pages, so memory stays flat.
    public func verify() async throws(EventLogError) -> VerifyReport {
        var checks = VerifyAccumulator()
        let triggers: [String] = try await database("verify") { client, logger in
            var names: [String] = []
            for try await name in try await client.query("""
                SELECT tgname::text FROM pg_trigger WHERE tgrelid = 'dateline.events'::regclass AND NOT tgisinternal
                """, logger: logger).decode(String.self) {
                names.append(name)
            }
            return names
        }
        for trigger in ["events_no_update", "events_no_truncate"] where !triggers.contains(trigger) {
            checks.fault(nil, "append-only trigger \(trigger) is missing")
        }
        let head = try await self.head()
        var from: Int64 = 0
        while true {
            let start = from
            let page: [(StoredRow, Int32)] = try await database("verify") { client, logger in
                var rows: [(StoredRow, Int32)] = []
                for try await row in try await client.query("""
                    SELECT \(unescaped: PostgresSchema.selectColumns), size FROM dateline.events
                    WHERE position > \(start) ORDER BY position LIMIT 2000
                    """, logger: logger).decode((Int64, String, Int64, String, String, Int64, Int16, Int64, ByteBuffer, Int32).self) {
                    rows.append((StoredRow((row.0, row.1, row.2, row.3, row.4, row.5, row.6, row.7, row.8)), row.9))
                }
                return rows
            }
            if page.isEmpty { break }
            let decoded = try await decodeEach(page.map(\.0))
            for ((row, size), result) in zip(page, decoded) {
                checks.check(position: Position(row.position), stream: row.stream, version: row.version, type: row.type,
                             eventID: row.eventID, recordedAt: row.recordedAt, codec: row.codec,
                             storedBytes: row.payload.readableBytes, size: Int64(size)) { () throws(EventLogError) in
                    try result.get()
                }
            }
            from = page.last!.0.position
        }
        if checks.report.head != head {
            checks.fault(nil, "the head row says \(head) but the last event is at \(checks.report.head)")
        }
        return checks.report
    }

    /// Each row's payload or the error that refuses it (verify reports them one by one).
    private func decodeEach(_ rows: [StoredRow]) async throws(EventLogError) -> [Result<[UInt8], EventLogError>] {
        let decompressor = try await decompressor(for: rows)
        return rows.map { row in Result { () throws(EventLogError) in try row.payload(decompressor) } }
    }
}
