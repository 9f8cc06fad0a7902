import DatelineClient
import DatelineCore
import DatelineProtocol
import DatelineService
import DatelineTestSupport
import EventLog
import Foundation
import Logging
import DatelineServer
import Testing

/// What a hostile or careless client tries over a real socket: forged findings, payloads that
/// once crashed or stopped the timelines, replies shifted by one, lost answers after a
/// half-close, connections stalled by another's work.
@Suite(.serialized, .timeLimit(.minutes(2))) struct HardeningTests {
    static let lavrovText = "MOSCOW, Jan 27 (Dateline) - Russia's Foreign Minister Sergei Lavrov said on Thursday that "
        + "NATO had ignored Moscow's main security demands. \"There is no positive answer on the main issue,\" "
        + "Lavrov told reporters. Ukraine said Russian troops massed near its border threatened its security."

    static func ingestLine(id: String, text: String = lavrovText) -> String {
        "{\"op\":\"ingest\",\"id\":\"\(id)\",\"article\":{\"text\":\"\(text.replacingOccurrences(of: "\"", with: "\\\""))\",\"date\":\"2022-01-27\",\"title\":\"Talks\"}}"
    }

    static let hash = String(repeating: "ab", count: 32)

    static func statementJSON(index: String = "0", speaker: String = "Sergey Lavrov") -> String {
        "{\"article_hash\":\"\(hash)\",\"index\":\(index),\"extractor_version\":\"v\",\"statement\":{\"kind\":\"direct\",\"content\":\"forged words\",\"start\":0,\"end\":12,\"speaker\":{\"name\":\"\(speaker)\",\"surface\":\"Lavrov\"},\"cue\":null,\"date\":\"2022-01-27\",\"polarity\":\"assert\"}}"
    }

    static func tensionJSON(weight: String) -> String {
        "{\"article_hash\":\"\(hash)\",\"index\":0,\"extractor_version\":\"v\",\"tension\":{\"type\":\"EVENT\",\"cameo\":\"190\",\"goldstein\":-10,\"quad_class\":4,\"source\":\"RUS\",\"target\":\"UKR\",\"pair\":\"RUS|UKR\",\"directed\":true,\"modality\":\"asserted\",\"weight\":\(weight),\"start\":0,\"end\":10,\"date\":\"2022-01-27\"}}"
    }

    // MARK: Critical 3: forged findings

    @Test func rawAppendsIntoTheEngineNamespaceAreRefused() async throws {
        try await withServer(timelines: true) { server in
            try await blocking {
                let c = try server.client()
                defer { c.close() }
                let forged = [
                    // The probe's line: an engine type with an integer of 2^63.
                    "{\"op\":\"append\",\"id\":\"a\",\"stream\":\"x\",\"events\":[{\"type\":\"StatementRecorded\",\"data\":{\"index\":9223372036854775808}}]}",
                    "{\"op\":\"append\",\"id\":\"b\",\"stream\":\"x\",\"events\":[{\"type\":\"StatementRecorded\",\"data\":\(Self.statementJSON())}]}",
                    "{\"op\":\"append\",\"id\":\"c\",\"stream\":\"notes\",\"events\":[{\"type\":\"ArticleIngested\",\"data\":{\"date\":\"2022-01-27\",\"title\":\"Forged\",\"text\":\"x\"}}]}",
                    "{\"op\":\"append\",\"id\":\"d\",\"stream\":\"x\",\"events\":[{\"type\":\"TensionObserved\",\"data\":\(Self.tensionJSON(weight: "1e308"))}]}",
                    "{\"op\":\"append\",\"id\":\"e\",\"stream\":\"x\",\"events\":[{\"type\":\"ExtractionSuperseded\",\"data\":{}}]}",
                    // Pre-creating an article's stream, or claiming its event id.
                    "{\"op\":\"append\",\"id\":\"f\",\"stream\":\"article-0123456789abcdef\",\"events\":[{\"type\":\"NoteTaken\",\"data\":{}}]}",
                    "{\"op\":\"append\",\"id\":\"g\",\"stream\":\"x\",\"events\":[{\"event_id\":\"0123456789abcdef:article\",\"type\":\"NoteTaken\",\"data\":{}}]}",
                ]
                for line in forged {
                    let reply = try c.terminal(line)
                    #expect(reply.code == "bad_request", "\(line)")
                    #expect((reply["message"] as? String)?.contains("ingest") == true)
                    #expect(reply["closes"] as? Bool == false)
                }
                // Nothing was written; ordinary appends still work.
                #expect(try c.terminal("PING").int("head") == 0)
                #expect(try c.terminal(appendRequest(id: "ok", stream: "notes", count: 1)).type == "ok")
                // The real ingest is not blocked and answers with its findings.
                let ingest = try c.terminal(Self.ingestLine(id: "i"))
                #expect(ingest.type == "ok" && ingest["duplicate"] as? Bool == false)
                let rows = try c.request("{\"op\":\"query\",\"id\":\"q\",\"kind\":\"statements\"}")
                #expect(rows.last?.type == "end")
                #expect(!rows.contains { ($0["content"] as? String) == "forged words" })
            }
        }
    }

    @Test func findingsOutsideArticleStreamsAreNotFolded() async throws {
        try await withServer(timelines: true, prepare: { store in
            // Written before these checks existed: a forged statement in an ordinary stream.
            _ = try store.appendSync(to: try StreamName("x"), events: [ProposedEvent(
                id: try EventID("old-1"), type: .statementRecorded, data: Array(Self.statementJSON().utf8))])
        }) { server in
            try await blocking {
                let c = try server.client()
                defer { c.close() }
                let rows = try c.request("{\"op\":\"query\",\"id\":\"q\",\"kind\":\"statements\",\"speaker\":\"Lavrov\"}")
                #expect(rows.count == 1 && rows.last?.int("count") == 0)
            }
        }
    }

    // MARK: Critical 1 and 2: payloads that once stopped the timelines

    @Test func hostileFindingsInTheLogNeitherCrashNorStopTheTimelines() async throws {
        let article = Article(date: CalendarDate(parsing: "2022-01-27")!, title: "t", text: "fixture for hostile findings")
        @Sendable func write(_ store: EventStore, _ findings: [(EventType, String)], tag: String) throws {
            let stream = StreamName.article(Article(date: article.date, text: article.text + tag).contentHash)
            var events = [ProposedEvent(id: try EventID("h-\(tag)-0"), type: .articleIngested,
                                        data: Array(try JSONEncoder().encode(ArticleIngested(article: article))))]
            for (i, f) in findings.enumerated() {
                events.append(ProposedEvent(id: try EventID("h-\(tag)-\(i + 1)"), type: f.0, data: Array(f.1.utf8)))
            }
            _ = try store.appendSync(to: stream, events: events)
        }
        let hostile: [(EventType, String)] = [
            (.statementRecorded, Self.statementJSON(index: "9223372036854775808")),
            (.statementRecorded, Self.statementJSON(index: "-9223372036854775808", speaker: "Nobody")),
            (.tensionObserved, Self.tensionJSON(weight: "1e308")),
            (.tensionObserved, Self.tensionJSON(weight: "-1e308")),
        ]
        // Already in the log when the server starts (a restart), and written while it runs.
        try await withServer(timelines: true, prepare: { try write($0, hostile, tag: "before") }) { server in
            try await blocking {
                let c = try server.client()
                defer { c.close() }
                try write(server.engine.store.sqlite!, hostile, tag: "after")
                let ingest = try c.terminal(Self.ingestLine(id: "i"))
                #expect(ingest.type == "ok")
                let statements = try c.request("{\"op\":\"query\",\"id\":\"s\",\"kind\":\"statements\"}")
                #expect(statements.last?.type == "end")
                #expect(statements.last?.int("count") == ingest.int("statements"))
                let tensions = try c.request("{\"op\":\"query\",\"id\":\"t\",\"kind\":\"tensions\",\"pair\":\"RUS-UKR\"}")
                #expect(tensions.last?.type == "end")
                #expect(try c.terminal("PING").type == "ok")
                // The protocol's stats show the skipped events.
                let stats = try c.terminal("{\"op\":\"stats\"}")
                let skipped = ((stats["timelines"] as? [[String: Any]]) ?? []).map { ($0["name"] as? String ?? "", $0.int("skipped_events") ?? -1) }
                #expect(Dictionary(uniqueKeysWithValues: skipped) == ["statements": 4, "tensions": 4])
            }
            let stats = try await server.engine.timelines().read { try $0.stats() }
            #expect(stats.first { $0.name == "statements" }?.malformed == 4)
            #expect(stats.first { $0.name == "tensions" }?.malformed == 4)
        }
    }

    // MARK: High 4 and 5: one terminal line per request, in order, also after a half-close

    /// Appends `count` events of about `bytes` each to a fresh stream, in batches.
    static func fill(_ c: TestClient, count: Int, bytes: Int, stream: String) throws {
        var left = count, batch = 0
        while left > 0 {
            let n = min(left, 100)
            #expect(try c.terminal(appendRequest(id: "fill\(batch)", stream: stream, count: n, payloadBytes: bytes)).type == "ok")
            left -= n
            batch += 1
        }
    }

    /// Reads lines until `expected` terminal lines have come; returns the ids of the terminal
    /// lines in order and how many events each request received.
    static func terminals(_ c: TestClient, expected: Int) throws -> (ids: [String], events: [String: Int]) {
        var ids: [String] = [], events: [String: Int] = [:]
        while ids.count < expected {
            let line = try c.nextSkippingHeartbeats(timeout: 20)
            let id = line["id"] as? String ?? "?"
            if line.type == "event" { events[id, default: 0] += 1; continue }
            if ["ok", "error", "end"].contains(line.type ?? "") { ids.append(id) }
        }
        return (ids, events)
    }

    @Test func repliesKeepTheirOrderAroundTheWriteBufferBoundary() async throws {
        try await withServer { server in
            try await blocking {
                let c = try server.client()
                defer { c.close() }
                // 200 events of ~330 bytes on the wire: a replay answer just over 64 KB, the
                // write buffer's high-water mark, and a read of one stream of the same size.
                try Self.fill(c, count: 200, bytes: 250, stream: "big")
                for round in 0..<30 {
                    // One at a time: a replay, then a ping, must each get their own answer.
                    try c.send("{\"op\":\"replay\",\"id\":\"r\(round)\",\"from\":\"start\"}")
                    var got = try Self.terminals(c, expected: 1)
                    #expect(got.ids == ["r\(round)"] && got.events["r\(round)"] == 200)
                    try c.send("{\"op\":\"ping\",\"id\":\"p\(round)\"}")
                    got = try Self.terminals(c, expected: 1)
                    #expect(got.ids == ["p\(round)"])
                    try c.send("{\"op\":\"read\",\"id\":\"s\(round)\",\"stream\":\"big\"}")
                    got = try Self.terminals(c, expected: 1)
                    #expect(got.ids == ["s\(round)"] && got.events["s\(round)"] == 200)
                }
                for round in 0..<30 {
                    // Pipelined: replays, reads and pings sent at once come back one terminal
                    // line each, in request order.
                    let limit = 150 + (round * 7) % 50
                    let requests = [
                        "{\"op\":\"replay\",\"id\":\"a\",\"from\":\"start\"}",
                        "{\"op\":\"ping\",\"id\":\"b\"}",
                        "{\"op\":\"replay\",\"id\":\"c\",\"from\":\"start\",\"limit\":\(limit)}",
                        "{\"op\":\"read\",\"id\":\"d\",\"stream\":\"big\"}",
                        "{\"op\":\"ping\",\"id\":\"e\"}",
                    ]
                    try c.sendRaw(Array((requests.joined(separator: "\n") + "\n").utf8))
                    let got = try Self.terminals(c, expected: 5)
                    #expect(got.ids == ["a", "b", "c", "d", "e"], "round \(round)")
                    #expect(got.events == ["a": 200, "c": limit, "d": 200], "round \(round)")
                }
                // Nothing is left over: the next answer is the next request's.
                #expect(try c.terminal("{\"op\":\"ping\",\"id\":\"last\"}")["id"] as? String == "last")
            }
        }
    }

    @Test func everythingReadBeforeAHalfCloseIsAnswered() async throws {
        try await withServer { server in
            try await blocking {
                let writer = try server.client()
                try Self.fill(writer, count: 300, bytes: 250, stream: "big")
                writer.close()
                for round in 0..<10 {
                    let c = try server.client()
                    defer { c.close() }
                    try c.sendRaw(Array("{\"op\":\"replay\",\"id\":\"r\",\"from\":\"start\"}\n{\"op\":\"ping\",\"id\":\"p\"}\n".utf8))
                    c.line.shutdownWrite()
                    let got = try Self.terminals(c, expected: 2)
                    #expect(got.ids == ["r", "p"] && got.events["r"] == 300, "round \(round)")
                    #expect(try c.closedByServer())
                }
            }
        }
    }

    @Test(.enabled(if: ServerTests.nc != nil, "netcat (nc) is not installed; skipping the nc half-close"))
    func netcatHalfCloseGetsTheReplayEndAndThePing() async throws {
        try await withServer { server in
            try await blocking {
                let writer = try server.client()
                try Self.fill(writer, count: 250, bytes: 250, stream: "big")
                writer.close()
            }
            let port = server.port
            let output = try await blocking { () -> String in
                let process = Process()
                process.executableURL = URL(fileURLWithPath: ServerTests.nc!)
                process.arguments = ["-N", "127.0.0.1", String(port)]
                let input = Pipe(), output = Pipe()
                process.standardInput = input
                process.standardOutput = output
                process.standardError = FileHandle.nullDevice
                try process.run()
                input.fileHandleForWriting.write(Data("{\"op\":\"replay\",\"id\":\"r\",\"from\":\"start\"}\nPING\n".utf8))
                try input.fileHandleForWriting.close()
                let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                process.waitUntilExit()
                return text
            }
            let lines = output.split(separator: "\n").map(String.init)
            #expect(lines.filter { $0.hasPrefix("{\"type\":\"event\"") }.count == 250)
            #expect(lines.contains { $0.hasPrefix("{\"type\":\"end\"") && $0.contains("\"id\":\"r\"") })
            #expect(lines.last?.hasPrefix("{\"type\":\"ok\",\"op\":\"ping\"") == true)
        }
    }

    // MARK: High 8: out of file descriptors

    @Test(.enabled(if: ExecutableTests.binary != nil, "the datelined executable was not found next to the tests"))
    func clientsOverTheDescriptorLimitAreToldTooManyConnections() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("datelined-fd-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let db = directory.appendingPathComponent("log.sqlite").path
        try await blocking {
            // A server under `ulimit -n 128` (soft and hard) configured for 1024 connections.
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", "ulimit -n 128 && exec \"$0\" --db \"$1\" --port 0 --log-level critical --max-connections 1024",
                                 ExecutableTests.binary!, db]
            let output = Pipe()
            process.standardOutput = output
            try process.run()
            defer {
                process.terminate()
                process.waitUntilExit()
            }
            var text = ""
            while !text.contains("\n") {
                let chunk = output.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                text += String(decoding: chunk, as: UTF8.self)
            }
            let port = try #require(Int(text.split(separator: ":").last?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""))
            // More clients than descriptors: every one gets a first line, hello or refusal.
            var clients: [LineClient] = []
            defer { for c in clients { c.close() } }
            var hellos = 0, refused = 0
            for _ in 0..<160 {
                let c = try LineClient(host: "127.0.0.1", port: port)
                clients.append(c)
                let first = try c.readLineString(timeout: 10) ?? ""
                if first.contains("\"type\":\"hello\"") { hellos += 1 }
                if first.contains("\"code\":\"too_many_connections\"") { refused += 1 }
            }
            #expect(hellos + refused == 160)
            #expect(hellos > 0 && hellos < 128 && refused > 0)
            // The server still serves: after the clients leave, a new one is answered.
            for c in clients { c.close() }
            clients.removeAll()
            var answered = false
            for _ in 0..<50 where !answered {
                let c = TestClient(try LineClient(host: "127.0.0.1", port: port))
                defer { c.close() }
                if (try? c.next(timeout: 5))?.type == "hello" {
                    answered = try c.terminal("PING").type == "ok"
                } else {
                    usleep(100_000)
                }
            }
            #expect(answered)
        }
    }

    // MARK: High 6: one connection must not stall the others

    @Test func oversizedFiltersAndQueriesAreRefusedAndOthersKeepBeingAnswered() async throws {
        try await withServer(timelines: true) { server in
            try await blocking {
                let hostile = try server.client()
                let other = try server.client()
                defer { hostile.close(); other.close() }
                try Self.fill(hostile, count: 300, bytes: 50, stream: "notes")
                let speaker = String(repeating: "Lavrov ", count: 15_000)  // 105 KB
                let words = (0..<8_000).map { "w\($0)" }.joined(separator: " ")
                let lines = [
                    "{\"op\":\"replay\",\"id\":\"r\",\"from\":\"start\",\"speaker\":\"\(speaker)\"}",
                    "{\"op\":\"subscribe\",\"id\":\"s\",\"from\":\"start\",\"speaker\":\"\(speaker)\"}",
                    "{\"op\":\"replay\",\"id\":\"p\",\"from\":\"start\",\"stream_prefix\":\"\(String(repeating: "n", count: 300))\"}",
                    "{\"op\":\"query\",\"id\":\"q\",\"kind\":\"statements\",\"speaker\":\"\(speaker)\"}",
                    "{\"op\":\"query\",\"id\":\"g\",\"kind\":\"statements\",\"grep\":\"\(words)\"}",
                    "{\"op\":\"query\",\"id\":\"h\",\"kind\":\"statements\",\"grep\":\"\((0..<17).map { "w\($0)" }.joined(separator: " "))\"}",
                ]
                for line in lines {
                    let reply = try hostile.terminal(line)
                    #expect(reply.code == "bad_request", "\(line.prefix(60))")
                    #expect((reply["message"] as? String).map { $0.count < 200 } == true)
                }
                // Within the bounds, the same requests are served.
                let ok = try hostile.request("{\"op\":\"replay\",\"id\":\"r2\",\"from\":\"start\",\"speaker\":\"Lavrov\"}")
                #expect(ok.last?.type == "end")
                #expect(try hostile.terminal("{\"op\":\"query\",\"id\":\"g2\",\"kind\":\"statements\",\"grep\":\"w1 w2 w3\"}").type == "end")
                for i in 0..<20 { #expect(try other.terminal("{\"op\":\"ping\",\"id\":\"\(i)\"}")["id"] as? String == "\(i)") }
            }
        }
    }

    /// Many statements in article streams, written as ingest writes them.
    static func manyStatements(_ store: EventStore, articles: Int, perArticle: Int) throws {
        for a in 0..<articles {
            let article = Article(date: CalendarDate(parsing: "2022-01-27")!, title: "A\(a)", text: "budget fixture \(a)")
            let statements = (0..<perArticle).map { i in
                Statement(kind: .direct, content: "words of statement \(i) in article \(a)", start: i, end: i + 10,
                          speaker: Speaker(surface: "Lavrov", name: "Sergey Lavrov \(i % 7)"), cue: nil,
                          date: article.date, polarity: .assert)
            }
            let events = try IngestBatch.events(for: article, extraction: Extraction(statements: statements, tensions: []))
            _ = try store.appendSync(to: article.stream, events: events)
        }
    }

    @Test func aQueryPastItsTimeBudgetIsStoppedAndAnsweredBusy() async throws {
        try await withServer(timelines: true, queryBudget: .nanoseconds(1),
                             prepare: { try Self.manyStatements($0, articles: 40, perArticle: 50) }) { server in
            try await blocking {
                let c = try server.client()
                defer { c.close() }
                let reply = try c.terminal("{\"op\":\"query\",\"id\":\"q\",\"kind\":\"statements\",\"grep\":\"words\"}")
                #expect(reply.code == "busy" && reply["id"] as? String == "q")
                #expect((reply["message"] as? String)?.contains("time budget") == true)
                #expect(try c.terminal("PING").type == "ok")
            }
        }
        // With the default budget the same query is answered in full.
        try await withServer(timelines: true, prepare: { try Self.manyStatements($0, articles: 40, perArticle: 50) }) { server in
            try await blocking {
                let c = try server.client()
                defer { c.close() }
                let lines = try c.request("{\"op\":\"query\",\"id\":\"q\",\"kind\":\"statements\",\"grep\":\"words\"}")
                #expect(lines.last?.type == "end" && lines.last?.int("count") == 2000)
            }
        }
    }

    @Test func stoppedQueriesEndWithShuttingDown() async throws {
        try await withServer(timelines: true, prepare: { try Self.manyStatements($0, articles: 4, perArticle: 5) }) { server in
            server.engine.stopQueries()
            try await blocking {
                let c = try server.client()
                defer { c.close() }
                let reply = try c.terminal("{\"op\":\"query\",\"id\":\"q\",\"kind\":\"statements\"}")
                #expect(reply.code == "shutting_down" && reply["closes"] as? Bool == false)
            }
        }
    }

    // MARK: High 7 (the server's part): a maximum article size

    @Test func anArticleOverTheSizeLimitIsRefusedWithBadRequest() async throws {
        try await withServer(limits: ProtocolLimits(maxLineBytes: 4 << 20)) { server in
            try await blocking {
                let c = try server.client()
                defer { c.close() }
                let text = String(repeating: "Lavrov said talks. ", count: 60_000)
                let reply = try c.terminal("{\"op\":\"ingest\",\"id\":\"big\",\"article\":{\"text\":\"\(text)\",\"date\":\"2022-01-27\"}}")
                #expect(reply.code == "bad_request" && reply["id"] as? String == "big")
                #expect(reply.int("max_article_bytes") == Article.maxTextBytes)
                #expect(try c.terminal("PING").int("head") == 0)
                #expect(try c.terminal(Self.ingestLine(id: "small")).type == "ok")
            }
        }
    }

    // MARK: Smaller: a corrupt event in a replay page

    @Test func aCorruptEventEndsAReplayAfterTheGoodEventsBeforeIt() async throws {
        try await withServer(prepare: { store in
            let events = try (0..<300).map { i in
                ProposedEvent(id: try EventID("c\(i)"), type: "NoteTaken", data: Array("{\"n\":\(i)}".utf8))
            }
            _ = try store.appendSync(to: try StreamName("notes"), events: events)
            // Damage the payload of position 200 behind the log's back.
            let db = try SQLiteDatabase(path: store.path)
            defer { db.close() }
            try db.execute("DROP TRIGGER events_no_update")
            let update = try db.prepare("UPDATE events SET crc32 = crc32 + 1 WHERE position = 200")
            try update.run()
        }) { server in
            try await blocking {
                let c = try server.client()
                defer { c.close() }
                let lines = try c.request("{\"op\":\"replay\",\"id\":\"r\",\"from\":\"start\"}")
                let positions = lines.filter { $0.type == "event" }.compactMap { $0.int("position") }
                #expect(positions == Array(1...199))
                #expect(lines.last?.type == "error" && (lines.last?["message"] as? String)?.contains("200") == true)
                #expect(try c.terminal("PING").type == "ok")
            }
        }
    }

    // MARK: Smaller: tokens, the loopback check, the wording of refused reads

    @Test func wrongTokensAreSlowedAndTheConnectionClosesAfterAFew() async throws {
        try await withServer(configure: { $0.token = "secret" }) { server in
            try await blocking {
                let c = try server.client()
                defer { c.close() }
                let wrong = (0..<20).map { "{\"op\":\"auth\",\"id\":\"a\($0)\",\"token\":\"guess\($0)\"}" }.joined(separator: "\n") + "\n"
                try c.sendRaw(Array(wrong.utf8))
                var refusals: [[String: Any]] = []
                while let line = try? c.next(timeout: 10) { refusals.append(line) }
                #expect(refusals.count == HardeningTests.maxTokenFailures)
                #expect(refusals.allSatisfy { $0.code == "auth_required" })
                #expect(refusals.last?["closes"] as? Bool == true)
                // A right token after a wrong one still works on a new connection.
                let d = try server.client()
                defer { d.close() }
                #expect(try d.terminal("{\"op\":\"auth\",\"token\":\"nope\"}").code == "auth_required")
                #expect(try d.terminal("{\"op\":\"auth\",\"token\":\"secret\"}").type == "ok")
                #expect(try d.terminal(appendRequest(id: "w", stream: "notes", count: 1)).type == "ok")
            }
        }
    }

    static let maxTokenFailures = 5

    @Test func refusedReadsSayReads() async throws {
        try await withServer(configure: { $0.token = "secret"; $0.readsNeedAuth = true }) { server in
            try await blocking {
                let c = try server.client()
                defer { c.close() }
                let read = try c.terminal("{\"op\":\"replay\",\"id\":\"r\",\"from\":\"start\"}")
                #expect(read.code == "auth_required" && (read["message"] as? String)?.contains("before reads") == true)
                let write = try c.terminal(appendRequest(id: "w", stream: "notes", count: 1))
                #expect(write.code == "auth_required" && (write["message"] as? String)?.contains("before writes") == true)
            }
        }
    }

    @Test func theLoopbackCheckComparesResolvedAddresses() async throws {
        for host in ["127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost", "LOCALHOST"] {
            #expect(ServerConfiguration.isLoopback(host), "\(host)")
        }
        for host in ["127.evil.example", "127.0.0.1.evil.example", "0.0.0.0", "10.0.0.1", "::", "::ffff:10.0.0.1", ""] {
            #expect(!ServerConfiguration.isLoopback(host), "\(host)")
        }
        var logger = Logger(label: "t")
        logger.logLevel = .critical
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("loopback-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let engine = try DatelineEngine(databasePath: dir.appendingPathComponent("log.sqlite").path, logger: logger)
        let server = DatelineTCPServer(engine: engine, configuration: ServerConfiguration(host: "127.evil.example", port: 0),
                                       logger: logger)
        await #expect(throws: ServerError.self) { try await server.start() }
        engine.close()
    }
}
