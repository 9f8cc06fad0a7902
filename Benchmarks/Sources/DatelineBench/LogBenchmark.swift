import ArgumentParser
import CSQLite
import DatelineCore
import EventLog
import Foundation
import Logging

/// `dateline-bench log`: the event log against plain SQLite through the same wrapper, same
/// schema shape, same synchronous setting, no compression, measured in the same run.
struct LogBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "log",
        abstract: "Append, group-commit, replay and size figures for the event log, with a plain-SQLite baseline."
    )

    @Option(help: "Directory for the scratch databases (default: a new temporary directory, removed afterwards).")
    var dir: String?
    @Flag(help: "A fast, smaller run (a smoke test of the benchmark itself).")
    var quick = false

    func run() async throws {
        let root = dir ?? (FileManager.default.temporaryDirectory.path + "/dateline-bench-\(getpid())")
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { if dir == nil { try? FileManager.default.removeItem(atPath: root) } }
        let bench = Bench(root: root, quick: quick)
        print("dateline-bench log — \(machineDescription())")
        print("scratch directory: \(root)\(quick ? " (quick run)" : "")")
        print("figures are events per second unless noted; ratio = event log / plain SQLite baseline\n")
        let started = Date()
        for size in [400, 3000] {
            try await bench.run(payloadSize: size)
        }
        print(String(format: "total time %.1f s", Date().timeIntervalSince(started)))
    }
}

func machineDescription() -> String {
    var cpu = "unknown CPU"
    if let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
       let line = info.split(separator: "\n").first(where: { $0.hasPrefix("model name") }),
       let name = line.split(separator: ":", maxSplits: 1).last {
        cpu = name.trimmingCharacters(in: .whitespaces)
    }
    let version = String(cString: sqlite3_libversion())
    return "\(ProcessInfo.processInfo.activeProcessorCount) cores, \(cpu), SQLite \(version)"
}

final class Bench: @unchecked Sendable {
    let root: String
    let quick: Bool
    let logger = Logger(label: "dateline.bench", factory: { _ in SwiftLogNoOpLogHandler() })
    var counter = 0

    init(root: String, quick: Bool) {
        self.root = root
        self.quick = quick
    }

    func freshPath(_ name: String) -> String {
        counter += 1
        let path = "\(root)/\(counter)-\(name).sqlite"
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        return path
    }

    func remove(_ path: String) {
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }

    // MARK: Plain SQLite baseline

    /// The events table's shape without codec, CRC or triggers; payloads stored as they are.
    func openBaseline(_ path: String, synchronous: String) throws -> SQLiteDatabase {
        let db = try SQLiteDatabase(path: path)
        try db.execute("""
            PRAGMA journal_mode = WAL; PRAGMA synchronous = \(synchronous); PRAGMA cache_size = -32000;
            CREATE TABLE events(position INTEGER PRIMARY KEY, stream TEXT NOT NULL, version INTEGER NOT NULL,
                type TEXT NOT NULL, event_id TEXT NOT NULL UNIQUE, recorded_at INTEGER NOT NULL, payload BLOB NOT NULL,
                UNIQUE(stream, version));
            """)
        return db
    }

    /// Inserts `count` events in transactions of `batch`, stopping early after `budget` seconds.
    /// Returns (events, seconds).
    func baselineInsert(_ db: SQLiteDatabase, payloads: [[UInt8]], count: Int, batch: Int, budget: Double,
                        startPosition: Int = 0) throws -> (Int, Double) {
        let insert = try db.prepare("INSERT INTO events(position, stream, version, type, event_id, recorded_at, payload) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")
        let start = Date()
        var done = 0
        while done < count {
            try db.execute("BEGIN IMMEDIATE")
            for _ in 0..<min(batch, count - done) {
                let n = startPosition + done
                insert.reset()
                try insert.bind(1, Int64(n + 1))
                try insert.bind(2, "stream-\(n / 10)")
                try insert.bind(3, Int64(n % 10))
                try insert.bind(4, "StatementRecorded")
                try insert.bind(5, "baseline-\(n)")
                try insert.bind(6, Int64(Date().timeIntervalSince1970 * 1e6))
                try insert.bind(7, payloads[n % payloads.count])
                try insert.run()
                done += 1
            }
            try db.execute("COMMIT")
            if Date().timeIntervalSince(start) > budget { break }
        }
        return (done, Date().timeIntervalSince(start))
    }

    /// Returns (events, wall seconds, CPU seconds of this thread).
    func baselineRead(_ db: SQLiteDatabase) throws -> (Int, Double, Double) {
        let select = try db.prepare("SELECT position, stream, version, type, event_id, recorded_at, payload FROM events ORDER BY position")
        let cpu = threadCPUSeconds()
        let start = Date()
        var n = 0
        var checksum = 0
        while try select.step() {
            let event = (select.int64(0), select.string(1), select.int64(2), select.string(3), select.string(4), select.int64(5), select.blob(6))
            checksum &+= event.6.count &+ event.1.utf8.count
            n += 1
        }
        precondition(checksum > 0)
        return (n, Date().timeIntervalSince(start), threadCPUSeconds() - cpu)
    }

