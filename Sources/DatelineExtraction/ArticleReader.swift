import DatelineCore
import Foundation

/// Why an input record could not be read as an article. `origin` is the file (or `-`), `line`
/// the 1-based line of a JSON Lines record; the reason is written for the person who fixes it.
public struct ArticleInputError: Error, Equatable, Sendable, CustomStringConvertible {
    public var origin: String
    public var line: Int?
    /// The record's id when it could be read, so output can still name the record.
    public var recordID: String?
    public var reason: String

    public init(origin: String, line: Int? = nil, recordID: String? = nil, reason: String) {
        self.origin = origin
        self.line = line
        self.recordID = recordID
        self.reason = reason
    }

    public var description: String {
        let place = line.map { "\(origin):\($0)" } ?? origin
        return "\(place): \(reason)"
    }
}

/// The input forms `dateline ingest` and `dateline extract` accept.
public enum ArticleFormat: Sendable, Equatable {
    /// The seed's format: optional leading white space, a first line `date YYYY-MM-DD` and
    /// the title or caption, then paragraphs.
    case plainText
    /// One JSON object, or an array of them.
    case json
    /// One JSON object per line.
    case jsonLines

    /// By file extension; anything that is not `.json` or `.jsonl`/`.ndjson` is plain text.
    public init(fileName: String) {
        let lower = fileName.lowercased()
        if lower.hasSuffix(".jsonl") || lower.hasSuffix(".ndjson") {
            self = .jsonLines
        } else if lower.hasSuffix(".json") {
            self = .json
        } else {
            self = .plainText
        }
    }

    /// For standard input: a leading `{` means JSON Lines (a single object is one line of it),
    /// `[` a JSON array, anything else plain text.
    public init(sniffing text: Substring) {
        let first = text.unicodeScalars.first { !($0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "\u{FEFF}") }
        switch first {
        case "{": self = .jsonLines
        case "[": self = .json
        default: self = .plainText
        }
    }
}

/// One record read from an input: an article, or the reason it could not be read.
public struct ArticleRecord: Sendable {
    /// The id output should echo: the record's `id`, or the file name for plain text.
    public var id: String?
    public var line: Int?
    public var result: Result<Article, ArticleInputError>

    public init(id: String?, line: Int?, result: Result<Article, ArticleInputError>) {
        self.id = id
        self.line = line
        self.result = result
    }
}

/// Reads articles from the accepted input forms. Pure: the caller does the file I/O.
public enum ArticleReader {
    /// Parses a plain-text article. The article's text is the whole input as given, so
    /// offsets of findings point into the file exactly as read.
    public static func parsePlainText(_ text: String, name: String) throws(ArticleInputError) -> Article {
        let scalars = text.unicodeScalars
        var index = scalars.startIndex
        while index < scalars.endIndex, isWhitespace(scalars[index]) { index = scalars.index(after: index) }
        guard index < scalars.endIndex else {
            throw ArticleInputError(origin: name, recordID: name, reason: "empty article")
        }
        var lineEnd = index
        while lineEnd < scalars.endIndex, scalars[lineEnd] != "\n" { lineEnd = scalars.index(after: lineEnd) }
        let firstLine = String(scalars[index..<lineEnd]).trimmingCharacters(in: .whitespacesAndNewlines)
        let words = firstLine.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true)
        guard words.count >= 2, words[0].lowercased() == "date" else {
            throw ArticleInputError(origin: name, line: 1, recordID: name,
                                    reason: "the first line must be `date YYYY-MM-DD` followed by the title")
        }
        guard let date = CalendarDate(parsing: String(words[1])) else {
            throw ArticleInputError(origin: name, line: 1, recordID: name,
                                    reason: "`\(words[1].prefix(40))` is not a date YYYY-MM-DD")
        }
        let title = words.count > 2 ? String(words[2]) : nil
        let body = String(scalars[lineEnd..<scalars.endIndex])
        guard body.contains(where: { !$0.isWhitespace }) else {
            throw ArticleInputError(origin: name, recordID: name, reason: "the article has no text after its date line")
        }
        return Article(id: name, date: date, title: title, text: text)
    }

    /// Parses one JSON record: `text` and `date` are required; `id`, `title`, `source`, `url`
    /// are optional; other fields are ignored. `date` may be a full timestamp: its day is used.
    public static func parseJSONRecord(_ bytes: some Collection<UInt8>, origin: String, line: Int?) -> ArticleRecord {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(bytes), options: [])
        } catch {
            return ArticleRecord(id: nil, line: line, result: .failure(
                ArticleInputError(origin: origin, line: line, reason: "invalid JSON")))
        }
        return parseJSONObject(object, origin: origin, line: line)
    }

    /// Reads every record of a whole input in the given format, in input order.
    public static func records(in text: String, format: ArticleFormat, origin: String) -> [ArticleRecord] {
        switch format {
        case .plainText:
            do {
                return [ArticleRecord(id: origin, line: nil, result: .success(try parsePlainText(text, name: origin)))]
            } catch {
                return [ArticleRecord(id: origin, line: nil, result: .failure(error))]
            }
        case .jsonLines:
            var out: [ArticleRecord] = []
            var lineNumber = 0
            // Split on bytes: "\r\n" is one Character in Swift and would not split as "\n".
            for line in text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
                lineNumber += 1
                guard line.contains(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D }) else { continue }
                out.append(parseJSONRecord(line, origin: origin, line: lineNumber))
            }
            return out
        case .json:
            let object: Any
            do {
                object = try JSONSerialization.jsonObject(with: Data(text.utf8), options: [])
            } catch {
                return [ArticleRecord(id: nil, line: nil, result: .failure(
                    ArticleInputError(origin: origin, reason: "invalid JSON")))]
            }
            if let array = object as? [Any] {
                return array.map { parseJSONObject($0, origin: origin, line: nil) }
            }
            return [parseJSONObject(object, origin: origin, line: nil)]
        }
    }

    static func parseJSONObject(_ object: Any, origin: String, line: Int?) -> ArticleRecord {
        guard let record = object as? [String: Any] else {
            return ArticleRecord(id: nil, line: line, result: .failure(
                ArticleInputError(origin: origin, line: line, reason: "expected a JSON object")))
        }
        let id: String? = switch record["id"] {
        case let s as String: s
        case let n as NSNumber: n.stringValue
        default: nil
        }
        func fail(_ reason: String) -> ArticleRecord {
            ArticleRecord(id: id, line: line, result: .failure(
                ArticleInputError(origin: origin, line: line, recordID: id, reason: reason)))
        }
        guard let text = record["text"] as? String else { return fail("the record has no `text` string") }
        guard text.contains(where: { !$0.isWhitespace }) else { return fail("the record's `text` is empty") }
        guard let rawDate = record["date"] as? String else { return fail("the record has no `date` string") }
        guard let date = CalendarDate(parsing: String(rawDate.trimmingCharacters(in: .whitespaces).prefix(10))) else {
            return fail("`date` \(rawDate.prefix(40).debugDescription) does not start with YYYY-MM-DD")
        }
        func optional(_ key: String) -> String? {
            guard let s = record[key] as? String, !s.isEmpty else { return nil }
            return s
        }
        let article = Article(id: id, date: date, title: optional("title"), source: optional("source"),
                              url: optional("url"), text: text)
        return ArticleRecord(id: id, line: line, result: .success(article))
    }

    private static func isWhitespace(_ s: Unicode.Scalar) -> Bool {
        s == " " || s == "\t" || s == "\n" || s == "\r" || s == "\u{FEFF}"
    }
}
