import DatelineCore
import EventLog
import Foundation
import Logging
import DatelineTestSupport
import PostgresLog

/// A log under test: a fresh, empty log of one backend, and a way to open a second,
/// independent writer on the same log (another process's view: its own connections, its own
/// writer), which the live-feed tests use as the foreign writer.
final class LogUnderTest: @unchecked Sendable {
    let log: any EventLogBackend
    private let second: @Sendable () async throws -> any EventLogBackend
    private let cleanup: @Sendable () async -> Void
    private var opened: [any EventLogBackend] = []

    init(log: any EventLogBackend, openSecondWriter: @escaping @Sendable () async throws -> any EventLogBackend,
         cleanup: @escaping @Sendable () async -> Void) {
        self.log = log
        self.second = openSecondWriter
        self.cleanup = cleanup
    }

    func openSecondWriter() async throws -> any EventLogBackend {
        let made = try await second()
        opened.append(made)
        return made
    }

    /// Closes every handle and removes what the backend made.
    func finish() async {
        for other in opened { await other.close() }
        await log.close()
        await cleanup()
    }
}

/// How to make a fresh log of one backend. The whole conformance suite runs once per entry of
/// `LogBackendFactory.all`; a new backend adds its entry here (skipping itself, with a clear
/// message, where its server is not available) and must pass every test unchanged.
struct LogBackendFactory: Sendable, CustomStringConvertible {
    let name: String
    let make: @Sendable () async throws -> LogUnderTest

    var description: String { name }

    /// PostgreSQL joins when the tests are given a server (`PostgresLogTests` says so when
    /// they are not).
    static let all: [LogBackendFactory] = TemporaryPostgresDatabase.isAvailable ? [sqlite, postgres] : [sqlite]

    static let sqlite = LogBackendFactory(name: "sqlite") {
        let directory = FileManager.default.temporaryDirectory.path + "/dateline-conformance-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = directory + "/log.sqlite"
        let logger = Logger(label: "dateline.conformance", factory: { _ in SwiftLogNoOpLogHandler() })
        // `.normal` keeps the suite quick; durability itself is tested elsewhere (CrashTests).
        let options = EventStoreOptions(durability: .normal)
        let store = try EventStore(path: path, options: options, logger: logger)
        return LogUnderTest(
            log: store.backend,
            openSecondWriter: { try EventStore(path: path, options: options, logger: logger).backend },
            cleanup: { try? FileManager.default.removeItem(atPath: directory) })
    }
}

extension LogBackendFactory {
    /// A fresh database on the test server per test; the second writer is another log object
    /// with its own connections, as another server would have.
    static let postgres = LogBackendFactory(name: "postgres") {
        let database = try await TemporaryPostgresDatabase.create(prefix: "dateline_conformance")
        let logger = Logger(label: "dateline.conformance", factory: { _ in SwiftLogNoOpLogHandler() })
        // A short fallback interval: the feed tests then also pass when a NOTIFY is missed.
        // A generous request limit: on a loaded 2-core machine a test may wait long for a thread;
        // the limit is there for a database that went away, which these tests do not do.
        let options = PostgresLogOptions(requestTimeout: .seconds(60), feedFallbackInterval: .milliseconds(50))
        let log = try await PostgresEventLog.open(database.location, options: options, logger: logger)
        return LogUnderTest(
            log: log,
            openSecondWriter: { try await PostgresEventLog.open(database.location, options: options, logger: logger) },
            cleanup: { await database.drop() })
    }
}

// MARK: Small helpers

func stream(_ name: String) -> StreamName { try! StreamName(name) }

func event(_ id: String, type: EventType = "NoteTaken", data: [UInt8]? = nil) -> ProposedEvent {
    ProposedEvent(id: try! EventID(id), type: type, data: data ?? Array(#"{"note":"\#(id)"}"#.utf8))
}

func events(_ prefix: String, _ count: Int) -> [ProposedEvent] {
    (0..<count).map { event("\(prefix)-\($0)") }
}

/// Runs `body` with a fresh log of `factory`'s backend and cleans up after it, even on failure.
func withLog(_ factory: LogBackendFactory, _ body: (LogUnderTest) async throws -> Void) async throws {
    let subject = try await factory.make()
    do {
        try await body(subject)
    } catch {
        await subject.finish()
        throw error
    }
    await subject.finish()
}

/// Collects what a `LogFollower` publishes.
final class PublishedEvents: @unchecked Sendable {
    private let lock = NSLock()
    private var events: [RecordedEvent] = []
    private var batches = 0

    func add(_ batch: [RecordedEvent]) {
        lock.withLock {
            events.append(contentsOf: batch)
            batches += 1
        }
    }

    var all: [RecordedEvent] { lock.withLock { events } }
    var count: Int { lock.withLock { events.count } }

    /// Waits (polling, bounded) until `count` events have been published.
    func wait(for count: Int, seconds: Double = 20) async -> Bool {
        let deadline = Date(timeIntervalSinceNow: seconds)
        while Date() < deadline {
            if self.count >= count { return true }
            try? await Task.sleep(for: .milliseconds(2))
        }
        return self.count >= count
    }
}

/// What an observer of committed heads saw.
final class HeadNotices: @unchecked Sendable {
    private let lock = NSLock()
    private var notices: [CommittedHead] = []

    func add(_ notice: CommittedHead) { lock.withLock { notices.append(notice) } }
    var all: [CommittedHead] { lock.withLock { notices } }

    func wait(until condition: ([CommittedHead]) -> Bool, seconds: Double = 10) async -> Bool {
        let deadline = Date(timeIntervalSinceNow: seconds)
        while Date() < deadline {
            if condition(all) { return true }
            try? await Task.sleep(for: .milliseconds(2))
        }
        return condition(all)
    }
}

/// Heads (or counts) observed by a reader.
final class HeadsSeen: @unchecked Sendable {
    private let lock = NSLock()
    private var heads: [Position] = []
    func add(_ head: Position) { lock.withLock { heads.append(head) } }
    var all: [Position] { lock.withLock { heads } }
}
