import CSQLite
import DatelineCore
import DatelineTestSupport
import Foundation
import Testing
@testable import EventLog

@Suite("Storage: codecs, integrity, append-only, opening")
struct StorageTests {
    static let policies: [CompressionPolicy] = [.none, .zlib, .zlibWithDictionary]

    @Test(arguments: policies)
    func payloadsRoundTripWithEveryCodec(policy: CompressionPolicy) async throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("log.sqlite")
        let store = try openStore(path, EventStoreOptions(compression: policy))
        defer { store.close() }
        var big = [UInt8]()
        var seed = 0
        while big.count < 1 << 20 {
            big += statementJSON(seed: seed, size: 600)
            big.append(0x0A)
            seed += 1
        }
        big = Array(big.prefix(1 << 20))
        let nonASCII = Array(#"{"content":"Лавров заявил: «Нет позитивной реакции» — 外交部 🇺🇦 çà ñ","speaker":"Сергей Лавров"}"#.utf8)
        var noise = [UInt8](repeating: 0, count: 2000)
        var x: UInt32 = 12345
        for i in noise.indices { x = x &* 1_103_515_245 &+ 12345; noise[i] = UInt8(truncatingIfNeeded: x >> 16) }
        let payloads: [(String, [UInt8])] = [
            ("empty", []), ("tiny", Array("{}".utf8)), ("statement", statementJSON(seed: 3)),
            ("big", big), ("non-ascii", nonASCII), ("noise", noise),
        ]
        let result = try await store.append(to: stream("codec"), events: payloads.map { event($0.0, data: $0.1) })
        let back = try store.read(from: .start, limit: 100)
        #expect(back.count == payloads.count)
        for (recorded, (name, data)) in zip(back, payloads) {
            #expect(recorded.id.rawValue == name)
            #expect(recorded.data == data, "payload \(name) did not round-trip")
        }
        var replayed = 0
        try store.forEachEvent { e in
            #expect(e.data == payloads[replayed].1)
            replayed += 1
        }
        #expect(replayed == payloads.count)

        // Which codec each row got: tiny and incompressible payloads stay raw.
        let compressed: Int64 = switch policy {
        case .none: PayloadCodec.raw.rawValue
        case .zlib: PayloadCodec.zlib.rawValue
        case .zlibWithDictionary: PayloadCodec.zlibDictionary.rawValue
        }
        let codecs = try result.positions.map { try storedCodec(path, position: $0.rawValue) }
        #expect(codecs == [0, 0, compressed, compressed, policy == .none ? 0 : codecs[4], 0])
        let report = try store.verify()
        #expect(report.isHealthy)
        #expect(report.rawBytes == Int64(payloads.reduce(0) { $0 + $1.1.count }))
        if policy != .none { #expect(report.storedBytes < report.rawBytes / 2) }
    }

    @Test func dictionaryShrinksStatementEventsBelowPlainZlib() throws {
        let encoderPlain = PayloadEncoder(policy: .zlib, rawThreshold: 64, dictionary: .default)
        let encoderDict = PayloadEncoder(policy: .zlibWithDictionary, rawThreshold: 64, dictionary: .default)
        let samples = (0..<50).map { statementJSON(seed: $0, size: 400) }
        let plain = encoderPlain.encode(samples).reduce(0) { $0 + $1.stored.count }
        let dict = encoderDict.encode(samples).reduce(0) { $0 + $1.stored.count }
        #expect(dict < plain)
    }

    @Test("a batch compressed on several cores keeps its order and gives the same bytes as one core")
    func parallelEncodingKeepsOrder() throws {
        let encoder = PayloadEncoder(policy: .zlibWithDictionary, rawThreshold: 64, dictionary: .default)
        // 100 statement-sized payloads (above the parallel threshold), a few tiny ones among them.
        let batch = (0..<100).map { $0 % 17 == 0 ? Array("{}".utf8) : statementJSON(seed: $0, size: 400 + $0) }
        #expect(batch.reduce(0) { $0 + $1.count } >= PayloadEncoder.parallelFrom)
        let together = encoder.encode(batch)
        let oneByOne = batch.flatMap { encoder.encode([$0]) }
        #expect(together.count == batch.count)
        for (i, (a, b)) in zip(together, oneByOne).enumerated() {
            #expect(a.codec == b.codec && a.crc32 == b.crc32 && a.stored == b.stored, "payload \(i)")
            #expect(a.crc32 == payloadCRC32(batch[i]))
        }
    }

    @Test func rowsWrittenWithAnOlderDictionaryStayReadable() async throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("log.sqlite")
        let old = CompressionDictionary(bytes: Array(#"{"statement":{"content":"the minister said","speaker":{"name":"Sergey Lavrov"}}}"#.utf8))
        let payload = statementJSON(seed: 11)
        do {
            let store = try openStore(path, EventStoreOptions(dictionary: old))
            _ = try await store.append(to: stream("d"), events: [event("d1", data: payload)])
            store.close()
        }
        let store = try openStore(path)
        defer { store.close() }
        _ = try await store.append(to: stream("d"), events: [event("d2", data: payload)])
        let back = try store.read(from: .start, limit: 10)
        #expect(back.map(\.data) == [payload, payload])
        let db = try SQLiteDatabase(path: path)
        defer { db.close() }
        #expect(try db.scalarInt("SELECT count(*) FROM dictionaries") == 2)
        #expect(try db.scalarInt("SELECT count(*) FROM dictionaries WHERE id = ?1", [.integer(Int64(old.id))]) == 1)
        #expect(try db.scalarInt("SELECT count(*) FROM events WHERE codec = 2") == 2)
    }

    @Test func updateAndDeleteAreRefusedByTheDatabase() async throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("log.sqlite")
        let store = try openStore(path)
        defer { store.close() }
        _ = try await store.append(to: stream("ro"), events: [event("r1")])
        let db = try SQLiteDatabase(path: path)
        defer { db.close() }
        for sql in ["UPDATE events SET type = 'Other' WHERE position = 1", "DELETE FROM events WHERE position = 1",
                    "UPDATE events SET payload = x'00'", "DELETE FROM events"] {
            do {
                try db.execute(sql)
                Issue.record("\(sql) was allowed")
            } catch {
                #expect(error.code == SQLITE_CONSTRAINT)
                #expect(error.message.contains("append-only"))
                #expect(error.sql == sql)
            }
        }
        #expect(try store.read(from: .start, limit: 10).map(\.id.rawValue) == ["r1"])
    }

    /// Copies a closed log, drops the triggers in the copy and changes one stored byte.
    private func tamperedCopy(of path: String, in dir: TemporaryDirectory, position: Int64, name: String) throws -> String {
        let copy = dir.file(name)
        try FileManager.default.copyItem(atPath: path, toPath: copy)
        let db = try SQLiteDatabase(path: copy)
        defer { db.close() }
        try db.execute("DROP TRIGGER events_no_update; DROP TRIGGER events_no_delete")
        let select = try db.prepare("SELECT payload FROM events WHERE position = ?1")
        try select.bind(1, position)
        #expect(try select.step())
        var bytes = select.blob(0)
        select.reset()
        bytes[bytes.count / 2] ^= 0x20
        let update = try db.prepare("UPDATE events SET payload = ?1 WHERE position = ?2")
        try update.bind(1, bytes)
        try update.bind(2, position)
        try update.run()
        #expect(db.changes == 1)
        return copy
    }

    @Test func tamperedPayloadsAreDetectedOnReadAndByVerify() async throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("log.sqlite")
        do {
            let store = try openStore(path)
            _ = try await store.append(to: stream("t"), events: [
                event("t1"), event("t2", data: Array(#"{"content":"a raw payload, kept raw"}"#.utf8)),
                event("t3", data: statementJSON(seed: 5)), event("t4"),
            ])
            #expect(try storedCodec(path, position: 2) == PayloadCodec.raw.rawValue)
            #expect(try storedCodec(path, position: 3) == PayloadCodec.zlibDictionary.rawValue)
            store.close()
        }
        #expect(!FileManager.default.fileExists(atPath: path + "-wal"), "the WAL should be checkpointed on close")

        for position: Int64 in [2, 3] {
            let copy = try tamperedCopy(of: path, in: dir, position: position, name: "copy-\(position).sqlite")
            let store = try openStore(copy)
            defer { store.close() }
            #expect(throws: EventLogError.self) { try store.read(from: .start, limit: 10) }
            do {
                _ = try store.read(from: .start, limit: 10)
            } catch {
                guard case .corruptPayload(let at, let reason) = error else {
                    Issue.record("unexpected error \(error)")
                    continue
                }
                #expect(at == Position(position))
                #expect(error.description.contains("position \(position)"))
                // A raw row fails its CRC; a compressed row fails inflate (zlib's own check) or the CRC.
                #expect(position == 2 ? reason.contains("CRC-32 mismatch") : !reason.isEmpty)
            }
            // Other events stay readable.
            #expect(try store.event(at: Position(1))?.id.rawValue == "t1")
            #expect(throws: EventLogError.self) { try store.forEachEvent { _ in } }

            let report = try store.verify()
            #expect(!report.isHealthy)
            #expect(report.faults.contains { $0.position == Position(position) })
            #expect(report.faults.contains { $0.message.contains("events_no_update") })
            #expect(report.events == 4)
        }
    }

    @Test func verifyReportsAHealthyLog() async throws {
        let dir = try TemporaryDirectory()
        let store = try openStore(dir.file("log.sqlite"))
        defer { store.close() }
        for i in 0..<10 {
            _ = try await store.append(to: stream("v\(i % 3)"), events: [event("v\(i)", data: statementJSON(seed: i))])
        }
        let report = try await store.async.verify()
        #expect(report.isHealthy, "\(report.faults)")
        #expect(report.events == 10)
        #expect(report.streams == 3)
        #expect(report.head == Position(10))
        #expect(report.storedBytes < report.rawBytes)
        #expect(report.codecCounts["zlib+dictionary"] == 10)
    }

    @Test func aFileThatIsNotADatelineLogIsRecognised() throws {
        let dir = try TemporaryDirectory()
        let text = dir.file("notes.txt")
        try Data("date 2022-01-27\nThis is an article, not a database.\n".utf8).write(to: URL(fileURLWithPath: text))
        #expect(throws: EventLogError.notADatelineLog(path: text)) { try openStore(text) }

        let other = dir.file("other.sqlite")
        let db = try SQLiteDatabase(path: other)
        try db.execute("CREATE TABLE notes(id INTEGER PRIMARY KEY, body TEXT)")
        db.close()
        #expect(throws: EventLogError.notADatelineLog(path: other)) { try openStore(other) }
        // The foreign database was not modified (still in its original journal mode, same table).
        let check = try SQLiteDatabase(path: other)
        defer { check.close() }
        #expect(try check.scalarText("PRAGMA journal_mode") == "delete")
        #expect(try check.scalarInt("SELECT count(*) FROM sqlite_schema") == 1)
    }

    @Test func aNewerSchemaVersionIsRefused() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("log.sqlite")
        try openStore(path).close()
        let db = try SQLiteDatabase(path: path)
        try db.setUserVersion(99)
        db.close()
        #expect(throws: EventLogError.newerSchemaVersion(path: path, found: 99, supported: EventStore.schemaVersion)) {
            try openStore(path)
        }
    }