    // MARK: Event log

    func storeAppend(_ store: EventStore, payloads: [[UInt8]], count: Int, batch: Int, budget: Double, tag: String) throws -> (Int, Double) {
        let start = Date()
        var done = 0
        let type = EventType.statementRecorded
        while done < count {
            let size = min(batch, count - done)
            let events = (0..<size).map { i in
                ProposedEvent(id: try! EventID("\(tag)-\(done + i)"), type: type, data: payloads[(done + i) % payloads.count])
            }
            _ = try store.appendSync(to: try StreamName("\(tag)-\(done / 1000)"), expecting: .any, events: events)
            done += size
            if Date().timeIntervalSince(start) > budget { break }
        }
        return (done, Date().timeIntervalSince(start))
    }

    func concurrentAppend(_ store: EventStore, payloads: [[UInt8]], appenders: Int, perAppender: Int) async throws -> (Int, Double) {
        let start = Date()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for a in 0..<appenders {
                group.addTask {
                    for i in 0..<perAppender {
                        let event = ProposedEvent(id: try EventID("conc-\(a)-\(i)"), type: .statementRecorded,
                                                  data: payloads[(a * perAppender + i) % payloads.count])
                        _ = try await store.append(to: try StreamName("conc-\(a)"), expecting: .any, events: [event])
                    }
                }
            }
            try await group.waitForAll()
        }
        return (appenders * perAppender, Date().timeIntervalSince(start))
    }

    /// Returns (events, wall seconds, payload bytes, CPU seconds of this thread).
    func replay(_ store: EventStore) throws -> (Int, Double, Int, Double) {
        let start = Date()
        let cpu = threadCPUSeconds()
        var n = 0, bytes = 0
        try store.forEachEvent { event in
            n += 1
            bytes += event.data.count
        }
        return (n, Date().timeIntervalSince(start), bytes, threadCPUSeconds() - cpu)
    }

    // MARK: Report

    func rate(_ r: (Int, Double)) -> Double { Double(r.0) / max(r.1, 1e-9) }

    func line(_ label: String, _ value: Double, baseline: Double?, baselineLabel: String = "baseline", unit: String = "ev/s") {
        var text = label.padding(toLength: 46, withPad: " ", startingAt: 0) + fmt(value).leftPad(10) + " \(unit)"
        if let baseline {
            text += "   \(baselineLabel) " + fmt(baseline).leftPad(9) + String(format: "   ratio %6.2f", value / baseline)
        }
        print(text)
    }

    func fmt(_ v: Double) -> String {
        if v >= 100 { return String(Int(v.rounded())) }
        return String(format: "%.1f", v)
    }

    func run(payloadSize: Int) async throws {
        var factory = PayloadFactory(seed: UInt64(payloadSize))
        let distinct = quick ? 500 : 4000
        let payloads: [[UInt8]] = (0..<distinct).map { i in
            payloadSize < 1000 ? factory.statement(index: i, bytes: payloadSize) : factory.article(index: i, bytes: payloadSize)
        }
        let meanSize = Double(payloads.reduce(0) { $0 + $1.count }) / Double(payloads.count)
        let kind = payloadSize < 1000 ? "StatementRecorded JSON" : "ArticleIngested JSON"
        print("== payload ≈\(payloadSize) B (\(kind), mean \(Int(meanSize)) B), synchronous=FULL ==")

        let big = quick ? 10_000 : (payloadSize < 1000 ? 100_000 : 30_000)
        let budget1 = quick ? 0.5 : 1.5

        // Batches of 1, 100, 1000 from one appender.
        var bulkStorePath = ""
        var bulkBaselinePath = ""
        var perEventBaseline = 0.0
        for batch in [1, 100, 1000] {
            let count = batch == 1 ? 100_000 : (batch == 100 ? big / 2 : big)
            let bpath = freshPath("baseline-b\(batch)")
            let bdb = try openBaseline(bpath, synchronous: "FULL")
            let b = try baselineInsert(bdb, payloads: payloads, count: count, batch: batch, budget: batch == 1 ? budget1 : 60)
            bdb.close()
            let spath = freshPath("store-b\(batch)")
            let store = try EventStore(path: spath, options: EventStoreOptions(durability: .full), logger: logger)
            let s = try storeAppend(store, payloads: payloads, count: count, batch: batch, budget: batch == 1 ? budget1 : 60, tag: "b\(batch)")
            store.close()
            if batch == 1 { perEventBaseline = rate(b) }
            line("appends, one appender, batch \(batch)", rate(s), baseline: rate(b))
            if batch == 1000 {
                // The same run with payloads stored raw isolates the cost of compression.
                let rpath = freshPath("store-raw-b\(batch)")
                let rawStore = try EventStore(path: rpath, options: EventStoreOptions(durability: .full, compression: .none), logger: logger)
                let r = try storeAppend(rawStore, payloads: payloads, count: count, batch: batch, budget: 60, tag: "raw")
                rawStore.close()
                remove(rpath)
                line("  same, payloads stored raw (no compression)", rate(r), baseline: rate(b))
                bulkStorePath = spath
                bulkBaselinePath = bpath
            } else {
                remove(spath)
                remove(bpath)
            }
        }

        // 64 concurrent single-event appenders (group commit) vs one transaction per event,
        // measured back to back so both see the same disk.
        do {
            let bpath = freshPath("baseline-per-event")
            let bdb = try openBaseline(bpath, synchronous: "FULL")
            let b = try baselineInsert(bdb, payloads: payloads, count: 100_000, batch: 1, budget: budget1)
            bdb.close()
            remove(bpath)
            let spath = freshPath("store-concurrent")
            let store = try EventStore(path: spath, options: EventStoreOptions(durability: .full), logger: logger)
            let c = try await concurrentAppend(store, payloads: payloads, appenders: 64, perAppender: quick ? 20 : 100)
            let stats = store.writerStatistics
            store.close()
            remove(spath)
            line("appends, 64 concurrent single-event appenders", rate(c), baseline: rate(b), baselineLabel: "1 txn/event")
            print("    group commit: \(stats.commits) commits, \(String(format: "%.1f", stats.batchesPerCommit)) batches per commit (largest \(stats.largestCommitBatches)), \(String(format: "%.1f", Double(stats.commitNanoseconds) / 1e6 / Double(max(1, stats.commits)))) ms per commit")
            _ = perEventBaseline
        }

        // Replay: read, inflate, CRC-check every event (one thread), vs a plain ordered read.
        do {
            let store = try EventStore(path: bulkStorePath, logger: logger)
            _ = try replay(store) // warm the page cache like the baseline's
            let r = try replay(store)
            let size = try store.databaseSize()
            let events = try store.head().rawValue
            store.close()
            let bdb = try SQLiteDatabase(path: bulkBaselinePath)
            _ = try baselineRead(bdb)
            let b = try baselineRead(bdb)
            bdb.close()
            line("replay (read + inflate + CRC), one thread", rate((r.0, r.1)), baseline: rate((b.0, b.1)))
            line("  same, per CPU-second of the replaying thread", rate((r.0, r.3)), baseline: rate((b.0, b.2)))
            let baselineSize = fileSize(bulkBaselinePath)
            line("bytes on disk per event", Double(size) / Double(events), baseline: Double(baselineSize) / Double(b.0), unit: "B ")
            line("raw payload bytes per event", Double(r.2) / Double(r.0), baseline: nil, unit: "B ")
            remove(bulkStorePath)
            remove(bulkBaselinePath)
        }

        // Stored payload bytes per codec (the dictionary's gain).
        do {
            var stored: [String: Double] = [:]
            let sample = Array(payloads.prefix(quick ? 500 : 2000))
            for (name, policy) in [("raw", CompressionPolicy.none), ("zlib", .zlib), ("zlib+dictionary", .zlibWithDictionary)] {
                let path = freshPath("codec-\(name)")
                let store = try EventStore(path: path, options: EventStoreOptions(durability: .normal, compression: policy), logger: logger)
                _ = try storeAppend(store, payloads: sample, count: sample.count, batch: 500, budget: 60, tag: "codec")
                stored[name] = Double(try store.storedPayloadBytes(from: Position(1), through: Position(Int64(sample.count)))) / Double(sample.count)
                store.close()
                remove(path)
            }
            let raw = stored["raw"]!, zlib = stored["zlib"]!, dict = stored["zlib+dictionary"]!
            print("stored payload bytes per event".padding(toLength: 46, withPad: " ", startingAt: 0)
                  + String(format: "raw %.0f, zlib %.0f (%.2fx), zlib+dictionary %.0f (%.2fx; %.0f%% smaller than zlib)",
                           raw, zlib, raw / zlib, dict, raw / dict, (1 - dict / zlib) * 100))
        }
        print("")
    }
}

/// CPU time consumed by the calling thread: on a shared machine, a fairer "one core" figure
/// than wall time.
func threadCPUSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

func fileSize(_ path: String) -> Int64 {
    var total: Int64 = 0
    for file in [path, path + "-wal"] {
        if let attributes = try? FileManager.default.attributesOfItem(atPath: file), let size = attributes[.size] as? NSNumber {
            total += size.int64Value
        }
    }
    return total
}

extension String {
    func leftPad(_ width: Int) -> String { count >= width ? self : String(repeating: " ", count: width - count) + self }
}
