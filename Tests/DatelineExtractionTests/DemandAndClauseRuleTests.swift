import DatelineCore
import Testing
@testable import DatelineExtraction

/// Rules for who asks for a measure, subjects past relative clauses, "labelled … as" and the end
/// of a noun-phrase content. Every sentence is written for these tests, with a negative case.
@Suite("Demand and clause rules")
struct DemandAndClauseRuleTests {
    func tensions(_ text: String) -> [Tension] {
        Extractor().extract(Article(date: CalendarDate(parsing: "2022-05-10")!, text: text)).tensions
    }

    @Test("Whoever calls for a sanction is its source; an actor after a preposition is not")
    func demandedSanction() {
        #expect(tensionKeys(tensions("Norway has called for tougher sanctions on Sudan.")).contains("163 NOR>SDN"))
        #expect(tensionKeys(tensions("Kenya urged new sanctions against Sudan.")).contains("163 KEN>SDN"))
        #expect(tensionKeys(tensions("Critics of Chad called for sanctions on Sudan.")).isEmpty)
        // An attack is not asked for by the one who calls for it.
        #expect(!tensionKeys(tensions("Norway called for strikes on Sudan.")).contains("190 NOR>SDN"))
    }

    @Test("A relative clause between the subject and its verb is passed over; a plain comma is not")
    func subjectPastRelativeClause() {
        #expect(tensionKeys(tensions("Kenya, which has cast itself as a neutral broker, held talks with Sudan.")).contains("040 KEN>SDN"))
        #expect(tensionKeys(tensions("In Kenya, officials from many places held talks with Sudan.")).allSatisfy { !$0.hasPrefix("040 KEN") })
    }

    @Test("'labelled … as' reports what is said about its object")
    func labelledAs() throws {
        let s = try #require(statements("Norway labelled the raids on Kenya as war crimes.").first)
        #expect(s.cue?.lemma == "label")
        #expect(statements("The label on the crate was torn.").isEmpty)
    }

    @Test("The object of a noun-phrase cue ends before a comma and a new clause; one clause stays whole")
    func nominalContentEnds() throws {
        let s = try #require(statements("Amina Doumbe condemned the raids on the port, and other ministers followed her lead.").first)
        #expect(s.content == "the raids on the port")
        let whole = try #require(statements("Amina Doumbe condemned the raids on the port and the airfield.").first)
        #expect(whole.content == "the raids on the port and the airfield")
    }

    @Test("Weapons named as supplied by an actor are aid from it to the clause's subject; 'made' names no supplier")
    func suppliedWeapons() {
        #expect(tensionKeys(tensions("The Kenyan army fired Japanese-supplied shells at the camp.")).contains("070 JPN>KEN"))
        #expect(tensionKeys(tensions("The Kenyan army fired Japanese-made shells at the camp.")).isEmpty)
    }

    @Test("The addition of several states to an alliance is each one joining it; an addition with no actors is nothing")
    func additionToAlliance() {
        let k = tensionKeys(tensions("Officials backed the addition of Chad and Niger to the African Union."))
        #expect(k.isSuperset(of: ["062 TCD>AU", "062 NER>AU"]), "\(k)")
        #expect(tensionKeys(tensions("The addition of salt to soup is common in Chad.")).isEmpty)
    }

    @Test("A visit in an aside opened by 'during' is made by the actor named right before the aside")
    func visitInAside() {
        #expect(tensionKeys(tensions("Kenya's envoy, during a visit to Chad, praised the talks.")).contains("042 KEN>TCD"))
        #expect(tensionKeys(tensions("The remark, during a visit to Chad, caused a stir.")).isEmpty)
        // An actor further back, past another clause, is not the visitor.
        #expect(tensionKeys(tensions("Kenya won, and the remark made later by the coach, during a visit to Chad, caused a stir.")).isEmpty)
    }
}
