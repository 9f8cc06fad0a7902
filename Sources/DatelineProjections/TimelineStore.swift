import DatelineCore
import EventLog
import Foundation

/// How a `TimelineStore` runs.
public struct TimelineStoreOptions: Sendable {
    /// Events per transaction when catching up or rebuilding: bigger is faster, smaller holds
    /// the database's write lock (shared with the log's writer) for less time.
    public var chunkSize: Int
    /// Build the statement tables with an SQLite FTS5 index for word search when the system
    /// library has it (else word search uses LIKE over folded words). Applies when tables are
    /// created or rebuilt.
    public var fullTextSearch: Bool
    /// Decode payloads on this many threads during catch-up and rebuild.
    public var decodeThreads: Int
    /// Told the position, type and reason of each event the projections skip (a payload they
    /// cannot use), so the owner can log it; the skips are also counted in `stats()`.
    public var onSkipped: (@Sendable (Position, EventType, String) -> Void)? = nil

    public init(chunkSize: Int = 4_000, fullTextSearch: Bool = true,
                decodeThreads: Int = max(1, min(4, ProcessInfo.processInfo.activeProcessorCount))) {
        self.chunkSize = chunkSize
        self.fullTextSearch = fullTextSearch
        self.decodeThreads = decodeThreads
    }
}

/// Where a catch-up or rebuild is, reported after every committed chunk.
public struct RebuildProgress: Sendable, Equatable {
    public var projection: String
    /// True for a rebuild into shadow tables, false for catching up the live tables.
    public var rebuilding: Bool
    /// The last log position applied.
    public var position: Position
    /// The log's head when the pass started.
    public var head: Position
    /// Log positions covered per second so far.
    public var eventsPerSecond: Double
    /// At that rate, until `head`.
    public var secondsLeft: Double?
}

/// One projection's state, for `dateline stats`.
public struct ProjectionStats: Sendable, Equatable, Codable {
    public var name: String
    public var checkpoint: Position
    public var head: Position
    /// Events in the log not yet applied.
    public var lag: Int64
    /// The code version the tables were built with, and this code's.
    public var storedCodeVersion: Int
    public var codeVersion: Int
    /// Events of this projection's types whose payload could not be read (skipped).
    public var malformed: Int
    /// Rows per table (live tables, without the `tl_` prefix).
    public var rows: [String: Int]
    /// When the tables were last (re)built from the log, as seconds since 1970 (nil when they
    /// have grown incrementally since they were created).
    public var builtAt: Int64?
    /// The checkpoint of an unfinished rebuild, if one is in progress or was interrupted.
    public var rebuildCheckpoint: Position?

    enum CodingKeys: String, CodingKey {
        case name, checkpoint, head, lag
        case storedCodeVersion = "stored_code_version"
        case codeVersion = "code_version"
        case malformed, rows
        case builtAt = "built_at"
        case rebuildCheckpoint = "rebuild_checkpoint"
    }
}

/// The timelines kept in SQLite tables beside the log (in the same database file, through their
/// own connection; tables prefixed `tl_`), current as of each projection's checkpoint.
///
/// Two projections live here, each with its own checkpoint and code version: `statements` and
/// `tensions`. Each batch of rows is committed in the same transaction as its checkpoint, so a
/// crash at any moment leaves the tables exactly as of some checkpoint, and the next catch-up
/// continues from there: every event is applied exactly once.
///
/// Threading: a `TimelineStore` owns a SQLite connection and is not `Sendable`. Create it, use
/// it and close it on one thread (or under one lock), never on Swift's cooperative pool. Other
/// threads or processes may open their own `TimelineStore` on the same file at the same time
/// (for example a query connection beside the one that applies events): writes are serialised
/// by SQLite, every apply re-reads the checkpoint inside its transaction, so two appliers never
/// count an event twice.
///
/// Use:
/// 1. `TimelineStore.open(log:)` after opening the log: it creates the tables, rebuilds any
///    projection whose code version changed, and catches up from the checkpoints to the head.
/// 2. `apply(_:)` with the events of each commit (from the log's commit observer, handed to the
///    thread that owns this store) or after each ingest; events already applied are skipped and
///    a gap is filled from the log.
/// 3. Queries: `statements(_:)`, `tensions(_:)`, `topPairs(…)`, `indexSeries(…)`, `stats()`.
public final class TimelineStore {
    public let log: EventStore
    public let options: TimelineStoreOptions
    let db: SQLiteDatabase
    private var closed = false
    /// Per state name (live or shadow tables).
    private var caches: [String: ApplyCache] = [:]

