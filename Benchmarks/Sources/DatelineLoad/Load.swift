import DatelineClient
import ArgumentParser
import DatelineServer
import Foundation
import NIOCore
import NIOPosix
#if canImport(Glibc)
import Glibc
#endif

/// `dateline-load`: starts `datelined` (the release binary next to this one) on temporary logs
/// and measures ingest over the protocol, live delivery to many subscribers, and the server's
/// memory, beside a plain TCP fan-out baseline measured in the same run. Loopback only; bounded
/// in count and time; prints figures and exits.
@main
struct Load: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dateline-load",
        abstract: "Measure datelined: ingest rate, fan-out rate and latency, memory; beside a plain TCP fan-out baseline."
    )

    @Option(help: "JSON Lines articles to ingest (synthetic articles when absent).")
    var corpus = "../shared/corpus/news-ukraine-2022.jsonl"

    @Option(help: "Articles to ingest per run (at most the corpus size).")
    var articles = 630

    @Option(help: "Seconds of paced appends per delivery run.")
    var seconds = 5.0

    @Option(help: "Paced appends per second (one event each).")
    var rate = 100

    @Option(parsing: .upToNextOption, help: "Subscriber counts for the delivery runs.")
    var subscribers: [Int] = [1, 100, 1000]

    @Option(help: "Event-loop threads for the subscriber connections.")
    var clientThreads = 1

    @Option(help: "The datelined binary (default: next to this executable).")
    var server: String?

    @Flag(help: "Instead of the load runs: a bounded loop of oversized and hostile requests, then the server's memory before, at its peak and after.")
    var abuse = false

    @Option(help: "With --abuse: connections.")
    var abuseConnections = 200

    @Option(help: "With --abuse: hostile lines in all.")
    var abuseLines = 1_000_000

    @Option(help: "With --abuse: lines over the 1 MiB limit per connection.")
    var abuseOversized = 5

    func run() throws {
        raiseFileLimit()
        let binary = server ?? URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent().appendingPathComponent("datelined").path
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw ValidationError("no datelined at \(binary); build it first (swift build -c release)")
        }
        print("dateline-load: server \(binary), \(ProcessInfo.processInfo.activeProcessorCount) cores")
        let clients = MultiThreadedEventLoopGroup(numberOfThreads: clientThreads)
        defer { try? clients.syncShutdownGracefully() }
        if abuse {
            try AbuseRun(binary: binary, connections: abuseConnections, lines: abuseLines,
                         oversizedPerConnection: abuseOversized, group: clients).run()
            return
        }

        // 1. Ingest over the protocol.
        let lines = loadArticles()
        print("\n== ingest: \(lines.lines.count) articles (\(lines.source)), full durability, closed loop per connection")
        for connections in [1, 16] {
            let child = try ServerProcess(binary: binary)
            let result = try ingest(lines.lines, connections: connections, port: child.port)
            let status = child.stop()
            print(String(format: "  %2d connection%@  %7.1f articles/s  %8.0f events/s  (%d articles, %d events, %.2f s; server exit %d)",
                         connections, connections == 1 ? " " : "s", Double(result.articles) / result.seconds,
                         Double(result.events) / result.seconds, result.articles, result.events, result.seconds, status))
        }

        // 2. Delivery: paced appends to N subscribers, Dateline and the plain baseline.
        print("\n== delivery: \(rate) appends/s of one ~400 B event for \(seconds) s; latency = append acknowledged → line received")
        print("   (baseline: a NIO server that writes the same lines to every connection; latency = line sent → line received)")
        var idleRSS: [Int: Int] = [:]
        for count in subscribers {
            let child = try ServerProcess(binary: binary, extra: ["--max-connections", String(count + 16)])
            let before = child.residentKB()
            let dateline = try deliveryRun(subscribers: count, group: clients) {
                try DatelineFeed(port: child.port, rate: rate)
            } idle: {
                idleRSS[count] = child.residentKB()
            }
            let after = child.residentKB()
            let status = child.stop()
            let baselineServer = try BaselineServer(group: MultiThreadedEventLoopGroup(numberOfThreads: 2))
            let baseline = try deliveryRun(subscribers: count, group: clients) {
                BaselineFeed(server: baselineServer, rate: rate)
            } idle: {}
            baselineServer.stop()
            print(String(format: "  %4d subscribers  dateline %9.0f ev/s  ack→recv p50 %6.2f p99 %6.2f ms  send→recv p50 %6.2f p99 %6.2f ms  (%.0f%% before ack)  missing %d",
                         count, dateline.eventsPerSecond, dateline.p50, dateline.p99, dateline.sendP50, dateline.sendP99,
                         dateline.beforeAck * 100, dateline.missing))
            print(String(format: "                    baseline %9.0f ev/s                                 send→recv p50 %6.2f p99 %6.2f ms  missing %d",
                         baseline.eventsPerSecond, baseline.sendP50, baseline.sendP99, baseline.missing))
            print(String(format: "                    ratio    %9.2f  (delivered ev/s, dateline/baseline); p99 ack→recv minus baseline p99: %+.2f ms",
                         dateline.eventsPerSecond / max(1, baseline.eventsPerSecond), dateline.p99 - baseline.sendP99))
            print(String(format: "                    server RSS %.1f MB at start, %.1f MB with the subscribers idle, %.1f MB after; exit %d",
                         Double(before) / 1024, Double(idleRSS[count] ?? 0) / 1024, Double(after) / 1024, status))
        }
        if let idle = idleRSS[1000] {
            print(String(format: "\n== memory: server resident with 1000 idle subscribers: %.1f MB (target < 100 MB)", Double(idle) / 1024))
        }
    }

    // MARK: Articles

    struct ArticleLines {
        var lines: [String]
        var source: String
    }

    func loadArticles() -> ArticleLines {
        if let text = try? String(contentsOfFile: corpus, encoding: .utf8) {
            let lines = text.split(separator: "\n").map(String.init).filter { $0.hasPrefix("{") }
            if !lines.isEmpty { return ArticleLines(lines: Array(lines.prefix(articles)), source: corpus) }
        }
        // Synthetic articles: reported speech and a tension signal, all different texts.
        let lines = (0..<articles).map { i in
            "{\"id\":\"synthetic-\(i)\",\"date\":\"2022-02-\(String(format: "%02d", 1 + i % 28))\",\"title\":\"Talks \(i)\","
                + "\"text\":\"MOSCOW, Feb \(1 + i % 28) (Dateline) - Russia's Foreign Minister Sergei Lavrov said on day \(i) that "
                + "NATO had ignored Moscow's security demands. \\\"There is no positive answer on the main issue,\\\" Lavrov told "
                + "reporters. Ukraine said Russian troops massed near its border threatened its security. Item \(i).\"}"
        }
        return ArticleLines(lines: lines, source: "synthetic, \(corpus) not found")
    }

    struct IngestResult {
        var articles: Int
        var events: Int
        var seconds: Double
    }

    func ingest(_ articles: [String], connections: Int, port: Int) throws -> IngestResult {
        let counts = LockedCounters()
        let start = DispatchTime.now()
        let threads = (0..<connections).map { c in
            Thread {
                do {
                    let client = try LineClient(host: "127.0.0.1", port: port)
                    _ = try client.readLine()
                    for (i, article) in articles.enumerated() where i % connections == c {
                        try client.send("{\"op\":\"ingest\",\"id\":\(i),\"article\":\(article)}")
                        guard let reply = try client.readLine(timeout: 60) else { break }
                        let text = String(decoding: reply, as: UTF8.self)
                        if text.hasPrefix("{\"type\":\"ok\"") {
                            let positions = text.split(separator: "\"positions\":[").dropFirst().first?
                                .prefix { $0 != "]" }.split(separator: ",").count ?? 0
                            counts.add(articles: 1, events: positions)
                        } else {
                            counts.add(failures: 1)
                        }
                    }
                    client.close()
                } catch {
                    FileHandle.standardError.write(Data("ingest client: \(error)\n".utf8))
                }
                counts.finish()
            }
        }
        threads.forEach { $0.start() }
        counts.wait(for: connections)
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
        let c = counts.snapshot
        if c.failures > 0 { print("  (\(c.failures) ingests answered with an error)") }
        return IngestResult(articles: c.articles, events: c.events, seconds: elapsed)
    }

    // MARK: Delivery

    struct DeliveryResult {
        var eventsPerSecond: Double
        /// Acknowledged → received (0 when the line arrived before the acknowledgement).
        var p50: Double
        var p99: Double
        /// Sent → received (for datelined this includes the durable commit).
        var sendP50: Double
        var sendP99: Double
        /// Share of deliveries that arrived before the appender read its acknowledgement.
        var beforeAck: Double
        var missing: Int
    }

    /// Connects `count` subscribers, runs `feed` (which sends events and records when each was
    /// sent and acknowledged), waits for every subscriber to receive the last event, and computes
    /// the figures.
    func deliveryRun(subscribers count: Int, group: EventLoopGroup, feed makeFeed: () throws -> Feed,
                     idle: () -> Void) throws -> DeliveryResult {
        let expected = Int(Double(rate) * seconds)
        let progress = RunProgress()
        let recorders = (0..<count).map { _ in Recorder(expected: expected, progress: progress) }
        let feed = try makeFeed()
        var channels: [Channel] = []
        let subscribeLine = feed.subscribeLine
        for recorder in recorders {
            let channel = try ClientBootstrap(group: group)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(SubscriberHandler(recorder: recorder, subscribe: subscribeLine))
                    }
                }
                .connect(host: "127.0.0.1", port: feed.port).wait()
            channels.append(channel)
        }
        // Every subscriber is live before the first event.
        let readyBy = Date().addingTimeInterval(60)
        while progress.ready < count && Date() < readyBy { usleep(5_000) }
        try feed.waitForConnections(count)
        usleep(300_000)
        idle()
        let base = try feed.firstPosition()
        for (channel, recorder) in zip(channels, recorders) {
            try channel.eventLoop.submit { recorder.base = base }.wait()
        }
        let sent = try feed.run(count: expected)
        // Wait for the last event to reach everyone (bounded).
        let deadline = Date().addingTimeInterval(20)
        while progress.complete < count && Date() < deadline { usleep(5_000) }
        for channel in channels { try? channel.close().wait() }
        feed.finish()

        var fromSend: [Double] = [], fromAck: [Double] = []
        fromSend.reserveCapacity(count * expected)
        fromAck.reserveCapacity(count * expected)
        var delivered = 0, missing = 0, beforeAck = 0
        var lastReceive: UInt64 = 0
        for (channel, recorder) in zip(channels, recorders) {
            let times = try channel.eventLoop.submit { recorder.times }.wait()
            for (i, t) in times.enumerated() {
                if t == 0 { missing += 1; continue }
                delivered += 1
                lastReceive = max(lastReceive, t)
                fromSend.append(Double(Int64(t) - Int64(sent[i].sent)) / 1e6)
                let ack = sent[i].acknowledged
                if t < ack { beforeAck += 1 }
                fromAck.append(max(0, Double(Int64(t) - Int64(ack)) / 1e6))
            }
        }
        fromSend.sort()
        fromAck.sort()
        func percentile(_ values: [Double], _ p: Double) -> Double {
            values.isEmpty ? .nan : values[min(values.count - 1, Int(Double(values.count) * p))]
        }
        let span = Double(Int64(lastReceive) - Int64(sent.first?.sent ?? 0)) / 1e9
        return DeliveryResult(eventsPerSecond: Double(delivered) / max(span, 1e-9),
                              p50: percentile(fromAck, 0.5), p99: percentile(fromAck, 0.99),
                              sendP50: percentile(fromSend, 0.5), sendP99: percentile(fromSend, 0.99),
                              beforeAck: delivered == 0 ? 0 : Double(beforeAck) / Double(delivered), missing: missing)
    }

    func raiseFileLimit() {
        var limit = rlimit()
        if getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 && limit.rlim_cur < limit.rlim_max {
            limit.rlim_cur = limit.rlim_max
            _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        }
    }
}

