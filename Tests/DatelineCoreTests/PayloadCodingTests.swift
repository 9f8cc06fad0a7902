import DatelineCore
import Foundation
import Testing

@Suite struct PayloadCodingTests {
    let date = CalendarDate(parsing: "2022-01-27")!

    @Test func statementsEncodeWithTheExtractContractFieldNames() throws {
        let statement = Statement(
            kind: .direct, content: "No.", start: 10, end: 13, fragments: [[10, 12], [20, 21]], continues: 0,
            speaker: Speaker(surface: "he", start: 30, end: 32, name: "Sergey Lavrov", entity: "person:sergey-lavrov",
                             affiliation: try ActorCode("RUS"), role: "Minister of Foreign Affairs"),
            cue: Cue(surface: "added", lemma: "add", start: 33, end: 38), date: date, polarity: .assert)
        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(statement)) as! [String: Any]
        #expect(json["kind"] as? String == "direct")
        #expect(json["date"] as? String == "2022-01-27")
        #expect(json["polarity"] as? String == "assert")
        #expect((json["speaker"] as? [String: Any])?["affiliation"] as? String == "RUS")
        #expect((json["cue"] as? [String: Any])?["lemma"] as? String == "add")
        #expect(try JSONDecoder().decode(Statement.self, from: JSONEncoder().encode(statement)) == statement)
    }

    @Test func tensionsEncodePairAndQuadClassInSnakeCase() throws {
        let rus = try ActorCode("RUS"), ukr = try ActorCode("UKR")
        let tension = Tension(type: "MOBILIZE", cameo: "154", goldstein: -7.2, quadClass: 4, source: rus, target: ukr,
                              pair: ActorPair(ukr, rus), directed: true, modality: .asserted, weight: 1,
                              issue: "BORDER_TROOPS", start: 847, end: 936, date: date)
        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(tension)) as! [String: Any]
        #expect(json["pair"] as? String == "RUS|UKR")
        #expect(json["quad_class"] as? Int == 4)
        #expect(json["cameo"] as? String == "154")
        #expect(try JSONDecoder().decode(Tension.self, from: JSONEncoder().encode(tension)) == tension)
    }

    @Test func articleIngestedIsTheArticleObjectItself() throws {
        let article = Article(id: "a1", date: date, title: "T", source: "S", url: nil, text: "Body.")
        let data = try JSONEncoder().encode(ArticleIngested(article: article))
        let json = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        #expect(json["content_hash"] as? String == article.contentHash.hex)
        #expect(json["text"] as? String == "Body.")
        #expect(try JSONDecoder().decode(ArticleIngested.self, from: data).article == article)
    }

    @Test func decodingRejectsInvalidIdentifiers() {
        #expect(throws: (any Error).self) { try JSONDecoder().decode(CalendarDate.self, from: Data("\"2022-02-30\"".utf8)) }
        #expect(throws: (any Error).self) { try JSONDecoder().decode(ActorPair.self, from: Data("\"RUS\"".utf8)) }
        #expect(throws: (any Error).self) { try JSONDecoder().decode(ContentHash.self, from: Data("\"abc\"".utf8)) }
    }
}
