import DatelineCore
import Testing
@testable import DatelineExtraction

/// Speaker rules of extractor version 4: how the subject of a reporting verb is found past
/// openers, asides and prepositions. Every sentence is written for these tests, with a case
/// each rule must not fire on.
@Suite("Statement subject rules")
struct SubjectRuleTests {
    @Test("A participle cue after a comma takes the sentence's subject past an opening adverbial and its own verb")
    func participleAfterOpener() throws {
        let s = try #require(statements("Earlier this week, Ms. Doumbe pleaded guilty, saying that she had packed in a hurry.").first)
        #expect(s.speaker.surface == "Ms. Doumbe")
        #expect(s.content.contains("packed in a hurry"))
        // A sentence whose subject is no name or title gives the participle no speaker.
        #expect(statements("Earlier this week, the weather turned cold, saying little about the harvest.").isEmpty)
    }

    @Test("A participle cue after 'after' or 'before' takes the sentence's subject")
    func participleAfterPreposition() throws {
        let s = try #require(statements("Chad drew protests in Niamey after threatening to close the border crossing.").first)
        #expect(s.speaker.surface == "Chad")
        #expect(s.content.hasPrefix("close the border") || s.content.hasPrefix("to close the border"))
        // A noun after "after" is no participle cue.
        #expect(statements("Chad drew protests in Niamey after the warning about the border.").isEmpty)
    }

    @Test("A discourse aside in commas between the subject and the verb is passed over")
    func asideBetweenSubjectAndVerb() throws {
        let s = try #require(statements("Idriss Kone, however, said the convoy had turned back.").first)
        #expect(s.speaker.surface == "Idriss Kone")
        let example = try #require(statements("Idriss Kone, for instance, said the convoy had turned back.").first)
        #expect(example.speaker.surface == "Idriss Kone")
    }

    @Test("A title runs on through 'for the' or 'of the'; a plain noun before 'of the' does not")
    func titleThroughPreposition() throws {
        let s = try #require(statements("A spokesperson for the border police said the crossing was shut.").first)
        #expect(s.speaker.surface == "A spokesperson for the border police")
        let plain = try #require(statements("Most of the villagers said the crossing was shut.").first)
        #expect(plain.speaker.surface?.hasPrefix("Most of") != true)
    }

    @Test("A noun-like cue whose subject is a named body (ministry, agency) is a verb")
    func bodyAsSubjectOfAmbiguousCue() throws {
        let s = try #require(statements("The defence ministry claims its troops hold the airport.").first)
        #expect(s.speaker.surface == "The defence ministry")
        // A lone common noun still does not make "claims" a verb.
        #expect(statements("The rumour claims were never checked.").isEmpty)
    }

    @Test("A participle cue right after a quotation that ends in a comma ends the content")
    func participleAfterQuotation() throws {
        let s = try #require(statements("Amina Doumbe said the economy was “badly shaken,” pointing to the fall in exports.").first)
        #expect(s.content.hasSuffix("“badly shaken,”"))
        // A plain word after the quotation stays in the content.
        let kept = try #require(statements("Amina Doumbe said the economy was “badly shaken,” mostly by the fall in exports.").first)
        #expect(kept.content.hasSuffix("fall in exports"))
    }

    @Test("In an apposition 'a NOUN Name called …', the name speaks, not the noun phrase")
    func appositionObjectGap() throws {
        let s = statements("Chad warned that convoys would be searched, a threat Niger called “pure blackmail”.")
        let inner = try #require(s.first { $0.cue?.lemma == "call" })
        #expect(inner.speaker.surface == "Niger")
        // After "the" the noun is the speaker's own description and stays.
        let plain = try #require(statements("The convoys would be searched, the farmer Idriss Kone said.").first)
        #expect(plain.speaker.surface == "the farmer Idriss Kone")
    }

    @Test("A lone lowercase verb form or 'example' is no speaker; a lone name is")
    func verbFormIsNoSpeaker() throws {
        let s = statements("The ruling sparked fears the border would close.")
        #expect(!s.contains { $0.speaker.surface == "sparked" })
        let example = statements("For example, reports that the border would close were wrong.")
        #expect(!example.contains { $0.speaker.surface == "example" })
        let name = try #require(statements("Kone feared the border would close.").first)
        #expect(name.speaker.surface == "Kone")
    }

    @Test("'responded to' and 'responded by' are actions; 'responded that' is a reply")
    func respondedToIsAnAction() throws {
        #expect(statements("Chad responded by closing two border crossings.").isEmpty)
        #expect(statements("Chad responded to the raid on its embassy.").isEmpty)
        let reply = try #require(statements("Chad responded that the border would stay open.").first)
        #expect(reply.content.contains("the border would stay open"))
    }
}
