/// The closed classes a word belongs to, looked up once per token.
struct WordClass: OptionSet, Sendable {
    let rawValue: UInt32
    static let subjectPronouns = WordClass(rawValue: 1 << 0)
    static let personPronouns = WordClass(rawValue: 1 << 1)
    static let objectPronouns = WordClass(rawValue: 1 << 2)
    static let determiners = WordClass(rawValue: 1 << 3)
    static let auxiliaries = WordClass(rawValue: 1 << 4)
    static let weekdays = WordClass(rawValue: 1 << 5)
    static let months = WordClass(rawValue: 1 << 6)
    static let beForms = WordClass(rawValue: 1 << 7)
    static let stopWords = WordClass(rawValue: 1 << 8)
    static let titleWords = WordClass(rawValue: 1 << 9)
    static let organisationWords = WordClass(rawValue: 1 << 10)
    static let capitalisedFunctionWords = WordClass(rawValue: 1 << 11)
    static let subordinators = WordClass(rawValue: 1 << 12)
    static let conjunctions = WordClass(rawValue: 1 << 13)
    /// Speech-act nouns of the nominal cue rule ("claim", "warning").
    static let nominalCueNouns = WordClass(rawValue: 1 << 14)
    /// Words that count people in a subject ("most", "one", "percent").
    static let quantityWords = WordClass(rawValue: 1 << 15)

    /// The first word of some reporting-verb form of the cue lexicon.
    static let cueStart = WordClass(rawValue: 1 << 31)

    /// `table`, for look-ups by the tokenizer's bytes.
    static let words = WordTable(table)

    /// Every closed-class word with its classes.
    static let table: [String: WordClass] = {
        var t: [String: WordClass] = [:]
        let sets: [(Set<String>, WordClass)] = [
            (StatementWords.subjectPronouns, .subjectPronouns),
            (StatementWords.personPronouns, .personPronouns),
            (StatementWords.objectPronouns, .objectPronouns),
            (StatementWords.determiners, .determiners),
            (StatementWords.auxiliaries, .auxiliaries),
            (StatementWords.weekdays, .weekdays),
            (StatementWords.months, .months),
            (StatementWords.beForms, .beForms),
            (StatementWords.stopWords, .stopWords),
            (StatementWords.titleWords, .titleWords),
            (StatementWords.organisationWords, .organisationWords),
            (StatementWords.capitalisedFunctionWords, .capitalisedFunctionWords),
            (StatementWords.subordinators, .subordinators),
            (StatementWords.conjunctions, .conjunctions),
        ]
        for (set, c) in sets { for w in set { t[w, default: []].insert(c) } }
        for w in CueLexicon.shared.byFirstWord.keys { t[w, default: []].insert(.cueStart) }
        for w in StatementPass.nominalCueNouns.keys { t[w, default: []].insert(.nominalCueNouns) }
        for w in StatementPass.quantityWords.union(StatementPass.numberWords).union(["percent", "%"]) { t[w, default: []].insert(.quantityWords) }
        return t
    }()
}

/// Closed word classes the statement rules consult. Lower-cased; apostrophes straight.
enum StatementWords {
    static let subjectPronouns: Set<String> = ["he", "she", "they", "we", "i", "you", "it", "who"]
    static let personPronouns: Set<String> = ["he", "she", "i", "who"]
    static let objectPronouns: Set<String> = ["him", "her", "them", "me", "us", "you", "it"]

    static let determiners: Set<String> = [
        "the", "a", "an", "his", "her", "their", "its", "our", "my", "your", "this", "these", "those",
        "some", "many", "several", "other", "most", "all", "both", "each", "every", "few", "two", "three",
        "four", "five", "one", "another", "no", "any", "such", "more", "fewer",
    ]

    /// Between a subject and its verb: auxiliaries and adverbs ("has also repeatedly said").
    static let auxiliaries: Set<String> = [
        "also", "has", "have", "had", "would", "will", "could", "can", "should", "may", "might", "must",
        "did", "does", "do", "then", "later", "previously", "repeatedly", "again", "recently", "once", "just",
        "already", "often", "never", "still", "even", "first", "further", "initially", "separately", "earlier",
        "today", "yesterday", "tonight", "now", "finally", "simply", "actually", "indeed", "ever", "reportedly",
        "long", "since", "subsequently", "openly", "publicly", "privately", "flatly", "quickly", "specifically",
        "explicitly", "immediately", "frequently", "consistently", "apparently", "clearly", "sharply", "not",
        "n't", "been", "had", "always", "only", "soon", "last", "week", "month", "year", "morning", "night",
        "afternoon", "evening", "too",
    ]

