import DatelineCore
import DatelineExtraction
import Testing

@Suite struct ArticleReaderTests {
    @Test func plainTextKeepsTheWholeFileAsTheArticleText() throws {
        // Leading space and no final newline, as in the project's example article.
        let text = " date 2022-01-27 A caption (Agency)\n\nFirst paragraph.\n\nSecond one."
        let article = try ArticleReader.parsePlainText(text, name: "seed.txt")
        #expect(article.text == text)
        #expect(article.date.description == "2022-01-27")
        #expect(article.title == "A caption (Agency)")
        #expect(article.id == "seed.txt")
    }

    @Test func plainTextWithCRLFAndTrailingNewline() throws {
        let article = try ArticleReader.parsePlainText("date 2024-03-04 Title\r\n\r\nBody.\r\n", name: "a.txt")
        #expect(article.title == "Title")
        #expect(article.date.description == "2024-03-04")
    }

    @Test func plainTextErrorsNameTheProblem() {
        #expect(throws: ArticleInputError.self) { try ArticleReader.parsePlainText("   \n ", name: "empty.txt") }
        do {
            _ = try ArticleReader.parsePlainText("Headline\n\nBody.", name: "nodate.txt")
            Issue.record("an article without a date line was accepted")
        } catch {
            #expect(error.description.contains("nodate.txt:1"))
            #expect(error.description.contains("date YYYY-MM-DD"))
        }
        do {
            _ = try ArticleReader.parsePlainText("date 2022-02-30 T\n\nBody.", name: "bad.txt")
            Issue.record("an impossible date was accepted")
        } catch {
            #expect(error.reason.contains("2022-02-30"))
        }
        #expect(throws: ArticleInputError.self) { try ArticleReader.parsePlainText("date 2022-01-27 Only a title\n\n", name: "t.txt") }
    }

    @Test func jsonLinesReportsBadRecordsWithTheirLineAndKeepsTheRest() {
        let input = """
        {"id": "a", "date": "2022-02-24", "title": "T", "source": "S", "url": "http://x", "text": "One."}

        {"id": 7, "date": "2022-02-24T10:00:00Z", "text": "Two.", "extra": [1, 2]}
        {"id": "c", "text": "No date."}
        {"id": "d", "date": "2022-02-24", "text": "   "}
        {not json
        ["an array"]\r
        {"id": "g", "date": "2022-02-25", "text": "Seven."}\r
        """
        let records = ArticleReader.records(in: input, format: .jsonLines, origin: "feed.jsonl")
        #expect(records.count == 7)
        #expect(records.map(\.line) == [1, 3, 4, 5, 6, 7, 8])
        let ok = records.compactMap { try? $0.result.get() }
        #expect(ok.map(\.text) == ["One.", "Two.", "Seven."])
        #expect(ok[0].url == "http://x")
        #expect(ok[1].id == "7")
        #expect(ok[1].date.description == "2022-02-24")
        let failures = records.compactMap { record -> ArticleInputError? in
            if case .failure(let e) = record.result { return e } else { return nil }
        }
        #expect(failures.map(\.description) == [
            "feed.jsonl:4: the record has no `date` string",
            "feed.jsonl:5: the record's `text` is empty",
            "feed.jsonl:6: invalid JSON",
            "feed.jsonl:7: expected a JSON object",
        ])
        #expect(records[2].id == "c")
    }

    @Test func jsonFilesHoldOneObjectOrAnArray() {
        let one = ArticleReader.records(in: #"{"date": "2022-01-01", "text": "x"}"#, format: .json, origin: "a.json")
        #expect(one.count == 1)
        let many = ArticleReader.records(in: #"[{"date": "2022-01-01", "text": "x"}, {"date": "2022-01-02", "text": "y"}]"#,
                                         format: .json, origin: "b.json")
        #expect(many.compactMap { try? $0.result.get().text } == ["x", "y"])
        let broken = ArticleReader.records(in: "[{", format: .json, origin: "c.json")
        #expect(broken.count == 1)
    }

    @Test func formatsFollowExtensionsAndSniffing() {
        #expect(ArticleFormat(fileName: "x.JSONL") == .jsonLines)
        #expect(ArticleFormat(fileName: "x.ndjson") == .jsonLines)
        #expect(ArticleFormat(fileName: "x.json") == .json)
        #expect(ArticleFormat(fileName: "seed-000.txt") == .plainText)
        #expect(ArticleFormat(sniffing: "\n  {\"a\":1}") == .jsonLines)
        #expect(ArticleFormat(sniffing: "[") == .json)
        #expect(ArticleFormat(sniffing: " date 2022-01-01 x") == .plainText)
    }

    @Test func articleTextSplitsParagraphsAndSentencesOnScalars() {
        let text = ArticleText("date 2022-01-01 T\n\nMr. Smith said “No.” Then he left. The U.S. agreed!\nNext para")
        #expect(text.paragraphs.count == 3)
        let sentences = text.sentences.map { text.string($0) }
        #expect(sentences == ["date 2022-01-01 T", "Mr. Smith said “No.”", "Then he left.", "The U.S. agreed!", "Next para"])
    }
}
