// Projection benchmark (scratch harness, not a package target yet).
//
// It builds a log of N events (default 1M) from the shared corpora's article texts with
// synthetic StatementRecorded / TensionObserved events (8 statements and 6 tension events per
// article, Zipf-distributed speakers and actors), then measures a full rebuild of both
// projections (wall and CPU seconds) and query latency (median, p99 over 200 runs).
//
// To run it until it becomes a `dateline-bench projections` subcommand: copy the package to a
// scratch directory, add to its Package.swift
//   .executableTarget(name: "projbench", dependencies: ["DatelineCore", "EventLog",
//       "DatelineProjections", .product(name: "Logging", package: "swift-log")]),
// put this file at Sources/projbench/main.swift, then
//   swift build -c release --product projbench
//   .build/release/projbench --db /tmp/projbench.sqlite --events 1000000 [--mode all|rebuild|query|split]
import DatelineCore
import DatelineProjections
import EventLog
import Foundation
import Logging

// Scratch benchmark for the projections: builds a log of N events from the shared corpora
// (article texts) with synthetic statements and tensions, then measures rebuild speed and
// query latency.

let args = CommandLine.arguments
func option(_ name: String) -> String? {
    guard let i = args.firstIndex(of: name), i + 1 < args.count else { return nil }
    return args[i + 1]
}
let dbPath = option("--db") ?? "/tmp/projbench.sqlite"
let target = Int(option("--events") ?? "1000000")!
let shared = option("--shared") ?? "/work/shared"
let logger = Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() })

func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
func cpu() -> Double {
    var u = rusage()
    getrusage(RUSAGE_SELF.rawValue, &u)
    return Double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + Double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6
}

