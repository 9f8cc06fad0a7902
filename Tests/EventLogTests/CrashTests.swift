import DatelineCore
import DatelineTestSupport
import Foundation
import Testing
@testable import EventLog

/// The crash writer (`DatelineCrashWriter`), built into the same products directory as this test
/// bundle (the test target depends on it).
func findBenchBinary() -> String? {
    var candidates: [URL] = []
    for start in [CommandLine.arguments.first, Bundle.main.executablePath].compactMap({ $0 }) {
        var dir = URL(fileURLWithPath: start).deletingLastPathComponent()
        for _ in 0..<4 {
            candidates.append(dir.appendingPathComponent("DatelineCrashWriter"))
            dir = dir.deletingLastPathComponent()
        }
    }
    let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    candidates.append(packageRoot.appendingPathComponent(".build/debug/DatelineCrashWriter"))
    return candidates.map(\.path).first { FileManager.default.isExecutableFile(atPath: $0) }
}

@Suite("Crash safety")
struct CrashTests {
    /// A child process appends from several tasks and records each acknowledged event; it is
    /// killed with SIGKILL at a random moment; after reopening, every acknowledged event must be
    /// there and the log must verify. Several rounds on the same file.
    @Test func acknowledgedEventsSurviveKillNine() async throws {
        guard let binary = findBenchBinary() else {
            Issue.record("DatelineCrashWriter not found next to the test bundle (\(CommandLine.arguments.first ?? "?")); build it with `swift build`")
            return
        }
        let dir = try TemporaryDirectory()
        let db = dir.file("crash.sqlite")
        let acks = dir.file("acks.txt")
        var generator = SystemRandomNumberGenerator()
        var totalAcknowledged = 0
        var lastHead = Position.start
        for round in 0..<5 {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = ["--db", db, "--acks", acks, "--appenders", "4"]
            let errors = Pipe()
            process.standardError = errors
            let exit = ProcessExit(process)
            try process.run()
            // Wait until the child has opened the log (it says "ready"), then let it append for
            // a random while before killing it.
            let ready = errors.fileHandleForReading.readData(ofLength: 6)
            #expect(String(decoding: ready, as: UTF8.self).hasPrefix("ready"), "round \(round): child did not start")
            try await Task.sleep(nanoseconds: UInt64.random(in: 80_000_000...400_000_000, using: &generator))
            kill(process.processIdentifier, SIGKILL)
            _ = await exit.status()
            #expect(process.terminationReason == .uncaughtSignal)

            let lines = try String(contentsOfFile: acks, encoding: .utf8).split(separator: "\n")
            let store = try openStore(db)
            defer { store.close() }
            var byPosition: [Int64: String] = [:]
            try store.forEachEvent { byPosition[$0.position.rawValue] = $0.id.rawValue }
            for line in lines {
                let parts = line.split(separator: " ")
                guard parts.count == 2, let position = Int64(parts[0]) else {
                    Issue.record("malformed ack line \(line)")
                    continue
                }
                #expect(byPosition[position] == String(parts[1]), "round \(round): acknowledged event at \(position) is missing")
            }
            let report = try store.verify()
            #expect(report.isHealthy, "round \(round): \(report.faults)")
            let head = try store.head()
            #expect(head >= lastHead)
            lastHead = head
            #expect(head.rawValue >= Int64(lines.count))
            totalAcknowledged = lines.count
        }
        #expect(totalAcknowledged > 0, "the child never acknowledged an append")
    }
}
