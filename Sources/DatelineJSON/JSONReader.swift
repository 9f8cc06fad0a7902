/// A cursor over JSON bytes. One set of primitives (white space, literals, the number grammar,
/// strings with escapes and UTF-8 validation, overflow-checked integers) serves three kinds of
/// reading:
///
/// - strict, non-throwing reads for fast paths (`readObject`, `readString`, `readInt`, … return
///   nil or false on anything unexpected, so the caller can fall back to a full decoder);
/// - a full parse into `JSONNode`s with a reason and an offset on error (`parseDocument`);
/// - lenient member-by-member scans that skip what they do not need (`enterObject`,
///   `nextKeyRange`, `skipValue`), for best-effort reads of trusted bytes.
///
/// When a non-throwing primitive fails it records why and where (`failure`), which the throwing
/// layer turns into its error; fast paths never look.
///
/// The primitives are `@inlinable` so that the projections' and protocol's loops over them are
/// specialised and inlined in their own modules, as they were when each had a private copy.
public struct JSONReader {
    public let bytes: UnsafeBufferPointer<UInt8>
    public let maxDepth: Int
    public var index = 0
    @usableFromInline var failureReason: StaticString = "invalid JSON"
    @usableFromInline var failureOffset = 0

    @inlinable
    public init(_ bytes: UnsafeBufferPointer<UInt8>, maxDepth: Int = 64) {
        self.bytes = bytes
        self.maxDepth = maxDepth
    }

    /// Why the last primitive that returned nil or false stopped, and where.
    public var failure: JSONSyntaxError { JSONSyntaxError(offset: failureOffset, reason: failureReason.description) }

    @inlinable
    mutating func failed(_ reason: StaticString, at offset: Int? = nil) {
        failureReason = reason
        failureOffset = offset ?? index
    }

    func fail(_ reason: String) -> JSONSyntaxError { JSONSyntaxError(offset: index, reason: reason) }

    @inlinable public var isAtEnd: Bool { index >= bytes.count }
    @inlinable public var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

    // MARK: - Primitives

    @inlinable
    public mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    /// Consumes `word` (`true`, `false`, `null`) if it is next; false, consuming nothing, if not.
    @inlinable
    public mutating func readLiteral(_ word: StaticString) -> Bool {
        let count = word.utf8CodeUnitCount
        guard bytes.count - index >= count else {
            failed("unexpected end of input")
            return false
        }
        let w = word.utf8Start
        for j in 0..<count where bytes[index + j] != w[j] {
            failed("unexpected character")
            return false
        }
        index += count
        return true
    }

    /// Consumes `null` (after white space) if it is next.
    @inlinable
    public mutating func readNull() -> Bool {
        skipWhitespace()
        return index < bytes.count && bytes[index] == 0x6E && readLiteral("null")
    }

    @inlinable
    public mutating func readBool() -> Bool? {
        skipWhitespace()
        guard let c = peek else {
            failed("unexpected end of input")
            return nil
        }
        if c == 0x74 { return readLiteral("true") ? true : nil }
        if c == 0x66 { return readLiteral("false") ? false : nil }
        failed("expected true or false")
        return nil
    }

    /// The end of the JSON number at the cursor (RFC 8259 grammar), or nil; the cursor does not move.
    @inlinable
    public mutating func numberEnd() -> Int? {
        var j = index
        let n = bytes.count
        if j < n, bytes[j] == 0x2D { j += 1 }
        guard j < n else {
            failed("expected a digit", at: j)
            return nil
        }
        if bytes[j] == 0x30 {
            j += 1
        } else if bytes[j] >= 0x31, bytes[j] <= 0x39 {
            while j < n, bytes[j] >= 0x30, bytes[j] <= 0x39 { j += 1 }
        } else {
            failed("expected a digit", at: j)
            return nil
        }
        if j < n, bytes[j] == 0x2E {
            j += 1
            let s = j
            while j < n, bytes[j] >= 0x30, bytes[j] <= 0x39 { j += 1 }
            guard j > s else {
                failed("expected a digit after '.'", at: j)
                return nil
            }
        }
        if j < n, bytes[j] == 0x65 || bytes[j] == 0x45 {
            j += 1
            if j < n, bytes[j] == 0x2B || bytes[j] == 0x2D { j += 1 }
            let s = j
            while j < n, bytes[j] >= 0x30, bytes[j] <= 0x39 { j += 1 }
            guard j > s else {
                failed("expected a digit in the exponent", at: j)
                return nil
            }
        }
        return j
    }

