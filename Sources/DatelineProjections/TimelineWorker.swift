import DatelineCore
import EventLog
import Foundation

/// A `TimelineStore` on a thread of its own, for a server: the log's commit observer hands it
/// events without blocking, and queries from any task or thread run on that thread, after the
/// events submitted before them have been applied (so a query made after an append returned
/// sees that append).
///
/// The store's SQLite connection never leaves the worker thread; SQLite work never runs on
/// Swift's cooperative pool.
public final class TimelineWorker: @unchecked Sendable {
    private let condition = NSCondition()
    private var pending: [RecordedEvent] = []
    private var jobs: [(TimelineStore?) -> Void] = []
    private var stopping = false
    private var finished = false
    /// Touched only on the worker thread.
    private var store: TimelineStore?
    private let onError: @Sendable (ProjectionError) -> Void

    /// Opens the projection tables on a new thread and starts catching up there (rebuilding
    /// projections whose code version changed); queries wait behind the catch-up.
    ///
    /// - Parameters:
    ///   - progress: catch-up and rebuild progress, called on the worker thread.
    ///   - onError: failures of background work (catch-up, applying submitted events), called on
    ///     the worker thread. After a failed apply the next submission fills the gap from the log.
    public init(log: EventStore, options: TimelineStoreOptions = TimelineStoreOptions(),
                progress: (@Sendable (RebuildProgress) -> Void)? = nil,
                onError: @escaping @Sendable (ProjectionError) -> Void) throws(ProjectionError) {
        self.onError = onError
        let opened = OpenResult()
        let thread = Thread { [self] in
            do {
                let s = try TimelineStore(log: log, options: options)
                store = s
                opened.set(nil)
                do { try s.catchUp(progress: progress) } catch { onError(ProjectionError.wrap(error)) }
            } catch {
                opened.set(ProjectionError.wrap(error))
            }
            run()
        }
        thread.name = "dateline-timelines"
        thread.start()
        if let error = opened.wait() {
            // The thread ends by itself: no store, so run() only drains until stopped.
            close()
            throw error
        }
    }

    deinit { close() }

    /// Hands committed events to the worker (from `EventStore.addCommitObserver`); returns at once.
    public func submit(_ events: [RecordedEvent]) {
        guard !events.isEmpty else { return }
        condition.withLock {
            pending.append(contentsOf: events)
            condition.signal()
        }
    }

    /// Runs `body` with the store on the worker thread and returns its result.
    public func perform<T: Sendable>(_ body: @escaping @Sendable (TimelineStore) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            enqueue { store in
                guard let store else { return continuation.resume(throwing: ProjectionError.closed) }
                continuation.resume(with: Result { try body(store) })
            }
        }
    }

    /// The blocking form of `perform`, for threads outside Swift concurrency.
    public func performSync<T: Sendable>(_ body: @escaping @Sendable (TimelineStore) throws -> T) throws -> T {
        let done = DispatchSemaphore(value: 0)
        let box = ResultBox<T>()
        enqueue { store in
            if let store { box.result = Result { try body(store) } } else { box.result = .failure(ProjectionError.closed) }
            done.signal()
        }
        done.wait()
        return try box.result!.get()
    }

    /// Applies what is pending, answers queued work with `closed`, and stops the thread.
    /// Waits for the thread to finish. Safe to call twice.
    public func close() {
        condition.withLock {
            stopping = true
            condition.broadcast()
            while !finished { condition.wait() }
        }
    }

    private func enqueue(_ job: @escaping (TimelineStore?) -> Void) {
        condition.withLock {
            if stopping {
                job(nil)
                return
            }
            jobs.append(job)
            condition.signal()
        }
    }

    private func run() {
        while true {
            let (events, work, stop) = condition.withLock {
                while pending.isEmpty && jobs.isEmpty && !stopping { condition.wait() }
                defer { pending = []; jobs = [] }
                return (pending, jobs, stopping)
            }
            if !events.isEmpty, let store {
                do { try store.apply(events) } catch { onError(ProjectionError.wrap(error)) }
            }
            for job in work { job(stop ? nil : store) }
            if stop { break }
        }
        store?.close()
        store = nil
        condition.withLock {
            finished = true
            condition.broadcast()
        }
    }
}

private final class OpenResult: @unchecked Sendable {
    private let semaphore = DispatchSemaphore(value: 0)
    private var error: ProjectionError?
    func set(_ e: ProjectionError?) {
        error = e
        semaphore.signal()
    }
    func wait() -> ProjectionError? {
        semaphore.wait()
        return error
    }
}

private final class ResultBox<T>: @unchecked Sendable {
    var result: Result<T, any Error>?
}
