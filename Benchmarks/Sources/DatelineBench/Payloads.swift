import DatelineCore
import Foundation

/// Realistic event payloads for benchmarks: JSON as the ingest pipeline writes it, with varied
/// English news prose (not random bytes, not repeated text).
struct PayloadFactory {
    private var state: UInt64

    init(seed: UInt64) { state = seed &* 0x9E37_79B9_7F4A_7C15 | 1 }

    private mutating func next(_ n: Int) -> Int {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return Int(state % UInt64(n))
    }

    private mutating func pick(_ items: [String]) -> String { items[next(items.count)] }

    static let subjects = ["Russia", "Ukraine", "the United States", "NATO", "the European Union", "Moscow", "Kyiv",
                           "Washington", "Beijing", "the Kremlin", "the foreign ministry", "the alliance", "Germany",
                           "France", "Britain", "Turkey", "Poland", "Belarus", "the OSCE", "the United Nations"]
    static let verbs = ["warned", "said", "insisted", "argued", "denied", "claimed", "told reporters", "added",
                        "stressed", "noted", "acknowledged", "rejected claims", "signalled", "repeated"]
    static let objects = ["security guarantees", "troop movements near the border", "the eastward enlargement of the alliance",
                          "new sanctions", "talks in Geneva", "the deployment of strike weapons", "a ceasefire",
                          "gas supplies to Europe", "military exercises", "humanitarian corridors", "the written responses",
                          "arms deliveries", "diplomatic efforts", "the Minsk agreements", "cyber attacks", "grain exports"]
    static let connectives = ["while", "although", "after", "as", "because", "even though", "before", "since"]
    static let qualifiers = ["on Thursday", "in a statement", "at a news conference", "late on Monday", "this week",
                             "according to officials", "in an interview", "during talks", "on state television", "again"]
    static let people: [(String, String, String, String)] = [
        ("Sergey Lavrov", "person:sergey-lavrov", "RUS", "Minister of Foreign Affairs"),
        ("Antony Blinken", "person:antony-blinken", "USA", "Secretary of State"),
        ("Jens Stoltenberg", "person:jens-stoltenberg", "NATO", "Secretary General"),
        ("Dmitry Peskov", "person:dmitry-peskov", "RUS", "Spokesperson"),
        ("Volodymyr Zelensky", "person:volodymyr-zelensky", "UKR", "President"),
        ("Olaf Scholz", "person:olaf-scholz", "DEU", "Chancellor"),
    ]

    mutating func sentence() -> String {
        var s = "\(pick(Self.subjects)) \(pick(Self.verbs)) \(pick(Self.qualifiers)) that \(pick(Self.objects))"
        if next(2) == 0 { s += " \(pick(Self.connectives)) \(pick(Self.subjects).lowercased()) \(pick(Self.verbs)) \(pick(Self.objects))" }
        s += " would \(["not change", "be discussed", "continue", "remain on the table", "be reviewed", "end"][next(6)])"
        if next(3) == 0 { s += ", \(next(900) + 100) officials said" }
        return s.prefix(1).uppercased() + s.dropFirst() + "."
    }

    mutating func text(bytes: Int) -> String {
        var t = ""
        while t.utf8.count < bytes { t += (t.isEmpty ? "" : " ") + sentence() }
        return t
    }

    private static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }()

    /// A `StatementRecorded` payload of about `bytes` bytes (≈400 for a typical statement).
    mutating func statement(index: Int, bytes: Int = 400) -> [UInt8] {
        let person = Self.people[next(Self.people.count)]
        let hash = ContentHash(ofArticleText: "article \(index / 8) \(next(1_000_000))")
        let start = next(3000)
        let kind: StatementKind = [.direct, .indirect, .mixed][next(3)]
        let date = CalendarDate(year: 2022, month: 1 + next(12), day: 1 + next(28))!
        let polarity: Polarity = next(10) == 0 ? .deny : .assert
        func encode(_ content: String) -> Data {
            let statement = Statement(
                kind: kind, content: content, start: start, end: start + content.unicodeScalars.count,
                speaker: Speaker(surface: person.0.split(separator: " ").last.map(String.init), start: start + 400, end: start + 406,
                                 name: person.0, entity: person.1, affiliation: try? ActorCode(person.2), role: person.3),
                cue: Cue(surface: "said", lemma: "say", start: start + 407, end: start + 411),
                date: date, polarity: polarity)
            return try! Self.encoder.encode(StatementRecorded(articleHash: hash, index: index % 40, extractorVersion: "dateline-extract/1", statement: statement))
        }
        let overhead = encode("").count
        var content = text(bytes: max(20, bytes - overhead))
        // Cut at a word boundary so the payload lands near the requested size.
        while content.utf8.count > max(20, bytes - overhead), let space = content.lastIndex(of: " ") {
            content = String(content[..<space])
        }
        return [UInt8](encode(content))
    }

    /// An `ArticleIngested` payload of about `bytes` bytes.
    mutating func article(index: Int, bytes: Int = 3000) -> [UInt8] {
        let text = " date 2022-01-27 " + self.text(bytes: max(100, bytes - 330))
        let article = Article(id: "bench-\(index).txt", date: CalendarDate(year: 2022, month: 1 + next(12), day: 1 + next(28))!,
                              title: sentence(), source: "Bench Wire", url: "https://example.org/news/\(index)", text: text)
        return [UInt8](try! Self.encoder.encode(ArticleIngested(article: article)))
    }
}
