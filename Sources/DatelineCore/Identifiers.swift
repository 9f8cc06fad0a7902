/// A global position in the log: assigned at commit, strictly increasing, never reused, no gaps.
///
/// The first event ever appended has position 1; position 0 means "before the first event",
/// so `Position.start` is where a full replay or rebuild begins.
public struct Position: RawRepresentable, Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public var rawValue: Int64
    public init(rawValue: Int64) { self.rawValue = rawValue }
    public init(_ value: Int64) { self.rawValue = value }

    /// Before the first event: reading from here returns the whole log.
    public static let start = Position(0)

    public var next: Position { Position(rawValue + 1) }
    public static func < (a: Position, b: Position) -> Bool { a.rawValue < b.rawValue }
    public var description: String { String(rawValue) }

    public init(from decoder: Decoder) throws { rawValue = try decoder.singleValueContainer().decode(Int64.self) }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(rawValue)
    }
}

/// The version of an event within its stream: 0 for the stream's first event, then 1, 2, …
public struct StreamVersion: RawRepresentable, Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public var rawValue: Int64
    public init(rawValue: Int64) { self.rawValue = rawValue }
    public init(_ value: Int64) { self.rawValue = value }
    public static func < (a: StreamVersion, b: StreamVersion) -> Bool { a.rawValue < b.rawValue }
    public var description: String { String(rawValue) }

    public init(from decoder: Decoder) throws { rawValue = try decoder.singleValueContainer().decode(Int64.self) }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(rawValue)
    }
}

/// Why a domain identifier was refused. The message names the rule, never echoes huge input.
public struct InvalidIdentifier: Error, Equatable, Sendable, CustomStringConvertible {
    public let kind: String
    public let reason: String
    public init(kind: String, reason: String) {
        self.kind = kind
        self.reason = reason
    }
    public var description: String { "invalid \(kind): \(reason)" }
}

/// Validation shared by the string identifiers: non-empty, bounded, printable.
func validateIdentifier(_ value: String, kind: String, maxBytes: Int) throws(InvalidIdentifier) {
    if value.isEmpty { throw InvalidIdentifier(kind: kind, reason: "must not be empty") }
    if value.utf8.count > maxBytes {
        throw InvalidIdentifier(kind: kind, reason: "longer than \(maxBytes) bytes")
    }
    for scalar in value.unicodeScalars where scalar.value < 0x20 || scalar.value == 0x7F {
        throw InvalidIdentifier(kind: kind, reason: "contains a control character")
    }
}

/// The name of a stream: the unit of optimistic concurrency (`article-<hash>` for an article
/// and everything extracted from it).
public struct StreamName: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: String
    public static let maxBytes = 256

    public init(_ value: String) throws(InvalidIdentifier) {
        try validateIdentifier(value, kind: "stream name", maxBytes: Self.maxBytes)
        rawValue = value
    }

    /// The stream that holds one article and the findings extracted from it.
    public static func article(_ hash: ContentHash) -> StreamName {
        // A content hash is hex, so the name is always valid.
        try! StreamName("article-\(hash.short)")
    }

    public static func < (a: StreamName, b: StreamName) -> Bool { a.rawValue < b.rawValue }
    public var description: String { rawValue }

    public init(from decoder: Decoder) throws {
        let value = try decoder.singleValueContainer().decode(String.self)
        try self.init(value)
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(rawValue)
    }
}

/// A client-chosen (or generated) unique id of an event. A retried append with the same id
/// is answered with the original positions instead of writing twice.
public struct EventID: Hashable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: String
    public static let maxBytes = 128

    public init(_ value: String) throws(InvalidIdentifier) {
        try validateIdentifier(value, kind: "event id", maxBytes: Self.maxBytes)
        rawValue = value
    }

    public var description: String { rawValue }

    public init(from decoder: Decoder) throws {
        let value = try decoder.singleValueContainer().decode(String.self)
        try self.init(value)
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(rawValue)
    }
}

/// The type of an event: what happened, in the past tense.
public struct EventType: Hashable, Sendable, Codable, CustomStringConvertible, ExpressibleByStringLiteral {
    public let rawValue: String
    public static let maxBytes = 128

    public init(_ value: String) throws(InvalidIdentifier) {
        try validateIdentifier(value, kind: "event type", maxBytes: Self.maxBytes)
        rawValue = value
    }
    public init(stringLiteral value: String) { rawValue = value }

    public static let articleIngested: EventType = "ArticleIngested"
    public static let statementRecorded: EventType = "StatementRecorded"
    public static let tensionObserved: EventType = "TensionObserved"
    public static let extractionSuperseded: EventType = "ExtractionSuperseded"
    /// The types Dateline itself appends. Their text is a literal in the program, which
    /// needs no reference counting: readers hand out these values rather than copies read from
    /// the database, which every thread touching an event would otherwise retain and release.
    public static let known: [EventType] = [.articleIngested, .statementRecorded, .tensionObserved, .extractionSuperseded]

    public var description: String { rawValue }

    public init(from decoder: Decoder) throws {
        let value = try decoder.singleValueContainer().decode(String.self)
        try self.init(value)
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(rawValue)
    }
}