    func cache(_ stateName: String, generation: Int) -> ApplyCache {
        if let c = caches[stateName], c.generation == generation { return c }
        let c = ApplyCache(generation: generation, onSkipped: options.onSkipped)
        caches[stateName] = c
        return c
    }

    /// Runs a write transaction; if it fails, what the caches learnt in it may be false.
    private func writeTransaction(_ body: () throws -> Void) throws {
        do { try db.transaction(.immediate, body) } catch {
            caches.removeAll()
            throw error
        }
    }

    static let definitions: [any TableProjection.Type] = [StatementsProjection.self, TensionsProjection.self]
    /// The projections, by name: `statements`, `tensions`.
    public static var projectionNames: [String] { definitions.map { $0.name } }

    /// Log positions read per snapshot during catch-up and rebuild.
    static let scanWindow = 20_000
    static let live = "tl_"
    static let shadow = "tl_rebuild_"
    /// Live tables replaced by a rebuild, until they are dropped.
    static let retired = "tl_retired_"
    static func shadowName(_ name: String) -> String { name + ".rebuild" }

    /// Opens the projection tables in the log's database file, creating them when missing. Does
    /// not catch up: call `catchUp()` (or use `open(log:options:progress:)`).
    public init(log: EventStore, options: TimelineStoreOptions = TimelineStoreOptions()) throws(ProjectionError) {
        self.log = log
        self.options = options
        do {
            db = try SQLiteDatabase(path: log.path, mode: .readWrite)
        } catch {
            throw .sqlite(error)
        }
        // The tables are derived data: a commit lost on power failure is re-applied from the log
        // (the checkpoint is lost with it), so NORMAL is safe here and much cheaper than FULL.
        do {
            // Sorting helper threads make a rebuild's index creation (a sort per index) faster.
            let sortThreads = max(0, min(4, ProcessInfo.processInfo.activeProcessorCount))
            // Some builds of SQLite (Debian's among them) zero every freed page by default. The
            // log keeps every text these tables hold, so that protects nothing here, and it made
            // dropping the tables a rebuild replaces write their whole size again (2.6 s instead
            // of 0.2 for a 330 MB table).
            try db.execute("""
                PRAGMA synchronous = NORMAL; PRAGMA cache_size = -32000; PRAGMA temp_store = MEMORY;
                PRAGMA threads = \(sortThreads); PRAGMA secure_delete = OFF
                """)
            try db.transaction(.immediate) {
                try db.execute("""
                    CREATE TABLE IF NOT EXISTS tl_projections(
                        name TEXT PRIMARY KEY,
                        checkpoint INTEGER NOT NULL,      -- last log position applied
                        code_version INTEGER NOT NULL,
                        generation INTEGER NOT NULL,      -- names this build's indexes
                        malformed INTEGER NOT NULL DEFAULT 0,
                        built_at INTEGER                  -- seconds since 1970 of the last rebuild
                    ) WITHOUT ROWID
                    """)
                for def in Self.definitions where try state(def.name) == nil {
                    try create(def, prefix: Self.live, stateName: def.name, generation: 1, queryIndexes: true)
                }
            }
            for def in Self.definitions { try dropRetired(def) }
        } catch {
            db.close()
            throw ProjectionError.wrap(error)
        }
    }

    /// Opens the projections and brings them up to the log's head: rebuilds those whose code
    /// version changed, catches up the others from their checkpoints.
    public static func open(log: EventStore, options: TimelineStoreOptions = TimelineStoreOptions(),
                            progress: ((RebuildProgress) throws -> Void)? = nil) throws(ProjectionError) -> TimelineStore {
        let store = try TimelineStore(log: log, options: options)
        do {
            try store.catchUp(progress: progress)
        } catch {
            store.close()
            throw error
        }
        return store
    }

    deinit { db.close() }

    /// Closes the connection. Safe to call twice.
    public func close() {
        closed = true
        db.close()
    }

