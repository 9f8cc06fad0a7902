import DatelineCore
import DatelineProtocol
import EventLog
import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore

/// One commit, prepared once for every subscriber: the events, their line bodies (the event
/// line after its `id`, payload bytes spliced verbatim) and, when some subscriber filters on
/// actor, speaker or pair, the few payload facts those filters need.
final class CommittedBatch: Sendable {
    let events: [RecordedEvent]
    let bodies: [EventLineBody]
    /// Nil when no subscriber needed facts at the time the batch was prepared.
    let facts: [EventFacts]?

    init(events: [RecordedEvent], withFacts: Bool) {
        self.events = events
        let allocator = ByteBufferAllocator()
        bodies = events.map { EventLineBody($0, allocator: allocator) }
        facts = withFacts ? events.map { EventFacts(scanning: $0) } : nil
    }

    var lastPosition: Position { events.last?.position ?? .start }
}

/// Fan-out of the live feed to the subscribers.
///
/// The feed is the log itself: a `LogFollower` hands the hub every committed event exactly once,
/// in position order and without a gap, whoever committed it — this server's own appends at
/// once (on the log's writer thread, before the appender is resumed), another process's
/// (`dateline ingest --db`, a second `datelined` on the same file) as soon as the log's feed of
/// committed heads notices them, read back from the log, gaps filled before anything later.
/// The hub records the new head, encodes each event line's shared body once (a copy of the
/// payload bytes into the line, no JSON work) and hands the batch to every event loop
/// (`execute`, never a wait), so the log is never slowed by subscribers. On each loop, each
/// connection puts the batch in its subscriptions' bounded buffers or writes it. Tasks
/// submitted to a loop run in order, and the follower never publishes concurrently, so every
/// loop sees the batches in position order.
final class FanoutHub: Sendable {
    private struct State: Sendable {
        var head: Position = .start
        var factsSubscribers = 0
        var metrics = CommitMetrics()
        var follower: LogFollower?
    }

    private let state = NIOLockedValueBox(State())
    private let log: any EventLogBackend
    private let logger: Logger
    /// Threads for the connections' log reads (replay pages, catch-up, stream reads, time
    /// lookups): their tasks never wait for the cooperative pool, which ingest extraction may
    /// keep busy.
    let readThreads: TaskThreads
    /// Per event loop, keyed by the loop's identity.
    private let loopHubs: [ObjectIdentifier: LoopHub]
    private let loopList: [LoopHub]

    private init(log: any EventLogBackend, group: EventLoopGroup, readThreads: Int, logger: Logger) {
        self.log = log
        self.logger = logger
        self.readThreads = TaskThreads(name: "dateline-log-reads", threads: max(1, readThreads))
        var hubs: [ObjectIdentifier: LoopHub] = [:]
        var list: [LoopHub] = []
        for loop in group.makeIterator() {
            let hub = LoopHub(loop: loop)
            hubs[ObjectIdentifier(loop)] = hub
            list.append(hub)
        }
        loopHubs = hubs
        loopList = list
    }

    /// Starts following the log from its current head.
    static func start(log: any EventLogBackend, group: EventLoopGroup, logger: Logger,
                      readThreads: Int = 2) async throws -> FanoutHub {
        let hub = FanoutHub(log: log, group: group, readThreads: readThreads, logger: logger)
        let follower = try await LogFollower.start(log: log, onError: { error in
            logger.error("the live feed could not read the log; retrying", metadata: ["error": "\(error)"])
        }) { [weak hub] events in hub?.committed(events) }
        let head = follower.publishedHead
        hub.state.withLockedValue {
            $0.follower = follower
            $0.head = max($0.head, head)
        }
        for loopHub in hub.loopList { loopHub.setInitialHead(head) }
        return hub
    }

    /// The newest position published to this server's subscribers: the log's head as of the
    /// feed's last notice (this server's own commits at once, others' within the feed's delay).
    var head: Position { state.withLockedValue { $0.head } }

    /// Returns once the live feed has published everything through `position` (an append's
    /// reply waits for it, so a client that appended sees its position in `PING` and `stats`).
    /// Normally at once: the server's own commits are published before the append returns,
    /// unless another process's commit left a gap to read first. Bounded, so a log that cannot
    /// be read delays replies by seconds, never forever (the append itself is committed).
    func waitUntilPublished(_ position: Position) async {
        guard let follower = state.withLockedValue({ $0.follower }) else { return }
        if !(await follower.waitUntilPublished(position, timeout: .seconds(2))) {
            logger.warning("reply sent before the live feed published its position",
                           metadata: ["position": "\(position)", "published": "\(follower.publishedHead)"])
        }
    }

