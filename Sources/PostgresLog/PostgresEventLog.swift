import DatelineCore
import EventLog
import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import PostgresNIO

/// How a PostgreSQL log is used.
public struct PostgresLogOptions: Sendable {
    /// Payload compression (the same codecs and dictionary as the SQLite log).
    public var compression: CompressionPolicy
    public var rawThreshold: Int
    public var dictionary: CompressionDictionary
    /// Connections this process keeps to the database at most (appends use one at a time).
    public var maximumConnections: Int
    /// A request with no answer by then fails with `unavailable` (a database that went away
    /// must not hang appenders and readers).
    public var requestTimeout: Duration
    /// The committed-head feed reads the head this often even without notifications.
    public var feedFallbackInterval: Duration
    /// Whether opening a database without a log creates one (writers) or fails with
    /// `missingLog` (readers, so a mistyped URL does not leave an empty log behind).
    public var createIfMissing: Bool

    public init(compression: CompressionPolicy = .zlibWithDictionary, rawThreshold: Int = 64,
                dictionary: CompressionDictionary = .default, maximumConnections: Int = 8,
                requestTimeout: Duration = .seconds(10), feedFallbackInterval: Duration = .milliseconds(250),
                createIfMissing: Bool = true) {
        self.createIfMissing = createIfMissing
        self.compression = compression
        self.rawThreshold = rawThreshold
        self.dictionary = dictionary
        self.maximumConnections = maximumConnections
        self.requestTimeout = requestTimeout
        self.feedFallbackInterval = feedFallbackInterval
    }
}

/// The event log in a PostgreSQL database, shared by any number of processes on any number of
/// hosts.
///
/// The same guarantees as the SQLite log: contiguous global positions in commit order, per-stream
/// expected versions, permanent event-id idempotency, atomic batches, group commit, payloads
/// compressed and checked in Swift, an append acknowledged only after its commit (the
/// connections run with `synchronous_commit = on`). How positions stay gap-free across servers
/// is explained at `PostgresAppender`.
///
/// Threading: `Sendable`; every method is async and runs on PostgresNIO's event loops, never
/// blocking a thread.
public final class PostgresEventLog: Sendable {
    public let url: PostgresLocation
    public let options: PostgresLogOptions
    let client: PostgresClient
    let logger: Logger
    private let runner: Task<Void, Never>
    private let compressor: PayloadCompressor
    private let dictionaries: NIOLockedValueBox<[UInt32: CompressionDictionary]>
    private let appender: PostgresAppender
    let feed: PostgresHeadFeed
    private let closed = NIOLockedValueBox(false)

    /// The schema version this code writes and reads.
    public static let schemaVersion = PostgresSchema.version

    private init(location: PostgresLocation, options: PostgresLogOptions, client: PostgresClient,
                 runner: Task<Void, Never>, logger: Logger) {
        self.url = location
        self.options = options
        self.client = client
        self.runner = runner
        self.logger = logger
        compressor = PayloadCompressor(policy: options.compression, rawThreshold: options.rawThreshold,
                                       dictionary: options.dictionary)
        dictionaries = NIOLockedValueBox([options.dictionary.id: options.dictionary])
        let feed = PostgresHeadFeed(client: client, location: location, interval: options.feedFallbackInterval, logger: logger)
        self.feed = feed
        appender = PostgresAppender(client: client, location: location, timeout: options.requestTimeout, logger: logger,
                                    committed: { feed.committed($0) })
    }

    /// Connects, creates the schema on first use and checks it otherwise. A database whose
    /// `dateline` schema is not a Dateline log, or was written by a newer schema version, is
    /// refused with `notADatelineLog` / `newerSchemaVersion`.
    public static func open(_ location: PostgresLocation, options: PostgresLogOptions = PostgresLogOptions(),
                            logger: Logger) async throws(EventLogError) -> PostgresEventLog {
        var configuration = PostgresClient.Configuration(host: location.host, port: location.port,
                                                         username: location.username, password: location.password,
                                                         database: location.database, tls: .disable)
        configuration.options.maximumConnections = max(2, options.maximumConnections)
        configuration.options.connectTimeout = options.requestTimeout
        // Prepared statements are planned for their values each time: a generic plan made while
        // the log was nearly empty would keep scanning whole tables as the log grows.
        configuration.options.additionalStartupParameters = [
            ("synchronous_commit", "on"), ("application_name", "dateline"), ("plan_cache_mode", "force_custom_plan"),
        ]
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        let runner = Task { await client.run() }
        let log = PostgresEventLog(location: location, options: options, client: client, runner: runner, logger: logger)
        do {
            try await log.prepareSchema()
        } catch {
            await log.close()
            throw error
        }
        return log
    }