    // MARK: - State

    struct State {
        var checkpoint: Position
        var codeVersion: Int
        var generation: Int
        var malformed: Int
        var builtAt: Int64?
    }

    func state(_ name: String) throws -> State? {
        let s = try db.cached("SELECT checkpoint, code_version, generation, malformed, built_at FROM tl_projections WHERE name = ?1")
        defer { s.reset() }
        try s.bind(1, name)
        guard try s.step() else { return nil }
        return State(checkpoint: Position(s.int64(0)), codeVersion: s.int(1), generation: s.int(2), malformed: s.int(3),
                     builtAt: s.optionalInt64(4))
    }

    private func create(_ def: any TableProjection.Type, prefix: String, stateName: String, generation: Int,
                        queryIndexes: Bool) throws {
        try def.create(db, prefix: prefix, tag: "\(def.name)\(generation)", fullText: options.fullTextSearch)
        if queryIndexes {
            for sql in def.applyIndexes(prefix: prefix, tag: "\(def.name)\(generation)") { try db.execute(sql) }
            for sql in def.queryIndexes(prefix: prefix, tag: "\(def.name)\(generation)") { try db.execute(sql) }
        }
        let s = try db.cached("INSERT INTO tl_projections(name, checkpoint, code_version, generation, malformed) VALUES (?1, 0, ?2, ?3, 0)")
        try s.bind([.text(stateName), .integer(Int64(def.codeVersion)), .integer(Int64(generation))])
        try s.run()
    }

    private func drop(_ def: any TableProjection.Type, prefix: String) throws {
        for table in def.tables { try db.execute("DROP TABLE IF EXISTS \(prefix)\(table)") }
    }

    /// The last log position applied to a projection's live tables.
    public func checkpoint(of projection: String) throws(ProjectionError) -> Position {
        do {
            guard let s = try state(projection) else { throw ProjectionError.invalidQuery("no projection named \(projection)") }
            return s.checkpoint
        } catch { throw ProjectionError.wrap(error) }
    }

    // MARK: - Catching up and applying

    /// Brings every projection to the log's head: a projection built by another code version is
    /// rebuilt (into shadow tables, swapped in when done); the others apply the events after
    /// their checkpoint, in chunks of `options.chunkSize`, each chunk committed with its checkpoint.
    public func catchUp(progress: ((RebuildProgress) throws -> Void)? = nil) throws(ProjectionError) {
        try guardOpen()
        do {
            var stale: [any TableProjection.Type] = []
            var current: [Target] = []
            for def in Self.definitions {
                guard let s = try state(def.name) else { continue }
                if s.codeVersion != def.codeVersion {
                    stale.append(def)
                } else {
                    current.append(Target(def: def, prefix: Self.live, stateName: def.name))
                }
            }
            if !stale.isEmpty { try rebuild(stale, progress: progress) }
            try run(current, through: nil, progress: progress)
        } catch { throw ProjectionError.wrap(error) }
    }

    /// Applies committed events (in position order, as the log's commit observer hands them).
    /// Events at or before a projection's checkpoint are skipped; if events between the
    /// checkpoint and the first one are missing, they are read from the log first. Both
    /// projections are updated in one transaction with their checkpoints.
    public func apply(_ events: [RecordedEvent]) throws(ProjectionError) {
        try guardOpen()
        guard let first = events.first?.position, let last = events.last?.position else { return }
        do {
            var changes: [TimelineChange]?
            for _ in 0..<3 {
                var gaps: [(any TableProjection.Type, Position)] = []
                try writeTransaction {
                    for def in Self.definitions {
                        guard let s = try state(def.name), s.codeVersion == def.codeVersion else { continue }
                        if last <= s.checkpoint { continue }
                        if first > s.checkpoint.next {
                            gaps.append((def, Position(first.rawValue - 1)))
                            continue
                        }
                        if changes == nil { changes = decode(events) }
                        let fresh = zip(events, changes!).filter { $0.0.position > s.checkpoint }.map(\.1)
                        let malformed = try def.apply(fresh, db, prefix: Self.live, cache: cache(def.name, generation: s.generation),
                                                      bulk: false)
                        try setCheckpoint(def.name, last, addMalformed: malformed)
                    }
                }
                if gaps.isEmpty { return }
                for (def, through) in gaps {
                    try run(def, prefix: Self.live, stateName: def.name, through: through, progress: nil)
                }
            }
        } catch { throw ProjectionError.wrap(error) }
    }

