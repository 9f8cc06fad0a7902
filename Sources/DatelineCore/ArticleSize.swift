extension Article {
    /// The largest article text Dateline ingests, in UTF-8 bytes (1 MiB: a long feature is
    /// under 100 KB). Bigger texts are refused before extraction, whose time and memory grow
    /// with the text: one 50 MB record once grew the CLI to 1.9 GB.
    public static let maxTextBytes = 1 << 20

    /// Throws `ArticleTooLarge` when the text is over `maxTextBytes`.
    public func checkSize() throws(ArticleTooLarge) {
        let bytes = text.utf8.count
        if bytes > Self.maxTextBytes { throw ArticleTooLarge(bytes: bytes) }
    }
}

/// An article text over `Article.maxTextBytes`; nothing of it was extracted or stored.
public struct ArticleTooLarge: Error, Sendable, Equatable, CustomStringConvertible {
    public var bytes: Int
    public init(bytes: Int) { self.bytes = bytes }
    public var description: String {
        "the article text is \(bytes) bytes, more than the limit of \(Article.maxTextBytes) bytes; it was not ingested"
    }
}