    /// Stops the appender (queued appends fail with `closed`) and closes every connection.
    public func close() async {
        let wasClosed = closed.withLockedValue { value -> Bool in defer { value = true }; return value }
        if wasClosed { return }
        await appender.stop()
        await feed.close()
        runner.cancel()
        _ = await runner.value
    }

    // MARK: Schema

    private func prepareSchema() async throws(EventLogError) {
        let dictionary = options.dictionary, create = options.createIfMissing
        let location = url
        let known: [(Int64, ByteBuffer)] = try await database("open") { client, logger in
            try await client.withTransaction(logger: logger) { connection in
                try await connection.query("SELECT pg_advisory_xact_lock(\(PostgresSchema.creationLockKey))", logger: logger)
                let hasSchema = try await connection.query(
                    "SELECT count(*) FROM pg_namespace WHERE nspname = 'dateline'", logger: logger
                ).collect().first?.decode(Int64.self) ?? 0
                if hasSchema == 0 {
                    guard create else { throw EventLogError.missingLog(location: location.description) }
                    for statement in PostgresSchema.create {
                        try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                    }
                    try await connection.query("""
                        INSERT INTO dateline.metadata(key, value) VALUES ('format', \(PostgresSchema.format)),
                            ('schema_version', \(String(PostgresSchema.version))), ('created_at', \(String(wallClockMicroseconds())))
                        """, logger: logger)
                } else {
                    let hasMetadata = try await connection.query(
                        "SELECT to_regclass('dateline.metadata') IS NOT NULL", logger: logger
                    ).collect().first?.decode(Bool.self) ?? false
                    guard hasMetadata else { throw EventLogError.notADatelineLog(path: location.description) }
                    var format: String?, version: String?
                    for try await (key, value) in try await connection.query(
                        "SELECT key, value FROM dateline.metadata WHERE key IN ('format', 'schema_version')", logger: logger
                    ).decode((String, String).self) {
                        if key == "format" { format = value } else { version = value }
                    }
                    guard format == PostgresSchema.format, let found = version.flatMap({ Int($0) }), found >= 1 else {
                        throw EventLogError.notADatelineLog(path: location.description)
                    }
                    if found > PostgresSchema.version {
                        throw EventLogError.newerSchemaVersion(path: location.description, found: found,
                                                               supported: PostgresSchema.version)
                    }
                    if found < PostgresSchema.version {
                        // Older servers already running keep working on the upgraded schema (it
                        // only adds); an older build opened afterwards refuses it as newer.
                        for from in found..<PostgresSchema.version {
                            for statement in PostgresSchema.upgrades[from] ?? [] {
                                try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                            }
                        }
                        try await connection.query(
                            "UPDATE dateline.metadata SET value = \(String(PostgresSchema.version)) WHERE key = 'schema_version'",
                            logger: logger)
                    }
                }
                try await connection.query("""
                    INSERT INTO dateline.dictionaries(id, bytes, added_at)
                    VALUES (\(Int64(dictionary.id)), \(ByteBuffer(bytes: dictionary.bytes)), \(wallClockMicroseconds()))
                    ON CONFLICT (id) DO NOTHING
                    """, logger: logger)
                var known: [(Int64, ByteBuffer)] = []
                for try await row in try await connection.query("SELECT id, bytes FROM dateline.dictionaries", logger: logger)
                    .decode((Int64, ByteBuffer).self) {
                    known.append(row)
                }
                return known
            }
        }
        dictionaries.withLockedValue { cache in
            for (_, bytes) in known {
                let dictionary = CompressionDictionary(bytes: Array(bytes.readableBytesView))
                cache[dictionary.id] = dictionary
            }
        }
    }

    /// Runs `body` with a time limit, mapping every failure to an `EventLogError`.
    func database<T: Sendable>(_ what: String,
                               _ body: @escaping @Sendable (PostgresClient, Logger) async throws -> T) async throws(EventLogError) -> T {
        if closed.withLockedValue({ $0 }) { throw .closed }
        let client = client, logger = logger, timeout = options.requestTimeout, location = url
        do {
            guard let value = try await withDeadline(timeout, { try await body(client, logger) }) else {
                throw EventLogError.unavailable(location: location.description, reason: "no answer to \(what) within \(timeout)")
            }
            return value
        } catch {
            throw EventLogError.postgres(error, location: location)
        }
    }

    // MARK: Appending

