/// How a statement is reported.
public enum StatementKind: String, Sendable, Codable, CaseIterable {
    /// Wholly inside quotation marks.
    case direct
    /// Paraphrased: "X said that …", "according to X, …".
    case indirect
    /// A paraphrase that contains a quoted phrase.
    case mixed
}

/// Whether the speaker asserts the content or denies it ("Russia has denied it is planning …").
public enum Polarity: String, Sendable, Codable {
    case assert
    case deny
}

/// A half-open range of Unicode scalar offsets into an article's text.
public struct TextSpan: Hashable, Sendable, Codable {
    public var start: Int
    public var end: Int
    public init(start: Int, end: Int) {
        self.start = start
        self.end = end
    }
    public var length: Int { end - start }
}

/// Who a statement is attributed to: the mention as written and what it resolves to.
public struct Speaker: Hashable, Sendable, Codable {
    /// The mention as written ("he", "Russia’s Foreign Minister", "Lavrov"); nil when the
    /// speaker is inherited from an earlier statement with no mention of its own.
    public var surface: String?
    public var start: Int?
    public var end: Int?
    /// The resolved name ("Sergey Lavrov", "Russia"), or the surface when unresolved.
    public var name: String?
    /// A stable id: `person:sergey-lavrov`, `actor:RUS`.
    public var entity: String?
    /// The actor the speaker speaks for (`RUS`, `NATO`).
    public var affiliation: ActorCode?
    public var role: String?

    public init(surface: String? = nil, start: Int? = nil, end: Int? = nil, name: String? = nil,
                entity: String? = nil, affiliation: ActorCode? = nil, role: String? = nil) {
        self.surface = surface
        self.start = start
        self.end = end
        self.name = name
        self.entity = entity
        self.affiliation = affiliation
        self.role = role
    }
}

/// The verb that introduces reported speech, as written and as its base meaning
/// ("instructed" in "instructed journalists" has the lemma `tell`).
public struct Cue: Hashable, Sendable, Codable {
    public var surface: String
    public var lemma: String
    public var start: Int
    public var end: Int
    public init(surface: String, lemma: String, start: Int, end: Int) {
        self.surface = surface
        self.lemma = lemma
        self.start = start
        self.end = end
    }
}

/// Reported speech found in an article. Field names are the `dateline extract` contract.
public struct Statement: Hashable, Sendable, Codable {
    public var kind: StatementKind
    public var content: String
    public var start: Int
    public var end: Int
    /// The pieces of a quote interrupted by its attribution (“A,” he said, “B.”), as
    /// `[start, end]` pairs; nil for a contiguous statement.
    public var fragments: [[Int]]?
    /// The index, in the same article's list, of the statement this one carries on.
    public var continues: Int?
    public var speaker: Speaker
    public var cue: Cue?
    public var date: CalendarDate
    public var polarity: Polarity

    public init(kind: StatementKind, content: String, start: Int, end: Int, fragments: [[Int]]? = nil,
                continues: Int? = nil, speaker: Speaker, cue: Cue?, date: CalendarDate, polarity: Polarity) {
        self.kind = kind
        self.content = content
        self.start = start
        self.end = end
        self.fragments = fragments
        self.continues = continues
        self.speaker = speaker
        self.cue = cue
        self.date = date
        self.polarity = polarity
    }
}

/// How sure the text is that a tension event happened; the weight scales its tension.
public enum Modality: String, Sendable, Codable {
    case asserted
    /// Feared or possible ("fears of a potential invasion").
    case feared
    case denied

    public var weight: Double {
        switch self {
        case .asserted: 1
        case .feared: 0.5
        case .denied: 0
        }
    }
}

/// A signal of conflict or cooperation between two actors, coded on the CAMEO / Goldstein
/// scale so results compare with GDELT and ICEWS. A plain statement of tension level
/// ("at their highest in years") has no code and carries `level` on an undirected pair.
public struct Tension: Hashable, Sendable, Codable {
    /// A readable event type: `DISAPPROVE`, `MOBILIZE`, `TENSION_STATEMENT`, …
    public var type: String
    /// CAMEO event code, as a string because leading zeros matter (`013`).
    public var cameo: String?
    /// Goldstein score, −10 … +10.
    public var goldstein: Double?
    /// 1 verbal cooperation, 2 material cooperation, 3 verbal conflict, 4 material conflict.
    public var quadClass: Int?
    public var source: ActorCode?
    public var target: ActorCode?
    public var pair: ActorPair
    public var directed: Bool
    public var modality: Modality
    public var weight: Double
    /// Reported tension level in 0 … 1, for level statements.
    public var level: Double?
    /// `NATO_ENLARGEMENT`, `BORDER_TROOPS`, `STRIKE_WEAPONS`, … where clear.
    public var issue: String?
    /// The evidence span.
    public var start: Int
    public var end: Int
    public var date: CalendarDate

