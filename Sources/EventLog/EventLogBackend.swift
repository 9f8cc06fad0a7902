import DatelineCore

/// The event log as the service, the server and the projections see it, whatever stores it.
///
/// The SQLite file (`EventStore`, through `EventStore.backend`) is one implementation; a
/// PostgreSQL one is meant to slot in beside it. Every guarantee below is what the conformance
/// suite (Tests/EventLogConformanceTests) checks, and any backend must pass it unchanged:
///
/// - Positions are global, start at 1, never skip, and are assigned in commit order: a reader
///   that has seen every position up to `p` can never later find a new event below `p`.
/// - `append` is atomic per batch: all of its events are stored at consecutive positions and
///   consecutive stream versions, or none is. It returns only once the batch is durable.
/// - `expected` is checked against the stream's actual last version inside the commit; a
///   mismatch throws `EventLogError.wrongExpectedVersion` with the actual version.
/// - Event ids are unique in the whole log, forever: a batch whose ids are all stored in the
///   same stream answers the original positions with `duplicate == true` (before the
///   expectation is checked, so a retry after a lost acknowledgement succeeds); a batch mixing
///   stored and new ids, or reusing an id of another stream, is refused.
/// - `recordedAt` never decreases along positions, so `firstPosition(atOrAfter:)` can search.
///
/// Every method is `async` and must not block the cooperative pool: the SQLite implementation
/// runs its blocking work on its own threads, a network backend suspends on its I/O. Positions
/// are inclusive: `read(from: p)` starts with the event at `p`; to page, continue from
/// `last.position.next`.
public protocol EventLogBackend: AnyObject, Sendable {
    /// Where the log lives, for messages and logs (a file path, a database URL without
    /// credentials).
    var location: String { get }

    /// Appends `events` to `stream` as one atomic batch, if the stream is at `expected`.
    func append(to stream: StreamName, expecting expected: ExpectedVersion,
                events: [ProposedEvent]) async throws(EventLogError) -> AppendResult

    /// Up to `limit` events from `position` (inclusive), in position order.
    func read(from position: Position, limit: Int) async throws(EventLogError) -> [RecordedEvent]

    /// Up to `limit` events of one stream from `version` (inclusive), in version order.
    func readStream(_ stream: StreamName, from version: StreamVersion,
                    limit: Int) async throws(EventLogError) -> [RecordedEvent]

    /// The version of the stream's last event, or nil when the stream does not exist.
    func streamVersion(_ stream: StreamName) async throws(EventLogError) -> StreamVersion?

    /// The position of the last committed event, or `Position.start` when the log is empty.
    func head() async throws(EventLogError) -> Position

    /// The first position recorded at or after `time`, or nil when every event is older.
    func firstPosition(atOrAfter time: Timestamp) async throws(EventLogError) -> Position?

    /// Payload bytes in a position range, as appended and as stored.
    func payloadBytes(from: Position, through: Position) async throws(EventLogError) -> PayloadBytes

    /// The figures `dateline stats` shows about the log itself.
    func statistics() async throws(EventLogError) -> LogStatistics

    /// Checks the whole log (payloads, CRCs, contiguous positions and versions, order of
    /// times, the backend's own integrity checks). Faults are collected, not thrown.
    func verify() async throws(EventLogError) -> VerifyReport

    /// Calls `observer` whenever the log's head moves, whichever process or connection
    /// committed: at once for this process's own appends (with their events, before the
    /// appenders are resumed), and within the backend's notice delay for commits from
    /// elsewhere (without events: read them). Notices may be merged, repeated or arrive for a
    /// head already passed; they never claim a head that is not committed. Consumers that need
    /// every event contiguously use `LogFollower`, which fills any gap from the log.
    ///
    /// `observer` runs on the backend's own threads: it must return quickly and never block.
    func observeCommittedHeads(_ observer: @escaping @Sendable (CommittedHead) -> Void) -> CommitFeedToken

    /// Stops calling the observer registered under `token`.
    func stopObserving(_ token: CommitFeedToken)

    /// Commits what is queued and closes the log; later calls fail with `EventLogError.closed`.
    func close() async
}

extension EventLogBackend {
    /// Every event of `stream`, in version order.
    public func readStream(_ stream: StreamName) async throws(EventLogError) -> [RecordedEvent] {
        try await readStream(stream, from: StreamVersion(0), limit: Int.max)
    }

    public func append(to stream: StreamName, events: [ProposedEvent]) async throws(EventLogError) -> AppendResult {
        try await append(to: stream, expecting: .any, events: events)
    }
}

/// A notice that the log's head has moved.
public struct CommittedHead: Sendable, Equatable {
    /// Every position up to here is committed.
    public var head: Position
    /// The events of this process's own commit that ended at `head`, when the backend still
    /// has them in memory (it saves reading them back); nil for a commit noticed from
    /// elsewhere. When present they are contiguous and end at `head`, but earlier commits
    /// (other processes') may lie between them and what a consumer has seen.
    public var events: [RecordedEvent]?

    public init(head: Position, events: [RecordedEvent]? = nil) {
        self.head = head
        self.events = events
    }
}

/// Identifies an observer of committed heads, to remove it.
public struct CommitFeedToken: Hashable, Sendable {
    public let id: UInt64
    public init(id: UInt64) { self.id = id }
}

/// What `dateline stats` reports about the log.
public struct LogStatistics: Sendable, Equatable {
    public var head: Position
    public var eventsByType: [EventType: Int]
    /// Payload bytes of the whole log, as appended and as stored.
    public var payloadBytes: PayloadBytes
    /// What the log takes in its storage (for SQLite the file and its write-ahead log).
    public var storageBytes: Int64

    public init(head: Position, eventsByType: [EventType: Int], payloadBytes: PayloadBytes, storageBytes: Int64) {
        self.head = head
        self.eventsByType = eventsByType
        self.payloadBytes = payloadBytes
        self.storageBytes = storageBytes
    }
}