    /// Appends `events` to `stream` as one atomic batch, if the stream is at `expected`. Batches
    /// queued meanwhile are committed in the same transaction. Returns after the commit; if every
    /// id is already stored in this stream, the original positions with `duplicate == true`.
    public func append(to stream: StreamName, expecting expected: ExpectedVersion = .any,
                       events: [ProposedEvent]) async throws(EventLogError) -> AppendResult {
        if closed.withLockedValue({ $0 }) { throw .closed }
        if events.isEmpty { throw .emptyBatch(stream: stream) }
        var seen = Set<EventID>()
        for event in events where !seen.insert(event.id).inserted {
            throw .duplicateEventIDInBatch(stream: stream, id: event.id)
        }
        let encoded = compressor.encode(events.map(\.data))
        return try await appender.append(PostgresAppender.Batch(stream: stream, expected: expected, events: events,
                                                                encoded: encoded))
    }

    /// Counters since the log was opened.
    public var writerStatistics: WriterStatistics { appender.statistics }

    // MARK: Reading

    /// The position of the last committed event, or `Position.start` when the log is empty.
    public func head() async throws(EventLogError) -> Position {
        try await database("head") { client, logger in
            let rows = try await client.query("SELECT position FROM dateline.head", logger: logger).collect()
            return Position(try rows.first?.decode(Int64.self) ?? 0)
        }
    }

    /// Up to `limit` events from `position` (inclusive) in position order.
    public func read(from position: Position, limit: Int) async throws(EventLogError) -> [RecordedEvent] {
        let limit = Int64(max(0, limit))
        return try await events("read") {
            "SELECT \(unescaped: PostgresSchema.selectColumns) FROM dateline.events WHERE position >= \(position.rawValue) ORDER BY position LIMIT \(limit)"
        }
    }

    /// The event at `position`, if there is one.
    public func event(at position: Position) async throws(EventLogError) -> RecordedEvent? {
        try await events("read") {
            "SELECT \(unescaped: PostgresSchema.selectColumns) FROM dateline.events WHERE position = \(position.rawValue)"
        }.first
    }

    /// Up to `limit` events of one stream from `version` (inclusive), in version order.
    public func readStream(_ stream: StreamName, from version: StreamVersion = StreamVersion(0),
                           limit: Int = Int.max) async throws(EventLogError) -> [RecordedEvent] {
        let limit = Int64(max(0, min(limit, Int(Int64.max))))
        return try await events("readStream") {
            "SELECT \(unescaped: PostgresSchema.selectColumns) FROM dateline.events WHERE stream = \(stream.rawValue) AND version >= \(version.rawValue) ORDER BY version LIMIT \(limit)"
        }
    }

    /// The version of the stream's last event, nil when the stream does not exist.
    public func streamVersion(_ stream: StreamName) async throws(EventLogError) -> StreamVersion? {
        try await database("streamVersion") { client, logger in
            let rows = try await client.query(
                "SELECT max(version) FROM dateline.events WHERE stream = \(stream.rawValue)", logger: logger).collect()
            return try rows.first?.decode(Int64?.self).map { StreamVersion($0) }
        }
    }

    /// The first position recorded at or after `time`, nil when none is.
    public func firstPosition(atOrAfter time: Timestamp) async throws(EventLogError) -> Position? {
        try await database("firstPosition") { client, logger in
            let rows = try await client.query(
                "SELECT dateline.first_position_at_or_after(\(time.rawValue))", logger: logger).collect()
            return try rows.first?.decode(Int64?.self).map { Position($0) }
        }
    }

    /// How many events of each type the log holds.
    public func countsByType() async throws(EventLogError) -> [EventType: Int] {
        try await database("countsByType") { client, logger in
            var counts: [EventType: Int] = [:]
            for try await (type, count) in try await client.query(
                "SELECT type, count(*) FROM dateline.events GROUP BY type", logger: logger).decode((String, Int64).self) {
                counts[(try? EventType(type)) ?? EventType(stringLiteral: type)] = Int(count)
            }
            return counts
        }
    }

    /// Payload bytes as appended and as stored, for positions `from...through`.
    public func payloadBytes(from: Position, through: Position) async throws(EventLogError) -> PayloadBytes {
        try await database("payloadBytes") { client, logger in
            let rows = try await client.query("""
                SELECT coalesce(sum(size), 0)::bigint, coalesce(sum(length(payload)), 0)::bigint
                FROM dateline.events WHERE position BETWEEN \(from.rawValue) AND \(through.rawValue)
                """, logger: logger).collect()
            guard let row = rows.first else { return PayloadBytes(raw: 0, stored: 0) }
            let (raw, stored) = try row.decode((Int64, Int64).self)
            return PayloadBytes(raw: raw, stored: stored)
        }
    }

