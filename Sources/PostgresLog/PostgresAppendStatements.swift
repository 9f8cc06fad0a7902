import EventLog
import NIOCore
import PostgresNIO

// The statements of one append transaction (see `PostgresAppender`), as prepared statements:
// their SQL never changes, so each connection parses and plans them once, and every value is
// bound, rows as one array per column (`unnest`), whatever the size of the group.

/// Locks the head row; the first statement of every append transaction, on its own.
struct LockHead: PostgresPreparedStatement {
    static let name = "dateline_lock_head"
    static let sql = "SELECT position, recorded_at FROM dateline.head FOR UPDATE"
    typealias Row = (Int64, Int64)

    func makeBindings() -> PostgresBindings { PostgresBindings() }
    func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
}

/// Everything a group's checks need, in one statement run after the head is locked: the rows
/// stored under the group's event ids, and the last version of each of its streams (an index
/// probe per stream, however long the stream).
struct CheckGroup: PostgresPreparedStatement {
    static let name = "dateline_check_group"
    static let sql = """
        SELECT event_id, position, stream, version, recorded_at FROM dateline.events WHERE event_id = ANY($1)
        UNION ALL
        SELECT NULL, NULL, s.stream, v.version, NULL FROM unnest($2::text[]) AS s(stream)
        CROSS JOIN LATERAL (SELECT version FROM dateline.events e WHERE e.stream = s.stream
                            ORDER BY e.version DESC LIMIT 1) AS v
        """
    static let bindingDataTypes: [PostgresDataType] = [.textArray, .textArray]

    enum Row {
        case stored(id: String, StoredEventID)
        case version(stream: String, Int64)
    }

    var ids: [String]
    var streams: [String]

    func makeBindings() -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 2)
        bindings.append(ids)
        bindings.append(streams)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row {
        let (id, position, stream, version, recordedAt) = try row.decode((String?, Int64?, String, Int64, Int64?).self)
        if let id, let position, let recordedAt {
            return .stored(id: id, StoredEventID(position: position, stream: stream, version: version, recordedAt: recordedAt))
        }
        return .version(stream: stream, version)
    }
}

/// The columns of a group's events that the caller knows before the head is read.
struct EventFields {
    var streams: [String] = []
    var types: [String] = []
    var ids: [String] = []
    var codecs: [Int16] = []
    var crcs: [Int64] = []
    var sizes: [Int32] = []
    var payloads: [[UInt8]] = []

    init(capacity: Int) {
        streams.reserveCapacity(capacity)
        types.reserveCapacity(capacity)
        ids.reserveCapacity(capacity)
        codecs.reserveCapacity(capacity)
        crcs.reserveCapacity(capacity)
        sizes.reserveCapacity(capacity)
        payloads.reserveCapacity(capacity)
    }

    var count: Int { ids.count }

    mutating func append(stream: String, type: String, id: String, payload: StoredPayload) {
        streams.append(stream)
        types.append(type)
        ids.append(id)
        codecs.append(Int16(payload.codec.rawValue))
        crcs.append(Int64(payload.crc32))
        sizes.append(Int32(payload.rawCount))
        payloads.append(payload.bytes)
    }

    subscript(range: Range<Int>) -> EventFields {
        var part = EventFields(capacity: 0)
        part.streams = Array(streams[range])
        part.types = Array(types[range])
        part.ids = Array(ids[range])
        part.codecs = Array(codecs[range])
        part.crcs = Array(crcs[range])
        part.sizes = Array(sizes[range])
        part.payloads = Array(payloads[range])
        return part
    }
}

/// The rows a group writes, by column: the fields and the positions and versions given them.
struct EventRows {
    var positions: [Int64] = []
    var versions: [Int64] = []
    var fields: EventFields

    init(capacity: Int) {
        positions.reserveCapacity(capacity)
        versions.reserveCapacity(capacity)
        fields = EventFields(capacity: capacity)
    }

    var count: Int { positions.count }

    mutating func append(position: Int64, stream: String, version: Int64, type: String, id: String, payload: StoredPayload) {
        positions.append(position)
        versions.append(version)
        fields.append(stream: stream, type: type, id: id, payload: payload)
    }

