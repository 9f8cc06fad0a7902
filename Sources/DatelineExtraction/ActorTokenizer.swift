import DatelineCore

/// A word or punctuation mark of an article, with Unicode scalar offsets into its text.
///
/// The actor gazetteer and the tension lexicon match phrases over these tokens by dictionary
/// look-ups, so an article is scanned once. Words are lower-cased into `key` with typographic
/// apostrophes folded to `'`; a possessive `'s` is a token of its own; a hyphen inside a word
/// splits it (`build-up` is `build` `up`, the second marked `hyphenated`); initialisms with
/// full stops (`U.S.`, `U.N.`) stay one token; every other non-space scalar is a one-scalar
/// punctuation token, and a line break is a punctuation token `\n` so no phrase crosses
/// paragraphs.
struct ActorToken: Sendable {
    var start: Int
    var end: Int
    /// Lower-cased word, or the punctuation scalar itself.
    var key: String
    var isWord: Bool
    /// The first letter is upper case (`Russia`, `NATO`, `U.S.`).
    var capitalized: Bool
    /// Every letter is upper case and there are at least two (`NATO`, `US`, `U.S.`).
    var allCaps: Bool
    /// Joined to the previous word by a hyphen (`up` in `build-up`).
    var hyphenated: Bool
    /// The word's number in the vocabulary, or -1 when no table knows it.
    var id: Int32 = -1
}

enum ActorTokenizer {
    /// One-scalar strings for ASCII punctuation, made once.
    static let asciiStrings: [String] = (0..<128).map { String(Unicode.Scalar(UInt8($0))) }

    static func isLetter(_ s: Unicode.Scalar) -> Bool {
        let v = s.value
        if v < 0x80 { return (v >= 65 && v <= 90) || (v >= 97 && v <= 122) }
        return s.properties.isAlphabetic
    }

    static func isASCIILetter(_ s: Unicode.Scalar) -> Bool {
        let v = s.value
        return (v >= 65 && v <= 90) || (v >= 97 && v <= 122)
    }

    static func isDigit(_ s: Unicode.Scalar) -> Bool {
        let v = s.value
        return v >= 48 && v <= 57
    }

    static func isApostrophe(_ s: Unicode.Scalar) -> Bool {
        s == "'" || s == "\u{2019}"
    }

    static func isSpace(_ s: Unicode.Scalar) -> Bool {
        s == " " || s == "\t" || s == "\r" || s == "\u{00A0}" || s == "\u{FEFF}" || s == "\u{2009}" || s == "\u{202F}"
    }

