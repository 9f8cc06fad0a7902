import DatelineCore
import Testing
@testable import DatelineExtraction

/// Trigger words that name no act between actors in some uses, told apart by the words around
/// them. Each rule has sentences where the trigger must still fire and ones where it must not;
/// all sentences are written for these tests.
@Suite("Readings that are no event")
struct NoEventReadingTests {
    @Test("A sanction undone is no sanction; one imposed or frozen assets still are")
    func undoneSanction() {
        #expect(tensionKeys(tensions("Chile lifted its ban on imports from Peru.")).isEmpty)
        #expect(tensionKeys(tensions("Chile ended its sanctions on Peru.")).isEmpty)
        #expect(tensionKeys(tensions("Chile froze the assets of Peru's central bank.")).contains("163 CHL>PER"))
        #expect(tensionKeys(tensions("Chile banned Peruvian fishing boats from its waters.")).contains("163 CHL>PER"))
        #expect(tensionKeys(tensions("Chile imposed sanctions on Peru.")).contains("163 CHL>PER"))
    }

    @Test("Frozen out of a contract is exclusion, not frozen assets")
    func frozenOut() {
        #expect(tensionKeys(tensions("Chilean firms were frozen out of the Peruvian tender.")).isEmpty)
    }

    @Test("Meeting a standard or a target is no meeting; meeting a president is")
    func meetingARequirement() {
        #expect(tensionKeys(tensions("Chile said it would try hard to meet Peruvian safety standards.")).isEmpty)
        #expect(tensionKeys(tensions("Chile pledged to meet the targets agreed with Peru.")).isEmpty)
        #expect(tensionKeys(tensions("Chile's president plans to meet with Peru's president in Lima.")).contains("036 CHL>PER"))
        // The one met comes first; the terms are what they will talk about.
        #expect(tensionKeys(tensions("Chile's president is to meet Peru's president on the terms of the deal.")).contains("036 CHL>PER"))
    }

    @Test("Attacking forecasts or a plan is criticism of words, not force; attacking a town is force")
    func wordsAttacked() {
        #expect(tensionKeys(tensions("Chile attacked Peru's growth forecasts as too rosy.")).isEmpty)
        #expect(tensionKeys(tensions("Chile attacked the plan Peru put forward.")).isEmpty)
        #expect(tensionKeys(tensions("Chilean troops attacked Peru's border town at dawn.")).contains("190 CHL>PER"))
        // A clause ends at its comma: a plan named after it is not what was attacked.
        #expect(tensionKeys(tensions("Chilean troops attacked Peru, defying the peace plan.")).contains("190 CHL>PER"))
        #expect(tensionKeys(tensions("Chilean forces attacked a Peruvian position near the border.")).contains("190 CHL>PER"))
    }

    @Test("A dictionary verb after a determiner is a noun: a company's arm is no arming")
    func verbUsedAsNoun() {
        #expect(tensionKeys(tensions("The Chilean arm of a Peruvian miner reported higher profits.")).isEmpty)
        #expect(tensionKeys(tensions("Chile targeted Peruvian radar sites overnight.")).contains("190 CHL>PER"))
        // The -ing form names the act: "the Chilean targeting of" is targeting.
        #expect(tensionKeys(tensions("Lima condemned the Chilean targeting of Peruvian radar sites.")).contains("190 CHL>PER"))
    }

    @Test("A country's firms are companies in an agreement, but stand for the country when threatened or accused")
    func firmsOfACountry() {
        // Firms that accuse are firms, not their country.
        #expect(tensionKeys(tensions("Peruvian firms accused Chile of breaching the contracts.")).isEmpty)
        #expect(tensionKeys(tensions("Chile signed an agreement with Peruvian firms to build a port.")).isEmpty)
        #expect(tensionKeys(tensions("Chile signed an agreement with Peru to build a port.")).contains("057 CHL>PER"))
        #expect(tensionKeys(tensions("Chile threatened to revoke the licences of Peruvian banks.")).contains("130 CHL>PER"))
        #expect(tensionKeys(tensions("Chile accused Peruvian banks of hiding money.")).contains("112 CHL>PER"))
    }

    @Test("A war in general or one that may come lends no sides: 'a major war', 'lead to war', 'powers to make war'")
    func indefiniteWar() {
        let context = "Chile and Peru traded claims. Chile and Peru met again. "
        #expect(tensionKeys(tensions(context + "Officials warned the dispute could lead to war.")).allSatisfy { !$0.hasPrefix("190") })
        #expect(tensionKeys(tensions(context + "The senators debated the president's powers to make war.")).allSatisfy { !$0.hasPrefix("190") })
        #expect(tensionKeys(tensions(context + "Lima could find itself in a major war.")).allSatisfy { !$0.hasPrefix("190") })
        #expect(tensionKeys(tensions(context + "Officials in Lima don't see it as a war.")).allSatisfy { !$0.hasPrefix("190") })
        #expect(tensionKeys(tensions(context + "The war went on through the winter.")).contains { $0.hasPrefix("190") })
        // A war that was started or is waged is the article's war.
        #expect(tensionKeys(tensions(context + "Chile launched a war that has killed thousands.")).contains("190 CHL>PER"))
        #expect(tensionKeys(tensions(context + "Chile has been waging war for nine months.")).contains("190 CHL>PER"))
    }

