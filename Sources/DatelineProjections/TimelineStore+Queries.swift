import DatelineCore
import EventLog

/// The query API the CLI and the server call. Answers match `TimelineFold`'s for the same events.
extension TimelineStore {
    /// Statements matching every given filter, oldest first (or newest first), at most `limit`.
    public func statements(_ q: StatementQuery) throws(ProjectionError) -> [StatementRow] {
        try guardOpen()
        if let limit = q.limit, limit < 0 { throw .invalidQuery("limit must not be negative") }
        do {
            let p = Self.live
            var sql = """
                SELECT s.position, s.stream, s.idx, s.day, s.kind, s.speaker, s.entity, s.affiliation, s.role, s.surface,
                    s.cue, s.content, s.start, s."end", s.polarity, s.extractor_version, a.position, a.title, a.source, a.url
                FROM \(p)statements s LEFT JOIN \(p)articles a ON a.stream = s.stream WHERE 1
                """
            var bindings: [SQLiteValue] = []
            if let speaker = q.speaker {
                let ids = try speakerIDs(matching: speaker)
                if ids.isEmpty { return [] }
                sql += " AND s.speaker_id IN (" + ids.map(String.init).joined(separator: ",") + ")"
            }
            if let a = q.affiliation {
                bindings.append(.text(a.rawValue))
                sql += " AND s.affiliation = ?\(bindings.count)"
            }
            if let since = q.since {
                bindings.append(.integer(Int64(since.dayNumber)))
                sql += " AND s.day >= ?\(bindings.count)"
            }
            if let until = q.until {
                bindings.append(.integer(Int64(until.dayNumber)))
                sql += " AND s.day <= ?\(bindings.count)"
            }
            let words = q.words.map(TextMatch.words) ?? []
            if q.words != nil && words.isEmpty { return [] }
            if !words.isEmpty {
                // The tables decide (they were built with or without FTS5), not today's options.
                if try Self.tableExists(db, "\(p)statements_fts") {
                    // The index holds no token positions, so it matches single tokens only: words
                    // the tokenizer might split stay out of the index query and are checked below.
                    let indexed = words.filter(TextMatch.isSingleIndexToken)
                    if !indexed.isEmpty {
                        bindings.append(.text(indexed.map { "\"\($0)\"" }.joined(separator: " ")))
                        sql += " AND s.position IN (SELECT rowid FROM \(p)statements_fts WHERE \(p)statements_fts MATCH ?\(bindings.count))"
                    }
                } else {
                    for w in words {
                        bindings.append(.text("%" + likeEscaped(w) + "%"))
                        sql += " AND s.folded LIKE ?\(bindings.count) ESCAPE '\\'"
                    }
                }
            }
            let direction = q.newestFirst ? "DESC" : "ASC"
            sql += " ORDER BY s.day \(direction), s.position \(direction)"
            // Word hits are confirmed word by word below (as the in-memory fold does), so the
            // limit applies after that.
            if let limit = q.limit, words.isEmpty { sql += " LIMIT \(limit)" }
            let s = try db.cached(sql)
            defer { s.reset() }
            try s.bind(bindings)
            var rows: [StatementRow] = []
            var values = RowValues()
            while try s.step() {
                let row = try statementRow(s, &values)
                if !words.isEmpty && !TextMatch.containsAllWords(words, in: row.content) { continue }
                rows.append(row)
                if let limit = q.limit, rows.count >= limit { break }
            }
            return rows
        } catch { throw ProjectionError.wrap(error) }
    }

    private func likeEscaped(_ s: String) -> String {
        var out = ""
        for c in s {
            if c == "%" || c == "_" || c == "\\" { out.append("\\") }
            out.append(c)
        }
        return out
    }

    /// The speaker ids a query names (see `SpeakerKey.select`): candidates are found by their
    /// folded aliases containing one of the query's words, then matched exactly in Swift.
    /// The probe is the longest stretch of a query word that transliteration variants leave
    /// alone (no i, j or y, and split at a doubled letter: "zelensk" for "Zelenskyy"), so the
    /// spellings `NameFolding` merges are among the candidates. One case is left out: a stored
    /// name that doubles a letter the query writes once inside that stretch ("Matarella" does
    /// not find "Mattarella"); a probe safe for that would be two letters long and return most
    /// of the aliases.
    func speakerIDs(matching query: String) throws -> [Int64] {
        let words = TextMatch.words(query)
        guard !words.isEmpty else { return [] }
        let probe = words.flatMap(Self.stableStretches).max(by: { $0.count < $1.count }) ?? ""
        let s = try db.cached("""
            SELECT sp.id, sp.key, a.alias FROM \(Self.live)speaker_aliases a JOIN \(Self.live)speakers sp ON sp.id = a.speaker_id
            WHERE a.folded LIKE ?1 ESCAPE '\\'
            """)
        defer { s.reset() }
        try s.bind(1, "%" + likeEscaped(probe) + "%")
        var aliases: [SpeakerKey: [String]] = [:]
        var ids: [SpeakerKey: Int64] = [:]
        while try s.step() {
            let key = SpeakerKey(id: s.string(1))
            ids[key] = s.int64(0)
            aliases[key, default: []].append(s.string(2))
        }
        return SpeakerKey.select(query: query, among: aliases.map { (key: $0.key, value: $0.value) })
            .compactMap { ids[$0] }.sorted()
    }

