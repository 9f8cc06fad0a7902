import CSQLite
import DatelineCore
import Foundation
import Logging

/// One queued append: validated and encoded by the caller, committed by the writer thread.
struct AppendRequest: Sendable {
    let stream: StreamName
    let expected: ExpectedVersion
    let events: [ProposedEvent]
    let encoded: [EncodedPayload]
    let complete: @Sendable (Result<AppendResult, EventLogError>) -> Void
}

/// The single writer: a dedicated thread (not the Swift cooperative pool) that owns the write
/// connection, drains the queue and commits every queued batch in one transaction.
final class LogWriter: @unchecked Sendable {
    private let db: SQLiteDatabase
    private let path: String
    private let logger: Logger
    private let slowCommitNanoseconds: UInt64
    private let observers: ObserverRegistry

    private let condition = NSCondition()
    private var queue: [AppendRequest] = []
    private var stopping = false
    private var stopped = false
    private let finished = DispatchSemaphore(value: 0)
    private var thread: Thread?

    private var stats = WriterStatistics()
    private var lastGroupSize = 0
    private let gatherNanoseconds: UInt64

    /// Counters since the store was opened.
    var statistics: WriterStatistics {
        condition.lock()
        defer { condition.unlock() }
        return stats
    }

    /// Largest number of events committed in one transaction; the rest wait for the next one.
    private let maxEventsPerCommit = 20_000

    init(db: SQLiteDatabase, path: String, logger: Logger, slowCommit: Duration, groupCommitWait: Duration,
         observers: ObserverRegistry) {
        self.db = db
        let (waitSeconds, waitAttoseconds) = groupCommitWait.components
        self.gatherNanoseconds = UInt64(max(0, waitSeconds)) * 1_000_000_000 + UInt64(max(0, waitAttoseconds)) / 1_000_000_000
        self.path = path
        self.logger = logger
        let (seconds, attoseconds) = slowCommit.components
        self.slowCommitNanoseconds = UInt64(max(0, seconds)) * 1_000_000_000 + UInt64(max(0, attoseconds)) / 1_000_000_000
        self.observers = observers
    }

    func start() {
        let thread = Thread { [self] in run() }
        thread.name = "dateline-log-writer"
        thread.stackSize = 1 << 20
        self.thread = thread
        thread.start()
    }

    /// Batches waiting for the writer (tests use it to build a group deterministically).
    var queuedRequestCount: Int {
        condition.lock()
        defer { condition.unlock() }
        return queue.count
    }

    /// True when called on the writer thread (where a blocking append would deadlock).
    var isWriterThread: Bool { Thread.current === thread }

    func enqueue(_ request: AppendRequest) {
        condition.lock()
        if stopping {
            condition.unlock()
            request.complete(.failure(.closed))
            return
        }
        queue.append(request)
        condition.signal()
        condition.unlock()
    }

    /// Commits what is queued, then stops the thread and closes the connection.
    func stop() {
        condition.lock()
        let alreadyStopping = stopping
        stopping = true
        condition.signal()
        condition.unlock()
        // Closing from a commit observer (on the writer thread itself) cannot wait for the
        // thread to finish; it finishes right after the observer returns.
        if !alreadyStopping, thread != nil, !isWriterThread { finished.wait() }
    }

    private func run() {
        while true {
            condition.lock()
            while queue.isEmpty && !stopping { condition.wait() }
            if queue.isEmpty && stopping {
                condition.unlock()
                break
            }
            // Group commit: when the last commit carried several batches, appenders are running
            // concurrently; wait briefly (at most `gatherNanoseconds`) until as many have queued
            // again, so one fsync serves them all. A lone sequential appender never waits.
            if lastGroupSize > 1 && gatherNanoseconds > 0 && !stopping {
                let deadline = Date(timeIntervalSinceNow: Double(gatherNanoseconds) / 1e9)
                while queue.count < lastGroupSize && !stopping {
                    if !condition.wait(until: deadline) { break }
                }
            }
            var take = 0, events = 0
            while take < queue.count, take == 0 || events + queue[take].events.count <= maxEventsPerCommit {
                events += queue[take].events.count
                take += 1
            }
            let group = Array(queue.prefix(take))
            queue.removeFirst(take)
            lastGroupSize = group.count
            condition.unlock()
            commit(group)
        }
        db.close()
        finished.signal()
    }

    // MARK: Group commit

    private struct Applied {
        var result: AppendResult
        var recorded: [RecordedEvent]
    }

