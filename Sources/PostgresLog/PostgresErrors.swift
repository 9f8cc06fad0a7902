import EventLog
import PostgresNIO

extension EventLogError {
    /// Maps a PostgresNIO failure to the log's error. Connection-level failures (and the server
    /// shutting down or refusing connections) are `unavailable`: nothing was acknowledged.
    /// PostgresNIO's own description is deliberately generic, so the SQLSTATE and the server's
    /// message are read from the error's fields; query text and bound values are never shown.
    static func postgres(_ error: any Error, location: PostgresLocation) -> EventLogError {
        if let error = error as? EventLogError { return error }
        if let error = error as? PostgresTransactionError {
            // What went wrong first: the closure's error explains a failed transaction best.
            if let cause = error.closureError ?? error.beginError ?? error.commitError ?? error.rollbackError {
                return postgres(cause, location: location)
            }
        }
        if error is CancellationError {
            return .unavailable(location: location.description, reason: "the request was cancelled")
        }
        guard let error = error as? PSQLError else {
            return .unavailable(location: location.description, reason: String(describing: type(of: error)))
        }
        if error.code == .server, let info = error.serverInfo {
            let state = info[.sqlState] ?? "?????"
            let message = info[.message] ?? "no message"
            // Class 08: connection exception; 57P0x: shutting down / cannot connect now;
            // 53: insufficient resources (too many connections, out of memory).
            if state.hasPrefix("08") || state.hasPrefix("57P") || state.hasPrefix("53") {
                return .unavailable(location: location.description, reason: "\(message) (SQLSTATE \(state))")
            }
            return .database(location: location.description, code: state, message: message)
        }
        let reason: String
        switch error.code {
        case .connectionError: reason = "cannot connect" + (error.underlying.map { " (\($0))" } ?? "")
        case .serverClosedConnection: reason = "the server closed the connection"
        case .clientClosedConnection, .poolClosed: reason = "the log was closed"
        case .uncleanShutdown: reason = "the connection ended uncleanly"
        case .queryCancelled: reason = "the query was cancelled"
        default: reason = "\(error.code)"
        }
        return .unavailable(location: location.description, reason: reason)
    }

    /// The SQLSTATE of a server error, if `error` is one.
    static func sqlState(of error: any Error) -> String? {
        if let error = error as? PostgresTransactionError, let cause = error.closureError ?? error.beginError ?? error.commitError {
            return sqlState(of: cause)
        }
        return (error as? PSQLError)?.serverInfo?[.sqlState]
    }
}
