import DatelineCore

/// The timelines folded in memory from events in log order: the reference meaning of the
/// projections, with no I/O. The SQLite projection (`TimelineStore`) applies the same
/// `TimelineChange`s and answers the same queries; tests hold the two to the same answers.
/// Also handy for small tools that read a log once.
public struct TimelineFold: Sendable {
    /// The position of the last event applied (`.start` before any).
    public private(set) var checkpoint: Position = .start
    public private(set) var articles: [StreamName: ArticleRef] = [:]
    /// Unlinked statement rows by position, current generation only.
    private var statementsByPosition: [Position: StatementRow] = [:]
    private var statementPositions: [StreamName: [Position]] = [:]
    private var mentionsByStream: [StreamName: [TensionMention]] = [:]
    private var speakerAliases: [SpeakerKey: [String]] = [:]
    /// Events of a known type whose payload could not be read, in log order.
    public private(set) var malformed: [TimelineChange] = []

    public init() {}

    /// Applies one event. Events at or before the checkpoint are ignored (applying is
    /// idempotent), so a caller may hand the same batch twice.
    /// - Returns: whether the event was new.
    @discardableResult
    public mutating func apply(_ event: RecordedEvent) -> Bool {
        guard event.position > checkpoint else { return false }
        apply(TimelineChange(event))
        checkpoint = event.position
        return true
    }

    public mutating func apply<S: Sequence>(_ events: S) where S.Element == RecordedEvent {
        for e in events { apply(e) }
    }

    /// Applies a decoded change (without moving the checkpoint).
    public mutating func apply(_ change: TimelineChange) {
        switch change {
        case .article(let a):
            articles[a.stream] = a
        case .statement(let row):
            statementsByPosition[row.position] = row
            statementPositions[row.stream, default: []].append(row.position)
            if let key = SpeakerKey(entity: row.entity, name: row.speaker) {
                var aliases = speakerAliases[key] ?? []
                for a in SpeakerKey.aliases(of: row) where !aliases.contains(a) { aliases.append(a) }
                speakerAliases[key] = aliases
            }
        case .tension(let m):
            mentionsByStream[m.stream, default: []].append(m)
        case .supersede(let stream, _):
            for p in statementPositions.removeValue(forKey: stream) ?? [] { statementsByPosition[p] = nil }
            mentionsByStream[stream] = nil
        case .ignored:
            break
        case .malformed:
            malformed.append(change)
        }
    }

    // MARK: - Contents

    /// Every current statement, linked to its article, by date then position.
    public var statementRows: [StatementRow] {
        statementsByPosition.values
            .sorted { ($0.date, $0.position) < ($1.date, $1.position) }
            .map { $0.linked(to: articles[$0.stream]) }
    }

    /// Every current tension mention, in log order.
    public var mentions: [TensionMention] {
        mentionsByStream.values.flatMap { $0 }.sorted { $0.position < $1.position }
    }

    /// Every daily tension row, by pair then date.
    public var dailyTensions: [DailyTension] { TensionMath.daily(mentions) }

    /// The aliases each speaker has been reported under.
    public var speakers: [SpeakerKey: [String]] { speakerAliases }

    // MARK: - Queries

    public func statements(_ q: StatementQuery) -> [StatementRow] {
        let words = q.words.map(TextMatch.words) ?? []
        let speakers = q.speaker.map { SpeakerKey.select(query: $0, among: speakerAliases.map { (key: $0.key, value: $0.value) }) }
        var rows = statementRows.filter { row in
            if let a = q.affiliation, row.affiliation != a { return false }
            if let s = q.since, row.date < s { return false }
            if let u = q.until, row.date > u { return false }
            if let speakers {
                guard let key = SpeakerKey(entity: row.entity, name: row.speaker), speakers.contains(key) else { return false }
            }
            if !words.isEmpty, !TextMatch.containsAllWords(words, in: row.content) { return false }
            return true
        }
        if q.newestFirst { rows.reverse() }
        if let limit = q.limit, rows.count > limit { rows = Array(rows.prefix(max(0, limit))) }
        return rows
    }

    public func tensions(_ q: TensionQuery) -> [TensionRow] {
        let all = mentions
        let daily = TensionMath.daily(all)
        // The in-memory source never throws.
        return try! TensionMath.answer(q, source: FoldTensionSource(daily: daily, mentions: all))
    }

    public func topPairs(actor: ActorCode? = nil, since: CalendarDate? = nil, until: CalendarDate? = nil, limit: Int? = nil) -> [PairSummary] {
        let source = FoldTensionSource(daily: dailyTensions, mentions: mentions)
        let ranked = source.rankedPairs(actor: actor, since: since, until: until)
        return limit.map { Array(ranked.prefix(max(0, $0))) } ?? ranked
    }
}

/// The reads a tension query needs, so the fold and the SQLite store share the query logic.
protocol TensionSource {
    /// Pairs with rows in the range (containing `actor` when given), most tense first.
    func rankedPairs(actor: ActorCode?, since: CalendarDate?, until: CalendarDate?) throws -> [PairSummary]
    /// All of one pair's daily rows up to `through` (inclusive), in date order.
    func dailyRows(pair: ActorPair, through: CalendarDate?) throws -> [DailyTension]
    /// Distinct articles mentioning the pair in each range.
    func distinctArticles(pair: ActorPair, ranges: [ClosedRange<CalendarDate>]) throws -> [Int]
    func evidence(pair: ActorPair, date: CalendarDate) throws -> [EvidenceLink]
}

extension TensionMath {
    static func answer(_ q: TensionQuery, source: some TensionSource) throws -> [TensionRow] {
        var pairs: [ActorPair]
        if let pair = q.pair {
            if let actor = q.actor, !pair.contains(actor) { return [] }
            pairs = [pair]
        } else {
            let ranked = try source.rankedPairs(actor: q.actor, since: q.since, until: q.until)
            pairs = q.top == nil ? ranked.map(\.pair).sorted() : ranked.map(\.pair)
        }
        if let top = q.top { pairs = Array(pairs.prefix(max(0, top))) }
        var out: [TensionRow] = []
        for pair in pairs {
            let daily = try source.dailyRows(pair: pair, through: q.until)
            out += try rows(pair: pair, daily: daily, bucket: q.bucket, since: q.since, until: q.until,
                            halfLife: q.halfLife,
                            distinctArticles: { try source.distinctArticles(pair: pair, ranges: $0) },
                            evidence: q.evidence ? { try source.evidence(pair: pair, date: $0) } : nil)
        }
        return out
    }
}

private struct FoldTensionSource: TensionSource {
    var daily: [DailyTension]
    var mentions: [TensionMention]

    func rankedPairs(actor: ActorCode?, since: CalendarDate?, until: CalendarDate?) -> [PairSummary] {
        TensionMath.rankPairs(daily.filter { actor == nil || $0.pair.contains(actor!) }, since: since, until: until)
    }
    func dailyRows(pair: ActorPair, through: CalendarDate?) -> [DailyTension] {
        daily.filter { $0.pair == pair && (through == nil || $0.date <= through!) }
    }
    func distinctArticles(pair: ActorPair, ranges: [ClosedRange<CalendarDate>]) -> [Int] {
        ranges.map { r in Set(mentions.filter { $0.pair == pair && r.contains($0.date) }.map(\.stream)).count }
    }
    func evidence(pair: ActorPair, date: CalendarDate) -> [EvidenceLink] {
        mentions.filter { $0.pair == pair && $0.date == date }.map(\.evidence)
    }
}
