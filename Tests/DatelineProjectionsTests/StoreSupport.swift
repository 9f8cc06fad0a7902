import DatelineCore
@testable import DatelineProjections
import DatelineTestSupport
import EventLog
import Foundation
import Logging

extension TemporaryDirectory {
    var database: String { path + "/dateline.sqlite" }
    /// The timelines beside `database`, in their default place.
    var timelines: TimelineFiles { TimelineFiles(besideLog: database) }
    /// A projection's live file.
    func timelineFile(_ projection: String) -> String { timelines.path(of: projection) }
}

let quietLogger = Logger(label: "dateline.projections.test", factory: { _ in SwiftLogNoOpLogHandler() })

func openLog(_ path: String) throws -> EventStore {
    try EventStore(path: path, options: EventStoreOptions(durability: .normal), logger: quietLogger)
}

/// Collects what the log's commit observer hands out, for tests that apply as the server would.
final class CommitCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var pending: [RecordedEvent] = []
    func add(_ events: [RecordedEvent]) { lock.withLock { pending += events } }
    func drain() -> [RecordedEvent] { lock.withLock { defer { pending = [] }; return pending } }
}


/// A synthetic ingest: articles over several weeks with statements, tension events (with
/// repeated mentions, level statements, denials, cooperation) and a few re-extractions.
func syntheticCorpus(articles: Int = 60, seed: UInt64 = 7) -> FixtureLog {
    var rng = SeededRandom(state: seed)
    var log = FixtureLog()
    let speakers: [(String, String?, String?, String?)] = [
        ("Sergey Lavrov", "person:sergey-lavrov", "RUS", "Russia’s Foreign Minister"),
        ("Antony Blinken", "person:antony-blinken", "USA", "the US Secretary of State"),
        ("Volodymyr Zelensky", "person:volodymyr-zelensky", "UKR", "Zelensky"),
        ("Jens Stoltenberg", "person:jens-stoltenberg", "NATO", "NATO’s Secretary General"),
        ("Kremlin", "actor:RUS", "RUS", "the Kremlin"),
        ("an official", nil, nil, "an official"),
    ]
    let words = ["talks", "troops", "border", "sanctions", "security", "guarantees", "enlargement", "Élysée", "ceasefire",
                 "grain", "corridor", "weapons", "drills", "diplomacy", "pressure", "response",
                 "संवाद"]  // with combining marks, which SQLite's tokenizer splits
    let pairs = [("RUS", "UKR"), ("RUS", "USA"), ("NATO", "RUS"), ("UKR", "USA"), ("EU", "RUS")]
    let codes: [(String, Double, Int)] = [("111", -2, 3), ("138", -7, 3), ("154", -7.2, 4), ("190", -10, 4),
                                          ("036", 4, 1), ("070", 7, 2), ("1042", -5, 3)]
    var written: [Article] = []
    for i in 0..<articles {
        let day = CalendarDate(year: 2022, month: 1, day: 10)!.adding(days: rng.int(45))
        let text = "Synthetic article \(i) " + (0..<12).map { _ in rng.pick(words) }.joined(separator: " ")
        let a = log.article(text, date: day.description, title: "Article \(i)", source: rng.pick(["Wire", "Paper", "Daily"]),
                            url: i % 3 == 0 ? "https://example.org/\(i)" : nil)
        written.append(a)
        for _ in 0..<(2 + rng.int(4)) {
            let sp = rng.pick(speakers)
            let content = (0..<(4 + rng.int(6))).map { _ in rng.pick(words) }.joined(separator: " ")
            log.statement(a, said(content, by: sp.0, entity: sp.1, affiliation: sp.2,
                                  surface: rng.int(3) == 0 ? "he" : sp.3,
                                  kind: rng.pick([.direct, .indirect, .mixed]), on: day.adding(days: -rng.int(2)).description,
                                  at: rng.int(200)))
        }
        for _ in 0..<(1 + rng.int(6)) {
            let (x, y) = rng.pick(pairs)
            let (source, target) = rng.int(2) == 0 ? (x, y) : (y, x)
            let code = rng.pick(codes)
            let modality = rng.pick([Modality.asserted, .asserted, .feared, .denied])
            let mention = event(source, target, cameo: code.0, goldstein: code.1, quad: code.2, modality: modality,
                                on: day.description, span: (rng.int(100), 100 + rng.int(100)))
            log.tension(a, mention)
            if rng.int(3) == 0 { log.tension(a, mention) }  // a repeated mention
        }
        if rng.int(4) == 0 {
            let (x, y) = rng.pick(pairs)
            log.tension(a, levelStatement("\(x)-\(y)", level: Double(rng.int(10)) / 10, on: day.description))
        }
        // Now and then a re-extraction of an earlier article.
        if i % 9 == 8, let old = written.dropLast().randomElement(using: &rng) {
            log.supersede(old, newVersion: "test-\(i)")
            log.statement(old, said("revised statement \(i) on talks", by: "Sergey Lavrov", entity: "person:sergey-lavrov",
                                    affiliation: "RUS", on: "2022-02-01"))
            log.tension(old, event("RUS", "UKR", cameo: "190", goldstein: -10, quad: 4, on: "2022-02-01"))
        }
    }
    return log
}


