import DatelineCore
@testable import DatelineProjections
import Foundation
import Testing

@Suite("Tension arithmetic")
struct TensionMathTests {
    @Test("a repeated mention in one article counts once; the strongest mention represents it")
    func dedupWithinArticle() throws {
        var log = FixtureLog()
        let a = log.article("A text", date: "2022-02-01")
        log.tension(a, event("RUS", "UKR", cameo: "138", goldstein: -7, quad: 3, modality: .feared, on: "2022-02-01"))
        log.tension(a, event("RUS", "UKR", cameo: "138", goldstein: -7, quad: 3, modality: .asserted, on: "2022-02-01", span: (20, 30)))
        log.tension(a, event("RUS", "UKR", cameo: "138", goldstein: -7, quad: 3, modality: .feared, on: "2022-02-01", span: (40, 50)))
        var fold = TimelineFold()
        fold.apply(log.events)
        let rows = fold.dailyTensions
        #expect(rows.count == 1)
        let d = try #require(rows.first)
        #expect(d.events == 1)
        #expect(d.mentions == 3)
        #expect(d.tension == 7)  // asserted mention wins: weight 1
        #expect(d.goldsteinSum == -7)
        #expect(d.quadCounts == QuadCounts(0, 0, 1, 0))
        #expect(d.articles == 1)
    }

    @Test("the same event in two articles counts twice; another code or direction is another event")
    func distinctEvents() throws {
        var log = FixtureLog()
        let a = log.article("A", date: "2022-02-01")
        let b = log.article("B", date: "2022-02-01")
        log.tension(a, event("RUS", "UKR", cameo: "154", goldstein: -7.2, quad: 4, on: "2022-02-01"))
        log.tension(b, event("RUS", "UKR", cameo: "154", goldstein: -7.2, quad: 4, on: "2022-02-01"))
        log.tension(b, event("UKR", "RUS", cameo: "154", goldstein: -7.2, quad: 4, on: "2022-02-01"))
        log.tension(b, event("RUS", "UKR", cameo: "036", goldstein: 4, quad: 1, on: "2022-02-01"))
        var fold = TimelineFold()
        fold.apply(log.events)
        let d = try #require(fold.dailyTensions.first)
        #expect(fold.dailyTensions.count == 1)
        #expect(d.pair == pair("RUS|UKR"))
        #expect(d.events == 4)
        #expect(d.articles == 2)
        #expect(abs(d.tension - 21.6) < 1e-9)
        #expect(d.cooperation == 4)  // kept apart from tension
        #expect(abs(d.goldsteinSum - (-17.6)) < 1e-9)
        #expect(abs(d.goldsteinMean! - (-4.4)) < 1e-9)
        #expect(d.quadCounts == QuadCounts(1, 0, 0, 3))
    }

    @Test("a level statement sets the level without counting; a denied event counts with no tension")
    func levelsAndDenials() throws {
        var log = FixtureLog()
        let a = log.article("A", date: "2022-02-01")
        log.tension(a, levelStatement("UKR-RUS", level: 0.6, on: "2022-02-01"))
        log.tension(a, levelStatement("RUS-UKR", level: 0.9, on: "2022-02-01"))
        log.tension(a, event("RUS", "UKR", cameo: "138", goldstein: -7, quad: 3, modality: .denied, on: "2022-02-01"))
        var fold = TimelineFold()
        fold.apply(log.events)
        let d = try #require(fold.dailyTensions.first)
        #expect(d.level == 0.9)
        #expect(d.events == 1)
        #expect(d.mentions == 1)
        #expect(d.tension == 0)
        #expect(d.goldsteinSum == -7)
    }

