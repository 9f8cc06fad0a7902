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
/// commits is applied in a few large transactions.
public final class Timelines: @unchecked Sendable {
    private let queue = DispatchQueue(label: "dateline.timelines")
    /// Touched only on `queue`.
    private let store: TimelineStore
    private let logger: Logger
    private let pendingLock = NSLock()
    private var pending = false
    private var observer: CommitFeedToken?
    private let log: BlockingLog

    /// Opens the projections in `files` (default: beside the log) and brings them to the head
    /// (rebuilding any whose code changed or whose file is missing), then follows every later
    /// commit. A log that still holds the timeline tables of the earlier layout (in its own
    /// file) has them dropped first, told through `notice`; they are rebuilt in `files`.
    public init(log: BlockingLog, files: TimelineFiles, logger: Logger,
                progress: ((RebuildProgress) throws -> Void)? = nil, notice: ((String) -> Void)? = nil) throws {
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
        store = try TimelineStore.open(source: log, files: files, progress: progress)
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

    /// Rebuilds projections from position 0 into fresh files and swaps them in when caught up.
    public func rebuild(_ names: [String]? = nil, progress: ((RebuildProgress) throws -> Void)? = nil) throws {
        try queue.sync { try store.rebuild(names, progress: progress) }
    }

    /// Stops following the log, applies what is committed, and closes the connection.
    public func close() {
        if let observer { log.backend.stopObserving(observer) }
        observer = nil
        queue.sync {
            do { try store.catchUp() } catch {
                logger.warning("timeline projections not caught up at close", metadata: ["error": "\(error)"])
            }
            store.close()
        }
    }
}