    /// A plain integer (`-?(0|[1-9][0-9]*)`, no fraction or exponent) that fits in 64 bits with
    /// room to negate: a magnitude of 2^63 or more is refused (nil), never trapped on, whoever
    /// wrote the bytes. Anything else is nil too, with the cursor where it was.
    @inlinable
    public mutating func readInt() -> Int? {
        skipWhitespace()
        let n = bytes.count
        var j = index
        var negative = false
        if j < n, bytes[j] == 0x2D { negative = true; j += 1 }
        let digitsStart = j
        var magnitude: UInt64 = 0
        while j < n, bytes[j] >= 0x30, bytes[j] <= 0x39 {
            let (times10, o1) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(UInt64(bytes[j] &- 0x30))
            guard !o1, !o2, sum < 1 << 63 else {
                failed("integer out of range", at: digitsStart)
                return nil
            }
            magnitude = sum
            j += 1
        }
        let digits = j - digitsStart
        guard digits > 0, !(digits > 1 && bytes[digitsStart] == 0x30) else {
            failed("expected an integer", at: digitsStart)
            return nil
        }
        if j < n, bytes[j] == 0x2E || bytes[j] == 0x65 || bytes[j] == 0x45 {
            failed("expected an integer", at: digitsStart)
            return nil
        }
        index = j
        let value = Int(magnitude)
        return negative ? -value : value
    }

