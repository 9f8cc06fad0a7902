import DatelineClient
import DatelineTestSupport
import Foundation
import PostgresLog
import Testing

/// Several `datelined` processes sharing one PostgreSQL log (real servers, real sockets, a real
/// PostgreSQL given by `DATELINE_TEST_POSTGRES_URL`).
@Suite("Servers sharing a PostgreSQL log", .serialized, .timeLimit(.minutes(4)),
       .enabled(if: TemporaryPostgresDatabase.isAvailable, Comment(rawValue: TemporaryPostgresDatabase.skipMessage)))
struct PostgresServersTests {
    /// One appending client: `batches` appends of `size` events to its own stream, each
    /// acknowledged before the next; remembers what each acknowledged id was given.
    final class Appender: @unchecked Sendable {
        let name: String
        private let lock = NSLock()
        private(set) var acknowledged: [String: Int64] = [:]
        private(set) var failures: [String] = []

        init(name: String) { self.name = name }

        func request(_ batch: Int, size: Int) -> String {
            let events = (0..<size).map { i in
                #"{"event_id":"\#(name)-\#(batch)-\#(i)","type":"NoteTaken","data":{"n":\#(i)}}"#
            }
            return #"{"op":"append","id":"\#(name)-\#(batch)","stream":"\#(name)","events":[\#(events.joined(separator: ","))]}"#
        }

