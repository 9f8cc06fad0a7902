import DatelineCore
import Foundation

/// Follows a log: hands every event committed after a starting position to `publish` exactly
/// once, in position order, with no gap, whichever process or connection committed it.
///
/// It listens to the backend's feed of committed heads. A notice that carries this process's
/// own events and continues exactly where publishing stands is published at once, on the
/// notifying thread (for SQLite the writer thread, before the appenders are resumed: an append
/// that returns has been published). Any other notice (a foreign commit, a head beyond what was
/// published, events after a gap) only raises the target; a fill task then reads the log from
/// the published position, page by page, and publishes what it reads until the target is
/// reached. While a fill runs, own events are not published from memory: the fill reads them,
/// so nothing later can overtake the gap. A failed read is retried after `retryDelay`; the
/// follower never skips a position.
///
/// `publish` is never called concurrently with itself and must not block (hand the batch to
/// event loops or a queue).
public final class LogFollower: @unchecked Sendable {
    public typealias Publish = @Sendable ([RecordedEvent]) -> Void

    private let log: any EventLogBackend
    private let publish: Publish
    private let onError: @Sendable (EventLogError) -> Void
    private let pageEvents: Int
    private let retryDelay: Duration
    /// The thread the fill task runs on, so gaps are filled however busy the cooperative pool is.
    private let fillThread = TaskThreads(name: "dateline-log-follower", threads: 1)

    private let lock = NSLock()
    /// Every position up to here has been published. Nil until the start position is known.
    private var published: Position?
    /// The newest committed head noticed.
    private var target = Position.start
    private var filling = false
    private var stopped = false
    private var token: CommitFeedToken?
    private var waiters: [(position: Position, id: UInt64, continuation: CheckedContinuation<Void, Never>)] = []
    private var nextWaiter: UInt64 = 0

    private init(log: any EventLogBackend, pageEvents: Int, retryDelay: Duration, publish: @escaping Publish,
                 onError: @escaping @Sendable (EventLogError) -> Void) {
        self.log = log
        self.publish = publish
        self.onError = onError
        self.pageEvents = max(1, pageEvents)
        self.retryDelay = retryDelay
    }

    /// Starts following `log`. The feed is registered first and the head read after it, so a
    /// commit in between is noticed, never missed. Publishing starts after `after` when given
    /// (events after it already committed are read and published at once), else after the head.
    public static func start(log: any EventLogBackend, after: Position? = nil, pageEvents: Int = 512,
                             retryDelay: Duration = .milliseconds(100),
                             onError: @escaping @Sendable (EventLogError) -> Void = { _ in },
                             publish: @escaping Publish) async throws(EventLogError) -> LogFollower {
        let follower = LogFollower(log: log, pageEvents: pageEvents, retryDelay: retryDelay, publish: publish,
                                   onError: onError)
        let token = log.observeCommittedHeads { [weak follower] notice in follower?.noticed(notice) }
        let head: Position
        do { head = try await log.head() } catch {
            log.stopObserving(token)
            throw error
        }
        follower.begin(at: after ?? head, head: head, token: token)
        return follower
    }

    private func begin(at start: Position, head: Position, token: CommitFeedToken) {
        let fill = lock.withLock { () -> Bool in
            self.token = token
            published = start
            target = max(target, head)
            return startFillIfNeeded()
        }
        if fill { runFill() }
    }

    /// Every position up to here has been published.
    public var publishedHead: Position { lock.withLock { published ?? .start } }

    /// The newest head the feed has announced (at least `publishedHead`).
    public var noticedHead: Position { lock.withLock { max(target, published ?? .start) } }

