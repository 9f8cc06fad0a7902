import DatelineCore
import Foundation

/// A payload as any log backend stores it: the codec, zlib's CRC-32 of the uncompressed bytes,
/// and the stored bytes.
public struct StoredPayload: Sendable, Equatable {
    public var codec: PayloadCodec
    public var crc32: UInt32
    public var bytes: [UInt8]
    /// The payload's length before compression.
    public var rawCount: Int

    public init(codec: PayloadCodec, crc32: UInt32, bytes: [UInt8], rawCount: Int) {
        self.codec = codec
        self.crc32 = crc32
        self.bytes = bytes
        self.rawCount = rawCount
    }
}

/// The log's payload compression for backends other than the SQLite file, so that every backend
/// stores the same bytes: the same codecs, preset dictionary, CRC and parallel batch encoding
/// as `EventStore`. Compression and checks run in Swift, never in the database.
public final class PayloadCompressor: Sendable {
    private let encoder: PayloadEncoder
    public var dictionary: CompressionDictionary { encoder.dictionary }

    public init(policy: CompressionPolicy = .zlibWithDictionary, rawThreshold: Int = 64,
                dictionary: CompressionDictionary = .default) {
        encoder = PayloadEncoder(policy: policy, rawThreshold: rawThreshold, dictionary: dictionary)
    }

    /// Encodes a batch in order; large batches are compressed on all cores.
    public func encode(_ payloads: [[UInt8]]) -> [StoredPayload] {
        zip(payloads, encoder.encode(payloads)).map { raw, encoded in
            StoredPayload(codec: encoded.codec, crc32: encoded.crc32, bytes: encoded.stored, rawCount: raw.count)
        }
    }
}

/// Decodes stored payloads and checks their CRC. Not thread-safe (it owns an inflate stream):
/// one per reading task or thread.
public final class PayloadDecompressor {
    private let inflater = Inflater()
    private let dictionary: (UInt32) -> CompressionDictionary?

    /// `dictionary` is asked for the preset dictionary a compressed payload names.
    public init(dictionary: @escaping (UInt32) -> CompressionDictionary?) {
        self.dictionary = dictionary
    }

    /// The uncompressed bytes of the payload at `position`, or `.corruptPayload` naming it.
    public func decode(codec codecValue: Int64, crc32 expectedCRC: UInt32, stored: UnsafeRawBufferPointer,
                       position: Position) throws(EventLogError) -> [UInt8] {
        try decodeStoredPayload(codec: codecValue, crc32: expectedCRC, stored: stored, position: position,
                                inflater: inflater, dictionary: dictionary)
    }
}

@available(*, unavailable)
extension PayloadDecompressor: Sendable {}

/// A name read back from a stored row, checked again: one that no longer validates is reported
/// as a corrupt row at its position, in the same words by every backend. `what` names the
/// column ("stream name", "event type", "event id").
public func storedName<Name>(_ text: String, _ what: String, at position: Position,
                             _ make: (String) throws(InvalidIdentifier) -> Name) throws(EventLogError) -> Name {
    do { return try make(text) } catch {
        throw .corruptPayload(position: position, reason: "stored \(what) is invalid (\(error.reason))")
    }
}

/// The one decoding routine of every backend: codec, inflate, CRC check.
func decodeStoredPayload(codec codecValue: Int64, crc32 expectedCRC: UInt32, stored: UnsafeRawBufferPointer,
                         position: Position, inflater: Inflater,
                         dictionary: (UInt32) -> CompressionDictionary?) throws(EventLogError) -> [UInt8] {
    guard let codec = PayloadCodec(rawValue: codecValue) else {
        throw .corruptPayload(position: position, reason: "unknown codec \(codecValue)")
    }
    let data: [UInt8]
    switch codec {
    case .raw:
        data = [UInt8](stored)
    case .zlib, .zlibDictionary:
        do {
            data = try inflater.decompress(stored, dictionary: dictionary)
        } catch {
            throw .corruptPayload(position: position, reason: error.reason)
        }
    }
    let crc = payloadCRC32(data)
    if crc != expectedCRC {
        throw .corruptPayload(position: position, reason: "CRC-32 mismatch (stored \(expectedCRC), computed \(crc))")
    }
    return data
}
