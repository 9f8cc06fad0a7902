import DatelineCore
import DatelineProtocol
import NIOCore

/// One subscription on a connection. Only touched on the connection's event loop.
///
/// Invariant: every event at or before `sent` has been written to the channel or skipped by the
/// filter, in position order; `pending` holds matching live events after `sent` that the
/// socket could not take yet. A live event at or before `seen` is a duplicate and dropped, so a
/// subscriber rejoining live after reading the log never receives an event twice.
final class Subscription {
    enum State: String {
        /// Reading history from the log before its first `caught_up`.
        case catchingUp = "catching_up"
        /// Receiving committed events as they happen.
        case live
        /// Its buffer overflowed (`fell_behind` sent); reading from the log until `caught_up`.
        case behind
    }

    struct PendingEvent {
        var position: Position
        var body: EventLineBody
    }

    let id: RequestID
    let filter: SubscriptionFilter
    let createdAt: Timestamp
    var state: State
    /// Events up to here have been written or filtered out.
    var sent: Position
    /// The newest live position offered to this subscription (at least `sent`).
    var seen: Position
    private var pending = CircularBuffer<PendingEvent>(initialCapacity: 0)
    private(set) var pendingBytes = 0
    var timesFellBehind = 0
    var eventsSent: Int64 = 0
    /// A page read from the log is on its way.
    var readInFlight = false
    /// When a line was last written for this subscription (for heartbeats).
    var lastActivity: NIODeadline
    /// Set once the start point is known (a `from` time needs a log lookup first).
    var resolved = false

    init(id: RequestID, filter: SubscriptionFilter, state: State, sent: Position, now: NIODeadline,
         createdAt: Timestamp) {
        self.id = id
        self.filter = filter
        self.state = state
        self.sent = sent
        self.seen = sent
        self.lastActivity = now
        self.createdAt = createdAt
    }

    var pendingCount: Int { pending.count }
    var hasPending: Bool { !pending.isEmpty }

    func enqueue(_ position: Position, _ body: EventLineBody) {
        pending.append(PendingEvent(position: position, body: body))
        pendingBytes += body.bytes.readableBytes
    }

    func popPending() -> PendingEvent? {
        guard let event = pending.popFirst() else { return nil }
        pendingBytes -= event.body.bytes.readableBytes
        // A buffer that grew for a burst is given back once drained.
        if pending.isEmpty && pending.capacity > 4096 { pending = CircularBuffer(initialCapacity: 0) }
        return event
    }

    /// Drops the live buffer (the log still has every event in it).
    func clearPending() {
        pending = CircularBuffer(initialCapacity: 0)
        pendingBytes = 0
    }
}

@available(*, unavailable)
extension Subscription: Sendable {}
