import DatelineCore
import Testing
@testable import DatelineExtraction

/// Statement rules of extractor version 5 for direct quotations: a short phrase between the cue
/// and the colon or comma that introduces the quotation, and credit lines ("“…” ― Name").
/// Every sentence is written for these tests, with the cases each rule must not fire on.
@Suite("Quotation introduction rules")
struct QuotationIntroductionRuleTests {
    @Test("A prepositional phrase or adverb between the cue and a colon leaves the quotation alone as the content")
    func phraseBeforeColon() throws {
        let s = try #require(statements("The mayor said of the new bridge: “It will carry twice the traffic.”").first)
        #expect(s.kind == .direct)
        #expect(s.content == "It will carry twice the traffic.")
        #expect(s.speaker.surface == "The mayor")
        let adverb = try #require(statements("Amina Doumbe replied calmly: “We have heard this before.”").first)
        #expect(adverb.kind == .direct)
        #expect(adverb.speaker.surface == "Amina Doumbe")
        // An object phrase before the colon is part of what was reported.
        let object = try #require(statements("The mayor recalled the winter of the great flood: “We lost every road.”").first)
        #expect(object.kind == .mixed)
        // A clause of its own before the colon is no introduction either.
        let clause = statements("The mayor said the council had one question: “Who pays for it?”")
        #expect(!clause.contains { $0.kind == .direct && $0.speaker.surface == "The mayor" })
    }

    @Test("After a comma the phrase must open with a preposition or an adverb and the quotation must end the sentence")
    func phraseBeforeComma() throws {
        let s = try #require(statements("Kone said of the delay, “Nobody told us anything about it.”").first)
        #expect(s.kind == .direct)
        #expect(s.content == "Nobody told us anything about it.")
        #expect(s.speaker.surface == "Kone")
        let adverb = try #require(statements("Kone answered quietly, “We will rebuild the school.”").first)
        #expect(adverb.kind == .direct)
        // A title in marks after "in her book" is no quotation.
        let title = statements("Kone wrote in her memoir, “Rivers Of Home.”")
        #expect(!title.contains { $0.kind == .direct })
        // An indirect clause before the comma keeps the statement mixed.
        let mixed = try #require(statements("Kone said the plan was, “frankly, a disaster for the valley.”").first)
        #expect(mixed.kind != .direct)
    }

    @Test("An interrupted quotation with a phrase after the cue stays one statement")
    func interruptedQuotationStaysOne() throws {
        let s = statements("“The river is high,” she said of the valley, “and the dam is old.”")
        #expect(s.filter { $0.cue != nil }.count == 1)
        #expect(s.first?.speaker.surface == "she")
    }

    @Test("A quotation standing alone with a dash and a name after it is that person's")
    func creditLine() throws {
        let sameLine = try #require(statements("Voters spoke to us.\n\n“The buses never come on time.” ― Dana Reyes\n\nOthers agreed.").first { $0.kind == .direct })
        #expect(sameLine.content == "The buses never come on time.")
        #expect(sameLine.speaker.surface == "Dana Reyes")
        let nextParagraph = try #require(statements("Voters spoke to us.\n\n“Rents have doubled in two years.”\n\n- Omar Haddad, Toledo.\n\nThe figures bear this out.").first { $0.kind == .direct })
        #expect(nextParagraph.speaker.surface == "Omar Haddad")
        // A dash after a quotation that goes on with a clause is no credit line.
        let clause = statements("“The buses never come on time” — the complaint is old, and the council knows it.")
        #expect(!clause.contains { $0.speaker.surface == "the complaint" })
        // An unquoted post with a credit line (an embedded tweet) is not a statement.
        #expect(statements("Rents have doubled in two years. — Omar Haddad (@ohaddad) May 3, 2022").isEmpty)
    }

    @Test("Verbs that report speech only beside a quotation ('put it', 'went on', 'shot back') attribute it, and nothing else")
    func quotationOnlyCues() throws {
        let put = try #require(statements("As the mayor put it, “We cannot pave our way out of floods.”").first)
        #expect(put.kind == .direct)
        #expect(put.speaker.surface == "the mayor")
        let shot = try #require(statements("“That is simply untrue,” Kone shot back.").first)
        #expect(shot.speaker.surface == "Kone")
        let went = try #require(statements("“The buses are late,” Dana Reyes went on, “and the trains are worse.”").first)
        #expect(went.speaker.surface == "Dana Reyes")
        // Without a quotation the same words report nothing.
        #expect(statements("The mayor put it to a vote, and the council went on to approve the budget.").isEmpty)
        #expect(statements("Kone shot back a reply the next day that the plan was dead.").isEmpty)
    }

    @Test("After a quotation, a head noun joined by a preposition to the words before the verb is one subject")
    func prepositionalSubjectAfterQuotation() throws {
        let s = try #require(statements("“The road will reopen on Monday,” the consulate in Lyon said in a statement.").first)
        #expect(s.kind == .direct)
        #expect(s.speaker.surface == "the consulate in Lyon")
        let plant = try #require(statements("“Two pumps were damaged,” representatives of the water plant said.").first)
        #expect(plant.speaker.surface == "representatives of the water plant")
        // A pronoun or a verb form in the words before the preposition makes them no subject.
        let pronoun = statements("“Two pumps were damaged,” he added to workers in Lyon.")
        #expect(pronoun.first?.speaker.surface == "he")
        let long = statements("“Two pumps were damaged,” staff who were working at the plant in Lyon said.")
        #expect(!long.contains { $0.speaker.surface == "staff who were working at the plant in Lyon" })
    }
}
