import CSQLite
import Foundation

/// The log's on-disk schema and the checks that recognise a Dateline log.
enum Schema {
    /// `PRAGMA application_id`: "DTLN" in ASCII. A SQLite file with any other id is not ours.
    static let applicationID: Int32 = 0x4454_4C4E
    /// `PRAGMA user_version`: the schema version this code writes and understands.
    static let version: Int32 = 1

    static let create = """
        CREATE TABLE metadata(
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        ) WITHOUT ROWID;
        CREATE TABLE dictionaries(
            id INTEGER PRIMARY KEY,          -- Adler-32 of bytes, as in the zlib DICTID field
            bytes BLOB NOT NULL,
            added_at INTEGER NOT NULL        -- microseconds since 1970
        );
        CREATE TABLE events(
            position INTEGER PRIMARY KEY,    -- global, assigned at commit, 1, 2, 3, … no gaps
            stream TEXT NOT NULL,
            version INTEGER NOT NULL,        -- 0, 1, 2, … within the stream
            type TEXT NOT NULL,
            event_id TEXT NOT NULL UNIQUE,
            recorded_at INTEGER NOT NULL,    -- microseconds since 1970, non-decreasing
            codec INTEGER NOT NULL,          -- 0 raw, 1 zlib, 2 zlib with preset dictionary
            crc32 INTEGER NOT NULL,          -- zlib crc32 of the uncompressed payload
            size INTEGER NOT NULL,           -- bytes of the uncompressed payload
            payload BLOB NOT NULL,
            UNIQUE(stream, version)
        );
        CREATE TRIGGER events_no_update BEFORE UPDATE ON events
            BEGIN SELECT RAISE(ABORT, 'the event log is append-only: UPDATE of events is not allowed'); END;
        CREATE TRIGGER events_no_delete BEFORE DELETE ON events
            BEGIN SELECT RAISE(ABORT, 'the event log is append-only: DELETE of events is not allowed'); END;
        CREATE TRIGGER dictionaries_no_update BEFORE UPDATE ON dictionaries
            BEGIN SELECT RAISE(ABORT, 'compression dictionaries are immutable'); END;
        CREATE TRIGGER dictionaries_no_delete BEFORE DELETE ON dictionaries
            BEGIN SELECT RAISE(ABORT, 'compression dictionaries are immutable'); END;
        """

    static let insertEvent = """
        INSERT INTO events(position, stream, version, type, event_id, recorded_at, codec, crc32, size, payload)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
        """

    static let selectColumns = "position, stream, version, type, event_id, recorded_at, codec, crc32, payload"
}

/// Microseconds since 1970 from the real-time clock: the `recorded_at` of new events, for
/// every log backend.
public func wallClockMicroseconds() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    return Int64(ts.tv_sec) * 1_000_000 + Int64(ts.tv_nsec) / 1_000
}

/// Monotonic nanoseconds, for measuring durations.
func monotonicNanoseconds() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}
