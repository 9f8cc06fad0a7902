import ArgumentParser
import DatelineClient
import DatelineCore
import DatelineProjections
import DatelineProtocol
import DatelineService
import Foundation

struct StatementsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "statements",
        abstract: "List recorded statements: who said what, and when.",
        discussion: """
        Filters combine. --speaker matches a name, part of it or an alias, case-insensitive \
        ("Lavrov" finds Sergey Lavrov). --json prints JSON Lines with the fields described in \
        the README.
        """
    )

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var remote: ServerOption

    @Option(help: "Speaker name, part of it, alias, or entity id.")
    var speaker: String?

    @Option(help: ArgumentHelp("Actor the speaker speaks for, e.g. RUS.", valueName: "CODE"))
    var actor: ActorCode?

    @OptionGroup var days: DateRange

    @Option(help: "Words that must all occur in the statement.")
    var grep: String?

    @Option(parsing: .unconditional, help: "At most this many statements.")
    var limit: Int?

    @Flag(help: "JSON Lines instead of a table.")
    var json = false

    func validate() throws {
        if let limit, limit < 1 { throw ValidationError("--limit must be positive (1 or more)") }
        if let actor { try requireKnownActors([actor], option: "--actor") }
    }

    func run() throws {
        let rows: [StatementRow]
        if remote.server != nil {
            let connection = try remote.connect()
            rows = try connection.rows(StatementRow.self, QueryRequest(kind: .statements, speaker: speaker, actor: actor,
                                                                       since: days.since, until: days.until, grep: grep, limit: limit))
        } else {
            let engine = try database.openEngine()
            defer { engine.close() }
            let query = StatementQuery(speaker: speaker, affiliation: actor, since: days.since, until: days.until, words: grep, limit: limit)
            rows = try engine.timelines().read { try $0.statements(query) }
        }
        if json { return writeJSONLines(rows) }
        guard !rows.isEmpty else {
            printError("no statements match")
            return
        }
        let table = TextTable(columns: ["date", "speaker", "kind", "cue", "statement"])
        for row in rows {
            let who = [row.speaker ?? row.surface ?? "?", row.affiliation.map { "(\($0))" }].compactMap { $0 }.joined(separator: " ")
            let content = row.polarity == .deny ? "[denies] " + row.content : row.content
            table.add([row.date.description, who, row.kind.rawValue, row.cue ?? "-", content])
        }
        print(table.render(lastColumnWidth: standardOutputIsTerminal ? 90 : nil), terminator: "")
        print(counted(rows.count, "statement"))
    }
}

/// A plain text table: columns padded to their widest cell, the last one optionally clipped.
final class TextTable {
    let columns: [String]
    private var rows: [[String]] = []
    init(columns: [String]) { self.columns = columns }
    func add(_ row: [String]) { rows.append(row) }

    func render(lastColumnWidth: Int? = nil, rightAligned: Set<Int> = []) -> String {
        let all = [columns] + rows.map { row in
            row.enumerated().map { i, cell in
                let flat = cell.replacingOccurrences(of: "\n", with: " ")
                guard i == row.count - 1, let w = lastColumnWidth, flat.count > w else { return flat }
                return String(flat.prefix(w - 1)) + "…"
            }
        }
        var widths = [Int](repeating: 0, count: columns.count)
        for row in all { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
        var text = ""
        for row in all {
            let cells = row.enumerated().map { i, cell -> String in
                if i == row.count - 1 && !rightAligned.contains(i) { return cell }
                let pad = String(repeating: " ", count: widths[i] - cell.count)
                return rightAligned.contains(i) ? pad + cell : cell + pad
            }
            text += cells.joined(separator: "  ") + "\n"
        }
        return text
    }
}
