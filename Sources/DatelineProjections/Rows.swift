import DatelineCore

// The value types the timelines are made of. Query results are Codable with stable
// snake_case field names: the CLI prints them as JSON Lines and the server sends them as is.
// An absent optional is omitted from the JSON rather than written as null.

/// An article as the timelines link to it: where it entered the log and how to name it.
public struct ArticleRef: Sendable, Equatable, Codable {
    public var stream: StreamName
    /// The position of its `ArticleIngested` event.
    public var position: Position
    public var date: CalendarDate
    public var title: String?
    public var source: String?
    public var url: String?

    public init(stream: StreamName, position: Position, date: CalendarDate, title: String?, source: String?, url: String?) {
        self.stream = stream
        self.position = position
        self.date = date
        self.title = title
        self.source = source
        self.url = url
    }
}

/// One row of the statement timeline: who said what, when, and where it was reported.
public struct StatementRow: Sendable, Equatable, Codable {
    /// The position of the `StatementRecorded` event: the row's identity.
    public var position: Position
    /// The article's stream.
    public var stream: StreamName
    /// The statement's index in its article's extraction.
    public var index: Int
    public var date: CalendarDate
    public var kind: StatementKind
    /// The resolved speaker name ("Sergey Lavrov"), or the mention when unresolved.
    public var speaker: String?
    /// A stable speaker id such as `person:sergey-lavrov`.
    public var entity: String?
    public var affiliation: ActorCode?
    public var role: String?
    /// The speaker mention as written in the article ("Russia’s Foreign Minister").
    public var surface: String?
    /// The cue verb's lemma (`say`, `tell`).
    public var cue: String?
    public var content: String
    public var start: Int
    public var end: Int
    public var polarity: Polarity
    public var extractorVersion: String
    /// The article link, filled from the article's `ArticleIngested` event.
    public var articlePosition: Position?
    public var title: String?
    public var source: String?
    public var url: String?

    public init(position: Position, stream: StreamName, index: Int, date: CalendarDate, kind: StatementKind,
                speaker: String?, entity: String?, affiliation: ActorCode?, role: String?, surface: String?,
                cue: String?, content: String, start: Int, end: Int, polarity: Polarity, extractorVersion: String,
                articlePosition: Position? = nil, title: String? = nil, source: String? = nil, url: String? = nil) {
        self.position = position
        self.stream = stream
        self.index = index
        self.date = date
        self.kind = kind
        self.speaker = speaker
        self.entity = entity
        self.affiliation = affiliation
        self.role = role
        self.surface = surface
        self.cue = cue
        self.content = content
        self.start = start
        self.end = end
        self.polarity = polarity
        self.extractorVersion = extractorVersion
        self.articlePosition = articlePosition
        self.title = title
        self.source = source
        self.url = url
    }

    /// The same row with its article link filled in (or cleared when the article is unknown).
    public func linked(to article: ArticleRef?) -> StatementRow {
        var row = self
        row.articlePosition = article?.position
        row.title = article?.title
        row.source = article?.source
        row.url = article?.url
        return row
    }

    enum CodingKeys: String, CodingKey {
        case position, stream, index, date, kind, speaker, entity, affiliation, role, surface, cue, content
        case start, end, polarity
        case extractorVersion = "extractor_version"
        case articlePosition = "article_position"
        case title, source, url
    }
}

/// One `TensionObserved` event as the tension timeline sees it: a mention of an event (or a
/// level statement) between two actors in one article.
public struct TensionMention: Sendable, Equatable, Codable {
    public var position: Position
    public var stream: StreamName
    public var index: Int
    public var date: CalendarDate
    public var pair: ActorPair
    public var source: ActorCode?
    public var target: ActorCode?
    public var type: String
    public var cameo: String?
    public var goldstein: Double?
    public var quadClass: Int?
    public var modality: Modality
    public var weight: Double
    public var level: Double?
    public var issue: String?
    public var start: Int
    public var end: Int

    public init(position: Position, stream: StreamName, index: Int, date: CalendarDate, pair: ActorPair,
                source: ActorCode?, target: ActorCode?, type: String, cameo: String?, goldstein: Double?,
                quadClass: Int?, modality: Modality, weight: Double, level: Double?, issue: String?,
                start: Int, end: Int) {
        self.position = position
        self.stream = stream
        self.index = index
        self.date = date
        self.pair = pair
        self.source = source
        self.target = target
        self.type = type
        self.cameo = cameo
        self.goldstein = goldstein
        self.quadClass = quadClass
        self.modality = modality
        self.weight = weight
        self.level = level
        self.issue = issue
        self.start = start
        self.end = end
    }

    /// A coded event (it has a CAMEO code) counts; a plain level statement only sets the level.
    public var isCodedEvent: Bool { cameo != nil }

