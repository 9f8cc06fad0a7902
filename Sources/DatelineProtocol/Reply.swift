import DatelineCore
import DatelineJSON
import NIOCore

/// What the server announces in its first line.
public struct ServerHello: Sendable, Equatable {
    public var serverVersion: String
    public var head: Position
    public var limits: ProtocolLimits
    public var writesNeedAuth: Bool

    public init(serverVersion: String, head: Position, limits: ProtocolLimits = .default, writesNeedAuth: Bool = false) {
        self.serverVersion = serverVersion
        self.head = head
        self.limits = limits
        self.writesNeedAuth = writesNeedAuth
    }
}

/// Why a subscription (or the connection's requests) ended, on its `end` line.
public enum EndReason: String, Sendable, CaseIterable {
    case unsubscribed, quit
    case shuttingDown = "shutting_down"
}

/// Builds every line the server sends. Each function appends exactly one line (ending in `\n`)
/// to `buffer`, except `help`, which appends the help lines and their terminal `ok`.
/// Field names are snake_case; every line a request produces carries its `id` when it had one.
public enum Reply {
    /// The one line written before anything is read.
    public static func hello(_ h: ServerHello, into buffer: inout ByteBuffer) {
        var w = ReplyWriter(buffer: buffer)
        buffer = ByteBuffer()  // let the writer own the storage uniquely (no copy on write)
        w.beginObject()
        w.field("type", "hello")
        w.field("protocol", .int(datelineProtocolVersion))
        w.field("server", .string(h.serverVersion))
        w.field("head", .position(h.head))
        w.field("heartbeat_seconds", .int(h.limits.heartbeatInterval.nanoseconds / 1_000_000_000))
        w.field("writes_need_auth", .bool(h.writesNeedAuth))
        w.key("limits")
        w.beginObject()
        w.field("max_line_bytes", .int(h.limits.maxLineBytes))
        w.field("max_event_bytes", .int(h.limits.maxEventBytes))
        w.field("max_depth", .int(h.limits.maxDepth))
        w.field("max_subscriptions", .int(h.limits.maxSubscriptionsPerConnection))
        w.endObject()
        w.field("hint", "type HELP, PING, TAIL or QUIT, or send JSON requests such as {\"op\":\"ping\"}")
        w.endObject()
        w.newline()
        buffer = w.buffer
    }

    /// A terminal `ok` line: `{"type":"ok","id":…,"op":…, fields…}`.
    public static func ok(id: RequestID?, op: Op, _ fields: ReplyObject = [:], into buffer: inout ByteBuffer) {
        line(type: "ok", id: id, into: &buffer) { w in
            w.field("op", .string(op.rawValue))
            w.fields(fields)
        }
    }

    /// A terminal `end` line closing a stream of lines (read, replay, query, a subscription).
    public static func end(id: RequestID?, op: Op, _ fields: ReplyObject = [:], into buffer: inout ByteBuffer) {
        line(type: "end", id: id, into: &buffer) { w in
            w.field("op", .string(op.rawValue))
            w.fields(fields)
        }
    }

    /// A terminal `error` line: `{"type":"error","id":…,"code":…,"message":…,"closes":…, details…}`.
    public static func error(_ e: ProtocolError, into buffer: inout ByteBuffer) {
        line(type: "error", id: e.id, into: &buffer) { w in
            w.field("code", .string(e.code.rawValue))
            w.field("message", .string(e.message))
            w.field("closes", .bool(e.closes))
            w.fields(e.details)
        }
    }

    // MARK: Typed terminal lines

    /// `ok` for `hello`: names the protocol and server back to the client.
    public static func helloOK(id: RequestID?, serverVersion: String, client: String?, into buffer: inout ByteBuffer) {
        var fields: ReplyObject = ["protocol": .int(datelineProtocolVersion), "server": .string(serverVersion)]
        if let client { fields.append("client", .string(client)) }
        ok(id: id, op: .hello, fields, into: &buffer)
    }

    /// `ok` for `ping`, with the head so a client can see the log move.
    public static func pong(id: RequestID?, head: Position, into buffer: inout ByteBuffer) {
        ok(id: id, op: .ping, ["head": .position(head)], into: &buffer)
    }

