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

    @Test("Shares with a per-cent sign or 'out of' count too")
    func sharesWithSigns() throws {
        #expect(statements("On social issues, 26% say they are conservative.").first?.speaker.surface == "26%")
        #expect(statements("Nearly nine out of 10 say they will need new skills.").first?.speaker.surface == "Nearly nine out of 10")
    }

    @Test("A trailing attribution's subject runs back to the comma: '…, people close to the mayor say.'")
    func trailingSubjectToComma() throws {
        let s = try #require(statements("The levy is unlikely to pass this year, people close to the mayor say.").first)
        #expect(s.speaker.surface == "people close to the mayor")
        #expect(s.content == "The levy is unlikely to pass this year")
        // With a clause of its own after the comma ("and the city says nothing") there is no statement.
        #expect(statements("The bridge is closed, and the city says nothing.").isEmpty)
        // A pronoun subject after the comma is the plain rule's.
        #expect(statements("The bridge is closed, she says.").first?.speaker.surface == "she")
    }
}