    @Test("the daily rows a rebuild folds while loading equal the rows folded from the surviving mentions")
    func loadedFoldMatchesDaily() throws {
        // Random mentions over few articles, pairs, days and codes (so repeats and ties occur),
        // with level statements, and articles superseded in between; several seeds.
        let actors = try ["RUS", "UKR", "USA", "NATO"].map { try ActorCode($0) }
        let codes: [(String, Double, Int)] = [("111", -2, 3), ("138", -7, 3), ("036", 4, 1), ("190", -10, 4)]
        for seed in UInt64(1)...20 {
            var rng = SeededRandom(state: seed)
            var loaded = LoadedDailyFold()
            var surviving: [TensionMention] = []
            for n in 0..<400 {
                let stream = try StreamName("article-\(rng.int(12))")
                if rng.int(25) == 0 {
                    loaded.supersede(stream)
                    surviving.removeAll { $0.stream == stream }
                    continue
                }
                let source = rng.pick(actors)
                var target = rng.pick(actors)
                while target == source { target = rng.pick(actors) }
                let coded = rng.int(6) != 0
                let code = rng.pick(codes)
                let m = TensionMention(
                    position: Position(Int64(n + 1)), stream: stream, index: n, date: CalendarDate(dayNumber: 19_000 + rng.int(3)),
                    pair: ActorPair(source, target), source: coded && rng.int(4) != 0 ? source : nil, target: coded ? target : nil,
                    type: coded ? "EVENT" : "TENSION_STATEMENT", cameo: coded ? code.0 : nil, goldstein: coded ? code.1 : nil,
                    quadClass: coded ? code.2 : nil, modality: .asserted, weight: [1, 0.5, 0.25][rng.int(3)],
                    level: coded ? nil : Double(rng.int(10)) / 10, issue: nil, start: 0, end: 1)
                let added = loaded.add(m)
                #expect(added)
                surviving.append(m)
            }
            #expect(loaded.count == surviving.count)
            #expect(loaded.rows() == TensionMath.daily(surviving), "seed \(seed)")
        }
    }

    @Test("the decayed index halves over one half-life of quiet days and adds each day's tension")
    func decay() throws {
        let p = pair("RUS-UKR")
        func day(_ d: String, _ tension: Double) -> DailyTension {
            DailyTension(pair: p, date: date(d), events: 1, quadCounts: QuadCounts(0, 0, 1, 0), goldsteinSum: -tension,
                         goldsteinCount: 1, tension: tension, cooperation: 0, level: nil, articles: 1, mentions: 1)
        }
        let series = TensionMath.decayedIndex([day("2022-01-01", 8), day("2022-01-15", 2)], halfLife: 7)
        #expect(series.count == 15)
        #expect(series[0].index == 8)
        #expect(abs(series[7].index - 4) < 1e-9)
        #expect(series[7].tension == 0)
        #expect(abs(series[14].index - (2 + 2)) < 1e-9)
        let through = TensionMath.decayedIndex([day("2022-01-01", 8)], halfLife: 1, through: date("2022-01-03"))
        #expect(through.map(\.index) == [8, 4, 2])
    }

    @Test("ISO weeks belong to the year of their Thursday")
    func isoWeeks() {
        #expect(TimeBucket.week.period(of: date("2022-01-27")).label == "2022-W04")
        #expect(TimeBucket.week.period(of: date("2022-01-27")).start == date("2022-01-24"))
        #expect(TimeBucket.week.period(of: date("2022-01-27")).end == date("2022-01-30"))
        #expect(TimeBucket.week.period(of: date("2021-01-01")).label == "2020-W53")
        #expect(TimeBucket.week.period(of: date("2024-12-30")).label == "2025-W01")
        #expect(TimeBucket.week.period(of: date("2023-01-01")).label == "2022-W52")
        #expect(TimeBucket.month.period(of: date("2024-02-10")) == Period(start: date("2024-02-01"), end: date("2024-02-29"), label: "2024-02"))
        #expect(TimeBucket.day.period(of: date("2024-02-10")).label == "2024-02-10")
    }

    @Test("week and month buckets sum the days, take the highest level and the index at the bucket's end")
    func buckets() throws {
        var log = FixtureLog()
        let a = log.article("A", date: "2022-01-24")
        let b = log.article("B", date: "2022-01-27")
        log.tension(a, event("RUS", "UKR", cameo: "154", goldstein: -7, quad: 4, on: "2022-01-24"))
        log.tension(a, event("RUS", "UKR", cameo: "154", goldstein: -7, quad: 4, on: "2022-01-27"))  // same article, other day
        log.tension(b, event("RUS", "UKR", cameo: "111", goldstein: -2, quad: 3, on: "2022-01-27"))
        log.tension(b, levelStatement("RUS-UKR", level: 0.5, on: "2022-01-27"))
        log.tension(b, event("RUS", "UKR", cameo: "111", goldstein: -2, quad: 3, on: "2022-02-02"))
        var fold = TimelineFold()
        fold.apply(log.events)
        let weeks = fold.tensions(TensionQuery(pair: pair("RUS-UKR"), bucket: .week, halfLife: 7))
        #expect(weeks.map(\.period) == ["2022-W04", "2022-W05"])
        let w4 = weeks[0]
        #expect(w4.events == 3)
        #expect(w4.days == 2)
        #expect(w4.tension == 16)
        #expect(w4.level == 0.5)
        #expect(w4.articles == 2)  // distinct articles over the week, not 1 + 2
        let f = TensionMath.decayFactor(halfLife: 7)
        var expected = 7.0
        for d in 25...30 { expected = expected * f + (d == 27 ? 9 : 0) }
        #expect(abs(w4.index - expected) < 1e-9)  // index on Sunday 2022-01-30
        let months = fold.tensions(TensionQuery(pair: pair("RUS-UKR"), bucket: .month))
        #expect(months.map(\.period) == ["2022-01", "2022-02"])
        #expect(months[0].tension == 16)
        #expect(months[1].tension == 2)
        // A range clips the buckets but not the index history.
        let since = fold.tensions(TensionQuery(pair: pair("RUS-UKR"), since: date("2022-02-01")))
        #expect(since.count == 1)
        #expect(since[0].index > 2)
    }

