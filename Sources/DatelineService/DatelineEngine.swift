import DatelineCore
import DatelineExtraction
import DatelineProjections
import EventLog
import Foundation
import Logging

/// The embedded Dateline: the log, the extractor, and the projections kept current. The CLI
/// uses it directly; the server wraps it.
///
/// Ingests and the server go through `log`, the backend-neutral interface (async, never
/// blocking the cooperative pool). `store` is the same log's synchronous API, kept for callers
/// on threads of their own (the CLI's read commands, the projections' queue).
public final class DatelineEngine: Sendable {
    /// The log as every async caller uses it.
    public let log: any EventLogBackend
    /// The same log's blocking API, for dedicated threads (never the cooperative pool).
    public let store: BlockingLog
    public let extractor: Extractor
    private let logger: Logger
    private let timelinesLock = NSLock()
    nonisolated(unsafe) private var openedTimelines: Timelines?
    /// Where the timelines live (default: beside the log).
    public let timelineFiles: TimelineFiles
    /// Told of rebuilds and catch-ups when no other progress handler is given, and of messages.
    public let timelinesReporting: TimelinesReporting

    /// Opens (or creates) the SQLite log at `databasePath`. The timelines are opened on first
    /// use, so commands that only read or check the log (`log`, `verify`, `replay`) never touch
    /// the projections.
    public convenience init(databasePath: String, timelinesDirectory: String? = nil, options: EventStoreOptions = EventStoreOptions(),
                            logger: Logger, timelinesReporting: TimelinesReporting = TimelinesReporting()) throws {
        let store = try EventStore(path: databasePath, options: options, logger: logger)
        self.init(log: store.backend,
                  timelines: timelinesDirectory.map { TimelineFiles(directory: $0) } ?? TimelineFiles(besideLog: databasePath),
                  logger: logger, timelinesReporting: timelinesReporting)
    }

    /// An engine on an open log of any backend, with its timelines in `timelines`.
    public init(log: any EventLogBackend, timelines: TimelineFiles, logger: Logger,
                timelinesReporting: TimelinesReporting = TimelinesReporting()) {
        self.log = log
        self.store = BlockingLog(log)
        self.extractor = Extractor()
        self.logger = logger
        self.timelineFiles = timelines
        self.timelinesReporting = timelinesReporting
    }

    /// The statement and tension timelines. The first call opens them, rebuilds any projection
    /// whose code changed (reporting through `progress`), catches up from the checkpoints, and
    /// from then on keeps them current after every commit.
    public func timelines(progress: ((RebuildProgress) throws -> Void)? = nil) throws -> Timelines {
        timelinesLock.lock()
        defer { timelinesLock.unlock() }
        if let openedTimelines { return openedTimelines }
        let reporting = timelinesReporting
        let timelines = try Timelines(log: store, files: timelineFiles, logger: logger,
                                      progress: progress ?? reporting.progress.map { report in { try report($0) } },
                                      notice: reporting.notice.map { tell in { tell($0) } })
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
            return duplicateOutcome(article, stored: try store.readStream(article.stream))
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
            let result = try await log.append(to: prepared.article.stream, expecting: .noStream, events: prepared.events)
            return outcome(prepared, result.positions, duplicate: result.duplicate)
        } catch EventLogError.wrongExpectedVersion(_, _, actual: .some) {
            return duplicateOutcome(prepared.article, stored: try await log.readStream(prepared.article.stream))
        }
    }

    private func outcome(_ prepared: PreparedArticle, _ positions: [Position], duplicate: Bool) -> IngestOutcome {
        IngestOutcome(stream: prepared.article.stream, contentHash: prepared.article.contentHash, positions: positions,
                      statements: prepared.extraction.statements.count, tensions: prepared.extraction.tensions.count,
                      duplicate: duplicate,
                      payloadBytes: duplicate ? 0 : prepared.events.reduce(0) { $0 + $1.data.count })
    }

    private func duplicateOutcome(_ article: Article, stored: [RecordedEvent]) -> IngestOutcome {
        let newest = stored.lastIndex { $0.type == .extractionSuperseded }.map { $0 + 1 } ?? 0
        let current = stored[newest...]
        return IngestOutcome(stream: article.stream, contentHash: article.contentHash, positions: stored.map(\.position),
                             statements: current.filter { $0.type == .statementRecorded }.count,
                             tensions: current.filter { $0.type == .tensionObserved }.count,
                             duplicate: true, payloadBytes: 0)
    }

    /// Opens the timelines if need be and brings them to the log's head, reporting through
    /// `timelinesReporting` (after an ingest, so the first query answers at once).
    public func catchUpTimelines() throws {
        try timelines().catchUp(progress: timelinesReporting.progress.map { report in { try report($0) } })
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

/// How an engine tells its user about the timelines: progress of rebuilds and catch-ups, and
/// one-off messages (a migration).
public struct TimelinesReporting: Sendable {
    public var progress: (@Sendable (RebuildProgress) throws -> Void)?
    public var notice: (@Sendable (String) -> Void)?
    public init(progress: (@Sendable (RebuildProgress) throws -> Void)? = nil, notice: (@Sendable (String) -> Void)? = nil) {
        self.progress = progress
        self.notice = notice
    }
}