struct SplitMix {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func int(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    /// Roughly Zipf: small indexes much more often.
    mutating func zipf(_ n: Int) -> Int { min(n - 1, Int(Double(n) * pow(Double(next() % 1_000_000) / 1_000_000, 3))) }
}

func loadTexts() throws -> [(String, String)] {
    var out: [(String, String)] = []
    for file in ["corpus/news-ukraine-2022.jsonl", "corpus/news-reuters21578.jsonl"] {
        let data = try String(contentsOfFile: shared + "/" + file, encoding: .utf8)
        for line in data.split(separator: "\n") {
            guard let obj = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let text = obj["text"] as? String, let title = obj["title"] as? String else { continue }
            out.append((title, text))
        }
    }
    return out
}

func buildLog() async throws {
    let store = try EventStore(path: dbPath, options: EventStoreOptions(durability: .normal), logger: logger)
    defer { store.close() }
    let texts = try loadTexts()
    print("corpus texts: \(texts.count)")
    let speakers = ["Sergey Lavrov", "Vladimir Putin", "Volodymyr Zelensky", "Antony Blinken", "Joe Biden", "Jens Stoltenberg"]
        + (0..<3000).map { "Speaker Number\($0)" }
    let affiliations = ["RUS", "RUS", "UKR", "USA", "USA", "NATO"]
    let actors = ["RUS", "UKR", "USA", "NATO", "EU", "GBR", "FRA", "DEU", "CHN", "BLR", "POL", "TUR", "UN", "OSCE"]
    let codes: [(String, Double, Int)] = [("111", -2, 3), ("138", -7, 3), ("154", -7.2, 4), ("190", -10, 4),
                                          ("036", 4, 1), ("070", 7, 2), ("1042", -5, 3), ("013", 0.4, 1)]
    let encoder = JSONEncoder()
    var rng = SplitMix(state: 42)
    let start = now()
    var appended = 0
    var article = 0
    let first = CalendarDate(year: 2021, month: 7, day: 1)!
    while appended < target {
        // Build a group of batches, then append them concurrently (group commit).
        var batches: [(StreamName, [ProposedEvent])] = []
        for _ in 0..<256 {
            let (title, text) = texts[article % texts.count]
            let date = first.adding(days: rng.int(365))
            let a = Article(id: "bench-\(article)", date: date, title: title, source: "bench", text: text + "\n[copy \(article)]")
            var events = [ProposedEvent(id: try EventID("a\(article)"), type: .articleIngested,
                                        data: Array(try encoder.encode(ArticleIngested(article: a))))]
            let words = text.split(separator: " ").prefix(400)
            for i in 0..<8 {
                let s = rng.zipf(speakers.count)
                let from = rng.int(max(1, words.count - 30))
                let content = words[words.index(words.startIndex, offsetBy: from)..<words.index(words.startIndex, offsetBy: min(words.count, from + 10 + rng.int(20)))].joined(separator: " ")
                let st = Statement(kind: [.direct, .indirect, .mixed][rng.int(3)], content: content, start: 0, end: content.unicodeScalars.count,
                                   speaker: Speaker(surface: s < 6 ? speakers[s].split(separator: " ").last.map(String.init) : "he", name: speakers[s],
                                                    entity: "person:" + speakers[s].lowercased().replacingOccurrences(of: " ", with: "-"),
                                                    affiliation: try ActorCode(s < 6 ? affiliations[s] : actors[s % actors.count]), role: nil),
                                   cue: Cue(surface: "said", lemma: "say", start: 0, end: 4), date: date, polarity: .assert)
                events.append(ProposedEvent(id: try EventID("a\(article)-s\(i)"), type: .statementRecorded,
                                            data: Array(try encoder.encode(StatementRecorded(articleHash: a.contentHash, index: i, extractorVersion: "bench-1", statement: st)))))
            }
            for i in 0..<6 {
                let x = rng.zipf(actors.count), y0 = rng.zipf(actors.count)
                let y = y0 == x ? (x + 1) % actors.count : y0
                let code = codes[rng.int(codes.count)]
                let modality = [Modality.asserted, .asserted, .feared, .denied][rng.int(4)]
                let t = Tension(type: "EVENT", cameo: code.0, goldstein: code.1, quadClass: code.2, source: try ActorCode(actors[x]),
                                target: try ActorCode(actors[y]), pair: ActorPair(try ActorCode(actors[x]), try ActorCode(actors[y])),
                                directed: true, modality: modality, weight: modality.weight, start: 0, end: 10, date: date)
                events.append(ProposedEvent(id: try EventID("a\(article)-t\(i)"), type: .tensionObserved,
                                            data: Array(try encoder.encode(TensionObserved(articleHash: a.contentHash, index: 8 + i, extractorVersion: "bench-1", tension: t)))))
            }
            batches.append((a.stream, events))
            appended += events.count
            article += 1
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (stream, events) in batches {
                group.addTask { _ = try await store.append(to: stream, events: events) }
            }
            try await group.waitForAll()
        }
        if article % 8192 == 0 { print("  \(appended) events, \(Int(Double(appended) / (now() - start)))/s") }
    }
    print("built log: \(appended) events in \(String(format: "%.1f", now() - start)) s; \(try store.databaseSize() / 1_000_000) MB")
}

func percentile(_ xs: [Double], _ p: Double) -> Double {
    let s = xs.sorted()
    return s[min(s.count - 1, Int(Double(s.count) * p))]
}

func measure(_ label: String, runs: Int = 200, _ body: () throws -> Int) rethrows {
    var times: [Double] = []
    var n = 0
    for _ in 0..<runs {
        let t = now()
        n = try body()
        times.append((now() - t) * 1000)
    }
    print(String(format: "%@: %d rows, median %.2f ms, p99 %.2f ms", label, n, percentile(times, 0.5), percentile(times, 0.99)))
}

if !FileManager.default.fileExists(atPath: dbPath) { try await buildLog() }
let log = try EventStore(path: dbPath, options: EventStoreOptions(durability: .normal), logger: logger)
let head = try log.head()
print("log head: \(head)")
let mode = option("--mode") ?? "all"
let store = try TimelineStore(log: log)
if mode == "all" || mode == "rebuild" {
    let t0 = now()
    let c0 = cpu()
    var last = 0.0
    try store.rebuild { p in
        if now() - last > 2 {
            last = now()
            print(String(format: "  %@ %lld/%lld %.0f ev/s, %.0f s left", p.projection, p.position.rawValue, p.head.rawValue, p.eventsPerSecond, p.secondsLeft ?? -1))
        }
    }
    let seconds = now() - t0
    let cpuSeconds = cpu() - c0
    print(String(format: "rebuild (both projections): %.1f s wall, %.1f s CPU; %.0f log events/s wall, %.0f per CPU second", seconds, cpuSeconds, Double(head.rawValue) / seconds, Double(head.rawValue) / cpuSeconds))
    for s in try store.stats() { print("  \(s.name): checkpoint \(s.checkpoint), rows \(s.rows)") }
}
if mode == "split" {
    for (label, types) in [("tension types", Set<EventType>([.tensionObserved, .extractionSuperseded])),
                           ("statement types", Set<EventType>([.articleIngested, .statementRecorded, .extractionSuperseded]))] {
        var c = cpu()
        var n = 0
        try log.forEachEvent(from: .start, until: nil, types: types) { _ in n += 1 }
        print(String(format: "scan %@: %d events, %.1f s CPU", label, n, cpu() - c))
        c = cpu()
        n = 0
        try log.forEachEvent(from: .start, until: nil, types: types) { e in
            if case .malformed = TimelineChange(e) { n += 1 }
        }
        print(String(format: "scan+decode %@: %.1f s CPU (%d malformed)", label, cpu() - c, n))
    }
}
if mode == "all" || mode == "query" {
    let rusUkr = try ActorPair(parsing: "RUS-UKR")
    try measure("tensions --pair RUS-UKR (day)") { try store.tensions(TensionQuery(pair: rusUkr)).count }
    try measure("tensions --pair RUS-UKR --bucket week") { try store.tensions(TensionQuery(pair: rusUkr, bucket: .week)).count }
    try measure("tensions --pair RUS-UKR --since 2022-02-01 evidence") { try store.tensions(TensionQuery(pair: rusUkr, since: CalendarDate(parsing: "2022-02-01"), until: CalendarDate(parsing: "2022-02-07"), evidence: true)).count }
    try measure("tensions --top 5", runs: 20) { try store.tensions(TensionQuery(top: 5)).count }
    try measure("statements --speaker Lavrov --limit 100") { try store.statements(StatementQuery(speaker: "Lavrov", limit: 100)).count }
    try measure("statements --speaker 'Speaker Number2000' ") { try store.statements(StatementQuery(speaker: "Speaker Number2000")).count }
    try measure("statements --speaker Lavrov (all)", runs: 20) { try store.statements(StatementQuery(speaker: "Lavrov")).count }
    try measure("statements --grep 'grain exports' --limit 100", runs: 50) { try store.statements(StatementQuery(words: "grain exports", limit: 100)).count }
    try measure("statements --actor UKR --since 2022-03-01 --until 2022-03-02", runs: 50) { try store.statements(StatementQuery(affiliation: try ActorCode("UKR"), since: CalendarDate(parsing: "2022-03-01"), until: CalendarDate(parsing: "2022-03-02"))).count }
}
store.close()
log.close()
