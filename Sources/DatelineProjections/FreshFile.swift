import DatelineCore
import EventLog
import Foundation

/// One projection being built into a fresh file of its own, which then replaces the live file
/// by a rename.
///
/// While it loads, the file has no journal and is never synced (a crash only leaves a file to
/// throw away), its apply indexes and query indexes are created after the load (a sort each
/// instead of row-by-row inserts), and the word index and daily rows are filled in one pass.
/// Then it applies what was appended meanwhile, is synced, and is renamed over the live file
/// while that file's write lock is held.
///
/// Threading: owns a SQLite connection; used by one thread at a time (handed to the thread that
/// loads it, and back once that thread has finished), hence `@unchecked Sendable`.
final class FreshFile: @unchecked Sendable {
    let def: any TableProjection.Type
    /// The fresh file, and the live file it replaces.
    let path: String
    let livePath: String
    let directory: String
    let generation: Int
    let options: TimelineStoreOptions
    private var db: SQLiteDatabase?
    private let cache: ApplyCache
    private let lock = NSLock()
    private var loaded: Position = .start

    private var tag: String { "\(def.name)\(generation)" }

    /// `partners`: the least generation of each other projection's file that this one goes
    /// with (see `TimelineStore`'s check that the files belong together).
    init(def: any TableProjection.Type, files: TimelineFiles, generation: Int, partners: [String: Int] = [:],
         options: TimelineStoreOptions) throws {
        self.def = def
        self.path = files.freshPath(of: def.name)
        self.livePath = files.path(of: def.name)
        self.directory = files.directory
        self.generation = generation
        self.options = options
        cache = ApplyCache(generation: generation)
        // Loading into empty tables: rows are tracked by stream, daily tension rows folded as
        // the mentions come, indexes come later.
        cache.rowsByStream = [:]
        cache.dailyFold = LoadedDailyFold()
        unlink(path)
        let db = try SQLiteDatabase(path: path)
        self.db = db
        do {
            let sortThreads = max(0, min(4, ProcessInfo.processInfo.activeProcessorCount))
            try db.execute("""
                PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA locking_mode = EXCLUSIVE;
                PRAGMA cache_size = -131072; PRAGMA temp_store = MEMORY; PRAGMA threads = \(sortThreads);
                PRAGMA secure_delete = OFF;
                PRAGMA application_id = \(TimelineStore.applicationID); PRAGMA user_version = \(TimelineStore.fileVersion)
                """)
            try db.transaction {
                try db.execute(TimelineStore.createStateTable)
                try def.create(db, prefix: TimelineStore.live, tag: tag, fullText: options.fullTextSearch)
                let s = try db.cached("INSERT INTO tl_projections(name, checkpoint, code_version, generation, malformed) VALUES (?1, 0, ?2, ?3, 0)")
                try s.bind([.text(def.name), .integer(Int64(def.codeVersion)), .integer(Int64(generation))])
                try s.run()
                try db.execute(TimelineStore.createPartnersTable)
                let p = try db.cached("INSERT INTO tl_partners(name, generation) VALUES (?1, ?2)")
                for (name, generation) in partners.sorted(by: { $0.key < $1.key }) {
                    try p.bind([.text(name), .integer(Int64(generation))])
                    try p.run()
                }
            }
        } catch {
            db.close()
            unlink(path)
            throw error
        }
    }

    deinit { discard() }

    /// The last position loaded (read from other threads for progress).
    var loadedThrough: Position { lock.withLock { loaded } }

    private func connection() throws -> SQLiteDatabase {
        guard let db else { throw ProjectionError.other("the fresh \(def.name) file is already closed") }
        return db
    }

    /// Loads one chunk (every event of the pass's types through `chunk.end`).
    func load(_ chunk: DecodedChunk) throws {
        let db = try connection()
        try db.transaction {
            let malformed = try def.apply(chunk.changes, db, prefix: TimelineStore.live, cache: cache, bulk: true)
            try TimelineStore.setCheckpoint(db, schema: "main", def.name, chunk.end, addMalformed: malformed)
        }
        lock.withLock { loaded = chunk.end }
    }

    /// After the load: the indexes, what bulk mode left out (word index, daily rows), the
    /// events appended meanwhile, the rebuild's time; then closed and synced, ready to swap.
    func finish(source: any LogPageSource) throws {
        let db = try connection()
        for sql in def.applyIndexes(prefix: TimelineStore.live, tag: tag) { try db.execute(sql) }
        try def.finishBulk(db, prefix: TimelineStore.live, loaded: cache.rowsByStream != nil ? cache : nil) { body in
            try db.transaction(.deferred, body)
        }
        for sql in def.queryIndexes(prefix: TimelineStore.live, tag: tag) { try db.execute(sql) }
        cache.rowsByStream = nil
        cache.dailyFold = nil
        cache.applyIndexesReady = true
        try catchUp(source: source)
        let u = try db.cached("UPDATE tl_projections SET built_at = ?2 WHERE name = ?1")
        try u.bind([.text(def.name), .integer(Int64(Date().timeIntervalSince1970))])
        try u.run()
        try close()
    }

    /// For a new, empty file: the indexes, then closed and synced.
    func finishEmpty() throws {
        let db = try connection()
        for sql in def.applyIndexes(prefix: TimelineStore.live, tag: tag) { try db.execute(sql) }
        for sql in def.queryIndexes(prefix: TimelineStore.live, tag: tag) { try db.execute(sql) }
        try close()
    }

