import DatelineCore
import DatelineJSON
import NIOCore

/// A request's `id`: a string or an integer chosen by the client, echoed on every line produced
/// for the request. A subscription is known by the id of its `subscribe` request.
public enum RequestID: Hashable, Sendable, CustomStringConvertible {
    case string(String)
    case number(Int64)

    /// Longest string id accepted, in bytes (it is echoed on every line of a subscription).
    public static let maxBytes = 128

    public var description: String {
        switch self {
        case .string(let s): s
        case .number(let n): String(n)
        }
    }

    /// The id from a JSON value, when it is a string (1 to 128 bytes) or a whole number.
    public init?(_ node: JSONNode) {
        switch node.value {
        case .string(let s) where !s.isEmpty && s.utf8.count <= RequestID.maxBytes: self = .string(s)
        case .number(let text):
            guard let n = Int64(text) else { return nil }
            self = .number(n)
        default: return nil
        }
    }
}

/// The operations of the protocol, with their wire names.
public enum Op: String, Sendable, CaseIterable, CustomStringConvertible {
    case hello, ping, help, auth, ingest, append, read, replay, subscribe, unsubscribe, query, stats, quit

    public var description: String { rawValue }

    /// Ops that change the log; a server started with a token requires `auth` before these.
    public var isWrite: Bool { self == .ingest || self == .append }
}

/// A line the server understood: the request, its id, and whether it came as a bare word.
public struct ParsedRequest: Sendable, Equatable {
    public var id: RequestID?
    public var request: Request
    /// True for `PING`, `HELP`, `STATS`, `TAIL [n]`, `QUIT` typed at a terminal.
    public var isBareWord: Bool

    public init(id: RequestID?, request: Request, isBareWord: Bool = false) {
        self.id = id
        self.request = request
        self.isBareWord = isBareWord
    }
}

/// One request, with every field validated into the domain's types.
public enum Request: Sendable, Equatable {
    /// The client names itself (shown in `stats`).
    case hello(client: String?)
    case ping
    case help
    case auth(token: String)
    case ingest(Article)
    case append(AppendRequest)
    case read(ReadRequest)
    case replay(ReplayRequest)
    /// Also what `TAIL [n]` becomes (`from: .last(n)`, no filters).
    case subscribe(SubscribeRequest)
    /// Ends the subscription whose `subscribe` request had this id.
    case unsubscribe(subscription: RequestID)
    case query(QueryRequest)
    case stats
    case quit

    public var op: Op {
        switch self {
        case .hello: .hello
        case .ping: .ping
        case .help: .help
        case .auth: .auth
        case .ingest: .ingest
        case .append: .append
        case .read: .read
        case .replay: .replay
        case .subscribe: .subscribe
        case .unsubscribe: .unsubscribe
        case .query: .query
        case .stats: .stats
        case .quit: .quit
        }
    }
}

/// An event to append as the client sent it. `data` is the bytes of the request's JSON object,
/// cut out verbatim. Without `event_id` the server generates one, and a retry is then not
/// recognised as a duplicate.
public struct AppendEvent: Sendable, Equatable {
    public var eventID: EventID?
    public var type: EventType
    public var data: [UInt8]

    public init(eventID: EventID?, type: EventType, data: [UInt8]) {
        self.eventID = eventID
        self.type = type
        self.data = data
    }
}

public struct AppendRequest: Sendable, Equatable {
    public var stream: StreamName
    public var expect: ExpectedVersion
    public var events: [AppendEvent]

    public init(stream: StreamName, expect: ExpectedVersion, events: [AppendEvent]) {
        self.stream = stream
        self.expect = expect
        self.events = events
    }

    /// The events for the store, with `makeID` called for each event that came without an id.
    public func proposedEvents(makeID: () -> EventID) -> [ProposedEvent] {
        events.map { ProposedEvent(id: $0.eventID ?? makeID(), type: $0.type, data: $0.data) }
    }
}

public struct ReadRequest: Sendable, Equatable {
    public var stream: StreamName
    /// First version to return (inclusive); 0 reads the whole stream.
    public var fromVersion: StreamVersion
    public var limit: Int?

