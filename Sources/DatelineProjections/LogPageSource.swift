import DatelineCore
import EventLog

/// What the projections read of the log: pages of events in position order and the head.
///
/// The projections know the log only through this (they never open the log's database), so any
/// log that can hand out pages can feed them: the SQLite `EventStore` today, a PostgreSQL log
/// later. Both calls block the calling thread; the projections call them from their own
/// threads, never from Swift's cooperative pool.
public protocol LogPageSource: Sendable {
    /// The position of the last committed event, or `Position.start` when the log is empty.
    func head() throws -> Position
    /// Up to `limit` events from `position` (inclusive), in position order, with their
    /// payloads as appended.
    func read(from position: Position, limit: Int) throws -> [RecordedEvent]
}

extension EventStore: LogPageSource {}

/// Any backend, from the projections' own threads (the SQLite store directly, others through a
/// blocking wait).
extension BlockingLog: LogPageSource {}