    @Test("top pairs rank by tension over the range; actor filters pairs")
    func topPairs() throws {
        var log = FixtureLog()
        let a = log.article("A", date: "2022-03-01")
        log.tension(a, event("RUS", "UKR", cameo: "190", goldstein: -10, quad: 4, on: "2022-03-01"))
        log.tension(a, event("RUS", "USA", cameo: "111", goldstein: -2, quad: 3, on: "2022-03-01"))
        log.tension(a, event("NATO", "RUS", cameo: "111", goldstein: -2, quad: 3, on: "2022-03-01"))
        log.tension(a, event("USA", "UKR", cameo: "070", goldstein: 7, quad: 2, on: "2022-03-01"))
        var fold = TimelineFold()
        fold.apply(log.events)
        let top = fold.tensions(TensionQuery(top: 2))
        #expect(top.map(\.pair) == [pair("RUS|UKR"), pair("NATO|RUS")])  // tie at 2 ranks by name
        let ranked = fold.topPairs()
        #expect(ranked.map(\.pair.description) == ["RUS|UKR", "NATO|RUS", "RUS|USA", "UKR|USA"])
        let withUSA = fold.tensions(TensionQuery(actor: actor("USA")))
        #expect(withUSA.map(\.pair.description) == ["RUS|USA", "UKR|USA"])
        #expect(fold.tensions(TensionQuery(pair: pair("RUS-UKR"), actor: actor("USA"))).isEmpty)
    }
}

@Suite("Statement timeline and generations")
struct StatementFoldTests {
    func fixture() -> (FixtureLog, Article, Article) {
        var log = FixtureLog()
        let a = log.article("First article", date: "2022-01-27", title: "Talks", source: "Wire", url: "https://example.org/a")
        log.statement(a, said("There is no positive reaction on the main issue", by: "Sergey Lavrov",
                              entity: "person:sergey-lavrov", affiliation: "RUS", surface: "Russia’s Foreign Minister",
                              on: "2022-01-27"))
        log.statement(a, said("We will keep talking", by: "Sergey Lavrov", entity: "person:sergey-lavrov",
                              affiliation: "RUS", surface: "he", on: "2022-01-27"))
        log.statement(a, said("Ukraine’s sovereignty is not negotiable", by: "Antony Blinken",
                              entity: "person:antony-blinken", affiliation: "USA", on: "2022-01-26"))
        let b = log.article("Second article", date: "2022-02-10", title: "Later", source: "Paper")
        log.statement(b, said("The talks were useful", by: "Lavrov", entity: "person:sergey-lavrov", affiliation: "RUS",
                              kind: .indirect, on: "2022-02-10"))
        log.statement(b, said("Nothing was agreed", by: "a diplomat", kind: .indirect, cue: nil, on: "2022-02-10"))
        return (log, a, b)
    }

    @Test("rows carry the speaker, cue, content and the article link")
    func rows() throws {
        var fold = TimelineFold()
        fold.apply(fixture().0.events)
        let rows = fold.statementRows
        #expect(rows.count == 5)
        #expect(rows.map(\.date.description) == ["2022-01-26", "2022-01-27", "2022-01-27", "2022-02-10", "2022-02-10"])
        let first = rows[1]
        #expect(first.speaker == "Sergey Lavrov")
        #expect(first.entity == "person:sergey-lavrov")
        #expect(first.affiliation == actor("RUS"))
        #expect(first.cue == "say")
        #expect(first.title == "Talks")
        #expect(first.source == "Wire")
        #expect(first.url == "https://example.org/a")
        #expect(first.articlePosition == Position(1))
        #expect(first.kind == .direct)
        #expect(rows[4].cue == nil)
    }

