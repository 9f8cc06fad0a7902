import CSQLite
import DatelineCore
import Foundation
import Logging

/// How a log is opened.
public struct EventStoreOptions: Sendable {
    /// How hard a commit pushes data to disk before appenders are acknowledged.
    public enum Durability: String, Sendable {
        /// `synchronous=FULL`: an acknowledged event survives `kill -9` and power loss.
        case full
        /// `synchronous=NORMAL`: survives `kill -9`; the last commits may be lost on power loss.
        /// Faster; an explicit opt-in.
        case normal
    }

    public var durability: Durability
    public var compression: CompressionPolicy
    /// Payloads shorter than this are stored raw: zlib's 6-byte frame would eat the gain.
    public var rawThreshold: Int
    /// Commits slower than this are logged as warnings.
    public var slowCommitWarning: Duration
    /// The preset dictionary for new rows (stored in the log under its id when first used).
    public var dictionary: CompressionDictionary
    /// An optional cap on the database file's size (SQLite's `max_page_count`). Appends that
    /// would grow the file beyond it fail with `EventLogError.diskFull`, exactly as on a full disk.
    public var sizeLimitBytes: Int64?
    /// Group commit: when appenders are running concurrently (the previous commit carried
    /// several batches), the writer waits up to this long for as many to queue again before it
    /// commits, so one fsync serves them all. A lone sequential appender never waits. Zero
    /// turns the wait off (batches queued meanwhile are still committed together).
    public var groupCommitWait: Duration
    /// How often the feed of committed heads asks SQLite whether another connection or process
    /// has committed (`PRAGMA data_version`; see `CommittedHeadFeed`). This process's own commits
    /// are announced at once regardless.
    public var foreignCommitPollInterval: Duration
    /// Open for reading only: no write connection and no writer thread; appends fail with
    /// `EventLogError.directoryReadOnly`. For a log whose file or directory this process cannot
    /// write (a read-only mount, a file of another user): readers need no write access.
    public var readOnly = false

    public init(durability: Durability = .full, compression: CompressionPolicy = .zlibWithDictionary,
                rawThreshold: Int = 64, slowCommitWarning: Duration = .milliseconds(500),
                dictionary: CompressionDictionary = .default, sizeLimitBytes: Int64? = nil,
                groupCommitWait: Duration = .milliseconds(2), foreignCommitPollInterval: Duration = .milliseconds(10)) {
        self.foreignCommitPollInterval = foreignCommitPollInterval
        self.durability = durability
        self.compression = compression
        self.rawThreshold = rawThreshold
        self.slowCommitWarning = slowCommitWarning
        self.dictionary = dictionary
        self.sizeLimitBytes = sizeLimitBytes
        self.groupCommitWait = groupCommitWait
    }
}

/// Payload sizes of a range of events.
public struct PayloadBytes: Sendable, Equatable {
    /// Bytes as appended (uncompressed JSON).
    public var raw: Int64
    /// Bytes as stored (after compression).
    public var stored: Int64

    public init(raw: Int64, stored: Int64) {
        self.raw = raw
        self.stored = stored
    }
}

/// The append-only event log: one SQLite file in WAL mode.
///
/// Threading: an `EventStore` is `Sendable`; use it from any thread or task. Appends are handed
/// to a dedicated writer thread that owns the only write connection and commits queued batches
/// together (group commit). Reads run on a small pool of separate read connections, each read
/// in its own WAL snapshot, so they never wait for the writer. The synchronous read methods
/// block the calling thread on SQLite (they are short, indexed queries, except `forEachEvent` and
/// `verify`); from async code use `store.async`, which runs them on a dispatch queue rather
/// than the cooperative pool.
///
/// Positions are inclusive everywhere: `read(from: p)` starts with the event at `p`;
/// `Position.start` (0) reads the whole log. To page, continue from `last.position.next`.
public final class EventStore: Sendable {
    /// The database file.
    public let path: String
    public let options: EventStoreOptions
    let writer: LogWriter
    private let readers: ReaderPool
    private let encoder: PayloadEncoder
    private let observers: ObserverRegistry
    let headFeed: CommittedHeadFeed
    private let logger: Logger
    private let closeState = CloseState()
    fileprivate static let readQueue = DispatchQueue(label: "dateline-log-readers", qos: .userInitiated, attributes: .concurrent)

