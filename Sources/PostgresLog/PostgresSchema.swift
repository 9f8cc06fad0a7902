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
///
/// Version 2 adds the function `dateline.append_group`, the one-statement append of a group
/// (see `PostgresAppender`). Version 3 makes every append cheaper: `stream` and `event_id`
/// compare bytewise (`COLLATE "C"`, the order SQLite's log uses too), so the two unique indexes
/// on them skip the locale's string comparison; the index on `recorded_at` is gone (the
/// function `dateline.first_position_at_or_after` searches positions instead, as the SQLite
/// log does); and the append function lets the event-id index find stored ids. An older
/// database is upgraded when opened.
enum PostgresSchema {
    static let version = 3
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
            stream text COLLATE "C" NOT NULL,
            version bigint NOT NULL,
            type text NOT NULL,
            event_id text COLLATE "C" NOT NULL,
            recorded_at bigint NOT NULL,
            codec smallint NOT NULL,
            crc32 bigint NOT NULL,
            size integer NOT NULL,
            payload bytea NOT NULL,
            CONSTRAINT events_event_id UNIQUE (event_id),
            CONSTRAINT events_stream_version UNIQUE (stream, version))
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
        appendGroup,
        firstPositionAtOrAfter,
    ]

    /// What brings a database of an older version to this one, by the version it comes from.
    /// Servers of the older version still running keep working on the upgraded schema: the
    /// append function keeps its signature; their time search scans instead of using an index.
    static let upgrades: [Int: [String]] = [
        1: [appendGroup],
        2: [
            """
            ALTER TABLE dateline.events ALTER COLUMN stream TYPE text COLLATE "C",
                                        ALTER COLUMN event_id TYPE text COLLATE "C"
            """,
            """
            DROP INDEX IF EXISTS dateline.events_recorded_at
            """,
            appendGroup,
            firstPositionAtOrAfter,
        ],
    ]

    /// Values of the function's `batch_expected` argument besides exact versions (which are ≥ 0).
    enum ExpectedCode {
        static let any: Int64 = -1
        static let noStream: Int64 = -2
        static let exists: Int64 = -3
    }

    /// A group of batches appended in one statement, for the usual case: no event id of the
    /// group is stored yet or repeated within it. Then it locks the head (first, in a statement
    /// of its own, so that every later statement of this VOLATILE function sees what was
    /// committed before the lock was granted), reads each stream's version, checks each batch's
    /// expectation in order, inserts the rows of the batches that pass, moves the head and
    /// notifies. Called outside a transaction block, its statement commits on its own, so an
    /// append is one round trip.
    ///
    /// Its statements are planned afresh on every call (`force_custom_plan`): a plan cached
    /// while the log was nearly empty scans the whole table for the id check, which made each
    /// append slower as the log grew (5–8 ms at 40,000 events).
    ///
    /// Stored or repeated ids are found by the unique index on `event_id` as the rows go in
    /// (the insert runs in a block that catches that index's violation and undoes the insert),
    /// so the usual group pays for no look-up of its ids beforehand. A group with a refused
    /// batch looks its ids up first: a retry with a stale expectation must be answered with
    /// its original positions, not refused.
    ///
    /// Answers `general = true`, having written nothing, when an id is stored already or
    /// repeated in the group: the caller then runs the general transaction, which answers
    /// retries with their original positions and refuses mixed or misplaced ids.
    /// Otherwise, per batch: `first_positions` (0 when the batch was refused) and
    /// `last_versions` (the batch's last version; for a refused batch the stream's version
    /// then, -1 when it had none).
    static let appendGroup = """
        CREATE OR REPLACE FUNCTION dateline.append_group(
            streams text[], batch_streams integer[], batch_expected bigint[], batch_sizes integer[],
            event_batches integer[], event_offsets integer[], event_streams text[], event_types text[],
            event_ids text[], event_codecs smallint[], event_crcs bigint[], event_sizes integer[],
            event_payloads bytea[], now_us bigint,
            OUT general boolean, OUT stamp bigint, OUT first_positions bigint[], OUT last_versions bigint[])
        LANGUAGE plpgsql VOLATILE SET plan_cache_mode = force_custom_plan AS $$
        DECLARE
            v_head bigint; v_start bigint; v_last_time bigint; v_current bigint[];
            v_stream integer; v_version bigint; v_expected bigint; v_ok boolean; v_refused boolean := false;
            v_constraint text;
        BEGIN
            SELECT h.position, h.recorded_at INTO v_head, v_last_time FROM dateline.head AS h FOR UPDATE;
            IF NOT FOUND THEN
                RAISE EXCEPTION 'the head row is missing' USING ERRCODE = 'P0002';
            END IF;
            v_start := v_head;
            stamp := greatest(now_us, v_last_time);
            general := false;
            SELECT array_agg(coalesce(v.version, -1) ORDER BY s.ord) INTO v_current
            FROM unnest(streams) WITH ORDINALITY AS s(stream, ord)
            LEFT JOIN LATERAL (SELECT e.version FROM dateline.events AS e WHERE e.stream = s.stream
                               ORDER BY e.version DESC LIMIT 1) AS v ON true;
            first_positions := array_fill(0::bigint, ARRAY[cardinality(batch_streams)]);
            last_versions := array_fill(-1::bigint, ARRAY[cardinality(batch_streams)]);
            FOR b IN 1 .. cardinality(batch_streams) LOOP
                v_stream := batch_streams[b];
                v_version := v_current[v_stream];
                v_expected := batch_expected[b];
                v_ok := CASE v_expected WHEN -1 THEN true WHEN -2 THEN v_version = -1 WHEN -3 THEN v_version >= 0
                             ELSE v_version = v_expected END;
                IF v_ok THEN
                    first_positions[b] := v_head + 1;
                    v_head := v_head + batch_sizes[b];
                    v_version := v_version + batch_sizes[b];
                    v_current[v_stream] := v_version;
                ELSE
                    v_refused := true;
                END IF;
                last_versions[b] := v_version;
            END LOOP;
            IF v_refused THEN
                general := EXISTS (SELECT 1 FROM dateline.events AS e WHERE e.event_id = ANY (event_ids))
                    OR (SELECT count(DISTINCT i.id) FROM unnest(event_ids) AS i(id)) <> cardinality(event_ids);
                IF general THEN
                    RETURN;
                END IF;
            END IF;
            IF v_head = v_start THEN
                RETURN;
            END IF;
            BEGIN
            INSERT INTO dateline.events(position, stream, version, type, event_id, recorded_at, codec, crc32, size, payload)
            SELECT first_positions[r.batch] + r.offset_in_batch, r.stream,
                   last_versions[r.batch] - batch_sizes[r.batch] + 1 + r.offset_in_batch,
                   r.type, r.event_id, stamp, r.codec, r.crc32, r.size, r.payload
            FROM unnest(event_batches, event_offsets, event_streams, event_types, event_ids, event_codecs,
                        event_crcs, event_sizes, event_payloads)
                 AS r(batch, offset_in_batch, stream, type, event_id, codec, crc32, size, payload)
            WHERE first_positions[r.batch] > 0;
            EXCEPTION WHEN unique_violation THEN
                GET STACKED DIAGNOSTICS v_constraint = CONSTRAINT_NAME;
                IF v_constraint <> 'events_event_id' THEN
                    RAISE;
                END IF;
                general := true;
                RETURN;
            END;
            UPDATE dateline.head SET position = v_head, recorded_at = stamp;
            PERFORM pg_notify('\(notifyChannel)', v_head::text);
        END $$
        """

    /// The first position recorded at or after a time (microseconds), null when none is: a
    /// binary search over positions, which works because `recorded_at` never decreases along
    /// them (each group's stamp is at least the head's). About 20 primary-key probes for a
    /// million events, and no index on `recorded_at` for every append to maintain.
    static let firstPositionAtOrAfter = """
        CREATE OR REPLACE FUNCTION dateline.first_position_at_or_after(t bigint) RETURNS bigint
        LANGUAGE plpgsql STABLE AS $$
        DECLARE
            lo bigint; hi bigint; mid bigint; at bigint;
        BEGIN
            SELECT min(e.position), max(e.position) INTO lo, hi FROM dateline.events AS e;
            IF hi IS NULL THEN
                RETURN NULL;
            END IF;
            SELECT e.recorded_at INTO at FROM dateline.events AS e WHERE e.position = hi;
            IF at < t THEN
                RETURN NULL;
            END IF;
            -- The answer is in lo .. hi.
            WHILE lo < hi LOOP
                mid := lo + (hi - lo) / 2;
                SELECT e.recorded_at INTO at FROM dateline.events AS e WHERE e.position >= mid
                ORDER BY e.position LIMIT 1;
                IF at >= t THEN
                    hi := mid;
                ELSE
                    lo := mid + 1;
                END IF;
            END LOOP;
            RETURN lo;
        END $$
        """

    static let selectColumns = "position, stream, version, type, event_id, recorded_at, codec, crc32, payload"
}
