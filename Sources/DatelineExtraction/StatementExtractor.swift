import DatelineCore
import Foundation

/// Finds reported speech (direct, indirect, mixed) and resolves its speakers.
///
/// The method, in order: tokenize the scalars once; pair quotation marks into quotations
/// (curly, straight, NYT '' marks; a quotation left open at a paragraph's end runs on into the
/// next paragraph's opening mark); attribute each quotation to an adjacent cue and speaker
/// ("…,” X said", "…,” said X", "X said: “…”"), joining interrupted quotations as fragments and
/// letting a quotation with no attribution of its own continue the previous speaker; then read
/// indirect speech around every remaining cue outside quotations ("X said (that) …",
/// "…, X said", "according to X, …", "X denied …"); finally resolve each speaker mention to a
/// person or actor (pronouns, surnames, titles, the people file on the article's date).
public struct StatementExtractor: Sendable {
    public static let shared = StatementExtractor()

    let lexicon: CueLexicon
    let people: PeopleDirectory

    public init() {
        lexicon = .shared
        people = .shared
    }

    public func extract(from article: Article) -> [Statement] {
        let text = ArticleText(article.text)
        return extract(from: text, date: article.date)
    }

    public func extract(from text: ArticleText, date: CalendarDate) -> [Statement] {
        var pass = StatementPass(text: text, lexicon: lexicon)
        pass.run()
        var resolver = SpeakerResolver(text: text, tokens: pass.tokens, date: date, people: people)
        return pass.statements(resolver: &resolver, date: date)
    }
}

/// A noun phrase naming a speaker: tokens first...last (inclusive).
struct SpeakerPhrase: Sendable, Equatable {
    var first: Int
    var last: Int
}

/// A found cue: its form and tokens first...last.
struct FoundCue: Sendable {
    var form: CueForm
    var first: Int
    var last: Int
}

/// Per token, the cue starting there, or nil. Few tokens start one, so the cues are kept in a
/// list and each token holds only an index into it.
struct CueMap {
    private var index: [Int32]
    private var cues: [FoundCue] = []

    init(tokenCount: Int) {
        index = Array(repeating: -1, count: tokenCount)
    }

    subscript(token: Int) -> FoundCue? {
        get {
            let k = index[token]
            return k < 0 ? nil : cues[Int(k)]
        }
        set {
            if let newValue {
                index[token] = Int32(cues.count)
                cues.append(newValue)
            } else {
                index[token] = -1
            }
        }
    }
}

/// A statement while it is being built.
struct DraftStatement: Sendable {
    var kind: StatementKind
    var fragments: [TextSpan]
    var speaker: SpeakerPhrase?
    var cue: FoundCue?
    /// The draft this one carries on (no cue of its own; the speaker is inherited).
    var continues: Int?
    /// Inherit the speaker mention of this draft (ellipsis, participle clauses).
    var speakerFrom: Int?
    var polarity: Polarity
    /// The sentence of the cue, for clause-level links.
    var sentence: Int
    var quotes: [Int] = []

    var start: Int { fragments.first!.start }
    var end: Int { fragments.last!.end }
}

/// One article's run of the rules.
struct StatementPass {
    let text: ArticleText
    let lexicon: CueLexicon
    var tokens: [StatementToken]
    var quotes: [QuoteSpan]
    var drafts: [DraftStatement] = []
    /// Tokens used as a cue or an attribution.
    var consumed: [Bool]
    /// Sentence → the drafts whose cue is in it.
    var draftsBySentence: [Int: [Int]] = [:]
    /// Quote index → draft index.
    var quoteOwner: [Int]
    /// Per token, the cue starting there (computed once).
    var cueAt: CueMap
    /// First token index of each sentence.
    var sentenceFirst: [Int]
    var sentenceLast: [Int]
    /// First token index of each paragraph (looked up per quotation, so never walked to).
    var paragraphFirst: [Int]

    init(text: ArticleText, lexicon: CueLexicon) {
        self.text = text
        self.lexicon = lexicon
        var tokens = StatementTokenizer.tokenize(text)
        quotes = QuoteScanner.scan(&tokens, text: text)
        self.tokens = tokens
        consumed = Array(repeating: false, count: tokens.count)
        quoteOwner = Array(repeating: -1, count: quotes.count)
        cueAt = CueMap(tokenCount: tokens.count)
        let sentenceCount = (tokens.last?.sentence ?? 0) + 1
        sentenceFirst = Array(repeating: -1, count: sentenceCount)
        sentenceLast = Array(repeating: -1, count: sentenceCount)
        paragraphFirst = Array(repeating: -1, count: (tokens.map(\.paragraph).max() ?? 0) + 1)
        // Worked out only for sentences with a capitalised cue word inside them, which are few.
        var headline: [Bool?] = Array(repeating: nil, count: sentenceCount)
        for (i, t) in tokens.enumerated() {
            if paragraphFirst[t.paragraph] < 0 { paragraphFirst[t.paragraph] = i }
            if sentenceFirst[t.sentence] < 0 { sentenceFirst[t.sentence] = i }
            sentenceLast[t.sentence] = i
            guard t.kind == .word, t.has(.cueStart), let forms = lexicon.byFirstWord[t.key] else { continue }
            // A capitalised cue word inside a sentence is part of a name ("the United States"),
            // except in a headline set in title case ("Mayor Says Levy Will Stay").
            if t.capitalized, sentenceFirst[t.sentence] != i {
                if headline[t.sentence] == nil { headline[t.sentence] = StatementPass.isHeadline(sentenceAround: i, tokens) }
                if headline[t.sentence] == false { continue }
            }
            for form in forms where matches(form, at: i, tokens) {
                cueAt[i] = FoundCue(form: form, first: i, last: i + form.words.count - 1)
                break
            }
        }
    }

    /// Whether the sentence holding token `i` is a headline in title case: four or more words,
    /// three or more of them long (four letters or more), and every long word capitalised. Such
    /// a line capitalises its verbs too ("Mayor Praises Council Plan"), so a capitalised cue
    /// there is a verb.
    static func isHeadline(sentenceAround i: Int, _ tokens: [StatementToken]) -> Bool {
        let sentence = tokens[i].sentence
        var first = i, last = i
        while first > 0, tokens[first - 1].sentence == sentence { first -= 1 }
        while last + 1 < tokens.count, tokens[last + 1].sentence == sentence { last += 1 }
        var words = 0, long = 0
        for k in first...last where tokens[k].kind == .word && tokens[k].quote < 0 {
            words += 1
            let key = tokens[k].key.unicodeScalars
            guard key.count >= 4, let c = key.first, !("0"..."9").contains(c) else { continue }
            long += 1
            if !tokens[k].capitalized { return false }
        }
        return words >= 4 && long >= 3
    }

    private func matches(_ form: CueForm, at i: Int, _ tokens: [StatementToken]) -> Bool {
        guard i + form.words.count <= tokens.count else { return false }
        for (k, w) in form.words.enumerated() where tokens[i + k].key != w { return false }
        return true
    }

    // MARK: token helpers

    func word(_ i: Int) -> String? {
        guard i >= 0, i < tokens.count, tokens[i].kind == .word else { return nil }
        return tokens[i].key
    }

    func has(_ i: Int, _ c: WordClass) -> Bool {
        i >= 0 && i < tokens.count && tokens[i].has(c)
    }

    func key(_ i: Int) -> String {
        guard i >= 0, i < tokens.count else { return "" }
        return tokens[i].key
    }

    func isSentenceEnd(_ i: Int) -> Bool {
        let k = key(i)
        return tokens[i].kind == .punct && (k == "." || k == "!" || k == "?")
    }

    func isDash(_ i: Int) -> Bool {
        let k = key(i)
        return tokens[i].kind == .punct && (k == "—" || k == "–" || k == "-")
    }

    // MARK: speaker phrases

    /// Skips, leftwards from `i`, what may sit between a subject and its verb.
    func skipAuxiliariesLeft(_ i: Int, lowerBound: Int) -> Int {
        var k = i
        while k >= lowerBound, tokens[k].kind == .word {
            let w = tokens[k].key
            if tokens[k].has(.auxiliaries) || (!tokens[k].capitalized && StatementWords.isAdverb(w)) {
                k -= 1
            } else if tokens[k].has(.weekdays) {
                k -= 1
                if k >= lowerBound, tokens[k].key == "on" { k -= 1 }
            } else {
                break
            }
        }
        return k
    }

    /// The noun phrase ending at token `i` (inclusive), not reaching before `lowerBound`.
    func phraseEnding(at i: Int, lowerBound: Int) -> SpeakerPhrase? {
        guard i >= lowerBound, i >= 0, tokens[i].kind == .word else { return nil }
        let t = tokens[i]
        if t.has(.subjectPronouns) { return SpeakerPhrase(first: i, last: i) }
        var first = -1
        var lowercase = 0
        var m = i
        while m >= lowerBound {
            let tok = tokens[m]
            // A paragraph or title boundary ends every phrase ("… near Kharkiv" / "Russia accused …").
            guard tok.kind == .word, tok.quote < 0 || tok.quote == t.quote, tok.paragraph == t.paragraph else { break }
            let w = tok.key
            if tok.has(.determiners) {
                if first >= 0 || m == i { first = m }
                // "a spokesperson for the fleet", "the head of the agency": the title goes on.
                if m - 2 >= lowerBound, tokens[m - 1].key == "of" || tokens[m - 1].key == "for",
                   tokens[m - 2].kind == .word, tokens[m - 2].paragraph == t.paragraph, tokens[m - 2].has(.titleWords),
                   !tokens[m - 2].has(.determiners), tokens[m - 2].key != "of", tokens[m - 2].key != "for" {
                    m -= 1
                    continue
                }
                break
            }
            if tok.capitalized {
                if tok.has([.capitalisedFunctionWords, .weekdays]) { break }
                first = m
            } else if (w == "of" || w == "for" || w == "at") && first >= 0 && m > lowerBound
                        && tokens[m - 1].kind == .word && (tokens[m - 1].capitalized || tokens[m - 1].has(.titleWords)) {
                // "Secretary of State", "spokesperson for the ministry": keep going.
            } else if tok.has([.stopWords, .subjectPronouns, .objectPronouns]) || StatementWords.isAdverb(w)
                        || w.first.map({ $0.isNumber }) == true || (cueAt[m].map { !$0.form.ambiguous } ?? false) {
                break
            } else {
                lowercase += 1
                if lowercase > 4 { break }
                first = m
            }
            m -= 1
        }
        guard first >= 0 else { return nil }
        // Trim connectors left dangling at the start.
        while first <= i, ["of", "for", "at"].contains(tokens[first].key) { first += 1 }
        guard first <= i else { return nil }
        return SpeakerPhrase(first: first, last: i)
    }

    /// The subject of a verb whose first token is `cue`: pronoun, name, title or appositive
    /// ("Trump, the nominee, said"). nil when the words before do not form one.
    func subject(beforeCue cue: Int, lowerBound: Int) -> SpeakerPhrase? {
        var k = skipAuxiliariesLeft(cue - 1, lowerBound: lowerBound)
        // "Smith went on to say", "Jones was quick to deny": the subject of the phrase before "to".
        if let c = controlPhraseStart(beforeCue: cue, lowerBound: lowerBound) { k = skipAuxiliariesLeft(c - 1, lowerBound: lowerBound) }
        // "Trump is stressing the need …": a verb in progress.
        if tokens[cue].key.hasSuffix("ing"), k >= lowerBound, tokens[k].kind == .word, StatementPass.progressiveForms.contains(tokens[k].key),
           isProgressiveCue(cue) {
            k = skipAuxiliariesLeft(k - 1, lowerBound: lowerBound)
        }
        // "Sen. Dana Reyes (D-Ohio), said": a comma after a parenthesis is the parenthesis's.
        if k > lowerBound, tokens[k].key == ",", tokens[k - 1].key == ")" { k -= 1 }
        if k >= lowerBound, tokens[k].key == ")" {
            var o = k - 1
            while o >= max(lowerBound, k - 8), tokens[o].key != "(" { o -= 1 }
            if o >= lowerBound, tokens[o].key == "(" { k = skipAuxiliariesLeft(o - 1, lowerBound: lowerBound) }
        }
        guard k >= lowerBound else { return nil }
        // "the Daily Courier, which argued that …": "which" after a comma speaks for the body
        // named before it (a name or an organisation's noun), which is the speaker.
        if tokens[k].key == "which", k - 2 >= lowerBound, tokens[k - 1].key == ",",
           let p = phraseEnding(at: k - 2, lowerBound: lowerBound), tokens[p.last].capitalized || tokens[p.last].has(.organisationWords) {
            return p
        }
        // "Kone -- an adviser to the mayor -- said": an aside between dashes.
        if isDash(k), k - 1 > lowerBound {
            var o = k - 1
            while o > lowerBound, isDash(o) { o -= 1 }
            let limit = max(lowerBound, o - 30)
            while o > limit, !isDash(o), !isSentenceEnd(o), tokens[o].quote < 0, !tokens[o].isQuoteMark { o -= 1 }
            if o > lowerBound, isDash(o) {
                while o > lowerBound, isDash(o - 1) { o -= 1 }
                // (A plural head counts too: "insiders in both states — Chad and Niger — said".)
                if var p = phraseEnding(at: o - 1, lowerBound: lowerBound), tokens[p.last].capitalized || tokens[p.last].has(.titleWords)
                    || (StatementPass.looksPlural(tokens[p.last].key) && p.first < p.last) {
                    // "insiders in both states — …": the head noun before a preposition leads the phrase.
                    if p.first - 2 >= lowerBound, StatementPass.subjectPrepositions.contains(tokens[p.first - 1].key),
                       let head = phraseEnding(at: p.first - 2, lowerBound: lowerBound) { p.first = head.first }
                    return SpeakerPhrase(first: p.first, last: k - 1)
                }
            }
            return nil
        }
        if let q = quantitySubject(endingAt: k, lowerBound: lowerBound) { return q }
        // "X, however, said", "X, for instance, claims": a discourse aside in commas.
        if tokens[k].key == ",", k - 1 > lowerBound {
            var c = k - 1
            while c > lowerBound, c > k - 4, tokens[c].kind == .word, StatementPass.asideWords.contains(tokens[c].key) { c -= 1 }
            if c < k - 1, tokens[c].key == "," { k = skipAuxiliariesLeft(c - 1, lowerBound: lowerBound) }
            guard k >= lowerBound else { return nil }
        }
        if tokens[k].key == "," {
            // Appositive or relative clause: "X, the minister, said" / "X, who …, said".
            var c = k - 1
            let limit = max(lowerBound, k - 40)
            while c >= limit {
                while c >= limit, tokens[c].key != ",", !isSentenceEnd(c), tokens[c].quote < 0, !tokens[c].isQuoteMark { c -= 1 }
                guard c >= limit, tokens[c].key == ",", c > lowerBound else { return nil }
                // The appositive must look like one (a determiner, a name, "who", a number), or
                // the phrase before it must open the sentence.
                let a = tokens[c + 1]
                let looksAppositive = a.kind == .word && (a.capitalized || a.has(.determiners)
                    || ["who", "whose", "which"].contains(a.key) || a.has(.titleWords) || a.key.first?.isNumber == true
                    || StatementPass.appositiveOpeners.contains(a.key))
                // "Rep. Dana Reyes (D-Ohio), chair of …, said": the party and state in
                // parentheses belong to the name before them.
                var nameEnd = c - 1
                if tokens[nameEnd].key == ")" {
                    var o = nameEnd - 1
                    while o > max(lowerBound, nameEnd - 8), tokens[o].key != "(" { o -= 1 }
                    if o > lowerBound, tokens[o].key == "(" { nameEnd = o - 1 }
                }
                if let p = phraseEnding(at: nameEnd, lowerBound: lowerBound) {
                    // (A function word before it opens the sentence only when capitalised: "In Ohio, …"
                    // but not "… well with Republicans, and …".)
                    let opens = p.first == lowerBound || (p.first > lowerBound && tokens[p.first - 1].kind == .word
                        && tokens[p.first - 1].capitalized && tokens[p.first - 1].has(.capitalisedFunctionWords))
                    // "an adviser to Ukraine's president, X, said": a title governed by a
                    // preposition, with a name in apposition, is inside the subject's appositive.
                    let governed = p.first > lowerBound + 1 && tokens[p.first - 1].kind == .word
                        && StatementPass.appositivePrepositions.contains(tokens[p.first - 1].key)
                        && !tokens[p.last].capitalized && isName(c + 1, k - 1)
                    if looksAppositive && nameEnd == p.last && (k - c) <= 16 && !governed {
                        // "Lithuania's foreign minister, Jonas Petraitis, said": a title whose
                        // appositive is a name speaks by that name; the phrase takes both.
                        if !tokens[p.last].capitalized, isName(c + 1, k - 1) { return SpeakerPhrase(first: p.first, last: k - 1) }
                        return p
                    }
                    if opens && !governed { return p }
                }
                c -= 1
            }
            return nil
        }
        return phraseEnding(at: k, lowerBound: lowerBound)
    }

