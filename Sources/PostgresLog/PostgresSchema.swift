/// The PostgreSQL log's schema: everything in the schema `dateline` of one database.
///
/// - `events`: one row per event; `position` is the global position (no sequence: positions
///   come from `head`, so they are gap-free and in commit order, see `PostgresAppender`).
///   Payloads are stored as the SQLite log stores them (codec, CRC-32 of the JSON, bytes).
/// - `head`: one row, the last committed position and its time. Every append transaction
///   locks it first, which serialises appenders across all servers.
/// - `dictionaries`: the zlib preset dictionaries, by id (their Adler-32).
/// - `metadata`: format name and schema version.
///
/// Triggers make `events` and `dictionaries` append-only, as in the SQLite log.
enum PostgresSchema {
    static let version = 1
    static let format = "dateline-event-log"
    static let notifyChannel = "dateline_head"
    /// Held (transaction-scoped) while creating the schema, so that servers starting together
    /// create it once.
    static let creationLockKey: Int64 = 0x6461_7465_6c69_6e65

    /// The statements that create the schema, run in order in one transaction (the extended
    /// query protocol takes one statement at a time).
    static let create: [String] = [
        """
        CREATE SCHEMA dateline
        """,
        """
        CREATE TABLE dateline.metadata(key text PRIMARY KEY, value text NOT NULL)
        """,
        """
        CREATE TABLE dateline.dictionaries(id bigint PRIMARY KEY, bytes bytea NOT NULL, added_at bigint NOT NULL)
        """,
        """
        CREATE TABLE dateline.head(
            singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
            position bigint NOT NULL,
            recorded_at bigint NOT NULL)
        """,
        """
        INSERT INTO dateline.head(singleton, position, recorded_at) VALUES (true, 0, 0)
        """,
        """
        CREATE TABLE dateline.events(
            position bigint PRIMARY KEY,
            stream text NOT NULL,
            version bigint NOT NULL,
            type text NOT NULL,
            event_id text NOT NULL,
            recorded_at bigint NOT NULL,
            codec smallint NOT NULL,
            crc32 bigint NOT NULL,
            size integer NOT NULL,
            payload bytea NOT NULL,
            CONSTRAINT events_event_id UNIQUE (event_id),
            CONSTRAINT events_stream_version UNIQUE (stream, version))
        """,
        """
        CREATE INDEX events_recorded_at ON dateline.events(recorded_at)
        """,
        """
        CREATE FUNCTION dateline.append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'the Dateline log is append-only: % on % refused', TG_OP, TG_TABLE_NAME; END $$
        """,
        """
        CREATE TRIGGER events_no_update BEFORE UPDATE OR DELETE ON dateline.events
            FOR EACH ROW EXECUTE FUNCTION dateline.append_only()
        """,
        """
        CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON dateline.events
            FOR EACH STATEMENT EXECUTE FUNCTION dateline.append_only()
        """,
        """
        CREATE TRIGGER dictionaries_no_update BEFORE UPDATE OR DELETE ON dateline.dictionaries
            FOR EACH ROW EXECUTE FUNCTION dateline.append_only()
        """,
    ]

    static let selectColumns = "position, stream, version, type, event_id, recorded_at, codec, crc32, payload"
}
