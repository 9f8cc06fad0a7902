import DatelineCore
import Testing
@testable import DatelineExtraction

/// Statement rules of extractor version 4: where indirect content ends, nested statements in
/// relative clauses, noun-like cues made verbal by their company, and quotations that carry an
/// indirect statement on. Every sentence is written for these tests, with a case each rule must
/// not fire on.
@Suite("Statement content boundary rules")
struct ContentBoundaryRuleTests {
    @Test("A trailing relative clause with its own attribution is a second statement; the first ends before it")
    func trailingRelativeAttribution() throws {
        let s = statements("Officials said the convoy reached the bridge, which the army claimed was mined.")
        let outer = try #require(s.first { $0.cue?.lemma == "say" })
        #expect(outer.content == "the convoy reached the bridge")
        let inner = try #require(s.first { $0.cue?.lemma == "claim" })
        #expect(inner.content == "was mined")
        #expect(inner.speaker.surface == "the army")
        // A relative clause without a speaker of its own stays in the content.
        let plain = statements("Officials said the convoy reached the bridge, which was mined.")
        #expect(plain.count == 1)
        #expect(plain.first?.content == "the convoy reached the bridge, which was mined")
    }

    @Test("A pronoun reporting right after its noun is nested; a cue inside the content that is its verb is not")
    func pronounAfterNoun() throws {
        let s = statements("Amina Doumbe said the ministry kept a list of 40 names it said were banned from travel.")
        let inner = try #require(s.first { $0.content == "were banned from travel" })
        #expect(inner.speaker.surface == "it")
        let outer = try #require(s.first { $0.speaker.surface == "Amina Doumbe" })
        #expect(outer.content.hasSuffix("were banned from travel"))
        let verb = statements("Amina Doumbe said the rebels denied the attack on the depot.")
        #expect(verb.count == 1)
    }

    @Test("A noun-like cue followed by that, or after a relative pronoun, is a verb even with a lowercase subject")
    func ambiguousCueByContext() throws {
        let s = try #require(statements("The refugee agency reports that 40,000 people have fled the region.").first)
        #expect(s.content == "that 40,000 people have fled the region" || s.content == "40,000 people have fled the region")
        #expect(s.speaker.surface == "The refugee agency")
        // After a determiner it stays a noun.
        #expect(statements("The reports that 40,000 people had fled were never confirmed.").isEmpty)
        // Without that, a lowercase subject that names no body still needs more.
        #expect(statements("The refugee camp reports 40,000 arrivals a week.").isEmpty)
    }

    @Test("A framing clause, an apposition or another attribution after a comma ends indirect content")
    func contentEndsAtFramingClause() throws {
        let after = try #require(statements("Kone said the army held the ridge, after two weeks of fighting.").first)
        #expect(after.content == "the army held the ridge")
        let apposition = try #require(statements("Kone said 40 officials were banned, a step the opposition had feared.").first)
        #expect(apposition.content == "40 officials were banned")
        let s = statements("Kone said the harvest would be late, but farmers say the rains came early.")
        let first = try #require(s.first { $0.speaker.surface == "Kone" })
        #expect(first.content == "the harvest would be late")
        #expect(s.contains { $0.speaker.surface == "farmers" })
        // Without the comma, "after" is part of what was said.
        let kept = try #require(statements("Kone said the army would leave after the harvest.").first)
        #expect(kept.content == "the army would leave after the harvest")
        // A comma before a plain continuation keeps it.
        let list = try #require(statements("Kone said the army held the ridge, the valley and the pass.").first)
        #expect(list.content == "the army held the ridge, the valley and the pass")
    }

    @Test("A quotation standing as the next sentence carries an indirect statement on")
    func quotationContinuesIndirect() throws {
        let s = statements("Amina Doumbe said the region would not give up. “We have held this line for a year.”")
        let indirect = try #require(s.first { $0.kind == .indirect })
        let quote = try #require(s.first { $0.kind == .direct })
        #expect(quote.continues == s.firstIndex { $0.start == indirect.start })
        #expect(quote.speaker.name == "Amina Doumbe")
        // A sentence of the journalist's in between breaks the link.
        let gap = statements("Amina Doumbe said the region would not give up. The town was quiet. “We have held this line for a year.”")
        #expect(gap.allSatisfy { $0.kind != .direct })
        // What someone believes is not speech a quotation can carry on.
        let belief = statements("Amina Doumbe believes the region will not give up. “We have held this line for a year.”")
        #expect(belief.allSatisfy { $0.kind != .direct })
    }

    @Test("An object phrase ends at a comma before an apposition or a new clause, and before a framing 'after'")
    func objectPhraseBoundaries() throws {
        let apposition = try #require(statements("Amina Doumbe rejected the proposal, the third such plan this year.").first)
        #expect(apposition.content == "the proposal")
        let framing = try #require(statements("Amina Doumbe accused the rebels of shelling the town after reports emerged of new casualties.").first)
        #expect(framing.content == "the rebels of shelling the town")
        // A list goes on after its commas.
        let list = try #require(statements("Amina Doumbe rejected the tariffs, quotas and fees.").first)
        #expect(list.content == "the tariffs, quotas and fees")
    }

    @Test("A trailing attribution at the sentence's end makes a noun-like cue a verb")
    func trailingAmbiguousCue() throws {
        let s = try #require(statements("Fighting went on in the north overnight, the news agency reported.").first)
        #expect(s.speaker.surface == "the news agency")
        #expect(s.content == "Fighting went on in the north overnight")
        // Without the comma the same words are no attribution.
        #expect(statements("Its findings were in the agency reports.").isEmpty)
    }

    @Test("An object cue with a quotation close after it is a verb even with a lowercase subject")
    func objectCueWithQuotation() throws {
        let s = try #require(statements("A spokesperson for the fleet called the drone “homemade”.").first)
        #expect(s.kind == .mixed)
        #expect(s.speaker.surface == "A spokesperson for the fleet")
        // Without quoted words the noun-like form still needs a name or a pronoun.
        #expect(statements("A spokesperson for the fleet called the drone home.").isEmpty)
    }

    @Test("', the …' after a name is an apposition that ends indirect content; after a common noun it may be a list")
    func appositionAfterName() throws {
        let s = try #require(statements("Chad claims it took the airport at Tarsk, the largest town in the valley.").first)
        #expect(s.content == "it took the airport at Tarsk")
        let list = try #require(statements("Kone said the army held the ridge, the valley and the pass.").first)
        #expect(list.content == "the army held the ridge, the valley and the pass")
    }

    @Test("A cue with its own named subject and a 'that' clause inside another statement's content is nested; the outer content stays whole")
    func nestedClauseAttribution() throws {
        let s = statements("Reyes said the mayor had argued that the levy was fair.")
        let outer = try #require(s.first { $0.speaker.surface == "Reyes" })
        #expect(outer.content == "the mayor had argued that the levy was fair")
        let inner = try #require(s.first { $0.speaker.surface == "the mayor" })
        #expect(inner.content == "the levy was fair")
        // Without "that", or with a common noun as subject, the inner verb stays part of the outer content.
        #expect(statements("Reyes said the mayor had argued the levy was fair.").count == 1)
        #expect(statements("Reyes said some residents argued that the levy was fair.").count == 1)
    }
}
