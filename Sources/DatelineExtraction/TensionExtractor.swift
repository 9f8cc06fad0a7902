import DatelineCore

/// Finds signals of conflict and cooperation between actors, coded CAMEO / Goldstein.
public struct TensionExtractor: Sendable {
    public static let shared = TensionExtractor()

    public func extract(from article: Article, statements: [Statement]) -> [Tension] {
        []
    }
}
