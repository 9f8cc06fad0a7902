import DatelineProtocol
import DatelineTestSupport
import Foundation
import Testing
@testable import DatelineServer

/// After a bounded loop of oversized and hostile lines over many connections, the server still
/// answers every line once, keeps serving, and returns the freed heap to the system once the
/// clients have gone (the figures themselves are `dateline-load --abuse`'s).
@Suite(.serialized, .timeLimit(.minutes(2))) struct MemoryAfterAbuseTests {
    static let hostile = [
        "{\"op\":\"ping\",\"id\":",
        String(repeating: "[", count: 300) + String(repeating: "]", count: 300),
        "{\"op\":\"frobnicate\",\"id\":1}",
        "{\"op\":\"replay\",\"speaker\":\"" + String(repeating: "z", count: 4096) + "\"}",
        "{\"op\":\"ping\",\"id\":\"ok\"}",
    ]

    @Test func hostileClientsComeAndGoAndTheServerAnswersAndGivesTheHeapBack() async throws {
        let limits = ProtocolLimits(maxLineBytes: 64 << 10)
        try await withServer(limits: limits) { server in
            try await blocking {
                for _ in 0..<3 {
                    let clients = try (0..<8).map { _ in try server.client() }
                    for c in clients {
                        for _ in 0..<5 {
                            try c.send(String(repeating: "x", count: 100 << 10))  // over the line limit
                            for line in Self.hostile { try c.send(line) }
                        }
                    }
                    for c in clients {
                        var codes: [String] = []
                        for _ in 0..<(5 * (Self.hostile.count + 1)) {
                            let reply = try c.next()
                            codes.append(reply.code ?? (reply["type"] as? String ?? "?"))
                        }
                        #expect(codes.filter { $0 == "line_too_long" }.count == 5)
                        #expect(codes.filter { $0 == "ok" }.count == 5, "each round's ping answered: \(codes)")
                        c.close()
                    }
                }
                let c = try server.client()
                defer { c.close() }
                #expect(try c.terminal("PING").type == "ok")
                let stats = try waitForStats(c) { $0.int("connections_open") == 1 }
                #expect(stats.int("connections_accepted") == 25)
            }
            // The freed heap goes back after the connections closed (a trim on the read pool).
            var trims = 0
            for _ in 0..<300 where trims == 0 {
                trims = server.server.heapTrims
                if trims == 0 { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(trims > 0, "no heap trim after the connections closed")
        }
    }

    /// A weak reference, filled on the connection's event loop.
    final class WeakHandler: @unchecked Sendable {
        weak var handler: ConnectionHandler?
    }

    @Test func aClosedConnectionsHandlerAndChannelAreFreed() async throws {
        try await withServer { server in
            let clients = try await blocking { try (0..<4).map { _ in try server.client() } }
            var refs: [WeakHandler] = []
            for entry in server.server.openConnections {
                refs.append(try await entry.channel.eventLoop.submit {
                    let ref = WeakHandler()
                    ref.handler = entry.handler.value
                    return ref
                }.get())
            }
            #expect(refs.count == 4)
            #expect(refs.allSatisfy { $0.handler != nil })
            try await blocking {
                try clients[0].send(String(repeating: "x", count: 200 << 10))  // a large read first
                _ = try clients[0].next()
                for client in clients { client.close() }
            }
            // Closed connections must not keep their handler (and with it the channel and its
            // buffers): a handler that held its own registry entry lived for ever.
            for _ in 0..<100 where refs.contains(where: { $0.handler != nil }) {
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(refs.allSatisfy { $0.handler == nil }, "handlers still alive after their connections closed")
        }
    }
}
