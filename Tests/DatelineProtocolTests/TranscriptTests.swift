import DatelineCore
import Foundation
import NIOCore
import Testing

@testable import DatelineProtocol

/// Checks the golden transcripts in Protocol/examples against the codec: every `send` parses to
/// the request kind (or the codec error) its replies imply, and every `expect` has exactly the
/// fields the encoders write for that kind of line. The server tests replay the same files
/// against a real server.
@Suite struct TranscriptTests {
    static let examples: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Protocol/examples")

    static var files: [URL] {
        ((try? FileManager.default.contentsOfDirectory(at: examples, includingPropertiesForKeys: nil)) ?? [])
            .filter { $0.pathExtension == "ndjson" }.sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    enum Step {
        case send([UInt8])
        case expect([String: Any], many: Bool)
        case close
    }

    static func steps(_ file: URL) throws -> [Step] {
        let text = try String(contentsOf: file, encoding: .utf8)
        var steps: [Step] = []
        for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: true).enumerated() {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                                      "\(file.lastPathComponent):\(n + 1) is not a JSON object")
            let keys = Set(object.keys)
            if let s = object["send"] as? String, keys == ["send"] {
                steps.append(.send(Array(s.utf8)))
            } else if let b = object["send_base64"] as? String, keys == ["send_base64"] {
                steps.append(.send(Array(try #require(Data(base64Encoded: b)))))
            } else if let e = object["expect"] as? [String: Any], keys.isSubset(of: ["expect", "many"]) {
                steps.append(.expect(e, many: object["many"] as? Bool ?? false))
            } else if object["expect_close"] as? Bool == true, keys == ["expect_close"] {
                steps.append(.close)
            } else if object["comment"] is String, keys == ["comment"] {
                continue
            } else {
                Issue.record("\(file.lastPathComponent):\(n + 1): unknown transcript line \(line)")
            }
        }
        return steps
    }

    @Test func transcriptsExist() {
        let names = Set(Self.files.map(\.lastPathComponent))
        #expect(names.isSuperset(of: ["basics.ndjson", "append-read.ndjson", "replay-subscribe.ndjson", "ingest.ndjson"]))
    }

    @Test func everyFileStartsWithHelloAndEndsItsRequests() throws {
        for file in Self.files {
            let steps = try Self.steps(file)
            guard case .expect(let first, _) = steps.first else {
                Issue.record("\(file.lastPathComponent) must begin with the server's hello")
                continue
            }
            #expect(first["type"] as? String == "hello", "\(file.lastPathComponent)")
        }
    }

    /// Codes only the codec produces for a line it could not turn into a request.
    static let lineOnlyCodes: Set<String> = ["bad_json", "too_deep", "unknown_op", "line_too_long"]
    static let terminalTypes: Set<String> = ["ok", "error", "end"]

    @Test(arguments: files) func sendsParseToWhatTheRepliesSay(_ file: URL) throws {
        let steps = try Self.steps(file)
        let name = file.lastPathComponent
        var anonymousSubscriptions = 0
        for (i, step) in steps.enumerated() {
            guard case .send(let bytes) = step else { continue }
            // The framer first: a transcript line is one line of the stream.
            var lines: [ByteBuffer] = []
            let processor = NIOSingleStepByteToMessageProcessor(NDJSONFrameDecoder())
            var raw = bytes
            if raw.last != 0x0A { raw.append(0x0A) }
            try processor.process(buffer: ByteBuffer(bytes: raw)) { frame in
                if case .line(let l) = frame { lines.append(l) }
            }
            #expect(lines.count == 1, "\(name) step \(i): one line per send")
            guard let line = lines.first else { continue }
            let following: [[String: Any]] = steps[(i + 1)...].prefix { if case .send = $0 { false } else { true } }
                .compactMap { if case .expect(let e, _) = $0 { e } else { nil } }
            switch RequestParser().parse(line) {
            case .failure(let error):
                let reply = try #require(following.first, "\(name) step \(i): no reply to a refused line")
                #expect(reply["type"] as? String == "error", "\(name) step \(i)")
                #expect(reply["code"] as? String == error.code.rawValue, "\(name) step \(i): codec says \(error)")
                #expect(reply["closes"] as? Bool == error.closes, "\(name) step \(i)")
                #expect(Self.idMatches(reply["id"], error.id), "\(name) step \(i): id")
                // The exact field set the encoder writes for this error.
                #expect(Set(reply.keys) == Self.keys(encoding: { Reply.error(error, into: &$0) }), "\(name) step \(i)")
            case .success(let parsed):
                var id = parsed.id
                if id == nil, case .subscribe = parsed.request {
                    anonymousSubscriptions += 1
                    id = .string("sub-\(anonymousSubscriptions)")
                }
                let mine = following.filter { Self.idMatches($0["id"], id) }
                if case .subscribe = parsed.request {
                    let first = try #require(mine.first, "\(name) step \(i): a subscription says something")
                    let type = first["type"] as? String ?? ""
                    #expect(["event", "caught_up", "error"].contains(type), "\(name) step \(i)")
                    if type == "error" { #expect(!Self.lineOnlyCodes.contains(first["code"] as? String ?? "")) }
                    continue
                }
                let terminal = try #require(mine.first { Self.terminalTypes.contains($0["type"] as? String ?? "") },
                                            "\(name) step \(i): no terminal line for \(parsed.request.op)")
                if terminal["type"] as? String == "error" {
                    #expect(!Self.lineOnlyCodes.contains(terminal["code"] as? String ?? ""),
                            "\(name) step \(i): the codec accepted this line")
                } else {
                    #expect(terminal["op"] as? String == parsed.request.op.rawValue, "\(name) step \(i)")
                }
            }
        }
    }

    @Test(arguments: files) func expectedLinesHaveTheEncodersFields(_ file: URL) throws {
        for (i, step) in try Self.steps(file).enumerated() {
            guard case .expect(let e, _) = step else { continue }
            if e["*"] as? String == "*" { continue }  // open shape (stats)
            guard let sample = Self.sample(like: e) else {
                Issue.record("\(file.lastPathComponent) step \(i): no encoder writes \(e)")
                continue
            }
            #expect(Self.sameShape(e, sample), "\(file.lastPathComponent) step \(i): \(e.keys.sorted()) vs \(sample.keys.sorted())")
        }
    }

    // MARK: Helpers

    static func idMatches(_ value: Any?, _ id: RequestID?) -> Bool {
        switch (value, id) {
        case (nil, nil): true
        case (let s as String, .string(let t)?): s == t || s == "*"
        case (let n as NSNumber, .number(let m)?): n.int64Value == m
        default: false
        }
    }

    static func keys(encoding body: (inout ByteBuffer) -> Void) -> Set<String> {
        var b = ByteBuffer()
        body(&b)
        return Set(((try? JSONSerialization.jsonObject(with: Data(b.readableBytesView))) as? [String: Any] ?? [:]).keys)
    }

    static func decoded(_ body: (inout ByteBuffer) -> Void) -> [String: Any]? {
        var b = ByteBuffer()
        body(&b)
        return (try? JSONSerialization.jsonObject(with: Data(b.readableBytesView))) as? [String: Any]
    }

    /// Same keys, recursively for nested objects the envelope defines (not `data`, a payload).
    static func sameShape(_ expected: [String: Any], _ actual: [String: Any]) -> Bool {
        guard Set(expected.keys) == Set(actual.keys) else { return false }
        for (k, v) in expected where k != "data" {
            if let nested = v as? [String: Any] {
                guard let other = actual[k] as? [String: Any], sameShape(nested, other) else { return false }
            }
        }
        return true
    }

    /// A line of the same kind as `e`, written by the encoders with placeholder values.
    static func sample(like e: [String: Any]) -> [String: Any]? {
        let id: RequestID? = e["id"] == nil ? nil : .string("x")
        let stream = try! StreamName("s")
        let p = Position(1)
        switch e["type"] as? String {
        case "hello": return decoded { Reply.hello(ServerHello(serverVersion: "v", head: p), into: &$0) }
        case "event": return decoded { Reply.event(id: id, sampleEvent, into: &$0) }
        case "caught_up": return decoded { Reply.caughtUp(id: id ?? .string("x"), next: p, head: p, into: &$0) }
        case "fell_behind": return decoded { Reply.fellBehind(id: id ?? .string("x"), next: p, head: p, into: &$0) }
        case "heartbeat": return decoded { Reply.heartbeat(id: id ?? .string("x"), head: p, into: &$0) }
        case "shutting_down": return decoded { Reply.shuttingDown(into: &$0) }
        case "help": return decoded { b in Reply.line(type: "help", id: id, into: &b) { $0.field("text", "t") } }
        case "error":
            let code = ErrorCode(rawValue: e["code"] as? String ?? "") ?? .internal
            let error: ProtocolError = switch code {
            case .wrongExpectedVersion: .wrongExpectedVersion(id: id, stream: stream, expected: .any, actual: nil)
            case .notFound: e["stream"] != nil ? .streamNotFound(id: id, stream: stream)
                : .subscriptionNotFound(id: id, subscription: .number(1))
            case .positionOutOfRange: .positionOutOfRange(id: id, position: p, head: p)
            case .tooDeep: ProtocolError(.tooDeep, "m", id: id, details: ["max_depth": 32])
            case .lineTooLong: .lineTooLong(byteCount: 9, limits: .default)
            case .tooManySubscriptions: .tooManySubscriptions(id: id, limit: 16)
            default: ProtocolError(code, "m", id: id)
            }
            return decoded { Reply.error(error, into: &$0) }
        case "ok":
            switch Op(rawValue: e["op"] as? String ?? "") {
            case .ping: return decoded { Reply.pong(id: id, head: p, into: &$0) }
            case .hello: return decoded { Reply.helloOK(id: id, serverVersion: "v", client: e["client"] == nil ? nil : "c", into: &$0) }
            case .auth: return decoded { Reply.authOK(id: id, into: &$0) }
            case .quit: return decoded { Reply.quitOK(id: id, into: &$0) }
            case .help: return decoded { Reply.ok(id: id, op: .help, into: &$0) }
            case .unsubscribe: return decoded { Reply.unsubscribeOK(id: id, subscription: .number(1), into: &$0) }
            case .append:
                return decoded {
                    Reply.appendOK(id: id, AppendResult(stream: stream, positions: [p], lastVersion: StreamVersion(0),
                                                        recordedAt: Timestamp(rawValue: 0), duplicate: false), into: &$0)
                }
            case .ingest:
                return decoded {
                    Reply.ingestOK(id: id, IngestOutcome(stream: stream, contentHash: ContentHash(ofArticleText: "x"),
                                                         positions: [p], statements: 0, tensions: 0, duplicate: false), into: &$0)
                }
            default: return nil
            }
        case "end":
            switch Op(rawValue: e["op"] as? String ?? "") {
            case .read: return decoded { Reply.readEnd(id: id, stream: stream, nextVersion: StreamVersion(0), count: 0, into: &$0) }
            case .replay: return decoded { Reply.replayEnd(id: id, next: p, count: 0, head: p, into: &$0) }
            case .subscribe: return decoded { Reply.subscriptionEnd(id: id ?? .number(1), next: p, reason: .quit, into: &$0) }
            case .query: return decoded { Reply.queryEnd(id: id, kind: .statements, count: 0, into: &$0) }
            default: return nil
            }
        default: return nil
        }
    }
}
