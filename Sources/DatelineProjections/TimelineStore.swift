import DatelineCore
import EventLog
import Foundation

/// How a `TimelineStore` runs.
public struct TimelineStoreOptions: Sendable {
    /// Events per transaction when catching up or rebuilding: bigger is faster, smaller holds
    /// a timelines file's write lock (shared with other processes' appliers) for less time.
    public var chunkSize: Int
    /// Build the statement tables with an SQLite FTS5 index for word search when the system
    /// library has it (else word search uses LIKE over folded words). Applies when tables are
    /// created or rebuilt.
    public var fullTextSearch: Bool
    /// Decode payloads on this many threads during catch-up and rebuild.
    public var decodeThreads: Int
    /// A projection at position 0 (a new or removed file) with more than this many log events
    /// to apply is rebuilt into a fresh file (bulk load, indexes afterwards) rather than caught
    /// up row by row.
    public var rebuildThreshold: Int64
    /// Told the position, type and reason of each event the projections skip (a payload they
    /// cannot use), so the owner can log it; the skips are also counted in `stats()`.
    public var onSkipped: (@Sendable (Position, EventType, String) -> Void)? = nil
    /// Told what the store did by itself to files it could not use as they were (moved an
    /// unusable file aside, rebuilt a file left behind by an interrupted rebuild), so the owner
    /// can log it or show it.
    public var onNotice: (@Sendable (String) -> Void)? = nil

    public init(chunkSize: Int = 4_000, fullTextSearch: Bool = true,
                decodeThreads: Int = max(1, min(4, ProcessInfo.processInfo.activeProcessorCount)),
                rebuildThreshold: Int64 = 20_000) {
        self.chunkSize = chunkSize
        self.fullTextSearch = fullTextSearch
        self.decodeThreads = decodeThreads
        self.rebuildThreshold = rebuildThreshold
    }
}

/// Where a catch-up or rebuild is, reported after every committed chunk.
public struct RebuildProgress: Sendable, Equatable {
    /// What a pass is doing.
    public enum Phase: String, Sendable, Equatable {
        /// Applying the log's events (a catch-up, or a rebuild's load into its fresh file).
        case loading
        /// A rebuild's fresh file is loaded and complete: it is about to replace the live file.
        case swapping
        /// A rebuild's fresh file has replaced the live file.
        case swapped
    }

    public var projection: String
    /// True for a rebuild into a fresh file, false for catching up the live file.
    public var rebuilding: Bool
    /// The last log position applied.
    public var position: Position
    /// The log's head when the pass started.
    public var head: Position
    /// Log positions covered per second so far.
    public var eventsPerSecond: Double
    /// At that rate, until `head`.
    public var secondsLeft: Double?
    public var phase: Phase = .loading
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
    /// Rows per table (without the `tl_` prefix).
    public var rows: [String: Int]
    /// When the file was last (re)built from the log by a rebuild, as seconds since 1970 (nil
    /// when it has grown incrementally since it was created).
    public var builtAt: Int64?
    /// The projection's file.
    public var file: String

    enum CodingKeys: String, CodingKey {
        case name, checkpoint, head, lag
        case storedCodeVersion = "stored_code_version"
        case codeVersion = "code_version"
        case malformed, rows
        case builtAt = "built_at"
        case file
    }
}

/// The timelines, kept in SQLite files of their own beside the log (see `TimelineFiles`: one
/// file per projection), current as of each projection's checkpoint.
///
/// Two projections live here, each in its own file with its own checkpoint and code version:
/// `statements` and `tensions`. Each batch of rows is committed in the same transaction as its
/// checkpoint, so a crash at any moment leaves the tables exactly as of some checkpoint, and the
/// next catch-up continues from there: every event is applied exactly once. The log is read
/// only through a `LogPageSource`; the log's own file is never opened here.
///
/// A rebuild writes a fresh file per projection (both at once, on two threads) and renames it
/// over the live one, so a crash leaves the old file or the new one, never a mix. Connections
/// (this store's and other processes') notice the replaced file at their next query or write
/// and reopen; a query already running finishes on the old file.
///
/// Threading: a `TimelineStore` owns a SQLite connection and is not `Sendable`. Create it, use
/// it and close it on one thread (or under one lock), never on Swift's cooperative pool. Other
/// threads or processes may open their own `TimelineStore` on the same files at the same time
/// (for example a server and a CLI): writes are serialised by SQLite, every apply re-reads the
/// checkpoint inside its transaction, so two appliers never count an event twice.
///
/// Use:
/// 1. `TimelineStore.open(source:files:)` (or `open(log:)`): it creates missing files, rebuilds
///    any projection whose code version changed or whose file was removed, and catches up from
///    the checkpoints to the head.
/// 2. `apply(_:)` with the events of each commit, or `catchUp()` after appends; events already
///    applied are skipped and a gap is filled from the log.
/// 3. Queries: `statements(_:)`, `tensions(_:)`, `topPairs(…)`, `indexSeries(…)`, `stats()`.
public final class TimelineStore {
    public let source: any LogPageSource
    public let files: TimelineFiles
    public let options: TimelineStoreOptions
    /// The connection to the live files: the first projection's file as `main`, the others
    /// attached under their names. Replaced when a rebuild swaps a file in.
    private(set) var db: SQLiteDatabase
    /// The files `db` opened, by projection (in `definitions` order).
    private var openedFiles: [FileIdentity?]
    private var closed = false
    /// Per projection.
    private var caches: [String: ApplyCache] = [:]

