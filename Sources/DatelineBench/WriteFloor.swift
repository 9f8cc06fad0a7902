import EventLog
import Foundation

/// How long SQLite alone takes to write the finished timeline tables on this machine: a floor
/// under any rebuild that writes them through one SQLite connection, however fast it reads and
/// decodes the log.
///
/// Every live `tl_` table of the log's database is copied into a scratch database by SQLite
/// itself (`INSERT … SELECT *`: no log reading, no inflating or decoding, no Swift per row;
/// into tables without indexes SQLite even copies the stored records as they are), then the
/// same indexes are created and the word index is filled from the statements, as a rebuild
/// does after its load. Same settings as the projections' connection during a rebuild.
struct WriteFloor {
    let databasePath: String

    struct Figures {
        var tables = 0.0, indexes = 0.0, wordIndex = 0.0
        var total: Double { tables + indexes + wordIndex }
    }

    func measure() throws -> Figures {
        let dir = FileManager.default.temporaryDirectory.path + "/dateline-floor-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let db = try SQLiteDatabase(path: dir + "/floor.sqlite")
        defer { db.close() }
        let threads = max(0, min(4, ProcessInfo.processInfo.activeProcessorCount))
        try db.execute("""
            PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA cache_size = -131072;
            PRAGMA temp_store = MEMORY; PRAGMA threads = \(threads); PRAGMA secure_delete = OFF
            """)
        try db.execute("ATTACH DATABASE '\(databasePath.replacingOccurrences(of: "'", with: "''"))' AS src")

        // The live tables only: not the projections' state, shadow or retired tables, nor the
        // word index's own tables (it is filled through its virtual table).
        var tables: [(name: String, sql: String)] = [], virtualTables: [(name: String, sql: String)] = [], indexes: [String] = []
        let schema = try db.prepare("""
            SELECT type, name, sql FROM src.sqlite_schema
            WHERE name LIKE 'tl\\_%' ESCAPE '\\' AND name NOT LIKE 'tl\\_rebuild\\_%' ESCAPE '\\'
              AND name NOT LIKE 'tl\\_retired\\_%' ESCAPE '\\' AND name <> 'tl_projections' AND sql IS NOT NULL
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
