import DatelineCore
import Foundation
import Testing

@testable import DatelineProtocol

func payload<T: Encodable>(_ value: T) -> [UInt8] {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    return Array(try! encoder.encode(value))
}

let rus = try! ActorCode("RUS"), ukr = try! ActorCode("UKR"), nato = try! ActorCode("NATO"), usa = try! ActorCode("USA")
let hash = ContentHash(ofArticleText: "fixture article")
let day = CalendarDate(year: 2022, month: 1, day: 27)!

func recorded(_ type: EventType, _ data: [UInt8], stream: String = "article-0123456789abcdef", position: Int64 = 1) -> RecordedEvent {
    RecordedEvent(position: Position(position), stream: try! StreamName(stream), version: StreamVersion(0),
                  id: try! EventID("e\(position)"), type: type, recordedAt: Timestamp(rawValue: 0), data: data)
}

let lavrovStatement = recorded(.statementRecorded, payload(StatementRecorded(
    articleHash: hash, index: 0, extractorVersion: "x1",
    statement: Statement(kind: .direct, content: "{\"not\": \"a brace\"} NATO must stop", start: 0, end: 10,
                         speaker: Speaker(surface: "Russia's Foreign Minister", start: 0, end: 5, name: "Sergey Lavrov",
                                          entity: "person:sergey-lavrov", affiliation: rus, role: "foreign minister"),
                         cue: Cue(surface: "said", lemma: "say", start: 11, end: 15), date: day, polarity: .assert))))

let blinkenStatement = recorded(.statementRecorded, payload(StatementRecorded(
    articleHash: hash, index: 1, extractorVersion: "x1",
    statement: Statement(kind: .indirect, content: "talks continue", start: 20, end: 30,
                         speaker: Speaker(surface: "he", name: "Antony Blinken", entity: "person:antony-blinken", affiliation: usa),
                         cue: nil, date: day, polarity: .assert))), position: 2)

let borderTension = recorded(.tensionObserved, payload(TensionObserved(
    articleHash: hash, index: 0, extractorVersion: "x1",
    tension: Tension(type: "MOBILIZE", cameo: "154", goldstein: -7.2, quadClass: 4, source: rus, target: ukr,
                     pair: ActorPair(rus, ukr), directed: true, modality: .feared, weight: 0.5, issue: "BORDER_TROOPS",
                     start: 40, end: 60, date: day))), position: 3)

let articleEvent = recorded(.articleIngested, payload(ArticleIngested(article: Article(date: day, text: "Lavrov said RUS UKR"))),
                            position: 4)

@Suite struct FilterTests {
    @Test func factsComeFromATargetedScanOfThePayload() {
        let s = EventFacts(scanning: lavrovStatement)
        #expect(s.isStatement && !s.isTension)
        #expect(s.speakerName == "Sergey Lavrov")
        #expect(s.speakerSurface == "Russia's Foreign Minister")
        #expect(s.speakerEntity == "person:sergey-lavrov")
        #expect(s.affiliation == rus)
        let t = EventFacts(scanning: borderTension)
        #expect(t.isTension && t.pair == ActorPair(ukr, rus) && t.source == rus && t.target == ukr)
        #expect(EventFacts(scanning: articleEvent) == .none)
    }

