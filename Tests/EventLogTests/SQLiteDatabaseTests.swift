import CSQLite
import DatelineTestSupport
import Foundation
import Testing
@testable import EventLog

@Suite("SQLiteDatabase wrapper")
struct SQLiteDatabaseTests {
    @Test func bindStepAndReadEveryColumnType() throws {
        let dir = try TemporaryDirectory()
        let db = try SQLiteDatabase(path: dir.file("t.sqlite"))
        defer { db.close() }
        try db.execute("CREATE TABLE t(id INTEGER PRIMARY KEY, i INTEGER, d REAL, s TEXT, b BLOB, n TEXT)")
        let insert = try db.prepare("INSERT INTO t(i, d, s, b, n) VALUES (?1, ?2, ?3, ?4, ?5)")
        try insert.bind(1, Int64.max)
        try insert.bind(2, -2.5)
        try insert.bind(3, "Лавров “quoted”")
        try insert.bind(4, [0, 1, 2, 255] as [UInt8])
        try insert.bindNull(5)
        try insert.run()
        #expect(db.lastInsertRowID == 1)
        #expect(db.changes == 1)
        insert.reset()
        try insert.bind([.integer(7), .double(1), .text(""), .blob([]), .text("x")])
        try insert.run()
        #expect(db.lastInsertRowID == 2)

        let select = try db.cached("SELECT i, d, s, b, n FROM t ORDER BY id")
        #expect(try select.step())
        #expect(select.int64(0) == Int64.max)
        #expect(select.double(1) == -2.5)
        #expect(select.string(2) == "Лавров “quoted”")
        #expect(select.blob(3) == [0, 1, 2, 255])
        #expect(select.isNull(4))
        #expect(select.optionalString(4) == nil)
        #expect(try select.step())
        #expect(select.blob(3) == [])
        #expect(!select.isNull(3), "an empty array binds an empty BLOB, not NULL")
        #expect(select.optionalString(4) == "x")
        #expect(try !select.step())
        // cached() hands back the same statement, reset.
        let again = try db.cached("SELECT i, d, s, b, n FROM t ORDER BY id")
        #expect(again === select)
        #expect(try again.step())
    }

    @Test("text binds byte for byte: empty (not NULL), short, long, non-ASCII, bridged, embedded NUL")
    func textBinding() throws {
        let dir = try TemporaryDirectory()
        let db = try SQLiteDatabase(path: dir.file("t.sqlite"))
        defer { db.close() }
        try db.execute("CREATE TABLE t(id INTEGER PRIMARY KEY, s TEXT)")
        let values = ["", "RUS", "fifteen bytes!!", "sixteen bytes!!!", "Лавров", String(repeating: "é“x”", count: 5000),
                      NSString(string: "a bridged Foundation string").description, "nul\u{0}inside"]
        let insert = try db.prepare("INSERT INTO t(s) VALUES (?1)")
        for v in values {
            try insert.bind(1, v)
            try insert.run()
        }
        let select = try db.prepare("SELECT s, typeof(s), length(CAST(s AS BLOB)) FROM t ORDER BY id")
        for v in values {
            #expect(try select.step())
            #expect(select.string(1) == "text", "\(v.prefix(20)) is bound as text, never NULL")
            #expect(select.int(2) == v.utf8.count)
            if !v.contains("\u{0}") { #expect(select.string(0) == v) }
        }
    }

    @Test func transactionsCommitOrRollBack() throws {
        let dir = try TemporaryDirectory()
        let db = try SQLiteDatabase(path: dir.file("t.sqlite"))
        defer { db.close() }
        try db.execute("CREATE TABLE t(x INTEGER)")
        try db.transaction(.immediate) { try db.execute("INSERT INTO t VALUES (1)") }
        struct Stop: Error {}
        #expect(throws: Stop.self) {
            try db.transaction { try db.execute("INSERT INTO t VALUES (2)"); throw Stop() }
        }
        #expect(db.isAutocommit)
        #expect(try db.scalarInt("SELECT count(*) FROM t") == 1)
        #expect(try db.userVersion == 0)
        try db.setUserVersion(3)
        #expect(try db.userVersion == 3)
    }

    @Test func errorsCarryCodeMessageAndSQL() throws {
        let dir = try TemporaryDirectory()
        let db = try SQLiteDatabase(path: dir.file("t.sqlite"))
        defer { db.close() }
        do {
            _ = try db.prepare("SELECT nope FROM missing")
            Issue.record("prepare should fail")
        } catch {
            #expect(error.code == SQLITE_ERROR)
            #expect(error.message.contains("missing"))
            #expect(error.sql == "SELECT nope FROM missing")
        }
        try db.execute("CREATE TABLE u(x TEXT UNIQUE)")
        let insert = try db.prepare("INSERT INTO u VALUES (?1)")
        try insert.bind(1, "secret payload")
        try insert.run()
        insert.reset()
        try insert.bind(1, "secret payload")
        do {
            try insert.run()
            Issue.record("duplicate should fail")
        } catch {
            #expect(error.isConstraint)
            #expect(!error.description.contains("secret payload"), "bound values must not leak into errors")
        }
        #expect(throws: SQLiteError.self) { try SQLiteDatabase(path: dir.file("missing/x.sqlite")) }
    }
}
