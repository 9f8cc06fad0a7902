import DatelineCore
import DatelineProtocol
import Foundation
import NIOCore

/// A blocking client that speaks the protocol through the codec's client half: requests are
/// written by `ParsedRequest.write`, lines come back as `ServerLine`. For the CLI's `--server`
/// commands (query, ingest) and scripts.
public final class ProtocolClient: @unchecked Sendable {
    public let connection: LineClient
    /// The server's hello line.
    public let hello: ServerLine
    private var nextID: Int64 = 0

    public init(host: String, port: Int, timeout: Double = 10) throws {
        connection = try LineClient(host: host, port: port)
        guard let first = try connection.readLine(timeout: timeout) else {
            throw ProtocolClientError.closed
        }
        let line = try ServerLine(first)
        if let error = line.error { throw ProtocolClientError.refused(error) }
        hello = line
    }

    /// Sends one request as written by the codec.
    public func send(_ request: ParsedRequest) throws {
        var bytes = request.line
        try connection.sendRaw(bytes.readBytes(length: bytes.readableBytes) ?? [])
    }

    /// The next line, or nil when the server closed the connection.
    public func next(timeout: Double = 30) throws -> ServerLine? {
        guard let bytes = try connection.readLine(timeout: timeout) else { return nil }
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
    public func run(_ body: (Update) throws -> Bool) throws {
        var start = from
        var failures = 0
        while true {
            var reason = "the server closed the connection"
            do {
                let client = try ProtocolClient(host: host, port: port)
                defer { client.close() }
                failures = 0
                try client.send(ParsedRequest(id: .string("tail"), request: .subscribe(SubscribeRequest(from: start, filter: filter))))
                while let line = try client.next(timeout: 24 * 3600) {
                    switch line.type {
                    case "event":
                        guard let event = line.event else { continue }
                        start = .position(event.position.next)
                        if try !body(.event(event, line: line.bytes)) { return }
                    case "caught_up":
                        if let next = line.next { start = .position(next) }
                        if try !body(.caughtUp(next: line.next ?? .start)) { return }
                    case "fell_behind":
                        if try !body(.fellBehind(next: line.next ?? .start)) { return }
                    case "end", "error":
                        if let next = line.next { start = .position(next) }
                        if let error = line.error, !error.closes, error.code != .shuttingDown {
                            throw ProtocolClientError.refused(error)
                        }
                        reason = line.node["reason"]?.stringValue ?? line.error?.message ?? reason
                    default:
                        continue
                    }
                }
            } catch let error as ProtocolClientError {
                if case .refused(let e) = error, e.code != .tooManyConnections, e.code != .shuttingDown { throw error }
                reason = "\(error)"
                failures += 1
            } catch {
                reason = "\(error)"
                failures += 1
            }
            if let maxAttempts, failures >= maxAttempts { throw ProtocolClientError.closed }
            let next: Position = if case .position(let p) = start { p } else { .start }
            if try !body(.reconnecting(next: next, reason: reason)) { return }
            Thread.sleep(forTimeInterval: retryDelay)
        }
    }
}
