import DatelineTestSupport
import Foundation
import Testing

/// The traps a new user meets in the first hour, each driven through the real executables on
/// real files: a mistyped `--db`, negative numbers, typos in filters, a server that is not
/// there, a busy port, `nc` after QUIT.
@Suite(.timeLimit(.minutes(3))) struct NewcomerTests {
    let samples = packageRoot.appendingPathComponent("samples").path

    @Test func readCommandsOnAMissingLogSaySoAndCreateNothing() async throws {
        let dir = try TemporaryDirectory()
        let dateline = try productPath("dateline")
        let missing = dir.path("typo.sqlite")
        for command in [["statements"], ["tensions"], ["log"], ["replay"], ["stats"], ["verify"]] {
            let result = try await run(dateline, command + ["--db", missing])
            #expect(result.status == 1, "\(command): \(result.stdout)")
            #expect(result.stderr.contains("no log at \(missing)"), "\(command): \(result.stderr)")
            #expect(result.stderr.contains("dateline ingest"))
            #expect(!FileManager.default.fileExists(atPath: missing), "\(command) created \(missing)")
        }
        // Only ingest creates the log.
        #expect(try await run(dateline, ["ingest", "--db", missing, samples]).status == 0)
        #expect(FileManager.default.fileExists(atPath: missing))
    }

    @Test func aDirectoryGivenAsTheLogIsNamedAsSuch() async throws {
        let dir = try TemporaryDirectory()
        let dateline = try productPath("dateline")
        for command in [["stats"], ["ingest", samples]] {
            let result = try await run(dateline, command + ["--db", dir.url.path])
            #expect(result.status == 1)
            #expect(result.stderr.contains("\(dir.url.path) is a directory"), "\(command): \(result.stderr)")
        }
    }

    @Test func negativeNumbersAreRefusedAsNotPositive() async throws {
        let dir = try TemporaryDirectory()
        let dateline = try productPath("dateline")
        let db = dir.path("log.sqlite")
        #expect(try await run(dateline, ["ingest", "--db", db, samples]).status == 0)
        for (args, option) in [(["statements", "--limit", "-1"], "--limit"), (["tensions", "--half-life", "-2"], "--half-life"),
                               (["tensions", "--top", "-3"], "--top"), (["log", "--limit", "-5"], "--limit")] {
            let result = try await run(dateline, args + ["--db", db])
            #expect(result.status == 64, "\(args)")
            #expect(result.stderr.contains("\(option) must be positive"), "\(args): \(result.stderr)")
            #expect(!result.stderr.contains("Missing value"))
            // The error comes first, then the usage.
            let error = try #require(result.stderr.range(of: "must be positive"))
            let usage = try #require(result.stderr.range(of: "Usage:"))
            #expect(error.lowerBound < usage.lowerBound)
        }
    }

    @Test func typosInFiltersAreUsageErrorsEverywhere() async throws {
        let dir = try TemporaryDirectory()
        let dateline = try productPath("dateline")
        let db = dir.path("log.sqlite")
        #expect(try await run(dateline, ["ingest", "--db", db, samples]).status == 0)
        let cases: [[String]] = [
            ["tail", "--type", "statment"], ["tail", "--type", "Foo"], ["tail", "--actor", "XYZ"], ["tail", "--pair", "RUS-XYZ"],
            ["tail", "--pair", "RUS-RUS"], ["tensions", "--pair", "RUS-RUS", "--db", db], ["replay", "--type", "tensionz", "--db", db],
            ["statements", "--actor", "XYZ", "--db", db],
        ]
        for args in cases {
            let result = try await run(dateline, args)
            #expect(result.status == 64, "\(args): \(result.stderr)")
        }
        let twice = try await run(dateline, ["tensions", "--pair", "RUS-RUS", "--db", db])
        #expect(twice.stderr.contains("RUS twice; a pair is two different actors"), "\(twice.stderr)")
        let type = try await run(dateline, ["tail", "--type", "statment"])
        #expect(type.stderr.contains("use article, statement, tension, superseded"), "\(type.stderr)")
        // The short names tail prints are accepted, as are the event types in any case.
        let replay = try await run(dateline, ["replay", "--db", db, "--type", "tension", "--type", "articleingested"])
        #expect(replay.status == 0, "\(replay.stderr)")
        let types = Set(try jsonLines(replay.stdout).compactMap { $0["event_type"] as? String })
        #expect(types == ["TensionObserved", "ArticleIngested"])
    }

    @Test func countsAreSingularForOne() async throws {
        let dir = try TemporaryDirectory()
        let dateline = try productPath("dateline")
        let result = try await run(dateline, ["ingest", "--db", dir.path("log.sqlite"), "-"],
                             stdin: "date 2024-05-01 One quote\n\n“We will keep talking,” Elena Varga said.\n")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("(1 statement, 0 tensions)"), "\(result.stdout)")
    }

    @Test func filesSkippedInADirectoryAreCountedAndNamed() async throws {
        let dir = try TemporaryDirectory()
        let dateline = try productPath("dateline")
        let articles = dir.url.appendingPathComponent("articles")
        try FileManager.default.createDirectory(at: articles, withIntermediateDirectories: true)
        try "date 2024-05-01 Title\n\nText.\n".write(to: articles.appendingPathComponent("a.txt"), atomically: true, encoding: .utf8)
        try "# notes".write(to: articles.appendingPathComponent("notes.md"), atomically: true, encoding: .utf8)
        try "x,y".write(to: articles.appendingPathComponent("data.csv"), atomically: true, encoding: .utf8)
        let result = try await run(dateline, ["ingest", "--db", dir.path("log.sqlite"), articles.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("articles: 1 new"))
        #expect(result.stdout.contains("skipped: 2 files not ending in .txt, .json, .jsonl or .ndjson (data.csv, notes.md)"),
                "\(result.stdout)")
    }

    @Test func speakersAreFoundAsPeopleTypeThem() async throws {
        let dir = try TemporaryDirectory()
        let dateline = try productPath("dateline")
        let db = dir.path("log.sqlite")
        #expect(try await run(dateline, ["ingest", "--db", db, samples]).status == 0)
        for typed in ["Zelen", "zelensky", "Zelenskiy", "ZELENSKYI", "Volodymyr Zel", "Zelenskij"] {
            let result = try await run(dateline, ["statements", "--db", db, "--speaker", typed, "--json"])
            #expect(result.status == 0, "\(typed): \(result.stderr)")
            let speakers = Set(try jsonLines(result.stdout).compactMap { $0["speaker"] as? String })
            #expect(speakers == ["Volodymyr Zelenskyy"], "\(typed)")
        }
        for typed in ["Ze", "Zelenska", "Varga Zelensky"] {
            let result = try await run(dateline, ["statements", "--db", db, "--speaker", typed, "--json"])
            #expect(result.stdout.isEmpty, "\(typed) matched \(result.stdout)")
        }
    }

    @Test func weekAndMonthRowsGiveTheIndexOnTheBucketsLastDayRoundedInJSON() async throws {
        let dir = try TemporaryDirectory()
        let db = try TimelineCommandTests.fixtureDatabase(in: dir)
        let dateline = try productPath("dateline")
        func rounded(_ v: Double) -> Double { (v * 10_000).rounded() / 10_000 }
        // RUS|UKR: 7.2 on Thursday 2022-01-27; its week ends on Sunday the 30th, its month on the 31st.
        let week = try await run(dateline, ["tensions", "--db", db, "--pair", "RUS-UKR", "--bucket", "week", "--json"])
        let weekRow = try #require(try jsonLines(week.stdout).first)
        #expect(weekRow["period"] as? String == "2022-W04")
        #expect(weekRow["index"] as? Double == rounded(7.2 * pow(2, -3.0 / 7)))
        let month = try await run(dateline, ["tensions", "--db", db, "--actor", "RUS", "--bucket", "month", "--json"])
        let nato = try #require(try jsonLines(month.stdout).first { $0["pair"] as? String == "NATO|RUS" })
        #expect(nato["index"] as? Double == rounded(5 * pow(2, -25.0 / 7)))  // 2022-02-03 to 2022-02-28
        // Every number in the JSON has at most four decimals.
        let long = try NSRegularExpression(pattern: "[0-9]\\.[0-9]{5,}")
        let text = week.stdout + month.stdout
        #expect(long.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) == nil, "\(text)")
    }

    @Test func helpTextIsWrappedByTheTerminalNotByHand() async throws {
        let dateline = try productPath("dateline")
        for command in ["ingest", "extract", "statements", "tensions", "tail", "rebuild", "reextract"] {
            let help = try await run(dateline, ["help", command], environment: ["COLUMNS": "1000"])
            #expect(help.status == 0)
            // Between the overview and the usage: paragraphs, each on one line at this width.
            let lines = help.stdout.components(separatedBy: "USAGE:")[0].split(separator: "\n", omittingEmptySubsequences: false)
            let paragraphs = lines.dropFirst().split(separator: "", omittingEmptySubsequences: true)
            #expect(paragraphs.allSatisfy { $0.count == 1 }, "\(command): \(paragraphs)")
        }
    }

    @Test func ingestOnATerminalSaysItReadsStandardInput() async throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/script") else {
            print("skipped: /usr/bin/script (util-linux) is needed to give dateline a terminal")
            return
        }
        let dir = try TemporaryDirectory()
        let db = dir.path("log.sqlite")
        let result = try await run("/usr/bin/script", ["-qec", "\(try productPath("dateline")) ingest --db \(db)", "/dev/null"],
                             stdin: "date 2024-05-01 Typed\n\nTyped at the terminal.\n")
        #expect(result.stdout.contains("reading articles from standard input (end with Ctrl-D"), "\(result.stdout)")
        #expect(result.stdout.contains("articles: 1 new"))
        // Piped input needs no such notice.
        let piped = try await run(try productPath("dateline"), ["ingest", "--db", db, "-"], stdin: "date 2024-05-02 Piped\n\nPiped.\n")
        #expect(!piped.stderr.contains("reading articles"))
    }

    @Test func bothExecutablesReportTheSameVersion() async throws {
        let dateline = try await run(try productPath("dateline"), ["--version"])
        let datelined = try await run(try productPath("datelined"), ["--version"])
        #expect(dateline.status == 0 && datelined.status == 0)
        let version = dateline.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(version.hasPrefix("dateline 0."))
        #expect(datelined.stdout.hasPrefix("datelined " + version.dropFirst("dateline ".count)), "\(datelined.stdout)")
    }

    @Test func datelinedTakesTheSameSyncOptionAsDateline() async throws {
        let datelined = try productPath("datelined")
        let help = try await run(datelined, ["--help"])
        #expect(help.stdout.contains("--sync <sync>"))
        #expect(!help.stdout.contains("relaxed"))
        let dir = try TemporaryDirectory()
        let bad = try await run(datelined, ["--db", dir.path("log.sqlite"), "--sync", "sometimes"])
        #expect(bad.status == 64)
        let server = try await ServerProcess.start(db: dir.path("log.sqlite"), arguments: ["--sync", "normal"])
        #expect(await server.stop() == 0)
    }
}

