import DatelineTestSupport
import Foundation
import Testing

@Suite(.timeLimit(.minutes(3))) struct RemoteCommandTests {
    let samples = packageRoot.appendingPathComponent("samples").path

    @Test func ingestAndQueryThroughTheServer() async throws {
        let dir = try TemporaryDirectory()
        let dateline = try productPath("dateline")
        let server = try await ServerProcess.start(db: dir.path("log.sqlite"))

        let ingest = try await run(dateline, ["ingest", "--server", server.address, samples])
        #expect(ingest.status == 0, "\(ingest.stderr)")
        #expect(ingest.stdout.contains("articles: 3 new, 0 duplicate, 0 failed"))
        let again = try await run(dateline, ["ingest", "--server", server.address, samples])
        #expect(again.stdout.contains("articles: 0 new, 3 duplicate, 0 failed"))

        // The same answers over the protocol as from the file.
        let remote = try await run(dateline, ["statements", "--server", server.address, "--json"])
        #expect(remote.status == 0, "\(remote.stderr)")
        #expect(await server.stop() == 0)
        let local = try await run(dateline, ["statements", "--db", dir.path("log.sqlite"), "--json"])
        #expect(try jsonLines(remote.stdout).count == (try jsonLines(local.stdout)).count)
        let strip: (String) throws -> [String] = { text in
            try jsonLines(text).map { row in
                var row = row
                for key in ["type", "id", "timeline"] { row.removeValue(forKey: key) }
                return String(decoding: try JSONSerialization.data(withJSONObject: row, options: [.sortedKeys]), as: UTF8.self)
            }
        }
        #expect(try strip(remote.stdout) == (try strip(local.stdout)))
    }

    @Test func tailFollowsAcrossARestartWithoutGapsOrRepeats() async throws {
        let dir = try TemporaryDirectory()
        let dateline = try productPath("dateline")
        let db = dir.path("log.sqlite")
        var server = try await ServerProcess.start(db: db)
        let port = server.port
        let first = try dir.write("a.txt", "date 2024-01-01 One\n\nThe first article.")
        let second = try dir.write("b.txt", "date 2024-01-02 Two\n\nThe second article.")
        #expect(try await run(dateline, ["ingest", "--server", server.address, first]).status == 0)

        // tail from the start, until it has printed two ArticleIngested events.
        let tail = Process()
        tail.executableURL = URL(fileURLWithPath: dateline)
        tail.arguments = ["tail", "--server", server.address, "--from", "start", "--type", "ArticleIngested",
                          "--limit", "2", "--json"]
        let out = Pipe()
        tail.standardOutput = out
        tail.standardError = FileHandle.nullDevice
        let tailExit = ProcessExit(tail)
        try tail.run()
        let printed = PrintedBytes()
        let handle = out.fileHandleForReading
        async let data: Data = blocking {
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { return printed.bytes }
                printed.append(chunk)
            }
        }
        // The first server stops once the tail has printed its first event (so it is following).
        for _ in 0..<600 where !printed.bytes.contains(0x0A) { try await Task.sleep(nanoseconds: 50_000_000) }
        #expect(printed.bytes.contains(0x0A), "tail printed nothing from the first server")
        #expect(await server.stop() == 0)
        // The tail reconnects to the same port once a new server listens there.
        server = try await ServerProcess.start(db: db, port: port)
        #expect(try await run(dateline, ["ingest", "--server", server.address, second]).status == 0)
        #expect(await tailExit.status() == 0)
        let events = try jsonLines(String(decoding: try await data, as: UTF8.self))
        #expect(events.count == 2)
        #expect(events.compactMap { ($0["data"] as? [String: Any])?["title"] as? String } == ["One", "Two"])
        let positions = events.compactMap { $0["position"] as? Int }
        #expect(positions == positions.sorted() && Set(positions).count == 2)
        _ = await server.stop()
    }

    @Test func anUnreachableServerIsAClearError() async throws {
        let dateline = try productPath("dateline")
        // Port 1 on loopback: nothing listens there.
        let result = try await run(dateline, ["statements", "--server", "127.0.0.1:1"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("cannot reach datelined at 127.0.0.1:1"))
    }
}

/// What a child has printed so far, appended by the thread that reads its pipe.
final class PrintedBytes: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    func append(_ chunk: Data) { lock.withLock { data.append(chunk) } }
    var bytes: Data { lock.withLock { data } }
}