    private func setCheckpoint(_ name: String, _ position: Position, addMalformed: Int) throws {
        let s = try db.cached("UPDATE tl_projections SET checkpoint = ?2, malformed = malformed + ?3 WHERE name = ?1")
        try s.bind([.text(name), .integer(position.rawValue), .integer(Int64(addMalformed))])
        try s.run()
    }

    /// One set of tables a pass applies events to: a projection's live tables or its shadow.
    struct Target {
        var def: any TableProjection.Type
        var prefix: String
        var stateName: String
    }

    private func run(_ def: any TableProjection.Type, prefix: String, stateName: String, through: Position?,
                     progress: ((RebuildProgress) throws -> Void)?) throws {
        try run([Target(def: def, prefix: prefix, stateName: stateName)], through: through, progress: progress)
    }

    /// Applies the log from each target's checkpoint through `through` (default: the head when
    /// the pass starts), in chunks, reading the log once for all targets: every event is read,
    /// inflated and decoded once, then handed to each target that needs it, and each chunk is
    /// committed with every target's checkpoint in one transaction.
    private func run(_ targets: [Target], through: Position?, progress: ((RebuildProgress) throws -> Void)?) throws {
        let head = try log.head()
        let target = through.map { min($0, head) } ?? head
        var active: [(target: Target, start: Position)] = []
        for t in targets {
            guard let s = try state(t.stateName), s.checkpoint < target else { continue }
            active.append((t, s.checkpoint))
        }
        guard let start = active.map(\.start).min() else { return }
        let types = active.reduce(into: Set<EventType>()) { $0.formUnion($1.target.def.eventTypes) }
        let began = DispatchTime.now().uptimeNanoseconds
        let targets = active.map(\.target)
        var chunkStart = start.next
        func apply(_ chunk: DecodedChunk) throws {
            try applyChunk(targets, events: chunk.events, changes: chunk.changes, covering: chunkStart...chunk.end)
            chunkStart = chunk.end.next
            if let progress {
                let end = chunk.end
                let seconds = max(1e-9, Double(DispatchTime.now().uptimeNanoseconds - began) / 1e9)
                for (t, from) in active where end > from {
                    let rate = Double(end.rawValue - from.rawValue) / seconds
                    let left = rate > 0 ? Double(target.rawValue - end.rawValue) / rate : nil
                    try progress(RebuildProgress(projection: t.def.name, rebuilding: t.prefix == Self.shadow, position: end,
                                                 head: target, eventsPerSecond: rate, secondsLeft: left))
                }
            }
        }
        let reader = ChunkReader(log: log, types: types, from: start.next, through: target, chunkSize: options.chunkSize,
                                 decodeThreads: options.decodeThreads)
        if target.rawValue - start.rawValue <= Int64(options.chunkSize) {
            // A short catch-up: no second thread.
            try reader.read { try apply($0) }
            return
        }
        // Reading, inflating and decoding the next chunks on another thread while this one
        // writes: the two halves of the work overlap.
        let pipe = ChunkPipe(depth: 2)
        let finished = DispatchSemaphore(value: 0)
        let producer = Thread {
            do {
                try reader.read { try pipe.put($0) }
                pipe.finish(nil)
            } catch {
                pipe.finish(error)
            }
            finished.signal()
        }
        producer.start()
        defer {
            pipe.cancel()
            finished.wait()
        }
        while let chunk = try pipe.take() { try apply(chunk) }
    }