    /// The pieces of a folded word between the letters transliterations vary (i, j, y) and
    /// between the two halves of a doubled letter.
    static func stableStretches(_ word: String) -> [String] {
        var out: [String] = [], current = ""
        for c in word {
            if c == "i" || c == "j" || c == "y" || c == current.last {
                if !current.isEmpty { out.append(current) }
                current = c == "i" || c == "j" || c == "y" ? "" : String(c)
            } else {
                current.append(c)
            }
        }
        if !current.isEmpty { out.append(current) }
        return out
    }

    private func statementRow(_ s: SQLiteStatement, _ values: inout RowValues) throws -> StatementRow {
        let table = "statements"
        guard let kind = StatementKind(rawValue: s.string(4)), let polarity = Polarity(rawValue: s.string(14)) else {
            throw ProjectionError.corruptRow(table: table, reason: "unknown kind or polarity")
        }
        return StatementRow(
            position: Position(s.int64(0)), stream: try values.stream(s.string(1), table: table), index: s.int(2),
            date: CalendarDate(dayNumber: s.int(3)), kind: kind, speaker: s.optionalString(5), entity: s.optionalString(6),
            affiliation: try values.actor(s.optionalString(7), table: table), role: s.optionalString(8),
            surface: s.optionalString(9), cue: s.optionalString(10), content: s.string(11), start: s.int(12), end: s.int(13),
            polarity: polarity, extractorVersion: s.string(15), articlePosition: s.optionalInt64(16).map { Position($0) },
            title: s.optionalString(17), source: s.optionalString(18), url: s.optionalString(19))
    }

    /// The tension timeline per pair and bucket, with the decayed index (see `TensionQuery`).
    public func tensions(_ q: TensionQuery) throws(ProjectionError) -> [TensionRow] {
        try guardOpen()
        if q.halfLife <= 0 || !q.halfLife.isFinite { throw .invalidQuery("half-life must be a positive number of days") }
        if let top = q.top, top < 0 { throw .invalidQuery("top must not be negative") }
        do { return try TensionMath.answer(q, source: SQLTensionSource(db: db)) } catch { throw ProjectionError.wrap(error) }
    }

    /// Pairs ranked by tension over a range, most tense first.
    public func topPairs(actor: ActorCode? = nil, since: CalendarDate? = nil, until: CalendarDate? = nil,
                         limit: Int? = nil) throws(ProjectionError) -> [PairSummary] {
        try guardOpen()
        do {
            let ranked = try SQLTensionSource(db: db).rankedPairs(actor: actor, since: since, until: until)
            return limit.map { Array(ranked.prefix(max(0, $0))) } ?? ranked
        } catch { throw ProjectionError.wrap(error) }
    }

    /// One pair's decayed tension index for every day (quiet days included) from `since` (or its
    /// first day) through `until` (or its last day): the series a chart draws.
    public func indexSeries(pair: ActorPair, since: CalendarDate? = nil, until: CalendarDate? = nil,
                            halfLife: Double = 7) throws(ProjectionError) -> [IndexPoint] {
        try guardOpen()
        if halfLife <= 0 || !halfLife.isFinite { throw .invalidQuery("half-life must be a positive number of days") }
        do {
            let daily = try SQLTensionSource(db: db).dailyRows(pair: pair, through: until)
            guard let last = daily.last?.date else { return [] }
            return TensionMath.decayedIndex(daily, halfLife: halfLife, through: until ?? last)
                .filter { p in since.map { p.date >= $0 } ?? true }
        } catch { throw ProjectionError.wrap(error) }
    }

    /// The actors that appear in the tension timeline, sorted: lets the CLI tell an unknown
    /// pair code ("no data for RUS-XYZ") from a quiet one.
    public func knownActors() throws(ProjectionError) -> [ActorCode] {
        try guardOpen()
        do {
            let s = try db.cached("SELECT DISTINCT first FROM \(Self.live)daily UNION SELECT DISTINCT second FROM \(Self.live)daily")
            defer { s.reset() }
            var out: [ActorCode] = []
            while try s.step() { if let a = try Self.actor(s.string(0), table: "daily") { out.append(a) } }
            return out.sorted()
        } catch { throw ProjectionError.wrap(error) }
    }

