import DatelineCore
@testable import DatelineProjections
import Foundation
import Testing

/// The fast payload reader must read exactly what `JSONDecoder` reads, and give up (so that
/// the full decoder decides) on anything it is not sure of.
@Suite("Payload reader")
struct PayloadReaderTests {
    private func raw(_ type: EventType, _ json: String, position: Int64 = 9) -> RecordedEvent {
        RecordedEvent(position: Position(position), stream: try! StreamName("article-abc"), version: StreamVersion(0),
                      id: try! EventID("e\(position)"), type: type, recordedAt: Timestamp(microsecondsSince1970: 0),
                      data: Array(json.utf8))
    }

    @Test("every payload of the synthetic ingest and the seed reads the same as with JSONDecoder, on the fast path")
    func sameAsFoundation() throws {
        var events = syntheticCorpus(articles: 80, seed: 3).events
        if SharedData.hasSeed { events += try seedLogFromGold().0.events }
        var fast = 0
        for e in events where e.type != .extractionSuperseded {
            let quick = try #require(PayloadReader.change(e), "fast path gave up on a well-formed \(e.type) at \(e.position)")
            #expect(quick == TimelineChange.decodeWithFoundation(e), "\(e.type) at \(e.position)")
            fast += 1
        }
        #expect(fast > 500)
    }

    @Test("escapes, nulls, unknown fields and white space read as JSONDecoder reads them")
    func edgeCases() throws {
        let hash = String(repeating: "a", count: 64)
        let payloads: [(EventType, String)] = [
            (.statementRecorded, #"""
             { "article_hash" : "\#(hash)", "index": 3, "extractor_version": "x\/1",
               "extra": [1, 2.5e3, {"a": [true, false, null]}, "s\"t"],
               "statement": {"kind": "direct", "content": "caf\u00e9 \ud83d\ude00 \"q\"\n\ttab", "start": 0, "end": -4,
                 "fragments": [[1, 2], [3, 4]], "continues": null,
                 "speaker": {"surface": null, "name": "Sergey Lavrov", "entity": "person:sergey-lavrov", "affiliation": "rus", "start": 1},
                 "cue": null, "date": "2022-01-27", "polarity": "deny"} }
             """#),
            (.statementRecorded, #"{"article_hash":"\#(hash)","index":0,"extractor_version":"1","statement":{"kind":"mixed","content":"","start":1,"end":2,"speaker":{},"cue":{"surface":"said","lemma":"say","start":0,"end":4},"date":"2022-02-28","polarity":"assert"}}"#),
            (.tensionObserved, #"{"article_hash":"\#(hash)","index":7,"extractor_version":"1","tension":{"type":"EVENT","cameo":"013","goldstein":-7.2,"quad_class":3,"source":"RUS","target":"UKR","pair":"UKR|RUS","directed":true,"modality":"feared","weight":0.5,"level":null,"issue":"BORDER_TROOPS","start":5,"end":9,"date":"2022-01-27"}}"#),
            (.tensionObserved, #"{"article_hash":"\#(hash)","index":8,"extractor_version":"1","tension":{"type":"TENSION_STATEMENT","pair":"NATO-RUS","directed":false,"modality":"asserted","weight":1,"level":0.9,"start":0,"end":1,"date":"2022-01-27","goldstein":4}}"#),
            (.articleIngested, #"{"id":"a","date":"2022-01-27","title":"A \u201ctitle\u201d","url":"https:\/\/example.org\/x","text":"line\nline","content_hash":"\#(hash)"}"#),
            (.articleIngested, #"{"date":"2022-01-27","title":null}"#),
        ]
        for (type, json) in payloads {
            let e = raw(type, json)
            let quick = try #require(PayloadReader.change(e), "fast path gave up on \(json)")
            #expect(quick == TimelineChange.decodeWithFoundation(e))
        }
    }

    @Test("the fast path gives up on what it is not sure of, and malformed payloads keep the full decoder's reason")
    func givesUp() throws {
        let hash = String(repeating: "b", count: 64)
        let body = #""kind":"direct","content":"c","start":0,"end":1,"speaker":{},"date":"2022-01-27","polarity":"assert""#
        let unsure: [(EventType, String)] = [
            (.statementRecorded, #"{"index": 1}"#),
            (.statementRecorded, #"{"article_hash":"\#(hash)","index":1.0,"extractor_version":"1","statement":{\#(body)}}"#),
            (.statementRecorded, #"{"article_hash":"\#(hash)","index":1,"index":2,"extractor_version":"1","statement":{\#(body)}}"#),
            (.statementRecorded, #"{"article_hash":"XYZ","index":1,"extractor_version":"1","statement":{\#(body)}}"#),
            (.statementRecorded, #"{"article_hash":"\#(hash)","index":1,"extractor_version":"1","statement":{\#(body)}} x"#),
            (.statementRecorded, #"{"article_hash":"\#(hash)","index":1,"extractor_version":"1","statement":{\#(body),"kind":"direct"}}"#),
            (.statementRecorded, #"{"article_hash":"\#(hash)","index":1,"extractor_version":"1","statement":{\#(body)},"x":01}"#),
            (.tensionObserved, "not json"),
            (.tensionObserved, #"{"article_hash":"\#(hash)","index":1,"extractor_version":"1","tension":{"type":"E","pair":"RUS|UKR","modality":"sure","directed":true,"weight":1,"start":0,"end":1,"date":"2022-01-27"}}"#),
            (.articleIngested, #"{"date":"2022-13-01"}"#),
            (.articleIngested, #"{"date":"2022-01-01","title":"\ud800"}"#),
        ]
        for (type, json) in unsure {
            let e = raw(type, json)
            #expect(PayloadReader.change(e) == nil, "fast path accepted \(json)")
            #expect(TimelineChange(e) == TimelineChange.decodeWithFoundation(e))
        }
        if case .malformed(_, _, let reason) = TimelineChange(raw(.statementRecorded, #"{"index": 1}"#)) {
            #expect(reason.contains("article_hash"))
        } else {
            Issue.record("expected a malformed change")
        }
    }
}