    @Test("Meeting a share of costs is no meeting")
    func meetingAShare() {
        #expect(tensionKeys(tensions("Chile agreed a loan to meet Peru's share of the project.")).allSatisfy { !$0.hasPrefix("036") })
    }

    @Test("Denying licences or entry withholds them; denying a claim is a denial")
    func denyingSomething() {
        #expect(tensionKeys(tensions("Chile threatened to deny licences to Peruvian fishing fleets.")).allSatisfy { !$0.hasPrefix("016") })
        #expect(tensionKeys(tensions("Chile denied visas to Peru's delegation.")).allSatisfy { !$0.hasPrefix("016") })
        #expect(tensionKeys(tensions("Chile denied access to Peru's inspectors.")).allSatisfy { !$0.hasPrefix("016") })
        #expect(tensionKeys(tensions("Chile denied Peru's claims that it had moved troops.")).contains("016 CHL>PER"))
    }

    @Test("'Armed' before a noun describes; before who is armed it arms")
    func armedAsAdjective() {
        #expect(tensionKeys(tensions("Chile has committed an act of armed aggression against Peru.")).allSatisfy { !$0.hasPrefix("062") })
        #expect(tensionKeys(tensions("Chile was moving toward armed conflict with Peru.")).allSatisfy { !$0.hasPrefix("062") })
        #expect(tensionKeys(tensions("Chile armed Peru with old rifles.")).contains("062 CHL>PER"))
    }

    @Test("War risk insurance is no war")
    func warRisk() {
        #expect(tensionKeys(tensions("Chile and Peru traded claims. Chile and Peru met again. War risk premiums rose.")).allSatisfy { !$0.hasPrefix("190") })
        #expect(tensionKeys(tensions("Chile and Peru traded claims. Chile and Peru met again. The war went on.")).contains { $0.hasPrefix("190") })
    }
}

/// The Soviet Union in reporting before its end: its demonym, and Moscow or Russia standing for it.
@Suite("The Soviet Union before 1992")
struct SovietUnionTests {
    @Test("Soviet ships and the Soviets are the Soviet Union; Soviet-made weapons are no Soviet actor")
    func sovietDemonym() {
        #expect(tensionKeys(tensions("The Soviets condemned the Chinese decision on Friday.", on: "1987-05-10")).contains("111 SUN>CHN"))
        #expect(tensionKeys(tensions("Iraq said any Iranian attack on Soviet ships would be answered.", on: "1987-05-10"))
            .contains { $0.hasSuffix("IRN>SUN") })
        #expect(tensionKeys(tensions("Chile sent Peru Soviet-made tanks.")).allSatisfy { !$0.contains("SUN") })
    }

    @Test("Moscow names the Soviet Union before 26 December 1991 and Russia after it")
    func moscowByDate() {
        let text = "Moscow condemned the Chinese decision on Friday."
        #expect(tensionKeys(tensions(text, on: "1987-05-10")).contains("111 SUN>CHN"))
        #expect(tensionKeys(tensions(text, on: "1991-12-25")).contains("111 SUN>CHN"))
        #expect(tensionKeys(tensions(text, on: "1991-12-26")).contains("111 RUS>CHN"))
        #expect(tensionKeys(tensions(text, on: "2022-05-10")).contains("111 RUS>CHN"))
    }

    @Test("A speaker of Russia in reported speech before 1992 speaks for the Soviet Union")
    func speakerByDate() throws {
        // No mention of Russia in the text: the speaker's affiliation alone says who speaks.
        let text = "The minister said the Chinese plan was unacceptable."
        for (day, expected) in [("1987-05-10", "111 SUN>CHN"), ("2022-05-10", "111 RUS>CHN")] {
            let date = CalendarDate(parsing: day)!
            let said = try statement("the Chinese plan was unacceptable", in: text, by: "RUS", name: "A minister", date: date)
            let found = TensionExtractor.shared.extract(from: Article(date: date, text: text), statements: [said])
            #expect(tensionKeys(found) == [expected], "\(day)")
        }
    }
}

@Suite("Lists of actors")
struct ActorListTests {
    @Test("A possessive before a listed actor keeps the list going: 'Peru as well as its Bolivian neighbour'")
    func possessiveInAList() {
        let k = tensionKeys(tensions("Chile held calls with Peru as well as its Bolivian neighbour."))
        #expect(k.isSuperset(of: ["041 CHL>PER", "041 CHL>BOL"]), "\(k)")
        // No joining word: the possessive alone lists nothing; nor across a new clause.
        #expect(tensionKeys(tensions("Chile held calls with Peru about its Bolivian debts.")) == ["041 CHL>PER"])
        #expect(!tensionKeys(tensions("Chile held calls with Peru, and its Bolivian neighbour criticised NATO.")).contains("041 CHL>BOL"))
    }
}
