import CSQLite
import Foundation

extension EventStore {
    /// Drops the timeline tables (named `tl_…`) that earlier versions kept in the log's own file;
    /// the timelines now live in files of their own. Only tables whose names start with `tl_`
    /// go (with their indexes and triggers); the log's tables, triggers, application id and
    /// schema version are not touched. The freed pages stay in the file for later appends
    /// (`VACUUM` would return them to the disk, by rewriting the whole log).
    ///
    /// - Returns: the names of the tables dropped (empty for a log that has none, which is
    ///   checked without taking the write lock).
    public func dropLegacyTimelineTables() throws(EventLogError) -> [String] {
        // A read-only log keeps them (its timelines are built elsewhere all the same).
        if isReadOnly { return [] }
        do {
            let db = try SQLiteDatabase(path: path, mode: .init(readOnly: false, create: false))
            defer { db.close() }
            func legacyTables() throws -> [(name: String, virtual: Bool)] {
                let s = try db.prepare("""
                    SELECT name, sql LIKE 'CREATE VIRTUAL TABLE%' FROM sqlite_schema
                    WHERE type = 'table' AND name LIKE 'tl\\_%' ESCAPE '\\' ORDER BY name
                    """)
                var out: [(String, Bool)] = []
                while try s.step() { out.append((s.string(0), s.int(1) != 0)) }
                return out
            }
            if try legacyTables().isEmpty { return [] }
            // Nothing in these tables needs zeroing: the log holds every text they were built from.
            try db.execute("PRAGMA secure_delete = OFF")
            return try db.transaction(.immediate) {
                // A virtual table first: dropping it drops its own shadow tables (also `tl_…`).
                let virtual = try legacyTables().filter(\.virtual)
                for t in virtual { try db.execute("DROP TABLE IF EXISTS \"\(t.name)\"") }
                let plain = try legacyTables()
                for t in plain { try db.execute("DROP TABLE IF EXISTS \"\(t.name)\"") }
                return (virtual + plain).map(\.name).sorted()
            }
        } catch let error as EventLogError {
            throw error
        } catch let error as SQLiteError {
            throw EventLogError.from(error, path: path)
        } catch {
            throw .sqlite(SQLiteError(code: SQLITE_ERROR, message: "\(error)"))
        }
    }
}
