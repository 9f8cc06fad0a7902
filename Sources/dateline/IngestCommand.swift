import ArgumentParser
import DatelineClient
import DatelineService
import Foundation

struct IngestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Append articles and what is extracted from them to the log.",
        discussion: """
        Reads plain-text articles (first line `date YYYY-MM-DD title`), .json or .jsonl records \
        (text, date, title, source, url, id), directories of them, or - for standard input. \
        Each article and its statements and tensions are appended as one atomic batch to the \
        stream article-<content hash>; text already in the log is a no-op that says so. A bad \
        record is reported with its file and line and the rest continues; the exit status is 1 \
        when any record failed.
        """
    )

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var remote: ServerOption

    @Argument(help: "Article files or directories; - or nothing reads standard input.")
    var paths: [String] = []

    func run() throws {
        let inputs = ArticleInputs(paths: paths)
        if inputs.readsStandardInput && isatty(STDIN_FILENO) != 0 {
            printError("dateline: reading articles from standard input (end with Ctrl-D; or name files or directories)")
        }
        if remote.server != nil { try runRemote() } else { try runLocal() }
    }

    func runLocal() throws {
        let engine = try database.openEngine(creating: true)
        defer { engine.close() }
        let progress = ProgressLine(enabled: standardErrorIsTerminal)
        let summary = try IngestRunner().run(
            inputs: ArticleInputs(paths: paths), engine: engine,
            onFailure: { error in
                progress.clear()
                printError("dateline: \(error)")
            },
            onProgress: { totals in progress.show(totals) }
        )
        progress.clear()
        print(summary.report)
        printSkipped()
        if summary.articlesFailed > 0 { throw ExitCode(1) }
    }

    /// Names the files of the given directories that were not read.
    func printSkipped() {
        let skipped = ArticleInputs(paths: paths).skippedFiles()
        guard !skipped.isEmpty else { return }
        let names = skipped.prefix(5).map { ($0 as NSString).lastPathComponent }.joined(separator: ", ")
        let more = skipped.count > 5 ? ", … (\(skipped.count - 5) more)" : ""
        print("skipped: \(counted(skipped.count, "file")) not ending in .txt, .json, .jsonl or .ndjson (\(names)\(more))")
    }
}

extension IngestCommand {
    /// Sends each article to a running datelined, one `ingest` request at a time.
    func runRemote() throws {
        let connection = try remote.connect()
        defer { connection.close() }
        let progress = ProgressLine(enabled: standardErrorIsTerminal)
        var summary = IngestSummary()
        try ArticleInputs(paths: paths).forEachRecord { record, origin, bytesRead in
            summary.inputBytes = max(summary.inputBytes, bytesRead)
            switch record.result {
            case .failure(let error):
                progress.clear()
                printError("dateline: \(error)")
                summary.articlesFailed += 1
            case .success(let article):
                do {
                    let ok = try connection.request(.ingest(article))
                    if ok.node["duplicate"]?.boolValue == true {
                        summary.articlesDuplicate += 1
                    } else {
                        summary.articlesNew += 1
                        summary.statements += Int(ok.node["statements"]?.int64Value ?? 0)
                        summary.tensions += Int(ok.node["tensions"]?.int64Value ?? 0)
                        if case .array(let positions) = ok.node["positions"]?.value { summary.events += positions.count }
                    }
                } catch let error as RemoteError where !error.error.closes {
                    progress.clear()
                    printError("dateline: \(origin)\(record.line.map { ":\($0)" } ?? ""): not stored: \(error)")
                    summary.articlesFailed += 1
                }
            }
            progress.show(summary)
            return true
        }
        progress.clear()
        print(summary.report)
        printSkipped()
        if summary.articlesFailed > 0 { throw ExitCode(1) }
    }
}

/// "1 statement", "2 statements".
func counted(_ n: Int, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }

extension IngestSummary {
    /// The closing summary of an ingest run.
    var report: String {
        let ratio = payloadBytes > 0 && storedBytes > 0
            ? String(format: " (%.2f× smaller)", Double(payloadBytes) / Double(storedBytes)) : ""
        let lines = [
            "articles: \(articlesNew) new, \(articlesDuplicate) duplicate, \(articlesFailed) failed",
            "events: \(events) appended (\(counted(statements, "statement")), \(counted(tensions, "tension")))",
            // Over the protocol the server keeps the byte counts to itself.
            payloadBytes > 0 ? "bytes: \(payloadBytes) payload, \(storedBytes) stored\(ratio)" : nil,
        ]
        return lines.compactMap { $0 }.joined(separator: "\n")
    }
}

/// A single self-overwriting progress line on a terminal, at most a few times a second.
final class ProgressLine: @unchecked Sendable {
    private let enabled: Bool
    private let lock = NSLock()
    private var lastShown = Date.distantPast
    private var visible = false

    init(enabled: Bool) { self.enabled = enabled }

    func show(_ totals: IngestSummary) {
        guard enabled else { return }
        lock.lock()
        defer { lock.unlock() }
        let now = Date()
        guard now.timeIntervalSince(lastShown) > 0.2 else { return }
        lastShown = now
        visible = true
        let mb = Double(totals.inputBytes) / 1_048_576
        FileHandle.standardError.write(Data(String(format: "\r%d articles read (%.1f MB): %d new, %d duplicate, %d failed\u{1B}[K",
                                                   totals.recordsRead, mb, totals.articlesNew,
                                                   totals.articlesDuplicate, totals.articlesFailed).utf8))
    }

    func clear() {
        guard enabled else { return }
        lock.lock()
        defer { lock.unlock() }
        if visible { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        visible = false
    }
}
