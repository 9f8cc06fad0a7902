import ArgumentParser
import DatelineCore
import EventLog
import Foundation
import Logging
import NIOCore
import PostgresLog
import PostgresNIO

/// `dateline-bench postgres --url postgres://USER@HOST:PORT/DB`: the PostgreSQL log beside its
/// baselines, all in one run on one server: plain batched inserts of the same payloads into a
/// bare table, the SQLite log on this machine, one log process against three sharing the
/// database, and live delivery from an append on one server to a follower on another.
///
/// Each measurement gets a database of its own (created on the server named by the URL, which
/// must allow `CREATE DATABASE`, and dropped afterwards).
struct PostgresBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "postgres",
        abstract: "PostgreSQL log appends and cross-server delivery against plain inserts and the SQLite log.")

    @Option(help: "A PostgreSQL server the benchmark may create databases on.")
    var url: String

    @Flag(help: "Fewer events (a quick check, not a measurement).")
    var quick = false

    @Option(help: "Payload size in bytes (StatementRecorded-like JSON).")
    var payloadSize = 400

    func run() async throws {
        let logger = Logger(label: "dateline.bench", factory: { _ in SwiftLogNoOpLogHandler() })
        let server = try PostgresLocation(url: url)
        var factory = PayloadFactory(seed: UInt64(payloadSize))
        let payloads = (0..<(quick ? 500 : 4000)).map { factory.statement(index: $0, bytes: payloadSize) }
        let batched = quick ? 5_000 : 40_000
        let perAppender = quick ? 20 : 100
        print("== PostgreSQL log, payload ≈\(payloadSize) B, synchronous_commit=on, server \(server) ==")

        // Batches of 100 from one appender: the log against plain inserts of the same payloads,
        // and what the log does that plain inserts do not, taken apart: the log with payloads
        // stored raw (its own database work: head lock, id and version checks, three indexes),
        // compression alone (in Swift, before the append is sent), and the floor under any log
        // with the same guarantees: the payloads compressed as the log compresses them, then
        // inserted as plain rows with the log's columns into a bare table with only the keys
        // the guarantees need (positions to read by, a unique event id for idempotency, a
        // unique stream version for expectations), no lock, no checks. The four run in
        // alternating rounds, each into its own database, so that a change in the machine's
        // load during the run falls on all of them alike.
        let rounds = quick ? 2 : 8
        let perRound = batched / rounds
        let (baseline, pgBatched, rawBatched, floor) = try await withDatabase(server, "baseline") { plainDB in
            try await withDatabase(server, "batched") { logDB in
                try await withDatabase(server, "batched-raw") { rawDB in
                    try await withDatabase(server, "floor") { floorDB in
                        let plain = try await PlainInserts(plainDB, logger: logger)
                        let keyed = try await FloorInserts(floorDB, logger: logger)
                        let log = try await PostgresEventLog.open(logDB, logger: logger)
                        let raw = try await PostgresEventLog.open(rawDB, options: PostgresLogOptions(compression: .none),
                                                                  logger: logger)
                        var seconds = [Double](repeating: 0, count: 4)
                        for round in 0..<rounds {
                            let from = round * perRound
                            seconds[0] += try await timed { try await plain.insert(payloads, from: from, count: perRound, batch: 100) }
                            seconds[1] += try await timed {
                                _ = try await appendBatches([log], payloads: payloads, from: from, count: perRound, batch: 100)
                            }
                            seconds[2] += try await timed {
                                _ = try await appendBatches([raw], payloads: payloads, from: from, count: perRound, batch: 100)
                            }
                            seconds[3] += try await timed { try await keyed.insert(payloads, from: from, count: perRound, batch: 100) }
                        }
                        await log.close()
                        await raw.close()
                        try await plain.close()
                        try await keyed.close()
                        let events = Double(rounds * perRound)
                        return (events / seconds[0], events / seconds[1], events / seconds[2], events / seconds[3])
                    }
                }
            }
        }
        print("  (\(rounds) alternating rounds of \(perRound) events each)")
        line("appends, batches of 100, one appender", pgBatched, baseline: baseline, label: "plain inserts")
        line("  same, payloads stored raw (no compression)", rawBatched, baseline: baseline, label: "plain inserts")
        let compressing = compressionTime(payloads, batch: 100, batches: quick ? 50 : 400)
        let plainBatch = 100 / baseline
        print(String(format: "    compressing a batch of 100 alone: %.2f ms (one thread: %.2f ms), a plain-insert batch: %.2f ms; "
                     + "with compression the ratio is at most %.2f even if the log's own work cost nothing",
                     compressing.allCores * 1e3, compressing.oneThread * 1e3, plainBatch * 1e3,
                     plainBatch / (plainBatch + compressing.allCores)))
        line("  floor: compress, then plain inserts with the log's keys", floor, baseline: baseline, label: "plain inserts")

        // The SQLite log on this machine, same payloads.
        let directory = FileManager.default.temporaryDirectory.path + "/dateline-bench-pg-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let sqliteBatched: Double
        do {
            let store = try EventStore(path: directory + "/b.sqlite", options: EventStoreOptions(durability: .full), logger: logger)
            sqliteBatched = try await appendBatches([store.backend], payloads: payloads, count: batched, batch: 100)
            store.close()
        }
        line("  the SQLite log, batches of 100", sqliteBatched, baseline: nil, label: "")
        print("  PostgreSQL / SQLite, batches of 100: " + String(format: "%.2f", pgBatched / sqliteBatched))

        // 64 concurrent single-event appenders: one server, then three sharing the database.
        let one = try await withDatabase(server, "one-server") { db in
            let log = try await PostgresEventLog.open(db, logger: logger)
            let rate = try await MachineCPU.measure {
                try await concurrent([log], appenders: 64, perAppender: perAppender, payloads: payloads)
            }
            let stats = log.writerStatistics
            await log.close()
            print(String(format: "    group commit: %d commits, %.1f batches per commit (largest %d)",
                         stats.commits, stats.batchesPerCommit, stats.largestCommitBatches))
            return rate
        }
        let sqliteConcurrent: Double
        do {
            let store = try EventStore(path: directory + "/c.sqlite", options: EventStoreOptions(durability: .full), logger: logger)
            sqliteConcurrent = try await concurrent([store.backend], appenders: 64, perAppender: perAppender, payloads: payloads)
            store.close()
        }
        line("appends, 64 concurrent single-event, one server", one.rate, baseline: sqliteConcurrent, label: "SQLite log")
        one.printCPU()
        let three = try await withDatabase(server, "three-servers") { db in
            var logs: [PostgresEventLog] = []
            for _ in 0..<3 { logs.append(try await PostgresEventLog.open(db, logger: logger)) }
            let rate = try await MachineCPU.measure {
                try await concurrent(logs, appenders: 64, perAppender: perAppender, payloads: payloads)
            }
            let commits = logs.reduce(0) { $0 + $1.writerStatistics.commits }
            let batches = logs.reduce(0) { $0 + $1.writerStatistics.batches }
            for log in logs { await log.close() }
            print(String(format: "    group commit, three servers: %d commits, %.1f batches per commit",
                         commits, Double(batches) / Double(max(commits, 1))))
            return rate
        }
        line("  same, three servers sharing the database", three.rate, baseline: one.rate, label: "one server")
        three.printCPU()
        let threeBatched = try await withDatabase(server, "three-batched") { db in
            var logs: [PostgresEventLog] = []
            for _ in 0..<3 { logs.append(try await PostgresEventLog.open(db, logger: logger)) }
            let rate = try await appendBatches(logs, payloads: payloads, count: batched, batch: 100)
            for log in logs { await log.close() }
            return rate
        }
        line("  batches of 100, one appender per server, three servers", threeBatched, baseline: pgBatched, label: "one server")

        // Live delivery across servers: appended and acknowledged on one, received by a
        // follower of the log on another, at 100 appends a second.
        try await withDatabase(server, "delivery") { db in
            let writer = try await PostgresEventLog.open(db, logger: logger)
            let reader = try await PostgresEventLog.open(db, logger: logger)
            let received = ReceiptTimes()
            let follower = try await LogFollower.start(log: reader) { events in received.add(events) }
            let count = quick ? 200 : 1000
            var acknowledged: [Position: ContinuousClock.Instant] = [:]
            let clock = ContinuousClock()
            var next = clock.now
            for i in 0..<count {
                next = next.advanced(by: .milliseconds(10))
                let event = ProposedEvent(id: try EventID("delivery-\(i)"), type: .statementRecorded, data: payloads[i % payloads.count])
                let result = try await writer.append(to: try StreamName("delivery-\(i % 10)"), events: [event])
                acknowledged[result.positions[0]] = clock.now
                try await Task.sleep(until: next, clock: clock)
            }
            try await Task.sleep(for: .seconds(1))
            follower.stop()
            let times = received.times
            var latencies: [Double] = []
            for (position, ack) in acknowledged {
                guard let got = times[position] else { continue }
                let d = got - ack
                latencies.append(max(0, Double(d.components.seconds) * 1e3 + Double(d.components.attoseconds) / 1e15))
            }
            latencies.sort()
            func percentile(_ p: Double) -> Double { latencies.isEmpty ? .nan : latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))] }
            print("live delivery across servers at 100 appends/s".padding(toLength: 56, withPad: " ", startingAt: 0)
                  + String(format: "p50 %.2f ms, p99 %.2f ms, %d of %d received", percentile(0.5), percentile(0.99), latencies.count, count))
            await writer.close()
            await reader.close()
        }
    }

    // MARK: Measurements

    private func appendBatches(_ logs: [any EventLogBackend], payloads: [[UInt8]], from: Int = 0, count: Int,
                               batch: Int) async throws -> Double {
        let started = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (index, log) in logs.enumerated() {
                group.addTask {
                    var done = from
                    let end = from + count / logs.count
                    while done < end {
                        let size = min(batch, end - done)
                        let events = (0..<size).map { i in
                            ProposedEvent(id: try! EventID("s\(index)-\(done + i)"), type: .statementRecorded,
                                          data: payloads[(done + i) % payloads.count])
                        }
                        _ = try await log.append(to: try StreamName("s\(index)-\(done / 1000)"), expecting: .any, events: events)
                        done += size
                    }
                }
            }
            try await group.waitForAll()
        }
        return Double(count / logs.count * logs.count) / seconds(since: started)
    }

    private func concurrent(_ logs: [any EventLogBackend], appenders: Int, perAppender: Int,
                            payloads: [[UInt8]]) async throws -> Double {
        let started = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for a in 0..<appenders {
                let log = logs[a % logs.count]
                group.addTask {
                    for i in 0..<perAppender {
                        let event = ProposedEvent(id: try EventID("c-\(a)-\(i)"), type: .statementRecorded,
                                                  data: payloads[(a * perAppender + i) % payloads.count])
                        _ = try await log.append(to: try StreamName("c-\(a)"), expecting: .any, events: [event])
                    }
                }
            }
            try await group.waitForAll()
        }
        return Double(appenders * perAppender) / seconds(since: started)
    }

    /// Seconds to compress one batch of `batch` payloads as the log does before an append
    /// (on all cores), and on one thread (the batch handed over in pieces of 25 payloads,
    /// too small to be split).
    private func compressionTime(_ payloads: [[UInt8]], batch: Int, batches: Int) -> (allCores: Double, oneThread: Double) {
        let compressor = PayloadCompressor()
        func time(piece: Int) -> Double {
            let started = ContinuousClock.now
            var stored = 0
            for b in 0..<batches {
                let first = (b * batch) % payloads.count
                let slice = (0..<batch).map { payloads[(first + $0) % payloads.count] }
                for lower in stride(from: 0, to: batch, by: piece) {
                    stored += compressor.encode(Array(slice[lower..<min(batch, lower + piece)])).reduce(0) { $0 + $1.bytes.count }
                }
            }
            precondition(stored > 0)
            return seconds(since: started) / Double(batches)
        }
        return (time(piece: batch), time(piece: 25))
    }

    // MARK: Helpers

    static func configuration(_ db: PostgresLocation) -> PostgresConnection.Configuration {
        PostgresConnection.Configuration(host: db.host, port: db.port, username: db.username, password: db.password,
                                         database: db.database, tls: .disable)
    }

    private func withDatabase<T>(_ server: PostgresLocation, _ name: String,
                                 _ body: (PostgresLocation) async throws -> T) async throws -> T {
        let logger = Logger(label: "dateline.bench", factory: { _ in SwiftLogNoOpLogHandler() })
        let database = "dateline_bench_\(name.replacingOccurrences(of: "-", with: "_"))_\(UInt32.random(in: 0...UInt32.max))"
        let admin = try await PostgresConnection.connect(configuration: Self.configuration(server), id: 1, logger: logger)
        try await admin.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(database)"), logger: logger)
        var location = server
        location.database = database
        do {
            let value = try await body(location)
            try await admin.query(PostgresQuery(unsafeSQL: "DROP DATABASE \(database) WITH (FORCE)"), logger: logger)
            try await admin.close()
            return value
        } catch {
            _ = try? await admin.query(PostgresQuery(unsafeSQL: "DROP DATABASE \(database) WITH (FORCE)"), logger: logger)
            try? await admin.close()
            throw error
        }
    }

    private func timed(_ body: () async throws -> Void) async rethrows -> Double {
        let started = ContinuousClock.now
        try await body()
        return seconds(since: started)
    }

    private func seconds(since start: ContinuousClock.Instant) -> Double {
        let d = ContinuousClock.now - start
        return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }

    private func line(_ label: String, _ value: Double, baseline: Double?, label baselineLabel: String) {
        var text = label.padding(toLength: 56, withPad: " ", startingAt: 0) + String(Int(value.rounded())).leftPad(8) + " ev/s"
        if let baseline {
            text += "   \(baselineLabel) " + String(Int(baseline.rounded())).leftPad(8) + String(format: "   ratio %5.2f", value / baseline)
        }
        print(text)
    }
}

