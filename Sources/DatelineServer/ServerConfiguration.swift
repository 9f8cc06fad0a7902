import Foundation
import DatelineCore
import DatelineProtocol
import NIOCore

/// Answers a `query` request (the statement and tension timelines). The server calls it off the
/// event loops and writes each returned object as one `row` line, then the `end` line.
///
/// Throw a `ProtocolError` to answer with its code (`bad_request`, `not_found`, …); any other
/// error becomes `internal` with its description. The integrator implements this with the
/// projections; until it is set, `query` answers `not_found`.
public typealias QueryHandler = @Sendable (QueryRequest) async throws -> [ReplyObject]

/// The timelines' state for `stats`: per projection its checkpoint, lag and skipped events.
public typealias TimelineStatsHandler = @Sendable () async throws -> [ReplyObject]

/// Everything `DatelineServer` needs besides the engine and a logger.
public struct ServerConfiguration: Sendable {
    /// Address to bind. Anything but a loopback address requires `token`.
    public var host: String
    /// Port to bind; 0 lets the system choose (read it back from `DatelineServer.port`).
    public var port: Int
    /// When set, `ingest` and `append` need `{"op":"auth","token":…}` first on each connection.
    public var token: String?
    /// With a token, also require `auth` before reads (read, replay, subscribe, query, stats).
    public var readsNeedAuth: Bool
    /// Bounds enforced per server and connection; announced in the hello line.
    public var limits: ProtocolLimits
    /// Shown in the hello line.
    public var serverVersion: String
    /// Event-loop threads; 0 means one per core.
    public var eventLoopThreads: Int
    /// Threads that run the connections' log reads (replay pages, catch-up, read, time lookups) off the event loops.
    public var readThreads: Int
    /// Events read from the log per page when replaying or catching a subscriber up.
    public var pageEvents: Int
    /// Besides `limits.subscriberBufferEvents`, a subscriber's live buffer also overflows when
    /// its queued payload bytes pass this, so large events cannot pile up either.
    public var subscriberBufferBytes: Int
    /// How long shutdown waits for in-flight ingests and appends before closing anyway.
    public var shutdownGracePeriod: TimeAmount
    /// The socket's kernel send buffer (SO_SNDBUF); nil keeps the system's autotuning. Tests set
    /// it small so a client that stops reading is noticed after kilobytes instead of megabytes.
    public var socketSendBufferBytes: Int?
    /// Answers `query`; nil until the timelines are wired in.
    public var queryHandler: QueryHandler?
    /// Adds `timelines` to `stats`; nil leaves it out.
    public var timelineStats: TimelineStatsHandler?

    public init(host: String = "127.0.0.1", port: Int = 7411, token: String? = nil, readsNeedAuth: Bool = false,
                limits: ProtocolLimits = .default, serverVersion: String = "datelined \(DatelineTCPServer.version)",
                eventLoopThreads: Int = 0, readThreads: Int = 2, pageEvents: Int = 256,
                subscriberBufferBytes: Int = 8 << 20, shutdownGracePeriod: TimeAmount = .seconds(10),
                socketSendBufferBytes: Int? = nil, queryHandler: QueryHandler? = nil) {
        self.host = host
        self.port = port
        self.token = token
        self.readsNeedAuth = readsNeedAuth
        self.limits = limits
        self.serverVersion = serverVersion
        self.eventLoopThreads = eventLoopThreads
        self.readThreads = readThreads
        self.pageEvents = pageEvents
        self.subscriberBufferBytes = subscriberBufferBytes
        self.shutdownGracePeriod = shutdownGracePeriod
        self.socketSendBufferBytes = socketSendBufferBytes
        self.queryHandler = queryHandler
    }

    /// Whether `host` names only this machine: every address it resolves to is in 127.0.0.0/8
    /// or is ::1 (or ::ffff:127.x.x.x). Compared as resolved addresses, not as text: a name
    /// such as `127.evil.example` starts like a loopback address but need not be one. A name
    /// that does not resolve is not loopback.
    public static func isLoopback(_ host: String) -> Bool {
        var h = host
        if h.hasPrefix("["), h.hasSuffix("]") { h = String(h.dropFirst().dropLast()) }
        if h.lowercased() == "localhost" { return true }  // RFC 6761: always this machine
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(h, nil, &hints, &list) == 0, let first = list else { return false }
        defer { freeaddrinfo(list) }
        var node: UnsafeMutablePointer<addrinfo>? = first
        while let n = node {
            guard let address = n.pointee.ai_addr else { return false }
            switch Int32(address.pointee.sa_family) {
            case AF_INET:
                let v4 = address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr.s_addr }
                guard UInt32(bigEndian: v4) >> 24 == 127 else { return false }
            case AF_INET6:
                let bytes = address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { p in
                    withUnsafeBytes(of: p.pointee.sin6_addr) { Array($0) }
                }
                let isOne = bytes[0..<15].allSatisfy { $0 == 0 } && bytes[15] == 1
                let mapped127 = bytes[0..<10].allSatisfy { $0 == 0 } && bytes[10] == 0xFF && bytes[11] == 0xFF && bytes[12] == 127
                guard isOne || mapped127 else { return false }
            default:
                return false
            }
            node = n.pointee.ai_next
        }
        return true
    }
}

/// Why a server could not start.
public enum ServerError: Error, CustomStringConvertible, Sendable {
    /// Binding a non-loopback address without a token would expose writes to the network.
    case tokenRequired(host: String)
    case bindFailed(host: String, port: Int, reason: String)
    case alreadyStarted

    public var description: String {
        switch self {
        case .tokenRequired(let host):
            "binding \(host) exposes the server beyond this machine; give --token to protect writes"
        case .bindFailed(let host, let port, let reason): "cannot listen on \(host):\(port): \(reason)"
        case .alreadyStarted: "the server is already started"
        }
    }
}
