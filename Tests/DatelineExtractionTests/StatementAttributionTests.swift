import DatelineCore
import Testing
@testable import DatelineExtraction

/// Statement rules of extractor version 3: appositive names and titles, colon introductions
/// after a cue, and paragraph boundaries. Every sentence is written for these tests, with a
/// case each rule must not fire on.
@Suite("Statement attribution rules")
struct StatementAttributionTests {
    @Test("A title with a name in apposition speaks by that name; a phrase after a preposition is not the subject")
    func appositiveName() throws {
        let s = try #require(statements("Chad's foreign minister, Amina Doumbe, said the talks would go on.").first)
        #expect(s.speaker.name == "Amina Doumbe")
        #expect(s.speaker.surface?.hasSuffix("Amina Doumbe") == true)
        let head = try #require(statements("Amina Doumbe, an adviser to Chad's foreign minister, Idriss Kone, said the talks would go on.").first)
        #expect(head.speaker.name == "Amina Doumbe")
        let plain = try #require(statements("Amina Doumbe, the foreign minister, said the talks would go on.").first)
        #expect(plain.speaker.surface == "Amina Doumbe")
    }

    @Test("A colon after a cue introduces the quotation: the clause's subject speaks, the content is the quotation")
    func colonAfterCue() throws {
        let text = "Idriss Kone spoke first. Amina Doumbe had this to say: “We will not move an inch.”"
        let s = statements(text)
        let quote = try #require(s.first { $0.content.contains("We will not move") })
        #expect(quote.kind == .direct)
        #expect(quote.speaker.name == "Amina Doumbe")
        #expect(!quote.content.contains("had this"))
        // Without the colon no quotation is introduced by it.
        let bare = statements("Amina Doumbe had this to say about the talks.")
        #expect(bare.allSatisfy { $0.kind != .direct })
    }

    @Test("A paragraph or title boundary ends a speaker phrase")
    func paragraphBoundary() throws {
        let s = statements("Shelling near Kharkiv\n\nRussia accused Ukraine of shelling the town.")
        let st = try #require(s.first)
        #expect(st.speaker.surface == "Russia")
        let one = statements("Officials near Kharkiv accused Ukraine of shelling the town.")
        #expect(one.first?.speaker.surface?.contains("Kharkiv") == true)
    }

    @Test("A title in commas beside a name gives the person's state; a clause in commas does not")
    func titleBesideName() throws {
        let after = try #require(statements("Amina Doumbe, Chad's foreign minister, said the talks would go on.").first)
        #expect(after.speaker.affiliation?.rawValue == "TCD")
        let before = try #require(statements("Chad's foreign minister, Amina Doumbe, said the talks would go on.").first)
        #expect(before.speaker.affiliation?.rawValue == "TCD")
        let clause = try #require(statements("Amina Doumbe, who met Chad's minister, said the talks would go on.").first)
        #expect(clause.speaker.affiliation == nil)
    }

    @Test("A name never runs across a title boundary into the first word of the body")
    func personRunStopsAtParagraph() throws {
        let s = try #require(statements("Talks near Kharkiv\n\nJapan promised to send two patrol boats.").first)
        #expect(s.speaker.entity == "actor:JPN", "\(String(describing: s.speaker.entity))")
        let one = try #require(statements("Talks near Kharkiv ended. Amina Doumbe promised to send two patrol boats.").first)
        #expect(one.speaker.entity == "person:amina-doumbe")
    }
}
