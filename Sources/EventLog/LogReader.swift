import CSQLite
import DatelineCore
import Foundation

/// One read connection with its inflate stream. Used by one thread at a time (the pool hands
/// it out under a lock). Every read runs in its own WAL snapshot.
final class LogReader {
    let db: SQLiteDatabase
    let path: String
    let dictionaries: DictionaryCache
    private let inflater = Inflater()
    // Decoding the same stream or type text again is common in replay; reuse the validated value.
    private var lastStream: StreamName?
    private var typeCache: [String: EventType] = [:]

    init(path: String, dictionaries: DictionaryCache, mode: SQLiteDatabase.OpenMode = .readWrite) throws(SQLiteError) {
        self.path = path
        self.dictionaries = dictionaries
        db = try SQLiteDatabase(path: path, mode: mode)
        try db.execute("PRAGMA query_only = 1; PRAGMA cache_size = -16000")
        for type in EventType.known { typeCache[type.rawValue] = type }
    }

    func close() { db.close() }

    // MARK: Decoding rows

    private func dictionary(_ id: UInt32) -> CompressionDictionary? {
        if let found = dictionaries.lookup(id) { return found }
        // Added by a newer writer after this process loaded the table.
        guard let statement = try? db.cached("SELECT bytes FROM dictionaries WHERE id = ?1") else { return nil }
        defer { statement.reset() }
        guard (try? statement.bind(1, Int64(id))) != nil, (try? statement.step()) == true else { return nil }
        let dictionary = CompressionDictionary(bytes: statement.blob(0))
        guard dictionary.id == id else { return nil }
        dictionaries.insert(dictionary)
        return dictionary
    }

    /// Decodes and checks the payload in column `column` of the current row.
    func payload(_ statement: SQLiteStatement, codecColumn: Int32, crcColumn: Int32, payloadColumn: Int32,
                 position: Position) throws(EventLogError) -> [UInt8] {
        let codecValue = statement.int64(codecColumn)
        let expectedCRC = UInt32(truncatingIfNeeded: statement.int64(crcColumn))
        do {
            return try statement.withBlob(payloadColumn) { raw throws(EventLogError) in
                try decodeStoredPayload(codec: codecValue, crc32: expectedCRC, stored: raw, position: position,
                                        inflater: inflater, dictionary: { self.dictionary($0) })
            }
        } catch let error as EventLogError {
            throw error
        } catch {
            throw .corruptPayload(position: position, reason: "\(error)")
        }
    }

    /// Decodes a row selected with `Schema.selectColumns`.
    func event(_ s: SQLiteStatement) throws(EventLogError) -> RecordedEvent {
        let position = Position(s.int64(0))
        let streamText = s.string(1)
        let stream: StreamName
        if let last = lastStream, last.rawValue == streamText {
            stream = last
        } else {
            stream = try storedName(streamText, "stream name", at: position, StreamName.init)
            lastStream = stream
        }
        let typeText = s.string(3)
        let type: EventType
        if let cached = typeCache[typeText] {
            type = cached
        } else {
            type = try storedName(typeText, "event type", at: position, EventType.init(_:))
            if typeCache.count < 256 { typeCache[typeText] = type }
        }
        let id = try storedName(s.string(4), "event id", at: position, EventID.init)
        let data = try payload(s, codecColumn: 6, crcColumn: 7, payloadColumn: 8, position: position)
        return RecordedEvent(position: position, stream: stream, version: StreamVersion(s.int64(2)), id: id,
                             type: type, recordedAt: Timestamp(rawValue: s.int64(5)), data: data)
    }

    private func wrap<T>(_ body: () throws -> T) throws(EventLogError) -> T {
        do { return try body() } catch let error as EventLogError {
            throw error
        } catch let error as SQLiteError {
            throw EventLogError.from(error, path: path)
        } catch {
            throw .sqlite(SQLiteError(code: SQLITE_ERROR, message: "\(error)"))
        }
    }

    // MARK: Queries

    func head() throws(EventLogError) -> Position {
        try wrap {
            let s = try db.cached("SELECT max(position) FROM events")
            defer { s.reset() }
            guard try s.step(), !s.isNull(0) else { return Position.start }
            return Position(s.int64(0))
        }
    }

    func read(from position: Position, limit: Int) throws(EventLogError) -> [RecordedEvent] {
        try wrap {
            let s = try db.cached("SELECT \(Schema.selectColumns) FROM events WHERE position >= ?1 ORDER BY position LIMIT ?2")
            defer { s.reset() }
            try s.bind(1, position.rawValue)
            try s.bind(2, Int64(max(0, limit)))
            var events: [RecordedEvent] = []
            events.reserveCapacity(min(limit, 1024))
            while try s.step() { events.append(try event(s)) }
            return events
        }
    }

    func readStream(_ stream: StreamName, from version: StreamVersion, limit: Int) throws(EventLogError) -> [RecordedEvent] {
        try wrap {
            let s = try db.cached("SELECT \(Schema.selectColumns) FROM events WHERE stream = ?1 AND version >= ?2 ORDER BY version LIMIT ?3")
            defer { s.reset() }
            try s.bind(1, stream.rawValue)
            try s.bind(2, version.rawValue)
            try s.bind(3, Int64(max(0, limit)))
            var events: [RecordedEvent] = []
            while try s.step() { events.append(try event(s)) }
            return events
        }
    }

    func streamVersion(_ stream: StreamName) throws(EventLogError) -> StreamVersion? {
        try wrap {
            let s = try db.cached("SELECT max(version) FROM events WHERE stream = ?1")
            defer { s.reset() }
            try s.bind(1, stream.rawValue)
            guard try s.step(), !s.isNull(0) else { return nil }
            return StreamVersion(s.int64(0))
        }
    }

