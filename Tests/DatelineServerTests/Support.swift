import DatelineClient
import DatelineCore
import DatelineProtocol
import DatelineServer
import DatelineService
import EventLog
import Foundation
import Logging
import NIOCore
import Testing

/// A real server on 127.0.0.1, an ephemeral port and a fresh SQLite file in a temporary
/// directory.
final class TestServer: @unchecked Sendable {
    let directory: URL
    let databasePath: String
    let server: DatelineTCPServer
    /// The server's engine, for fixtures written straight to the log (engine event types that a
    /// raw `append` may not write).
    let engine: DatelineEngine
    let port: Int

    /// - Parameters:
    ///   - prepare: writes fixtures to the log before the server (and its timelines) open it.
    ///   - timelines: answer `query` from the engine's timelines.
    static func start(limits: ProtocolLimits = ProtocolLimits(),
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
        return TestServer(directory: directory, databasePath: path, server: server, engine: engine,
                          port: try #require(server.port))
    }

    private init(directory: URL, databasePath: String, server: DatelineTCPServer, engine: DatelineEngine, port: Int) {
        self.directory = directory
        self.databasePath = databasePath
        self.server = server
        self.engine = engine
        self.port = port
    }

    /// Appends raw events straight to the log (not through the protocol), as a fixture.
    func appendDirectly(stream: String, _ events: [(type: String, json: String)]) throws {
        let proposed = try events.map { e in
            ProposedEvent(id: try EventID("fixture-" + UUID().uuidString), type: try EventType(e.type), data: Array(e.json.utf8))
        }
        _ = try engine.store.appendSync(to: try StreamName(stream), events: proposed)
    }

    /// A connected client whose hello line has been read.
    func client(receiveBufferSize: Int? = nil) throws -> TestClient {
        let client = TestClient(try LineClient(host: "127.0.0.1", port: port, receiveBufferSize: receiveBufferSize))
        let hello = try client.next()
        #expect(hello["type"] as? String == "hello")
        return client
    }

    func stop() async {
        await server.shutdown()
        try? FileManager.default.removeItem(at: directory)
    }
}

/// A line client that reads JSON objects.
final class TestClient {
    let line: LineClient

    init(_ line: LineClient) { self.line = line }

    func send(_ text: String) throws { try line.send(text) }

    func sendRaw(_ bytes: [UInt8]) throws { try line.sendRaw(bytes) }

    /// The next line as a JSON object (heartbeats included).
    func next(timeout: Double = 10) throws -> [String: Any] {
        guard let bytes = try line.readLine(timeout: timeout) else { throw TestFailure("the server closed the connection") }
        guard let object = try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else {
            throw TestFailure("not a JSON object: \(String(decoding: bytes, as: UTF8.self))")
        }
        return object
    }

    /// The next line that is not a heartbeat.
    func nextSkippingHeartbeats(timeout: Double = 10) throws -> [String: Any] {
        while true {
            let object = try next(timeout: timeout)
            if object["type"] as? String != "heartbeat" { return object }
        }
    }

    /// Sends a request and returns its lines up to and including the terminal one.
    func request(_ text: String, timeout: Double = 10) throws -> [[String: Any]] {
        try send(text)
        var lines: [[String: Any]] = []
        while true {
            let object = try nextSkippingHeartbeats(timeout: timeout)
            lines.append(object)
            if let type = object["type"] as? String, ["ok", "error", "end"].contains(type) { return lines }
        }
    }

    /// The terminal line of a request.
    func terminal(_ text: String) throws -> [String: Any] {
        try request(text).last!
    }

    /// True when the server has closed the connection (after any lines still in flight).
    func closedByServer(timeout: Double = 10) throws -> Bool {
        while true {
            guard (try line.readLine(timeout: timeout)) != nil else { return true }
        }
    }

    func close() { line.close() }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Runs blocking socket work on its own thread, so the cooperative pool stays free for the
/// server's async work.
func blocking<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread {
            do { continuation.resume(returning: try body()) } catch { continuation.resume(throwing: error) }
        }
        thread.stackSize = 4 << 20
        thread.start()
    }
}

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

/// Starts a server, runs `body`, and stops the server whether or not `body` threw.
func withServer(limits: ProtocolLimits = ProtocolLimits(),
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
