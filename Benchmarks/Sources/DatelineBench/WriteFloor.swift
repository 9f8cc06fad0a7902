import DatelineProjections
import EventLog
import Foundation

/// How long SQLite alone takes to write the finished timeline files on this machine: a floor
/// under any rebuild that writes them, however fast it reads and decodes the log.
///
/// Each projection's live file (see `TimelineFiles`) is copied into a scratch file by SQLite
/// itself (`INSERT … SELECT *`: no log reading, no inflating or decoding, no Swift per row;
/// into tables without indexes SQLite even copies the stored records as they are), then the
/// same indexes are created and the word index is filled from the statements, as a rebuild
/// does after its load. The scratch files have the settings of a rebuild's fresh files (no
/// journal, no syncs), and the two files are written at the same time on two threads, as a
/// rebuild writes them.
struct WriteFloor {
    let files: TimelineFiles

    struct Figures: Sendable {
        var tables = 0.0, indexes = 0.0, wordIndex = 0.0
        var total: Double { tables + indexes + wordIndex }
    }

    /// Per projection, and the wall time of writing them all at once.
    func measure(projections: [String]) throws -> (each: [String: Figures], wall: Double) {
        let dir = FileManager.default.temporaryDirectory.path + "/dateline-floor-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let results = FloorResults()
        let group = DispatchGroup()
        let start = now()
        for name in projections {
            let source = files.path(of: name), target = dir + "/\(name).sqlite"
            group.enter()
            Thread {
                defer { group.leave() }
                do { results.set(name, .success(try Self.copy(source, into: target))) } catch { results.set(name, .failure(error)) }
            }.start()
        }
        group.wait()
        let wall = now() - start
        var each: [String: Figures] = [:]
        for name in projections { each[name] = try results.get(name) }
        return (each, wall)
    }

    private static func copy(_ sourcePath: String, into path: String) throws -> Figures {
        let db = try SQLiteDatabase(path: path)
        defer { db.close() }
        let threads = max(0, min(4, ProcessInfo.processInfo.activeProcessorCount))
        try db.execute("""
            PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA locking_mode = EXCLUSIVE; PRAGMA cache_size = -131072;
            PRAGMA temp_store = MEMORY; PRAGMA threads = \(threads); PRAGMA secure_delete = OFF
            """)
        try db.execute("ATTACH DATABASE '\(sourcePath.replacingOccurrences(of: "'", with: "''"))' AS src")

        // The projection's tables: not its state, nor the word index's own tables (it is
        // filled through its virtual table).
        var tables: [(name: String, sql: String)] = [], virtualTables: [(name: String, sql: String)] = [], indexes: [String] = []
        let schema = try db.prepare("""
            SELECT type, name, sql FROM src.sqlite_schema
            WHERE name LIKE 'tl\\_%' ESCAPE '\\' AND name <> 'tl_projections' AND sql IS NOT NULL
            ORDER BY rowid
            """)
        var wordIndexTables = Set<String>()
        var rows: [(type: String, name: String, sql: String)] = []
        while try schema.step() { rows.append((schema.string(0), schema.string(1), schema.string(2))) }
        schema.reset()
        for row in rows where row.sql.hasPrefix("CREATE VIRTUAL TABLE") {
            virtualTables.append((row.name, row.sql))
            wordIndexTables.insert(row.name)
        }
        for row in rows where !row.sql.hasPrefix("CREATE VIRTUAL TABLE") {
            if wordIndexTables.contains(where: { row.name.hasPrefix($0 + "_") }) { continue }
            if row.type == "table" { tables.append((row.name, row.sql)) } else if row.type == "index" { indexes.append(row.sql) }
        }

        var figures = Figures()
        var start = now()
        for table in tables {
            try db.transaction {
                try db.execute(table.sql)
                try db.execute("INSERT INTO main.\(table.name) SELECT * FROM src.\(table.name)")
            }
        }
        figures.tables = now() - start
        start = now()
        for sql in indexes { try db.transaction { try db.execute(sql) } }
        figures.indexes = now() - start
        start = now()
        for table in virtualTables {
            // As StatementsProjection.finishBulk fills it: one bulk insert, then one merge.
            try db.transaction {
                try db.execute(table.sql)
                try db.execute("INSERT INTO main.\(table.name)(\(table.name), rank) VALUES ('automerge', 0)")
                try db.execute("INSERT INTO main.\(table.name)(rowid, content) SELECT position, content FROM main.tl_statements ORDER BY position")
                try db.execute("INSERT INTO main.\(table.name)(\(table.name)) VALUES ('optimize')")
            }
        }
        figures.wordIndex = now() - start
        return figures
    }
}

private final class FloorResults: @unchecked Sendable {
    private let lock = NSLock()
    private var results: [String: Result<WriteFloor.Figures, Error>] = [:]
    func set(_ name: String, _ r: Result<WriteFloor.Figures, Error>) { lock.withLock { results[name] = r } }
    func get(_ name: String) throws -> WriteFloor.Figures {
        guard let r = lock.withLock({ results[name] }) else { throw CocoaError(.featureUnsupported) }
        return try r.get()
    }
}