    public static func authOK(id: RequestID?, into buffer: inout ByteBuffer) {
        ok(id: id, op: .auth, ["authenticated": true], into: &buffer)
    }

    public static func appendOK(id: RequestID?, _ r: AppendResult, into buffer: inout ByteBuffer) {
        ok(id: id, op: .append, [
            "stream": .string(r.stream.rawValue),
            "positions": .array(r.positions.map { .position($0) }),
            "last_version": .int(r.lastVersion.rawValue),
            "recorded_at": .string(r.recordedAt.description),
            "duplicate": .bool(r.duplicate),
        ], into: &buffer)
    }

    public static func ingestOK(id: RequestID?, _ o: IngestOutcome, into buffer: inout ByteBuffer) {
        ok(id: id, op: .ingest, [
            "stream": .string(o.stream.rawValue),
            "content_hash": .string(o.contentHash.hex),
            "positions": .array(o.positions.map { .position($0) }),
            "statements": .int(o.statements),
            "tensions": .int(o.tensions),
            "duplicate": .bool(o.duplicate),
        ], into: &buffer)
    }

    /// `ok` for `unsubscribe` (after the subscription's own `end` line).
    public static func unsubscribeOK(id: RequestID?, subscription: RequestID, into buffer: inout ByteBuffer) {
        ok(id: id, op: .unsubscribe, ["subscription": subscriptionValue(subscription)], into: &buffer)
    }

    public static func quitOK(id: RequestID?, into buffer: inout ByteBuffer) {
        ok(id: id, op: .quit, ["message": "bye"], into: &buffer)
    }

    /// `end` of a `read`: `next_version` is where to continue.
    public static func readEnd(id: RequestID?, stream: StreamName, nextVersion: StreamVersion, count: Int,
                               into buffer: inout ByteBuffer) {
        end(id: id, op: .read, ["stream": .string(stream.rawValue), "next_version": .int(nextVersion.rawValue),
                                "count": .int(count)], into: &buffer)
    }

    /// `end` of a `replay`: `next` is the position to continue from, `head` the head when the
    /// replay began (events after it were not included).
    public static func replayEnd(id: RequestID?, next: Position, count: Int, head: Position, into buffer: inout ByteBuffer) {
        end(id: id, op: .replay, ["next": .position(next), "count": .int(count), "head": .position(head)], into: &buffer)
    }

    /// `end` of a subscription: the terminal line of its `subscribe` request. `next` is the
    /// position a new subscription should start from to miss nothing.
    public static func subscriptionEnd(id: RequestID, next: Position, reason: EndReason, into buffer: inout ByteBuffer) {
        end(id: id, op: .subscribe, ["next": .position(next), "reason": .string(reason.rawValue)], into: &buffer)
    }

    /// `end` of a `query`.
    public static func queryEnd(id: RequestID?, kind: QueryKind, count: Int, into buffer: inout ByteBuffer) {
        end(id: id, op: .query, ["kind": .string(kind.rawValue), "count": .int(count)], into: &buffer)
    }

    // MARK: Non-terminal lines

    /// A subscription has delivered everything up to the head; live events follow. `next` is the
    /// position of the next event it will deliver.
    public static func caughtUp(id: RequestID, next: Position, head: Position, into buffer: inout ByteBuffer) {
        line(type: "caught_up", id: id, into: &buffer) { w in
            w.field("next", .position(next))
            w.field("head", .position(head))
        }
    }

    /// The subscriber's buffer overflowed; it is now served from the log starting at `next`
    /// (no event is lost) until a later `caught_up`.
    public static func fellBehind(id: RequestID, next: Position, head: Position, into buffer: inout ByteBuffer) {
        line(type: "fell_behind", id: id, into: &buffer) { w in
            w.field("next", .position(next))
            w.field("head", .position(head))
        }
    }

    /// Sent on a subscription that has been quiet for the heartbeat interval. Needs no reply.
    public static func heartbeat(id: RequestID, head: Position, into buffer: inout ByteBuffer) {
        line(type: "heartbeat", id: id, into: &buffer) { w in
            w.field("head", .position(head))
        }
    }

