import DatelineCore
import DatelineService
import DatelineTestSupport
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Logging
import Testing

/// `dateline tensions --svg`: the chart written for fixture logs, read back as XML and rendered
/// to PNG by a real SVG renderer (`rsvg-convert`, Debian's librsvg2-bin).
@Suite(.timeLimit(.minutes(3))) struct ChartTests {
    @Test func valueTicksAreRound() {
        let a = ValueTicks(maximum: 12.7)
        #expect(a.step == 5 && a.values == [0, 5, 10, 15])
        let b = ValueTicks(maximum: 0.37)
        #expect(b.step == 0.1 && b.top == 0.4 && b.label(0.3) == "0.3")
        let c = ValueTicks(maximum: 20)
        #expect(c.step == 5 && c.top == 20)
        #expect(ValueTicks(maximum: 0).values.count >= 2)
    }

    @Test func dateTicksFollowTheRange() async throws {
        let day = { (s: String) in CalendarDate(parsing: s)!.dayNumber }
        let fortnight = DateTicks(first: day("2024-03-04"), last: day("2024-03-17"))
        #expect(fortnight.interval == .days(2))
        let quarter = DateTicks(first: day("2024-01-01"), last: day("2024-03-31"))
        #expect(quarter.interval == .weeks(2))
        #expect(quarter.ticks.allSatisfy { CalendarDate(dayNumber: $0.day).isoWeekday == 1 })
        let year = DateTicks(first: day("2023-01-15"), last: day("2024-01-10"))
        #expect(year.interval == .months(2))
        #expect(year.ticks.map(\.label) == ["2023-03", "2023-05", "2023-07", "2023-09", "2023-11", "2024-01"])
        for ticks in [fortnight, quarter] {
            let gaps = Set(zip(ticks.ticks.dropFirst(), ticks.ticks).map { $0.day - $1.day })
            #expect(gaps.count == 1, "uneven ticks \(ticks.ticks)")
            #expect(ticks.ticks.count <= DateTicks.maximumTicks)
        }
    }

    @Test func chartOfTheFixtureLogHasRoundTicksAndDecayingLines() async throws {
        let dir = try TemporaryDirectory()
        let db = try TimelineCommandTests.fixtureDatabase(in: dir)
        let svgPath = dir.path("chart.svg")
        let result = try await run(try productPath("dateline"), ["tensions", "--db", db, "--actor", "RUS", "--svg", svgPath])
        #expect(result.status == 0, "\(result.stderr)")
        let chart = try Chart(path: svgPath)
        // 2022-01-27 to 2022-02-09 (two weeks from the first day): every other day, round values.
        #expect(chart.xTicks.first?.label == "2022-01-28")
        #expect(chart.xTicks.map(\.label).count == 7)
        let gaps = zip(chart.xTicks.dropFirst(), chart.xTicks).map { $0.x - $1.x }
        #expect((gaps.max() ?? 0) - (gaps.min() ?? 0) < 0.25, "uneven ticks \(gaps)")
        #expect(chart.yTicks == ["0", "2", "4", "6", "8"])
        #expect(Set(chart.series.keys) == ["RUS|UKR", "NATO|RUS"])
        // Both lines run to the right end of the plot: the index decays after the last event.
        let ends = chart.series.values.compactMap { $0.last?.x }
        #expect(ends.count == 2 && Set(ends).count == 1)
        let ukr = try #require(chart.series["RUS|UKR"])
        #expect(ukr.count == 14)
        #expect(zip(ukr.dropFirst(), ukr).allSatisfy { $0.y >= $1.y }, "the RUS|UKR index should only decay (y grows downwards)")
        try await renderAndCheck(svgPath, in: dir)
    }

    @Test(.timeLimit(.minutes(1))) func aChartFromTheServerIsTheChartFromTheFile() async throws {
        let dir = try TemporaryDirectory()
        let db = try TimelineCommandTests.fixtureDatabase(in: dir)
        let dateline = try productPath("dateline")
        let local = dir.path("local.svg"), remote = dir.path("remote.svg")
        #expect(try await run(dateline, ["tensions", "--db", db, "--actor", "RUS", "--svg", local]).status == 0)
        let server = try await ServerProcess.start(db: db)
        let result = try await run(dateline, ["tensions", "--server", server.address, "--actor", "RUS", "--svg", remote])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(await server.stop() == 0)
        #expect(try String(contentsOfFile: remote, encoding: .utf8) == String(contentsOfFile: local, encoding: .utf8))
    }

    @Test func chartOfTheSamplesAloneIsAChart() async throws {
        let dir = try TemporaryDirectory()
        let db = dir.path("log.sqlite")
        let dateline = try productPath("dateline")
        #expect(try await run(dateline, ["ingest", "--db", db, packageRoot.appendingPathComponent("samples").path]).status == 0)
        let svgPath = dir.path("samples.svg")
        #expect(try await run(dateline, ["tensions", "--db", db, "--svg", svgPath]).status == 0)
        let chart = try Chart(path: svgPath)
        #expect(!chart.series.isEmpty)
        #expect(chart.series.values.allSatisfy { $0.count > 1 }, "every pair is a line, not a dot")
        #expect(chart.xTicks.count >= 4)
        try await renderAndCheck(svgPath, in: dir, keepAs: "samples")
    }

    @Test func tenPairsGetTenColoursAndALegendThatFits() async throws {
        let dir = try TemporaryDirectory()
        let db = dir.path("log.sqlite")
        let engine = try DatelineEngine(databasePath: db, logger: Logger(label: "test"))
        let codes = ["UKR", "USA", "CHN", "FRA", "DEU", "GBR", "POL", "TUR", "IRN", "ISR"].map { try! ActorCode($0) }
        let rus = try ActorCode("RUS")
        for (n, code) in codes.enumerated() {
            let date = CalendarDate(parsing: "2024-01-01")!.adding(days: n * 9)
            let article = Article(id: "a\(n)", date: date, title: "Fixture \(n)", source: "Fixture", text: "Fixture article \(n).")
            let tension = Tension(type: "THREATEN", cameo: "138", goldstein: -7 + Double(n) * 0.5, quadClass: 4, source: rus,
                                  target: code, pair: ActorPair(rus, code), directed: true, modality: .asserted, weight: 1,
                                  start: 0, end: 7, date: date)
            _ = try engine.store.appendSync(to: article.stream, expecting: .noStream,
                                            events: try IngestBatch.events(for: article, extraction: Extraction(statements: [], tensions: [tension])))
        }
        engine.close()
        let svgPath = dir.path("ten.svg")
        let result = try await run(try productPath("dateline"), ["tensions", "--db", db, "--svg", svgPath])
        #expect(result.status == 0, "\(result.stderr)")
        let chart = try Chart(path: svgPath)
        #expect(chart.series.count == 10)
        #expect(Set(chart.colours).count == 10)
        #expect(chart.legendRows.count == 10)
        #expect((chart.legendRows.max() ?? 0) < 440 - 56, "the legend runs below the plot")
        // 2024-01-01 to 2024-03-22: every other Monday.
        #expect(chart.xTicks.allSatisfy { CalendarDate(parsing: $0.label)?.isoWeekday == 1 })
        try await renderAndCheck(svgPath, in: dir, keepAs: "ten")
    }

    /// Renders the SVG to PNG with rsvg-convert and checks the PNG's header and size. Skips with a
    /// message when the renderer is not installed. `keepAs` copies the PNG to $TMPDIR for a look.
    func renderAndCheck(_ svgPath: String, in dir: TemporaryDirectory, keepAs: String? = nil) async throws {
        guard let renderer = ["/usr/bin/rsvg-convert", "/usr/local/bin/rsvg-convert"]
            .first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            print("skipped: rsvg-convert is not installed (Debian: librsvg2-bin; .ci/run installs it)")
            return
        }
        let png = dir.path("chart.png")
        let rendered = try await run(renderer, ["--format", "png", "--output", png, svgPath])
        #expect(rendered.status == 0, "rsvg-convert: \(rendered.stderr)")
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: png)))
        #expect(bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
        let width = bytes[16..<20].reduce(0) { $0 << 8 | Int($1) }, height = bytes[20..<24].reduce(0) { $0 << 8 | Int($1) }
        #expect(width == 900 && height == 440)
        if let keepAs, let target = ProcessInfo.processInfo.environment["DATELINE_KEEP_CHARTS"] {
            try? FileManager.default.removeItem(atPath: "\(target)/\(keepAs).png")
            try FileManager.default.copyItem(atPath: png, toPath: "\(target)/\(keepAs).png")
        }
    }
}

