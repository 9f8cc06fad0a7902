import DatelineCore
import DatelineExtraction
import DatelineService
import DatelineTestSupport
import EventLog
import Foundation
import Logging
import Testing

@Suite struct IngestTests {
    let article = Article(id: "fixture-1", date: CalendarDate(parsing: "2024-03-04")!, title: "Talks",
                          source: "Fixture", text: "date 2024-03-04 Talks\n\n“We agreed,” the minister said.")

    @Test func anArticleAndItsFindingsAreOneBatchInTheArticleStream() async throws {
        let dir = try TemporaryDirectory()
        let engine = try DatelineEngine(databasePath: dir.path("log.sqlite"), logger: Logger(label: "test"))
        defer { engine.close() }
        let outcome = try await engine.ingest(article)
        #expect(!outcome.duplicate)
        #expect(outcome.stream.rawValue == "article-\(article.contentHash.short)")
        #expect(outcome.positions.count == 1 + outcome.statements + outcome.tensions)
        let stored = try engine.store.readStream(outcome.stream)
        #expect(stored.map(\.position) == outcome.positions)
        #expect(stored.first?.type == .articleIngested)
        let payload = try JSONDecoder().decode(ArticleIngested.self, from: Data(try #require(stored.first).data))
        #expect(payload.article == article)
        #expect(stored.dropFirst().allSatisfy { $0.type == .statementRecorded || $0.type == .tensionObserved })
    }

    @Test func theSameTextAgainIsANoOpThatSaysSo() async throws {
        let dir = try TemporaryDirectory()
        let engine = try DatelineEngine(databasePath: dir.path("log.sqlite"), logger: Logger(label: "test"))
        defer { engine.close() }
        let first = try await engine.ingest(article)
        // The same text under another id, with a trailing newline: still the same article.
        var again = article
        again.id = "fixture-2"
        again.text += "\n"
        let second = try await engine.ingest(Article(id: again.id, date: again.date, text: again.text))
        #expect(second.duplicate)
        #expect(second.positions == first.positions)
        #expect(second.statements == first.statements)
        #expect(try engine.store.head() == first.positions.last)
        let third = try engine.ingestSync(article)
        #expect(third.duplicate)
    }

    @Test func concurrentIngestsOfTheSameArticleStoreItOnce() async throws {
        let dir = try TemporaryDirectory()
        let engine = try DatelineEngine(databasePath: dir.path("log.sqlite"), logger: Logger(label: "test"))
        defer { engine.close() }
        let article = self.article
        let outcomes = try await withThrowingTaskGroup(of: IngestOutcome.self) { group in
            for _ in 0..<16 { group.addTask { try await engine.ingest(article) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(outcomes.filter { !$0.duplicate }.count == 1)
        #expect(Set(outcomes.map(\.positions)).count == 1)
        #expect(try engine.store.verify().isHealthy)
    }

    @Test func eventIdsAreDerivedFromTheContentAndExtractorVersion() throws {
        let extraction = Extraction(statements: [], tensions: [])
        let a = try IngestBatch.events(for: article, extraction: extraction, extractorVersion: "7")
        let b = try IngestBatch.events(for: article, extraction: extraction, extractorVersion: "7")
        #expect(a == b)
        #expect(a.first?.id.rawValue == "\(article.contentHash.short):article")
    }

    @Test func theRunnerReportsBadRecordsAndContinues() throws {
        let dir = try TemporaryDirectory()
        let feed = try dir.write("feed.jsonl", """
        {"id": "a", "date": "2024-03-04", "text": "One article."}
        {"id": "b", "text": "No date."}
        not json
        {"id": "c", "date": "2024-03-05", "text": "Another article."}
        {"id": "d", "date": "2024-03-05", "text": "One article."}
        """)
        let text = try dir.write("plain.txt", "date 2024-03-06 Title\n\nBody of a plain article.")
        let engine = try DatelineEngine(databasePath: dir.path("log.sqlite"), logger: Logger(label: "test"))
        defer { engine.close() }
        let failures = FailureList()
        let summary = try IngestRunner(maxInFlight: 4).run(
            inputs: ArticleInputs(paths: [feed, dir.path("missing.txt"), text]), engine: engine,
            onFailure: { failures.append($0.description) })
        #expect(summary.articlesNew == 3)
        #expect(summary.articlesDuplicate == 1)
        #expect(summary.articlesFailed == 3)
        #expect(summary.storedBytes > 0 && summary.payloadBytes > 0)
        #expect(failures.sorted == [
            "\(dir.path("missing.txt")): no such file or directory",
            "feed.jsonl:2: the record has no `date` string",
            "feed.jsonl:3: invalid JSON",
        ].sorted())
    }
}

final class FailureList: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [String] = []
    func append(_ s: String) { lock.lock(); items.append(s); lock.unlock() }
    var sorted: [String] { lock.lock(); defer { lock.unlock() }; return items.sorted() }
}