    private func fail(_ error: Error) -> EventLogError {
        if let error = error as? EventLogError { return error }
        if let error = error as? SQLiteError { return EventLogError.from(error, path: path) }
        return .sqlite(SQLiteError(code: SQLITE_ERROR, message: "\(error)"))
    }

    private func commit(_ group: [AppendRequest]) {
        let started = monotonicNanoseconds()
        var outcomes: [Result<Applied, EventLogError>] = []
        outcomes.reserveCapacity(group.count)
        do {
            try db.cached("BEGIN IMMEDIATE").run()
        } catch {
            let failure = fail(error)
            for request in group { request.complete(.failure(failure)) }
            return
        }
        do {
            // Positions and timestamps continue from the last committed row, read inside the
            // write transaction so nothing else can have moved them.
            let last = try db.cached("SELECT position, recorded_at FROM events ORDER BY position DESC LIMIT 1")
            var head: Int64 = 0, lastTime: Int64 = 0
            if try last.step() {
                head = last.int64(0)
                lastTime = last.int64(1)
            }
            last.reset()
            let now = max(wallClockMicroseconds(), lastTime)
            for request in group {
                do {
                    let applied = try apply(request, head: &head, now: now)
                    outcomes.append(.success(applied))
                } catch {
                    if db.isAutocommit {
                        // SQLite rolled the whole transaction back (full disk, I/O error):
                        // nothing of this group is stored.
                        throw error
                    }
                    outcomes.append(.failure(fail(error)))
                }
            }
            try db.cached("COMMIT").run()
        } catch {
            if !db.isAutocommit { try? db.execute("ROLLBACK") }
            let failure = fail(error)
            logger.error("log commit failed; the whole group was rolled back", metadata: [
                "path": "\(path)", "batches": "\(group.count)", "error": "\(failure)",
            ])
            for request in group { request.complete(.failure(failure)) }
            return
        }
        let elapsed = monotonicNanoseconds() - started
        var committedBatches = 0, committedEvents = 0, failedBatches = 0
        for outcome in outcomes {
            switch outcome {
            case .success(let applied) where !applied.result.duplicate:
                committedBatches += 1
                committedEvents += applied.recorded.count
            case .success: break
            case .failure: failedBatches += 1
            }
        }
        condition.lock()
        stats.commits += 1
        stats.batches += committedBatches
        stats.events += committedEvents
        stats.refusedBatches += failedBatches
        stats.largestCommitBatches = max(stats.largestCommitBatches, group.count)
        stats.commitNanoseconds += elapsed
        condition.unlock()
        if elapsed > slowCommitNanoseconds {
            logger.warning("slow log commit", metadata: [
                "milliseconds": "\(elapsed / 1_000_000)", "batches": "\(group.count)",
                "events": "\(group.reduce(0) { $0 + $1.events.count })",
            ])
        }
        // Observers first, so that when an append returns, live subscribers have been handed
        // its events.
        var committed: [RecordedEvent] = []
        for case .success(let applied) in outcomes where !applied.result.duplicate {
            committed.append(contentsOf: applied.recorded)
        }
        if !committed.isEmpty { observers.notify(committed) }
        for (request, outcome) in zip(group, outcomes) {
            request.complete(outcome.map(\.result))
        }
    }

