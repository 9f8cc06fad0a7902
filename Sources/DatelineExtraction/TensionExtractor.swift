import DatelineCore

/// Finds signals of conflict and cooperation between actors, coded CAMEO / Goldstein.
///
/// One pass over the article's tokens finds actor mentions (the gazetteer) and trigger phrases
/// (the lexicon). Each trigger's frame says where its actors are: the subject and object of a
/// verb ("Russia accused NATO"), the speaker of the reported speech that contains an evaluative
/// phrase (Lavrov: "… fail to deal with …" → RUS against the clause's other actors), or the
/// modifier and object of a material act ("a Russian troop build-up near Ukraine"). Roles that
/// an invasion or build-up leaves unnamed are taken from the article's other military signals.
/// Modality comes from the words before the trigger ("fears of a potential invasion": feared)
/// and from denials ("Russia has denied it is planning an invasion": denied). One event per
/// (date, source, target, code) per article; level statements ("tensions between Moscow and
/// Kyiv are at their highest in years") become `TENSION_STATEMENT` on the undirected pair.
public struct TensionExtractor: Sendable {
    public static let shared = TensionExtractor()

    let lexicon = TensionLexicon.shared
    let gazetteer = ActorGazetteer.shared

    public init() {}

    public func extract(from article: Article, statements: [Statement]) -> [Tension] {
        var doc = TensionDocument(article: article, scalars: Array(article.text.unicodeScalars), statements: statements,
                                  lexicon: lexicon, gazetteer: gazetteer)
        return doc.run()
    }

    /// The same, reusing an `ArticleText` already made for the article (its scalars), so a
    /// caller running both extractors decodes the text once.
    public func extract(from article: Article, text: ArticleText, statements: [Statement]) -> [Tension] {
        var doc = TensionDocument(article: article, scalars: text.scalars, statements: statements,
                                  lexicon: lexicon, gazetteer: gazetteer)
        return doc.run()
    }
}

/// The working state of one extraction: tokens, mentions, sentences and reported speech.
struct TensionDocument {
    let article: Article
    let lexicon: TensionLexicon
    let gazetteer: ActorGazetteer
    let scalars: [Unicode.Scalar]
    let tokens: [ActorToken]
    /// Party mentions (actors and, inside reported speech, first-person pronouns of the speaker).
    var parties: [Party] = []
    /// For each token, the index of the party covering it, or -1.
    var partyAt: [Int32]
    /// For each token, its sentence index.
    var sentenceOf: [Int32]
    var sentenceStart: [Int] = []  // token index where each sentence starts
    var sentenceEnd: [Int] = []
    /// For each token, the index into `speech` of the reported speech containing it, or -1.
    var speechAt: [Int32]
    var speech: [Speech] = []
    /// Surname or name tokens of resolved speakers ("lavrov") and their affiliation.
    var speakerNames: [String: ActorCode] = [:]
    /// While a conflict trigger (quad class 3 or 4) is resolved, the token where it starts: a
    /// country's firms named after it then stand for the country (see `isActor`). Nil otherwise.
    var conflictTriggerAt: Int?

    struct Party {
        var code: ActorCode
        var first: Int
        var last: Int
        var isPlace: Bool
        var isPronoun: Bool
        var kind: ActorMention.Kind = .name
    }

    struct Speech {
        var source: ActorCode
        var date: CalendarDate
        var denied: Bool
        var first: Int
        var last: Int
    }

    /// A trigger with its roles resolved as far as the sentence allows.
    struct Signal {
        var trigger: Int
        var first: Int
        var last: Int
        var sentence: Int
        var source: ActorCode?
        var target: ActorCode?
        var sourceExplicit: Bool
        var targetExplicit: Bool
        var modality: Modality
        var date: CalendarDate
        var evidenceFirst: Int
        var evidenceLast: Int
        var issue: String?
        /// Another actor of the sentence, the last resort for a missing target.
        var sentenceOther: ActorCode?
        /// Actors coordinated with the source or the target in one phrase ("Britain, the United
        /// States and Japan imposed …"): one event each.
        var moreSources: [ActorCode] = []
        var moreTargets: [ActorCode] = []
    }

    init(article: Article, scalars: [Unicode.Scalar], statements: [Statement], lexicon: TensionLexicon,
         gazetteer: ActorGazetteer) {
        self.article = article
        self.lexicon = lexicon
        self.gazetteer = gazetteer
        self.scalars = scalars
        tokens = ActorTokenizer.tokenize(scalars, vocabulary: ActorVocabulary.shared.table)
        let n = tokens.count
        partyAt = Array(repeating: -1, count: n)
        sentenceOf = Array(repeating: 0, count: n)
        speechAt = Array(repeating: -1, count: n)

        // Sentences over the tokens: a line break ends one, and so does . ! ? (with any closing
        // quotes) before a capital, an opening quote or a digit, unless the full stop ends an
        // abbreviation or an initial.
        var sentence: Int32 = 0
        for i in 0..<n {
            sentenceOf[i] = sentence
            if TensionDocument.endsSentence(tokens, i) { sentence += 1 }
        }
        let count = Int(sentence) + 1
        sentenceStart = Array(repeating: n, count: count)
        sentenceEnd = Array(repeating: 0, count: count)
        for i in 0..<n {
            let k = Int(sentenceOf[i])
            sentenceStart[k] = min(sentenceStart[k], i)
            sentenceEnd[k] = max(sentenceEnd[k], i + 1)
        }

        for m in gazetteer.scan(tokens, scalars, includePlaces: true) {
            let index = Int32(parties.count)
            let code = TensionDocument.stateOn(article.date, for: m.code)
            parties.append(Party(code: code, first: m.first, last: m.last, isPlace: m.isPlace, isPronoun: false, kind: m.kind))
            for t in m.first..<m.last { partyAt[t] = index }
        }
        addPeople()
        markSpeech(statements)
    }

    /// Sentence-ending, closing and opening marks, tested on a key without hashing it (this runs for every token).
    static func isTerminator(_ key: String) -> Bool { key == "." || key == "!" || key == "?" }
    static func isCloser(_ key: String) -> Bool {
        key == "\"" || key == "\u{201D}" || key == "\u{2019}" || key == "'" || key == ")" || key == "]"
    }
    static func isOpener(_ key: String) -> Bool {
        key == "\"" || key == "\u{201C}" || key == "\u{2018}" || key == "'" || key == "("
    }

    /// The . ! or ? that token `i` ends with: itself, or one before at most three closing marks
    /// (`.”)`). The walk is bounded so that a run of closing marks costs a few steps per token.
    static func terminator(endingAt i: Int, _ tokens: [ActorToken]) -> Int? {
        var k = i
        while k >= 0, k > i - 4, !tokens[k].isWord, isCloser(tokens[k].key), !isTerminator(tokens[k].key) { k -= 1 }
        return k >= 0 && !tokens[k].isWord && isTerminator(tokens[k].key) ? k : nil
    }

    static func endsSentence(_ tokens: [ActorToken], _ i: Int) -> Bool {
        let t = tokens[i]
        if t.isWord { return false }
        if t.key == "\n" { return true }
        guard isTerminator(t.key) || isCloser(t.key) else { return false }
        guard let k = terminator(endingAt: i, tokens) else { return false }
        let j = i + 1
        guard j < tokens.count else { return false }
        let next = tokens[j]
        if !next.isWord, isCloser(next.key), !isOpener(next.key) { return false }
        let starts = (next.isWord && (next.capitalized || next.key.utf8.first.map { $0 >= 48 && $0 <= 57 } == true))
            || isOpener(next.key) || next.key == "\n"
        guard starts else { return false }
        // "£2.6bn", "3.5%": a full stop with a digit right after it is a decimal point.
        if tokens[k].key == ".", k == i, next.isWord, next.start == t.end,
           next.key.utf8.first.map({ $0 >= 48 && $0 <= 57 }) == true {
            return false
        }
        if tokens[k].key == ".", k > 0, tokens[k - 1].isWord, tokens[k - 1].end == tokens[k].start {
            let w = tokens[k - 1]
            if ArticleText.abbreviations.contains(w.key) || (w.key.utf8.count == 1 && w.capitalized) { return false }
        }
        return true
    }

    /// The state a mention stood for on the article's day: before the Soviet Union ended (26
    /// December 1991), Russia, Moscow and the Kremlin in the news named the Soviet Union.
    static func stateOn(_ day: CalendarDate, for code: ActorCode) -> ActorCode {
        if code == russia, day < sovietEnd { return soviet }
        return code
    }

    static let russia = try! ActorCode("RUS")
    static let soviet = try! ActorCode("SUN")
    static let sovietEnd = CalendarDate(year: 1991, month: 12, day: 26)!

    /// Office holders of the people file named in the text ("Putin", "Joe Biden") act for their
    /// state on the article's day: a capitalised surname of one person in office then, not
    /// already part of an actor name, becomes a party coded to that office's affiliation.
    private mutating func addPeople() {
        let people = PeopleDirectory.shared
        for i in tokens.indices where partyAt[i] < 0 && tokens[i].isWord && tokens[i].capitalized {
            // Keys are lower-cased already: one dictionary probe rejects nearly every word.
            guard people.bySurname[tokens[i].key] != nil,
                  let person = people.person(surname: tokens[i].key, on: article.date),
                  let affiliation = person.term(on: article.date)?.affiliation else { continue }
            let code = TensionDocument.stateOn(article.date, for: affiliation)
            var first = i
            // The given name before the surname belongs to the mention ("Joe Biden").
            if first > 0, tokens[first - 1].isWord, tokens[first - 1].capitalized, partyAt[first - 1] < 0,
               person.name.lowercased().split(separator: " ").contains(Substring(tokens[first - 1].key)) { first -= 1 }
            let index = Int32(parties.count)
            parties.append(Party(code: code, first: first, last: i + 1, isPlace: false, isPronoun: false, kind: .name))
            for t in first...i { partyAt[t] = index }
        }
    }

