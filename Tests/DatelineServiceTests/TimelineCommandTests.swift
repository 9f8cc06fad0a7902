import DatelineCore
import DatelineService
import DatelineTestSupport
import EventLog
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Logging
import Testing

/// A log with hand-written findings (independent of the extractor's quality), queried
/// through the `dateline` executable.
@Suite struct TimelineCommandTests {
    static func fixtureDatabase(in dir: TemporaryDirectory) throws -> String {
        let db = dir.path("log.sqlite")
        let engine = try DatelineEngine(databasePath: db, logger: Logger(label: "test"))
        defer { engine.close() }
        let rus = try ActorCode("RUS"), ukr = try ActorCode("UKR"), nato = try ActorCode("NATO")
        func article(_ day: String, _ text: String) -> Article {
            Article(id: day, date: CalendarDate(parsing: day)!, title: "Fixture \(day)", source: "Fixture", text: text)
        }
        let lavrov = Speaker(surface: "Lavrov", start: 0, end: 6, name: "Sergey Lavrov", entity: "person:sergey-lavrov",
                             affiliation: rus, role: "Minister of Foreign Affairs")
        let a1 = article("2022-01-27", "Lavrov said the talks had failed. Troops massed at the border.")
        let a2 = article("2022-02-03", "Lavrov said NATO must stop expanding.")
        let findings: [(Article, Extraction)] = [
            (a1, Extraction(
                statements: [Statement(kind: .indirect, content: "the talks had failed", start: 12, end: 32, speaker: lavrov,
                                       cue: Cue(surface: "said", lemma: "say", start: 7, end: 11), date: a1.date, polarity: .assert)],
                tensions: [
                    Tension(type: "MOBILIZE", cameo: "154", goldstein: -7.2, quadClass: 4, source: rus, target: ukr,
                            pair: ActorPair(rus, ukr), directed: true, modality: .asserted, weight: 1, start: 34, end: 62, date: a1.date),
                    Tension(type: "TENSION_STATEMENT", cameo: nil, goldstein: nil, quadClass: nil, source: nil, target: nil,
                            pair: ActorPair(rus, ukr), directed: false, modality: .asserted, weight: 1, level: 0.9,
                            start: 34, end: 62, date: a1.date),
                ])),
            (a2, Extraction(
                statements: [Statement(kind: .indirect, content: "NATO must stop expanding", start: 12, end: 36, speaker: lavrov,
                                       cue: Cue(surface: "said", lemma: "say", start: 7, end: 11), date: a2.date, polarity: .assert)],
                tensions: [Tension(type: "DEMAND", cameo: "1042", goldstein: -5, quadClass: 3, source: rus, target: nato,
                                   pair: ActorPair(rus, nato), directed: true, modality: .asserted, weight: 1,
                                   start: 12, end: 36, date: a2.date)])),
        ]
        for (article, extraction) in findings {
            _ = try engine.store.appendSync(to: article.stream, expecting: .noStream,
                                            events: try IngestBatch.events(for: article, extraction: extraction))
        }
        return db
    }

    @Test func statementsBySpeakerAsTableAndJSON() async throws {
        let dir = try TemporaryDirectory()
        let db = try Self.fixtureDatabase(in: dir)
        let dateline = try productPath("dateline")

        let table = try await run(dateline, ["statements", "--db", db, "--speaker", "lavrov"])
        #expect(table.status == 0, "\(table.stderr)")
        #expect(table.stdout.contains("2022-01-27  Sergey Lavrov (RUS)  indirect  say  the talks had failed"))
        #expect(table.stdout.contains("2 statements"))

        let json = try jsonLines(try await run(dateline, ["statements", "--db", db, "--since", "2022-02-01", "--json"]).stdout)
        #expect(json.count == 1)
        #expect(json.first?["content"] as? String == "NATO must stop expanding")
        #expect(json.first?["speaker"] as? String == "Sergey Lavrov")

        let none = try await run(dateline, ["statements", "--db", db, "--speaker", "Nobody"])
        #expect(none.status == 0)
        #expect(none.stdout.isEmpty)
        #expect(none.stderr.contains("no statements match"))
    }

