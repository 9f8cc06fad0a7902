import DatelineClient
import DatelineCore
import DatelineProtocol
import DatelineServer
import DatelineService
import DatelineTestSupport
import EventLog
import Foundation
import Logging
import NIOCore
import Testing

@Suite(.serialized, .timeLimit(.minutes(2))) struct ServerTests {
    // MARK: Ops and their errors

    @Test func pingHelloHelpAndBareWords() async throws {
        try await withServer { server in
            try await blocking {
                let c = try server.client()
                defer { c.close() }
                #expect(try c.terminal("{\"op\":\"ping\",\"id\":7}").int("id") == 7)
                let hello = try c.terminal("{\"op\":\"hello\",\"id\":\"h\",\"client\":\"tests\"}")
                #expect(hello["client"] as? String == "tests")
                let help = try c.request("help")
                #expect(help.count > 3 && help.dropLast().allSatisfy { $0.type == "help" })
                #expect(help.last?["op"] as? String == "help")
                #expect(try c.terminal("PiNg")["op"] as? String == "ping")
                let stats = try c.terminal("STATS")
                let me = (stats["connections"] as? [[String: Any]])?.first
                #expect(me?["name"] as? String == "tests")
                #expect((me?["peer"] as? String)?.hasPrefix("127.0.0.1:") == true)
                #expect(try c.terminal("QUIT")["message"] as? String == "bye")
                #expect(try c.closedByServer())
            }
        }
    }

    @Test func appendReadReplayAndTheirErrors() async throws {
        try await withServer(configure: { $0.pageEvents = 7 }) { server in
            try await blocking {
                let c = try server.client()
                defer { c.close() }
                let first = try c.terminal(appendRequest(id: "a1", stream: "notes-1", count: 30))
                #expect(first.type == "ok")
                #expect((first["positions"] as? [Int]) == Array(1...30))
                // Expectation failures carry the actual version.
                let conflict = try c.terminal("{\"op\":\"append\",\"id\":\"a2\",\"stream\":\"notes-1\",\"expect\":3,\"events\":[{\"type\":\"T\",\"data\":{}}]}")
                #expect(conflict.code == "wrong_expected_version")
                #expect(conflict.int("actual_version") == 29)
                // A batch mixing stored and new event ids is refused.
                _ = try c.terminal("{\"op\":\"append\",\"id\":\"a3\",\"stream\":\"ids\",\"events\":[{\"event_id\":\"e1\",\"type\":\"T\",\"data\":{}}]}")
                let mixed = try c.terminal("{\"op\":\"append\",\"id\":\"a4\",\"stream\":\"ids\",\"events\":[{\"event_id\":\"e1\",\"type\":\"T\",\"data\":{}},{\"event_id\":\"e2\",\"type\":\"T\",\"data\":{}}]}")
                #expect(mixed.code == "bad_request")
                // Read pages through the stream (page size 7) and honours a limit.
                let read = try c.request("{\"op\":\"read\",\"id\":\"r\",\"stream\":\"notes-1\",\"from_version\":5,\"limit\":20}")
                #expect(read.dropLast().compactMap { $0.int("version") } == Array(5..<25))
                #expect(read.last?.int("next_version") == 25 && read.last?.int("count") == 20)
                #expect(try c.terminal("{\"op\":\"read\",\"id\":\"r2\",\"stream\":\"nope\"}").code == "not_found")
                // Replay in pages with `next`.
                let page = try c.request("{\"op\":\"replay\",\"id\":\"p\",\"from\":10,\"limit\":12}")
                #expect(page.dropLast().compactMap { $0.int("position") } == Array(10..<22))
                #expect(page.last?.int("next") == 22 && page.last?.int("head") == 31)
                let rest = try c.request("{\"op\":\"replay\",\"id\":\"p2\",\"from\":22}")
                #expect(rest.dropLast().compactMap { $0.int("position") } == Array(22...31))
                #expect(rest.last?.int("next") == 32)
                #expect(try c.terminal("{\"op\":\"replay\",\"id\":\"p3\",\"from\":33}").code == "position_out_of_range")
                // A time after every event replays nothing and says where to continue.
                let future = try c.request("{\"op\":\"replay\",\"id\":\"p4\",\"from\":\"2999-01-01\"}")
                #expect(future.count == 1 && future[0].int("next") == 32)
                #expect(try c.terminal("{\"op\":\"replay\",\"id\":\"p5\",\"from\":\"2000-01-01\",\"types\":[\"NothingRecorded\"]}").int("count") == 0)
            }
        }
    }

    @Test func tokenProtectsWritesButNotReads() async throws {
        var logger = Logger(label: "t")
        logger.logLevel = .critical
        // Binding beyond loopback without a token is refused before anything listens.
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("datelined-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let engine = try DatelineService.DatelineEngine(databasePath: directory.appendingPathComponent("x.sqlite").path, logger: logger)
        let exposed = DatelineTCPServer(engine: engine, configuration: ServerConfiguration(host: "0.0.0.0", port: 0), logger: logger)
        await #expect(throws: ServerError.self) { try await exposed.start() as Void }
        engine.close()

        try await withServer(configure: { $0.token = "s3cret" }) { server in
            try await blocking {
                let c = try LineClient(host: "127.0.0.1", port: server.port)
                defer { c.close() }
                let t = TestClient(c)
                let hello = try t.next()
                #expect(hello["writes_need_auth"] as? Bool == true)
                let append = appendRequest(id: "a", stream: "s", count: 1)
                #expect(try t.terminal(append).code == "auth_required")
                #expect(try t.terminal("{\"op\":\"ingest\",\"id\":\"i\",\"article\":{\"text\":\"x y\",\"date\":\"2022-01-01\"}}").code == "auth_required")
                #expect(try t.terminal("{\"op\":\"replay\",\"id\":\"p\"}").type == "end")
                #expect(try t.terminal("{\"op\":\"auth\",\"id\":\"x\",\"token\":\"wrong\"}").code == "auth_required")
                #expect(try t.terminal("{\"op\":\"auth\",\"id\":\"y\",\"token\":\"s3cret\"}")["authenticated"] as? Bool == true)
                #expect(try t.terminal(append).type == "ok")
            }
        }
    }

    @Test func queryGoesToTheHandler() async throws {
        try await withServer { server in
            try await blocking {
                let c = try server.client()
                defer { c.close() }
                #expect(try c.terminal("{\"op\":\"query\",\"id\":\"q\",\"kind\":\"statements\"}").code == "not_found")
            }
        }
        try await withServer(configure: { configuration in
            configuration.queryHandler = { request in
                if request.speaker == "nobody" { throw ProtocolError(.badRequest, "no such speaker") }
                if request.speaker == "boom" { throw TestFailure("the projection is broken") }
                return [["speaker": .string(request.speaker ?? "?"), "n": 1], ["speaker": "b", "n": 2]]
            }
        }) { server in
            try await blocking {
                let c = try server.client()
                defer { c.close() }
                let lines = try c.request("{\"op\":\"query\",\"id\":\"q\",\"kind\":\"statements\",\"speaker\":\"Lavrov\"}")
                #expect(lines.count == 3)
                #expect(lines[0].type == "row" && lines[0]["timeline"] as? String == "statements" && lines[0]["speaker"] as? String == "Lavrov")
                #expect(lines[2].type == "end" && lines[2].int("count") == 2)
                let refused = try c.terminal("{\"op\":\"query\",\"id\":\"q2\",\"kind\":\"statements\",\"speaker\":\"nobody\"}")
                #expect(refused.code == "bad_request" && refused["id"] as? String == "q2")
                let broken = try c.terminal("{\"op\":\"query\",\"id\":\"q3\",\"kind\":\"statements\",\"speaker\":\"boom\"}")
                #expect(broken.code == "internal" && broken["closes"] as? Bool == false)
                #expect(try c.terminal("PING").type == "ok")
            }
        }
    }

    @Test func subscriptionLimitsAndConnectionLimit() async throws {
        var limits = ProtocolLimits()
        limits.maxSubscriptionsPerConnection = 2
        limits.maxConnections = 2
        try await withServer(limits: limits) { server in
            try await blocking {
                let c = try server.client()
                defer { c.close() }
                try c.send("{\"op\":\"subscribe\",\"id\":\"s1\"}")
                #expect(try c.next().type == "caught_up")
                try c.send("TAIL 0")
                let tail = try c.next()
                #expect(tail.type == "caught_up" && tail["id"] as? String == "sub-1")
                #expect(try c.terminal("{\"op\":\"subscribe\",\"id\":\"s3\"}").code == "too_many_subscriptions")
                #expect(try c.terminal("{\"op\":\"unsubscribe\",\"id\":\"u\",\"subscription\":\"zz\"}").code == "not_found")
                let second = try server.client()
                defer { second.close() }
                // The third connection is refused with an error that closes it.
                let third = TestClient(try LineClient(host: "127.0.0.1", port: server.port))
                defer { third.close() }
                let refused = try third.next()
                #expect(refused.code == "too_many_connections" && refused["closes"] as? Bool == true)
                #expect(try third.closedByServer())
            }
        }
    }

    @Test func aFullDiskAnswersBusyAndTheConnectionStaysUsable() async throws {
        try await withServer(storeOptions: EventStoreOptions(durability: .normal, sizeLimitBytes: 256 << 10)) { server in
            try await blocking {
                let c = try server.client()
                defer { c.close() }
                var busy: [String: Any]?
                for i in 0..<200 {
                    let reply = try c.terminal(appendRequest(id: "a\(i)", stream: "fill-\(i)", count: 20, payloadBytes: 2000))
                    if reply.type == "error" { busy = reply; break }
                }
                #expect(busy?.code == "busy" && busy?["closes"] as? Bool == false)
                #expect(try c.terminal("PING").type == "ok")
                #expect(try c.terminal("{\"op\":\"replay\",\"id\":\"r\",\"limit\":1}").type == "end")
            }
        }
    }

    // MARK: Hostile input

    @Test func malformedBinaryOversizedAndDeepLinesKeepTheConnection() async throws {
        var limits = ProtocolLimits(maxLineBytes: 4096)
        limits.maxConsecutiveOversizedLines = 3
        try await withServer(limits: limits) { server in
            try await blocking {
                let c = try server.client()
                defer { c.close() }
                try c.line.sendRaw([0x00, 0xFF, 0xFE, 0x01, 0x0A])
                #expect(try c.next().code == "bad_json")
                try c.line.sendRaw(Array("{\"op\":\"ping\",\"id\":\"\u{00}\"}\n".utf8))
                #expect(try c.next().code == "bad_json")
                try c.send("{\"id\":\"deep\",\"op\":\"ping\",\"x\":" + String(repeating: "[", count: 2000) + String(repeating: "]", count: 2000) + "}")
                let deep = try c.next()
                #expect(deep.code == "too_deep" && deep["id"] as? String == "deep")
                try c.send("[1,2]")
                #expect(try c.next().code == "bad_request")
                try c.send(String(repeating: "a", count: 10_000))
                let long = try c.next()
                #expect(long.code == "line_too_long" && long["closes"] as? Bool == false)
                #expect(try c.terminal("PING").type == "ok")
                try c.send("\r\n   \t\r\n")  // blank lines are ignored
                #expect(try c.terminal("{\"op\":\"ping\",\"id\":\"after-blank\"}\r")["id"] as? String == "after-blank")
                // Oversized lines in a row end the connection.
                for _ in 0..<3 { try c.send(String(repeating: "b", count: 5000)) }
                #expect(try c.next()["closes"] as? Bool == false)
                #expect(try c.next()["closes"] as? Bool == false)
                let last = try c.next()
                #expect(last.code == "line_too_long" && last["closes"] as? Bool == true)
                #expect(try c.closedByServer())
            }
        }
    }

    @Test func noNewlineAndHangingPartialLinesEndTheConnection() async throws {
        var limits = ProtocolLimits(maxLineBytes: 1024, maxBytesWithoutNewline: 8192)
        limits.partialLineTimeout = .milliseconds(300)
        try await withServer(limits: limits) { server in
            try await blocking {
                let flood = try server.client()
                defer { flood.close() }
                try flood.line.sendRaw([UInt8](repeating: 0x61, count: 20_000))
                let error = try flood.next()
                #expect(error.code == "line_too_long" && error["closes"] as? Bool == true)
                #expect(try flood.closedByServer())

                let hanging = try server.client()
                defer { hanging.close() }
                try hanging.line.sendRaw(Array("{\"op\":\"pi".utf8))
                let timeout = try hanging.next(timeout: 5)
                #expect(timeout.code == "line_too_long" && timeout["closes"] as? Bool == true)
                #expect(try hanging.closedByServer())

                let stats = try server.client()
                defer { stats.close() }
                #expect(try stats.terminal("STATS").int("abusive_closed") == 2)
            }
        }
    }

    @Test func manyConnectionsOpenAndClose() async throws {
        try await withServer { server in
            try await blocking {
                for round in 0..<3 {
                    var clients: [TestClient] = []
                    for _ in 0..<100 { clients.append(try server.client()) }
                    for (i, c) in clients.enumerated() {
                        #expect(try c.terminal("{\"op\":\"ping\",\"id\":\(i)}").int("id") == i)
                        if i % 3 == 0 {
                            _ = try c.terminal("QUIT")
                        } else if i % 3 == 1 {
                            c.line.shutdownWrite()
                        }
                        c.close()
                    }
                    let watcher = try server.client()
                    let stats = try waitForStats(watcher) { $0.int("connections_open") == 1 }
                    #expect(stats.int("connections_open") == 1, "round \(round)")
                    watcher.close()
                }
            }
        }
    }

    @Test func endOfInputAnswersThenCloses() async throws {
        try await withServer { server in
            try await blocking {
                let c = try server.client()
                defer { c.close() }
                try c.send(appendRequest(id: "a", stream: "eof", count: 3))
                try c.send("PING")
                c.line.shutdownWrite()
                #expect(try c.next()["op"] as? String == "append")
                #expect(try c.next()["op"] as? String == "ping")
                #expect(try c.closedByServer())
            }
        }
    }

    // MARK: Subscriptions

    @Test func subscribeThenIngestDeliversTheRecordedEventsInOrder() async throws {
        try await withServer { server in
            try await blocking {
                let sub = try server.client()
                defer { sub.close() }
                try sub.send("{\"op\":\"subscribe\",\"id\":\"s\",\"from\":\"now\"}")
                #expect(try sub.next().type == "caught_up")
                let writer = try server.client()
                defer { writer.close() }
                let text = "MOSCOW, Jan 27 (Dateline) - Russia's Foreign Minister Sergei Lavrov said on Thursday that "
                    + "NATO had ignored Moscow's main security demands. \"There is no positive answer on the main issue,\" "
                    + "Lavrov told reporters. Ukraine said Russian troops massed near its border threatened its security."
                let article = "{\"text\":\"\(text.replacingOccurrences(of: "\"", with: "\\\""))\",\"date\":\"2022-01-27\",\"title\":\"Talks\"}"
                let reply = try writer.terminal("{\"op\":\"ingest\",\"id\":\"i\",\"article\":\(article)}")
                #expect(reply.type == "ok" && reply["duplicate"] as? Bool == false)
                let positions = try #require(reply["positions"] as? [Int])
                #expect(positions.count >= 1)
                var delivered: [Int] = []
                var types: [String] = []
                while delivered.count < positions.count {
                    let line = try sub.nextSkippingHeartbeats()
                    #expect(line.type == "event" && line["id"] as? String == "s")
                    delivered.append(line.int("position") ?? -1)
                    types.append(line["event_type"] as? String ?? "")
                    #expect(line["stream"] as? String == reply["stream"] as? String)
                    #expect(line["data"] is [String: Any])
                }
                #expect(delivered == positions)
                #expect(types.first == "ArticleIngested")
                let again = try writer.terminal("{\"op\":\"ingest\",\"id\":\"i2\",\"article\":\(article)}")
                #expect(again["duplicate"] as? Bool == true && (again["positions"] as? [Int]) == positions)
            }
        }
    }

    @Test func filtersLookInsidePayloadsLiveAndFromTheLog() async throws {
        try await withServer { server in
            try await blocking {
                let writer = try server.client()
                defer { writer.close() }
                // Engine event types cannot be appended raw: the fixture writes them to the log directly.
                func statement(_ name: String, _ affiliation: String) -> (type: String, json: String) {
                    ("StatementRecorded", "{\"index\":0,\"statement\":{\"kind\":\"direct\",\"speaker\":{\"name\":\"\(name)\",\"surface\":\"\(name)\",\"affiliation\":\"\(affiliation)\"}}}")
                }
                let tension = (type: "TensionObserved", json: "{\"tension\":{\"pair\":\"RUS|UKR\",\"source\":\"RUS\",\"target\":\"UKR\"}}")
                let batch = [statement("Sergey Lavrov", "RUS"), statement("Antony Blinken", "USA"), tension]
                try server.appendDirectly(stream: "f-1", batch)
                let sub = try server.client()
                defer { sub.close() }
                try sub.send("{\"op\":\"subscribe\",\"id\":\"lav\",\"from\":\"start\",\"speaker\":\"lavrov\"}")
                try sub.send("{\"op\":\"subscribe\",\"id\":\"pair\",\"from\":\"start\",\"pair\":\"UKR-RUS\"}")
                var seen: [String: [Int]] = [:]
                var caughtUp = 0
                while caughtUp < 2 {
                    let line = try sub.nextSkippingHeartbeats()
                    if line.type == "caught_up" { caughtUp += 1; continue }
                    seen[line["id"] as? String ?? "", default: []].append(line.int("position") ?? 0)
                }
                #expect(seen["lav"] == [1] && seen["pair"] == [3])
                try server.appendDirectly(stream: "f-2", batch)
                var live: [String: [Int]] = [:]
                for _ in 0..<2 {
                    let line = try sub.nextSkippingHeartbeats()
                    live[line["id"] as? String ?? "", default: []].append(line.int("position") ?? 0)
                }
                #expect(live["lav"] == [4] && live["pair"] == [6])
                let actor = try writer.request("{\"op\":\"replay\",\"id\":\"r\",\"actor\":\"USA\"}")
                #expect(actor.dropLast().compactMap { $0.int("position") } == [2, 5])
            }
        }
    }

    @Test func catchUpThenLiveHasNoGapOrDuplicateWhileAppendsContinue() async throws {
        try await withServer(configure: { $0.pageEvents = 50 }) { server in
            try await blocking {
                let writer = try server.client()
                defer { writer.close() }
                for i in 0..<10 { _ = try writer.terminal(appendRequest(id: "pre\(i)", stream: "pre-\(i)", count: 40)) }
                let port = server.port
                // Appends continue on another thread while the subscriber catches up.
                let appender = Thread {
                    guard let c = try? LineClient(host: "127.0.0.1", port: port) else { return }
                    let t = TestClient(c)
                    _ = try? t.next()
                    for i in 0..<60 { _ = try? t.terminal(appendRequest(id: "live\(i)", stream: "live-\(i % 7)", count: 5)) }
                    c.close()
                }
                appender.start()
                let sub = try server.client()
                defer { sub.close() }
                try sub.send("{\"op\":\"subscribe\",\"id\":\"all\",\"from\":\"start\"}")
                var positions: [Int] = []
                var caughtUp = 0
                let total = 400 + 300
                // caught_up may come before the last live events or after them, when the appends
                // kept ahead of the catch-up until they stopped.
                while positions.count < total || caughtUp == 0 {
                    let line = try sub.nextSkippingHeartbeats()
                    if line.type == "caught_up" { caughtUp += 1; continue }
                    #expect(line.type == "event")
                    positions.append(line.int("position") ?? -1)
                }
                #expect(positions == Array(1...total))
                #expect(caughtUp == 1)
            }
        }
    }

    @Test func aStalledSubscriberIsBoundedAndLaterReceivesEveryEventOnce() async throws {
        var limits = ProtocolLimits()
        limits.subscriberBufferEvents = 64
        limits.slowConsumerWriteDeadline = .seconds(60)
        try await withServer(limits: limits, configure: { $0.socketSendBufferBytes = 8192; $0.pageEvents = 100 }) { server in
            try await blocking {
                let sub = try server.client(receiveBufferSize: 4096)
                defer { sub.close() }
                try sub.send("{\"op\":\"subscribe\",\"id\":\"slow\"}")
                #expect(try sub.next().type == "caught_up")
                // The subscriber now reads nothing while 1500 events of ~1 KB are appended.
                let writer = try server.client()
                defer { writer.close() }
                for i in 0..<30 {
                    let reply = try writer.terminal(appendRequest(id: "w\(i)", stream: "bulk-\(i)", count: 50, payloadBytes: 1000))
                    #expect(reply.type == "ok")
                }
                // The writer was never held up; the subscriber is bounded and marked behind.
                let stats = try waitForStats(writer) { stats in
                    subscriptions(in: stats).first { $0["id"] as? String == "slow" }?["state"] as? String == "behind"
                }
                let slow = try #require(subscriptions(in: stats).first { $0["id"] as? String == "slow" })
                #expect(slow["state"] as? String == "behind")
                #expect((slow.int("buffered") ?? .max) <= 64)
                #expect((slow.int("times_fell_behind") ?? 0) >= 1)
                #expect((slow.int("lag") ?? 0) > 0)
                #expect(stats.int("head") == 1500)
                // Reading again: every event exactly once, in order, then caught up.
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
                // And it is live again.
                _ = try writer.terminal(appendRequest(id: "after", stream: "after", count: 1))
                #expect(try sub.nextSkippingHeartbeats().int("position") == 1501)
            }
        }
    }

    @Test func aSocketThatAcceptsNothingIsClosedAndCounted() async throws {
        var limits = ProtocolLimits()
        limits.subscriberBufferEvents = 32
        limits.slowConsumerWriteDeadline = .milliseconds(400)
        try await withServer(limits: limits, configure: { $0.socketSendBufferBytes = 8192 }) { server in
            try await blocking {
                let sub = try server.client(receiveBufferSize: 4096)
                defer { sub.close() }
                try sub.send("{\"op\":\"subscribe\",\"id\":\"stuck\"}")
                #expect(try sub.next().type == "caught_up")
                let writer = try server.client()
                defer { writer.close() }
                for i in 0..<20 { _ = try writer.terminal(appendRequest(id: "w\(i)", stream: "s-\(i)", count: 50, payloadBytes: 1000)) }
                let stats = try waitForStats(writer) { $0.int("slow_consumers_closed") == 1 }
                #expect(stats.int("slow_consumers_closed") == 1)
                #expect(stats.int("connections_open") == 1)
                // A quiet client with nothing to receive is never closed.
                #expect(try writer.terminal("PING").type == "ok")
            }
        }
    }

    @Test func quietSubscriptionsGetHeartbeatsWithTheHead() async throws {
        var limits = ProtocolLimits()
        limits.heartbeatInterval = .milliseconds(150)
        try await withServer(limits: limits) { server in
            try await blocking {
                let writer = try server.client()
                defer { writer.close() }
                _ = try writer.terminal(appendRequest(id: "a", stream: "s", count: 2))
                let c = try server.client()
                defer { c.close() }
                try c.send("TAIL 0")
                #expect(try c.next().type == "caught_up")
                let beat = try c.next(timeout: 5)
                #expect(beat.type == "heartbeat" && beat.int("head") == 2 && beat["id"] as? String == "sub-1")
                let again = try c.next(timeout: 5)
                #expect(again.type == "heartbeat")
                #expect(try c.terminal("PING").type == "ok")
            }
        }
    }

    // MARK: Shutdown

    @Test func gracefulShutdownTellsClientsAndLeavesAHealthyLog() async throws {
        let server = try await TestServer.start()
        let port = server.port
        let clients = try await blocking { () -> LoopBoxes in
            let writer = TestClient(try LineClient(host: "127.0.0.1", port: port))
            _ = try writer.next()
            for i in 0..<5 { _ = try writer.terminal(appendRequest(id: "a\(i)", stream: "s", count: 20)) }
            let sub = TestClient(try LineClient(host: "127.0.0.1", port: port))
            _ = try sub.next()
            try sub.send("TAIL 3")
            for _ in 0..<3 { #expect(try sub.next().type == "event") }
            #expect(try sub.next().type == "caught_up")
            return LoopBoxes(writer: writer, sub: sub)
        }
        await server.server.shutdown()
        try await blocking {
            let end = try clients.sub.next()
            #expect(end.type == "end" && end["reason"] as? String == "shutting_down" && end.int("next") == 101)
            #expect(try clients.sub.next().type == "shutting_down")
            #expect(try clients.sub.closedByServer())
            #expect(try clients.writer.next().type == "shutting_down")
            #expect(try clients.writer.closedByServer())
            clients.sub.close()
            clients.writer.close()
            // New connections are refused once stopped.
            #expect(throws: (any Error).self) { _ = try LineClient(host: "127.0.0.1", port: port) }
        }
        var logger = Logger(label: "t")
        logger.logLevel = .critical
        let store = try EventStore(path: server.databasePath, logger: logger)
        let report = try store.verify()
        #expect(report.isHealthy && report.events == 100 && report.head == Position(100))
        store.close()
        try? FileManager.default.removeItem(at: server.directory)
    }

    @Test func aRequestInFlightIsAnsweredBeforeTheServerStops() async throws {
        let started = DispatchSemaphore(value: 0)
        let server = try await TestServer.start { configuration in
            configuration.queryHandler = { _ in
                started.signal()
                try await Task.sleep(for: .milliseconds(300))
                return [["n": 1]]
            }
        }
        let port = server.port
        let client = try await blocking { () -> TestClientBox in
            let c = TestClient(try LineClient(host: "127.0.0.1", port: port))
            _ = try c.next()
            _ = try c.terminal(appendRequest(id: "a", stream: "s", count: 10))
            try c.send("{\"op\":\"query\",\"id\":\"slow\",\"kind\":\"statements\"}")
            try c.send("PING")  // queued behind the query: dropped when the server stops
            return TestClientBox(c)
        }
        try await blocking { started.wait() }
        await server.server.shutdown()
        try await blocking {
            let c = client.client
            #expect(try c.next().type == "shutting_down")
            let row = try c.next()
            #expect(row.type == "row" && row["id"] as? String == "slow")
            let end = try c.next()
            #expect(end.type == "end" && end["id"] as? String == "slow")
            #expect(try c.closedByServer())
            c.close()
        }
        var logger = Logger(label: "t")
        logger.logLevel = .critical
        let store = try EventStore(path: server.databasePath, logger: logger)
        #expect(try store.verify().isHealthy)
        store.close()
        try? FileManager.default.removeItem(at: server.directory)
    }

    // MARK: A person with nc

    static let nc = ["/usr/bin/nc", "/bin/nc"].first { FileManager.default.isExecutableFile(atPath: $0) }

    @Test(.enabled(if: nc != nil, "netcat (nc) is not installed; skipping the nc session"))
    func aRealNetcatSession() async throws {
        try await withServer { server in
            let port = server.port
            let output = try await blocking { () -> String in
                let process = Process()
                process.executableURL = URL(fileURLWithPath: Self.nc!)
                process.arguments = ["-N", "127.0.0.1", String(port)]
                let input = Pipe(), output = Pipe()
                process.standardInput = input
                process.standardOutput = output
                process.standardError = FileHandle.nullDevice
                try process.run()
                input.fileHandleForWriting.write(Data("PING\nHELP\n".utf8))
                // Read until HELP's terminal line, then end the input: the server answers and closes.
                var text = ""
                let reader = output.fileHandleForReading
                while !text.contains("\"op\":\"help\"") {
                    let chunk = reader.availableData
                    if chunk.isEmpty { break }
                    text += String(decoding: chunk, as: UTF8.self)
                }
                try input.fileHandleForWriting.close()
                text += String(decoding: reader.readDataToEndOfFile(), as: UTF8.self)
                process.waitUntilExit()
                return text
            }
            let lines = output.split(separator: "\n").map(String.init)
            #expect(lines.first?.hasPrefix("{\"type\":\"hello\"") == true)
            #expect(lines.count > 4)
            #expect(lines[1].hasPrefix("{\"type\":\"ok\",\"op\":\"ping\""))
            #expect(lines.contains { $0.contains("\"type\":\"help\"") && $0.contains("TAIL") })
            #expect(lines.last == "{\"type\":\"ok\",\"op\":\"help\"}")
        }
    }
}

