import DatelineCore
import DatelineTestSupport
import EventLog
import Foundation
import Logging
import PostgresLog
import Testing

private let quiet = Logger(label: "dateline.test", factory: { _ in SwiftLogNoOpLogHandler() })
/// The conformance suite's request limit: with the whole suite on two cores, a healthy database
/// can take longer than the default 10 s to be reached (the unreachable case keeps its own).
private let underSuiteLoad = PostgresLogOptions(requestTimeout: .seconds(60))

@Suite("PostgreSQL location")
struct PostgresLocationTests {
    @Test("a URL gives host, port, user, password and database; the description hides the password")
    func parsesURLs() throws {
        let full = try PostgresLocation(url: "postgres://news%40desk:s3cr%2Ft@db.example:6543/timeline?sslmode=disable")
        #expect(full.username == "news@desk")
        #expect(full.password == "s3cr/t")
        #expect(full.host == "db.example")
        #expect(full.port == 6543)
        #expect(full.database == "timeline")
        #expect(!full.description.contains("s3cr"))
        let plain = try PostgresLocation(url: "postgresql://me@[::1]/log")
        #expect(plain.host == "::1")
        #expect(plain.port == 5432)
        #expect(plain.description == "postgres://me@[::1]:5432/log")
        #expect(PostgresLocation.isURL("postgres://a@b/c"))
        #expect(!PostgresLocation.isURL("./dateline.sqlite"))
    }

    @Test("URLs without a user, database or valid port are refused with a message that says which")
    func refusesBadURLs() {
        for (url, words) in [("postgres://localhost/db", "no user"), ("postgres://me@localhost", "no database"),
                             ("postgres://me@localhost:99999/db", "port"), ("postgres://me:pw@host:x/db", "port")] {
            do {
                _ = try PostgresLocation(url: url)
                Issue.record("accepted \(url)")
            } catch {
                #expect(error.description.contains(words), "\(url): \(error)")
                #expect(!error.description.contains("pw@"))
            }
        }
    }
}

@Suite("PostgreSQL log", .enabled(if: TemporaryPostgresDatabase.isAvailable, Comment(rawValue: TemporaryPostgresDatabase.skipMessage)),
       .timeLimit(.minutes(2)))
struct PostgresLogTests {
    private func withDatabase(_ body: (TemporaryPostgresDatabase) async throws -> Void) async throws {
        let database = try await TemporaryPostgresDatabase.create()
        do { try await body(database) } catch {
            await database.drop()
            throw error
        }
        await database.drop()
    }

