import DatelineCore
@testable import DatelineProjections
import DatelineTestSupport
import EventLog
import Foundation
import Testing

/// Queries that exercise every filter, compared between the SQLite store and the in-memory fold.
let statementQueries: [StatementQuery] = [
    StatementQuery(),
    StatementQuery(speaker: "Lavrov"),
    StatementQuery(speaker: "lavrov", limit: 3),
    StatementQuery(speaker: "Lavrov", limit: 2, newestFirst: true),
    StatementQuery(speaker: "person:antony-blinken"),
    StatementQuery(speaker: "secretary"),
    StatementQuery(speaker: "the kremlin"),
    StatementQuery(speaker: "official"),
    StatementQuery(speaker: "nobody at all"),
    StatementQuery(affiliation: try! ActorCode("UKR")),
    StatementQuery(since: CalendarDate(parsing: "2022-01-20"), until: CalendarDate(parsing: "2022-02-05")),
    StatementQuery(words: "talks"),
    StatementQuery(words: "border TROOPS"),
    StatementQuery(words: "elysee"),
    StatementQuery(words: "talk"),
    StatementQuery(words: "संवाद"),
    StatementQuery(words: "संवाद grain"),
    StatementQuery(speaker: "Zelensky", words: "sanctions", limit: 2),
    StatementQuery(affiliation: try! ActorCode("RUS"), since: CalendarDate(parsing: "2022-02-01"), limit: 5, newestFirst: true),
]

let tensionQueries: [TensionQuery] = [
    TensionQuery(),
    TensionQuery(pair: try! ActorPair(parsing: "RUS-UKR")),
    TensionQuery(pair: try! ActorPair(parsing: "UKR-RUS"), since: CalendarDate(parsing: "2022-01-20"), evidence: true),
    TensionQuery(actor: try! ActorCode("USA"), bucket: .week),
    TensionQuery(bucket: .month, top: 2),
    TensionQuery(since: CalendarDate(parsing: "2022-01-15"), until: CalendarDate(parsing: "2022-02-10"), bucket: .week, top: 3, halfLife: 3),
    TensionQuery(pair: try! ActorPair(parsing: "NATO|RUS"), actor: try! ActorCode("RUS"), bucket: .day, evidence: true),
    TensionQuery(pair: try! ActorPair(parsing: "FRA|DEU")),
]

func expectSameAnswers(_ store: TimelineStore, _ fold: TimelineFold, sourceLocation: SourceLocation = #_sourceLocation) throws {
    for q in statementQueries {
        let got = try store.statements(q)
        #expect(got == fold.statements(q), "statements \(q)", sourceLocation: sourceLocation)
    }
    for q in tensionQueries {
        let got = try store.tensions(q)
        #expect(got == fold.tensions(q), "tensions \(q)", sourceLocation: sourceLocation)
    }
    #expect(try store.dailyTensions() == fold.dailyTensions, sourceLocation: sourceLocation)
    #expect(try store.topPairs(limit: 3) == fold.topPairs(limit: 3), sourceLocation: sourceLocation)
}

