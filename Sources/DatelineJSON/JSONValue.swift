// Dateline's one JSON reader and writer: the protocol's request and reply lines, the
// projections' payload fast path, the subscription filters' targeted scans and the CLI's event
// lines all go through this module. It is pure (no I/O, no clock) and depends on nothing.
//
// Why not Foundation: requests must be refused on nesting depth before any recursion, appended
// payloads must be cut out of the request line byte for byte (never decoded and re-encoded),
// the subscription filters read three fields of a payload without building it, and a rebuild
// reads a handful of fields of a million payloads. A reader that knows byte ranges does all of
// that; Foundation's parsers do none.

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

    /// The value as a whole number, when it is written as one (`12`, not `12.0` or `1e1`) and
    /// fits in 64 bits.
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

/// Why bytes are not JSON, with the byte offset where reading stopped.
public struct JSONSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    public var offset: Int
    public var reason: String
    public var description: String { "\(reason) at byte \(offset)" }

    public init(offset: Int, reason: String) {
        self.offset = offset
        self.reason = reason
    }
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
