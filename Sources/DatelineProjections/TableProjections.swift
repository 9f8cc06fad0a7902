import DatelineCore
import EventLog

/// A projection kept in SQLite tables: its name, its code version (bump it whenever what the
/// tables mean changes; the store then rebuilds it from the log by itself), the event types it
/// reads, and how to create its tables and apply changes to them.
///
/// Every table name is `prefix + base name` (`tl_`), in the projection's own file (a rebuild
/// fills a fresh file with the same names). Index names carry a tag that counts the file's
/// builds.
protocol TableProjection: Sendable {
    static var name: String { get }
    static var codeVersion: Int { get }
    static var eventTypes: Set<EventType> { get }
    /// Base table names, in the order they are dropped.
    static var tables: [String] { get }
    /// Creates the tables with the indexes that applying needs.
    static func create(_ db: SQLiteDatabase, prefix: String, tag: String, fullText: Bool) throws
    /// The indexes that applying needs (finding a stream's rows when a newer extraction
    /// supersedes them). Created with the live tables; a rebuild creates them after the bulk
    /// load, which sorts once instead of inserting at random places row by row.
    static func applyIndexes(prefix: String, tag: String) -> [String]
    /// The statements that create the indexes only queries need. A rebuild runs them after
    /// loading a fresh file's tables, which is faster than maintaining them
    /// row by row.
    static func queryIndexes(prefix: String, tag: String) -> [String]
    /// Applies decoded changes, in log order, inside the caller's transaction. `cache` holds
    /// facts about rows already in these tables; the caller drops it when a transaction fails.
    /// In `bulk` mode (a rebuild's fresh file) derived rows that `finishBulk` computes in one
    /// pass at the end are not maintained row by row.
    /// - Returns: how many events of this projection's types were malformed.
    static func apply(_ changes: [TimelineChange], _ db: SQLiteDatabase, prefix: String, cache: ApplyCache,
                      bulk: Bool) throws -> Int
    /// Computes, from the base rows, everything `bulk` mode left out. Idempotent. The work is
    /// split into many short write transactions (run through `transaction`), because the
    /// file's write lock may be shared with other connections, which must not wait long.
    /// `loaded` is the cache of a bulk load that ran from empty tables without a failure (what
    /// it gathered on the way may stand in for reading the rows back); nil otherwise.
    static func finishBulk(_ db: SQLiteDatabase, prefix: String, loaded: ApplyCache?,
                           transaction: (() throws -> Void) throws -> Void) throws
}

/// What applying has learnt about rows committed in one set of tables, so it need not ask
/// SQLite again: speaker ids and the aliases already recorded. Rows of these tables are never
/// deleted, so the facts stay true while the tables live (the store drops the cache when a
/// transaction fails or the tables are replaced).
final class ApplyCache {
    let generation: Int
    var speakerIDs: [String: Int64] = [:]
    var aliases = Set<AliasKey>()
    /// In a bulk load that started from empty tables (and has not failed since): the row
    /// positions of each stream, so a supersession deletes by position while the tables have no
    /// stream index yet. Nil otherwise (then the stream index is used, created if need be).
    var rowsByStream: [StreamName: [Int64]]?
    /// In such a bulk load of the tension tables: the daily rows, folded as the mentions come
    /// (nil when the load did not start from empty, or the fold grew too big).
    var dailyFold: LoadedDailyFold?
    /// Whether the apply indexes are known to exist in these tables.
    var applyIndexesReady = false
    /// `SpeakerKey.isNameLike` of the mentions seen (few distinct ones: "he", "Lavrov", …).
    private var nameLikeMentions: [String: Bool] = [:]

    func isNameLike(_ surface: String) -> Bool {
        if let known = nameLikeMentions[surface] { return known }
        let answer = SpeakerKey.isNameLike(surface)
        if nameLikeMentions.count >= 100_000 { nameLikeMentions.removeAll(keepingCapacity: true) }
        nameLikeMentions[surface] = answer
        return answer
    }
    /// Where skipped events are reported (`TimelineStoreOptions.onSkipped`).
    let onSkipped: (@Sendable (Position, EventType, String) -> Void)?
    init(generation: Int, onSkipped: (@Sendable (Position, EventType, String) -> Void)? = nil) {
        self.generation = generation
        self.onSkipped = onSkipped
    }