final class LockedCounters: @unchecked Sendable {
    struct Snapshot {
        var articles = 0, events = 0, failures = 0, finished = 0
    }
    private let condition = NSCondition()
    private var value = Snapshot()

    func add(articles: Int = 0, events: Int = 0, failures: Int = 0) {
        condition.withLock {
            value.articles += articles
            value.events += events
            value.failures += failures
        }
    }

    func finish() {
        condition.withLock {
            value.finished += 1
            condition.broadcast()
        }
    }

    func wait(for n: Int) {
        condition.withLock { while value.finished < n { condition.wait() } }
    }

    var snapshot: Snapshot { condition.withLock { value } }
}

func nowNanos() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

/// Counts subscribers that are live and subscribers that have everything.
final class RunProgress: @unchecked Sendable {
    private let lock = NSLock()
    private var _ready = 0
    private var _complete = 0
    func markReady() { lock.withLock { _ready += 1 } }
    func markComplete() { lock.withLock { _complete += 1 } }
    var ready: Int { lock.withLock { _ready } }
    var complete: Int { lock.withLock { _complete } }
}

/// When each event (by its index in the run) reached one subscriber. Touched only on the
/// subscriber channel's event loop (read back with `submit` after the run).
final class Recorder: @unchecked Sendable {
    var times: [UInt64]
    var received = 0
    let expected: Int
    let progress: RunProgress
    private var ready = false
    /// The position of the run's first event (events are numbered from it).
    var base: Int64 = -1