    static let progressiveForms: Set<String> = ["is", "are", "was", "were", "am"]

    /// Verbs and adjectives whose subject also performs the infinitive after them: "went on to
    /// say", "was quick to deny", "continues to insist", "used to support".
    static let controlWords: Set<String> = ["continued", "continues", "continue", "continuing", "began", "begins", "begin", "started", "starts",
                                            "used", "tried", "tries", "moved", "moves", "rushed", "rush", "hastened", "proceeded", "quick", "careful",
                                            "pains", "likely", "working", "sought", "seeks", "seeking", "wasted"]

    /// Whether the -ing cue at `cue` after a form of "be" is a verb in progress ("Trump is
    /// stressing the need …"), not an adjective ("the metaphor is telling") or a phrasal verb
    /// ("is showing up", "is adding to his lead").
    func isProgressiveCue(_ cue: Int) -> Bool {
        guard let c = cueAt[cue] else { return false }
        let next = c.last + 1
        guard next < tokens.count, tokens[next].kind == .word || tokens[next].isQuoteMark else { return false }
        if tokens[next].kind == .word, StatementPass.progressiveStoppers.contains(tokens[next].key) { return false }
        return true
    }

    /// Words after an -ing cue that make it a phrasal verb or an adjective.
    static let progressiveStoppers: Set<String> = ["up", "down", "out", "off", "to", "and", "or", "in", "signs", "for", "as", "with", "back", "on"]

    /// The first token of a control phrase ending in "to" right before the cue at `cue`, e.g. the
    /// "went" of "went on to say".
    func controlPhraseStart(beforeCue cue: Int, lowerBound: Int) -> Int? {
        guard cue - 2 >= lowerBound, tokens[cue - 1].key == "to", tokens[cue - 2].kind == .word else { return nil }
        var c = cue - 2
        if tokens[c].key == "on", c - 1 >= lowerBound, ["went", "goes", "go", "going"].contains(tokens[c - 1].key) { return c - 1 }
        if tokens[c].key == "first", c - 1 >= lowerBound, tokens[c - 1].key == "the" { c -= 1; if c - 1 >= lowerBound, StatementPass.progressiveForms.contains(tokens[c - 1].key) { return c - 1 }; return nil }
        guard StatementPass.controlWords.contains(tokens[c].key) else { return nil }
        if ["quick", "careful", "likely"].contains(tokens[c].key) {
            var b = c - 1
            while b >= lowerBound, tokens[b].kind == .word, StatementWords.isAdverb(tokens[b].key) || tokens[b].key == "very" { b -= 1 }
            guard b >= lowerBound, StatementPass.progressiveForms.contains(tokens[b].key) || tokens[b].key == "been" || tokens[b].key == "be" else { return nil }
            return b
        }
        if tokens[c].key == "pains", c - 1 >= lowerBound, ["took", "taking", "takes", "take"].contains(tokens[c - 1].key) { return c - 1 }
        if tokens[c].key == "pains" { return nil }
        if tokens[c].key == "working", c - 1 >= lowerBound, StatementPass.progressiveForms.contains(tokens[c - 1].key) || tokens[c - 1].key == "been" { return c - 1 }
        if tokens[c].key == "working" { return nil }
        return c
    }

    /// Lower-case words that open an appositive after a name: "Abedin, longtime aide to …",
    /// "Editorial pages, including USA Today, warned".
    static let appositiveOpeners: Set<String> = ["including", "longtime", "former", "fellow", "veteran", "then", "now", "once", "himself", "herself", "itself", "themselves"]

