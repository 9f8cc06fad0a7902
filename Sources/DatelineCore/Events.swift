/// An event on its way into the log: the appender chooses its id (so a retry is recognised)
/// and supplies the payload as JSON bytes, which the store keeps and serves verbatim.
public struct ProposedEvent: Sendable, Equatable {
    public var id: EventID
    public var type: EventType
    /// UTF-8 JSON, normally an object. Stored compressed, returned byte for byte.
    public var data: [UInt8]

    public init(id: EventID, type: EventType, data: [UInt8]) {
        self.id = id
        self.type = type
        self.data = data
    }
}

/// An event as the log holds it.
public struct RecordedEvent: Sendable, Equatable {
    public var position: Position
    public var stream: StreamName
    public var version: StreamVersion
    public var id: EventID
    public var type: EventType
    public var recordedAt: Timestamp
    /// The payload's JSON bytes, exactly as appended (after CRC verification).
    public var data: [UInt8]

    public init(position: Position, stream: StreamName, version: StreamVersion, id: EventID,
                type: EventType, recordedAt: Timestamp, data: [UInt8]) {
        self.position = position
        self.stream = stream
        self.version = version
        self.id = id
        self.type = type
        self.recordedAt = recordedAt
        self.data = data
    }
}

/// The answer to an append: where the batch landed. For a retried batch (every event id
/// already stored) these are the original positions and `duplicate` is true.
public struct AppendResult: Sendable, Equatable {
    public var stream: StreamName
    /// One per event, in batch order.
    public var positions: [Position]
    /// The stream's version after the batch (of its last event).
    public var lastVersion: StreamVersion
    public var recordedAt: Timestamp
    public var duplicate: Bool

    public init(stream: StreamName, positions: [Position], lastVersion: StreamVersion,
                recordedAt: Timestamp, duplicate: Bool) {
        self.stream = stream
        self.positions = positions
        self.lastVersion = lastVersion
        self.recordedAt = recordedAt
        self.duplicate = duplicate
    }
}

/// What happened to one ingested article: what the engine returns and the `ingest` reply reports.
public struct IngestOutcome: Sendable, Equatable {
    public var stream: StreamName
    public var contentHash: ContentHash
    /// Positions of the batch (the article first, then its findings); for a duplicate, the
    /// positions already stored.
    public var positions: [Position]
    public var statements: Int
    public var tensions: Int
    /// The same text was already in the log; nothing was written.
    public var duplicate: Bool
    /// Uncompressed payload bytes appended (0 for a duplicate).
    public var payloadBytes: Int

    public init(stream: StreamName, contentHash: ContentHash, positions: [Position], statements: Int, tensions: Int,
                duplicate: Bool, payloadBytes: Int = 0) {
        self.stream = stream
        self.contentHash = contentHash
        self.positions = positions
        self.statements = statements
        self.tensions = tensions
        self.duplicate = duplicate
        self.payloadBytes = payloadBytes
    }
}
