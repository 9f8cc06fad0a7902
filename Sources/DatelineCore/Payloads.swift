/// Event payloads: the JSON objects stored in the log. Field names are snake_case on the
/// wire and in the log; readers ignore fields they do not know, so payloads can grow.

/// An article entered the log. Its findings follow in the same atomic batch.
/// On the wire it is the article object itself plus `extractor_version`: which extractor
/// produced the findings that follow (so an article with no findings can still be re-read).
public struct ArticleIngested: Sendable, Equatable, Codable {
    public var article: Article
    public var extractorVersion: String?

    public init(article: Article, extractorVersion: String? = nil) {
        self.article = article
        self.extractorVersion = extractorVersion
    }

    enum CodingKeys: String, CodingKey {
        case extractorVersion = "extractor_version"
    }

    public init(from decoder: Decoder) throws {
        article = try Article(from: decoder)
        extractorVersion = try decoder.container(keyedBy: CodingKeys.self).decodeIfPresent(String.self, forKey: .extractorVersion)
    }

    public func encode(to encoder: Encoder) throws {
        try article.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(extractorVersion, forKey: .extractorVersion)
    }
}

/// A statement extracted from the article whose stream holds this event.
public struct StatementRecorded: Sendable, Equatable, Codable {
    public var articleHash: ContentHash
    /// The statement's index in the extractor's list for the article (what `continues` refers to).
    public var index: Int
    public var extractorVersion: String
    public var statement: Statement

    public init(articleHash: ContentHash, index: Int, extractorVersion: String, statement: Statement) {
        self.articleHash = articleHash
        self.index = index
        self.extractorVersion = extractorVersion
        self.statement = statement
    }

    enum CodingKeys: String, CodingKey {
        case articleHash = "article_hash"
        case index
        case extractorVersion = "extractor_version"
        case statement
    }
}

/// A tension signal extracted from the article whose stream holds this event.
public struct TensionObserved: Sendable, Equatable, Codable {
    public var articleHash: ContentHash
    public var index: Int
    public var extractorVersion: String
    public var tension: Tension

    public init(articleHash: ContentHash, index: Int, extractorVersion: String, tension: Tension) {
        self.articleHash = articleHash
        self.index = index
        self.extractorVersion = extractorVersion
        self.tension = tension
    }

    enum CodingKeys: String, CodingKey {
        case articleHash = "article_hash"
        case index
        case extractorVersion = "extractor_version"
        case tension
    }
}

/// A newer extractor re-read an article: findings recorded before this event in the stream
/// are superseded by the ones that follow it. History stays in the log.
public struct ExtractionSuperseded: Sendable, Equatable, Codable {
    public var articleHash: ContentHash
    public var previousVersion: String
    public var extractorVersion: String

    public init(articleHash: ContentHash, previousVersion: String, extractorVersion: String) {
        self.articleHash = articleHash
        self.previousVersion = previousVersion
        self.extractorVersion = extractorVersion
    }

    enum CodingKeys: String, CodingKey {
        case articleHash = "article_hash"
        case previousVersion = "previous_version"
        case extractorVersion = "extractor_version"
    }
}