/// The machine's CPU time from /proc/stat (Linux), to tell whether a run was bound by CPU.
private struct MachineCPU {
    var busy: UInt64
    var total: UInt64

    /// The CPUs /proc/stat adds up (its cpuN lines), which a container's CPU quota does not change.
    static let cores: Int = {
        guard let text = try? String(contentsOfFile: "/proc/stat", encoding: .utf8) else { return 1 }
        return max(1, text.split(separator: "\n").count { $0.hasPrefix("cpu") && !$0.hasPrefix("cpu ") })
    }()

    static func read() -> MachineCPU? {
        guard let text = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
              let line = text.split(separator: "\n").first, line.hasPrefix("cpu ") else { return nil }
        // user nice system idle iowait irq softirq steal …; idle and iowait are not busy.
        let fields = line.split(separator: " ").dropFirst().compactMap { UInt64($0) }
        guard fields.count >= 5 else { return nil }
        let total = fields.prefix(8).reduce(0, +)
        return MachineCPU(busy: total - fields[3] - fields[4], total: total)
    }

    func busyFraction(since earlier: MachineCPU) -> Double {
        let total = Double(self.total - earlier.total)
        return total > 0 ? Double(busy - earlier.busy) / total : 0
    }

    /// A rate, with how busy the machine's cores were while it was measured (nil off Linux).
    struct Measured {
        var rate: Double
        var busy: Double?