@Suite("Timeline store over a real log")
struct TimelineStoreTests {
    @Test("incremental application in chunks and a full rebuild give identical tables and the fold's answers")
    func incrementalEqualsRebuild() throws {
        let dir = try TemporaryDirectory()
        let log = try openLog(dir.database)
        defer { log.close() }
        let corpus = syntheticCorpus()
        let collector = CommitCollector()
        let token = log.addCommitObserver { collector.add($0) }
        let store = try TimelineStore.open(log: log, options: TimelineStoreOptions(chunkSize: 37))
        defer { store.close() }
        // Apply as the server would: after each group of appends, the committed events.
        var start = 0
        for size in [1, 5, 17, 40, 200, 1000] where start < corpus.batches.count {
            let end = min(corpus.batches.count, start + size)
            try appendBatches(corpus.batches[start..<end], to: log)
            try store.apply(collector.drain())
            start = end
        }
        log.removeCommitObserver(token)
        let head = try log.head()
        #expect(head.rawValue == Int64(corpus.events.count))
        #expect(try checkpoints(store) == ["statements": head, "tensions": head])
        let incremental = try dumpTables(dir.database)
        #expect((incremental["tl_statements"]?.count ?? 0) > 100)
        #expect((incremental["tl_daily"]?.count ?? 0) > 50)
        // Every statement has words, so each is in the word index (entries are "word position").
        let indexed = Set((incremental["tl_statements_fts"] ?? []).compactMap { $0.split(separator: " ").last })
        #expect(indexed.count == incremental["tl_statements"]?.count)

        var fold = TimelineFold()
        fold.apply(try allEvents(log))
        try expectSameAnswers(store, fold)

        var seen: [RebuildProgress] = []
        try store.rebuild { seen.append($0) }
        let rebuilt = try dumpTables(dir.database)
        #expect(rebuilt == incremental)
        #expect(Set(rebuilt.keys) == Set(incremental.keys))
        #expect(try checkpoints(store) == ["statements": head, "tensions": head])
        try expectSameAnswers(store, fold)
        // Progress: per projection, rebuilding, non-decreasing, ending at the head.
        for name in ["statements", "tensions"] {
            let mine = seen.filter { $0.projection == name }
            #expect(mine.count >= 2)
            #expect(mine.allSatisfy { $0.rebuilding })
            #expect(zip(mine, mine.dropFirst()).allSatisfy { $0.position <= $1.position })
            #expect(mine.last?.position == head)
            #expect(mine.last?.secondsLeft == 0)
        }
        let stats = try store.stats()
        #expect(stats.allSatisfy { $0.builtAt != nil && $0.lag == 0 })
    }

    @Test("exactly once: a store closed halfway catches up from its checkpoint without double counting")
    func catchUpAfterStop() throws {
        let dir = try TemporaryDirectory()
        let log = try openLog(dir.database)
        defer { log.close() }
        let corpus = syntheticCorpus(articles: 40, seed: 11)
        try appendBatches(corpus.batches[...], to: log)
        let events = try allEvents(log)
        do {
            // Applies part of what the log committed, then stops (as a process killed after
            // the log's commit and before the projection's).
            let first = try TimelineStore(log: log)
            try first.apply(Array(events.prefix(events.count / 3)))
            #expect(try first.checkpoint(of: "tensions") == events[events.count / 3 - 1].position)
            first.close()
        }
        let second = try TimelineStore.open(log: log)
        defer { second.close() }
        var fold = TimelineFold()
        fold.apply(events)
        try expectSameAnswers(second, fold)
        // Handing it everything again changes nothing.
        let before = try dumpTables(dir.database)
        try second.apply(events)
        try second.apply(Array(events.suffix(10)))
        #expect(try dumpTables(dir.database) == before)
    }

    @Test("exactly once: a transaction that fails halfway leaves rows and checkpoint as they were")
    func failureInsideTransaction() throws {
        let dir = try TemporaryDirectory()
        let log = try openLog(dir.database)
        defer { log.close() }
        let corpus = syntheticCorpus(articles: 30, seed: 5)
        try appendBatches(corpus.batches[...], to: log)
        let events = try allEvents(log)
        let store = try TimelineStore(log: log)
        defer { store.close() }
        try store.apply(Array(events.prefix(50)))
        let before = try dumpTables(dir.database)
        let checkpointsBefore = try checkpoints(store)
        // A malformed position sequence is not the failure we want; break SQLite instead: a
        // trigger that aborts inserts into the mentions table once some rows went in.
        let raw = try SQLiteDatabase(path: dir.timelineFile("tensions"))
        try raw.execute("""
            CREATE TRIGGER test_abort AFTER INSERT ON tl_mentions WHEN new.position > \(events[120].position.rawValue)
            BEGIN SELECT RAISE(ABORT, 'simulated crash'); END
            """)
        #expect(throws: ProjectionError.self) { try store.apply(Array(events[50...])) }
        #expect(try dumpTables(dir.database) == before)
        #expect(try checkpoints(store) == checkpointsBefore)
        try raw.execute("DROP TRIGGER test_abort")
        raw.close()
        try store.catchUp()
        var fold = TimelineFold()
        fold.apply(events)
        try expectSameAnswers(store, fold)
    }