    public init(stream: StreamName, fromVersion: StreamVersion = StreamVersion(0), limit: Int? = nil) {
        self.stream = stream
        self.fromVersion = fromVersion
        self.limit = limit
    }
}

/// Where a replay or subscription begins. Positions are inclusive: `.position(12)` delivers the
/// event at 12 first.
public enum StartPoint: Sendable, Equatable {
    /// The first event of the log.
    case start
    /// The next event appended after the request (nothing from history).
    case now
    case position(Position)
    /// The first event recorded at or after this moment.
    case time(Timestamp)
    /// The last `n` events, then on (`TAIL n`).
    case last(Int)
}

public struct ReplayRequest: Sendable, Equatable {
    public var from: StartPoint
    public var filter: SubscriptionFilter
    /// Stop after this many matching events; `end` then carries the `next` position to continue.
    public var limit: Int?

    public init(from: StartPoint = .start, filter: SubscriptionFilter = SubscriptionFilter(), limit: Int? = nil) {
        self.from = from
        self.filter = filter
        self.limit = limit
    }
}

public struct SubscribeRequest: Sendable, Equatable {
    public var from: StartPoint
    public var filter: SubscriptionFilter

    public init(from: StartPoint = .now, filter: SubscriptionFilter = SubscriptionFilter()) {
        self.from = from
        self.filter = filter
    }
}

public enum QueryKind: String, Sendable, CaseIterable {
    case statements, tensions
}

public enum Bucket: String, Sendable, CaseIterable {
    case day, week, month
}

/// The CLI's timeline filters, as a request. Which fields apply depends on `kind`:
/// statements take speaker, actor, since, until, grep, limit; tensions take pair, actor, since,
/// until, bucket, top, limit.
public struct QueryRequest: Sendable, Equatable {
    public var kind: QueryKind
    public var speaker: String?
    public var actor: ActorCode?
    public var pair: ActorPair?
    public var since: CalendarDate?
    public var until: CalendarDate?
    public var grep: String?
    public var bucket: Bucket?
    public var limit: Int?
    public var top: Int?

    public init(kind: QueryKind, speaker: String? = nil, actor: ActorCode? = nil, pair: ActorPair? = nil,
                since: CalendarDate? = nil, until: CalendarDate? = nil, grep: String? = nil, bucket: Bucket? = nil,
                limit: Int? = nil, top: Int? = nil) {
        self.kind = kind
        self.speaker = speaker
        self.actor = actor
        self.pair = pair
        self.since = since
        self.until = until
        self.grep = grep
        self.bucket = bucket
        self.limit = limit
        self.top = top
    }
}

// MARK: - Parsing

/// Turns one line (as framed by `NDJSONFrameDecoder`) into a `ParsedRequest` or the
/// `ProtocolError` to send back. Pure: no I/O, no clock, no state between lines.
public struct RequestParser: Sendable {
    public var limits: ProtocolLimits
    /// Which actor codes exist (the server passes its gazetteer's): an `actor` or `pair` filter
    /// naming another is `bad_request` rather than a query that can never match. Nil accepts
    /// every well-formed code.
    public var knowsActor: (@Sendable (ActorCode) -> Bool)?

    public init(limits: ProtocolLimits = .default, knowsActor: (@Sendable (ActorCode) -> Bool)? = nil) {
        self.limits = limits
        self.knowsActor = knowsActor
    }

    public func parse(_ line: ByteBuffer) -> Result<ParsedRequest, ProtocolError> {
        line.withUnsafeReadableBytes { raw in
            parse(raw.assumingMemoryBound(to: UInt8.self))
        }
    }

    public func parse(_ line: String) -> Result<ParsedRequest, ProtocolError> {
        var line = line
        return line.withUTF8 { parse($0) }
    }

    public func parse(_ line: [UInt8]) -> Result<ParsedRequest, ProtocolError> {
        line.withUnsafeBufferPointer { parse($0) }
    }

