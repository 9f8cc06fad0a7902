import DatelineCore
@testable import DatelineProjections
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
        #expect(stats.allSatisfy { $0.builtAt != nil && $0.lag == 0 && $0.rebuildCheckpoint == nil })
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
        let raw = try SQLiteDatabase(path: dir.database)
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
        let raw = try SQLiteDatabase(path: dir.database)
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

    @Test("a swap drops the replaced tables after it commits; leftovers of a crash are dropped on open")
    func replacedTablesAreDropped() throws {
        let dir = try TemporaryDirectory()
        let log = try openLog(dir.database)
        defer { log.close() }
        try appendBatches(syntheticCorpus(articles: 12, seed: 6).batches[...], to: log)
        func leftovers() throws -> [String] {
            let db = try SQLiteDatabase(path: dir.database, mode: .readOnly)
            defer { db.close() }
            let s = try db.prepare("SELECT name FROM sqlite_schema WHERE name LIKE 'tl\\_r%' ESCAPE '\\' ORDER BY name")
            var names: [String] = []
            while try s.step() { names.append(s.string(0)) }
            return names
        }
        let store = try TimelineStore.open(log: log)
        let expected = try dumpTables(dir.database)
        try store.rebuild()
        #expect(try leftovers() == [], "no shadow or replaced table remains after a rebuild")
        #expect(try dumpTables(dir.database) == expected)
        store.close()
        // As if a process died between the swap and the drops.
        let raw = try SQLiteDatabase(path: dir.database)
        try raw.execute("CREATE TABLE tl_retired_statements(x); CREATE TABLE tl_retired_daily(y); CREATE TABLE tl_other(z, w)")
        raw.close()
        let reopened = try TimelineStore.open(log: log)
        defer { reopened.close() }
        #expect(try leftovers() == [])
        #expect(try dumpTables(dir.database).keys.contains("tl_other"), "only the replaced tables are dropped")
    }

    @Test("an interrupted rebuild resumes from its own checkpoint, and live tables serve meanwhile")
    func interruptedRebuild() throws {
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
            try store.rebuild(["statements"]) { _ in
                calls += 1
                if calls == 3 { throw Stop() }
            }
        }
        let stats = try store.stats().first { $0.name == "statements" }!
        let resumeAt = try #require(stats.rebuildCheckpoint)
        #expect(resumeAt > .start)
        #expect(try store.statements(StatementQuery()).count == expected["tl_statements"]!.count)
        var first: Position?
        try store.rebuild(["statements"]) { p in if first == nil { first = p.position } }
        #expect(first.map { $0 > resumeAt } ?? false)
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

@Suite("Rebuild resumed by another store")
struct ResumedRebuildTests {
    @Test("a rebuild interrupted in one store and resumed by a new one gives the same tables, supersessions included")
    func resumedByNewStore() throws {
        let dir = try TemporaryDirectory()
        let log = try openLog(dir.database)
        defer { log.close() }
        // Several re-extractions, some before and some after the interruption point.
        try appendBatches(syntheticCorpus(articles: 60, seed: 21).batches[...], to: log)
        let expected: [String: [String]]
        do {
            let store = try TimelineStore.open(log: log, options: TimelineStoreOptions(chunkSize: 40))
            expected = try dumpTables(dir.database)
            struct Stop: Error {}
            var calls = 0
            #expect(throws: ProjectionError.self) {
                try store.rebuild { _ in
                    calls += 1
                    if calls == 5 { throw Stop() }
                }
            }
            store.close()
        }
        let resumed = try TimelineStore(log: log, options: TimelineStoreOptions(chunkSize: 40))
        defer { resumed.close() }
        #expect(try resumed.stats().contains { $0.rebuildCheckpoint != nil })
        try resumed.rebuild()
        #expect(try dumpTables(dir.database) == expected)
        #expect(try resumed.stats().allSatisfy { $0.rebuildCheckpoint == nil })
    }
}
