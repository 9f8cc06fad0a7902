import DatelineCore
import Testing
@testable import DatelineExtraction

/// Statement rules of extractor version 5 for the edges of a reported clause: an opening time
/// phrase, a relative clause set off by commas, a coordinated subject after an inverted verb,
/// noun-like cues followed by a verb, a day after an object, and a perfect after "and".
/// Sentences written for these tests.
@Suite("Clause edge rules")
struct ClauseEdgeRuleTests {
    @Test("An opening time phrase before the speaker is no content of its own")
    func openingTimePhrase() throws {
        let s = statements("Early Tuesday, the ministry disclosed in court that it had found the files.")
        #expect(!s.contains { $0.content == "Early Tuesday" })
        #expect(s.contains { $0.speaker.surface == "the ministry" && $0.content.contains("it had found the files") })
        // A real clause before the speaker still is: "The files were found, the ministry disclosed."
        let trailing = try #require(statements("The files were found in May, the ministry disclosed.").first)
        #expect(trailing.content == "The files were found in May")
    }

    @Test("A relative clause with its own attribution set off by commas ends at its closing comma")
    func relativeClauseEndsAtComma() throws {
        let s = try #require(statements("The mayor's vote on the levy, which she has said was a mistake, was a factor in her defeat.").first)
        #expect(s.content == "was a mistake")
        #expect(s.speaker.surface == "she")
    }

    @Test("After an inverted 'said X', a coordinated subject with its own verb is a new clause")
    func coordinatedSubjectAfterInvertedVerb() {
        let s = statements("For now, Dana Reyes, at the institute, said China and Russia have built some trust.")
        #expect(!s.contains { $0.speaker.surface == "China" })
        // "…, said Reyes and Haddad." is still an inverted attribution by both.
        let both = statements("The levy will pass, said Reyes and Haddad.")
        #expect(both.first?.content == "The levy will pass")
    }

    @Test("A noun-like cue followed by a verb is the noun; a past tense before 'was' in a relative clause is the verb")
    func nounLikeCueBeforeVerb() {
        #expect(!statements("The tax plans are unpopular in the valley.").contains { $0.cue?.lemma == "plan" })
        #expect(!statements("Before the state support will kick in, the firm must spend its own money.").contains { $0.cue?.lemma == "support" })
        let relative = statements("The army stopped the raid, which the ministry claimed was meant to seize the island.")
        #expect(relative.contains { $0.content == "was meant to seize the island" })
    }

    @Test("A day after an object phrase dates the act; a perfect after ', and' is the speaker's own act")
    func dayAndPerfectAfterContent() throws {
        let day = try #require(statements("The mayor endorsed the levy Wednesday.").first)
        #expect(day.content == "the levy")
        let perfect = try #require(statements("Reyes insists the party must be one of ideas, and has championed cuts to the budget.").first)
        #expect(perfect.content == "the party must be one of ideas")
        // "and has" with no participle stays in the content.
        let kept = try #require(statements("Reyes said the city is poor, and has no money for buses.").first)
        #expect(kept.content.hasSuffix("has no money for buses"))
    }

    @Test("An object phrase ends before the act's setting ('during a speech', 'at a rally', 'last week') or another act ('and challenged him')")
    func objectPhraseEndsAtSetting() throws {
        for text in ["Reyes criticised the levy during a speech in the valley.",
                     "Reyes criticised the levy at a rally in the valley.",
                     "Reyes criticised the levy last week.",
                     "Reyes criticised the levy and challenged him to a debate.",
                     "Reyes criticised the levy by reminding voters of the floods."] {
            let s = try #require(statements(text).first, "\(text)")
            #expect(s.content == "the levy", "\(text)")
        }
        // Without a setting word the object runs on: "the levy at the border crossing".
        let kept = try #require(statements("Reyes criticised the levy at the border crossing.").first)
        #expect(kept.content == "the levy at the border crossing")
    }
}
