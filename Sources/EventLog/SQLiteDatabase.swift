import CSQLite
import Foundation

/// A failed SQLite call: the result code (extended when available), SQLite's message and the SQL
/// that was running. It never carries bound values, so payload bytes cannot leak into logs.
public struct SQLiteError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The primary result code (`SQLITE_FULL` is 13, `SQLITE_CONSTRAINT` is 19, …).
    public var code: Int32
    /// The extended result code when SQLite reported one, otherwise equal to `code`.
    public var extendedCode: Int32
    public var message: String
    /// The statement's SQL text, when the error came from a statement.
    public var sql: String?

    public init(code: Int32, extendedCode: Int32? = nil, message: String, sql: String? = nil) {
        self.code = code
        self.extendedCode = extendedCode ?? code
        self.message = message
        self.sql = sql
    }

    public var description: String {
        var text = "SQLite error \(code)"
        if extendedCode != code { text += " (extended \(extendedCode))" }
        text += ": \(message)"
        if let sql { text += " [SQL: \(sql)]" }
        return text
    }

    /// True when the database or its disk is full (`SQLITE_FULL`).
    public var isDiskFull: Bool { code == SQLITE_FULL }
    /// True for constraint violations, including the log's append-only triggers.
    public var isConstraint: Bool { code == SQLITE_CONSTRAINT }
    /// True when the file is not a database, or not a whole one (`SQLITE_NOTADB`, `SQLITE_CORRUPT`).
    public var isNotADatabase: Bool { code == SQLITE_NOTADB || code == SQLITE_CORRUPT }
}

/// The destructor that tells SQLite to copy bound bytes before `bind` returns.
let sqliteTransient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// A SQLite connection: the one small wrapper through which every Dateline module reaches SQLite
/// (projections keep their own tables in SQLite too; only this module imports the C API).
///
/// Threading: a connection is not `Sendable`. Open it, use it and close it on one thread (or under
/// one lock); SQLite is opened in multi-thread mode, so separate connections may be used on
/// separate threads at the same time. Statements belong to their connection and must be used on
/// the same thread.
public final class SQLiteDatabase {
    /// How to open a database file.
    public struct OpenMode: Sendable, Equatable {
        public var readOnly: Bool
        public var create: Bool
        /// Read-only, telling SQLite that nobody changes the file meanwhile (`immutable=1`):
        /// it then neither locks the file nor needs the `-shm` of a WAL database, which is how
        /// a database in a directory nobody may write is read (a read-only connection must
        /// otherwise create the `-shm` there).
        public var immutable: Bool
        public init(readOnly: Bool = false, create: Bool = true, immutable: Bool = false) {
            self.readOnly = readOnly || immutable
            self.create = create && !readOnly && !immutable
            self.immutable = immutable
        }
        public static let readWrite = OpenMode()
        public static let readOnly = OpenMode(readOnly: true, create: false)
        public static let immutable = OpenMode(immutable: true)
    }

    /// The file path as given to `init`.
    public let path: String
    var handle: OpaquePointer?
    private var statementCache: [String: SQLiteStatement] = [:]

