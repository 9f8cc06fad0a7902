import DatelineCore
import DatelineJSON
import NIOCore

// The protocol's side of the shared JSON codec (DatelineJSON): NIO's `ByteBuffer` as a writer's
// output, so reply lines are written straight into the socket's buffer, the values servers put
// in replies, and the best-effort id of a request that cannot be read.

extension ByteBuffer: JSONOutput {
    @inlinable
    public mutating func writeJSONByte(_ byte: UInt8) { writeInteger(byte) }

    @inlinable
    public mutating func writeJSONBytes(_ bytes: UnsafeRawBufferPointer) { writeBytes(bytes) }
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

/// An ordered list of named fields; written in this order, followed by `encodedMembers`.
public struct ReplyObject: Sendable, Equatable, ExpressibleByDictionaryLiteral {
    public var fields: [(name: String, value: ReplyValue)]
    /// Members already written as JSON (`"a":1,"b":2`, no braces), spliced in after `fields`:
    /// a query row is encoded once, where it is read, and copied into its line as bytes.
    public var encodedMembers: [UInt8] = []

    public init(_ fields: [(name: String, value: ReplyValue)] = []) { self.fields = fields }
    public init(dictionaryLiteral elements: (String, ReplyValue)...) {
        fields = elements.map { (name: $0.0, value: $0.1) }
    }

    /// An object whose members were written with `JSONWriter.fields`-style calls elsewhere; the
    /// caller vouches that `members` are well-formed JSON members.
    public init(encodedMembers members: [UInt8]) {
        fields = []
        encodedMembers = members
    }

    public mutating func append(_ name: String, _ value: ReplyValue) { fields.append((name: name, value: value)) }
    public var isEmpty: Bool { fields.isEmpty && encodedMembers.isEmpty }

    public static func == (a: ReplyObject, b: ReplyObject) -> Bool {
        a.fields.count == b.fields.count && zip(a.fields, b.fields).allSatisfy { $0.name == $1.name && $0.value == $1.value }
            && a.encodedMembers == b.encodedMembers
    }
}

/// The writer behind every reply line, writing into a `ByteBuffer`.
public typealias ReplyWriter = JSONWriter<ByteBuffer>

extension JSONWriter where Output == ByteBuffer {
    public init(buffer: ByteBuffer = ByteBuffer()) { self.init(output: buffer) }

    public var buffer: ByteBuffer {
        get { output }
        set { output = newValue }
    }
}

extension JSONWriter {
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
        rawMembers(object.encodedMembers)
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

    /// A timestamp as an RFC 3339 string in UTC with microseconds.
    public mutating func timestamp(_ t: Timestamp) {
        beginValue()
        Self.writeTimestamp(t, into: &output)
    }

    /// Writes a timestamp as an RFC 3339 string in UTC with microseconds, the same text as
    /// `Timestamp.description`, without building intermediate strings.
    public static func writeTimestamp(_ t: Timestamp, into buffer: inout Output) {
        let raw = t.rawValue
        let seconds = raw >= 0 ? raw / 1_000_000 : (raw - 999_999) / 1_000_000
        let micros = raw - seconds * 1_000_000
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let date = CalendarDate(dayNumber: Int(days))
        buffer.writeJSONByte(UInt8(ascii: "\""))
        writePadded(Int64(date.year), width: 4, into: &buffer)
        buffer.writeJSONByte(UInt8(ascii: "-"))
        writePadded(Int64(date.month), width: 2, into: &buffer)
        buffer.writeJSONByte(UInt8(ascii: "-"))
        writePadded(Int64(date.day), width: 2, into: &buffer)
        buffer.writeJSONByte(UInt8(ascii: "T"))
        writePadded(secondOfDay / 3600, width: 2, into: &buffer)
        buffer.writeJSONByte(UInt8(ascii: ":"))
        writePadded(secondOfDay % 3600 / 60, width: 2, into: &buffer)
        buffer.writeJSONByte(UInt8(ascii: ":"))
        writePadded(secondOfDay % 60, width: 2, into: &buffer)
        buffer.writeJSONByte(UInt8(ascii: "."))
        writePadded(micros, width: 6, into: &buffer)
        buffer.writeJSONStaticString("Z\"")
    }
}