    private func events(_ prefix: String, _ count: Int, bytes: Int = 300) -> [ProposedEvent] {
        (0..<count).map { i in
            let text = String(repeating: "the minister said talks would continue ", count: bytes / 39 + 1)
            return ProposedEvent(id: try! EventID("\(prefix)-\(i)"), type: "NoteTaken",
                                 data: Array(#"{"n":\#(i),"text":"\#(text)"}"#.utf8))
        }
    }

    @Test("a database whose dateline schema is not a log, or is newer, is refused; a log reopens")
    func refusesForeignAndNewerSchemas() async throws {
        try await withDatabase { database in
            try await TemporaryPostgresDatabase.execute("CREATE SCHEMA dateline", "CREATE TABLE dateline.other(x int)",
                                                        on: database.location)
            do {
                _ = try await PostgresEventLog.open(database.location, options: underSuiteLoad, logger: quiet)
                Issue.record("opened a database whose dateline schema is something else")
            } catch let error as EventLogError {
                guard case .notADatelineLog = error else { Issue.record("unexpected \(error)"); return }
            }
        }
        try await withDatabase { database in
            let log = try await PostgresEventLog.open(database.location, options: underSuiteLoad, logger: quiet)
            _ = try await log.append(to: try StreamName("s"), events: events("a", 2))
            await log.close()
            let again = try await PostgresEventLog.open(database.location, options: underSuiteLoad, logger: quiet)
            #expect(try await again.head() == Position(2))
            await again.close()
            try await TemporaryPostgresDatabase.execute(
                "UPDATE dateline.metadata SET value = '\(PostgresEventLog.schemaVersion + 1)' WHERE key = 'schema_version'",
                on: database.location)
            do {
                _ = try await PostgresEventLog.open(database.location, options: underSuiteLoad, logger: quiet)
                Issue.record("opened a log of a newer schema")
            } catch let error as EventLogError {
                guard case .newerSchemaVersion(_, let found, _) = error else { Issue.record("unexpected \(error)"); return }
                #expect(found == PostgresEventLog.schemaVersion + 1)
            }
        }
    }

    @Test("a log of an older schema version is upgraded when opened, and appends and time searches go on",
          arguments: [1, 2])
    func upgradesOlderVersions(from version: Int) async throws {
        try await withDatabase { database in
            let log = try await PostgresEventLog.open(database.location, options: underSuiteLoad, logger: quiet)
            _ = try await log.append(to: try StreamName("s"), events: events("a", 3))
            await log.close()
            // What a version 2 database looks like: locale-compared text columns, an index on
            // recorded_at, no search function; version 1 has no one-statement append function either.
            var older = [
                "ALTER TABLE dateline.events ALTER COLUMN stream TYPE text COLLATE \"default\", ALTER COLUMN event_id TYPE text COLLATE \"default\"",
                "CREATE INDEX events_recorded_at ON dateline.events(recorded_at)",
                "DROP FUNCTION dateline.first_position_at_or_after",
                "UPDATE dateline.metadata SET value = '\(version)' WHERE key = 'schema_version'",
            ]
            if version == 1 { older.append("DROP FUNCTION dateline.append_group") }
            try await TemporaryPostgresDatabase.execute(older, on: database.location)
            let upgraded = try await PostgresEventLog.open(database.location, options: underSuiteLoad, logger: quiet)
            #expect(try await TemporaryPostgresDatabase.text(
                "SELECT value FROM dateline.metadata WHERE key = 'schema_version'", on: database.location)
                == String(PostgresEventLog.schemaVersion))
            #expect(try await TemporaryPostgresDatabase.text(
                "SELECT to_regproc('dateline.append_group')::text", on: database.location) != nil)
            #expect(try await TemporaryPostgresDatabase.text(
                "SELECT to_regclass('dateline.events_recorded_at')::text", on: database.location) == nil)
            #expect(try await TemporaryPostgresDatabase.text("""
                SELECT string_agg(attname || '=' || coalesce(collname, ''), ',' ORDER BY attname)
                FROM pg_attribute LEFT JOIN pg_collation ON pg_collation.oid = attcollation
                WHERE attrelid = 'dateline.events'::regclass AND attname IN ('stream', 'event_id')
                """, on: database.location) == "event_id=C,stream=C")
            let result = try await upgraded.append(to: try StreamName("s"), expecting: .exact(StreamVersion(2)),
                                                   events: events("b", 2))
            #expect(result.positions == [Position(4), Position(5)])
            #expect(result.lastVersion == StreamVersion(4))
            #expect(try await upgraded.firstPosition(atOrAfter: result.recordedAt) == Position(4))
            await upgraded.close()
        }
    }

    @Test("one group with passing, refused and retried batches gives each its own answer")
    func mixedGroupAnswers() async throws {
        try await withDatabase { database in
            let log = try await PostgresEventLog.open(database.location, options: underSuiteLoad, logger: quiet)
            let first = try await log.append(to: try StreamName("s"), events: events("a", 2))
            // Many batches at once, so that they share groups: fresh ones in new streams, stale
            // expectations on "s", and retries of the first batch (which send a group down the
            // general path).
            let outcomes = await withTaskGroup(of: (Int, Result<AppendResult, EventLogError>).self) { group in
                for i in 0..<60 {
                    let stream = try! StreamName(i % 3 == 0 ? "n\(i)" : "s")
                    let (expected, batch) = switch i % 3 {
                    case 0: (ExpectedVersion.noStream, self.events("n\(i)", 2))
                    case 1: (ExpectedVersion.noStream, self.events("x\(i)", 1))
                    default: (ExpectedVersion.any, self.events("a", 2))
                    }
                    group.addTask {
                        do throws(EventLogError) {
                            return (i, .success(try await log.append(to: stream, expecting: expected, events: batch)))
                        } catch { return (i, .failure(error)) }
                    }
                }
                var all: [Int: Result<AppendResult, EventLogError>] = [:]
                for await (i, outcome) in group { all[i] = outcome }
                return all
            }
            var appended: [Position] = []
            for (i, outcome) in outcomes {
                switch (i % 3, outcome) {
                case (0, .success(let result)):
                    #expect(!result.duplicate && result.positions.count == 2 && result.lastVersion == StreamVersion(1))
                    appended += result.positions
                case (1, .failure(.wrongExpectedVersion(_, _, let actual))):
                    #expect(actual == StreamVersion(1))
                case (2, .success(let result)):
                    #expect(result.duplicate && result.positions == first.positions)
                default:
                    Issue.record("batch \(i): unexpected \(outcome)")
                }
            }
            #expect(appended.sorted() == (3...42).map { Position(Int64($0)) })
            #expect(try await log.head() == Position(42))
            await log.close()
        }
    }

    @Test("rows are append-only; payloads are stored compressed with their CRC; verify finds damage")
    func appendOnlyCompressedVerified() async throws {
        try await withDatabase { database in
            let log = try await PostgresEventLog.open(database.location, options: underSuiteLoad, logger: quiet)
            _ = try await log.append(to: try StreamName("s"), events: events("a", 20, bytes: 2000))
            let bytes = try await log.payloadBytes(from: Position(1), through: Position(20))
            #expect(bytes.stored * 3 < bytes.raw, "stored \(bytes.stored) of \(bytes.raw)")
            #expect(try await log.verify().isHealthy)
            for sql in ["UPDATE dateline.events SET type = 'X' WHERE position = 1", "DELETE FROM dateline.events",
                        "TRUNCATE dateline.events"] {
                await #expect(throws: (any Error).self, "\(sql) must be refused") {
                    try await TemporaryPostgresDatabase.execute(sql, on: database.location)
                }
            }
            // Damage one payload behind the triggers' back, as a disk or an operator might.
            try await TemporaryPostgresDatabase.execute(
                "ALTER TABLE dateline.events DISABLE TRIGGER events_no_update",
                "UPDATE dateline.events SET crc32 = crc32 + 1 WHERE position = 7",
                "ALTER TABLE dateline.events ENABLE TRIGGER events_no_update", on: database.location)
            let report = try await log.verify()
            #expect(report.faultCount == 1)
            #expect(report.faults.first?.position == Position(7))
            do {
                _ = try await log.read(from: Position(7), limit: 1)
                Issue.record("read a payload whose CRC does not match")
            } catch let error as EventLogError {
                guard case .corruptPayload(let position, _) = error else { Issue.record("unexpected \(error)"); return }
                #expect(position == Position(7))
            }
            await log.close()
        }
    }

    @Test("while another session holds the head row, appends wait; afterwards positions stay contiguous and ordered")
    func headRowSerialisesAppenders() async throws {
        try await withDatabase { database in
            let first = try await PostgresEventLog.open(database.location, options: underSuiteLoad, logger: quiet)
            let second = try await PostgresEventLog.open(database.location, options: underSuiteLoad, logger: quiet)
            let holder = Task {
                try await TemporaryPostgresDatabase.execute(
                    "BEGIN", "SELECT * FROM dateline.head FOR UPDATE", "SELECT pg_sleep(1)", "COMMIT", on: database.location)
            }
            try await Task.sleep(for: .milliseconds(200))
            try await withThrowingTaskGroup(of: Void.self) { group in
                for writer in 0..<20 {
                    let log = writer.isMultiple(of: 2) ? first : second
                    group.addTask {
                        _ = try await log.append(to: try StreamName("w\(writer)"), events: self.events("w\(writer)", 3))
                    }
                }
                try await group.waitForAll()
            }
            try await holder.value
            let all = try await first.read(from: .start, limit: 1000)
            #expect(all.map(\.position.rawValue) == Array(1...60))
            #expect(try await first.verify().isHealthy)
            await first.close()
            await second.close()
        }
    }

    @Test("a database that cannot be reached is unavailable, not a hang")
    func unreachableDatabaseIsUnavailable() async throws {
        // A port nothing listens on: connecting is refused at once.
        let nowhere = PostgresLocation(host: "127.0.0.1", port: 1, username: "nobody", database: "none")
        do {
            _ = try await PostgresEventLog.open(nowhere, options: PostgresLogOptions(requestTimeout: .seconds(3)), logger: quiet)
            Issue.record("opened a log on a closed port")
        } catch {
            guard case .unavailable = error else { Issue.record("unexpected \(error)"); return }
        }
    }
}