    init(expected: Int, progress: RunProgress) {
        self.expected = expected
        self.progress = progress
        times = [UInt64](repeating: 0, count: expected)
    }

    func markReady() {
        if !ready {
            ready = true
            progress.markReady()
        }
    }

    func record(position: Int64, at time: UInt64) {
        guard base >= 0 else { return }
        let index = Int(position - base)
        guard index >= 0, index < times.count, times[index] == 0 else { return }
        times[index] = time
        received += 1
        if received == expected { progress.markComplete() }
    }
}

/// Reads lines, notes the `position` of event lines and the moment they arrived.
final class SubscriberHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    let recorder: Recorder
    let subscribe: String?
    private var pending = ByteBuffer()

    init(recorder: Recorder, subscribe: String?) {
        self.recorder = recorder
        self.subscribe = subscribe
    }

    func channelActive(context: ChannelHandlerContext) {
        if let subscribe {
            context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: subscribe + "\n")), promise: nil)
        } else {
            recorder.markReady()
        }
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let now = nowNanos()
        var bytes = unwrapInboundIn(data)
        if pending.readableBytes == 0 { pending = bytes } else { pending.writeBuffer(&bytes) }
        while let newline = pending.readableBytesView.firstIndex(of: 0x0A) {
            let length = newline - pending.readerIndex
            pending.withUnsafeReadableBytes { raw in handle(UnsafeRawBufferPointer(rebasing: raw[0..<length]), at: now) }
            pending.moveReaderIndex(forwardBy: length + 1)
        }
        if pending.readableBytes == 0 { pending.clear() } else { pending.discardReadBytes() }
    }

    private static let eventPrefix = Array("{\"type\":\"event\"".utf8)
    private static let caughtUpPrefix = Array("{\"type\":\"caught_up\"".utf8)
    private static let positionKey = Array("\"position\":".utf8)

    private func handle(_ line: UnsafeRawBufferPointer, at time: UInt64) {
        if line.starts(with: Self.eventPrefix) {
            if let position = Self.position(in: line) { recorder.record(position: position, at: time) }
        } else if line.starts(with: Self.caughtUpPrefix) {
            recorder.markReady()
        }
    }

    /// The number after `"position":` near the start of the line.
    static func position(in line: UnsafeRawBufferPointer) -> Int64? {
        let key = positionKey
        let limit = min(line.count, 96) - key.count
        guard limit > 0 else { return nil }
        var start = 0
        while start < limit {
            if line[start] == key[0] {
                var k = 1
                while k < key.count && line[start + k] == key[k] { k += 1 }
                if k == key.count {
                    var value: Int64 = 0
                    var i = start + key.count
                    while i < line.count, line[i] >= 0x30, line[i] <= 0x39 {
                        value = value * 10 + Int64(line[i] - 0x30)
                        i += 1
                    }
                    return value
                }
            }
            start += 1
        }
        return nil
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }
}