        /// Every server, the database and the appenders share this machine's cores: when
        /// they are all busy, the figure measures CPU per event, not the log's design.
        func printCPU() {
            guard let busy, rate > 0 else { return }
            print(String(format: "    machine CPU busy during the run: %.0f%% of %d cores, %.0f µs of CPU per event (all processes)",
                         busy * 100, MachineCPU.cores, busy * Double(MachineCPU.cores) / rate * 1e6))
        }
    }

    static func measure(_ body: () async throws -> Double) async rethrows -> Measured {
        let before = read()
        let rate = try await body()
        guard let before, let after = read() else { return Measured(rate: rate, busy: nil) }
        return Measured(rate: rate, busy: after.busyFraction(since: before))
    }
}

/// When each position reached the follower.
private final class ReceiptTimes: @unchecked Sendable {
    private let lock = NSLock()
    private var received: [Position: ContinuousClock.Instant] = [:]

    func add(_ events: [RecordedEvent]) {
        let now = ContinuousClock.now
        lock.withLock { for event in events { received[event.position] = now } }
    }

    var times: [Position: ContinuousClock.Instant] { lock.withLock { received } }
}

/// The baseline: payloads inserted raw into a bare table, `batch` rows per transaction, one
/// statement each, on one connection.
private struct PlainInserts {
    let connection: PostgresConnection
    let logger: Logger