    /// Applies, row by row, what the log committed after the load (up to the head as it is
    /// now; later events are the live file's ordinary catch-up after the swap).
    private func catchUp(source: any LogPageSource) throws {
        let db = try connection()
        guard var position = try TimelineStore.state(db, schema: "main", def.name)?.checkpoint else { return }
        let head = try source.head()
        while position < head {
            let page = try source.read(from: position.next, limit: options.chunkSize)
            guard let last = page.last else { break }
            let relevant = page.filter { def.eventTypes.contains($0.type) }
            try db.transaction {
                let malformed = try def.apply(TimelineStore.decode(relevant, threads: options.decodeThreads), db,
                                              prefix: TimelineStore.live, cache: cache, bulk: false)
                try TimelineStore.setCheckpoint(db, schema: "main", def.name, last.position, addMalformed: malformed)
            }
            position = last.position
        }
        lock.withLock { loaded = position }
    }

    /// Back to a rollback journal (what every connection to a live file uses), closed, and
    /// synced to disk once.
    private func close() throws {
        let db = try connection()
        try db.execute("PRAGMA journal_mode = DELETE; PRAGMA locking_mode = NORMAL")
        db.close()
        self.db = nil
        try FileSync.sync(path)
    }

    /// Renames the finished file over the live one. The live file's exclusive lock is held
    /// meanwhile: no connection is in the middle of a write to it (whose rollback journal,
    /// found by name, would then belong to the new file), and connections that start a write
    /// after the swap see that the file at the path is no longer theirs and reopen.
    func swapIntoPlace() throws {
        var liveLock: SQLiteDatabase?
        if FileIdentity(path: livePath) != nil {
            let g = try SQLiteDatabase(path: livePath, mode: .init(readOnly: false, create: false), busyTimeoutMilliseconds: 30_000)
            do { try g.execute("BEGIN EXCLUSIVE") } catch {
                g.close()
                throw error
            }
            liveLock = g
        }
        defer {
            if let liveLock {
                try? liveLock.execute("ROLLBACK")
                liveLock.close()
            }
        }
        guard rename(path, livePath) == 0 else {
            throw ProjectionError.other("cannot rename \(path) to \(livePath) (errno \(errno))")
        }
        try FileSync.sync(directory)
    }

    /// Puts a new file in place only where there is none (no replacing: another process may
    /// have created one meanwhile, and it is as good).
    func linkIntoPlace() throws {
        if link(path, livePath) != 0 && errno != EEXIST {
            throw ProjectionError.other("cannot create \(livePath) (errno \(errno))")
        }
        try FileSync.sync(directory)
    }

    /// Closes and removes the fresh file unless it was renamed into place. Safe to call twice.
    func discard() {
        db?.close()
        db = nil
        unlink(path)
        unlink(path + "-journal")
    }

    /// Loads every file from one read of the log, each file on its own thread (the first on the
    /// calling thread, which also reports progress), then finishes each on the same thread.
    /// - Returns: the head the load read to.
    static func build(_ fresh: [FreshFile], source: any LogPageSource, options: TimelineStoreOptions,
                      progress: ((RebuildProgress) throws -> Void)?) throws -> Position {
        guard let first = fresh.first else { return .start }
        let head = try source.head()
        let began = DispatchTime.now().uptimeNanoseconds
        let types = fresh.reduce(into: Set<EventType>()) { $0.formUnion($1.def.eventTypes) }
        let reader = ChunkReader(source: source, types: types, from: Position.start.next, through: head,
                                 chunkSize: options.chunkSize, decodeThreads: options.decodeThreads)
        let failures = FailureBox()
        try reader.readAhead(into: fresh.count) { streams in
            let others = DispatchGroup()
            defer { others.wait() }
            for (f, stream) in zip(fresh.dropFirst(), streams.dropFirst()) {
                others.enter()
                Thread {
                    defer { others.leave() }
                    do {
                        while let chunk = try stream.take() { try f.load(chunk) }
                        try f.finish(source: source)
                    } catch {
                        failures.record(error)
                        for s in streams { s.cancel() }
                    }
                }.start()
            }
            do {
                while let chunk = try streams[0].take() {
                    try first.load(chunk)
                    guard let progress else { continue }
                    let seconds = max(1e-9, Double(DispatchTime.now().uptimeNanoseconds - began) / 1e9)
                    for f in fresh {
                        let at = f.loadedThrough
                        let rate = Double(at.rawValue) / seconds
                        try progress(RebuildProgress(projection: f.def.name, rebuilding: true, position: at, head: head,
                                                     eventsPerSecond: rate,
                                                     secondsLeft: rate > 0 ? Double(head.rawValue - at.rawValue) / rate : nil))
                    }
                }
                try first.finish(source: source)
            } catch {
                for s in streams { s.cancel() }
                throw error
            }
        }
        if let error = failures.first { throw error }
        return head
    }
}

/// The first failure of the loading threads.
private final class FailureBox: @unchecked Sendable {
    private let lock = NSLock()
    private var error: Error?
    func record(_ e: Error) { lock.withLock { if error == nil { error = e } } }
    var first: Error? { lock.withLock { error } }
}
