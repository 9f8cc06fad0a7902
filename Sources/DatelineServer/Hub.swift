import DatelineCore
import DatelineProtocol
import EventLog
import Foundation
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

/// Fan-out from the log's writer thread to the subscribers.
///
/// The store calls the commit observer on its writer thread; the observer records the new head,
/// encodes each event line's shared body once (a copy of the payload bytes into the line, no
/// JSON work) and hands the batch to every event loop (`execute`, never a wait), so the writer is
/// never slowed by subscribers. On each loop, each connection puts the batch in its
/// subscriptions' bounded buffers or writes it. Tasks submitted to a loop run in order, so every
/// loop sees the batches in position order.
final class FanoutHub: @unchecked Sendable {
    private let lock = NSLock()
    private var _head: Position
    private var factsSubscribers = 0
    private var metrics = CommitMetrics()
    private var observerToken: ObserverToken?
    private let store: EventStore
    /// Per event loop, keyed by the loop's identity.
    private let loopHubs: [ObjectIdentifier: LoopHub]
    private let loopList: [LoopHub]

    init(store: EventStore, group: EventLoopGroup) throws {
        self.store = store
        var hubs: [ObjectIdentifier: LoopHub] = [:]
        var list: [LoopHub] = []
        for loop in group.makeIterator() {
            let hub = LoopHub(loop: loop)
            hubs[ObjectIdentifier(loop)] = hub
            list.append(hub)
        }
        loopHubs = hubs
        loopList = list
        _head = .start
        observerToken = store.addCommitObserver { [weak self] events in self?.committed(events) }
        // Read the head after registering: a commit in between is delivered and deduplicated by
        // position, never missed.
        let head = try store.head()
        lock.withLock { _head = max(_head, head) }
        for hub in list { hub.setInitialHead(head) }
    }

    /// The newest committed position this server knows.
    var head: Position { lock.withLock { _head } }

    func loopHub(for loop: EventLoop) -> LoopHub {
        loopHubs[ObjectIdentifier(loop)]!
    }

    /// Subscribers with actor, speaker or pair filters; while zero, payloads are never scanned.
    func changeFactsSubscribers(by delta: Int) {
        lock.withLock { factsSubscribers += delta }
    }

    var metricsSnapshot: CommitMetrics { lock.withLock { metrics } }

    func stopObserving() {
        if let token = lock.withLock({ () -> ObserverToken? in defer { observerToken = nil }; return observerToken }) {
            store.removeCommitObserver(token)
        }
    }

    /// Called on the store's writer thread: must not block.
    private func committed(_ events: [RecordedEvent]) {
        guard let last = events.last else { return }
        let now = NIODeadline.now()
        let withFacts = lock.withLock { () -> Bool in
            _head = max(_head, last.position)
            metrics.record(commitSize: events.count, at: now)
            return factsSubscribers > 0
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

/// The subscribers on one event loop. Only touched on that loop.
final class LoopHub: @unchecked Sendable {
    let loop: EventLoop
    /// The newest position handed to this loop's subscribers. A subscription that has read the
    /// log up to here can go live: every later event reaches it through `deliver`.
    private(set) var lastDelivered: Position = .start
    private var connections: [ObjectIdentifier: ConnectionHandler] = [:]

    init(loop: EventLoop) {
        self.loop = loop
    }

    func setInitialHead(_ head: Position) {
        loop.execute { self.lastDelivered = max(self.lastDelivered, head) }
    }

    func add(_ connection: ConnectionHandler) {
        loop.preconditionInEventLoop()
        connections[ObjectIdentifier(connection)] = connection
    }

    func remove(_ connection: ConnectionHandler) {
        loop.preconditionInEventLoop()
        connections[ObjectIdentifier(connection)] = nil
    }

    func deliver(_ batch: CommittedBatch) {
        loop.preconditionInEventLoop()
        lastDelivered = max(lastDelivered, batch.lastPosition)
        for connection in Array(connections.values) {
            connection.deliver(batch)
        }
    }
}