    /// A number (at most 40 characters) that reads as a finite `Double`, or nil.
    @inlinable
    public mutating func readDouble() -> Double? {
        skipWhitespace()
        guard let end = numberEnd() else { return nil }
        guard end - index <= 40 else {
            failed("number too long")
            return nil
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[index..<end]), as: UTF8.self)
        guard let v = Double(text), v.isFinite else {
            failed("number out of range")
            return nil
        }
        index = end
        return v
    }

    /// A string value (after white space): valid UTF-8, no raw control characters, escapes
    /// decoded, surrogate pairs joined (a lone surrogate is refused). Nil for anything else.
    @inlinable
    public mutating func readString() -> String? {
        skipWhitespace()
        guard index < bytes.count, bytes[index] == 0x22 else {
            failed("expected a string")
            return nil
        }
        index += 1
        let start = index
        while index < bytes.count {
            let c = bytes[index]
            if c == 0x22 {
                guard let s = String(validating: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self) else {
                    failed("invalid UTF-8 in a string", at: start)
                    return nil
                }
                index += 1
                return s
            }
            if c == 0x5C { return readEscapedString(from: start) }
            if c < 0x20 {
                failed("control character in a string (escape it)")
                return nil
            }
            index += 1
        }
        failed("unterminated string")
        return nil
    }

    /// The rest of a string from its first escape (at `index`); `start` is where its content began.
    @usableFromInline
    mutating func readEscapedString(from start: Int) -> String? {
        var out: [UInt8] = []
        out.reserveCapacity(index - start + 32)
        out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<index]))
        let n = bytes.count
        while index < n {
            let c = bytes[index]
            if c == 0x22 {
                guard let s = String(validating: out, as: UTF8.self) else {
                    failed("invalid UTF-8 in a string", at: start)
                    return nil
                }
                index += 1
                return s
            }
            if c < 0x20 {
                failed("control character in a string (escape it)")
                return nil
            }
            if c != 0x5C {
                out.append(c)
                index += 1
                continue
            }
            guard index + 1 < n else { break }
            let e = bytes[index + 1]
            index += 2
            switch e {
            case 0x22, 0x5C, 0x2F: out.append(e)
            case 0x62: out.append(0x08)
            case 0x66: out.append(0x0C)
            case 0x6E: out.append(0x0A)
            case 0x72: out.append(0x0D)
            case 0x74: out.append(0x09)
            case 0x75:
                guard let unit = hex4() else { return nil }
                var scalar = unit
                if (0xD800...0xDBFF).contains(unit) {
                    guard index + 1 < n, bytes[index] == 0x5C, bytes[index + 1] == 0x75 else {
                        failed("lone surrogate in a \\u escape")
                        return nil
                    }
                    index += 2
                    guard let low = hex4() else { return nil }
                    guard (0xDC00...0xDFFF).contains(low) else {
                        failed("lone surrogate in a \\u escape")
                        return nil
                    }
                    scalar = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
                } else if (0xDC00...0xDFFF).contains(unit) {
                    failed("lone surrogate in a \\u escape")
                    return nil
                }
                guard let u = Unicode.Scalar(scalar) else {
                    failed("invalid \\u escape")
                    return nil
                }
                out.append(contentsOf: UTF8.encode(u)!)
            default:
                index -= 1
                failed("invalid escape")
                return nil
            }
        }
        failed("unterminated string")
        return nil
    }

    @usableFromInline
    mutating func hex4() -> UInt32? {
        guard bytes.count - index >= 4 else {
            failed("short \\u escape")
            return nil
        }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = bytes[index]
            let d: UInt32
            switch c {
            case 0x30...0x39: d = UInt32(c - 0x30)
            case 0x41...0x46: d = UInt32(c - 0x41 + 10)
            case 0x61...0x66: d = UInt32(c - 0x61 + 10)
            default:
                failed("invalid hex digit in a \\u escape")
                return nil
            }
            v = v << 4 | d
            index += 1
        }
        return v
    }

    /// Skips a string value with the checks of `readString`, without building it when it is
    /// plain ASCII (an article's text, mostly).
    @inlinable
    public mutating func skipValidString() -> Bool {
        guard index < bytes.count, bytes[index] == 0x22 else {
            failed("expected a string")
            return false
        }
        let start = index
        index += 1
        while index < bytes.count {
            let c = bytes[index]
            if c == 0x22 {
                index += 1
                return true
            }
            if c == 0x5C || c < 0x20 || c >= 0x80 { break }
            index += 1
        }
        index = start
        return readString() != nil
    }

    // MARK: - Strict structure (fast paths)

    /// Walks an object's members; `body` reads (or skips) each value, given where its key's bytes
    /// are (compare with `key(_:is:)`). False on any syntax error, on a key written with escapes
    /// (not on a fast path), or when `body` gives up.
    @inlinable
    public mutating func readObject(_ body: (inout JSONReader, Range<Int>) -> Bool) -> Bool {
        skipWhitespace()
        let n = bytes.count
        guard index < n, bytes[index] == 0x7B else {
            failed("expected an object")
            return false
        }
        index += 1
        skipWhitespace()
        if index < n, bytes[index] == 0x7D { index += 1; return true }
        while true {
            skipWhitespace()
            guard index < n, bytes[index] == 0x22 else {
                failed("expected a quoted key")
                return false
            }
            index += 1
            let start = index
            while index < n, bytes[index] != 0x22 {
                if bytes[index] == 0x5C || bytes[index] < 0x20 {
                    failed("escaped key")
                    return false
                }
                index += 1
            }
            guard index < n else {
                failed("unterminated string")
                return false
            }
            let key = start..<index
            index += 1
            skipWhitespace()
            guard index < n, bytes[index] == 0x3A else {
                failed("expected ':' after a key")
                return false
            }
            index += 1
            skipWhitespace()
            guard body(&self, key) else { return false }
            skipWhitespace()
            guard index < n else {
                failed("unexpected end of input in an object")
                return false
            }
            if bytes[index] == 0x2C { index += 1; continue }
            if bytes[index] == 0x7D { index += 1; return true }
            failed("expected ',' or '}' in an object")
            return false
        }
    }

    /// Walks an array's elements; `element` reads each. False on any syntax error or when it gives up.
    @inlinable
    public mutating func readArray(_ element: (inout JSONReader) -> Bool) -> Bool {
        skipWhitespace()
        let n = bytes.count
        guard index < n, bytes[index] == 0x5B else {
            failed("expected an array")
            return false
        }
        index += 1
        skipWhitespace()
        if index < n, bytes[index] == 0x5D { index += 1; return true }
        while true {
            skipWhitespace()
            guard element(&self) else { return false }
            skipWhitespace()
            guard index < n else {
                failed("unexpected end of input in an array")
                return false
            }
            if bytes[index] == 0x2C { index += 1; continue }
            if bytes[index] == 0x5D { index += 1; return true }
            failed("expected ',' or ']' in an array")
            return false
        }
    }

    /// Skips any JSON value, checking that it is well formed, nesting at most `maxDepth` levels.
    @inlinable
    public mutating func skipValidValue(depth: Int = 0) -> Bool {
        guard depth < maxDepth else {
            failed("nesting too deep")
            return false
        }
        skipWhitespace()
        guard index < bytes.count else {
            failed("unexpected end of input")
            return false
        }
        switch bytes[index] {
        case 0x22: return skipValidString()
        case 0x7B: return readObject { r, _ in r.skipValidValue(depth: depth + 1) }
        case 0x5B: return readArray { $0.skipValidValue(depth: depth + 1) }
        case 0x74: return readLiteral("true")
        case 0x66: return readLiteral("false")
        case 0x6E: return readLiteral("null")
        default:
            guard let end = numberEnd() else { return false }
            index = end
            return true
        }
    }

    /// Whether the raw key bytes at `range` spell `name` (keys written with escapes never match).
    @inlinable
    public func key(_ range: Range<Int>, is name: StaticString) -> Bool {
        guard range.count == name.utf8CodeUnitCount else { return false }
        let p = name.utf8Start
        var k = 0
        for i in range {
            if bytes[i] != p[k] { return false }
            k += 1
        }
        return true
    }
}