    @Test func aMissingDirectoryIsReported() throws {
        let dir = try TemporaryDirectory()
        let missing = dir.file("no/such/dir")
        #expect(throws: EventLogError.directoryMissing(path: missing)) { try openStore(missing + "/log.sqlite") }
    }

    @Test(.enabled(if: geteuid() != 0, "root may write to a read-only directory, so the case cannot be provoked"))
    func aReadOnlyDirectoryIsReported() throws {
        let dir = try TemporaryDirectory()
        let sub = dir.file("locked")
        try FileManager.default.createDirectory(atPath: sub, withIntermediateDirectories: false)
        chmod(sub, 0o555)
        defer { chmod(sub, 0o755) }
        #expect(throws: EventLogError.directoryReadOnly(path: sub)) { try openStore(sub + "/log.sqlite") }
    }

    @Test func aDirectoryWhereFilesCannotBeCreatedIsReported() throws {
        // Nobody, not even root, can create a file in /proc.
        let path = "/proc/dateline-log-test.sqlite"
        #expect(throws: EventLogError.directoryReadOnly(path: "/proc")) { try openStore(path) }
    }

    @Test func aFullDiskFailsTheBatchAndLeavesNothingPartial() async throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("log.sqlite")
        let store = try openStore(path, EventStoreOptions(compression: .none, sizeLimitBytes: 256 * 1024))
        defer { store.close() }
        var acknowledged: [AppendResult] = []
        var failure: EventLogError?
        for batch in 0..<200 {
            let events = (0..<8).map { i in event("f\(batch)-\(i)", data: statementJSON(seed: batch * 8 + i, size: 3000)) }
            do {
                acknowledged.append(try await store.append(to: stream("full"), events: events))
            } catch {
                failure = error
                break
            }
        }
        #expect(failure == .diskFull(path: path))
        #expect(!acknowledged.isEmpty)
        let head = acknowledged.last!.positions.last!
        #expect(try store.head() == head)
        #expect(try store.read(from: .start, limit: 10_000).count == Int(head.rawValue))
        #expect(try store.verify().isHealthy)
    }
}

