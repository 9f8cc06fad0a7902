import DatelineCore
import DatelineJSON

/// Server-side filters of a `subscribe` or `replay`. All given filters must hold (AND); an
/// absent filter matches everything.
///
/// `types` and `stream_prefix` look only at the event's envelope. `actor`, `speaker` and `pair`
/// look inside `StatementRecorded` and `TensionObserved` payloads through `EventFacts`, a
/// targeted scan of the few fields they need; any other event type never matches them.
public struct SubscriptionFilter: Sendable, Equatable {
    /// Event types to deliver; empty means all.
    public var types: Set<EventType>
    public var streamPrefix: String?
    /// A statement whose speaker is affiliated with the actor (or is the actor), or a tension
    /// whose pair, source or target is the actor.
    public var actor: ActorCode? {
        didSet { actorEntity = actor.map { "actor:\($0.rawValue)" } }
    }
    /// A statement whose speaker's name or mention holds these words as typed, ignoring case,
    /// accents and transliteration variants (`NameFolding`: "Zelen", "Zelensky" for
    /// "Volodymyr Zelenskyy"), or whose entity id equals it (`person:sergey-lavrov`).
    public var speaker: String? {
        didSet {
            speakerFolded = speaker.map(NameFolding.words)
            speakerLowercased = speaker?.lowercased()
        }
    }
    /// A tension on this unordered pair.
    public var pair: ActorPair?

    // Prepared once, when the filter is made (the request's arrival), not per event.
    private var speakerFolded: [String]?
    private var speakerLowercased: String?
    private var actorEntity: String?

    public init(types: Set<EventType> = [], streamPrefix: String? = nil, actor: ActorCode? = nil,
                speaker: String? = nil, pair: ActorPair? = nil) {
        self.types = types
        self.streamPrefix = streamPrefix
        self.actor = actor
        self.speaker = speaker
        self.speakerFolded = speaker.map(NameFolding.words)
        self.speakerLowercased = speaker?.lowercased()
        self.actorEntity = actor.map { "actor:\($0.rawValue)" }
        self.pair = pair
    }

    public static func == (a: SubscriptionFilter, b: SubscriptionFilter) -> Bool {
        a.types == b.types && a.streamPrefix == b.streamPrefix && a.actor == b.actor && a.speaker == b.speaker
            && a.pair == b.pair
    }

    /// True when no filter is set.
    public var isEmpty: Bool { types.isEmpty && streamPrefix == nil && !needsFacts }

    /// Whether `matches` needs the payload's facts. When no subscriber needs them, the server
    /// never scans a payload.
    public var needsFacts: Bool { actor != nil || speaker != nil || pair != nil }

    /// The envelope checks alone (type, stream prefix): cheap, no payload access.
    public func matchesEnvelope(_ event: RecordedEvent) -> Bool {
        if !types.isEmpty && !types.contains(event.type) { return false }
        if let streamPrefix, !event.stream.rawValue.hasPrefix(streamPrefix) { return false }
        return true
    }

    /// Pure: whether the event passes every filter. Compute `facts` once per event with
    /// `EventFacts(scanning:)` and share it across subscribers; pass `.none` when no filter
    /// `needsFacts`.
    public func matches(_ event: RecordedEvent, facts: EventFacts) -> Bool {
        guard matchesEnvelope(event) else { return false }
        if let actor {
            let hit = facts.affiliation == actor || facts.speakerEntity == actorEntity
                || facts.pair?.contains(actor) == true || facts.source == actor || facts.target == actor
            if !hit { return false }
        }
        if let pair, facts.pair != pair { return false }
        if let speakerFolded {
            guard facts.isStatement else { return false }
            let hit = facts.speakerNameFolded.map { NameFolding.matches(query: speakerFolded, name: $0) } == true
                || facts.speakerSurfaceFolded.map { NameFolding.matches(query: speakerFolded, name: $0) } == true
                || (speakerLowercased.map { facts.speakerEntity?.lowercased() == $0 } ?? false)
            if !hit { return false }
        }
        return true
    }

    /// Convenience for one subscriber: scans the payload only when a filter needs it.
    public func matches(_ event: RecordedEvent) -> Bool {
        guard matchesEnvelope(event) else { return false }
        return matches(event, facts: needsFacts ? EventFacts(scanning: event) : .none)
    }

    /// The filter as reply fields (for `stats` and echoes), omitting what is not set.
    public var replyFields: ReplyObject {
        var o = ReplyObject()
        if !types.isEmpty { o.append("types", .array(types.map(\.rawValue).sorted().map { .string($0) })) }
        if let streamPrefix { o.append("stream_prefix", .string(streamPrefix)) }
        if let actor { o.append("actor", .string(actor.rawValue)) }
        if let speaker { o.append("speaker", .string(speaker)) }
        if let pair { o.append("pair", .string(pair.description)) }
        return o
    }
}

