import DatelineCore
import EventLog
import Foundation
import Testing

/// The guarantees of `EventLogBackend`, checked through the interface alone, once per backend
/// in `LogBackendFactory.all`. Nothing here knows how a backend stores anything.
@Suite("Log conformance", .timeLimit(.minutes(2)))
struct ConformanceTests {
    // MARK: Appends

    @Test("appends get consecutive positions from 1 and versions from 0", arguments: LogBackendFactory.all)
    func appendsNumberEvents(backend: LogBackendFactory) async throws {
        try await withLog(backend) { subject in
            let log = subject.log
            #expect(try await log.head() == .start)
            let first = try await log.append(to: stream("a"), expecting: .noStream, events: events("a", 3))
            #expect(first.positions.map(\.rawValue) == [1, 2, 3])
            #expect(first.lastVersion == StreamVersion(2))
            #expect(!first.duplicate)
            let second = try await log.append(to: stream("b"), expecting: .any, events: events("b", 2))
            #expect(second.positions.map(\.rawValue) == [4, 5])
            #expect(second.lastVersion == StreamVersion(1))
            let third = try await log.append(to: stream("a"), expecting: .exact(StreamVersion(2)), events: events("a2", 1))
            #expect(third.positions.map(\.rawValue) == [6])
            #expect(third.lastVersion == StreamVersion(3))
            #expect(try await log.head() == Position(6))
            #expect(try await log.streamVersion(stream("a")) == StreamVersion(3))
            #expect(try await log.streamVersion(stream("missing")) == nil)
        }
    }