    public init(type: String, cameo: String?, goldstein: Double?, quadClass: Int?, source: ActorCode?,
                target: ActorCode?, pair: ActorPair, directed: Bool, modality: Modality, weight: Double,
                level: Double? = nil, issue: String? = nil, start: Int, end: Int, date: CalendarDate) {
        self.type = type
        self.cameo = cameo
        self.goldstein = goldstein
        self.quadClass = quadClass
        self.source = source
        self.target = target
        self.pair = pair
        self.directed = directed
        self.modality = modality
        self.weight = weight
        self.level = level
        self.issue = issue
        self.start = start
        self.end = end
        self.date = date
    }

    enum CodingKeys: String, CodingKey {
        case type, cameo, goldstein, source, target, pair, directed, modality, weight, level, issue, start, end, date
        case quadClass = "quad_class"
    }
}

/// Everything extracted from one article.
public struct Extraction: Hashable, Sendable, Codable {
    public var statements: [Statement]
    public var tensions: [Tension]
    public init(statements: [Statement], tensions: [Tension]) {
        self.statements = statements
        self.tensions = tensions
    }
}

/// The ranges and codes a finding must respect before the timelines fold it. Checked where
/// findings enter: ingest (what the extractor produced) and the projections' decoding of the
/// log (which may hold events written before these checks). A finding outside them is refused,
/// never clamped: its meaning is unknown.
public enum FindingRules {
    /// Goldstein scores: −10 … +10.
    public static let goldstein: ClosedRange<Double> = -10...10
    /// Weights and reported tension levels: 0 … 1.
    public static let unit: ClosedRange<Double> = 0...1
    /// CAMEO QuadClass: 1 verbal cooperation … 4 material conflict.
    public static let quadClasses: ClosedRange<Int> = 1...4

    /// A CAMEO event code: two to four digits whose first two are a root code, 01 … 20.
    public static func isCAMEOCode(_ code: String) -> Bool {
        let u = Array(code.utf8)
        guard (2...4).contains(u.count), u.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return false }
        let root = Int(u[0] - 0x30) * 10 + Int(u[1] - 0x30)
        return (1...20).contains(root)
    }

    /// Why a tension's numbers or codes cannot be folded, or nil when they can.
    public static func tensionProblem(weight: Double, goldstein: Double?, quadClass: Int?, cameo: String?, level: Double?,
                                      start: Int, end: Int, index: Int) -> String? {
        guard weight.isFinite, unit.contains(weight) else { return "weight must be a number from 0 to 1" }
        if let goldstein, !(goldstein.isFinite && Self.goldstein.contains(goldstein)) {
            return "goldstein must be a number from -10 to 10"
        }
        if let quadClass, !quadClasses.contains(quadClass) { return "quad_class must be 1, 2, 3 or 4" }
        if let cameo, !isCAMEOCode(cameo) { return "cameo must be a CAMEO event code (2 to 4 digits, root 01 to 20)" }
        if let level, !(level.isFinite && unit.contains(level)) { return "level must be a number from 0 to 1" }
        return spanProblem(start: start, end: end, index: index)
    }

    /// Why a statement's offsets cannot be folded, or nil when they can.
    public static func statementProblem(start: Int, end: Int, index: Int) -> String? {
        spanProblem(start: start, end: end, index: index)
    }

    private static func spanProblem(start: Int, end: Int, index: Int) -> String? {
        guard start >= 0, end >= start else { return "start and end must satisfy 0 <= start <= end" }
        guard index >= 0 else { return "index must not be negative" }
        return nil
    }
}

extension Tension {
    /// Why this tension breaks `FindingRules`, or nil.
    public func problem(index: Int = 0) -> String? {
        FindingRules.tensionProblem(weight: weight, goldstein: goldstein, quadClass: quadClass, cameo: cameo, level: level,
                                    start: start, end: end, index: index)
    }
}

extension Statement {
    /// Why this statement breaks `FindingRules`, or nil.
    public func problem(index: Int = 0) -> String? {
        FindingRules.statementProblem(start: start, end: end, index: index)
    }
}