    /// The schema version this code writes and reads.
    public static let schemaVersion = Int(Schema.version)

    /// Opens the log at `path`, creating it (and its schema) when the file does not exist.
    ///
    /// Throws `EventLogError.directoryMissing`, `.directoryReadOnly`, `.notADatelineLog`,
    /// `.newerSchemaVersion` or `.sqlite`.
    public init(path: String, options: EventStoreOptions = EventStoreOptions(), logger: Logger) throws(EventLogError) {
        self.path = path
        self.options = options
        self.logger = logger
        let db: SQLiteDatabase
        let readMode: SQLiteDatabase.OpenMode
        if options.readOnly {
            (db, readMode) = try Self.openReadOnlyConnection(path: path)
        } else {
            db = try Self.openWriterConnection(path: path, options: options)
            readMode = .readWrite
        }
        let dictionaries = DictionaryCache()
        do {
            let s = try db.prepare("SELECT bytes FROM dictionaries")
            while try s.step() { dictionaries.insert(CompressionDictionary(bytes: s.blob(0))) }
        } catch {
            db.close()
            throw EventLogError.from(error, path: path)
        }
        if dictionaries.lookup(options.dictionary.id) == nil && !options.readOnly {
            do {
                let s = try db.prepare("INSERT OR IGNORE INTO dictionaries(id, bytes, added_at) VALUES (?1, ?2, ?3)")
                try s.bind(1, Int64(options.dictionary.id))
                try s.bind(2, options.dictionary.bytes)
                try s.bind(3, wallClockMicroseconds())
                try s.run()
            } catch {
                db.close()
                throw EventLogError.from(error, path: path)
            }
            dictionaries.insert(options.dictionary)
        }
        observers = ObserverRegistry()
        let headFeed = CommittedHeadFeed(path: path, pollInterval: options.foreignCommitPollInterval, mode: readMode)
        self.headFeed = headFeed
        _ = observers.add { events in headFeed.committed(events) }
        encoder = PayloadEncoder(policy: options.compression, rawThreshold: options.rawThreshold, dictionary: options.dictionary)
        readers = ReaderPool(path: path, dictionaries: dictionaries, mode: readMode)
        writer = LogWriter(db: db, path: path, logger: logger, slowCommit: options.slowCommitWarning,
                           groupCommitWait: options.groupCommitWait, observers: observers)
        // A read-only log has no writer: appends are refused before they reach it.
        if !options.readOnly { writer.start() }
    }

    deinit { close() }

    /// Commits whatever is queued, stops the writer thread and closes every connection.
    /// Later calls fail with `EventLogError.closed`. Safe to call twice.
    public func close() {
        guard closeState.markClosed() else { return }
        writer.stop()
        headFeed.close()
        readers.close()
    }

    // MARK: Opening

    /// A read-only connection to an existing log, and the mode its readers open with: plain
    /// read-only when SQLite can use the WAL's `-shm` (present, or creatable beside the file),
    /// else immutable (a directory nobody may write, where a cleanly closed log has no `-wal`
    /// or `-shm`; nothing can commit to such a log meanwhile).
    private static func openReadOnlyConnection(path: String) throws(EventLogError) -> (SQLiteDatabase, SQLiteDatabase.OpenMode) {
        guard FileManager.default.fileExists(atPath: path) else {
            throw .sqlite(SQLiteError(code: SQLITE_CANTOPEN, message: "no log at \(path)"))
        }
        var failure: SQLiteError?
        for mode in [SQLiteDatabase.OpenMode.readOnly, .immutable] {
            let db: SQLiteDatabase
            do { db = try SQLiteDatabase(path: path, mode: mode) } catch {
                failure = error
                continue
            }
            do {
                let applicationID = Int32(truncatingIfNeeded: try db.scalarInt("PRAGMA application_id") ?? 0)
                let version = Int(try db.userVersion)
                if applicationID != Schema.applicationID || version < 1 {
                    db.close()
                    throw EventLogError.notADatelineLog(path: path)
                }
                if version > Int(Schema.version) {
                    db.close()
                    throw EventLogError.newerSchemaVersion(path: path, found: version, supported: Int(Schema.version))
                }
                _ = try db.scalarInt("SELECT max(position) FROM events")
                return (db, mode)
            } catch let error as EventLogError {
                throw error
            } catch let error as SQLiteError {
                db.close()
                failure = error
            } catch {
                db.close()
                failure = SQLiteError(code: SQLITE_ERROR, message: "\(error)")
            }
        }
        throw EventLogError.from(failure ?? SQLiteError(code: SQLITE_CANTOPEN, message: "cannot open"), path: path)
    }