    /// The space the log takes in the database (tables, indexes, TOAST).
    public func databaseSize() async throws(EventLogError) -> Int64 {
        try await database("databaseSize") { client, logger in
            let rows = try await client.query("""
                SELECT pg_total_relation_size('dateline.events') + pg_total_relation_size('dateline.dictionaries')
                """, logger: logger).collect()
            return try rows.first?.decode(Int64.self) ?? 0
        }
    }

    // MARK: Decoding

    private func events(_ what: String, _ query: @escaping @Sendable () -> PostgresQuery) async throws(EventLogError) -> [RecordedEvent] {
        let rows: [StoredRow] = try await database(what) { client, logger in
            var rows: [StoredRow] = []
            for try await row in try await client.query(query(), logger: logger)
                .decode((Int64, String, Int64, String, String, Int64, Int16, Int64, ByteBuffer).self) {
                rows.append(StoredRow(row))
            }
            return rows
        }
        return try await decode(rows)
    }

    /// Inflates and checks payloads; a dictionary this process has not seen is loaded first.
    func decode(_ rows: [StoredRow]) async throws(EventLogError) -> [RecordedEvent] {
        let decompressor = try await decompressor(for: rows)
        var events: [RecordedEvent] = []
        events.reserveCapacity(rows.count)
        for row in rows { events.append(try row.event(decompressor)) }
        return events
    }

    /// A decompressor that knows every dictionary `rows` name (those this process has not seen
    /// are loaded first).
    func decompressor(for rows: [StoredRow]) async throws(EventLogError) -> PayloadDecompressor {
        for row in rows where row.codec == PayloadCodec.zlibDictionary.rawValue {
            guard let id = row.dictionaryID, dictionaries.withLockedValue({ $0[id] }) == nil else { continue }
            try await loadDictionary(id)
        }
        let known = dictionaries.withLockedValue { $0 }
        return PayloadDecompressor(dictionary: { known[$0] })
    }

    private func loadDictionary(_ id: UInt32) async throws(EventLogError) {
        let found: ByteBuffer? = try await database("dictionary") { client, logger in
            try await client.query("SELECT bytes FROM dateline.dictionaries WHERE id = \(Int64(id))", logger: logger)
                .collect().first?.decode(ByteBuffer.self)
        }
        guard let found else { return }
        let dictionary = CompressionDictionary(bytes: Array(found.readableBytesView))
        if dictionary.id == id { dictionaries.withLockedValue { $0[id] = dictionary } }
    }
}

/// One row of `dateline.events` as fetched, before its payload is decoded.
struct StoredRow: Sendable {
    var position: Int64
    var stream: String
    var version: Int64
    var type: String
    var eventID: String
    var recordedAt: Int64
    var codec: Int64
    var crc32: UInt32
    var payload: ByteBuffer

    init(_ row: (Int64, String, Int64, String, String, Int64, Int16, Int64, ByteBuffer)) {
        (position, stream, version, type, eventID, recordedAt) = (row.0, row.1, row.2, row.3, row.4, row.5)
        codec = Int64(row.6)
        crc32 = UInt32(truncatingIfNeeded: row.7)
        payload = row.8
    }

    /// The DICTID of a dictionary-compressed payload's zlib header.
    var dictionaryID: UInt32? {
        guard payload.readableBytes >= 6, let b = payload.getBytes(at: payload.readerIndex + 2, length: 4) else { return nil }
        return UInt32(b[0]) << 24 | UInt32(b[1]) << 16 | UInt32(b[2]) << 8 | UInt32(b[3])
    }

    /// The payload inflated and checked against its CRC.
    func payload(_ decompressor: PayloadDecompressor) throws(EventLogError) -> [UInt8] {
        let result: Result<[UInt8], EventLogError> = payload.withUnsafeReadableBytes { raw in
            Result { () throws(EventLogError) in
                try decompressor.decode(codec: codec, crc32: crc32, stored: raw, position: Position(position))
            }
        }
        return try result.get()
    }

    func event(_ decompressor: PayloadDecompressor) throws(EventLogError) -> RecordedEvent {
        let position = Position(position)
        let stream = try storedName(self.stream, "stream name", at: position, StreamName.init)
        let type = try storedName(self.type, "event type", at: position, EventType.init(_:))
        let id = try storedName(eventID, "event id", at: position, EventID.init)
        let data = try payload(decompressor)
        return RecordedEvent(position: position, stream: stream, version: StreamVersion(version), id: id, type: type,
                             recordedAt: Timestamp(rawValue: recordedAt), data: data)
    }
}