    struct AliasKey: Hashable {
        var speaker: Int64
        var alias: String
    }
}

extension TableProjection {
    /// Deletes a stream's rows of `table` by position, during a bulk load that knows them.
    /// - Returns: false when the positions are not known (the caller deletes by stream; the
    ///   store has created the apply indexes then).
    static func deleteInBulk(_ stream: StreamName, table: String, cache: ApplyCache, _ db: SQLiteDatabase) throws -> Bool {
        guard let rows = cache.rowsByStream else { return false }
        let d = try db.cached("DELETE FROM \(table) WHERE position = ?1")
        for position in rows[stream] ?? [] {
            try d.bind(1, position)
            try d.run()
        }
        cache.rowsByStream?[stream] = nil
        return true
    }

    /// Counts the skipped events of this projection's types, reporting each to the cache's owner.
    static func malformedCount(_ changes: [TimelineChange], _ cache: ApplyCache) -> Int {
        changes.reduce(0) { n, c in
            if case .malformed(let position, let type, let reason) = c, eventTypes.contains(type) {
                cache.onSkipped?(position, type, reason)
                return n + 1
            }
            return n
        }
    }
}

/// The statement timeline: articles (for links), statements, speakers with their aliases, and
/// a full-text index of the content.
enum StatementsProjection: TableProjection {
    static let name = "statements"
    /// 2: contentless word index without positions. 3: only article streams' findings, within
    /// `FindingRules` (rows a raw append forged, or out of range, are dropped by the rebuild).
    static let codeVersion = 3
    static let eventTypes: Set<EventType> = [.articleIngested, .statementRecorded, .extractionSuperseded]
    static let tables = ["statements_fts", "statements", "speaker_aliases", "speakers", "articles"]

    static func create(_ db: SQLiteDatabase, prefix p: String, tag: String, fullText: Bool) throws {
        try db.execute("""
            CREATE TABLE IF NOT EXISTS \(p)articles(
                stream TEXT PRIMARY KEY,
                position INTEGER NOT NULL,
                day INTEGER NOT NULL,
                title TEXT, source TEXT, url TEXT
            ) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS \(p)speakers(
                id INTEGER PRIMARY KEY,
                key TEXT NOT NULL UNIQUE
            );
            CREATE TABLE IF NOT EXISTS \(p)speaker_aliases(
                speaker_id INTEGER NOT NULL,
                alias TEXT NOT NULL,
                folded TEXT NOT NULL,          -- lower-cased, accent-folded words joined by spaces
                PRIMARY KEY(speaker_id, alias)
            ) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS \(p)statements(
                position INTEGER PRIMARY KEY,  -- of the StatementRecorded event
                stream TEXT NOT NULL,
                idx INTEGER NOT NULL,
                day INTEGER NOT NULL,          -- days since 1970-01-01
                kind TEXT NOT NULL,
                speaker TEXT, entity TEXT, affiliation TEXT, role TEXT, surface TEXT,
                speaker_id INTEGER,
                cue TEXT,
                content TEXT NOT NULL,
                folded TEXT,                   -- the content's folded words, only without FTS5 (for LIKE)
                start INTEGER NOT NULL,
                "end" INTEGER NOT NULL,
                polarity TEXT NOT NULL,
                extractor_version TEXT NOT NULL
            );
            """)
        if fullText && TimelineStore.ftsAvailable(db) {
            // Contentless (the text is in the statements table already), no per-row sizes (no
            // ranking) and no token positions (queries match single words, confirmed afterwards):
            // for the benchmark's 627k statements 15 MB instead of 130, built in 4 s instead of 11.
            try db.execute("""
                CREATE VIRTUAL TABLE IF NOT EXISTS \(p)statements_fts USING fts5(content, content = '', columnsize = 0,
                    detail = none, tokenize = 'unicode61 remove_diacritics 2')
                """)
        }
    }

    static func applyIndexes(prefix p: String, tag: String) -> [String] {
        ["CREATE INDEX IF NOT EXISTS tl_\(tag)_statements_stream ON \(p)statements(stream)"]
    }

