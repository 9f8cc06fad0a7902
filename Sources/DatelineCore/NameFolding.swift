/// Folds a person's name the way people type it, so "Zelensky", "Zelenskyy", "Zelenskiy" and
/// "Zelenskij" (or "Sergei" and "Sergey", "Shoigu" and "Shoygu") compare equal: case and the
/// accents of Latin letters are dropped, and the common transliteration variants of Slavic names
/// are merged. Pure and without Foundation, so the protocol's live filter can use it too.
///
/// The rules, applied to each word after lower-casing and dropping accents: a leading "ye"
/// becomes "e" (Yevgeny, Evgeny); "j" and "y" become "i" (Zelenskij, Zelenskyy); a run of one
/// letter becomes one letter (Zelenskii, Zelenski). The result is only for comparing; it is never
/// shown.
public enum NameFolding {
    /// The folded words of `text`: runs of letters and digits, each folded.
    public static func words(_ text: String) -> [String] {
        var out: [String] = []
        var current: [Unicode.Scalar] = []
        func flush() {
            if !current.isEmpty { out.append(fold(word: current)) }
            current.removeAll(keepingCapacity: true)
        }
        for scalar in text.unicodeScalars {
            if scalar.properties.isAlphabetic || scalar.properties.numericType != nil {
                for lower in scalar.properties.lowercaseMapping.unicodeScalars {
                    if let base = baseLetter(lower) {
                        current.append(contentsOf: base.unicodeScalars)
                    } else if !lower.properties.isDiacritic {
                        current.append(lower)
                    }
                }
            } else if scalar.properties.generalCategory == .nonspacingMark {
                continue  // a combining accent: dropped, the word goes on
            } else {
                flush()
            }
        }
        flush()
        return out
    }

    /// The folded words joined by single spaces: "Volodymyr Zelenskyy" is "volodimir zelenski".
    public static func fold(_ text: String) -> String { words(text).joined(separator: " ") }

    /// Whether the words of `query` occur consecutively among the words of `name`, each query
    /// word equal to its name word or, when it has at least `minimumPrefix` letters, a prefix of
    /// it ("Zelen" for "Zelenskyy", "Vol Zel" for "Volodymyr Zelenskyy").
    public static func matches(query: [String], name: [String], minimumPrefix: Int = 3) -> Bool {
        guard !query.isEmpty, query.count <= name.count else { return false }
        func fits(_ q: String, _ n: String) -> Bool { q == n || (q.count >= minimumPrefix && n.hasPrefix(q)) }
        for start in 0...(name.count - query.count) {
            if query.indices.allSatisfy({ fits(query[$0], name[start + $0]) }) { return true }
        }
        return false
    }

    private static func fold(word: [Unicode.Scalar]) -> String {
        var letters = word
        if letters.count > 2, letters[0] == "y", letters[1] == "e" { letters.removeFirst() }
        var out = String.UnicodeScalarView()
        var previous: Unicode.Scalar?
        for var s in letters {
            if s == "j" || s == "y" { s = "i" }
            if s == previous, s.properties.isAlphabetic { continue }  // digits keep their runs
            out.append(s)
            previous = s
        }
        return String(out)
    }

    /// The unaccented Latin letters of an accented lower-case letter (Latin-1 and Latin
    /// Extended-A, which cover the names of Europe's languages), or nil when it has none.
    static func baseLetter(_ s: Unicode.Scalar) -> String? {
        let v = s.value
        guard v >= 0xDF, v <= 0x17F else { return nil }
        return latin[v]
    }

    private static let latin: [UInt32: String] = {
        var m: [UInt32: String] = [:]
        func put(_ letters: String, _ base: String) { for s in letters.unicodeScalars { m[s.value] = base } }
        put("àáâãäåāăą", "a"); put("æ", "ae"); put("çćĉċč", "c"); put("ďđ", "d"); put("èéêëēĕėęě", "e")
        put("ĝğġģ", "g"); put("ĥħ", "h"); put("ìíîïĩīĭįı", "i"); put("ĳ", "ij"); put("ĵ", "j"); put("ķĸ", "k")
        put("ĺļľŀł", "l"); put("ñńņňŉŋ", "n"); put("òóôõöøōŏő", "o"); put("œ", "oe"); put("ŕŗř", "r")
        put("śŝşš", "s"); put("ß", "ss"); put("ţťŧ", "t"); put("ùúûüũūŭůűų", "u"); put("ŵ", "w")
        put("ýÿŷ", "y"); put("źżž", "z"); put("ðþ", "th")
        return m
    }()
}
