import DatelineCore
import Testing
@testable import DatelineExtraction

/// Every scan the extractors make per token or per trigger is bounded, so that text with no
/// full stop, no comma or long runs of one mark costs time linear in its length (no timing here:
/// the bounds themselves are checked, and the output of a long run-on text is that of a short one).
@Suite("Linear scans")
struct LinearScanTests {
    func article(_ text: String) -> Article {
        Article(date: CalendarDate(year: 2022, month: 3, day: 1)!, text: text)
    }

    func document(_ text: String) -> TensionDocument {
        TensionDocument(article: article(text), scalars: Array(text.unicodeScalars), statements: [],
                        lexicon: .shared, gazetteer: .shared)
    }

    @Test("A run-on sentence gives each trigger a window of bounded width, whatever its length")
    func runOnWindow() {
        let unit = "the navy of Freedonia shelled the harbour of Sylvania and "
        let doc = document(String(repeating: unit, count: 1500))
        #expect(doc.sentenceStart.count == 1, "one sentence with no full stop")
        let reach = TensionDocument.reach
        for i in stride(from: 0, to: doc.tokens.count, by: 97) {
            let (a, b) = doc.window(i, i + 1, sentence: 0)
            #expect(a <= i && b >= i + 1)
            #expect(b - a <= 2 * reach + 1)
            let (c, d) = doc.commaClause(i, sentence: 0)
            #expect(d - c <= 2 * reach + 1)
        }
        // A short sentence is its own window.
        let short = document("Ruritania condemned Freedonia. Then it rained.")
        #expect(short.window(1, 2, sentence: 0) == (0, short.sentenceEnd[0]))
    }

    @Test("A long run-on text yields the findings of a short one made of the same phrase")
    func runOnSameFindings() {
        let unit = "Russia attacked Ukraine and the United States condemned Russia and "
        func keys(_ n: Int) -> Set<String> {
            let e = Extractor().extract(article(String(repeating: unit, count: n)))
            return Set(e.tensions.map { "\($0.source?.rawValue ?? "")>\($0.target?.rawValue ?? "")|\($0.cameo ?? $0.type)" })
        }
        let short = keys(20)
        #expect(!short.isEmpty)
        #expect(keys(2000) == short)
    }

    @Test("Many unnamed wars in one article are resolved from one count of co-named states, alike")
    func manyUnnamedWars() {
        let unit = "Sudan and Chad met. The war went on. "
        func keys(_ n: Int) -> Set<String> {
            Set(Extractor().extract(article(String(repeating: unit, count: n))).tensions
                .map { "\($0.source?.rawValue ?? "")>\($0.target?.rawValue ?? "")|\($0.cameo ?? $0.type)" })
        }
        #expect(keys(3) == ["SDN>TCD|190"])
        #expect(keys(3000) == keys(3))
    }

    @Test("A terminator is found through at most three closing marks; a run of them ends no sentence")
    func closingRun() {
        func tokens(_ s: String) -> [ActorToken] {
            ActorTokenizer.tokenize(Array(s.unicodeScalars), vocabulary: ActorVocabulary.shared.table)
        }
        let quoted = tokens("It ended.\u{201D}) Then")
        let close = quoted.firstIndex { $0.key == ")" }!
        #expect(TensionDocument.terminator(endingAt: close, quoted).map { quoted[$0].key } == ".")
        #expect(TensionDocument.endsSentence(quoted, close))
        let run = tokens("It ended." + String(repeating: "\u{2019}", count: 5000) + " Then")
        let last = run.lastIndex { $0.key == "\u{2019}" }!
        #expect(TensionDocument.terminator(endingAt: last, run) == nil)
        #expect(!TensionDocument.endsSentence(run, last))
        #expect(TensionDocument.terminator(endingAt: 0, run) == nil, "a word is no terminator")
    }

    @Test("Paragraph starts are looked up, and equal the first token of each paragraph")
    func paragraphStarts() {
        let text = ArticleText("First block “here”.\n\nSecond block, said Bob.\n\n“Third” block.")
        let pass = StatementPass(text: text, lexicon: .shared)
        for i in pass.tokens.indices {
            let p = pass.tokens[i].paragraph
            let first = pass.tokens.firstIndex { $0.paragraph == p }!
            #expect(pass.paragraphStart(i) == first)
        }
        #expect(Set(pass.tokens.map(\.paragraph)).count == 3)
    }
}
