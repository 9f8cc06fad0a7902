import DatelineCore
import DatelineProtocol
import Foundation
import NIOCore

/// A client that speaks the protocol through the codec's client half: requests are written by
/// `ParsedRequest.write`, lines come back as `ServerLine`. Blocking methods for the CLI's `--server`
/// commands (query, ingest) and scripts; `async` ones (`connect`, `nextLine`, `sendRequest`) for
/// tasks, which must not block the cooperative pool.
public final class ProtocolClient: @unchecked Sendable {
    public let connection: LineClient
    /// The server's hello line.
    public let hello: ServerLine
    private var nextID: Int64 = 0

    /// Connects and reads the hello line, blocking the calling thread.
    public convenience init(host: String, port: Int, timeout: Double = 10) throws {
        let connection = try LineClient(host: host, port: port)
        try self.init(connection: connection, hello: connection.readLine(timeout: timeout))
    }

    /// Connects and reads the hello line without blocking a thread.
    public static func connect(host: String, port: Int, timeout: Double = 10) async throws -> ProtocolClient {
        let connection = try await LineClient.connect(host: host, port: port)
        return try ProtocolClient(connection: connection, hello: await connection.nextLine(timeout: timeout))
    }

    private init(connection: LineClient, hello first: [UInt8]?) throws {
        self.connection = connection
        guard let first else {
            connection.close()
            throw ProtocolClientError.closed
        }
        let line = try ServerLine(first)
        if let error = line.error {
            connection.close()
            throw ProtocolClientError.refused(error)
        }
        hello = line
    }

    /// Sends one request as written by the codec.
    public func send(_ request: ParsedRequest) throws {
        var bytes = request.line
        try connection.sendRaw(bytes.readBytes(length: bytes.readableBytes) ?? [])
    }

    /// Sends one request as written by the codec, without blocking a thread.
    public func sendRequest(_ request: ParsedRequest) async throws {
        var bytes = request.line
        try await connection.sendBytes(bytes.readBytes(length: bytes.readableBytes) ?? [])
    }

    /// The next line, or nil when the server closed the connection.
    public func next(timeout: Double = 30) throws -> ServerLine? {
        guard let bytes = try connection.readLine(timeout: timeout) else { return nil }
        return try ServerLine(bytes)
    }

    /// The next line, or nil when the server closed the connection, without blocking a thread.
    public func nextLine(timeout: Double = 30) async throws -> ServerLine? {
        guard let bytes = try await connection.nextLine(timeout: timeout) else { return nil }
        return try ServerLine(bytes)
    }

    /// Sends `request` with a fresh numeric id and calls `body` for each line it produces (heartbeats
    /// and lines of other requests are skipped) up to and including the terminal line, which it
    /// returns. An `error` terminal line is returned, not thrown.
    @discardableResult
    public func call(_ request: Request, timeout: Double = 30, _ body: (ServerLine) throws -> Void = { _ in }) throws -> ServerLine {
        nextID += 1
        let id = RequestID.number(nextID)
        try send(ParsedRequest(id: id, request: request))
        while true {
            guard let line = try next(timeout: timeout) else { throw ProtocolClientError.closed }
            guard line.id == id else { continue }
            try body(line)
            if line.isTerminal { return line }
        }
    }

    public func close() { connection.close() }
}

public enum ProtocolClientError: Error, CustomStringConvertible {
    case closed
    case refused(ProtocolError)

    public var description: String {
        switch self {
        case .closed: "the server closed the connection"
        case .refused(let error): "the server refused the connection: \(error)"
        }
    }
}

/// Follows the log like `dateline tail`: subscribes with filters, hands each event to the caller
/// and, when the connection drops (a restart, a `shutting_down`), reconnects and subscribes again
/// from the position after the last event it handed over, so nothing is missed or repeated.
public struct TailFollower: Sendable {
    public enum Update: Sendable {
        /// An event, with its line as the server sent it (for `--json` output).
        case event(RecordedEvent, line: [UInt8])
        /// History delivered up to here; live events follow.
        case caughtUp(next: Position)
        /// The subscriber was too slow; the server serves it from the log until `caught_up`.
        case fellBehind(next: Position)
        /// The connection ended; reconnecting after `retryDelay` from `next`.
        case reconnecting(next: Position, reason: String)
    }

