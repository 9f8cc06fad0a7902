import DatelineProtocol
import Foundation
import NIOCore
import NIOPosix

/// A client connection for the line protocol on SwiftNIO: a `ClientBootstrap` channel whose
/// pipeline frames the server's bytes with the server's own `NDJSONFrameDecoder` (in a
/// `ByteToMessageHandler`) and hands the lines to a reader. For command-line tools
/// (`dateline … --server`, `dateline tail`), the load tool and tests.
///
/// Every operation comes twice: blocking (`init`, `send`, `sendRaw`, `readLine`: for the
/// synchronous CLI commands and for threads a test or tool runs itself; never on an event loop,
/// nor on the cooperative pool where a task can wait instead) and `async` (`connect`, `sendLine`,
/// `sendBytes`, `nextLine`). One reader and one writer may work at the same time (a
/// thread sends while another reads); two readers may not.
public final class LineClient: Sendable {
    public enum Failure: Error, CustomStringConvertible {
        case resolve(host: String)
        case connect(host: String, port: Int, errno: Int32)
        case io(operation: String, errno: Int32)
        case timeout(seconds: Double)
        case lineTooLong(limit: Int)

        public var description: String {
            switch self {
            case .resolve(let host): "cannot resolve \(host)"
            case .connect(let host, let port, let e): "cannot connect to \(host):\(port): \(String(cString: strerror(e)))"
            case .io(let op, let e): "\(op) failed: \(String(cString: strerror(e)))"
            case .timeout(let s): "no line from the server within \(s) s"
            case .lineTooLong(let limit): "the server sent a line longer than \(limit) bytes"
            }
        }
    }

    /// Longest line read; a longer one is dropped by the decoder and read as `Failure.lineTooLong`.
    public let maxLineBytes: Int
    private let channel: Channel
    private let inbox: LineInbox

    /// Connects to `host:port` (an IPv4 or IPv6 address or a name), blocking the calling thread.
    /// `receiveBufferSize` sets SO_RCVBUF before connecting (tests use it to make a client that
    /// stops reading fill up fast).
    public convenience init(host: String, port: Int, receiveBufferSize: Int? = nil,
                            maxLineBytes: Int = 64 << 20, connectTimeout: Double = 10) throws {
        let inbox = LineInbox()
        let future = Self.bootstrap(inbox: inbox, receiveBufferSize: receiveBufferSize, maxLineBytes: maxLineBytes,
                                    connectTimeout: connectTimeout).connect(host: host, port: port)
        let channel: Channel
        do {
            channel = try future.wait()
        } catch {
            throw Self.connectFailure(error, host: host, port: port)
        }
        self.init(channel: channel, inbox: inbox, maxLineBytes: maxLineBytes)
    }

    /// Connects to `host:port` without blocking a thread.
    public static func connect(host: String, port: Int, receiveBufferSize: Int? = nil,
                               maxLineBytes: Int = 64 << 20, connectTimeout: Double = 10) async throws -> LineClient {
        let inbox = LineInbox()
        let channel: Channel
        do {
            channel = try await bootstrap(inbox: inbox, receiveBufferSize: receiveBufferSize, maxLineBytes: maxLineBytes,
                                          connectTimeout: connectTimeout).connect(host: host, port: port).get()
        } catch {
            throw connectFailure(error, host: host, port: port)
        }
        return LineClient(channel: channel, inbox: inbox, maxLineBytes: maxLineBytes)
    }

    private init(channel: Channel, inbox: LineInbox, maxLineBytes: Int) {
        self.channel = channel
        self.inbox = inbox
        self.maxLineBytes = maxLineBytes
        inbox.attach(channel)
    }

    deinit { channel.close(promise: nil) }