    @Test("two stores applying the same events on one file never count an event twice")
    func twoAppliers() throws {
        let dir = try TemporaryDirectory()
        let log = try openLog(dir.database)
        defer { log.close() }
        let corpus = syntheticCorpus(articles: 30, seed: 3)
        try appendBatches(corpus.batches[...], to: log)
        let events = try allEvents(log)
        let a = try TimelineStore(log: log)
        let b = try TimelineStore(log: log)
        defer { a.close(); b.close() }
        try a.apply(Array(events.prefix(70)))
        try b.apply(Array(events.prefix(90)))
        try a.apply(events)
        try b.apply(Array(events.suffix(5)))  // a gap for nobody: both are at the head already
        var fold = TimelineFold()
        fold.apply(events)
        try expectSameAnswers(a, fold)
        try expectSameAnswers(b, fold)
    }

    @Test("a gap before the handed events is filled from the log")
    func gapFilledFromLog() throws {
        let dir = try TemporaryDirectory()
        let log = try openLog(dir.database)
        defer { log.close() }
        let corpus = syntheticCorpus(articles: 20, seed: 9)
        try appendBatches(corpus.batches[...], to: log)
        let events = try allEvents(log)
        let store = try TimelineStore(log: log, options: TimelineStoreOptions(chunkSize: 10))
        defer { store.close() }
        try store.apply(Array(events.suffix(3)))
        #expect(try checkpoints(store) == ["statements": events.last!.position, "tensions": events.last!.position])
        var fold = TimelineFold()
        fold.apply(events)
        try expectSameAnswers(store, fold)
    }

    @Test("ExtractionSuperseded hides the old generation in the tables; rebuild agrees")
    func generations() throws {
        let dir = try TemporaryDirectory()
        let log = try openLog(dir.database)
        defer { log.close() }
        var fixture = FixtureLog()
        let a = fixture.article("An article about talks", date: "2022-01-27", title: "Talks", source: "Wire")
        fixture.statement(a, said("first reading", by: "Sergey Lavrov", entity: "person:sergey-lavrov", affiliation: "RUS", on: "2022-01-27"))
        fixture.tension(a, event("RUS", "UKR", cameo: "111", goldstein: -2, quad: 3, on: "2022-01-27"))
        fixture.supersede(a, newVersion: "test-2")
        fixture.statement(a, said("second reading", by: "Sergey Lavrov", entity: "person:sergey-lavrov", affiliation: "RUS", on: "2022-01-27"))
        fixture.tension(a, event("RUS", "UKR", cameo: "154", goldstein: -7.2, quad: 4, on: "2022-01-27"))
        fixture.tension(a, event("RUS", "USA", cameo: "111", goldstein: -2, quad: 3, on: "2022-01-28"))
        let store = try TimelineStore(log: log)
        defer { store.close() }
        for batch in fixture.batches {
            let r = try log.appendSync(to: batch.stream, events: batch.events)
            try store.apply(try log.read(from: r.positions[0], limit: r.positions.count))
        }
        let rows = try store.statements(StatementQuery(speaker: "Lavrov"))
        #expect(rows.map(\.content) == ["second reading"])
        #expect(rows.first?.title == "Talks")
        #expect(try store.statements(StatementQuery(words: "first")).isEmpty)
        let days = try store.tensions(TensionQuery(pair: try ActorPair(parsing: "RUS-UKR"), evidence: true))
        #expect(days.count == 1)
        #expect(days.first?.events == 1)
        #expect(abs((days.first?.tension ?? 0) - 7.2) < 1e-9)
        #expect(days.first?.evidence?.map(\.cameo) == ["154"])
        let before = try dumpTables(dir.database)
        try store.rebuild()
        #expect(try dumpTables(dir.database) == before)
        // The log still holds both generations.
        #expect(try log.countsByType()[.statementRecorded] == 2)
    }