/// The parts of a chart the tests look at, read from its XML.
struct Chart {
    struct Tick { var x: Double; var label: String }
    struct Point { var x: Double; var y: Double }
    var xTicks: [Tick] = []
    var yTicks: [String] = []
    var series: [String: [Point]] = [:]
    var colours: [String] = []
    var legendRows: [Double] = []

    static func attribute(_ name: String, of element: XMLElement) -> String? {
        element.attributes?.first { $0.name == name }?.stringValue
    }

    init(path: String) throws {
        let document = try XMLDocument(data: try Data(contentsOf: URL(fileURLWithPath: path)))
        let root = try #require(document.rootElement())
        #expect(root.name == "svg")
        func elements(_ node: XMLNode) -> [XMLElement] {
            (node.children ?? []).compactMap { $0 as? XMLElement }.flatMap { [$0] + elements($0) }
        }
        for e in elements(root) {
            // Looked up by name among all attributes: FoundationXML's attribute(forName:) misses
            // them under the SVG default namespace.
            let attr = { (name: String) in Chart.attribute(name, of: e) }
            switch (e.name, attr("class")) {
            case ("text", "x-tick"): xTicks.append(Tick(x: Double(attr("x") ?? "") ?? .nan, label: e.stringValue ?? ""))
            case ("text", "y-tick"): yTicks.append(e.stringValue ?? "")
            case ("text", "legend"): legendRows.append(Double(attr("y") ?? "") ?? .nan)
            case ("line", "legend-key"): colours.append(attr("stroke") ?? "")
            case ("g", "series"):
                let pair = attr("data-pair") ?? "?"
                let line = elements(e).first { $0.name == "polyline" }
                let points = (line.flatMap { Chart.attribute("points", of: $0) } ?? "").split(separator: " ").compactMap { p -> Point? in
                    let xy = p.split(separator: ",").compactMap { Double($0) }
                    return xy.count == 2 ? Point(x: xy[0], y: xy[1]) : nil
                }
                series[pair] = points

            default: break
            }
        }
    }
}