    public func parse(_ line: UnsafeBufferPointer<UInt8>) -> Result<ParsedRequest, ProtocolError> {
        var lo = 0, hi = line.count
        func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0D || b == 0x0A }
        while lo < hi, isSpace(line[lo]) { lo += 1 }
        while hi > lo, isSpace(line[hi - 1]) { hi -= 1 }
        let bytes = UnsafeBufferPointer(rebasing: line[lo..<hi])
        guard let first = bytes.first else {
            return .failure(ProtocolError(.badRequest, "empty line"))
        }
        if first == UInt8(ascii: "{") || first == UInt8(ascii: "[") || first == UInt8(ascii: "\"") {
            return parseJSON(bytes)
        }
        return parseBareWords(bytes)
    }

    // MARK: JSON requests

    private func parseJSON(_ bytes: UnsafeBufferPointer<UInt8>) -> Result<ParsedRequest, ProtocolError> {
        if JSON.nestingDepth(bytes, stoppingAbove: limits.maxDepth) > limits.maxDepth {
            return .failure(ProtocolError(.tooDeep, "JSON nests deeper than \(limits.maxDepth) levels",
                                          id: JSON.bestEffortRequestID(bytes),
                                          details: ["max_depth": .int(limits.maxDepth)]))
        }
        var reader = JSONReader(bytes, maxDepth: limits.maxDepth)
        let root: JSONNode
        do {
            root = try reader.parseDocument()
        } catch {
            return .failure(ProtocolError(.badJSON, "invalid JSON: \(error)", id: JSON.bestEffortRequestID(bytes)))
        }
        guard case .object(let members) = root.value else {
            return .failure(ProtocolError(.badRequest, "a request is a JSON object such as {\"op\":\"ping\"}"))
        }
        var id: RequestID?
        if let idNode = members["id"], !idNode.isNull {
            guard let parsed = RequestID(idNode) else {
                return .failure(ProtocolError(.badRequest, "id must be a string of 1 to \(RequestID.maxBytes) bytes or a whole number"))
            }
            id = parsed
        }
        guard let opNode = members["op"], !opNode.isNull else {
            return .failure(ProtocolError(.badRequest, "missing \"op\"; send {\"op\":\"help\"} for the list", id: id))
        }
        guard let opName = opNode.stringValue else {
            return .failure(ProtocolError(.badRequest, "op must be a string", id: id))
        }
        guard let op = Op(rawValue: opName.lowercased()) else {
            return .failure(ProtocolError(.unknownOp,
                                          "unknown op \"\(opName.prefix(40))\"; ops are \(Op.allCases.map(\.rawValue).joined(separator: ", "))",
                                          id: id))
        }
        let fields = Fields(members: members, id: id, source: bytes, limits: limits, knowsActor: knowsActor)
        do throws(ProtocolError) {
            let request = try fields.request(for: op)
            return .success(ParsedRequest(id: id, request: request))
        } catch {
            return .failure(error)
        }
    }

    // MARK: Bare words

    private func parseBareWords(_ bytes: UnsafeBufferPointer<UInt8>) -> Result<ParsedRequest, ProtocolError> {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            return .failure(ProtocolError(.badJSON, "not valid UTF-8; send a JSON object or a command such as HELP"))
        }
        let words = text.split(whereSeparator: { $0 == " " || $0 == "\t" })
        let command = words.first.map { String($0).uppercased() } ?? ""
        let arguments = words.dropFirst()
        func noArguments(_ request: Request) -> Result<ParsedRequest, ProtocolError> {
            guard arguments.isEmpty else {
                return .failure(ProtocolError(.badRequest, "\(command) takes no arguments"))
            }
            return .success(ParsedRequest(id: nil, request: request, isBareWord: true))
        }
        switch command {
        case "PING": return noArguments(.ping)
        case "HELP": return noArguments(.help)
        case "STATS": return noArguments(.stats)
        case "QUIT", "EXIT": return noArguments(.quit)
        case "TAIL":
            var count = 10
            if let argument = arguments.first {
                guard arguments.count == 1, let n = Int(argument), n >= 0, n <= limits.maxTail else {
                    return .failure(ProtocolError(.badRequest, "usage: TAIL [n], n a number from 0 to \(limits.maxTail)"))
                }
                count = n
            }
            return .success(ParsedRequest(id: nil, request: .subscribe(SubscribeRequest(from: .last(count))), isBareWord: true))
        default:
            var reader = JSONReader(bytes, maxDepth: 1)
            if (try? reader.parseDocument()) != nil {
                return .failure(ProtocolError(.badRequest, "a request is a JSON object such as {\"op\":\"ping\"}"))
            }
            let shown = command.count > 32 ? String(command.prefix(32)) + "…" : command
            return .failure(ProtocolError(.unknownOp,
                                          "unknown command \"\(shown)\"; commands are PING, HELP, STATS, TAIL [n], QUIT, or a JSON request"))
        }
    }
}

