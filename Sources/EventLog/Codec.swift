import CZlib
import Foundation

/// How a row's payload is stored: the `codec` column of the events table.
///
/// - `raw` (0): the JSON bytes as they are. Used for tiny payloads and whenever compression
///   would not make the row smaller.
/// - `zlib` (1): zlib format (RFC 1950: deflate with a 2-byte header and an Adler-32 trailer),
///   level 6, no dictionary.
/// - `zlibDictionary` (2): zlib format with a preset dictionary (the header's FDICT flag is set).
///   The header's DICTID field (the dictionary's Adler-32) names the dictionary, which is the
///   primary key of the `dictionaries` table. Changing the default dictionary adds a row with a
///   new id; rows written with an older dictionary stay readable.
///
/// Every codec is checked against the `crc32` column (zlib's CRC-32 of the uncompressed bytes)
/// on every read.
public enum PayloadCodec: Int64, Sendable, CaseIterable, CustomStringConvertible {
    case raw = 0
    case zlib = 1
    case zlibDictionary = 2

    public var description: String {
        switch self {
        case .raw: "raw"
        case .zlib: "zlib"
        case .zlibDictionary: "zlib+dictionary"
        }
    }
}

/// Which codecs an appender may use. The store still picks `raw` when compressing would not help.
public enum CompressionPolicy: Sendable, Equatable {
    /// Store every payload raw.
    case none
    /// zlib level 6 without a dictionary.
    case zlib
    /// zlib level 6 with the store's current preset dictionary (the default).
    case zlibWithDictionary
}

/// A preset dictionary for the `zlibDictionary` codec. Its id is its Adler-32, as written in
/// the DICTID field of every zlib stream compressed with it.
public struct CompressionDictionary: Sendable, Equatable {
    public let id: UInt32
    public let bytes: [UInt8]

    public init(bytes: [UInt8]) {
        self.bytes = bytes
        self.id = bytes.withUnsafeBufferPointer { buf in
            UInt32(truncatingIfNeeded: adler32(adler32(0, nil, 0), buf.baseAddress, uInt(buf.count)))
        }
    }

    /// The dictionary shipped with this version of Dateline (see `DefaultDictionary.swift`).
    public static let `default` = CompressionDictionary(bytes: Array(defaultDictionaryText.utf8))
}

/// zlib's CRC-32 of `bytes` (the `crc32` column).
public func payloadCRC32(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
    guard let base = bytes.baseAddress, bytes.count > 0 else { return 0 }
    var crc = crc32(0, nil, 0)
    var offset = 0
    // crc32 takes a 32-bit length.
    while offset < bytes.count {
        let chunk = min(bytes.count - offset, 1 << 30)
        crc = crc32(crc, base.advanced(by: offset).assumingMemoryBound(to: Bytef.self), uInt(chunk))
        offset += chunk
    }
    return UInt32(truncatingIfNeeded: crc)
}

public func payloadCRC32(_ bytes: [UInt8]) -> UInt32 {
    bytes.withUnsafeBytes { payloadCRC32($0) }
}

/// A payload ready for the events table.
struct EncodedPayload: Sendable {
    var codec: PayloadCodec
    var crc32: UInt32
    var stored: [UInt8]
}

/// Why a stored payload could not be decoded (the store turns this into an error naming the
/// position).
struct CodecFailure: Error {
    var reason: String
}

/// A reusable deflater. Not thread-safe: one user at a time (see `PayloadEncoder`).
///
/// It writes the standard zlib format (RFC 1950) but builds the 2-byte header, the DICTID and
/// the Adler-32 trailer itself around a raw deflate stream: zlib's own wrapper would recompute
/// the dictionary's Adler-32 on every payload, which costs more than compressing a small event.
///
/// Small payloads with a dictionary take a faster path: loading a 4 KB dictionary into a
/// deflate stream (hashing every position) costs more than compressing a 400-byte event, so a
/// stream is primed with the dictionary once and copied for each payload. The primed stream
/// uses an 8 KB window (the dictionary plus the payload fit) so the copy is small, and fixed
/// Huffman codes, which cost a few percent in size and spare every reader from decoding a
/// dynamic code table per event, the dominant cost of inflating a small event.
final class Deflater {
    private let level: Int32
    /// Full 32 KB window, dynamic codes; reset for each payload.
    private let full: UnsafeMutablePointer<z_stream>
    /// Small window, fixed codes, dictionary loaded; copied into `work` for each payload.
    private var primed: UnsafeMutablePointer<z_stream>?
    private var primedID: UInt32?
    private let work: UnsafeMutablePointer<z_stream>
    static let smallWindowBits: Int32 = 13
    static let smallMemLevel: Int32 = 6

