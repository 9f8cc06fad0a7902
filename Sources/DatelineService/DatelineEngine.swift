import DatelineCore
import DatelineExtraction
import DatelineProjections
import EventLog
import Foundation
import Logging

/// The embedded Dateline: the log on a local SQLite file, the extractor, and (as they land)
/// the projections kept current. The CLI uses it directly; the server wraps it.
public final class DatelineEngine: Sendable {
    public let store: EventStore
    public let extractor: Extractor
    private let logger: Logger
    private let timelinesLock = NSLock()
    nonisolated(unsafe) private var openedTimelines: Timelines?

    /// Opens (or creates) the log. The timelines are opened on first use, so commands that only
    /// read or check the log (`log`, `verify`, `replay`) never touch the projections.
    public init(databasePath: String, options: EventStoreOptions = EventStoreOptions(), logger: Logger) throws {
        self.store = try EventStore(path: databasePath, options: options, logger: logger)
        self.extractor = Extractor()
        self.logger = logger
    }

    /// The statement and tension timelines. The first call opens them, rebuilds any projection
    /// whose code changed (reporting through `progress`), catches up from the checkpoints, and
    /// from then on keeps them current after every commit.
    public func timelines(progress: ((RebuildProgress) throws -> Void)? = nil) throws -> Timelines {
        timelinesLock.lock()
        defer { timelinesLock.unlock() }
        if let openedTimelines { return openedTimelines }
        let timelines = try Timelines(log: store, logger: logger, progress: progress)
        openedTimelines = timelines
        return timelines
    }

    /// Extracts and appends one article as one atomic batch. Ingesting text that is already in
    /// the log writes nothing and answers `duplicate`.
    public func ingest(_ article: Article) async throws -> IngestOutcome {
        try await append(try prepare(article))
    }

    /// The blocking form of `ingest`, for threads outside Swift concurrency.
    public func ingestSync(_ article: Article) throws -> IngestOutcome {
        let prepared = try prepare(article)
        do {
            let result = try store.appendSync(to: article.stream, expecting: .noStream, events: prepared.events)
            return outcome(prepared, result.positions, duplicate: result.duplicate)
        } catch EventLogError.wrongExpectedVersion(_, _, actual: .some) {
            return try duplicateOutcome(article)
        }
    }

    /// An article with its findings and the events they become: the CPU part of an ingest,
    /// which callers may run on another thread than the append.
    struct PreparedArticle: Sendable {
        var article: Article
        var extraction: Extraction
        var events: [ProposedEvent]
    }

    func prepare(_ article: Article) throws -> PreparedArticle {
        try article.checkSize()
        let extraction = extractor.extract(article)
        return PreparedArticle(article: article, extraction: extraction,
                               events: try IngestBatch.events(for: article, extraction: extraction))
    }

    func append(_ prepared: PreparedArticle) async throws -> IngestOutcome {
        do {
            let result = try await store.append(to: prepared.article.stream, expecting: .noStream, events: prepared.events)
            return outcome(prepared, result.positions, duplicate: result.duplicate)
        } catch EventLogError.wrongExpectedVersion(_, _, actual: .some) {
            return try duplicateOutcome(prepared.article)
        }
    }

    private func outcome(_ prepared: PreparedArticle, _ positions: [Position], duplicate: Bool) -> IngestOutcome {
        IngestOutcome(stream: prepared.article.stream, contentHash: prepared.article.contentHash, positions: positions,
                      statements: prepared.extraction.statements.count, tensions: prepared.extraction.tensions.count,
                      duplicate: duplicate,
                      payloadBytes: duplicate ? 0 : prepared.events.reduce(0) { $0 + $1.data.count })
    }

    private func duplicateOutcome(_ article: Article) throws -> IngestOutcome {
        let stored = try store.readStream(article.stream)
        let newest = stored.lastIndex { $0.type == .extractionSuperseded }.map { $0 + 1 } ?? 0
        let current = stored[newest...]
        return IngestOutcome(stream: article.stream, contentHash: article.contentHash, positions: stored.map(\.position),
                             statements: current.filter { $0.type == .statementRecorded }.count,
                             tensions: current.filter { $0.type == .tensionObserved }.count,
                             duplicate: true, payloadBytes: 0)
    }

    /// Stops the timelines' running queries (if opened): the first step of a prompt shutdown.
    public func stopQueries() {
        timelinesLock.lock()
        let timelines = openedTimelines
        timelinesLock.unlock()
        timelines?.stopQueries()
    }

    /// Brings the projections (if opened) up to date and closes them and the log.
    public func close() {
        timelinesLock.lock()
        let timelines = openedTimelines
        openedTimelines = nil
        timelinesLock.unlock()
        timelines?.close()
        store.close()
    }
}
