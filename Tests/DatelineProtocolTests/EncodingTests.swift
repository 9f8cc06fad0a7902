import DatelineCore
import DatelineJSON
import Foundation
import NIOCore
import Testing

@testable import DatelineProtocol

/// Parses one reply line with Foundation (an independent JSON reader) after checking framing.
func decodeLine(_ buffer: ByteBuffer, sourceLocation: SourceLocation = #_sourceLocation) -> [String: Any] {
    let bytes = Array(buffer.readableBytesView)
    #expect(bytes.last == 0x0A, "a reply line ends with a newline", sourceLocation: sourceLocation)
    #expect(bytes.dropLast().contains(0x0A) == false, "a reply is one line", sourceLocation: sourceLocation)
    guard let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else {
        Issue.record("not a JSON object: \(String(decoding: bytes, as: UTF8.self))", sourceLocation: sourceLocation)
        return [:]
    }
    return object
}

func encode(_ body: (inout ByteBuffer) -> Void) -> ByteBuffer {
    var b = ByteBuffer()
    body(&b)
    return b
}

let sampleEvent = RecordedEvent(
    position: Position(12), stream: try! StreamName("article-0123456789abcdef"), version: StreamVersion(3),
    id: try! EventID("ev-3"), type: .statementRecorded,
    recordedAt: Timestamp(parsing: "2022-01-27T09:30:00.123456Z")!,
    data: Array(#"{ "z" : 1.50 , "a":"\u00e9 \"q\"", "n":null }"#.utf8))

@Suite struct EncodingTests {
    @Test func escapesRoundTripThroughJSONSerialization() {
        var nasty = "quote \" backslash \\ slash / tab \t nl \n cr \r bell \u{07} del \u{7F} é 中文 🙂 \u{2028}"
        for c in 0..<0x20 { nasty.unicodeScalars.append(Unicode.Scalar(UInt8(c))) }
        let line = encode { Reply.ok(id: .string(nasty), op: .ping, ["text": .string(nasty)], into: &$0) }
        let object = decodeLine(line)
        #expect(object["text"] as? String == nasty)
        #expect(object["id"] as? String == nasty)
        // Non-ASCII goes through as UTF-8, not as \u escapes.
        let raw = String(buffer: line)
        #expect(raw.contains("é 中文 🙂"))
        #expect(raw.contains("\\u0007") && raw.contains("\\n") && raw.contains("\\\""))
    }

    @Test func numbersAndValues() {
        let line = encode {
            Reply.ok(id: .number(-9), op: .stats, [
                "min": .int(Int64.min), "max": .int(Int64.max), "zero": 0, "neg": -42,
                "tenth": 0.1, "tiny": 1e-5, "whole": 3.0, "nan": .double(.nan), "inf": .double(.infinity),
                "flag": true, "nothing": nil, "list": [1, "two", [3]], "nested": .object(["a": .raw(Array("[1, 2]".utf8))]),
                "empty_raw": .raw([]),
            ], into: &$0)
        }
        let o = decodeLine(line)
        #expect(o["id"] as? Int == -9)
        #expect((o["min"] as? NSNumber)?.int64Value == Int64.min)
        #expect((o["max"] as? NSNumber)?.int64Value == Int64.max)
        #expect(o["zero"] as? Int == 0 && o["neg"] as? Int == -42)
        #expect(o["tenth"] as? Double == 0.1 && o["tiny"] as? Double == 1e-5 && o["whole"] as? Double == 3)
        #expect(o["nan"] is NSNull && o["inf"] is NSNull && o["nothing"] is NSNull && o["empty_raw"] is NSNull)
        #expect(o["flag"] as? Bool == true)
        #expect((o["list"] as? [Any])?.count == 3)
        #expect(((o["nested"] as? [String: Any])?["a"] as? [Int]) == [1, 2])
        #expect(String(buffer: line).hasPrefix(#"{"type":"ok","id":-9,"op":"stats","min":-9223372036854775808,"#))
    }

    @Test func timestampsMatchTheDomainFormatting() {
        for raw: Int64 in [0, 1, 999_999, 1_643_275_800_123_456, -1, -86_400_000_001, 253_402_300_799_999_999] {
            let t = Timestamp(rawValue: raw)
            var b = ByteBuffer()
            ReplyWriter.writeTimestamp(t, into: &b)
            #expect(String(buffer: b) == "\"\(t.description)\"")
        }
    }

    @Test func eventLineSplicesThePayloadVerbatim() {
        let line = encode { Reply.event(id: .string("sub-1"), sampleEvent, into: &$0) }
        let text = String(buffer: line)
        #expect(text == #"{"type":"event","id":"sub-1","position":12,"stream":"article-0123456789abcdef","version":3,"event_type":"StatementRecorded","event_id":"ev-3","recorded_at":"2022-01-27T09:30:00.123456Z","data":{ "z" : 1.50 , "a":"\u00e9 \"q\"", "n":null }}"# + "\n")
        let o = decodeLine(line)
        #expect(o["position"] as? Int == 12)
        #expect((o["data"] as? [String: Any])?["a"] as? String == "é \"q\"")
        // The shared body gives the same bytes for every subscriber.
        let body = EventLineBody(sampleEvent)
        #expect(encode { Reply.event(id: .string("sub-1"), body: body, into: &$0) } == line)
        let other = encode { Reply.event(id: .number(2), body: body, into: &$0) }
        #expect(String(buffer: other).hasPrefix(#"{"type":"event","id":2,"position":12,"#))
        let noID = encode { Reply.event(id: nil, sampleEvent, into: &$0) }
        #expect(String(buffer: noID).hasPrefix(#"{"type":"event","position":12,"#))
    }

    @Test func eventLineEscapesEnvelopeStrings() throws {
        var e = sampleEvent
        e.stream = try StreamName("odd \"name\" \\ é")
        e.id = try EventID("id\"1")
        e.data = []
        let o = decodeLine(encode { Reply.event(id: .string("q\""), e, into: &$0) })
        #expect(o["stream"] as? String == "odd \"name\" \\ é")
        #expect(o["event_id"] as? String == "id\"1")
        #expect(o["id"] as? String == "q\"")
        #expect(o["data"] is NSNull)
    }

    @Test func everyErrorCodeEncodes() {
        for code in ErrorCode.allCases {
            let e = ProtocolError(code, "went \"wrong\"", id: .string("r"))
            let o = decodeLine(encode { Reply.error(e, into: &$0) })
            #expect(o["type"] as? String == "error")
            #expect(o["code"] as? String == code.rawValue)
            #expect(o["message"] as? String == "went \"wrong\"")
            #expect(o["closes"] as? Bool == code.closesByDefault)
            #expect(o["id"] as? String == "r")
        }
        let wrong = ProtocolError.wrongExpectedVersion(id: .number(4), stream: try! StreamName("s"),
                                                       expected: .exact(StreamVersion(2)), actual: StreamVersion(5))
        let o = decodeLine(encode { Reply.error(wrong, into: &$0) })
        #expect(o["code"] as? String == "wrong_expected_version")
        #expect(o["actual_version"] as? Int == 5 && o["expected"] as? String == "2")
        let missing = ProtocolError.wrongExpectedVersion(id: nil, stream: try! StreamName("s"), expected: .exists, actual: nil)
        #expect(decodeLine(encode { Reply.error(missing, into: &$0) })["actual_version"] is NSNull)
    }

    @Test func everyReplyIsOneJSONLineWithItsTypeAndID() throws {
        let id = RequestID.string("r1")
        let lines: [(String, ByteBuffer)] = [
            ("hello", encode { Reply.hello(ServerHello(serverVersion: "0.1.0", head: Position(7)), into: &$0) }),
            ("ok", encode { Reply.pong(id: id, head: Position(7), into: &$0) }),
            ("ok", encode { Reply.helloOK(id: id, serverVersion: "0.1.0", client: "me", into: &$0) }),
            ("ok", encode { Reply.authOK(id: id, into: &$0) }),
            ("ok", encode { Reply.quitOK(id: id, into: &$0) }),
            ("ok", encode { Reply.unsubscribeOK(id: id, subscription: .number(3), into: &$0) }),
            ("ok", encode {
                Reply.appendOK(id: id, AppendResult(stream: try! StreamName("s"), positions: [Position(1), Position(2)],
                                                    lastVersion: StreamVersion(1), recordedAt: Timestamp(rawValue: 0), duplicate: false),
                               into: &$0)
            }),
            ("ok", encode {
                Reply.ingestOK(id: id, IngestOutcome(stream: try! StreamName("article-x"), contentHash: ContentHash(ofArticleText: "x"),
                                                     positions: [Position(3)], statements: 0, tensions: 0, duplicate: true),
                               into: &$0)
            }),
            ("end", encode { Reply.readEnd(id: id, stream: try! StreamName("s"), nextVersion: StreamVersion(2), count: 2, into: &$0) }),
            ("end", encode { Reply.replayEnd(id: id, next: Position(8), count: 7, head: Position(7), into: &$0) }),
            ("end", encode { Reply.subscriptionEnd(id: id, next: Position(8), reason: .unsubscribed, into: &$0) }),
            ("end", encode { Reply.queryEnd(id: id, kind: .tensions, count: 0, into: &$0) }),
            ("caught_up", encode { Reply.caughtUp(id: id, next: Position(8), head: Position(7), into: &$0) }),
            ("fell_behind", encode { Reply.fellBehind(id: id, next: Position(8), head: Position(900), into: &$0) }),
            ("heartbeat", encode { Reply.heartbeat(id: id, head: Position(7), into: &$0) }),
            ("shutting_down", encode { Reply.shuttingDown(into: &$0) }),
            ("row", encode { Reply.row(id: id, kind: .statements, ["speaker": "Sergey Lavrov"], into: &$0) }),
        ]
        for (type, line) in lines {
            let o = decodeLine(line)
            #expect(o["type"] as? String == type)
            if type != "hello" && type != "shutting_down" { #expect(o["id"] as? String == "r1", "\(type)") }
        }
        let hello = decodeLine(lines[0].1)
        #expect(hello["protocol"] as? Int == 1 && hello["head"] as? Int == 7 && hello["heartbeat_seconds"] as? Int == 15)
        let limits = hello["limits"] as? [String: Int]
        #expect(limits == ["max_line_bytes": 1 << 20, "max_event_bytes": 512 << 10, "max_depth": 32, "max_subscriptions": 16])
    }

    @Test func helpIsReadableLinesThenOK() {
        let all = String(buffer: encode { Reply.help(id: nil, into: &$0) })
        let lines = all.split(separator: "\n")
        #expect(lines.count == Reply.helpText.count + 1)
        #expect(lines.last == #"{"type":"ok","op":"help"}"#)
        for line in lines.dropLast() {
            #expect(line.hasPrefix(#"{"type":"help","text":"#))
        }
    }

    @Test func appendsToAnExistingBuffer() {
        var b = ByteBuffer(string: "prefix|")
        Reply.pong(id: nil, head: Position(1), into: &b)
        Reply.heartbeat(id: .number(1), head: Position(1), into: &b)
        #expect(String(buffer: b) == "prefix|{\"type\":\"ok\",\"op\":\"ping\",\"head\":1}\n{\"type\":\"heartbeat\",\"id\":1,\"head\":1}\n")
    }

    @Test func genericParserReadsRepliesBack() throws {
        let line = encode { Reply.event(id: .string("s"), sampleEvent, into: &$0) }
        let node = try JSON.parse(line.readableBytesView.dropLast())
        #expect(node["type"]?.stringValue == "event")
        #expect(node["position"]?.int64Value == 12)
        let data = try #require(node["data"])
        #expect(Array(line.readableBytesView.dropLast())[data.range] == ArraySlice(sampleEvent.data))
    }

    /// `dateline log` and `dateline replay` print the wire's event line without its `id`: one
    /// shape, written by one function, read back by the client's parser.
    @Test func theCLIsEventLineIsTheWiresWithoutAnID() throws {
        let printed = Reply.eventLine(sampleEvent)
        let wire = Array(encode { Reply.event(id: nil, sampleEvent, into: &$0) }.readableBytesView)
        #expect(printed == wire)
        let withID = String(buffer: encode { Reply.event(id: .string("s1"), sampleEvent, into: &$0) })
        #expect(withID.replacingOccurrences(of: #","id":"s1""#, with: "") == String(decoding: printed, as: UTF8.self))
        let fanOut = String(buffer: encode { Reply.event(id: .string("s1"), body: EventLineBody(sampleEvent), into: &$0) })
        #expect(fanOut == withID)
        let read = try ServerLine(printed)
        #expect(read.type == "event" && read.id == nil)
        #expect(read.event == sampleEvent)
        #expect(read.node["event_type"]?.stringValue == sampleEvent.type.rawValue)
    }

    /// A row written once as members is spliced into its line after the line's own fields.
    @Test func preEncodedRowMembersAreSplicedVerbatim() throws {
        var members = JSONWriter<[UInt8]>(membersCapacity: 64)
        members.plainKey("speaker"); members.string("Sergey \"L\" Lavrov")
        members.plainKey("start"); members.int(3)
        let row = ReplyObject(encodedMembers: members.output)
        let line = String(buffer: encode { Reply.row(id: .string("q"), kind: .statements, row, into: &$0) })
        #expect(line == #"{"type":"row","id":"q","timeline":"statements","speaker":"Sergey \"L\" Lavrov","start":3}"# + "\n")
        var mixed: ReplyObject = ["a": 1]
        mixed.encodedMembers = Array(#""b":2"#.utf8)
        #expect(String(buffer: encode { Reply.ok(id: nil, op: .query, mixed, into: &$0) }) == #"{"type":"ok","op":"query","a":1,"b":2}"# + "\n")
    }
}
