import NIOCore

// A small JSON reader and writer for the protocol's envelopes.
//
// Why not Foundation: requests must be refused on nesting depth before any recursion, appended
// payloads must be cut out of the request line byte for byte (never decoded and re-encoded),
// and the subscription filters read three fields of a payload without building it. A reader that
// knows byte ranges does all three; Foundation's parsers do none.

/// A JSON value read from a line. Numbers keep the text as written so integers of any size and
/// decimals survive untouched; `range` on `JSONNode` locates each value in the source bytes.
public indirect enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    /// The number's text exactly as written (`12`, `-0.5`, `1e3`).
    case number(String)
    case string(String)
    case array([JSONNode])
    case object([String: JSONNode])
}

/// A value and where it sits in the bytes it was read from (half-open byte offsets).
public struct JSONNode: Sendable, Equatable {
    public var value: JSONValue
    public var range: Range<Int>

    public init(value: JSONValue, range: Range<Int>) {
        self.value = value
        self.range = range
    }

    public subscript(key: String) -> JSONNode? {
        if case .object(let members) = value { return members[key] }
        return nil
    }

    public var stringValue: String? {
        if case .string(let s) = value { return s }
        return nil
    }

    /// The value as a whole number, when it is written as one (`12`, not `12.0` or `1e1`).
    public var int64Value: Int64? {
        if case .number(let text) = value { return Int64(text) }
        return nil
    }

    public var boolValue: Bool? {
        if case .bool(let b) = value { return b }
        return nil
    }

    public var isNull: Bool { value == .null }
}

/// Why a line is not JSON, with the byte offset where reading stopped.
public struct JSONSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    public var offset: Int
    public var reason: String
    public var description: String { "\(reason) at byte \(offset)" }
}

