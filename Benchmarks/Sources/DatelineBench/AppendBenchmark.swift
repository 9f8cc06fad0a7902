import ArgumentParser
import DatelineCore
import EventLog
import Foundation
import Logging

/// `dateline-bench append`: one appender, one batch size, the log or the plain baseline; for
/// profiling the write path on its own.
struct AppendBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "append",
        abstract: "Append N events in batches from one appender and print events per second.",
        shouldDisplay: false
    )

    @Option var events: Int = 50_000
    @Option var batch: Int = 1000
    @Option var size: Int = 400
    @Flag(help: "Measure the plain-SQLite baseline instead of the log.") var baseline = false
    @Flag(help: "synchronous=NORMAL instead of FULL.") var normal = false
    @Flag(help: "Store payloads raw (no compression).") var raw = false

    func run() async throws {
        let dir = FileManager.default.temporaryDirectory.path + "/dateline-append-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let bench = Bench(root: dir, quick: false)
        var factory = PayloadFactory(seed: UInt64(size))
        let payloads = (0..<2000).map { size < 1000 ? factory.statement(index: $0, bytes: size) : factory.article(index: $0, bytes: size) }
        let result: (Int, Double)
        if baseline {
            let db = try bench.openBaseline(dir + "/b.sqlite", synchronous: normal ? "NORMAL" : "FULL")
            result = try bench.baselineInsert(db, payloads: payloads, count: events, batch: batch, budget: 600)
            db.close()
        } else {
            let logger = Logger(label: "dateline.bench", factory: { _ in SwiftLogNoOpLogHandler() })
            let store = try EventStore(path: dir + "/s.sqlite", options: EventStoreOptions(durability: normal ? .normal : .full, compression: raw ? .none : .zlibWithDictionary), logger: logger)
            result = try bench.storeAppend(store, payloads: payloads, count: events, batch: batch, budget: 600, tag: "a")
            store.close()
        }
        print(String(format: "%@: %d events in %.3f s: %.0f events/s", baseline ? "baseline" : "event log", result.0, result.1, Double(result.0) / result.1))
    }
}
