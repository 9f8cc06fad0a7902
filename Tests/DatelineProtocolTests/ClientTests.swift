import DatelineCore
import DatelineJSON
import NIOCore
import Testing

@testable import DatelineProtocol

@Suite struct ClientTests {
    static let requests: [ParsedRequest] = {
        let stream = try! StreamName("notes \"1\"")
        let filter = SubscriptionFilter(types: [.statementRecorded, .tensionObserved], streamPrefix: "article-",
                                        actor: rus, speaker: "Lavrov", pair: ActorPair(rus, ukr))
        let all: [Request] = [
            .ping, .help, .stats, .quit, .hello(client: "cli/1 é"), .hello(client: nil), .auth(token: "t\"k"),
            .ingest(Article(id: "r1", date: day, title: "Title", source: "Src", url: "https://x.example", text: "Line one.\nLine \"two\".")),
            .ingest(Article(date: day, text: "Only text.")),
            .append(AppendRequest(stream: stream, expect: .exact(StreamVersion(4)), events: [
                AppendEvent(eventID: try! EventID("e1"), type: "NoteTaken", data: Array(#"{ "spaced" : [1, 2.50] }"#.utf8)),
                AppendEvent(eventID: nil, type: "NoteTaken", data: Array("{}".utf8)),
            ])),
            .append(AppendRequest(stream: stream, expect: .noStream, events: [AppendEvent(eventID: nil, type: "T", data: Array("{}".utf8))])),
            .read(ReadRequest(stream: stream)),
            .read(ReadRequest(stream: stream, fromVersion: StreamVersion(3), limit: 7)),
            .replay(ReplayRequest()),
            .replay(ReplayRequest(from: .time(Timestamp(rawValue: 1_643_275_800_123_456)), filter: filter, limit: 50)),
            .subscribe(SubscribeRequest()),
            .subscribe(SubscribeRequest(from: .position(Position(9)), filter: filter)),
            .subscribe(SubscribeRequest(from: .last(3))),
            .subscribe(SubscribeRequest(from: .start, filter: SubscriptionFilter(types: [.articleIngested]))),
            .unsubscribe(subscription: .string("s1")), .unsubscribe(subscription: .number(-2)),
            .query(QueryRequest(kind: .statements, speaker: "Lavrov", actor: rus, since: day, until: day.adding(days: 3), grep: "NATO", limit: 5)),
            .query(QueryRequest(kind: .tensions, actor: nato, pair: ActorPair(rus, ukr), bucket: .month, limit: 2, top: 1)),
        ]
        return all.enumerated().map { ParsedRequest(id: $0.offset % 2 == 0 ? .number(Int64($0.offset)) : .string("r\($0.offset)"), request: $0.element) }
    }()

    @Test(arguments: requests) func requestsRoundTripThroughTheParser(_ request: ParsedRequest) throws {
        let line = request.line
        #expect(line.readableBytesView.last == 0x0A)
        #expect(try RequestParser().parse(line.getSlice(at: line.readerIndex, length: line.readableBytes - 1)!).get() == request)
    }

    @Test func appendedPayloadBytesSurviveTheRoundTrip() throws {
        guard case .append(let a) = Self.requests[9].request else { return }
        let back = try RequestParser().parse(Self.requests[9].line).get()
        guard case .append(let b) = back.request else { return }
        #expect(b.events.map(\.data) == a.events.map(\.data))
    }

    @Test func serverLinesReadBack() throws {
        var b = ByteBuffer()
        Reply.event(id: .string("s1"), sampleEvent, into: &b)
        let event = try ServerLine(b.readableBytesView)
        #expect(event.type == "event" && event.id == .string("s1") && !event.isTerminal)
        #expect(event.event == sampleEvent)

        b.clear()
        Reply.error(ProtocolError.positionOutOfRange(id: .number(3), position: Position(99), head: Position(4)), into: &b)
        let error = try ServerLine(b.readableBytesView)
        #expect(error.isTerminal && error.error?.code == .positionOutOfRange && error.error?.id == .number(3))
        #expect(error.head == Position(4))

        b.clear()
        Reply.replayEnd(id: nil, next: Position(10), count: 9, head: Position(9), into: &b)
        let end = try ServerLine(b.readableBytesView)
        #expect(end.op == .replay && end.next == Position(10) && end.id == nil)

        #expect(throws: JSONSyntaxError.self) { try ServerLine(Array("{\"no\":\"type\"}".utf8)) }
        #expect(throws: JSONSyntaxError.self) { try ServerLine(Array("nope".utf8)) }
    }
}

extension ParsedRequest: CustomTestStringConvertible {
    public var testDescription: String { String(buffer: line).trimmingASCIIWhitespace() }
}
