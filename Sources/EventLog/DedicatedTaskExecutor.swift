import Foundation

/// A task executor on threads of its own, for async work that must keep moving when the
/// cooperative pool is busy (ingest extraction saturating the cores, or blocking callers): the
/// live feed's gap fills and the server's log reads run their tasks here, so neither waits for
/// a pool thread to start or to resume. Jobs run in the order they are enqueued; each thread
/// runs one at a time.
///
/// `shutdown()` lets the threads finish what is queued and exit; a job enqueued later runs on
/// a short-lived thread of its own, so nothing is ever dropped.
@available(macOS 15.0, *)
public final class DedicatedTaskExecutor: TaskExecutor, @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []
    private var head = 0
    private var stopping = false
    private var running = 0

    public init(name: String, threads: Int) {
        for i in 0..<max(1, threads) {
            let thread = Thread { [self] in work() }
            thread.name = threads > 1 ? "\(name)-\(i)" : name
            thread.stackSize = 1 << 20
            running += 1
            thread.start()
        }
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        if stopping {
            condition.unlock()
            let thread = Thread { [self] in job.runSynchronously(on: asUnownedTaskExecutor()) }
            thread.start()
            return
        }
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    private func work() {
        while true {
            condition.lock()
            while head == jobs.count && !stopping { condition.wait() }
            if head == jobs.count {
                running -= 1
                condition.unlock()
                return
            }
            let job = jobs[head]
            head += 1
            if head == jobs.count {
                jobs.removeAll(keepingCapacity: true)
                head = 0
            } else if head >= 256 && head * 2 >= jobs.count {
                jobs.removeFirst(head)
                head = 0
            }
            condition.unlock()
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }

    /// Lets the threads run what is queued, then exit.
    public func shutdown() {
        condition.lock()
        stopping = true
        condition.broadcast()
        condition.unlock()
    }
}

/// Threads of their own for tasks (see `DedicatedTaskExecutor`), usable on every platform:
/// where task executors are not available, tasks start on the global pool instead.
public final class TaskThreads: @unchecked Sendable {
    private let executor: AnyObject?

    public init(name: String, threads: Int) {
        if #available(macOS 15.0, *) {
            executor = DedicatedTaskExecutor(name: name, threads: threads)
        } else {
            executor = nil
        }
    }

    /// Starts `body` as an unstructured task that prefers these threads (so do the async calls
    /// it makes that are not bound to another actor).
    public func start(_ body: @escaping @Sendable () async -> Void) {
        if #available(macOS 15.0, *), let executor = executor as? DedicatedTaskExecutor {
            Task(executorPreference: executor) { await body() }
        } else {
            Task { await body() }
        }
    }

    /// Lets the threads finish what is queued and exit (later tasks still run).
    public func shutdown() {
        if #available(macOS 15.0, *) { (executor as? DedicatedTaskExecutor)?.shutdown() }
    }

    deinit { shutdown() }
}
