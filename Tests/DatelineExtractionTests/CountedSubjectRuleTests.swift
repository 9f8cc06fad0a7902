import DatelineCore
import Testing
@testable import DatelineExtraction

/// Statement rules of extractor version 5 for subjects the phrase rules missed: shares of
/// people ("one in three said"), asides between dashes, a parenthesis before a comma.
/// Sentences written for these tests.
@Suite("Counted and set-off subject rules")
struct CountedSubjectRuleTests {
    @Test("A count of people is a subject: 'One in three said', 'Most said', 'all but two said', 'About 46 percent said'")
    func countedSubjects() throws {
        for (text, surface) in [("Voters were split. One in three said the levy was too high.", "One in three"),
                                ("Most said they would vote again.", "Most"),
                                ("The council met, and all but two said the levy should go.", "all but two"),
                                ("More than six in 10 said the buses were late.", "More than six in 10"),
                                ("About 46 percent said the buses were late.", "About 46 percent")] {
            let s = try #require(statements(text).first, "\(text)")
            #expect(s.speaker.surface == surface, "\(text)")
        }
        // A year or a bare number before the verb is no subject, and "said" after an article stays a noun.
        #expect(statements("In 2014 said little changed.").isEmpty)
        #expect(statements("The said levy was repealed in May.").isEmpty)
    }

    @Test("A subject with an aside between dashes, or with a parenthesis before a comma, speaks")
    func setOffSubjects() throws {
        let dashes = try #require(statements("Dana Reyes -- an adviser to the mayor since 2019 -- said the levy would pass.").first)
        #expect(dashes.content == "the levy would pass")
        #expect(dashes.speaker.surface?.hasPrefix("Dana Reyes") == true)
        let paren = try #require(statements("Sen. Omar Haddad (D-Ohio), said the levy would pass.").first)
        #expect(paren.speaker.surface == "Sen. Omar Haddad")
        // Between dashes with no name before them there is no subject.
        #expect(statements("The levy -- which nobody liked -- said little about buses.").allSatisfy { $0.speaker.surface != "The levy" })
    }
}