    private static func bootstrap(inbox: LineInbox, receiveBufferSize: Int?, maxLineBytes: Int,
                                  connectTimeout: Double) -> ClientBootstrap {
        var bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.milliseconds(Int64(connectTimeout * 1000)))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            // Reads follow the reader (see `LineInbox`), as a blocking socket's would.
            .channelOption(.autoRead, value: false)
        if let receiveBufferSize {
            bootstrap = bootstrap.channelOption(.socketOption(.so_rcvbuf), value: SocketOptionValue(receiveBufferSize))
        }
        return bootstrap.channelInitializer { channel in
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.addHandlers([
                    ByteToMessageHandler(NDJSONFrameDecoder(maxLineBytes: maxLineBytes)),
                    LineInboxHandler(inbox: inbox),
                ])
            }
        }
    }

    /// The one-sentence failure for a connection that could not be made.
    static func connectFailure(_ error: Error, host: String, port: Int) -> Failure {
        if let failure = error as? Failure { return failure }
        if let connection = error as? NIOConnectionError {
            if connection.connectionErrors.isEmpty { return .resolve(host: host) }
            let codes = connection.connectionErrors.compactMap { ($0.error as? IOError)?.errnoCode }
            if connection.connectionErrors.contains(where: { Self.isTimeout($0.error) }) {
                return .connect(host: host, port: port, errno: ETIMEDOUT)
            }
            return .connect(host: host, port: port, errno: codes.last ?? ECONNREFUSED)
        }
        if isTimeout(error) { return .connect(host: host, port: port, errno: ETIMEDOUT) }
        if let io = error as? IOError { return .connect(host: host, port: port, errno: io.errnoCode) }
        return .connect(host: host, port: port, errno: EIO)
    }

    private static func isTimeout(_ error: Error) -> Bool {
        if case .connectTimeout = error as? ChannelError { return true }
        return false
    }

    // MARK: Sending

    /// Sends `line` and a newline, blocking until the bytes are handed to the socket.
    public func send(_ line: String) throws {
        try sendRaw(Array(line.utf8) + [0x0A])
    }

    /// Sends bytes exactly as given, blocking until they are handed to the socket (a server that
    /// does not read makes this wait, as a blocking `send` would).
    public func sendRaw(_ bytes: [UInt8]) throws {
        do {
            try channel.writeAndFlush(channel.allocator.buffer(bytes: bytes)).wait()
        } catch {
            throw Self.sendFailure(error)
        }
    }

    /// Sends `line` and a newline, without blocking a thread.
    public func sendLine(_ line: String) async throws {
        try await sendBytes(Array(line.utf8) + [0x0A])
    }

    /// Sends bytes exactly as given, without blocking a thread.
    public func sendBytes(_ bytes: [UInt8]) async throws {
        do {
            try await channel.writeAndFlush(channel.allocator.buffer(bytes: bytes)).get()
        } catch {
            throw Self.sendFailure(error)
        }
    }

    private static func sendFailure(_ error: Error) -> Failure {
        if let io = error as? IOError { return .io(operation: "send", errno: io.errnoCode) }
        return .io(operation: "send", errno: EPIPE)
    }

    // MARK: Reading

    /// The next line without its newline, or nil when the server closed the connection; blocks.
    /// Throws `Failure.timeout` when no full line arrives within `timeout` seconds.
    public func readLine(timeout: Double = 10) throws -> [UInt8]? {
        try line(from: inbox.next(timeout: timeout))
    }

    /// The next line without its newline, or nil when the server closed the connection.
    public func nextLine(timeout: Double = 10) async throws -> [UInt8]? {
        try line(from: await inbox.next(timeout: .nanoseconds(Int64(timeout * 1e9)), on: channel.eventLoop))
    }

    private func line(from item: LineInbox.Item?) throws -> [UInt8]? {
        switch item {
        case .line(let bytes): bytes
        case .lineTooLong: throw Failure.lineTooLong(limit: maxLineBytes)
        case nil: nil
        }
    }

    /// The next line as a string (invalid UTF-8 repaired), or nil at the end of the connection.
    public func readLineString(timeout: Double = 10) throws -> String? {
        try readLine(timeout: timeout).map { String(decoding: $0, as: UTF8.self) }
    }

    // MARK: Closing

    /// Closes the sending side; the server answers what it has and then closes.
    public func shutdownWrite() {
        channel.close(mode: .output, promise: nil)
    }

    /// Closes the connection (without waiting).
    public func close() {
        channel.close(promise: nil)
    }
}
