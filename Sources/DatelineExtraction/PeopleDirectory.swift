import DatelineCore
import Foundation

/// A well-known office holder from `people.json`.
struct KnownPerson: Sendable {
    struct Term: Sendable {
        var affiliation: ActorCode?
        var role: String
        /// Lower-cased ways the press names the office ("foreign minister").
        var titles: [String]
        var from: CalendarDate?
        var to: CalendarDate?

        func covers(_ date: CalendarDate) -> Bool {
            if let from, date < from { return false }
            if let to, date >= to { return false }
            return true
        }
    }

    var id: String
    var name: String
    var aliases: [String]
    var terms: [Term]

    /// The term in force on a day, or the latest one before it, or the first.
    func term(on date: CalendarDate) -> Term? {
        terms.last { $0.covers(date) }
    }

    /// The term to report for a mention on a day: the one in force, else the nearest earlier one.
    func reportedTerm(on date: CalendarDate) -> Term? {
        term(on: date) ?? terms.last { ($0.from ?? date) <= date } ?? terms.first
    }
}

/// Resolves people's names, surnames and titles to the office holders the project ships.
struct PeopleDirectory: Sendable {
    static let shared = PeopleDirectory()

    let people: [KnownPerson]
    /// Lower-cased full names and aliases → index in `people`.
    let byName: [String: Int]
    /// Lower-cased surname → indexes (a surname can be shared).
    let bySurname: [String: [Int]]

    init() {
        self.init(json: StatementResources.data(named: "people"))
    }

    init(json: Data?) {
        var people: [KnownPerson] = []
        if let json, let root = try? JSONSerialization.jsonObject(with: json) as? [String: Any],
           let list = root["people"] as? [[String: Any]] {
            for entry in list {
                guard let id = entry["id"] as? String, let name = entry["name"] as? String else { continue }
                let terms = (entry["terms"] as? [[String: Any]] ?? []).map { t in
                    KnownPerson.Term(
                        affiliation: (t["affiliation"] as? String).flatMap { try? ActorCode($0) },
                        role: t["role"] as? String ?? "",
                        titles: (t["titles"] as? [String] ?? []).map { $0.lowercased() },
                        from: (t["from"] as? String).flatMap(CalendarDate.init(parsing:)),
                        to: (t["to"] as? String).flatMap(CalendarDate.init(parsing:)))
                }
                people.append(KnownPerson(id: id, name: name, aliases: entry["aliases"] as? [String] ?? [], terms: terms))
            }
        }
        var byName: [String: Int] = [:]
        var bySurname: [String: [Int]] = [:]
        for (i, person) in people.enumerated() {
            for alias in [person.name] + person.aliases {
                let lower = alias.lowercased()
                if lower.contains(" ") {
                    byName[lower] = i
                } else {
                    bySurname[lower, default: []].append(i)
                }
            }
            if let surname = person.name.split(separator: " ").last.map({ $0.lowercased() }) {
                if !(bySurname[surname]?.contains(i) ?? false) { bySurname[surname, default: []].append(i) }
            }
        }
        self.people = people
        self.byName = byName
        self.bySurname = bySurname
    }

    /// A person by full name or alias ("Sergei Lavrov").
    func person(named name: String) -> KnownPerson? {
        byName[name.lowercased()].map { people[$0] }
    }

    /// A person by surname alone, when exactly one known person had it in office on the day
    /// (or only one has it at all).
    func person(surname: String, on date: CalendarDate) -> KnownPerson? {
        guard let candidates = bySurname[surname.lowercased()] else { return nil }
        if candidates.count == 1 { return people[candidates[0]] }
        let active = candidates.filter { people[$0].term(on: date) != nil }
        return active.count == 1 ? people[active[0]] : nil
    }

    /// The holder of an office named by a title ("foreign minister") on a day; with an
    /// affiliation when the text gives one ("Russia's", "Russian").
    func holder(title: String, affiliation: ActorCode?, on date: CalendarDate) -> KnownPerson? {
        var found: KnownPerson?
        for person in people {
            guard let term = person.term(on: date), term.titles.contains(title) else { continue }
            if let affiliation, term.affiliation != affiliation { continue }
            if affiliation == nil, found != nil { return nil }  // ambiguous without a country
            if found == nil { found = person }
        }
        return found
    }
}
