import DatelineCore
import EventLog
import Foundation
import Testing

/// The feed of committed heads and `LogFollower` on top of it: every committed event published
/// once, in order, with no gap, whether this handle or a second, independent writer committed.
@Suite("Log conformance: the live feed", .timeLimit(.minutes(2)))
struct FeedConformanceTests {
    @Test("own commits are announced with their events before the append returns", arguments: LogBackendFactory.all)
    func ownCommitsAnnounced(backend: LogBackendFactory) async throws {
        try await withLog(backend) { subject in
            let log = subject.log
            let notices = HeadNotices()
            let token = log.observeCommittedHeads { notices.add($0) }
            defer { log.stopObserving(token) }
            let result = try await log.append(to: stream("own"), events: events("own", 3))
            let announced = notices.all.first { $0.events != nil }
            #expect(announced?.head == result.positions.last)
            #expect(announced?.events?.map(\.position) == result.positions)
            #expect(announced?.events?.map(\.id.rawValue) == ["own-0", "own-1", "own-2"])
            // A retried batch commits nothing and announces nothing new.
            _ = try await log.append(to: stream("own"), events: events("own", 3))
            #expect(notices.all.allSatisfy { $0.head <= result.positions.last! })
        }
    }

    @Test("a second writer's commits reach the feed", arguments: LogBackendFactory.all)
    func foreignCommitsNoticed(backend: LogBackendFactory) async throws {
        try await withLog(backend) { subject in
            let log = subject.log
            let other = try await subject.openSecondWriter()
            let notices = HeadNotices()
            let token = log.observeCommittedHeads { notices.add($0) }
            defer { log.stopObserving(token) }
            var delays: [Double] = []
            for i in 0..<20 {
                let result = try await other.append(to: stream("foreign"), events: events("f\(i)", 2))
                let acknowledged = Date()
                let head = result.positions.last!
                let seen = await notices.wait(until: { $0.contains { $0.head >= head } })
                #expect(seen, "the feed never announced head \(head)")
                delays.append(Date().timeIntervalSince(acknowledged) * 1000)
            }
            delays.sort()
            // Printed, not asserted: from the second writer's acknowledgement to the notice.
            print(String(format: "\(backend): foreign commit noticed after p50 %.1f ms, max %.1f ms (20 commits)",
                         delays[delays.count / 2], delays.last!))
            // Announced heads never run ahead of the log.
            let head = try await log.head()
            #expect(notices.all.allSatisfy { $0.head <= head })
        }
    }

    @Test("a follower publishes every position once, in order, with a second writer interleaved",
          arguments: LogBackendFactory.all)
    func followerWithSecondWriter(backend: LogBackendFactory) async throws {
        try await withLog(backend) { subject in
            let log = subject.log
            let other = try await subject.openSecondWriter()
            // History before the follower starts is read from the log first.
            _ = try await log.append(to: stream("history"), events: events("h", 4))
            let published = PublishedEvents()
            let follower = try await LogFollower.start(log: log, after: .start, pageEvents: 7) { published.add($0) }
            defer { follower.stop() }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (name, writer) in [("mine", log), ("theirs", other)] {
                    for lane in 0..<4 {
                        group.addTask {
                            for b in 0..<10 {
                                _ = try await writer.append(to: stream("\(name)-\(lane)"), events: events("\(name)-\(lane)-\(b)", 1 + b % 3))
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
            let head = try await log.head()
            #expect(head == Position(4 + 2 * 4 * 19))  // per lane: sizes 1,2,3,1,2,3,1,2,3,1
            #expect(await published.wait(for: Int(head.rawValue)), "published \(published.count) of \(head)")
            let all = published.all
            #expect(all.map(\.position.rawValue) == Array(1...head.rawValue))
            // What was published is what the log holds, payloads included.
            let stored = try await log.read(from: Position(1), limit: Int(head.rawValue))
            #expect(all == stored)
            #expect(follower.publishedHead == head)
        }
    }

    @Test("a follower's own appends are published by the time they return", arguments: LogBackendFactory.all)
    func followerReadYourWrites(backend: LogBackendFactory) async throws {
        try await withLog(backend) { subject in
            let log = subject.log
            let other = try await subject.openSecondWriter()
            let published = PublishedEvents()
            let follower = try await LogFollower.start(log: log) { published.add($0) }
            defer { follower.stop() }
            for i in 0..<10 {
                if i % 3 == 0 { _ = try await other.append(to: stream("theirs"), events: [event("t\(i)")]) }
                let result = try await log.append(to: stream("mine"), events: [event("m\(i)")])
                // Published at once, or (after a foreign commit left a gap) once the gap is read.
                await follower.waitUntilPublished(result.positions.last!)
                #expect(published.all.last.map { $0.position >= result.positions.last! } == true)
            }
            let head = try await log.head()
            #expect(published.all.map(\.position.rawValue) == Array(1...head.rawValue))
        }
    }

    @Test("waiting for a position that is never committed ends at the timeout", arguments: LogBackendFactory.all)
    func waitingIsBounded(backend: LogBackendFactory) async throws {
        try await withLog(backend) { subject in
            let follower = try await LogFollower.start(log: subject.log) { _ in }
            defer { follower.stop() }
            #expect(await follower.waitUntilPublished(Position(1), timeout: .milliseconds(20)) == false)
            _ = try await subject.log.append(to: stream("s"), events: [event("a")])
            #expect(await follower.waitUntilPublished(Position(1), timeout: .seconds(30)))
        }
    }

    @Test("a stopped follower publishes nothing more", arguments: LogBackendFactory.all)
    func stoppedFollower(backend: LogBackendFactory) async throws {
        try await withLog(backend) { subject in
            let log = subject.log
            let published = PublishedEvents()
            let follower = try await LogFollower.start(log: log) { published.add($0) }
            _ = try await log.append(to: stream("s"), events: [event("a")])
            await follower.waitUntilPublished(Position(1))
            follower.stop()
            _ = try await log.append(to: stream("s"), events: [event("b")])
            try await Task.sleep(for: .milliseconds(50))
            #expect(published.all.map(\.position.rawValue) == [1])
        }
    }
}
