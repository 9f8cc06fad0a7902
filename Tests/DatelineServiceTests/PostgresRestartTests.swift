import DatelineClient
import DatelineCore
import Foundation
import Logging
import DatelineTestSupport
import PostgresLog
import Testing

/// A PostgreSQL cluster of the test's own, in a temporary directory on a free port, that the
/// test may stop and start (the shared development or CI server must never be restarted).
///
/// Started as `.ci/run` starts its cluster (`initdb` and `pg_ctl` as the `postgres` user through
/// `runuser` when running as root), but no thread ever blocks on a child process: each one is
/// awaited by polling with a deadline, `pg_ctl` is run without waiting (`-W`) and readiness is
/// polled by connecting, and the cluster is stopped by signalling the postmaster named in its
/// `postmaster.pid` (what `pg_ctl -m immediate` does), so a runuser or pg_ctl that never ends
/// cannot hang the test.
final class PrivatePostgresCluster: @unchecked Sendable {
    /// Why a cluster cannot be started here, or nil when it can.
    static let unavailableReason: String? = {
        guard binaries != nil else { return "no PostgreSQL server binaries (initdb, pg_ctl) under /usr/lib/postgresql/*/bin" }
        if getuid() == 0 && getpwnam("postgres") == nil { return "running as root without a postgres user for initdb" }
        if getuid() == 0 && !FileManager.default.isExecutableFile(atPath: "/usr/sbin/runuser")
            && !FileManager.default.isExecutableFile(atPath: "/sbin/runuser") { return "running as root without runuser" }
        return nil
    }()
    static var skipMessage: String {
        "PostgreSQL restart test skipped: \(unavailableReason ?? "")"
    }

