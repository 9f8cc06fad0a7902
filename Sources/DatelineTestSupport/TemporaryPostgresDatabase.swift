import Foundation
import Logging
import PostgresLog
import PostgresNIO

/// A PostgreSQL database made for one test and dropped after it, on the server named by the
/// environment variable `DATELINE_TEST_POSTGRES_URL` (`.ci/run` starts a private cluster and
/// sets it). Tests that need PostgreSQL are skipped, with that message, when it is not set.
public struct TemporaryPostgresDatabase: Sendable {
    public static let environmentVariable = "DATELINE_TEST_POSTGRES_URL"
    public static let skipMessage = "PostgreSQL tests skipped: set \(environmentVariable) to postgres://USER@HOST:PORT/DB of a server they may create databases on (.ci/run does)"

    /// The server's URL, when the tests were given one.
    public static var serverURL: String? {
        ProcessInfo.processInfo.environment[environmentVariable].flatMap { $0.isEmpty ? nil : $0 }
    }

    public static var isAvailable: Bool { serverURL != nil }

    /// The new database.
    public let location: PostgresLocation
    private let admin: PostgresLocation

    /// Creates a database with a fresh name on the test server.
    public static func create(prefix: String = "dateline_test") async throws -> TemporaryPostgresDatabase {
        guard let url = serverURL else { throw TestDatabaseUnavailable() }
        let admin = try PostgresLocation(url: url)
        let name = prefix + "_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        try await execute("CREATE DATABASE \"\(name)\"", on: admin)
        var location = admin
        location.database = name
        return TemporaryPostgresDatabase(location: location, admin: admin)
    }

    /// The URL of the database, as a user would type it.
    public var url: String {
        let password = location.password.map { ":\($0)" } ?? ""
        return "postgres://\(location.username)\(password)@\(location.host):\(location.port)/\(location.database)"
    }

    /// Drops the database, closing any connection still on it.
    public func drop() async {
        try? await Self.execute("DROP DATABASE IF EXISTS \"\(location.database)\" WITH (FORCE)", on: admin)
    }

    /// Runs statements in order on `location` through one connection of its own (one
    /// statement per string: the extended query protocol takes no lists).
    public static func execute(_ statements: String..., on location: PostgresLocation) async throws {
        try await execute(statements, on: location)
    }

    public static func execute(_ statements: [String], on location: PostgresLocation) async throws {
        try await withConnection(to: location) { connection, logger in
            for sql in statements { try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger) }
        }
    }

    /// The first column of the first row of `sql`, as text (nil when there is no row or it is NULL).
    public static func text(_ sql: String, on location: PostgresLocation) async throws -> String? {
        try await withConnection(to: location) { connection, logger in
            try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger).collect().first?.decode(String?.self)
        }
    }

    private static func withConnection<T>(to location: PostgresLocation,
                                          _ body: (PostgresConnection, Logger) async throws -> T) async throws -> T {
        let configuration = PostgresConnection.Configuration(host: location.host, port: location.port,
                                                             username: location.username, password: location.password,
                                                             database: location.database, tls: .disable)
        let logger = Logger(label: "dateline.test.postgres", factory: { _ in SwiftLogNoOpLogHandler() })
        let connection = try await PostgresConnection.connect(configuration: configuration, id: 1, logger: logger)
        do {
            let value = try await body(connection, logger)
            try await connection.close()
            return value
        } catch {
            try? await connection.close()
            throw error
        }
    }
}

public struct TestDatabaseUnavailable: Error, CustomStringConvertible {
    public var description: String { TemporaryPostgresDatabase.skipMessage }
}