    func cache(_ name: String, generation: Int) -> ApplyCache {
        if let c = caches[name], c.generation == generation { return c }
        let c = ApplyCache(generation: generation, onSkipped: options.onSkipped)
        caches[name] = c
        return c
    }

    static let definitions: [any TableProjection.Type] = [StatementsProjection.self, TensionsProjection.self]
    /// The projections, by name: `statements`, `tensions`.
    public static var projectionNames: [String] { definitions.map { $0.name } }

    static let live = "tl_"
    /// `PRAGMA application_id` of a timelines file ("DLTL"), distinct from the log's.
    static let applicationID: Int32 = 0x444C_544C
    /// `PRAGMA user_version` of a timelines file: the layout of the file itself.
    static let fileVersion: Int32 = 1

    /// The schema name a projection's file has on the store's connection.
    static func schema(_ def: any TableProjection.Type) -> String {
        def.name == definitions[0].name ? "main" : def.name
    }

    /// Opens the timelines in `files` (creating the directory, and empty files for projections
    /// that have none). A file that cannot be used (not a database, another program's, a
    /// newer layout) is moved aside and replaced by an empty one; files that do not belong
    /// together (a rebuild was killed between its renames) are mended by rebuilding the older
    /// ones. Otherwise does not catch up: call `catchUp()` (or use `open(…)`).
    public init(source: any LogPageSource, files: TimelineFiles,
                options: TimelineStoreOptions = TimelineStoreOptions()) throws(ProjectionError) {
        self.source = source
        self.files = files
        self.options = options
        do {
            try files.createDirectory()
            files.removeAbandonedFreshFiles()
            let (db, opened, lagging) = try Self.connectChecked(files, options: options)
            (self.db, openedFiles) = (db, opened)
            try mend(lagging)
        } catch {
            throw ProjectionError.wrap(error)
        }
    }

    /// Opens the timelines of a local log in their default place beside it.
    public convenience init(log: EventStore, options: TimelineStoreOptions = TimelineStoreOptions()) throws(ProjectionError) {
        try self.init(source: log, files: TimelineFiles(besideLog: log.path), options: options)
    }

    /// Opens the timelines and brings them up to the log's head: rebuilds those whose code
    /// version changed or whose file is new, catches up the others from their checkpoints.
    public static func open(source: any LogPageSource, files: TimelineFiles,
                            options: TimelineStoreOptions = TimelineStoreOptions(),
                            progress: ((RebuildProgress) throws -> Void)? = nil) throws(ProjectionError) -> TimelineStore {
        let store = try TimelineStore(source: source, files: files, options: options)
        do {
            try store.catchUp(progress: progress)
        } catch {
            store.close()
            throw error
        }
        return store
    }

    /// `open(source:files:…)` for a local log, with the timelines in their default place.
    public static func open(log: EventStore, options: TimelineStoreOptions = TimelineStoreOptions(),
                            progress: ((RebuildProgress) throws -> Void)? = nil) throws(ProjectionError) -> TimelineStore {
        try open(source: log, files: TimelineFiles(besideLog: log.path), options: options, progress: progress)
    }

    deinit { db.close() }

    /// Closes the connection. Safe to call twice.
    public func close() {
        closed = true
        db.close()
    }

    // MARK: - Files and connection

    /// Creates the files that are missing, replaces those that cannot be used, then opens them
    /// (`connect`) while holding the directory's lock shared, so that no rebuild is between
    /// its renames meanwhile, and says which projections' files are older than another file
    /// goes with (see `lagging(_:)`).
    private static func connectChecked(_ files: TimelineFiles, options: TimelineStoreOptions) throws
        -> (SQLiteDatabase, [FileIdentity?], lagging: [any TableProjection.Type]) {
        for def in definitions {
            if FileIdentity(path: files.path(of: def.name)) == nil {
                try createEmptyFile(def, files: files, options: options)
            } else if let problem = unusable(def, files: files) {
                try replaceUnusableFile(def, problem: problem, files: files, options: options)
            }
        }
        let lock = try DirectoryLock(files.directory, exclusive: false)
        defer { lock.release() }
        let (db, identities) = try connect(files)
        do {
            return (db, identities, try lagging(db))
        } catch {
            db.close()
            throw error
        }
    }