    @Test func factsScanSurvivesOddAndBrokenPayloads() {
        // Key order differs, nested look-alikes come first, unknown fields everywhere.
        let odd = Array(#"{"x":{"statement":{"speaker":{"name":"Decoy"}}},"statement":{"junk":[{"speaker":1}],"speaker":{"affiliation":"nato","name":"Jens \"J\" Stoltenberg","more":{"a":[]}},"kind":"direct"},"tail":true}"#.utf8)
        let f = EventFacts(statementPayload: odd)
        #expect(f.speakerName == "Jens \"J\" Stoltenberg")
        #expect(f.affiliation == nato)
        for broken in ["", "[]", "{", #"{"statement":"#, #"{"statement":{"speaker":{"name":"#, "\u{0}\u{1}garbage"] {
            let g = EventFacts(statementPayload: Array(broken.utf8))
            #expect(g.speakerName == nil && g.affiliation == nil)
        }
        #expect(EventFacts(tensionPayload: Array(#"{"tension":{"pair":"not a pair"}}"#.utf8)).pair == nil)
    }

    @Test func envelopeFilters() {
        #expect(SubscriptionFilter().matches(articleEvent))
        #expect(SubscriptionFilter().isEmpty)
        let types = SubscriptionFilter(types: [.statementRecorded])
        #expect(types.matches(lavrovStatement) && !types.matches(borderTension) && !types.needsFacts)
        let prefix = SubscriptionFilter(streamPrefix: "article-0123")
        #expect(prefix.matches(borderTension))
        #expect(!SubscriptionFilter(streamPrefix: "notes-").matches(borderTension))
    }

    @Test func speakerFilter() {
        for text in ["lavrov", "Sergey Lavrov", "FOREIGN MINISTER", "person:sergey-lavrov"] {
            #expect(SubscriptionFilter(speaker: text).matches(lavrovStatement), "\(text)")
        }
        let f = SubscriptionFilter(speaker: "Lavrov")
        #expect(f.needsFacts)
        #expect(!f.matches(blinkenStatement))
        #expect(!f.matches(borderTension))
        #expect(!f.matches(articleEvent), "an article mentioning Lavrov is not a statement by him")
        #expect(!SubscriptionFilter(speaker: "person:sergey").matches(blinkenStatement))
    }

    @Test func actorAndPairFilters() {
        let russia = SubscriptionFilter(actor: rus)
        #expect(russia.matches(lavrovStatement))
        #expect(russia.matches(borderTension))
        #expect(!russia.matches(blinkenStatement))
        #expect(!russia.matches(articleEvent))
        #expect(SubscriptionFilter(actor: ukr).matches(borderTension))
        #expect(!SubscriptionFilter(actor: nato).matches(borderTension))
        let pair = SubscriptionFilter(pair: ActorPair(ukr, rus))
        #expect(pair.matches(borderTension))
        #expect(!pair.matches(lavrovStatement))
        #expect(!SubscriptionFilter(pair: ActorPair(rus, nato)).matches(borderTension))
    }

    @Test func filtersCombineWithAnd() {
        let f = SubscriptionFilter(types: [.statementRecorded], streamPrefix: "article-", actor: rus, speaker: "lavrov")
        #expect(f.matches(lavrovStatement))
        var g = f
        g.speaker = "blinken"
        #expect(!g.matches(lavrovStatement))
        #expect(!SubscriptionFilter(types: [.tensionObserved], actor: rus, pair: ActorPair(rus, ukr)).matches(lavrovStatement))
        // Facts computed once can be shared by many filters.
        let facts = EventFacts(scanning: lavrovStatement)
        #expect(f.matches(lavrovStatement, facts: facts) && !g.matches(lavrovStatement, facts: facts))
    }

    @Test func filterFieldsForStats() {
        let f = SubscriptionFilter(types: [.tensionObserved, .statementRecorded], pair: ActorPair(rus, ukr))
        #expect(f.replyFields == ["types": ["StatementRecorded", "TensionObserved"], "pair": "RUS|UKR"])
    }
}

/// The live speaker filter matches names as people type them.
@Suite struct NameFoldingFilterTests {
    func statement(_ name: String) -> RecordedEvent {
        let json = #"{"statement":{"speaker":{"name":"\#(name)","surface":"the president"}}}"#
        return recorded(.statementRecorded, Array(json.utf8))
    }

    @Test func prefixesDiacriticsAndTransliterations() {
        let zelenskyy = statement("Volodymyr Zelenskyy")
        for typed in ["Zelen", "zelensky", "Zelenskiy", "Zelenskij", "Volodymyr Zel", "volodimir zelenskyi"] {
            #expect(SubscriptionFilter(speaker: typed).matches(zelenskyy), "\(typed)")
        }
        for typed in ["Ze", "Zelenska", "lensky"] {
            #expect(!SubscriptionFilter(speaker: typed).matches(zelenskyy), "\(typed)")
        }
        #expect(SubscriptionFilter(speaker: "Sikorski").matches(statement("Radosław Sikorski")))
        #expect(SubscriptionFilter(speaker: "Radoslaw").matches(statement("Radosław Sikorski")))
        #expect(SubscriptionFilter(speaker: "Erdogan").matches(statement("Recep Tayyip Erdoğan")))
        #expect(SubscriptionFilter(speaker: "Sergei Lavrov").matches(statement("Sergey Lavrov")))
    }
}