    @Test("a projection built by another code version rebuilds itself on open")
    func codeVersionChange() throws {
        let dir = try TemporaryDirectory()
        let log = try openLog(dir.database)
        defer { log.close() }
        try appendBatches(syntheticCorpus(articles: 15, seed: 2).batches[...], to: log)
        let first = try TimelineStore.open(log: log)
        let expected = try dumpTables(dir.database)
        #expect(try first.stats().allSatisfy { $0.builtAt == nil })
        first.close()
        let raw = try SQLiteDatabase(path: dir.timelineFile("tensions"))
        try raw.execute("UPDATE tl_projections SET code_version = 0 WHERE name = 'tensions'; DELETE FROM tl_daily")
        raw.close()
        var progress: [RebuildProgress] = []
        let second = try TimelineStore.open(log: log) { progress.append($0) }
        defer { second.close() }
        #expect(progress.allSatisfy { $0.projection == "tensions" && $0.rebuilding })
        #expect(!progress.isEmpty)
        let stats = Dictionary(uniqueKeysWithValues: try second.stats().map { ($0.name, $0) })
        #expect(stats["tensions"]?.storedCodeVersion == TensionsProjection.codeVersion)
        #expect(stats["tensions"]?.builtAt != nil)
        #expect(stats["statements"]?.builtAt == nil)
        #expect(try dumpTables(dir.database) == expected)
    }

    @Test("a rebuild leaves no fresh file behind; one abandoned by a dead process is removed on open")
    func freshFilesDoNotLinger() throws {
        let dir = try TemporaryDirectory()
        let log = try openLog(dir.database)
        defer { log.close() }
        try appendBatches(syntheticCorpus(articles: 12, seed: 6).batches[...], to: log)
        func directory() throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: dir.timelines.directory).sorted() }
        let store = try TimelineStore.open(log: log)
        let expected = try dumpTables(dir.database)
        try store.rebuild()
        #expect(try directory() == ["statements.sqlite", "tensions.sqlite"])
        #expect(try dumpTables(dir.database) == expected)
        store.close()
        // As if a process (long gone: no such pid) died while writing a fresh file.
        let abandoned = dir.timelines.directory + "/statements.rebuild-999999999-1.sqlite"
        let liveProcess = dir.timelines.directory + "/tensions.rebuild-\(getpid())-999.sqlite"
        for path in [abandoned, abandoned + "-journal", liveProcess] {
            #expect(FileManager.default.createFile(atPath: path, contents: Data("partial".utf8)))
        }
        let reopened = try TimelineStore.open(log: log)
        defer { reopened.close() }
        #expect(try directory() == ["statements.sqlite", "tensions.rebuild-\(getpid())-999.sqlite", "tensions.sqlite"],
                "a fresh file of a running process is left alone")
        try FileManager.default.removeItem(atPath: liveProcess)
        #expect(try dumpTables(dir.database) == expected)
    }

    @Test("a stopped rebuild throws its fresh files away; the live files keep serving; the next rebuild starts afresh")
    func stoppedRebuild() throws {
        let dir = try TemporaryDirectory()
        let log = try openLog(dir.database)
        defer { log.close() }
        try appendBatches(syntheticCorpus(articles: 30, seed: 4).batches[...], to: log)
        let store = try TimelineStore.open(log: log, options: TimelineStoreOptions(chunkSize: 25))
        defer { store.close() }
        let expected = try dumpTables(dir.database)
        struct Stop: Error {}
        var calls = 0
        #expect(throws: ProjectionError.self) {
            try store.rebuild { _ in
                calls += 1
                if calls == 3 { throw Stop() }
            }
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.timelines.directory).sorted() == ["statements.sqlite", "tensions.sqlite"])
        #expect(try store.statements(StatementQuery()).count == expected["tl_statements"]!.count)
        var first: Position?
        try store.rebuild { p in if first == nil { first = p.position } }
        #expect(first.map { $0 < Position(100) } ?? false, "a rebuild starts from the beginning of the log")
        #expect(try dumpTables(dir.database) == expected)
    }

    @Test("word search without FTS5 gives the same answers")
    func likeFallback() throws {
        let dir = try TemporaryDirectory()
        let log = try openLog(dir.database)
        defer { log.close() }
        try appendBatches(syntheticCorpus(articles: 25, seed: 8).batches[...], to: log)
        let store = try TimelineStore.open(log: log, options: TimelineStoreOptions(fullTextSearch: false))
        defer { store.close() }
        #expect(try dumpTables(dir.database)["tl_statements_fts"] == nil)
        var fold = TimelineFold()
        fold.apply(try allEvents(log))
        try expectSameAnswers(store, fold)
    }

    @Test("bad arguments are refused with a message")
    func badArguments() throws {
        let dir = try TemporaryDirectory()
        let log = try openLog(dir.database)
        defer { log.close() }
        let store = try TimelineStore.open(log: log)
        defer { store.close() }
        #expect(throws: ProjectionError.self) { try store.statements(StatementQuery(limit: -1)) }
        #expect(throws: ProjectionError.self) { try store.tensions(TensionQuery(halfLife: 0)) }
        #expect(throws: ProjectionError.self) { try store.rebuild(["timelines"]) }
        #expect(try store.statements(StatementQuery()).isEmpty)
        #expect(try store.tensions(TensionQuery()).isEmpty)
        #expect(try store.knownActors().isEmpty)
        store.close()
        #expect(throws: ProjectionError.self) { try store.stats() }
    }
}