    public var host: String
    public var port: Int
    public var from: StartPoint
    public var filter: SubscriptionFilter
    public var retryDelay: Double
    /// Stop after this many failed connection attempts in a row (nil: keep trying).
    public var maxAttempts: Int?

    public init(host: String, port: Int, from: StartPoint = .now, filter: SubscriptionFilter = SubscriptionFilter(),
                retryDelay: Double = 1, maxAttempts: Int? = nil) {
        self.host = host
        self.port = port
        self.from = from
        self.filter = filter
        self.retryDelay = retryDelay
        self.maxAttempts = maxAttempts
    }

    /// Runs until `body` returns false (true to continue), or the connection attempts run out.
    /// Blocks the calling thread (use `follow` from a task).
    public func run(_ body: (Update) throws -> Bool) throws {
        var progress = Progress(start: from)
        var failures = 0
        while true {
            progress.connecting()
            do {
                let client = try ProtocolClient(host: host, port: port)
                defer { client.close() }
                failures = 0
                try client.send(progress.subscribeRequest(filter))
                while let line = try client.next(timeout: 24 * 3600) {
                    if let update = try progress.take(line), try !body(update) { return }
                }
            } catch {
                try progress.connectionFailed(error, failures: &failures)
            }
            if let maxAttempts, failures >= maxAttempts { throw ProtocolClientError.closed }
            if try !body(progress.reconnecting) { return }
            Thread.sleep(forTimeInterval: retryDelay)
        }
    }

    /// `run` for tasks: the same updates, waiting without blocking a thread.
    public func follow(_ body: (Update) async throws -> Bool) async throws {
        var progress = Progress(start: from)
        var failures = 0
        while true {
            progress.connecting()
            do {
                let client = try await ProtocolClient.connect(host: host, port: port)
                defer { client.close() }
                failures = 0
                try await client.sendRequest(progress.subscribeRequest(filter))
                while let line = try await client.nextLine(timeout: 24 * 3600) {
                    if let update = try progress.take(line), try await !body(update) { return }
                }
            } catch {
                try progress.connectionFailed(error, failures: &failures)
            }
            if let maxAttempts, failures >= maxAttempts { throw ProtocolClientError.closed }
            if try await !body(progress.reconnecting) { return }
            try await Task.sleep(nanoseconds: UInt64(retryDelay * 1e9))
        }
    }

    /// Where the follower is: the next position to ask for, and why the last connection ended.
    private struct Progress {
        var start: StartPoint
        var reason = "the server closed the connection"

        init(start: StartPoint) { self.start = start }

        /// A new connection attempt: no reason yet for it to end.
        mutating func connecting() { reason = "the server closed the connection" }

        func subscribeRequest(_ filter: SubscriptionFilter) -> ParsedRequest {
            ParsedRequest(id: .string("tail"), request: .subscribe(SubscribeRequest(from: start, filter: filter)))
        }

        var reconnecting: Update {
            let next: Position = if case .position(let p) = start { p } else { .start }
            return .reconnecting(next: next, reason: reason)
        }

        /// The update a server line makes, if any; throws when the server refused the subscription.
        mutating func take(_ line: ServerLine) throws -> Update? {
            switch line.type {
            case "event":
                guard let event = line.event else { return nil }
                start = .position(event.position.next)
                return .event(event, line: line.bytes)
            case "caught_up":
                if let next = line.next { start = .position(next) }
                return .caughtUp(next: line.next ?? .start)
            case "fell_behind":
                return .fellBehind(next: line.next ?? .start)
            case "end", "error":
                if let next = line.next { start = .position(next) }
                if let error = line.error, !error.closes, error.code != .shuttingDown {
                    throw ProtocolClientError.refused(error)
                }
                reason = line.node["reason"]?.stringValue ?? line.error?.message ?? reason
                return nil
            default:
                return nil
            }
        }

        /// Counts a failed connection, or rethrows a refusal that retrying cannot cure.
        mutating func connectionFailed(_ error: Error, failures: inout Int) throws {
            if let error = error as? ProtocolClientError, case .refused(let e) = error,
               e.code != .tooManyConnections, e.code != .shuttingDown {
                throw error
            }
            reason = "\(error)"
            failures += 1
        }
    }
}
