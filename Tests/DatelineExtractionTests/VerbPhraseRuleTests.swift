import DatelineCore
import Testing
@testable import DatelineExtraction

/// Rules of extractor version 7 about the verb phrase around a cue: verbs in progress, control
/// phrases before "to", manner adverbs, passives with a named agent, plural subjects of
/// noun-like cues, lower-case appositives, and verbs that only share a cue's spelling. Each with
/// sentences that must give a statement and ones that must not; the sentences are written for
/// these tests.
@Suite("Statement rules: the verb phrase around a cue")
struct VerbPhraseRuleTests {
    @Test("A verb in progress ('is stressing', 'are slamming') has the subject before 'is'")
    func progressive() throws {
        let s = try #require(statements("Mayor Dana Reyes is stressing the need to repair the harbour wall.").first)
        #expect(s.speaker.surface == "Mayor Dana Reyes")
        #expect(s.content == "the need to repair the harbour wall")
        let slam = try #require(statements("Farmers are slamming the council for the new water tax.").first)
        #expect(slam.speaker.surface == "Farmers")
        // An adjective or a phrasal verb in -ing is no speech: "is telling", "is showing up", "is adding to".
        #expect(statements("The silence of the council is telling in its own right.").isEmpty)
        #expect(statements("Kone is showing up at every market in the district.").isEmpty)
        #expect(statements("Reyes is adding to her lead in the northern wards.").isEmpty)
    }

    @Test("A control phrase before 'to' ('went on to say', 'was quick to deny') keeps its subject")
    func controlPhrase() throws {
        let s = try #require(statements("Kone went on to say the levy would be cut in June.").first)
        #expect(s.speaker.surface == "Kone")
        #expect(s.content == "the levy would be cut in June")
        let quick = try #require(statements("The ministry was quick to deny that the port had closed.").first)
        #expect(quick.speaker.surface == "The ministry")
        #expect(quick.content == "the port had closed")
        let still = try #require(statements("Reyes continues to insist that the ferry will run.").first)
        #expect(still.speaker.surface == "Reyes")
        // Other phrases before "to" stay what they were: a purpose, an ability, an order.
        #expect(statements("The council will not be able to say where the money went.").isEmpty)
        #expect(statements("Kone came to the hall to say goodbye.").isEmpty)
    }

    @Test("A control phrase before a quotation: '…, but went on to say, “…”' is the clause subject's")
    func controlPhraseBeforeQuotation() throws {
        let found = statements("Kone joked that the port was his answer, but went on to say, “There are places here that are dangerous.”")
        let s = try #require(found.first { $0.kind == .direct })
        #expect(s.speaker.surface == "Kone")
        #expect(s.content == "There are places here that are dangerous.")
    }

    @Test("', adding that …' after a quotation whose comma is inside its marks continues the same speaker")
    func participleAfterQuotationComma() throws {
        let found = statements("Reyes said that the levy was “only one option,” adding that it was why the council keeps delaying the vote.")
        let s = try #require(found.first { $0.cue?.lemma == "add" })
        #expect(s.speaker.surface == "Reyes")
        #expect(s.content == "it was why the council keeps delaying the vote")
        // A quotation that ends its sentence is followed by no participle of the same speaker.
        #expect(statements("Reyes said the levy was “only one option.” Adding to the cost, the port closed.").allSatisfy { $0.cue?.lemma != "add" })
    }

    @Test("A participle after the main clause speaks for its subject: a name ends before the verb; 'And even' is no subject")
    func participleAfterMainClause() throws {
        let s = try #require(statements("Kone left the hall, saying the plan had failed.").first)
        #expect(s.speaker.surface == "Kone")
        #expect(s.content == "the plan had failed")
        let quit = try #require(statements("Dana Reyes quit the council on Monday, saying that the levy was unfair.").first)
        #expect(quit.speaker.surface == "Dana Reyes")
        let even = try #require(statements("And even Reyes tried to help them, noting that she would demur in their position.").first)
        #expect(even.speaker.surface == "Reyes")
        // A title after the name stays with it.
        let title = try #require(statements("Kone Minister of Ports left the hall, saying the plan had failed.").first)
        #expect(title.speaker.surface?.hasPrefix("Kone") == true)
    }

    @Test("An opening participle clause ('Promising that …, Kone said …') belongs to the main clause's subject")
    func openingParticiple() throws {
        let found = statements("Promising that his next report would look closely at the harbour, Kone said the port was safe.")
        let s = try #require(found.first { $0.cue?.lemma == "promise" })
        #expect(s.speaker.surface == "Kone")
        #expect(s.content == "his next report would look closely at the harbour")
        let citing = try #require(statements("Citing last week's flood as a warning, Mayor Reyes urged the council to act.").first { $0.cue?.lemma == "cite" })
        #expect(citing.speaker.surface == "Mayor Reyes")
        // A venue, a finding, or no main clause after the comma give nothing.
        #expect(statements("Writing in the Harbour Courier, Kone said the port was safe.").allSatisfy { $0.cue?.lemma != "write" })
        #expect(statements("Showing the damage, the photographs were shared widely.").isEmpty)
        #expect(statements("Saying goodbye to friends, the long summer ended.").isEmpty)
    }

