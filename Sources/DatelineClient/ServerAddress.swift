import DatelineCore
import DatelineProtocol
import Foundation

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

/// An `error` line the server answered a request with.
public struct RemoteError: Error, CustomStringConvertible {
    public var error: ProtocolError
    public var description: String { "\(error.message) (\(error.code.rawValue))" }
}

extension ProtocolClient {
    public convenience init(_ address: ServerAddress, timeout: Double = 10) throws {
        try self.init(host: address.host, port: address.port, timeout: timeout)
    }

    /// Like `call`, but an `error` answer is thrown as `RemoteError` and `body` sees only the
    /// lines before the terminal one.
    @discardableResult
    public func request(_ request: Request, timeout: Double = 60,
                        _ body: (ServerLine) throws -> Void = { _ in }) throws -> ServerLine {
        let terminal = try call(request, timeout: timeout) { line in
            if !line.isTerminal { try body(line) }
        }
        if let error = terminal.error { throw RemoteError(error: error) }
        return terminal
    }

    /// Runs a timeline `query` and decodes each `row` line as `Row` (the rows carry the same
    /// fields as the CLI's `--json` output).
    public func rows<Row: Decodable>(_ type: Row.Type, _ query: QueryRequest) throws -> [Row] {
        let decoder = JSONDecoder()
        var rows: [Row] = []
        try request(.query(query)) { line in
            guard line.type == "row" else { return }
            rows.append(try decoder.decode(Row.self, from: Data(line.bytes)))
        }
        return rows
    }
}
