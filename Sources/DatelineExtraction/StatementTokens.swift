import DatelineCore

/// A word, number, punctuation mark or quotation mark of an article, with its scalar span.
struct StatementToken: Sendable {
    enum Kind: UInt8, Sendable {
        case word, punct
        /// “ « ``: opens a quotation.
        case openQuote
        /// ” »: closes one.
        case closeQuote
        /// " or '': opens or closes, by position.
        case eitherQuote
    }

    enum QuoteStyle: UInt8, Sendable { case none, curly, straight, apostrophes, guillemet }

    var start: Int
    var end: Int
    var kind: Kind
    var style: QuoteStyle = .none
    /// Lower-cased text of a word; the mark itself for punctuation.
    var key: String
    /// The word starts with an upper-case letter.
    var capitalized: Bool
    var paragraph: Int = 0
    var sentence: Int = 0
    /// The quotation (index into the scanner's list) whose content holds this token, or -1.
    var quote: Int = -1
    /// Closed classes of the word (pronoun, determiner, title word …).
    var classes: WordClass = []

    func has(_ c: WordClass) -> Bool { !classes.isDisjoint(with: c) }

    var isWord: Bool { kind == .word }
    var isQuoteMark: Bool { kind == .openQuote || kind == .closeQuote || kind == .eitherQuote }
}

/// Splits an article's scalars into tokens once; every later step walks these.
enum StatementTokenizer {
    /// Words that keep a trailing full stop ("Mr.", "U.S.").
    static let abbreviations: Set<String> = [
        "mr", "mrs", "ms", "dr", "prof", "gen", "lt", "col", "sgt", "capt", "gov", "sen", "rep", "st",
        "jr", "sr", "rev", "adm", "maj", "cmdr", "gens", "sens", "reps", "messrs", "pres", "supt", "fr",
    ]

    static let asciiStrings: [String] = (0..<128).map { String(Character(Unicode.Scalar(UInt8($0)))) }

    static func isLetterOrDigit(_ s: Unicode.Scalar) -> Bool {
        if s.value < 128 {
            let v = s.value
            return (v >= 48 && v <= 57) || (v >= 65 && v <= 90) || (v >= 97 && v <= 122)
        }
        let p = s.properties
        return p.isAlphabetic || p.numericType != nil
    }

    static func isMark(_ s: Unicode.Scalar) -> Bool {
        s.value >= 0x300 && (s.properties.generalCategory == .nonspacingMark
            || s.properties.generalCategory == .spacingMark || s.properties.generalCategory == .enclosingMark)
    }

    static func isUpper(_ s: Unicode.Scalar) -> Bool {
        if s.value < 128 { return s.value >= 65 && s.value <= 90 }
        return s.properties.isUppercase
    }

