import DatelineClient
import DatelineTestSupport
import Foundation
import NIOCore
import NIOPosix
import Testing

/// A scripted peer on 127.0.0.1: each accepted connection is handed to `onConnection` on its
/// event loop (to write what the test needs), and what it receives is echoed back when `echo`.
final class ScriptedServer: Sendable {
    let channel: Channel
    var port: Int { channel.localAddress!.port! }

    init(echo: Bool = false, onConnection: @escaping @Sendable (Channel) -> Void = { _ in }) async throws {
        channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            // A small send buffer, so that what a client leaves unread backs up in the server.
            .childChannelOption(.socketOption(.so_sndbuf), value: 16 << 10)
            .childChannelInitializer { child in
                child.eventLoop.makeCompletedFuture {
                    if echo { try child.pipeline.syncOperations.addHandler(Echo()) }
                    onConnection(child)
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
    }

    func close() async { try? await channel.close() }

    private final class Echo: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            context.writeAndFlush(data, promise: nil)
        }
    }
}

func write(_ text: String, to channel: Channel, thenClose: Bool = false) {
    let future = channel.writeAndFlush(channel.allocator.buffer(string: text))
    if thenClose { future.whenComplete { _ in channel.close(promise: nil) } }
}

@Suite(.timeLimit(.minutes(2))) struct LineClientTests {
    @Test func aRefusedConnectionSaysSoWithItsErrno() async throws {
        let server = try await ScriptedServer()
        let port = server.port
        await server.close()
        #expect {
            _ = try LineClient(host: "127.0.0.1", port: port)
        } throws: { error in
            guard case .connect(let host, let p, let code) = error as? LineClient.Failure else { return false }
            return host == "127.0.0.1" && p == port && code == ECONNREFUSED
        }
        await #expect(throws: LineClient.Failure.self) { _ = try await LineClient.connect(host: "127.0.0.1", port: port) }
    }

    @Test func linesAreFramedByTheProtocolDecoderUpToTheEnd() async throws {
        let server = try await ScriptedServer { write("a\r\nb\n\n  \nlast", to: $0, thenClose: true) }
        defer { Task { await server.close() } }
        let port = server.port
        let lines = try await blocking { () throws -> [String?] in
            let client = try LineClient(host: "127.0.0.1", port: port)
            defer { client.close() }
            return try (0..<4).map { _ in try client.readLineString(timeout: 10) }
        }
        // Blank lines are skipped as the server's decoder skips them; a last line without a
        // newline is delivered when the connection ends; then nil.
        #expect(lines == ["a", "b", "last", nil])
    }

    @Test func aLineOverTheLimitIsAnErrorAndTheNextLineStillArrives() async throws {
        let server = try await ScriptedServer { write(String(repeating: "x", count: 40) + "\nok\n", to: $0) }
        defer { Task { await server.close() } }
        let port = server.port
        try await blocking {
            let client = try LineClient(host: "127.0.0.1", port: port, maxLineBytes: 16)
            defer { client.close() }
            #expect {
                _ = try client.readLine(timeout: 10)
            } throws: { error in
                guard case .lineTooLong(let limit) = error as? LineClient.Failure else { return false }
                return limit == 16
            }
            #expect(try client.readLineString(timeout: 10) == "ok")
        }
    }

    @Test func noLineWithinTheTimeoutIsATimeout() async throws {
        let server = try await ScriptedServer()
        defer { Task { await server.close() } }
        let client = try await LineClient.connect(host: "127.0.0.1", port: server.port)
        defer { client.close() }
        await #expect {
            _ = try await client.nextLine(timeout: 0.05)
        } throws: { error in
            if case .timeout = error as? LineClient.Failure { return true }
            return false
        }
    }

    @Test func theAsyncAPISendsAndReadsWithoutBlockingAThread() async throws {
        let server = try await ScriptedServer(echo: true)
        defer { Task { await server.close() } }
        let client = try await LineClient.connect(host: "127.0.0.1", port: server.port)
        defer { client.close() }
        try await client.sendLine("{\"op\":\"ping\"}")
        try await client.sendBytes(Array("second\nthird\n".utf8))
        var got: [String] = []
        for _ in 0..<3 {
            got.append(String(decoding: try #require(try await client.nextLine(timeout: 10)), as: UTF8.self))
        }
        #expect(got == ["{\"op\":\"ping\"}", "second", "third"])
    }

    @Test func aFinishedReadsTimeoutDoesNotEndTheNextRead() async throws {
        let server = try await ScriptedServer(echo: true)
        defer { Task { await server.close() } }
        let client = try await LineClient.connect(host: "127.0.0.1", port: server.port)
        defer { client.close() }
        try await client.sendLine("first")
        // A timeout long enough for the echo under a loaded suite (0.2 s was not), shorter
        // than the wait before the second line.
        #expect(try await client.nextLine(timeout: 1.0) == Array("first".utf8))
        // The second line is sent only after the first read's timeout has passed.
        async let sent: Void = {
            try await Task.sleep(nanoseconds: 1_600_000_000)
            try await client.sendLine("second")
        }()
        #expect(try await client.nextLine(timeout: 30) == Array("second".utf8))
        try await sent
    }

    /// A client that stops reading must make the server's writes back up (the server's
    /// back-pressure and fall-behind depend on it), and then get every line once it reads.
    @Test func aReaderThatStopsReadingBacksUpTheServer() async throws {
        let lineCount = 40_000
        let peer = LockedChannel()
        let server = try await ScriptedServer { channel in
            var buffer = channel.allocator.buffer(capacity: lineCount * 60)
            for i in 0..<lineCount {
                buffer.writeString("{\"n\":\(i),\"filler\":\"\(String(repeating: "y", count: 40))\"}\n")
            }
            channel.writeAndFlush(buffer, promise: nil)
            peer.set(channel)
        }
        defer { Task { await server.close() } }
        let port = server.port
        try await blocking {
            let client = try LineClient(host: "127.0.0.1", port: port, receiveBufferSize: 16 << 10)
            defer { client.close() }
            _ = try client.readLine(timeout: 10)
            // The reader pauses. A client that kept reading into memory would drain the socket and
            // the server's channel would turn writable; a reader-paced one leaves it backed up.
            var stillBackedUp = 0
            for _ in 0..<50 {
                usleep(10_000)
                if let channel = peer.get(), !channel.isWritable { stillBackedUp += 1 }
            }
            #expect(stillBackedUp == 50, "the server's writes drained while the reader was paused")
            var count = 1
            while let line = try client.readLine(timeout: 10) {
                count += 1
                if count == lineCount {
                    #expect(String(decoding: line, as: UTF8.self).hasPrefix("{\"n\":\(lineCount - 1),"))
                    break
                }
            }
            #expect(count == lineCount)
            #expect(peer.get()?.isWritable == true)
        }
    }
}

final class LockedChannel: @unchecked Sendable {
    private let lock = NSLock()
    private var channel: Channel?
    func set(_ c: Channel) { lock.withLock { channel = c } }
    func get() -> Channel? { lock.withLock { channel } }
}
