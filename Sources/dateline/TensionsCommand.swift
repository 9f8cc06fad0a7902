import ArgumentParser
import DatelineClient
import DatelineCore
import DatelineProjections
import DatelineProtocol
import DatelineService
import Foundation

struct TensionsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tensions",
        abstract: "Show how tense relations between actors were, per pair and day (or week, month).",
        discussion: """
        tension = Σ weight × max(0, −Goldstein) over the bucket's events; cooperation is kept \
        separate; index is the tension decayed with a half-life (7 days by default), so quiet \
        days show the trend. Week and month rows give the index on the bucket's last day. --svg \
        writes a chart of the daily index that opens in a browser, each pair drawn to the end of \
        the range (at least two weeks unless --until is given).
        """
    )

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var remote: ServerOption

    @Option(help: ArgumentHelp("One pair of actors, e.g. RUS-UKR.", valueName: "A-B"), transform: actorPair)
    var pair: ActorPair?

    @Option(help: ArgumentHelp("Every pair with this actor, e.g. NATO.", valueName: "CODE"))
    var actor: ActorCode?

    @OptionGroup var days: DateRange

    @Option(help: "Group by day, week or month.")
    var bucket: TimeBucket = .day

    @Option(parsing: .unconditional, help: "Only the N most tense pairs.")
    var top: Int?

    @Option(parsing: .unconditional, help: "Half-life of the decayed index, in days.")
    var halfLife: Double = 7

    @Flag(help: "JSON Lines instead of tables.")
    var json = false

    @Option(help: ArgumentHelp("Also write an SVG chart of the index to this file.", valueName: "FILE"))
    var svg: String?

    func validate() throws {
        if let top, top < 1 { throw ValidationError("--top must be positive (1 or more)") }
        if !(halfLife > 0) || !halfLife.isFinite { throw ValidationError("--half-life must be positive: a number of days such as 7") }
        if remote.server != nil && halfLife != 7 {
            throw ValidationError("--half-life applies to --db only: a server's index uses a half-life of 7 days")
        }
        if let pair, let actor, !pair.contains(actor) { throw ValidationError("--actor \(actor) is not in --pair \(pair)") }
        if let pair { try requireKnownActors([pair.first, pair.second], option: "--pair") }
        if let actor { try requireKnownActors([actor], option: "--actor") }
    }

    func run() throws {
        let rows: [TensionRow]
        var series: [TensionChart.Series] = []
        if remote.server != nil {
            let connection = try remote.connect()
            rows = try connection.rows(TensionRow.self, QueryRequest(
                kind: .tensions, actor: actor, pair: pair, since: days.since, until: days.until,
                bucket: Bucket(rawValue: bucket.rawValue), top: top))
            // The server sends buckets, not every quiet day. Day rows carry each day's tension and
            // index, so the quiet days between and after them are decayed here as the log's
            // timelines would; week and month rows are joined as they are.
            let range = TensionChart.range(since: days.since, until: days.until, rows: rows)
            series = Self.pairs(of: rows).map { pair in
                let mine = rows.filter { $0.pair == pair }
                guard bucket == .day, let first = mine.first, let range else {
                    return TensionChart.Series(pair: pair, points: mine.map { IndexPoint(date: $0.start, tension: $0.tension, index: $0.index) })
                }
                let factor = pow(2, -1 / halfLife)
                let byDay = Dictionary(mine.map { ($0.start, $0) }, uniquingKeysWith: { a, _ in a })
                var points = [IndexPoint(date: first.start, tension: first.tension, index: first.index)]
                var day = first.start.adding(days: 1)
                while day <= range.upperBound {
                    let tension = byDay[day]?.tension ?? 0
                    points.append(IndexPoint(date: day, tension: tension, index: byDay[day]?.index ?? points.last!.index * factor + tension))
                    day = day.adding(days: 1)
                }
                return TensionChart.Series(pair: pair, points: points)
            }
        } else {
            let engine = try database.openEngine()
            defer { engine.close() }
            let query = TensionQuery(pair: pair, actor: actor, since: days.since, until: days.until, bucket: bucket, top: top,
                                     halfLife: halfLife)
            rows = try engine.timelines().read { try $0.tensions(query) }
            if svg != nil, let range = TensionChart.range(since: days.since, until: days.until, rows: rows) {
                // Every pair is drawn to the end of the range: its index decays after its last event.
                series = try engine.timelines().read { store in
                    try Self.pairs(of: rows).map {
                        TensionChart.Series(pair: $0, points: try store.indexSeries(pair: $0, since: range.lowerBound,
                                                                                   until: range.upperBound, halfLife: halfLife))
                    }
                }
            }
        }
        let pairs = Self.pairs(of: rows)
        if let svg {
            do {
                try TensionChart.svg(series, halfLife: halfLife).write(toFile: svg, atomically: true, encoding: .utf8)
            } catch {
                throw ValidationFailure("cannot write \(svg): \(error.localizedDescription)")
            }
        }
        if json { return writeJSONLines(rows) }
        guard !rows.isEmpty else {
            printError("no tensions recorded for that selection")
            return
        }
        for pair in pairs {
            let mine = rows.filter { $0.pair == pair }
            print(pair.description)
            let table = TextTable(columns: [bucket.rawValue, "events", "quad 1/2/3/4", "goldstein", "tension", "cooperation",
                                            "level", "articles", "index"])
            for r in mine {
                table.add([r.period, "\(r.events)", (1...4).map { String(r.quadCounts[$0]) }.joined(separator: "/"),
                           String(format: "%.1f", r.goldsteinSum), String(format: "%.2f", r.tension),
                           String(format: "%.2f", r.cooperation), r.level.map { String(format: "%.2f", $0) } ?? "-",
                           "\(r.articles)", String(format: "%.2f", r.index)])
            }
            print(table.render(rightAligned: Set(1...8)), terminator: "")
            if standardOutputIsTerminal && mine.count > 1 {
                print("index \(TensionChart.sparkline(mine.map(\.index)))")
            }
            print("")
        }
        if let svg { print("chart written to \(svg)") }
    }

    /// The pairs in the order the rows list them.
    static func pairs(of rows: [TensionRow]) -> [ActorPair] {
        rows.reduce(into: [ActorPair]()) { if !$0.contains($1.pair) { $0.append($1.pair) } }
    }
}
