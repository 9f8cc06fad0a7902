import DatelineCore
import DatelineProjections
import DatelineService
import DatelineTestSupport
import EventLog
import Foundation
import Logging
import Testing

/// Budgeted timeline reads (the server's queries): side by side, stoppable.
@Suite struct TimelineQueryTests {
    @Test func aLongQueryDoesNotHoldUpAnother() async throws {
        let dir = try TemporaryDirectory()
        let engine = try DatelineEngine(databasePath: dir.path("log.sqlite"), logger: Logger(label: "test"))
        defer { engine.close() }
        _ = try await engine.ingest(Article(date: CalendarDate(parsing: "2022-01-27")!,
                                            text: "“We agreed,” the minister said on Thursday."))
        let timelines = try engine.timelines()
        let started = DispatchSemaphore(value: 0), release = DispatchSemaphore(value: 0)
        // The first query holds its connection until the second has been answered. Were
        // queries answered one at a time, the second would wait for it, and it would give up.
        async let first: Bool = timelines.read(budget: 60) { _ in
            started.signal()
            return release.wait(timeout: .now() + 20) == .success
        }
        // Waited for on a thread of its own: the cooperative pool must stay free to run `first`.
        #expect(try await blocking { started.wait(timeout: .now() + 20) == .success })
        let count = try await timelines.read(budget: 60) { try $0.statements(StatementQuery()).count }
        release.signal()
        #expect(try await first)
        #expect(count == 1)
    }

    @Test func stoppedQueriesThrowShuttingDown() async throws {
        let dir = try TemporaryDirectory()
        let engine = try DatelineEngine(databasePath: dir.path("log.sqlite"), logger: Logger(label: "test"))
        defer { engine.close() }
        let timelines = try engine.timelines()
        #expect(try await timelines.read(budget: 5) { try $0.statements(StatementQuery()).count } == 0)
        engine.stopQueries()
        await #expect(throws: QueryStopped.shuttingDown) { try await timelines.read(budget: 5) { _ in 1 } }
    }
}
