import DatelineCore
import DatelineTestSupport
import Foundation
import Testing
@testable import EventLog

@Suite("Appends: positions, concurrency control, idempotency, atomicity")
struct AppendTests {
    @Test func appendAssignsContiguousPositionsAndVersions() async throws {
        let dir = try TemporaryDirectory()
        let store = try openStore(dir.file("log.sqlite"))
        defer { store.close() }
        #expect(try store.head() == .start)

        let a = try await store.append(to: stream("s-a"), expecting: .noStream, events: [event("a1"), event("a2")])
        #expect(a.positions == [Position(1), Position(2)])
        #expect(a.lastVersion == StreamVersion(1))
        #expect(a.duplicate == false)
        let b = try await store.append(to: stream("s-b"), events: [event("b1")])
        #expect(b.positions == [Position(3)])
        #expect(b.lastVersion == StreamVersion(0))
        let c = try await store.append(to: stream("s-a"), expecting: .exact(StreamVersion(1)), events: [event("a3")])
        #expect(c.positions == [Position(4)])
        #expect(c.lastVersion == StreamVersion(2))

        #expect(try store.head() == Position(4))
        let all = try store.read(from: .start, limit: 100)
        #expect(all.map(\.position.rawValue) == [1, 2, 3, 4])
        #expect(all.map(\.id.rawValue) == ["a1", "a2", "b1", "a3"])
        #expect(all.map(\.stream.rawValue) == ["s-a", "s-a", "s-b", "s-a"])
        #expect(all[0].data == event("a1").data)

        let streamA = try store.readStream(stream("s-a"))
        #expect(streamA.map(\.version.rawValue) == [0, 1, 2])
        #expect(try store.readStream(stream("s-a"), from: StreamVersion(2)).map(\.id.rawValue) == ["a3"])
        #expect(try store.streamVersion(stream("s-a")) == StreamVersion(2))
        #expect(try store.streamVersion(stream("nothing")) == nil)
        #expect(try store.event(at: Position(3))?.id.rawValue == "b1")
        #expect(try store.event(at: Position(99)) == nil)

        // Paging is inclusive of the start position.
        let page1 = try store.read(from: .start, limit: 3)
        let page2 = try store.read(from: page1.last!.position.next, limit: 3)
        #expect(page1.count == 3)
        #expect(page2.map(\.position.rawValue) == [4])
        #expect(try await store.async.read(from: Position(2), limit: 1).map(\.position.rawValue) == [2])
        #expect(try await store.async.head() == Position(4))
    }