    /// Checks one batch and inserts it. Throws without having written anything.
    ///
    /// The happy path costs one index probe per event (the UNIQUE event_id index, at insert).
    /// Stored ids are looked up only when the insert hits that constraint or the expectation
    /// fails, so a retried batch is still answered before its (now stale) expectation.
    private func apply(_ request: AppendRequest, head: inout Int64, now: Int64) throws -> Applied {
        let stream = request.stream

        // Optimistic concurrency.
        let versionQuery = try db.cached("SELECT max(version) FROM events WHERE stream = ?1")
        try versionQuery.bind(1, stream.rawValue)
        _ = try versionQuery.step()
        let current: Int64? = versionQuery.isNull(0) ? nil : versionQuery.int64(0)
        versionQuery.reset()
        let ok: Bool
        switch request.expected {
        case .any: ok = true
        case .noStream: ok = current == nil
        case .exists: ok = current != nil
        case .exact(let v): ok = current == v.rawValue
        }
        if !ok {
            if let retry = try storedAnswer(request) { return retry }
            throw EventLogError.wrongExpectedVersion(stream: stream, expected: request.expected,
                                                     actual: current.map { StreamVersion($0) })
        }

        // Insert under a savepoint so a failure leaves the other batches of the group intact.
        try db.cached("SAVEPOINT batch").run()
        let insert = try db.cached(Schema.insertEvent)
        var position = head
        var version = current ?? -1
        var recorded: [RecordedEvent] = []
        recorded.reserveCapacity(request.events.count)
        var positions: [Position] = []
        positions.reserveCapacity(request.events.count)
        do {
            for (event, payload) in zip(request.events, request.encoded) {
                position += 1
                version += 1
                insert.reset()
                try insert.bind(1, position)
                try insert.bind(2, stream.rawValue)
                try insert.bind(3, version)
                try insert.bind(4, event.type.rawValue)
                try insert.bind(5, event.id.rawValue)
                try insert.bind(6, now)
                try insert.bind(7, payload.codec.rawValue)
                try insert.bind(8, Int64(payload.crc32))
                try insert.bind(9, event.data.count)
                try insert.bind(10, payload.stored)
                try insert.run()
                positions.append(Position(position))
                recorded.append(RecordedEvent(position: Position(position), stream: stream, version: StreamVersion(version),
                                              id: event.id, type: event.type, recordedAt: Timestamp(rawValue: now),
                                              data: event.data))
            }
            insert.reset()
            try db.cached("RELEASE batch").run()
        } catch {
            insert.reset()
            if !db.isAutocommit {
                try? db.execute("ROLLBACK TO batch; RELEASE batch")
            }
            if error.isConstraint, error.message.contains("event_id"),
               !db.isAutocommit, let retry = try storedAnswer(request) {
                return retry
            }
            throw error
        }
        head = position
        let result = AppendResult(stream: stream, positions: positions, lastVersion: StreamVersion(version),
                                  recordedAt: Timestamp(rawValue: now), duplicate: false)
        return Applied(result: result, recorded: recorded)
    }

    /// Idempotency: nil when none of the batch's ids is stored; the original positions (marked
    /// duplicate) when all are stored in this stream; otherwise the error that refuses the batch.
    private func storedAnswer(_ request: AppendRequest) throws -> Applied? {
        let lookup = try db.cached("SELECT position, stream, version, recorded_at FROM events WHERE event_id = ?1")
        var stored: [StoredEventID?] = []
        stored.reserveCapacity(request.events.count)
        for event in request.events {
            lookup.reset()
            try lookup.bind(1, event.id.rawValue)
            stored.append(try lookup.step()
                ? StoredEventID(position: lookup.int64(0), stream: lookup.string(1), version: lookup.int64(2),
                                recordedAt: lookup.int64(3))
                : nil)
        }
        lookup.reset()
        guard let result = try retryAnswer(stream: request.stream, events: request.events, stored: stored) else { return nil }
        return Applied(result: result, recorded: [])
    }
}

/// What the writer has done since the store was opened (for stats and benchmarks).
public struct WriterStatistics: Sendable, Equatable {
    /// Transactions committed.
    public var commits = 0
    /// Batches written (duplicates and refused batches not counted).
    public var batches = 0
    /// Events written.
    public var events = 0
    /// Batches refused (wrong expected version, mixed ids, …).
    public var refusedBatches = 0
    /// The most batches that shared one commit.
    public var largestCommitBatches = 0
    /// Time spent between BEGIN and COMMIT, summed.
    public var commitNanoseconds: UInt64 = 0

    public init() {}

    /// Batches per commit: how much group commit is saving.
    public var batchesPerCommit: Double { commits == 0 ? 0 : Double(batches) / Double(commits) }
}

/// Identifies a commit observer, to remove it.
public struct ObserverToken: Hashable, Sendable {
    let id: UInt64
}

/// Observers of committed events. Thread-safe.
final class ObserverRegistry: @unchecked Sendable {
    private let lock = NSLock()
    private var next: UInt64 = 1
    private var observers: [UInt64: @Sendable ([RecordedEvent]) -> Void] = [:]
    private var ordered: [@Sendable ([RecordedEvent]) -> Void] = []

    func add(_ observer: @escaping @Sendable ([RecordedEvent]) -> Void) -> ObserverToken {
        lock.withLock {
            let id = next
            next += 1
            observers[id] = observer
            ordered = observers.sorted { $0.key < $1.key }.map(\.value)
            return ObserverToken(id: id)
        }
    }

    func remove(_ token: ObserverToken) {
        lock.withLock {
            observers[token.id] = nil
            ordered = observers.sorted { $0.key < $1.key }.map(\.value)
        }
    }

    func notify(_ events: [RecordedEvent]) {
        let current = lock.withLock { ordered }
        for observer in current { observer(events) }
    }
}