    /// Applies one chunk that covers every event of the targets' types in `covering`, in one
    /// transaction with the targets' checkpoints. What a target already applied (up to its
    /// stored checkpoint) is skipped.
    private func applyChunk(_ targets: [Target], events: [RecordedEvent], changes: [TimelineChange],
                            covering: ClosedRange<Position>) throws {
        try writeTransaction {
            for t in targets {
                guard let s = try state(t.stateName) else { throw ProjectionError.other("projection state \(t.stateName) vanished") }
                guard covering.upperBound > s.checkpoint else { continue }
                guard covering.lowerBound <= s.checkpoint.next else {
                    throw ProjectionError.other("projection \(t.stateName) is at \(s.checkpoint) but a chunk starts at \(covering.lowerBound)")
                }
                // Each projection acts on its own kinds of change and passes over the others, so
                // a chunk wholly after the checkpoint (every chunk but a resumed one's first) is
                // handed over as it is: copying it would retain every string of every row again.
                let fresh: [TimelineChange]
                if let first = events.first, first.position <= s.checkpoint {
                    fresh = zip(events, changes).filter { $0.0.position > s.checkpoint }.map(\.1)
                } else {
                    fresh = changes
                }
                let bulk = t.prefix == Self.shadow
                let c = cache(t.stateName, generation: s.generation)
                if bulk && !c.applyIndexesReady {
                    if s.checkpoint == .start && c.rowsByStream == nil {
                        // Loading from empty tables: rows are tracked by stream, indexes come later.
                        c.rowsByStream = [:]
                        c.dailyFold = LoadedDailyFold()
                    } else if c.rowsByStream == nil {
                        // Resuming: no record of the rows already loaded, so index them now.
                        for sql in t.def.applyIndexes(prefix: t.prefix, tag: "\(t.def.name)\(s.generation)") { try db.execute(sql) }
                        c.applyIndexesReady = true
                    }
                }
                let malformed = try t.def.apply(fresh, db, prefix: t.prefix, cache: c, bulk: bulk)
                try setCheckpoint(t.stateName, covering.upperBound, addMalformed: malformed)
            }
        }
    }

    /// Decodes payloads, on several threads for big chunks (JSON decoding is the bulk of the work).
    func decode(_ events: [RecordedEvent]) -> [TimelineChange] {
        Self.decode(events, threads: options.decodeThreads)
    }

    static func decode(_ events: [RecordedEvent], threads: Int) -> [TimelineChange] {
        guard threads > 1, events.count >= 256 else { return events.map(TimelineChange.init) }
        let results = DecodeResults(count: events.count)
        let per = (events.count + threads - 1) / threads
        DispatchQueue.concurrentPerform(iterations: threads) { t in
            let range = (t * per)..<min(events.count, (t + 1) * per)
            guard !range.isEmpty else { return }
            results.set(range, range.map { TimelineChange(events[$0]) })
        }
        return results.values
    }

    // MARK: - Rebuild

    /// Rebuilds projections (default: all) from position 0 into shadow tables, then swaps them
    /// in, in one transaction, once they have caught up with the head. Meanwhile the live
    /// tables keep answering queries and taking `apply` from other connections. An interrupted
    /// rebuild resumes from its own checkpoint the next time. `progress` is called after each
    /// committed chunk; throwing from it stops the rebuild there (a way to cancel).
    public func rebuild(_ projections: [String]? = nil, progress: ((RebuildProgress) throws -> Void)? = nil) throws(ProjectionError) {
        try guardOpen()
        let names = projections ?? Self.projectionNames
        for name in names where !Self.projectionNames.contains(name) {
            throw .invalidQuery("no projection named \(name); known: \(Self.projectionNames.joined(separator: ", "))")
        }
        do {
            try rebuild(Self.definitions.filter { names.contains($0.name) }, progress: progress)
        } catch { throw ProjectionError.wrap(error) }
    }

    /// Rebuilds `defs` with one shared pass over the log into their shadow tables, then
    /// finishes and swaps each in.
    private func rebuild(_ defs: [any TableProjection.Type], progress: ((RebuildProgress) throws -> Void)?) throws {
        for def in defs { try prepareShadow(def) }
        try withBulkSettings {
            try run(defs.map { Target(def: $0, prefix: Self.shadow, stateName: Self.shadowName($0.name)) }, through: nil, progress: progress)
        }
        for def in defs { try finishRebuild(def) }
    }

    /// While loading shadow tables: a bigger page cache (they are read back by the finishing
    /// step), and fewer WAL checkpoints from this connection (64 MB of WAL instead of 4 MB), so
    /// a page the load writes again and again is copied into the database file once, not after
    /// every chunk. Restored afterwards.
    private func withBulkSettings(_ body: () throws -> Void) throws {
        try db.execute("PRAGMA cache_size = -131072; PRAGMA wal_autocheckpoint = 16384")
        defer { try? db.execute("PRAGMA cache_size = -32000; PRAGMA wal_autocheckpoint = 1000") }
        try body()
    }