    init(_ db: PostgresLocation, logger: Logger) async throws {
        connection = try await PostgresConnection.connect(configuration: PostgresBenchmark.configuration(db), id: 1, logger: logger)
        self.logger = logger
        try await connection.query("CREATE TABLE plain(position bigint PRIMARY KEY, payload bytea NOT NULL)", logger: logger)
    }

    /// Rows `from + 1 ... from + count`.
    func insert(_ payloads: [[UInt8]], from: Int, count: Int, batch: Int) async throws {
        var done = from
        while done < from + count {
            let size = min(batch, from + count - done)
            var sql = "INSERT INTO plain(position, payload) VALUES "
            var binds = PostgresBindings(capacity: size * 2)
            for i in 0..<size {
                sql += (i == 0 ? "" : ",") + "($\(2 * i + 1),$\(2 * i + 2))"
                binds.append(Int64(done + i + 1))
                binds.append(ByteBuffer(bytes: payloads[(done + i) % payloads.count]))
            }
            try await connection.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger)
            done += size
        }
    }

    func close() async throws { try await connection.close() }
}

/// The floor: each batch compressed by the log's compressor, then inserted in one plain
/// statement (one connection, one transaction per batch; rows bound as one array per column,
/// as the log binds them) into a table with the log's columns and keys: the primary key on
/// position, unique event id, unique stream version.
private struct FloorInserts {
    let connection: PostgresConnection
    let logger: Logger
    let compressor = PayloadCompressor()

