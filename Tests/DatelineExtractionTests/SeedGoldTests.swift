import DatelineCore
import Foundation
import Testing
@testable import DatelineExtraction

/// The project's example article against its hand-checked gold (../shared, beside the package).
@Suite("Seed gold")
struct SeedGoldTests {
    static let shared: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("shared")
    static let article = shared.appendingPathComponent("corpus/seed-000.txt")
    static let gold = shared.appendingPathComponent("gold/seed-000.json")
    static let present = FileManager.default.fileExists(atPath: article.path) && FileManager.default.fileExists(atPath: gold.path)

    /// Trimmed as the scorer trims: white space, quotation marks and , . ; :
    static func trimmed(_ scalars: [Unicode.Scalar], _ start: Int, _ end: Int) -> Set<Int> {
        let trim: Set<Unicode.Scalar> = [" ", "\t", "\r", "\n", "\u{A0}", "\"", "'", "“", "”", "‘", "’", "`", ",", ".", ";", ":"]
        var s = max(0, start), e = min(scalars.count, end)
        while s < e, trim.contains(scalars[s]) { s += 1 }
        while e > s, trim.contains(scalars[e - 1]) { e -= 1 }
        return Set(s..<max(s, e))
    }

    static func words(_ s: String?) -> Set<String> {
        Set((s ?? "").lowercased().split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map(String.init).filter { $0.count >= 3 })
    }

    @Test("every gold statement is found with its kind and speaker, and nothing else",
          .enabled(if: present, "../shared/corpus/seed-000.txt or ../shared/gold/seed-000.json is absent"))
    func seed() throws {
        let text = try String(contentsOf: Self.article, encoding: .utf8)
        let article = try ArticleReader.parsePlainText(text, name: "seed-000.txt")
        let found = Extractor().extract(article).statements
        let gold = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: Self.gold)) as? [String: Any])
        let statements = try #require(gold["statements"] as? [[String: Any]])
        let scalars = Array(text.unicodeScalars)
        var used = Set<Int>()
        for g in statements {
            let span = try #require(g["content_span"] as? [Int])
            let gs = Self.trimmed(scalars, span[0], span[1])
            let speaker = try #require(g["speaker"] as? [String: Any])
            let name = speaker["name"] as? String
            let hit = found.indices.first { j in
                let p = found[j]
                guard !used.contains(j), p.kind.rawValue == g["kind"] as? String else { return false }
                let ps = Self.trimmed(scalars, p.start, p.end)
                let inter = gs.intersection(ps).count
                guard !ps.isEmpty, Double(inter) >= 0.8 * Double(gs.count), Double(inter) >= 0.8 * Double(ps.count) else { return false }
                return !Self.words(p.speaker.name).intersection(Self.words(name)).isEmpty
            }
            #expect(hit != nil, "missing \(g["id"] ?? "?"): \(g["content"] ?? "")")
            if let hit { used.insert(hit) }
        }
        #expect(found.count == used.count, "statements beyond the gold: \(found.count - used.count)")
        // The continuation (S03) links to S02 and inherits the speaker with no cue.
        if let s03 = found.first(where: { $0.start == 577 }) {
            #expect(s03.cue == nil)
            #expect(s03.continues != nil)
            #expect(s03.speaker.entity == "person:sergey-lavrov")
        }
        // The denial keeps its polarity; the title mention resolves to the person.
        #expect(found.contains { $0.polarity == .deny && $0.speaker.surface == "Russia" })
        #expect(found.contains { $0.speaker.surface == "Russia’s Foreign Minister" && $0.speaker.entity == "person:sergey-lavrov" })
    }
}