    static func tokenize(_ text: ArticleText) -> [StatementToken] {
        let sc = text.scalars
        let n = sc.count
        var tokens: [StatementToken] = []
        tokens.reserveCapacity(n / 5)
        var i = 0
        var keyBytes: [UInt8] = []
        keyBytes.reserveCapacity(64)
        var paragraphIndex = 0
        var sentenceIndex = 0
        let paragraphs = text.paragraphs
        let sentences = text.sentences

        func place(_ t: inout StatementToken) {
            while paragraphIndex + 1 < paragraphs.count, paragraphs[paragraphIndex].end <= t.start { paragraphIndex += 1 }
            while sentenceIndex + 1 < sentences.count, sentences[sentenceIndex].end <= t.start { sentenceIndex += 1 }
            t.paragraph = paragraphIndex
            t.sentence = sentenceIndex
        }

        while i < n {
            let s = sc[i]
            if ArticleText.isSpace(s) || s == "\n" || s == "\r" || s.value < 32 { i += 1; continue }
            if isLetterOrDigit(s) {
                var j = i + 1
                while j < n {
                    let c = sc[j]
                    if isLetterOrDigit(c) || isMark(c) { j += 1; continue }
                    if (c == "'" || c == "’" || c == "-" || c == "." || c == "&" || c == "\u{2011}"), j + 1 < n, isLetterOrDigit(sc[j + 1]) {
                        // '' (two apostrophes) is a quotation mark, never part of a word.
                        if c == "'", j + 1 < n, sc[j + 1] == "'" { break }
                        j += 2
                        continue
                    }
                    break
                }
                // Most words are ASCII: lower-case them into bytes, which also serve the class look-up.
                let ascii = lowerASCIIKey(sc, i, j, into: &keyBytes)
                var key = ascii ? String(decoding: keyBytes, as: UTF8.self) : lowerKey(sc, i, j)
                // Keep the full stop of an abbreviation or of an initialism ("U.S.").
                // Also keep it before a comma ("Flint, Mich., said"): no sentence ends there.
                if j < n, sc[j] == ".", abbreviations.contains(key) || TextSearch.contains(key, ascii: 0x2E, or: ".") || (j - i == 1 && isUpper(s))
                    || (j + 1 < n && sc[j + 1] == ",") {
                    j += 1
                    key += "."
                    keyBytes.append(0x2E)
                }
                var t = StatementToken(start: i, end: j, kind: .word, key: key, capitalized: isUpper(s))
                if let c = ascii ? WordClass.words.value(ascii: keyBytes) : WordClass.words.value(for: key) { t.classes = c }
                place(&t)
                tokens.append(t)
                i = j
                continue
            }
            var t: StatementToken
            switch s {
            case "“", "„", "«":
                t = StatementToken(start: i, end: i + 1, kind: .openQuote, style: s == "«" ? .guillemet : .curly, key: "\"", capitalized: false)
            case "”", "»":
                t = StatementToken(start: i, end: i + 1, kind: .closeQuote, style: s == "»" ? .guillemet : .curly, key: "\"", capitalized: false)
            case "\"":
                t = StatementToken(start: i, end: i + 1, kind: .eitherQuote, style: .straight, key: "\"", capitalized: false)
            case "'" where i + 2 < n && sc[i + 1] == "'" && sc[i + 2] == "'":
                // Three marks close a nested 'quote' and the outer ''quote'': the single one comes first.
                t = StatementToken(start: i, end: i + 1, kind: .punct, key: "'", capitalized: false)
            case "'" where i + 1 < n && sc[i + 1] == "'":
                t = StatementToken(start: i, end: i + 2, kind: .eitherQuote, style: .apostrophes, key: "\"", capitalized: false)
            case "`" where i + 1 < n && sc[i + 1] == "`":
                t = StatementToken(start: i, end: i + 2, kind: .openQuote, style: .apostrophes, key: "\"", capitalized: false)
            default:
                let key = s.value < 128 ? StatementTokenizer.asciiStrings[Int(s.value)] : String(Character(s))
                t = StatementToken(start: i, end: i + 1, kind: .punct, key: key, capitalized: false)
            }
            place(&t)
            tokens.append(t)
            i = t.end
        }
        return tokens
    }

    /// `lowerKey` for a word of ASCII scalars (and curly apostrophes), written as bytes into
    /// `bytes`; false, with `bytes` unspecified, when the word has other scalars.
    static func lowerASCIIKey(_ sc: [Unicode.Scalar], _ start: Int, _ end: Int, into bytes: inout [UInt8]) -> Bool {
        bytes.removeAll(keepingCapacity: true)
        for k in start..<end {
            let v = sc[k].value
            if v < 128 {
                bytes.append(v >= 65 && v <= 90 ? UInt8(v + 32) : UInt8(v))
            } else if v == 0x2019 {
                bytes.append(39)
            } else {
                return false
            }
        }
        return true
    }

    /// The lower-cased text of scalars[start..<end], with curly apostrophes made straight.
    static func lowerKey(_ sc: [Unicode.Scalar], _ start: Int, _ end: Int) -> String {
        var ascii = true
        for k in start..<end where sc[k].value >= 128 && sc[k] != "’" { ascii = false; break }
        if ascii {
            return String(unsafeUninitializedCapacity: end - start) { buffer in
                var n = 0
                for k in start..<end {
                    let v = sc[k].value
                    buffer[n] = v == 0x2019 ? 39 : (v >= 65 && v <= 90 ? UInt8(v + 32) : UInt8(truncatingIfNeeded: v))
                    n += 1
                }
                return n
            }
        }
        var view = String.UnicodeScalarView()
        for k in start..<end { view.append(sc[k] == "’" ? "'" : sc[k]) }
        return String(view).lowercased()
    }
}