    /// Every daily tension row, by pair then date (for comparisons and exports).
    public func dailyTensions() throws(ProjectionError) -> [DailyTension] {
        try guardOpen()
        do { return try SQLTensionSource(db: db).rows(where: "1", []) } catch { throw ProjectionError.wrap(error) }
    }
}

extension SpeakerKey {
    init(id: String) { self.id = id }
}

/// The tension reads over the live tables.
struct SQLTensionSource: TensionSource {
    let db: SQLiteDatabase
    let p = TimelineStore.live

    static let columns = "pair, day, events, q1, q2, q3, q4, goldstein_sum, goldstein_count, tension, cooperation, level, articles, mentions"

    func rows(where condition: String, _ bindings: [SQLiteValue]) throws -> [DailyTension] {
        let s = try db.cached("SELECT \(Self.columns) FROM \(p)daily WHERE \(condition) ORDER BY pair, day")
        defer { s.reset() }
        try s.bind(bindings)
        var out: [DailyTension] = []
        var values = RowValues()
        while try s.step() {
            out.append(DailyTension(
                pair: try values.pair(s.string(0), table: "daily"), date: CalendarDate(dayNumber: s.int(1)),
                events: s.int(2), quadCounts: QuadCounts(s.int(3), s.int(4), s.int(5), s.int(6)),
                goldsteinSum: s.double(7), goldsteinCount: s.int(8), tension: s.double(9), cooperation: s.double(10),
                level: s.optionalDouble(11), articles: s.int(12), mentions: s.int(13)))
        }
        return out
    }

    private func range(_ since: CalendarDate?, _ until: CalendarDate?) -> [SQLiteValue] {
        [.integer(Int64(since?.dayNumber ?? Int.min)), .integer(Int64(until?.dayNumber ?? Int.max))]
    }

    /// Totals per pair summed by SQLite in (pair, day) order, which is the order
    /// `TensionMath.rankPairs` adds them in, so the figures are the same to the last bit. The
    /// table is scanned in its primary-key order (no index, no sort): one pass over small rows.
    func rankedPairs(actor: ActorCode?, since: CalendarDate?, until: CalendarDate?) throws -> [PairSummary] {
        let actorCondition = actor == nil ? "" : " AND (first = ?3 OR second = ?3)"
        let s = try db.cached("""
            SELECT pair, sum(tension), sum(cooperation), sum(events), count(*), max(level), min(day), max(day) FROM (
                SELECT pair, day, tension, cooperation, events, level FROM \(p)daily
                WHERE +day BETWEEN ?1 AND ?2\(actorCondition) ORDER BY pair, day)
            GROUP BY pair
            """)
        defer { s.reset() }
        try s.bind(range(since, until) + (actor.map { [.text($0.rawValue)] } ?? []))
        var out: [PairSummary] = []
        var values = RowValues()
        while try s.step() {
            var summary = PairSummary(pair: try values.pair(s.string(0), table: "daily"),
                                      first: CalendarDate(dayNumber: s.int(6)), last: CalendarDate(dayNumber: s.int(7)))
            summary.tension = s.double(1)
            summary.cooperation = s.double(2)
            summary.events = s.int(3)
            summary.days = s.int(4)
            summary.level = s.optionalDouble(5)
            out.append(summary)
        }
        return out.sorted { a, b in a.tension != b.tension ? a.tension > b.tension : a.pair < b.pair }
    }

    func dailyRows(pair: ActorPair, through: CalendarDate?) throws -> [DailyTension] {
        try rows(where: "pair = ?1 AND day <= ?2", [.text(pair.description), .integer(Int64(through?.dayNumber ?? Int.max))])
    }

    /// Counted by SQLite over the covering (pair, day, stream) index, range by range.
    func distinctArticles(pair: ActorPair, ranges: [ClosedRange<CalendarDate>]) throws -> [Int] {
        let s = try db.cached("SELECT count(DISTINCT stream) FROM \(p)mentions WHERE pair = ?1 AND day BETWEEN ?2 AND ?3")
        defer { s.reset() }
        return try ranges.map { r in
            s.reset()
            try s.bind([.text(pair.description), .integer(Int64(r.lowerBound.dayNumber)), .integer(Int64(r.upperBound.dayNumber))])
            _ = try s.step()
            return s.int(0)
        }
    }

    func evidence(pair: ActorPair, date: CalendarDate) throws -> [EvidenceLink] {
        try TimelineStore.mentions(db, prefix: p, pair: pair, from: date, to: date).map(\.evidence)
    }
}
