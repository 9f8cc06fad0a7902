/// A news article as Dateline reads it. Statement and tension offsets are Unicode scalar
/// offsets into `text`, which for a plain-text file is the whole file as read.
public struct Article: Sendable, Equatable, Codable {
    /// The input record's id (or, for a plain-text file, its file name), when it had one.
    public var id: String?
    public var date: CalendarDate
    public var title: String?
    public var source: String?
    public var url: String?
    public var text: String
    public var contentHash: ContentHash

    public init(id: String? = nil, date: CalendarDate, title: String? = nil, source: String? = nil,
                url: String? = nil, text: String) {
        self.id = id
        self.date = date
        self.title = title
        self.source = source
        self.url = url
        self.text = text
        self.contentHash = ContentHash(ofArticleText: text)
    }

    /// The stream that holds this article and its findings.
    public var stream: StreamName { .article(contentHash) }

    enum CodingKeys: String, CodingKey {
        case id, date, title, source, url, text
        case contentHash = "content_hash"
    }
}
