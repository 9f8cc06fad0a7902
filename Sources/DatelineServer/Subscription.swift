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
    private(set) var pending: [PendingEvent] = []
    private var pendingHead = 0
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

    var pendingCount: Int { pending.count - pendingHead }
    var hasPending: Bool { pendingHead < pending.count }

    func enqueue(_ position: Position, _ body: EventLineBody) {
        pending.append(PendingEvent(position: position, body: body))
        pendingBytes += body.bytes.readableBytes
    }

    func popPending() -> PendingEvent? {
        guard pendingHead < pending.count else { return nil }
        let event = pending[pendingHead]
        pendingHead += 1
        pendingBytes -= event.body.bytes.readableBytes
        if pendingHead == pending.count {
            pending.removeAll(keepingCapacity: pending.capacity <= 4096)
            pendingHead = 0
        } else if pendingHead >= 1024 && pendingHead * 2 >= pending.count {
            pending.removeFirst(pendingHead)
            pendingHead = 0
        }
        return event
    }

    /// Drops the live buffer (the log still has every event in it).
    func clearPending() {
        pending.removeAll()
        pendingHead = 0
        pendingBytes = 0
    }
}