    static let quantityWords: Set<String> = ["most", "many", "some", "few", "half", "others", "several", "both", "all", "majority", "plurality", "minority", "third", "quarter", "fifth", "another"]
    static let numberWords: Set<String> = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "a"]

    /// A subject that counts people: "Most said", "One in three said", "all but two said",
    /// "More than six in 10 said", "46 percent said" (a share of respondents or members).
    func quantitySubject(endingAt k: Int, lowerBound: Int) -> SpeakerPhrase? {
        guard k >= lowerBound, tokens[k].quote < 0 else { return nil }
        func startsWithDigit(_ i: Int) -> Bool {
            guard let b = tokens[i].key.utf8.first else { return false }
            return b >= 0x30 && b <= 0x39
        }
        // Most subjects are no count: the class bit (set by the tokenizer) or a digit decides at once.
        guard tokens[k].has(.quantityWords) || (tokens[k].kind == .word && startsWithDigit(k)) || (tokens[k].kind == .punct && tokens[k].key == "%") else { return nil }
        let w = tokens[k].key
        func isNumber(_ i: Int) -> Bool {
            i >= lowerBound && tokens[i].kind == .word && (startsWithDigit(i) || (tokens[i].has(.quantityWords) && StatementPass.numberWords.contains(tokens[i].key)))
        }
        var first: Int
        if StatementPass.quantityWords.contains(w) {
            first = k
        } else if w == "percent" || w == "%", isNumber(k - 1) {
            first = k - 1
        } else if isNumber(k), w != "a" {
            first = k
            // "one in three", "six in 10", "nine out of 10"
            if k - 2 >= lowerBound, tokens[k - 1].key == "in", isNumber(k - 2) { first = k - 2 }
            else if k - 3 >= lowerBound, tokens[k - 1].key == "of", tokens[k - 2].key == "out", isNumber(k - 3) { first = k - 3 }
            // "all but two"
            else if k - 2 >= lowerBound, tokens[k - 1].key == "but", tokens[k - 2].key == "all" { first = k - 2 }
            // A bare number speaks only as one of the above ("2014 said" is no subject).
            else { return nil }
        } else {
            return nil
        }
        // "More than", "nearly", "about", "a" before it.
        if first - 2 >= lowerBound, tokens[first - 1].key == "than", ["more", "fewer", "less"].contains(tokens[first - 2].key) { first -= 2 }
        else if first - 1 >= lowerBound, ["nearly", "almost", "about", "roughly", "over", "just", "a", "the"].contains(tokens[first - 1].key) { first -= 1 }
        // It must open its clause: the sentence's start, a comma, or a conjunction before it.
        guard first == lowerBound || first == 0 || isSentenceEnd(first - 1) || tokens[first - 1].paragraph != tokens[first].paragraph
                || tokens[first - 1].key == "," || tokens[first - 1].key == ";"
                || (tokens[first - 1].kind == .word && ["and", "but", "while", "whereas"].contains(tokens[first - 1].key)) else { return nil }
        return SpeakerPhrase(first: first, last: k)
    }

    /// Tokens `a...b` are a personal name: one to five capitalised words (initials and
    /// hyphens allowed), no title or function word.
    func isName(_ a: Int, _ b: Int) -> Bool {
        guard a <= b, b - a < 8 else { return false }
        var words = 0
        for m in a...b {
            let t = tokens[m]
            if t.kind == .word {
                guard t.capitalized, !t.has([.capitalisedFunctionWords, .weekdays, .titleWords, .determiners]) else { return false }
                words += 1
            } else if t.key != "." && t.key != "-" {
                return false
            }
        }
        return (1...5).contains(words) && tokens[a].kind == .word && tokens[b].kind == .word
    }

    /// The phrase starting at `i` ("said Lavrov", "said the minister, …").
    func phraseStarting(at i: Int, upperBound: Int) -> SpeakerPhrase? {
        guard i < upperBound, tokens[i].kind == .word else { return nil }
        let w = tokens[i].key
        if tokens[i].has(.subjectPronouns) && w != "it" && w != "who" { return SpeakerPhrase(first: i, last: i) }
        var m = i
        var last = -1
        var lowercase = 0
        if tokens[i].has(.determiners) { m += 1 }
        while m < upperBound {
            let tok = tokens[m]
            guard tok.kind == .word, tok.quote < 0, tok.paragraph == tokens[i].paragraph else { break }
            let k = tok.key
            if tok.capitalized {
                if tok.has([.capitalisedFunctionWords, .weekdays]) { break }
                last = m
            } else if (k == "of" || k == "for") && last >= 0 && m + 1 < upperBound && tokens[m + 1].kind == .word
                        && (tokens[m + 1].capitalized || tokens[m + 1].has(.determiners)) {
                // connector
            } else if tok.has(.determiners) && m > i && (tokens[m - 1].key == "of" || tokens[m - 1].key == "for") {
                // "spokesperson for the ministry"
            } else if tok.has([.stopWords, .objectPronouns]) || StatementWords.isAdverb(k) || (cueAt[m].map { !$0.form.ambiguous } ?? false) {
                break
            } else {
                lowercase += 1
                if lowercase > 4 { break }
                last = m
            }
            m += 1
        }
        guard last >= 0 else { return nil }
        return SpeakerPhrase(first: i, last: last)
    }

    // MARK: cues in context

    /// Whether the cue at `i` is used as a reporting verb here (not a noun, not passive, not
    /// "instructed to").
    func isVerbal(_ cue: FoundCue) -> Bool {
        let i = cue.first
        // "adding to her lead", "showed up", "reported from Kyiv", "charged with fraud", "found
        // itself": another verb that shares the cue's spelling.
        if cue.last + 1 < tokens.count, tokens[cue.last + 1].kind == .word,
           let others = StatementPass.nonSpeechParticles[cue.form.lemma], others.contains(tokens[cue.last + 1].key) { return false }
        // "responded to the invasion", "responded by issuing licences": an action, not a reply.
        if cue.form.lemma == "reply", cue.form.words[0].hasPrefix("respond"), cue.last + 1 < tokens.count,
           tokens[cue.last + 1].key == "to" || tokens[cue.last + 1].key == "by" { return false }
        // "The tax plans are …", "the claims were …": a noun-like form followed by a verb is the noun.
        // ("which Moscow claimed was …" is a verb: only noun forms, not past tenses.)
        if cue.form.ambiguous, !cue.form.words[0].hasSuffix("ed"), cue.last + 1 < tokens.count, tokens[cue.last + 1].kind == .word,
           tokens[cue.last + 1].has(.beForms) || ["have", "has", "had", "will", "would"].contains(tokens[cue.last + 1].key),
           !isRelativeAttribution(cue) { return false }
        let prev = i > 0 ? tokens[i - 1] : nil
        if let prev, prev.kind == .word {
            // "the said", "several reports": a noun after a determiner; but "most said", "one in three said" count people.
            if prev.has(.determiners) && prev.key != "that" && quantitySubject(endingAt: i - 1, lowerBound: max(0, i - 6)) == nil { return false }
            // "Reyes's warning came …": an -ing form after a possessive is a noun.
            if prev.key.hasSuffix("'s"), !StatementPass.nonPossessors.contains(prev.key), cue.form.words[0].hasSuffix("ing") { return false }
            if prev.key.hasSuffix("'s") && !StatementWords.subjectPronouns.contains(String(prev.key.dropLast(2))) && !cue.form.words[0].hasSuffix("s") {
                // "Trump's claims": a possessive before a noun-like form. "Russia's Foreign Minister said" is handled by the phrase.
                if cue.form.ambiguous { return false }
            }
            if prev.key == "to" && cue.form.frame != .according && controlPhraseStart(beforeCue: i, lowerBound: max(0, i - 6)) == nil { return false }
            if prev.has(.beForms) && !cue.form.words[0].hasSuffix("ing") { return false }
        }
        // "instructed to", "told to", "urged to", "asked to": an order or a request, not speech.
        if cue.form.frame == .addressee {
            var k = cue.last + 1
            var n = 0
            while k < tokens.count, n < 4, tokens[k].kind == .word, !isSentenceEnd(k) {
                if tokens[k].key == "to" { return !cue.form.spun }
                if tokens[k].key == "that" { break }
                k += 1
                n += 1
            }
        }
        return true
    }

    /// Skips an addressee ("reporters", "the Associated Press", "him", "journalists in Moscow")
    /// and time words after a cue; returns the first token of what follows.
    func skipAfterCue(_ cue: FoundCue, upperBound: Int) -> Int {
        var k = cue.last + 1
        if cue.form.frame == .addressee, k < upperBound, tokens[k].kind == .word, tokens[k].key != "that" {
            if tokens[k].has(.objectPronouns) || tokens[k].key == "reporters" || tokens[k].key == "journalists" {
                k += 1
            } else if let p = phraseStarting(at: k, upperBound: upperBound) {
                k = p.last + 1
            }
            // "… in Moscow", "… at a rally"
            if k + 1 < upperBound, ["in", "at"].contains(tokens[k].key), tokens[k + 1].capitalized {
                k += 2
                while k < upperBound, tokens[k].capitalized, tokens[k].kind == .word { k += 1 }
            }
        }
        return skipTimeWords(k, upperBound: upperBound)
    }

    func skipTimeWords(_ start: Int, upperBound: Int) -> Int {
        var k = start
        while k < upperBound, tokens[k].kind == .word {
            let w = tokens[k].key
            // "warning darkly that …", "said flatly: …": a manner adverb before the content.
            if StatementWords.isAdverb(w), !tokens[k].capitalized, k + 1 < upperBound, tokens[k + 1].key == "that" || tokens[k + 1].isQuoteMark || tokens[k + 1].key == ":" {
                k += 1
                continue
            }
            if tokens[k].has(.weekdays) || ["yesterday", "today", "tonight", "earlier", "later", "again", "also",
                                                       "recently", "previously", "repeatedly", "publicly", "privately"].contains(w) {
                k += 1
            } else if w == "on", k + 1 < upperBound, tokens[k + 1].has(.weekdays) {
                k += 2
            } else if ["night", "morning", "afternoon", "evening"].contains(w), k > start {
                k += 1
            } else if (w == "last" || w == "this" || w == "next"), k + 1 < upperBound, ["week", "month", "year", "weekend", "summer", "fall", "spring", "winter"].contains(tokens[k + 1].key) {
                k += 2
            } else if k + 2 < upperBound, tokens[k + 2].key == "ago" {
                k += 3
            } else if w == "at", k + 2 < upperBound, tokens[k + 1].key == "the", tokens[k + 2].key == "time" {
                k += 3
            } else if (w == "in" || w == "on" || w == "during" || w == "at"), k + 2 < upperBound, ["a", "an", "the", "his", "her", "their"].contains(tokens[k + 1].key),
                      ["statement", "interview", "email", "e-mail", "speech", "letter", "post", "tweet", "release", "conference", "call", "radio", "television", "rally", "briefing", "memo", "op-ed", "video", "debate", "telephone", "phone", "recent", "written", "news", "press", "brief", "town", "campaign"].contains(tokens[k + 2].key) {
                // "in a statement", "in an interview with CNN", "at a news conference in Ohio"
                k += 3
                while k < upperBound, tokens[k].kind == .word, !["that", "to"].contains(tokens[k].key),
                      tokens[k].capitalized || ["interview", "conference", "call", "release", "hall", "meeting", "statement", "with", "on", "in", "at", "the", "a", "briefing", "appearance", "posted", "issued"].contains(tokens[k].key) {
                    if tokens[k].key == "with" || tokens[k].key == "on" || tokens[k].key == "in" || tokens[k].key == "at" {
                        // Only when a name follows.
                        guard k + 1 < upperBound, tokens[k + 1].capitalized || tokens[k + 1].key == "the" else { break }
                    }
                    k += 1
                }
            } else if w == "on", k + 1 < upperBound, ["twitter", "facebook", "instagram", "television", "tv", "radio"].contains(tokens[k + 1].key) {
                k += 2
            } else if ["on", "to", "in", "at"].contains(w), k + 1 < upperBound, tokens[k + 1].capitalized, tokens[k + 1].kind == .word,
                      let that = (k + 2..<min(upperBound, k + 7)).first(where: { tokens[$0].key == "that" }),
                      (k + 1..<that).allSatisfy({ tokens[$0].kind == .word && (tokens[$0].capitalized || ["radio", "program", "show", "interview", "'s"].contains(tokens[$0].key)) }) {
                // "said on CNN that …", "told the paper in Kyiv that …": the channel or place before "that".
                k = that
            } else {
                break
            }
        }
        return k
    }

    func isSpeechCue(_ c: FoundCue) -> Bool { c.form.frame != .belief && c.form.frame != .object }

    // MARK: the passes

    mutating func run() {
        attributeQuotes()
        readLabelledParagraphs()
        readIndirectSpeech()
        readNominalCues()
        readViewpointPhrases()
        continueIndirectWithQuotes()
    }

    static let viewpointCue = CueForm(words: ["to"], lemma: "say", frame: .according, polarity: .assert, ambiguous: false, spun: false, speechOnly: false)
    /// Nouns of "In X's view, …".
    static let viewpointNouns: Set<String> = ["view", "words", "opinion", "estimation"]

    /// "To Reyes, the levy is …", "In Kone's view, …", "In her words, “…”": a viewpoint phrase
    /// that opens a sentence with no statement of its own attributes the rest of it, as
    /// "according to" does. Only names and possessives own one ("To the council, …" is a dative).
    mutating func readViewpointPhrases() {
        for s in sentenceFirst.indices where draftsBySentence[s] == nil {
            let f = sentenceFirst[s], l = sentenceLast[s]
            guard f >= 0, l > f + 4, tokens[f].kind == .word, tokens[f].quote < 0, !consumed[f] else { continue }
            var speaker: SpeakerPhrase? = nil
            var comma = -1
            if tokens[f].key == "to" {
                var m = f + 1
                while m <= min(l, f + 5), tokens[m].kind == .word, tokens[m].capitalized { m += 1 }
                if m > f + 1, m <= l, tokens[m].key == ",", isName(f + 1, m - 1) {
                    speaker = SpeakerPhrase(first: f + 1, last: m - 1)
                    comma = m
                }
            } else if tokens[f].key == "in" {
                var m = f + 1
                while m <= min(l - 1, f + 5), !StatementPass.viewpointNouns.contains(tokens[m].key) { m += 1 }
                if m <= min(l - 1, f + 5), m > f + 1, tokens[m + 1].key == ",", tokens[m - 1].quote < 0 {
                    let owner = tokens[m - 1].key
                    if m - 1 == f + 1, ["his", "her", "their"].contains(owner) {
                        speaker = SpeakerPhrase(first: m - 1, last: m - 1)
                    } else if owner.hasSuffix("'s") || owner.hasSuffix("s'"), tokens[m - 1].capitalized, isName(f + 1, m - 1) {
                        speaker = SpeakerPhrase(first: f + 1, last: m - 1)
                    }
                    comma = m + 1
                }
            }
            guard let speaker, comma > f, comma + 1 <= l else { continue }
            let end = contentEnd(from: comma + 1, sentenceLast: l)
            guard end > comma, let content = contentSpan(comma + 1, end), content.words >= 3 else { continue }
            let cue = FoundCue(form: StatementPass.viewpointCue, first: f, last: f)
            consumeCue(cue)
            addIndirect(DraftStatement(kind: .indirect, fragments: [content.span], speaker: speaker, cue: cue, continues: nil,
                                       speakerFrom: nil, polarity: .assert, sentence: s), quotes: content.quotes)
        }
    }

    /// Nouns of speech acts that take a "that" clause: "Reyes's claim that …", "his warning that …".
    static let nominalCueNouns: [String: String] = [
        "claim": "claim", "claims": "claim", "warning": "warn", "warnings": "warn", "remark": "say", "remarks": "say",
        "assertion": "claim", "assertions": "claim", "suggestion": "suggest", "insistence": "insist", "promise": "promise",
        "pledge": "promise", "threat": "threaten", "argument": "argue", "allegation": "allege", "allegations": "allege",
        "accusation": "accuse", "admission": "admit", "contention": "argue", "prediction": "predict", "vow": "promise",
        "announcement": "announce", "denial": "deny", "insinuation": "suggest", "boast": "boast", "statement": "say",
    ]
    /// A plural noun by its ending ("officials", not "preposterous", "press", "analysis").
    static func looksPlural(_ w: String) -> Bool {
        w.hasSuffix("s") && !w.hasSuffix("ss") && !w.hasSuffix("ous") && !w.hasSuffix("us") && !w.hasSuffix("is") || ["people", "police", "staff", "public"].contains(w)
    }

    /// Common irregular past tenses that can be a sentence's main verb after a subject clause.
    static let pastTenses: Set<String> = ["drew", "came", "led", "made", "took", "gave", "went", "became", "left", "won", "lost", "met",
                                          "brought", "got", "set", "put", "sent", "struck", "rang", "fell", "rose", "spread", "stood", "meant"]

    /// The last token of a "that" clause inside a subject phrase: before the second verb group
    /// with nothing in between that opens a clause of its own ("… the dam could fail | was ignored").
    func subjectClauseEnd(from start: Int, to end: Int) -> Int {
        func isVerb(_ t: StatementToken) -> Bool {
            t.kind == .word && !t.capitalized && (t.has([.auxiliaries, .beForms]) || t.key == "cannot" || StatementPass.pastTenses.contains(t.key)
                || (t.key.hasSuffix("ed") && t.key.count > 3))
        }
        var seenVerb = false
        var inGroup = false
        var k = start
        while k <= end {
            let t = tokens[k]
            if t.quote >= 0 || t.isQuoteMark {
                // A verb inside a quoted stretch counts for the clause ("that the levy “cannot stay” caused …").
                if t.quote >= 0, isVerb(t) { seenVerb = true }
                k += 1
                inGroup = false
                continue
            }
            if t.kind == .punct || StatementPass.clauseWords.contains(t.key) || t.has(.conjunctions) || t.key == "to" {
                if seenVerb && (t.kind == .punct || StatementPass.clauseWords.contains(t.key) || t.has(.conjunctions)) { return end }
                inGroup = false
                k += 1
                continue
            }
            if isVerb(t) {
                if seenVerb && !inGroup { return k - 1 }
                seenVerb = true
                inGroup = true
            } else if !StatementWords.isAdverb(t.key) && t.key != "not" {
                inGroup = false
            }
            k += 1
        }
        return end
    }

    /// Possessive words that end no name ("it's", "that's").
    static let nonPossessors: Set<String> = ["it's", "that's", "there's", "he's", "she's", "what's", "let's", "who's", "here's", "one's"]

    /// A nominal cue with its owner and a "that" clause: "Reyes's claim that the levy was
    /// illegal", "his warning, in May, that the dam could fail", "the claim by Haddad that …".
    /// The owner speaks; the clause is the content. Without an owner ("the claim that …") the
    /// claim is nobody's and is left out.
    mutating func readNominalCues() {
        var i = 0
        while i < tokens.count {
            defer { i += 1 }
            let t = tokens[i]
            // The class bit is set once by the tokenizer; only the few nouns it marks are looked up.
            guard t.has(.nominalCueNouns), t.kind == .word, !t.capitalized, t.quote < 0, !consumed[i],
                  let lemma = StatementPass.nominalCueNouns[t.key] else { continue }
            let (sFirst, sLast) = sentenceBounds(i)
            // The owner: a possessive right before the noun, past up to three modifiers
            // ("Reyes's off-script remark"), or "by X" right after it.
            var speaker: SpeakerPhrase? = nil
            var k = i - 1
            var modifiers = 0
            while k >= sFirst, modifiers <= 3, tokens[k].kind == .word, !tokens[k].capitalized, !tokens[k].key.hasSuffix("'s"),
                  !tokens[k].has([.determiners, .stopWords, .subjectPronouns]), cueAt[k] == nil || tokens[k].key == "and" {
                k -= 1
                modifiers += 1
            }
            var next = i + 1
            if k >= sFirst, tokens[k].kind == .word, tokens[k].quote < 0 {
                let w = tokens[k].key
                if ["his", "her", "their"].contains(w) {
                    speaker = SpeakerPhrase(first: k, last: k)
                } else if w.hasSuffix("'s"), !StatementPass.nonPossessors.contains(w), tokens[k].capitalized || tokens[k].has(.titleWords),
                          let p = phraseEnding(at: k, lowerBound: sFirst) {
                    speaker = p
                }
            }
            if speaker == nil, next + 1 <= sLast, tokens[next].key == "by" || tokens[next].key == "from",
               let p = phraseStarting(at: next + 1, upperBound: sLast + 1), tokens[p.last].capitalized {
                speaker = p
                next = p.last + 1
            }
            guard let speaker else { continue }
            // "that" right after, or after an aside set off by commas ("…'s remark, during a visit, that …").
            if next <= sLast, tokens[next].key == ",", let close = setOffEnd(after: next, sentenceLast: sLast), close + 1 <= sLast,
               tokens[close + 1].key == "that" { next = close + 1 }
            guard next + 1 <= sLast, tokens[next].key == "that", tokens[next].quote < 0 else { continue }
            // "the claim that he made": "that" as a relative pronoun is followed by a subject and a bare verb and ends there.
            let start = next + 1
            var end = contentEnd(from: start, sentenceLast: sLast)
            // In subject position ("Reyes's claim that the levy was illegal drew protests") the
            // clause ends before the sentence's own verb.
            let ownerFirst = min(speaker.first, i)
            if ownerFirst == sFirst || (ownerFirst > sFirst && tokens[ownerFirst - 1].kind == .word && tokens[ownerFirst - 1].has(.capitalisedFunctionWords) && ownerFirst - 1 == sFirst) {
                end = min(end, subjectClauseEnd(from: start, to: end))
            }
            guard end >= start, let content = contentSpan(start, end), content.words >= 3 else { continue }
            if let last = drafts.last, tokens[i].start >= last.start, tokens[i].end <= last.end { continue }
            let form = CueForm(words: [t.key], lemma: lemma, frame: .clause, polarity: lemma == "deny" ? .deny : .assert,
                               ambiguous: true, spun: false, speechOnly: false)
            let cue = FoundCue(form: form, first: i, last: i)
            consumeCue(cue)
            addIndirect(DraftStatement(kind: .indirect, fragments: [content.span], speaker: speaker, cue: cue, continues: nil,
                                       speakerFrom: nil, polarity: form.polarity, sentence: tokens[i].sentence), quotes: content.quotes)
            i = end
        }
    }

    /// "X said Y would not back down. “We have …”": a quotation standing as its own sentences
    /// right after a sentence that ends with someone's reported speech carries that statement on.
    mutating func continueIndirectWithQuotes() {
        guard !drafts.isEmpty else { return }
        var byEndToken: [Int: Int] = [:]
        for (d, draft) in drafts.enumerated() where draft.kind != .direct && draft.cue.map(isSpeechCue) == true {
            // The token whose end is the content's end.
            let (_, sLast) = sentenceBounds(draftCueToken(draft))
            var k = sLast
            while k > 0, tokens[k].kind == .punct, !tokens[k].isQuoteMark { k -= 1 }
            if tokens[k].end == draft.end || (tokens[k].isQuoteMark && tokens[k].end >= draft.end && tokens[k].start <= draft.end) {
                byEndToken[sLast] = d
            }
        }
        for qi in quotes.indices where quoteOwner[qi] < 0 {
            let q = quotes[qi]
            let open = q.openToken
            // The next sentence, or the whole of the next paragraph's opening.
            guard open > 0, tokens[open - 1].paragraph == q.paragraph || (tokens[open - 1].paragraph == q.paragraph - 1 && paragraphFirst[q.paragraph] == open),
                  isSentenceEnd(open - 1),
                  let d = byEndToken[open - 1] else { continue }
            guard let close = q.closeToken else { continue }
            if close + 1 < tokens.count, tokens[close + 1].paragraph == q.paragraph, !isSentenceEnd(close + 1), !isSentenceEnd(close - 1) { continue }
            let draft = DraftStatement(kind: .direct, fragments: [TextSpan(start: q.start, end: q.end)], speaker: nil, cue: nil,
                                       continues: chainHead(d), speakerFrom: nil, polarity: .assert,
                                       sentence: tokens[open].sentence, quotes: [qi])
            addDirect(draft, quote: qi)
        }
    }

    func draftCueToken(_ d: DraftStatement) -> Int { d.cue!.first }

    static let clauseOpeners: Set<String> = ["and", "but", "while", "whereas", "though", "although", "or", "yet"]
    static let appositivePrepositions: Set<String> = ["to", "of", "for", "at", "with", "from", "by"]
    static let colonCue = CueForm(words: [":"], lemma: "say", frame: .clause, polarity: .assert, ambiguous: false, spun: false, speechOnly: false)

    /// Transcripts and headlines: "KATE BOULDUAN: Why not debate?", "Poll: Trump a turnoff …".
    mutating func readLabelledParagraphs() {
        var k = 0
        while k < tokens.count {
            let p = tokens[k].paragraph
            var end = k
            while end < tokens.count, tokens[end].paragraph == p { end += 1 }
            defer { k = end }
            guard tokens[k].kind == .word, tokens[k].capitalized, tokens[k].quote < 0 else { continue }
            var c = k
            // In the opening line (a headline) the label may hold a few lower-case words: "Mayor's
            // office: …", "Reyes at the summit: …", "Reyes to farmers: …".
            var lower = p == 0 ? 2 : 0
            while c < min(end, k + 6), tokens[c].kind == .word {
                let t = tokens[c]
                if t.capitalized || ["of", "the", "for", "and"].contains(t.key) {
                    c += 1
                } else if lower > 0, c > k, t.quote < 0, cueAt[c] == nil, !t.key.hasSuffix("ed"), !t.key.hasSuffix("ing"), !t.has([.auxiliaries, .beForms, .subjectPronouns]) {
                    lower -= 1
                    c += 1
                } else {
                    break
                }
            }
            guard c < end, c > k, tokens[c].key == ":", c + 1 < end, !consumed[c] else { continue }
            if tokens[k].has(.capitalisedFunctionWords) || tokens[k].has(.weekdays)
                || tokens[k].has(.months) || ["update", "note", "related", "photo", "source", "watch", "read", "editor's", "correction", "advertisement", "video", "see", "also", "listen", "sources", "click"].contains(tokens[k].key) { continue }
            guard let content = contentSpan(c + 1, end - 1), content.words >= 3 else { continue }
            if let q = content.quotes.first, quoteOwner[q] >= 0 { continue }
            let cue = FoundCue(form: StatementPass.colonCue, first: c, last: c)
            consumeCue(cue)
            addIndirect(DraftStatement(kind: .indirect, fragments: [content.span], speaker: SpeakerPhrase(first: k, last: c - 1), cue: cue,
                                       continues: nil, speakerFrom: nil, polarity: .assert, sentence: tokens[c].sentence), quotes: content.quotes)
        }
    }

    /// "Asked whether …, Reid said …" / "When asked by a reporter about …, she …": the question is reported too.
    mutating func readAskedClause(_ cue: FoundCue) -> Bool {
        let i = cue.first
        let (sFirst, sLast) = sentenceBounds(i)
        let opensSentence = i == sFirst || (i == sFirst + 1 && ["when", "if", "once", "after"].contains(tokens[sFirst].key))
        // "…,” she said when asked about the levy.": the question, mid-sentence, up to its clause's end.
        let trailing = !opensSentence && i > sFirst + 1 && ["when", "after", "once"].contains(tokens[i - 1].key) && tokens[i - 1].quote < 0
        guard opensSentence || trailing else { return false }
        var start = cue.last + 1
        var speaker: SpeakerPhrase? = nil
        if start <= sLast, tokens[start].key == "by", let p = phraseStarting(at: start + 1, upperBound: sLast + 1) {
            speaker = p
            start = p.last + 1
        }
        if trailing {
            // Only a question follows: about …, whether/if/what/how/which/who/why …
            guard start <= sLast, tokens[start].kind == .word,
                  ["about", "whether", "if", "what", "how", "which", "who", "why", "when", "where", "for"].contains(tokens[start].key) else { return false }
            var m = start
            while m <= sLast, !(tokens[m].key == "," && tokens[m].quote < 0), !isSentenceEnd(m) || m == sLast && tokens[m].key == "?" { m += 1 }
            guard m - 1 >= start, let content = contentSpan(start, m - 1), content.words >= 2 else { return false }
            consumeCue(cue)
            addIndirect(DraftStatement(kind: .indirect, fragments: [content.span], speaker: speaker, cue: cue, continues: nil,
                                       speakerFrom: nil, polarity: .assert, sentence: tokens[i].sentence), quotes: content.quotes)
            return true
        }
        // The clause ends at the comma before the main clause's verb.
        var end = -1
        var m = start
        while m <= sLast {
            if tokens[m].key == ",", tokens[m].quote < 0 {
                end = m - 1
                var n = m + 1
                var seenCue = false
                while n <= min(sLast, m + 8) { if cueAt[n] != nil { seenCue = true; break }; n += 1 }
                if seenCue { break }
            }
            m += 1
        }
        guard end >= start, let content = contentSpan(start, end), content.words >= 1 else { return false }
        consumeCue(cue)
        addIndirect(DraftStatement(kind: .indirect, fragments: [content.span], speaker: speaker, cue: cue, continues: nil,
                                   speakerFrom: nil, polarity: .assert, sentence: tokens[i].sentence), quotes: content.quotes)
        return true
    }

    /// Tokens of the paragraph of token `i`: first index.
    func paragraphStart(_ i: Int) -> Int {
        paragraphFirst[tokens[i].paragraph]
    }

    /// After a closing mark: "…,” X said", "…,” said X", "…,” according to X".
    func attributionAfter(_ q: QuoteSpan) -> (speaker: SpeakerPhrase?, cue: FoundCue, end: Int)? {
        guard let close = q.closeToken else { return nil }
        var w = close + 1
        var limit = w
        while limit < tokens.count, tokens[limit].paragraph == q.paragraph, !tokens[limit].isQuoteMark, !isSentenceEnd(limit) { limit += 1 }
        while w < limit, tokens[w].kind == .punct, tokens[w].key == "," || isDash(w) { w += 1 }
        guard w < limit else { return nil }
        // Did the quotation end its sentence ("….” Lavrov said the …" starts a new one)?
        let lastInside = q.endToken - 1
        let endedSentence = lastInside >= 0 && lastInside > q.openToken && isSentenceEnd(lastInside)
        func shortTail(_ from: Int) -> Bool {
            let k = skipTimeWords(from, upperBound: limit)
            return k >= limit || tokens[k].key == "," || (k < limit && tokens[k].has(.subordinators))
                || (k < limit && ["to", "in", "at", "during", "on", "of", "about", "after"].contains(tokens[k].key))
        }
        if let cue = cueAt[w], isSpeechCue(cue) || cue.form.frame == .according {
            if cue.form.frame == .according {
                guard let p = phraseStarting(at: cue.last + 1, upperBound: limit) else { return nil }
                return (p, cue, p.last)
            }
            // "…,” said Lavrov" / "…,” said the minister"
            guard let p = phraseStarting(at: cue.last + 1, upperBound: limit) else { return nil }
            if endedSentence && tokens[w].capitalized && !shortTail(p.last + 1) { return nil }
            return (p, cue, p.last)
        }
        var c = w
        while c < min(limit, w + 40) {
            if let cue = cueAt[c], cue.form.frame != .according, isSpeechCue(cue) {
                guard var p = subject(beforeCue: c, lowerBound: w) else { return nil }
                if p.first > w, tokens[w].key != "who" {
                    // "…,” the embassy in Dublin said", "…,” representatives of the plant said": a
                    // head noun with a prepositional phrase is one subject.
                    guard let head = prepositionalSubjectStart(w, p.first) else { return nil }
                    p = SpeakerPhrase(first: head, last: p.last)
                }
                // Only a bare attribution ("Lavrov said.") belongs to the quote when what follows
                // may be a new sentence, or when the quotation is a title in the sentence's opening
                // phrase ("On ABC's “This Week,” Reyes said the levy …": no quote; the clause after
                // the verb is the content).
                if (endedSentence && tokens[w].capitalized) || (!endedSentence && isQuotedTitle(q)) {
                    let after = skipAfterCue(cue, upperBound: limit)
                    if !(after >= limit || tokens[after].key == "," || shortTail(after)) { return nil }
                }
                if !isVerbalForAttribution(cue) { return nil }
                return (p, cue, cue.last)
            }
            c += 1
        }
        return nil
    }

    /// Whether quotation `q` is the title of a show, book or programme inside a sentence: one to
    /// six words, every long word capitalised, a word right before the opening mark.
    func isQuotedTitle(_ q: QuoteSpan) -> Bool {
        guard q.openToken > 0, tokens[q.openToken - 1].kind == .word, tokens[q.openToken - 1].paragraph == q.paragraph else { return false }
        var words = 0
        for k in q.firstToken..<q.endToken where tokens[k].kind == .word {
            words += 1
            if words > 6 { return false }
            if tokens[k].key.unicodeScalars.count >= 4, !tokens[k].capitalized { return false }
        }
        return words >= 1
    }

    /// Prepositions that join a head noun to the rest of a subject ("the embassy in Dublin").
    static let subjectPrepositions: Set<String> = ["in", "of", "at", "for", "from"]

    /// `w` when tokens `w..<phrase` are a short head noun phrase ending in a preposition that
    /// joins it to the phrase found before the verb ("the embassy in", "representatives of"):
    /// two to five words, the first a determiner or a plain noun, no cue, pronoun or verb form.
    func prepositionalSubjectStart(_ w: Int, _ phrase: Int) -> Int? {
        guard phrase - w >= 2, phrase - w <= 5, StatementPass.subjectPrepositions.contains(tokens[phrase - 1].key) else { return nil }
        for k in w..<(phrase - 1) {
            let t = tokens[k]
            guard t.kind == .word, t.quote < 0, cueAt[k] == nil,
                  !t.has([.subjectPronouns, .objectPronouns, .auxiliaries, .beForms, .stopWords, .subordinators]) || (k == w && t.has(.determiners)),
                  !StatementWords.isAdverb(t.key), !t.key.hasSuffix("ing") else { return nil }
        }
        return w
    }

    func isVerbalForAttribution(_ cue: FoundCue) -> Bool {
        if cue.form.frame == .addressee {
            var k = cue.last + 1
            var n = 0
            while k < tokens.count, n < 4, tokens[k].kind == .word {
                if tokens[k].key == "to" && n > 0 && cue.form.spun { return false }
                k += 1
                n += 1
            }
        }
        return true
    }

    /// Before an opening mark: "X said: “…”", "X told reporters, “…”", "X said “…”".
    func attributionBefore(_ q: QuoteSpan) -> (speaker: SpeakerPhrase?, cue: FoundCue)? {
        let open = q.openToken
        guard open > 0 else { return nil }
        var b = open - 1
        var lowerBound = paragraphStart(open)
        if tokens[b].paragraph != tokens[open].paragraph {
            // A paragraph that ends with a colon introduces the quotation that opens the next one.
            guard tokens[b].key == ":" else { return nil }
            lowerBound = paragraphStart(b)
        }
        // The current clause: after the last sentence end or quotation before the mark.
        var s = b
        while s > lowerBound, !isSentenceEnd(s - 1), !tokens[s - 1].isQuoteMark, tokens[s - 1].quote < 0 { s -= 1 }
        lowerBound = s
        let punct = tokens[b].kind == .punct && (tokens[b].key == ":" || tokens[b].key == "," || isDash(b))
        if punct { b -= 1 }
        guard b >= lowerBound else { return nil }
        // The cue sits at b, or a few addressee / time words before it.
        var c = b
        while c >= max(lowerBound, b - 16) {
            if let cue = cueAt[c], cue.last <= b, isSpeechCue(cue) {
                let after = skipAfterCue(cue, upperBound: b + 1)
                // "X said of the senator: “…”", "X replied evenly, “…”": a short phrase between
                // the cue and the mark introduces the quotation, which is the content alone.
                if after <= b, consumed[cue.first] || !(punct && introducesQuotation(after, b, colon: tokens[b + 1].key == ":", quote: q)) {
                    // A cue further back with a clause of its own in between: perhaps a colon without a cue.
                    if c < b - 6 { break }
                    return nil
                }
                guard punct || cue.last == b else { return nil }
                if !punct {
                    // "X said “…”" counts when the quotation runs to the sentence's end.
                    guard let close = q.closeToken, close + 1 >= tokens.count || isSentenceEnd(close + 1) || isSentenceEnd(close - 1)
                            || tokens[close + 1].paragraph != q.paragraph else { return nil }
                }
                if let p = subject(beforeCue: c, lowerBound: lowerBound) { return (p, cue) }
                if let p = phraseStarting(at: cue.last + 1, upperBound: b + 1) { return (p, cue) }
                // "Mrs. Clinton shook her head and said, “No.”", "… but went on to say, “…”": the clause's subject.
                let before = skipAuxiliariesLeft((controlPhraseStart(beforeCue: c, lowerBound: lowerBound) ?? c) - 1, lowerBound: lowerBound)
                if before >= lowerBound, tokens[before].key == "and" || tokens[before].key == "but",
                   let p = sentenceSubject(lowerBound, before), tokens[p.last].capitalized || tokens[p.first].has(.subjectPronouns) { return (p, cue) }
                // "… by saying, “…”": the clause's subject speaks.
                if cue.form.words[0].hasSuffix("ing"), let p = sentenceSubject(lowerBound, c) { return (p, cue) }
                // "X had this to say: “…”", "X put it this way: “…”": a colon after the cue
                // introduces the quotation; the clause's subject speaks.
                if punct, tokens[b + 1].key == ":", let p = sentenceSubject(lowerBound, c),
                   tokens[p.last].capitalized || tokens[p.first].has(.subjectPronouns) { return (p, cue) }
                return nil
            }
            c -= 1
        }
        // "Mr. Smith shot back: “…”", "Clinton: “…”": a colon introduces the quotation even
        // without a reporting verb; the clause's subject speaks.
        let colon = punct ? b + 1 : -1
        if colon >= 0, tokens[colon].key == ":", let p = sentenceSubject(lowerBound, colon),
           tokens[p.last].capitalized || tokens[p.first].has(.subjectPronouns) {
            return (p, FoundCue(form: StatementPass.colonCue, first: colon, last: colon))
        }
        return nil
    }

    /// Prepositions that open a phrase between a cue and a quotation it introduces ("said of X, “…”").
    static let introducingPrepositions: Set<String> = ["of", "about", "to", "in", "at", "on", "during", "after", "before",
                                                       "back", "over", "with", "from", "for", "however", "simply", "flatly"]

    /// Words that open a clause of their own.
    static let clauseWords: Set<String> = ["that", "which", "who", "whom", "where", "because", "although", "though", "since",
                                           "while", "when", "whereas", "if", "whether", "unless"]

    /// Whether tokens `from...to`, between a cue and the mark before quotation `q`, are a short
    /// phrase that only introduces it: no clause of its own (no "that", auxiliary, subject
    /// pronoun or other cue). After a colon any such phrase does ("added a caveat: “…”"); after a
    /// comma it must open with a preposition or an adverb ("said of the senator, “…”",
    /// "replied evenly, “…”"), and the quotation must end the sentence.
    func introducesQuotation(_ from: Int, _ to: Int, colon: Bool, quote q: QuoteSpan) -> Bool {
        guard from <= to, to - from < 12, tokens[to].paragraph == q.paragraph else { return false }
        func opensPhrase(_ t: StatementToken) -> Bool {
            t.kind == .word && !t.capitalized && (StatementPass.introducingPrepositions.contains(t.key) || StatementWords.isAdverb(t.key))
        }
        for k in from...to {
            let t = tokens[k]
            if t.quote >= 0 || t.isQuoteMark || isSentenceEnd(k) || t.key == ";" || isDash(k) { return false }
            // "replied pointedly, with a smile:" — a comma inside the phrase only before another such phrase.
            if t.key == ",", k < to, !opensPhrase(tokens[k + 1]) { return false }
            guard t.kind == .word else { continue }
            if StatementPass.clauseWords.contains(t.key) || t.has([.auxiliaries, .beForms]) || cueAt[k] != nil { return false }
            if t.has(.subjectPronouns), t.key != "it" { return false }
            if t.key.hasPrefix("there") { return false }
        }
        // "recalled the three-year freeze: “…”", "listed a show as his favourite: “…”": an object phrase is content.
        if tokens[from].has(.determiners), tokens[from].key != "this" { return false }
        // A title in marks ("wrote in her memoir, “Hard Choices.”") is no quotation.
        var lowercase = false
        for k in q.openToken...(q.closeToken ?? q.openToken) where tokens[k].kind == .word && !tokens[k].capitalized { lowercase = true; break }
        guard lowercase else { return false }
        if colon { return true }
        guard opensPhrase(tokens[from]), let close = q.closeToken else { return false }
        return close + 1 >= tokens.count || isSentenceEnd(close + 1) || isSentenceEnd(close - 1) || tokens[close + 1].paragraph != q.paragraph
    }

    mutating func attributeQuotes() {
        var qi = 0
        while qi < quotes.count {
            defer { qi += 1 }
            guard quoteOwner[qi] < 0 else { continue }
            let q = quotes[qi]
            if let a = attributionAfter(q) {
                // A quoted phrase inside a sentence ("This is a “raw time,” said X"): the
                // attribution reports the whole clause, which is then mixed.
                let clauseStart = clauseStart(before: q.openToken)
                var words = 0
                for k in clauseStart..<q.openToken where tokens[k].kind == .word { words += 1 }
                if words >= 2, let close = q.closeToken {
                    let span = TextSpan(start: tokens[clauseStart].start, end: tokens[close].end)
                    var qs: [Int] = []
                    for k in clauseStart..<q.openToken where tokens[k].quote >= 0 && quoteOwner[tokens[k].quote] < 0 && qs.last != tokens[k].quote { qs.append(tokens[k].quote) }
                    qs.append(qi)
                    markConsumed(a.cue.first, a.end)
                    var d = DraftStatement(kind: .mixed, fragments: [span], speaker: a.speaker, cue: a.cue, continues: nil, speakerFrom: nil,
                                           polarity: a.cue.form.polarity, sentence: tokens[a.cue.first].sentence, quotes: qs)
                    d.kind = .mixed
                    draftsBySentence[d.sentence, default: []].append(drafts.count)
                    drafts.append(d)
                    for x in qs { quoteOwner[x] = drafts.count - 1 }
                    continue
                }
                let d = DraftStatement(kind: .direct, fragments: [TextSpan(start: q.start, end: q.end)], speaker: a.speaker,
                                       cue: a.cue, continues: nil, speakerFrom: nil, polarity: a.cue.form.polarity,
                                       sentence: tokens[a.cue.first].sentence, quotes: [qi])
                markConsumed(a.cue.first, a.end)
                addDirect(d, quote: qi)
                // “A,” he said, “B.”: the next quotation in the same sentence is a fragment.
                var k = a.end + 1
                while k < tokens.count, tokens[k].kind == .punct, tokens[k].key == "," || isDash(k) || tokens[k].key == ":" { k += 1 }
                if k > a.end + 1, k < tokens.count, !tokens[k].isQuoteMark, tokens[k - 1].key == "," {
                    // "…,” said X, an economist at Y, “…”: step over the appositive.
                    var m = k
                    while m < min(tokens.count, k + 30), !tokens[m].isQuoteMark, !isSentenceEnd(m), tokens[m].paragraph == q.paragraph { m += 1 }
                    if m < tokens.count, tokens[m].isQuoteMark, tokens[m - 1].key == "," { k = m }
                }
                if qi + 1 < quotes.count, quotes[qi + 1].openToken == k, tokens[k].paragraph == q.paragraph, k > a.end + 1 {
                    let next = quotes[qi + 1]
                    let d = drafts.count - 1
                    drafts[d].fragments.append(TextSpan(start: next.start, end: next.end))
                    drafts[d].quotes.append(qi + 1)
                    quoteOwner[qi + 1] = d
                    qi += 1
                }
                continue
            }
            if let a = attributionBefore(q) {
                let d = DraftStatement(kind: .direct, fragments: [TextSpan(start: q.start, end: q.end)], speaker: a.speaker,
                                       cue: a.cue, continues: nil, speakerFrom: nil, polarity: a.cue.form.polarity,
                                       sentence: tokens[a.cue.first].sentence, quotes: [qi])
                markConsumed(a.cue.first, a.cue.last)
                addDirect(d, quote: qi)
                continue
            }
            if let a = creditLine(after: q) {
                let d = DraftStatement(kind: .direct, fragments: [TextSpan(start: q.start, end: q.end)], speaker: a.speaker,
                                       cue: a.cue, continues: nil, speakerFrom: nil, polarity: .assert,
                                       sentence: tokens[q.openToken].sentence, quotes: [qi])
                markConsumed(a.cue.first, a.speaker.last)
                addDirect(d, quote: qi)
                continue
            }
            // No attribution of its own: a quotation running on from the previous paragraph, or a
            // whole sentence of quotation right after the same speaker's, continues it.
            if let previous = continuationTarget(for: qi) {
                // The quotation carries the previous statement on (measured on PolNeAR train:
                // linking across a paragraph break scores better than a separate statement).
                let d = DraftStatement(kind: .direct, fragments: [TextSpan(start: q.start, end: q.end)], speaker: nil, cue: nil,
                                       continues: previous, speakerFrom: nil, polarity: .assert,
                                       sentence: tokens[q.openToken].sentence, quotes: [qi])
                addDirect(d, quote: qi)
            }
        }
    }

    static let creditCue = CueForm(words: ["—"], lemma: "say", frame: .clause, polarity: .assert, ambiguous: false, spun: false, speechOnly: true)

    /// A credit line: a quotation standing alone, then a dash and a name, on the same line or
    /// as the next paragraph ("“…” ― Dana Reyes" / "- Dana Reyes, Ohio."). The name speaks.
    func creditLine(after q: QuoteSpan) -> (speaker: SpeakerPhrase, cue: FoundCue)? {
        guard let close = q.closeToken else { return nil }
        let open = q.openToken
        // The quotation opens its paragraph or sentence: nothing attributes it before.
        guard open == 0 || tokens[open - 1].paragraph != q.paragraph || isSentenceEnd(open - 1) || isClosingOfQuote(open - 1) else { return nil }
        var k = close + 1
        if k < tokens.count, tokens[k].paragraph == q.paragraph, isSentenceEnd(k) { k += 1 }
        guard k + 1 < tokens.count else { return nil }
        let dash = tokens[k]
        guard dash.kind == .punct, dash.key == "―" || isDash(k) else { return nil }
        // On the quotation's line, or opening the next paragraph.
        if dash.paragraph != q.paragraph {
            guard dash.paragraph == q.paragraph + 1, paragraphFirst[dash.paragraph] == k else { return nil }
        }
        let nameStart = k + 1
        guard tokens[nameStart].kind == .word, tokens[nameStart].capitalized, tokens[nameStart].paragraph == dash.paragraph,
              !tokens[nameStart].has([.capitalisedFunctionWords, .determiners]) else { return nil }
        var limit = nameStart
        while limit < tokens.count, limit < nameStart + 12, tokens[limit].paragraph == dash.paragraph, !tokens[limit].isQuoteMark { limit += 1 }
        guard let p = phraseStarting(at: nameStart, upperBound: limit), tokens[p.last].capitalized else { return nil }
        // The name ends the line or is followed by a description (", Ohio", "(@handle)").
        let n = p.last + 1
        guard n >= tokens.count || tokens[n].paragraph != dash.paragraph || tokens[n].isQuoteMark
                || [",", ".", "("].contains(tokens[n].key) else { return nil }
        return (p, FoundCue(form: StatementPass.creditCue, first: k, last: k))
    }

    /// The first token of the clause holding token `open`: after the sentence's start, a colon,
    /// a semicolon or a quotation that ended before it.
    func clauseStart(before open: Int) -> Int {
        var k = open
        let p = tokens[open].paragraph
        while k > 0, tokens[k - 1].paragraph == p, !isSentenceEnd(k - 1), tokens[k - 1].key != ":", tokens[k - 1].key != ";",
              !(tokens[k - 1].isQuoteMark && tokens[k - 1].quote < 0 && isClosingOfQuote(k - 1)) {
            k -= 1
        }
        // Skip leading punctuation and a dash-led aside.
        while k < open, tokens[k].kind == .punct, !tokens[k].isQuoteMark { k += 1 }
        return k
    }

    /// The draft an unattributed quotation continues, if any.
    func continuationTarget(for qi: Int) -> Int? {
        let q = quotes[qi]
        guard qi > 0 else { return nil }
        let prevOwner = quoteOwner[qi - 1]
        if q.continuesPrevious, prevOwner >= 0 { return chainHead(prevOwner) }
        guard prevOwner >= 0, let last = drafts.indices.last, last == prevOwner || chainHead(last) == chainHead(prevOwner) else { return nil }
        // The quotation must stand as its own sentence(s): nothing but punctuation around it.
        let open = q.openToken
        let startsClause = open == 0 || tokens[open - 1].paragraph != q.paragraph || isSentenceEnd(open - 1)
            || tokens[open - 1].isQuoteMark
        guard startsClause else { return nil }
        if let close = q.closeToken, close + 1 < tokens.count, tokens[close + 1].paragraph == q.paragraph,
           !isSentenceEnd(close + 1), !tokens[close + 1].isQuoteMark, !isSentenceEnd(close - 1) {
            return nil
        }
        guard q.paragraph - quotes[qi - 1].paragraph <= 1 else { return nil }
        // Nobody else spoke in between.
        if let lastDraft = drafts.last, lastDraft.end > quotes[qi - 1].end { return nil }
        return last
    }

    func chainHead(_ d: Int) -> Int {
        var k = d
        while let c = drafts[k].continues { k = c }
        return k
    }

    mutating func addDirect(_ d: DraftStatement, quote: Int) {
        draftsBySentence[d.sentence, default: []].append(drafts.count)
        drafts.append(d)
        quoteOwner[quote] = drafts.count - 1
    }

    mutating func markConsumed(_ a: Int, _ b: Int) {
        guard a <= b else { return }
        for k in a...b where k < consumed.count { consumed[k] = true }
    }

    // MARK: indirect speech

    /// Relative pronouns that open a clause whose own attribution is a statement of its own
    /// ("the attack, which the ministry claimed was staged").
    static let relativeOpeners: Set<String> = ["which", "that", "where", "whom", "who", "when"]

    /// A cue inside another statement's content that is a nested statement of its own: its
    /// subject follows a relative pronoun ("…, which Moscow claimed was …", "the city where
    /// officials said …") or is a pronoun or name right after the noun it reports on ("963
    /// names it said were banned").
    func isRelativeAttribution(_ cue: FoundCue) -> Bool {
        guard isSpeechCue(cue), cue.form.frame != .according else { return false }
        let (sFirst, _) = sentenceBounds(cue.first)
        let before = skipAuxiliariesLeft(cue.first - 1, lowerBound: sFirst)
        guard before > sFirst, let p = phraseEnding(at: before, lowerBound: sFirst), p.first > sFirst else { return false }
        let opener = tokens[p.first - 1]
        guard opener.kind == .word, opener.quote < 0 else { return false }
        if StatementPass.relativeOpeners.contains(opener.key) { return true }
        // "Americans it said were …": a pronoun subject right after a plain noun.
        return p.first == p.last && tokens[p.first].has(.subjectPronouns) && tokens[p.first].key != "who"
            && !opener.has([.stopWords, .determiners, .auxiliaries]) && !opener.capitalized
    }

    mutating func readIndirectSpeech() {
        var i = 0
        while i < tokens.count {
            defer { i += 1 }
            guard let cue = cueAt[i], tokens[i].quote < 0, !consumed[i] else { continue }
            guard !cue.form.speechOnly else { continue }
            // A cue inside the content of a statement already read is reported within it.
            var enclosing: Int? = nil
            if let last = drafts.last, last.kind != .direct, tokens[i].start >= last.start, tokens[i].end <= last.end {
                if isRelativeAttribution(cue) {
                    enclosing = drafts.count - 1
                } else if !isNestedClauseAttribution(cue, within: last) {
                    continue
                }
            }
            if cue.form.frame == .according {
                readAccordingTo(cue)
                continue
            }
            if cue.form.lemma == "ask", tokens[i].key == "asked", readAskedClause(cue) { continue }
            if readPassiveWithAgent(cue) { continue }
            guard isVerbal(cue) else { continue }
            // Two cues in a row ("reports said"): the later is the verb.
            if cue.last + 1 < tokens.count, let next = cueAt[cue.last + 1], next.form.frame != .according, tokens[cue.last + 1].quote < 0 {
                _ = next
                continue
            }
            let count = drafts.count
            readIndirect(cue)
            // "…, which the report notes is …" is a second statement trailing the first, which ends before it.
            if let e = enclosing, drafts.count > count, let comma = trailingRelativeComma(cue) {
                trimContent(of: e, before: tokens[comma].start)
            }
        }
    }

    /// Words after a cue that make it another verb of the same spelling, by the cue's lemma.
    static let nonSpeechParticles: [String: Set<String>] = [
        "add": ["to"], "show": ["up", "itself", "himself", "herself", "themselves"], "report": ["from", "to"], "allege": ["with"],
        "find": ["itself", "himself", "herself", "themselves", "ways"],
    ]

    /// Agents of "by" that are no speaker: "by Tuesday", "by a margin of", "by phone".
    static let nonAgents: Set<String> = ["far", "default", "phone", "telephone", "email", "e-mail", "mail", "hand", "name", "then", "now", "law",
                                         "margin", "vote", "majority", "end", "time", "way", "contrast", "comparison", "itself", "themselves", "himself", "herself"]

    /// A passive whose agent is named: "The sanctions were announced by the ministry", "the bill,
    /// opposed by Democrats, …", "Tinder's ban was first reported by BuzzFeed". The agent is the
    /// speaker; the passive's subject (the noun phrase before it) is the content.
    mutating func readPassiveWithAgent(_ cue: FoundCue) -> Bool {
        let i = cue.first
        guard cue.form.frame != .addressee, cue.form.frame != .according, cue.form.frame != .belief, !cue.form.speechOnly,
              cue.form.words.count == 1, tokens[i].key.hasSuffix("ed") || ["shown", "found", "written"].contains(tokens[i].key) else { return false }
        let (sFirst, sLast) = sentenceBounds(i)
        let by = cue.last + 1
        guard by + 1 <= sLast, tokens[by].key == "by", tokens[by + 1].kind == .word, !tokens[by + 1].key.hasSuffix("ing"),
              tokens[by + 1].key.first.map({ !$0.isNumber }) ?? false else { return false }
        guard var agent = phraseStarting(at: by + 1, upperBound: sLast + 1) else { return false }
        // "blamed by Washington for Friday's attack": the reason after "for" is no part of the agent.
        if agent.last > agent.first + 1, let f = (agent.first + 1..<agent.last).first(where: { tokens[$0].key == "for" && (tokens[$0 + 1].key.hasSuffix("'s") || !tokens[$0 + 1].capitalized) }) {
            agent = SpeakerPhrase(first: agent.first, last: f - 1)
        }
        if (by + 1...agent.last).contains(where: { StatementPass.nonAgents.contains(tokens[$0].key) || tokens[$0].has([.weekdays, .months]) }) { return false }
        // "As reported by the Courier, there are …": the sentence after the comma is the content.
        if i - 1 >= sFirst, tokens[i - 1].key == "as", i - 1 == sFirst || onlyOpeners(sFirst, i - 2) || tokens[i - 2].key == "," {
            guard agent.last + 1 <= sLast, tokens[agent.last + 1].key == ",", agent.last + 2 <= sLast else { return false }
            let end = contentEnd(from: agent.last + 2, sentenceLast: sLast)
            guard i - 1 == sFirst || onlyOpeners(sFirst, i - 2), let content = contentSpan(agent.last + 2, end), content.words >= 3 else { return false }
            consumeCue(cue)
            addIndirect(DraftStatement(kind: .indirect, fragments: [content.span], speaker: agent, cue: cue, continues: nil,
                                       speakerFrom: nil, polarity: cue.form.polarity, sentence: tokens[i].sentence), quotes: content.quotes)
            return true
        }
        // The passive's subject ends before its auxiliaries ("has been", "was first") or at a comma or dash.
        var e = i - 1
        var passive = false
        while e >= sFirst, tokens[e].kind == .word, tokens[e].has([.auxiliaries, .beForms]) || StatementWords.isAdverb(tokens[e].key) {
            if tokens[e].has(.beForms) { passive = true }
            e -= 1
        }
        guard e >= sFirst else { return false }
        if !passive {
            // A reduced relative: "the bill, opposed by Democrats", "a sentiment endorsed by …".
            if tokens[e].key == "," || isDash(e) { e -= 1 } else if tokens[e].kind != .word || tokens[e].has([.stopWords, .subjectPronouns, .objectPronouns]) { return false }
        }
        // "a deal that was rejected by …", "the group, which is backed by …": the antecedent.
        if e >= sFirst, ["that", "which", "who"].contains(tokens[e].key) {
            e -= 1
            if e >= sFirst, tokens[e].key == "," { e -= 1 }
        }
        guard e >= sFirst, tokens[e].kind == .word, tokens[e].quote < 0, !tokens[e].has(.stopWords) else { return false }
        var b = e
        while b - 1 >= sFirst, b > e - 12 {
            let t = tokens[b - 1]
            guard t.kind == .word, t.quote < 0, cueAt[b - 1] == nil, !StatementPass.passiveSubjectBounds.contains(t.key), !t.has(.subordinators) else { break }
            b -= 1
            if t.has(.determiners) { break }
        }
        guard let content = contentSpan(b, e) else { return false }
        consumeCue(cue)
        addIndirect(DraftStatement(kind: .indirect, fragments: [content.span], speaker: agent, cue: cue, continues: nil,
                                   speakerFrom: nil, polarity: cue.form.polarity, sentence: tokens[i].sentence), quotes: content.quotes)
        return true
    }

    static let venueOpeners: Set<String> = ["in", "on", "at", "for", "from", "to", "with"]

    static let leadingLinks: Set<String> = ["and", "but", "even", "so", "yet", "still", "then", "also", "now"]

    /// Words before which the subject of a passive cannot reach.
    static let passiveSubjectBounds: Set<String> = ["that", "which", "who", "whom", "when", "while", "because", "if", "as", "and", "but", "or",
                                                    "after", "before", "since", "although", "though", "where", "so", "than", "rather"]

    /// A cue inside another statement's content with its own named subject and a "that" clause
    /// ("Reyes said the mayor had argued that the levy was fair"): a nested statement of its own;
    /// the outer content is kept whole.
    func isNestedClauseAttribution(_ cue: FoundCue, within outer: DraftStatement) -> Bool {
        guard isSpeechCue(cue), cue.form.frame == .clause, !cue.form.ambiguous, cue.last + 1 < tokens.count,
              tokens[cue.last + 1].key == "that" else { return false }
        let (sFirst, _) = sentenceBounds(cue.first)
        guard let p = subject(beforeCue: cue.first, lowerBound: sFirst), tokens[p.first].start >= outer.start else { return false }
        return tokens[p.last].capitalized || tokens[p.first].has(.subjectPronouns) || tokens[p.last].has([.titleWords, .organisationWords])
    }

    /// The comma before ", which X said …" (a trailing relative clause with its own attribution).
    func trailingRelativeComma(_ cue: FoundCue) -> Int? {
        let (sFirst, _) = sentenceBounds(cue.first)
        let before = skipAuxiliariesLeft(cue.first - 1, lowerBound: sFirst)
        guard let p = phraseEnding(at: before, lowerBound: sFirst), p.first > sFirst + 1,
              tokens[p.first - 1].key == "which", tokens[p.first - 2].key == "," else { return nil }
        return p.first - 2
    }

    func sentenceBounds(_ i: Int) -> (Int, Int) {
        let s = tokens[i].sentence
        return (sentenceFirst[s] >= 0 ? sentenceFirst[s] : i, sentenceLast[s] >= 0 ? sentenceLast[s] : i)
    }

    /// The end (inclusive token) of content that starts at `from`: the sentence's end, before a
    /// coordinated attribution ("but has argued"), "according to", or a quotation owned by another statement.
    func contentEnd(from: Int, sentenceLast: Int, nominal: Bool = false) -> Int {
        var k = from
        var end = from - 1
        var sawColon = false
        while k <= sentenceLast {
            let t = tokens[k]
            // The object of "condemned", "labelled" is a noun phrase: a comma or dash before
            // "and", "but", "while", "though" starts another clause, not more of it.
            if nominal, t.quote < 0, t.kind == .punct, t.key == "," || t.key == "\u{2013}" || t.key == "\u{2014}",
               k + 1 <= sentenceLast, tokens[k + 1].kind == .word, StatementPass.clauseOpeners.contains(tokens[k + 1].key) {
                break
            }
            // ", the …", ", its …", ", saying …", ", they …" after an object phrase: an apposition or a new clause.
            if nominal, t.quote < 0, t.kind == .punct, t.key == ",", k + 1 <= sentenceLast, tokens[k + 1].kind == .word,
               tokens[k + 1].has(.determiners) || tokens[k + 1].key.hasSuffix("ing") || tokens[k + 1].has(.subjectPronouns) { break }
            // "backs the plan but rejects …": a second predicate after the object phrase is the
            // journalist's account of another act.
            if nominal, t.quote < 0, k > from, k + 1 <= sentenceLast, tokens[k + 1].kind == .word, tokens[k + 1].quote < 0 {
                let next = tokens[k + 1]
                if t.kind == .word, t.key == "but", next.key != "also", next.key != "not" { break }
            }
            // "accused Y of Z after reports emerged …": the journalist's framing, not the object.
            if nominal, t.quote < 0, t.kind == .word, k > from, ["after", "amid", "following"].contains(t.key) { break }
            // "endorsed X during a speech", "criticised X at a rally", "X despite …", "X by reminding
            // voters …", "X last week", "X and challenged him …": the act's setting or another act.
            if nominal, t.quote < 0, t.kind == .word, k > from, endsObjectPhrase(k, sentenceLast: sentenceLast) { break }
            if t.quote >= 0, quoteOwner[t.quote] >= 0 { break }
            // "…; others disagreed": a semicolon after the content opens the journalist's next
            // clause (unless it separates the items of a list the content introduced with a colon).
            if t.quote < 0, t.kind == .punct, t.key == ";", k > from, !sawColon { break }
            if t.quote < 0, t.kind == .punct, t.key == ":" { sawColon = true }
            if t.isQuoteMark, k + 1 <= sentenceLast, tokens[k + 1].quote >= 0, quoteOwner[tokens[k + 1].quote] >= 0 { break }
            if t.kind == .word, t.quote < 0 {
                if t.key == "according", k + 1 <= sentenceLast, tokens[k + 1].key == "to" { break }
                if t.has(.conjunctions) || t.key == "," {
                    // A conjunction followed by (aux/adverbs) and a cue starts another attribution.
                    var j = k + 1
                    while j <= sentenceLast, tokens[j].kind == .word,
                          tokens[j].has(.auxiliaries) || StatementWords.isAdverb(tokens[j].key) { j += 1 }
                    if j <= sentenceLast, j > k + 1 || t.key != ",", let c = cueAt[j], c.form.frame != .according, tokens[j].quote < 0 { break }
                }
            }
            if t.kind == .punct, t.key == ",", k + 1 <= sentenceLast, k > from, endsContentAfterComma(k + 1, sentenceLast: sentenceLast) { break }
            // "…, and has championed …": a perfect after a conjunction goes back to the speaker's own acts.
            if t.kind == .punct, t.key == ",", t.quote < 0, k > from, k + 3 <= sentenceLast, tokens[k + 1].key == "and" || tokens[k + 1].key == "but",
               ["has", "have", "had"].contains(tokens[k + 2].key), tokens[k + 3].kind == .word, tokens[k + 3].key.hasSuffix("ed") || StatementWords.isAdverb(tokens[k + 3].key) { break }
            // "… “absolutely reeling,” pointing to …": a participle cue after a quotation ending in a comma.
            if t.isQuoteMark, isClosingOfQuote(k), k > from, tokens[k - 1].key == ",", k + 1 <= sentenceLast,
               let c = cueAt[k + 1], c.form.words[0].hasSuffix("ing"), tokens[k + 1].quote < 0 {
                end = k
                break
            }
            // "…, but he has not endorsed her": a new subject after ", but" is the journalist's next clause.
            if t.kind == .punct, t.key == ",", t.quote < 0, k > from, k + 2 <= sentenceLast, tokens[k + 1].key == "but",
               tokens[k + 2].kind == .word, tokens[k + 2].has([.subjectPronouns, .determiners]) || tokens[k + 2].capitalized { break }
            if t.kind == .punct, t.key == ",", k + 1 <= sentenceLast {
                // ", adding that …" / ", he said" end the content too.
                if let c = cueAt[k + 1], c.form.words[0].hasSuffix("ing"), tokens[k + 1].quote < 0 { break }
            }
            end = k
            k += 1
        }
        // Drop trailing punctuation and open marks.
        while end >= from, tokens[end].kind == .punct || (tokens[end].isQuoteMark && tokens[end].quote < 0 && !isClosingOfQuote(end)) { end -= 1 }
        // "endorsed the mayor Wednesday": a day after an object phrase dates the act, it is not its object.
        if nominal, end > from, tokens[end].has(.weekdays), tokens[end].quote < 0 {
            end -= 1
            if end > from, tokens[end].key == "on" { end -= 1 }
        }
        return end
    }

    static let settingOpeners: Set<String> = ["during", "despite", "while", "before", "because", "until", "since"]

    /// Whether token `k` inside an object phrase starts the setting of the act or another act
    /// rather than more of the object.
    func endsObjectPhrase(_ k: Int, sentenceLast: Int) -> Bool {
        let w = tokens[k].key
        if StatementPass.settingOpeners.contains(w) { return true }
        guard k + 1 <= sentenceLast, tokens[k + 1].kind == .word else { return false }
        let next = tokens[k + 1]
        if w == "at", next.key == "a" || next.key == "an" { return true }
        if w == "by", next.key.hasSuffix("ing"), !next.capitalized { return true }
        if ["last", "this", "next"].contains(w), ["week", "month", "year", "night", "weekend"].contains(next.key) { return true }
        if w == "and", next.key.hasSuffix("ed"), !next.capitalized, next.quote < 0, k + 2 <= sentenceLast, tokens[k + 2].kind == .word,
           tokens[k + 2].has([.objectPronouns, .determiners]) || tokens[k + 2].capitalized { return true }
        return false
    }

    /// Whether what follows a comma inside indirect content is the journalist's, not the
    /// speaker's: a framing clause (", after …", ", amid …"), an apposition (", a …"), or
    /// another attribution (", but experts say …").
    func endsContentAfterComma(_ k: Int, sentenceLast: Int) -> Bool {
        let t = tokens[k]
        guard t.kind == .word, t.quote < 0 else { return false }
        if StatementPass.framingOpeners.contains(t.key) || t.key == "a" || t.key == "an" { return true }
        // "… control of Lysychansk, the eastern city that …": an apposition to a place or name.
        if t.key == "the", k >= 2, tokens[k - 2].capitalized, tokens[k - 2].kind == .word, k + 2 <= sentenceLast,
           !tokens[k + 1].capitalized, tokens[k + 1].kind == .word { return true }
        let subjectStart = t.has(.conjunctions) ? k + 1 : k
        guard subjectStart <= sentenceLast else { return false }
        // ", while another says …", ", and most said …": a counted subject with its own verb.
        let count = tokens[subjectStart].kind == .word && StatementPass.quantityWords.contains(tokens[subjectStart].key)
            ? SpeakerPhrase(first: subjectStart, last: subjectStart) : nil
        guard let p = count ?? phraseStarting(at: subjectStart, upperBound: sentenceLast + 1) else { return false }
        var v = p.last + 1
        while v <= sentenceLast, tokens[v].kind == .word, tokens[v].has(.auxiliaries) || StatementWords.isAdverb(tokens[v].key) { v += 1 }
        guard v <= sentenceLast, let c = cueAt[v], tokens[v].quote < 0 else { return false }
        return isSpeechCue(c) && c.form.frame != .according
    }

    /// Words of a discourse aside between a subject and its verb (", however,", ", for instance,").
    static let asideWords: Set<String> = ["however", "though", "meanwhile", "too", "for", "instance", "example", "in", "turn",
                                          "fact", "meantime", "moreover", "also", "likewise", "instead", "nonetheless", "nevertheless"]

    /// Prepositions before a participle cue whose subject is the sentence's ("after warning …").
    static let participleOpeners: Set<String> = ["after", "before", "by", "while", "when"]

    /// Openers of a journalist's framing clause after reported content.
    static let framingOpeners: Set<String> = ["after", "amid", "following", "despite"]

    func isClosingOfQuote(_ k: Int) -> Bool {
        let q = tokens[max(0, k - 1)].quote
        return q >= 0 && quotes[q].closeToken == k
    }

    mutating func readIndirect(_ cue: FoundCue) {
        let i = cue.first
        let (sFirst, sLast) = sentenceBounds(i)
        var speaker: SpeakerPhrase? = nil
        var speakerFrom: Int? = nil
        let isParticiple = cue.form.words[0].hasSuffix("ing")
        let before = skipAuxiliariesLeft(i - 1, lowerBound: sFirst)
        // The same sentence's previous statement, for ellipsis and participle clauses.
        let previousInSentence = draftsBySentence[tokens[i].sentence]?.last { drafts[$0].cue.map { $0.first < i } ?? false }
        if before >= sFirst, tokens[before].kind == .word, tokens[before].has(.conjunctions),
           let p = previousInSentence {
            // "Russia has denied … but has argued that …": same subject.
            speakerFrom = p
            trimContent(of: p, before: tokens[before].start)
        } else if before >= sFirst, tokens[before].kind == .word, tokens[before].key == "and" || tokens[before].key == "but",
                  let p = sentenceSubject(sFirst, before) {
            // "McConnell was quick to embrace him and said …": the sentence's subject.
            speaker = p
        } else if isParticiple, before > sFirst, tokens[before].kind == .word, StatementPass.participleOpeners.contains(tokens[before].key),
                  tokens[before - 1].quote < 0, let p = sentenceSubject(sFirst, before) {
            // "Russia drew protests after threatening to …": the sentence's subject.
            speaker = p
        } else if isParticiple, i == sFirst || onlyOpeners(sFirst, i - 1) || (i - 1 == sFirst && StatementPass.participleOpeners.contains(tokens[sFirst].key)) {
            // "Promising that …, Kone said …", "In addition to stating that …, Reyes …": an
            // opening participle clause belongs to the subject after its comma.
            readOpeningParticiple(cue, sentenceLast: sLast)
            return
        } else if isParticiple, before >= sFirst, tokens[before].key == "," || (tokens[before].isQuoteMark && before > sFirst && tokens[before - 1].key == ",") {
            // (", adding …" also after a quotation whose comma is inside its marks: "“…,” adding that …")
            if let p = previousInSentence {
                speakerFrom = p
            } else if let p = sentenceSubject(sFirst, i) {
                speaker = p
            } else {
                return
            }
        } else if let p = subject(beforeCue: i, lowerBound: sFirst) {
            speaker = p
        } else if i > sFirst, tokens[i - 1].key == "," || isDash(i - 1) || tokens[i - 1].isQuoteMark,
                  let p = phraseStarting(at: cue.last + 1, upperBound: sLast + 1) {
            // "…, said X."
            guard isSpeechCue(cue), !speakerIsImplausible(p, cue: cue) else { return }
            // The inverted attribution trails its clause: "…, suggests the public still backs …" is
            // a verb with its own subject and object, not "said X".
            if p.last + 1 <= sLast, tokens[p.last + 1].kind == .word {
                let next = tokens[p.last + 1]
                if next.has([.auxiliaries, .beForms]) || StatementWords.isAdverb(next.key) || StatementPass.predicateOpeners.contains(next.key)
                    || cueAt[p.last + 1] != nil { return }
                // "…, said China and Russia have …": a coordinated subject with its own verb.
                if next.key == "and" || next.key == "or" {
                    var m = p.last + 2
                    while m <= min(sLast, p.last + 6), tokens[m].kind == .word, tokens[m].capitalized { m += 1 }
                    if m <= sLast, m > p.last + 2, tokens[m].kind == .word, tokens[m].has([.auxiliaries, .beForms]) || StatementPass.predicateOpeners.contains(tokens[m].key) { return }
                }
            }
            let content = contentSpan(sFirst, i - 2)
            guard let content, content.words >= 2 else { return }
            consumeCue(cue)
            addIndirect(DraftStatement(kind: .indirect, fragments: [content.span], speaker: p, cue: cue, continues: nil,
                                       speakerFrom: nil, polarity: cue.form.polarity, sentence: tokens[i].sentence), quotes: content.quotes)
            return
        } else {
            return
        }
        if cue.form.ambiguous, let speaker {
            // A noun-like form needs a clear subject: a pronoun or a name; or a verb's company:
            // "that" after it ("the agency reports that"), a relative pronoun before its subject.
            let head = tokens[speaker.last]
            var verbalByContext = (cue.last + 1 < tokens.count && tokens[cue.last + 1].key == "that") || isRelativeAttribution(cue)
            // "…, the agency reported.": a trailing attribution at the sentence's end is a verb.
            if speaker.first > sFirst + 2, tokens[speaker.first - 1].key == ",", cue.last + 1 <= sLast, isSentenceEnd(cue.last + 1) || cue.last + 1 == sLast { verbalByContext = true }
            // "called the drone “homemade”": an object cue with a quotation close after it.
            if cue.form.frame == .object {
                var m = cue.last + 1
                while m <= min(sLast, cue.last + 6), !tokens[m].isQuoteMark, tokens[m].key != "," { m += 1 }
                if m <= min(sLast, cue.last + 6), tokens[m].isQuoteMark { verbalByContext = true }
            }
            // "the defence ministry claims": a body's name is a clear subject too.
            if head.has(.organisationWords), head.has(.titleWords) || speaker.first < speaker.last { verbalByContext = true }
            // "Legal observers note the White House …": a base form after a plural common noun
            // agrees with it as its verb ("the tax plans call for …" is a verb too).
            if !head.capitalized, StatementPass.looksPlural(head.key), !(speaker.first...speaker.last).contains(where: { tokens[$0].key.hasSuffix("'s") }),
               !cue.form.words[0].hasSuffix("s"), !cue.form.words[0].hasSuffix("ed"), !cue.form.words[0].hasSuffix("ing"),
               cue.last + 1 < tokens.count, tokens[cue.last + 1].kind == .word || tokens[cue.last + 1].isQuoteMark,
               !tokens[cue.last + 1].has([.beForms, .auxiliaries]) { verbalByContext = true }
            // "The online retailer reported a profit", "outside groups reported spending …": a past
            // tense after a noun phrase that opens with a determiner or is plural is the verb.
            // ("a website called …" names; "reported by" is a passive.)
            if cue.form.words[0].hasSuffix("ed"), ["report", "claim", "note"].contains(cue.form.lemma), speaker.first < speaker.last,
               cue.last + 1 < tokens.count, tokens[cue.last + 1].key != "by",
               tokens[speaker.first].has(.determiners) || StatementPass.looksPlural(head.key) { verbalByContext = true }
            if !(head.capitalized || head.has(.subjectPronouns) || verbalByContext) { return }
            // "The preposterous claim that …": a singular form after a singular common noun phrase is the noun.
            if !cue.form.words[0].hasSuffix("s"), !cue.form.words[0].hasSuffix("ed"), !head.capitalized, !head.has(.subjectPronouns),
               !StatementPass.looksPlural(head.key), !head.has(.organisationWords) { return }
        }
        if let speaker, speakerIsImplausible(speaker, cue: cue) { return }
        // "…, a threat Kyiv called blackmail": an apposition's noun is the object; the name after it speaks.
        if let p = speaker, p.first > sFirst, tokens[p.first - 1].key == ",", tokens[p.first].key == "a" || tokens[p.first].key == "an",
           tokens[p.last].capitalized {
            var n = p.last
            while n > p.first + 1, tokens[n - 1].capitalized { n -= 1 }
            if n > p.first + 1, !tokens[n - 1].capitalized, !tokens[n - 1].has(.titleWords) { speaker = SpeakerPhrase(first: n, last: p.last) }
        }
        // Where is the content: after the verb, or before the speaker ("…, X said")?
        let after = skipAfterCue(cue, upperBound: sLast + 1)
        let speakerFirst = speaker?.first ?? i
        // ("Early Tuesday, the ministry disclosed …": an opening time phrase is no content before the speaker.)
        let preceded = speakerFrom == nil && speakerFirst > sFirst + 2 && (tokens[speakerFirst - 1].key == "," || isDash(speakerFirst - 1))
            && !isTimePhrase(sFirst, speakerFirst - 2) && !isOpeningParticiplePhrase(sFirst, speakerFirst - 2)
        // "…, people close to the mayor say.": a trailing attribution whose subject runs back to the comma.
        if speakerFrom == nil, isSpeechCue(cue), !preceded, after > sLast || isSentenceEnd(after) || tokens[after].key == ";",
           let (subjectFirst, comma) = trailingSubject(beforeCue: i, sentenceFirst: sFirst),
           let content = contentSpan(sFirst, comma - 1), content.words >= 3 {
            consumeCue(cue)
            addIndirect(DraftStatement(kind: .indirect, fragments: [content.span], speaker: SpeakerPhrase(first: subjectFirst, last: skipAuxiliariesLeft(i - 1, lowerBound: subjectFirst)),
                                       cue: cue, continues: nil, speakerFrom: nil, polarity: cue.form.polarity, sentence: tokens[i].sentence), quotes: content.quotes)
            return
        }
        if preceded && isSpeechCue(cue) {
            let tailEmpty = after > sLast || isSentenceEnd(after)
            let tailComma = !tailEmpty && tokens[after].key == ","
            if tailEmpty || tailComma || has(after, .subordinators) {
                guard let content = contentSpan(sFirst, speakerFirst - 2), content.words >= 2 else { return }
                var fragments = [content.span]
                var qs = content.quotes
                // "A wall would …, she said, but also …": the sentence goes on after the attribution.
                // (A verb of thought or stance there is the sentence's own verb: "His wife, he
                // says, plans to leave …"; a participle cue is another act: "…, she said, adding …".)
                if tailComma, after + 1 <= sLast, tokens[after + 1].kind == .word,
                   !tokens[after + 1].has(.subordinators),
                   cueAt[after + 1].map({ !isSpeechCue($0) && !$0.form.words[0].hasSuffix("ing") }) ?? true {
                    let end = contentEnd(from: after + 1, sentenceLast: sLast)
                    if end > after + 1, let more = contentSpan(after + 1, end), more.words >= 2 {
                        fragments.append(more.span)
                        qs += more.quotes
                    }
                }
                consumeCue(cue)
                addIndirect(DraftStatement(kind: .indirect, fragments: fragments, speaker: speaker, cue: cue, continues: nil,
                                           speakerFrom: nil, polarity: cue.form.polarity, sentence: tokens[i].sentence), quotes: qs)
                return
            }
        }
        var start = after
        if start <= sLast, tokens[start].key == "that" { start += 1 }
        if start <= sLast, tokens[start].key == "," || tokens[start].key == ":" { start += 1 }
        guard start <= sLast else { return }
        if tokens[start].quote >= 0, quoteOwner[tokens[start].quote] >= 0 { return }
        if tokens[start].isQuoteMark, start + 1 <= sLast, tokens[start + 1].quote >= 0, quoteOwner[tokens[start + 1].quote] >= 0 { return }
        var end = contentEnd(from: start, sentenceLast: sLast, nominal: cue.form.frame == .object)
        // "Kone, who has called for a ban on imports, spoke on Monday": the content of a
        // relative clause set off by commas ends at the comma before the sentence's own verb.
        // (A reported clause must have its own verb before that comma: "said the two men, and
        // Reyes in particular, must …" goes on.)
        if let p = speaker, isRelativeSubject(p, cue: i) {
            var m = start
            var clauseVerb = cue.form.frame == .object
            while m < end {
                if tokens[m].key == ",", tokens[m].quote < 0, clauseVerb, startsPredicate(m + 1) { end = m - 1; break }
                if !clauseVerb, startsPredicate(m) || (m > start && tokens[m].kind == .word && !tokens[m].capitalized && tokens[m].key.hasSuffix("s")
                    && !tokens[m].key.hasSuffix("ss") && tokens[m - 1].kind == .word && !tokens[m - 1].has(.determiners)) { clauseVerb = true }
                m += 1
            }
        }
        // "…'s vote, which she has said was a mistake, was …": a relative clause set off by
        // commas ends at its closing comma.
        if let comma = trailingRelativeComma(cue), comma >= sFirst {
            var m = start
            while m <= end, !(tokens[m].key == "," && tokens[m].quote < 0) { m += 1 }
            if m <= end { end = m - 1 }
        }
        guard end >= start, let content = contentSpan(start, end), content.words >= 2 || cue.form.frame == .object else { return }
        consumeCue(cue)
        addIndirect(DraftStatement(kind: .indirect, fragments: [content.span], speaker: speaker, cue: cue, continues: nil,
                                   speakerFrom: speakerFrom, polarity: cue.form.polarity, sentence: tokens[i].sentence), quotes: content.quotes)
    }

    /// An opening participle clause ("Citing the flood, Kone urged …"): the content runs from the
    /// cue to the comma before the main clause, whose subject speaks. Nothing when no comma with a
    /// subject and verb after it closes the clause.
    mutating func readOpeningParticiple(_ cue: FoundCue, sentenceLast sLast: Int) {
        guard !StatementPass.evidenceLemmas.contains(cue.form.lemma) else { return }
        var start = skipAfterCue(cue, upperBound: sLast + 1)
        if start <= sLast, tokens[start].key == "that" { start += 1 }
        // "Writing in the Telegraph, he …", "Telling him to leave, …": a venue or an order, no content.
        guard start <= sLast, !StatementPass.venueOpeners.contains(tokens[start].key) else { return }
        var comma = start
        while comma <= min(sLast, start + 40), !(tokens[comma].key == "," && tokens[comma].quote < 0) {
            if tokens[comma].kind == .punct, [";", ":"].contains(tokens[comma].key) || isDash(comma) { return }
            comma += 1
        }
        guard comma <= min(sLast, start + 40), comma > start, comma + 1 <= sLast else { return }
        // The main clause: a pronoun or a name or title phrase, then (auxiliaries and) a verb.
        guard let p = tokens[comma + 1].has(.subjectPronouns) ? SpeakerPhrase(first: comma + 1, last: comma + 1) : phraseEnding(at: mainClauseSubjectEnd(from: comma + 1, sentenceLast: sLast) ?? -1, lowerBound: comma + 1),
              p.first == comma + 1, !tokens[p.last].has(.determiners),
              tokens[p.last].capitalized || tokens[p.last].has([.subjectPronouns, .titleWords, .organisationWords]) else { return }
        guard let content = contentSpan(start, comma - 1), content.words >= 2 else { return }
        consumeCue(cue)
        addIndirect(DraftStatement(kind: .indirect, fragments: [content.span], speaker: p, cue: cue, continues: nil,
                                   speakerFrom: nil, polarity: cue.form.polarity, sentence: tokens[cue.first].sentence), quotes: content.quotes)
    }

    /// The last token of the subject of a main clause starting at `from`: the word before its
    /// first verb-like token (an auxiliary, a form of "be", a cue, or a word in -ed or -s after a
    /// capitalised word), within eight tokens.
    func mainClauseSubjectEnd(from: Int, sentenceLast: Int) -> Int? {
        var k = from
        while k <= min(sentenceLast, from + 8), tokens[k].kind == .word, tokens[k].quote < 0 {
            let t = tokens[k]
            if k > from, t.has([.auxiliaries, .beForms]) || cueAt[k] != nil || (!t.capitalized && (t.key.hasSuffix("ed") || t.key.hasSuffix("s")) && tokens[k - 1].capitalized) {
                return k - 1
            }
            k += 1
        }
        return nil
    }

    /// Whether the speaker of the cue at `cue` is the antecedent of a relative clause set off by a
    /// comma: "Kone, who said …" (the phrase is "who") or "the Courier, which said …".
    func isRelativeSubject(_ p: SpeakerPhrase, cue: Int) -> Bool {
        let w = skipAuxiliariesLeft(cue - 1, lowerBound: p.last)
        guard w >= 0, tokens[w].key == "who" || tokens[w].key == "which", w >= 1, tokens[w - 1].key == "," else { return false }
        return p.last == w || p.last == w - 2
    }

    /// Whether token `k` opens a finite predicate: an auxiliary, a form of "be", or a lower-case
    /// past tense or reporting verb ("…, spoke on Monday", "…, was re-elected").
    func startsPredicate(_ k: Int) -> Bool {
        guard k < tokens.count, tokens[k].kind == .word, tokens[k].quote < 0, !tokens[k].capitalized else { return false }
        let t = tokens[k]
        if t.has([.auxiliaries, .beForms]) { return true }
        if StatementPass.pastTenses.contains(t.key) || ["spoke", "wrote", "said", "told"].contains(t.key) { return true }
        if t.key.hasSuffix("ed"), t.key.unicodeScalars.count > 4 { return true }
        return false
    }

    /// Words that open a predicate right after a noun phrase ("the public still backs …").
    static let predicateOpeners: Set<String> = ["still", "also", "now", "already", "not", "never", "only", "just", "would", "will",
                                                "could", "should", "may", "might", "must", "can", "has", "have", "had", "does", "did"]

    /// The subject of a trailing attribution that runs back to a comma ("…, people close to the
    /// mayor say", "…, political analysts say"): two to eight plain words after the comma, none a
    /// verb, pronoun or cue. Returns the subject's first token and the comma.
    func trailingSubject(beforeCue cue: Int, sentenceFirst sFirst: Int) -> (Int, Int)? {
        let last = skipAuxiliariesLeft(cue - 1, lowerBound: sFirst)
        var k = last
        while k > sFirst, k > last - 8, tokens[k].kind == .word, tokens[k].quote < 0, cueAt[k] == nil,
              !tokens[k].has([.subjectPronouns, .auxiliaries, .beForms]), !StatementPass.clauseWords.contains(tokens[k].key) { k -= 1 }
        guard k > sFirst + 2, tokens[k].key == ",", last - k >= 2, tokens[k + 1].kind == .word, !tokens[k + 1].has(.conjunctions),
              !StatementPass.clauseLinks.contains(tokens[k + 1].key) else { return nil }
        return (k + 1, k)
    }

    /// What images, data and places "show" or "indicate" is evidence, not a statement.
    static let evidenceNouns: Set<String> = ["footage", "video", "videos", "image", "images", "imagery", "photograph",
                                             "photographs", "photo", "photos", "picture", "pictures", "data", "figures",
                                             "statistics", "scene", "map", "maps", "building", "readings", "pictured"]
    static let evidenceLemmas: Set<String> = ["show", "indicate", "suggest", "reveal", "find"]

    func speakerIsImplausible(_ p: SpeakerPhrase, cue: FoundCue) -> Bool {
        let head = tokens[p.last]
        if head.key == "it" { return false }
        if StatementPass.evidenceLemmas.contains(cue.form.lemma), StatementPass.evidenceNouns.contains(head.key) { return true }
        // A phrase of only lowercase non-nouns ("the first") is no speaker.
        if p.first == p.last, head.has(.determiners), !StatementPass.quantityWords.contains(head.key) { return true }
        // A lone lowercase verb form ("sparked fears …", "traded blame") or "for example, …" is no speaker.
        if p.first == p.last, !head.capitalized, head.key.hasSuffix("ed") || head.key == "example" || head.key == "instance" { return true }
        return false
    }

    /// "According to X, …" / "…, according to X."
    mutating func readAccordingTo(_ cue: FoundCue) {
        let (sFirst, sLast) = sentenceBounds(cue.first)
        guard let p = phraseStarting(at: cue.last + 1, upperBound: sLast + 1) ?? sourceWords(after: cue, sentenceLast: sLast) else { return }
        var contentRange: (Int, Int)
        var k = cue.first - 1
        while k >= sFirst, tokens[k].kind == .punct, !tokens[k].isQuoteMark { k -= 1 }
        if k < sFirst || (tokens[k].isQuoteMark && tokens[k].quote < 0 && k == sFirst) || onlyOpeners(sFirst, k) {
            // Sentence-initial (perhaps after "But", "In addition,"): content after the phrase (and its comma).
            var s = p.last + 1
            // "According to reports in the local press, …": the source runs on to its comma.
            if s <= sLast, tokens[s].key != ",", let close = setOffEnd(after: p.last, sentenceLast: sLast) { s = close }
            while s <= sLast, tokens[s].kind == .punct, tokens[s].key == "," { s += 1 }
            // Skip an appositive of the source ("According to X, the head of Y, …").
            contentRange = (s, contentEnd(from: s, sentenceLast: sLast))
        } else {
            // A statement already ends here ("X said Y, according to Z")? Then it is only a source note.
            if let last = drafts.last, last.end >= tokens[sFirst].start, last.sentence == tokens[cue.first].sentence { return }
            // "X, according to Y, is Z": an attribution set off in the middle reports the whole
            // sentence around it (after an opening like "He left after," only what follows).
            if tokens[cue.first - 1].key == ",", let close = setOffEnd(after: p.last, sentenceLast: sLast) {
                let afterEnd = contentEnd(from: close + 1, sentenceLast: sLast)
                if afterEnd > close, let after = contentSpan(close + 1, afterEnd), after.words >= 3 {
                    var fragments: [TextSpan] = []
                    var qs: [Int] = []
                    if let before = contentSpan(sFirst, k), before.words >= 2, !StatementPass.clauseLinks.contains(tokens[k].key) {
                        fragments.append(before.span)
                        qs += before.quotes
                    }
                    fragments.append(after.span)
                    qs += after.quotes
                    consumeCue(cue)
                    addIndirect(DraftStatement(kind: .indirect, fragments: fragments, speaker: p, cue: cue, continues: nil,
                                               speakerFrom: nil, polarity: .assert, sentence: tokens[cue.first].sentence), quotes: qs)
                    return
                }
            }
            contentRange = (sFirst, k)
            // Content after the phrase, too: "…, according to X, who …" is rare; ignore.
        }
        guard contentRange.1 >= contentRange.0, let content = contentSpan(contentRange.0, contentRange.1), content.words >= 3 else { return }
        consumeCue(cue)
        addIndirect(DraftStatement(kind: .indirect, fragments: [content.span], speaker: p, cue: cue, continues: nil,
                                   speakerFrom: nil, polarity: .assert, sentence: tokens[cue.first].sentence), quotes: content.quotes)
    }

    /// The source after "according to" when it is no noun phrase of the name rules ("him",
    /// "early returns"): its words up to the next punctuation, at most eight, all plain words.
    func sourceWords(after cue: FoundCue, sentenceLast: Int) -> SpeakerPhrase? {
        let first = cue.last + 1
        guard first <= sentenceLast, tokens[first].kind == .word, tokens[first].quote < 0 else { return nil }
        if tokens[first].has(.objectPronouns) { return SpeakerPhrase(first: first, last: first) }
        var k = first
        while k + 1 <= min(sentenceLast, first + 7), tokens[k + 1].kind == .word, tokens[k + 1].quote < 0, cueAt[k + 1] == nil { k += 1 }
        guard k + 1 > sentenceLast || tokens[k + 1].kind == .punct, !tokens[k].has([.stopWords, .determiners]) else { return nil }
        return SpeakerPhrase(first: first, last: k)
    }

    static let timeWords: Set<String> = ["early", "late", "later", "earlier", "last", "next", "this", "that", "on", "in", "at", "by",
                                         "yesterday", "today", "tonight", "morning", "afternoon", "evening", "night", "week", "month",
                                         "year", "weekend", "now", "then", "meanwhile", "for", "since", "until"]

    /// Tokens `a...b` are only a time phrase ("Early Tuesday", "On Monday night", "In March"): at
    /// most four words, each a time word, a weekday, a month or a number.
    func isTimePhrase(_ a: Int, _ b: Int) -> Bool {
        guard a <= b, b - a < 5 else { return false }
        var words = 0
        for k in a...b {
            let t = tokens[k]
            if t.kind == .punct { if t.key == "," || t.key == "." { continue } else { return false } }
            guard t.kind == .word, StatementPass.timeWords.contains(t.key) || t.has([.weekdays, .months]) || t.key.first?.isNumber == true else { return false }
            words += 1
        }
        return words > 0
    }

    /// Whether tokens `a...b` are an opening participle phrase ("Reaching for the jugular,",
    /// "Speaking to reporters,"): the speaker's manner, not content. An -ing word followed by a
    /// preposition or determiner; "Rising prices hurt farmers, X said" is content.
    func isOpeningParticiplePhrase(_ a: Int, _ b: Int) -> Bool {
        guard a < b, b - a < 12, tokens[a].kind == .word, tokens[a].capitalized, tokens[a].key.hasSuffix("ing"), tokens[a].key.count > 5,
              tokens[a + 1].kind == .word, tokens[a + 1].has(.determiners) || StatementPass.venueOpeners.contains(tokens[a + 1].key) || tokens[a + 1].key == "about" else { return false }
        return !(a...b).contains { tokens[$0].quote >= 0 || tokens[$0].has(.beForms) }
    }

    /// Words that link a clause to what follows and so cannot end reported content ("… after, according to X, …").
    static let clauseLinks: Set<String> = ["after", "before", "because", "since", "that", "when", "while", "but", "and", "as", "if", "although"]

    /// Tokens `a...b` are only a sentence opening ("But", "In addition,", "Still,"): no content of their own.
    func onlyOpeners(_ a: Int, _ b: Int) -> Bool {
        guard a <= b, b - a < 4 else { return false }
        for k in a...b {
            let t = tokens[k]
            if t.kind == .punct { if t.key == "," { continue } else { return false } }
            guard t.kind == .word, t.has(.capitalisedFunctionWords) || StatementWords.isAdverb(t.key) || t.key == "addition" else { return false }
        }
        return true
    }

    /// The comma that closes a source phrase set off after "according to" ("…, according to an
    /// interview with the paper at the time, …"): within 15 tokens, before any sentence end,
    /// quotation or other cue.
    func setOffEnd(after last: Int, sentenceLast: Int) -> Int? {
        var k = last + 1
        while k <= min(sentenceLast, last + 15) {
            let t = tokens[k]
            if t.key == "," { return k < sentenceLast ? k : nil }
            if t.quote >= 0 || t.isQuoteMark || isSentenceEnd(k) || isDash(k) || cueAt[k] != nil { return nil }
            k += 1
        }
        return nil
    }

    /// The subject at the start of a sentence ("Trump attacked …, saying …").
    func sentenceSubject(_ sFirst: Int, _ limit: Int) -> SpeakerPhrase? {
        var k = sFirst
        while k < limit, tokens[k].kind != .word { k += 1 }
        // "And even Reyes tried …": a leading conjunction or focus word is no part of the subject.
        while k + 1 < limit, StatementPass.leadingLinks.contains(tokens[k].key), tokens[k + 1].kind == .word { k += 1 }
        guard k < limit else { return nil }
        // "Earlier this month, X …", "In March, X …": a short opening adverbial is passed over.
        if tokens[k].has([.capitalisedFunctionWords, .weekdays, .months]) {
            var c = k + 1
            while c < min(limit, k + 7), tokens[c].kind == .word, tokens[c].quote < 0 { c += 1 }
            if c < min(limit, k + 7), tokens[c].key == ",", c + 1 < limit {
                k = c + 1
                while k < limit, tokens[k].kind != .word { k += 1 }
                guard k < limit else { return nil }
            }
        }
        if tokens[k].has(.subjectPronouns) { return SpeakerPhrase(first: k, last: k) }
        guard let p = phraseStarting(at: k, upperBound: limit) else { return nil }
        // "Ms. Doumbe pleaded guilty, saying …": the phrase ends at its last name or title word.
        var last = p.last
        // "Kone left the hall, saying …": a name followed by a lower-case word ends there; the
        // word is the sentence's verb.
        if tokens[p.first].capitalized, !tokens[p.first].has(.determiners) {
            var q = p.first
            while q < p.last, tokens[q + 1].capitalized || ((tokens[q + 1].key == "of" || tokens[q + 1].key == "for") && q + 2 <= p.last && tokens[q + 2].capitalized) { q += 1 }
            if q < p.last, !tokens[q + 1].has(.titleWords) { last = q }
        }
        while last > p.first, !(tokens[last].capitalized || tokens[last].has(.titleWords)) { last -= 1 }
        guard tokens[last].capitalized || tokens[last].has(.titleWords) else { return nil }
        if last < p.last, tokens[last].has(.capitalisedFunctionWords) { return nil }
        return SpeakerPhrase(first: p.first, last: last)
    }

    mutating func consumeCue(_ cue: FoundCue) { markConsumed(cue.first, cue.last) }

    /// Scalar span of tokens a...b, with the quotations it holds.
    func contentSpan(_ a: Int, _ b: Int) -> (span: TextSpan, quotes: [Int], words: Int)? {
        var a = a, b = b
        while a <= b, tokens[a].kind == .punct, !tokens[a].isQuoteMark { a += 1 }
        // A question or exclamation mark belongs to what was said; other closing punctuation does not.
        while b >= a, tokens[b].kind == .punct, !tokens[b].isQuoteMark, tokens[b].key != "?", tokens[b].key != "!" { b -= 1 }
        guard a <= b else { return nil }
        var qs: [Int] = []
        var words = 0
        for k in a...b {
            if tokens[k].kind == .word { words += 1 }
            if tokens[k].quote >= 0, qs.last != tokens[k].quote { qs.append(tokens[k].quote) }
        }
        // A quotation cut by the content's edge is taken whole.
        var start = tokens[a].start, end = tokens[b].end
        if let f = qs.first, quotes[f].start < start, !tokens[a].isQuoteMark { start = min(start, tokens[quotes[f].openToken].start) }
        if let l = qs.last, quotes[l].end > end { end = quotes[l].closeToken.map { tokens[$0].end } ?? quotes[l].end }
        return (TextSpan(start: start, end: end), qs, words)
    }

    mutating func addIndirect(_ d: DraftStatement, quotes qs: [Int]) {
        var d = d
        let owned = qs.filter { quoteOwner[$0] < 0 }
        if !owned.isEmpty {
            // Content that is wholly one quotation is direct; otherwise a quoted phrase makes it mixed.
            let q = quotes[owned[0]]
            let span = d.fragments[0]
            let inside = owned.count == 1 && span.start >= tokens[q.openToken].start && span.end <= (q.closeToken.map { tokens[$0].end } ?? q.end)
            if inside {
                d.kind = .direct
                d.fragments = [TextSpan(start: q.start, end: q.end)]
            } else {
                d.kind = .mixed
            }
            d.quotes = owned
        }
        draftsBySentence[d.sentence, default: []].append(drafts.count)
        drafts.append(d)
        for q in owned { quoteOwner[q] = drafts.count - 1 }
    }

    /// Ends a draft's content before a scalar offset (the "but" of a coordinated clause).
    mutating func trimContent(of d: Int, before offset: Int) {
        guard var last = drafts[d].fragments.last, last.end > offset, last.start < offset else { return }
        var e = offset
        let sc = text.scalars
        while e > last.start, ArticleText.isSpace(sc[e - 1]) || sc[e - 1] == "," { e -= 1 }
        last.end = e
        drafts[d].fragments[drafts[d].fragments.count - 1] = last
    }

    // MARK: output

    func statements(resolver: inout SpeakerResolver, date: CalendarDate) -> [Statement] {
        let order = drafts.indices.sorted { drafts[$0].start < drafts[$1].start }
        var position = Array(repeating: -1, count: drafts.count)
        for (n, d) in order.enumerated() { position[d] = n }
        var out: [Statement] = []
        var resolved: [Speaker] = Array(repeating: Speaker(), count: drafts.count)
        for d in order {
            let draft = drafts[d]
            var speaker: Speaker
            if let phrase = draft.speaker {
                speaker = resolver.resolve(phrase, at: draft.start)
            } else if let from = draft.speakerFrom ?? draft.continues.map({ chainHead($0) }) {
                speaker = resolved[from]
                if draft.continues != nil {
                    speaker.surface = nil
                    speaker.start = nil
                    speaker.end = nil
                }
            } else {
                speaker = Speaker()
            }
            resolved[d] = speaker
            resolver.noteSpeaker(speaker)
            let fragments = draft.fragments.count > 1 ? draft.fragments.map { [$0.start, $0.end] } : nil
            var content = draft.fragments.map { text.string($0) }.joined(separator: " … ")
            if content.isEmpty { content = text.string(TextSpan(start: draft.start, end: draft.end)) }
            let cue = draft.cue.map { c in
                Cue(surface: text.string(TextSpan(start: tokens[c.first].start, end: tokens[c.last].end)), lemma: c.form.lemma,
                    start: tokens[c.first].start, end: tokens[c.last].end)
            }
            var continues: Int? = nil
            if let c = draft.continues, position[c] >= 0, position[c] < out.count { continues = position[c] }
            out.append(Statement(kind: draft.kind, content: content, start: draft.start, end: draft.end, fragments: fragments,
                                 continues: continues, speaker: speaker, cue: cue, date: date, polarity: draft.polarity))
        }
        return out
    }
}