    /// The newest installed server's bin directory.
    static let binaries: String? = {
        let root = "/usr/lib/postgresql"
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? [])
            .compactMap { Int($0) }.sorted()
        for version in versions.reversed() {
            let bin = "\(root)/\(version)/bin"
            if FileManager.default.isExecutableFile(atPath: bin + "/initdb"),
               FileManager.default.isExecutableFile(atPath: bin + "/pg_ctl") { return bin }
        }
        return nil
    }()

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    let directory: String
    let dataDirectory: String
    let port: Int
    private let bin: String

    var location: PostgresLocation {
        get throws { try PostgresLocation(url: url) }
    }
    var url: String { "postgres://postgres@127.0.0.1:\(port)/postgres" }

    private init(directory: String, port: Int, bin: String) {
        self.directory = directory
        self.dataDirectory = directory + "/data"
        self.port = port
        self.bin = bin
    }

    /// Creates and starts a cluster; `destroy()` must follow (in a `defer`).
    static func create() async throws -> PrivatePostgresCluster {
        guard let bin = binaries else { throw Failure(description: skipMessage) }
        let directory = FileManager.default.temporaryDirectory.path + "/dateline-pg-restart-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory + "/data", withIntermediateDirectories: true)
        let cluster = PrivatePostgresCluster(directory: directory, port: try freePort(), bin: bin)
        do {
            if getuid() == 0, let user = getpwnam("postgres") {
                chown(directory, user.pointee.pw_uid, user.pointee.pw_gid)
                chown(cluster.dataDirectory, user.pointee.pw_uid, user.pointee.pw_gid)
            }
            chmod(cluster.dataDirectory, 0o700)
            let status = try await cluster.runAsPostgres(bin + "/initdb", ["-D", cluster.dataDirectory, "-U", "postgres",
                                                                           "-A", "trust", "-E", "UTF8", "--no-sync"],
                                                         limit: .seconds(120))
            guard status == 0 else { throw Failure(description: "initdb exited with \(status): \(cluster.output(of: "initdb"))") }
            try await cluster.start()
        } catch {
            cluster.destroy()
            throw error
        }
        return cluster
    }

    /// Starts the postmaster (without waiting in pg_ctl) and waits until it accepts queries.
    func start(limit: Duration = .seconds(60)) async throws {
        let status = try await runAsPostgres(bin + "/pg_ctl", [
            "-D", dataDirectory, "-l", dataDirectory + "/server.log", "-W",
            "-o", "-c listen_addresses=127.0.0.1 -p \(port) -k \(dataDirectory) -c max_connections=50 -c fsync=on",
            "start",
        ], limit: .seconds(30))
        guard status == 0 else { throw Failure(description: "pg_ctl start exited with \(status): \(serverLog())") }
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if await acceptsQueries() { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw Failure(description: "PostgreSQL did not start within \(limit): \(serverLog())")
    }

    /// Stops the postmaster as `pg_ctl -m immediate` does (SIGQUIT: every backend ends at once,
    /// open transactions are lost, committed ones are in the WAL) and waits until it is gone.
    func stopImmediately(limit: Duration = .seconds(30)) async throws {
        guard let pid = postmasterPID() else { return }
        kill(pid, SIGQUIT)
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if !isRunning(pid) { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw Failure(description: "PostgreSQL (pid \(pid)) did not stop within \(limit)")
    }

    /// Stops whatever runs on the data directory and removes the directory. Synchronous, for a
    /// `defer`; bounded (a postmaster that ignores SIGQUIT for 10 s gets SIGKILL).
    func destroy() {
        if let pid = postmasterPID() {
            kill(pid, SIGQUIT)
            var waited = 0
            while isRunning(pid) && waited < 10_000 {
                usleep(20_000)
                waited += 20
            }
            if isRunning(pid) { kill(pid, SIGKILL) }
        }
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// What a program run by `runAsPostgres` printed (for failure messages).
    func output(of program: String) -> String {
        String(((try? String(contentsOfFile: directory + "/\(program).out", encoding: .utf8)) ?? "").suffix(2_000))
    }

    /// The server's log so far (for failure messages).
    func serverLog() -> String {
        let text = (try? String(contentsOfFile: dataDirectory + "/server.log", encoding: .utf8)) ?? "(no server log)"
        return String(text.suffix(2_000))
    }

    private func postmasterPID() -> pid_t? {
        guard let text = try? String(contentsOfFile: dataDirectory + "/postmaster.pid", encoding: .utf8),
              let first = text.split(separator: "\n").first, let pid = pid_t(first) else { return nil }
        return pid
    }

    /// The postmaster removes its pid file as it exits; a process that is gone (or only a
    /// zombie nobody reaps) no longer counts.
    private func isRunning(_ pid: pid_t) -> Bool {
        guard FileManager.default.fileExists(atPath: dataDirectory + "/postmaster.pid") else { return false }
        guard kill(pid, 0) == 0 else { return false }
        let status = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
        return !status.contains(") Z ")
    }

    private func acceptsQueries() async -> Bool {
        guard let location = try? location else { return false }
        do {
            try await TemporaryPostgresDatabase.execute("SELECT 1", on: location)
            return true
        } catch {
            return false
        }
    }

    /// Runs a program as the `postgres` user (through runuser when root) and awaits its end
    /// by polling `waitpid` without blocking; after `limit` it is killed and the wait fails.
    ///
    /// Spawned with `posix_spawn`, every descriptor above stderr closed, not with Foundation's
    /// `Process`: a `Process` child inherits a socket that Foundation watches to learn of the
    /// child's end, the postmaster that `pg_ctl start` leaves behind keeps it open, and the end
    /// of runuser is then never reported (`waitUntilExit` hangs, runuser stays defunct).
    private func runAsPostgres(_ program: String, _ arguments: [String], limit: Duration) async throws -> Int32 {
        var argv = [program] + arguments
        if getuid() == 0 {
            let runuser = FileManager.default.isExecutableFile(atPath: "/usr/sbin/runuser") ? "/usr/sbin/runuser" : "/sbin/runuser"
            argv = [runuser, "-u", "postgres", "--"] + argv
        }
        let output = directory + "/" + (program as NSString).lastPathComponent + ".out"
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        guard let closeFrom = Self.closeFrom, closeFrom(&actions, 3) == 0 else {
            throw Failure(description: "posix_spawn_file_actions_addclosefrom_np is not available")
        }
        var arguments = argv.map { strdup($0) } + [nil]
        defer { for argument in arguments { free(argument) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, argv[0], &actions, nil, &arguments, environ)
        guard spawned == 0 else { throw Failure(description: "cannot start \(argv[0]): \(String(cString: strerror(spawned)))") }
        let deadline = ContinuousClock.now + limit
        var status: Int32 = 0
        while waitpid(pid, &status, WNOHANG) == 0 {
            if ContinuousClock.now >= deadline {
                kill(pid, SIGKILL)
                _ = waitpid(pid, &status, 0)
                throw Failure(description: "\(program) did not end within \(limit)")
            }
            try? await Task.sleep(for: .milliseconds(20))
        }
        // Exit status as the shell reports it (WIFEXITED / WEXITSTATUS).
        return status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }

    private typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, Int32) -> Int32
    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34 and later), which the Glibc
    /// module does not export.
    private static let closeFrom: CloseFrom? = dlsym(UnsafeMutableRawPointer(bitPattern: 0),
                                                     "posix_spawn_file_actions_addclosefrom_np")
        .map { unsafeBitCast($0, to: CloseFrom.self) }

    /// A port on 127.0.0.1 nothing listens on now (the system picks it).
    private static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket() failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw Failure(description: "could not bind a port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// `datelined` on a PostgreSQL that is restarted while clients append and a subscriber follows.
@Suite("PostgreSQL restarted under load", .serialized, .timeLimit(.minutes(4)),
       .enabled(if: PrivatePostgresCluster.unavailableReason == nil, Comment(rawValue: PrivatePostgresCluster.skipMessage)))
struct PostgresRestartTests {
    /// One appending client on its own thread: appends batches of two events to its stream
    /// until told to stop, and records each answer.
    final class Appender: @unchecked Sendable {
        let name: String
        private let lock = NSLock()
        private var stopRequested = false
        private(set) var acknowledged: [String: Int64] = [:]
        /// Batches answered `unavailable`, with the message.
        private(set) var unavailable: [(batch: Int, message: String)] = []
        /// Anything else: a wrong answer, a lost connection, no answer.
        private(set) var faults: [String] = []
        private var ended = false
        var finished: Bool { lock.withLock { ended } }

        init(name: String) { self.name = name }

        func stop() { lock.withLock { stopRequested = true } }
        private var stopping: Bool { lock.withLock { stopRequested } }

        static func request(name: String, batch: Int) -> String {
            let events = (0..<2).map { i in #"{"event_id":"\#(name)-\#(batch)-\#(i)","type":"NoteTaken","data":{"n":\#(i)}}"# }
            return #"{"op":"append","id":"\#(name)-\#(batch)","stream":"\#(name)","events":[\#(events.joined(separator: ","))]}"#
        }

        func run(port: Int) {
            guard let client = try? LineClient(host: "127.0.0.1", port: port), (try? client.readLine(timeout: 20)) != nil else {
                lock.withLock {
                    faults.append("no hello")
                    ended = true
                }
                return
            }
            defer {
                client.close()
                lock.withLock { ended = true }
            }
            var batch = 0
            while !stopping {
                do {
                    try client.send(Self.request(name: name, batch: batch))
                    guard let line = try client.readLine(timeout: 60),
                          let reply = try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any] else {
                        lock.withLock { faults.append("\(name)-\(batch): no reply") }
                        return
                    }
                    if reply["type"] as? String == "ok", let positions = reply["positions"] as? [NSNumber], positions.count == 2 {
                        lock.withLock {
                            for (i, position) in positions.enumerated() { acknowledged["\(name)-\(batch)-\(i)"] = position.int64Value }
                        }
                    } else if reply["type"] as? String == "error", reply["code"] as? String == "unavailable" {
                        lock.withLock { unavailable.append((batch, reply["message"] as? String ?? "")) }
                    } else {
                        lock.withLock { faults.append("\(name)-\(batch): \(reply)") }
                    }
                } catch {
                    lock.withLock { faults.append("\(name)-\(batch): \(error)") }
                    return
                }
                batch += 1
            }
        }
    }

    @Test("appends fail with unavailable while PostgreSQL restarts, never falsely acknowledged; the server reconnects; the subscriber sees 1…head once each")
    func restartUnderLoad() async throws {
        let cluster = try await PrivatePostgresCluster.create()
        defer { cluster.destroy() }
        let dir = try TemporaryDirectory()
        let server = try await ServerProcess.start(db: cluster.url, arguments: ["--timelines", dir.path("timelines")])
        let tailer = try LiveSubscriber(port: server.port)
        defer { tailer.close() }
        #expect(await tailer.waitUntilLive())

        let appenders = (0..<4).map { Appender(name: "r\($0)") }
        let port = server.port
        for appender in appenders { Thread { appender.run(port: port) }.start() }
        func acknowledgedCount() -> Int { appenders.reduce(0) { $0 + $1.acknowledged.count } }
        // Load first, then PostgreSQL goes away at once (open transactions are cut off), stays
        // down, and comes back on the same port and data.
        try await waitUntil(seconds: 60) { acknowledgedCount() >= 400 }
        try await cluster.stopImmediately()
        let downAt = acknowledgedCount()
        // Down for longer than the server's 10 s request deadline, so an append that reaches
        // the server during the outage is answered `unavailable` whether or not a batch was in
        // flight on a killed connection at the moment of the stop.
        try await Task.sleep(for: .seconds(12))
        try await cluster.start()
        // The server must append again without being restarted.
        try await waitUntil(seconds: 90) { acknowledgedCount() >= downAt + 400 }
        for appender in appenders { appender.stop() }
        try await waitUntil(seconds: 90) { appenders.allSatisfy(\.finished) }

        for appender in appenders {
            #expect(appender.faults.isEmpty, "\(appender.name): \(appender.faults.prefix(3))")
            for (_, message) in appender.unavailable {
                #expect(!message.isEmpty && !message.contains("NoteTaken"), "unclear or leaking message: \(message)")
            }
        }
        let unavailable = appenders.flatMap(\.unavailable)
        // Each appender had a batch in flight when the server went away: at least some answered
        // `unavailable`, none was acknowledged wrongly (checked against the log below).
        #expect(!unavailable.isEmpty, "no append failed while PostgreSQL was down")

        // The log after the restart: positions 1…head, each event id once, every acknowledged
        // event at its acknowledged position.
        let quiet = Logger(label: "dateline.test", factory: { _ in SwiftLogNoOpLogHandler() })
        let log = try await PostgresEventLog.open(try cluster.location, options: PostgresLogOptions(createIfMissing: false), logger: quiet)
        let head = try await log.head()
        var stored: [RecordedEvent] = []
        while stored.count < Int(head.rawValue) {
            let page = try await log.read(from: Position(Int64(stored.count) + 1), limit: 1_000)
            if page.isEmpty { break }
            stored += page
        }
        #expect(stored.map(\.position.rawValue) == Array(1...head.rawValue), "the log's positions are not 1…head")
        let positionOf = Dictionary(stored.map { ($0.id.rawValue, $0.position.rawValue) }, uniquingKeysWith: { a, _ in a })
        #expect(positionOf.count == stored.count, "an event id is stored twice")
        for appender in appenders {
            for (id, position) in appender.acknowledged {
                #expect(positionOf[id] == position, "\(id) acknowledged at \(position), stored at \(positionOf[id] ?? -1)")
            }
        }
        // A batch answered `unavailable` either committed without its answer or not at all, and
        // never in part; a retry with the same ids answers its positions either way.
        for appender in appenders {
            for (batch, _) in appender.unavailable {
                let ids = (0..<2).map { "\(appender.name)-\(batch)-\($0)" }
                #expect((positionOf[ids[0]] == nil) == (positionOf[ids[1]] == nil), "batch \(appender.name)-\(batch) stored in part")
            }
        }
        await log.close()

        // The subscriber saw exactly the log: every position once, in order, no gap.
        #expect(await tailer.waitFor(head: head.rawValue, seconds: 60), "the subscriber received \(tailer.events.count) of \(head)")
        #expect(tailer.error == nil, "\(tailer.error ?? "")")
        #expect(tailer.events.map(\.position) == Array(1...head.rawValue), "the subscriber's positions are not 1…head once each")
        #expect(await server.stop() == 0)
    }

    private func waitUntil(seconds: Double, _ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            if condition() { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(condition(), "not reached within \(seconds) s")
    }
}