    /// Whether this store was opened read-only (`EventStoreOptions.readOnly`).
    public var isReadOnly: Bool { options.readOnly }

    private static func openWriterConnection(path: String, options: EventStoreOptions) throws(EventLogError) -> SQLiteDatabase {
        let directory = (path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw .directoryMissing(path: directory)
        }
        let fileExists = FileManager.default.fileExists(atPath: path)
        // The log writes its -wal and -shm files next to the database, so the directory itself
        // must be writable.
        if access(directory, W_OK) != 0 { throw .directoryReadOnly(path: directory) }
        if fileExists && access(path, W_OK) != 0 { throw .directoryReadOnly(path: path) }

        let db: SQLiteDatabase
        do {
            db = try SQLiteDatabase(path: path, mode: .readWrite)
        } catch {
            if error.code == SQLITE_CANTOPEN || error.code == SQLITE_READONLY || error.code == SQLITE_PERM {
                throw .directoryReadOnly(path: directory)
            }
            throw EventLogError.from(error, path: path)
        }
        do {
            let applicationID = Int32(truncatingIfNeeded: try db.scalarInt("PRAGMA application_id") ?? 0)
            let objects = try db.scalarInt("SELECT count(*) FROM sqlite_schema") ?? 0
            if applicationID == 0 && objects == 0 {
                try db.execute("PRAGMA journal_mode = WAL")
                try configure(db, options: options)
                try db.transaction(.immediate) {
                    // Another process may have initialised the file in the meantime.
                    if try db.scalarInt("SELECT count(*) FROM sqlite_schema") ?? 0 == 0 {
                        try db.execute(Schema.create)
                        try db.execute("PRAGMA application_id = \(Schema.applicationID)")
                        try db.setUserVersion(Schema.version)
                        try db.execute("""
                            INSERT INTO metadata(key, value) VALUES
                                ('format', 'dateline-event-log'),
                                ('schema_version', '\(Schema.version)'),
                                ('created_at', '\(wallClockMicroseconds())')
                            """)
                    }
                }
            } else if applicationID != Schema.applicationID {
                db.close()
                throw EventLogError.notADatelineLog(path: path)
            } else {
                let version = Int(try db.userVersion)
                if version > Int(Schema.version) {
                    db.close()
                    throw EventLogError.newerSchemaVersion(path: path, found: version, supported: Int(Schema.version))
                }
                if version < 1 {
                    db.close()
                    throw EventLogError.notADatelineLog(path: path)
                }
                let mode = try db.scalarText("PRAGMA journal_mode = WAL")
                if mode?.lowercased() != "wal" {
                    db.close()
                    throw EventLogError.directoryReadOnly(path: directory)
                }
                try configure(db, options: options)
            }
        } catch let error as EventLogError {
            db.close()
            throw error
        } catch let error as SQLiteError {
            db.close()
            if error.code == SQLITE_READONLY || error.code == SQLITE_CANTOPEN { throw .directoryReadOnly(path: directory) }
            throw EventLogError.from(error, path: path)
        } catch {
            db.close()
            throw .sqlite(SQLiteError(code: SQLITE_ERROR, message: "\(error)"))
        }
        return db
    }

