import DatelineCore
import Foundation

/// The observers of a log's committed heads and the one rule for telling them, shared by every
/// backend's feed (which adds only how it notices other processes' commits):
/// - notices reach every observer in the order they were made (a delivery lock is held while
///   observers run), and observers in the order they were added;
/// - a head noticed from elsewhere (no events) that is not newer than one already announced
///   is dropped; this process's own commits, which carry their events, always go out.
public final class HeadObservers: @unchecked Sendable {
    private let stateLock = NSLock()
    private let deliveryLock = NSLock()
    /// In the order they were added: ids only grow, so appending keeps the list in id order.
    private var observers: [(id: UInt64, observe: @Sendable (CommittedHead) -> Void)] = []
    private var nextID: UInt64 = 1
    private var lastAnnounced = Position.start

    public init() {}

    public func add(_ observer: @escaping @Sendable (CommittedHead) -> Void) -> CommitFeedToken {
        stateLock.withLock {
            let id = nextID
            nextID += 1
            observers.append((id, observer))
            return CommitFeedToken(id: id)
        }
    }

    public func remove(_ token: CommitFeedToken) {
        stateLock.withLock { observers.removeAll { $0.id == token.id } }
    }

    public func removeAll() {
        stateLock.withLock { observers.removeAll() }
    }

    /// This process's own commit, with its events (called before the appenders are resumed,
    /// so that when an append returns, live subscribers have been handed its events).
    public func committed(_ events: [RecordedEvent]) {
        guard let last = events.last else { return }
        announce(CommittedHead(head: last.position, events: events))
    }

    /// A head read from the log; dropped when nothing newer than already announced.
    public func noticed(head: Position) {
        announce(CommittedHead(head: head, events: nil))
    }

    private func announce(_ notice: CommittedHead) {
        deliveryLock.lock()
        defer { deliveryLock.unlock() }
        // A snapshot of the list (no copy of its elements), so observers run outside the lock.
        let current = stateLock.withLock { () -> [(id: UInt64, observe: @Sendable (CommittedHead) -> Void)] in
            if notice.events == nil && notice.head <= lastAnnounced { return [] }
            lastAnnounced = max(lastAnnounced, notice.head)
            return observers
        }
        for observer in current { observer.observe(notice) }
    }
}