@Suite("Seed article through a real log", .enabled(if: SharedData.hasSeed, "../shared (gold/seed-000.json, corpus/seed-000.txt) is absent"))
struct SeedStoreTests {
    @Test("Lavrov's 9 statements, RUS-UKR tension with its level, NATO-RUS and RUS-USA rows")
    func acceptance() throws {
        let dir = try TemporaryDirectory()
        let log = try openLog(dir.database)
        defer { log.close() }
        let (fixture, _) = try seedLogFromGold()
        try appendBatches(fixture.batches[...], to: log)
        let store = try TimelineStore.open(log: log)
        defer { store.close() }
        let lavrov = try store.statements(StatementQuery(speaker: "Lavrov"))
        #expect(lavrov.count == 9)
        #expect(lavrov.allSatisfy { $0.date.description == "2022-01-27" && $0.source == "seed" })
        let rusUkr = try store.tensions(TensionQuery(pair: try ActorPair(parsing: "RUS-UKR")))
        #expect(rusUkr.count == 1)
        #expect((rusUkr.first?.tension ?? 0) > 0)
        #expect(rusUkr.first?.level == 0.9)
        #expect(try store.knownActors().map(\.rawValue) == ["NATO", "RUS", "UKR", "USA"])
        let day = try CalendarDate(parsing: "2022-01-27").map { d in try store.tensions(TensionQuery(since: d, until: d)) } ?? []
        #expect(Set(day.map(\.pair.description)) == ["NATO|RUS", "RUS|UKR", "RUS|USA"])
        let series = try store.indexSeries(pair: try ActorPair(parsing: "NATO-RUS"), until: CalendarDate(parsing: "2022-01-28"))
        #expect(series.count == 2)
        #expect(abs(series[1].index - 8.1515) < 5e-5)
    }
}