    /// Creates the shadow tables of `def`, or keeps them to resume an interrupted rebuild.
    private func prepareShadow(_ def: any TableProjection.Type) throws {
        let shadowName = Self.shadowName(def.name)
        try writeTransaction {
            let existing = try state(shadowName)
            if let existing, existing.codeVersion == def.codeVersion { return }  // resume
            try drop(def, prefix: Self.shadow)
            if existing != nil {
                let d = try db.cached("DELETE FROM tl_projections WHERE name = ?1")
                try d.bind(1, shadowName)
                try d.run()
            }
            let liveGeneration = try state(def.name)?.generation ?? 0
            try create(def, prefix: Self.shadow, stateName: shadowName, generation: liveGeneration + 1, queryIndexes: false)
        }
    }

    /// Computes what the bulk load left out, builds the query indexes, catches up with the last
    /// appends and swaps the shadow tables in.
    private func finishRebuild(_ def: any TableProjection.Type) throws {
        let shadowName = Self.shadowName(def.name)
        // Derived rows and query indexes, in short transactions: the log's writer shares the lock.
        guard let shadowState = try state(shadowName) else { throw ProjectionError.other("rebuild state vanished") }
        // A load from empty tables that never failed (a failed transaction drops the caches).
        let loaded = caches[shadowName].flatMap { $0.generation == shadowState.generation && $0.rowsByStream != nil ? $0 : nil }
        caches[shadowName] = nil
        for sql in def.applyIndexes(prefix: Self.shadow, tag: "\(def.name)\(shadowState.generation)") {
            try writeTransaction { try db.execute(sql) }
        }
        try def.finishBulk(db, prefix: Self.shadow, loaded: loaded) { body in try writeTransaction(body) }
        for sql in def.queryIndexes(prefix: Self.shadow, tag: "\(def.name)\(shadowState.generation)") {
            try writeTransaction { try db.execute(sql) }
        }
        // Swap: holding the write lock, nothing can be appended, so the head is final.
        try writeTransaction {
            guard let s = try state(shadowName) else { throw ProjectionError.other("rebuild state vanished") }
            var position = s.checkpoint
            let head = try log.head()
            while position < head {
                let events = try log.read(from: position.next, limit: options.chunkSize)
                guard let last = events.last?.position else { break }
                let relevant = events.filter { def.eventTypes.contains($0.type) }
                let malformed = try def.apply(decode(relevant), db, prefix: Self.shadow,
                                              cache: cache(shadowName, generation: s.generation), bulk: false)
                try setCheckpoint(shadowName, last, addMalformed: malformed)
                position = last
            }
            // The old tables are renamed aside here and dropped after the swap: dropping a big
            // table takes seconds, and the log's writer waits for this transaction.
            try drop(def, prefix: Self.retired)
            for table in def.tables where try Self.tableExists(db, Self.live + table) {
                try db.execute("ALTER TABLE \(Self.live)\(table) RENAME TO \(Self.retired)\(table)")
            }
            for table in def.tables where try Self.tableExists(db, Self.shadow + table) {
                try db.execute("ALTER TABLE \(Self.shadow)\(table) RENAME TO \(Self.live)\(table)")
            }
            let d = try db.cached("DELETE FROM tl_projections WHERE name = ?1")
            try d.bind(1, def.name)
            try d.run()
            let u = try db.cached("UPDATE tl_projections SET name = ?2, built_at = ?3 WHERE name = ?1")
            try u.bind([.text(shadowName), .text(def.name), .integer(Int64(Date().timeIntervalSince1970))])
            try u.run()
        }
        caches[shadowName] = nil
        try dropRetired(def)
    }

    /// Drops the tables a swap renamed aside, one transaction per table. A crash before this
    /// leaves them behind; the next open drops them.
    private func dropRetired(_ def: any TableProjection.Type) throws {
        for table in def.tables where try Self.tableExists(db, Self.retired + table) {
            try writeTransaction { try db.execute("DROP TABLE IF EXISTS \(Self.retired)\(table)") }
        }
    }

