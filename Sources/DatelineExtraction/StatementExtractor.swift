import DatelineCore

/// Finds reported speech (direct, indirect, mixed) and resolves its speakers.
public struct StatementExtractor: Sendable {
    public static let shared = StatementExtractor()

    public func extract(from article: Article) -> [Statement] {
        []
    }
}