public enum JSON {
    /// Reads one JSON document (surrounding white space allowed). Nesting deeper than `maxDepth`
    /// is a syntax error, so the recursion is bounded whatever the input.
    public static func parse(_ bytes: some Collection<UInt8>, maxDepth: Int = 64) throws(JSONSyntaxError) -> JSONNode {
        let array = Array(bytes)
        let result: Result<JSONNode, JSONSyntaxError> = array.withUnsafeBufferPointer { buffer in
            var reader = JSONReader(buffer, maxDepth: maxDepth)
            do throws(JSONSyntaxError) {
                return .success(try reader.parseDocument())
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// The deepest nesting of `[` and `{` in `bytes`, counting strings and escapes correctly,
    /// stopping early once `limit` is exceeded. Costs one pass and no recursion, so a line of a
    /// hundred thousand brackets is refused cheaply.
    public static func nestingDepth(_ bytes: UnsafeBufferPointer<UInt8>, stoppingAbove limit: Int = .max) -> Int {
        var depth = 0, deepest = 0
        var inString = false, escaped = false
        for b in bytes {
            if inString {
                if escaped { escaped = false } else if b == 0x5C { escaped = true } else if b == 0x22 { inString = false }
                continue
            }
            switch b {
            case 0x22: inString = true
            case 0x7B, 0x5B:
                depth += 1
                if depth > deepest {
                    deepest = depth
                    if deepest > limit { return deepest }
                }
            case 0x7D, 0x5D: depth -= 1
            default: break
            }
        }
        return deepest
    }

    public static func nestingDepth(_ bytes: [UInt8], stoppingAbove limit: Int = .max) -> Int {
        bytes.withUnsafeBufferPointer { nestingDepth($0, stoppingAbove: limit) }
    }
}

/// A cursor over JSON bytes: full parsing for requests, and member-by-member scanning with
/// iterative skipping for targeted reads (the payload facts, the best-effort request id).
struct JSONReader {
    let bytes: UnsafeBufferPointer<UInt8>
    let maxDepth: Int
    var index = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>, maxDepth: Int = 64) {
        self.bytes = bytes
        self.maxDepth = maxDepth
    }

    func fail(_ reason: String) -> JSONSyntaxError { JSONSyntaxError(offset: index, reason: reason) }

    mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    var atEnd: Bool { index >= bytes.count }
    var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

    mutating func parseDocument() throws(JSONSyntaxError) -> JSONNode {
        skipWhitespace()
        let node = try parseValue(depth: 0)
        skipWhitespace()
        if !atEnd { throw fail("unexpected text after the JSON value") }
        return node
    }

    mutating func parseValue(depth: Int) throws(JSONSyntaxError) -> JSONNode {
        guard let b = peek else { throw fail("unexpected end of input") }
        let start = index
        switch b {
        case 0x7B:  // {
            guard depth < maxDepth else { throw fail("nesting deeper than \(maxDepth)") }
            index += 1
            var members: [String: JSONNode] = [:]
            skipWhitespace()
            if peek == 0x7D {
                index += 1
                return JSONNode(value: .object(members), range: start..<index)
            }
            while true {
                skipWhitespace()
                guard peek == 0x22 else { throw fail("expected a quoted key") }
                let keyStart = index
                let key = try parseString()
                skipWhitespace()
                guard peek == 0x3A else { throw fail("expected ':' after a key") }
                index += 1
                skipWhitespace()
                let value = try parseValue(depth: depth + 1)
                if members.updateValue(value, forKey: key) != nil {
                    index = keyStart
                    throw fail("duplicate key \"\(key.prefix(64))\"")
                }
                skipWhitespace()
                guard let c = peek else { throw fail("unexpected end of input in an object") }
                index += 1
                if c == 0x7D { break }
                guard c == 0x2C else { index -= 1; throw fail("expected ',' or '}' in an object") }
            }
            return JSONNode(value: .object(members), range: start..<index)
        case 0x5B:  // [
            guard depth < maxDepth else { throw fail("nesting deeper than \(maxDepth)") }
            index += 1
            var elements: [JSONNode] = []
            skipWhitespace()
            if peek == 0x5D {
                index += 1
                return JSONNode(value: .array(elements), range: start..<index)
            }
            while true {
                skipWhitespace()
                elements.append(try parseValue(depth: depth + 1))
                skipWhitespace()
                guard let c = peek else { throw fail("unexpected end of input in an array") }
                index += 1
                if c == 0x5D { break }
                guard c == 0x2C else { index -= 1; throw fail("expected ',' or ']' in an array") }
            }
            return JSONNode(value: .array(elements), range: start..<index)
        case 0x22:
            let s = try parseString()
            return JSONNode(value: .string(s), range: start..<index)
        case 0x74:
            try literal("true")
            return JSONNode(value: .bool(true), range: start..<index)
        case 0x66:
            try literal("false")
            return JSONNode(value: .bool(false), range: start..<index)
        case 0x6E:
            try literal("null")
            return JSONNode(value: .null, range: start..<index)
        case 0x2D, 0x30...0x39:
            let text = try parseNumber()
            return JSONNode(value: .number(text), range: start..<index)
        default:
            throw fail("unexpected character")
        }
    }

    mutating func literal(_ word: StaticString) throws(JSONSyntaxError) {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw fail("unexpected end of input") }
        let p = word.utf8Start
        for k in 0..<count where bytes[index + k] != p[k] { throw fail("unexpected character") }
        index += count
    }

    mutating func parseNumber() throws(JSONSyntaxError) -> String {
        let start = index
        if peek == 0x2D { index += 1 }
        guard let first = peek, first >= 0x30, first <= 0x39 else { throw fail("expected a digit") }
        if first == 0x30 {
            index += 1
        } else {
            while let d = peek, d >= 0x30, d <= 0x39 { index += 1 }
        }
        if peek == 0x2E {
            index += 1
            guard let d = peek, d >= 0x30, d <= 0x39 else { throw fail("expected a digit after '.'") }
            while let d = peek, d >= 0x30, d <= 0x39 { index += 1 }
        }
        if peek == 0x65 || peek == 0x45 {
            index += 1
            if peek == 0x2B || peek == 0x2D { index += 1 }
            guard let d = peek, d >= 0x30, d <= 0x39 else { throw fail("expected a digit in the exponent") }
            while let d = peek, d >= 0x30, d <= 0x39 { index += 1 }
        }
        // ASCII only, so this cannot fail.
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
    }

    /// Reads a string at `index` (which must be at its opening quote), unescaping and
    /// validating UTF-8.
    mutating func parseString() throws(JSONSyntaxError) -> String {
        index += 1
        let start = index
        // Fast path: no escapes.
        while index < bytes.count {
            let b = bytes[index]
            if b == 0x22 {
                let slice = UnsafeBufferPointer(rebasing: bytes[start..<index])
                index += 1
                guard let s = String(validating: slice, as: UTF8.self) else {
                    index = start
                    throw fail("invalid UTF-8 in a string")
                }
                return s
            }
            if b == 0x5C { break }
            if b < 0x20 { throw fail("control character in a string (escape it)") }
            index += 1
        }
        guard index < bytes.count else { throw fail("unterminated string") }
        var out: [UInt8] = Array(bytes[start..<index])
        while index < bytes.count {
            let b = bytes[index]
            if b == 0x22 {
                index += 1
                guard let s = String(validating: out, as: UTF8.self) else {
                    index = start
                    throw fail("invalid UTF-8 in a string")
                }
                return s
            }
            if b < 0x20 { throw fail("control character in a string (escape it)") }
            if b != 0x5C {
                out.append(b)
                index += 1
                continue
            }
            index += 1
            guard let e = peek else { break }
            index += 1
            switch e {
            case 0x22: out.append(0x22)
            case 0x5C: out.append(0x5C)
            case 0x2F: out.append(0x2F)
            case 0x62: out.append(0x08)
            case 0x66: out.append(0x0C)
            case 0x6E: out.append(0x0A)
            case 0x72: out.append(0x0D)
            case 0x74: out.append(0x09)
            case 0x75:
                var scalar = try hex4()
                if (0xD800...0xDBFF).contains(scalar) {
                    guard index + 1 < bytes.count, bytes[index] == 0x5C, bytes[index + 1] == 0x75 else {
                        throw fail("lone surrogate in a \\u escape")
                    }
                    index += 2
                    let low = try hex4()
                    guard (0xDC00...0xDFFF).contains(low) else { throw fail("lone surrogate in a \\u escape") }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                } else if (0xDC00...0xDFFF).contains(scalar) {
                    throw fail("lone surrogate in a \\u escape")
                }
                guard let u = Unicode.Scalar(scalar) else { throw fail("invalid \\u escape") }
                out.append(contentsOf: UTF8.encode(u)!)
            default:
                index -= 1
                throw fail("invalid escape")
            }
        }
        throw fail("unterminated string")
    }

    mutating func hex4() throws(JSONSyntaxError) -> UInt32 {
        guard index + 4 <= bytes.count else { throw fail("short \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = bytes[index]
            let d: UInt32
            switch c {
            case 0x30...0x39: d = UInt32(c - 0x30)
            case 0x41...0x46: d = UInt32(c - 0x41 + 10)
            case 0x61...0x66: d = UInt32(c - 0x61 + 10)
            default: throw fail("invalid hex digit in a \\u escape")
            }
            v = v << 4 | d
            index += 1
        }
        return v
    }

    // MARK: Scanning without building values

    /// Skips one value of any depth without recursion. Strings inside are stepped over, not
    /// decoded; the value is not validated beyond bracket balance (use for trusted bytes or
    /// best-effort reads only).
    mutating func skipValue() throws(JSONSyntaxError) {
        skipWhitespace()
        guard let b = peek else { throw fail("unexpected end of input") }
        switch b {
        case 0x22:
            try skipString()
        case 0x7B, 0x5B:
            var depth = 0
            while index < bytes.count {
                let c = bytes[index]
                switch c {
                case 0x22:
                    try skipString()
                    continue
                case 0x7B, 0x5B: depth += 1
                case 0x7D, 0x5D:
                    depth -= 1
                    if depth == 0 {
                        index += 1
                        return
                    }
                default: break
                }
                index += 1
            }
            throw fail("unexpected end of input")
        default:
            // A number or literal: up to the next delimiter.
            let start = index
            while let c = peek, c != 0x2C, c != 0x7D, c != 0x5D, c != 0x20, c != 0x09, c != 0x0A, c != 0x0D {
                index += 1
            }
            if index == start { throw fail("unexpected character") }
        }
    }

    mutating func skipString() throws(JSONSyntaxError) {
        index += 1
        while index < bytes.count {
            let c = bytes[index]
            if c == 0x5C {
                index += 2
                continue
            }
            index += 1
            if c == 0x22 { return }
        }
        throw fail("unterminated string")
    }

    /// Steps into an object: true when `{` was consumed.
    mutating func enterObject() -> Bool {
        skipWhitespace()
        guard peek == 0x7B else { return false }
        index += 1
        return true
    }

    /// The next key of the object entered with `enterObject` (its value follows, unread), or nil
    /// after the closing brace. After reading or skipping the value, call again. Lenient about
    /// commas (it scans trusted payloads and makes best-effort reads; requests are fully parsed).
    mutating func nextKey() throws(JSONSyntaxError) -> String? {
        guard try atNextKey() else { return nil }
        let key = try parseString()
        try consumeColon()
        return key
    }

    /// Like `nextKey`, but returns where the key's bytes are instead of building a string, so a
    /// scan that looks for a few keys allocates nothing for the others. Compare with `key(_:is:)`.
    mutating func nextKeyRange() throws(JSONSyntaxError) -> Range<Int>? {
        guard try atNextKey() else { return nil }
        let start = index + 1
        try skipString()
        let range = start..<(index - 1)
        try consumeColon()
        return range
    }

    /// Moves to the opening quote of the object's next key (past a comma); false, past the
    /// closing brace, when the object ends.
    private mutating func atNextKey() throws(JSONSyntaxError) -> Bool {
        skipWhitespace()
        guard let c = peek else { throw fail("unexpected end of input in an object") }
        if c == 0x7D {
            index += 1
            return false
        }
        if c == 0x2C {
            index += 1
            skipWhitespace()
        }
        guard peek == 0x22 else { throw fail("expected a quoted key") }
        return true
    }

    /// The ':' after a key, and the white space around it.
    private mutating func consumeColon() throws(JSONSyntaxError) {
        skipWhitespace()
        guard peek == 0x3A else { throw fail("expected ':'") }
        index += 1
        skipWhitespace()
    }

    /// Whether the raw key bytes at `range` spell `name` (keys written with escapes never match).
    func key(_ range: Range<Int>, is name: StaticString) -> Bool {
        guard range.count == name.utf8CodeUnitCount else { return false }
        let p = name.utf8Start
        var k = 0
        for i in range {
            if bytes[i] != p[k] { return false }
            k += 1
        }
        return true
    }

    /// Reads a string value, or nil for `null` or any other kind of value (which is skipped).
    mutating func stringOrSkip() throws(JSONSyntaxError) -> String? {
        skipWhitespace()
        if peek == 0x22 { return try parseString() }
        try skipValue()
        return nil
    }
}

extension JSON {
    /// The `id` of a request line that could not be fully read (too deep, or broken after the id),
    /// found by walking the top-level members without recursion. Nil when it cannot be found.
    public static func bestEffortRequestID(_ bytes: UnsafeBufferPointer<UInt8>) -> RequestID? {
        var reader = JSONReader(bytes)
        guard reader.enterObject() else { return nil }
        do throws(JSONSyntaxError) {
            while let key = try reader.nextKey() {
                if key == "id" {
                    let start = reader.index
                    try reader.skipValue()
                    let end = reader.index
                    var sub = JSONReader(UnsafeBufferPointer(rebasing: bytes[start..<end]), maxDepth: 1)
                    guard let node = try? sub.parseDocument() else { return nil }
                    return RequestID(node)
                }
                try reader.skipValue()
            }
        } catch {
            return nil
        }
        return nil
    }
}

// MARK: - Writing

/// A value for a reply field that the server fills in (stats, query rows, error details).
public indirect enum ReplyValue: Sendable, Equatable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByFloatLiteral, ExpressibleByArrayLiteral, ExpressibleByNilLiteral
{
    case string(String)
    case int(Int64)
    /// Written with the shortest representation that reads back the same; NaN and infinities as null.
    case double(Double)
    case bool(Bool)
    case null
    case array([ReplyValue])
    case object(ReplyObject)
    /// JSON bytes spliced in verbatim (must be one valid JSON value).
    case raw([UInt8])

    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(arrayLiteral elements: ReplyValue...) { self = .array(elements) }
    public init(nilLiteral: ()) { self = .null }

    public static func int(_ value: Int) -> ReplyValue { .int(Int64(value)) }
    public static func position(_ p: Position) -> ReplyValue { .int(p.rawValue) }
    public static func optional(_ s: String?) -> ReplyValue { s.map { .string($0) } ?? .null }
}

/// An ordered list of named fields; written in this order.
public struct ReplyObject: Sendable, Equatable, ExpressibleByDictionaryLiteral {
    public var fields: [(name: String, value: ReplyValue)]

    public init(_ fields: [(name: String, value: ReplyValue)] = []) { self.fields = fields }
    public init(dictionaryLiteral elements: (String, ReplyValue)...) {
        fields = elements.map { (name: $0.0, value: $0.1) }
    }

    public mutating func append(_ name: String, _ value: ReplyValue) { fields.append((name: name, value: value)) }
    public var isEmpty: Bool { fields.isEmpty }

    public static func == (a: ReplyObject, b: ReplyObject) -> Bool {
        a.fields.count == b.fields.count && zip(a.fields, b.fields).allSatisfy { $0.name == $1.name && $0.value == $1.value }
    }
}

import DatelineCore

/// The one JSON writer behind every reply line: objects, arrays and scalars written straight
/// into a `ByteBuffer`, with commas tracked for up to 64 levels and strings escaped per RFC 8259
/// (quotes, backslashes and control characters escaped; everything else, non-ASCII included,
/// passed through as UTF-8).
public struct JSONWriter {
    public var buffer: ByteBuffer
    private var commaNeeded: UInt64 = 0
    private var depth = 0
    private var afterKey = false

    public init(buffer: ByteBuffer = ByteBuffer()) { self.buffer = buffer }

    private mutating func beforeValue() {
        if afterKey {
            afterKey = false
            return
        }
        guard depth > 0 else { return }
        let bit: UInt64 = 1 << UInt64(depth - 1)
        if commaNeeded & bit != 0 { buffer.writeInteger(UInt8(ascii: ",")) } else { commaNeeded |= bit }
    }

    public mutating func beginObject() {
        beforeValue()
        buffer.writeInteger(UInt8(ascii: "{"))
        depth += 1
        commaNeeded &= ~(1 << UInt64(depth - 1))
    }

    public mutating func endObject() {
        depth -= 1
        buffer.writeInteger(UInt8(ascii: "}"))
    }

    public mutating func beginArray() {
        beforeValue()
        buffer.writeInteger(UInt8(ascii: "["))
        depth += 1
        commaNeeded &= ~(1 << UInt64(depth - 1))
    }

    public mutating func endArray() {
        depth -= 1
        buffer.writeInteger(UInt8(ascii: "]"))
    }

    /// Writes `"name":`; the next value written belongs to it.
    public mutating func key(_ name: String) {
        beforeValue()
        JSONWriter.writeEscaped(name, into: &buffer)
        buffer.writeInteger(UInt8(ascii: ":"))
        afterKey = true
    }

    /// A key known to need no escaping, written without scanning it.
    mutating func plainKey(_ name: StaticString) {
        beforeValue()
        buffer.writeInteger(UInt8(ascii: "\""))
        buffer.writeStaticString(name)
        buffer.writeStaticString("\":")
        afterKey = true
    }

    /// A string value known to need no escaping, written without scanning it.
    mutating func plainString(_ value: StaticString) {
        beforeValue()
        buffer.writeInteger(UInt8(ascii: "\""))
        buffer.writeStaticString(value)
        buffer.writeInteger(UInt8(ascii: "\""))
    }

    public mutating func string(_ value: String) {
        beforeValue()
        JSONWriter.writeEscaped(value, into: &buffer)
    }

    public mutating func int(_ value: Int64) {
        beforeValue()
        JSONWriter.writeInt(value, into: &buffer)
    }

    public mutating func double(_ value: Double) {
        beforeValue()
        if value.isFinite {
            if value == value.rounded(), abs(value) < 1e15 {
                JSONWriter.writeInt(Int64(value), into: &buffer)
            } else {
                buffer.writeString(value.description)
            }
        } else {
            buffer.writeStaticString("null")
        }
    }

    public mutating func bool(_ value: Bool) {
        beforeValue()
        buffer.writeStaticString(value ? "true" : "false")
    }

    public mutating func null() {
        beforeValue()
        buffer.writeStaticString("null")
    }

    /// Splices JSON bytes in verbatim; the caller vouches that they are one valid JSON value.
    public mutating func raw(_ bytes: some Collection<UInt8>) {
        beforeValue()
        if bytes.isEmpty { buffer.writeStaticString("null") } else { buffer.writeBytes(bytes) }
    }

    public mutating func value(_ v: ReplyValue) {
        switch v {
        case .string(let s): string(s)
        case .int(let i): int(i)
        case .double(let d): double(d)
        case .bool(let b): bool(b)
        case .null: null()
        case .raw(let bytes): raw(bytes)
        case .array(let items):
            beginArray()
            for item in items { value(item) }
            endArray()
        case .object(let object):
            beginObject()
            fields(object)
            endObject()
        }
    }

    /// Writes the members of `object` into the object being written.
    public mutating func fields(_ object: ReplyObject) {
        for field in object.fields {
            key(field.name)
            value(field.value)
        }
    }

    public mutating func field(_ name: String, _ v: ReplyValue) {
        key(name)
        value(v)
    }

    public mutating func requestID(_ id: RequestID) {
        switch id {
        case .string(let s): string(s)
        case .number(let n): int(n)
        }
    }

    /// Ends the line: `\n`.
    public mutating func newline() {
        buffer.writeInteger(UInt8(ascii: "\n"))
    }

    // MARK: Primitives

    public static func writeInt(_ value: Int64, into buffer: inout ByteBuffer) {
        if value >= 0 && value < 10 {
            buffer.writeInteger(UInt8(0x30 + value))
            return
        }
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes of scratch, enough for Int64.min
        withUnsafeMutableBytes(of: &digits) { scratch in
            var n = value.magnitude
            var i = scratch.count
            repeat {
                i -= 1
                scratch[i] = UInt8(0x30 + n % 10)
                n /= 10
            } while n > 0
            if value < 0 {
                i -= 1
                scratch[i] = UInt8(ascii: "-")
            }
            buffer.writeBytes(UnsafeRawBufferPointer(rebasing: scratch[i...]))
        }
    }

    /// Writes `value` as a JSON string, escaping what JSON requires.
    public static func writeEscaped(_ value: String, into buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt8(ascii: "\""))
        var value = value
        value.withUTF8 { utf8 in
            var runStart = 0
            for i in 0..<utf8.count {
                let b = utf8[i]
                if b >= 0x20 && b != 0x22 && b != 0x5C { continue }
                if i > runStart { buffer.writeBytes(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: utf8[runStart..<i]))) }
                runStart = i + 1
                switch b {
                case 0x22: buffer.writeStaticString("\\\"")
                case 0x5C: buffer.writeStaticString("\\\\")
                case 0x0A: buffer.writeStaticString("\\n")
                case 0x0D: buffer.writeStaticString("\\r")
                case 0x09: buffer.writeStaticString("\\t")
                case 0x08: buffer.writeStaticString("\\b")
                case 0x0C: buffer.writeStaticString("\\f")
                default:
                    let hex: StaticString = "0123456789abcdef"
                    buffer.writeStaticString("\\u00")
                    buffer.writeInteger(hex.utf8Start[Int(b >> 4)])
                    buffer.writeInteger(hex.utf8Start[Int(b & 0xF)])
                }
            }
            if runStart < utf8.count { buffer.writeBytes(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: utf8[runStart...]))) }
        }
        buffer.writeInteger(UInt8(ascii: "\""))
    }

    /// Writes a timestamp as an RFC 3339 string in UTC with microseconds, the same text as
    /// `Timestamp.description`, without building intermediate strings.
    public static func writeTimestamp(_ t: Timestamp, into buffer: inout ByteBuffer) {
        let raw = t.rawValue
        let seconds = raw >= 0 ? raw / 1_000_000 : (raw - 999_999) / 1_000_000
        let micros = raw - seconds * 1_000_000
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let date = CalendarDate(dayNumber: Int(days))
        buffer.writeInteger(UInt8(ascii: "\""))
        writePadded(Int64(date.year), width: 4, into: &buffer)
        buffer.writeInteger(UInt8(ascii: "-"))
        writePadded(Int64(date.month), width: 2, into: &buffer)
        buffer.writeInteger(UInt8(ascii: "-"))
        writePadded(Int64(date.day), width: 2, into: &buffer)
        buffer.writeInteger(UInt8(ascii: "T"))
        writePadded(secondOfDay / 3600, width: 2, into: &buffer)
        buffer.writeInteger(UInt8(ascii: ":"))
        writePadded(secondOfDay % 3600 / 60, width: 2, into: &buffer)
        buffer.writeInteger(UInt8(ascii: ":"))
        writePadded(secondOfDay % 60, width: 2, into: &buffer)
        buffer.writeInteger(UInt8(ascii: "."))
        writePadded(micros, width: 6, into: &buffer)
        buffer.writeStaticString("Z\"")
    }

    static func writePadded(_ value: Int64, width: Int, into buffer: inout ByteBuffer) {
        var divisor: Int64 = 1
        for _ in 1..<width { divisor *= 10 }
        var v = value
        if v >= divisor * 10 {  // wider than width (a year past 9999 cannot happen; be safe)
            writeInt(v, into: &buffer)
            return
        }
        while divisor > 0 {
            buffer.writeInteger(UInt8(0x30 + v / divisor))
            v %= divisor
            divisor /= 10
        }
    }
}
