import DatelineCore
import DatelineExtraction
import EventLog
import Foundation

/// Totals for one `dateline reextract` run.
public struct ReextractSummary: Sendable, Equatable {
    public var articlesScanned = 0
    public var articlesReextracted = 0
    public var articlesCurrent = 0
    public var eventsAppended = 0
    public init() {}
}

extension DatelineEngine {
    /// Runs the current extractor over every stored article whose findings came from another
    /// extractor version, appending `ExtractionSuperseded` and the new findings to the article's
    /// stream. Nothing is rewritten: the old findings stay in the log, and projections show only
    /// the newest generation. Safe to rerun or to run beside ingest: each append expects the
    /// stream version it read, and event ids are derived from the extractor version.
    public func reextract(progress: (ReextractSummary) -> Void = { _ in }) throws -> ReextractSummary {
        // Which extractor produced each article's current findings.
        var generations: [StreamName: String] = [:]
        var order: [StreamName] = []
        let decoder = JSONDecoder()
        try store.forEachEvent(types: [.articleIngested, .extractionSuperseded]) { event in
            if event.type == .articleIngested {
                let payload = try? decoder.decode(VersionOnly.self, from: Data(event.data))
                if generations[event.stream] == nil { order.append(event.stream) }
                generations[event.stream] = payload?.extractorVersion ?? ""
            } else if let payload = try? decoder.decode(ExtractionSuperseded.self, from: Data(event.data)) {
                generations[event.stream] = payload.extractorVersion
            }
        }
        var summary = ReextractSummary()
        let current = Extractor.version
        for stream in order {
            summary.articlesScanned += 1
            guard generations[stream] != current else {
                summary.articlesCurrent += 1
                progress(summary)
                continue
            }
            let events = try store.readStream(stream)
            guard let articleEvent = events.first(where: { $0.type == .articleIngested }),
                  let last = events.last else { continue }
            let article = try decoder.decode(ArticleIngested.self, from: Data(articleEvent.data)).article
            let extraction = extractor.extract(article)
            let superseded = ExtractionSuperseded(articleHash: article.contentHash,
                                                  previousVersion: generations[stream] ?? "",
                                                  extractorVersion: current)
            var batch = [ProposedEvent(id: try EventID("\(article.contentHash.short):x\(current):superseded"),
                                       type: .extractionSuperseded,
                                       data: [UInt8](try StableJSON.encoder().encode(superseded)))]
            batch += try IngestBatch.findings(for: article.contentHash, extraction: extraction, extractorVersion: current)
            switch Result(catching: { () throws(EventLogError) in
                try store.appendSync(to: stream, expecting: .exact(last.version), events: batch)
            }) {
            case .success(let result):
                if !result.duplicate {
                    summary.articlesReextracted += 1
                    summary.eventsAppended += batch.count
                }
            case .failure(.wrongExpectedVersion):
                // Another writer re-read it meanwhile; its generation stands.
                summary.articlesCurrent += 1
            case .failure(let error):
                throw error
            }
            progress(summary)
        }
        return summary
    }
}

/// Reads only the extractor version of an `ArticleIngested` payload, not the article text.
private struct VersionOnly: Decodable {
    var extractorVersion: String?
    enum CodingKeys: String, CodingKey { case extractorVersion = "extractor_version" }
}