    /// Tokens with vocabulary ids (see `ActorVocabulary`); `vocabulary: nil` leaves ids at -1.
    static func tokenize(_ scalars: [Unicode.Scalar], vocabulary: WordTable<Int32>?) -> [ActorToken] {
        var tokens: [ActorToken] = []
        tokens.reserveCapacity(scalars.count / 5)
        let n = scalars.count
        var i = 0
        var keyBytes: [UInt8] = []
        keyBytes.reserveCapacity(32)
        var pendingHyphen = false
        while i < n {
            let s = scalars[i]
            if isSpace(s) { i += 1; pendingHyphen = false; continue }
            if isLetter(s) || isDigit(s) {
                let start = i
                // An initialism with full stops: letter '.' letter '.' ... ("U.S.", "U.N.").
                if isASCIILetter(s), i + 3 < n, scalars[i + 1] == ".", isASCIILetter(scalars[i + 2]), scalars[i + 3] == "." {
                    var j = i
                    while j + 1 < n, isASCIILetter(scalars[j]), scalars[j + 1] == ".",
                          j + 2 >= n || !isLetter(scalars[j + 2]) || (j + 3 < n && scalars[j + 3] == ".") {
                        j += 2
                    }
                    var upper = true
                    keyBytes.removeAll(keepingCapacity: true)
                    for k in i..<j {
                        let v = UInt8(truncatingIfNeeded: scalars[k].value)
                        if v >= 97 && v <= 122 { upper = false }
                        keyBytes.append(v >= 65 && v <= 90 ? v + 32 : v)
                    }
                    tokens.append(ActorToken(start: start, end: j, key: String(decoding: keyBytes, as: UTF8.self),
                                             isWord: true, capitalized: upper, allCaps: upper, hyphenated: pendingHyphen,
                                             id: vocabulary.map { $0.value(ascii: keyBytes) ?? -1 } ?? -1))
                    pendingHyphen = false
                    i = j
                    continue
                }
                var j = i
                var ascii = true
                var upperCount = 0
                var lowerCount = 0
                while j < n {
                    let c = scalars[j]
                    let v = c.value
                    if v < 0x80 {
                        if v >= 65 && v <= 90 { upperCount += 1; j += 1; continue }
                        if v >= 97 && v <= 122 { lowerCount += 1; j += 1; continue }
                        if v >= 48 && v <= 57 { j += 1; continue }
                    } else if isLetter(c) || isDigit(c) {
                        ascii = false
                        if c.properties.isUppercase { upperCount += 1 } else { lowerCount += 1 }
                        j += 1
                        continue
                    }
                    // An apostrophe inside a word ("don't", "it's"), but not a possessive 's.
                    if isApostrophe(c), j + 1 < n, isLetter(scalars[j + 1]) {
                        let possessive = (scalars[j + 1] == "s" || scalars[j + 1] == "S")
                            && (j + 2 >= n || !isLetter(scalars[j + 2]))
                        if possessive && !isContraction(scalars, start: i, end: j) { break }
                        j += 1
                        continue
                    }
                    break
                }
                let key: String
                var id: Int32 = -1
                if ascii {
                    keyBytes.removeAll(keepingCapacity: true)
                    var k = i
                    while k < j {
                        let v = UInt8(truncatingIfNeeded: scalars[k].value)
                        keyBytes.append(v >= 65 && v <= 90 ? v + 32 : v)
                        k += 1
                    }
                    key = String(decoding: keyBytes, as: UTF8.self)
                    if let vocabulary { id = vocabulary.value(ascii: keyBytes) ?? -1 }
                } else {
                    var view = String.UnicodeScalarView()
                    for k in i..<j { view.append(scalars[k] == "\u{2019}" ? "'" : scalars[k]) }
                    key = String(view).lowercased()
                    if let vocabulary { id = vocabulary.value(for: key) ?? -1 }
                }
                let first = scalars[i]
                tokens.append(ActorToken(start: start, end: j, key: key, isWord: true,
                                         capitalized: first.value < 0x80 ? (first.value >= 65 && first.value <= 90)
                                             : first.properties.isUppercase,
                                         allCaps: upperCount >= 2 && lowerCount == 0, hyphenated: pendingHyphen, id: id))
                pendingHyphen = false
                i = j
                // A hyphen between two words joins them.
                if i + 1 < n, scalars[i] == "-" || scalars[i] == "\u{2010}" || scalars[i] == "\u{2011}",
                   isLetter(scalars[i + 1]) || isDigit(scalars[i + 1]) {
                    pendingHyphen = true
                    i += 1
                }
                continue
            }
            if isApostrophe(s), i + 1 < n, scalars[i + 1] == "s" || scalars[i + 1] == "S",
               i + 2 >= n || !isLetter(scalars[i + 2]), i > 0, isLetter(scalars[i - 1]) || isDigit(scalars[i - 1]) {
                tokens.append(ActorToken(start: i, end: i + 2, key: "'s", isWord: true, capitalized: false,
                                         allCaps: false, hyphenated: false,
                                         id: vocabulary.map { $0.value(for: "'s") ?? -1 } ?? -1))
                i += 2
                pendingHyphen = false
                continue
            }
            tokens.append(ActorToken(start: i, end: i + 1, key: s.value < 128 ? asciiStrings[Int(s.value)] : String(s),
                                     isWord: false, capitalized: false,
                                     allCaps: false, hyphenated: false))
            pendingHyphen = false
            i += 1
        }
        return tokens
    }

    /// "it's", "that's", "he's", "what's", "there's", "let's": the 's is part of the word.
    private static func isContraction(_ scalars: [Unicode.Scalar], start: Int, end: Int) -> Bool {
        guard end - start <= 5 else { return false }
        var word = ""
        for k in start..<end { word.unicodeScalars.append(scalars[k]) }
        switch word.lowercased() {
        case "it", "that", "he", "she", "what", "there", "here", "let", "who", "where", "how": return true
        default: return false
        }
    }
}