    static let weekdays: Set<String> = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]

    static let months: Set<String> = [
        "january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
        "november", "december", "jan.", "feb.", "aug.", "sept.", "oct.", "nov.", "dec.",
    ]

    static let beForms: Set<String> = ["is", "was", "were", "are", "be", "been", "being", "'s", "am"]

    /// Words that cannot be part of a speaker phrase.
    static let stopWords: Set<String> = [
        "in", "on", "at", "by", "with", "from", "to", "into", "of", "for", "over", "under", "about", "after", "before", "during",
        "than", "as", "like", "against", "through", "without", "between", "among", "since", "until", "because",
        "while", "when", "where", "if", "that", "which", "whose", "whom", "what", "how", "why", "whether", "and",
        "or", "but", "so", "nor", "yet", "not", "is", "are", "was", "were", "be", "been", "being", "has", "have",
        "had", "do", "does", "did", "will", "would", "can", "could", "should", "may", "might", "must", "there",
        "here", "also", "however", "although", "though", "unless", "then", "who", "it", "he", "she", "they", "we",
        "i", "you", "him", "them", "me", "us", "said", "says", "say", "told", "tells", "just", "even", "only",
        "very", "too", "now", "still", "up", "out", "off", "down", "instead", "rather", "around", "per", "via",
        "whereas", "despite", "upon", "within", "including", "across", "behind", "beyond", "toward", "towards",
        "amid", "ago", "all", "this", "these", "those", "thus", "hence", "therefore", "meanwhile", "moreover",
        "yes", "no", "not", "never", "always", "really", "both", "either", "neither", "well", "again", "once",
        "want", "wants", "like", "likes", "know", "knows", "think", "thinks", "get", "gets", "got", "make",
        "makes", "made", "go", "goes", "went", "see", "sees", "saw", "take", "takes", "took", "come", "came",
        "give", "gave", "need", "needs", "support", "supports", "believe", "believes", "let", "lets",
    ]

    /// Words of office that head or precede a name ("Foreign Minister Sergey Lavrov").
    static let titleWords: Set<String> = [
        "president", "minister", "prime", "foreign", "defence", "defense", "secretary", "state", "general",
        "chancellor", "spokesman", "spokeswoman", "spokesperson", "senator", "sen.", "rep.", "representative",
        "gov.", "governor", "mayor", "ambassador", "chairman", "chairwoman", "chair", "chief", "leader", "speaker",
        "vice", "deputy", "press", "finance", "interior", "justice", "attorney", "treasury", "commerce", "trade",
        "economy", "affairs", "secretary-general", "commander", "gen.", "adm.", "mr.", "mrs.", "ms.", "dr.",
        "prof.", "former", "top", "senior", "house", "senate", "white", "majority", "minority", "first", "lady",
        "candidate", "nominee", "democratic", "republican", "presidential", "frontrunner", "front-runner",
        "king", "queen", "pope", "prince", "judge", "sheriff", "director", "head", "officer", "executive", "ceo",
        "manager", "campaign", "adviser", "advisor", "aide", "strategist", "analyst", "official", "officials",
        "lt.", "col.", "sgt.", "capt.", "maj.", "gov", "sen", "rep", "dr", "mr", "mrs", "ms", "gop", "democrat",
        "republicans", "democrats", "u.s.", "federal", "reserve", "fed", "board", "central", "bank", "national",
        "security", "council", "kremlin", "pentagon", "ministry", "department", "office", "spokesmen", "envoy",
        "diplomat", "commissioner", "commission", "european", "nato", "un", "u.n.", "army", "military",
        "party", "union", "then-president", "exchequer", "of", "the", "for",
    ]

    /// Words that make a capitalised phrase an organisation rather than a person.
    static let organisationWords: Set<String> = [
        "ministry", "department", "office", "party", "committee", "council", "commission", "agency", "bank",
        "news", "times", "post", "journal", "press", "network", "group", "association", "institute", "university",
        "college", "center", "centre", "foundation", "company", "corp", "corp.", "inc", "inc.", "co", "co.", "ltd",
        "house", "senate", "congress", "parliament", "duma", "kremlin", "court", "government", "administration",
        "campaign", "fund", "organization", "organisation", "union", "alliance", "coalition", "board", "service",
        "services", "police", "army", "forces", "navy", "tv", "radio", "channel", "magazine", "review", "tribune",
        "herald", "daily", "weekly", "reuters", "cnn", "fox", "nbc", "abc", "cbs", "msnbc", "npr", "bbc", "tass",
        "interfax", "ria", "today", "street", "airport", "city", "county", "state", "states", "republic",
        "federation", "nations", "declaration", "treaty", "accord", "act", "bill", "law", "club", "group",
        "program", "programme", "project", "initiative", "movement", "front", "conference", "summit", "forum",
        "exchange", "market", "markets", "securities", "reserve", "treasury", "hospital", "school", "church",
    ]

    /// Capitalised words that open a sentence without naming anyone.
    static let capitalisedFunctionWords: Set<String> = [
        "but", "and", "or", "so", "yet", "when", "while", "as", "if", "after", "before", "because", "although",
        "though", "since", "then", "meanwhile", "still", "however", "in", "on", "at", "for", "with", "by", "from",
        "to", "of", "the", "a", "an", "this", "that", "these", "those", "there", "here", "it", "what", "who",
        "why", "how", "where", "which", "now", "also", "instead", "asked", "speaking", "according", "during",
        "despite", "even", "indeed", "yes", "no", "last", "next", "earlier", "later", "today", "yesterday",
        "thus", "moreover", "furthermore", "nor", "until", "unless", "whether", "once", "over", "under", "about",
        "like", "unlike", "among", "amid", "against", "his", "her", "their", "its", "our", "my", "your",
    ]

    /// Clauses that follow an attribution without being its content ("…, he said, as fears …").
    static let subordinators: Set<String> = [
        "as", "while", "when", "after", "before", "because", "although", "though", "since", "until", "whereas",
        "during", "in", "at", "on", "amid", "following", "ahead", "despite", "according", "with", "without",
        "where", "which", "who", "adding", "noting", "citing", "referring",
    ]

    static let conjunctions: Set<String> = ["but", "however", "and", "yet", "though", "although", "while"]

    static func isAdverb(_ key: String) -> Bool {
        key.utf8.count > 4 && key.hasSuffix("ly") && key != "italy" && key != "family" && key != "ally"
    }
}
