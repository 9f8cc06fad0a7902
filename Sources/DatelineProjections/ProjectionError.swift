import DatelineCore
import EventLog

/// What can go wrong with a projection. Messages name the projection, table, position or SQL,
/// never payload bytes.
public enum ProjectionError: Error, Sendable, CustomStringConvertible {
    /// A SQLite failure on the projection's own connection.
    case sqlite(SQLiteError)
    /// Reading the log failed (a corrupt payload, a closed store, …).
    case log(EventLogError)
    /// A stored row could not be read back (a value no longer validates).
    case corruptRow(table: String, reason: String)
    /// A query argument is out of range.
    case invalidQuery(String)
    /// The projection store was closed.
    case closed
    /// Anything else, described.
    case other(String)

    public var description: String {
        switch self {
        case .sqlite(let e): return "projection database error: \(e)"
        case .log(let e): return "reading the event log for the projections failed: \(e)"
        case .corruptRow(let table, let reason): return "unreadable row in \(table): \(reason)"
        case .invalidQuery(let m): return "invalid query: \(m)"
        case .closed: return "the timeline store is closed"
        case .other(let m): return m
        }
    }

    static func wrap(_ error: any Error) -> ProjectionError {
        switch error {
        case let e as ProjectionError: return e
        case let e as SQLiteError: return .sqlite(e)
        case let e as EventLogError: return .log(e)
        default: return .other("\(error)")
        }
    }
}