    private static func configure(_ db: SQLiteDatabase, options: EventStoreOptions) throws(SQLiteError) {
        try db.execute("""
            PRAGMA synchronous = \(options.durability == .full ? "FULL" : "NORMAL");
            PRAGMA cache_size = -32000;
            PRAGMA foreign_keys = OFF;
            """)
        if let limit = options.sizeLimitBytes {
            let pageSize = try db.scalarInt("PRAGMA page_size") ?? 4096
            try db.setMaxPageCount(max(1, limit / pageSize))
        }
    }

    // MARK: Appending

    /// Appends `events` to `stream` as one atomic batch, if the stream is at `expected`.
    ///
    /// Concurrent appends are committed together in one transaction; this returns after that
    /// transaction is durable (per `options.durability`). If every event id in the batch is
    /// already stored in this stream, nothing is written and the original positions are
    /// returned with `duplicate == true`. A batch that mixes stored and new ids is refused.
    public func append(to stream: StreamName, expecting expected: ExpectedVersion = .any,
                       events: [ProposedEvent]) async throws(EventLogError) -> AppendResult {
        let request = try prepare(stream: stream, expected: expected, events: events)
        let result: Result<AppendResult, EventLogError> = await withCheckedContinuation { continuation in
            writer.enqueue(AppendRequest(stream: request.stream, expected: request.expected, events: request.events,
                                         encoded: request.encoded, complete: { continuation.resume(returning: $0) }))
        }
        return try result.get()
    }

    /// The blocking form of `append`, for command-line tools and threads outside Swift
    /// concurrency. Must not be called from a commit observer (it would wait for itself).
    public func appendSync(to stream: StreamName, expecting expected: ExpectedVersion = .any,
                           events: [ProposedEvent]) throws(EventLogError) -> AppendResult {
        precondition(!writer.isWriterThread, "appendSync called from a commit observer on the writer thread")
        let request = try prepare(stream: stream, expected: expected, events: events)
        let done = DispatchSemaphore(value: 0)
        let box = ResultBox()
        writer.enqueue(AppendRequest(stream: request.stream, expected: request.expected, events: request.events,
                                     encoded: request.encoded, complete: { result in
                                         box.set(result)
                                         done.signal()
                                     }))
        done.wait()
        return try box.get().get()
    }

    private struct Prepared {
        var stream: StreamName
        var expected: ExpectedVersion
        var events: [ProposedEvent]
        var encoded: [EncodedPayload]
    }

    private func prepare(stream: StreamName, expected: ExpectedVersion, events: [ProposedEvent]) throws(EventLogError) -> Prepared {
        if closeState.isClosed { throw .closed }
        if options.readOnly { throw .directoryReadOnly(path: path) }
        if events.isEmpty { throw .emptyBatch(stream: stream) }
        var seen = Set<EventID>()
        for event in events where !seen.insert(event.id).inserted {
            throw .duplicateEventIDInBatch(stream: stream, id: event.id)
        }
        // Compression runs on the caller's thread so the writer only does SQLite work.
        let encoded = encoder.encode(events.map(\.data))
        return Prepared(stream: stream, expected: expected, events: events, encoded: encoded)
    }

    /// Writer counters since the store was opened: commits, batches, events, group sizes.
    public var writerStatistics: WriterStatistics { writer.statistics }

    // MARK: Observing

    /// Registers `observer` to be called after every commit with the events it made durable, in
    /// position order, payloads as appended (uncompressed JSON bytes). Duplicates of already
    /// stored batches are not reported again.
    ///
    /// Observers run on the writer thread before the appenders are resumed: they must return
    /// quickly and must not block (hand the events to a queue or an event loop). They must not
    /// call `appendSync`.
    public func addCommitObserver(_ observer: @escaping @Sendable ([RecordedEvent]) -> Void) -> ObserverToken {
        observers.add(observer)
    }

    public func removeCommitObserver(_ token: ObserverToken) {
        observers.remove(token)
    }

    /// See `EventLogBackend.observeCommittedHeads`: this process's commits at once, with their
    /// events; other connections' and processes' commits within `foreignCommitPollInterval`.
    public func observeCommittedHeads(_ observer: @escaping @Sendable (CommittedHead) -> Void) -> CommitFeedToken {
        headFeed.add(observer)
    }

