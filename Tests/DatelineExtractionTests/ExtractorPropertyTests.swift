import DatelineCore
import Testing
@testable import DatelineExtraction

/// Whatever the input, extraction ends and every offset it reports lies inside the text, in order.
@Suite("Extractor properties")
struct ExtractorPropertyTests {
    static let pieces: [String] = [
        "“", "”", "\"", "''", "‘", "’", "«", "»", "``", ",", ".", ":", ";", " ", " ", " ", "\n", "\n\n", "\r", "\r\n", "\0",
        "said", "he said", "told reporters", "according to", "Lavrov", "Russia’s Foreign Minister", "the minister",
        "instructed journalists", "denied", "but has argued that", "Sergey Lavrov", "she", "e\u{301}", "\u{0627}\u{0644}\u{0639}\u{0631}\u{0628}\u{064A}\u{0629}",
        "\u{202E}", "👩‍👩‍👧", "🇺🇦", "Mr.", "U.S.", "(", ")", "—", "-", "A:", "Asked", "whether", "that", "Moscow", "NATO",
        "\u{FEFF}", "\u{00A0}", "\u{2028}", "Ünïcödé", "x", "Y", "7", "'", "’s",
    ]

    func check(_ text: String, file: String = #fileID, line: Int = #line) {
        let article = Article(id: "p", date: CalendarDate(year: 2022, month: 2, day: 1)!, text: text)
        let count = text.unicodeScalars.count
        let extraction = Extractor().extract(article)
        var previousStart = -1
        for (index, s) in extraction.statements.enumerated() {
            #expect(0 <= s.start && s.start <= s.end && s.end <= count)
            #expect(s.start >= previousStart, "statements are in text order")
            previousStart = s.start
            if let fragments = s.fragments {
                var last = s.start
                for f in fragments {
                    #expect(f.count == 2)
                    #expect(f[0] >= last && f[0] <= f[1] && f[1] <= s.end)
                    last = f[1]
                }
            }
            if let a = s.speaker.start, let b = s.speaker.end { #expect(0 <= a && a <= b && b <= count) }
            if let cue = s.cue { #expect(0 <= cue.start && cue.start <= cue.end && cue.end <= count) }
            if let c = s.continues { #expect(c >= 0 && c < index) }
        }
        for t in extraction.tensions {
            #expect(0 <= t.start && t.start <= t.end && t.end <= count)
        }
    }

    func random(_ g: inout SeededRandom, pieces n: Int) -> String {
        var out = ""
        for _ in 0..<n { out += g.pick(Self.pieces) }
        return out
    }

    @Test("random mixtures of quotes, cues, names and odd Unicode")
    func randomInputs() {
        var g = SeededRandom(state: 42)
        for _ in 0..<400 {
            check(random(&g, pieces: g.int(300)))
        }
    }

    @Test("random scalars, including NUL, lone surrogates' neighbours and private use")
    func randomScalars() {
        var g = SeededRandom(state: 7)
        for _ in 0..<100 {
            var view = String.UnicodeScalarView()
            for _ in 0..<g.int(500) {
                let v = UInt32(g.next() % 0x3_0000)
                if let s = Unicode.Scalar(v) { view.append(s) }
            }
            check(String(view))
        }
    }

    @Test("edge cases: empty, white space only, lone marks, CR-only line ends")
    func edges() {
        for text in ["", " ", "\n\n\n", "“", "”", "\"", "''", "“”", "\"\"", "said", "according to", ":", "A:",
                     "“Yes,” he said.\r“No,” she said.\r", "\0\0\0", "e\u{301}\u{301}\u{301}", "“\n\n”", ".“.”.",
                     "Lavrov said", "“x,” said", "said “", "Mr. ", "U.S.", "\u{202E}“مرحبا,” قال.\u{202C}"] {
            check(text)
        }
    }

    @Test("a 2 MB article of quotations and attributions")
    func huge() {
        var g = SeededRandom(state: 99)
        var text = ""
        let sentences = [
            "“We will not back down,” Lavrov said. ", "“The talks failed.” ", "Russia has denied it is planning an invasion. ",
            "According to officials, prices rose. ", "The minister said that the plan was “a disaster” for all. ",
            "He added: “No comment.” ", "\n\n", "“An open quotation runs on ", "Asked whether it mattered, she said no. ",
        ]
        while text.utf8.count < 2_000_000 {
            text += g.pick(sentences)
            if g.next() % 50 == 0 { text += random(&g, pieces: 20) }
        }
        check(text)
    }
}
