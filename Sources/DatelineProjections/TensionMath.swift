import DatelineCore
import Foundation

/// The arithmetic of the tension timeline, as pure functions over mentions and daily rows.
/// Both the in-memory fold and the SQLite projection call these, so a figure means the same
/// wherever it is computed.
public enum TensionMath {
    /// Folds the mentions of one pair on one day into its daily row, or nil when there are none.
    ///
    /// Rules: mentions of the same (article, date, source, target, CAMEO code) are one event,
    /// represented by its strongest mention (highest weight, then the earliest); each event adds
    /// weight × max(0, −Goldstein) to tension and weight × max(0, Goldstein) to cooperation, its
    /// unweighted Goldstein score to the sum and one to its QuadClass; a mention without a code
    /// (a level statement) only raises the day's level. Sums run in log order so the result does
    /// not depend on the order the mentions are handed in.
    public static func daily(pair: ActorPair, date: CalendarDate, mentions: [TensionMention]) -> DailyTension? {
        fold(pair: pair, date: date, mentions: mentions)
    }

    /// `daily(pair:date:mentions:)` over any form of mention that carries what the fold reads.
    static func fold<M: DailyFoldInput>(pair: ActorPair, date: CalendarDate, mentions: [M]) -> DailyTension? {
        guard !mentions.isEmpty else { return nil }
        let ordered = mentions.sorted { $0.position < $1.position }
        var representative: [M.EventIdentity: M] = [:]
        var keysInOrder: [M.EventIdentity] = []
        var level: Double?
        var articles = Set<M.ArticleIdentity>()
        var codedMentions = 0
        for m in ordered {
            articles.insert(m.article)
            if let l = m.level, l.isFinite { level = max(level ?? l, l) }
            guard m.isCodedEvent else { continue }
            codedMentions += 1
            let key = m.dedupKey
            if let current = representative[key] {
                if m.weight > current.weight { representative[key] = m }
            } else {
                representative[key] = m
                keysInOrder.append(key)
            }
        }
        var quads = QuadCounts()
        var goldsteinSum = 0.0, goldsteinCount = 0, tension = 0.0, cooperation = 0.0
        for key in keysInOrder {
            let e = representative[key]!
            if let q = e.quadClass { quads[q] += 1 }
            if let g = e.goldstein, g.isFinite {
                // Decoding refuses findings outside `FindingRules`; the clamps make the sums
                // finite whatever reaches here, so a day's row can always be stored and encoded.
                let g = min(max(g, FindingRules.goldstein.lowerBound), FindingRules.goldstein.upperBound)
                let w = e.weight.isFinite ? min(max(e.weight, 0), 1) : 0
                goldsteinSum += g
                goldsteinCount += 1
                tension += w * max(0, -g)
                cooperation += w * max(0, g)
            }
        }
        return DailyTension(pair: pair, date: date, events: keysInOrder.count, quadCounts: quads,
                            goldsteinSum: goldsteinSum, goldsteinCount: goldsteinCount, tension: tension,
                            cooperation: cooperation, level: level, articles: articles.count, mentions: codedMentions)
    }

    /// Groups mentions by (pair, date) and folds each group; rows sorted by pair, then date.
    public static func daily(_ mentions: [TensionMention]) -> [DailyTension] {
        var groups: [PairDay: [TensionMention]] = [:]
        for m in mentions { groups[PairDay(pair: m.pair, date: m.date), default: []].append(m) }
        return groups.keys.sorted().compactMap { daily(pair: $0.pair, date: $0.date, mentions: groups[$0]!) }
    }

    /// The per-day decay factor for a half-life in days: 2^(−1/H).
    public static func decayFactor(halfLife: Double) -> Double { pow(2, -1 / halfLife) }

    /// The decayed tension index of one pair, day by day from its first row through `through`
    /// (default: its last row), quiet days included: index(d) = index(d−1) × 2^(−1/H) + tension(d).
    /// `daily` must hold one pair's rows in date order.
    public static func decayedIndex(_ daily: [DailyTension], halfLife: Double, through: CalendarDate? = nil) -> [IndexPoint] {
        guard let first = daily.first?.date else { return [] }
        let last = through ?? daily.last!.date
        guard first <= last else { return [] }
        let factor = decayFactor(halfLife: halfLife)
        var points: [IndexPoint] = []
        points.reserveCapacity(last.dayNumber - first.dayNumber + 1)
        var i = 0, index = 0.0
        for day in first.dayNumber...last.dayNumber {
            let date = CalendarDate(dayNumber: day)
            var tension = 0.0
            while i < daily.count, daily[i].date.dayNumber <= day {
                if daily[i].date.dayNumber == day { tension += daily[i].tension }
                i += 1
            }
            index = index * factor + tension
            points.append(IndexPoint(date: date, tension: tension, index: index))
        }
        return points
    }

