import DatelineClient
import DatelineCore
import DatelineProtocol
import DatelineServer
import DatelineService
import EventLog
import Foundation
import Logging
import NIOCore

/// A real server in this process on 127.0.0.1, an ephemeral port and a fresh SQLite file in a
/// temporary directory; through the public `DatelineTCPServer` API only.
public final class TestServer: @unchecked Sendable {
    public let directory: URL
    public let databasePath: String
    public let server: DatelineTCPServer
    /// The server's engine, for fixtures written straight to the log (engine event types that a
    /// raw `append` may not write).
    public let engine: DatelineEngine
    public let port: Int

    /// - Parameters:
    ///   - prepare: writes fixtures to the log before the server (and its timelines) open it.
    ///   - timelines: answer `query` from the engine's timelines.
    public static func start(limits: ProtocolLimits = ProtocolLimits(),
                             storeOptions: EventStoreOptions = EventStoreOptions(durability: .normal),
                             timelines: Bool = false, queryBudget: TimeAmount = ProtocolLimits.default.queryTimeBudget,
                             configure: (inout ServerConfiguration) -> Void = { _ in },
                             prepare: (EventStore) throws -> Void = { _ in }) async throws -> TestServer
    {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("datelined-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent("log.sqlite").path
        var logger = Logger(label: "datelined-test")
        logger.logLevel = .critical
        let engine = try DatelineEngine(databasePath: path, options: storeOptions, logger: logger)
        try prepare(engine.store.sqlite!)
        var configuration = ServerConfiguration(host: "127.0.0.1", port: 0, limits: limits, eventLoopThreads: 2)
        if timelines {
            configuration.queryHandler = try TimelineQueries.handler(engine: engine, budget: queryBudget)
            configuration.timelineStats = try TimelineQueries.stats(engine: engine)
        }
        configure(&configuration)
        let server = DatelineTCPServer(engine: engine, configuration: configuration, logger: logger)
        try await server.start()
        guard let port = server.port else { throw TestFailure("the server reports no port after start") }
        return TestServer(directory: directory, databasePath: path, server: server, engine: engine, port: port)
    }

    private init(directory: URL, databasePath: String, server: DatelineTCPServer, engine: DatelineEngine, port: Int) {
        self.directory = directory
        self.databasePath = databasePath
        self.server = server
        self.engine = engine
        self.port = port
    }

    /// Appends raw events straight to the log (not through the protocol), as a fixture.
    public func appendDirectly(stream: String, _ events: [(type: String, json: String)]) throws {
        let proposed = try events.map { e in
            ProposedEvent(id: try EventID("fixture-" + UUID().uuidString), type: try EventType(e.type), data: Array(e.json.utf8))
        }
        _ = try engine.store.appendSync(to: try StreamName(stream), events: proposed)
    }

    /// A connected client whose hello line has been read (blocking: call it from `blocking`).
    public func client(receiveBufferSize: Int? = nil) throws -> TestClient {
        let client = TestClient(try LineClient(host: "127.0.0.1", port: port, receiveBufferSize: receiveBufferSize))
        let hello = try client.next()
        guard hello["type"] as? String == "hello" else { throw TestFailure("the first line is not a hello: \(hello)") }
        return client
    }

    public func stop() async {
        await server.shutdown()
        try? FileManager.default.removeItem(at: directory)
    }
}

/// Starts a server, runs `body`, and stops the server whether or not `body` threw.
public func withServer(limits: ProtocolLimits = ProtocolLimits(),
                       storeOptions: EventStoreOptions = EventStoreOptions(durability: .normal),
                       timelines: Bool = false, queryBudget: TimeAmount = ProtocolLimits.default.queryTimeBudget,
                       configure: (inout ServerConfiguration) -> Void = { _ in },
                       prepare: (EventStore) throws -> Void = { _ in },
                       _ body: (TestServer) async throws -> Void) async throws {
    let server = try await TestServer.start(limits: limits, storeOptions: storeOptions, timelines: timelines,
                                            queryBudget: queryBudget, configure: configure, prepare: prepare)
    do {
        try await body(server)
    } catch {
        await server.stop()
        throw error
    }
    await server.stop()
}

/// A blocking line client that reads JSON objects.
public final class TestClient: @unchecked Sendable {
    public let line: LineClient

    public init(_ line: LineClient) { self.line = line }

    public func send(_ text: String) throws { try line.send(text) }

    public func sendRaw(_ bytes: [UInt8]) throws { try line.sendRaw(bytes) }

    /// The next line as a JSON object (heartbeats included).
    public func next(timeout: Double = 10) throws -> [String: Any] {
        guard let bytes = try line.readLine(timeout: timeout) else { throw TestFailure("the server closed the connection") }
        guard let object = try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else {
            throw TestFailure("not a JSON object: \(String(decoding: bytes, as: UTF8.self))")
        }
        return object
    }

    /// The next line that is not a heartbeat.
    public func nextSkippingHeartbeats(timeout: Double = 10) throws -> [String: Any] {
        while true {
            let object = try next(timeout: timeout)
            if object["type"] as? String != "heartbeat" { return object }
        }
    }

    /// Sends a request and returns its lines up to and including the terminal one.
    public func request(_ text: String, timeout: Double = 10) throws -> [[String: Any]] {
        try send(text)
        var lines: [[String: Any]] = []
        while true {
            let object = try nextSkippingHeartbeats(timeout: timeout)
            lines.append(object)
            if let type = object["type"] as? String, ["ok", "error", "end"].contains(type) { return lines }
        }
    }

    /// The terminal line of a request.
    public func terminal(_ text: String) throws -> [String: Any] {
        try request(text).last!
    }

    /// True when the server has closed the connection (after any lines still in flight).
    public func closedByServer(timeout: Double = 10) throws -> Bool {
        while true {
            guard (try line.readLine(timeout: timeout)) != nil else { return true }
        }
    }

    public func close() { line.close() }
}

public struct TestFailure: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