    init(level: Int32 = 6) {
        self.level = level
        full = .allocate(capacity: 1)
        full.initialize(to: z_stream())
        let rc = deflateInit2_(full, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION,
                               Int32(MemoryLayout<z_stream>.size))
        precondition(rc == Z_OK, "deflateInit2 failed: \(rc)")
        work = .allocate(capacity: 1)
        work.initialize(to: z_stream())
    }

    deinit {
        deflateEnd(full)
        full.deallocate()
        if let primed {
            deflateEnd(primed)
            primed.deallocate()
        }
        work.deallocate()
    }

    private func prime(_ dictionary: CompressionDictionary) -> UnsafeMutablePointer<z_stream> {
        if let primed, primedID == dictionary.id { return primed }
        if let primed {
            deflateEnd(primed)
            primed.deallocate()
        }
        let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        var rc = deflateInit2_(stream, level, Z_DEFLATED, -Self.smallWindowBits, Self.smallMemLevel, Z_FIXED,
                               ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        precondition(rc == Z_OK, "deflateInit2 failed: \(rc)")
        rc = dictionary.bytes.withUnsafeBufferPointer { d in deflateSetDictionary(stream, d.baseAddress, uInt(d.count)) }
        precondition(rc == Z_OK, "deflateSetDictionary failed: \(rc)")
        primed = stream
        primedID = dictionary.id
        return stream
    }

    /// Compresses `input` in the zlib format, optionally with a preset dictionary. `small`
    /// selects the primed small-window path for dictionary payloads (see the type's notes).
    func compress(_ input: UnsafeRawBufferPointer, dictionary: CompressionDictionary?, small: Bool = false) -> [UInt8] {
        let stream: UnsafeMutablePointer<z_stream>
        let windowBits: Int32
        var copied = false
        if let dictionary, small {
            let rc = deflateCopy(work, prime(dictionary))
            precondition(rc == Z_OK, "deflateCopy failed: \(rc)")
            copied = true
            stream = work
            windowBits = Self.smallWindowBits
        } else {
            deflateReset(full)
            if let dictionary {
                let rc = dictionary.bytes.withUnsafeBufferPointer { d in
                    deflateSetDictionary(full, d.baseAddress, uInt(d.count))
                }
                precondition(rc == Z_OK, "deflateSetDictionary failed: \(rc)")
            }
            stream = full
            windowBits = 15
        }
        defer { if copied { deflateEnd(work) } }
        let header = dictionary == nil ? 2 : 6
        let bound = Int(deflateBound(stream, uLong(input.count))) + header + 4 + 16
        return [UInt8](unsafeUninitializedCapacity: bound) { out, count in
            // CMF: deflate (8) with the window size in CINFO. FLG: FLEVEL 2 (default), FDICT, FCHECK.
            let cmf = UInt8((windowBits - 8) << 4 | 8)
            out[0] = cmf
            var flg: UInt8 = 0x80 | (dictionary == nil ? 0 : 0x20)
            flg += UInt8(31 - (UInt16(cmf) << 8 | UInt16(flg)) % 31) % 31
            out[1] = flg
            if let dictionary {
                writeBigEndian(dictionary.id, to: out, at: 2)
            }
            let inBase = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
            stream.pointee.next_in = inBase
            stream.pointee.avail_in = uInt(input.count)
            stream.pointee.next_out = out.baseAddress! + header
            stream.pointee.avail_out = uInt(out.count - header - 4)
            let rc = deflate(stream, Z_FINISH)
            precondition(rc == Z_STREAM_END, "deflate did not finish within deflateBound: \(rc)")
            let end = header + Int(stream.pointee.total_out)
            let check = UInt32(truncatingIfNeeded: adler32(adler32(0, nil, 0), inBase, uInt(input.count)))
            writeBigEndian(check, to: out, at: end)
            count = end + 4
            stream.pointee.next_in = nil
            stream.pointee.next_out = nil
        }
    }
}

private func writeBigEndian(_ value: UInt32, to out: UnsafeMutableBufferPointer<UInt8>, at offset: Int) {
    out[offset] = UInt8(truncatingIfNeeded: value >> 24)
    out[offset + 1] = UInt8(truncatingIfNeeded: value >> 16)
    out[offset + 2] = UInt8(truncatingIfNeeded: value >> 8)
    out[offset + 3] = UInt8(truncatingIfNeeded: value)
}

/// A reusable inflate stream with a scratch buffer. Not thread-safe: one reader at a time.
///
/// Reads the zlib format by parsing the header itself and inflating the raw deflate data that
/// follows; the Adler-32 trailer is skipped because the row's CRC-32 is checked anyway.
final class Inflater {
    private let stream: UnsafeMutablePointer<z_stream>
    private var scratch: UnsafeMutableRawBufferPointer