    func loopHub(for loop: EventLoop) -> LoopHub {
        loopHubs[ObjectIdentifier(loop)]!
    }

    /// Subscribers with actor, speaker or pair filters; while zero, payloads are never scanned.
    func changeFactsSubscribers(by delta: Int) {
        state.withLockedValue { $0.factsSubscribers += delta }
    }

    var metricsSnapshot: CommitMetrics { state.withLockedValue { $0.metrics } }

    /// One of the server's event loops, for timers that belong to no connection.
    var anyLoop: EventLoop { loopList[0].loop }

    func stopObserving() {
        state.withLockedValue { s -> LogFollower? in defer { s.follower = nil }; return s.follower }?.stop()
        readThreads.shutdown()
    }

    /// Called by the follower (on the log's writer thread or its fill task): must not block.
    private func committed(_ events: [RecordedEvent]) {
        guard let last = events.last else { return }
        let now = NIODeadline.now()
        let withFacts = state.withLockedValue { s -> Bool in
            s.head = max(s.head, last.position)
            s.metrics.record(commitSize: events.count, at: now)
            return s.factsSubscribers > 0
        }
        // Encoding the shared line bodies is a copy of the payload bytes (no JSON work); doing it
        // here saves a hop, and each loop then only writes.
        let batch = CommittedBatch(events: events, withFacts: withFacts)
        for hub in loopList {
            hub.loop.execute { hub.deliver(batch) }
        }
    }
}

/// Commit counts for `stats`: group-commit sizes and a recent append rate.
struct CommitMetrics: Sendable {
    var commits: Int64 = 0
    var events: Int64 = 0
    var largestCommit = 0
    /// Events per second over the last `window` whole seconds.
    private var perSecond = [Int64](repeating: 0, count: 11)
    private var secondStamp = [Int64](repeating: -1, count: 11)

    mutating func record(commitSize: Int, at now: NIODeadline) {
        commits += 1
        events += Int64(commitSize)
        largestCommit = max(largestCommit, commitSize)
        let second = now.uptimeNanoseconds / 1_000_000_000
        let slot = Int(second % UInt64(perSecond.count))
        if secondStamp[slot] != Int64(second) {
            secondStamp[slot] = Int64(second)
            perSecond[slot] = 0
        }
        perSecond[slot] += Int64(commitSize)
    }

    /// Mean events per second over the last ten complete seconds.
    func rate(at now: NIODeadline) -> Double {
        let second = Int64(now.uptimeNanoseconds / 1_000_000_000)
        var total: Int64 = 0
        for (slot, stamp) in secondStamp.enumerated() where stamp >= second - 10 && stamp < second {
            total += perSecond[slot]
        }
        return Double(total) / 10
    }

    var meanCommitSize: Double { commits == 0 ? 0 : Double(events) / Double(commits) }
}

/// The subscribers on one event loop; its state is touched only on that loop.
final class LoopHub: Sendable {
    private struct LoopState {
        /// The newest position handed to this loop's subscribers. A subscription that has read
        /// the log up to here can go live: every later event reaches it through `deliver`.
        var lastDelivered: Position = .start
        var connections: [ObjectIdentifier: ConnectionHandler] = [:]
    }

    let loop: EventLoop
    private let state: NIOLoopBoundBox<LoopState>

    init(loop: EventLoop) {
        self.loop = loop
        state = NIOLoopBoundBox.makeBoxSendingValue(LoopState(), eventLoop: loop)
    }

    /// See `LoopState.lastDelivered`. On the loop only.
    var lastDelivered: Position { state.value.lastDelivered }

    func setInitialHead(_ head: Position) {
        loop.execute { self.state.value.lastDelivered = max(self.state.value.lastDelivered, head) }
    }

    func add(_ connection: ConnectionHandler) {
        state.value.connections[ObjectIdentifier(connection)] = connection
    }

    func remove(_ connection: ConnectionHandler) {
        state.value.connections[ObjectIdentifier(connection)] = nil
    }

    func deliver(_ batch: CommittedBatch) {
        state.value.lastDelivered = max(state.value.lastDelivered, batch.lastPosition)
        for connection in Array(state.value.connections.values) {
            connection.deliver(batch)
        }
    }
}