    /// Opens (and by default creates) the database at `path`. `busyTimeoutMilliseconds` is how
    /// long a call waits for another connection's lock before failing with `SQLITE_BUSY`.
    public init(path: String, mode: OpenMode = .readWrite, busyTimeoutMilliseconds: Int32 = 5_000) throws(SQLiteError) {
        self.path = path
        var flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE
        if mode.readOnly {
            flags |= SQLITE_OPEN_READONLY
        } else {
            flags |= SQLITE_OPEN_READWRITE
            if mode.create { flags |= SQLITE_OPEN_CREATE }
        }
        var name = path
        if mode.immutable {
            flags |= SQLITE_OPEN_URI
            name = "file:" + Self.uriPath(path) + "?immutable=1"
        }
        var db: OpaquePointer?
        let rc = sqlite3_open_v2(name, &db, flags, nil)
        if rc != SQLITE_OK {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(rc))
            sqlite3_close_v2(db)
            throw SQLiteError(code: rc & 0xFF, extendedCode: rc, message: message + " (\(path))")
        }
        handle = db
        sqlite3_extended_result_codes(db, 1)
        sqlite3_busy_timeout(db, busyTimeoutMilliseconds)
    }

    deinit { close() }

    /// A path as the path of a `file:` URI: `%`, `?` and `#` escaped (SQLite decodes them).
    private static func uriPath(_ path: String) -> String {
        var out = ""
        for scalar in path.unicodeScalars {
            switch scalar {
            case "%": out += "%25"
            case "?": out += "%3f"
            case "#": out += "%23"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// Finalizes cached statements and closes the connection. Safe to call twice.
    public func close() {
        guard let db = handle else { return }
        for statement in statementCache.values { statement.finalize() }
        statementCache.removeAll()
        sqlite3_close_v2(db)
        handle = nil
    }

    var db: OpaquePointer {
        guard let handle else { preconditionFailure("SQLiteDatabase used after close()") }
        return handle
    }

    func error(_ rc: Int32, sql: String?) -> SQLiteError {
        let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(rc))
        let extended = handle.map { sqlite3_extended_errcode($0) } ?? rc
        return SQLiteError(code: rc & 0xFF, extendedCode: extended, message: message, sql: sql)
    }

    /// Runs `body` with statements that stop (failing with `SQLITE_INTERRUPT`) once `shouldStop`
    /// says so; SQLite asks it every few thousand steps, on this connection's thread. Why: a
    /// query of unbounded cost must not hold the connection past its time budget or a shutdown.
    public func stoppable<T>(_ shouldStop: @escaping () -> Bool, _ body: () throws -> T) rethrows -> T {
        let box = StopCheck(shouldStop)
        let context = Unmanaged.passRetained(box)
        sqlite3_progress_handler(db, 4_000, { ctx in
            Unmanaged<StopCheck>.fromOpaque(ctx!).takeUnretainedValue().check() ? 1 : 0
        }, context.toOpaque())
        defer {
            sqlite3_progress_handler(db, 0, nil, nil)
            context.release()
        }
        return try body()
    }

    private final class StopCheck {
        let check: () -> Bool
        init(_ check: @escaping () -> Bool) { self.check = check }
    }

    /// Runs one or more statements that return no rows (schema changes, pragmas, BEGIN/COMMIT).
    public func execute(_ sql: String) throws(SQLiteError) {
        var errorMessage: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(db, sql, nil, nil, &errorMessage)
        if rc != SQLITE_OK {
            let message = errorMessage.map { String(cString: $0) } ?? String(cString: sqlite3_errstr(rc))
            sqlite3_free(errorMessage)
            throw SQLiteError(code: rc & 0xFF, extendedCode: sqlite3_extended_errcode(db), message: message, sql: sql)
        }
    }

    /// Compiles a statement. The caller owns it; it is finalized when released.
    public func prepare(_ sql: String) throws(SQLiteError) -> SQLiteStatement {
        var stmt: OpaquePointer?
        let rc = sqlite3_prepare_v3(db, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &stmt, nil)
        guard rc == SQLITE_OK, let stmt else { throw error(rc, sql: sql) }
        return SQLiteStatement(database: self, handle: stmt, sql: sql)
    }

    /// A statement compiled once per connection and reused: the usual way to run hot SQL.
    /// It is reset (bindings cleared) before it is returned.
    public func cached(_ sql: String) throws(SQLiteError) -> SQLiteStatement {
        if let statement = statementCache[sql] {
            statement.reset()
            return statement
        }
        let statement = try prepare(sql)
        statementCache[sql] = statement
        return statement
    }

    /// Runs `body` inside `BEGIN <kind>` … `COMMIT`, rolling back if it throws.
    public func transaction<T>(_ kind: TransactionKind = .deferred, _ body: () throws -> T) throws -> T {
        try execute("BEGIN \(kind.rawValue)")
        do {
            let value = try body()
            try execute("COMMIT")
            return value
        } catch {
            if !isAutocommit { try? execute("ROLLBACK") }
            throw error
        }
    }

    public enum TransactionKind: String, Sendable {
        case deferred = "DEFERRED"
        /// Takes the write lock at BEGIN: use it for read-modify-write transactions.
        case immediate = "IMMEDIATE"
        case exclusive = "EXCLUSIVE"
    }

    /// True when no transaction is open (SQLite may roll one back by itself after `SQLITE_FULL`
    /// or an I/O error; this is how to tell).
    public var isAutocommit: Bool { sqlite3_get_autocommit(db) != 0 }

    /// The rowid of the last successful INSERT on this connection.
    public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(db) }

    /// Rows changed by the last INSERT, UPDATE or DELETE.
    public var changes: Int { Int(sqlite3_changes64(db)) }

    /// `PRAGMA user_version`: a schema version number owned by the application.
    public var userVersion: Int32 {
        get throws(SQLiteError) { Int32(truncatingIfNeeded: try scalarInt("PRAGMA user_version") ?? 0) }
    }

    public func setUserVersion(_ version: Int32) throws(SQLiteError) {
        try execute("PRAGMA user_version = \(version)")
    }

    /// Runs a query and returns the first column of the first row as an integer (nil for no row
    /// or NULL).
    public func scalarInt(_ sql: String, _ bindings: [SQLiteValue] = []) throws(SQLiteError) -> Int64? {
        let statement = try prepare(sql)
        try statement.bind(bindings)
        guard try statement.step() else { return nil }
        return statement.isNull(0) ? nil : statement.int64(0)
    }

    /// Runs a query and returns the first column of the first row as text.
    public func scalarText(_ sql: String, _ bindings: [SQLiteValue] = []) throws(SQLiteError) -> String? {
        let statement = try prepare(sql)
        try statement.bind(bindings)
        guard try statement.step() else { return nil }
        return statement.isNull(0) ? nil : statement.string(0)
    }

    /// Limits the file size in pages (`PRAGMA max_page_count`); beyond it writes fail with
    /// `SQLITE_FULL`. Mostly useful to test full-disk handling.
    public func setMaxPageCount(_ pages: Int64) throws(SQLiteError) {
        _ = try scalarInt("PRAGMA max_page_count = \(pages)")
    }
}

