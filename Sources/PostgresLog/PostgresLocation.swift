import EventLog

/// Where a PostgreSQL log lives, parsed from a `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE`
/// URL (`postgresql://` too). Its description leaves the password out, so it can appear in
/// errors and logs.
public struct PostgresLocation: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var username: String
    public var password: String?
    public var database: String

    public init(host: String, port: Int = 5432, username: String, password: String? = nil, database: String) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
    }

    /// True when `text` names a PostgreSQL log rather than a file path.
    public static func isURL(_ text: String) -> Bool {
        text.hasPrefix("postgres://") || text.hasPrefix("postgresql://")
    }

    /// Parses a URL; the message of the error says what is wrong with it, without the password.
    public init(url text: String) throws(EventLogError) {
        guard let schemeEnd = text.range(of: "://"), Self.isURL(text) else {
            throw .unavailable(location: "(not a URL)", reason: "a PostgreSQL log is named by a postgres://USER@HOST:PORT/DATABASE URL")
        }
        var rest = Substring(text[schemeEnd.upperBound...])
        if let query = rest.firstIndex(of: "?") { rest = rest[..<query] }
        guard let at = rest.lastIndex(of: "@") else {
            throw .unavailable(location: "postgres://…", reason: "the URL names no user (postgres://USER@HOST/DATABASE)")
        }
        let credentials = rest[..<at]
        let afterAt = rest[rest.index(after: at)...]
        if let colon = credentials.firstIndex(of: ":") {
            username = Self.percentDecoded(credentials[..<colon])
            password = Self.percentDecoded(credentials[credentials.index(after: colon)...])
        } else {
            username = Self.percentDecoded(credentials)
            password = nil
        }
        guard let slash = afterAt.firstIndex(of: "/") else {
            throw .unavailable(location: "postgres://\(username)@\(afterAt)", reason: "the URL names no database (…/DATABASE)")
        }
        let hostPort = afterAt[..<slash]
        database = Self.percentDecoded(afterAt[afterAt.index(after: slash)...])
        if let colon = hostPort.lastIndex(of: ":"), !hostPort.hasSuffix("]") {
            host = String(hostPort[..<colon])
            guard let value = Int(hostPort[hostPort.index(after: colon)...]), (1...65535).contains(value) else {
                throw .unavailable(location: "postgres://\(username)@\(hostPort)", reason: "the port is not a number from 1 to 65535")
            }
            port = value
        } else {
            host = String(hostPort)
            port = 5432
        }
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        if username.isEmpty || host.isEmpty || database.isEmpty {
            throw .unavailable(location: "postgres://…", reason: "the URL needs a user, a host and a database")
        }
    }

    public var description: String {
        let shownHost = host.contains(":") ? "[\(host)]" : host
        return "postgres://\(username)@\(shownHost):\(port)/\(database)"
    }

    private static func percentDecoded(_ text: Substring) -> String {
        String(text).removingPercentEncodingSafely
    }
}

private extension String {
    /// `%XX` escapes decoded; anything that is not a valid escape is kept as written.
    var removingPercentEncodingSafely: String {
        guard contains("%") else { return self }
        let input = Array(utf8)
        var bytes: [UInt8] = []
        var i = 0
        while i < input.count {
            if input[i] == UInt8(ascii: "%"), i + 2 < input.count,
               let value = UInt8(String(decoding: input[(i + 1)...(i + 2)], as: UTF8.self), radix: 16) {
                bytes.append(value)
                i += 3
            } else {
                bytes.append(input[i])
                i += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
