import DatelineCore
import Testing
@testable import DatelineExtraction

/// Reporting verbs added in extractor version 3, each with a sentence that must give a
/// statement and one that must not. The sentences are written for these tests.
@Suite("Cue additions")
struct CueAdditionTests {
    @Test("'averred' and 'opined' report a clause")
    func averAndOpine() throws {
        let s = try #require(statements("Amina Doumbe averred that the talks had failed.").first)
        #expect(s.cue?.lemma == "aver")
        #expect(s.content.contains("the talks had failed"))
        #expect(statements("Idriss Kone opined that the border should stay open.").first?.cue?.lemma == "opine")
    }

    @Test("A court that 'ruled that' states a clause; ruling a country is no statement")
    func ruledThat() {
        #expect(statements("The court ruled that the ban was lawful.").first?.cue?.lemma == "rule")
        #expect(statements("The king ruled the country for decades.").isEmpty)
    }

    @Test("'threatened to' reports what is threatened; threatening a state is no statement")
    func threatenedTo() throws {
        let s = try #require(statements("Chad's government threatened to close the border crossings.").first)
        #expect(s.cue?.lemma == "threaten")
        #expect(s.content.contains("close the border crossings"))
        #expect(statements("Chad threatened Sudan.").allSatisfy { $0.cue?.lemma != "threaten" })
    }

    @Test("'advised' and 'requested' take their object as content")
    func advisedAndRequested() {
        #expect(statements("The embassy advised its citizens to leave the capital.").first?.cue?.lemma == "advise")
        #expect(statements("The ministry requested the closure of the agency.").first?.cue?.lemma == "request")
    }

    @Test("Plural and base forms of thought and wish verbs ('voters know', 'they want', 'residents prefer') report like their -s forms")
    func baseFormsOfThoughtAndWish() throws {
        let know = try #require(statements("Farmers know the levy will rise again next year.").first)
        #expect(know.cue?.lemma == "know")
        #expect(know.speaker.surface == "Farmers")
        let want = try #require(statements("Residents want a second bridge over the river.").first)
        #expect(want.cue?.lemma == "want")
        #expect(want.content == "a second bridge over the river")
        // After "to", or inside a quotation, the verb is no cue.
        #expect(statements("Residents seemed to want little from the council.").isEmpty)
        #expect(statements("“We want a bridge.”").allSatisfy { $0.cue?.lemma != "want" })
    }
}