struct LoopBoxes: @unchecked Sendable {
    let writer: TestClient
    let sub: TestClient
}

struct TestClientBox: @unchecked Sendable {
    let client: TestClient
    init(_ client: TestClient) { self.client = client }
}

/// The `datelined` executable itself: SIGTERM ends it cleanly.
@Suite(.serialized, .timeLimit(.minutes(2))) struct ExecutableTests {
    /// Built next to the test bundle by `swift test` (which builds every product).
    static let binary: String? = {
        let here = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        let candidates = [here, here.deletingLastPathComponent(), here.deletingLastPathComponent().deletingLastPathComponent()]
            .map { $0.appendingPathComponent("datelined").path }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    @Test(.enabled(if: binary != nil, "the datelined executable was not found next to the tests"))
    func sigtermStopsTheServerGracefullyWithExitZero() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("datelined-exe-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let db = directory.appendingPathComponent("log.sqlite").path
        let status = try await blocking { () -> Int32 in
            let process = Process()
            process.executableURL = URL(fileURLWithPath: Self.binary!)
            process.arguments = ["--db", db, "--port", "0", "--log-level", "error"]
            let output = Pipe()
            process.standardOutput = output
            try process.run()
            var text = ""
            while !text.contains("\n") {
                let chunk = output.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                text += String(decoding: chunk, as: UTF8.self)
            }
            let port = try #require(Int(text.split(separator: ":").last?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""))
            let c = TestClient(try LineClient(host: "127.0.0.1", port: port))
            defer { c.close() }
            _ = try c.next()
            #expect(try c.terminal(appendRequest(id: "a", stream: "s", count: 5)).type == "ok")
            try c.send("TAIL 1")
            #expect(try c.next().type == "event")
            #expect(try c.next().type == "caught_up")
            process.terminate()  // SIGTERM
            #expect(try c.next()["reason"] as? String == "shutting_down")
            #expect(try c.next().type == "shutting_down")
            #expect(try c.closedByServer())
            process.waitUntilExit()
            return process.terminationStatus
        }
        #expect(status == 0)
        var logger = Logger(label: "t")
        logger.logLevel = .critical
        let store = try EventStore(path: db, logger: logger)
        let report = try store.verify()
        #expect(report.isHealthy && report.events == 5)
        store.close()
    }
}

@Suite(.serialized, .timeLimit(.minutes(2))) struct ClientTests {
    @Test func protocolClientCallsAndReadsTypedLines() async throws {
        try await withServer { server in
            let port = server.port
            try await blocking {
                let client = try ProtocolClient(host: "127.0.0.1", port: port)
                defer { client.close() }
                #expect(client.hello.type == "hello" && client.hello.head == .start)
                let stream = try StreamName("c-1")
                let appended = try client.call(.append(DatelineProtocol.AppendRequest(
                    stream: stream, expect: .noStream,
                    events: [AppendEvent(eventID: try EventID("e1"), type: "NoteTaken", data: Array("{\"x\":1}".utf8))])))
                #expect(appended.type == "ok")
                var events: [RecordedEvent] = []
                let end = try client.call(.read(ReadRequest(stream: stream))) { line in
                    if let event = line.event { events.append(event) }
                }
                #expect(end.type == "end" && events.map(\.data) == [Array("{\"x\":1}".utf8)])
                let missing = try client.call(.read(ReadRequest(stream: try StreamName("nope"))))
                #expect(missing.error?.code == .notFound)
            }
        }
    }

    @Test func tailFollowerReconnectsAfterARestartWithoutGapOrDuplicate() async throws {
        let first = try await TestServer.start()
        let port = first.port
        let collected = Collected()
        let follower = Thread {
            let tail = TailFollower(host: "127.0.0.1", port: port, from: .start, retryDelay: 0.05, maxAttempts: 200)
            try? tail.run { update in
                switch update {
                case .event(let event, _): collected.add(event.position.rawValue)
                case .reconnecting: collected.reconnected()
                default: break
                }
                return collected.count < 10
            }
            collected.finish()
        }
        try await blocking {
            let c = TestClient(try LineClient(host: "127.0.0.1", port: port))
            _ = try c.next()
            for i in 0..<3 { _ = try c.terminal(appendRequest(id: "a\(i)", stream: "t", count: 1)) }
            c.close()
        }
        follower.start()
        try await blocking { collected.wait(until: { $0.count >= 3 }) }
        await first.server.shutdown()
        // The same log and port, a new server process-equivalent.
        var logger = Logger(label: "t")
        logger.logLevel = .critical
        let engine = try DatelineEngine(databasePath: first.databasePath, logger: logger)
        let second = DatelineTCPServer(engine: engine, configuration: ServerConfiguration(port: port), logger: logger)
        try await second.start()
        try await blocking {
            let c = TestClient(try LineClient(host: "127.0.0.1", port: port))
            _ = try c.next()
            for i in 0..<7 { _ = try c.terminal(appendRequest(id: "b\(i)", stream: "t", count: 1)) }
            c.close()
            collected.wait(until: { $0.finished })
        }
        await second.shutdown()
        try? FileManager.default.removeItem(at: first.directory)
        #expect(collected.positions == Array(1...10))
        #expect(collected.reconnections >= 1)
    }
}

final class Collected: @unchecked Sendable {
    private let condition = NSCondition()
    private var _positions: [Int] = []
    private var _reconnections = 0
    private var _finished = false

    struct State {
        var count: Int
        var finished: Bool
    }

    func add(_ p: Int64) { condition.withLock { _positions.append(Int(p)); condition.broadcast() } }
    func reconnected() { condition.withLock { _reconnections += 1 } }
    func finish() { condition.withLock { _finished = true; condition.broadcast() } }
    var count: Int { condition.withLock { _positions.count } }
    var positions: [Int] { condition.withLock { _positions } }
    var reconnections: Int { condition.withLock { _reconnections } }

    func wait(until condition: (State) -> Bool) {
        let deadline = Date().addingTimeInterval(20)
        self.condition.withLock {
            while !condition(State(count: _positions.count, finished: _finished)) && Date() < deadline {
                _ = self.condition.wait(until: Date().addingTimeInterval(0.1))
            }
        }
    }
}