/// One side of a delivery run: where subscribers connect, and the paced sender.
protocol Feed {
    var port: Int { get }
    var subscribeLine: String? { get }
    func waitForConnections(_ n: Int) throws
    /// The position the run's first event will have.
    func firstPosition() throws -> Int64
    /// Sends `count` events, paced; returns when each was sent and acknowledged.
    func run(count: Int) throws -> [SentEvent]
    func finish()
}

struct SentEvent {
    var sent: UInt64
    var acknowledged: UInt64
}

/// Send and acknowledgement times of an open-loop run, filled by two threads.
final class SentTimes: @unchecked Sendable {
    private let condition = NSCondition()
    private var events: [SentEvent]
    private var finished = false

    init(count: Int) { events = [SentEvent](repeating: SentEvent(sent: 0, acknowledged: 0), count: count) }
    func send(_ i: Int, at t: UInt64) { condition.withLock { events[i].sent = t } }
    func acknowledge(_ i: Int, at t: UInt64) { condition.withLock { events[i].acknowledged = t } }
    func done() { condition.withLock { finished = true; condition.broadcast() } }
    func wait() -> [SentEvent] {
        condition.withLock {
            while !finished { condition.wait() }
            return events
        }
    }
}

let samplePayload: String = {
    let content = String(repeating: "Talks will continue, the minister said, as troops gathered near the border. ", count: 3)
    return "{\"article_hash\":\"5f0c1e9a3b7d2c44aa0e4b1f9d6c3e2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e\",\"index\":0,"
        + "\"extractor_version\":\"1\",\"statement\":{\"kind\":\"direct\",\"content\":\"\(content.prefix(220))\","
        + "\"speaker\":{\"name\":\"Sergey Lavrov\",\"affiliation\":\"RUS\"}}}"
}()