        /// Sends the batches to `port`; stops at the first connection failure (a killed server).
        func run(port: Int, batches: Range<Int>, size: Int) {
            guard let client = try? LineClient(host: "127.0.0.1", port: port), (try? client.readLine(timeout: 20)) != nil else {
                lock.withLock { failures.append("no hello from port \(port)") }
                return
            }
            defer { client.close() }
            for batch in batches {
                do {
                    try client.send(request(batch, size: size))
                    guard let line = try client.readLine(timeout: 30),
                          let reply = try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any] else {
                        lock.withLock { failures.append("\(name)-\(batch): no reply") }
                        return
                    }
                    guard reply["type"] as? String == "ok", let positions = reply["positions"] as? [NSNumber] else {
                        lock.withLock { failures.append("\(name)-\(batch): \(reply)") }
                        continue
                    }
                    lock.withLock {
                        for (i, position) in positions.enumerated() { acknowledged["\(name)-\(batch)-\(i)"] = position.int64Value }
                    }
                } catch {
                    lock.withLock { failures.append("\(name)-\(batch): \(error)") }
                    return
                }
            }
        }
    }

    private func startServers(_ count: Int, database: TemporaryPostgresDatabase, in dir: TemporaryDirectory) async throws -> [ServerProcess] {
        var servers: [ServerProcess] = []
        for i in 0..<count {
            servers.append(try await ServerProcess.start(db: database.url, arguments: ["--timelines", dir.path("timelines-\(i)")]))
        }
        return servers
    }

    /// Runs `body` with a database of its own, dropped afterwards whatever happens.
    private func withDatabase(_ body: (TemporaryPostgresDatabase) async throws -> Void) async throws {
        let database = try await TemporaryPostgresDatabase.create(prefix: "dateline_servers")
        do { try await body(database) } catch {
            await database.drop()
            throw error
        }
        await database.drop()
    }

    private func runAll(_ work: [@Sendable () -> Void]) {
        let group = DispatchGroup()
        for job in work {
            group.enter()
            Thread { job(); group.leave() }.start()
        }
        group.wait()
    }

    @Test("three servers, 50 appending clients spread over them, the head row held for a second: every tailer sees every position once, in order")
    func threeServersShareOneLog() async throws {
        try await withDatabase { database in
            let dir = try TemporaryDirectory()
            let servers = try await startServers(3, database: database, in: dir)
            let tailers = try servers.map { try LiveSubscriber(port: $0.port) }
            defer { for tailer in tailers { tailer.close() } }
            for tailer in tailers { #expect(await tailer.waitUntilLive()) }

            let appenders = (0..<50).map { Appender(name: "client\($0)") }
            // A session of its own takes the head row and keeps it for a second while the clients
            // start: their transactions wait behind it and then go on in order.
            let holder = Task {
                try await TemporaryPostgresDatabase.execute("BEGIN", "SELECT * FROM dateline.head FOR UPDATE",
                                                            "SELECT pg_sleep(1)", "COMMIT", on: database.location)
            }
            try await Task.sleep(for: .milliseconds(100))
            let ports = servers.map(\.port)
            await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
                Thread {
                    self.runAll(appenders.enumerated().map { index, appender in
                        { appender.run(port: ports[index % 3], batches: 0..<6, size: 3) }
                    })
                    done.resume()
                }.start()
            }
            try await holder.value
            for appender in appenders { #expect(appender.failures.isEmpty, "\(appender.name): \(appender.failures.prefix(3))") }
            let acknowledged = appenders.flatMap { $0.acknowledged.values }.sorted()
            #expect(acknowledged == Array(1...Int64(50 * 6 * 3)), "acknowledged positions are not exactly 1…900")
            let head = Int64(50 * 6 * 3)
            for (i, tailer) in tailers.enumerated() {
                #expect(await tailer.waitFor(head: head), "server \(i): received \(tailer.events.count) of \(head)")
                #expect(tailer.error == nil, "server \(i): \(tailer.error ?? "")")
                #expect(tailer.events.map(\.position) == Array(1...head), "server \(i): positions missing, repeated or out of order")
            }
            for server in servers { #expect(await server.stop() == 0) }
        }
    }

    @Test("a server killed with SIGKILL under load loses nothing it acknowledged; retries with the same ids on another server get the original positions")
    func killedServerLosesNothing() async throws {
        try await withDatabase { database in
            let dir = try TemporaryDirectory()
            let servers = try await startServers(2, database: database, in: dir)
            let victim = servers[0], survivor = servers[1]
            let victimPort = victim.port, victimPID = victim.process.processIdentifier, survivorPort = survivor.port
            let appenders = (0..<8).map { Appender(name: "k\($0)") }
            await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
                Thread {
                    let killer: @Sendable () -> Void = {
                        usleep(300_000)
                        kill(victimPID, SIGKILL)
                    }
                    self.runAll(appenders.map { appender in { appender.run(port: victimPort, batches: 0..<400, size: 2) } } + [killer])
                    done.resume()
                }.start()
            }
            _ = await victim.exitStatus()
            let before = appenders.flatMap { $0.acknowledged }
            #expect(!before.isEmpty, "nothing was acknowledged before the kill")
            // Every batch again, same ids, to the other server: acknowledged ones answer their
            // original positions; the rest are written now (or were committed without an answer).
            let retries = appenders.map { Appender(name: $0.name) }
            await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
                Thread {
                    self.runAll(retries.map { appender in { appender.run(port: survivorPort, batches: 0..<400, size: 2) } })
                    done.resume()
                }.start()
            }
            for retry in retries { #expect(retry.failures.isEmpty, "\(retry.name): \(retry.failures.prefix(3))") }
            let after = Dictionary(uniqueKeysWithValues: retries.flatMap { $0.acknowledged })
            for (id, position) in before { #expect(after[id] == position, "\(id) was acknowledged at \(position), retried at \(after[id] ?? -1)") }
            #expect(after.count == 8 * 400 * 2)
            #expect(Set(after.values) == Set(1...Int64(8 * 400 * 2)), "positions are not exactly 1…6400")
            let verify = try await run(try productPath("dateline"), ["verify", "--db", database.url])
            #expect(verify.status == 0 && verify.stdout.contains("faults: 0"), "\(verify.stdout)\(verify.stderr)")
            #expect(await survivor.stop() == 0)
        }
    }

    @Test("the same batch sent to two servers at once is written once; both answer its positions")
    func sameIdsOnTwoServers() async throws {
        try await withDatabase { database in
            let dir = try TemporaryDirectory()
            let servers = try await startServers(2, database: database, in: dir)
            let one = Appender(name: "twice"), other = Appender(name: "twice")
            let ports = servers.map(\.port)
            await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
                Thread {
                    self.runAll([{ one.run(port: ports[0], batches: 0..<50, size: 3) },
                                 { other.run(port: ports[1], batches: 0..<50, size: 3) }])
                    done.resume()
                }.start()
            }
            #expect(one.failures.isEmpty && other.failures.isEmpty, "\(one.failures.prefix(2)) \(other.failures.prefix(2))")
            #expect(one.acknowledged == other.acknowledged)
            #expect(Set(one.acknowledged.values) == Set(1...150))
            for server in servers { #expect(await server.stop() == 0) }
        }
    }

    @Test("with the listening connection killed, events still reach the other server's subscribers, once and in order")
    func listenConnectionKilled() async throws {
        try await withDatabase { database in
            let dir = try TemporaryDirectory()
            let servers = try await startServers(2, database: database, in: dir)
            let tailer = try LiveSubscriber(port: servers[1].port)
            defer { tailer.close() }
            #expect(await tailer.waitUntilLive())
            let first = Appender(name: "before")
            first.run(port: servers[0].port, batches: 0..<5, size: 2)
            #expect(await tailer.waitFor(head: 10))
            // Every LISTEN connection of the database goes.
            var admin = database.location
            admin.database = "postgres"
            try await TemporaryPostgresDatabase.execute("""
                SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                WHERE datname = '\(database.location.database)' AND query LIKE 'LISTEN%'
                """, on: admin)
            let second = Appender(name: "after")
            second.run(port: servers[0].port, batches: 0..<20, size: 2)
            #expect(first.failures.isEmpty && second.failures.isEmpty, "\(second.failures.prefix(3))")
            #expect(await tailer.waitFor(head: 50), "received \(tailer.events.count) of 50")
            #expect(tailer.events.map(\.position) == Array(1...50))
            for server in servers { #expect(await server.stop() == 0) }
        }
    }
}
