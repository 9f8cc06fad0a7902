import ArgumentParser
import DatelineExtraction
import DatelineService

struct ReextractCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reextract",
        abstract: "Re-read stored articles whose findings came from an older extractor.",
        discussion: """
        Appends ExtractionSuperseded and the current extractor's findings to each such article's \
        stream. History stays in the log; the timelines show only the newest generation.
        """
    )

    @OptionGroup var database: DatabaseOptions

    func run() throws {
        let engine = try database.openEngine()
        defer { engine.close() }
        let summary = try engine.reextract()
        print("""
        extractor: \(Extractor.version)
        articles: \(summary.articlesScanned) scanned, \(summary.articlesReextracted) re-extracted, \(summary.articlesCurrent) already current
        events: \(summary.eventsAppended) appended
        """)
    }
}
