import DatelineCore
import NIOCore
import Testing

@testable import DatelineProtocol

let parser = RequestParser()

func ok(_ line: String, _ p: RequestParser = parser, sourceLocation: SourceLocation = #_sourceLocation) -> ParsedRequest? {
    switch p.parse(line) {
    case .success(let r): return r
    case .failure(let e):
        Issue.record("\(line.prefix(80)) was refused: \(e)", sourceLocation: sourceLocation)
        return nil
    }
}

func refused(_ line: String, _ p: RequestParser = parser, sourceLocation: SourceLocation = #_sourceLocation) -> ProtocolError? {
    switch p.parse(line) {
    case .success(let r):
        Issue.record("\(line.prefix(80)) was accepted as \(r.request.op)", sourceLocation: sourceLocation)
        return nil
    case .failure(let e): return e
    }
}

@Suite struct ParsingTests {
    @Test func simpleOpsWithStringAndNumberIDs() {
        #expect(ok(#"{"op":"ping","id":"a1"}"#) == ParsedRequest(id: .string("a1"), request: .ping))
        #expect(ok(#"{"id":7,"op":"help"}"#) == ParsedRequest(id: .number(7), request: .help))
        #expect(ok(#"{"op":"stats"}"#) == ParsedRequest(id: nil, request: .stats))
        #expect(ok(#"{"op":"quit","id":null}"#) == ParsedRequest(id: nil, request: .quit))
        #expect(ok(#"  {"op":"PING"}  "#)?.request == .ping)
        #expect(ok(#"{"op":"hello","client":"scraper/2"}"#)?.request == .hello(client: "scraper/2"))
        #expect(ok(#"{"op":"hello"}"#)?.request == .hello(client: nil))
        #expect(ok(#"{"op":"auth","token":"s3cret"}"#)?.request == .auth(token: "s3cret"))
    }

    @Test func unknownFieldsAreIgnored() {
        #expect(ok(#"{"op":"ping","extra":{"deep":[1,2,{"x":null}]},"n":1.5e3}"#)?.request == .ping)
    }

    @Test func bareWordsAreCaseInsensitive() {
        for (word, request) in [("PING", Request.ping), ("ping", .ping), ("Help", .help), ("STATS", .stats), ("quit", .quit)] {
            #expect(ok(word) == ParsedRequest(id: nil, request: request, isBareWord: true))
        }
        #expect(ok("TAIL")?.request == .subscribe(SubscribeRequest(from: .last(10))))
        #expect(ok("tail 25")?.request == .subscribe(SubscribeRequest(from: .last(25))))
        #expect(ok("TAIL 0")?.request == .subscribe(SubscribeRequest(from: .last(0))))
        #expect(refused("TAIL many")?.code == .badRequest)
        #expect(refused("TAIL -1")?.code == .badRequest)
        #expect(refused("TAIL 1 2")?.code == .badRequest)
        #expect(refused("PING now")?.code == .badRequest)
        #expect(refused("FROBNICATE")?.code == .unknownOp)
        #expect(refused("42")?.code == .badRequest)
        #expect(refused("null")?.code == .badRequest)
    }

