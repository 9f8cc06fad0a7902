import DatelineCore
import DatelineProjections
import DatelineService
import DatelineTestSupport
import EventLog
import Foundation
import Logging
import Testing

/// The timelines in files of their own, through the `dateline` executable on real files.
@Suite struct TimelineFilesCommandTests {
    /// The query commands' JSON answers.
    static func answers(_ dateline: String, _ db: String, extra: [String] = []) async throws -> [String: String] {
        var out: [String: String] = [:]
        let commands: [String: [String]] = [
            "statements": ["statements", "--db", db, "--json"],
            "statements lavrov": ["statements", "--db", db, "--speaker", "lavrov", "--json"],
            "tensions": ["tensions", "--db", db, "--json"],
            "tensions pair": ["tensions", "--db", db, "--pair", "RUS-UKR", "--json"],
            "stats": ["stats", "--db", db, "--json"],
        ]
        for (name, arguments) in commands.sorted(by: { $0.key < $1.key }) {
            let result = try await run(dateline, arguments + extra)
            #expect(result.status == 0, "\(name): \(result.stderr)")
            out[name] = result.stdout
        }
        return out
    }

    @Test("statements, tensions and stats give identical answers after the timelines are deleted, and rebuild them")
    func deletedTimelinesAreRebuilt() async throws {
        let dir = try TemporaryDirectory()
        let db = try TimelineCommandTests.fixtureDatabase(in: dir)
        let dateline = try productPath("dateline")
        let timelines = dir.path("log.timelines")
        let before = try await Self.answers(dateline, db)
        #expect(before["statements"]?.contains("the talks had failed") == true)
        #expect(before["tensions pair"]?.contains("RUS|UKR") == true)
        #expect(before["stats"]?.contains("\(timelines)/statements.sqlite") == true)
        #expect(FileManager.default.fileExists(atPath: timelines + "/tensions.sqlite"))

        try FileManager.default.removeItem(atPath: timelines)
        let after = try await Self.answers(dateline, db)
        #expect(after == before)
        #expect(FileManager.default.fileExists(atPath: timelines + "/statements.sqlite"))

        // One file alone.
        try FileManager.default.removeItem(atPath: timelines + "/statements.sqlite")
        #expect(try await Self.answers(dateline, db) == before)

        // Elsewhere, with --timelines.
        let elsewhere = dir.path("elsewhere")
        let moved = try await Self.answers(dateline, db, extra: ["--timelines", elsewhere])
        #expect(moved["statements"] == before["statements"])
        #expect(moved["tensions"] == before["tensions"])
        #expect(FileManager.default.fileExists(atPath: elsewhere + "/tensions.sqlite"))

        // The log's file holds only the log.
        let log = try SQLiteDatabase(path: db, mode: .readOnly)
        defer { log.close() }
        #expect(try log.scalarInt("SELECT count(*) FROM sqlite_schema WHERE name LIKE 'tl%'") == 0)
    }

    @Test("after dateline ingest the timelines are already at the head")
    func ingestLeavesTimelinesCurrent() async throws {
        let dir = try TemporaryDirectory()
        let db = dir.path("log.sqlite")
        let input = try dir.write("articles.jsonl", """
            {"id":"a1","date":"2022-01-27","title":"Talks","text":"Russian Foreign Minister Sergey Lavrov said the talks had failed."}
            {"id":"a2","date":"2022-02-03","title":"More","text":"Lavrov said NATO must stop expanding."}

            """)
        let dateline = try productPath("dateline")
        let ingest = try await run(dateline, ["ingest", "--db", db, input])
        #expect(ingest.status == 0, "\(ingest.stderr)")
        // Read the checkpoints straight from the files, without opening the timelines.
        let files = TimelineFiles(besideLog: db)
        let log = try EventStore(path: db, logger: Logger(label: "test"))
        let head = try log.head()
        log.close()
        #expect(head > .start)
        for name in ["statements", "tensions"] {
            let file = try SQLiteDatabase(path: files.path(of: name), mode: .readOnly)
            #expect(try file.scalarInt("SELECT checkpoint FROM tl_projections") == head.rawValue, "\(name)")
            file.close()
        }
    }

