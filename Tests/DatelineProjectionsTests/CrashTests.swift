import DatelineCore
@testable import DatelineProjections
import DatelineTestSupport
import EventLog
import Foundation
import Testing

/// The environment variables that turn this test binary into the child the crash test kills:
/// the log, the position of the skipped event at which the child stops inside its transaction,
/// and the file where it says so.
let childDatabaseVariable = "DATELINE_PROJECTION_CRASH_CHILD_DB"
let childStopAtVariable = "DATELINE_PROJECTION_CRASH_CHILD_STOP_AT"
let childMarksVariable = "DATELINE_PROJECTION_CRASH_CHILD_MARKS"

@Suite("Projection crash")
struct ProjectionCrashTests {
    /// Runs only in the child process: applies the log to the projections three events per
    /// transaction. When the projections skip the unusable event at the stop position (they
    /// report it from inside the transaction, after rows of the same transaction are written),
    /// it writes a mark and waits there forever, to be killed in the middle of that transaction.
    @Test("child: apply three events per transaction, stop inside the one with the given skipped event",
          .enabled(if: ProcessInfo.processInfo.environment[childDatabaseVariable] != nil, "runs only as the crash test's child"))
    func crashChild() throws {
        let environment = ProcessInfo.processInfo.environment
        let log = try openLog(environment[childDatabaseVariable]!)
        defer { log.close() }
        let stopAt = Int64(environment[childStopAtVariable] ?? "") ?? -1
        let marks = environment[childMarksVariable]!
        var options = TimelineStoreOptions()
        options.onSkipped = { position, _, _ in
            guard position.rawValue == stopAt else { return }
            let fd = open(marks, O_WRONLY | O_CREAT | O_APPEND, 0o644)
            _ = "stopped \(position.rawValue)\n".withCString { write(fd, $0, strlen($0)) }
            close(fd)
            while true { pause() }
        }
        let store = try TimelineStore(log: log, options: options)
        defer { store.close() }
        let events = try allEvents(log).filter { $0.position > (try? store.checkpoint(of: "tensions")) ?? .start }
        var start = 0
        while start < events.count {
            try store.apply(Array(events[start..<min(events.count, start + 3)]))
            start += 3
        }
    }