    /// Returns once everything through `position` has been published, the follower stopped, or
    /// `timeout` passed (so a caller is never held forever by a log that cannot be read); true
    /// when it was published.
    @discardableResult
    public func waitUntilPublished(_ position: Position, timeout: Duration = .seconds(5)) async -> Bool {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let id = lock.withLock { () -> UInt64? in
                if stopped || (published ?? .start) >= position { return nil }
                nextWaiter += 1
                waiters.append((position, nextWaiter, continuation))
                return nextWaiter
            }
            guard let id else { return continuation.resume() }
            let (seconds, attoseconds) = timeout.components
            DispatchQueue.global().asyncAfter(deadline: .now() + Double(seconds) + Double(attoseconds) / 1e18) { [weak self] in
                guard let self else { return }
                let expired = self.lock.withLock { () -> CheckedContinuation<Void, Never>? in
                    guard let index = self.waiters.firstIndex(where: { $0.id == id }) else { return nil }
                    return self.waiters.remove(at: index).continuation
                }
                expired?.resume()
            }
        }
        return publishedHead >= position
    }

    /// Stops listening; a fill in progress ends after its current read.
    public func stop() {
        let (token, waiting) = lock.withLock { () -> (CommitFeedToken?, [CheckedContinuation<Void, Never>]) in
            stopped = true
            defer { self.token = nil; waiters.removeAll() }
            return (self.token, waiters.map(\.continuation))
        }
        if let token { log.stopObserving(token) }
        for continuation in waiting { continuation.resume() }
        fillThread.shutdown()
    }

    // MARK: Notices

    private func noticed(_ notice: CommittedHead) {
        var resumed: [CheckedContinuation<Void, Never>] = []
        let fill = lock.withLock { () -> Bool in
            guard !stopped else { return false }
            target = max(target, notice.head)
            guard let current = published else { return false }
            if !filling, let events = notice.events, let first = events.first, let last = events.last {
                if first.position == current.next {
                    publish(events)
                    published = last.position
                    resumed = takeReadyWaiters()
                    return false
                }
                if last.position <= current { return false }
            }
            return startFillIfNeeded()
        }
        for continuation in resumed { continuation.resume() }
        if fill { runFill() }
    }

    /// Under the lock: whether a fill must start now (and marks it started).
    private func startFillIfNeeded() -> Bool {
        guard !stopped, !filling, let current = published, target > current else { return false }
        filling = true
        return true
    }

    /// Under the lock.
    private func takeReadyWaiters() -> [CheckedContinuation<Void, Never>] {
        let current = published ?? .start
        guard waiters.contains(where: { $0.position <= current }) else { return [] }
        let ready = waiters.filter { $0.position <= current }.map(\.continuation)
        waiters.removeAll { $0.position <= current }
        return ready
    }

    // MARK: Filling a gap from the log

    private func runFill() {
        fillThread.start { await self.fill() }
    }

    private func fill() async {
        while true {
            let next = lock.withLock { () -> (from: Position, count: Int)? in
                guard !stopped, let current = published, target > current else {
                    filling = false
                    return nil
                }
                return (current.next, Int(min(Int64(pageEvents), target.rawValue - current.rawValue)))
            }
            guard let next else { return }
            let events: [RecordedEvent]
            do {
                events = try await log.read(from: next.from, limit: next.count)
            } catch {
                // A read that fails because the follower was stopped (and the log closed) is no fault.
                if lock.withLock({ stopped }) { continue }
                onError(error)
                try? await Task.sleep(for: retryDelay)
                continue
            }
            var resumed: [CheckedContinuation<Void, Never>] = []
            let progressed = lock.withLock { () -> Bool in
                guard !stopped, let current = published else { return false }
                let fresh = events.drop { $0.position <= current }
                guard let first = fresh.first else { return false }
                guard first.position == current.next else { return false }
                // Positions are contiguous in the log; keep only the unbroken run.
                var run: [RecordedEvent] = []
                run.reserveCapacity(fresh.count)
                var expected = current.next
                for event in fresh {
                    guard event.position == expected else { break }
                    run.append(event)
                    expected = expected.next
                }
                publish(run)
                published = run.last!.position
                target = max(target, published!)
                resumed = takeReadyWaiters()
                return true
            }
            for continuation in resumed { continuation.resume() }
            if !progressed {
                // The notice ran ahead of what this reader's snapshot shows, or the log is not
                // contiguous here: look again shortly rather than skip.
                if lock.withLock({ stopped }) { lock.withLock { filling = false }; return }
                try? await Task.sleep(for: .milliseconds(5))
            }
        }
    }
}
