import DatelineCore
import DatelineJSON
@testable import DatelineProjections
import Foundation
import Testing

/// Query rows are written once with the shared writer (server `row` lines, CLI `--json`); their
/// `Codable` form is the definition of their fields, so the two must write the same bytes.
@Suite struct RowJSONTests {
    private static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]
        return e
    }()

    @Test func statementRowsAreWrittenAsTheirCodableForm() throws {
        var fold = TimelineFold()
        fold.apply(syntheticCorpus(articles: 40, seed: 11).events)
        var rows = fold.statements(StatementQuery())
        #expect(rows.count > 50)
        // Every optional both present and absent, and strings that need escaping.
        var odd = try #require(rows.first)
        odd.content = "a \"quote\", a back\\slash, a tab\t, a bell \u{7}, café / 🛰️"
        odd.articlePosition = Position(3)
        odd.title = nil
        odd.cue = nil
        rows.append(odd)
        for row in rows {
            let mine = String(decoding: row.jsonLine, as: UTF8.self)
            let codable = String(decoding: try Self.encoder.encode(row), as: UTF8.self) + "\n"
            #expect(mine == codable)
            #expect(row.jsonMembers == Array(row.jsonLine.dropFirst().dropLast(2)))
        }
    }

    @Test func tensionRowsAreWrittenAsTheirCodableForm() throws {
        var fold = TimelineFold()
        fold.apply(syntheticCorpus(articles: 40, seed: 12).events)
        var rows: [TensionRow] = []
        for bucket in TimeBucket.allCases {
            rows += fold.tensions(TensionQuery(bucket: bucket, evidence: bucket == .day))
        }
        #expect(rows.count > 10)
        #expect(rows.contains { $0.evidence?.isEmpty == false })
        #expect(rows.contains { $0.level != nil } && rows.contains { $0.level == nil })
        var odd = try #require(rows.first)
        odd.goldsteinSum = -0.00001  // rounds to -0, written as 0
        odd.tension = 12.703199999999999
        odd.goldsteinMean = 1e-7
        rows.append(odd)
        for row in rows {
            let mine = String(decoding: row.jsonLine, as: UTF8.self)
            let codable = String(decoding: try Self.encoder.encode(row), as: UTF8.self) + "\n"
            #expect(mine == codable)
        }
    }
}
