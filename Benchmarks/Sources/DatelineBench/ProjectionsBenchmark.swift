import ArgumentParser
import DatelineCore
import DatelineExtraction
import DatelineProjections
import EventLog
import Foundation
import Logging

/// `dateline-bench projections`: how fast the timeline projections rebuild from a large log,
/// and how fast the two everyday queries answer on it (issue 4's acceptance figures).
///
/// The log is synthesised from the Reuters and Ukraine corpora: every article is ingested
/// again and again (each copy a distinct text, so a distinct stream), with the statements and
/// tensions the extractor finds in it plus synthetic ones built from the article's own words
/// (8 statements with Zipf-distributed speakers, 6 tension events between Zipf-distributed
/// actors), so the timelines have realistic volume while the extractor finds few findings.
struct ProjectionsBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "projections",
        abstract: "Timeline rebuild speed (events/s, wall and per CPU second) and query latency (median, p99) over a log of 1M+ events."
    )

    @Option(help: "The log to use; built first when it does not exist (and kept). Default: a scratch file, removed afterwards.")
    var db: String?
    @Option(help: "Events to build the log with (at least; whole articles are appended).")
    var events: Int = 1_000_000
    @Option(help: "The corpora to ingest (JSON Lines).")
    var corpus: [String] = ["../shared/corpus/news-reuters21578.jsonl", "../shared/corpus/news-ukraine-2022.jsonl"]
    @Option(help: "Runs per query (median and p99 are over these).")
    var runs: Int = 200
    @Flag(help: "Skip the rebuild (measure queries only).")
    var noRebuild = false
    @Flag(help: "Skip the queries (measure the rebuild only).")
    var noQueries = false
    @Flag(help: "Also time reading the log alone, and reading plus decoding the payloads (where a rebuild's time goes).")
    var split = false
    @Flag(help: "Also time SQLite alone writing the finished timeline files (tables, indexes, word index) into scratch files, both at once as a rebuild writes them (a floor under any rebuild).")
    var floor = false

    func run() async throws {
        let logger = Logger(label: "dateline.bench", factory: { _ in SwiftLogNoOpLogHandler() })
        print("dateline-bench projections — \(machineDescription())")
        let path: String
        var scratch: String?
        if let db {
            path = db
        } else {
            let dir = FileManager.default.temporaryDirectory.path + "/dateline-projections-\(getpid())"
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            scratch = dir
            path = dir + "/log.sqlite"
        }
        defer { if let scratch { try? FileManager.default.removeItem(atPath: scratch) } }
        if !FileManager.default.fileExists(atPath: path) {
            try await buildLog(path: path, logger: logger)
        } else {
            print("reusing the log at \(path)")
        }

        let log = try EventStore(path: path, options: EventStoreOptions(durability: .normal), logger: logger)
        defer { log.close() }
        let head = try log.head()
        let counts = try log.countsByType()
        print("log: \(head.rawValue) events (" + counts.sorted { $0.key.rawValue < $1.key.rawValue }
            .map { "\($0.value) \($0.key.rawValue)" }.joined(separator: ", ") + String(format: "), %.0f MB", Double(try log.databaseSize()) / 1e6) + ")")
        // A log from before the timelines had files of their own holds their tables itself.
        let dropped = try log.dropLegacyTimelineTables()
        if !dropped.isEmpty { print("dropped \(dropped.count) timeline tables of the earlier layout from the log's file") }
        let files = TimelineFiles(besideLog: path)
        print("timelines: \(files.directory)")
        // Opened without catching up: the rebuild below is what is measured.
        let store = try TimelineStore(log: log)
        defer { store.close() }

        if split {
            // In pages, as the projections read the log.
            func pages(_ body: (RecordedEvent) -> Void) throws {
                var next = Position.start.next
                while true {
                    let page = try log.read(from: next, limit: 2_000)
                    guard let last = page.last else { break }
                    for e in page { body(e) }
                    next = last.position.next
                }
            }
            var c = cpuSeconds(), w = now(), count = 0
            try pages { _ in count += 1 }
            print(String(format: "read the log alone (pages of 2000): %d events, %.1f s wall, %.1f CPU-s", count, now() - w, cpuSeconds() - c))
            c = cpuSeconds(); w = now(); count = 0
            try pages { event in
                if case .malformed = TimelineChange(event) { count += 1 }
            }
            print(String(format: "read and decode (one thread): %.1f s wall, %.1f CPU-s, %d malformed", now() - w, cpuSeconds() - c, count))
        }
        var rebuildWall: Double?
        if !noRebuild {
            let wall0 = now(), cpu0 = cpuSeconds()
            var lastPrint = now()
            var scanEnd: (wall: Double, cpu: Double)?
            var loaded = Set<String>()
            try store.rebuild { p in
                if p.phase == .loading && p.position == p.head { loaded.insert(p.projection) }
                if scanEnd == nil && loaded.count == TimelineStore.projectionNames.count { scanEnd = (now(), cpuSeconds()) }
                if now() - lastPrint > 5 {
                    lastPrint = now()
                    print(String(format: "  %@ at %lld of %lld, %.0f events/s, %.0f s left", p.projection, p.position.rawValue,
                                 p.head.rawValue, p.eventsPerSecond, p.secondsLeft ?? -1))
                }
            }
            let wall = now() - wall0, cpu = cpuSeconds() - cpu0
            rebuildWall = wall
            let n = Double(head.rawValue)
            print(String(format: "rebuild of both projections: %.1f s wall, %.1f CPU-s: %.0f log events/s wall, %.0f per CPU-second (target 60000 wall)",
                         wall, cpu, n / wall, n / cpu))
            if let scanEnd {
                print(String(format: "  reading the log and loading both files: %.1f s wall, %.1f CPU-s; then the rest of indexes, word index, daily rows and swap: %.1f s wall, %.1f CPU-s",
                             scanEnd.wall - wall0, scanEnd.cpu - cpu0, wall0 + wall - scanEnd.wall, cpu0 + cpu - scanEnd.cpu))
            }
            for s in try store.stats() {
                print("  \(s.name): checkpoint \(s.checkpoint), rows " + s.rows.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
            }
        }

        if floor {
            let (each, wall) = try WriteFloor(files: files).measure(projections: TimelineStore.projectionNames)
            let n = Double(head.rawValue)
            print("SQLite alone writing the finished timeline files (copied by SQLite, no log reading or decoding; both files at once, no journal, no syncs):")
            for (name, f) in each.sorted(by: { $0.key < $1.key }) {
                print(String(format: "  %@: tables %.1f s, indexes %.1f s, word index %.1f s (%.1f s)", name, f.tables, f.indexes, f.wordIndex, f.total))
            }
            print(String(format: "  = %.1f s wall: at most %.0f log events/s for a rebuild that writes these files", wall, n / wall))
            if let rebuildWall {
                print(String(format: "rebuild / floor (events/s): %.0f / %.0f = %.2f (target 0.75)", n / rebuildWall, n / wall, wall / rebuildWall))
            }
        }
        if !noQueries {
            print("queries (\(runs) runs each; target p99 under 20 ms):")
            let rusUkr = try ActorPair(parsing: "RUS-UKR")
            try measure("tensions --pair RUS-UKR", runs: runs) { try store.tensions(TensionQuery(pair: rusUkr)).count }
            try measure("tensions --pair RUS-UKR --bucket week", runs: runs) { try store.tensions(TensionQuery(pair: rusUkr, bucket: .week)).count }
            try measure("statements --speaker Lavrov --limit 100", runs: runs) { try store.statements(StatementQuery(speaker: "Lavrov", limit: 100)).count }
            try measure("statements --speaker 'Speaker Number2000'", runs: runs) { try store.statements(StatementQuery(speaker: "Speaker Number2000")).count }
            try measure("statements --grep 'grain exports' --limit 100", runs: max(1, runs / 4)) {
                try store.statements(StatementQuery(words: "grain exports", limit: 100)).count
            }
        }
    }

    /// Ingests the corpora repeatedly until the log holds `events` events.
    private func buildLog(path: String, logger: Logger) async throws {
        var articles: [Article] = []
        for file in corpus {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw ValidationError("cannot read \(file) (is ../shared beside the package?)")
            }
            for line in data.split(separator: UInt8(ascii: "\n")) {
                if let a = try? ArticleReader.parseJSONRecord(line, origin: file, line: nil).result.get() { articles.append(a) }
            }
        }
        guard !articles.isEmpty else { throw ValidationError("no articles in \(corpus.joined(separator: ", "))") }
        let extractor = Extractor()
        let extractStart = now()
        let found = articles.map { extractor.extract($0) }
        let realStatements = found.reduce(0) { $0 + $1.statements.count }, realTensions = found.reduce(0) { $0 + $1.tensions.count }
        print(String(format: "corpus: %d articles; the extractor found %d statements and %d tensions in them (%.1f s)",
                     articles.count, realStatements, realTensions, now() - extractStart))
        print("building a log of \(events) events at \(path): every article repeatedly, each copy with its extracted findings")
        print("  plus 8 synthetic statements and 6 synthetic tension events built from its own words (the extractor finds few)")

        let store = try EventStore(path: path, options: EventStoreOptions(durability: .normal), logger: logger)
        defer { store.close() }
        let encoder = JSONEncoder()
        let speakers = ["Sergey Lavrov", "Vladimir Putin", "Volodymyr Zelensky", "Antony Blinken", "Joe Biden", "Jens Stoltenberg"]
            + (0..<3000).map { "Speaker Number\($0)" }
        let affiliations = ["RUS", "RUS", "UKR", "USA", "USA", "NATO"]
        let actors = try ["RUS", "UKR", "USA", "NATO", "EU", "GBR", "FRA", "DEU", "CHN", "BLR", "POL", "TUR", "UN", "OSCE"].map { try ActorCode($0) }
        let codes: [(cameo: String, goldstein: Double, quad: Int)] = [("111", -2, 3), ("138", -7, 3), ("154", -7.2, 4), ("190", -10, 4),
                                                                      ("036", 4, 1), ("070", 7, 2), ("1042", -5, 3), ("013", 0.4, 1)]
        let first = CalendarDate(year: 2021, month: 7, day: 1)!
        var rng = SeededRandom(state: 42)  // every build of the log is the same
        let start = now()
        var appended = 0, copy = 0, lastPrint = now()
        while appended < events {
            var batches: [(StreamName, [ProposedEvent])] = []
            for _ in 0..<256 {
                let source = articles[copy % articles.count]
                let extraction = found[copy % articles.count]
                let date = first.adding(days: rng.int(365))
                let a = Article(id: "bench-\(copy)", date: date, title: source.title, source: source.source, url: source.url,
                                text: source.text + "\n[copy \(copy)]")
                let hash = a.contentHash
                var out = [ProposedEvent(id: try EventID("a\(copy)"), type: .articleIngested,
                                         data: Array(try encoder.encode(ArticleIngested(article: a, extractorVersion: Extractor.version))))]
                var index = 0
                for var s in extraction.statements {
                    s.date = date
                    out.append(ProposedEvent(id: try EventID("a\(copy)-s\(index)"), type: .statementRecorded, data: Array(try encoder.encode(
                        StatementRecorded(articleHash: hash, index: index, extractorVersion: Extractor.version, statement: s)))))
                    index += 1
                }
                for var t in extraction.tensions {
                    t.date = date
                    out.append(ProposedEvent(id: try EventID("a\(copy)-t\(index)"), type: .tensionObserved, data: Array(try encoder.encode(
                        TensionObserved(articleHash: hash, index: index, extractorVersion: Extractor.version, tension: t)))))
                    index += 1
                }
                let words = source.text.split(separator: " ").prefix(400)
                for _ in 0..<8 {
                    let s = rng.zipf(speakers.count)
                    let from = rng.int(max(1, words.count - 30))
                    let lo = words.index(words.startIndex, offsetBy: from)
                    let hi = words.index(words.startIndex, offsetBy: min(words.count, from + 10 + rng.int(20)))
                    let content = words[lo..<hi].joined(separator: " ")
                    let name = speakers[s]
                    let statement = Statement(
                        kind: [.direct, .indirect, .mixed][rng.int(3)], content: content, start: 0, end: content.unicodeScalars.count,
                        speaker: Speaker(surface: s < 6 ? name.split(separator: " ").last.map(String.init) : "he", name: name,
                                         entity: "person:" + name.lowercased().replacingOccurrences(of: " ", with: "-"),
                                         affiliation: s < 6 ? try ActorCode(affiliations[s]) : actors[s % actors.count], role: nil),
                        cue: Cue(surface: "said", lemma: "say", start: 0, end: 4), date: date, polarity: .assert)
                    out.append(ProposedEvent(id: try EventID("a\(copy)-s\(index)"), type: .statementRecorded, data: Array(try encoder.encode(
                        StatementRecorded(articleHash: hash, index: index, extractorVersion: "bench-1", statement: statement)))))
                    index += 1
                }
                for _ in 0..<6 {
                    let x = rng.zipf(actors.count), y0 = rng.zipf(actors.count)
                    let y = y0 == x ? (x + 1) % actors.count : y0
                    let code = codes[rng.int(codes.count)]
                    let modality = [Modality.asserted, .asserted, .feared, .denied][rng.int(4)]
                    let t = Tension(type: "EVENT", cameo: code.cameo, goldstein: code.goldstein, quadClass: code.quad, source: actors[x],
                                    target: actors[y], pair: ActorPair(actors[x], actors[y]), directed: true, modality: modality,
                                    weight: modality.weight, start: 0, end: 10, date: date)
                    out.append(ProposedEvent(id: try EventID("a\(copy)-t\(index)"), type: .tensionObserved, data: Array(try encoder.encode(
                        TensionObserved(articleHash: hash, index: index, extractorVersion: "bench-1", tension: t)))))
                    index += 1
                }
                batches.append((a.stream, out))
                appended += out.count
                copy += 1
            }
            // Appended concurrently, as many clients would: the log commits them in groups.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (stream, batch) in batches {
                    group.addTask { _ = try await store.append(to: stream, events: batch) }
                }
                try await group.waitForAll()
            }
            if now() - lastPrint > 10 {
                lastPrint = now()
                print(String(format: "  %d events, %.0f/s", appended, Double(appended) / (now() - start)))
            }
        }
        print(String(format: "built the log: %d events (%d article copies) in %.1f s", appended, copy, now() - start))
    }
}

func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

/// User plus system CPU time of this process, all threads.
private func cpuSeconds() -> Double {
    var u = rusage()
    getrusage(RUSAGE_SELF.rawValue, &u)
    return Double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + Double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6
}

private func measure(_ label: String, runs: Int, _ body: () throws -> Int) rethrows {
    var times: [Double] = []
    var rows = 0
    for _ in 0..<max(1, runs) {
        let t = now()
        rows = try body()
        times.append((now() - t) * 1000)
    }
    times.sort()
    let median = times[times.count / 2], p99 = times[min(times.count - 1, Int(Double(times.count) * 0.99))]
    print(String(format: "  %@: %d rows, median %.2f ms, p99 %.2f ms", label, rows, median, p99))
}

extension SeededRandom {
    /// Roughly Zipf: small values much more often.
    mutating func zipf(_ n: Int) -> Int { min(n - 1, Int(Double(n) * pow(Double(next() % 1_000_000) / 1_000_000, 3))) }
}