    init() {
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        let rc = inflateInit2_(stream, -15, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        precondition(rc == Z_OK, "inflateInit2 failed: \(rc)")
        scratch = .allocate(byteCount: 64 * 1024, alignment: 16)
    }

    deinit {
        inflateEnd(stream)
        stream.deallocate()
        scratch.deallocate()
    }

    /// Inflates a zlib stream. `dictionary` is asked for the preset dictionary named in the
    /// stream's header when there is one.
    func decompress(_ input: UnsafeRawBufferPointer, dictionary: (UInt32) -> CompressionDictionary?) throws(CodecFailure) -> [UInt8] {
        guard input.count >= 2 + 4 else { throw CodecFailure(reason: "compressed payload is truncated") }
        let cmf = input[0], flg = input[1]
        guard cmf & 0x0F == 8, cmf >> 4 <= 7, (UInt16(cmf) << 8 | UInt16(flg)) % 31 == 0 else {
            throw CodecFailure(reason: "compressed payload has no valid zlib header")
        }
        inflateReset(stream)
        var offset = 2
        if flg & 0x20 != 0 {
            guard input.count >= 6 + 4 else { throw CodecFailure(reason: "compressed payload is truncated") }
            let id = UInt32(input[2]) << 24 | UInt32(input[3]) << 16 | UInt32(input[4]) << 8 | UInt32(input[5])
            guard let dict = dictionary(id) else {
                throw CodecFailure(reason: "compressed with dictionary \(id), which the log does not hold")
            }
            let set = dict.bytes.withUnsafeBufferPointer { d in inflateSetDictionary(stream, d.baseAddress, uInt(d.count)) }
            if set != Z_OK { throw CodecFailure(reason: "dictionary \(id) was refused by zlib (\(set))") }
            offset = 6
        }
        stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress!.advanced(by: offset).assumingMemoryBound(to: Bytef.self))
        stream.pointee.avail_in = uInt(input.count - offset)
        var produced = 0
        defer {
            stream.pointee.next_in = nil
            stream.pointee.next_out = nil
        }
        while true {
            if produced == scratch.count {
                let bigger = UnsafeMutableRawBufferPointer.allocate(byteCount: scratch.count * 2, alignment: 16)
                bigger.copyMemory(from: UnsafeRawBufferPointer(scratch))
                scratch.deallocate()
                scratch = bigger
            }
            stream.pointee.next_out = scratch.baseAddress!.advanced(by: produced).assumingMemoryBound(to: Bytef.self)
            stream.pointee.avail_out = uInt(scratch.count - produced)
            let before = stream.pointee.avail_out
            let rc = inflate(stream, Z_NO_FLUSH)
            produced += Int(before - stream.pointee.avail_out)
            switch rc {
            case Z_STREAM_END:
                // What follows the deflate data is the 4-byte Adler-32 trailer.
                guard stream.pointee.avail_in == 4 else {
                    throw CodecFailure(reason: "compressed payload has \(stream.pointee.avail_in) bytes after its end, expected a 4-byte trailer")
                }
                return [UInt8](UnsafeRawBufferPointer(rebasing: scratch[0..<produced]))
            case Z_OK:
                continue
            case Z_BUF_ERROR:
                // No progress: either the output is full (grow and go on) or the input is cut short.
                if produced < scratch.count { throw CodecFailure(reason: "compressed payload is truncated") }
            case Z_DATA_ERROR:
                let message = stream.pointee.msg.map { String(cString: $0) } ?? "invalid data"
                throw CodecFailure(reason: "compressed payload is damaged (\(message))")
            default:
                throw CodecFailure(reason: "zlib inflate failed with code \(rc)")
            }
        }
    }
}

/// Payload encoding for appenders: picks a codec per payload and computes the CRC.
/// Thread-safe: deflate streams are pooled under a lock.
final class PayloadEncoder: @unchecked Sendable {
    let policy: CompressionPolicy
    let rawThreshold: Int
    /// Dictionary-compressed payloads smaller than this take the primed small-window path with
    /// fixed Huffman codes (see `Deflater`).
    static let smallPayloadBelow = 1024
    /// Batches with at least this many payload bytes (and 32 payloads) are compressed on all
    /// cores: a batch of 100 statement events is worth splitting, a handful is not.
    static let parallelFrom = 16 * 1024
    let dictionary: CompressionDictionary
    private let lock = NSLock()
    private var pool: [Deflater] = []
    /// Read once: on Linux `activeProcessorCount` opens and parses cgroup files on every call,
    /// which cost more than compressing a small event.
    private let cores = ProcessInfo.processInfo.activeProcessorCount