    /// The key under which repeated mentions in one article count once.
    public var dedupKey: EventKey {
        EventKey(stream: stream, date: date, source: source?.rawValue ?? pair.first.rawValue,
                 target: target?.rawValue ?? pair.second.rawValue, cameo: cameo ?? "")
    }

    /// The article the mention was found in (one article counts once in a day's row).
    var article: StreamName { stream }

    public var evidence: EvidenceLink {
        EvidenceLink(stream: stream, position: position, start: start, end: end, type: type, cameo: cameo, level: level)
    }

    enum CodingKeys: String, CodingKey {
        case position, stream, index, date, pair, source, target, type, cameo, goldstein
        case quadClass = "quad_class"
        case modality, weight, level, issue, start, end
    }
}

/// One event per (article, date, source, target, CAMEO code): a repeated mention does not count twice.
public struct EventKey: Hashable, Sendable {
    public var stream: StreamName
    public var date: CalendarDate
    public var source: String
    public var target: String
    public var cameo: String
}

/// Where the evidence for a tension figure is: the article stream, the event's position and
/// the span of text (Unicode scalar offsets into the article).
public struct EvidenceLink: Sendable, Equatable, Hashable, Codable {
    public var stream: StreamName
    public var position: Position
    public var start: Int
    public var end: Int
    public var type: String
    public var cameo: String?
    public var level: Double?

    public init(stream: StreamName, position: Position, start: Int, end: Int, type: String, cameo: String?, level: Double?) {
        self.stream = stream
        self.position = position
        self.start = start
        self.end = end
        self.type = type
        self.cameo = cameo
        self.level = level
    }
}

/// Events by QuadClass: 1 verbal cooperation, 2 material cooperation, 3 verbal conflict,
/// 4 material conflict. Encoded as `{"1": n, "2": n, "3": n, "4": n}` like GDELT's columns.
public struct QuadCounts: Sendable, Equatable, Hashable, Codable {
    public var counts: [Int]

    public init(_ q1: Int = 0, _ q2: Int = 0, _ q3: Int = 0, _ q4: Int = 0) { counts = [q1, q2, q3, q4] }

    public subscript(quadClass: Int) -> Int {
        get { (1...4).contains(quadClass) ? counts[quadClass - 1] : 0 }
        set { if (1...4).contains(quadClass) { counts[quadClass - 1] = newValue } }
    }

    public static func + (a: QuadCounts, b: QuadCounts) -> QuadCounts {
        QuadCounts(a[1] + b[1], a[2] + b[2], a[3] + b[3], a[4] + b[4])
    }

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { Int(stringValue) }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { stringValue = String(intValue) }
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        self.init()
        for q in 1...4 { self[q] = try c.decodeIfPresent(Int.self, forKey: Key(stringValue: String(q))) ?? 0 }
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        for q in 1...4 { try c.encode(self[q], forKey: Key(stringValue: String(q))) }
    }
}

/// The tension timeline for one unordered pair on one day: what the tables store.
public struct DailyTension: Sendable, Equatable, Codable {
    public var pair: ActorPair
    public var date: CalendarDate
    /// Coded events, one per (article, date, source, target, code).
    public var events: Int
    public var quadCounts: QuadCounts
    /// Unweighted sum of the events' Goldstein scores, and how many had one.
    public var goldsteinSum: Double
    public var goldsteinCount: Int
    /// Σ weight × max(0, −Goldstein).
    public var tension: Double
    /// Σ weight × max(0, Goldstein), kept apart from tension.
    public var cooperation: Double
    /// The highest reported tension level (0 … 1) of the day's level statements, if any.
    public var level: Double?
    /// Distinct articles with a mention of the pair that day.
    public var articles: Int
    /// Mentions of coded events (before de-duplication): how much evidence there is.
    public var mentions: Int

    public init(pair: ActorPair, date: CalendarDate, events: Int, quadCounts: QuadCounts, goldsteinSum: Double,
                goldsteinCount: Int, tension: Double, cooperation: Double, level: Double?, articles: Int, mentions: Int) {
        self.pair = pair
        self.date = date
        self.events = events
        self.quadCounts = quadCounts
        self.goldsteinSum = goldsteinSum
        self.goldsteinCount = goldsteinCount
        self.tension = tension
        self.cooperation = cooperation
        self.level = level
        self.articles = articles
        self.mentions = mentions
    }

    public var goldsteinMean: Double? { goldsteinCount > 0 ? goldsteinSum / Double(goldsteinCount) : nil }

    enum CodingKeys: String, CodingKey {
        case pair, date, events
        case quadCounts = "quad_counts"
        case goldsteinSum = "goldstein_sum"
        case goldsteinCount = "goldstein_count"
        case tension, cooperation, level, articles, mentions
    }
}
