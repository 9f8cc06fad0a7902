import DatelineCore
import Testing
@testable import DatelineExtraction

/// Statement rules of extractor version 5 for attributions after the content ("…, said X"):
/// which phrase before the verb is its subject, and when the phrase after it is a subject of
/// its own. Sentences written for these tests.
@Suite("Inverted attribution rules")
struct InvertedAttributionRuleTests {
    @Test("A name after a lowercase preposition inside the content is not the subject of a trailing 'said X'")
    func prepositionIsNoSentenceOpener() throws {
        let s = try #require(statements("The vote did not go well with farmers in Ohio, and the bill failed, said one aide in the room.").first)
        #expect(s.speaker.surface == "one aide")
        #expect(s.content == "The vote did not go well with farmers in Ohio, and the bill failed")
        // A capitalised opener still opens the sentence: "In Ohio, Smith, an aide, said …".
        let opener = try #require(statements("In Ohio, Dana Reyes, an aide to the governor, said the bill had failed.").first)
        #expect(opener.speaker.surface?.contains("Dana Reyes") == true)
    }

    @Test("A verb after a comma whose noun phrase goes on with its own predicate is no inverted attribution")
    func phraseWithItsOwnPredicate() throws {
        // "suggests the public still backs …": the public is the subject of "backs", not the speaker of the first clause.
        let s = statements("A poll by the city paper, published on Friday, suggests the public still backs the mayor.")
        #expect(!s.contains { $0.content == "A poll by the city paper, published on Friday" })
        // A plain trailing attribution still counts.
        let plain = try #require(statements("The bridge will close in May, said the city engineer.").first)
        #expect(plain.speaker.surface == "the city engineer")
        #expect(plain.content == "The bridge will close in May")
    }
}
