import Foundation
import Testing

/// A `datelined` child process on 127.0.0.1 with a port chosen by the system.
final class ServerProcess {
    let process = Process()
    let port: Int
    private let output = Pipe()

    init(db: String, port requested: Int = 0, arguments: [String] = []) throws {
        process.executableURL = URL(fileURLWithPath: try productPath("datelined"))
        process.arguments = ["--db", db, "--port", String(requested), "--log-level", "error"] + arguments
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        // The server prints one line, `listening on HOST:PORT`, once it accepts connections.
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { throw ProductNotFound(name: "datelined (exited before listening)") }
            line.append(chunk)
        }
        let text = String(decoding: line, as: UTF8.self)
        guard let portText = text.split(separator: ":").last?.split(separator: "\n").first, let port = Int(portText) else {
            throw ProductNotFound(name: "datelined (unexpected first line \(text))")
        }
        self.port = port
    }

    var address: String { "127.0.0.1:\(port)" }

    /// SIGTERM, and wait for a clean exit.
    func stop() -> Int32 {
        process.terminate()
        process.waitUntilExit()
        return process.terminationStatus
    }

    deinit {
        if process.isRunning { process.terminate(); process.waitUntilExit() }
    }
}

@Suite struct RemoteCommandTests {
    let samples = packageRoot.appendingPathComponent("samples").path

    @Test func ingestAndQueryThroughTheServer() throws {
        let dir = try TemporaryDirectory()
        let dateline = try productPath("dateline")
        let server = try ServerProcess(db: dir.path("log.sqlite"))

        let ingest = try run(dateline, ["ingest", "--server", server.address, samples])
        #expect(ingest.status == 0, "\(ingest.stderr)")
        #expect(ingest.stdout.contains("articles: 3 new, 0 duplicate, 0 failed"))
        let again = try run(dateline, ["ingest", "--server", server.address, samples])
        #expect(again.stdout.contains("articles: 0 new, 3 duplicate, 0 failed"))

        // The same answers over the protocol as from the file.
        let remote = try run(dateline, ["statements", "--server", server.address, "--json"])
        #expect(remote.status == 0, "\(remote.stderr)")
        #expect(server.stop() == 0)
        let local = try run(dateline, ["statements", "--db", dir.path("log.sqlite"), "--json"])
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

    @Test func tailFollowsAcrossARestartWithoutGapsOrRepeats() throws {
        let dir = try TemporaryDirectory()
        let dateline = try productPath("dateline")
        let db = dir.path("log.sqlite")
        var server = try ServerProcess(db: db)
        let port = server.port
        let first = try dir.write("a.txt", "date 2024-01-01 One\n\nThe first article.")
        let second = try dir.write("b.txt", "date 2024-01-02 Two\n\nThe second article.")
        #expect(try run(dateline, ["ingest", "--server", server.address, first]).status == 0)

        // tail from the start, until it has printed two ArticleIngested events.
        let tail = Process()
        tail.executableURL = URL(fileURLWithPath: dateline)
        tail.arguments = ["tail", "--server", server.address, "--from", "start", "--type", "ArticleIngested",
                          "--limit", "2", "--json"]
        let out = Pipe()
        tail.standardOutput = out
        tail.standardError = FileHandle.nullDevice
        try tail.run()
        Thread.sleep(forTimeInterval: 0.5)
        #expect(server.stop() == 0)
        // The tail reconnects to the same port once a new server listens there.
        server = try ServerProcess(db: db, port: port)
        #expect(try run(dateline, ["ingest", "--server", server.address, second]).status == 0)
        let data = out.fileHandleForReading.readDataToEndOfFile()
        tail.waitUntilExit()
        #expect(tail.terminationStatus == 0)
        let events = try jsonLines(String(decoding: data, as: UTF8.self))
        #expect(events.count == 2)
        #expect(events.compactMap { ($0["data"] as? [String: Any])?["title"] as? String } == ["One", "Two"])
        let positions = events.compactMap { $0["position"] as? Int }
        #expect(positions == positions.sorted() && Set(positions).count == 2)
        _ = server.stop()
    }

    @Test func anUnreachableServerIsAClearError() throws {
        let dateline = try productPath("dateline")
        // Port 1 on loopback: nothing listens there.
        let result = try run(dateline, ["statements", "--server", "127.0.0.1:1"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("cannot reach datelined at 127.0.0.1:1"))
    }
}