    func event(at position: Position) throws(EventLogError) -> RecordedEvent? {
        try wrap {
            let s = try db.cached("SELECT \(Schema.selectColumns) FROM events WHERE position = ?1")
            defer { s.reset() }
            try s.bind(1, position.rawValue)
            guard try s.step() else { return nil }
            return try event(s)
        }
    }

    /// Binary search over positions: recorded_at is non-decreasing in position order.
    func firstPosition(atOrAfter time: Timestamp) throws(EventLogError) -> Position? {
        try wrap {
            try db.transaction(.deferred) {
                let bounds = try db.cached("SELECT min(position), max(position) FROM events")
                defer { bounds.reset() }
                guard try bounds.step(), !bounds.isNull(0) else { return nil }
                var lo = bounds.int64(0), hi = bounds.int64(1)
                let probe = try db.cached("SELECT recorded_at FROM events WHERE position >= ?1 ORDER BY position LIMIT 1")
                func recordedAt(_ p: Int64) throws -> Int64 {
                    probe.reset()
                    try probe.bind(1, p)
                    guard try probe.step() else { return Int64.max }
                    return probe.int64(0)
                }
                if try recordedAt(hi) < time.rawValue { return nil }
                // Invariant: the answer is in lo...hi.
                while lo < hi {
                    let mid = lo + (hi - lo) / 2
                    if try recordedAt(mid) >= time.rawValue { hi = mid } else { lo = mid + 1 }
                }
                probe.reset()
                return Position(lo)
            }
        }
    }

    func countsByType() throws(EventLogError) -> [EventType: Int] {
        try wrap {
            let s = try db.cached("SELECT type, count(*) FROM events GROUP BY type")
            defer { s.reset() }
            var counts: [EventType: Int] = [:]
            while try s.step() {
                let type = (try? EventType(s.string(0))) ?? EventType(stringLiteral: s.string(0))
                counts[type] = s.int(1)
            }
            return counts
        }
    }

    func payloadBytes(from: Position, through: Position) throws(EventLogError) -> PayloadBytes {
        try wrap {
            let s = try db.cached("""
                SELECT coalesce(sum(size), 0), coalesce(sum(length(payload)), 0) FROM events WHERE position BETWEEN ?1 AND ?2
                """)
            defer { s.reset() }
            try s.bind(1, from.rawValue)
            try s.bind(2, through.rawValue)
            _ = try s.step()
            return PayloadBytes(raw: s.int64(0), stored: s.int64(1))
        }
    }

    /// Streams every event from `position` (inclusive) up to `until` (inclusive) in position
    /// order, in one snapshot, holding one event in memory at a time.
    func forEachEvent(from position: Position, until: Position?, types: Set<EventType>?,
                      body: (RecordedEvent) throws -> Void) throws {
        var sql = "SELECT \(Schema.selectColumns) FROM events WHERE position >= ?1 AND position <= ?2"
        let typeList = types.map { Array($0).sorted { $0.rawValue < $1.rawValue } } ?? []
        if types != nil {
            if typeList.isEmpty { return }
            sql += " AND type IN (" + (0..<typeList.count).map { "?\($0 + 3)" }.joined(separator: ",") + ")"
        }
        sql += " ORDER BY position"
        let s: SQLiteStatement
        do {
            s = types == nil ? try db.cached(sql) : try db.prepare(sql)
            try s.bind(1, position.rawValue)
            try s.bind(2, (until ?? Position(Int64.max)).rawValue)
            for (i, type) in typeList.enumerated() { try s.bind(Int32(i + 3), type.rawValue) }
        } catch {
            throw EventLogError.from(error, path: path)
        }
        defer { s.reset() }
        while true {
            let more: Bool
            do { more = try s.step() } catch { throw EventLogError.from(error, path: path) }
            guard more else { break }
            try body(try event(s))
        }
    }

    /// The size of the log on disk: the database file plus its write-ahead log.
    func databaseSize() -> Int64 {
        var total: Int64 = 0
        for file in [path, path + "-wal"] {
            var st = stat()
            if stat(file, &st) == 0 { total += Int64(st.st_size) }
        }
        return total
    }
}

/// Read connections shared by all callers of a store. Thread-safe.
final class ReaderPool: @unchecked Sendable {
    private let lock = NSLock()
    private var idle: [LogReader] = []
    private var closed = false
    let path: String
    let dictionaries: DictionaryCache
    let maxIdle: Int
    let mode: SQLiteDatabase.OpenMode

    init(path: String, dictionaries: DictionaryCache, maxIdle: Int = 4, mode: SQLiteDatabase.OpenMode = .readWrite) {
        self.path = path
        self.dictionaries = dictionaries
        self.maxIdle = maxIdle
        self.mode = mode
    }

    func withReader<T>(_ body: (LogReader) throws -> T) throws -> T {
        let reader: LogReader
        let existing: LogReader? = try lock.withLock {
            if closed { throw EventLogError.closed }
            return idle.popLast()
        }
        if let existing {
            reader = existing
        } else {
            do { reader = try LogReader(path: path, dictionaries: dictionaries, mode: mode) } catch {
                throw EventLogError.from(error, path: path)
            }
        }
        defer {
            let keep = lock.withLock {
                if !closed && idle.count < maxIdle { idle.append(reader); return true }
                return false
            }
            if !keep { reader.close() }
        }
        return try body(reader)
    }

    func close() {
        let readers = lock.withLock {
            closed = true
            defer { idle.removeAll() }
            return idle
        }
        for reader in readers { reader.close() }
    }
}
