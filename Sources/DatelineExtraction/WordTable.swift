import Foundation

/// A read-only table from words to values that the tokenizers query with the bytes of an
/// ASCII word they have just lower-cased, so each word costs one cheap hash and one probe
/// instead of building a String and hashing it with the standard (seeded) hasher.
///
/// Answers are exactly those of the dictionary it is built from: an ASCII query can only equal
/// (as Swift compares strings, by canonical equivalence) a key whose normal form is the same
/// ASCII bytes, and such keys are stored under those bytes; words that are not ASCII are
/// looked up in the dictionary itself (`value(for:)`).
struct WordTable<Value: Sendable>: Sendable {
    let dictionary: [String: Value]
    /// Open addressing, linear probing: entry index + 1, or 0 for an empty slot.
    private let slots: [Int32]
    private let mask: Int
    /// Entry k's bytes are `bytes[starts[k] ..< starts[k + 1]]`.
    private let starts: [Int32]
    private let bytes: [UInt8]
    private let values: [Value]

    init(_ dictionary: [String: Value]) {
        self.dictionary = dictionary
        var starts: [Int32] = [0]
        var bytes: [UInt8] = []
        var values: [Value] = []
        for (key, value) in dictionary {
            var utf8 = Array(key.utf8)
            if utf8.contains(where: { $0 >= 0x80 }) {
                // A key such as "\u{212A}" (Kelvin sign) equals an ASCII word; store it under that.
                let normal = key.precomposedStringWithCanonicalMapping
                guard normal.utf8.allSatisfy({ $0 < 0x80 }), normal == key else { continue }
                utf8 = Array(normal.utf8)
            }
            bytes += utf8
            starts.append(Int32(bytes.count))
            values.append(value)
        }
        var capacity = 16
        while capacity < values.count * 3 { capacity *= 2 }
        var slots = Array(repeating: Int32(0), count: capacity)
        let mask = capacity - 1
        for k in values.indices {
            let hash = bytes.withUnsafeBufferPointer {
                WordTable.hash(UnsafeBufferPointer(rebasing: $0[Int(starts[k])..<Int(starts[k + 1])]))
            }
            var s = hash & mask
            while slots[s] != 0 { s = (s + 1) & mask }
            slots[s] = Int32(k + 1)
        }
        self.slots = slots
        self.mask = mask
        self.starts = starts
        self.bytes = bytes
        self.values = values
    }

    /// FNV-1a, folded: the words are short and the table fixed, so no seed is needed.
    @inline(__always)
    static func hash(_ word: UnsafeBufferPointer<UInt8>) -> Int {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in word {
            h ^= UInt64(b)
            h &*= 0x100_0000_01b3
        }
        return Int(truncatingIfNeeded: h ^ (h >> 29))
    }

    /// The value for an ASCII word given as bytes (the caller guarantees every byte < 0x80).
    func value(ascii word: UnsafeBufferPointer<UInt8>) -> Value? {
        var s = WordTable.hash(word) & mask
        let count = word.count
        return bytes.withUnsafeBufferPointer { stored in
            while true {
                let entry = Int(slots[s])
                if entry == 0 { return nil }
                let a = Int(starts[entry - 1]), b = Int(starts[entry])
                if b - a == count {
                    var same = true
                    for k in 0..<count where stored[a + k] != word[k] { same = false; break }
                    if same { return values[entry - 1] }
                }
                s = (s + 1) & mask
            }
        }
    }

    /// The value for an ASCII word given as bytes in an array.
    func value(ascii word: [UInt8]) -> Value? {
        word.withUnsafeBufferPointer { value(ascii: $0) }
    }

    /// The value for any word, as the dictionary answers.
    func value(for key: String) -> Value? { dictionary[key] }
}