    /// One pair's timeline in buckets over [since, until], with the decayed index at the end of
    /// each bucket (folded from the pair's first day, so the range does not change the index).
    ///
    /// - Parameters:
    ///   - daily: all of the pair's daily rows up to at least `until`, in date order.
    ///   - distinctArticles: for week and month buckets, the number of distinct articles in
    ///     each of the given date ranges (an article may speak of several days); when nil, daily
    ///     counts are summed.
    ///   - evidence: the evidence links of a day, for day buckets; nil leaves them out.
    public static func rows(pair: ActorPair, daily: [DailyTension], bucket: TimeBucket, since: CalendarDate?,
                            until: CalendarDate?, halfLife: Double,
                            distinctArticles: (([ClosedRange<CalendarDate>]) throws -> [Int])? = nil,
                            evidence: ((CalendarDate) throws -> [EvidenceLink])? = nil) throws -> [TensionRow] {
        let inRange = daily.filter { d in (since.map { d.date >= $0 } ?? true) && (until.map { d.date <= $0 } ?? true) }
        guard !inRange.isEmpty else { return [] }
        // Every bucket reports the index on its last day (or on `until`), decayed over the quiet
        // days since the pair's last event, the last bucket included.
        let lastBucketEnd = bucket.period(of: inRange.last!.date).end
        let lastDay = until.map { min($0, lastBucketEnd) } ?? lastBucketEnd
        let series = decayedIndex(daily.filter { $0.date <= lastDay }, halfLife: halfLife, through: lastDay)
        let firstDay = series.first!.date.dayNumber
        func index(at date: CalendarDate) -> Double {
            let d = min(date, lastDay).dayNumber - firstDay
            return d < 0 ? 0 : series[min(d, series.count - 1)].index
        }
        var out: [TensionRow] = []
        var start = 0
        while start < inRange.count {
            let period = bucket.period(of: inRange[start].date)
            var end = start
            while end + 1 < inRange.count, inRange[end + 1].date <= period.end { end += 1 }
            let days = inRange[start...end]
            var row = TensionRow(pair: pair, bucket: bucket, period: period.label, start: period.start, end: period.end)
            var level: Double?
            var articleSum = 0
            for d in days {
                row.events += d.events
                row.quadCounts = row.quadCounts + d.quadCounts
                row.goldsteinSum += d.goldsteinSum
                row.goldsteinCount += d.goldsteinCount
                row.tension += d.tension
                row.cooperation += d.cooperation
                row.mentions += d.mentions
                articleSum += d.articles
                if let l = d.level { level = max(level ?? l, l) }
            }
            row.level = level
            row.goldsteinMean = row.goldsteinCount > 0 ? row.goldsteinSum / Double(row.goldsteinCount) : nil
            row.days = days.count
            row.articles = articleSum
            row.index = index(at: period.end)
            if bucket == .day, let evidence { row.evidence = try evidence(period.start) }
            out.append(row)
            start = end + 1
        }
        if bucket != .day, let distinctArticles {
            let ranges = out.map { max($0.start, since ?? $0.start)...min($0.end, until ?? $0.end) }
            for (i, n) in try distinctArticles(ranges).enumerated() { out[i].articles = n }
        }
        return out
    }

    /// Pairs ranked by their tension over a range: the `--top N` of the tension query.
    /// `daily` may hold any pairs; ties rank by pair name so the order is stable.
    public static func rankPairs(_ daily: [DailyTension], since: CalendarDate?, until: CalendarDate?) -> [PairSummary] {
        var byPair: [ActorPair: PairSummary] = [:]
        for d in daily {
            if let s = since, d.date < s { continue }
            if let u = until, d.date > u { continue }
            var p = byPair[d.pair] ?? PairSummary(pair: d.pair, first: d.date, last: d.date)
            p.tension += d.tension
            p.cooperation += d.cooperation
            p.events += d.events
            p.days += 1
            p.first = min(p.first, d.date)
            p.last = max(p.last, d.date)
            if let l = d.level { p.level = max(p.level ?? l, l) }
            byPair[d.pair] = p
        }
        return byPair.values.sorted { a, b in a.tension != b.tension ? a.tension > b.tension : a.pair < b.pair }
    }
}

