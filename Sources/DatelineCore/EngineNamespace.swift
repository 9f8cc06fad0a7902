/// The names Dateline's engine writes under, which no one else may write: article streams
/// (`article-…`), the engine's event types (`ArticleIngested`, `StatementRecorded`,
/// `TensionObserved`, `ExtractionSuperseded`) and event ids of the form `<hash16>:…`.
///
/// Why: the timelines believe these events. A raw append of a `StatementRecorded` would put
/// forged words in a real person's mouth, an `ArticleIngested` could replace a real article's
/// title, a pre-created `article-<hash16>` stream would make the real ingest answer
/// `duplicate` with nothing stored, and a claimed `<hash16>:article` id would make it fail.
/// So raw appends (the protocol's `append`) are refused in this namespace, and the
/// projections fold findings only from article streams.
public enum EngineNamespace {
    public static let articleStreamPrefix = "article-"

    /// Whether `stream` is reserved for the engine: any name starting with `article-`.
    public static func isReserved(_ stream: StreamName) -> Bool {
        stream.rawValue.hasPrefix(articleStreamPrefix)
    }

    /// Whether `type` is one of the engine's event types.
    public static func isReserved(_ type: EventType) -> Bool {
        EventType.known.contains(type)
    }

    /// Whether `id` is in the engine's id namespace: 16 hex digits then `:` (`<hash16>:article`).
    public static func isReserved(_ id: EventID) -> Bool {
        let u = Array(id.rawValue.utf8.prefix(17))
        return u.count == 17 && u[16] == 0x3A && u[0..<16].allSatisfy { isLowerHex($0) || ($0 >= 0x41 && $0 <= 0x46) }
    }

    /// Why a raw append of these events to `stream` is refused, or nil when it may go ahead.
    /// The message names the rule, never payload bytes.
    public static func refusal(stream: StreamName, types: [EventType], ids: [EventID?]) -> String? {
        if isReserved(stream) {
            return "streams starting with \(articleStreamPrefix) are written only by ingest; choose another stream name"
        }
        if let type = types.first(where: isReserved) {
            return "event type \(type) is written only by ingest; choose another type"
        }
        if ids.contains(where: { $0.map(isReserved) ?? false }) {
            return "event ids of the form <16 hex digits>:… are reserved for ingest; choose another id"
        }
        return nil
    }

    private static func isLowerHex(_ c: UInt8) -> Bool { (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) }
}