/// Paced appends to datelined; subscribers use `subscribe` from now.
final class DatelineFeed: Feed {
    let port: Int
    let subscribeLine: String? = "{\"op\":\"subscribe\",\"id\":\"s\",\"from\":\"now\"}"
    private let rate: Int
    private let client: LineClient

    init(port: Int, rate: Int) throws {
        self.port = port
        self.rate = rate
        client = try LineClient(host: "127.0.0.1", port: port)
        _ = try client.readLine()
    }

    func waitForConnections(_ n: Int) throws {}

    func firstPosition() throws -> Int64 {
        try client.send("{\"op\":\"ping\"}")
        let ping = String(decoding: try client.readLine() ?? [], as: UTF8.self)
        return (Int64(ping.split(separator: "\"head\":").last?.prefix { $0.isNumber } ?? "0") ?? 0) + 1
    }

    /// Open loop: appends are sent on schedule whether or not earlier ones are acknowledged
    /// (requests on one connection are answered in order), and a second thread reads the
    /// acknowledgements, so a slow server shows as latency rather than a lower offered rate.
    func run(count: Int) throws -> [SentEvent] {
        let interval = UInt64(1e9 / Double(rate))
        let times = SentTimes(count: count)
        let client = self.client
        let reader = Thread {
            for i in 0..<count {
                guard let reply = try? client.readLine(timeout: 60) else { break }
                times.acknowledge(i, at: nowNanos())
                if !reply.starts(with: Array("{\"type\":\"ok\"".utf8)) {
                    FileHandle.standardError.write(Data("append refused: \(String(decoding: reply, as: UTF8.self))\n".utf8))
                }
            }
            times.done()
        }
        reader.start()
        let start = nowNanos()
        for i in 0..<count {
            let due = start + UInt64(i) * interval
            let now = nowNanos()
            if due > now { usleep(UInt32((due - now) / 1000)) }
            let line = "{\"op\":\"append\",\"id\":\(i),\"stream\":\"load-\(i % 50)\",\"events\":[{\"type\":\"LoadNoteRecorded\",\"data\":\(samplePayload)}]}"
            times.send(i, at: nowNanos())
            try client.send(line)
        }
        return times.wait()
    }

