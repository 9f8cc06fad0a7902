import DatelineCore
import NIOCore

/// The protocol version this module speaks. Announced in the server's `hello` line; a client
/// that names a different version in its own `hello` is refused with `bad_request`.
public let datelineProtocolVersion = 1

/// Every bound the server enforces, in one value so the hello line, the codec and the server
/// agree. The defaults suit a single machine serving a newsroom; all are per server.
public struct ProtocolLimits: Sendable, Equatable {
    /// Longest request line, excluding its `\n` (and a `\r` before it). The framing decoder never
    /// holds more than this (plus one read) for a line.
    public var maxLineBytes: Int
    /// Largest event payload (`data` of an appended event) in bytes.
    public var maxEventBytes: Int
    /// Deepest JSON nesting a request may have; the top-level object is depth 1.
    public var maxDepth: Int
    /// Open connections the server accepts; the next one gets `too_many_connections` and is closed.
    public var maxConnections: Int
    /// Live subscriptions per connection.
    public var maxSubscriptionsPerConnection: Int
    /// A subscription that sent nothing for this long gets a `heartbeat` line.
    public var heartbeatInterval: TimeAmount
    /// Events queued for one subscriber before it is marked `fell_behind` and served from the log.
    public var subscriberBufferEvents: Int
    /// A socket that accepts no bytes for this long while the server has output for it is closed
    /// (`slow_consumer`). Quiet clients that send nothing are never closed.
    public var slowConsumerWriteDeadline: TimeAmount
    /// Oversized lines in a row (no good line between them) at which the connection is closed.
    public var maxConsecutiveOversizedLines: Int
    /// Bytes without any newline beyond which the connection is closed as abuse.
    public var maxBytesWithoutNewline: Int
    /// A partial line (bytes received, no newline) older than this closes the connection as abuse.
    /// Time is the server's business; the value lives here so it is documented in one place.
    public var partialLineTimeout: TimeAmount
    /// Largest `n` accepted by `TAIL n` and by `"last": n`.
    public var maxTail: Int
    /// Longest `speaker` or `stream_prefix` of a filter or query, in bytes: matching cost grows
    /// with it for every event or row (a 100 KB speaker stalled a loop for seconds).
    public var maxFilterTextBytes: Int = 256
    /// Most event types one filter may name.
    public var maxFilterTypes: Int = 64
    /// Most words, and bytes, a query's `grep` may have.
    public var maxQueryWords: Int = 16
    public var maxQueryTextBytes: Int = 512
    /// How long one query may run before it is stopped and answered with `busy`.
    public var queryTimeBudget: TimeAmount = .seconds(10)

    public init(
        maxLineBytes: Int = 1 << 20,
        maxEventBytes: Int = 512 << 10,
        maxDepth: Int = 32,
        maxConnections: Int = 1024,
        maxSubscriptionsPerConnection: Int = 16,
        heartbeatInterval: TimeAmount = .seconds(15),
        subscriberBufferEvents: Int = 1024,
        slowConsumerWriteDeadline: TimeAmount = .seconds(60),
        maxConsecutiveOversizedLines: Int = 4,
        maxBytesWithoutNewline: Int? = nil,
        partialLineTimeout: TimeAmount = .seconds(300),
        maxTail: Int = 100_000
    ) {
        self.maxLineBytes = maxLineBytes
        self.maxEventBytes = maxEventBytes
        self.maxDepth = maxDepth
        self.maxConnections = maxConnections
        self.maxSubscriptionsPerConnection = maxSubscriptionsPerConnection
        self.heartbeatInterval = heartbeatInterval
        self.subscriberBufferEvents = subscriberBufferEvents
        self.slowConsumerWriteDeadline = slowConsumerWriteDeadline
        self.maxConsecutiveOversizedLines = maxConsecutiveOversizedLines
        self.maxBytesWithoutNewline = maxBytesWithoutNewline ?? 8 * maxLineBytes
        self.partialLineTimeout = partialLineTimeout
        self.maxTail = maxTail
    }

