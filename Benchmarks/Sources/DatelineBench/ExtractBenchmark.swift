import ArgumentParser
import DatelineCore
import DatelineExtraction
import Foundation

/// `dateline-bench extract`: statement and tension extraction alone (no JSON output, no log)
/// over news corpora, on one core.
struct ExtractBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "extract",
        abstract: "Extraction speed in articles/s and MB/s of text on one core."
    )

    @Argument(help: "JSON Lines corpora (default: the Reuters and Ukraine corpora in ../shared/corpus).")
    var paths: [String] = []

    @Option(help: "Passes over the corpora; the best is reported.")
    var repeats: Int = 3

    func run() throws {
        let inputs = paths.isEmpty
            ? ["../shared/corpus/news-reuters21578.jsonl", "../shared/corpus/news-ukraine-2022.jsonl"] : paths
        let extractor = Extractor()
        print("extraction benchmark: one thread, release build expected; text bytes are UTF-8")
        for path in inputs {
            guard let data = FileManager.default.contents(atPath: path) else {
                print("\(path): cannot read (is ../shared beside the package?)")
                continue
            }
            let articles = data.split(separator: UInt8(ascii: "\n")).compactMap {
                try? ArticleReader.parseJSONRecord($0, origin: path, line: nil).result.get()
            }
            let bytes = articles.reduce(0) { $0 + $1.text.utf8.count }
            // Warm the resources (lexicons, gazetteer) outside the timing.
            _ = extractor.extract(articles[0])
            var best = Double.infinity
            var statements = 0, tensions = 0
            for _ in 0..<max(1, repeats) {
                statements = 0
                tensions = 0
                let start = DispatchTime.now().uptimeNanoseconds
                for article in articles {
                    let found = extractor.extract(article)
                    statements += found.statements.count
                    tensions += found.tensions.count
                }
                best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
            }
            let name = (path as NSString).lastPathComponent
            print(String(format: "%@: %d articles, %.1f MB: %.0f articles/s, %.2f MB/s (%.2f s); %d statements, %d tensions",
                         name, articles.count, Double(bytes) / 1e6, Double(articles.count) / best,
                         Double(bytes) / 1e6 / best, best, statements, tensions))
        }
    }
}