    public func stopObservingCommittedHeads(_ token: CommitFeedToken) {
        headFeed.remove(token)
    }

    /// This log behind the backend-neutral interface the service and the server use.
    public var backend: any EventLogBackend { SQLiteEventLog(store: self) }

    // MARK: Reading (synchronous)

    private func withReader<T>(_ body: (LogReader) throws -> T) throws(EventLogError) -> T {
        do { return try readers.withReader(body) } catch let error as EventLogError {
            throw error
        } catch let error as SQLiteError {
            throw EventLogError.from(error, path: path)
        } catch {
            throw .sqlite(SQLiteError(code: SQLITE_ERROR, message: "\(error)"))
        }
    }

    /// The position of the last committed event, or `Position.start` when the log is empty.
    public func head() throws(EventLogError) -> Position {
        try withReader { try $0.head() }
    }

    /// Up to `limit` events from `position` (inclusive) in position order.
    public func read(from position: Position, limit: Int) throws(EventLogError) -> [RecordedEvent] {
        try withReader { try $0.read(from: position, limit: limit) }
    }

    /// The event at `position`, if there is one.
    public func event(at position: Position) throws(EventLogError) -> RecordedEvent? {
        try withReader { try $0.event(at: position) }
    }

    /// Up to `limit` events of one stream from `version` (inclusive), in version order.
    public func readStream(_ stream: StreamName, from version: StreamVersion = StreamVersion(0),
                           limit: Int = Int.max) throws(EventLogError) -> [RecordedEvent] {
        try withReader { try $0.readStream(stream, from: version, limit: limit) }
    }

    /// The version of the stream's last event, or nil when the stream does not exist.
    public func streamVersion(_ stream: StreamName) throws(EventLogError) -> StreamVersion? {
        try withReader { try $0.streamVersion(stream) }
    }

    /// The first position whose `recorded_at` is at or after `time`, or nil when every event is
    /// older (a binary search: recorded_at never decreases along positions).
    public func firstPosition(atOrAfter time: Timestamp) throws(EventLogError) -> Position? {
        try withReader { try $0.firstPosition(atOrAfter: time) }
    }

    /// How many events of each type the log holds (a full scan of the table, without payloads).
    public func countsByType() throws(EventLogError) -> [EventType: Int] {
        try withReader { try $0.countsByType() }
    }

    /// Bytes of stored (compressed) payload in a position range, e.g. for an ingest summary.
    public func storedPayloadBytes(from: Position, through: Position) throws(EventLogError) -> Int64 {
        try payloadBytes(from: from, through: through).stored
    }

    /// Payload bytes in a position range as appended and as stored, without inflating anything:
    /// the compression ratio for `dateline stats`.
    public func payloadBytes(from: Position, through: Position) throws(EventLogError) -> PayloadBytes {
        try withReader { try $0.payloadBytes(from: from, through: through) }
    }

    /// Size of the log on disk: the database file plus its write-ahead log.
    public func databaseSize() throws(EventLogError) -> Int64 {
        try withReader { $0.databaseSize() }
    }

    /// Calls `body` with every event from `position` (inclusive) through `until` (inclusive, nil
    /// for the head when the scan starts), optionally only those of `types`, in position order.
    ///
    /// This is the bulk path for replay and projection rebuilds: one SQLite snapshot, one event
    /// in memory at a time, every payload inflated and CRC-checked. Throwing from `body` stops
    /// the scan and rethrows. `body` must not append synchronously.
    public func forEachEvent(from position: Position = .start, until: Position? = nil, types: Set<EventType>? = nil,
                             body: (RecordedEvent) throws -> Void) throws {
        try readers.withReader { try $0.forEachEvent(from: position, until: until, types: types, body: body) }
    }

