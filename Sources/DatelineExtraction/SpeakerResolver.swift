import DatelineCore
import Foundation

/// Resolves speaker mentions to people and actors within one article: full names, surnames
/// ("Lavrov" → Sergey Lavrov, named earlier or in the caption), titles ("the Russian Foreign
/// Minister", bound where the article wrote "Russia's Foreign Minister Sergey Lavrov", or
/// from the people file on the article's date), pronouns (the previous speaker, else the most
/// recent person named), states and organisations (through the actor gazetteer).
struct SpeakerResolver {
    struct PersonMention {
        var name: String
        var surname: String
        var position: Int
        var known: KnownPerson?
        var roleKey: String?
        var affiliation: ActorCode?
        var affiliationWord: String?
    }

    let text: ArticleText
    let tokens: [StatementToken]
    let date: CalendarDate
    let people: PeopleDirectory
    let gazetteer = ActorGazetteer.shared
    /// People named in the article (outside quotations), in order.
    var persons: [PersonMention] = []
    /// Indexes into `persons` by full name and by surname, in text order.
    var personsByName: [String: [Int]] = [:]
    var personsBySurname: [String: [Int]] = [:]
    var lastSpeaker: Speaker?

    private var personsFound = false

    init(text: ArticleText, tokens: [StatementToken], date: CalendarDate, people: PeopleDirectory) {
        self.text = text
        self.tokens = tokens
        self.date = date
        self.people = people
    }

    func string(_ a: Int, _ b: Int) -> String {
        text.string(TextSpan(start: tokens[a].start, end: tokens[b].end))
    }

    /// Strips a possessive ending ("Lavrov's" → "Lavrov").
    static func stripPossessive(_ s: String) -> String {
        // Only text that is not all ASCII can end in a typographic apostrophe; the suffix test
        // for one compares characters and is slow, so ASCII text skips it.
        let ascii = s.utf8.allSatisfy { $0 < 0x80 }
        if s.hasSuffix("'s") || (!ascii && s.hasSuffix("’s")) { return String(s.dropLast(2)) }
        if s.hasSuffix("'") || (!ascii && s.hasSuffix("’")) { return String(s.dropLast()) }
        return s
    }

    /// Whether a person mention is really a person: a multi-word name that the gazetteer
    /// knows ("New Zealand") is a place. Checked only when a mention is about to be used.
    mutating func isPerson(_ p: PersonMention) -> Bool {
        p.known != nil || !TextSearch.contains(p.name, ascii: 0x20, or: " ") || actor(p.name) == nil
    }

