import Testing
@testable import DatelineExtraction

/// The speed-ups answer exactly as the code they replace.
@Suite("Fast paths")
struct FastPathTests {
    func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

    @Test("WordTable answers as its dictionary for every key and for words it lacks")
    func wordTableMatchesDictionary() {
        let table = WordClass.words
        for (key, value) in WordClass.table where key.utf8.allSatisfy({ $0 < 0x80 }) {
            #expect(table.value(ascii: bytes(key)) == value, "\(key)")
        }
        let vocabulary = ActorVocabulary.shared
        for (key, id) in vocabulary.ids where key.utf8.allSatisfy({ $0 < 0x80 }) {
            #expect(vocabulary.table.value(ascii: bytes(key)) == id, "\(key)")
        }
        for missing in ["", "zzqx", "saidx", "sai", "the the", "nato."] {
            #expect(table.value(ascii: bytes(missing)) == WordClass.table[missing], "\(missing)")
            #expect(vocabulary.table.value(ascii: bytes(missing)) == vocabulary.ids[missing], "\(missing)")
        }
        #expect(table.value(for: "ünïcödé") == nil)
    }

    @Test("A key equal to an ASCII word only by canonical equivalence is found by its ASCII bytes")
    func canonicalEquivalentKey() {
        // U+212A KELVIN SIGN is canonically equivalent to "K"; Swift's dictionary finds it for "K".
        let dictionary = ["\u{212A}m": 1, "said": 2]
        let table = WordTable(dictionary)
        #expect(dictionary["Km"] == 1)
        #expect(table.value(ascii: bytes("Km")) == 1)
        #expect(table.value(ascii: bytes("said")) == 2)
        #expect(table.value(ascii: bytes("km")) == nil)
    }

    @Test("Scalars are decoded as String.unicodeScalars does", arguments: [
        "", "plain", "Russia’s “demands”", "e\u{301}\u{0627}\u{0644}", "👩‍👩‍👧 🇺🇦 \u{FEFF}\u{00A0}\u{2028}", "\u{7F}\u{80}\u{7FF}\u{800}\u{FFFF}\u{10000}\u{10FFFF}",
    ])
    func decodeScalars(_ text: String) {
        #expect(ArticleText.decodeScalars(text) == Array(text.unicodeScalars))
    }

    @Test("Byte scans answer as Foundation's search")
    func textSearch() {
        for text in ["u.s", "us", "", "Sergey Lavrov", "Lavrov", "café au lait", "cafe\u{301}", "x.\u{301}y", ".\u{301}"] {
            #expect(TextSearch.contains(text, ascii: 0x2E, or: ".") == text.contains("."), "\(text)")
            #expect(TextSearch.contains(text, ascii: 0x20, or: " ") == text.contains(" "), "\(text)")
        }
    }

    @Test("Possessives are stripped with straight and typographic apostrophes")
    func stripPossessive() {
        #expect(SpeakerResolver.stripPossessive("Lavrov's") == "Lavrov")
        #expect(SpeakerResolver.stripPossessive("Lavrov’s") == "Lavrov")
        #expect(SpeakerResolver.stripPossessive("Jesus'") == "Jesus")
        #expect(SpeakerResolver.stripPossessive("Jesus’") == "Jesus")
        #expect(SpeakerResolver.stripPossessive("Lavrov") == "Lavrov")
        #expect(SpeakerResolver.stripPossessive("Zoë’s") == "Zoë")
    }
}