/// The newcomer's traps that need a running server, each with a time limit.
@Suite(.timeLimit(.minutes(2))) struct NewcomerServerTests {
    let samples = packageRoot.appendingPathComponent("samples").path

    @Test func aBusyPortIsExplained() async throws {
        let dir = try TemporaryDirectory()
        let first = try await ServerProcess.start(db: dir.path("one.sqlite"))
        let second = try await run(try productPath("datelined"), ["--db", dir.path("two.sqlite"), "--port", String(first.port)])
        #expect(second.status == 1)
        #expect(second.stderr.contains("port \(first.port) is in use: another datelined? choose --port"), "\(second.stderr)")
        #expect(await first.stop() == 0)
    }

    @Test func anUnreachableServerIsOneSentence() async throws {
        let dateline = try productPath("dateline")
        let port = try freePort()
        for args in [["tail", "--server", "127.0.0.1:\(port)"], ["statements", "--server", "127.0.0.1:\(port)"]] {
            let result = try await run(dateline, args)
            #expect(result.status == 1, "\(args)")
            #expect(result.stderr.contains("cannot reach datelined at 127.0.0.1:\(port) (connection refused): is datelined running?"),
                    "\(args): \(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
        }
    }

    @Test func tailBeyondTheHeadSaysTheRequestWasRefused() async throws {
        let dir = try TemporaryDirectory()
        let db = dir.path("log.sqlite")
        let dateline = try productPath("dateline")
        #expect(try await run(dateline, ["ingest", "--db", db, samples]).status == 0)
        let server = try await ServerProcess.start(db: db)
        let result = try await run(dateline, ["tail", "--server", server.address, "--from", "999"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("datelined refused the subscription:"), "\(result.stderr)")
        #expect(!result.stderr.contains("refused the connection"))
        #expect(await server.stop() == 0)
    }

    @Test func ncReturnsAfterQuitAndTheServerRefusesTypos() async throws {
        guard let nc = ["/usr/bin/nc", "/bin/nc"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            print("skipped: nc is not installed (Debian: netcat-openbsd)")
            return
        }
        let dir = try TemporaryDirectory()
        let server = try await ServerProcess.start(db: dir.path("log.sqlite"))
        // Standard input stays open, as a person's terminal does: only the server can end the session.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: nc)
        process.arguments = ["127.0.0.1", String(server.port)]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        let exit = ProcessExit(process)
        try process.run()
        input.fileHandleForWriting.write(Data("""
        {"op":"query","id":"q1","kind":"tensions","pair":"RUS-RUS"}
        {"op":"query","id":"q2","kind":"tensions","pair":"RUS-XYZ"}
        {"op":"query","id":"q3","kind":"statements","actor":"QQQ"}
        {"op":"subscribe","id":"s1","types":["statment"]}
        {"op":"subscribe","id":"s2","types":["statement"],"actor":"XYZ"}
        QUIT

        """.utf8))
        let deadline = Date().addingTimeInterval(10)
        while !exit.hasExited && Date() < deadline { try await Task.sleep(nanoseconds: 20_000_000) }
        let returned = exit.hasExited
        if !returned { process.terminate() }
        _ = await exit.status()
        try? input.fileHandleForWriting.close()
        #expect(returned, "nc still waiting 10 s after QUIT")
        let lines = try jsonLines(String(decoding: await readToEnd(output.fileHandleForReading), as: UTF8.self))
        for id in ["q1", "q2", "q3", "s1", "s2"] {
            let reply = lines.first { $0["id"] as? String == id }
            #expect(reply?["type"] as? String == "error" && reply?["code"] as? String == "bad_request", "\(id): \(String(describing: reply))")
        }
        #expect(lines.last?["op"] as? String == "quit")
        #expect(await server.stop() == 0)
    }
}

/// A port nobody listens on (bound, read back and released).
func freePort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    try withUnsafeMutablePointer(to: &address) { p in
        try p.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa in
            guard bind(fd, sa, length) == 0, getsockname(fd, sa, &length) == 0 else { throw ProductNotFound(name: "a free port") }
        }
    }
    return Int(UInt16(bigEndian: address.sin_port))
}