/// A value to bind to a statement parameter.
public enum SQLiteValue: Sendable, Equatable {
    case null
    case integer(Int64)
    case double(Double)
    case text(String)
    case blob([UInt8])
}

/// A compiled statement. Owned by its connection's thread, like the connection.
///
/// Bind with 1-based parameter indexes (SQLite's convention), read columns with 0-based indexes.
/// `step()` returns true while there is a row.
public final class SQLiteStatement {
    unowned let database: SQLiteDatabase
    private var handle: OpaquePointer?
    public let sql: String

    init(database: SQLiteDatabase, handle: OpaquePointer, sql: String) {
        self.database = database
        self.handle = handle
        self.sql = sql
    }

    deinit { finalize() }

    func finalize() {
        if let handle { sqlite3_finalize(handle) }
        handle = nil
    }

    var stmt: OpaquePointer {
        guard let handle else { preconditionFailure("SQLiteStatement used after its connection closed") }
        return handle
    }

    @inline(__always)
    private func check(_ rc: Int32) throws(SQLiteError) {
        if rc != SQLITE_OK { throw database.error(rc, sql: sql) }
    }

    /// Resets the statement so it can run again and clears its bindings.
    public func reset() {
        sqlite3_reset(stmt)
        sqlite3_clear_bindings(stmt)
    }