    public static let `default` = ProtocolLimits()

    /// Whether a frame from `NDJSONFrameDecoder` shows abuse under these limits: too many
    /// oversized lines in a row, or too many bytes with no newline. The server answers such a
    /// frame with a `line_too_long` error that `closes`, then closes the connection.
    public func isAbuse(_ frame: NDJSONFrame) -> Bool {
        switch frame {
        case .line: false
        case .oversized(_, let consecutive): consecutive >= maxConsecutiveOversizedLines
        case .discarding(let bytes): bytes > maxBytesWithoutNewline
        }
    }
}

/// The stable error codes of the protocol. Clients branch on these; messages are for people.
public enum ErrorCode: String, Sendable, CaseIterable, CustomStringConvertible {
    /// The line is not valid JSON or not valid UTF-8.
    case badJSON = "bad_json"
    /// The line is longer than `max_line_bytes`; it was discarded.
    case lineTooLong = "line_too_long"
    /// The JSON nests deeper than `max_depth`.
    case tooDeep = "too_deep"
    /// `op` (or the bare word) is not one the server knows.
    case unknownOp = "unknown_op"
    /// A field is missing, of the wrong type or out of range.
    case badRequest = "bad_request"
    /// `expect` did not hold for the stream; nothing was written.
    case wrongExpectedVersion = "wrong_expected_version"
    /// The stream or subscription does not exist.
    case notFound = "not_found"
    /// A position beyond the head.
    case positionOutOfRange = "position_out_of_range"
    /// A write op on a server that requires `auth` first, or a token that was not accepted.
    case authRequired = "auth_required"
    /// The server cannot take the request now; retry later.
    case busy = "busy"
    /// The connection already has `max_subscriptions` subscriptions.
    case tooManySubscriptions = "too_many_subscriptions"
    /// The server already has `max_connections` connections.
    case tooManyConnections = "too_many_connections"
    /// The socket accepted nothing for the write deadline.
    case slowConsumer = "slow_consumer"
    /// The log's database (PostgreSQL) cannot be reached now; nothing was acknowledged. Retry
    /// with the same event ids: a batch that did commit answers its original positions.
    case unavailable = "unavailable"
    /// The server is stopping.
    case shuttingDown = "shutting_down"
    /// A fault inside the server; the message says what, never with payload bytes.
    case `internal` = "internal"

    public var description: String { rawValue }

    /// Whether the connection ends after this error unless the server says otherwise. Only
    /// conditions that make the connection unusable close it.
    public var closesByDefault: Bool {
        switch self {
        case .tooManyConnections, .slowConsumer, .shuttingDown: true
        default: false
        }
    }

    /// Codes the codec can produce from the bytes of one line; every other code needs the
    /// server's state (the log, the connection, the clock). `bad_request` also comes from the
    /// server (a subscription id already in use).
    public static let decidedByCodec: Set<ErrorCode> = [.badJSON, .lineTooLong, .tooDeep, .unknownOp, .badRequest]
}

/// An error line: what went wrong, for which request, and whether the connection ends.
/// Messages name the field and the rule, never echo payload bytes.
public struct ProtocolError: Error, Sendable, Equatable, CustomStringConvertible {
    public var code: ErrorCode
    public var message: String
    /// The request's `id`, when one could be read from the line.
    public var id: RequestID?
    public var closes: Bool
    /// Extra fields for the error line, e.g. `actual_version` for `wrong_expected_version`.
    public var details: ReplyObject

    public init(_ code: ErrorCode, _ message: String, id: RequestID? = nil, closes: Bool? = nil,
                details: ReplyObject = [:]) {
        self.code = code
        self.message = message
        self.id = id
        self.closes = closes ?? code.closesByDefault
        self.details = details
    }

    public var description: String { "\(code): \(message)" }

    // MARK: Errors only the server can decide, with their standard wording and details.