    /// Rows `range`, all stamped `recordedAt`, as one statement's bindings.
    func slice(_ range: Range<Int>, recordedAt: Int64) -> EventColumns {
        if range == 0..<count { return EventColumns(rows: self, recordedAt: recordedAt) }
        var part = EventRows(capacity: 0)
        part.positions = Array(positions[range])
        part.versions = Array(versions[range])
        part.fields = fields[range]
        return EventColumns(rows: part, recordedAt: recordedAt)
    }
}

/// One insert statement's rows, bound as ten parameters ($1…$10).
struct EventColumns: Sendable {
    var positions: [Int64]
    var streams: [String]
    var versions: [Int64]
    var types: [String]
    var ids: [String]
    var recordedAt: Int64
    var codecs: [Int16]
    var crcs: [Int64]
    var sizes: [Int32]
    var payloads: ByteaArray

    init(rows: EventRows, recordedAt: Int64) {
        positions = rows.positions
        streams = rows.fields.streams
        versions = rows.versions
        types = rows.fields.types
        ids = rows.fields.ids
        self.recordedAt = recordedAt
        codecs = rows.fields.codecs
        crcs = rows.fields.crcs
        sizes = rows.fields.sizes
        payloads = ByteaArray(rows.fields.payloads)
    }

    static let insert = """
        INSERT INTO dateline.events(position, stream, version, type, event_id, recorded_at, codec, crc32, size, payload)
        SELECT r.position, r.stream, r.version, r.type, r.event_id, $6, r.codec, r.crc32, r.size, r.payload
        FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::text[], $5::text[], $7::smallint[], $8::bigint[],
                    $9::integer[], $10::bytea[]) AS r(position, stream, version, type, event_id, codec, crc32, size, payload)
        """
    static let dataTypes: [PostgresDataType] = [.int8Array, .textArray, .int8Array, .textArray, .textArray, .int8,
                                                .int2Array, .int8Array, .int4Array, .byteaArray]

    func bind(into bindings: inout PostgresBindings) {
        bindings.append(positions)
        bindings.append(streams)
        bindings.append(versions)
        bindings.append(types)
        bindings.append(ids)
        bindings.append(recordedAt)
        bindings.append(codecs)
        bindings.append(crcs)
        bindings.append(sizes)
        bindings.append(payloads)
    }
}

/// Inserts rows of a group that does not fit one statement (all but its last rows).
struct InsertEvents: PostgresPreparedStatement {
    static let name = "dateline_insert_events"
    static let sql = "WITH inserted AS (\(EventColumns.insert) RETURNING 1) SELECT count(*) FROM inserted"
    static let bindingDataTypes = EventColumns.dataTypes
    typealias Row = Int64

    var rows: EventColumns

    func makeBindings() -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 10)
        rows.bind(into: &bindings)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Int64.self) }
}

/// Inserts a group's (last) rows, moves the head to the group's last position and notifies
/// the head channel, in one statement. The notification is delivered at commit, in commit
/// order, and not at all if the transaction rolls back.
struct InsertAndMoveHead: PostgresPreparedStatement {
    static let name = "dateline_insert_and_move_head"
    static let sql = """
        WITH inserted AS (\(EventColumns.insert) RETURNING 1),
             moved AS (UPDATE dateline.head SET position = $11, recorded_at = $6 RETURNING position)
        SELECT (SELECT count(*) FROM inserted), pg_notify('\(PostgresSchema.notifyChannel)', (SELECT position FROM moved)::text)
        """
    static let bindingDataTypes = EventColumns.dataTypes + [.int8]
    typealias Row = Int64

    var rows: EventColumns
    var head: Int64

    func makeBindings() -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 11)
        rows.bind(into: &bindings)
        bindings.append(head)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode((Int64, String).self).0 }
}

/// A whole group in one statement, `dateline.append_group` (see `PostgresSchema.appendGroup`).
struct AppendGroup: PostgresPreparedStatement {
    static let name = "dateline_append_group"
    static let sql = "SELECT general, stamp, first_positions, last_versions FROM dateline.append_group($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)"
    static let bindingDataTypes: [PostgresDataType] = [.textArray, .int4Array, .int8Array, .int4Array, .int4Array,
                                                       .int4Array, .textArray, .textArray, .textArray, .int2Array,
                                                       .int8Array, .int4Array, .byteaArray, .int8]

