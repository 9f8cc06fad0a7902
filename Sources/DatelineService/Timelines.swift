import DatelineCore
import DatelineProjections
import EventLog
import Foundation
import Logging

/// Keeps the timeline projections current in their own files beside the log (see
/// `TimelineFiles`) and answers queries on them.
///
/// One serial dispatch queue owns the projections' SQLite connection (never the cooperative
/// pool). After each commit the log's observer only notes that the head moved; the queue then
/// catches the projections up by reading the log from their checkpoints. However fast
/// appends arrive, at most one catch-up is pending, so memory stays bounded and a burst of
/// commits is applied in a few large transactions. Budgeted reads (the server's queries) run
/// on a few extra connections, side by side, once the queue has caught the projections up.
public final class Timelines: @unchecked Sendable {
    private let queue = DispatchQueue(label: "dateline.timelines")
    /// Touched only on `queue`.
    private let store: TimelineStore
    private let logger: Logger
    private let pendingLock = NSLock()
    private var pending = false
    /// Set by `stopQueries()`; guarded by `pendingLock`.
    private var stopping = false
    private var observer: CommitFeedToken?
    private let log: BlockingLog
    /// Extra connections to the same tables, only for `read(budget:)`: queries run on them
    /// side by side (SQLite's WAL lets readers run beside the writer), so one long query does
    /// not hold up every other client's. Guarded by `pendingLock`; `queryConnections` counts
    /// the free ones.
    private var idleQueryStores: [TimelineStore] = []
    private let queryConnections: DispatchSemaphore
    private let queryQueue = DispatchQueue(label: "dateline.timelines.queries", attributes: .concurrent)

    /// Opens the projections in `files` and brings them to the head (rebuilding any whose code
    /// changed or whose file is missing), then follows every later commit. A log that still
    /// holds the timeline tables of the earlier layout (in its own file) has them dropped
    /// first, told through `notice`; they are rebuilt in `files`. `queryConcurrency` is how
    /// many budgeted queries may run at once.
    public init(log: BlockingLog, files: TimelineFiles, logger: Logger,
                progress: ((RebuildProgress) throws -> Void)? = nil, notice: ((String) -> Void)? = nil,
                queryConcurrency: Int = 2) throws {
        self.log = log
        self.logger = logger
        if let file = log.sqlite {
            let dropped = try file.dropLegacyTimelineTables()
            if !dropped.isEmpty {
                let message = "the timelines now live in \(files.directory): dropped \(dropped.count) old timeline tables from the log file \(file.path); rebuilding them from the log"
                logger.notice("\(message)")
                notice?(message)
            }
        }
        var options = TimelineStoreOptions()
        options.onSkipped = { position, type, reason in
            logger.warning("timeline projections skipped an event they cannot use",
                           metadata: ["position": "\(position)", "type": "\(type)", "reason": "\(reason)"])
        }
        store = try TimelineStore.open(source: log, files: files, options: options, progress: progress)
        var extra: [TimelineStore] = []
        for _ in 0..<max(1, queryConcurrency) {
            extra.append(try TimelineStore(source: log, files: files, options: store.options))
        }
        idleQueryStores = extra
        queryConnections = DispatchSemaphore(value: extra.count)
        // Every commit, this process's or another's (the log's feed of committed heads), starts
        // a catch-up, so the timelines follow foreign writers too.
        observer = log.backend.observeCommittedHeads { [weak self] _ in self?.scheduleCatchUp() }
    }

    /// Opens the timelines of an SQLite log, in `files` or beside the log.
    public convenience init(log: EventStore, files: TimelineFiles? = nil, logger: Logger,
                            progress: ((RebuildProgress) throws -> Void)? = nil, notice: ((String) -> Void)? = nil) throws {
        try self.init(log: BlockingLog(log), files: files ?? TimelineFiles(besideLog: log.path), logger: logger,
                      progress: progress, notice: notice)
    }

    /// Brings the projections to the log's head now, reporting through `progress` (for
    /// `dateline ingest`, so that the first query after it answers at once).
    public func catchUp(progress: ((RebuildProgress) throws -> Void)? = nil) throws {
        try queue.sync { try store.catchUp(progress: progress) }
    }