@Suite("Timelines in files of their own")
struct TimelineFilesTests {
    @Test("the default place derives from the log's path")
    func defaultPlace() {
        #expect(TimelineFiles(besideLog: "/data/dateline.sqlite").directory == "/data/dateline.timelines")
        #expect(TimelineFiles(besideLog: "news.db").path(of: "statements") == "news.timelines/statements.sqlite")
        #expect(TimelineFiles(besideLog: "/data/log").directory == "/data/log.timelines")
    }

    @Test("removed files are rebuilt from the log through the page source, with progress, to the same tables")
    func removedFilesAreRebuilt() throws {
        let dir = try TemporaryDirectory()
        let log = try openLog(dir.database)
        defer { log.close() }
        try appendBatches(syntheticCorpus(articles: 60, seed: 21).batches[...], to: log)
        let events = try allEvents(log)
        let expected: [String: [String]]
        do {
            let store = try TimelineStore.open(log: log, options: TimelineStoreOptions(chunkSize: 40))
            expected = try dumpTables(dir.database)
            store.close()
        }
        // The whole directory, then one file alone.
        for removed in [dir.timelines.directory, dir.timelineFile("tensions")] {
            try FileManager.default.removeItem(atPath: removed)
            var options = TimelineStoreOptions(chunkSize: 40)
            options.rebuildThreshold = 0
            var progress: [RebuildProgress] = []
            let source = CountingSource(log)
            let store = try TimelineStore.open(source: source, files: dir.timelines, options: options) { progress.append($0) }
            defer { store.close() }
            #expect(try dumpTables(dir.database) == expected)
            #expect(progress.contains { $0.rebuilding && $0.phase == .swapped && $0.projection == "tensions" })
            #expect(progress.contains { $0.rebuilding && $0.projection == "statements" } == (removed == dir.timelines.directory))
            #expect(source.pages > 0)
            var fold = TimelineFold()
            fold.apply(events)
            try expectSameAnswers(store, fold)
        }
        // Removed under an open store: its next call creates the files again and catches up.
        let store = try TimelineStore.open(log: log)
        defer { store.close() }
        try FileManager.default.removeItem(atPath: dir.timelines.directory)
        try store.catchUp()
        #expect(try dumpTables(dir.database) == expected)
        // The log's file holds only the log.
        let raw = try SQLiteDatabase(path: dir.database, mode: .readOnly)
        defer { raw.close() }
        #expect(try raw.scalarInt("SELECT count(*) FROM sqlite_schema WHERE name LIKE 'tl%'") == 0)
    }

    @Test("a rebuild in one store is noticed by another: its next query and apply use the new files")
    func swapNoticedByAnotherStore() throws {
        let dir = try TemporaryDirectory()
        let log = try openLog(dir.database)
        defer { log.close() }
        let batches = syntheticCorpus(articles: 40, seed: 12).batches
        try appendBatches(batches[..<30], to: log)
        let reader = try TimelineStore.open(log: log)
        defer { reader.close() }
        #expect(try reader.stats().allSatisfy { $0.builtAt == nil })
        let rebuilder = try TimelineStore(log: log)
        try appendBatches(batches[30...], to: log)
        try rebuilder.rebuild()
        rebuilder.close()
        // The reader's connection is still on the old files (checkpoint before the last batches)
        // until its next call, which reopens on the rebuilt ones.
        #expect(try reader.stats().allSatisfy { $0.builtAt != nil && $0.lag == 0 })
        try appendBatches(syntheticCorpus(articles: 5, seed: 99).batches[...], to: log)
        try reader.catchUp()
        var fold = TimelineFold()
        fold.apply(try allEvents(log))
        try expectSameAnswers(reader, fold)
    }