    func finish() { client.close() }
}

/// The baseline: a NIO server that writes each line to every connection, nothing else.
final class BaselineServer: @unchecked Sendable {
    let group: MultiThreadedEventLoopGroup
    let channel: Channel
    private let lock = NSLock()
    private var connections: [Channel] = []

    init(group: MultiThreadedEventLoopGroup) throws {
        self.group = group
        let registry = Registry()
        channel = try ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                registry.add(channel)
                return channel.eventLoop.makeSucceededVoidFuture()
            }
            .bind(host: "127.0.0.1", port: 0).wait()
        self.registry = registry
    }

    let registry: Registry

    final class Registry: @unchecked Sendable {
        private let lock = NSLock()
        private var channels: [Channel] = []
        func add(_ channel: Channel) { lock.withLock { channels.append(channel) } }
        var all: [Channel] { lock.withLock { channels } }
    }

    var port: Int { channel.localAddress?.port ?? 0 }

    /// Writes `line` to every connection: one task per event loop, a write and flush per channel.
    func broadcast(_ line: ByteBuffer) {
        var byLoop: [ObjectIdentifier: (EventLoop, [Channel])] = [:]
        for channel in registry.all {
            byLoop[ObjectIdentifier(channel.eventLoop), default: (channel.eventLoop, [])].1.append(channel)
        }
        for (_, entry) in byLoop {
            let channels = entry.1
            entry.0.execute {
                for channel in channels { channel.writeAndFlush(line, promise: nil) }
            }
        }
    }

    func stop() {
        try? channel.close().wait()
        for c in registry.all { c.close(promise: nil) }
        try? group.syncShutdownGracefully()
    }
}

final class BaselineFeed: Feed {
    let server: BaselineServer
    let subscribeLine: String? = nil
    private let rate: Int
    var port: Int { server.port }

    init(server: BaselineServer, rate: Int) {
        self.server = server
        self.rate = rate
    }

    func waitForConnections(_ n: Int) throws {
        let deadline = Date().addingTimeInterval(30)
        while server.registry.all.count < n && Date() < deadline { usleep(2_000) }
    }

    func firstPosition() throws -> Int64 { 1 }

    func run(count: Int) throws -> [SentEvent] {
        let interval = UInt64(1e9 / Double(rate))
        var events: [SentEvent] = []
        let start = nowNanos()
        for i in 0..<count {
            let due = start + UInt64(i) * interval
            let now = nowNanos()
            if due > now { usleep(UInt32((due - now) / 1000)) }
            // The same shape and size as datelined's event line.
            let line = "{\"type\":\"event\",\"id\":\"s\",\"position\":\(i + 1),\"stream\":\"load-\(i % 50)\",\"version\":\(i / 50),"
                + "\"event_type\":\"StatementRecorded\",\"event_id\":\"ev-\(UUID().uuidString.lowercased())\","
                + "\"recorded_at\":\"2026-11-29T09:12:03.120331Z\",\"data\":\(samplePayload)}\n"
            let sent = nowNanos()
            server.broadcast(ByteBuffer(string: line))
            events.append(SentEvent(sent: sent, acknowledged: sent))
        }
        return events
    }

    func finish() {}
}

/// A datelined child process on a fresh temporary log.
final class ServerProcess {
    let process = Process()
    let port: Int
    let directory: URL

    init(binary: String, extra: [String] = []) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("dateline-load-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["--db", directory.appendingPathComponent("log.sqlite").path, "--port", "0",
                             "--log-level", "warning"] + extra
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        var text = ""
        while !text.contains("\n") {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
        }
        guard let port = text.split(separator: ":").last.flatMap({ Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }) else {
            process.terminate()
            throw ValidationError("datelined did not report its port: \(text)")
        }
        self.port = port
    }

    /// Resident memory of the server process, in KB (VmRSS).
    func residentKB() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            return Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0
        }
        return 0
    }

    /// SIGTERM, then the exit status.
    func stop() -> Int32 {
        process.terminate()
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: directory)
        return process.terminationStatus
    }
}