    /// `expect` failed; `actual` is the stream's last version, nil when the stream does not exist.
    public static func wrongExpectedVersion(id: RequestID?, stream: StreamName, expected: ExpectedVersion,
                                            actual: StreamVersion?) -> ProtocolError {
        let actualText = actual.map { "is at version \($0.rawValue)" } ?? "does not exist"
        return ProtocolError(.wrongExpectedVersion,
                             "expected stream \(stream) to be \(expected), but it \(actualText); nothing was written",
                             id: id,
                             details: ["stream": .string(stream.rawValue), "expected": .string(expected.description),
                                       "actual_version": actual.map { .int($0.rawValue) } ?? .null])
    }

    public static func streamNotFound(id: RequestID?, stream: StreamName) -> ProtocolError {
        ProtocolError(.notFound, "no stream named \(stream)", id: id, details: ["stream": .string(stream.rawValue)])
    }

    public static func subscriptionNotFound(id: RequestID?, subscription: RequestID) -> ProtocolError {
        ProtocolError(.notFound, "no subscription with id \(subscription) on this connection", id: id)
    }

    public static func positionOutOfRange(id: RequestID?, position: Position, head: Position) -> ProtocolError {
        ProtocolError(.positionOutOfRange,
                      "position \(position) is beyond the head (\(head)); the next event will be \(head.next)",
                      id: id, details: ["head": .int(head.rawValue)])
    }

    public static func authRequired(id: RequestID?) -> ProtocolError {
        ProtocolError(.authRequired, "this server needs {\"op\":\"auth\",\"token\":\"…\"} before writes", id: id)
    }

    public static func tokenRejected(id: RequestID?) -> ProtocolError {
        ProtocolError(.authRequired, "token not accepted", id: id)
    }

    public static func busy(id: RequestID?, reason: String) -> ProtocolError {
        ProtocolError(.busy, "server busy: \(reason); retry later", id: id)
    }

    public static func tooManySubscriptions(id: RequestID?, limit: Int) -> ProtocolError {
        ProtocolError(.tooManySubscriptions, "this connection already has \(limit) subscriptions; unsubscribe one first",
                      id: id, details: ["max_subscriptions": .int(Int64(limit))])
    }

    public static func subscriptionIDInUse(id: RequestID) -> ProtocolError {
        ProtocolError(.badRequest, "a subscription with id \(id) is already open on this connection", id: id)
    }

    public static func tooManyConnections(limit: Int) -> ProtocolError {
        ProtocolError(.tooManyConnections, "the server already has \(limit) connections; try again later", closes: true)
    }

    public static func slowConsumer(deadline: TimeAmount) -> ProtocolError {
        ProtocolError(.slowConsumer,
                      "the connection accepted no data for \(deadline.nanoseconds / 1_000_000_000) s; closing", closes: true)
    }

    public static func shuttingDown(id: RequestID?) -> ProtocolError {
        ProtocolError(.shuttingDown, "the server is shutting down", id: id, closes: true)
    }

    public static func `internal`(id: RequestID?, _ message: String) -> ProtocolError {
        ProtocolError(.internal, message, id: id)
    }

    /// The answer to an `.oversized` frame; pass `closes: limits.isAbuse(frame)`.
    public static func lineTooLong(byteCount: Int, limits: ProtocolLimits, closes: Bool = false) -> ProtocolError {
        ProtocolError(.lineTooLong,
                      "line of \(byteCount) bytes is longer than the limit of \(limits.maxLineBytes) bytes; it was discarded",
                      closes: closes,
                      details: ["max_line_bytes": .int(Int64(limits.maxLineBytes))])
    }

    /// The answer to a `.discarding` frame that shows abuse (too many bytes with no newline), or
    /// to a partial line older than `partialLineTimeout`.
    public static func noNewline(byteCount: Int, limits: ProtocolLimits) -> ProtocolError {
        ProtocolError(.lineTooLong, "\(byteCount) bytes without a newline; closing",
                      closes: true, details: ["max_line_bytes": .int(Int64(limits.maxLineBytes))])
    }
}
