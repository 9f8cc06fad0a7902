import DatelineCore
import DatelineExtraction
import Foundation

/// The events one article becomes: `ArticleIngested`, then a `StatementRecorded` per statement
/// and a `TensionObserved` per tension, appended to the article's stream as one atomic batch.
///
/// Event ids are derived from the content hash and the extractor version, so a retried
/// ingest of the same text is recognised by the log as the same batch.
public enum IngestBatch {
    public static func events(for article: Article, extraction: Extraction,
                              extractorVersion: String = Extractor.version) throws -> [ProposedEvent] {
        let encoder = StableJSON.encoder()
        let hash = article.contentHash
        var events: [ProposedEvent] = []
        events.reserveCapacity(1 + extraction.statements.count + extraction.tensions.count)
        events.append(ProposedEvent(id: try EventID("\(hash.short):article"), type: .articleIngested,
                                    data: [UInt8](try encoder.encode(ArticleIngested(article: article, extractorVersion: extractorVersion)))))
        events.append(contentsOf: try findings(for: hash, extraction: extraction, extractorVersion: extractorVersion,
                                               encoder: encoder))
        return events
    }

    /// The findings alone, as `dateline reextract` appends them after `ExtractionSuperseded`.
    public static func findings(for hash: ContentHash, extraction: Extraction, extractorVersion: String,
                                encoder: JSONEncoder = StableJSON.encoder()) throws -> [ProposedEvent] {
        var events: [ProposedEvent] = []
        // Findings enter the log here: nothing outside `FindingRules` is written (the
        // projections would refuse it anyway, and an extreme weight has no meaning).
        for (index, statement) in extraction.statements.enumerated() {
            if let problem = statement.problem(index: index) { throw InvalidFinding(kind: "statement", index: index, problem: problem) }
        }
        for (index, tension) in extraction.tensions.enumerated() {
            if let problem = tension.problem(index: index) { throw InvalidFinding(kind: "tension", index: index, problem: problem) }
        }
        for (index, statement) in extraction.statements.enumerated() {
            let payload = StatementRecorded(articleHash: hash, index: index, extractorVersion: extractorVersion,
                                            statement: statement)
            events.append(ProposedEvent(id: try EventID("\(hash.short):x\(extractorVersion):s\(index)"),
                                        type: .statementRecorded, data: [UInt8](try encoder.encode(payload))))
        }
        for (index, tension) in extraction.tensions.enumerated() {
            let payload = TensionObserved(articleHash: hash, index: index, extractorVersion: extractorVersion,
                                          tension: tension)
            events.append(ProposedEvent(id: try EventID("\(hash.short):x\(extractorVersion):t\(index)"),
                                        type: .tensionObserved, data: [UInt8](try encoder.encode(payload))))
        }
        return events
    }
}

/// A finding that breaks `FindingRules`; nothing of its article was written.
public struct InvalidFinding: Error, Sendable, CustomStringConvertible {
    public var kind: String
    public var index: Int
    public var problem: String
    public var description: String { "the extractor produced an invalid \(kind) (#\(index)): \(problem); nothing was written" }
}

/// The JSON encoding Dateline writes everywhere (payloads, `--json` lines, query rows, extract
/// output): sorted keys, so the same value always has the same bytes.
public enum StableJSON {
    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]
        return encoder
    }
}