    @Test("speaker queries match words of names and aliases as typed, case-insensitive")
    func speakers() {
        var fold = TimelineFold()
        fold.apply(fixture().0.events)
        #expect(fold.statements(StatementQuery(speaker: "Lavrov")).count == 3)
        #expect(fold.statements(StatementQuery(speaker: "sergey LAVROV")).count == 3)
        #expect(fold.statements(StatementQuery(speaker: "person:sergey-lavrov")).count == 3)
        #expect(fold.statements(StatementQuery(speaker: "foreign minister")).count == 3)  // an alias from a mention
        #expect(fold.statements(StatementQuery(speaker: "Lavr")).count == 3)  // a word as typed so far
        #expect(fold.statements(StatementQuery(speaker: "avrov")).isEmpty)  // but not the middle of one
        #expect(fold.statements(StatementQuery(speaker: "Sergei Lavrov")).count == 3)  // a transliteration variant
        #expect(fold.statements(StatementQuery(speaker: "he")).isEmpty)  // pronouns are not aliases
        #expect(fold.statements(StatementQuery(speaker: "Blinken")).map(\.content) == ["Ukraine’s sovereignty is not negotiable"])
        #expect(fold.statements(StatementQuery(speaker: "diplomat")).count == 1)
    }

    @Test("affiliation, date range, words, limit and order combine")
    func filters() {
        var fold = TimelineFold()
        fold.apply(fixture().0.events)
        #expect(fold.statements(StatementQuery(affiliation: actor("RUS"))).count == 3)
        #expect(fold.statements(StatementQuery(since: date("2022-01-27"), until: date("2022-01-27"))).count == 2)
        #expect(fold.statements(StatementQuery(words: "TALKS useful")).map(\.content) == ["The talks were useful"])
        #expect(fold.statements(StatementQuery(words: "talk")).isEmpty)  // whole words
        #expect(fold.statements(StatementQuery(words: "ukraine")).count == 1)  // "Ukraine’s" holds the word
        #expect(fold.statements(StatementQuery(speaker: "Lavrov", limit: 1)).map(\.date) == [date("2022-01-27")])
        #expect(fold.statements(StatementQuery(speaker: "Lavrov", limit: 1, newestFirst: true)).map(\.date) == [date("2022-02-10")])
    }

    @Test("ExtractionSuperseded hides the findings recorded before it in its stream only")
    func generations() throws {
        var (log, a, _) = fixture()
        log.tension(a, event("RUS", "UKR", cameo: "111", goldstein: -2, quad: 3, on: "2022-01-27"))
        log.supersede(a, newVersion: "test-2")
        log.statement(a, said("There is no positive reaction", by: "Sergey Lavrov", entity: "person:sergey-lavrov",
                              affiliation: "RUS", on: "2022-01-27"))
        log.tension(a, event("RUS", "UKR", cameo: "154", goldstein: -7.2, quad: 4, on: "2022-01-27"))
        var fold = TimelineFold()
        fold.apply(log.events)
        let rows = fold.statementRows
        #expect(rows.count == 3)  // 1 new from a, 2 from b
        #expect(rows.filter { $0.stream == a.stream }.map(\.extractorVersion) == ["test-2"])
        #expect(rows.filter { $0.stream == a.stream }.map(\.title) == ["Talks"])  // the link survives
        let d = try #require(fold.dailyTensions.first)
        #expect(fold.dailyTensions.count == 1)
        #expect(d.events == 1)
        #expect(abs(d.tension - 7.2) < 1e-9)
        // A second supersession with nothing after it empties the article.
        log.supersede(a, newVersion: "test-3")
        fold.apply(log.events)
        #expect(fold.statementRows.count == 2)
        #expect(fold.dailyTensions.isEmpty)
    }

    @Test("applying is idempotent per position; unknown types are ignored; bad payloads are counted, not fatal")
    func robustness() throws {
        var (log, a, _) = fixture()
        var fold = TimelineFold()
        fold.apply(log.events)
        fold.apply(log.events)  // again: nothing changes
        #expect(fold.statementRows.count == 5)
        log.appendRaw(a.stream, "SomethingElse", Array("{}".utf8))
        log.appendRaw(a.stream, .statementRecorded, Array("{\"index\": 1}".utf8))
        log.appendRaw(a.stream, .tensionObserved, Array("not json".utf8))
        fold.apply(log.events)
        #expect(fold.checkpoint == log.head)
        #expect(fold.statementRows.count == 5)
        #expect(fold.malformed.count == 2)
        if case .malformed(let position, let type, let reason) = fold.malformed[0] {
            #expect(position == Position(log.head.rawValue - 1))
            #expect(type == .statementRecorded)
            #expect(reason.contains("article_hash"))
        } else {
            Issue.record("expected a malformed change")
        }
    }