    // MARK: - Stats

    public func stats() throws(ProjectionError) -> [ProjectionStats] {
        try guardOpen()
        do {
            let head = try log.head()
            var out: [ProjectionStats] = []
            for def in Self.definitions {
                guard let s = try state(def.name) else { continue }
                var rows: [String: Int] = [:]
                // The word index is not a table of rows (and a contentless one cannot be counted).
                for table in def.tables where try !table.hasSuffix("_fts") && Self.tableExists(db, Self.live + table) {
                    rows[table] = Int(try db.scalarInt("SELECT count(*) FROM \(Self.live)\(table)") ?? 0)
                }
                out.append(ProjectionStats(
                    name: def.name, checkpoint: s.checkpoint, head: head, lag: max(0, head.rawValue - s.checkpoint.rawValue),
                    storedCodeVersion: s.codeVersion, codeVersion: def.codeVersion, malformed: s.malformed, rows: rows,
                    builtAt: s.builtAt, rebuildCheckpoint: try state(Self.shadowName(def.name))?.checkpoint))
            }
            return out
        } catch { throw ProjectionError.wrap(error) }
    }

    func guardOpen() throws(ProjectionError) {
        if closed { throw .closed }
    }

    // MARK: - Helpers shared with the projections

    static func ftsAvailable(_ db: SQLiteDatabase) -> Bool {
        (try? db.scalarInt("SELECT sqlite_compileoption_used('ENABLE_FTS5')")) == 1
    }

    static func tableExists(_ db: SQLiteDatabase, _ name: String) throws -> Bool {
        let s = try db.cached("SELECT 1 FROM sqlite_schema WHERE name = ?1")
        defer { s.reset() }
        try s.bind(1, name)
        return try s.step()
    }

    static func pair(_ text: String, table: String) throws -> ActorPair {
        do { return try ActorPair(parsing: text) } catch { throw ProjectionError.corruptRow(table: table, reason: error.description) }
    }

    static func stream(_ text: String, table: String) throws -> StreamName {
        do { return try StreamName(text) } catch { throw ProjectionError.corruptRow(table: table, reason: error.description) }
    }

    static func actor(_ text: String?, table: String) throws -> ActorCode? {
        guard let text else { return nil }
        do { return try ActorCode(text) } catch { throw ProjectionError.corruptRow(table: table, reason: error.description) }
    }

    static let mentionColumns = #"position, stream, idx, day, pair, source, target, type, cameo, goldstein, quad_class, modality, weight, level, issue, start, "end""#

    static func mention(_ s: SQLiteStatement, _ values: inout RowValues) throws -> TensionMention {
        guard let modality = Modality(rawValue: s.string(11)) else {
            throw ProjectionError.corruptRow(table: "mentions", reason: "unknown modality")
        }
        return TensionMention(
            position: Position(s.int64(0)), stream: try values.stream(s.string(1), table: "mentions"), index: s.int(2),
            date: CalendarDate(dayNumber: s.int(3)), pair: try values.pair(s.string(4), table: "mentions"),
            source: try values.actor(s.optionalString(5), table: "mentions"),
            target: try values.actor(s.optionalString(6), table: "mentions"),
            type: s.string(7), cameo: s.optionalString(8), goldstein: s.optionalDouble(9),
            quadClass: s.optionalInt64(10).map { Int($0) }, modality: modality, weight: s.double(12),
            level: s.optionalDouble(13), issue: s.optionalString(14), start: s.int(15), end: s.int(16))
    }

    /// One pair's mentions over a day range, in log order.
    static func mentions(_ db: SQLiteDatabase, prefix: String, pair: ActorPair, from: CalendarDate, to: CalendarDate) throws -> [TensionMention] {
        let s = try db.cached("SELECT \(mentionColumns) FROM \(prefix)mentions WHERE pair = ?1 AND day BETWEEN ?2 AND ?3 ORDER BY position")
        defer { s.reset() }
        try s.bind([.text(pair.description), .integer(Int64(from.dayNumber)), .integer(Int64(to.dayNumber))])
        var out: [TensionMention] = []
        var values = RowValues()
        while try s.step() { out.append(try mention(s, &values)) }
        return out
    }
}