    // MARK: reported speech

    static let firstPerson: Set<String> = ["we", "us", "our", "ours", "ourselves"]
    static let speechVerbs: Set<String> = [
        "said", "says", "say", "stated", "states", "argued", "argues", "insisted", "insists", "claimed", "claims",
        "warned", "warns", "told", "added", "stressed", "noted", "complained", "complains", "explained", "defined",
        "instructed", "declared", "announced", "asserted", "maintained", "maintains", "reiterated", "emphasised",
        "emphasized", "conceded", "concluded", "believes", "believed", "alleged", "alleges",
    ]

    private mutating func markSpeech(_ statements: [Statement]) {
        for st in statements {
            guard let affiliation = st.speaker.affiliation else { continue }
            let source = TensionDocument.stateOn(article.date, for: affiliation)
            let ranges: [(Int, Int)] = st.fragments.map { $0.compactMap { $0.count == 2 ? ($0[0], $0[1]) : nil } }
                ?? [(st.start, st.end)]
            guard let first = ranges.map(\.0).min(), let last = ranges.map(\.1).max() else { continue }
            let a = lowerBound(first), b = lowerBound(last)
            guard a < b else { continue }
            let index = Int32(speech.count)
            speech.append(Speech(source: source, date: st.date, denied: st.polarity == .deny, first: a, last: b))
            for t in a..<b where speechAt[t] < 0 {
                let inside = ranges.contains { tokens[t].start >= $0.0 && tokens[t].end <= $0.1 }
                if inside { speechAt[t] = index }
            }
            if let name = st.speaker.name {
                for w in name.split(separator: " ") where w.count >= 3 && w.first!.isUppercase {
                    speakerNames[w.lowercased()] = source
                }
            }
        }
        // Speech the statement list does not cover: "<actor> said/argued/warned (that) …".
        var i = 0
        while i < tokens.count {
            let p = partyAt[i]
            guard p >= 0, speechAt[i] < 0, !parties[Int(p)].isPlace else { i += 1; continue }
            let party = parties[Int(p)]
            let sentence = Int(sentenceOf[i])
            var j = party.last
            var steps = 0
            while j < sentenceEnd[sentence], steps < 4, !TensionDocument.speechVerbs.contains(tokens[j].key) {
                if !tokens[j].isWord { break }
                j += 1
                steps += 1
            }
            guard j < sentenceEnd[sentence], TensionDocument.speechVerbs.contains(tokens[j].key) else { i = party.last; continue }
            let a = j + 1, b = sentenceEnd[sentence]
            if a < b {
                let index = Int32(speech.count)
                speech.append(Speech(source: party.code, date: article.date, denied: false, first: a, last: b))
                for t in a..<b where speechAt[t] < 0 { speechAt[t] = index }
            }
            i = b
        }
        // First-person pronouns inside reported speech stand for the speaker.
        for t in 0..<tokens.count where speechAt[t] >= 0 && partyAt[t] < 0 && TensionDocument.firstPerson.contains(tokens[t].key) {
            let index = Int32(parties.count)
            parties.append(Party(code: speech[Int(speechAt[t])].source, first: t, last: t + 1, isPlace: false, isPronoun: true))
            partyAt[t] = index
        }
    }