    static func queryIndexes(prefix p: String, tag: String) -> [String] {
        [
            "CREATE INDEX IF NOT EXISTS tl_\(tag)_statements_day ON \(p)statements(day, position)",
            "CREATE INDEX IF NOT EXISTS tl_\(tag)_statements_speaker ON \(p)statements(speaker_id, day, position)",
            "CREATE INDEX IF NOT EXISTS tl_\(tag)_statements_affiliation ON \(p)statements(affiliation, day, position)",
        ]
    }

    /// Builds the word index in one go: without incremental merging while loading (each
    /// transaction leaves a segment), then merged into one segment, then back to the defaults
    /// that suit the row-by-row updates that follow.
    static func finishBulk(_ db: SQLiteDatabase, prefix p: String, loaded: ApplyCache?,
                           transaction: (() throws -> Void) throws -> Void) throws {
        let fts = "\(p)statements_fts"
        guard try TimelineStore.tableExists(db, fts) else { return }
        try transaction {
            try db.execute("""
                INSERT INTO \(fts)(\(fts)) VALUES ('delete-all');
                INSERT INTO \(fts)(\(fts), rank) VALUES ('automerge', 0);
                INSERT INTO \(fts)(\(fts), rank) VALUES ('crisismerge', 1000);
                """)
        }
        let step: Int64 = 100_000
        var from: Int64 = 0
        let last = try db.scalarInt("SELECT max(position) FROM \(p)statements") ?? 0
        while from <= last {
            try transaction {
                let s = try db.cached("""
                    INSERT INTO \(fts)(rowid, content)
                    SELECT position, content FROM \(p)statements WHERE position BETWEEN ?1 AND ?2 ORDER BY position
                    """)
                try s.bind([.integer(from), .integer(from + step - 1)])
                try s.run()
            }
            from += step
        }
        try transaction {
            try db.execute("""
                INSERT INTO \(fts)(\(fts)) VALUES ('optimize');
                INSERT INTO \(fts)(\(fts), rank) VALUES ('automerge', 4);
                INSERT INTO \(fts)(\(fts), rank) VALUES ('crisismerge', 16);
                """)
        }
    }

