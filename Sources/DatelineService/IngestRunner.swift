import DatelineCore
import DatelineExtraction
import EventLog
import Foundation

/// Totals for one `dateline ingest` run.
public struct IngestSummary: Sendable, Equatable {
    public var articlesNew = 0
    public var articlesDuplicate = 0
    public var articlesFailed = 0
    public var statements = 0
    public var tensions = 0
    public var events = 0
    /// Uncompressed payload bytes of the appended events.
    public var payloadBytes = 0
    /// What those payloads take in the log after compression.
    public var storedBytes: Int64 = 0
    public var inputBytes = 0
    public init() {}
    public var recordsRead: Int { articlesNew + articlesDuplicate + articlesFailed }
}

/// Feeds every record of the inputs through the engine. Extraction runs on the calling thread
/// while up to `maxInFlight` appends wait in the log's group commit, so a large file is not
/// limited to one fsync per article.
public struct IngestRunner: Sendable {
    public var maxInFlight: Int

    public init(maxInFlight: Int = 64) {
        self.maxInFlight = maxInFlight
    }

    /// `onFailure` is called for each record that cannot be read or appended; `onProgress`
    /// after each record (from any thread). Returns when every append has been acknowledged.
    public func run(inputs: ArticleInputs, engine: DatelineEngine,
                    onFailure: @escaping @Sendable (ArticleInputError) -> Void,
                    onProgress: @escaping @Sendable (IngestSummary) -> Void = { _ in }) throws -> IngestSummary {
        let totals = Totals()
        let log = engine.log
        let headBefore = try waitFor { try await log.head() }
        let slots = DispatchSemaphore(value: maxInFlight)
        let group = DispatchGroup()
        try inputs.forEachRecord { record, origin, bytesRead in
            totals.update { $0.inputBytes = max($0.inputBytes, bytesRead) }
            switch record.result {
            case .failure(let error):
                onFailure(error)
                onProgress(totals.update { $0.articlesFailed += 1 })
            case .success(let article):
                // A record that cannot be prepared (too large, say) fails alone.
                let prepared: DatelineEngine.PreparedArticle
                do {
                    prepared = try engine.prepare(article)
                } catch {
                    onFailure(ArticleInputError(origin: origin, line: record.line, recordID: record.id, reason: "\(error)"))
                    onProgress(totals.update { $0.articlesFailed += 1 })
                    return true
                }
                slots.wait()
                group.enter()
                Task {
                    defer { slots.signal(); group.leave() }
                    do {
                        let outcome = try await engine.append(prepared)
                        onProgress(totals.update { t in
                            if outcome.duplicate {
                                t.articlesDuplicate += 1
                            } else {
                                t.articlesNew += 1
                                t.events += outcome.positions.count
                                t.statements += outcome.statements
                                t.tensions += outcome.tensions
                                t.payloadBytes += outcome.payloadBytes
                            }
                        })
                    } catch {
                        onFailure(ArticleInputError(origin: origin, line: record.line, recordID: record.id,
                                                    reason: "not stored: \(error)"))
                        onProgress(totals.update { $0.articlesFailed += 1 })
                    }
                }
            }
            return true
        }
        group.wait()
        // The timelines catch up now (with the engine's progress), not at the first query.
        try engine.catchUpTimelines()
        let headAfter = try waitFor { try await log.head() }
        let stored = headAfter > headBefore
            ? try waitFor { try await log.payloadBytes(from: headBefore.next, through: headAfter).stored } : 0
        return totals.update { $0.storedBytes = stored }
    }
}

/// Runs async log work from a thread outside Swift concurrency (the CLI's main thread) and
/// waits for it there. Never call it from a task: it blocks the calling thread.
func waitFor<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) throws -> T {
    let done = DispatchSemaphore(value: 0)
    let box = ResultSlot<T>()
    Task {
        do { box.set(.success(try await work())) } catch { box.set(.failure(error)) }
        done.signal()
    }
    done.wait()
    return try box.get().get()
}

private final class ResultSlot<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Result<T, Error>?
    func set(_ result: Result<T, Error>) { lock.withLock { value = result } }
    func get() -> Result<T, Error> { lock.withLock { value! } }
}

/// Running totals shared by the append tasks.
private final class Totals: @unchecked Sendable {
    private let lock = NSLock()
    private var summary = IngestSummary()

    @discardableResult
    func update(_ change: (inout IngestSummary) -> Void) -> IngestSummary {
        lock.lock()
        defer { lock.unlock() }
        change(&summary)
        return summary
    }
}