    @Test func badJSONKeepsTheIDWhenItCanBeRead() {
        #expect(refused(#"{"op":"ping""#)?.code == .badJSON)
        let broken = refused(#"{"id":"r9","op":"ping",}"#)
        #expect(broken?.code == .badJSON)
        #expect(broken?.id == .string("r9"))
        #expect(broken?.closes == false)
        #expect(refused(#"{"op":"ping"} trailing"#)?.code == .badJSON)
        #expect(refused(#"{"op":"ping","op":"quit"}"#)?.code == .badJSON)  // duplicate key
        #expect(refused("{\"op\":\"ping\",\"x\":\"a\tb\"}")?.code == .badJSON)  // raw control character
        #expect(refused(#"{"op":"ping","x":"\ud800"}"#)?.code == .badJSON)  // lone surrogate
        #expect(refused(#"{"op":'ping'}"#)?.code == .badJSON)
        #expect(refused(#"{"op":"ping","n":01}"#)?.code == .badJSON)
        #expect(refused(#"["op","ping"]"#)?.code == .badRequest)
    }

    @Test func invalidUTF8IsBadJSON() {
        let inString: [UInt8] = Array(#"{"op":"ping","x":""#.utf8) + [0xC3, 0x28] + Array(#""}"#.utf8)
        #expect(parser.parse(inString).failureCode == .badJSON)
        #expect(parser.parse([0xFF, 0xFE, 0x50]).failureCode == .badJSON)
        let valid = Array(#"{"op":"hello","client":"Zoë 日本"}"#.utf8)
        guard case .success(let r) = parser.parse(valid) else {
            Issue.record("valid UTF-8 refused")
            return
        }
        #expect(r.request == .hello(client: "Zoë 日本"))
    }

    @Test func opAndIDValidation() {
        let unknown = refused(#"{"op":"frobnicate","id":"x"}"#)
        #expect(unknown?.code == .unknownOp)
        #expect(unknown?.id == .string("x"))
        #expect(unknown?.message.contains("subscribe") == true)
        #expect(refused(#"{"id":1}"#)?.code == .badRequest)
        #expect(refused(#"{"op":3}"#)?.code == .badRequest)
        #expect(refused(#"{"op":"ping","id":true}"#)?.code == .badRequest)
        #expect(refused(#"{"op":"ping","id":1.5}"#)?.code == .badRequest)
        #expect(refused(#"{"op":"ping","id":""}"#)?.code == .badRequest)
        #expect(refused(#"{"op":"hello","protocol":2}"#)?.code == .badRequest)
        #expect(refused(#"{"op":"auth"}"#)?.code == .badRequest)
    }

    @Test func depthIsRefusedBeforeParsingAndNeverCrashes() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(refused(deep)?.code == .tooDeep)
        let deepObject = #"{"id":"d","op":"ping","x":"# + String(repeating: "{\"a\":", count: 100_000) + "1"
            + String(repeating: "}", count: 100_000) + "}"
        let e = refused(deepObject)
        #expect(e?.code == .tooDeep)
        #expect(e?.id == .string("d"))
        // Brackets inside strings (with escaped quotes) do not count.
        let inString = #"{"op":"ping","x":"\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["}"#
        #expect(ok(inString)?.request == .ping)
        // Exactly the limit is fine: the object plus 31 arrays is 32 levels.
        let atLimit = #"{"op":"ping","x":"# + String(repeating: "[", count: 31) + String(repeating: "]", count: 31) + "}"
        #expect(ok(atLimit)?.request == .ping)
        let overLimit = #"{"op":"ping","x":"# + String(repeating: "[", count: 32) + String(repeating: "]", count: 32) + "}"
        #expect(refused(overLimit)?.code == .tooDeep)
    }

    @Test func ingest() {
        let line = #"{"op":"ingest","id":"i1","article":{"text":"Lavrov said \"no\".\nMore.","date":"2022-01-27","title":"T","source":"Reuters","url":"https://x.example/a","id":"r-1","extra":1}}"#
        guard case .ingest(let a) = ok(line)?.request else { return }
        #expect(a.text == "Lavrov said \"no\".\nMore.")
        #expect(a.date == CalendarDate(year: 2022, month: 1, day: 27))
        #expect(a.title == "T" && a.source == "Reuters" && a.url == "https://x.example/a" && a.id == "r-1")
        #expect(a.stream == Article(date: a.date, text: a.text).stream)
        guard case .ingest(let b) = ok(#"{"op":"ingest","article":{"text":"x","date":"2022-01-27T10:00:00+03:00"}}"#)?.request else { return }
        #expect(b.date.description == "2022-01-27")
        #expect(refused(#"{"op":"ingest"}"#)?.code == .badRequest)
        #expect(refused(#"{"op":"ingest","article":"text"}"#)?.code == .badRequest)
        #expect(refused(#"{"op":"ingest","article":{"date":"2022-01-27"}}"#)?.code == .badRequest)
        #expect(refused(#"{"op":"ingest","article":{"text":"  \n ","date":"2022-01-27"}}"#)?.code == .badRequest)
        let badDate = refused(#"{"op":"ingest","id":5,"article":{"text":"x","date":"27/01/2022"}}"#)
        #expect(badDate?.code == .badRequest)
        #expect(badDate?.id == .number(5))
        #expect(badDate?.message.contains("article.date") == true)
    }

    @Test func appendKeepsPayloadBytesVerbatim() throws {
        let payload = #"{ "b" : 1.50, "a":"\u00e9\n", "z":[true,null] }"#
        let line = #"{"op":"append","id":"w","stream":"notes-1","expect":"no_stream","events":[{"event_id":"e1","type":"NoteTaken","data":"# + payload + #"},{"type":"NoteTaken","data":{}}]}"#
        guard case .append(let a) = ok(line)?.request else { return }
        #expect(a.stream == (try StreamName("notes-1")))
        #expect(a.expect == .noStream)
        #expect(a.events.count == 2)
        #expect(a.events[0].data == Array(payload.utf8))
        #expect(a.events[0].eventID == (try EventID("e1")))
        #expect(a.events[1].eventID == nil)
        #expect(a.events[1].data == Array("{}".utf8))
        var n = 0
        let proposed = a.proposedEvents { n += 1; return try! EventID("gen-\(n)") }
        #expect(proposed.map(\.id.rawValue) == ["e1", "gen-1"])
    }

    @Test func appendExpectations() {
        func expect(_ json: String) -> Result<ParsedRequest, ProtocolError> {
            parser.parse(#"{"op":"append","id":"x","stream":"s","expect":"# + json + #","events":[{"type":"T","data":{}}]}"#)
        }
        let cases: [(String, ExpectedVersion)] = [(#""any""#, .any), (#""no_stream""#, .noStream), (#""exists""#, .exists),
                                                  ("5", .exact(StreamVersion(5))), (#""7""#, .exact(StreamVersion(7))),
                                                  ("0", .exact(StreamVersion(0)))]
        for (json, expected) in cases {
            guard case .success(let r) = expect(json), case .append(let a) = r.request else {
                Issue.record("expect \(json) refused")
                continue
            }
            #expect(a.expect == expected)
        }
        for bad in [#""sometimes""#, "-1", "1.5", "true", #""NO_STREAM""#, "[]"] {
            guard case .failure(let e) = expect(bad) else {
                Issue.record("expect \(bad) accepted")
                continue
            }
            #expect(e.code == .badRequest)
            #expect(e.id == .string("x"))
            #expect(e.message.contains("expect"))
        }
        guard case .append(let a) = ok(#"{"op":"append","stream":"s","events":[{"type":"T","data":{}}]}"#)?.request else { return }
        #expect(a.expect == .any)
    }

    @Test func appendValidation() {
        let small = RequestParser(limits: ProtocolLimits(maxEventBytes: 16))
        #expect(refused(#"{"op":"append","stream":"s","events":[{"type":"T","data":{"text":"more than sixteen bytes"}}]}"#, small)?.code == .badRequest)
        #expect(ok(#"{"op":"append","stream":"s","events":[{"type":"T","data":{"t":"sixteen"}}]}"#, small) != nil)
        for line in [
            #"{"op":"append","events":[{"type":"T","data":{}}]}"#,
            #"{"op":"append","stream":"","events":[{"type":"T","data":{}}]}"#,
            #"{"op":"append","stream":"s"}"#,
            #"{"op":"append","stream":"s","events":[]}"#,
            #"{"op":"append","stream":"s","events":{}}"#,
            #"{"op":"append","stream":"s","events":[{"data":{}}]}"#,
            #"{"op":"append","stream":"s","events":[{"type":"","data":{}}]}"#,
            #"{"op":"append","stream":"s","events":[{"type":"T"}]}"#,
            #"{"op":"append","stream":"s","events":[{"type":"T","data":[1]}]}"#,
            #"{"op":"append","stream":"s","events":[{"type":"T","data":{},"event_id":"a"},{"type":"T","data":{},"event_id":"a"}]}"#,
            #"{"op":"append","stream":"s","events":[7]}"#,
        ] {
            #expect(refused(line)?.code == .badRequest, "\(line)")
        }
    }

    @Test func readReplaySubscribe() throws {
        #expect(ok(#"{"op":"read","stream":"article-abc"}"#)?.request
            == .read(ReadRequest(stream: try StreamName("article-abc"))))
        #expect(ok(#"{"op":"read","stream":"s","from_version":3,"limit":10}"#)?.request
            == .read(ReadRequest(stream: try StreamName("s"), fromVersion: StreamVersion(3), limit: 10)))
        #expect(refused(#"{"op":"read"}"#)?.code == .badRequest)
        #expect(refused(#"{"op":"read","stream":"s","from_version":-1}"#)?.code == .badRequest)

        #expect(ok(#"{"op":"replay"}"#)?.request == .replay(ReplayRequest(from: .start)))
        #expect(ok(#"{"op":"replay","from":12,"limit":100}"#)?.request == .replay(ReplayRequest(from: .position(Position(12)), limit: 100)))
        #expect(ok(#"{"op":"replay","from":"12"}"#)?.request == .replay(ReplayRequest(from: .position(Position(12)))))
        let t = Timestamp(parsing: "2022-01-27T09:30:00Z")!
        #expect(ok(#"{"op":"replay","from":"2022-01-27T09:30:00Z"}"#)?.request == .replay(ReplayRequest(from: .time(t))))
        #expect(ok(#"{"op":"replay","from":"2022-01-27"}"#)?.request
            == .replay(ReplayRequest(from: .time(Timestamp(parsing: "2022-01-27")!))))
        #expect(refused(#"{"op":"replay","from":-3}"#)?.code == .badRequest)
        #expect(refused(#"{"op":"replay","from":"yesterday"}"#)?.code == .badRequest)
        #expect(refused(#"{"op":"replay","limit":0}"#)?.code == .badRequest)

        #expect(ok(#"{"op":"subscribe","id":"s"}"#)?.request == .subscribe(SubscribeRequest(from: .now)))
        #expect(ok(#"{"op":"subscribe","from":"START"}"#)?.request == .subscribe(SubscribeRequest(from: .start)))
        #expect(ok(#"{"op":"subscribe","last":5}"#)?.request == .subscribe(SubscribeRequest(from: .last(5))))
        #expect(refused(#"{"op":"subscribe","last":5,"from":"now"}"#)?.code == .badRequest)
        let filtered = ok(#"{"op":"subscribe","id":"f","from":0,"types":["StatementRecorded","TensionObserved"],"stream_prefix":"article-","actor":"rus","speaker":" Lavrov ","pair":"UKR-RUS"}"#)
        let expected = SubscriptionFilter(types: [.statementRecorded, .tensionObserved], streamPrefix: "article-",
                                          actor: try ActorCode("RUS"), speaker: "Lavrov",
                                          pair: ActorPair(try ActorCode("RUS"), try ActorCode("UKR")))
        #expect(filtered?.request == .subscribe(SubscribeRequest(from: .position(.start), filter: expected)))
        #expect(ok(#"{"op":"subscribe","types":"ArticleIngested"}"#)?.request
            == .subscribe(SubscribeRequest(filter: SubscriptionFilter(types: [.articleIngested]))))
        for bad in [#""types":[]"#, #""types":[1]"#, #""types":{}"#, #""actor":"R""#, #""pair":"RUS""#, #""speaker":"  ""#,
                    #""stream_prefix":"""#, #""from":{}"#] {
            #expect(refused(#"{"op":"subscribe","# + bad + "}")?.code == .badRequest, "\(bad)")
        }
        #expect(ok(#"{"op":"unsubscribe","subscription":"f"}"#)?.request == .unsubscribe(subscription: .string("f")))
        #expect(ok(#"{"op":"unsubscribe","id":1,"subscription":3}"#)?.request == .unsubscribe(subscription: .number(3)))
        #expect(refused(#"{"op":"unsubscribe","id":"f"}"#)?.code == .badRequest)
    }

    @Test func queries() throws {
        let s = ok(#"{"op":"query","kind":"statements","speaker":"Lavrov","actor":"RUS","since":"2022-01-01","until":"2022-02-01","grep":"NATO","limit":20}"#)
        #expect(s?.request == .query(QueryRequest(kind: .statements, speaker: "Lavrov", actor: try ActorCode("RUS"),
                                                  since: CalendarDate(year: 2022, month: 1, day: 1),
                                                  until: CalendarDate(year: 2022, month: 2, day: 1), grep: "NATO", limit: 20)))
        let t = ok(#"{"op":"query","kind":"TENSIONS","pair":"RUS-UKR","bucket":"week","top":5}"#)
        #expect(t?.request == .query(QueryRequest(kind: .tensions, pair: try ActorPair(parsing: "RUS|UKR"), bucket: .week, top: 5)))
        for bad in [#"{"op":"query"}"#, #"{"op":"query","kind":"people"}"#,
                    #"{"op":"query","kind":"statements","pair":"RUS-UKR"}"#,
                    #"{"op":"query","kind":"tensions","speaker":"Lavrov"}"#,
                    #"{"op":"query","kind":"tensions","bucket":"year"}"#,
                    #"{"op":"query","kind":"tensions","since":"2022-13-01"}"#,
                    #"{"op":"query","kind":"tensions","since":"2022-02-01","until":"2022-01-01"}"#,
                    #"{"op":"query","kind":"statements","limit":0}"#,
                    #"{"op":"query","kind":"statements","speaker":" "}"#] {
            #expect(refused(bad)?.code == .badRequest, "\(bad)")
        }
    }

    @Test func parsesByteBuffersFromTheFramer() throws {
        let processor = NIOSingleStepByteToMessageProcessor(NDJSONFrameDecoder())
        var results: [Result<ParsedRequest, ProtocolError>] = []
        try processor.process(buffer: ByteBuffer(string: "xx{\"op\":\"ping\",\"id\":1}\r\nPING\r\n")) { frame in
            if case .line(let line) = frame { results.append(parser.parse(line)) }
        }
        #expect(results.count == 2)
        #expect(results[0].failureCode == .unknownOp)
        #expect((try? results[1].get())?.request == .ping)
    }
}

/// Typos in filters are `bad_request`, as they are usage errors in the CLI: an unknown event
/// type, an actor code the server does not know, a pair of one actor twice.
@Suite struct FilterTypoTests {
    let known: Set<String> = ["RUS", "UKR", "NATO"]
    var checking: RequestParser { RequestParser(knowsActor: { [known] in known.contains($0.rawValue) }) }

    @Test func unknownTypesActorsAndPairsAreRefused() {
        for line in [#"{"op":"subscribe","types":["statment"]}"#, #"{"op":"subscribe","types":"Foo"}"#,
                     #"{"op":"subscribe","pair":"RUS-RUS"}"#, #"{"op":"query","kind":"tensions","pair":"ukr|UKR"}"#] {
            #expect(refused(line)?.code == .badRequest, "\(line)")
        }
        for line in [#"{"op":"subscribe","actor":"XYZ"}"#, #"{"op":"subscribe","pair":"RUS-XYZ"}"#,
                     #"{"op":"query","kind":"tensions","pair":"XYZ-UKR"}"#, #"{"op":"query","kind":"statements","actor":"QQQ"}"#,
                     #"{"op":"replay","actor":"XYZ"}"#] {
            let error = refused(line, checking)
            #expect(error?.code == .badRequest, "\(line)")
            #expect(error?.message.contains("unknown actor code") == true, "\(String(describing: error))")
        }
        // Known codes pass the same parser.
        #expect(ok(#"{"op":"query","kind":"tensions","pair":"RUS-UKR","actor":"NATO"}"#, checking) != nil)
    }

    @Test func shortAndOtherWritersTypeNamesAreAccepted() throws {
        let subscribe = ok(#"{"op":"subscribe","types":["statement","Tensions","articleingested","NoteTaken"]}"#)
        let noteTaken: EventType = "NoteTaken"
        #expect(subscribe?.request == .subscribe(SubscribeRequest(filter: SubscriptionFilter(
            types: [.statementRecorded, .tensionObserved, .articleIngested, noteTaken]))))
    }
}