/// The members of a request object, with typed readers that throw `bad_request` naming the field.
private struct Fields {
    let members: [String: JSONNode]
    let id: RequestID?
    let source: UnsafeBufferPointer<UInt8>
    let limits: ProtocolLimits
    let knowsActor: (@Sendable (ActorCode) -> Bool)?

    func bad(_ message: String) -> ProtocolError { ProtocolError(.badRequest, message, id: id) }

    /// The member, treating `null` as absent.
    func node(_ key: String, in object: [String: JSONNode]? = nil) -> JSONNode? {
        guard let n = (object ?? members)[key], !n.isNull else { return nil }
        return n
    }

    func string(_ key: String, in object: [String: JSONNode]? = nil, path: String? = nil) throws(ProtocolError) -> String? {
        guard let n = node(key, in: object) else { return nil }
        guard let s = n.stringValue else { throw bad("\(path ?? key) must be a string") }
        return s
    }

    func requiredString(_ key: String, in object: [String: JSONNode]? = nil, path: String? = nil) throws(ProtocolError) -> String {
        guard let s = try string(key, in: object, path: path) else { throw bad("missing \"\(path ?? key)\"") }
        return s
    }

    func integer(_ key: String, in object: [String: JSONNode]? = nil, path: String? = nil,
                 range: ClosedRange<Int64>) throws(ProtocolError) -> Int64? {
        guard let n = node(key, in: object) else { return nil }
        guard let v = n.int64Value, range.contains(v) else {
            let upper = range.upperBound == .max ? "" : " to \(range.upperBound)"
            throw bad("\(path ?? key) must be a whole number from \(range.lowerBound)\(upper)")
        }
        return v
    }

    func count(_ key: String) throws(ProtocolError) -> Int? {
        try integer(key, range: 1...1_000_000_000).map { Int($0) }
    }

    func identifier<T>(_ key: String, in object: [String: JSONNode]? = nil, path: String? = nil,
                       _ make: (String) throws(InvalidIdentifier) -> T) throws(ProtocolError) -> T? {
        guard let s = try string(key, in: object, path: path) else { return nil }
        do {
            return try make(s)
        } catch {
            throw bad("\(path ?? key): \(error)")
        }
    }

    func date(_ key: String) throws(ProtocolError) -> CalendarDate? {
        guard let s = try string(key) else { return nil }
        guard let d = CalendarDate(parsing: s) else { throw bad("\(key) must be a date YYYY-MM-DD") }
        return d
    }

    func request(for op: Op) throws(ProtocolError) -> Request {
        switch op {
        case .hello:
            if let version = try integer("protocol", range: 0...Int64.max), version != Int64(datelineProtocolVersion) {
                throw bad("this server speaks protocol \(datelineProtocolVersion), not \(version)")
            }
            return .hello(client: try string("client"))
        case .ping: return .ping
        case .help: return .help
        case .stats: return .stats
        case .quit: return .quit
        case .auth:
            let token = try requiredString("token")
            guard !token.isEmpty else { throw bad("token must not be empty") }
            return .auth(token: token)
        case .ingest: return .ingest(try article())
        case .append: return .append(try append())
        case .read:
            guard let stream = try identifier("stream", StreamName.init) else { throw bad("missing \"stream\"") }
            let from = try integer("from_version", range: 0...Int64.max) ?? 0
            return .read(ReadRequest(stream: stream, fromVersion: StreamVersion(from), limit: try count("limit")))
        case .replay:
            return .replay(ReplayRequest(from: try startPoint() ?? .start, filter: try filter(), limit: try count("limit")))
        case .subscribe:
            return .subscribe(SubscribeRequest(from: try startPoint() ?? .now, filter: try filter()))
        case .unsubscribe:
            guard let n = node("subscription") else {
                throw bad("missing \"subscription\": the id of the subscribe request to end")
            }
            guard let target = RequestID(n) else { throw bad("subscription must be a string or a whole number") }
            return .unsubscribe(subscription: target)
        case .query: return .query(try query())
        }
    }