    @Test("a log with timeline tables of the earlier layout in its own file has them dropped, with a message, and stays whole")
    func legacyTablesMigrated() async throws {
        let dir = try TemporaryDirectory()
        let db = try TimelineCommandTests.fixtureDatabase(in: dir)
        let dateline = try productPath("dateline")
        let expected = try await Self.answers(dateline, db)
        try FileManager.default.removeItem(atPath: dir.path("log.timelines"))
        // The earlier layout: the projection tables, their indexes and a word index in the log's file.
        do {
            let raw = try SQLiteDatabase(path: db)
            try raw.execute("""
                CREATE TABLE tl_projections(name TEXT PRIMARY KEY, checkpoint INTEGER NOT NULL) WITHOUT ROWID;
                INSERT INTO tl_projections VALUES ('statements', 3), ('tensions', 3);
                CREATE TABLE tl_statements(position INTEGER PRIMARY KEY, content TEXT);
                CREATE INDEX tl_statements2_statements_day ON tl_statements(content);
                CREATE VIRTUAL TABLE tl_statements_fts USING fts5(content, content = '');
                CREATE TABLE tl_daily(pair TEXT, day INTEGER);
                """)
            raw.close()
        }
        let appID: Int64?
        do {
            let raw = try SQLiteDatabase(path: db, mode: .readOnly)
            appID = try raw.scalarInt("PRAGMA application_id")
            raw.close()
        }
        let first = try await run(dateline, ["stats", "--db", db, "--json"])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stderr.contains("dropped 4 old timeline tables from the log file"), "\(first.stderr)")
        // The log's file keeps the pages the old tables took (free for later appends).
        func withoutSize(_ s: String?) -> String? { s?.replacingOccurrences(of: #""database_bytes":[0-9]+,"#, with: "", options: .regularExpression) }
        #expect(withoutSize(first.stdout) == withoutSize(expected["stats"]))
        let raw = try SQLiteDatabase(path: db, mode: .readOnly)
        #expect(try raw.scalarInt("SELECT count(*) FROM sqlite_schema WHERE name LIKE 'tl%'") == 0)
        #expect(try raw.scalarInt("SELECT count(*) FROM sqlite_schema WHERE type = 'trigger'") == 4, "the log's append-only triggers")
        #expect(try raw.scalarInt("PRAGMA application_id") == appID)
        raw.close()
        let verify = try await run(dateline, ["verify", "--db", db])
        #expect(verify.status == 0, "\(verify.stdout) \(verify.stderr)")
        // Once only.
        let second = try await run(dateline, ["stats", "--db", db, "--json"])
        #expect(!second.stderr.contains("dropped"))
        let again = try await Self.answers(dateline, db)
        #expect(again.mapValues(withoutSize) == expected.mapValues(withoutSize))
    }

    @Test("datelined starts whatever the timelines hold: a file of garbage, a file of a newer layout, an event they skip",
          .timeLimit(.minutes(3)), arguments: ["garbage", "newer layout", "skipped event"])
    func serverStartsWhateverTheTimelinesHold(_ damage: String) async throws {
        let dir = try TemporaryDirectory()
        let db = try TimelineCommandTests.fixtureDatabase(in: dir)
        let dateline = try productPath("dateline")
        let timelines = dir.path("log.timelines")
        let before = try await Self.answers(dateline, db)
        switch damage {
        case "garbage":
            try Data((0..<20_000).map { UInt8(truncatingIfNeeded: $0 &* 7919) }).write(to: URL(fileURLWithPath: timelines + "/statements.sqlite"))
        case "newer layout":
            let file = try SQLiteDatabase(path: timelines + "/tensions.sqlite", mode: .init(readOnly: false, create: false))
            try file.execute("PRAGMA user_version = 99")
            file.close()
        default:
            // Written straight to the log (the protocol refuses raw appends into an article's
            // stream): a statement whose index no integer holds.
            let log = try EventStore(path: db, logger: Logger(label: "test"))
            let stream = try log.read(from: .start, limit: 1)[0].stream
            _ = try log.appendSync(to: stream, events: [ProposedEvent(id: try EventID("unusable-statement"), type: .statementRecorded,
                                                                      data: Array(#"{"index":9223372036854775808}"#.utf8))])
            log.close()
        }
        let server = try await ServerProcess.start(db: db)
        let remote = try await run(dateline, ["statements", "--server", server.address, "--json"])
        #expect(remote.status == 0, "\(remote.stderr)")
        #expect(remote.stdout == before["statements"])
        let tensions = try await run(dateline, ["tensions", "--server", server.address, "--pair", "RUS-UKR", "--json"])
        #expect(tensions.stdout == before["tensions pair"], "\(tensions.stderr)")
        let stats = try await run(dateline, ["stats", "--db", db])
        #expect(stats.status == 0, "\(stats.stderr)")
        let skipped = damage == "skipped event" ? 1 : 0
        #expect(stats.stdout.contains("projection statements: checkpoint"), "\(stats.stdout)")
        #expect(stats.stdout.contains("skipped events \(skipped)\n"), "\(stats.stdout)")
        #expect(await server.stop() == 0)
        let names = try FileManager.default.contentsOfDirectory(atPath: timelines)
        if damage == "garbage" { #expect(names.contains { $0.hasPrefix("statements.unusable-") }, "\(names)") }
        if damage == "newer layout" { #expect(names.contains { $0.hasPrefix("tensions.unusable-") }, "\(names)") }
    }
}