    static func apply(_ changes: [TimelineChange], _ db: SQLiteDatabase, prefix p: String, cache: ApplyCache,
                      bulk: Bool) throws -> Int {
        let hasFTS = try TimelineStore.tableExists(db, "\(p)statements_fts")
        let fts = hasFTS && !bulk
        // Prepared once per batch, not looked up by their SQL text for every row.
        let insertArticle = try db.cached("INSERT OR REPLACE INTO \(p)articles(stream, position, day, title, source, url) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")
        let insertStatement = try db.cached("""
            INSERT OR REPLACE INTO \(p)statements(position, stream, idx, day, kind, speaker, entity, affiliation, role,
                surface, speaker_id, cue, content, start, "end", polarity, extractor_version, folded)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)
            """)
        for change in changes {
            switch change {
            case .article(let a):
                let s = insertArticle
                try s.bind([.text(a.stream.rawValue), .integer(a.position.rawValue), .integer(Int64(a.date.dayNumber)),
                            .optionalText(a.title), .optionalText(a.source), .optionalText(a.url)])
                try s.run()
            case .statement(let r):
                var speakerID: Int64?
                if let key = SpeakerKey(entity: r.entity, name: r.speaker) {
                    let id: Int64
                    if let known = cache.speakerIDs[key.id] {
                        id = known
                    } else {
                        let ins = try db.cached("INSERT OR IGNORE INTO \(p)speakers(key) VALUES (?1)")
                        try ins.bind(1, key.id)
                        try ins.run()
                        let sel = try db.cached("SELECT id FROM \(p)speakers WHERE key = ?1")
                        try sel.bind(1, key.id)
                        guard try sel.step() else { throw ProjectionError.other("speaker row vanished") }
                        id = sel.int64(0)
                        sel.reset()
                        cache.speakerIDs[key.id] = id
                    }
                    speakerID = id
                    for a in SpeakerKey.aliases(of: r, nameLike: cache.isNameLike) where !cache.aliases.contains(ApplyCache.AliasKey(speaker: id, alias: a)) {
                        let alias = try db.cached("INSERT OR IGNORE INTO \(p)speaker_aliases(speaker_id, alias, folded) VALUES (?1, ?2, ?3)")
                        try alias.bind([.integer(id), .text(a), .text(TextMatch.words(a).joined(separator: " "))])
                        try alias.run()
                        cache.aliases.insert(ApplyCache.AliasKey(speaker: id, alias: a))
                    }
                }
                let s = insertStatement
                // Bound one by one (no array of values per row: this is the bulk path).
                try s.bind(1, r.position.rawValue)
                try s.bind(2, r.stream.rawValue)
                try s.bind(3, r.index)
                try s.bind(4, r.date.dayNumber)
                try s.bind(5, r.kind.rawValue)
                try s.bind(6, optional: r.speaker)
                try s.bind(7, optional: r.entity)
                try s.bind(8, optional: r.affiliation?.rawValue)
                try s.bind(9, optional: r.role)
                try s.bind(10, optional: r.surface)
                if let speakerID { try s.bind(11, speakerID) } else { try s.bindNull(11) }
                try s.bind(12, optional: r.cue)
                try s.bind(13, r.content)
                try s.bind(14, r.start)
                try s.bind(15, r.end)
                try s.bind(16, r.polarity.rawValue)
                try s.bind(17, r.extractorVersion)
                try s.bind(18, optional: hasFTS ? nil : TextMatch.words(r.content).joined(separator: " "))
                try s.run()
                if bulk { cache.rowsByStream?[r.stream, default: []].append(r.position.rawValue) }
                if fts {
                    let f = try db.cached("INSERT INTO \(p)statements_fts(rowid, content) VALUES (?1, ?2)")
                    try f.bind([.integer(r.position.rawValue), .text(r.content)])
                    try f.run()
                }
            case .supersede(let stream, _):
                if bulk, try deleteInBulk(stream, table: "\(p)statements", cache: cache, db) { continue }
                if fts {
                    // A contentless index forgets a row when told the text it indexed.
                    let f = try db.cached("""
                        INSERT INTO \(p)statements_fts(\(p)statements_fts, rowid, content)
                        SELECT 'delete', position, content FROM \(p)statements WHERE stream = ?1
                        """)
                    try f.bind(1, stream.rawValue)
                    try f.run()
                }
                let d = try db.cached("DELETE FROM \(p)statements WHERE stream = ?1")
                try d.bind(1, stream.rawValue)
                try d.run()
            case .tension, .ignored, .malformed:
                break
            }
        }
        return malformedCount(changes, cache)
    }
}

/// The tension timeline: every mention (the evidence, and the input of the daily rows) and
/// the daily rows per pair, recomputed from the mentions of each (pair, day) a batch touches.
enum TensionsProjection: TableProjection {
    static let name = "tensions"
    /// 2: only article streams' findings, within `FindingRules` (no NaN or infinite days).
    static let codeVersion = 2
    static let eventTypes: Set<EventType> = [.tensionObserved, .extractionSuperseded]
    static let tables = ["daily", "mentions"]

    static func create(_ db: SQLiteDatabase, prefix p: String, tag: String, fullText: Bool) throws {
        try db.execute("""
            CREATE TABLE IF NOT EXISTS \(p)mentions(
                position INTEGER PRIMARY KEY,  -- of the TensionObserved event
                stream TEXT NOT NULL,
                idx INTEGER NOT NULL,
                day INTEGER NOT NULL,
                pair TEXT NOT NULL,            -- canonical, e.g. RUS|UKR
                source TEXT, target TEXT,
                type TEXT NOT NULL,
                cameo TEXT, goldstein REAL, quad_class INTEGER,
                modality TEXT NOT NULL,
                weight REAL NOT NULL,
                level REAL, issue TEXT,
                start INTEGER NOT NULL,
                "end" INTEGER NOT NULL
            );
            CREATE TABLE IF NOT EXISTS \(p)daily(
                pair TEXT NOT NULL,
                day INTEGER NOT NULL,
                first TEXT NOT NULL,
                second TEXT NOT NULL,
                events INTEGER NOT NULL,
                q1 INTEGER NOT NULL, q2 INTEGER NOT NULL, q3 INTEGER NOT NULL, q4 INTEGER NOT NULL,
                goldstein_sum REAL NOT NULL,
                goldstein_count INTEGER NOT NULL,
                tension REAL NOT NULL,
                cooperation REAL NOT NULL,
                level REAL,
                articles INTEGER NOT NULL,
                mentions INTEGER NOT NULL,
                PRIMARY KEY(pair, day)
            ) WITHOUT ROWID;
            """)
    }