    public func bind(_ index: Int32, _ value: Int64) throws(SQLiteError) { try check(sqlite3_bind_int64(stmt, index, value)) }
    public func bind(_ index: Int32, _ value: Int) throws(SQLiteError) { try check(sqlite3_bind_int64(stmt, index, Int64(value))) }
    public func bind(_ index: Int32, _ value: Double) throws(SQLiteError) { try check(sqlite3_bind_double(stmt, index, value)) }
    public func bind(_ index: Int32, _ value: String) throws(SQLiteError) {
        // The UTF-8 bytes in place, with their length: passing the String as a C string would
        // build a NUL-terminated copy of every short string first, then SQLite would measure it.
        let rc = value.utf8.withContiguousStorageIfAvailable { bytes in
            guard let base = bytes.baseAddress, !bytes.isEmpty else {
                return sqlite3_bind_text(stmt, index, "", 0, sqliteTransient)  // '' is not NULL
            }
            return sqlite3_bind_text64(stmt, index, UnsafeRawPointer(base).assumingMemoryBound(to: CChar.self),
                                       UInt64(bytes.count), sqliteTransient, UInt8(SQLITE_UTF8))
        } ?? sqlite3_bind_text(stmt, index, value, -1, sqliteTransient)
        try check(rc)
    }
    /// Binds bytes as a BLOB (an empty array binds a zero-length BLOB, not NULL).
    public func bind(_ index: Int32, _ value: [UInt8]) throws(SQLiteError) {
        let rc = value.withUnsafeBytes { raw in
            sqlite3_bind_blob64(stmt, index, raw.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!, UInt64(raw.count), sqliteTransient)
        }
        try check(rc)
    }
    public func bindNull(_ index: Int32) throws(SQLiteError) { try check(sqlite3_bind_null(stmt, index)) }

    public func bind(_ index: Int32, _ value: SQLiteValue) throws(SQLiteError) {
        switch value {
        case .null: try bindNull(index)
        case .integer(let v): try bind(index, v)
        case .double(let v): try bind(index, v)
        case .text(let v): try bind(index, v)
        case .blob(let v): try bind(index, v)
        }
    }

    /// Binds values to parameters 1, 2, 3, …
    public func bind(_ values: [SQLiteValue]) throws(SQLiteError) {
        for (offset, value) in values.enumerated() { try bind(Int32(offset + 1), value) }
    }

    /// Advances to the next row: true when a row is available, false when done.
    @discardableResult
    public func step() throws(SQLiteError) -> Bool {
        let rc = sqlite3_step(stmt)
        switch rc {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default:
            let error = database.error(rc, sql: sql)
            sqlite3_reset(stmt)
            throw error
        }
    }

    /// Steps to completion, for statements that return no rows.
    public func run() throws(SQLiteError) {
        while try step() {}
        sqlite3_reset(stmt)
    }

    public var columnCount: Int32 { sqlite3_column_count(stmt) }
    public func isNull(_ column: Int32) -> Bool { sqlite3_column_type(stmt, column) == SQLITE_NULL }
    public func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(stmt, column) }
    public func int(_ column: Int32) -> Int { Int(sqlite3_column_int64(stmt, column)) }
    public func double(_ column: Int32) -> Double { sqlite3_column_double(stmt, column) }
    public func string(_ column: Int32) -> String {
        guard let text = sqlite3_column_text(stmt, column) else { return "" }
        let count = Int(sqlite3_column_bytes(stmt, column))
        return String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self)
    }
    public func optionalString(_ column: Int32) -> String? { isNull(column) ? nil : string(column) }
    public func optionalInt64(_ column: Int32) -> Int64? { isNull(column) ? nil : int64(column) }
    public func optionalDouble(_ column: Int32) -> Double? { isNull(column) ? nil : double(column) }
    public func blob(_ column: Int32) -> [UInt8] {
        let count = Int(sqlite3_column_bytes(stmt, column))
        guard count > 0, let pointer = sqlite3_column_blob(stmt, column) else { return [] }
        return [UInt8](UnsafeRawBufferPointer(start: pointer, count: count))
    }
    /// Lends the column's bytes without copying; valid only inside `body`.
    public func withBlob<T>(_ column: Int32, _ body: (UnsafeRawBufferPointer) throws -> T) rethrows -> T {
        let count = Int(sqlite3_column_bytes(stmt, column))
        guard count > 0, let pointer = sqlite3_column_blob(stmt, column) else {
            return try body(UnsafeRawBufferPointer(start: nil, count: 0))
        }
        return try body(UnsafeRawBufferPointer(start: pointer, count: count))
    }
    /// Byte length of a BLOB or TEXT column.
    public func byteCount(_ column: Int32) -> Int { Int(sqlite3_column_bytes(stmt, column)) }
}