extension CompressionPolicy: CustomTestStringConvertible {
    public var testDescription: String {
        switch self {
        case .none: "none"
        case .zlib: "zlib"
        case .zlibWithDictionary: "zlib with dictionary"
        }
    }
}

import CZlib

@Suite("Codec format")
struct CodecFormatTests {
    /// Stored rows are standard zlib streams (RFC 1950) that stock zlib reads, Adler-32 included.
    @Test func storedRowsAreStandardZlibStreams() async throws {
        let dir = try TemporaryDirectory()
        for policy in [CompressionPolicy.zlib, .zlibWithDictionary] {
            let path = dir.file("log-\(policy.testDescription).sqlite")
            let store = try openStore(path, EventStoreOptions(compression: policy))
            let payloads = [statementJSON(seed: 1), statementJSON(seed: 2, size: 5000)]
            _ = try await store.append(to: stream("z"), events: [event("z1", data: payloads[0]), event("z2", data: payloads[1])])
            store.close()
            let db = try SQLiteDatabase(path: path)
            defer { db.close() }
            let s = try db.prepare("SELECT payload, codec FROM events ORDER BY position")
            var index = 0
            while try s.step() {
                #expect(s.int64(1) == (policy == .zlib ? 1 : 2))
                let stored = s.blob(0)
                #expect(try standardInflate(stored, dictionary: CompressionDictionary.default.bytes) == payloads[index])
                index += 1
            }
            #expect(index == 2)
        }
    }

    private func standardInflate(_ input: [UInt8], dictionary: [UInt8]) throws -> [UInt8] {
        var stream = z_stream()
        #expect(inflateInit_(&stream, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK)
        defer { inflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: 1 << 16)
        var input = input
        return try input.withUnsafeMutableBufferPointer { inBuf in
            try output.withUnsafeMutableBufferPointer { outBuf in
                stream.next_in = inBuf.baseAddress
                stream.avail_in = uInt(inBuf.count)
                stream.next_out = outBuf.baseAddress
                stream.avail_out = uInt(outBuf.count)
                var rc = inflate(&stream, Z_FINISH)
                if rc == Z_NEED_DICT {
                    #expect(UInt32(stream.adler) == CompressionDictionary.default.id)
                    _ = dictionary.withUnsafeBufferPointer { inflateSetDictionary(&stream, $0.baseAddress, uInt($0.count)) }
                    rc = inflate(&stream, Z_FINISH)
                }
                struct InflateFailed: Error { var code: Int32 }
                guard rc == Z_STREAM_END else { throw InflateFailed(code: rc) }
                return Array(outBuf.prefix(Int(stream.total_out)))
            }
        }
    }
}