    /// The latest person mention before a scalar position meeting a condition, skipping those
    /// that are places. Looks back over a bounded window so long articles stay linear.
    mutating func lastPerson(before position: Int = Int.max, window: Int = 400, where condition: (PersonMention) -> Bool) -> PersonMention? {
        // Binary search: the first mention at or after `position`.
        var lo = 0, hi = persons.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if persons[mid].position < position { lo = mid + 1 } else { hi = mid }
        }
        var k = lo - 1
        let stop = max(0, lo - window)
        while k >= stop {
            if condition(persons[k]), isPerson(persons[k]) { return persons[k] }
            k -= 1
        }
        return nil
    }

    /// The latest mention of a full name or surname, through the indexes.
    mutating func lastPerson(in index: [String: [Int]], key: String, before position: Int) -> PersonMention? {
        guard let list = index[key] else { return nil }
        var lo = 0, hi = list.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if persons[list[mid]].position <= position { lo = mid + 1 } else { hi = mid }
        }
        var k = lo - 1
        while k >= max(0, lo - 50) {
            if isPerson(persons[list[k]]) { return persons[list[k]] }
            k -= 1
        }
        // None before: the first one after (a name given later in the paragraph).
        for i in list.prefix(50) where isPerson(persons[i]) { return persons[i] }
        return nil
    }

    /// Gazetteer answers, cached per phrase: the same names recur within an article.
    var actorCache: [String: ActorCode?] = [:]

    mutating func actor(_ word: String) -> ActorCode? {
        if let cached = actorCache[word] { return cached }
        if let shared = ActorAnswerCache.shared.answer(word) {
            actorCache[word] = shared
            return shared
        }
        var code = gazetteer.actor(named: word)
        if code == nil {
            let stripped = SpeakerResolver.stripPossessive(word)
            if stripped.utf8.count != word.utf8.count { code = gazetteer.actor(named: stripped) }
        }
        actorCache[word] = code
        ActorAnswerCache.shared.store(word, code)
        return code
    }

    /// Whether a token could name an actor: capitalised, or a known lower-case alias is unlikely.
    mutating func actorToken(_ k: Int) -> ActorCode? {
        guard tokens[k].capitalized else { return nil }
        return actor(string(k, k))
    }

    /// Scans capitalised runs for person names, with the title that may precede them.
    mutating func findPersons() {
        var i = 0
        while i < tokens.count {
            guard tokens[i].kind == .word, tokens[i].capitalized, tokens[i].quote < 0 else { i += 1; continue }
            var j = i
            // A run ends at a paragraph or title boundary ("… near Kharkiv" / "Russia accused …").
            while j + 1 < tokens.count, tokens[j + 1].kind == .word, tokens[j + 1].quote < 0, tokens[j + 1].paragraph == tokens[j].paragraph,
                  tokens[j + 1].capitalized || (["of", "for"].contains(tokens[j + 1].key) && j + 2 < tokens.count && tokens[j + 2].capitalized),
                  !tokens[j].key.hasSuffix("'s") || tokens[j + 1].has(.titleWords) {
                j += 1
            }
            analyse(i, j)
            i = j + 1
        }
    }

    /// A capitalised run i...j: a title prefix, then a name of two or more words.
    mutating func analyse(_ i: Int, _ j: Int) {
        var k = i
        var roleWords: [String] = []
        var affiliation: ActorCode? = nil
        var affiliationWord: String? = nil
        while k <= j {
            let w = tokens[k].key
            if tokens[k].has(.capitalisedFunctionWords) && roleWords.isEmpty && affiliationWord == nil { k += 1; continue }
            if tokens[k].has(.titleWords) {
                if !["the", "of", "for", "former", "top", "senior", "mr.", "mrs.", "ms.", "dr.", "mr", "mrs", "ms", "dr"].contains(w) { roleWords.append(w) }
                k += 1
                continue
            }
            if k < j, roleWords.isEmpty, affiliationWord == nil, tokens[k + 1].has(.titleWords), let code = actorToken(k) {
                affiliation = code
                affiliationWord = SpeakerResolver.stripPossessive(w)
                k += 1
                continue
            }
            if k < j, roleWords.isEmpty, affiliationWord == nil, w.hasSuffix("'s"), k + 1 <= j, tokens[k + 1].has(.titleWords) {
                affiliationWord = SpeakerResolver.stripPossessive(w)
                k += 1
                continue
            }
            break
        }
        guard k <= j else { return }
        let nameWords = (k...j).filter { tokens[$0].kind == .word }
        guard nameWords.count >= 2 || people.bySurname[SpeakerResolver.stripPossessive(tokens[k].key)] != nil else { return }
        if nameWords.contains(where: { tokens[$0].has(.organisationWords) || tokens[$0].has(.months)
            || tokens[$0].has(.weekdays) || ["of", "for"].contains(tokens[$0].key) }) { return }
        if nameWords.count > 4 { return }
        let name = SpeakerResolver.stripPossessive(string(k, j))
        let surname = SpeakerResolver.stripPossessive(tokens[j].key)
        let known = people.person(named: name) ?? (nameWords.count == 1 ? people.person(surname: surname, on: date) : nil)
        if nameWords.count == 1, known == nil { return }
        let roleKey = roleWords.isEmpty ? nil : roleWords.joined(separator: " ")
        personsByName[known?.name ?? name, default: []].append(persons.count)
        personsBySurname[surname, default: []].append(persons.count)
        persons.append(PersonMention(name: known?.name ?? name, surname: surname, position: tokens[i].start, known: known,
                                     roleKey: roleKey, affiliation: affiliation ?? known?.reportedTerm(on: date)?.affiliation
                                        ?? appositiveAffiliation(i, j),
                                     affiliationWord: affiliationWord))
    }

    /// The state of a title set off by commas next to a name: "Chad's foreign minister, Amina
    /// Doumbe," or "Amina Doumbe, the Chadian foreign minister,". The title must hold a title word
    /// and an actor, within six words; anything else (a verb, a quotation) finds none.
    static let clauseWords: Set<String> = ["who", "whom", "whose", "which", "that", "and", "or", "but", "said", "says", "told", "met", "and"]

    mutating func appositiveAffiliation(_ i: Int, _ j: Int) -> ActorCode? {
        func scan(_ range: [Int]) -> ActorCode? {
            var code: ActorCode?
            var title = false
            for m in range {
                let t = tokens[m]
                guard t.kind == .word, t.quote < 0 else { break }
                if t.has(.titleWords) { title = true; continue }
                if t.has(.determiners) { continue }
                if code == nil, let c = actorToken(m) { code = c; continue }
                // "foreign", "deputy": other lower-case words of a title, not a clause.
                if !t.capitalized, !SpeakerResolver.clauseWords.contains(t.key) { continue }
                return nil
            }
            return title && tokens[range.last!].has(.titleWords) ? code : nil
        }
        if i >= 2, tokens[i - 1].key == "," {
            var a = i - 2
            while a > 0, i - 2 - a < 6, tokens[a - 1].kind == .word, tokens[a - 1].quote < 0 { a -= 1 }
            // The title runs from the sentence's or clause's start, so it ends right before the comma.
            if let c = scan(Array(a...(i - 2))), a == 0 || tokens[a - 1].kind != .word { return c }
        }
        if j + 2 < tokens.count, tokens[j + 1].key == "," {
            var b = j + 2
            while b + 1 < tokens.count, b - j < 7, tokens[b + 1].kind == .word { b += 1 }
            if b + 1 < tokens.count, tokens[b + 1].key == ",", let c = scan(Array((j + 2)...b)) { return c }
        }
        return nil
    }

    static func slug(_ name: String) -> String {
        var out = ""
        var dash = false
        for ch in name.lowercased().unicodeScalars {
            if StatementTokenizer.isLetterOrDigit(ch) && ch.value < 128 {
                if dash && !out.isEmpty { out.append("-") }
                dash = false
                out.unicodeScalars.append(ch)
            } else if ch.value >= 128, ch.properties.isAlphabetic {
                // Fold common Latin accents to ASCII for a stable id.
                let folded = String(ch).applyingTransformASCII()
                if dash && !out.isEmpty { out.append("-") }
                dash = false
                out += folded
            } else {
                dash = true
            }
        }
        return out
    }

    mutating func noteSpeaker(_ s: Speaker) {
        if s.name != nil { lastSpeaker = s }
    }

    func personSpeaker(_ p: PersonMention, surface: String?, start: Int?, end: Int?) -> Speaker {
        let term = p.known?.reportedTerm(on: date)
        return Speaker(surface: surface, start: start, end: end, name: p.name,
                       entity: p.known?.id ?? "person:" + SpeakerResolver.slug(p.name),
                       affiliation: term?.affiliation ?? p.affiliation, role: term?.role ?? p.roleKey.map(SpeakerResolver.roleName))
    }

    func knownSpeaker(_ k: KnownPerson, surface: String?, start: Int?, end: Int?) -> Speaker {
        let term = k.reportedTerm(on: date)
        return Speaker(surface: surface, start: start, end: end, name: k.name, entity: k.id, affiliation: term?.affiliation, role: term?.role)
    }

    static func roleName(_ key: String) -> String {
        key.split(separator: " ").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined(separator: " ")
    }

    /// The speaker for a phrase of tokens, at a scalar position (for "most recent" lookups).
    mutating func resolve(_ phrase: SpeakerPhrase, at position: Int) -> Speaker {
        if !personsFound {
            personsFound = true
            findPersons()
        }
        let start = tokens[phrase.first].start, end = tokens[phrase.last].end
        let surface = text.string(TextSpan(start: start, end: end))
        let mentionPosition = min(start, position)
        if phrase.first == phrase.last, tokens[phrase.first].has(.subjectPronouns) {
            let w = tokens[phrase.first].key
            var s = Speaker(surface: surface, start: start, end: end, name: surface)
            if tokens[phrase.first].has(.personPronouns) {
                if let last = lastSpeaker, last.entity?.hasPrefix("person:") == true {
                    s = last
                } else if let p = lastPerson(before: mentionPosition, where: { _ in true }) {
                    s = personSpeaker(p, surface: nil, start: nil, end: nil)
                }
            } else if let last = lastSpeaker, last.entity?.hasPrefix("actor:") == true || (w == "they" && last.entity == nil) {
                s = last
            }
            s.surface = surface
            s.start = start
            s.end = end
            return s
        }
        // The capitalised words at the phrase's end (the name), after any title words.
        // "Sen. Bernie Sanders of Vermont": the name ends before a place or body it is "of".
        var phrase = phrase
        if let c = (phrase.first...phrase.last).first(where: { ["of", "for", "at"].contains(tokens[$0].key) }), c > phrase.first,
           (phrase.first..<c).contains(where: { tokens[$0].capitalized && !tokens[$0].has(.titleWords) }) {
            phrase.last = c - 1
        }
        var nameFirst = phrase.last
        while nameFirst > phrase.first, tokens[nameFirst - 1].capitalized, !tokens[nameFirst - 1].key.hasSuffix("'s") { nameFirst -= 1 }
        var k = nameFirst
        var roleWords: [String] = []
        var affiliation: ActorCode? = nil
        for m in phrase.first...phrase.last {
            let w = tokens[m].key
            if tokens[m].has(.titleWords) && !["the", "of", "for", "former", "top", "senior"].contains(w) && !tokens[m].key.hasPrefix("mr") {
                roleWords.append(w)
            } else if affiliation == nil, m < phrase.last, let code = actorToken(m) {
                affiliation = code
            }
        }
        while k <= phrase.last, tokens[k].has(.titleWords) || actorToken(k) != nil && k < phrase.last { k += 1 }
        if k <= phrase.last, !roleWords.isEmpty {
            var allTitle = true
            for m in k...phrase.last where !(tokens[m].has(.titleWords) || actorToken(m) != nil) { allTitle = false; break }
            if allTitle { k = phrase.last + 1 }
        }
        let nameTokens = k <= phrase.last && tokens[phrase.last].capitalized ? Array(k...phrase.last) : []
        if !nameTokens.isEmpty {
            let name = SpeakerResolver.stripPossessive(string(nameTokens.first!, nameTokens.last!))
            if nameTokens.count >= 2 {
                if let known = people.person(named: name) { return knownSpeaker(known, surface: surface, start: start, end: end) }
                if let p = lastPerson(in: personsByName, key: name, before: mentionPosition) {
                    var s = personSpeaker(p, surface: surface, start: start, end: end)
                    // "Chad's foreign minister, Amina Doumbe": the title in the phrase gives the state.
                    if s.affiliation == nil { s.affiliation = affiliation }
                    return s
                }
                if let code = actor(name) ?? (phrase.first < nameTokens.first! ? actor(surface) : nil) {
                    return Speaker(surface: surface, start: start, end: end, name: name, entity: "actor:" + code.rawValue, affiliation: code)
                }
                if nameTokens.contains(where: { tokens[$0].has(.organisationWords) }) {
                    return Speaker(surface: surface, start: start, end: end, name: name, affiliation: affiliation)
                }
                return Speaker(surface: surface, start: start, end: end, name: name, entity: "person:" + SpeakerResolver.slug(name),
                               affiliation: affiliation, role: roleWords.isEmpty ? nil : SpeakerResolver.roleName(roleWords.joined(separator: " ")))
            }
            let single = SpeakerResolver.stripPossessive(tokens[nameTokens[0]].key)
            if let p = lastPerson(in: personsBySurname, key: single, before: mentionPosition) {
                return personSpeaker(p, surface: surface, start: start, end: end)
            }
            if let known = people.person(surname: single, on: date) { return knownSpeaker(known, surface: surface, start: start, end: end) }
            if let code = actor(name) {
                return Speaker(surface: surface, start: start, end: end, name: name, entity: "actor:" + code.rawValue, affiliation: code)
            }
            return Speaker(surface: surface, start: start, end: end, name: name, affiliation: affiliation)
        }
        // A title with no name: bound earlier in the article, or the office holder on the day.
        if !roleWords.isEmpty {
            let roleKey = roleWords.joined(separator: " ")
            if let p = lastPerson(before: mentionPosition, where: { m in
                guard let r = m.roleKey, r == roleKey || r.hasSuffix(roleKey) || roleKey.hasSuffix(r) else { return false }
                if let a = affiliation, let b = m.affiliation, a != b { return false }
                return true
            }) {
                return personSpeaker(p, surface: surface, start: start, end: end)
            }
            if let known = people.holder(title: roleKey, affiliation: affiliation, on: date) {
                return knownSpeaker(known, surface: surface, start: start, end: end)
            }
        }
        if (phrase.first...phrase.last).contains(where: { tokens[$0].capitalized }), let code = actor(surface) {
            return Speaker(surface: surface, start: start, end: end, name: surface, entity: "actor:" + code.rawValue, affiliation: code)
        }
        return Speaker(surface: surface, start: start, end: end, name: surface, affiliation: affiliation)
    }
}

extension String {
    /// Latin letters with diacritics folded to ASCII ("ğ" → "g"), for ids.
    func applyingTransformASCII() -> String {
        var out = ""
        for s in decomposedStringWithCanonicalMapping.unicodeScalars where s.value < 128 { out.unicodeScalars.append(s) }
        return out.lowercased()
    }
}

/// The gazetteer's answers for phrases seen before, shared across articles: the same names
/// ("Reuters", "U.S. Treasury") recur across a feed. A memo of a pure function, bounded in size.
final class ActorAnswerCache: @unchecked Sendable {
    static let shared = ActorAnswerCache()
    private let lock = NSLock()
    private var answers: [String: ActorCode?] = [:]

    func answer(_ phrase: String) -> ActorCode?? {
        lock.lock()
        defer { lock.unlock() }
        return answers[phrase]
    }

    func store(_ phrase: String, _ code: ActorCode?) {
        lock.lock()
        defer { lock.unlock() }
        if answers.count > 100_000 { answers.removeAll(keepingCapacity: true) }
        answers[phrase] = code
    }
}