    @Test("payloads, ids, types and streams come back exactly as appended", arguments: LogBackendFactory.all)
    func readsReturnWhatWasAppended(backend: LogBackendFactory) async throws {
        try await withLog(backend) { subject in
            let log = subject.log
            let big = Array(String(repeating: #"{"text":"the minister said talks would continue"}"#, count: 200).utf8)
            let proposed = [event("p-1", type: "ArticleIngested", data: Array(#"{"x":1}"#.utf8)),
                            event("p-2", type: "StatementRecorded", data: big),
                            event("p-3", data: Array("{}".utf8))]
            let result = try await log.append(to: stream("article-1"), expecting: .noStream, events: proposed)
            let read = try await log.read(from: Position(1), limit: 10)
            #expect(read.count == 3)
            for (i, recorded) in read.enumerated() {
                #expect(recorded.position == result.positions[i])
                #expect(recorded.stream == stream("article-1"))
                #expect(recorded.version == StreamVersion(Int64(i)))
                #expect(recorded.id == proposed[i].id)
                #expect(recorded.type == proposed[i].type)
                #expect(recorded.data == proposed[i].data)
                #expect(recorded.recordedAt == result.recordedAt)
            }
        }
    }

    // MARK: Concurrency control

    @Test("expectations are checked against the stream's actual version", arguments: LogBackendFactory.all)
    func expectationsConflictWithActualVersion(backend: LogBackendFactory) async throws {
        try await withLog(backend) { subject in
            let log = subject.log
            let s = stream("orders")
            await #expect(throws: EventLogError.wrongExpectedVersion(stream: s, expected: .exists, actual: nil)) {
                try await log.append(to: s, expecting: .exists, events: [event("e0")])
            }
            await #expect(throws: EventLogError.wrongExpectedVersion(stream: s, expected: .exact(StreamVersion(0)), actual: nil)) {
                try await log.append(to: s, expecting: .exact(StreamVersion(0)), events: [event("e0")])
            }
            _ = try await log.append(to: s, expecting: .noStream, events: events("first", 2))
            await #expect(throws: EventLogError.wrongExpectedVersion(stream: s, expected: .noStream, actual: StreamVersion(1))) {
                try await log.append(to: s, expecting: .noStream, events: [event("again")])
            }
            await #expect(throws: EventLogError.wrongExpectedVersion(stream: s, expected: .exact(StreamVersion(0)),
                                                                     actual: StreamVersion(1))) {
                try await log.append(to: s, expecting: .exact(StreamVersion(0)), events: [event("stale")])
            }
            let ok = try await log.append(to: s, expecting: .exact(StreamVersion(1)), events: [event("next")])
            #expect(ok.lastVersion == StreamVersion(2))
            _ = try await log.append(to: s, expecting: .exists, events: [event("more")])
            // Refused batches wrote nothing.
            #expect(try await log.head() == Position(4))
            #expect(try await log.readStream(s).map(\.id.rawValue) == ["first-0", "first-1", "next", "more"])
        }
    }

    @Test("concurrent appenders expecting the same version: exactly one wins", arguments: LogBackendFactory.all)
    func racingExpectations(backend: LogBackendFactory) async throws {
        try await withLog(backend) { subject in
            let log = subject.log
            let s = stream("contested")
            _ = try await log.append(to: s, expecting: .noStream, events: [event("base")])
            let outcomes = await withTaskGroup(of: Bool.self) { group in
                for i in 0..<16 {
                    group.addTask {
                        do {
                            _ = try await log.append(to: s, expecting: .exact(StreamVersion(0)), events: [event("racer-\(i)")])
                            return true
                        } catch EventLogError.wrongExpectedVersion(_, _, actual: StreamVersion(1)) {
                            return false
                        } catch {
                            Issue.record("unexpected error \(error)")
                            return false
                        }
                    }
                }
                return await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 }.count == 1)
            #expect(try await log.streamVersion(s) == StreamVersion(1))
            #expect(try await log.head() == Position(2))
        }
    }

    // MARK: Idempotency

    @Test("a retried batch answers its original positions, even with a stale expectation", arguments: LogBackendFactory.all)
    func retriesAreDuplicates(backend: LogBackendFactory) async throws {
        try await withLog(backend) { subject in
            let log = subject.log
            let s = stream("retry")
            let batch = events("r", 3)
            let original = try await log.append(to: s, expecting: .noStream, events: batch)
            _ = try await log.append(to: stream("other"), events: events("o", 2))
            let retry = try await log.append(to: s, expecting: .noStream, events: batch)
            #expect(retry.duplicate)
            #expect(retry.positions == original.positions)
            #expect(retry.lastVersion == original.lastVersion)
            // Also from a second writer: ids are unique in the whole log.
            let other = try await subject.openSecondWriter()
            let fromOther = try await other.append(to: s, expecting: .any, events: batch)
            #expect(fromOther.duplicate && fromOther.positions == original.positions)
            #expect(try await log.head() == Position(5))
        }
    }

    @Test("mixed, reused and repeated ids are refused and write nothing", arguments: LogBackendFactory.all)
    func idMisuseIsRefused(backend: LogBackendFactory) async throws {
        try await withLog(backend) { subject in
            let log = subject.log
            _ = try await log.append(to: stream("a"), events: [event("x1"), event("x2")])
            await #expect(throws: EventLogError.mixedEventIDs(stream: stream("a"), alreadyStored: [try EventID("x2")],
                                                              new: [try EventID("x3")])) {
                try await log.append(to: stream("a"), events: [event("x2"), event("x3")])
            }
            await #expect(throws: EventLogError.eventIDInOtherStream(id: try EventID("x1"), stream: stream("b"),
                                                                     storedIn: stream("a"))) {
                try await log.append(to: stream("b"), events: [event("x1")])
            }
            await #expect(throws: EventLogError.duplicateEventIDInBatch(stream: stream("c"), id: try EventID("y"))) {
                try await log.append(to: stream("c"), events: [event("y"), event("y")])
            }
            await #expect(throws: EventLogError.emptyBatch(stream: stream("c"))) {
                try await log.append(to: stream("c"), events: [])
            }
            #expect(try await log.head() == Position(2))
            #expect(try await log.streamVersion(stream("b")) == nil)
        }
    }

    // MARK: Atomic batches and ordering

    @Test("each batch lands contiguously while many appenders run at once", arguments: LogBackendFactory.all)
    func manyConcurrentAppenders(backend: LogBackendFactory) async throws {
        try await withLog(backend) { subject in
            let log = subject.log
            let appenders = 48, batchesEach = 6
            let results = try await withThrowingTaskGroup(of: [AppendResult].self) { group in
                for a in 0..<appenders {
                    group.addTask {
                        var mine: [AppendResult] = []
                        var expected = ExpectedVersion.noStream
                        for b in 0..<batchesEach {
                            let result = try await log.append(to: stream("w\(a)"), expecting: expected,
                                                              events: events("w\(a)-b\(b)", 1 + (a + b) % 4))
                            expected = .exact(result.lastVersion)
                            mine.append(result)
                        }
                        return mine
                    }
                }
                return try await group.reduce(into: [AppendResult]()) { $0.append(contentsOf: $1) }
            }
            let total = results.reduce(0) { $0 + $1.positions.count }
            #expect(try await log.head() == Position(Int64(total)))
            for result in results {
                let raw = result.positions.map(\.rawValue)
                #expect(raw == Array(raw.first!...raw.last!), "a batch was split: \(raw)")
            }
            #expect(Set(results.flatMap(\.positions)).count == total)
            // Read the whole log in pages: positions 1…total once each, recorded_at never decreasing,
            // every stream's versions 0, 1, 2, … in position order.
            var all: [RecordedEvent] = []
            var from = Position(1)
            while true {
                let page = try await log.read(from: from, limit: 37)
                guard let last = page.last else { break }
                all.append(contentsOf: page)
                from = last.position.next
            }
            #expect(all.map(\.position.rawValue) == Array(1...Int64(total)))
            #expect(zip(all, all.dropFirst()).allSatisfy { $0.recordedAt <= $1.recordedAt })
            var versions: [StreamName: Int64] = [:]
            for recorded in all {
                let expected = (versions[recorded.stream] ?? -1) + 1
                #expect(recorded.version.rawValue == expected)
                versions[recorded.stream] = expected
            }
            let report = try await log.verify()
            #expect(report.isHealthy, "\(report.faults)")
            #expect(report.events == total)
            #expect(report.streams == appenders)
        }
    }

    @Test("readers never see part of a batch, from this handle or another", arguments: LogBackendFactory.all)
    func batchesBecomeVisibleWhole(backend: LogBackendFactory) async throws {
        try await withLog(backend) { subject in
            let log = subject.log
            let other = try await subject.openSecondWriter()
            let batchSize = 25
            let seen = HeadsSeen()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (name, writer) in [("mine", log), ("theirs", other)] {
                    group.addTask {
                        for b in 0..<12 { _ = try await writer.append(to: stream("\(name)-\(b)"), events: events("\(name)-\(b)", batchSize)) }
                    }
                }
                group.addTask {
                    // Read while they write: every head and every page ends on a batch boundary.
                    for _ in 0..<200 {
                        let head = try await log.head()
                        seen.add(head)
                        let all = try await other.read(from: Position(1), limit: 10_000)
                        seen.add(Position(Int64(all.count)))
                        if head.rawValue == Int64(2 * 12 * batchSize) { break }
                    }
                }
                try await group.waitForAll()
            }
            #expect(seen.all.allSatisfy { $0.rawValue % Int64(batchSize) == 0 }, "partial batches seen: \(seen.all.filter { $0.rawValue % Int64(batchSize) != 0 })")
            #expect(try await log.head() == Position(Int64(2 * 12 * batchSize)))
        }
    }

    @Test("reads page forward from any position; streams from any version", arguments: LogBackendFactory.all)
    func paging(backend: LogBackendFactory) async throws {
        try await withLog(backend) { subject in
            let log = subject.log
            for i in 0..<10 { _ = try await log.append(to: stream(i % 2 == 0 ? "even" : "odd"), events: events("e\(i)", 2)) }
            #expect(try await log.read(from: .start, limit: 3).map(\.position.rawValue) == [1, 2, 3])
            #expect(try await log.read(from: Position(19), limit: 5).map(\.position.rawValue) == [19, 20])
            #expect(try await log.read(from: Position(21), limit: 5).isEmpty)
            #expect(try await log.read(from: Position(5), limit: 0).isEmpty)
            let odd = try await log.readStream(stream("odd"), from: StreamVersion(3), limit: 4)
            #expect(odd.map(\.version.rawValue) == [3, 4, 5, 6])
            #expect(odd.allSatisfy { $0.stream == stream("odd") })
            #expect(try await log.readStream(stream("odd")).count == 10)
            #expect(try await log.readStream(stream("none")).isEmpty)
        }
    }

    // MARK: Time search

    @Test("the first position at or after a time", arguments: LogBackendFactory.all)
    func timeSearch(backend: LogBackendFactory) async throws {
        try await withLog(backend) { subject in
            let log = subject.log
            #expect(try await log.firstPosition(atOrAfter: Timestamp(rawValue: 0)) == nil)
            var batches: [AppendResult] = []
            for i in 0..<6 {
                batches.append(try await log.append(to: stream("t"), events: events("t\(i)", 3)))
                try await Task.sleep(for: .milliseconds(3))
            }
            #expect(try await log.firstPosition(atOrAfter: Timestamp(rawValue: 0)) == Position(1))
            for batch in batches {
                let found = try #require(try await log.firstPosition(atOrAfter: batch.recordedAt))
                // The first event recorded at that time or later: nothing before it is as late.
                let event = try #require(try await log.read(from: found, limit: 1).first)
                #expect(event.recordedAt >= batch.recordedAt)
                if found > Position(1) {
                    let before = try #require(try await log.read(from: Position(found.rawValue - 1), limit: 1).first)
                    #expect(before.recordedAt < batch.recordedAt)
                }
                #expect(found <= batch.positions[0])
            }
            let last = batches.last!.recordedAt
            #expect(try await log.firstPosition(atOrAfter: Timestamp(rawValue: last.rawValue + 1)) == nil)
        }
    }

    // MARK: Statistics and closing

    @Test("statistics count events by type and payload bytes", arguments: LogBackendFactory.all)
    func statistics(backend: LogBackendFactory) async throws {
        try await withLog(backend) { subject in
            let log = subject.log
            let empty = try await log.statistics()
            #expect(empty.head == .start && empty.eventsByType.isEmpty && empty.payloadBytes.raw == 0)
            _ = try await log.append(to: stream("s"), events: [event("a", type: "ArticleIngested"), event("b"), event("c")])
            let figures = try await log.statistics()
            #expect(figures.head == Position(3))
            #expect(figures.eventsByType == ["ArticleIngested": 1, "NoteTaken": 2])
            let raw = Int64(#"{"note":"a"}"#.utf8.count * 3)
            #expect(figures.payloadBytes.raw == raw)
            #expect(figures.payloadBytes.stored > 0)
            #expect(figures.storageBytes > 0)
            #expect(try await log.payloadBytes(from: Position(2), through: Position(3)).raw == raw * 2 / 3)
        }
    }

    @Test("a closed log refuses appends", arguments: LogBackendFactory.all)
    func closedLog(backend: LogBackendFactory) async throws {
        try await withLog(backend) { subject in
            let other = try await subject.openSecondWriter()
            _ = try await other.append(to: stream("s"), events: [event("before")])
            await other.close()
            await #expect(throws: EventLogError.closed) {
                try await other.append(to: stream("s"), events: [event("after")])
            }
            #expect(try await subject.log.head() == Position(1))
        }
    }
}