    @Test("rows encode with stable snake_case names")
    func encoding() throws {
        var fold = TimelineFold()
        fold.apply(fixture().0.events)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let json = String(decoding: try encoder.encode(fold.statementRows[1]), as: UTF8.self)
        for key in ["\"article_position\":1", "\"extractor_version\":\"test-1\"", "\"speaker\":\"Sergey Lavrov\"",
                    "\"affiliation\":\"RUS\"", "\"date\":\"2022-01-27\"", "\"stream\":\"article-"] {
            #expect(json.contains(key), "\(key) in \(json)")
        }
        var log = FixtureLog()
        let a = log.article("A", date: "2022-01-27")
        log.tension(a, event("RUS", "UKR", cameo: "154", goldstein: -7, quad: 4, on: "2022-01-27"))
        var tf = TimelineFold()
        tf.apply(log.events)
        let row = try #require(tf.tensions(TensionQuery(evidence: true)).first)
        let tj = String(decoding: try encoder.encode(row), as: UTF8.self)
        for key in ["\"pair\":\"RUS|UKR\"", "\"bucket\":\"day\"", "\"period\":\"2022-01-27\"", "\"quad_counts\":{\"1\":0,\"2\":0,\"3\":0,\"4\":1}",
                    "\"goldstein_mean\":-7", "\"tension\":7", "\"index\":7", "\"evidence\":[{"] {
            #expect(tj.contains(key), "\(key) in \(tj)")
        }
    }
}

@Suite("Seed article against its gold file", .enabled(if: SharedData.hasSeed, "../shared (gold/seed-000.json, corpus/seed-000.txt) is absent"))
struct SeedGoldTests {
    @Test("daily aggregates of the required events match daily_aggregates_required_only")
    func dailyAggregates() throws {
        let (log, _) = try seedLogFromGold()
        var fold = TimelineFold()
        fold.apply(log.events)
        let gold = try JSONSerialization.jsonObject(with: Data(contentsOf: SharedData.seedGold)) as! [String: Any]
        let expected = gold["daily_aggregates_required_only"] as! [[String: Any]]
        let rows = fold.dailyTensions
        #expect(rows.count == expected.count)
        for e in expected {
            let p = pair(e["pair"] as! String)
            let d = try #require(rows.first { $0.pair == p && $0.date == date(e["date"] as! String) }, "row for \(p)")
            #expect(d.events == e["n_events"] as! Int, "\(p) events")
            let quads = e["quad_counts"] as! [String: Int]
            for q in 1...4 { #expect(d.quadCounts[q] == quads[String(q)] ?? 0, "\(p) quad \(q)") }
            #expect(abs(d.goldsteinSum - (e["goldstein_sum"] as! Double)) < 1e-9, "\(p) goldstein sum")
            #expect(abs(d.goldsteinMean! - (e["goldstein_mean"] as! Double)) < 1e-9, "\(p) goldstein mean")
            #expect(abs(d.tension - (e["tension_raw"] as! Double)) < 1e-9, "\(p) tension")
            #expect(abs(d.cooperation - (e["coop_raw"] as! Double)) < 1e-9, "\(p) cooperation")
            #expect(d.mentions == e["evidence_mentions"] as! Int, "\(p) evidence")
            #expect(d.level == e["tension_level_reported"] as? Double, "\(p) level")
            let series = TensionMath.decayedIndex([d], halfLife: 7, through: d.date.adding(days: 1))
            #expect(abs(series[1].index - (e["decayed_next_day_H7"] as! Double)) < 5e-5, "\(p) decayed")
        }
    }

    @Test("the statement timeline has Lavrov's 9 statements and 11 for RUS")
    func statementTimeline() throws {
        let (log, _) = try seedLogFromGold()
        var fold = TimelineFold()
        fold.apply(log.events)
        let lavrov = fold.statements(StatementQuery(speaker: "Lavrov"))
        #expect(lavrov.count == 9)
        #expect(Set(lavrov.map(\.date)) == [date("2022-01-27")])
        #expect(lavrov.filter { $0.kind == .direct }.count == 6)
        #expect(fold.statements(StatementQuery(affiliation: actor("RUS"))).count == 11)
        #expect(fold.statements(StatementQuery(speaker: "the Russian foreign minister")).count == 9)
        #expect(fold.statements(StatementQuery(speaker: "Russia")).count == 2)  // the state, not its minister
        #expect(fold.statements(StatementQuery(speaker: "Sergey")).count == 9)
    }
}
