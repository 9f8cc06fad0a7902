/// An actor in the tension model: an ISO 3166 alpha-3 state code (`RUS`, `UKR`, `USA`) or an
/// organisation or bloc code (`NATO`, `EU`, `UN`, `OSCE`, `WST` for "the West").
public struct ActorCode: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: String

    /// Accepts 2 to 8 ASCII letters or digits; stores them upper-cased.
    public init(_ value: String) throws(InvalidIdentifier) {
        let upper = value.uppercased()
        guard (2...8).contains(upper.utf8.count),
              upper.utf8.allSatisfy({ ($0 >= 65 && $0 <= 90) || ($0 >= 48 && $0 <= 57) })
        else { throw InvalidIdentifier(kind: "actor code", reason: "expected 2 to 8 letters or digits, such as RUS or NATO") }
        rawValue = upper
    }

    public static func < (a: ActorCode, b: ActorCode) -> Bool { a.rawValue < b.rawValue }
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

/// An unordered pair of actors: the key of the tension timeline. `RUS|UKR` and `UKR|RUS`
/// are the same pair; the canonical spelling sorts the codes and joins them with `|`.
public struct ActorPair: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public let first: ActorCode
    public let second: ActorCode

    public init(_ a: ActorCode, _ b: ActorCode) {
        if a <= b { first = a; second = b } else { first = b; second = a }
    }

    /// Parses `RUS|UKR`, `RUS-UKR`, `rus,ukr` or `RUS UKR`, in either order.
    public init(parsing text: String) throws(InvalidIdentifier) {
        let parts = text.split(whereSeparator: { $0 == "|" || $0 == "-" || $0 == "," || $0 == " " || $0 == "/" })
        guard parts.count == 2 else {
            throw InvalidIdentifier(kind: "actor pair", reason: "expected two actor codes such as RUS-UKR")
        }
        self.init(try ActorCode(String(parts[0])), try ActorCode(String(parts[1])))
    }

    public func contains(_ actor: ActorCode) -> Bool { first == actor || second == actor }

    public static func < (a: ActorPair, b: ActorPair) -> Bool { (a.first, a.second) < (b.first, b.second) }
    public var description: String { "\(first.rawValue)|\(second.rawValue)" }

    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        try self.init(parsing: text)
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}