/// The few payload fields the actor, speaker and pair filters need, read by a targeted scan of
/// the payload JSON: the scanner walks `statement.speaker` of a `StatementRecorded` and
/// `tension.{pair,source,target}` of a `TensionObserved`, skipping every other value without
/// decoding it (keys compared as bytes, no strings built for skipped values, no tree, no
/// recursion). This costs a fraction of a full
/// `JSONDecoder` decode and ignores fields it does not know, so payloads can grow. A payload
/// that cannot be read yields empty facts (the event then fails those filters rather than
/// failing the subscription).
public struct EventFacts: Sendable, Equatable {
    public var isStatement = false
    public var isTension = false
    public var speakerName: String?
    public var speakerSurface: String?
    public var speakerEntity: String?
    public var affiliation: ActorCode?
    public var pair: ActorPair?
    public var source: ActorCode?
    public var target: ActorCode?

    var speakerNameFolded: [String]?
    var speakerSurfaceFolded: [String]?

    public static let none = EventFacts()

    public init() {}

    public init(scanning event: RecordedEvent) {
        if event.type == .statementRecorded {
            self.init(statementPayload: event.data)
        } else if event.type == .tensionObserved {
            self.init(tensionPayload: event.data)
        } else {
            self.init()
        }
    }

    public init(statementPayload data: [UInt8]) {
        self.init()
        isStatement = true
        data.withUnsafeBufferPointer { bytes in
            var r = JSONReader(bytes)
            do throws(JSONSyntaxError) {
                guard r.enterObject() else { return }
                while let key = try r.nextKeyRange() {
                    guard r.key(key, is: "statement"), r.enterObject() else {
                        try r.skipValue()
                        continue
                    }
                    while let k = try r.nextKeyRange() {
                        guard r.key(k, is: "speaker"), r.enterObject() else {
                            try r.skipValue()
                            continue
                        }
                        while let f = try r.nextKeyRange() {
                            if r.key(f, is: "name") {
                                speakerName = try r.stringOrSkip()
                            } else if r.key(f, is: "surface") {
                                speakerSurface = try r.stringOrSkip()
                            } else if r.key(f, is: "entity") {
                                speakerEntity = try r.stringOrSkip()
                            } else if r.key(f, is: "affiliation") {
                                affiliation = try r.stringOrSkip().flatMap { try? ActorCode($0) }
                            } else {
                                try r.skipValue()
                            }
                        }
                    }
                    return  // the statement object is all we need
                }
            } catch {
                // Unreadable payload: keep what was found.
            }
        }
        speakerNameFolded = speakerName.map(NameFolding.words)
        speakerSurfaceFolded = speakerSurface.map(NameFolding.words)
    }

    public init(tensionPayload data: [UInt8]) {
        self.init()
        isTension = true
        data.withUnsafeBufferPointer { bytes in
            var r = JSONReader(bytes)
            do throws(JSONSyntaxError) {
                guard r.enterObject() else { return }
                while let key = try r.nextKeyRange() {
                    guard r.key(key, is: "tension"), r.enterObject() else {
                        try r.skipValue()
                        continue
                    }
                    while let k = try r.nextKeyRange() {
                        if r.key(k, is: "pair") {
                            pair = try r.stringOrSkip().flatMap { try? ActorPair(parsing: $0) }
                        } else if r.key(k, is: "source") {
                            source = try r.stringOrSkip().flatMap { try? ActorCode($0) }
                        } else if r.key(k, is: "target") {
                            target = try r.stringOrSkip().flatMap { try? ActorCode($0) }
                        } else {
                            try r.skipValue()
                        }
                    }
                    return
                }
            } catch {
                // Unreadable payload: keep what was found.
            }
        }
    }

    public static func == (a: EventFacts, b: EventFacts) -> Bool {
        a.isStatement == b.isStatement && a.isTension == b.isTension && a.speakerName == b.speakerName
            && a.speakerSurface == b.speakerSurface && a.speakerEntity == b.speakerEntity
            && a.affiliation == b.affiliation && a.pair == b.pair && a.source == b.source && a.target == b.target
    }
}

/// Event type names as people type them in filters (`tail --type`, `replay --type`, the
/// protocol's `types`): the short names `dateline tail` prints (`article`, `statement`,
/// `tension`, `superseded`, singular or plural, any case), Dateline's own types in any case
/// (`statementrecorded`), and types other writers append, which must be spelled as event types
/// are, in CamelCase of at least two words (`NoteTaken`). Anything else is refused, so a typo
/// is an error rather than a subscription that never matches.
public enum EventTypeName {
    public static let shortNames: [(name: String, type: EventType)] = [
        ("article", .articleIngested), ("statement", .statementRecorded), ("tension", .tensionObserved),
        ("superseded", .extractionSuperseded),
    ]

    /// The event type a filter names.
    public static func resolve(_ text: String) throws(InvalidIdentifier) -> EventType {
        let lower = text.lowercased()
        for (name, type) in shortNames where lower == name || lower == name + "s" { return type }
        if let own = EventType.known.first(where: { $0.rawValue.lowercased() == lower }) { return own }
        let scalars = text.unicodeScalars
        let camelCase = scalars.first.map { $0.properties.isUppercase } == true
            && scalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || $0.properties.numericType != nil) }
            && scalars.filter({ $0.properties.isUppercase }).count >= 2
        guard camelCase else {
            throw InvalidIdentifier(kind: "event type", reason: "\(text.prefix(40)) is not one; use article, statement, tension, superseded or a CamelCase type such as StatementRecorded")
        }
        return try EventType(text)
    }
}