    @Test func everyExpectedVersionCase() async throws {
        let dir = try TemporaryDirectory()
        let store = try openStore(dir.file("log.sqlite"))
        defer { store.close() }
        let s = stream("orders-1")

        await #expect(throws: EventLogError.wrongExpectedVersion(stream: s, expected: .exists, actual: nil)) {
            try await store.append(to: s, expecting: .exists, events: [event("e0")])
        }
        await #expect(throws: EventLogError.wrongExpectedVersion(stream: s, expected: .exact(StreamVersion(0)), actual: nil)) {
            try await store.append(to: s, expecting: .exact(StreamVersion(0)), events: [event("e0")])
        }
        _ = try await store.append(to: s, expecting: .noStream, events: [event("e0"), event("e1")])
        await #expect(throws: EventLogError.wrongExpectedVersion(stream: s, expected: .noStream, actual: StreamVersion(1))) {
            try await store.append(to: s, expecting: .noStream, events: [event("x1")])
        }
        await #expect(throws: EventLogError.wrongExpectedVersion(stream: s, expected: .exact(StreamVersion(5)), actual: StreamVersion(1))) {
            try await store.append(to: s, expecting: .exact(StreamVersion(5)), events: [event("x2")])
        }
        await #expect(throws: EventLogError.wrongExpectedVersion(stream: s, expected: .exact(StreamVersion(0)), actual: StreamVersion(1))) {
            try await store.append(to: s, expecting: .exact(StreamVersion(0)), events: [event("x3")])
        }
        #expect(try await store.append(to: s, expecting: .exists, events: [event("e2")]).lastVersion == StreamVersion(2))
        #expect(try await store.append(to: s, expecting: .exact(StreamVersion(2)), events: [event("e3")]).lastVersion == StreamVersion(3))
        #expect(try await store.append(to: s, expecting: .any, events: [event("e4")]).lastVersion == StreamVersion(4))
        // The refused batches wrote nothing.
        #expect(try store.head() == Position(5))
        #expect(try store.readStream(s).map(\.id.rawValue) == ["e0", "e1", "e2", "e3", "e4"])
        let message = EventLogError.wrongExpectedVersion(stream: s, expected: .noStream, actual: StreamVersion(4)).description
        #expect(message.contains("orders-1") && message.contains("no_stream") && message.contains("4"))
    }

    @Test func retriedBatchReturnsOriginalPositionsAndWritesNothing() async throws {
        let dir = try TemporaryDirectory()
        let store = try openStore(dir.file("log.sqlite"))
        defer { store.close() }
        let s = stream("article-1")
        let batch = [event("k1"), event("k2"), event("k3")]
        _ = try await store.append(to: stream("other"), events: [event("o1")])
        let first = try await store.append(to: s, expecting: .noStream, events: batch)
        _ = try await store.append(to: stream("other"), events: [event("o2")])

        // The retry's expectation (no_stream) no longer holds, but idempotency answers first.
        let retry = try await store.append(to: s, expecting: .noStream, events: batch)
        #expect(retry.duplicate)
        #expect(retry.positions == first.positions)
        #expect(retry.lastVersion == first.lastVersion)
        #expect(retry.recordedAt == first.recordedAt)
        #expect(try store.head() == Position(5))

        let retrySync = try store.appendSync(to: s, events: batch)
        #expect(retrySync.duplicate && retrySync.positions == first.positions)
    }

    @Test func mixedOrInvalidBatchesAreRefusedWhole() async throws {
        let dir = try TemporaryDirectory()
        let store = try openStore(dir.file("log.sqlite"))
        defer { store.close() }
        let s = stream("article-2")
        _ = try await store.append(to: s, events: [event("m1"), event("m2")])

        await #expect(throws: EventLogError.mixedEventIDs(stream: s, alreadyStored: [try EventID("m2")], new: [try EventID("m3")])) {
            try await store.append(to: s, events: [event("m2"), event("m3")])
        }
        // New id first, stored id second: the first insert succeeds before the conflict is
        // found, and must be rolled back.
        await #expect(throws: EventLogError.mixedEventIDs(stream: s, alreadyStored: [try EventID("m1")], new: [try EventID("m4")])) {
            try await store.append(to: s, events: [event("m4"), event("m1")])
        }
        await #expect(throws: EventLogError.eventIDInOtherStream(id: try EventID("m1"), stream: stream("elsewhere"), storedIn: s)) {
            try await store.append(to: stream("elsewhere"), events: [event("m1")])
        }
        await #expect(throws: EventLogError.emptyBatch(stream: s)) {
            try await store.append(to: s, events: [])
        }
        await #expect(throws: EventLogError.duplicateEventIDInBatch(stream: s, id: try EventID("n1"))) {
            try await store.append(to: s, events: [event("n1"), event("n1")])
        }
        #expect(try store.head() == Position(2))
        #expect(try store.read(from: .start, limit: 10).map(\.id.rawValue) == ["m1", "m2"])
        // "m3" was not written by the refused batch, so it can be appended now.
        #expect(try await store.append(to: s, events: [event("m3")]).positions == [Position(3)])
    }

    @Test func failingBatchInAGroupCommitDoesNotAffectTheOthers() async throws {
        let dir = try TemporaryDirectory()
        let store = try openStore(dir.file("log.sqlite"))
        defer { store.close() }
        _ = try await store.append(to: stream("taken"), events: [event("t0")])

        // Hold the writer inside a commit observer so the next batches queue up and are
        // committed together in one transaction.
        let gate = DispatchSemaphore(value: 0)
        let holding = Flag()
        let token = store.addCommitObserver { _ in
            if holding.take() { gate.wait() }
        }
        holding.set()
        let blocker = Task { try await store.append(to: stream("blocker"), events: [event("blk")]) }
        #expect(await waitUntil { holding.isTaken })

        let good1 = Task { try await store.append(to: stream("g1"), expecting: .noStream, events: [event("g1a"), event("g1b")]) }
        #expect(await waitUntil { store.writer.queuedRequestCount == 1 })
        let bad = Task { try await store.append(to: stream("taken"), expecting: .noStream, events: [event("bad1"), event("bad2")]) }
        #expect(await waitUntil { store.writer.queuedRequestCount == 2 })
        let good2 = Task { try await store.append(to: stream("g2"), events: [event("g2a")]) }
        #expect(await waitUntil { store.writer.queuedRequestCount == 3 })
        // A retry of good1's batch in the same transaction is answered as a duplicate.
        let retry1 = Task { try await store.append(to: stream("g1"), expecting: .noStream, events: [event("g1a"), event("g1b")]) }
        #expect(await waitUntil { store.writer.queuedRequestCount == 4 })
        gate.signal()

        _ = try await blocker.value
        let r1 = try await good1.value
        let r2 = try await good2.value
        await #expect(throws: EventLogError.wrongExpectedVersion(stream: stream("taken"), expected: .noStream, actual: StreamVersion(0))) {
            try await bad.value
        }
        store.removeCommitObserver(token)
        let again = try await retry1.value
        #expect(again.duplicate && again.positions == [Position(3), Position(4)])
        let stats = store.writerStatistics
        #expect(stats.largestCommitBatches == 4)
        #expect(stats.refusedBatches == 1)
        #expect(stats.events == 5)
        #expect(r1.positions == [Position(3), Position(4)])
        #expect(r2.positions == [Position(5)])
        // One transaction: one commit timestamp.
        #expect(r1.recordedAt == r2.recordedAt)
        let ids = try store.read(from: .start, limit: 100).map(\.id.rawValue)
        #expect(ids == ["t0", "blk", "g1a", "g1b", "g2a"])
        #expect(try store.verify().isHealthy)
    }

    @Test func sixtyFourConcurrentAppendersLeaveNoGapsOrDuplicates() async throws {
        let dir = try TemporaryDirectory()
        let store = try openStore(dir.file("log.sqlite"), EventStoreOptions(durability: .normal))
        defer { store.close() }
        let appenders = 64, perAppender = 15
        let acknowledged = try await withThrowingTaskGroup(of: [(Position, String)].self) { group in
            for a in 0..<appenders {
                group.addTask {
                    var acks: [(Position, String)] = []
                    for i in 0..<perAppender {
                        let id = "c\(a)-\(i)"
                        // Half share one stream with expect any, half own a stream with exact versions.
                        let result: AppendResult
                        if a % 2 == 0 {
                            result = try await store.append(to: stream("shared"), expecting: .any,
                                                            events: [event(id, data: statementJSON(seed: a * 100 + i))])
                        } else {
                            result = try await store.append(to: stream("own-\(a)"),
                                                            expecting: i == 0 ? .noStream : .exact(StreamVersion(Int64(i - 1))),
                                                            events: [event(id, data: statementJSON(seed: a * 100 + i))])
                        }
                        acks.append((result.positions[0], id))
                    }
                    return acks
                }
            }
            var all: [(Position, String)] = []
            for try await acks in group { all.append(contentsOf: acks) }
            return all
        }
        let total = appenders * perAppender
        #expect(acknowledged.count == total)
        #expect(Set(acknowledged.map(\.0)).count == total)
        #expect(acknowledged.map(\.0.rawValue).sorted() == Array(1...Int64(total)))
        #expect(try store.head() == Position(Int64(total)))
        var byPosition: [Int64: String] = [:]
        try store.forEachEvent { byPosition[$0.position.rawValue] = $0.id.rawValue }
        for (position, id) in acknowledged { #expect(byPosition[position.rawValue] == id) }
        let shared = try store.readStream(stream("shared"))
        #expect(shared.map(\.version.rawValue) == Array(0..<Int64(shared.count)))
        #expect(shared.count == appenders / 2 * perAppender)
        let report = try store.verify()
        #expect(report.isHealthy, "\(report.faults)")
        #expect(report.events == total)
        #expect(report.streams == 1 + appenders / 2)
    }

    @Test func appendAfterCloseFails() async throws {
        let dir = try TemporaryDirectory()
        let store = try openStore(dir.file("log.sqlite"))
        _ = try await store.append(to: stream("s"), events: [event("x")])
        store.close()
        await #expect(throws: EventLogError.closed) { try await store.append(to: stream("s"), events: [event("y")]) }
        #expect(throws: EventLogError.closed) { try store.head() }
        let reopened = try openStore(dir.file("log.sqlite"))
        defer { reopened.close() }
        #expect(try reopened.head() == Position(1))
    }

    @Test func recordedAtIsNonDecreasingAndFindsPositionsByTime() async throws {
        let dir = try TemporaryDirectory()
        let store = try openStore(dir.file("log.sqlite"))
        defer { store.close() }
        #expect(try store.firstPosition(atOrAfter: Timestamp(rawValue: 0)) == nil)
        var results: [AppendResult] = []
        for i in 0..<6 {
            results.append(try await store.append(to: stream("t"), events: [event("t\(i)a"), event("t\(i)b")]))
            try await Task.sleep(nanoseconds: 2_000_000)
        }
        let times = try store.read(from: .start, limit: 100).map(\.recordedAt)
        #expect(times == times.sorted())
        #expect(times[0] == times[1])
        for result in results {
            let first = try store.firstPosition(atOrAfter: result.recordedAt)
            #expect(first == result.positions[0])
            let justAfter = try await store.async.firstPosition(atOrAfter: Timestamp(rawValue: result.recordedAt.rawValue + 1))
            let next = results.first { $0.recordedAt.rawValue > result.recordedAt.rawValue }
            #expect(justAfter == next?.positions[0])
        }
        #expect(try store.firstPosition(atOrAfter: Timestamp(rawValue: 0)) == Position(1))
    }

    @Test func observersSeeCommittedEventsInOrderWithOriginalPayloads() async throws {
        let dir = try TemporaryDirectory()
        let store = try openStore(dir.file("log.sqlite"))
        defer { store.close() }
        let seen = Collected()
        let token = store.addCommitObserver { seen.add($0) }
        let payload = statementJSON(seed: 7, size: 900)
        let first = try await store.append(to: stream("o"), events: [event("o1", data: payload), event("o2")])
        // Observers run before the appender is resumed.
        #expect(seen.events.map(\.position) == first.positions)
        #expect(seen.events[0].data == payload)
        #expect(seen.events[0].recordedAt == first.recordedAt)
        _ = try await store.append(to: stream("o"), events: [event("o1", data: payload), event("o2")]) // duplicate
        #expect(seen.events.count == 2)
        store.removeCommitObserver(token)
        _ = try await store.append(to: stream("o"), events: [event("o3")])
        #expect(seen.events.count == 2)
        #expect(seen.events == (try store.read(from: .start, limit: 2)))
    }

    @Test func countsSizesAndStoredBytes() async throws {
        let dir = try TemporaryDirectory()
        let store = try openStore(dir.file("log.sqlite"))
        defer { store.close() }
        _ = try await store.append(to: stream("c"), events: [
            event("c1", type: .articleIngested, data: statementJSON(seed: 1, size: 3000)),
            event("c2"), event("c3"), event("c4", type: .tensionObserved),
        ])
        let counts = try await store.async.countsByType()
        #expect(counts == [.articleIngested: 1, .statementRecorded: 2, .tensionObserved: 1])
        #expect(try store.databaseSize() > 0)
        let stored = try store.storedPayloadBytes(from: Position(1), through: Position(1))
        #expect(stored > 0 && stored < 3000)
        var types: [String] = []
        try store.forEachEvent(from: .start, types: [.statementRecorded, .tensionObserved]) { types.append($0.type.rawValue) }
        #expect(types == ["StatementRecorded", "StatementRecorded", "TensionObserved"])
        var bounded: [Int64] = []
        try store.forEachEvent(from: Position(2), until: Position(3)) { bounded.append($0.position.rawValue) }
        #expect(bounded == [2, 3])
    }
}

final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var armed = false
    private var taken = false
    func set() { lock.withLock { armed = true } }
    /// True once, for the first caller after `set()`.
    func take() -> Bool {
        lock.withLock {
            if armed && !taken { taken = true; return true }
            return false
        }
    }
    var isTaken: Bool { lock.withLock { taken } }
}

final class Collected: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [RecordedEvent] = []
    func add(_ events: [RecordedEvent]) { lock.withLock { stored.append(contentsOf: events) } }
    var events: [RecordedEvent] { lock.withLock { stored } }
}
