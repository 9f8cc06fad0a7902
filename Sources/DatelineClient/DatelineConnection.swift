import DatelineCore
import DatelineProtocol
import Foundation
import NIOCore

/// Where a `datelined` listens: `HOST:PORT`, `[IPv6]:PORT`, or just `PORT` for 127.0.0.1.
public struct ServerAddress: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    public init?(parsing text: String) {
        var host = "127.0.0.1"
        var portText = text
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            host = String(text[text.index(after: text.startIndex)..<close])
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else { return nil }
            portText = String(rest.dropFirst())
        } else if let colon = text.lastIndex(of: ":") {
            host = String(text[..<colon])
            portText = String(text[text.index(after: colon)...])
        }
        guard !host.isEmpty, let port = Int(portText), (1...65535).contains(port) else { return nil }
        self.host = host
        self.port = port
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

/// An error line the server answered with.
public struct RemoteError: Error, CustomStringConvertible {
    public var code: String
    public var message: String
    public var description: String { "\(message) (\(code))" }

    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }
}

/// A blocking connection to `datelined` for the CLI: one request at a time, every line of its
/// answer handed to the caller, the terminal line returned.
public final class DatelineConnection {
    private let client: LineClient
    /// The server's greeting (protocol version, head, limits).
    public let hello: ServerLine
    private var nextID = 0

    public init(_ address: ServerAddress, timeout: Double = 10) throws {
        client = try LineClient(host: address.host, port: address.port)
        guard let first = try client.readLine(timeout: timeout) else {
            throw RemoteError(code: "closed", message: "the server at \(address) closed the connection before greeting")
        }
        hello = try ServerLine(first)
        guard hello.type == "hello" else {
            throw RemoteError(code: "protocol", message: "\(address) did not greet like a Dateline server")
        }
    }

    deinit { client.close() }

    /// Sends `request` and calls `line` for each non-terminal line that answers it. Returns the
    /// terminal `ok` or `end` line; an `error` line is thrown as `RemoteError`. `timeout` bounds
    /// the wait for each line (a subscription waits as long as it is told).
    @discardableResult
    public func send(_ request: Request, timeout: Double = 60,
                     line: (ServerLine) throws -> Void = { _ in }) throws -> ServerLine {
        nextID += 1
        let id = RequestID.string("c\(nextID)")
        let buffer = ParsedRequest(id: id, request: request, isBareWord: false).line
        try client.sendRaw(Array(buffer.readableBytesView))
        while true {
            guard let bytes = try client.readLine(timeout: timeout) else {
                throw RemoteError(code: "closed", message: "the server closed the connection")
            }
            let reply = try ServerLine(bytes)
            if reply.type == "shutting_down" {
                throw RemoteError(code: "shutting_down", message: "the server is shutting down")
            }
            guard reply.id == id else { continue }  // heartbeats of other requests, if any
            if reply.type == "error" {
                let error = reply.error
                throw RemoteError(code: error?.code.rawValue ?? "error", message: error?.message ?? "request failed")
            }
            if reply.isTerminal { return reply }
            try line(reply)
        }
    }

    public func close() {
        client.close()
    }
}

extension DatelineConnection {
    /// Runs a timeline `query` and decodes each `row` line as `Row` (the rows carry the same
    /// fields as the CLI's `--json` output).
    public func rows<Row: Decodable>(_ type: Row.Type, _ query: QueryRequest) throws -> [Row] {
        let decoder = JSONDecoder()
        var rows: [Row] = []
        try send(.query(query)) { line in
            guard line.type == "row" else { return }
            rows.append(try decoder.decode(Row.self, from: Data(line.bytes)))
        }
        return rows
    }
}