    @Test("a process killed with SIGKILL inside an apply transaction loses nothing and counts nothing twice")
    func killedWhileApplying() throws {
        let dir = try TemporaryDirectory()
        let log = try openLog(dir.database)
        defer { log.close() }
        // The corpus with an unusable statement (an index too big for any integer) in an
        // article's stream after a good one, three times: the child stops at one of them.
        let batches = syntheticCorpus(articles: 60, seed: 21).batches
        var unusable: [Position] = []
        for (n, cut) in [12, 30, 48].enumerated() {
            let from = n == 0 ? 0 : [12, 30, 48][n - 1]
            try appendBatches(batches[from..<cut], to: log)
            let stream = batches[cut - 1].stream
            // A good statement first (a copy of one of the article's, at a new index), so the
            // transaction that stops has written rows.
            let original = batches[cut - 1].events.first { $0.type == .statementRecorded }!
            var copy = try JSONSerialization.jsonObject(with: Data(original.data)) as! [String: Any]
            copy["index"] = 1_000 + n
            let result = try log.appendSync(to: stream, events: [
                ProposedEvent(id: try EventID("crash-good-\(n)"), type: .statementRecorded,
                              data: Array(try JSONSerialization.data(withJSONObject: copy))),
                ProposedEvent(id: try EventID("crash-bad-\(n)"), type: .statementRecorded,
                              data: Array(#"{"index":9223372036854775808}"#.utf8)),
            ])
            unusable.append(result.positions.last!)
        }
        try appendBatches(batches[48...], to: log)
        let events = try allEvents(log)
        let executable = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        for (round, stopAt) in unusable.enumerated() {
            let marks = dir.path + "/marks-\(round)"
            let process = Process()
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = ["--testing-library", "swift-testing", "--filter", "crashChild"]
            var environment = ProcessInfo.processInfo.environment
            environment[childDatabaseVariable] = dir.database
            environment[childStopAtVariable] = String(stopAt.rawValue)
            environment[childMarksVariable] = marks
            process.environment = environment
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            // The child says when it is inside the transaction (however long it takes to get
            // there); the bound only keeps a broken child from hanging the test.
            var polls = 0
            while process.isRunning, !((try? String(contentsOfFile: marks, encoding: .utf8)) ?? "").contains("stopped \(stopAt.rawValue)\n"),
                  polls < 1_200_000 {
                usleep(100)
                polls += 1
            }
            #expect(process.isRunning, "round \(round): the child ended before it reached position \(stopAt)")
            let journal = FileManager.default.fileExists(atPath: dir.timelineFile("statements") + "-journal")
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            #expect(process.terminationReason == .uncaughtSignal, "round \(round)")
            #expect(journal, "round \(round): killed inside a write transaction (its rollback journal was there)")
            // What survived is exactly the fold of the log up to the surviving checkpoint, which
            // is before the stopped transaction; each skipped event was counted once.
            let store = try TimelineStore(log: log)
            let checkpoint = try store.checkpoint(of: "tensions")
            #expect(try store.checkpoint(of: "statements") == checkpoint)
            #expect(checkpoint < stopAt && checkpoint.rawValue >= stopAt.rawValue - 3, "round \(round): checkpoint \(checkpoint)")
            let statementStats = try store.stats().first { $0.name == "statements" }!
            #expect(statementStats.malformed == round, "round \(round)")
            var fold = TimelineFold()
            fold.apply(events.filter { $0.position <= checkpoint })
            try expectSameAnswers(store, fold)
            store.close()
        }
        let store = try TimelineStore.open(log: log)
        defer { store.close() }
        #expect(try store.stats().first { $0.name == "statements" }!.malformed == unusable.count)
        var fold = TimelineFold()
        fold.apply(events)
        try expectSameAnswers(store, fold)
    }
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
            // Opened now, the files are of one rebuild: one left older than the other goes with
            // (killed between the renames) is rebuilt before anything reads the two together.
            let store = try TimelineStore(log: log)
            let points = try checkpoints(store)
            #expect(points["statements"] == points["tensions"], "round \(round) (\(r.mark)): \(points)")
            if points["statements"] == newHead {
                for name in names { #expect(try dumpFile(dir.timelineFile(name)) == new[name], "round \(round) \(name)") }
            }
            store.close()
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

    @Test("a store opened while a rebuild is between its two renames waits for the second, and reads both new files")
    func openedBetweenRenames() throws {
        let dir = try TemporaryDirectory()
        let log = try openLog(dir.database)
        defer { log.close() }
        let batches = syntheticCorpus(articles: 60, seed: 35).batches
        try appendBatches(batches[..<30], to: log)
        try TimelineStore.open(log: log).close()
        try appendBatches(batches[30...], to: log)
        let newHead = try log.head()

        let marks = dir.path + "/marks"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
        process.arguments = ["--testing-library", "swift-testing", "--filter", "rebuildChild"]
        var environment = ProcessInfo.processInfo.environment
        environment[rebuildChildDatabaseVariable] = dir.database
        environment[rebuildChildMarksVariable] = marks
        environment[rebuildChildPauseVariable] = "1"
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        var polls = 0
        while process.isRunning, !((try? String(contentsOfFile: marks, encoding: .utf8)) ?? "").contains("swapped statements\n"),
              polls < 1_200_000 {
            usleep(100)
            polls += 1
        }
        #expect(process.isRunning, "the child ended before its first rename")
        // The child is between its renames (it pauses there, holding the directory's lock).
        let store = try TimelineStore(log: log)
        let marked = (try? String(contentsOfFile: marks, encoding: .utf8)) ?? ""
        #expect(marked.contains("swapped tensions\n"), "opened before the rebuild's second rename: \(marked)")
        #expect(try checkpoints(store) == ["statements": newHead, "tensions": newHead])
        var fold = TimelineFold()
        fold.apply(try allEvents(log))
        try expectSameAnswers(store, fold)
        store.close()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(((try? String(contentsOfFile: marks, encoding: .utf8)) ?? "").contains("done\n"))
    }
}
