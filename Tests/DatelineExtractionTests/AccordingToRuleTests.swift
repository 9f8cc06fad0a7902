import DatelineCore
import Testing
@testable import DatelineExtraction

/// Statement rules of extractor version 5 for "according to": an attribution set off in the
/// middle of a sentence, after an opening word, and sources that are no name ("him", "early
/// returns"); and the question of a trailing "when asked …". Sentences written for these tests.
@Suite("According-to and asked rules")
struct AccordingToRuleTests {
    @Test("A trailing 'when asked' reports the question, with its asker after 'by'")
    func trailingAskedClause() throws {
        let s = statements("“Jobs, jobs, jobs,” the mayor said last month when asked what the plan would do.")
        let question = try #require(s.first { $0.cue?.lemma == "ask" })
        #expect(question.content == "what the plan would do")
        #expect(question.speaker.surface == nil)
        let by = statements("“Absolutely,” he said when asked by a reporter whether that remained his view.")
        let asked = try #require(by.first { $0.cue?.lemma == "ask" })
        #expect(asked.speaker.surface == "a reporter")
        #expect(asked.content == "whether that remained his view")
        // "when asked to dance" is a request with no question.
        #expect(statements("She smiled when asked to dance at the wedding.").isEmpty)
    }

    @Test("An attribution set off in the middle reports the sentence around it")
    func setOffInTheMiddle() throws {
        let s = try #require(statements("His objection, according to an interview with the paper at the time, was the choice of route.").first)
        #expect(s.fragments?.count == 2)
        #expect(s.content == "His objection … was the choice of route")
        // After a word that links to what follows, only what follows is reported.
        let after = try #require(statements("He left the city after, according to him, the station cut his report.").first)
        #expect(after.content == "the station cut his report")
        #expect(after.speaker.surface == "him")
        // Without a closing comma the middle is no set-off attribution.
        #expect(statements("His objection according to the rules was late.").allSatisfy { $0.fragments == nil })
    }

    @Test("An opening word before 'according to' leaves the content after the source phrase")
    func openingWord() throws {
        let s = try #require(statements("But according to reports in the local press, the council will not meet.").first)
        #expect(s.content == "the council will not meet")
        #expect(s.speaker.surface == "reports")
    }

    @Test("A source that is no name still speaks: 'according to early returns'")
    func plainSource() throws {
        let s = try #require(statements("Late on Sunday, the mayor won the vote, according to early returns.").first)
        #expect(s.speaker.surface == "early returns")
        #expect(s.content == "Late on Sunday, the mayor won the vote")
        // A source phrase running into a function word is no source.
        #expect(statements("The mayor won, according to the.").isEmpty)
    }
}