    struct Row {
        /// The group needs the general transaction; nothing was written.
        var general: Bool
        var recordedAt: Int64
        var firstPositions: [Int64]
        var lastVersions: [Int64]
    }

    /// The group's distinct streams; batches name theirs by index (1-based) into this list.
    var streams: [String] = []
    var batchStreams: [Int32] = []
    var batchExpected: [Int64] = []
    var batchSizes: [Int32] = []
    var eventBatches: [Int32] = []
    var eventOffsets: [Int32] = []
    var fields: EventFields
    var now: Int64

    init(_ group: [PostgresAppender.Batch], now: Int64) {
        let events = group.reduce(0) { $0 + $1.events.count }
        fields = EventFields(capacity: events)
        eventBatches.reserveCapacity(events)
        eventOffsets.reserveCapacity(events)
        self.now = now
        var streamIndex: [String: Int32] = [:]
        for (b, batch) in group.enumerated() {
            let stream = batch.stream.rawValue
            if let index = streamIndex[stream] {
                batchStreams.append(index)
            } else {
                streams.append(stream)
                streamIndex[stream] = Int32(streams.count)
                batchStreams.append(Int32(streams.count))
            }
            let expected: Int64 = switch batch.expected {
            case .any: PostgresSchema.ExpectedCode.any
            case .noStream: PostgresSchema.ExpectedCode.noStream
            case .exists: PostgresSchema.ExpectedCode.exists
            case .exact(let version): version.rawValue
            }
            batchExpected.append(expected)
            batchSizes.append(Int32(batch.events.count))
            for (offset, (event, payload)) in zip(batch.events, batch.encoded).enumerated() {
                eventBatches.append(Int32(b + 1))
                eventOffsets.append(Int32(offset))
                fields.append(stream: stream, type: event.type.rawValue, id: event.id.rawValue, payload: payload)
            }
        }
    }

    func makeBindings() -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 14)
        bindings.append(streams)
        bindings.append(batchStreams)
        bindings.append(batchExpected)
        bindings.append(batchSizes)
        bindings.append(eventBatches)
        bindings.append(eventOffsets)
        bindings.append(fields.streams)
        bindings.append(fields.types)
        bindings.append(fields.ids)
        bindings.append(fields.codecs)
        bindings.append(fields.crcs)
        bindings.append(fields.sizes)
        bindings.append(ByteaArray(fields.payloads))
        bindings.append(now)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row {
        let (general, stamp, first, last) = try row.decode((Bool, Int64, [Int64]?, [Int64]?).self)
        return Row(general: general, recordedAt: stamp, firstPositions: first ?? [], lastVersions: last ?? [])
    }
}

/// A `bytea[]` written straight from the payloads' bytes, without a buffer per payload.
struct ByteaArray: PostgresNonThrowingEncodable, Sendable {
    var elements: [[UInt8]]

    init(_ elements: [[UInt8]]) { self.elements = elements }

    static var psqlType: PostgresDataType { .byteaArray }
    static var psqlFormat: PostgresFormat { .binary }

    func encode<JSONEncoder: PostgresJSONEncoder>(into buffer: inout ByteBuffer,
                                                  context: PostgresEncodingContext<JSONEncoder>) {
        // The binary array format: dimensions, has-nulls flag, element type, then per dimension
        // its length and lower bound, then each element as length and bytes.
        buffer.writeInteger(elements.isEmpty ? 0 : 1, as: Int32.self)
        buffer.writeInteger(0, as: Int32.self)
        buffer.writeInteger(PostgresDataType.bytea.rawValue)
        guard !elements.isEmpty else { return }
        buffer.reserveCapacity(minimumWritableBytes: 8 + elements.reduce(0) { $0 + 4 + $1.count })
        buffer.writeInteger(Int32(elements.count))
        buffer.writeInteger(1, as: Int32.self)
        for element in elements {
            buffer.writeInteger(Int32(element.count))
            buffer.writeBytes(element)
        }
    }
}
