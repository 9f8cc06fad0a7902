import ArgumentParser
import DatelineService
import Foundation

struct ExtractCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "extract",
        abstract: "Print the statements and tensions found in articles, one JSON line per article.",
        discussion: """
        Reads plain-text articles (first line `date YYYY-MM-DD title`), .json or .jsonl records \
        (text, date, title, source, id), directories of them, or - for standard input. Writes \
        nothing to the log. A record that cannot be read gets a line with its id and an `error`.
        """
    )

    @Argument(help: "Article files or directories; - or nothing reads standard input.")
    var paths: [String] = []

    func run() throws {
        let failures = try ExtractionReport.write(inputs: ArticleInputs(paths: paths), to: StandardOutput())
        if failures > 0 { throw ExitCode(1) }
    }
}