    /// Scans the whole log: every CRC and payload, positions contiguous from 1, each stream's
    /// versions 0, 1, 2, …, recorded_at never decreasing, the append-only triggers present, and
    /// SQLite's own `quick_check`. Faults are collected, not thrown.
    public func verify() throws(EventLogError) -> VerifyReport {
        try withReader { try Verifier.run($0) }
    }

    // MARK: Reading (async)

    /// The read methods as `async` functions that run on a dispatch queue, so a task never
    /// blocks a cooperative-pool thread on SQLite: `try await store.async.read(from: p, limit: 500)`.
    public var async: AsyncReads { AsyncReads(store: self) }

    /// See `EventStore.async`.
    public struct AsyncReads: Sendable {
        let store: EventStore

        private func run<T: Sendable>(_ body: @escaping @Sendable () throws(EventLogError) -> T) async throws(EventLogError) -> T {
            let result: Result<T, EventLogError> = await withCheckedContinuation { continuation in
                EventStore.readQueue.async {
                    do throws(EventLogError) { continuation.resume(returning: .success(try body())) } catch {
                        continuation.resume(returning: .failure(error))
                    }
                }
            }
            return try result.get()
        }

        public func head() async throws(EventLogError) -> Position {
            let store = self.store
            return try await run { () throws(EventLogError) in try store.head() }
        }

        public func read(from position: Position, limit: Int) async throws(EventLogError) -> [RecordedEvent] {
            let store = self.store
            return try await run { () throws(EventLogError) in try store.read(from: position, limit: limit) }
        }

        public func event(at position: Position) async throws(EventLogError) -> RecordedEvent? {
            let store = self.store
            return try await run { () throws(EventLogError) in try store.event(at: position) }
        }

        public func readStream(_ stream: StreamName, from version: StreamVersion = StreamVersion(0),
                               limit: Int = Int.max) async throws(EventLogError) -> [RecordedEvent] {
            let store = self.store
            return try await run { () throws(EventLogError) in try store.readStream(stream, from: version, limit: limit) }
        }

        public func streamVersion(_ stream: StreamName) async throws(EventLogError) -> StreamVersion? {
            let store = self.store
            return try await run { () throws(EventLogError) in try store.streamVersion(stream) }
        }

        public func firstPosition(atOrAfter time: Timestamp) async throws(EventLogError) -> Position? {
            let store = self.store
            return try await run { () throws(EventLogError) in try store.firstPosition(atOrAfter: time) }
        }

        public func countsByType() async throws(EventLogError) -> [EventType: Int] {
            let store = self.store
            return try await run { () throws(EventLogError) in try store.countsByType() }
        }

        public func payloadBytes(from: Position, through: Position) async throws(EventLogError) -> PayloadBytes {
            let store = self.store
            return try await run { () throws(EventLogError) in try store.payloadBytes(from: from, through: through) }
        }

        public func statistics() async throws(EventLogError) -> LogStatistics {
            let store = self.store
            return try await run { () throws(EventLogError) in
                let head = try store.head()
                let bytes = head > .start ? try store.payloadBytes(from: Position(1), through: head) : PayloadBytes(raw: 0, stored: 0)
                return LogStatistics(head: head, eventsByType: try store.countsByType(), payloadBytes: bytes,
                                     storageBytes: try store.databaseSize())
            }
        }

        public func databaseSize() async throws(EventLogError) -> Int64 {
            let store = self.store
            return try await run { () throws(EventLogError) in try store.databaseSize() }
        }

        public func verify() async throws(EventLogError) -> VerifyReport {
            let store = self.store
            return try await run { () throws(EventLogError) in try store.verify() }
        }
    }
}

/// Set once by `close()`.
private final class CloseState: @unchecked Sendable {
    private let lock = NSLock()
    private var closed = false
    var isClosed: Bool { lock.withLock { closed } }
    /// Returns true for the call that closed it.
    func markClosed() -> Bool {
        lock.withLock {
            if closed { return false }
            closed = true
            return true
        }
    }
}

private final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Result<AppendResult, EventLogError>?
    func set(_ result: Result<AppendResult, EventLogError>) { lock.withLock { value = result } }
    func get() -> Result<AppendResult, EventLogError> { lock.withLock { value! } }
}
