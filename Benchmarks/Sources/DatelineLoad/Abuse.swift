import ArgumentParser
import Foundation
import NIOCore
import NIOPosix

/// `dateline-load --abuse`: a bounded loop of oversized and hostile requests over many
/// connections against a fresh `datelined`, then the server's resident memory idle before, at
/// its peak, and after the clients have left; and whether it still answers.
struct AbuseRun {
    let binary: String
    let connections: Int
    let lines: Int
    let oversizedPerConnection: Int
    let group: EventLoopGroup

    /// One round of hostile lines: every line gets exactly one reply (an error, or the pong).
    static let hostileRound: [String] = [
        #"{"op":"ping","id":"#,                                              // malformed JSON
        "\u{01}\u{02}garbage\u{7F}",                                          // control bytes
        String(repeating: "[", count: 300) + String(repeating: "]", count: 300),  // deep nesting
        #"{"op":"replay","speaker":""# + String(repeating: "z", count: 4096) + #""}"#,  // filter over its bound
        #"{"op":"frobnicate","id":1}"#,                                        // unknown op
        #"{"op":"read","stream":5}"#,                                          // wrong type
        #"{"op":"append","stream":"x","events":[]}"#,                          // empty batch
        #"{"op":"append","stream":"article-0123456789abcdef","events":[{"type":"Note","data":{}}]}"#,  // reserved
        #"{"op":"unsubscribe","subscription":"nope"}"#,                       // no such subscription
        #"{"op":"ping","id":"ok"}"#,
    ]

    struct Result {
        var sent = 0
        var replies = 0
        var closedEarly = 0
    }

    func run() throws {
        let server = try ServerProcess(binary: binary, extra: ["--max-connections", String(connections + 16)])
        defer { _ = server.stop() }
        Thread.sleep(forTimeInterval: 1)
        let idle = server.residentKB()
        let sampler = PeakSampler { server.residentKB() }
        sampler.start()
        let started = Date()
        let oversized = ByteBuffer(string: String(repeating: "x", count: (1 << 20) + 1024) + "\n")
        let round = ByteBuffer(string: Self.hostileRound.joined(separator: "\n") + "\n")
        let rounds = max(1, lines / connections / Self.hostileRound.count)
        let futures = (0..<connections).map { _ in
            let done = group.next().makePromise(of: Result.self)
            ClientBootstrap(group: group)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(
                            AbuseClientHandler(round: round, roundLines: Self.hostileRound.count, rounds: rounds,
                                               oversized: oversized, oversizedRounds: oversizedPerConnection, done: done))
                    }
                }
                .connect(host: "127.0.0.1", port: server.port)
                .whenFailure { done.fail($0) }
            return done.futureResult
        }
        var total = Result()
        for future in futures {
            let r = try future.wait()
            total.sent += r.sent
            total.replies += r.replies
            total.closedEarly += r.closedEarly
        }
        let seconds = Date().timeIntervalSince(started)
        let peak = sampler.stop()
        let left = server.residentKB()
        Thread.sleep(forTimeInterval: 5)
        let after = server.residentKB()
        let answers = try stillAnswers(port: server.port)
        print("\n== abuse: \(connections) connections, \(total.sent) hostile lines (\(oversizedPerConnection) of 1 MiB+ per connection), \(String(format: "%.1f", seconds)) s")
        print("  replies \(total.replies) (\(total.sent - total.replies) unanswered, hello lines not counted); connections closed by the server early: \(total.closedEarly)")
        print(String(format: "  server RSS idle before %.1f MB, peak %.1f MB, when the clients left %.1f MB, 5 s later %.1f MB", Double(idle) / 1024,
                     Double(peak) / 1024, Double(left) / 1024, Double(after) / 1024))
        print("  a new client afterwards: \(answers ? "answered" : "NOT answered")")
    }

    /// A fresh connection gets its hello and a pong.
    private func stillAnswers(port: Int) throws -> Bool {
        let done = group.next().makePromise(of: Result.self)
        let ping = ByteBuffer(string: "PING\n")
        _ = ClientBootstrap(group: group).channelInitializer { channel in
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.addHandler(
                    AbuseClientHandler(round: ping, roundLines: 1, rounds: 1, oversized: ping, oversizedRounds: 0, done: done))
            }
        }.connect(host: "127.0.0.1", port: port)
        let r = try done.futureResult.wait()
        return r.replies == 1 && r.closedEarly == 0
    }
}

/// Sends its rounds one at a time, each after the replies to the last (plus the hello) arrived;
/// the first rounds are preceded by one oversized line each (never two in a row, which would be
/// abuse the server closes). Closes when done.
final class AbuseClientHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let round: ByteBuffer
    private let roundLines: Int
    private let rounds: Int
    private let oversized: ByteBuffer
    private let oversizedRounds: Int
    private let done: EventLoopPromise<AbuseRun.Result>
    private var result = AbuseRun.Result()
    private var sentRounds = 0
    /// Lines still owed this round (the hello counts in the first).
    private var owed = 1
    private var finished = false

    init(round: ByteBuffer, roundLines: Int, rounds: Int, oversized: ByteBuffer, oversizedRounds: Int,
         done: EventLoopPromise<AbuseRun.Result>) {
        self.round = round
        self.roundLines = roundLines
        self.rounds = rounds
        self.oversized = oversized
        self.oversizedRounds = oversizedRounds
        self.done = done
    }

    func channelActive(context: ChannelHandlerContext) {
        sendRound(context: context)
    }

    private func sendRound(context: ChannelHandlerContext) {
        guard sentRounds < rounds else {
            finished = true
            context.close(promise: nil)
            return
        }
        var lines = roundLines
        if sentRounds < oversizedRounds {
            context.write(wrapOutboundOut(oversized), promise: nil)
            lines += 1
        }
        context.writeAndFlush(wrapOutboundOut(round), promise: nil)
        owed += lines
        result.sent += lines
        sentRounds += 1
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let newlines = unwrapInboundIn(data).readableBytesView.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
        owed -= newlines
        result.replies += newlines
        if owed <= 0 { sendRound(context: context) }
    }

    func channelInactive(context: ChannelHandlerContext) {
        result.replies -= 1  // the hello
        if !finished { result.closedEarly += 1 }
        done.succeed(result)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }
}

/// Samples a figure every 50 ms on its own thread and keeps the largest.
final class PeakSampler: @unchecked Sendable {
    private let sample: () -> Int
    private let condition = NSCondition()
    private var peak = 0
    private var running = true
    private var stopped = false

    init(_ sample: @escaping () -> Int) { self.sample = sample }

    func start() {
        Thread.detachNewThread { [self] in
            while condition.withLock({ running }) {
                let value = sample()
                condition.withLock { peak = max(peak, value) }
                Thread.sleep(forTimeInterval: 0.05)
            }
            condition.withLock { stopped = true; condition.broadcast() }
        }
    }

    func stop() -> Int {
        condition.withLock {
            running = false
            while !stopped { condition.wait() }
            return max(peak, sample())
        }
    }
}
