/// Where `JSONWriter` writes: `[UInt8]` here, NIO's `ByteBuffer` in the protocol module (which
/// conforms it), so one writer serves reply lines written straight into a socket's buffer and
/// lines the CLI prints, without this module depending on NIO.
public protocol JSONOutput {
    mutating func writeJSONByte(_ byte: UInt8)
    mutating func writeJSONBytes(_ bytes: UnsafeRawBufferPointer)
}

extension JSONOutput {
    @inlinable
    public mutating func writeJSONStaticString(_ text: StaticString) {
        writeJSONBytes(UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    @inlinable
    public mutating func writeJSONBytes(contentsOf bytes: some Collection<UInt8>) {
        let done: Void? = bytes.withContiguousStorageIfAvailable { writeJSONBytes(UnsafeRawBufferPointer($0)) }
        if done == nil { Array(bytes).withUnsafeBytes { writeJSONBytes($0) } }
    }
}

extension Array: JSONOutput where Element == UInt8 {
    @inlinable
    public mutating func writeJSONByte(_ byte: UInt8) { append(byte) }

    @inlinable
    public mutating func writeJSONBytes(_ bytes: UnsafeRawBufferPointer) { append(contentsOf: bytes) }
}

/// The one JSON writer: objects, arrays and scalars written straight into `output`, with commas
/// tracked for up to 64 levels and strings escaped per RFC 8259 (quotes, backslashes and control
/// characters escaped; everything else, non-ASCII included, passed through as UTF-8).
///
/// `@inlinable` throughout so that each output type gets a specialised writer in the module that
/// uses it (the protocol's reply lines are a hot path).
public struct JSONWriter<Output: JSONOutput> {
    public var output: Output
    @usableFromInline var commaNeeded: UInt64 = 0
    @usableFromInline var depth = 0
    @usableFromInline var afterKey = false

    @inlinable
    public init(output: Output) { self.output = output }

    /// A writer of an object's members without its braces (`"a":1,"b":2`), for members that
    /// another writer splices in with `rawMembers`.
    @inlinable
    public init(membersInto output: Output) {
        self.output = output
        depth = 1
    }

    /// Writes the comma a value needs before it, if any. Only for extensions that write a value
    /// of their own kind straight into `output` (a timestamp, say); the writer's own methods call it.
    @inlinable
    public mutating func beginValue() {
        if afterKey {
            afterKey = false
            return
        }
        guard depth > 0 else { return }
        let bit: UInt64 = 1 << UInt64(depth - 1)
        if commaNeeded & bit != 0 { output.writeJSONByte(UInt8(ascii: ",")) } else { commaNeeded |= bit }
    }

    @inlinable
    public mutating func beginObject() {
        beginValue()
        output.writeJSONByte(UInt8(ascii: "{"))
        depth += 1
        commaNeeded &= ~(1 << UInt64(depth - 1))
    }

    @inlinable
    public mutating func endObject() {
        depth -= 1
        output.writeJSONByte(UInt8(ascii: "}"))
    }

    @inlinable
    public mutating func beginArray() {
        beginValue()
        output.writeJSONByte(UInt8(ascii: "["))
        depth += 1
        commaNeeded &= ~(1 << UInt64(depth - 1))
    }

    @inlinable
    public mutating func endArray() {
        depth -= 1
        output.writeJSONByte(UInt8(ascii: "]"))
    }

    /// Writes `"name":`; the next value written belongs to it.
    @inlinable
    public mutating func key(_ name: String) {
        beginValue()
        Self.writeEscaped(name, into: &output)
        output.writeJSONByte(UInt8(ascii: ":"))
        afterKey = true
    }

    /// A key known to need no escaping (a field name in the source), written without scanning it.
    @inlinable
    public mutating func plainKey(_ name: StaticString) {
        beginValue()
        output.writeJSONByte(UInt8(ascii: "\""))
        output.writeJSONStaticString(name)
        output.writeJSONStaticString("\":")
        afterKey = true
    }

    /// A string value known to need no escaping, written without scanning it.
    @inlinable
    public mutating func plainString(_ value: StaticString) {
        beginValue()
        output.writeJSONByte(UInt8(ascii: "\""))
        output.writeJSONStaticString(value)
        output.writeJSONByte(UInt8(ascii: "\""))
    }

    @inlinable
    public mutating func string(_ value: String) {
        beginValue()
        Self.writeEscaped(value, into: &output)
    }

    @inlinable
    public mutating func int(_ value: Int64) {
        beginValue()
        Self.writeInt(value, into: &output)
    }

    @inlinable
    public mutating func int(_ value: Int) { int(Int64(value)) }

    /// Whole numbers below 10^15 as integers (`3`, not `3.0`; `-0` kept), others in Swift's
    /// shortest form that reads back the same (`0.7`, `1.5e-07`, `1e+20`); NaN and infinities
    /// as `null`. The same text as Foundation's `JSONEncoder` writes, except that it spells
    /// whole numbers from 10^15 to 2^53 in full.
    @inlinable
    public mutating func double(_ value: Double) {
        beginValue()
        Self.writeDouble(value, into: &output)
    }

    @inlinable
    public mutating func bool(_ value: Bool) {
        beginValue()
        output.writeJSONStaticString(value ? "true" : "false")
    }

    @inlinable
    public mutating func null() {
        beginValue()
        output.writeJSONStaticString("null")
    }

    /// Splices JSON bytes in verbatim; the caller vouches that they are one valid JSON value
    /// (empty bytes are written as `null`).
    @inlinable
    public mutating func raw(_ bytes: some Collection<UInt8>) {
        beginValue()
        if bytes.isEmpty { output.writeJSONStaticString("null") } else { output.writeJSONBytes(contentsOf: bytes) }
    }

    /// Splices members (`"a":1,"b":2`, as written by another writer's `fields`) into the object
    /// being written; the caller vouches for them.
    @inlinable
    public mutating func rawMembers(_ bytes: some Collection<UInt8>) {
        guard !bytes.isEmpty else { return }
        precondition(!afterKey && depth > 0, "members belong in an object")
        let bit: UInt64 = 1 << UInt64(depth - 1)
        if commaNeeded & bit != 0 { output.writeJSONByte(UInt8(ascii: ",")) } else { commaNeeded |= bit }
        output.writeJSONBytes(contentsOf: bytes)
    }

    // MARK: Optional fields

    /// `"name":"value"`, or nothing when `value` is nil (absent optionals are left out).
    @inlinable
    public mutating func field(_ name: StaticString, _ value: String?) {
        guard let value else { return }
        plainKey(name)
        string(value)
    }

    @inlinable
    public mutating func field(_ name: StaticString, _ value: Int?) {
        guard let value else { return }
        plainKey(name)
        int(value)
    }

    @inlinable
    public mutating func field(_ name: StaticString, _ value: Int64?) {
        guard let value else { return }
        plainKey(name)
        int(value)
    }

    @inlinable
    public mutating func field(_ name: StaticString, _ value: Double?) {
        guard let value else { return }
        plainKey(name)
        double(value)
    }

    @inlinable
    public mutating func field(_ name: StaticString, _ value: Bool?) {
        guard let value else { return }
        plainKey(name)
        bool(value)
    }

    /// Ends the line: `\n`.
    @inlinable
    public mutating func newline() {
        output.writeJSONByte(UInt8(ascii: "\n"))
    }

    // MARK: Primitives

    @inlinable
    public static func writeInt(_ value: Int64, into output: inout Output) {
        if value >= 0 && value < 10 {
            output.writeJSONByte(UInt8(0x30 + value))
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
            output.writeJSONBytes(UnsafeRawBufferPointer(rebasing: scratch[i...]))
        }
    }

    @inlinable
    public static func writeDouble(_ value: Double, into output: inout Output) {
        if value.isFinite {
            if value == value.rounded(), abs(value) < 1e15 {
                if value == 0 && value.sign == .minus { output.writeJSONByte(UInt8(ascii: "-")) }
                writeInt(Int64(value), into: &output)
            } else {
                var text = value.description
                text.withUTF8 { output.writeJSONBytes(UnsafeRawBufferPointer($0)) }
            }
        } else {
            output.writeJSONStaticString("null")
        }
    }

    /// Writes `value` as a JSON string, escaping what JSON requires.
    @inlinable
    public static func writeEscaped(_ value: String, into output: inout Output) {
        var value = value
        value.withUTF8 { writeEscaped(utf8: $0, into: &output) }
    }

    /// Writes UTF-8 bytes as a JSON string, escaping what JSON requires.
    @inlinable
    public static func writeEscaped(utf8: UnsafeBufferPointer<UInt8>, into output: inout Output) {
        output.writeJSONByte(UInt8(ascii: "\""))
        var runStart = 0
        for i in 0..<utf8.count {
            let b = utf8[i]
            if b >= 0x20 && b != 0x22 && b != 0x5C { continue }
            if i > runStart { output.writeJSONBytes(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: utf8[runStart..<i]))) }
            runStart = i + 1
            switch b {
            case 0x22: output.writeJSONStaticString("\\\"")
            case 0x5C: output.writeJSONStaticString("\\\\")
            case 0x0A: output.writeJSONStaticString("\\n")
            case 0x0D: output.writeJSONStaticString("\\r")
            case 0x09: output.writeJSONStaticString("\\t")
            case 0x08: output.writeJSONStaticString("\\b")
            case 0x0C: output.writeJSONStaticString("\\f")
            default:
                let hex: StaticString = "0123456789abcdef"
                output.writeJSONStaticString("\\u00")
                output.writeJSONByte(hex.utf8Start[Int(b >> 4)])
                output.writeJSONByte(hex.utf8Start[Int(b & 0xF)])
            }
        }
        if runStart < utf8.count { output.writeJSONBytes(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: utf8[runStart...]))) }
        output.writeJSONByte(UInt8(ascii: "\""))
    }

    /// Writes `value` zero-padded to `width` digits (wider values in full).
    @inlinable
    public static func writePadded(_ value: Int64, width: Int, into output: inout Output) {
        var divisor: Int64 = 1
        for _ in 1..<width { divisor *= 10 }
        var v = value
        if v >= divisor * 10 || v < 0 {
            writeInt(v, into: &output)
            return
        }
        while divisor > 0 {
            output.writeJSONByte(UInt8(0x30 + v / divisor))
            v %= divisor
            divisor /= 10
        }
    }
}

extension JSONWriter where Output == [UInt8] {
    /// A writer into a new byte array with room for `capacity` bytes.
    @inlinable
    public init(capacity: Int = 256) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(capacity)
        self.init(output: bytes)
    }

    /// A writer of members (see `init(membersInto:)`) into a new byte array.
    @inlinable
    public init(membersCapacity capacity: Int) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(capacity)
        self.init(membersInto: bytes)
    }
}