    init(policy: CompressionPolicy, rawThreshold: Int, dictionary: CompressionDictionary) {
        self.policy = policy
        self.rawThreshold = rawThreshold
        self.dictionary = dictionary
    }

    /// Encodes a batch. Large batches are compressed on all cores (the writer thread does only
    /// SQLite work, so a bulk appender would otherwise be bound by one core's deflate speed).
    func encode(_ payloads: [[UInt8]]) -> [EncodedPayload] {
        if policy == .none {
            return payloads.map { EncodedPayload(codec: .raw, crc32: payloadCRC32($0), stored: $0) }
        }
        let totalBytes = payloads.reduce(0) { $0 + $1.count }
        let chunks = min(cores, payloads.count / 16)
        if chunks < 2 || totalBytes < Self.parallelFrom {
            return encode(payloads[...])
        }
        nonisolated(unsafe) let results = UnsafeMutableBufferPointer<[EncodedPayload]>.allocate(capacity: chunks)
        results.initialize(repeating: [])
        defer { results.deinitialize(); results.deallocate() }
        let perChunk = (payloads.count + chunks - 1) / chunks
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            let lower = chunk * perChunk, upper = min(payloads.count, lower + perChunk)
            if lower < upper { results[chunk] = encode(payloads[lower..<upper]) }
        }
        return results.flatMap { $0 }
    }

    private func encode(_ payloads: ArraySlice<[UInt8]>) -> [EncodedPayload] {
        let deflater = lock.withLock { pool.popLast() } ?? Deflater()
        defer { lock.withLock { if pool.count < 8 { pool.append(deflater) } } }
        return payloads.map { payload in
            payload.withUnsafeBytes { raw in
                let crc = payloadCRC32(raw)
                if raw.count < rawThreshold { return EncodedPayload(codec: .raw, crc32: crc, stored: payload) }
                let useDictionary = policy == .zlibWithDictionary
                let compressed = deflater.compress(raw, dictionary: useDictionary ? dictionary : nil,
                                                   small: useDictionary && raw.count < Self.smallPayloadBelow)
                if compressed.count >= raw.count { return EncodedPayload(codec: .raw, crc32: crc, stored: payload) }
                return EncodedPayload(codec: useDictionary ? .zlibDictionary : .zlib, crc32: crc, stored: compressed)
            }
        }
    }
}

/// The dictionaries a log holds, shared by its readers. Thread-safe.
final class DictionaryCache: @unchecked Sendable {
    private let lock = NSLock()
    private var byID: [UInt32: CompressionDictionary] = [:]

    func insert(_ dictionary: CompressionDictionary) { lock.withLock { byID[dictionary.id] = dictionary } }
    func lookup(_ id: UInt32) -> CompressionDictionary? { lock.withLock { byID[id] } }
}
