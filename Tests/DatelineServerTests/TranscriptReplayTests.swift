import DatelineClient
import DatelineServer
import DatelineTestSupport
import Foundation
import Testing

/// Replays the golden transcripts in Protocol/examples against a real server, one fresh server
/// and log per file, over a real socket.
@Suite(.serialized, .timeLimit(.minutes(2))) struct TranscriptReplayTests {
    static let examples = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Protocol/examples")

    static var files: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: examples.path)) ?? [])
            .filter { $0.hasSuffix(".ndjson") }.sorted()
    }

    @Test func transcriptsArePresent() {
        #expect(Self.files.count >= 4, "expected the golden transcripts in \(Self.examples.path)")
    }

    @Test(arguments: files) func replay(_ name: String) async throws {
        let text = try String(contentsOf: Self.examples.appendingPathComponent(name), encoding: .utf8)
        // An empty log has empty timelines: the transcripts' queries expect no rows.
        try await withServer(configure: { $0.queryHandler = { _ in [] } }) { server in
        let port = server.port
        try await blocking {
            let client = try LineClient(host: "127.0.0.1", port: port)
            defer { client.close() }
            var lineNumber = 0
            var received: [String: Any]?
            func nextLine() throws -> [String: Any]? {
                if let r = received { received = nil; return r }
                while true {
                    guard let bytes = try client.readLine(timeout: 10) else { return nil }
                    let object = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any],
                                              "\(name): not a JSON object: \(String(decoding: bytes, as: UTF8.self))")
                    if object["type"] as? String == "heartbeat" { continue }
                    return object
                }
            }
            for raw in text.split(separator: "\n", omittingEmptySubsequences: true) {
                lineNumber += 1
                let step = try #require(try JSONSerialization.jsonObject(with: Data(raw.utf8)) as? [String: Any])
                if step["comment"] != nil { continue }
                if let send = step["send"] as? String {
                    try client.send(send)
                } else if let b64 = step["send_base64"] as? String {
                    try client.sendRaw(Array(try #require(Data(base64Encoded: b64))))
                } else if let expected = step["expect"] as? [String: Any] {
                    let many = step["many"] as? Bool ?? false
                    let got = try #require(try nextLine(), "\(name):\(lineNumber): connection closed, expected \(expected)")
                    let ok = Self.matches(got, expected)
                    #expect(ok, "\(name):\(lineNumber): got \(got), expected \(expected)")
                    if !ok { return }
                    if many {
                        // One or more: consume further matching lines.
                        while let more = try nextLine() {
                            if !Self.matches(more, expected) { received = more; break }
                        }
                    }
                } else if step["expect_close"] as? Bool == true {
                    let after = try nextLine()
                    #expect(after == nil, "\(name):\(lineNumber): expected the server to close, got \(after ?? [:])")
                }
            }
        }
        }
    }

    /// Exact keys, equal values, "*" matches anything, a "*" key allows extra keys.
    static func matches(_ got: Any?, _ expected: Any?) -> Bool {
        if let s = expected as? String, s == "*" { return true }
        switch (got, expected) {
        case (let g as [String: Any], let e as [String: Any]):
            let allowExtra = (e["*"] as? String) == "*"
            let expectedKeys = Set(e.keys).subtracting(["*"])
            if !allowExtra && Set(g.keys) != expectedKeys { return false }
            return expectedKeys.allSatisfy { g[$0] != nil && matches(g[$0], e[$0]) }
        case (let g as [Any], let e as [Any]):
            return g.count == e.count && zip(g, e).allSatisfy { matches($0, $1) }
        case (let g as String, let e as String):
            return g == e
        case (is NSNull, is NSNull):
            return true
        case (let g as NSNumber, let e as NSNumber):
            return g == e
        default:
            return false
        }
    }
}
