import DatelineCore
import DatelineProtocol
import NIOCore
import Testing
@testable import DatelineServer

/// The connection's pure parts without a socket: what a request becomes (`RequestRouter`), the
/// clocks (`ConnectionWatchdog`), the replay cursor.
@Suite struct ConnectionPartsTests {
    private func parse(_ line: String) throws -> ParsedRequest {
        try RequestParser(limits: .default, knowsActor: { _ in true }).parse(ByteBuffer(string: line)).get()
    }

    @Test func theRouterRefusesWritesAndReadsBeforeAuthWhenTheServerSaysSo() throws {
        let writes = RequestRouter(writesNeedAuth: true)
        let append = try parse(#"{"op":"append","id":"a","stream":"s","events":[{"type":"Note","data":{}}]}"#)
        guard case .refuse(let refused) = writes.route(append, authenticated: false) else {
            Issue.record("an unauthenticated append was not refused"); return
        }
        #expect(refused.code == .authRequired && refused.id == .string("a"))
        guard case .append = writes.route(append, authenticated: true) else {
            Issue.record("an authenticated append was refused"); return
        }
        #expect(writes.route(try parse("PING"), authenticated: false) == .ping)
        #expect(writes.route(try parse(#"{"op":"replay"}"#), authenticated: false) != .refuse(.authRequired(id: nil)))

        let reads = RequestRouter(writesNeedAuth: true, readsNeedAuth: true)
        guard case .refuse(let readRefused) = reads.route(try parse(#"{"op":"replay","id":1}"#), authenticated: false) else {
            Issue.record("an unauthenticated replay was not refused"); return
        }
        #expect(readRefused.message.contains("reads"))
        #expect(reads.route(try parse(#"{"op":"auth","token":"t"}"#), authenticated: false) == .auth(token: "t"))
    }

    @Test func theRouterRefusesReservedAppendsLongFiltersAndQueriesWithoutTimelines() throws {
        let router = RequestRouter(writesNeedAuth: false, answersQueries: false)
        let reserved = try parse(#"{"op":"append","stream":"article-0123456789abcdef","events":[{"type":"Note","data":{}}]}"#)
        guard case .refuse(let e) = router.route(reserved, authenticated: false) else {
            Issue.record("a raw append into an article stream was not refused"); return
        }
        #expect(e.code == .badRequest)
        let long = String(repeating: "a", count: ProtocolLimits.default.maxFilterTextBytes + 1)
        guard case .refuse(let f) = router.route(try parse(#"{"op":"subscribe","speaker":"\#(long)"}"#), authenticated: false) else {
            Issue.record("a long speaker filter was not refused"); return
        }
        #expect(f.code == .badRequest && f.message.contains("speaker"))
        guard case .refuse(let q) = router.route(try parse(#"{"op":"query","kind":"statements"}"#), authenticated: false) else {
            Issue.record("a query without timelines was not refused"); return
        }
        #expect(q.code == .notFound)
        #expect(RequestRouter.constantTimeEqual("secret", "secret"))
        #expect(!RequestRouter.constantTimeEqual("secret", "secreT") && !RequestRouter.constantTimeEqual("secret", "secret!"))
    }

    @Test func theWatchdogClosesStuckSocketsAndHangingLinesButNotPausedReaders() {
        var limits = ProtocolLimits()
        limits.slowConsumerWriteDeadline = .seconds(10)
        limits.partialLineTimeout = .seconds(30)
        limits.heartbeatInterval = .seconds(15)
        let t0 = NIODeadline.uptimeNanoseconds(1_000_000_000)
        var dog = ConnectionWatchdog(limits: limits, now: t0)
        #expect(dog.tickInterval == .seconds(1), "at least once a second")
        // Output waits and shrinks: progress, no verdict.
        #expect(dog.check(now: t0 + .seconds(5), writable: false, buffered: { 100 }, readHeld: false) == .fine)
        #expect(dog.check(now: t0 + .seconds(12), writable: false, buffered: { 50 }, readHeld: false) == .fine)
        // Then nothing moves for the deadline.
        #expect(dog.check(now: t0 + .seconds(22), writable: false, buffered: { 50 }, readHeld: false) == .slowConsumer(bufferedBytes: 50))

        var lines = ConnectionWatchdog(limits: limits, now: t0)
        lines.partialLine(bytes: 7, now: t0)
        #expect(lines.check(now: t0 + .seconds(40), writable: true, buffered: { 0 }, readHeld: true) == .fine,
                "a client cannot finish its line while this side does not read")
        lines.readingResumed(now: t0 + .seconds(40))
        #expect(lines.check(now: t0 + .seconds(60), writable: true, buffered: { 0 }, readHeld: false) == .fine)
        #expect(lines.check(now: t0 + .seconds(71), writable: true, buffered: { 0 }, readHeld: false) == .partialLineHung(bytes: 7))
        lines.partialLine(bytes: 0, now: t0 + .seconds(72))
        #expect(lines.check(now: t0 + .seconds(200), writable: true, buffered: { 0 }, readHeld: false) == .fine)
        #expect(lines.heartbeatDue(lastActivity: t0, now: t0 + .seconds(15)))
        #expect(!lines.heartbeatDue(lastActivity: t0, now: t0 + .seconds(14)))
    }

    private func event(_ position: Int64) throws -> RecordedEvent {
        RecordedEvent(position: Position(position), stream: try StreamName("s"), version: StreamVersion(position),
                      id: try EventID("e\(position)"), type: try EventType(position % 2 == 0 ? "Even" : "Odd"),
                      recordedAt: Timestamp(rawValue: 0), data: Array("{}".utf8))
    }

    @Test func theReplayCursorStopsAtItsHeadAndItsLimitAndCountsWhatMatched() throws {
        let odd = SubscriptionFilter(types: [EventType("Odd")])
        var cursor = ReplayCursor(id: .number(7), filter: odd, after: Position(2), end: Position(9), limit: 3)
        #expect(cursor.nextPage(pageEvents: 4) == (Position(3), 4))
        var out = ByteBuffer()
        cursor.take(FilteredPage(try (3...6).map(event), odd), into: &out)
        #expect(cursor.count == 2 && cursor.sent == Position(6) && !cursor.isDone)
        #expect(String(buffer: out).split(separator: "\n").count == 2)
        #expect(cursor.nextPage(pageEvents: 4) == (Position(7), 3))
        cursor.take(FilteredPage(try (7...10).map(event), odd), into: &out)
        #expect(cursor.count == 3 && cursor.sent == Position(7) && cursor.isDone, "the limit of three matches")
        out.clear()
        cursor.writeEnd(into: &out)
        let end = String(buffer: out)
        #expect(end.contains(#""next":8"#) && end.contains(#""count":3"#) && end.contains(#""head":9"#))

        var empty = ReplayCursor(id: nil, filter: SubscriptionFilter(), after: Position(0), end: Position(5), limit: nil)
        empty.take(FilteredPage([], SubscriptionFilter()), into: &out)
        #expect(empty.isDone && empty.sent == Position(5), "an empty page means the log has no more")
    }
}
