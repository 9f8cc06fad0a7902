import ArgumentParser
import DatelineCore
import EventLog
import Foundation
import Logging

/// `dateline-bench replay`: replays a log (or a generated one) and prints events per second.
/// Handy for profiling the read path on its own.
struct ReplayBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Replay (read, inflate, CRC) a log and print events per second."
    )

    @Option(help: "The log to replay; generated first when it does not exist (kept), or in a temporary directory when not given.") var db: String?
    @Option(help: "Events to generate.") var events: Int = 100_000
    @Option(help: "Approximate payload size to generate (400: statements, 3000: articles).") var size: Int = 400
    @Option(help: "Replays to run.") var repeats: Int = 5

    func run() async throws {
        let logger = Logger(label: "dateline.bench", factory: { _ in SwiftLogNoOpLogHandler() })
        var path = db
        var scratch: String?
        if path == nil || !FileManager.default.fileExists(atPath: path!) {
            let dir = FileManager.default.temporaryDirectory.path + "/dateline-replay-\(getpid())"
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            scratch = dir
            if path == nil { path = dir + "/log.sqlite" }
            let bench = Bench(root: dir, quick: false)
            var factory = PayloadFactory(seed: UInt64(size))
            let payloads = (0..<2000).map { size < 1000 ? factory.statement(index: $0, bytes: size) : factory.article(index: $0, bytes: size) }
            let store = try EventStore(path: path!, options: EventStoreOptions(durability: .normal), logger: logger)
            _ = try bench.storeAppend(store, payloads: payloads, count: events, batch: 1000, budget: 600, tag: "replay")
            store.close()
        }
        defer { if let scratch { try? FileManager.default.removeItem(atPath: scratch) } }
        let store = try EventStore(path: path!, logger: logger)
        defer { store.close() }
        for _ in 0..<repeats {
            let start = Date()
            var n = 0, bytes = 0
            try store.forEachEvent { event in
                n += 1
                bytes += event.data.count
            }
            let seconds = Date().timeIntervalSince(start)
            print(String(format: "replayed %d events (%.1f MB of payload) in %.3f s: %.0f events/s", n, Double(bytes) / 1e6, seconds, Double(n) / seconds))
        }
    }
}
