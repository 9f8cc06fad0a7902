import DatelineCore
import DatelineProtocol
import DatelineTestSupport
import EventLog
import Foundation
import Logging
import Testing

/// A second writer on the server's log file (its own `EventStore`: its own connections and
/// writer, as another process would have) while subscribers are connected.
private func openSecondWriter(_ server: TestServer) throws -> EventStore {
    try EventStore(path: server.databasePath, options: EventStoreOptions(durability: .normal),
                   logger: Logger(label: "second-writer", factory: { _ in SwiftLogNoOpLogHandler() }))
}

private func notes(_ prefix: String, _ count: Int, type: EventType = "NoteTaken", bytes: Int = 16) -> [ProposedEvent] {
    let filler = String(repeating: "y", count: bytes)
    return (0..<count).map {
        ProposedEvent(id: try! EventID("\(prefix)-\($0)"), type: type, data: Array(#"{"n":\#($0),"f":"\#(filler)"}"#.utf8))
    }
}

@Suite("Subscriptions with a second writer on the log", .timeLimit(.minutes(2)))
struct ForeignWriterTests {
    @Test func aStalledSubscriberFallsBehindOnForeignCommitsAndStillGetsEveryEventOnce() async throws {
        var limits = ProtocolLimits()
        limits.subscriberBufferEvents = 64
        limits.slowConsumerWriteDeadline = .seconds(60)
        try await withServer(limits: limits, configure: { $0.socketSendBufferBytes = 8192; $0.pageEvents = 100 }) { server in
            let other = try openSecondWriter(server)
            defer { other.close() }
            try await blocking {
                let sub = try server.client(receiveBufferSize: 4096)
                defer { sub.close() }
                try sub.send("{\"op\":\"subscribe\",\"id\":\"slow\"}")
                #expect(try sub.next().type == "caught_up")
                let writer = try server.client()
                defer { writer.close() }
                // The subscriber reads nothing while both writers append, interleaved.
                for i in 0..<15 {
                    _ = try other.appendSync(to: try StreamName("foreign-\(i)"), events: notes("f\(i)", 50, bytes: 1000))
                    let reply = try writer.terminal(appendRequest(id: "w\(i)", stream: "own-\(i)", count: 50, payloadBytes: 1000))
                    #expect(reply.type == "ok")
                }
                let stats = try waitForStats(writer) { $0.int("head") == 1500 }
                #expect(stats.int("head") == 1500)
                let slow = try #require(subscriptions(in: stats).first { $0["id"] as? String == "slow" })
                #expect((slow.int("times_fell_behind") ?? 0) >= 1)
                var positions: [Int] = []
                var fellBehind = 0
                while true {
                    let line = try sub.nextSkippingHeartbeats()
                    switch line.type {
                    case "event": positions.append(line.int("position") ?? -1)
                    case "fell_behind": fellBehind += 1
                    case "caught_up": break
                    default: Issue.record("unexpected \(line)")
                    }
                    if line.type == "caught_up" && positions.last == 1500 { break }
                }
                #expect(positions == Array(1...1500))
                #expect(fellBehind >= 1)
                // Live again, for either writer.
                _ = try other.appendSync(to: try StreamName("after"), events: notes("after", 1))
                #expect(try sub.nextSkippingHeartbeats().int("position") == 1501)
                #expect(try writer.terminal("PING").int("head") == 1501)
            }
        }
    }

    @Test func filtersApplyToForeignEventsAndStartPointsCountThem() async throws {
        try await withServer { server in
            let other = try openSecondWriter(server)
            defer { other.close() }
            try await blocking {
                _ = try other.appendSync(to: try StreamName("before"), events: notes("b", 3))
                let client = try server.client()
                defer { client.close() }
                // The foreign commit reaches the server's head within the feed's delay (bounded
                // polling here; the delay itself is measured by the acceptance tests).
                var head: Int?
                for _ in 0..<200 {
                    head = try client.terminal("PING").int("head")
                    if head == 3 { break }
                    usleep(5_000)
                }
                #expect(head == 3)
                // The foreign history counts for `last`: the two newest events, then live.
                try client.send(#"{"op":"subscribe","id":"alerts","from":"start","types":["AlertRaised"]}"#)
                #expect(try client.next().type == "caught_up")
                try client.send(#"{"op":"subscribe","id":"recent","last":2}"#)
                var recent: [Int] = []
                while recent.count < 2 {
                    let line = try client.nextSkippingHeartbeats()
                    if line.type == "event" && line["id"] as? String == "recent" { recent.append(line.int("position") ?? -1) }
                }
                #expect(recent == [2, 3])
                #expect(try client.nextSkippingHeartbeats().type == "caught_up")
                // Foreign events of both types: `alerts` sees only its type, `recent` sees all.
                for i in 0..<5 {
                    _ = try other.appendSync(to: try StreamName("mixed-\(i)"),
                                             events: notes("m\(i)", 1) + notes("a\(i)", 1, type: "AlertRaised"))
                }
                var alerts: [Int] = [], all: [Int] = []
                while all.count < 10 || alerts.count < 5 {
                    let line = try client.nextSkippingHeartbeats()
                    guard line.type == "event" else { Issue.record("unexpected \(line)"); break }
                    if line["id"] as? String == "alerts" {
                        #expect(line["event_type"] as? String == "AlertRaised")
                        alerts.append(line.int("position") ?? -1)
                    } else {
                        all.append(line.int("position") ?? -1)
                    }
                }
                #expect(all == Array(4...13))
                #expect(alerts == [5, 7, 9, 11, 13])
            }
        }
    }
}
