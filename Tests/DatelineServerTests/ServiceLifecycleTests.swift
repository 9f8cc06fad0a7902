import DatelineClient
import DatelineProtocol
import DatelineTestSupport
import Foundation
import Logging
import ServiceLifecycle
import Testing
import DatelineServer

/// The server as a swift-service-lifecycle `Service`: a `ServiceGroup`'s graceful shutdown (what
/// SIGTERM and SIGINT trigger in `datelined`) tells clients `shutting_down`, answers the request
/// in flight and returns from `run()`.
@Suite(.serialized, .timeLimit(.minutes(2))) struct ServiceLifecycleTests {
    @Test func aServiceGroupsGracefulShutdownStopsTheServerTheWayShutdownDoes() async throws {
        let server = try await TestServer.start()
        var logger = Logger(label: "service-group")
        logger.logLevel = .critical
        let group = ServiceGroup(services: [server.server], logger: logger)
        let running = Task { try await group.run() }
        let port = server.port
        let clients = try await blocking { () -> LoopBoxes in
            let c = TestClient(try LineClient(host: "127.0.0.1", port: port))
            _ = try c.next()
            #expect(try c.terminal(appendRequest(id: "a", stream: "s", count: 3)).type == "ok")
            return LoopBoxes(writer: c, sub: c)
        }
        await group.triggerGracefulShutdown()
        try await running.value
        try await blocking { () throws -> Void in
            let client = clients.writer
            #expect(try client.next().type == "shutting_down")
            #expect(try client.closedByServer())
            client.close()
            #expect(throws: (any Error).self) { _ = try LineClient(host: "127.0.0.1", port: port) }
        }
        try? FileManager.default.removeItem(at: server.directory)
    }
}