/// Appends a fixture's batches to a real log.
func appendBatches(_ batches: ArraySlice<(stream: StreamName, events: [ProposedEvent])>, to log: EventStore) throws {
    for b in batches { _ = try log.appendSync(to: b.stream, events: b.events) }
}

/// Every row of every projection table of the timelines beside the log at `logPath`, as text,
/// for exact comparison.
func dumpTables(_ logPath: String) throws -> [String: [String]] {
    let files = TimelineFiles(besideLog: logPath)
    var out: [String: [String]] = [:]
    for name in TimelineStore.projectionNames {
        out.merge(try dumpFile(files.path(of: name))) { a, _ in a }
    }
    return out
}

/// Every row of every projection table in one timelines file.
func dumpFile(_ path: String) throws -> [String: [String]] {
    let db = try SQLiteDatabase(path: path, mode: .readOnly)
    defer { db.close() }
    var tables: [String] = []
    let list = try db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name LIKE 'tl\\_%' ESCAPE '\\' AND name NOT LIKE 'tl\\_statements\\_fts\\_%' ESCAPE '\\' ORDER BY name")
    while try list.step() { tables.append(list.string(0)) }
    var out: [String: [String]] = [:]
    for t in tables where t != "tl_projections" && t != "tl_partners" {
        if t.hasSuffix("_fts") {
            // A contentless word index cannot be scanned: compare what it indexes, (word, row) pairs.
            try db.execute("CREATE VIRTUAL TABLE temp.fts_terms USING fts5vocab(main, \(t), instance)")
            let terms = try db.prepare("SELECT term, doc FROM temp.fts_terms ORDER BY term, doc")
            var pairs: [String] = []
            while try terms.step() { pairs.append(terms.string(0) + " " + terms.string(1)) }
            out[t] = pairs
            try db.execute("DROP TABLE temp.fts_terms")
            continue
        }
        let s = try db.prepare("SELECT * FROM \(t) ORDER BY 1, 2")
        var rows: [String] = []
        while try s.step() {
            rows.append((0..<s.columnCount).map { s.isNull($0) ? "NULL" : s.string($0) }.joined(separator: "\u{1F}"))
        }
        out[t] = rows
    }
    return out
}

/// The checkpoints, by projection name.
func checkpoints(_ store: TimelineStore) throws -> [String: Position] {
    Dictionary(uniqueKeysWithValues: try store.stats().map { ($0.name, $0.checkpoint) })
}

/// The log's events, in order.
func allEvents(_ log: EventStore) throws -> [RecordedEvent] {
    try log.read(from: .start, limit: Int.max)
}
