import DatelineCore

/// A mention of an actor in text, after the context rules (a capital after "in" is a place).
public struct ActorMention: Hashable, Sendable {
    public enum Kind: String, Sendable {
        case name, demonym, capital, acronym, alias
    }
    public var code: ActorCode
    public var start: Int
    public var end: Int
    public var surface: String
    public var kind: Kind
}

/// States (ISO 3166 alpha-3), organisations and blocs, with their names, demonyms, capitals
/// and aliases, loaded from the module's resources.
public struct ActorGazetteer: Sendable {
    public static let shared = ActorGazetteer()

    /// The actor a name, demonym, capital or acronym denotes ("Russia", "Russian", "Moscow",
    /// "the United States", "NATO"), ignoring context; nil when it denotes none.
    public func actor(named phrase: String) -> ActorCode? {
        nil
    }

    /// Every actor mention in the text, in order, with context rules applied.
    public func mentions(in text: ArticleText) -> [ActorMention] {
        []
    }
}