    func article() throws(ProtocolError) -> Article {
        guard let a = node("article") else {
            throw bad("missing \"article\": an object {\"text\", \"date\", \"title\"?, \"source\"?, \"url\"?, \"id\"?}")
        }
        guard case .object(let o) = a.value else { throw bad("article must be an object") }
        let text = try requiredString("text", in: o, path: "article.text")
        guard !text.trimmingASCIIWhitespace().isEmpty else { throw bad("article.text must not be empty") }
        let dateText = try requiredString("date", in: o, path: "article.date")
        // A date, or a timestamp whose date part is taken as written.
        let date = CalendarDate(parsing: dateText)
            ?? (Timestamp(parsing: dateText) != nil ? CalendarDate(parsing: String(dateText.prefix(10))) : nil)
        guard let date else { throw bad("article.date must be a date YYYY-MM-DD") }
        var recordID: String?
        if let n = node("id", in: o) {
            switch n.value {
            case .string(let s): recordID = s
            case .number(let t): recordID = t
            default: throw bad("article.id must be a string")
            }
        }
        return Article(id: recordID, date: date,
                       title: try string("title", in: o, path: "article.title"),
                       source: try string("source", in: o, path: "article.source"),
                       url: try string("url", in: o, path: "article.url"),
                       text: text)
    }

    func append() throws(ProtocolError) -> AppendRequest {
        guard let stream = try identifier("stream", StreamName.init) else { throw bad("missing \"stream\"") }
        let expect: ExpectedVersion
        if let e = node("expect") {
            let parsed: ExpectedVersion? = switch e.value {
            case .string(let s): ExpectedVersion(parsing: s)
            case .number: e.int64Value.flatMap { $0 >= 0 ? ExpectedVersion.exact(StreamVersion($0)) : nil }
            default: nil
            }
            guard let parsed else {
                throw bad("expect must be \"any\", \"no_stream\", \"exists\" or a stream version (a whole number from 0)")
            }
            expect = parsed
        } else {
            expect = .any
        }
        guard let eventsNode = node("events") else { throw bad("missing \"events\": a list of {\"type\", \"data\", \"event_id\"?}") }
        guard case .array(let list) = eventsNode.value else { throw bad("events must be a list") }
        guard !list.isEmpty else { throw bad("events must not be empty") }
        var events: [AppendEvent] = []
        events.reserveCapacity(list.count)
        var seen = Set<EventID>()
        for (i, item) in list.enumerated() {
            let path = "events[\(i)]"
            guard case .object(let o) = item.value else { throw bad("\(path) must be an object") }
            guard let type = try identifier("type", in: o, path: "\(path).type", { s throws(InvalidIdentifier) in try EventType(s) }) else {
                throw bad("missing \"\(path).type\"")
            }
            let eventID = try identifier("event_id", in: o, path: "\(path).event_id", EventID.init)
            if let eventID, !seen.insert(eventID).inserted {
                throw bad("\(path).event_id repeats an event_id of the same batch")
            }
            guard let data = o["data"] else { throw bad("missing \"\(path).data\": a JSON object") }
            guard case .object = data.value else { throw bad("\(path).data must be a JSON object") }
            guard data.range.count <= limits.maxEventBytes else {
                throw bad("\(path).data is \(data.range.count) bytes; the limit is \(limits.maxEventBytes)")
            }
            events.append(AppendEvent(eventID: eventID, type: type,
                                      data: Array(UnsafeBufferPointer(rebasing: source[data.range]))))
        }
        return AppendRequest(stream: stream, expect: expect, events: events)
    }