    /// The first token index whose start is at or after `offset`.
    private func lowerBound(_ offset: Int) -> Int {
        var lo = 0, hi = tokens.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if tokens[mid].start < offset { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    // MARK: the pass

    mutating func run() -> [Tension] {
        var signals: [Signal] = []
        var levels: [Tension] = []
        var denials: [(Int, Range<Int>)] = []
        let n = tokens.count
        var i = 0
        while i < n {
            guard tokens[i].isWord else { i += 1; continue }
            let sentence = Int(sentenceOf[i])
            let limit = sentenceEnd[sentence]
            if let (value, end) = lexicon.triggerPhrases.match(tokens, at: i, limit: limit), partyAt[i] < 0,
               end >= tokens.count || !lexicon.triggers[value].unlessNext.contains(tokens[end].key),
               !isNoEventReading(of: lexicon.triggers[value], first: i, end: end, limit: limit) {
                let signal = resolveNoting(trigger: value, first: i, last: end, sentence: sentence)
                if lexicon.triggers[value].frame == .denial, signal != nil {
                    let scope = deniedScope(after: end, sentence: sentence, denier: signal?.source)
                    if let signal {
                        denials.append((signals.count, (signals.count + 1)..<(signals.count + 1 + scope.count)))
                        signals.append(signal)
                    }
                    signals.append(contentsOf: scope)
                    i = max(end, skipUntil)
                    continue
                }
                if let signal { signals.append(signal) }
                i = end
                continue
            }
            if let (_, end) = lexicon.tensionWords.match(tokens, at: i, limit: limit), let level = levelStatement(i, end, sentence) {
                levels.append(level)
                i = end
                continue
            }
            i += 1
        }
        fillFromContext(&signals)
        // A denial is about what it denies: its target is the denied act's target.
        for (d, scope) in denials where signals[d].target == nil {
            signals[d].target = scope.lazy.compactMap { signals[$0].target }.first { $0 != signals[d].source }
        }
        return emit(signals) + dedupLevels(levels)
    }

    /// Triggers inside the scope of a denial ("denied it's planning an invasion") are denied,
    /// and a material act with no named agent has the denier as agent.
    private mutating func deniedScope(after start: Int, sentence: Int, denier: ActorCode?) -> [Signal] {
        var out: [Signal] = []
        var i = start
        let limit = sentenceEnd[sentence]
        while i < limit {
            if lexicon.clauseBreak.contains(tokens[i].key) || tokens[i].key == ";" { break }
            if let (value, end) = lexicon.triggerPhrases.match(tokens, at: i, limit: limit), partyAt[i] < 0,
               lexicon.triggers[value].frame != .denial {
                if var signal = resolveNoting(trigger: value, first: i, last: end, sentence: sentence, forceDenied: true) {
                    if signal.source == nil, let denier, lexicon.triggers[value].frame == .material {
                        signal.source = denier
                        signal.sourceExplicit = true
                    }
                    out.append(signal)
                }
                i = end
                continue
            }
            i += 1
        }
        skipUntil = i
        return out
    }

    var skipUntil = 0

    // MARK: roles

    /// A party usable as an actor of a signal: not a place, and not an organisation named only
    /// as a forum ("in the context of the OSCE", "OSCE countries").
    private func isActor(_ p: Party, allowPlaces: Bool = false) -> Bool {
        if p.isPlace && !allowPlaces { return false }
        // "the Australian dollar", "Japanese yen": a currency, not the state.
        if p.kind == .demonym, p.last < tokens.count, TensionDocument.currencyNouns.contains(tokens[p.last].key) { return false }
        // "an agreement with British and German interests": companies, not the state; but a
        // threat, sanction or accusation aimed at a country's firms (named after the trigger)
        // is aimed at the country. "German firms accused Russia": the firms, not Germany.
        if p.kind == .demonym, p.last < tokens.count, TensionDocument.companyNouns.contains(tokens[p.last].key),
           !(conflictTriggerAt.map { p.first > $0 } ?? false) {
            return false
        }
        // "pro-Russian separatists", "anti-Kremlin protesters": supporters or opponents, not the state.
        if p.first >= 2, tokens[p.first - 1].key == "-", TensionDocument.stancePrefixes.contains(tokens[p.first - 2].key) {
            return false
        }
        var before = p.first - 1
        if before >= 1, tokens[before].key == "the" { before -= 1 }
        if !allowPlaces, !p.isPronoun, before >= 0, tokens[before].isWord,
           TensionDocument.locativeBeforeName.contains(tokens[before].key) {
            return false
        }
        if !gazetteer.isState(p.code), !p.isPronoun {
            if p.last < tokens.count, TensionDocument.memberNouns.contains(tokens[p.last].key), p.first > 0,
               TensionDocument.quantifiers.contains(tokens[p.first - 1].key) {
                return false  // "all the OSCE countries", "any other OSCE state": members, not the organisation
            }
            var k = p.first - 1
            if k >= 0, tokens[k].key == "the" { k -= 1 }
            if k >= 1, tokens[k].key == "of", TensionDocument.forumNouns.contains(tokens[k - 1].key) { return false }
            if k >= 0, TensionDocument.forumPrepositions.contains(tokens[k].key) { return false }
        }
        return true
    }

    /// `resolve`, with `conflictTriggerAt` set for the trigger while it runs.
    private mutating func resolveNoting(trigger index: Int, first: Int, last: Int, sentence: Int,
                                        forceDenied: Bool = false) -> Signal? {
        let isConflict = (lexicon.codes[lexicon.triggers[index].cameo]?.quadClass ?? 0) >= 3
        conflictTriggerAt = isConflict ? first : nil
        defer { conflictTriggerAt = nil }
        return resolve(trigger: index, first: first, last: last, sentence: sentence, forceDenied: forceDenied)
    }

    /// Readings of a trigger phrase that name no act between actors, told by the words around
    /// it: a war of another kind ("trade war"), a deal struck, a sanction undone ("lifted its
    /// ban on"), excluded rather than frozen ("frozen out of"), a requirement met rather than a
    /// meeting ("to meet the bloc's standards"), words attacked rather than people ("attacked
    /// the forecasts"), something withheld rather than denied ("deny licences"), "armed" that
    /// describes, a dictionary verb used as a noun ("the company's U.S. arm", "an arm of"),
    /// and a war in general or one that may come.
    private func isNoEventReading(of trigger: TensionTrigger, first: Int, end: Int, limit: Int) -> Bool {
        /// The word before `k`, past determiners and possessives.
        func wordBefore(_ k: Int) -> String? {
            var j = k - 1
            while j >= 0, tokens[j].isWord, TensionDocument.determiners.contains(tokens[j].key) { j -= 1 }
            return j >= 0 && tokens[j].isWord ? tokens[j].key : nil
        }
        /// Whether the object right after the trigger has its head noun in `words`: past
        /// determiners, actors and their possessive "'s", and up to two modifiers ("Peruvian
        /// safety standards", "Peru's growth forecasts"); a preposition, a conjunction or
        /// punctuation ends the look ("to meet Putin on the terms of …" meets Putin).
        func objectIs(_ words: Set<String>) -> Bool {
            var k = end, modifiers = 0
            while k < limit {
                if partyAt[k] >= 0 { k = parties[Int(partyAt[k])].last; continue }
                let t = tokens[k]
                guard t.isWord else { return false }
                if words.contains(t.key) { return true }
                if t.key == "s" || t.key == "'s" || TensionDocument.determiners.contains(t.key) { k += 1; continue }
                if TensionDocument.prepositions.contains(t.key) || t.key == "and" || t.key == "or" || modifiers == 2 {
                    return false
                }
                modifiers += 1
                k += 1
            }
            return false
        }
        if tokens[first].key == "war", first > 0, TensionDocument.nonMilitaryWar.contains(tokens[first - 1].key) { return true }
        if tokens[first].key == "struck", end < tokens.count, TensionDocument.agreementWords.contains(tokens[end].key) {
            return true
        }
        if trigger.type == "SANCTION" {
            if let before = wordBefore(first), TensionDocument.undoingVerbs.contains(before) { return true }
            if end < limit, tokens[end].key == "out", TensionDocument.freezeWords.contains(tokens[end - 1].key) { return true }
        }
        if tokens[end - 1].key == "meet", objectIs(TensionDocument.requirementWords) {
            return true
        }
        if trigger.type == "FIGHT", TensionDocument.attackWords.contains(tokens[first].key),
           objectIs(TensionDocument.wordsAttacked) {
            return true
        }
        // "deny licences to …", "denied them entry": withholding something, not a denial.
        if trigger.frame == .denial, end == first + 1, objectIs(TensionDocument.thingsWithheld) {
            return true
        }
        // "an act of armed aggression", "an armed encounter": before a noun the participle of
        // "arm" describes; it arms someone only before who is armed ("armed the rebels",
        // "armed Kyiv", "armed them").
        if trigger.fromVerbDictionary, tokens[first].key == "armed", end < limit, tokens[end].isWord, partyAt[end] < 0,
           !TensionDocument.determiners.contains(tokens[end].key), !TensionDocument.objectPronouns.contains(tokens[end].key) {
            return true
        }
        if trigger.agentFromContext, tokens[first].key == "war", end == first + 1, isHypothetical(first) {
            // "could find itself in a major war", "warned it could lead to war", "powers to
            // make war": a war that may come or war in general, not the article's war. Its
            // sides would be lent from the article or the known wars, so it is no event.
            return true
        }
        // A dictionary verb used as a noun; its -ing and -ed forms name the act itself ("the
        // Russian targeting of power plants") and stay.
        if trigger.fromVerbDictionary, !tokens[first].key.hasSuffix("ing"), !tokens[first].key.hasSuffix("ed") {
            // A determiner right before the word ("an arm", "its distrust"), or before an actor
            // naming it when "of" follows ("the U.S. arm of …"; "the U.S. raided …" stays a verb).
            let k = first - 1
            if k >= 0, tokens[k].isWord, TensionDocument.determiners.contains(tokens[k].key) { return true }
            if k >= 0, partyAt[k] >= 0, end < limit, tokens[end].key == "of" {
                let d = parties[Int(partyAt[k])].first - 1
                if d >= 0, tokens[d].isWord, TensionDocument.determiners.contains(tokens[d].key) { return true }
            }
        }
        return false
    }

    /// Whether "war" at `k` is one that may come or war in general: "lead to war", "powers to
    /// make war", "risk (such) a war", or "a (major) war" under a modal, a condition or a
    /// negation ("could find itself in a major war", "if there is a prolonged war", "don't look
    /// on it as a war"). "Russia launched a war", "went to war", "waging war" are no such war.
    private func isHypothetical(_ k: Int) -> Bool {
        var j = k - 1
        // Modifiers, hyphenated ones too ("a new all-out war").
        while j >= 0, (tokens[j].isWord && TensionDocument.warAdjectives.contains(tokens[j].key)) || tokens[j].key == "-" {
            j -= 1
        }
        guard j >= 0, tokens[j].isWord else { return false }
        let before = tokens[j].key
        if before == "to", j >= 1, TensionDocument.leadWords.contains(tokens[j - 1].key) { return true }
        if TensionDocument.makeWords.contains(before) || TensionDocument.riskWords.contains(before) { return true }
        guard TensionDocument.indefiniteArticles.contains(before) else { return false }
        if j >= 1, TensionDocument.riskWords.contains(tokens[j - 1].key) || (tokens[j - 1].key == "such" && j >= 2
            && TensionDocument.riskWords.contains(tokens[j - 2].key)) { return true }
        // A modal, condition or negation among the six words before the article, in its sentence.
        let stop = max(sentenceStart[Int(sentenceOf[k])], j - 6)
        var m = j - 1
        while m >= stop {
            if tokens[m].isWord, TensionDocument.hypotheticalWords.contains(tokens[m].key) { return true }
            m -= 1
        }
        return false
    }

    static let warAdjectives: Set<String> = ["major", "wider", "broader", "full", "scale", "all", "out", "new", "nuclear",
                                             "regional", "general", "long", "bloody", "possible", "real", "large", "big",
                                             "total", "open", "direct", "shooting", "conventional", "prolonged"]
    static let indefiniteArticles: Set<String> = ["a", "an", "another", "any"]
    static let leadWords: Set<String> = ["lead", "leads", "led", "leading"]
    static let makeWords: Set<String> = ["make", "making"]
    static let riskWords: Set<String> = ["risk", "risks", "risking", "risked", "avoid", "avoids", "avoiding", "prevent",
                                         "prevents", "preventing"]
    static let hypotheticalWords: Set<String> = ["could", "would", "might", "may", "if", "unless", "not", "n't", "never",
                                                 "no", "whether", "t", "don't", "doesn't", "didn't", "won't", "wouldn't",
                                                 "can't", "couldn't"]
    static let possessives: Set<String> = ["his", "her", "its", "their"]
    static let fellowNouns: Set<String> = ["counterpart", "counterparts", "neighbour", "neighbours", "neighbor",
                                           "neighbors", "ally", "allies", "partner", "partners"]
    static let determiners: Set<String> = ["the", "a", "an", "its", "their", "his", "her", "our", "this", "that",
                                           "these", "those", "any", "all", "some"]
    /// Verbs that undo a sanction ("lifted its ban on", "eased the embargo").
    static let undoingVerbs: Set<String> = ["lift", "lifts", "lifted", "lifting", "ease", "eases", "eased", "easing",
                                            "end", "ends", "ended", "ending", "remove", "removes", "removed", "removing",
                                            "scrap", "scraps", "scrapped", "scrapping", "drop", "drops", "dropped",
                                            "dropping", "relax", "relaxes", "relaxed", "relaxing", "rescind", "rescinds",
                                            "rescinded", "repeal", "repeals", "repealed", "overturn", "overturned",
                                            "suspend", "suspends", "suspended", "suspending", "waive", "waived"]
    static let freezeWords: Set<String> = ["freeze", "freezes", "froze", "frozen", "freezing"]
    /// What is met when "meet" is no meeting.
    static let requirementWords: Set<String> = ["standard", "standards", "target", "targets", "requirement", "requirements",
                                                "demand", "demands", "condition", "conditions", "criteria", "criterion",
                                                "obligation", "obligations", "need", "needs", "deadline", "deadlines",
                                                "goal", "goals", "expectations", "quota", "quotas", "commitments", "terms",
                                                "rules", "costs", "payments", "challenge", "challenges", "share"]
    /// What is withheld when "deny" is no denial ("deny licences", "denied entry").
    static let thingsWithheld: Set<String> = ["licence", "licences", "license", "licenses", "access", "entry", "visa",
                                              "visas", "permission", "permit", "permits", "passage", "asylum", "rights",
                                              "landing", "overflight", "transit"]
    static let attackWords: Set<String> = ["attack", "attacks", "attacked", "attacking"]
    /// Words, figures and plans: "attacked the forecasts" is criticism, not force.
    static let wordsAttacked: Set<String> = ["forecast", "forecasts", "claim", "claims", "remark", "remarks", "comment",
                                             "comments", "statement", "statements", "proposal", "proposals", "plan",
                                             "plans", "policy", "policies", "decision", "decisions", "report", "reports",
                                             "idea", "ideas", "figures", "estimates", "estimate", "budget", "bill", "law",
                                             "ruling", "stance", "views", "speech", "article", "book", "proposed",
                                             "handling"]

    /// Nouns that make a demonym name companies or investors ("British banks", "German interests").
    static let companyNouns: Set<String> = ["bank", "banks", "firm", "firms", "company", "companies", "interests",
                                            "brokerage", "brokerages", "brokers", "insurers", "investors", "corporation",
                                            "corporations", "subsidiary", "subsidiaries", "lenders",
                                            "creditors", "exporters", "importers", "producers", "manufacturers",
                                            "carmakers", "automakers", "traders", "businesses", "shareholders",
                                            "airlines", "shipowners", "refiners"]

    static let stancePrefixes: Set<String> = ["pro", "anti"]
    /// "struck a deal", "struck agreement": an agreement, not a strike.
    static let agreementWords: Set<String> = ["a", "an", "agreement", "agreements", "deal", "deals", "accord", "bargain", "compromise"]
    static let currencyNouns: Set<String> = ["dollar", "dollars", "yen", "franc", "francs", "mark", "marks", "pound", "pounds",
                                             "currency", "peso", "pesos", "lira", "crown", "crowns", "rouble", "ruble", "rupee",
                                             "yuan", "won", "bonds", "stocks", "shares", "economy"]

    static let locativeBeforeName: Set<String> = ["in", "at", "near", "inside", "across", "throughout", "within", "around",
                                                   "outside", "from", "via", "through"]
    static let memberNouns: Set<String> = ["countries", "country", "state", "states", "members", "member", "nations", "nation",
                                            "partners", "participants", "observers", "mission", "monitors"]
    static let beneficiaryPrepositions: Set<String> = ["for", "to", "with", "towards", "toward"]
    static let quantifiers: Set<String> = ["all", "other", "any", "each", "every", "the", "fellow", "its", "their", "our"]
    static let forumNouns: Set<String> = ["context", "framework", "auspices", "aegis", "format", "umbrella", "platform"]
    static let forumPrepositions: Set<String> = ["within", "under", "through", "via", "at", "in", "throughout"]

    /// The nearest actor to the left of `index` in the clause (stops at clause punctuation), or a
    /// resolved speaker's name there.
    private func subject(before index: Int, sentence: Int, maxWords: Int = 9) -> (code: ActorCode, party: Int?)? {
        var i = index - 1
        var words = 0
        let start = sentenceStart[sentence]
        while i >= start, words < maxWords {
            let t = tokens[i]
            if !t.isWord {
                // "Ukraine's president, Volodymyr Zelenskiy, wants to talk to …": a named actor
                // closing an appositive right before the verb is its subject.
                if t.key == ",", words <= 3, i - 1 >= start, partyAt[i - 1] >= 0 {
                    let party = parties[Int(partyAt[i - 1])]
                    if isActor(party), !party.isPronoun, party.first - 1 >= start, tokens[party.first - 1].key == "," {
                        return (party.code, Int(partyAt[i - 1]))
                    }
                }
                if t.key == ",", let r = relativeAntecedent(closingComma: i, start: start) { return r }
                if TensionDocument.clausePunctuation.contains(t.key) { return nil }
                i -= 1
                continue
            }
            if t.key == "who" || t.key == "which", i == index - 1 || words == 0 {
                // "Zelenskiy, who thanked Ireland": the relative pronoun's antecedent is the subject.
                var k = i - 1
                if k >= start, tokens[k].key == "," { k -= 1 }
                if k >= start, partyAt[k] >= 0, isActor(parties[Int(partyAt[k])]) {
                    return (parties[Int(partyAt[k])].code, Int(partyAt[k]))
                }
                return nil
            }
            if lexicon.clauseBreak.contains(t.key) || t.key == "that" || t.key == "which" || t.key == "who" { return nil }
            let p = partyAt[i]
            if p >= 0 {
                let party = parties[Int(p)]
                // "The US ambassador to Mexico urged …": an actor after a preposition is not the subject.
                let governed = party.first > 0 && TensionDocument.prepositions.contains(tokens[party.first - 1].key)
                if isActor(party), !governed { return (party.code, Int(p)) }
                i = party.first - 1
                words += 1
                continue
            }
            if t.capitalized, let code = speakerNames[t.key] { return (code, nil) }
            words += 1
            i -= 1
        }
        return nil
    }

    /// "Turkey, which has cast itself as a mediator, held talks with …": the comma at
    /// `closingComma` closes a relative clause opened by ", who" or ", which" (within 30 tokens,
    /// no other punctuation); the actor before it is the subject.
    private func relativeAntecedent(closingComma: Int, start: Int) -> (code: ActorCode, party: Int?)? {
        var k = closingComma - 1
        while k >= start + 2, closingComma - k <= 30 {
            let t = tokens[k]
            if !t.isWord { return nil }
            if t.key == "who" || t.key == "which" {
                guard tokens[k - 1].key == ",", partyAt[k - 2] >= 0 else { return nil }
                let party = parties[Int(partyAt[k - 2])]
                return isActor(party) && !party.isPronoun ? (party.code, Int(partyAt[k - 2])) : nil
            }
            k -= 1
        }
        return nil
    }

    static let prepositions: Set<String> = ["to", "of", "for", "with", "against", "from", "on", "in", "at", "by", "into",
                                             "about", "over", "toward", "towards", "near", "after", "before", "than"]

    static let clausePunctuation: Set<String> = [",", ";", ":", "(", ")", "\u{2014}", "\u{2013}", "\"", "\u{201C}",
                                                  "\u{201D}", "[", "]"]

    /// Actor parties in token range `a ..< b`, in order.
    private func actors(in a: Int, _ b: Int, allowPlaces: Bool = false) -> [Party] {
        var out: [Party] = []
        var i = max(a, 0)
        while i < min(b, tokens.count) {
            let p = partyAt[i]
            if p >= 0 {
                let party = parties[Int(p)]
                if isActor(party, allowPlaces: allowPlaces) { out.append(party) }
                i = max(party.last, i + 1)
            } else {
                i += 1
            }
        }
        return out
    }

    /// The other actors listed with party `index` in one coordinated phrase ("Britain, the United
    /// States, Japan and Canada"): parties joined by commas, "and" or "as well as", with an
    /// article allowed before each; at most a dozen, within the sentence.
    static let listModifiers: Set<String> = ["neighbouring", "neighboring", "fellow", "allied", "nearby"]

    func coordinated(with index: Int, sentence: Int) -> [ActorCode] {
        let party = parties[index]
        guard !party.isPronoun else { return [] }
        var out: [ActorCode] = []
        let (lo, hi) = window(party.first, party.last, sentence: sentence)
        // "Russia and neighbouring Belarus": a neighbour or ally named in the list is one of it.
        // "Putin as well as his Ukrainian counterpart": a possessive before a demonym and a word
        // for a fellow ("counterpart", "neighbour", "ally", "partner") is no break.
        func article(_ k: Int) -> Bool {
            if tokens[k].key == "the" { return true }
            guard TensionDocument.possessives.contains(tokens[k].key), k + 1 < tokens.count, partyAt[k + 1] >= 0 else { return false }
            let p = parties[Int(partyAt[k + 1])]
            return p.kind == .demonym && p.last < tokens.count && TensionDocument.fellowNouns.contains(tokens[p.last].key)
        }
        func joiner(_ k: Int) -> Bool {
            tokens[k].key == "," || tokens[k].key == "and" || article(k) || TensionDocument.listModifiers.contains(tokens[k].key)
        }
        // Rightwards.
        var k = party.last
        while out.count < 12 {
            var j = k
            var joined = false
            var comma = false, possessive = false
            while j < hi, joiner(j) || (tokens[j].key == "as" && j + 2 < hi && tokens[j + 1].key == "well" && tokens[j + 2].key == "as") {
                if !article(j), !TensionDocument.listModifiers.contains(tokens[j].key) { joined = true }
                if tokens[j].key == "," { comma = true }
                if TensionDocument.possessives.contains(tokens[j].key) { possessive = true }
                j += tokens[j].key == "as" ? 3 : 1
                if tokens[j - 1].key == "as" { joined = true }
            }
            // ", and his Chinese counterpart criticised …" begins a clause of its own.
            guard joined, !(comma && possessive), j < hi, partyAt[j] >= 0 else { break }
            let p = parties[Int(partyAt[j])]
            guard isActor(p), !p.isPronoun else { break }
            if p.code != party.code, !out.contains(p.code) { out.append(p.code) }
            k = p.last
        }
        // Leftwards.
        k = party.first
        while out.count < 12 {
            var j = k - 1
            var joined = false
            var comma = false, possessive = false
            while j >= lo, joiner(j) {
                if !article(j), !TensionDocument.listModifiers.contains(tokens[j].key) { joined = true }
                if tokens[j].key == "," { comma = true }
                if TensionDocument.possessives.contains(tokens[j].key) { possessive = true }
                j -= 1
            }
            guard joined, !(comma && possessive), j >= lo, partyAt[j] >= 0 else { break }
            let p = parties[Int(partyAt[j])]
            guard isActor(p), !p.isPronoun else { break }
            if p.code != party.code, !out.contains(p.code) { out.append(p.code) }
            k = p.first
        }
        return out
    }

    /// The party with `code` first met at or after token `from` within the sentence window.
    func partyIndex(of code: ActorCode, from: Int, sentence: Int) -> Int? {
        let (_, hi) = window(from, from + 1, sentence: sentence)
        var i = from
        while i < hi {
            if partyAt[i] >= 0, parties[Int(partyAt[i])].code == code { return Int(partyAt[i]) }
            i += 1
        }
        return nil
    }

    /// "its invasion of Ukraine": the state a possessive pronoun before the trigger stands for,
    /// the nearest state named before it in this sentence or the two before.
    private func possessiveAntecedent(before first: Int, sentence: Int) -> ActorCode? {
        var k = first - 1
        var steps = 0
        var found = false
        while k >= sentenceStart[sentence], steps < 4 {
            if tokens[k].key == "its" || tokens[k].key == "their" { found = true; break }
            if partyAt[k] >= 0 || !tokens[k].isWord { return nil }
            k -= 1
            steps += 1
        }
        guard found else { return nil }
        let floor = sentenceStart[max(0, sentence - 2)]
        var i = k - 1
        var seen = 0
        while i >= floor, seen < TensionDocument.reach * 2 {
            if partyAt[i] >= 0 {
                let p = parties[Int(partyAt[i])]
                if isActor(p), !p.isPronoun, gazetteer.isState(p.code) { return p.code }
                i = p.first - 1
            } else {
                i -= 1
            }
            seen += 1
        }
        return nil
    }

    static let agentSkip: Set<String> = [
        "a", "an", "the", "'s", "its", "their", "his", "her", "big", "massive", "large", "huge", "major", "new", "further",
        "full", "scale", "has", "have", "had", "is", "was", "were", "been", "being", "be", "will", "would", "could", "may",
        "might", "also", "reportedly", "repeatedly", "already", "now", "still", "recently", "forces", "troops", "army",
        "military", "navy", "naval", "soldiers", "units", "unprovoked", "brutal", "ongoing", "continued", "illegal",
        "latest", "renewed", "fresh", "air", "continuing", "sustained", "heavy", "intense", "armed", "backed", "led",
        "government", "regime", "leadership", "president", "allegedly", "apparently", "then", "again", "first",
        "more", "than", "some", "about", "around", "up", "to", "nearly", "almost", "over", "tens", "thousands",
        "of", "hundreds", "jets", "warplanes", "missiles", "artillery", "tanks", "aircraft", "drones", "bombers",
        "and", "allies", "allied", "separatist", "separatists", "proxies", "officials", "authorities",
        "elevated", "increased", "additional", "boosted", "stepped", "expanded", "growing", "rising",
        // "Russia launched its invasion", "Putin's decision to invade": the act's launcher is its agent.
        "launched", "launches", "launch", "launching", "began", "begun", "begin", "started", "starts", "start",
        "waged", "wages", "waging", "decision", "decided", "order", "ordered",
    ]

    /// The actor doing a material act: the nearest actor to the left reached over determiners,
    /// auxiliaries, adverbs and force nouns only ("a big Russian troop build-up", "Russia has
    /// massed", "Russian forces have attacked"); a person's title or a preposition stops it.
    private func agent(before index: Int, sentence: Int) -> ActorCode? {
        agentParty(before: index, sentence: sentence)?.code ?? speakerAgent(before: index, sentence: sentence)
    }

    static let victimModifiedNouns: Set<String> = ["invasion", "invasions", "incursion", "occupation", "annexation", "war"]

    /// Modifiers that make "war" something other than a war between states ("trade war").
    static let nonMilitaryWar: Set<String> = ["trade", "price", "prices", "tariff", "cold", "world", "civil", "culture",
                                              "currency", "bidding", "turf", "information", "propaganda", "words", "drug",
                                              "drugs", "class", "gang", "tax", "fare", "ratings", "talent", "legal",
                                              "media", "air", "holy", "guerrilla", "star", "second", "first", "great",
                                              "gulf", "vietnam", "korean", "post", "pre", "anti", "war", "lawfare", "of"]

    /// A resolved speaker's name in agent position ("Putin's troops invaded …").
    private func speakerAgent(before index: Int, sentence: Int) -> ActorCode? {
        var i = index - 1
        var steps = 0
        while i >= sentenceStart[sentence], steps < 7 {
            let t = tokens[i]
            if partyAt[i] >= 0 { return nil }
            if t.isWord, t.capitalized, let code = speakerNames[t.key] { return code }
            guard t.isWord, TensionDocument.agentSkip.contains(t.key) || t.key.unicodeScalars.allSatisfy(ActorTokenizer.isDigit) else {
                if t.key == "," || t.key == "-" { i -= 1; steps += 1; continue }
                return nil
            }
            i -= 1
            steps += 1
        }
        return nil
    }

    /// "Biden's remark, during a visit to Poland, …": a visit in an aside opened by "during",
    /// "on" or "after" is made by the actor named right before the aside.
    private func visitorBeforeAside(_ first: Int, sentence: Int) -> ActorCode? {
        let start = sentenceStart[sentence]
        var k = first - 1
        if k >= start, tokens[k].isWord, ["a", "an", "the", "his", "her", "their", "its", "recent", "first", "official", "state"].contains(tokens[k].key) { k -= 1 }
        if k >= start, tokens[k].isWord, ["recent", "first", "official", "state", "surprise"].contains(tokens[k].key) { k -= 1 }
        guard k >= start + 1, ["during", "on", "after"].contains(tokens[k].key), tokens[k - 1].key == "," else { return nil }
        var i = k - 2
        var words = 0
        while i >= start, words < 6 {
            let p = partyAt[i]
            if p >= 0 {
                let party = parties[Int(p)]
                return isActor(party) && !party.isPronoun ? party.code : nil
            }
            if !tokens[i].isWord { return nil }
            words += 1
            i -= 1
        }
        return nil
    }

    static let forceCodes: Set<String> = ["15", "18", "19", "20"]
    static let demandPhrases: [[String]] = [["called", "for"], ["calls", "for"], ["call", "for"], ["calling", "for"],
                                            ["pushed", "for"], ["pushing", "for"], ["push", "for"], ["pushes", "for"],
                                            ["urged"], ["urges"], ["demanded"], ["demands"], ["proposed"], ["proposes"],
                                            ["backed"], ["backs"], ["supports"], ["supported"], ["wants"], ["want"]]
    static let measureModifiers: Set<String> = ["tougher", "stronger", "harsher", "more", "new", "further", "additional",
                                                "fresh", "wider", "broader", "severe", "tough", "strong", "the", "a", "an"]

    /// The first token of a demand ("called for", "urged") right before a measure noun, past
    /// a few modifiers ("called for tougher sanctions on …").
    private func demandVerb(before first: Int, sentence: Int) -> Int? {
        var i = first - 1
        let start = sentenceStart[sentence]
        while i >= start, first - i <= 3, tokens[i].isWord, TensionDocument.measureModifiers.contains(tokens[i].key) { i -= 1 }
        for phrase in TensionDocument.demandPhrases {
            let a = i - phrase.count + 1
            guard a >= start else { continue }
            if (0..<phrase.count).allSatisfy({ tokens[a + $0].key == phrase[$0] }) { return a }
        }
        return nil
    }

    /// The object of a material act: an actor within a few words to the right, not past a
    /// coordination or clause break ("an affront to the victims of Russia's invasion and an
    /// insult to Ireland" has none).
    private func materialObject(after last: Int, sentence: Int, excluding: ActorCode?) -> ActorCode? {
        var i = last
        var words = 0
        while i < sentenceEnd[sentence], words < 7 {
            let t = tokens[i]
            if !t.isWord {
                if t.key == "-" || t.key == "'" { i += 1; continue }
                return nil
            }
            if t.key == "and" || t.key == "or" || lexicon.clauseBreak.contains(t.key) || t.key == "that" || t.key == "which" {
                return nil
            }
            let p = partyAt[i]
            if p >= 0 {
                let party = parties[Int(p)]
                if party.code != excluding, isActor(party, allowPlaces: true), !party.isPlace || i == last + 1 {
                    return party.code
                }
                i = party.last
                words += 1
                continue
            }
            words += 1
            i += 1
        }
        return nil
    }

    private func agentParty(before index: Int, sentence: Int) -> Party? {
        var i = index - 1
        var steps = 0
        let start = sentenceStart[sentence]
        while i >= start, steps < 7 {
            let p = partyAt[i]
            if p >= 0 {
                let party = parties[Int(p)]
                return isActor(party) ? party : nil
            }
            let t = tokens[i]
            if t.isWord {
                if t.capitalized, speakerNames[t.key] != nil { return nil }
                let numeric = t.key.unicodeScalars.allSatisfy { ActorTokenizer.isDigit($0) }
                guard numeric || TensionDocument.agentSkip.contains(t.key) else { return nil }
            } else if t.key != ",", t.key != "-" {
                return nil
            }
            steps += 1
            i -= 1
        }
        return nil
    }

    /// "… by Russia" right after the trigger (within two words).
    private func byAgent(after last: Int, sentence: Int) -> ActorCode? {
        var i = last
        var words = 0
        while i < sentenceEnd[sentence], words < 3 {
            if tokens[i].key == "by" { return object(after: i + 1, sentence: sentence, maxWords: 3, excluding: nil) }
            if !tokens[i].isWord { return nil }
            words += 1
            i += 1
        }
        return nil
    }

    static let objectPronouns: Set<String> = ["it", "them", "him", "her", "me", "you", "itself", "themselves", "those", "this"]

    static let passiveAuxiliaries: Set<String> = ["was", "were", "been", "being", "is", "are", "be", "get", "got"]

    /// "Finland was attacked": the subject is the one acted on.
    private func isPassive(_ first: Int) -> Bool {
        guard tokens[first].key.hasSuffix("ed") || tokens[first].key == "struck" else { return false }
        var i = first - 1
        while i >= 0, tokens[i].isWord, ["reportedly", "allegedly", "repeatedly", "also", "not", "never", "already"].contains(tokens[i].key) {
            i -= 1
        }
        return i >= 0 && TensionDocument.passiveAuxiliaries.contains(tokens[i].key)
    }

    /// The first actor to the right of `index` within the clause and `maxWords` words.
    private func object(after index: Int, sentence: Int, maxWords: Int = 8, excluding: ActorCode?,
                        allowPlaces: Bool = false) -> ActorCode? {
        var i = index
        var sideOfExcluded = false
        if excluding != nil, i > 0, partyAt[i - 1] >= 0, parties[Int(partyAt[i - 1])].code == excluding { sideOfExcluded = true }
        var words = 0
        let end = sentenceEnd[sentence]
        while i < end, words < maxWords {
            let t = tokens[i]
            if !t.isWord {
                // "froze €3bn (about half) of Chad's assets": a short aside with no actor is passed over.
                if t.key == "(", let close = asideEnd(after: i, limit: end) { i = close + 1; continue }
                if t.key == ";" || t.key == "(" || t.key == "\u{2014}" { return nil }
                i += 1
                continue
            }
            if lexicon.clauseBreak.contains(t.key) { return nil }
            let p = partyAt[i]
            if p >= 0 {
                let party = parties[Int(p)]
                // "two US-made patrol boats": a hyphenated modifier names no object.
                if (party.last < end && tokens[party.last].hyphenated) || tokens[party.first].hyphenated {
                    i = party.last
                    words += 1
                    continue
                }
                // "by the European Union and Britain": an actor joined to the excluded one is on its side.
                let joined = sideOfExcluded && i > 0 && (tokens[i - 1].key == "and" || tokens[i - 1].key == ",")
                if party.code != excluding, isActor(party, allowPlaces: allowPlaces), !joined { return party.code }
                sideOfExcluded = party.code == excluding || joined
                i = party.last
                words += 1
                continue
            }
            if t.key != "the" { sideOfExcluded = false }
            words += 1
            i += 1
        }
        return nil
    }

    /// The closing parenthesis of a short aside opened at `open` (at most six tokens, no actor).
    private func asideEnd(after open: Int, limit: Int) -> Int? {
        var k = open + 1
        while k < min(limit, open + 8) {
            if tokens[k].key == ")" { return k }
            if partyAt[k] >= 0 || tokens[k].key == "(" { return nil }
            k += 1
        }
        return nil
    }

    private func modality(_ first: Int, sentence: Int, speechIndex: Int32, trigger: TensionTrigger, forceDenied: Bool) -> Modality {
        if forceDenied { return .denied }
        if speechIndex >= 0, speech[Int(speechIndex)].denied { return .denied }
        let start = max(sentenceStart[sentence], first - 3)
        for k in start..<first where tokens[k].isWord {
            if lexicon.negation.contains(tokens[k].key) || tokens[k].key.hasSuffix("n't") { return .denied }
        }
        let quad = lexicon.codes[trigger.cameo]?.quadClass ?? 3
        // A speech act of conflict is made whatever it is about; hedges qualify acts and cooperation.
        if trigger.frame != .material && quad == 3 { return .asserted }
        var k = max(sentenceStart[sentence], first - 5)
        while k < first {
            if lexicon.feared.match(tokens, at: k, limit: first) != nil { return .feared }
            k += 1
        }
        return .asserted
    }

    /// The issue cue nearest to the trigger within `a ..< b`, or the trigger's own issue.
    private func issue(for trigger: TensionTrigger, at first: Int, _ a: Int, _ b: Int) -> String? {
        if let issue = trigger.issue { return issue }
        var best: (distance: Int, issue: String)?
        var i = a
        while i < b {
            if let (value, end) = lexicon.issuePhrases.match(tokens, at: i, limit: b) {
                let distance = abs(i - first)
                if best == nil || distance < best!.distance { best = (distance, lexicon.issueNames[value]) }
                i = end
                continue
            }
            i += 1
        }
        return best?.issue
    }

    /// How far (in tokens) a trigger's clause, sentence or speech scans reach on either side.
    /// Real clauses are far shorter; the bound keeps the work per trigger constant, so text
    /// with no full stop or comma (a run-on or repeated phrase) costs linear time, not quadratic.
    static let reach = 48

    /// The sentence around tokens `first ..< last`, cut to `reach` tokens on either side.
    func window(_ first: Int, _ last: Int, sentence: Int) -> (Int, Int) {
        (max(sentenceStart[sentence], first - TensionDocument.reach), min(sentenceEnd[sentence], last + TensionDocument.reach))
    }

    /// The tokens of the comma-delimited clause around `index` within its sentence.
    func commaClause(_ index: Int, sentence: Int) -> (Int, Int) {
        var a = index, b = index
        let (start, end) = window(index, index + 1, sentence: sentence)
        while a > start, !TensionDocument.clausePunctuation.contains(tokens[a - 1].key),
              !lexicon.clauseBreak.contains(tokens[a - 1].key) { a -= 1 }
        while b < end, !TensionDocument.clausePunctuation.contains(tokens[b].key),
              !lexicon.clauseBreak.contains(tokens[b].key) { b += 1 }
        return (a, b)
    }

    /// Resolves a trigger's actors within its sentence; nil when the frame cannot be satisfied.
    private func resolve(trigger index: Int, first: Int, last: Int, sentence: Int, forceDenied: Bool = false) -> Signal? {
        let trigger = lexicon.triggers[index]
        let speechIndex = speechAt[first]
        let inSpeech = speechIndex >= 0
        let date = inSpeech ? speech[Int(speechIndex)].date : article.date
        // The clause the trigger speaks about: the sentence, within the reported speech if any.
        let (clauseA, clauseB) = clause(first, sentence: sentence)
        let modality = modality(first, sentence: sentence, speechIndex: speechIndex, trigger: trigger, forceDenied: forceDenied)
        var signal = Signal(trigger: index, first: first, last: last, sentence: sentence, source: nil, target: nil,
                            sourceExplicit: false, targetExplicit: false, modality: modality, date: date,
                            evidenceFirst: first, evidenceLast: last, issue: nil)
        switch trigger.frame {
        case .verb, .denial:
            if trigger.frame == .verb, isPassive(first) {
                // "Russia has been accused of …": the subject is the target, "by X" the source.
                guard let by = byAgent(after: last, sentence: sentence),
                      let patient = subject(before: first, sentence: sentence)?.code, by != patient else { return nil }
                signal.source = by
                signal.target = patient
                signal.sourceExplicit = true
                signal.targetExplicit = true
                break
            }
            if trigger.frame == .verb, trigger.type == "VISIT", last > first, tokens[last - 1].key == "by" {
                // "a visit by the UN secretary general, …, to Kyiv": the visitor follows "by",
                // the place visited follows "to".
                guard let visitor = object(after: last, sentence: sentence, maxWords: 6, excluding: nil) else { return nil }
                var k = last
                let stop = min(sentenceEnd[sentence], last + 16)
                while k < stop, tokens[k].key != "to" { k += 1 }
                guard k < stop, let place = object(after: k + 1, sentence: sentence, maxWords: 3, excluding: visitor,
                                                   allowPlaces: true) else { return nil }
                signal.source = visitor
                signal.target = place
                signal.sourceExplicit = true
                signal.targetExplicit = true
                break
            }
            if trigger.frame == .verb, trigger.type == "AID", tokens[first].hyphenated, first > 0, partyAt[first - 1] >= 0 {
                // "the army used US-supplied rockets": the supplier is named before the hyphen, the
                // one who has the weapons is the clause's subject.
                let supplier = parties[Int(partyAt[first - 1])]
                guard isActor(supplier), !supplier.isPronoun, supplier.last == first,
                      let user = subject(before: supplier.first, sentence: sentence), user.code != supplier.code else { return nil }
                signal.source = supplier.code
                signal.target = user.code
                signal.sourceExplicit = true
                signal.targetExplicit = true
                break
            }
            if trigger.frame == .verb, trigger.type == "COOPERATE_MILITARILY", tokens[first].key == "addition" {
                // "the addition of Finland and Sweden to the alliance": each one added joins what
                // follows "to".
                guard let joiner = object(after: last, sentence: sentence, maxWords: 3, excluding: nil),
                      let p = partyIndex(of: joiner, from: last, sentence: sentence) else { return nil }
                var k = parties[p].last
                let stop = min(sentenceEnd[sentence], k + 8)
                while k < stop, tokens[k].key != "to" { k += 1 }
                guard k < stop, let body = object(after: k + 1, sentence: sentence, maxWords: 3, excluding: joiner) else { return nil }
                signal.source = joiner
                signal.moreSources = coordinated(with: p, sentence: sentence).filter { $0 != body }
                signal.target = body
                signal.sourceExplicit = true
                signal.targetExplicit = true
                break
            }
            if trigger.frame == .denial {
                var k = last
                if k < tokens.count, tokens[k].key == "the" { k += 1 }
                let claimNouns: Set<String> = ["claims", "claim", "allegations", "allegation", "reports", "report",
                                               "accusations", "charges", "assertions", "'s"]
                if k < tokens.count, partyAt[k] >= 0, !parties[Int(partyAt[k])].isPronoun,
                   !(parties[Int(partyAt[k])].last < tokens.count && claimNouns.contains(tokens[parties[Int(partyAt[k])].last].key)) {
                    return nil  // "denied Ukraine transit fees", "deny the Russian navy passage": deprive
                }
            }
            let subj = subject(before: first, sentence: sentence)
            if let subj, !(inSpeech && subj.party.map({ parties[$0].first < clauseA }) ?? false) {
                signal.source = subj.code
            } else if inSpeech, trigger.frame == .denial {
                signal.source = speech[Int(speechIndex)].source
            } else if let subj {
                signal.source = subj.code
            }
            if signal.source == nil, trigger.type == "VISIT", let v = visitorBeforeAside(first, sentence: sentence) {
                signal.source = v
            }
            signal.sourceExplicit = signal.source != nil
            if let p = subj?.party, signal.source == parties[p].code { signal.moreSources = coordinated(with: p, sentence: sentence) }
            if trigger.frame == .verb {
                // "accused it of …": the object is a pronoun we do not resolve, not a later actor.
                if last < tokens.count, partyAt[last] < 0, TensionDocument.objectPronouns.contains(tokens[last].key) {
                    return nil
                }
                signal.target = object(after: last, sentence: sentence, excluding: signal.source,
                                       allowPlaces: trigger.type == "VISIT")
                signal.targetExplicit = signal.target != nil
                if let t = signal.target, let p = partyIndex(of: t, from: last, sentence: sentence) {
                    signal.moreTargets = coordinated(with: p, sentence: sentence).filter { $0 != signal.source }
                }
            } else {
                signal.target = object(after: last, sentence: sentence, maxWords: 12, excluding: signal.source)
                signal.targetExplicit = signal.target != nil
            }
        case .content:
            // A possessor right before the phrase ("Russia's security demands") is its source.
            // Only demands are owned by their maker; "Russia's aggression" names the accused.
            var possessor: ActorCode?
            if trigger.type != "DEMAND" {
                possessor = nil
            } else if first >= 2, tokens[first - 1].key == "'s", partyAt[first - 2] >= 0 {
                let p = parties[Int(partyAt[first - 2])]
                if isActor(p) { possessor = p.code }
            } else if first >= 1, partyAt[first - 1] >= 0 {
                // "a Kremlin demand", "Russian security demands": the modifier is the source.
                let p = parties[Int(partyAt[first - 1])]
                let determined = p.first > 0 && ["a", "an", "the"].contains(tokens[p.first - 1].key)
                if isActor(p), !p.isPronoun, determined || p.kind == .demonym { possessor = p.code }
            }
            guard let source = possessor ?? (inSpeech ? speech[Int(speechIndex)].source : nil) else { return nil }
            signal.source = source
            signal.sourceExplicit = true
            // Targets: the clause's other actors; one signal per target is made in `emit`.
            signal.target = actors(in: clauseA, clauseB).first { $0.code != source }?.code
            signal.targetExplicit = signal.target != nil
            if signal.target == nil { return nil }
        case .material:
            let passive = isPassive(first)
            let by = byAgent(after: last, sentence: sentence)
            if passive {
                signal.source = by
                signal.target = agent(before: first, sentence: sentence)
            } else {
                var agentParty = agentParty(before: first, sentence: sentence)
                // "the Ukraine invasion": a bare name right before an invasion noun is its victim.
                if let p = agentParty, p.kind == .name || p.kind == .capital, p.last == first,
                   TensionDocument.victimModifiedNouns.contains(tokens[first].key) {
                    signal.target = p.code
                    agentParty = nil
                }
                signal.source = agentParty?.code ?? (agentParty == nil ? speakerAgent(before: first, sentence: sentence) : nil) ?? by
                // "invading Russian soldiers": the demonym after the participle is the invader.
                if tokens[first].key == "invading", last < tokens.count, partyAt[last] >= 0,
                   parties[Int(partyAt[last])].kind == .demonym, isActor(parties[Int(partyAt[last])]) {
                    signal.source = parties[Int(partyAt[last])].code
                    signal.target = nil
                    signal.sentenceOther = nil
                    agentParty = nil
                }
                if signal.target == nil {
                    signal.target = materialObject(after: last, sentence: sentence, excluding: signal.source)
                }
                if signal.source == nil, !TensionDocument.forceCodes.contains(String(trigger.cameo.prefix(2))),
                   let demand = demandVerb(before: first, sentence: sentence),
                   let subj = subject(before: demand, sentence: sentence), subj.code != signal.target {
                    // "Ireland has called for tougher sanctions on Russia": who asks for the measure.
                    signal.source = subj.code
                }
                if signal.source == nil, let antecedent = possessiveAntecedent(before: first, sentence: sentence),
                   antecedent != signal.target {
                    signal.source = antecedent
                }
                if let p = agentParty, let index = partyAt[p.first] >= 0 ? Int(partyAt[p.first]) : nil {
                    signal.moreSources = coordinated(with: index, sentence: sentence)
                }
                if let t = signal.target, let p = partyIndex(of: t, from: last, sentence: sentence) {
                    signal.moreTargets = coordinated(with: p, sentence: sentence).filter { $0 != signal.source }
                }
            }
            signal.sourceExplicit = signal.source != nil
            signal.targetExplicit = signal.target != nil
            if signal.target == nil, trigger.context {
                // The sentence's other actor, used when the article's context has none
                // ("Tensions between Moscow and Kyiv …, with a Russian troop build-up …").
                let (a, b) = inSpeech ? (clauseA, clauseB) : window(first, last, sentence: sentence)
                signal.sentenceOther = actors(in: a, b).first { $0.code != signal.source && !$0.isPronoun }?.code
            }
            if trigger.needsBoth, signal.source == nil || signal.target == nil { return nil }
            if signal.source == nil && !trigger.agentFromContext { return nil }
            if signal.target == nil && !trigger.context { return nil }
        }
        if trigger.frame == .denial {
            guard signal.source != nil else { return nil }
        } else if !trigger.context || trigger.frame != .material {
            guard signal.source != nil, signal.target != nil else { return nil }
        }
        if mentionsEarlierYear(first, last, sentence: sentence) { return nil }
        signal.issue = issue(for: trigger, at: first, clauseA, clauseB)
        return signal
    }

    /// "the Iraqi invasion of Kuwait in 1990": an event dated "in <year>" before the article's
    /// year, within a few words after the trigger, is history, not news of the day.
    private func mentionsEarlierYear(_ first: Int, _ last: Int, sentence: Int) -> Bool {
        // "the 1967 war", "the 1982 invasion": a year right before the trigger dates it too.
        var j = first - 1
        while j >= max(sentenceStart[sentence], first - 3) {
            if tokens[j].key.utf8.count == 4, let year = Int(tokens[j].key), year >= 1000, year < article.date.year { return true }
            j -= 1
        }
        let end = min(sentenceEnd[sentence], last + 8)
        var k = last
        while k < end {
            if tokens[k].key == "in", k + 1 < end, tokens[k + 1].key.utf8.count == 4,
               let year = Int(tokens[k + 1].key), year >= 1000, year < article.date.year {
                return true
            }
            k += 1
        }
        return false
    }

    /// What a trigger's clause is: the sentence within the reported speech that holds it, or
    /// outside reported speech the comma-delimited clause.
    private func clause(_ first: Int, sentence: Int) -> (Int, Int) {
        let speechIndex = speechAt[first]
        if speechIndex >= 0 {
            let (a, b) = window(first, first + 1, sentence: sentence)
            return (max(a, speech[Int(speechIndex)].first), min(b, speech[Int(speechIndex)].last))
        }
        return commaClause(first, sentence: sentence)
    }

    // MARK: context and output

    /// An invasion or build-up that leaves its agent or victim unnamed takes them from the
    /// article's military signals with both named; failing that, from the article's most named state.
    private func fillFromContext(_ signals: inout [Signal]) {
        guard signals.contains(where: { $0.source == nil || $0.target == nil }) else { return }
        var pairCounts: [String: Int] = [:]
        // The same, for wars and invasions alone: an unnamed side of "the war" is taken from these first.
        var warPairs: [String: Int] = [:]
        var sources: [ActorCode: Int] = [:], targets: [ActorCode: Int] = [:]
        for s in signals where lexicon.triggers[s.trigger].context {
            if let a = s.source, s.sourceExplicit { sources[a, default: 0] += 1 }
            if let b = s.target, s.targetExplicit { targets[b, default: 0] += 1 }
            if let a = s.source, let b = s.target, s.sourceExplicit, s.targetExplicit {
                pairCounts["\(a.rawValue)>\(b.rawValue)", default: 0] += 1
                if lexicon.triggers[s.trigger].agentFromContext { warPairs["\(a.rawValue)>\(b.rawValue)", default: 0] += 1 }
            }
        }
        // Sentences that report some act with both sides named: where co-named states are parties to it.
        // Built only when some war or invasion needs them.
        let acts = Set(signals.filter { $0.source != nil && $0.target != nil }.map(\.sentence))
        var actsTable: Cooccurrence?, allTable: Cooccurrence?
        func coActs() -> Cooccurrence {
            if actsTable == nil { actsTable = cooccurrence(in: acts) }
            return actsTable!
        }
        func coAll() -> Cooccurrence {
            if allTable == nil { allTable = cooccurrence(in: nil) }
            return allTable!
        }
        var named: [ActorCode: Int] = [:]
        for p in parties where !p.isPronoun && !p.isPlace && gazetteer.isState(p.code) { named[p.code, default: 0] += 1 }
        func best(_ counts: [ActorCode: Int], excluding: ActorCode?, minimum: Int = 1) -> ActorCode? {
            counts.filter { $0.key != excluding && $0.value >= minimum }
                .max { ($0.value, $1.key) < ($1.value, $0.key) }?.key
        }
        // Decoded once: "SRC>TGT" keys with their codes, so each look-up below is a plain scan.
        typealias DirectedCount = (key: String, source: ActorCode, target: ActorCode, count: Int)
        func decoded(_ counts: [String: Int]) -> [DirectedCount] {
            counts.compactMap { key, count in
                let parts = key.split(separator: ">")
                guard parts.count == 2, let s = try? ActorCode(String(parts[0])), let t = try? ActorCode(String(parts[1])) else { return nil }
                return (key, s, t, count)
            }
        }
        let allDirected = decoded(pairCounts), warDirected = decoded(warPairs)
        func directed(from a: ActorCode?, to b: ActorCode?, in list: [DirectedCount]? = nil) -> (ActorCode, ActorCode)? {
            var found: DirectedCount?
            for entry in list ?? allDirected {
                if let a, a != entry.source { continue }
                if let b, b != entry.target { continue }
                if found == nil || entry.count > found!.count || (entry.count == found!.count && entry.key < found!.key) { found = entry }
            }
            return found.map { ($0.source, $0.target) }
        }
        for k in signals.indices where signals[k].source == nil || signals[k].target == nil {
            let trigger = lexicon.triggers[signals[k].trigger]
            guard trigger.context else { continue }
            if trigger.agentFromContext {
                // A war or invasion: its named side first, then the article's other wars, then the
                // state most often named beside the named side.
                // A known war of the article's day with the named side (or, none named, one whose
                // sides the article names) comes right after the article's own wars.
                let date = signals[k].date
                switch (signals[k].source, signals[k].target) {
                case (nil, nil):
                    // "the war", "the invasion" with no side named: failing the article's wars and
                    // attacks, the two states most often named together where acts are reported; the
                    // one more often the agent of an attack first.
                    let known = lexicon.knownWar(on: date, namedIn: named).map { ($0.aggressor, $0.victim) }
                    if let (a, b) = directed(from: nil, to: nil, in: warDirected) ?? known ?? directed(from: nil, to: nil)
                        ?? mostCooccurringPair(coActs(), sources: sources, named: named)
                        ?? mostCooccurringPair(coAll(), sources: sources, named: named) {
                        signals[k].source = a; signals[k].target = b
                    }
                case (nil, let b?):
                    signals[k].source = directed(from: nil, to: b, in: warDirected)?.0
                        ?? lexicon.knownWar(on: date, victim: b, namedIn: named)?.aggressor ?? directed(from: nil, to: b)?.0
                        ?? best(coActs().with[b] ?? [:], excluding: b, minimum: 2)
                        ?? best(coAll().with[b] ?? [:], excluding: b, minimum: 2)
                case (let a?, nil):
                    signals[k].target = directed(from: a, to: nil, in: warDirected)?.1
                        ?? lexicon.knownWar(on: date, aggressor: a, namedIn: named)?.victim ?? directed(from: a, to: nil)?.1
                        ?? best(coActs().with[a] ?? [:], excluding: a, minimum: 2)
                        ?? best(coAll().with[a] ?? [:], excluding: a, minimum: 2)
                        ?? signals[k].sentenceOther
                default:
                    break
                }
                continue
            }
            switch (signals[k].source, signals[k].target) {
            case (nil, nil):
                if let (a, b) = directed(from: nil, to: nil) { signals[k].source = a; signals[k].target = b }
            case (nil, let b?):
                signals[k].source = directed(from: nil, to: b)?.0 ?? best(sources, excluding: b)

            case (let a?, nil):
                signals[k].target = directed(from: a, to: nil)?.1 ?? best(targets, excluding: a)
                    ?? best(named, excluding: a, minimum: 2) ?? signals[k].sentenceOther
            default:
                break
            }
        }
    }

    /// Which states are named together in the same sentences, counted once per article (and per
    /// set of sentences) so that resolving many unnamed wars costs no more than one.
    struct Cooccurrence {
        /// Per state, the other states named with it and in how many sentences.
        var with: [ActorCode: [ActorCode: Int]] = [:]
        /// The pair named together most often (ties by codes), with its count.
        var top: (ActorCode, ActorCode, Int)?
    }

    /// `sentences` nil: every sentence.
    private func cooccurrence(in sentences: Set<Int>?) -> Cooccurrence {
        var bySentence: [Int: Set<ActorCode>] = [:]
        for p in parties where !p.isPronoun && !p.isPlace && gazetteer.isState(p.code) && sentences?.contains(Int(sentenceOf[p.first])) ?? true {
            bySentence[Int(sentenceOf[p.first]), default: []].insert(p.code)
        }
        var result = Cooccurrence()
        for (_, codes) in bySentence where codes.count >= 2 {
            for x in codes { for y in codes where y != x { result.with[x, default: [:]][y, default: 0] += 1 } }
        }
        for (x, others) in result.with {
            for (y, n) in others where x.rawValue < y.rawValue {
                if let t = result.top, t.2 > n { continue }
                if let t = result.top, t.2 == n, (t.0.rawValue, t.1.rawValue) < (x.rawValue, y.rawValue) { continue }
                result.top = (x, y, n)
            }
        }
        return result
    }

    /// The two states named together in the most sentences (at least two), ordered by how often
    /// each is the named agent of a military act, then by how often it is named at all.
    private func mostCooccurringPair(_ co: Cooccurrence, sources: [ActorCode: Int], named: [ActorCode: Int]) -> (ActorCode, ActorCode)? {
        guard let (x, y, n) = co.top, n >= 2 else { return nil }
        func rank(_ c: ActorCode) -> (Int, Int) { (sources[c] ?? 0, named[c] ?? 0) }
        return rank(x) >= rank(y) ? (x, y) : (y, x)
    }

    private func emit(_ signals: [Signal]) -> [Tension] {
        var out: [Tension] = []
        var seen: [String: Int] = [:]
        func add(_ t: Tension) {
            let key = "\(t.date)|\(t.source?.rawValue ?? "")|\(t.target?.rawValue ?? "")|\(t.cameo ?? t.type)"
            if let k = seen[key] {
                if t.weight > out[k].weight { out[k] = t }
                return
            }
            seen[key] = out.count
            out.append(t)
        }
        for s in signals {
            guard let source = s.source, let first = s.target, source != first else { continue }
            let trigger = lexicon.triggers[s.trigger]
            var cameo = trigger.cameo, type = trigger.type
            if s.modality != .asserted, let feared = trigger.fearedCameo {
                cameo = feared
                type = trigger.fearedType ?? type
            }
            guard let code = lexicon.codes[cameo] else { continue }
            // A content phrase speaks against every other actor of its clause.
            var targets = [first]
            if trigger.frame == .content {
                let (a, b) = clause(s.first, sentence: s.sentence)
                // Beneficiaries ("help for Ukraine") are not the ones spoken against when others are.
                let candidates = actors(in: a, b).filter { $0.code != source }
                let principal = candidates.filter { p in
                    p.first == 0 || !TensionDocument.beneficiaryPrepositions.contains(tokens[p.first - 1].key)
                }
                targets = []
                for p in (principal.isEmpty ? candidates : principal) where !targets.contains(p.code) { targets.append(p.code) }
                if targets.isEmpty { targets = [first] }
            }
            for target in targets + s.moreTargets.filter({ !targets.contains($0) }) {
                for actor in [source] + s.moreSources where actor != target {
                    let evidence = evidenceSpan(s)
                    add(Tension(type: type, cameo: cameo, goldstein: code.goldstein, quadClass: code.quadClass,
                                source: actor, target: target, pair: ActorPair(actor, target), directed: true,
                                modality: s.modality, weight: s.modality.weight, issue: s.issue,
                                start: evidence.start, end: evidence.end, date: s.date))
                }
            }
        }
        return out
    }

    /// The trigger widened to the clause words around it, within its sentence.
    private func evidenceSpan(_ s: Signal) -> TextSpan {
        var a = s.first, b = s.last
        let start = sentenceStart[s.sentence], end = sentenceEnd[s.sentence]
        var words = 0
        while a > start, words < 6, !TensionDocument.clausePunctuation.contains(tokens[a - 1].key),
              !lexicon.clauseBreak.contains(tokens[a - 1].key) {
            a -= 1
            if tokens[a].isWord { words += 1 }
        }
        words = 0
        while b < end, words < 6, !TensionDocument.clausePunctuation.contains(tokens[b].key), tokens[b].key != ".",
              !lexicon.clauseBreak.contains(tokens[b].key) {
            if tokens[b].isWord { words += 1 }
            b += 1
        }
        return TextSpan(start: tokens[a].start, end: tokens[max(b - 1, a)].end)
    }

    // MARK: level statements

    /// "Tensions between X and Y …", "X-Y tensions", "tensions with X" (the clause's subject as
    /// the other side), with the level phrase nearest in the sentence (0.5 when none).
    private func levelStatement(_ first: Int, _ last: Int, _ sentence: Int) -> Tension? {
        let (a, b) = window(first, last, sentence: sentence)
        var pair: (ActorCode, ActorCode)?
        var compound = false
        var evidenceA = first, evidenceB = last
        if last < b, tokens[last].key == "between" {
            // "between X and Y" exactly (an article may precede each name).
            var k = last + 1
            if k < b, tokens[k].key == "the" { k += 1 }
            if k < b, partyAt[k] >= 0 {
                let x = parties[Int(partyAt[k])]
                var j = x.last
                if j < b, tokens[j].key == "and" {
                    j += 1
                    if j < b, tokens[j].key == "the" { j += 1 }
                    if j < b, partyAt[j] >= 0 {
                        let y = parties[Int(partyAt[j])]
                        if x.code != y.code, !x.isPronoun, !y.isPronoun {
                            pair = (x.code, y.code)
                            evidenceB = y.last
                        }
                    }
                }
            }
        }
        if pair == nil {
            // "Russia-Ukraine tensions", "US-China trade tensions".
            var i = first - 1
            var found: [Party] = []
            while i >= max(a, first - 5), found.count < 2 {
                let p = partyAt[i]
                if p >= 0 { let party = parties[Int(p)]; if isActor(party) { found.append(party) }; i = party.first - 1; continue }
                if !tokens[i].isWord && tokens[i].key != "-" && tokens[i].key != "/" { break }
                if tokens[i].isWord, tokens[i].key != "and", tokens[i].key != "trade", tokens[i].key != "the",
                   tokens[i].key != "military", tokens[i].key != "diplomatic", tokens[i].key != "political",
                   tokens[i].key != "border" { break }
                i -= 1
            }
            if found.count == 2, found[0].code != found[1].code {
                pair = (found[1].code, found[0].code)
                compound = true
                evidenceA = found[1].first
            }
        }
        if pair == nil, last < b, tokens[last].key == "with",
           let other = object(after: last, sentence: sentence, maxWords: 3, excluding: nil),
           let subj = subject(before: first, sentence: sentence)?.code ?? (speechAt[first] >= 0 ? speech[Int(speechAt[first])].source : nil),
           subj != other {
            pair = (subj, other)
        }
        guard let (x, y) = pair else { return nil }
        // "there was no border tension with Uganda": a denied level is no statement of tension.
        for k in max(a, first - 3)..<first where lexicon.negation.contains(tokens[k].key) || tokens[k].key.hasSuffix("n't") {
            return nil
        }
        // The level phrase nearest to the tension word.
        var level = 0.5
        var bestDistance = Int.max
        var i = a
        while i < b {
            if let (value, end) = lexicon.levelPhrases.match(tokens, at: i, limit: b) {
                let distance = i >= last ? i - last : first - end
                if distance < bestDistance {
                    bestDistance = distance
                    level = lexicon.levelValues[value]
                    if i >= last { evidenceB = max(evidenceB, end) } else { evidenceA = min(evidenceA, i) }
                }
                i = end
                continue
            }
            i += 1
        }
        // "the Russia-Ukraine crisis" names a story; only tensions, or a stated level, say how tense.
        if compound, bestDistance == Int.max, !tokens[first].key.hasPrefix("tension") { return nil }
        let date = speechAt[first] >= 0 ? speech[Int(speechAt[first])].date : article.date
        return Tension(type: "TENSION_STATEMENT", cameo: nil, goldstein: nil, quadClass: nil, source: nil, target: nil,
                       pair: ActorPair(x, y), directed: false, modality: .asserted, weight: 1, level: level,
                       start: tokens[evidenceA].start, end: tokens[max(evidenceB - 1, evidenceA)].end, date: date)
    }

    private func dedupLevels(_ levels: [Tension]) -> [Tension] {
        var seen: Set<String> = []
        return levels.filter { seen.insert("\($0.date)|\($0.pair)").inserted }
    }
}