    init(_ db: PostgresLocation, logger: Logger) async throws {
        connection = try await PostgresConnection.connect(configuration: PostgresBenchmark.configuration(db), id: 1, logger: logger)
        self.logger = logger
        try await connection.query("""
            CREATE TABLE floor(position bigint PRIMARY KEY, stream text COLLATE "C" NOT NULL, version bigint NOT NULL,
                type text NOT NULL, event_id text COLLATE "C" NOT NULL UNIQUE, recorded_at bigint NOT NULL,
                codec smallint NOT NULL, crc32 bigint NOT NULL, size integer NOT NULL, payload bytea NOT NULL,
                UNIQUE (stream, version))
            """, logger: logger)
    }

    /// Rows `from + 1 ... from + count`.
    func insert(_ payloads: [[UInt8]], from: Int, count: Int, batch: Int) async throws {
        var done = from
        while done < from + count {
            let size = min(batch, from + count - done)
            let stored = compressor.encode((0..<size).map { payloads[(done + $0) % payloads.count] })
            let positions = (0..<size).map { Int64(done + $0 + 1) }
            var binds = PostgresBindings(capacity: 10)
            binds.append(positions)
            binds.append(positions.map { "s0-\($0 / 1000)" })
            binds.append(positions.map { $0 % 1000 })
            binds.append(positions.map { _ in "StatementRecorded" })
            binds.append(positions.map { "s0-\($0)" })
            binds.append(positions)
            binds.append(stored.map { Int16($0.codec.rawValue) })
            binds.append(stored.map { Int64($0.crc32) })
            binds.append(stored.map { Int32($0.rawCount) })
            binds.append(stored.map { ByteBuffer(bytes: $0.bytes) })
            try await connection.query(PostgresQuery(unsafeSQL: """
                INSERT INTO floor SELECT * FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::text[], $5::text[],
                    $6::bigint[], $7::smallint[], $8::bigint[], $9::integer[], $10::bytea[])
                """, binds: binds), logger: logger)
            done += size
        }
    }

    func close() async throws { try await connection.close() }
}