    /// Opens the live files: the first as `main`, the others attached. Each file's identity
    /// is taken before it is opened, so a file swapped in meanwhile is noticed at the next use.
    private static func connect(_ files: TimelineFiles) throws -> (SQLiteDatabase, [FileIdentity?]) {
        let identities = definitions.map { FileIdentity(path: files.path(of: $0.name)) }
        // Readers and writers of a rollback-journal file wait for each other's short locks.
        let db = try SQLiteDatabase(path: files.path(of: definitions[0].name), mode: .init(readOnly: false, create: false),
                                    busyTimeoutMilliseconds: 15_000)
        do {
            for def in definitions.dropFirst() {
                try db.execute("ATTACH DATABASE '\(files.path(of: def.name).replacingOccurrences(of: "'", with: "''"))' AS \(def.name)")
            }
            // Sorting helper threads make index creation (a sort per index) faster.
            let sortThreads = max(0, min(4, ProcessInfo.processInfo.activeProcessorCount))
            try db.execute("PRAGMA temp_store = MEMORY; PRAGMA threads = \(sortThreads)")
            for def in definitions {
                let s = schema(def)
                // Rollback journal, not WAL: a WAL and its index are found by the file's name, so
                // after a rename a connection to the old file and one to the new would share
                // them. The files are derived data (a commit lost on power failure is applied
                // again from the log), so NORMAL is enough. Some builds of SQLite (Debian's
                // among them) zero every freed page; the log keeps every text these tables hold.
                try db.execute("""
                    PRAGMA \(s).journal_mode = DELETE; PRAGMA \(s).synchronous = NORMAL;
                    PRAGMA \(s).cache_size = -32000; PRAGMA \(s).secure_delete = OFF
                    """)
                let id = Int32(truncatingIfNeeded: try db.scalarInt("PRAGMA \(s).application_id") ?? 0)
                if id != applicationID {
                    throw ProjectionError.other("\(files.path(of: def.name)) is not a Dateline timelines file (application id \(id)); move it away or give another --timelines")
                }
            }
        } catch {
            db.close()
            throw error
        }
        return (db, identities)
    }

    /// Reopens the connection when a rebuild (of this process or another) has replaced a file,
    /// or a file was removed (then an empty one is created, which the next catch-up fills).
    private func reopenIfReplaced() throws {
        let now = Self.definitions.map { FileIdentity(path: files.path(of: $0.name)) }
        if now == openedFiles && !now.contains(nil) { return }
        try reopen()
    }

    private func reopen() throws {
        db.close()
        caches.removeAll()
        try files.createDirectory()
        let (db, opened, lagging) = try Self.connectChecked(files, options: options)
        (self.db, openedFiles) = (db, opened)
        try mend(lagging)
    }

    /// Whether a rebuild of this store is mending lagging files now (it reopens at its end, and
    /// must not start another).
    private var mending = false

    /// Rebuilds the files that are older than another file goes with: a rebuild that replaced
    /// several files was killed between its renames, and its new files must not be read beside
    /// the old ones. (A rebuild that is alive holds the directory's lock across its renames, so
    /// what is seen here is always left by a dead one.)
    private func mend(_ lagging: [any TableProjection.Type]) throws {
        guard !lagging.isEmpty else { return }
        guard !mending else {
            throw ProjectionError.other("the timelines files in \(files.directory) still do not belong together after rebuilding \(lagging.map { $0.name }.joined(separator: ", "))")
        }
        let names = lagging.map { $0.name }.joined(separator: " and ")
        options.onNotice?("the timelines file of \(names) is older than the other files go with (a rebuild was stopped between its renames): rebuilding it from the log")
        mending = true
        defer { mending = false }
        try rebuildIntoFreshFiles(lagging, progress: nil)
    }

    /// The projections whose file has a lower generation than another file records for it
    /// (`tl_partners`): the files of one rebuild record each other's new generations.
    private static func lagging(_ db: SQLiteDatabase) throws -> [any TableProjection.Type] {
        var generation: [String: Int] = [:]
        for def in definitions {
            if let s = try state(db, schema: schema(def), def.name) { generation[def.name] = s.generation }
        }
        let least = try expectedGenerations(db)
        return definitions.filter { def in
            guard let have = generation[def.name], let need = least[def.name] else { return false }
            return have < need
        }
    }

    /// The greatest generation any other file records for each projection's file.
    private static func expectedGenerations(_ db: SQLiteDatabase) throws -> [String: Int] {
        var least: [String: Int] = [:]
        for def in definitions {
            let schema = schema(def)
            // Files written before the partners were recorded have none: they go with anything.
            guard try db.scalarInt("SELECT count(*) FROM \(schema).sqlite_schema WHERE name = 'tl_partners'") == 1 else { continue }
            let p = try db.prepare("SELECT name, generation FROM \(schema).tl_partners")
            while try p.step() {
                let name = p.string(0)
                if name != def.name { least[name] = max(least[name] ?? 0, p.int(1)) }
            }
        }
        return least
    }

    /// What a fresh file of `def` must be numbered for the other files to go with it: the
    /// greatest generation they record for it (1 when none does).
    private static func generationOthersExpect(_ def: any TableProjection.Type, files: TimelineFiles) -> Int {
        var need = 1
        for other in definitions where other.name != def.name {
            let path = files.path(of: other.name)
            guard FileIdentity(path: path) != nil,
                  let db = try? SQLiteDatabase(path: path, mode: .init(readOnly: false, create: false), busyTimeoutMilliseconds: 15_000)
            else { continue }
            defer { db.close() }
            if let g = try? db.scalarInt("SELECT generation FROM tl_partners WHERE name = '\(def.name)'") {
                need = max(need, Int(g))
            }
        }
        return need
    }

    /// Why a projection's live file cannot be used as it is, or nil when it can: not an SQLite
    /// database, another program's database, a newer layout of a timelines file, or no state
    /// for the projection. A file that is only busy (locked by another process) is usable.
    private static func unusable(_ def: any TableProjection.Type, files: TimelineFiles) -> String? {
        let path = files.path(of: def.name)
        let db: SQLiteDatabase
        do {
            db = try SQLiteDatabase(path: path, mode: .init(readOnly: false, create: false), busyTimeoutMilliseconds: 15_000)
        } catch {
            return unusableReason(error)
        }
        defer { db.close() }
        do {
            let id = Int32(truncatingIfNeeded: try db.scalarInt("PRAGMA application_id") ?? 0)
            if id != applicationID { return "it is not a Dateline timelines file (application id \(id))" }
            let version = try db.scalarInt("PRAGMA user_version") ?? 0
            if version > Int64(fileVersion) { return "its layout is newer (version \(version), this program reads \(fileVersion))" }
            guard try db.scalarInt("SELECT count(*) FROM sqlite_schema WHERE name = 'tl_projections'") == 1,
                  try state(db, schema: "main", def.name) != nil
            else { return "it holds no state for the \(def.name) projection" }
            return nil
        } catch {
            return unusableReason(error)
        }
    }

    /// A failure that says the file is not a usable database (rather than busy or unreadable).
    private static func unusableReason(_ error: Error) -> String? {
        guard let e = error as? SQLiteError, e.isNotADatabase else { return nil }
        return "it is not a readable SQLite database (\(e.message))"
    }

    /// Moves an unusable file aside (`<name>.unusable-<seconds>.sqlite`, kept in case it holds
    /// something of value) and puts an empty file in its place, which the next catch-up fills.
    private static func replaceUnusableFile(_ def: any TableProjection.Type, problem: String, files: TimelineFiles,
                                            options: TimelineStoreOptions) throws {
        let path = files.path(of: def.name)
        let aside = files.directory + "/\(def.name).unusable-\(Int(Date().timeIntervalSince1970))-\(getpid()).sqlite"
        let lock = try DirectoryLock(files.directory, exclusive: true)
        defer { lock.release() }
        // Another process may have replaced it meanwhile.
        guard let problemNow = unusable(def, files: files) else { return }
        guard rename(path, aside) == 0 else {
            throw ProjectionError.other("cannot move the unusable timelines file \(path) aside (errno \(errno)): \(problem)")
        }
        unlink(path + "-journal")
        options.onNotice?("the timelines file \(path) cannot be used (\(problemNow)): moved it to \(aside); rebuilding it from the log")
        try createEmptyFile(def, files: files, options: options)
    }


    /// True when a file under the open connection is no longer the one at its path.
    private func filesReplaced() -> Bool {
        Self.definitions.map { FileIdentity(path: files.path(of: $0.name)) } != openedFiles
    }

    /// A complete file with no events applied, put in place only if there is none yet (another
    /// process may be creating it at the same moment).
    private static func createEmptyFile(_ def: any TableProjection.Type, files: TimelineFiles, options: TimelineStoreOptions) throws {
        // Numbered as the other files expect: an empty file goes with any (it is caught up
        // from the start).
        let fresh = try FreshFile(def: def, files: files, generation: generationOthersExpect(def, files: files), options: options)
        defer { fresh.discard() }
        try fresh.finishEmpty()
        try fresh.linkIntoPlace()
    }

    /// Runs a write transaction on the live files. If a file was replaced since the connection
    /// opened, the transaction is abandoned before it writes anything (holding the file's write
    /// lock, so no swap can slip in after the check), the connection reopened and `body` run
    /// again. If it fails, what the caches learnt in it may be false.
    private func writeTransaction(_ body: () throws -> Void) throws {
        struct Replaced: Error {}
        for _ in 0..<5 {
            do {
                try db.transaction(.immediate) {
                    if filesReplaced() { throw Replaced() }
                    try body()
                }
                return
            } catch is Replaced {
                try reopen()
            } catch {
                caches.removeAll()
                throw error
            }
        }
        throw ProjectionError.other("the timelines files kept being replaced during a write")
    }

    // MARK: - State

    struct State {
        var checkpoint: Position
        var codeVersion: Int
        var generation: Int
        var malformed: Int
        var builtAt: Int64?
    }

    static let createStateTable = """
        CREATE TABLE IF NOT EXISTS tl_projections(
            name TEXT PRIMARY KEY,
            checkpoint INTEGER NOT NULL,      -- last log position applied
            code_version INTEGER NOT NULL,
            generation INTEGER NOT NULL,      -- counts this file's rebuilds; names its indexes
            malformed INTEGER NOT NULL DEFAULT 0,
            built_at INTEGER                  -- seconds since 1970 of the last rebuild
        ) WITHOUT ROWID
        """

    /// In each file, the least generation of every other projection's file that it goes with:
    /// a rebuild that replaces several files records each one's new generation in all of them,
    /// so a file left older by a rebuild killed between its renames is found (and rebuilt)
    /// before any query reads it beside the newer ones.
    static let createPartnersTable = """
        CREATE TABLE IF NOT EXISTS tl_partners(
            name TEXT PRIMARY KEY,            -- another projection
            generation INTEGER NOT NULL       -- the least generation of its file that goes with this one
        ) WITHOUT ROWID
        """

    static func state(_ db: SQLiteDatabase, schema: String, _ name: String) throws -> State? {
        let s = try db.cached("SELECT checkpoint, code_version, generation, malformed, built_at FROM \(schema).tl_projections WHERE name = ?1")
        defer { s.reset() }
        try s.bind(1, name)
        guard try s.step() else { return nil }
        return State(checkpoint: Position(s.int64(0)), codeVersion: s.int(1), generation: s.int(2), malformed: s.int(3),
                     builtAt: s.optionalInt64(4))
    }

    static func setCheckpoint(_ db: SQLiteDatabase, schema: String, _ name: String, _ position: Position, addMalformed: Int) throws {
        let s = try db.cached("UPDATE \(schema).tl_projections SET checkpoint = ?2, malformed = malformed + ?3 WHERE name = ?1")
        try s.bind([.text(name), .integer(position.rawValue), .integer(Int64(addMalformed))])
        try s.run()
    }

    func state(_ def: any TableProjection.Type) throws -> State? {
        try Self.state(db, schema: Self.schema(def), def.name)
    }

    /// The last log position applied to a projection.
    public func checkpoint(of projection: String) throws(ProjectionError) -> Position {
        try guardOpen()
        do {
            guard let def = Self.definitions.first(where: { $0.name == projection }), let s = try state(def) else {
                throw ProjectionError.invalidQuery("no projection named \(projection)")
            }
            return s.checkpoint
        } catch { throw ProjectionError.wrap(error) }
    }

    // MARK: - Catching up and applying

    /// Brings every projection to the log's head: a projection built by another code version,
    /// or with a whole log to apply from position 0 (a new or removed file), is rebuilt into a
    /// fresh file; the others apply the events after their checkpoint, in chunks of
    /// `options.chunkSize`, each chunk committed with its checkpoint.
    public func catchUp(progress: ((RebuildProgress) throws -> Void)? = nil) throws(ProjectionError) {
        try guardOpen()
        do {
            let head = try source.head()
            var stale: [any TableProjection.Type] = []
            var current: [any TableProjection.Type] = []
            for def in Self.definitions {
                guard let s = try state(def) else {
                    stale.append(def)
                    continue
                }
                if s.codeVersion != def.codeVersion || s.checkpoint > head
                    || (s.checkpoint == .start && head.rawValue > options.rebuildThreshold) {
                    stale.append(def)
                } else {
                    current.append(def)
                }
            }
            if !stale.isEmpty { try rebuildIntoFreshFiles(stale, progress: progress) }
            try run(current, through: nil, progress: progress)
        } catch { throw ProjectionError.wrap(error) }
    }

    /// Applies committed events (in position order, as the log hands them). Events at or
    /// before a projection's checkpoint are skipped; if events between the checkpoint and the
    /// first one are missing, they are read from the log first. Both projections are updated
    /// in one transaction with their checkpoints.
    public func apply(_ events: [RecordedEvent]) throws(ProjectionError) {
        try guardOpen()
        guard let first = events.first?.position, let last = events.last?.position else { return }
        do {
            var changes: [TimelineChange]?
            for _ in 0..<3 {
                var gaps: [(any TableProjection.Type, Position)] = []
                try writeTransaction {
                    gaps = []
                    for def in Self.definitions {
                        guard let s = try state(def), s.codeVersion == def.codeVersion else { continue }
                        if last <= s.checkpoint { continue }
                        if first > s.checkpoint.next {
                            gaps.append((def, Position(first.rawValue - 1)))
                            continue
                        }
                        if changes == nil { changes = decode(events) }
                        let fresh = zip(events, changes!).filter { $0.0.position > s.checkpoint }.map(\.1)
                        let malformed = try def.apply(fresh, db, prefix: Self.live, cache: cache(def.name, generation: s.generation),
                                                      bulk: false)
                        try Self.setCheckpoint(db, schema: Self.schema(def), def.name, last, addMalformed: malformed)
                    }
                }
                if gaps.isEmpty { return }
                for (def, through) in gaps { try run([def], through: through, progress: nil) }
            }
        } catch { throw ProjectionError.wrap(error) }
    }

    /// Applies the log after each projection's checkpoint, through `through` (default: the
    /// head), with one read of the log shared by all of them; each chunk is committed with
    /// every projection's checkpoint in one transaction.
    private func run(_ defs: [any TableProjection.Type], through: Position?, progress: ((RebuildProgress) throws -> Void)?) throws {
        let head = try source.head()
        let target = through.map { min($0, head) } ?? head
        var active: [(def: any TableProjection.Type, start: Position)] = []
        for def in defs {
            guard let s = try state(def), s.checkpoint < target else { continue }
            active.append((def, s.checkpoint))
        }
        guard let start = active.map(\.start).min() else { return }
        let types = active.reduce(into: Set<EventType>()) { $0.formUnion($1.def.eventTypes) }
        let began = DispatchTime.now().uptimeNanoseconds
        let defs = active.map(\.def)
        var chunkStart = start.next
        func apply(_ chunk: DecodedChunk) throws {
            try applyChunk(defs, positions: chunk.positions, changes: chunk.changes, covering: chunkStart...chunk.end)
            chunkStart = chunk.end.next
            if let progress {
                let end = chunk.end
                let seconds = max(1e-9, Double(DispatchTime.now().uptimeNanoseconds - began) / 1e9)
                for (def, from) in active where end > from {
                    let rate = Double(end.rawValue - from.rawValue) / seconds
                    let left = rate > 0 ? Double(target.rawValue - end.rawValue) / rate : nil
                    try progress(RebuildProgress(projection: def.name, rebuilding: false, position: end,
                                                 head: target, eventsPerSecond: rate, secondsLeft: left))
                }
            }
        }
        let reader = ChunkReader(source: source, types: types, from: start.next, through: target, chunkSize: options.chunkSize,
                                 decodeThreads: options.decodeThreads)
        if target.rawValue - start.rawValue <= Int64(options.chunkSize) {
            // A short catch-up: no second thread.
            try reader.read { try apply($0) }
            return
        }
        // Reading, inflating and decoding the next chunks on other threads while this one
        // writes: the two halves of the work overlap.
        try reader.readAhead(into: 1) { streams in
            while let chunk = try streams[0].take() { try apply(chunk) }
        }
    }

    /// Applies one chunk that covers every event of the projections' types in `covering`, in
    /// one transaction with their checkpoints. What a projection already applied (up to its
    /// stored checkpoint) is skipped.
    private func applyChunk(_ defs: [any TableProjection.Type], positions: [Position], changes: [TimelineChange],
                            covering: ClosedRange<Position>) throws {
        try writeTransaction {
            for def in defs {
                guard let s = try state(def) else { throw ProjectionError.other("projection state \(def.name) vanished") }
                guard covering.upperBound > s.checkpoint else { continue }
                guard covering.lowerBound <= s.checkpoint.next else {
                    throw ProjectionError.other("projection \(def.name) is at \(s.checkpoint) but a chunk starts at \(covering.lowerBound)")
                }
                // Each projection acts on its own kinds of change and passes over the others, so
                // a chunk wholly after the checkpoint is handed over as it is: copying it would
                // retain every string of every row again.
                let fresh: [TimelineChange]
                if let first = positions.first, first <= s.checkpoint {
                    fresh = zip(positions, changes).filter { $0.0 > s.checkpoint }.map(\.1)
                } else {
                    fresh = changes
                }
                let malformed = try def.apply(fresh, db, prefix: Self.live, cache: cache(def.name, generation: s.generation), bulk: false)
                try Self.setCheckpoint(db, schema: Self.schema(def), def.name, covering.upperBound, addMalformed: malformed)
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

    /// Rebuilds projections (default: all) from position 0, each into a fresh file that then
    /// replaces the live one. Meanwhile the live files keep answering other connections'
    /// queries and taking their `apply`; events appended during the rebuild are applied to the
    /// fresh file before the swap, and any after it by the next catch-up. `progress` is called
    /// after each loaded chunk and before and after each swap; throwing from it stops the
    /// rebuild (the fresh files are thrown away, the live ones stay).
    public func rebuild(_ projections: [String]? = nil, progress: ((RebuildProgress) throws -> Void)? = nil) throws(ProjectionError) {
        try guardOpen()
        let names = projections ?? Self.projectionNames
        for name in names where !Self.projectionNames.contains(name) {
            throw .invalidQuery("no projection named \(name); known: \(Self.projectionNames.joined(separator: ", "))")
        }
        do {
            try rebuildIntoFreshFiles(Self.definitions.filter { names.contains($0.name) }, progress: progress)
        } catch { throw ProjectionError.wrap(error) }
    }

    /// Builds `defs` into fresh files with one shared read of the log (each file loaded and
    /// finished on its own thread), then renames each over its live file.
    private func rebuildIntoFreshFiles(_ defs: [any TableProjection.Type], progress: ((RebuildProgress) throws -> Void)?) throws {
        var fresh: [FreshFile] = []
        defer { for f in fresh { f.discard() } }
        // Every file of this rebuild records the others' new generations (and the current one
        // of files it leaves alone), so the set is only read together once all are renamed in.
        var generations: [String: Int] = [:]
        for def in Self.definitions { generations[def.name] = ((try? state(def)) ?? nil)?.generation ?? 0 }
        // At least what the other files expect of a rebuilt one.
        let expected = (try? Self.expectedGenerations(db)) ?? [:]
        for def in defs { generations[def.name] = max(generations[def.name, default: 0] + 1, expected[def.name] ?? 0) }
        for def in defs {
            let partners = generations.filter { $0.key != def.name }
            fresh.append(try FreshFile(def: def, files: files, generation: generations[def.name]!, partners: partners, options: options))
        }
        let head = try FreshFile.build(fresh, source: source, options: options, progress: progress)
        // This connection must not hold a file that is being replaced (the swap waits for
        // every reader of the old file); it reopens on the new ones.
        db.close()
        caches.removeAll()
        var reopened = false
        defer { if !reopened { try? reopen() } }
        do {
            // Held from the first rename to the last: connections opening meanwhile wait, and
            // see all the old files or all the new ones.
            let lock = try DirectoryLock(files.directory, exclusive: true)
            defer { lock.release() }
            for f in fresh {
                try progress?(RebuildProgress(projection: f.def.name, rebuilding: true, position: head, head: head,
                                              eventsPerSecond: 0, secondsLeft: 0, phase: .swapping))
                try f.swapIntoPlace()
                try progress?(RebuildProgress(projection: f.def.name, rebuilding: true, position: head, head: head,
                                              eventsPerSecond: 0, secondsLeft: 0, phase: .swapped))
            }
        }
        reopened = true
        try reopen()
    }

    // MARK: - Stats

    public func stats() throws(ProjectionError) -> [ProjectionStats] {
        try guardOpen()
        do {
            let head = try source.head()
            var out: [ProjectionStats] = []
            for def in Self.definitions {
                guard let s = try state(def) else { continue }
                var rows: [String: Int] = [:]
                // The word index is not a table of rows (and a contentless one cannot be counted).
                for table in def.tables where try !table.hasSuffix("_fts") && Self.tableExists(db, Self.live + table) {
                    rows[table] = Int(try db.scalarInt("SELECT count(*) FROM \(Self.live)\(table)") ?? 0)
                }
                out.append(ProjectionStats(
                    name: def.name, checkpoint: s.checkpoint, head: head, lag: max(0, head.rawValue - s.checkpoint.rawValue),
                    storedCodeVersion: s.codeVersion, codeVersion: def.codeVersion, malformed: s.malformed, rows: rows,
                    builtAt: s.builtAt, file: files.path(of: def.name)))
            }
            return out
        } catch { throw ProjectionError.wrap(error) }
    }

    /// Every public call starts here: refuses a closed store, and moves the connection to
    /// files a rebuild has swapped in since the last call.
    func guardOpen() throws(ProjectionError) {
        if closed { throw .closed }
        do { try reopenIfReplaced() } catch { throw ProjectionError.wrap(error) }
    }

    // MARK: - Helpers shared with the projections

    static func ftsAvailable(_ db: SQLiteDatabase) -> Bool {
        (try? db.scalarInt("SELECT sqlite_compileoption_used('ENABLE_FTS5')")) == 1
    }

    static func tableExists(_ db: SQLiteDatabase, _ name: String) throws -> Bool {
        // Across the attached files too (each projection's tables are in its own file).
        let s = try db.cached("SELECT 1 FROM pragma_table_list WHERE name = ?1")
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

/// A chunk of events read from the log, decoded; it covers every event of the pass's types
/// through `end`. Only the positions of the events are kept with their changes: their payloads
/// are freed by the reading thread once decoded, not by the writer that takes the chunk last.
struct DecodedChunk: Sendable {
    var positions: [Position]
    var changes: [TimelineChange]
    var end: Position

    init(events: [RecordedEvent], changes: [TimelineChange], end: Position) {
        positions = events.map(\.position)
        self.changes = changes
        self.end = end
    }
}

/// Reads a range of the log in pages from the source, and hands on its events of `types` in
/// decoded chunks.
struct ChunkReader: Sendable {
    let source: any LogPageSource
    let types: Set<EventType>
    let from: Position
    let through: Position
    let chunkSize: Int
    let decodeThreads: Int
    /// Events per page read from the source.
    static let pageSize = 2_000

    func read(_ emit: (DecodedChunk) throws -> Void) throws {
        var chunk: [RecordedEvent] = []
        chunk.reserveCapacity(chunkSize)
        func flush(_ end: Position) throws {
            let events = chunk
            chunk.removeAll(keepingCapacity: true)
            try emit(DecodedChunk(events: events, changes: TimelineStore.decode(events, threads: decodeThreads), end: end))
        }
        // Each page is its own read (its own snapshot of the log), so no snapshot is held
        // for the whole scan.
        var next = from
        scan: while next <= through {
            let page = try source.read(from: next, limit: Self.pageSize)
            guard let last = page.last else { break }
            for event in page {
                if event.position > through { break scan }
                if types.contains(event.type) {
                    chunk.append(event)
                    if chunk.count >= chunkSize { try flush(event.position) }
                }
            }
            next = last.position.next
        }
        try flush(through)
    }

    /// Reads on `readers` threads of their own, while `body` takes the chunks in order on this
    /// thread (or hands its `count` streams, each of which sees every chunk, to threads of its
    /// own). The range is cut into windows of `chunkSize` positions, window k read, inflated
    /// and decoded by reader k mod `readers`, so reading is not one thread's work. Returns
    /// after the readers have stopped; a failure on either side stops the other.
    func readAhead<T>(into count: Int, readers: Int = 2, _ body: ([OrderedChunks]) throws -> T) throws -> T {
        let readers = max(1, readers)
        // pipes[reader][stream]
        let pipes = (0..<readers).map { _ in (0..<count).map { _ in ChunkPipe(depth: 2) } }
        let finished = DispatchGroup()
        let reader = self
        for r in 0..<readers {
            finished.enter()
            Thread {
                defer { finished.leave() }
                do {
                    try reader.readWindows(startingAt: r, every: readers) { chunk in for pipe in pipes[r] { try pipe.put(chunk) } }
                    for pipe in pipes[r] { pipe.finish(nil) }
                } catch {
                    for pipe in pipes[r] { pipe.finish(error) }
                }
            }.start()
        }
        defer {
            for pipe in pipes.joined() { pipe.cancel() }
            finished.wait()
        }
        return try body((0..<count).map { c in OrderedChunks(pipes.map { $0[c] }) })
    }

    /// Window `first`, `first + every`, …: each one chunk of the events of `types` among the
    /// `chunkSize` positions from `from + k × chunkSize`, decoded on this thread.
    private func readWindows(startingAt first: Int, every: Int, _ emit: (DecodedChunk) throws -> Void) throws {
        var k = Int64(first)
        let size = Int64(max(1, chunkSize))
        while true {
            let start = from.rawValue + k * size
            guard start <= through.rawValue else { return }
            let end = min(through.rawValue, start + size - 1)
            var events: [RecordedEvent] = []
            var next = start
            // One page per window, unless the log has gaps (then it takes more than one read).
            while next <= end {
                let page = try source.read(from: Position(next), limit: Int(end - next + 1))
                guard let last = page.last else { break }
                for e in page where e.position.rawValue <= end && types.contains(e.type) { events.append(e) }
                next = last.position.rawValue + 1
            }
            try emit(DecodedChunk(events: events, changes: TimelineStore.decode(events, threads: 1), end: Position(end)))
            k += Int64(every)
        }
    }
}

/// One consumer's view of the readers' pipes: the chunks in window order.
final class OrderedChunks: @unchecked Sendable {
    private let pipes: [ChunkPipe]
    private var next = 0
    init(_ pipes: [ChunkPipe]) { self.pipes = pipes }

    /// The next chunk; nil after the last; rethrows what stopped a reader.
    func take() throws -> DecodedChunk? {
        let chunk = try pipes[next % pipes.count].take()
        next += 1
        return chunk
    }

    /// Stops every reader feeding this stream.
    func cancel() { for pipe in pipes { pipe.cancel() } }
}

/// Decoded chunks handed from the reading thread to the writing one, at most `depth` waiting.
final class ChunkPipe: @unchecked Sendable {
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
