import DatelineCore
import DatelineExtraction
import DatelineService
import DatelineTestSupport
import EventLog
import Foundation
import Logging
import Testing

@Suite struct ReextractTests {
    @Test func olderGenerationsAreSupersededOnceAndHistoryStays() throws {
        let dir = try TemporaryDirectory()
        let engine = try DatelineEngine(databasePath: dir.path("log.sqlite"), logger: Logger(label: "test"))
        defer { engine.close() }
        let old = Article(id: "old", date: CalendarDate(parsing: "2024-03-04")!,
                          text: "date 2024-03-04 T\n\n“We will keep talking,” the minister said.")
        // Stored by an earlier extractor that found nothing.
        let events = try IngestBatch.events(for: old, extraction: Extraction(statements: [], tensions: []),
                                            extractorVersion: "0-test")
        _ = try engine.store.appendSync(to: old.stream, expecting: .noStream, events: events)
        let current = try engine.ingestSync(Article(id: "new", date: old.date, text: old.text + " Changed."))

        let summary = try engine.reextract()
        #expect(summary.articlesScanned == 2)
        #expect(summary.articlesReextracted == 1)
        #expect(summary.articlesCurrent == 1)

        let stream = try engine.store.readStream(old.stream)
        #expect(stream.map(\.type).prefix(2) == [.articleIngested, .extractionSuperseded])
        let superseded = try JSONDecoder().decode(ExtractionSuperseded.self, from: Data(stream[1].data))
        #expect(superseded.previousVersion == "0-test")
        #expect(superseded.extractorVersion == Extractor.version)
        #expect(try engine.store.readStream(current.stream).count == current.positions.count)

        let again = try engine.reextract()
        #expect(again.articlesReextracted == 0)
        #expect(again.articlesCurrent == 2)
        #expect(try engine.store.verify().isHealthy)
    }
}
