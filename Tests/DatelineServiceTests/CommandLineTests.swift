import DatelineTestSupport
import EventLog
import Foundation
import Testing

/// The `dateline` executable driven as a user would: real files, real log, real output.
@Suite struct CommandLineTests {
    let samples = packageRoot.appendingPathComponent("samples").path

    @Test func ingestLogAndVerifyTheSampleArticles() async throws {
        let dir = try TemporaryDirectory()
        let dateline = try productPath("dateline")
        let db = dir.path("log.sqlite")

        let first = try await run(dateline, ["ingest", "--db", db, samples])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("articles: 3 new, 0 duplicate, 0 failed"))

        let again = try await run(dateline, ["ingest", "--db", db, samples])
        #expect(again.stdout.contains("articles: 0 new, 3 duplicate, 0 failed"))
        #expect(again.stdout.contains("events: 0 appended"))

        let log = try await run(dateline, ["log", "--db", db])
        #expect(log.status == 0)
        let events = try jsonLines(log.stdout)
        // The protocol's event line without an id: the line type under `type`, the event's under `event_type`.
        #expect(events.allSatisfy { $0["type"] as? String == "event" && $0["id"] == nil })
        #expect(events.allSatisfy { Set($0.keys) == ["type", "position", "stream", "version", "event_type", "event_id", "recorded_at", "data"] })
        let articles = events.filter { $0["event_type"] as? String == "ArticleIngested" }
        #expect(articles.count == 3)
        #expect(events.map { $0["position"] as? Int } == Array(1...events.count).map { Optional($0) })
        let titles = articles.compactMap { ($0["data"] as? [String: Any])?["title"] as? String }
        #expect(titles.contains("Grain ships wait to pass through the Bosphorus (illustration)"))

        let limited = try await run(dateline, ["log", "--db", db, "--from", "2", "--limit", "1"])
        #expect(try jsonLines(limited.stdout).map { $0["position"] as? Int } == [2])

        let stream = try #require(articles.first?["stream"] as? String)
        let one = try await run(dateline, ["log", "--db", db, "--stream", stream])
        #expect(try jsonLines(one.stdout).allSatisfy { $0["stream"] as? String == stream })

        let verify = try await run(dateline, ["verify", "--db", db])
        #expect(verify.status == 0)
        #expect(verify.stdout.contains("faults: 0"))
    }

    @Test func badInputIsReportedWithFileAndLineAndTheExitStatusSaysSo() async throws {
        let dir = try TemporaryDirectory()
        let dateline = try productPath("dateline")
        let feed = try dir.write("feed.jsonl", "{\"id\":\"x\",\"date\":\"2024-01-01\",\"text\":\"Fine.\"}\n{oops\n")
        let result = try await run(dateline, ["ingest", "--db", dir.path("log.sqlite"), feed])
        #expect(result.status == 1)
        #expect(result.stderr.contains("feed.jsonl:2: invalid JSON"))
        #expect(result.stdout.contains("articles: 1 new, 0 duplicate, 1 failed"))
    }

    @Test func ingestReadsStandardInput() async throws {
        let dir = try TemporaryDirectory()
        let dateline = try productPath("dateline")
        let result = try await run(dateline, ["ingest", "--db", dir.path("log.sqlite"), "-"],
                             stdin: " date 2024-05-01 Piped\n\nA piped article.")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("articles: 1 new"))
    }

    @Test func aFileThatIsNotALogIsRefusedClearly() async throws {
        let dir = try TemporaryDirectory()
        let dateline = try productPath("dateline")
        let notALog = try dir.write("notes.sqlite", "just some text, not SQLite")
        let result = try await run(dateline, ["verify", "--db", notALog])
        #expect(result.status != 0)
        #expect(result.stderr.contains("not a Dateline log"))
    }

    @Test func extractWritesOneLinePerRecordAndEchoesIds() async throws {
        let dir = try TemporaryDirectory()
        let dateline = try productPath("dateline")
        let feed = try dir.write("feed.jsonl", """
        {"id": "r1", "date": "2024-01-01", "text": "“Yes,” she said."}
        {"id": "r2", "text": "no date"}
        {"id": 3, "date": "2024-01-02", "text": "Nothing said here."}
        """)
        let result = try await run(dateline, ["extract", feed])
        #expect(result.status == 1)
        let lines = try jsonLines(result.stdout)
        #expect(lines.map { $0["id"] as? String } == ["r1", "r2", "3"])
        #expect(lines[1]["error"] as? String == "feed.jsonl:2: the record has no `date` string")
        #expect(lines[0]["statements"] is [Any] && lines[0]["tensions"] is [Any])
        #expect(lines[2]["date"] as? String == "2024-01-02")
    }
}

/// What a person sees when the log file has been damaged behind Dateline's back.
@Suite struct DamagedLogTests {
    @Test func verifyNamesTheDamagedPositionAndQueriesSayWhatFailed() async throws {
        let dir = try TemporaryDirectory()
        let dateline = try productPath("dateline")
        let db = dir.path("log.sqlite")
        #expect(try await run(dateline, ["ingest", "--db", db, packageRoot.appendingPathComponent("samples").path]).status == 0)

        // Change one stored byte of event 2, as a disk fault or a hand edit would.
        let sqlite = try SQLiteDatabase(path: db)
        try sqlite.execute("DROP TRIGGER events_no_update")
        let select = try sqlite.prepare("SELECT payload FROM events WHERE position = 2")
        #expect(try select.step())
        var bytes = select.blob(0)
        select.reset()
        bytes[bytes.count / 2] ^= 0x20
        let update = try sqlite.prepare("UPDATE events SET payload = ?1 WHERE position = 2")
        try update.bind(1, bytes)
        try update.run()
        sqlite.close()

        let verify = try await run(dateline, ["verify", "--db", db])
        #expect(verify.status == 1)
        #expect(verify.stdout.contains("position 2:"))
        #expect(verify.stdout.contains("events_no_update"))

        let log = try await run(dateline, ["log", "--db", db])
        #expect(log.status != 0)
        #expect(log.stderr.contains("corrupt payload at position 2"))
    }
}