    func startPoint() throws(ProtocolError) -> StartPoint? {
        let last = try integer("last", range: 0...Int64(limits.maxTail))
        guard let n = node("from") else { return last.map { .last(Int($0)) } }
        if last != nil { throw bad("give either \"from\" or \"last\", not both") }
        let usage = "from must be \"start\", \"now\", a position (a whole number from 0) or a time such as 2022-01-27T09:30:00Z"
        switch n.value {
        case .number:
            guard let p = n.int64Value, p >= 0 else { throw bad(usage) }
            return .position(Position(p))
        case .string(let s):
            switch s.lowercased() {
            case "start": return .start
            case "now": return .now
            default:
                if let p = Int64(s) {
                    guard p >= 0 else { throw bad(usage) }
                    return .position(Position(p))
                }
                guard let t = Timestamp(parsing: s) else { throw bad(usage) }
                return .time(t)
            }
        default:
            throw bad(usage)
        }
    }

    func filter() throws(ProtocolError) -> SubscriptionFilter {
        var f = SubscriptionFilter()
        if let t = node("types") {
            let names: [JSONNode]
            switch t.value {
            case .string: names = [t]
            case .array(let list): names = list
            default: throw bad("types must be a list of event types")
            }
            guard !names.isEmpty else { throw bad("types must name at least one event type (leave it out for all)") }
            for n in names {
                guard let s = n.stringValue else { throw bad("types must be a list of strings") }
                do {
                    f.types.insert(try EventTypeName.resolve(s))
                } catch {
                    throw bad("types: \(error)")
                }
            }
        }
        if let prefix = try string("stream_prefix") {
            guard !prefix.isEmpty else { throw bad("stream_prefix must not be empty") }
            f.streamPrefix = prefix
        }
        f.actor = try actor()
        f.pair = try pair()
        if let speaker = try string("speaker") {
            let trimmed = speaker.trimmingASCIIWhitespace()
            guard !trimmed.isEmpty else { throw bad("speaker must not be empty") }
            f.speaker = trimmed
        }
        return f
    }

    /// `actor`: a code the server knows.
    func actor() throws(ProtocolError) -> ActorCode? {
        guard let code = try identifier("actor", ActorCode.init) else { return nil }
        if let knowsActor, !knowsActor(code) { throw bad("actor: unknown actor code \(code)") }
        return code
    }

    /// `pair`: two different actors the server knows.
    func pair() throws(ProtocolError) -> ActorPair? {
        guard let pair = try identifier("pair", ActorPair.init(parsing:)) else { return nil }
        if pair.first == pair.second { throw bad("pair: \(pair.first) twice; a pair is two different actors such as RUS-UKR") }
        if let knowsActor {
            for code in [pair.first, pair.second] where !knowsActor(code) { throw bad("pair: unknown actor code \(code)") }
        }
        return pair
    }

    func query() throws(ProtocolError) -> QueryRequest {
        let kindText = try requiredString("kind")
        guard let kind = QueryKind(rawValue: kindText.lowercased()) else {
            throw bad("kind must be \"statements\" or \"tensions\"")
        }
        let onlyFor: [(String, QueryKind)] = [("speaker", .statements), ("grep", .statements),
                                             ("pair", .tensions), ("bucket", .tensions), ("top", .tensions)]
        for (key, owner) in onlyFor where owner != kind && node(key) != nil {
            throw bad("\(key) applies to kind \(owner.rawValue), not \(kind.rawValue)")
        }
        var q = QueryRequest(kind: kind)
        if let speaker = try string("speaker") {
            let trimmed = speaker.trimmingASCIIWhitespace()
            guard !trimmed.isEmpty else { throw bad("speaker must not be empty") }
            q.speaker = trimmed
        }
        q.actor = try actor()
        q.pair = try pair()
        q.since = try date("since")
        q.until = try date("until")
        if let since = q.since, let until = q.until, until < since {
            throw bad("until (\(until)) is before since (\(since))")
        }
        q.grep = try string("grep")
        if let b = try string("bucket") {
            guard let bucket = Bucket(rawValue: b.lowercased()) else { throw bad("bucket must be day, week or month") }
            q.bucket = bucket
        }
        q.limit = try count("limit")
        q.top = try count("top")
        return q
    }
}