    /// Sent once to every connection when the server begins to stop, before it closes them.
    public static func shuttingDown(message: String = "the server is shutting down", into buffer: inout ByteBuffer) {
        line(type: "shutting_down", id: nil, into: &buffer) { w in
            w.field("message", .string(message))
        }
    }

    /// One result row of a `query`: `{"type":"row","id":…,"timeline":"statements"|"tensions", fields…}`.
    /// (Not `kind`: a statement row has a `kind` of its own, direct or indirect.)
    public static func row(id: RequestID?, kind: QueryKind, _ fields: ReplyObject, into buffer: inout ByteBuffer) {
        line(type: "row", id: id, into: &buffer) { w in
            w.field("timeline", .string(kind.rawValue))
            w.fields(fields)
        }
    }

    /// The help lines (`{"type":"help","id":…,"text":…}`, one per line of `helpText`) and the
    /// terminal `ok`.
    public static func help(id: RequestID?, into buffer: inout ByteBuffer) {
        for text in helpText {
            line(type: "help", id: id, into: &buffer) { w in w.field("text", .string(text)) }
        }
        ok(id: id, op: .help, into: &buffer)
    }

    /// What `HELP` prints, one line each; also the summary in Protocol/README.md.
    public static let helpText: [String] = [
        "Dateline speaks one JSON object per line. Bare words for people: PING, HELP, STATS, TAIL [n], QUIT.",
        "PING | {\"op\":\"ping\"}                          is the server alive? (ok with the head position)",
        "TAIL [n]                                      the last n events (default 10), then new ones as they arrive",
        "{\"op\":\"hello\",\"client\":\"NAME\"}                 name this connection",
        "{\"op\":\"auth\",\"token\":\"T\"}                      unlock writes on a server started with --token",
        "{\"op\":\"ingest\",\"article\":{\"text\":…,\"date\":\"YYYY-MM-DD\",\"title\":…,\"source\":…,\"url\":…}}",
        "{\"op\":\"append\",\"stream\":S,\"expect\":\"any\"|\"no_stream\"|\"exists\"|N,\"events\":[{\"type\":T,\"data\":{…},\"event_id\":E}]}",
        "{\"op\":\"read\",\"stream\":S,\"from_version\":N,\"limit\":N}   one stream's events, then end",
        "{\"op\":\"replay\",\"from\":POS|TIME|\"start\",\"limit\":N, filters}   history up to the head, then end with next",
        "{\"op\":\"subscribe\",\"id\":ID,\"from\":\"start\"|\"now\"|POS|TIME, filters}   catch up, caught_up, then live",
        "   filters: \"types\":[T…], \"stream_prefix\":P, \"actor\":\"RUS\", \"speaker\":\"Lavrov\", \"pair\":\"RUS-UKR\"",
        "{\"op\":\"unsubscribe\",\"subscription\":ID}       end a subscription",
        "{\"op\":\"query\",\"kind\":\"statements\",\"speaker\":S,\"actor\":A,\"since\":D,\"until\":D,\"grep\":W,\"limit\":N}",
        "{\"op\":\"query\",\"kind\":\"tensions\",\"pair\":\"RUS-UKR\",\"actor\":A,\"since\":D,\"until\":D,\"bucket\":\"day\"|\"week\"|\"month\",\"top\":N}",
        "STATS | {\"op\":\"stats\"}     connections, subscriptions, rates, head",
        "QUIT | {\"op\":\"quit\"}       close the connection",
        "Add \"id\" to any request: every line produced for it carries the same id.",
    ]

    // MARK: Events (the hot path)

    /// One event line: `{"type":"event","id":…,"position":…,"stream":…,"version":…,"event_type":…,
    /// "event_id":…,"recorded_at":…,"data":<payload bytes verbatim>}`. For fan-out, encode the
    /// shared part once with `EventLineBody` and write it per subscriber with `event(id:body:)`.
    public static func event(id: RequestID?, _ event: RecordedEvent, into buffer: inout ByteBuffer) {
        writeEvent(id: id, event, into: &buffer)
    }

