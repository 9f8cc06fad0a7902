import DatelineClient
import DatelineCore
import DatelineProtocol
import DatelineServer
import DatelineTestSupport
import DatelineService
import EventLog
import Foundation
import Logging
import NIOCore
import Testing

extension [String: Any] {
    var type: String? { self["type"] as? String }
    var code: String? { self["code"] as? String }
    func int(_ key: String) -> Int? { (self[key] as? NSNumber)?.intValue }
}

/// An append request of `count` small events to `stream`.
func appendRequest(id: String, stream: String, count: Int, payloadBytes: Int = 16, type: String = "NoteTaken") -> String {
    let filler = String(repeating: "x", count: payloadBytes)
    let events = (0..<count).map { "{\"type\":\"\(type)\",\"data\":{\"n\":\($0),\"f\":\"\(filler)\"}}" }
    return "{\"op\":\"append\",\"id\":\"\(id)\",\"stream\":\"\(stream)\",\"events\":[\(events.joined(separator: ","))]}"
}

/// Polls `stats` from `client` until `condition` holds for it (or the attempts run out).
func waitForStats(_ client: TestClient, attempts: Int = 200, _ condition: ([String: Any]) -> Bool) throws -> [String: Any] {
    var last: [String: Any] = [:]
    for _ in 0..<attempts {
        last = try client.terminal("{\"op\":\"stats\"}")
        if condition(last) { return last }
        usleep(25_000)
    }
    return last
}

func subscriptions(in stats: [String: Any]) -> [[String: Any]] {
    ((stats["connections"] as? [[String: Any]]) ?? []).flatMap { ($0["subscriptions"] as? [[String: Any]]) ?? [] }
}
