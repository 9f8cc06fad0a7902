import DatelineCore
import DatelineJSON
import NIOCore

// The client's half of the codec: requests written as lines, and server lines read back. The CLI
// (`dateline tail --server`, `dateline ingest --server`) and the server tests use it, so both sides
// of a conversation go through one definition of the wire format.

extension ParsedRequest {
    /// Writes the request as one JSON line (ending in `\n`) that `RequestParser` reads back as
    /// `self` (bare words are written as their JSON form).
    public func write(into buffer: inout ByteBuffer) {
        var w = ReplyWriter(buffer: buffer)
        buffer = ByteBuffer()
        w.beginObject()
        w.field("op", .string(request.op.rawValue))
        if let id { w.key("id"); w.requestID(id) }
        switch request {
        case .ping, .help, .stats, .quit: break
        case .hello(let client):
            w.field("protocol", .int(datelineProtocolVersion))
            if let client { w.field("client", .string(client)) }
        case .auth(let token): w.field("token", .string(token))
        case .ingest(let a):
            w.key("article")
            w.beginObject()
            w.field("text", .string(a.text))
            w.field("date", .string(a.date.description))
            if let t = a.title { w.field("title", .string(t)) }
            if let s = a.source { w.field("source", .string(s)) }
            if let u = a.url { w.field("url", .string(u)) }
            if let i = a.id { w.field("id", .string(i)) }
            w.endObject()
        case .append(let a):
            w.field("stream", .string(a.stream.rawValue))
            w.field("expect", .string(a.expect.description))
            w.key("events")
            w.beginArray()
            for e in a.events {
                w.beginObject()
                if let id = e.eventID { w.field("event_id", .string(id.rawValue)) }
                w.field("type", .string(e.type.rawValue))
                w.key("data")
                w.raw(e.data)
                w.endObject()
            }
            w.endArray()
        case .read(let r):
            w.field("stream", .string(r.stream.rawValue))
            w.field("from_version", .int(r.fromVersion.rawValue))
            if let limit = r.limit { w.field("limit", .int(limit)) }
        case .replay(let r):
            Self.write(r.from, &w)
            Self.write(r.filter, &w)
            if let limit = r.limit { w.field("limit", .int(limit)) }
        case .subscribe(let s):
            Self.write(s.from, &w)
            Self.write(s.filter, &w)
        case .unsubscribe(let target):
            w.key("subscription")
            w.requestID(target)
        case .query(let q):
            w.field("kind", .string(q.kind.rawValue))
            if let v = q.speaker { w.field("speaker", .string(v)) }
            if let v = q.actor { w.field("actor", .string(v.rawValue)) }
            if let v = q.pair { w.field("pair", .string(v.description)) }
            if let v = q.since { w.field("since", .string(v.description)) }
            if let v = q.until { w.field("until", .string(v.description)) }
            if let v = q.grep { w.field("grep", .string(v)) }
            if let v = q.bucket { w.field("bucket", .string(v.rawValue)) }
            if let v = q.limit { w.field("limit", .int(v)) }
            if let v = q.top { w.field("top", .int(v)) }
        }
        w.endObject()
        w.newline()
        buffer = w.buffer
    }

    /// The request as one line of bytes.
    public var line: ByteBuffer {
        var b = ByteBuffer()
        write(into: &b)
        return b
    }

    private static func write(_ from: StartPoint, _ w: inout ReplyWriter) {
        switch from {
        case .start: w.field("from", "start")
        case .now: w.field("from", "now")
        case .position(let p): w.field("from", .position(p))
        case .time(let t): w.field("from", .string(t.description))
        case .last(let n): w.field("last", .int(n))
        }
    }

    private static func write(_ f: SubscriptionFilter, _ w: inout ReplyWriter) {
        w.fields(f.replyFields)
    }
}

/// One line from the server, read by a client. `node` gives every field; the accessors decode
/// the common ones into the domain's types.
public struct ServerLine: Sendable {
    /// `hello`, `ok`, `end`, `error`, `event`, `caught_up`, `fell_behind`, `heartbeat`, `help`, `row`,
    /// `shutting_down`.
    public var type: String
    public var id: RequestID?
    public var node: JSONNode
    /// The line's bytes (without the newline); `node` ranges index into them.
    public var bytes: [UInt8]

    /// Reads a line (with or without its newline). Payloads nest at most `maxDepth` levels.
    public init(_ line: some Collection<UInt8>, maxDepth: Int = 128) throws(JSONSyntaxError) {
        var bytes = Array(line)
        while let last = bytes.last, last == 0x0A || last == 0x0D { bytes.removeLast() }
        let node = try JSON.parse(bytes, maxDepth: maxDepth)
        guard let type = node["type"]?.stringValue else {
            throw JSONSyntaxError(offset: 0, reason: "a server line has a string \"type\"")
        }
        self.type = type
        self.id = node["id"].flatMap(RequestID.init)
        self.node = node
        self.bytes = bytes
    }

    /// Whether this line ends its request (`ok`, `end`, `error`).
    public var isTerminal: Bool { type == "ok" || type == "end" || type == "error" }

    public var op: Op? { node["op"]?.stringValue.flatMap(Op.init(rawValue:)) }

    /// The error, for an `error` line (an unknown code reads as `internal`).
    public var error: ProtocolError? {
        guard type == "error" else { return nil }
        let code = node["code"]?.stringValue.flatMap(ErrorCode.init(rawValue:)) ?? .internal
        return ProtocolError(code, node["message"]?.stringValue ?? "", id: id, closes: node["closes"]?.boolValue ?? false)
    }

    /// The event, for an `event` line, with `data` cut from the line byte for byte.
    public var event: RecordedEvent? {
        guard type == "event",
              let position = node["position"]?.int64Value,
              let streamText = node["stream"]?.stringValue, let stream = try? StreamName(streamText),
              let version = node["version"]?.int64Value,
              let typeText = node["event_type"]?.stringValue, let eventType = try? EventType(typeText),
              let idText = node["event_id"]?.stringValue, let eventID = try? EventID(idText),
              let recordedText = node["recorded_at"]?.stringValue, let recordedAt = Timestamp(parsing: recordedText),
              let data = node["data"]
        else { return nil }
        return RecordedEvent(position: Position(position), stream: stream, version: StreamVersion(version), id: eventID,
                             type: eventType, recordedAt: recordedAt, data: Array(bytes[data.range]))
    }

    /// `next` (a position) on `end`, `caught_up` and `fell_behind` lines.
    public var next: Position? { node["next"]?.int64Value.map { Position($0) } }
    /// `head` on `hello`, `ok` (ping), `caught_up`, `fell_behind`, `heartbeat` and replay `end` lines.
    public var head: Position? { node["head"]?.int64Value.map { Position($0) } }
}
