import DatelineCore
import Testing
@testable import DatelineExtraction

/// One fixture per rule of the statement extractor. The sentences are invented.
@Suite("Statement rules")
struct StatementRuleTests {
    static let day = CalendarDate(year: 2022, month: 1, day: 27)!

    func extract(_ text: String, date: CalendarDate = StatementRuleTests.day) -> [Statement] {
        StatementExtractor.shared.extract(from: Article(id: "t", date: date, text: text))
    }

    func slice(_ text: String, _ start: Int?, _ end: Int?) -> String? {
        guard let start, let end else { return nil }
        let scalars = Array(text.unicodeScalars)
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars[start..<end])
        return String(view)
    }

    @Test("curly quotation with the speaker after it")
    func curlySpeakerAfter() throws {
        let text = "“We will not back down,” Lavrov said."
        let s = extract(text)
        #expect(s.count == 1)
        let st = try #require(s.first)
        #expect(st.kind == .direct)
        #expect(st.content == "We will not back down,")
        #expect(st.speaker.surface == "Lavrov")
        #expect(slice(text, st.speaker.start, st.speaker.end) == "Lavrov")
        #expect(st.cue?.lemma == "say")
        #expect(slice(text, st.cue?.start, st.cue?.end) == "said")
    }

    @Test("straight quotation with an inverted attribution and an appositive")
    func straightInverted() throws {
        let s = extract("\"Prices will rise,\" said Jane Smith, an economist at the bank.")
        let st = try #require(s.first)
        #expect(s.count == 1)
        #expect(st.kind == .direct)
        #expect(st.speaker.surface == "Jane Smith")
        #expect(st.speaker.entity == "person:jane-smith")
    }

    @Test("NYT-style '' marks")
    func nytMarks() throws {
        let s = extract("''This is a disaster,'' Mr. Smith said on Tuesday.")
        let st = try #require(s.first)
        #expect(st.kind == .direct)
        #expect(st.content == "This is a disaster,")
        #expect(st.speaker.surface == "Mr. Smith")
    }

    @Test("an interrupted quotation becomes one statement with fragments")
    func interrupted() throws {
        let text = "“The first part,” he said, “and the second part.”"
        let s = extract(text)
        #expect(s.count == 1)
        let st = try #require(s.first)
        let fragments = try #require(st.fragments)
        #expect(fragments.count == 2)
        #expect(slice(text, fragments[0][0], fragments[0][1]) == "The first part,")
        #expect(slice(text, fragments[1][0], fragments[1][1]) == "and the second part.")
        #expect(st.speaker.surface == "he")
    }

    @Test("a quotation in the next sentence with no cue continues the speaker")
    func continuation() throws {
        let s = extract("“The first quote,” Anna Berg told reporters. “The second quote follows here.”")
        #expect(s.count == 2)
        let second = try #require(s.last)
        #expect(second.continues == 0)
        #expect(second.cue == nil)
        #expect(second.speaker.surface == nil)
        #expect(second.speaker.name == "Anna Berg")
        #expect(second.kind == .direct)
    }

    @Test("a quotation left open at a paragraph's end runs on into the next paragraph")
    func acrossParagraphs() throws {
        let text = "Anna Berg said: “The first paragraph of the quote.\n\n“The second paragraph of it.”"
        let s = extract(text)
        #expect(s.count == 2)
        #expect(s[0].kind == .direct)
        #expect(s[0].speaker.name == "Anna Berg")
        #expect(s[1].continues == 0)
        #expect(s[1].content == "The second paragraph of it.")
    }

    @Test("a colon introduces a quotation")
    func colonIntroduction() throws {
        let s = extract("The minister said: “We are ready for talks.”")
        let st = try #require(s.first)
        #expect(s.count == 1)
        #expect(st.kind == .direct)
        #expect(st.content == "We are ready for talks.")
        #expect(st.speaker.surface == "The minister")
    }

    @Test("a pronoun keeps its span and resolves to the person named before")
    func pronoun() throws {
        let text = "Anna Berg arrived in Oslo on Monday. “It works,” she said."
        let st = try #require(extract(text).first)
        #expect(st.speaker.surface == "she")
        #expect(slice(text, st.speaker.start, st.speaker.end) == "she")
        #expect(st.speaker.name == "Anna Berg")
    }

    @Test("a title binds to the name it preceded")
    func titleBinding() throws {
        let text = "Russia’s Foreign Minister Sergey Lavrov arrived. The Russian Foreign Minister said the talks would continue next week."
        let st = try #require(extract(text).first)
        #expect(st.speaker.surface == "The Russian Foreign Minister")
        #expect(st.speaker.name == "Sergey Lavrov")
        #expect(st.speaker.entity == "person:sergey-lavrov")
        #expect(st.speaker.affiliation?.rawValue == "RUS")
    }

    @Test("a title alone resolves through the people file on the article's date")
    func titleOnDate() throws {
        let text = "Russia’s Foreign Minister said the talks had failed."
        let now = try #require(extract(text).first)
        #expect(now.speaker.name == "Sergey Lavrov")
        #expect(now.speaker.role == "Minister of Foreign Affairs")
        let before = try #require(extract(text, date: CalendarDate(year: 1995, month: 5, day: 1)!).first)
        #expect(before.speaker.name != "Sergey Lavrov")
    }

    @Test("a surname resolves to the full name seen earlier")
    func surname() throws {
        let st = try #require(extract("Maria Olsen met the delegates. Olsen said the deal was close to done.").first)
        #expect(st.speaker.surface == "Olsen")
        #expect(st.speaker.name == "Maria Olsen")
        #expect(st.kind == .indirect)
    }

    @Test("spun cue verbs match with their base lemma and keep the article's words")
    func spunCues() throws {
        let told = try #require(extract("Lavrov instructed journalists that the talks had failed.").first)
        #expect(told.cue?.surface == "instructed")
        #expect(told.cue?.lemma == "tell")
        #expect(told.content == "the talks had failed")
        let explained = try #require(extract("Lavrov defined the US had agreed not to expand to the east.").first)
        #expect(explained.cue?.lemma == "explain")
        let said = try #require(extract("“The plan is flawed,” he stated.").first)
        #expect(said.cue?.lemma == "say")
        #expect(said.cue?.surface == "stated")
    }

    @Test("traps: an order, a caption verb, a verb inside a quotation, an adjective")
    func traps() throws {
        #expect(extract("The officers were instructed to leave the building at once.").isEmpty)
        #expect(extract("The guards instructed them to leave the building at once.").isEmpty)
        #expect(extract("Sergey Lavrov speaks at a meeting of the Duma on Wednesday.").isEmpty)
        #expect(extract("The said document was lost in the archive years ago.").isEmpty)
        let s = extract("“This principle is clearly stated,” he added.")
        #expect(s.count == 1)
        #expect(s.first?.cue?.surface == "added")
    }

    @Test("a place after 'in' is not the speaker")
    func placeIsNotSpeaker() throws {
        let st = try #require(extract("“Fine,” Lavrov told journalists in Moscow.").first)
        #expect(st.speaker.surface == "Lavrov")
        #expect(st.speaker.name == "Sergey Lavrov")
    }

    @Test("indirect speech after the cue, without 'that'")
    func indirect() throws {
        let text = "The ministry said that prices would rise next year."
        let st = try #require(extract(text).first)
        #expect(st.kind == .indirect)
        #expect(st.content == "prices would rise next year")
        #expect(st.speaker.surface == "The ministry")
    }

    @Test("indirect speech before the attribution")
    func contentBefore() throws {
        let st = try #require(extract("Prices will rise next year, the minister said on Thursday, as markets fell.").first)
        #expect(st.kind == .indirect)
        #expect(st.content == "Prices will rise next year")
        #expect(st.speaker.surface == "the minister")
    }

    @Test("according to, at the start and at the end")
    func accordingTo() throws {
        let first = try #require(extract("According to the report, prices rose by five percent last year.").first)
        #expect(first.content == "prices rose by five percent last year")
        #expect(first.speaker.surface == "the report")
        let last = try #require(extract("Prices rose sharply last year, according to officials.").first)
        #expect(last.content == "Prices rose sharply last year")
        #expect(last.speaker.surface == "officials")
    }

    @Test("a denial has polarity deny, and a state can speak")
    func denial() throws {
        let st = try #require(extract("Russia has repeatedly denied it is planning an invasion.").first)
        #expect(st.polarity == .deny)
        #expect(st.cue?.lemma == "deny")
        #expect(st.content == "it is planning an invasion")
        #expect(st.speaker.surface == "Russia")
    }

    @Test("a coordinated clause keeps the subject (ellipsis)")
    func ellipsis() throws {
        let text = "Russia has denied it is planning an invasion but has argued that NATO support for Ukraine is a threat."
        let s = extract(text)
        #expect(s.count == 2)
        #expect(s[0].content == "it is planning an invasion")
        #expect(s[1].content == "NATO support for Ukraine is a threat")
        #expect(s[1].speaker.surface == "Russia")
        #expect(s[1].cue?.lemma == "argue")
    }

    @Test("indirect content holding a quoted phrase is mixed")
    func mixed() throws {
        let st = try #require(extract("Smith said the plan was “a total disaster” for the city.").first)
        #expect(st.kind == .mixed)
        #expect(st.content == "the plan was “a total disaster” for the city")
    }

    @Test("a transcript label introduces what the speaker says")
    func label() throws {
        let st = try #require(extract("KATE SMITH: Why not debate him on the issues?").first)
        #expect(st.speaker.surface == "KATE SMITH")
        #expect(st.content == "Why not debate him on the issues?")
    }
}
