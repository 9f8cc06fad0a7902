import DatelineCore

/// An article's text as an array of Unicode scalars, with its paragraphs and sentences.
/// Every offset the extractors produce is an index into `scalars`, which is what the output
/// contract calls a Unicode scalar offset.
public struct ArticleText: Sendable {
    public let scalars: [Unicode.Scalar]
    /// Non-empty lines (a blank line or a single line break ends a paragraph), trimmed.
    public let paragraphs: [TextSpan]
    /// Sentences within paragraphs, trimmed of surrounding white space.
    public let sentences: [TextSpan]

    public init(_ text: String) {
        let scalars = ArticleText.decodeScalars(text)
        self.scalars = scalars
        var paragraphs: [TextSpan] = []
        var lineStart = 0
        for i in 0...scalars.count where i == scalars.count || scalars[i] == "\n" {
            if let span = ArticleText.trim(TextSpan(start: lineStart, end: i), in: scalars) {
                paragraphs.append(span)
            }
            lineStart = i + 1
        }
        self.paragraphs = paragraphs
        sentences = paragraphs.flatMap { ArticleText.splitSentences($0, in: scalars) }
    }

    /// The same as `Array(text.unicodeScalars)`, decoded straight from the string's UTF-8
    /// (always valid in a native string) into an array of the exact size.
    static func decodeScalars(_ text: String) -> [Unicode.Scalar] {
        var text = text
        return text.withUTF8 { utf8 in
            var count = 0
            for b in utf8 where b & 0xC0 != 0x80 { count += 1 }
            return [Unicode.Scalar](unsafeUninitializedCapacity: count) { buffer, initialized in
                var i = 0, k = 0
                let n = utf8.count
                while i < n, k < count {
                    let b0 = UInt32(utf8[i])
                    var v: UInt32
                    if b0 < 0x80 {
                        v = b0
                        i += 1
                    } else if b0 < 0xE0 {
                        v = (b0 & 0x1F) << 6 | UInt32(utf8[i + 1] & 0x3F)
                        i += 2
                    } else if b0 < 0xF0 {
                        v = (b0 & 0x0F) << 12 | UInt32(utf8[i + 1] & 0x3F) << 6 | UInt32(utf8[i + 2] & 0x3F)
                        i += 3
                    } else {
                        v = (b0 & 0x07) << 18 | UInt32(utf8[i + 1] & 0x3F) << 12 | UInt32(utf8[i + 2] & 0x3F) << 6
                            | UInt32(utf8[i + 3] & 0x3F)
                        i += 4
                    }
                    buffer[k] = Unicode.Scalar(v) ?? "\u{FFFD}"
                    k += 1
                }
                initialized = k
            }
        }
    }

    /// The text of a span (clamped to the text), built from UTF-8 in one pass.
    public func string(_ span: TextSpan) -> String {
        let start = max(0, min(span.start, scalars.count))
        let end = max(start, min(span.end, scalars.count))
        return String(unsafeUninitializedCapacity: (end - start) * 4) { buffer in
            var n = 0
            for k in start..<end {
                let v = scalars[k].value
                if v < 0x80 {
                    buffer[n] = UInt8(v); n += 1
                } else if v < 0x800 {
                    buffer[n] = UInt8(0xC0 | (v >> 6)); buffer[n + 1] = UInt8(0x80 | (v & 0x3F)); n += 2
                } else if v < 0x10000 {
                    buffer[n] = UInt8(0xE0 | (v >> 12)); buffer[n + 1] = UInt8(0x80 | ((v >> 6) & 0x3F))
                    buffer[n + 2] = UInt8(0x80 | (v & 0x3F)); n += 3
                } else {
                    buffer[n] = UInt8(0xF0 | (v >> 18)); buffer[n + 1] = UInt8(0x80 | ((v >> 12) & 0x3F))
                    buffer[n + 2] = UInt8(0x80 | ((v >> 6) & 0x3F)); buffer[n + 3] = UInt8(0x80 | (v & 0x3F)); n += 4
                }
            }
            return n
        }
    }

    static func isSpace(_ s: Unicode.Scalar) -> Bool {
        s == " " || s == "\t" || s == "\n" || s == "\r" || s == "\u{00A0}" || s == "\u{FEFF}"
    }

    static func trim(_ span: TextSpan, in scalars: [Unicode.Scalar]) -> TextSpan? {
        var s = span.start, e = span.end
        while s < e, isSpace(scalars[s]) { s += 1 }
        while e > s, isSpace(scalars[e - 1]) { e -= 1 }
        return s < e ? TextSpan(start: s, end: e) : nil
    }

    /// Words after which a full stop does not end a sentence.
    static let abbreviations: Set<String> = [
        "mr", "mrs", "ms", "dr", "prof", "gen", "lt", "col", "sgt", "capt", "gov", "sen", "rep", "st",
        "jr", "sr", "vs", "etc", "inc", "ltd", "co", "corp", "no", "jan", "feb", "mar", "apr", "jun",
        "jul", "aug", "sep", "sept", "oct", "nov", "dec", "u.s", "u.n", "u.k", "e.g", "i.e", "rev", "adm",
    ]

    /// The most scalars an abbreviation has.
    static let longestAbbreviation = abbreviations.map(\.unicodeScalars.count).max() ?? 0

    /// Whether the word before the full stop at `i` is an abbreviation or an initial, so the
    /// full stop does not end the sentence.
    static func endsAbbreviation(fullStop i: Int, paragraphStart: Int, in scalars: [Unicode.Scalar]) -> Bool {
        var w = i
        while w > paragraphStart, !isSpace(scalars[w - 1]), scalars[w - 1] != "(" { w -= 1 }
        // Lower-casing never shortens a word, so a longer word is neither (an initial is one letter).
        guard i - w <= longestAbbreviation else { return false }
        var word = String.UnicodeScalarView()
        word.append(contentsOf: scalars[w..<i])
        let lower = String(word).lowercased()
        return abbreviations.contains(lower) || (word.count == 1 && word.first!.properties.isUppercase)
    }

    static func splitSentences(_ paragraph: TextSpan, in scalars: [Unicode.Scalar]) -> [TextSpan] {
        var out: [TextSpan] = []
        var start = paragraph.start
        var i = paragraph.start
        while i < paragraph.end {
            let s = scalars[i]
            guard s == "." || s == "!" || s == "?" else { i += 1; continue }
            // Closing quotes and brackets belong to the sentence they end.
            var end = i + 1
            while end < paragraph.end, "\"”’')]".unicodeScalars.contains(scalars[end]) { end += 1 }
            guard end < paragraph.end, isSpace(scalars[end]) else { i = end; continue }
            var next = end
            while next < paragraph.end, isSpace(scalars[next]) { next += 1 }
            guard next < paragraph.end else { break }
            let n = scalars[next]
            let startsSentence = n.properties.isUppercase || "\"“‘'(".unicodeScalars.contains(n)
                || n.properties.numericType != nil
            if s == ".", startsSentence, endsAbbreviation(fullStop: i, paragraphStart: paragraph.start, in: scalars) {
                i = end
                continue
            }
            if startsSentence {
                if let span = trim(TextSpan(start: start, end: end), in: scalars) { out.append(span) }
                start = next
            }
            i = end
        }
        if let span = trim(TextSpan(start: start, end: paragraph.end), in: scalars) { out.append(span) }
        return out
    }
}