    static func applyIndexes(prefix p: String, tag: String) -> [String] {
        [
            // Covers count(DISTINCT stream) per pair and date range (articles per week or month),
            // and the daily rows' recomputation.
            "CREATE INDEX IF NOT EXISTS tl_\(tag)_mentions_pair_day_stream ON \(p)mentions(pair, day, stream)",
            "CREATE INDEX IF NOT EXISTS tl_\(tag)_mentions_stream ON \(p)mentions(stream)",
        ]
    }

    static func queryIndexes(prefix p: String, tag: String) -> [String] {
        [
            "CREATE INDEX IF NOT EXISTS tl_\(tag)_daily_first ON \(p)daily(first, day)",
            "CREATE INDEX IF NOT EXISTS tl_\(tag)_daily_second ON \(p)daily(second, day)",
            "CREATE INDEX IF NOT EXISTS tl_\(tag)_daily_day ON \(p)daily(day)",
        ]
    }

    /// Writes the daily rows folded during the load, or else recomputes them from the
    /// mentions, pair by pair, one transaction per pair.
    static func finishBulk(_ db: SQLiteDatabase, prefix p: String, loaded: ApplyCache?,
                           transaction: (() throws -> Void) throws -> Void) throws {
        if let fold = loaded?.dailyFold {
            try transaction { try db.execute("DELETE FROM \(p)daily") }
            let rows = fold.rows()
            var start = 0
            while start < rows.count {
                let end = min(rows.count, start + 10_000)
                try transaction { for row in rows[start..<end] { try upsert(row, db, prefix: p) } }
                start = end
            }
            return
        }
        var pairs: [String] = []
        let list = try db.prepare("SELECT DISTINCT pair FROM \(p)mentions ORDER BY pair")
        while try list.step() { pairs.append(list.string(0)) }
        try transaction {
            // Pairs whose mentions were all superseded.
            try db.execute("DELETE FROM \(p)daily WHERE pair NOT IN (SELECT DISTINCT pair FROM \(p)mentions)")
        }
        var values = RowValues()
        for pair in pairs {
            try transaction {
                let d = try db.cached("DELETE FROM \(p)daily WHERE pair = ?1")
                try d.bind(1, pair)
                try d.run()
                // Grouped by day through the index; `TensionMath.daily` orders each group by position.
                let s = try db.cached("SELECT \(TimelineStore.mentionColumns) FROM \(p)mentions WHERE pair = ?1 ORDER BY day")
                defer { s.reset() }
                try s.bind(1, pair)
                var group: [TensionMention] = []
                func flush() throws {
                    guard let first = group.first else { return }
                    if let row = TensionMath.daily(pair: first.pair, date: first.date, mentions: group) { try upsert(row, db, prefix: p) }
                    group.removeAll(keepingCapacity: true)
                }
                while try s.step() {
                    let m = try TimelineStore.mention(s, &values)
                    if let first = group.first, first.date != m.date { try flush() }
                    group.append(m)
                }
                try flush()
            }
        }
    }

