import DatelineCore
import Foundation

/// A question to the statement timeline. Every filter is optional; they combine with AND.
public struct StatementQuery: Sendable, Equatable {
    /// A speaker's name, part of it ("Lavrov"), an alias seen in articles, or an entity id
    /// (`person:sergey-lavrov`); case-insensitive, whole words.
    public var speaker: String?
    /// The actor the speaker speaks for (`RUS`).
    public var affiliation: ActorCode?
    public var since: CalendarDate?
    public var until: CalendarDate?
    /// Words that must all occur in the content (case- and accent-insensitive, whole words).
    public var words: String?
    public var limit: Int?
    /// Newest first instead of oldest first.
    public var newestFirst: Bool

    public init(speaker: String? = nil, affiliation: ActorCode? = nil, since: CalendarDate? = nil,
                until: CalendarDate? = nil, words: String? = nil, limit: Int? = nil, newestFirst: Bool = false) {
        self.speaker = speaker
        self.affiliation = affiliation
        self.since = since
        self.until = until
        self.words = words
        self.limit = limit
        self.newestFirst = newestFirst
    }
}

/// A question to the tension timeline.
public struct TensionQuery: Sendable, Equatable {
    /// One pair; when nil, every pair (or every pair containing `actor`).
    public var pair: ActorPair?
    public var actor: ActorCode?
    public var since: CalendarDate?
    public var until: CalendarDate?
    public var bucket: TimeBucket
    /// Only the N pairs with the most tension over the range, most tense first.
    public var top: Int?
    /// Half-life of the decayed index, in days.
    public var halfLife: Double
    /// Include the evidence links of each day (day buckets only).
    public var evidence: Bool

    public init(pair: ActorPair? = nil, actor: ActorCode? = nil, since: CalendarDate? = nil, until: CalendarDate? = nil,
                bucket: TimeBucket = .day, top: Int? = nil, halfLife: Double = 7, evidence: Bool = false) {
        self.pair = pair
        self.actor = actor
        self.since = since
        self.until = until
        self.bucket = bucket
        self.top = top
        self.halfLife = halfLife
        self.evidence = evidence
    }
}

/// Word-level matching shared by the in-memory fold and the SQLite queries.
public enum TextMatch {
    /// Lower-cased, accent-folded words: runs of letters and digits. Close to SQLite FTS5's
    /// `unicode61` tokenizer, so the LIKE fallback and the in-memory fold agree with it.
    public static func words(_ text: String) -> [String] {
        let folded = text.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
        var out: [String] = []
        var current = String.UnicodeScalarView()
        for s in folded.unicodeScalars {
            if s.properties.isAlphabetic || s.properties.numericType != nil {
                current.append(s)
            } else if !current.isEmpty {
                out.append(String(current))
                current = String.UnicodeScalarView()
            }
        }
        if !current.isEmpty { out.append(String(current)) }
        return out
    }

    /// True when SQLite's `unicode61` tokenizer keeps `word` (one of `words(_:)`) as a single
    /// token: every character is a letter or a number (its default token categories `L* N*`).
    /// Other words, such as those with combining marks, may split into several tokens.
    public static func isSingleIndexToken(_ word: String) -> Bool {
        !word.isEmpty && word.unicodeScalars.allSatisfy { scalar in
            switch scalar.properties.generalCategory {
            case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
                 .decimalNumber, .letterNumber, .otherNumber:
                true
            default:
                false
            }
        }
    }

    /// True when every word of the query occurs as a word of the text.
    public static func containsAllWords(_ query: [String], in text: String) -> Bool {
        guard !query.isEmpty else { return true }
        let have = Set(words(text))
        return query.allSatisfy { have.contains($0) }
    }

    /// True when `query`'s words occur consecutively in `candidate`'s words ("Lavrov" in
    /// "Sergey Lavrov"; "foreign minister" in "Russia’s Foreign Minister").
    public static func containsPhrase(_ query: [String], in candidate: [String]) -> Bool {
        guard !query.isEmpty, query.count <= candidate.count else { return false }
        for i in 0...(candidate.count - query.count) where Array(candidate[i..<(i + query.count)]) == query {
            return true
        }
        return false
    }
}

/// A speaker as the statement timeline indexes it: one per entity (or per name when the
/// extractor gave no entity), with the names it has been reported under.
public struct SpeakerKey: Hashable, Sendable {
    /// `person:sergey-lavrov`, or `name:<lower-cased name>` without an entity.
    public var id: String

    /// The key of a statement's speaker, or nil when it has neither entity nor name.
    public init?(entity: String?, name: String?) {
        if let e = entity, !e.isEmpty { id = e } else if let n = name, !n.isEmpty { id = "name:" + n.lowercased() } else { return nil }
    }

    /// The names under which a statement lets its speaker be found: the resolved name, the
    /// entity id, and the mention as written when it is a name or title rather than a pronoun.
    /// `nameLike` decides whether a mention is a name (`isNameLike`, or a memo of it).
    public static func aliases(of row: StatementRow, nameLike: (String) -> Bool = isNameLike) -> [String] {
        var out: [String] = []
        if let n = row.speaker, !n.isEmpty { out.append(n) }
        if let e = row.entity, !e.isEmpty { out.append(e) }
        if let s = row.surface, !out.contains(s), nameLike(s) { out.append(s) }
        return out
    }

    /// How well a query names a speaker with these aliases.
    public enum Match: Int, Comparable, Sendable {
        case none, words, exact
        public static func < (a: Match, b: Match) -> Bool { a.rawValue < b.rawValue }
    }

    /// `.exact` when the query is one of the aliases (or the entity id), ignoring case, accents
    /// and transliteration variants (`NameFolding`: "Zelensky" is "Zelenskyy"); `.words` when
    /// its words occur consecutively in one, the words as typed so far ("Lavrov" or "Lav" in
    /// "Sergey Lavrov", "Zelen" in "Volodymyr Zelenskyy").
    public static func match(query: String, aliases: [String]) -> Match {
        let qw = NameFolding.words(query)
        guard !qw.isEmpty else { return .none }
        var best = Match.none
        for alias in aliases {
            if alias.caseInsensitiveCompare(query.trimmingCharacters(in: .whitespaces)) == .orderedSame { return .exact }
            let aw = NameFolding.words(alias)
            if aw == qw { return .exact }
            if NameFolding.matches(query: qw, name: aw) { best = .words }
        }
        return best
    }

    /// The speakers a query names: those it names exactly when there are any ("Russia" is the
    /// state, not also "Russia’s Foreign Minister"), otherwise those whose aliases hold its words.
    public static func select<S: Sequence>(query: String, among speakers: S) -> Set<SpeakerKey>
    where S.Element == (key: SpeakerKey, value: [String]) {
        var exact = Set<SpeakerKey>(), words = Set<SpeakerKey>()
        for (key, aliases) in speakers {
            switch match(query: query, aliases: aliases) {
            case .exact: exact.insert(key)
            case .words: words.insert(key)
            case .none: break
            }
        }
        return exact.isEmpty ? words : exact
    }

    private static let pronouns: Set<String> = [
        "he", "she", "they", "it", "we", "i", "you", "him", "her", "them", "us", "his", "their", "who", "which",
        "this", "that", "one", "someone", "officials", "sources",
    ]

    /// A mention with a capital letter that is not a bare pronoun.
    public static func isNameLike(_ surface: String) -> Bool {
        guard surface.unicodeScalars.contains(where: { $0.properties.isUppercase }) else { return false }
        let w = TextMatch.words(surface)
        return !(w.count == 1 && pronouns.contains(w[0]))
    }
}
