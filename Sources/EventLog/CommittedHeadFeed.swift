import CSQLite
import DatelineCore
import Foundation

/// The SQLite log's feed of committed heads: its own commits announced by the writer thread,
/// commits by any other connection (another `dateline ingest --db`, another `datelined` on the
/// same file) noticed by a watcher thread.
///
/// Why `PRAGMA data_version`, polled: SQLite has no cross-process notification. The value a
/// connection reads from `PRAGMA data_version` changes exactly when another connection (in
/// this process or any other) has committed to the file since that connection last asked; in
/// WAL mode asking reads the shared-memory WAL index header and touches no page of the
/// database, so it costs a few microseconds. The watcher owns one connection of its own, on a
/// dedicated thread (never the cooperative pool), asks every `pollInterval` (10 ms by
/// default, well inside the 100 ms the live feed promises), and reads `max(position)` only when
/// the value moved. Alternatives were weighed: the WAL file's size or mtime misses commits that
/// reuse the file after a checkpoint reset it, the `-shm` change counter is an undocumented
/// layout, and an `update_hook` only sees its own connection. This process's own commits do not
/// wait for the timer: the writer thread announces them (with their events) right after each
/// commit, before the appenders are resumed.
///
/// The watcher starts with the first observer and stops when the store closes.
final class CommittedHeadFeed: @unchecked Sendable {
    private let path: String
    private let pollInterval: Duration
    private let stateLock = NSLock()
    private let observers = HeadObservers()
    private var watcher: ForeignCommitWatcher?
    private var closed = false

    /// How the watcher opens the log (read-only for a log opened read-only).
    let mode: SQLiteDatabase.OpenMode

    init(path: String, pollInterval: Duration, mode: SQLiteDatabase.OpenMode = .readWrite) {
        self.path = path
        self.pollInterval = pollInterval
        self.mode = mode
    }

    func add(_ observer: @escaping @Sendable (CommittedHead) -> Void) -> CommitFeedToken {
        let token = observers.add(observer)
        let start = stateLock.withLock { () -> ForeignCommitWatcher? in
            guard watcher == nil && !closed else { return nil }
            let made = ForeignCommitWatcher(path: path, interval: pollInterval, mode: mode, feed: self)
            watcher = made
            return made
        }
        start?.start()
        return token
    }

    func remove(_ token: CommitFeedToken) {
        observers.remove(token)
    }

    /// The writer's notice of its own commit (called on the writer thread).
    func committed(_ events: [RecordedEvent]) {
        observers.committed(events)
    }

    /// A head read by the watcher; dropped when nothing newer than already announced.
    func noticed(head: Position) {
        observers.noticed(head: head)
    }

    /// Stops the watcher thread and waits for it (its connection is closed on its thread).
    func close() {
        let running = stateLock.withLock { () -> ForeignCommitWatcher? in
            closed = true
            defer { watcher = nil }
            return watcher
        }
        running?.stop()
    }
}

/// The thread that polls `PRAGMA data_version` on its own connection (see `CommittedHeadFeed`).
final class ForeignCommitWatcher: @unchecked Sendable {
    private let path: String
    private let intervalSeconds: Double
    private weak var feed: CommittedHeadFeed?
    private let condition = NSCondition()
    private var stopping = false
    private let finished = DispatchSemaphore(value: 0)

    private let mode: SQLiteDatabase.OpenMode

    init(path: String, interval: Duration, mode: SQLiteDatabase.OpenMode, feed: CommittedHeadFeed) {
        self.path = path
        self.mode = mode
        let (seconds, attoseconds) = interval.components
        self.intervalSeconds = max(0.001, Double(seconds) + Double(attoseconds) / 1e18)
        self.feed = feed
    }

    func start() {
        let thread = Thread { [self] in run() }
        thread.name = "dateline-log-watcher"
        thread.stackSize = 256 << 10
        thread.start()
    }

    func stop() {
        condition.lock()
        let already = stopping
        stopping = true
        condition.signal()
        condition.unlock()
        if !already { finished.wait() }
    }

    /// Waits one interval; false once stopping.
    private func sleep() -> Bool {
        condition.lock()
        defer { condition.unlock() }
        let deadline = Date(timeIntervalSinceNow: intervalSeconds)
        while !stopping {
            if !condition.wait(until: deadline) { break }
        }
        return !stopping
    }

    private func run() {
        defer { finished.signal() }
        var db: SQLiteDatabase?
        var lastVersion: Int64?
        repeat {
            do {
                if db == nil {
                    let opened = try SQLiteDatabase(path: path, mode: mode, busyTimeoutMilliseconds: 50)
                    try opened.execute("PRAGMA query_only = 1")
                    db = opened
                    lastVersion = nil
                }
                guard let db else { continue }
                let probe = try db.cached("PRAGMA data_version")
                defer { probe.reset() }
                _ = try probe.step()
                let version = probe.int64(0)
                if version != lastVersion {
                    // The head is read after the version, so a commit after this read changes
                    // the version again and is noticed on a later turn; the first turn
                    // announces the head as found, which covers commits made before the
                    // watcher started.
                    let head = try db.scalarInt("SELECT max(position) FROM events") ?? 0
                    lastVersion = version
                    feed?.noticed(head: Position(head))
                }
            } catch {
                // Busy or an I/O hiccup: try again next turn with a fresh connection.
                db?.close()
                db = nil
            }
        } while sleep()
        db?.close()
    }
}