    @Test("a file that is not a timelines file is moved aside with a message, not overwritten, and the timelines rebuilt")
    func foreignFileMovedAside() throws {
        let dir = try TemporaryDirectory()
        let log = try openLog(dir.database)
        defer { log.close() }
        let corpus = syntheticCorpus(articles: 10, seed: 5)
        try appendBatches(corpus.batches[...], to: log)
        try FileManager.default.createDirectory(atPath: dir.timelines.directory, withIntermediateDirectories: true)
        let foreign = try SQLiteDatabase(path: dir.timelineFile("statements"))
        try foreign.execute("CREATE TABLE mine(x); INSERT INTO mine VALUES (1)")
        foreign.close()
        let notices = Notices()
        var options = TimelineStoreOptions()
        options.onNotice = { notices.add($0) }
        let store = try TimelineStore.open(log: log, options: options)
        defer { store.close() }
        let messages = notices.all
        #expect(messages.count == 1 && messages[0].contains("is not a Dateline timelines file") && messages[0].contains("moved it to"), "\(messages)")
        let aside = try FileManager.default.contentsOfDirectory(atPath: dir.timelines.directory).filter { $0.hasPrefix("statements.unusable-") }
        #expect(aside.count == 1)
        let check = try SQLiteDatabase(path: dir.timelines.directory + "/" + aside[0], mode: .readOnly)
        defer { check.close() }
        #expect(try check.scalarInt("SELECT count(*) FROM mine") == 1)
        var fold = TimelineFold()
        fold.apply(try allEvents(log))
        try expectSameAnswers(store, fold)
    }

    @Test("a file of garbage, or of a newer layout, is moved aside and rebuilt; a file the partners outgrew is rebuilt")
    func unusableFilesReplaced() throws {
        let dir = try TemporaryDirectory()
        let log = try openLog(dir.database)
        defer { log.close() }
        try appendBatches(syntheticCorpus(articles: 12, seed: 6).batches[...], to: log)
        try TimelineStore.open(log: log).close()
        try Data(repeating: 0x5A, count: 8_192).write(to: URL(fileURLWithPath: dir.timelineFile("statements")))
        let newer = try SQLiteDatabase(path: dir.timelineFile("tensions"), mode: .init(readOnly: false, create: false))
        try newer.execute("PRAGMA user_version = 99")
        newer.close()
        var fold = TimelineFold()
        fold.apply(try allEvents(log))
        do {
            let store = try TimelineStore.open(log: log)
            defer { store.close() }
            try expectSameAnswers(store, fold)
        }
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.timelines.directory)
        #expect(names.filter { $0.contains(".unusable-") }.count == 2, "\(names)")
        // A tensions file older than the statements file expects (as a rebuild killed between
        // its renames leaves): rebuilt on open, before anything reads the two together.
        let statements = try SQLiteDatabase(path: dir.timelineFile("statements"), mode: .init(readOnly: false, create: false))
        let g = try statements.scalarInt("SELECT generation FROM tl_projections") ?? 0
        try statements.execute("INSERT OR REPLACE INTO tl_partners(name, generation) VALUES ('tensions', \(g + 5))")
        statements.close()
        let store = try TimelineStore(log: log)
        defer { store.close() }
        let tensions = try SQLiteDatabase(path: dir.timelineFile("tensions"), mode: .readOnly)
        #expect(try tensions.scalarInt("SELECT generation FROM tl_projections") ?? 0 >= g + 5)
        tensions.close()
        try expectSameAnswers(store, fold)
    }
}

/// The store's notices, as told.
final class Notices: @unchecked Sendable {
    private let lock = NSLock()
    private var messages: [String] = []
    func add(_ message: String) { lock.withLock { messages.append(message) } }
    var all: [String] { lock.withLock { messages } }
}

/// A page source that counts the pages read (the projections' only way to the log here).
final class CountingSource: LogPageSource, @unchecked Sendable {
    let log: EventStore
    private let lock = NSLock()
    private var count = 0
    init(_ log: EventStore) { self.log = log }
    var pages: Int { lock.withLock { count } }
    func head() throws -> Position { try log.head() }
    func read(from position: Position, limit: Int) throws -> [RecordedEvent] {
        lock.withLock { count += 1 }
        return try log.read(from: position, limit: limit)
    }
}