    /// The same event line as bytes, for what prints events outside a connection (`dateline log`
    /// and `dateline replay` print exactly the wire's line, without an `id`).
    public static func eventLine(_ event: RecordedEvent) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(event.data.count + 160 + event.stream.rawValue.utf8.count)
        writeEvent(id: nil, event, into: &bytes)
        return bytes
    }

    static func writeEvent<Output: JSONOutput>(id: RequestID?, _ event: RecordedEvent, into buffer: inout Output) {
        buffer.writeJSONStaticString("{\"type\":\"event\"")
        if let id {
            buffer.writeJSONStaticString(",\"id\":")
            writeID(id, into: &buffer)
        }
        EventLineBody.write(event, into: &buffer)
    }

    /// Writes an event line from a body encoded once for all subscribers.
    public static func event(id: RequestID?, body: EventLineBody, into buffer: inout ByteBuffer) {
        buffer.writeStaticString("{\"type\":\"event\"")
        if let id {
            buffer.writeStaticString(",\"id\":")
            writeID(id, into: &buffer)
        }
        var bytes = body.bytes
        buffer.writeBuffer(&bytes)
    }

    // MARK: Helpers

    /// Writes `{"type":<type>[,"id":…]`, the caller's fields, `}` and `\n`.
    public static func line(type: StaticString, id: RequestID?, into buffer: inout ByteBuffer,
                            _ body: (inout ReplyWriter) -> Void) {
        var w = ReplyWriter(buffer: buffer)
        buffer = ByteBuffer()  // the writer holds the only reference while it writes
        w.beginObject()
        w.plainKey("type")
        w.plainString(type)
        if let id {
            w.plainKey("id")
            w.requestID(id)
        }
        body(&w)
        w.endObject()
        w.newline()
        buffer = w.buffer
    }

    static func writeID<Output: JSONOutput>(_ id: RequestID, into buffer: inout Output) {
        switch id {
        case .string(let s): JSONWriter<Output>.writeEscaped(s, into: &buffer)
        case .number(let n): JSONWriter<Output>.writeInt(n, into: &buffer)
        }
    }

    static func subscriptionValue(_ id: RequestID) -> ReplyValue {
        switch id {
        case .string(let s): .string(s)
        case .number(let n): .int(n)
        }
    }
}

/// The part of an event line after its `id`, encoded once per event and shared by every
/// subscriber that receives it (the id is the only per-subscriber part).
public struct EventLineBody: Sendable {
    /// `,"position":…,…,"data":…}\n`
    public let bytes: ByteBuffer

    public init(_ event: RecordedEvent, allocator: ByteBufferAllocator = ByteBufferAllocator()) {
        var b = allocator.buffer(capacity: event.data.count + 160 + event.stream.rawValue.utf8.count)
        EventLineBody.write(event, into: &b)
        bytes = b
    }

    static func write<Output: JSONOutput>(_ event: RecordedEvent, into buffer: inout Output) {
        buffer.writeJSONStaticString(",\"position\":")
        JSONWriter<Output>.writeInt(event.position.rawValue, into: &buffer)
        buffer.writeJSONStaticString(",\"stream\":")
        JSONWriter<Output>.writeEscaped(event.stream.rawValue, into: &buffer)
        buffer.writeJSONStaticString(",\"version\":")
        JSONWriter<Output>.writeInt(event.version.rawValue, into: &buffer)
        buffer.writeJSONStaticString(",\"event_type\":")
        JSONWriter<Output>.writeEscaped(event.type.rawValue, into: &buffer)
        buffer.writeJSONStaticString(",\"event_id\":")
        JSONWriter<Output>.writeEscaped(event.id.rawValue, into: &buffer)
        buffer.writeJSONStaticString(",\"recorded_at\":")
        JSONWriter<Output>.writeTimestamp(event.recordedAt, into: &buffer)
        buffer.writeJSONStaticString(",\"data\":")
        if event.data.isEmpty {
            buffer.writeJSONStaticString("null")
        } else {
            buffer.writeJSONBytes(contentsOf: event.data)
        }
        buffer.writeJSONStaticString("}\n")
    }
}
