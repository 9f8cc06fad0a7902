import CSQLite
import DatelineCore

/// Everything that can go wrong with the event log, one case per thing a user or caller must
/// handle differently. Messages name the path, stream, position or SQL involved and never
/// include payload bytes.
public enum EventLogError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file exists but is not a Dateline log (another SQLite database, or not SQLite at all).
    case notADatelineLog(path: String)
    /// The file was written by a newer Dateline whose schema this version does not know.
    case newerSchemaVersion(path: String, found: Int, supported: Int)
    /// The directory that should hold the log does not exist.
    case directoryMissing(path: String)
    /// The directory (or the file) cannot be written, so the log cannot be opened for appends.
    case directoryReadOnly(path: String)
    /// SQLite reported `SQLITE_FULL`: the disk (or the configured page limit) is full. The
    /// transaction was rolled back; nothing of it is visible.
    case diskFull(path: String)
    /// The stream was not at the version the appender expected. `actual` is nil when the stream
    /// does not exist.
    case wrongExpectedVersion(stream: StreamName, expected: ExpectedVersion, actual: StreamVersion?)
    /// An append with no events.
    case emptyBatch(stream: StreamName)
    /// The same event id appears twice in one batch.
    case duplicateEventIDInBatch(stream: StreamName, id: EventID)
    /// Some of the batch's event ids are already stored and some are new: a retry must resend
    /// exactly the original batch, so the whole batch is refused and nothing is written.
    case mixedEventIDs(stream: StreamName, alreadyStored: [EventID], new: [EventID])
    /// The event ids are already stored, but in another stream.
    case eventIDInOtherStream(id: EventID, stream: StreamName, storedIn: StreamName)
    /// A stored payload failed its CRC check or could not be decompressed.
    case corruptPayload(position: Position, reason: String)
    /// The store was closed.
    case closed
    /// Any other SQLite failure: result code, message and SQL.
    case sqlite(SQLiteError)
    /// A networked log's database holds no Dateline log yet, and the caller only reads.
    case missingLog(location: String)
    /// A networked log's database (PostgreSQL) cannot be reached, or the connection was lost
    /// during the request. Nothing was acknowledged: a retry with the same event ids is safe
    /// and answers the original positions if the batch did commit.
    case unavailable(location: String, reason: String)
    /// A networked log's database refused a request: its SQLSTATE and message.
    case database(location: String, code: String, message: String)

    public var description: String {
        switch self {
        case .notADatelineLog(let path):
            return "\(path) is not a Dateline log (it is another kind of file or SQLite database)"
        case .newerSchemaVersion(let path, let found, let supported):
            return "\(path) uses log schema version \(found), newer than this Dateline supports (\(supported)); upgrade Dateline"
        case .directoryMissing(let path):
            return "directory \(path) does not exist"
        case .directoryReadOnly(let path):
            return "\(path) is not writable (the log needs to write its file and its -wal and -shm files there)"
        case .diskFull(let path):
            return "disk full while writing \(path); the batch was not written"
        case .wrongExpectedVersion(let stream, let expected, let actual):
            let actualText = actual.map { "its version is \($0)" } ?? "it does not exist"
            return "wrong expected version for stream \(stream): expected \(expected), but \(actualText)"
        case .emptyBatch(let stream):
            return "append to \(stream) has no events"
        case .duplicateEventIDInBatch(let stream, let id):
            return "event id \(id) appears more than once in one append to \(stream)"
        case .mixedEventIDs(let stream, let stored, let new):
            let shown = stored.prefix(3).map(\.rawValue).joined(separator: ", ")
            return "append to \(stream) mixes \(stored.count) already stored event id(s) (\(shown)\(stored.count > 3 ? ", …" : "")) with \(new.count) new one(s); a retry must resend the original batch unchanged"
        case .eventIDInOtherStream(let id, let stream, let storedIn):
            return "event id \(id) sent to \(stream) is already stored in stream \(storedIn)"
        case .corruptPayload(let position, let reason):
            return "corrupt payload at position \(position): \(reason)"
        case .closed:
            return "the event log is closed"
        case .sqlite(let error):
            return error.description
        case .missingLog(let location):
            return "no Dateline log in \(location): only `dateline ingest` and `datelined` create one"
        case .unavailable(let location, let reason):
            return "the log database \(location) is unavailable: \(reason)"
        case .database(let location, let code, let message):
            return "the log database \(location) refused a request (SQLSTATE \(code)): \(message)"
        }
    }
}

extension EventLogError {
    /// Maps a SQLite error to the log's error, recognising a full disk.
    static func from(_ error: SQLiteError, path: String) -> EventLogError {
        if error.code == SQLITE_FULL { return .diskFull(path: path) }
        if error.code == SQLITE_NOTADB { return .notADatelineLog(path: path) }
        return .sqlite(error)
    }
}