    @Test("The channel before 'that' is passed over; an opening participle phrase is no content; 'As reported by X, …'")
    func settingAroundTheCue() throws {
        let s = try #require(statements("Reaching for the jugular, Kone said on Harbour Radio that the mayor had lied.").first)
        #expect(s.speaker.surface == "Kone")
        #expect(s.content == "the mayor had lied")
        let reported = try #require(statements("As reported by the Harbour Courier, there are 150 delegates at stake in the vote.").first)
        #expect(reported.speaker.surface == "the Harbour Courier")
        #expect(reported.content == "there are 150 delegates at stake in the vote")
        // Content that opens with an -ing noun phrase stays content: "Rising prices hurt farmers, Kone said."
        let rising = try #require(statements("Rising prices hurt the farmers badly, Kone said.").first)
        #expect(rising.content == "Rising prices hurt the farmers badly")
    }

    @Test("Indirect content ends before ', but' and a new subject; ', but also …' goes on")
    func butWithNewSubject() throws {
        let s = try #require(statements("Kone has said he will vote for Reyes, but he has not endorsed her campaign.").first)
        #expect(s.content == "he will vote for Reyes")
        let also = try #require(statements("Kone said the levy was unfair, but also necessary for the port.").first)
        #expect(also.content == "the levy was unfair, but also necessary for the port")
    }

    @Test("A manner adverb between the cue and 'that' or a quotation is passed over")
    func mannerAdverb() throws {
        let s = try #require(statements("Reyes warned darkly that the port would close by winter.").first)
        #expect(s.content == "the port would close by winter")
        // A manner adverb before the object of an object cue is not moved: no content starts with it.
        let plain = try #require(statements("Kone criticized the plan sharply.").first)
        #expect(plain.content.hasPrefix("the plan"))
    }

    @Test("A passive with a named agent: the agent speaks, the passive's subject is the content")
    func passiveWithAgent() throws {
        let s = try #require(statements("The new water tax was criticized by the Farmers Union.").first)
        #expect(s.cue?.lemma == "criticize")
        #expect(s.speaker.surface == "the Farmers Union")
        #expect(s.content == "The new water tax")
        let reduced = try #require(statements("The harbour bill, opposed by the Green Party, passed on Tuesday.").first)
        #expect(reduced.content == "The harbour bill")
        #expect(reduced.speaker.surface == "the Green Party")
        let relative = try #require(statements("The levy that was endorsed by Mayor Reyes failed in May.").first)
        #expect(relative.content == "The levy")
        // A one-word agent, and a reason after "for" that is no part of the agent.
        let one = try #require(statements("The missile sites were blamed by Washington.").first)
        #expect(one.speaker.surface == "Washington")
        let reason = try #require(statements("Iranian missile sites blamed by Washington for Friday's attack were hit.").first)
        #expect(reason.speaker.surface == "Washington")
        #expect(reason.content == "Iranian missile sites")
        // "by" with a time, a margin or a means names no speaker; a passive without "by" none either.
        #expect(statements("The levy was approved by Tuesday.").allSatisfy { $0.cue?.lemma != "approve" })
        #expect(statements("The motion was supported by a margin of ten votes.").isEmpty)
        #expect(statements("The plan was criticized for its cost.").isEmpty)
        #expect(statements("The vote was reported from the capital.").isEmpty)
    }

    @Test("A plural common noun is a clear subject for a noun-like cue ('observers note')")
    func pluralSubjectOfNounLikeCue() throws {
        let s = try #require(statements("Legal observers note the harbour board would not truly close the port.").first)
        #expect(s.speaker.surface == "Legal observers")
        #expect(s.content == "the harbour board would not truly close the port")
        // A possessive before the noun, or a verb after the cue, keeps it a noun.
        #expect(statements("The council's plans note nothing about the port.").isEmpty)
        #expect(statements("The union's claims were dismissed.").isEmpty)
    }

    @Test("A lower-case appositive ('including …', 'longtime …') between subject and cue")
    func lowerCaseAppositive() throws {
        // (A subject that opens the sentence was found before; one after an opening word needs
        // the appositive to look like one.)
        let s = try #require(statements("Then his wife, longtime council aide Amina Doumbe, announced they had separated.").first)
        #expect(s.speaker.surface == "his wife")
        #expect(s.content == "they had separated")
        let rivals = try #require(statements("Then the mayor, including her deputies, declared that the port would stay open.").first)
        #expect(rivals.speaker.surface == "the mayor")
        // A plain lower-case clause between commas is no appositive.
        #expect(statements("Then the vote, held after a long debate, announced nothing.").isEmpty)
    }

    @Test("Verbs that share a cue's spelling: 'added to', 'showed up', 'found itself', 'charged with'")
    func sameSpelling() throws {
        #expect(statements("The storm added to the damage along the coast.").isEmpty)
        #expect(statements("Hundreds of farmers showed up at the hall.").isEmpty)
        #expect(statements("The council found itself at the centre of the dispute.").isEmpty)
        #expect(statements("The driver was charged with reckless driving.").isEmpty)
        // The cues themselves still work.
        #expect(statements("Kone added that the levy would stay.").first?.cue?.lemma == "add")
    }
}