/// What an appender expects of the stream, checked atomically with the append.
public enum ExpectedVersion: Hashable, Sendable, CustomStringConvertible {
    /// No check.
    case any
    /// The stream must not exist yet.
    case noStream
    /// The stream must have at least one event.
    case exists
    /// The stream's last event must have exactly this version.
    case exact(StreamVersion)

    public var description: String {
        switch self {
        case .any: "any"
        case .noStream: "no_stream"
        case .exists: "exists"
        case .exact(let v): String(v.rawValue)
        }
    }

    /// Parses the wire and CLI spelling: `any`, `no_stream`, `exists`, or a version number.
    public init?(parsing text: String) {
        switch text {
        case "any": self = .any
        case "no_stream": self = .noStream
        case "exists": self = .exists
        default:
            guard let n = Int64(text), n >= 0 else { return nil }
            self = .exact(StreamVersion(n))
        }
    }
}

/// A moment, as microseconds since 1970-01-01T00:00:00Z. The store assigns it at commit;
/// pure modules only carry and format it.
public struct Timestamp: RawRepresentable, Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public var rawValue: Int64
    public init(rawValue: Int64) { self.rawValue = rawValue }
    public init(microsecondsSince1970 value: Int64) { rawValue = value }

    public static func < (a: Timestamp, b: Timestamp) -> Bool { a.rawValue < b.rawValue }

    /// RFC 3339 in UTC with microseconds, e.g. `2022-01-27T09:30:00.000000Z`.
    public var description: String {
        let seconds = rawValue >= 0 ? rawValue / 1_000_000 : (rawValue - 999_999) / 1_000_000
        let micros = rawValue - seconds * 1_000_000
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let date = CalendarDate(dayNumber: Int(days))
        let h = secondOfDay / 3600, m = (secondOfDay % 3600) / 60, s = secondOfDay % 60
        return "\(date)T\(pad(h, 2)):\(pad(m, 2)):\(pad(s, 2)).\(pad(micros, 6))Z"
    }

    /// Parses RFC 3339 (`2022-01-27T09:30:00Z`, fractional seconds and offsets allowed) or a
    /// bare date (`2022-01-27`, meaning midnight UTC).
    public init?(parsing text: String) {
        let t = text.trimmingASCIIWhitespace()
        if let date = CalendarDate(parsing: t) {
            rawValue = Int64(date.dayNumber) * 86_400 * 1_000_000
            return
        }
        let scalars = Array(t.unicodeScalars)
        guard scalars.count >= 20, let date = CalendarDate(parsing: String(String.UnicodeScalarView(scalars[0..<10]))),
              scalars[10] == "T" || scalars[10] == "t" || scalars[10] == " "
        else { return nil }
        func number(_ range: Range<Int>) -> Int64? {
            guard range.upperBound <= scalars.count else { return nil }
            var n: Int64 = 0
            for s in scalars[range] {
                guard let d = asciiDigit(s) else { return nil }
                n = n * 10 + d
            }
            return n
        }
        guard let h = number(11..<13), scalars[13] == ":", let mi = number(14..<16), scalars[16] == ":",
              let s = number(17..<19), h < 24, mi < 60, s < 61 else { return nil }
        var index = 19
        var micros: Int64 = 0
        if index < scalars.count, scalars[index] == "." {
            index += 1
            var digits = 0
            while index < scalars.count, let d = asciiDigit(scalars[index]) {
                if digits < 6 { micros = micros * 10 + d }
                digits += 1
                index += 1
            }
            guard digits > 0 else { return nil }
            for _ in min(digits, 6)..<6 { micros *= 10 }
        }
        guard index < scalars.count else { return nil }
        var offsetSeconds: Int64 = 0
        switch scalars[index] {
        case "Z", "z":
            index += 1
        case "+", "-":
            let sign: Int64 = scalars[index] == "-" ? -1 : 1
            guard let oh = number(index + 1..<index + 3), index + 3 < scalars.count, scalars[index + 3] == ":",
                  let om = number(index + 4..<index + 6) else { return nil }
            offsetSeconds = sign * (oh * 3600 + om * 60)
            index += 6
        default:
            return nil
        }
        guard index == scalars.count else { return nil }
        let total = Int64(date.dayNumber) * 86_400 + h * 3600 + mi * 60 + s - offsetSeconds
        rawValue = total * 1_000_000 + micros
    }

    public init(from decoder: Decoder) throws { rawValue = try decoder.singleValueContainer().decode(Int64.self) }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(rawValue)
    }
}

func asciiDigit(_ s: Unicode.Scalar) -> Int64? {
    s.value >= 48 && s.value <= 57 ? Int64(s.value - 48) : nil
}

func pad(_ value: Int64, _ width: Int) -> String {
    let s = String(value)
    return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
}

extension String {
    /// Trims spaces, tabs and line breaks (ASCII only: the domain does not depend on Foundation).
    public func trimmingASCIIWhitespace() -> String {
        let scalars = unicodeScalars
        var lo = scalars.startIndex, hi = scalars.endIndex
        func isSpace(_ s: Unicode.Scalar) -> Bool { s == " " || s == "\t" || s == "\n" || s == "\r" }
        while lo < hi, isSpace(scalars[lo]) { lo = scalars.index(after: lo) }
        while hi > lo, isSpace(scalars[scalars.index(before: hi)]) { hi = scalars.index(before: hi) }
        return String(scalars[lo..<hi])
    }
}
