import DatelineCore

/// Turns an article into the statements and tension signals it reports. Pure: no I/O, no
/// clock; reference data is loaded once from the module's bundled resources.
public struct Extractor: Sendable {
    /// Recorded on every finding, so `dateline reextract` can find articles read by an older
    /// extractor. Bump it whenever the output for some input may change.
    public static let version = "7"

    public init() {}

    public func extract(_ article: Article) -> Extraction {
        // The text is split into scalars, paragraphs and sentences once for both extractors.
        let text = ArticleText(article.text)
        let statements = StatementExtractor.shared.extract(from: text, date: article.date)
        let tensions = TensionExtractor.shared.extract(from: article, text: text, statements: statements)
        return Extraction(statements: statements, tensions: tensions)
    }
}