/// Validated identifiers read back from rows, remembered for the rest of one read: a query
/// returns the same pairs, actors and streams over and over, and validating each costs more
/// than the row itself.
struct RowValues {
    private var pairs: [String: ActorPair] = [:]
    private var actors: [String: ActorCode] = [:]
    private var streams: [String: StreamName] = [:]

    mutating func pair(_ text: String, table: String) throws -> ActorPair {
        if let p = pairs[text] { return p }
        let p = try TimelineStore.pair(text, table: table)
        pairs[text] = p
        return p
    }

    mutating func actor(_ text: String?, table: String) throws -> ActorCode? {
        guard let text else { return nil }
        if let a = actors[text] { return a }
        let a = try TimelineStore.actor(text, table: table)
        actors[text] = a
        return a
    }

    mutating func stream(_ text: String, table: String) throws -> StreamName {
        if let s = streams[text] { return s }
        let s = try TimelineStore.stream(text, table: table)
        if streams.count < 10_000 { streams[text] = s }
        return s
    }
}

/// Results written by the decoding threads, each to its own range.
private final class DecodeResults: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var values: [TimelineChange]
    init(count: Int) { values = Array(repeating: .ignored, count: count) }
    func set(_ range: Range<Int>, _ decoded: [TimelineChange]) {
        lock.withLock { values.replaceSubrange(range, with: decoded) }
    }
}

/// A chunk of events read from the log with their decoded changes; it covers every event of
/// the pass's types through `end`.
struct DecodedChunk: Sendable {
    var events: [RecordedEvent]
    var changes: [TimelineChange]
    var end: Position
}

/// Reads a range of the log in chunks and decodes them.
struct ChunkReader: Sendable {
    let log: EventStore
    let types: Set<EventType>
    let from: Position
    let through: Position
    let chunkSize: Int
    let decodeThreads: Int

    func read(_ emit: (DecodedChunk) throws -> Void) throws {
        var chunk: [RecordedEvent] = []
        chunk.reserveCapacity(chunkSize)
        func flush(_ end: Position) throws {
            let events = chunk
            chunk.removeAll(keepingCapacity: true)
            try emit(DecodedChunk(events: events, changes: TimelineStore.decode(events, threads: decodeThreads), end: end))
        }
        // Read in windows of positions, each in its own snapshot: one snapshot held for the
        // whole scan would keep SQLite from checkpointing the WAL, which then grows with every
        // chunk committed and slows every read.
        var windowStart = from
        while windowStart <= through {
            let windowEnd = Position(min(through.rawValue, windowStart.rawValue + Int64(TimelineStore.scanWindow) - 1))
            try log.forEachEvent(from: windowStart, until: windowEnd, types: types) { event in
                chunk.append(event)
                if chunk.count >= chunkSize { try flush(event.position) }
            }
            windowStart = windowEnd.next
        }
        try flush(through)
    }
}

/// Decoded chunks handed from the reading thread to the writing one, at most `depth` waiting.
private final class ChunkPipe: @unchecked Sendable {
    private let condition = NSCondition()
    private var items: [DecodedChunk] = []
    private var done = false
    private var failure: Error?
    private var cancelled = false
    private let depth: Int

    struct Cancelled: Error {}

    init(depth: Int) { self.depth = depth }

    /// Waits while the pipe is full; throws once the reader has stopped taking.
    func put(_ chunk: DecodedChunk) throws {
        condition.lock()
        defer { condition.unlock() }
        while items.count >= depth && !cancelled { condition.wait() }
        if cancelled { throw Cancelled() }
        items.append(chunk)
        condition.broadcast()
    }

    func finish(_ error: Error?) {
        condition.lock()
        done = true
        failure = error
        condition.broadcast()
        condition.unlock()
    }

    /// The next chunk; nil when all are taken; rethrows what stopped the producer.
    func take() throws -> DecodedChunk? {
        condition.lock()
        defer { condition.unlock() }
        while items.isEmpty && !done { condition.wait() }
        if !items.isEmpty {
            condition.broadcast()
            return items.removeFirst()
        }
        if let failure { throw failure }
        return nil
    }

    func cancel() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        condition.unlock()
    }
}