    static func upsert(_ d: DailyTension, _ db: SQLiteDatabase, prefix p: String) throws {
        let s = try db.cached("""
            INSERT OR REPLACE INTO \(p)daily(pair, day, first, second, events, q1, q2, q3, q4, goldstein_sum,
                goldstein_count, tension, cooperation, level, articles, mentions)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)
            """)
        try s.bind([.text(d.pair.description), .integer(Int64(d.date.dayNumber)), .text(d.pair.first.rawValue),
                    .text(d.pair.second.rawValue), .integer(Int64(d.events)),
                    .integer(Int64(d.quadCounts[1])), .integer(Int64(d.quadCounts[2])),
                    .integer(Int64(d.quadCounts[3])), .integer(Int64(d.quadCounts[4])),
                    .double(d.goldsteinSum), .integer(Int64(d.goldsteinCount)), .double(d.tension),
                    .double(d.cooperation), d.level.map { .double($0) } ?? .null, .integer(Int64(d.articles)),
                    .integer(Int64(d.mentions))])
        try s.run()
    }

    static func apply(_ changes: [TimelineChange], _ db: SQLiteDatabase, prefix p: String, cache: ApplyCache,
                      bulk: Bool) throws -> Int {
        var dirty = Set<PairDay>()
        let insertMention = try db.cached("""
            INSERT OR REPLACE INTO \(p)mentions(position, stream, idx, day, pair, source, target, type, cameo, goldstein,
                quad_class, modality, weight, level, issue, start, "end")
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)
            """)
        for change in changes {
            switch change {
            case .tension(let m):
                let s = insertMention
                try s.bind(1, m.position.rawValue)
                try s.bind(2, m.stream.rawValue)
                try s.bind(3, m.index)
                try s.bind(4, m.date.dayNumber)
                try s.bind(5, m.pair.description)
                try s.bind(6, optional: m.source?.rawValue)
                try s.bind(7, optional: m.target?.rawValue)
                try s.bind(8, m.type)
                try s.bind(9, optional: m.cameo)
                if let g = m.goldstein { try s.bind(10, g) } else { try s.bindNull(10) }
                if let q = m.quadClass { try s.bind(11, q) } else { try s.bindNull(11) }
                try s.bind(12, m.modality.rawValue)
                try s.bind(13, m.weight)
                if let l = m.level { try s.bind(14, l) } else { try s.bindNull(14) }
                try s.bind(15, optional: m.issue)
                try s.bind(16, m.start)
                try s.bind(17, m.end)
                try s.run()
                if bulk {
                    cache.rowsByStream?[m.stream, default: []].append(m.position.rawValue)
                    if cache.dailyFold?.add(m) == false { cache.dailyFold = nil }
                    continue
                }
                dirty.insert(PairDay(pair: m.pair, date: m.date))
            case .supersede(let stream, _):
                // In bulk mode the daily rows are computed at the end: only the mentions go.
                if bulk { cache.dailyFold?.supersede(stream) }
                if bulk, try deleteInBulk(stream, table: "\(p)mentions", cache: cache, db) { continue }
                let sel = try db.cached("SELECT DISTINCT pair, day FROM \(p)mentions WHERE stream = ?1")
                try sel.bind(1, stream.rawValue)
                while try sel.step() {
                    dirty.insert(PairDay(pair: try TimelineStore.pair(sel.string(0), table: "mentions"),
                                         date: CalendarDate(dayNumber: sel.int(1))))
                }
                sel.reset()
                let d = try db.cached("DELETE FROM \(p)mentions WHERE stream = ?1")
                try d.bind(1, stream.rawValue)
                try d.run()
            case .article, .statement, .ignored, .malformed:
                break
            }
        }
        if bulk { return malformedCount(changes, cache) }
        for key in dirty.sorted() {
            let mentions = try TimelineStore.mentions(db, prefix: p, pair: key.pair, from: key.date, to: key.date)
            if let d = TensionMath.daily(pair: key.pair, date: key.date, mentions: mentions) {
                try upsert(d, db, prefix: p)
            } else {
                let s = try db.cached("DELETE FROM \(p)daily WHERE pair = ?1 AND day = ?2")
                try s.bind([.text(key.pair.description), .integer(Int64(key.date.dayNumber))])
                try s.run()
            }
        }
        return malformedCount(changes, cache)
    }
}

extension SQLiteStatement {
    func bind(_ index: Int32, optional value: String?) throws {
        if let value { try bind(index, value) } else { try bindNull(index) }
    }
}

extension SQLiteValue {
    static func optionalText(_ s: String?) -> SQLiteValue { s.map { .text($0) } ?? .null }
}