    private func scheduleCatchUp() {
        pendingLock.lock()
        defer { pendingLock.unlock() }
        guard !pending else { return }
        pending = true
        queue.async { [self] in
            pendingLock.lock()
            pending = false
            pendingLock.unlock()
            do {
                try store.catchUp()
            } catch {
                // The checkpoint did not move: the next commit (or open) retries from it.
                logger.error("timeline projections could not catch up", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Runs `body` with the projections once they have applied everything committed so far
    /// (read-your-writes for the CLI and the server's `query`).
    public func read<T>(_ body: (TimelineStore) throws -> T) throws -> T {
        try queue.sync {
            try store.catchUp()
            return try body(store)
        }
    }

    /// The async form of `read`, for the server: runs on the projections' queue, not on the
    /// caller's executor.
    public func read<T: Sendable>(_ body: @escaping @Sendable (TimelineStore) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { [self] in
                continuation.resume(with: Result {
                    try store.catchUp()
                    return try body(store)
                })
            }
        }
    }

    /// `read` with a time budget, run beside other such reads: the projections first catch up
    /// (on their own queue, so what was committed before is seen), then `body` runs on one of
    /// the query connections. Its queries stop after `budget` seconds or as soon as
    /// `stopQueries()` is called, and then throw `QueryStopped`.
    public func read<T: Sendable>(budget seconds: Double,
                                  _ body: @escaping @Sendable (TimelineStore) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { [self] in
                do {
                    if queriesStopped { throw QueryStopped.shuttingDown }
                    try store.catchUp()
                } catch {
                    continuation.resume(throwing: error)
                    return
                }
                queryQueue.async { [self] in
                    continuation.resume(with: Result { try runQuery(budget: seconds, body) })
                }
            }
        }
    }

    private func runQuery<T>(budget seconds: Double, _ body: (TimelineStore) throws -> T) throws -> T {
        queryConnections.wait()
        let query = pendingLock.withLock { idleQueryStores.removeLast() }
        defer {
            pendingLock.withLock { idleQueryStores.append(query) }
            queryConnections.signal()
        }
        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(max(0, seconds) * 1e9)
        let stopped = { [self] () -> QueryStopped? in
            if queriesStopped { return .shuttingDown }
            return DispatchTime.now().uptimeNanoseconds > deadline ? .timeBudget(seconds: seconds) : nil
        }
        if let reason = stopped() { throw reason }
        do {
            return try query.stoppable({ stopped() != nil }, body)
        } catch {
            if let reason = stopped() { throw reason }
            throw error
        }
    }

    /// Stops every query running or started from now on (`read(budget:)`), so a shutdown does
    /// not wait for them.
    public func stopQueries() {
        pendingLock.lock()
        stopping = true
        pendingLock.unlock()
    }

    private var queriesStopped: Bool {
        pendingLock.lock()
        defer { pendingLock.unlock() }
        return stopping
    }

    /// Rebuilds projections from position 0 into fresh files and swaps them in when caught up.
    public func rebuild(_ names: [String]? = nil, progress: ((RebuildProgress) throws -> Void)? = nil) throws {
        try queue.sync { try store.rebuild(names, progress: progress) }
    }

    /// Stops following the log, applies what is committed, and closes the connection.
    public func close() {
        if let observer { log.backend.stopObserving(observer) }
        observer = nil
        stopQueries()
        queryQueue.sync(flags: .barrier) {}
        pendingLock.withLock {
            for query in idleQueryStores { query.close() }
        }
        queue.sync {
            do { try store.catchUp() } catch {
                logger.warning("timeline projections not caught up at close", metadata: ["error": "\(error)"])
            }
            store.close()
        }
    }
}

/// Why a query with a time budget was stopped before it finished.
public enum QueryStopped: Error, Sendable, Equatable, CustomStringConvertible {
    case timeBudget(seconds: Double)
    case shuttingDown

    public var description: String {
        switch self {
        case .timeBudget(let s): "the query ran longer than its time budget of \(s) s and was stopped; narrow it"
        case .shuttingDown: "the query was stopped because the server is shutting down"
        }
    }
}
