import DatelineCore

/// What `TensionMath`'s daily fold reads of a mention: `TensionMention` itself, or the compact
/// form a rebuild keeps in memory while it loads.
protocol DailyFoldInput {
    associatedtype ArticleIdentity: Hashable
    associatedtype EventIdentity: Hashable
    var position: Position { get }
    /// The article the mention was found in.
    var article: ArticleIdentity { get }
    /// Mentions with the same identity on the same day count as one event.
    var dedupKey: EventIdentity { get }
    var isCodedEvent: Bool { get }
    var weight: Double { get }
    var goldstein: Double? { get }
    var quadClass: Int? { get }
    var level: Double? { get }
}

extension TensionMention: DailyFoldInput {}

/// The daily tension rows of a rebuild, gathered while its mentions are loaded into the shadow
/// tables, so the finishing step writes them without reading 300k+ mentions back through an
/// index. Each mention is kept in a compact form (about 60 bytes: the article and the event
/// identity interned as numbers), and a supersession removes its article's mentions here as it
/// deletes their rows.
struct LoadedDailyFold {
    /// Past this many mentions the fold gives up (the caller reads the mentions back instead),
    /// so a huge log cannot make a rebuild hold gigabytes.
    static let mentionLimit = 4_000_000

    struct Mention: DailyFoldInput {
        var position: Position
        var article: Int32
        /// The interned (source, target, CAMEO code); -1 for a level statement.
        var event: Int32
        var weight: Double
        var goldstein: Double?
        var quadClass: Int?
        var level: Double?

        var isCodedEvent: Bool { event >= 0 }
        /// The day and pair are the group's, so (article, event) is `TensionMention.dedupKey`.
        var dedupKey: Int64 { Int64(article) << 32 | Int64(UInt32(bitPattern: event)) }
    }

    private struct EventCode: Hashable {
        var source: String
        var target: String
        var cameo: String
    }

    private var groups: [PairDay: [Mention]] = [:]
    private var articleIDs: [StreamName: Int32] = [:]
    private var eventIDs: [EventCode: Int32] = [:]
    private var daysByArticle: [Int32: [PairDay]] = [:]
    /// Mentions held (superseded ones included until their article is superseded).
    private(set) var count = 0

    /// Records a loaded mention. False when the fold has grown past `mentionLimit`.
    mutating func add(_ m: TensionMention) -> Bool {
        guard count < Self.mentionLimit else { return false }
        let article = Self.number(m.stream, in: &articleIDs)
        var event: Int32 = -1
        if m.isCodedEvent {
            let key = m.dedupKey
            event = Self.number(EventCode(source: key.source, target: key.target, cameo: key.cameo), in: &eventIDs)
        }
        let day = PairDay(pair: m.pair, date: m.date)
        groups[day, default: []].append(Mention(position: m.position, article: article, event: event, weight: m.weight,
                                                goldstein: m.goldstein, quadClass: m.quadClass, level: m.level))
        daysByArticle[article, default: []].append(day)
        count += 1
        return true
    }

    /// The number `key` has in `numbers`, given the next one when it has none yet.
    private static func number<Key: Hashable>(_ key: Key, in numbers: inout [Key: Int32]) -> Int32 {
        if let known = numbers[key] { return known }
        let next = Int32(numbers.count)
        numbers[key] = next
        return next
    }

    /// Forgets every mention of `stream` (a newer extraction replaced them).
    mutating func supersede(_ stream: StreamName) {
        guard let article = articleIDs[stream], let days = daysByArticle.removeValue(forKey: article) else { return }
        for day in Set(days) {
            groups[day]?.removeAll { $0.article == article }
            if groups[day]?.isEmpty == true { groups[day] = nil }
        }
        count -= days.count
    }

    /// The daily rows, sorted by pair, then day.
    func rows() -> [DailyTension] {
        groups.keys.sorted().compactMap { TensionMath.fold(pair: $0.pair, date: $0.date, mentions: groups[$0]!) }
    }
}
