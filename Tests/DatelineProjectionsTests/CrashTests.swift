import DatelineCore
@testable import DatelineProjections
import EventLog
import Foundation
import Testing

/// The environment variable that turns this test binary into the child the crash test kills.
let childDatabaseVariable = "DATELINE_PROJECTION_CRASH_CHILD_DB"

@Suite("Projection crash")
struct ProjectionCrashTests {
    /// Runs only in the child process: applies the log to the projections one event per
    /// transaction, slowly enough to be killed anywhere, until it is killed (or done).
    @Test("child: apply one event per transaction until killed",
          .enabled(if: ProcessInfo.processInfo.environment[childDatabaseVariable] != nil, "runs only as the crash test's child"))
    func crashChild() throws {
        let path = ProcessInfo.processInfo.environment[childDatabaseVariable]!
        let log = try openLog(path)
        defer { log.close() }
        let store = try TimelineStore(log: log)
        defer { store.close() }
        let events = try allEvents(log)
        for e in events where e.position > (try store.checkpoint(of: "tensions")) {
            try store.apply([e])
        }
    }

    @Test("a process killed with SIGKILL while applying loses nothing and counts nothing twice")
    func killedWhileApplying() throws {
        let dir = try TemporaryDirectory()
        let log = try openLog(dir.database)
        defer { log.close() }
        try appendBatches(syntheticCorpus(articles: 60, seed: 21).batches[...], to: log)
        let events = try allEvents(log)
        let head = events.last!.position
        let executable = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        var kills = 0
        for round in 1...4 {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = ["--testing-library", "swift-testing", "--filter", "crashChild"]
            var environment = ProcessInfo.processInfo.environment
            environment[childDatabaseVariable] = dir.database
            process.environment = environment
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            let before = try readCheckpoint(dir.database)
            try process.run()
            // Kill it once it has made some progress past where it started.
            let target = before.rawValue + Int64(10 + round * 7)
            var waited = 0
            while process.isRunning, try readCheckpoint(dir.database).rawValue < target, waited < 20_000 {
                usleep(500)
                waited += 1
            }
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                kills += 1
            }
            process.waitUntilExit()
            // What survived is exactly the fold of the log up to the surviving checkpoint.
            let store = try TimelineStore(log: log)
            let checkpoint = try store.checkpoint(of: "tensions")
            #expect(try store.checkpoint(of: "statements") == checkpoint)
            #expect(checkpoint >= before)
            var fold = TimelineFold()
            fold.apply(events.filter { $0.position <= checkpoint })
            try expectSameAnswers(store, fold)
            store.close()
            if checkpoint == head { break }
        }
        #expect(kills >= 1, "the child finished before it could be killed")
        let store = try TimelineStore.open(log: log)
        defer { store.close() }
        var fold = TimelineFold()
        fold.apply(events)
        try expectSameAnswers(store, fold)
    }
}

private func readCheckpoint(_ logPath: String) throws -> Position {
    let path = TimelineFiles(besideLog: logPath).path(of: "tensions")
    guard FileManager.default.fileExists(atPath: path) else { return .start }
    // Read-write: a killed child may leave a hot rollback journal, which only a writer can roll back.
    let db = try SQLiteDatabase(path: path, mode: .init(readOnly: false, create: false))
    defer { db.close() }
    guard try db.scalarInt("SELECT count(*) FROM sqlite_schema WHERE name = 'tl_projections'") == 1 else { return .start }
    return Position(try db.scalarInt("SELECT checkpoint FROM tl_projections WHERE name = 'tensions'") ?? 0)
}