    @Test func tensionsPerPairWithLevelAndIndex() async throws {
        let dir = try TemporaryDirectory()
        let db = try Self.fixtureDatabase(in: dir)
        let dateline = try productPath("dateline")

        let result = try await run(dateline, ["tensions", "--db", db, "--pair", "UKR-RUS"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("RUS|UKR\n"))
        let day = try #require(result.stdout.split(separator: "\n").first { $0.hasPrefix("2022-01-27") })
        let cells = day.split(separator: " ")
        // period, events, quads, goldstein, tension, cooperation, level, articles, index
        #expect(cells == ["2022-01-27", "1", "0/0/0/1", "-7.2", "7.20", "0.00", "0.90", "1", "7.20"])

        let json = try jsonLines(try await run(dateline, ["tensions", "--db", db, "--actor", "RUS", "--json"]).stdout)
        #expect(Set(json.compactMap { $0["pair"] as? String }) == ["NATO|RUS", "RUS|UKR"])

        let svgPath = dir.path("chart.svg")
        let chart = try await run(dateline, ["tensions", "--db", db, "--actor", "RUS", "--svg", svgPath])
        #expect(chart.status == 0)
        let svg = try String(contentsOfFile: svgPath, encoding: .utf8)
        #expect(svg.hasPrefix("<svg"))
        #expect(svg.contains(">RUS|UKR<") && svg.contains(">NATO|RUS<"))
        #expect(try XMLDocument(xmlString: svg).rootElement()?.name == "svg")
    }

    @Test func badArgumentsExitWithUsageStatus() async throws {
        let dir = try TemporaryDirectory()
        let db = try Self.fixtureDatabase(in: dir)
        let dateline = try productPath("dateline")
        for args in [["tensions", "--pair", "RUS"], ["tensions", "--pair", "RUS-XYZ"], ["statements", "--actor", "QQQ"], ["tensions", "--since", "2022-02-30"], ["statements", "--limit", "0"],
                     ["replay", "--since", "last tuesday"], ["rebuild", "--projection", "nope"]] {
            let result = try await run(dateline, args + ["--db", db])
            #expect(result.status == 64, "\(args): \(result.stderr)")
            #expect(!result.stderr.isEmpty)
        }
    }

    @Test func replayRebuildAndStats() async throws {
        let dir = try TemporaryDirectory()
        let db = try Self.fixtureDatabase(in: dir)
        let dateline = try productPath("dateline")

        let replay = try jsonLines(try await run(dateline, ["replay", "--db", db, "--type", "TensionObserved"]).stdout)
        #expect(replay.count == 3)
        #expect(replay.allSatisfy { $0["type"] as? String == "event" && $0["event_type"] as? String == "TensionObserved" })
        let fromThree = try jsonLines(try await run(dateline, ["replay", "--db", db, "--from", "3"]).stdout)
        #expect(fromThree.first?["position"] as? Int == 3)

        let before = try await run(dateline, ["tensions", "--db", db, "--json"]).stdout
        let rebuild = try await run(dateline, ["rebuild", "--db", db])
        #expect(rebuild.status == 0, "\(rebuild.stderr)")
        #expect(rebuild.stdout.contains("tensions: rebuilt to position 7"))
        #expect(try await run(dateline, ["tensions", "--db", db, "--json"]).stdout == before)

        let stats = try #require(try JSONSerialization.jsonObject(
            with: Data(try await run(dateline, ["stats", "--db", db, "--json"]).stdout.utf8)) as? [String: Any])
        #expect(stats["head"] as? Int == 7)
        let raw = try #require(stats["payload_bytes"] as? Int), stored = try #require(stats["stored_bytes"] as? Int)
        #expect(raw > stored && stored > 0)
        #expect((stats["events_by_type"] as? [String: Int])?["StatementRecorded"] == 2)
        let projections = try #require(stats["projections"] as? [[String: Any]])
        #expect(projections.allSatisfy { $0["checkpoint"] as? Int == 7 })
    }
}
