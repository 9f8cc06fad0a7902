import DatelineCore
import DatelineExtraction
import DatelineService
import DatelineTestSupport
import EventLog
import Foundation
import Logging
import Testing

/// Inputs that once cost a whole file or unbounded memory: one bad byte, one huge record.
@Suite struct InputBoundsTests {
    static func record(_ id: String, _ text: String) -> String {
        "{\"id\":\"\(id)\",\"date\":\"2022-01-27\",\"text\":\"\(text)\"}"
    }

    @Test func anInvalidUTF8ByteRefusesItsRecordOnly() async throws {
        let dir = try TemporaryDirectory()
        let file = dir.path("articles.jsonl")
        var bytes = Array((Self.record("a", "first article") + "\n").utf8)
        bytes += Array("{\"id\":\"b\",\"date\":\"2022-01-27\",\"text\":\"bad ".utf8) + [0xFF, 0xFE] + Array(" byte\"}\n".utf8)
        bytes += Array((Self.record("c", "third article") + "\n").utf8)
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        var ok: [String] = [], failed: [(Int?, String)] = []
        try ArticleInputs(paths: [file]).forEachRecord { record, _, _ in
            switch record.result {
            case .success(let a): ok.append(a.id ?? "?")
            case .failure(let e): failed.append((e.line, e.reason))
            }
            return true
        }
        #expect(ok == ["a", "c"])
        #expect(failed.count == 1 && failed.first?.0 == 2 && failed.first?.1.contains("UTF-8") == true)
    }

    @Test func articlesOverTheSizeLimitAreRefusedAndNothingIsStored() async throws {
        let dir = try TemporaryDirectory()
        let engine = try DatelineEngine(databasePath: dir.path("log.sqlite"), logger: Logger(label: "test"))
        defer { engine.close() }
        let big = Article(date: CalendarDate(parsing: "2022-01-27")!, text: String(repeating: "Lavrov said talks. ", count: 60_000))
        #expect(big.text.utf8.count > Article.maxTextBytes)
        await #expect(throws: ArticleTooLarge.self) { try await engine.ingest(big) }
        #expect(try engine.store.head() == .start)
        // Through the CLI's runner: the big record fails alone, the others are stored.
        let file = dir.path("mixed.jsonl")
        let lines = [Self.record("a", "first article"), Self.record("big", String(repeating: "x", count: Article.maxTextBytes + 10)),
                     Self.record("huge", String(repeating: "y", count: 3 * Article.maxTextBytes)), Self.record("c", "third article")]
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: file))
        let failures = RecordFailures()
        // The runner blocks its thread until the appends finish: run it on a thread of its own,
        // as the CLI does, not on the cooperative pool its appends need.
        let summary = try await blocking {
            try IngestRunner().run(inputs: ArticleInputs(paths: [file]), engine: engine, onFailure: { failures.add($0) })
        }
        #expect(summary.articlesNew == 2 && summary.articlesFailed == 2)
        #expect(failures.all.map(\.line) == [2, 3])
        #expect(failures.all.allSatisfy { $0.reason.contains("\(Article.maxTextBytes)") })
    }
}

final class RecordFailures: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [ArticleInputError] = []
    func add(_ e: ArticleInputError) { lock.withLock { items.append(e) } }
    var all: [ArticleInputError] { lock.withLock { items.sorted { ($0.line ?? 0) < ($1.line ?? 0) } } }
}
