import DatelineCore
import DatelineProtocol

/// Decides what a parsed request becomes on this connection: refused (authentication, bounds,
/// reserved names, no timelines) or a job for the connection to run. Pure: no I/O, no state of
/// its own, so every refusal is testable without a socket.
struct RequestRouter: Sendable {
    let writesNeedAuth: Bool
    let readsNeedAuth: Bool
    let limits: ProtocolLimits
    let answersQueries: Bool

    init(configuration: ServerConfiguration) {
        writesNeedAuth = configuration.token != nil
        readsNeedAuth = configuration.readsNeedAuth
        limits = configuration.limits
        answersQueries = configuration.queryHandler != nil
    }

    init(writesNeedAuth: Bool, readsNeedAuth: Bool = false, limits: ProtocolLimits = .default, answersQueries: Bool = true) {
        self.writesNeedAuth = writesNeedAuth
        self.readsNeedAuth = readsNeedAuth
        self.limits = limits
        self.answersQueries = answersQueries
    }

    /// What the connection does with a request.
    enum Job: Equatable {
        case refuse(ProtocolError)
        case hello(client: String?)
        case ping
        case help
        case auth(token: String)
        case ingest(Article)
        case append(DatelineProtocol.AppendRequest)
        case read(ReadRequest)
        case replay(ReplayRequest)
        case subscribe(SubscribeRequest)
        case unsubscribe(RequestID)
        case query(QueryRequest)
        case stats
        case quit
    }

    /// Ops open to a client that has not authenticated when reads need auth too.
    private static let openOps: Set<Op> = [.hello, .ping, .help, .auth, .quit]

    func route(_ parsed: ParsedRequest, authenticated: Bool) -> Job {
        let id = parsed.id
        let op = parsed.request.op
        if writesNeedAuth && !authenticated {
            if op.isWrite { return .refuse(ProtocolError.authRequired(id: id)) }
            if readsNeedAuth && !Self.openOps.contains(op) {
                return .refuse(ProtocolError(.authRequired, "this server needs {\"op\":\"auth\",\"token\":\"…\"} before reads and writes",
                                             id: id))
            }
        }
        switch parsed.request {
        case .hello(let client): return .hello(client: client.map { String($0.prefix(128)) })
        case .ping: return .ping
        case .help: return .help
        case .auth(let token): return .auth(token: token)
        case .ingest(let article): return .ingest(article)
        case .append(let request):
            // The engine's streams, types and ids are written only by ingest (see `EngineNamespace`).
            if let refusal = EngineNamespace.refusal(stream: request.stream, types: request.events.map(\.type),
                                                     ids: request.events.map(\.eventID)) {
                return .refuse(ProtocolError(.badRequest, refusal, id: id, details: ["reason": .string("reserved")]))
            }
            return .append(request)
        case .read(let request): return .read(request)
        case .replay(let request):
            if let problem = limits.problem(with: request.filter) { return .refuse(ProtocolError(.badRequest, problem, id: id)) }
            return .replay(request)
        case .subscribe(let request):
            if let problem = limits.problem(with: request.filter) { return .refuse(ProtocolError(.badRequest, problem, id: id)) }
            return .subscribe(request)
        case .unsubscribe(let target): return .unsubscribe(target)
        case .query(let request):
            if let problem = limits.problem(with: request) { return .refuse(ProtocolError(.badRequest, problem, id: id)) }
            guard answersQueries else {
                return .refuse(ProtocolError(.notFound, "queries are not available on this server (no timelines are configured)", id: id))
            }
            return .query(request)
        case .stats: return .stats
        case .quit: return .quit
        }
    }

    /// Compares a token in time that does not depend on where the first difference is.
    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        var diff = UInt8(x.count == y.count ? 0 : 1)
        for i in 0..<max(x.count, y.count) {
            diff |= (i < x.count ? x[i] : 0) ^ (i < y.count ? y[i] : 0)
        }
        return diff == 0
    }
}