/// A (pair, day) key: the identity of a daily tension row.
public struct PairDay: Hashable, Comparable, Sendable {
    public var pair: ActorPair
    public var date: CalendarDate
    public init(pair: ActorPair, date: CalendarDate) {
        self.pair = pair
        self.date = date
    }
    public static func < (a: PairDay, b: PairDay) -> Bool { (a.pair, a.date) < (b.pair, b.date) }
}

/// The decayed tension index on one day.
public struct IndexPoint: Sendable, Equatable, Codable {
    public var date: CalendarDate
    /// The day's own tension (0 on a quiet day).
    public var tension: Double
    public var index: Double

    public init(date: CalendarDate, tension: Double, index: Double) {
        self.date = date
        self.tension = tension
        self.index = index
    }
}

/// One row of a tension query: one pair over one bucket (a day, an ISO week or a month).
public struct TensionRow: Sendable, Equatable, Codable {
    public var pair: ActorPair
    public var bucket: TimeBucket
    /// `2022-01-27`, `2022-W04` or `2022-01`.
    public var period: String
    public var start: CalendarDate
    public var end: CalendarDate
    /// Days in the bucket with any mention of the pair.
    public var days: Int = 0
    public var events: Int = 0
    public var quadCounts = QuadCounts()
    public var goldsteinSum: Double = 0
    public var goldsteinCount: Int = 0
    public var goldsteinMean: Double?
    public var tension: Double = 0
    public var cooperation: Double = 0
    public var level: Double?
    public var articles: Int = 0
    public var mentions: Int = 0
    /// The decayed tension index at the end of the bucket (or of the queried range).
    public var index: Double = 0
    /// The evidence of a day bucket, in log order; absent unless asked for.
    public var evidence: [EvidenceLink]?

    public init(pair: ActorPair, bucket: TimeBucket, period: String, start: CalendarDate, end: CalendarDate) {
        self.pair = pair
        self.bucket = bucket
        self.period = period
        self.start = start
        self.end = end
    }

    enum CodingKeys: String, CodingKey {
        case pair, bucket, period, start, end, days, events
        case quadCounts = "quad_counts"
        case goldsteinSum = "goldstein_sum"
        case goldsteinCount = "goldstein_count"
        case goldsteinMean = "goldstein_mean"
        case tension, cooperation, level, articles, mentions, index, evidence
    }

    /// Decimal places kept in the JSON of the scores: sums of Goldstein scores and decayed
    /// indexes are printed as 12.7032, not 12.703199999999999.
    public static let jsonDecimals = 4

    public func encode(to encoder: Encoder) throws {
        func r(_ v: Double) -> Double {
            let scale = 10_000.0
            let x = (v * scale).rounded() / scale
            return x == 0 ? 0 : x  // no -0
        }
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(pair, forKey: .pair)
        try c.encode(bucket, forKey: .bucket)
        try c.encode(period, forKey: .period)
        try c.encode(start, forKey: .start)
        try c.encode(end, forKey: .end)
        try c.encode(days, forKey: .days)
        try c.encode(events, forKey: .events)
        try c.encode(quadCounts, forKey: .quadCounts)
        try c.encode(r(goldsteinSum), forKey: .goldsteinSum)
        try c.encode(goldsteinCount, forKey: .goldsteinCount)
        try c.encodeIfPresent(goldsteinMean.map(r), forKey: .goldsteinMean)
        try c.encode(r(tension), forKey: .tension)
        try c.encode(r(cooperation), forKey: .cooperation)
        try c.encodeIfPresent(level.map(r), forKey: .level)
        try c.encode(articles, forKey: .articles)
        try c.encode(mentions, forKey: .mentions)
        try c.encode(r(index), forKey: .index)
        try c.encodeIfPresent(evidence, forKey: .evidence)
    }
}

/// A pair's totals over a range, for ranking.
public struct PairSummary: Sendable, Equatable, Codable {
    public var pair: ActorPair
    public var tension: Double = 0
    public var cooperation: Double = 0
    public var events: Int = 0
    public var days: Int = 0
    public var level: Double?
    public var first: CalendarDate
    public var last: CalendarDate

    public init(pair: ActorPair, first: CalendarDate, last: CalendarDate) {
        self.pair = pair
        self.first = first
        self.last = last
    }
}
