import DatelineCore
import DatelineTestSupport
@testable import EventLog
import Foundation
import Testing

/// The environment variables that turn this test binary into the read-only test's child: the
/// log to read, and whether to open it read-only (or let the open fail as a writer's would).
let readOnlyChildLogVariable = "DATELINE_READ_ONLY_CHILD_LOG"

@Suite("Read-only logs")
struct ReadOnlyLogTests {
    /// Appends a few batches to a new log at `path` and closes it (cleanly: no -wal, no -shm left).
    private func makeLog(_ path: String) throws -> Int {
        let store = try openStore(path)
        for n in 0..<5 {
            _ = try store.appendSync(to: stream("notes-\(n)"), events: (0..<4).map { event("ro-\(n)-\($0)", data: statementJSON(seed: n * 4 + $0)) })
        }
        store.close()
        return 20
    }

    @Test("a log opened read-only reads everything, verifies, and refuses appends with a clear error")
    func readOnlyOpen() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("log.sqlite")
        let count = try makeLog(path)
        var options = EventStoreOptions()
        options.readOnly = true
        let store = try openStore(path, options)
        defer { store.close() }
        #expect(store.isReadOnly)
        #expect(try store.head() == Position(Int64(count)))
        #expect(try store.read(from: .start, limit: 100).count == count)
        #expect(try store.readStream(stream("notes-3"), limit: 10).map(\.id.rawValue) == (0..<4).map { "ro-3-\($0)" })
        #expect(try store.verify().isHealthy)
        #expect(throws: EventLogError.directoryReadOnly(path: path)) {
            try store.appendSync(to: stream("notes-9"), events: [event("ro-new")])
        }
        #expect(try store.dropLegacyTimelineTables() == [])
    }

    /// Runs only in the child (as an unprivileged user): opens the log named in the
    /// environment with the default options (expected to fail: it cannot be written), then
    /// read-only, and prints what it read.
    @Test("child: open a log it cannot write, read-only",
          .enabled(if: ProcessInfo.processInfo.environment[readOnlyChildLogVariable] != nil, "runs only as the read-only test's child"))
    func readOnlyChild() throws {
        let path = ProcessInfo.processInfo.environment[readOnlyChildLogVariable]!
        var writerError = "none"
        do { try openStore(path).close() } catch { writerError = "\(error)" }
        var options = EventStoreOptions()
        options.readOnly = true
        let store = try openStore(path, options)
        defer { store.close() }
        let events = try store.read(from: .start, limit: 100)
        let verified = try store.verify()
        print("CHILD writer: \(writerError)")
        print("CHILD head \(try store.head().rawValue) events \(events.count) faults \(verified.faultCount)")
    }

    /// As an unprivileged user (root is never refused a write), so only when this runs as root
    /// with `runuser` and a `nobody` user to switch to: a 0444 log in a writable directory, and
    /// a log in a 0555 directory (no -wal or -shm can be made: the immutable open).
    @Test("a log on a read-only file, or in a read-only directory, is read by an unprivileged reader",
          arguments: ["file", "directory"])
    func unprivilegedReader(_ what: String) async throws {
        guard getuid() == 0, FileManager.default.isExecutableFile(atPath: "/usr/sbin/runuser"), getpwnam("nobody") != nil else {
            print("skipped: needs to run as root with runuser and a nobody user (to read as an unprivileged user)")
            return
        }
        let dir = try TemporaryDirectory()
        let logDir = dir.file("logs")
        try FileManager.default.createDirectory(atPath: logDir, withIntermediateDirectories: true)
        let path = logDir + "/log.sqlite"
        let count = try makeLog(path)
        #expect(!FileManager.default.fileExists(atPath: path + "-wal") && !FileManager.default.fileExists(atPath: path + "-shm"))
        chmod(dir.path, 0o755)
        chmod(path, 0o444)
        chmod(logDir, what == "directory" ? 0o555 : 0o777)
        let before = try Data(contentsOf: URL(fileURLWithPath: path))

        let executable = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/sbin/runuser")
        process.arguments = ["-u", "nobody", "--", executable, "--testing-library", "swift-testing", "--filter", "readOnlyChild"]
        var environment = ProcessInfo.processInfo.environment
        environment[readOnlyChildLogVariable] = path
        environment["HOME"] = "/tmp"
        process.environment = environment
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        let exit = ProcessExit(process)
        try process.run()
        let text = String(decoding: await readToEnd(out.fileHandleForReading), as: UTF8.self)
        _ = await exit.status()
        #expect(process.terminationStatus == 0, "\(text)")
        #expect(text.contains("CHILD writer: \(EventLogError.directoryReadOnly(path: what == "directory" ? logDir : path))"), "\(text)")
        #expect(text.contains("CHILD head \(count) events \(count) faults 0"), "\(text)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before, "the reader changed nothing")
        chmod(logDir, 0o755)
    }
}
