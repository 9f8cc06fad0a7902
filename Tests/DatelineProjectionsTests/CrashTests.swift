import DatelineCore
@testable import DatelineProjections
import DatelineTestSupport
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
            // While the child writes, a read may find the file locked (a rollback journal): try again.
            while process.isRunning, ((try? readCheckpoint(dir.database)) ?? before).rawValue < target, waited < 20_000 {
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

/// The environment variables that turn this test binary into the rebuild crash test's child.
let rebuildChildDatabaseVariable = "DATELINE_REBUILD_CRASH_CHILD_DB"
let rebuildChildMarksVariable = "DATELINE_REBUILD_CRASH_CHILD_MARKS"
let rebuildChildPauseVariable = "DATELINE_REBUILD_CRASH_CHILD_PAUSE"

@Suite("Rebuild crash")
struct RebuildCrashTests {
    /// Runs only in the child: rebuilds both projections in small chunks, writing each phase it
    /// reaches to the marks file (and, when told, pausing after each swap step), until killed.
    @Test("child: rebuild slowly, noting each phase, until killed",
          .enabled(if: ProcessInfo.processInfo.environment[rebuildChildDatabaseVariable] != nil, "runs only as the crash test's child"))
    func rebuildChild() throws {
        let environment = ProcessInfo.processInfo.environment
        let log = try openLog(environment[rebuildChildDatabaseVariable]!)
        defer { log.close() }
        let marks = open(environment[rebuildChildMarksVariable]!, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        defer { close(marks) }
        let pause = environment[rebuildChildPauseVariable] == "1"
        let store = try TimelineStore(log: log, options: TimelineStoreOptions(chunkSize: 30))
        defer { store.close() }
        try store.rebuild { p in
            let line = "\(p.phase.rawValue) \(p.projection)\n"
            _ = line.withCString { write(marks, $0, strlen($0)) }
            if p.phase == .loading { usleep(2_000) } else if pause { usleep(300_000) }
        }
        _ = "done\n".withCString { write(marks, $0, strlen($0)) }
    }

    @Test("a process killed with SIGKILL during a rebuild or its swap leaves each projection's old file or its new one")
    func killedDuringRebuild() throws {
        let dir = try TemporaryDirectory()
        let log = try openLog(dir.database)
        defer { log.close() }
        let batches = syntheticCorpus(articles: 60, seed: 33).batches
        try appendBatches(batches[..<35], to: log)
        let names = TimelineStore.projectionNames
        // The old timelines, as of the first batches, kept aside to start every round from.
        let backup = dir.path + "/backup"
        try FileManager.default.createDirectory(atPath: backup, withIntermediateDirectories: true)
        var old: [String: [String: [String]]] = [:], new: [String: [String: [String]]] = [:]
        do {
            let store = try TimelineStore.open(log: log)
            store.close()
            for name in names {
                try FileManager.default.copyItem(atPath: dir.timelineFile(name), toPath: backup + "/\(name).sqlite")
                old[name] = try dumpFile(dir.timelineFile(name))
            }
        }
        let oldHead = try log.head()
        try appendBatches(batches[35...], to: log)
        let newHead = try log.head()
        do {
            let store = try TimelineStore.open(log: log)
            store.close()
            for name in names { new[name] = try dumpFile(dir.timelineFile(name)) }
        }
        #expect(old != new)

        let executable = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        // Where to kill: while loading, just before and just after each rename (the child
        // pauses there), and at moments right after the first swap step began (no pause).
        let rounds: [(mark: String, pause: Bool, delayMicroseconds: UInt32, statementsNew: Bool?, tensionsNew: Bool?)] = [
            ("loading statements", false, 0, false, false),
            ("swapping statements", true, 0, false, false),
            ("swapped statements", true, 0, true, false),
            ("swapping tensions", true, 0, true, false),
            ("swapped tensions", true, 0, true, true),
            ("swapping statements", false, 0, nil, nil),
            ("swapping statements", false, 300, nil, nil),
            ("swapping statements", false, 1_500, nil, nil),
            ("swapped statements", false, 200, nil, nil),
        ]
        var kills = 0
        for (round, r) in rounds.enumerated() {
            for name in names {
                for suffix in ["", "-journal"] { unlink(dir.timelineFile(name) + suffix) }
                try FileManager.default.copyItem(atPath: backup + "/\(name).sqlite", toPath: dir.timelineFile(name))
            }
            let marks = dir.path + "/marks-\(round)"
            let process = Process()
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = ["--testing-library", "swift-testing", "--filter", "rebuildChild"]
            var environment = ProcessInfo.processInfo.environment
            environment[rebuildChildDatabaseVariable] = dir.database
            environment[rebuildChildMarksVariable] = marks
            environment[rebuildChildPauseVariable] = r.pause ? "1" : "0"
            process.environment = environment
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            var waited = 0
            while process.isRunning, waited < 60_000 {
                let text = (try? String(contentsOfFile: marks, encoding: .utf8)) ?? ""
                if text.contains(r.mark + "\n") { break }
                usleep(500)
                waited += 1
            }
            if r.delayMicroseconds > 0 { usleep(r.delayMicroseconds) }
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                kills += 1
            }
            process.waitUntilExit()
            // Each projection's file is whole, and is the old one or the new one.
            for name in names {
                let path = dir.timelineFile(name)
                let db = try SQLiteDatabase(path: path, mode: .init(readOnly: false, create: false))
                #expect(try db.scalarText("PRAGMA integrity_check") == "ok", "round \(round) \(name)")
                let checkpoint = Position(try db.scalarInt("SELECT checkpoint FROM tl_projections WHERE name = '\(name)'") ?? -1)
                db.close()
                let dump = try dumpFile(path)
                if checkpoint == oldHead {
                    #expect(dump == old[name], "round \(round) \(name): the old file, whole")
                } else if checkpoint == newHead {
                    #expect(dump == new[name], "round \(round) \(name): the new file, whole")
                } else {
                    Issue.record("round \(round) \(name): checkpoint \(checkpoint) is neither \(oldHead) nor \(newHead)")
                }
                let expectNew = name == "statements" ? r.statementsNew : r.tensionsNew
                if let expectNew { #expect((checkpoint == newHead) == expectNew, "round \(round) (\(r.mark)) \(name)") }
            }
        }
        #expect(kills >= rounds.count - 1, "the child finished before it could be killed")
        // The next open throws the abandoned fresh files away and catches up.
        let store = try TimelineStore.open(log: log)
        defer { store.close() }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.timelines.directory).sorted() == ["statements.sqlite", "tensions.sqlite"])
        var fold = TimelineFold()
        fold.apply(try allEvents(log))
        try expectSameAnswers(store, fold)
    }
}
