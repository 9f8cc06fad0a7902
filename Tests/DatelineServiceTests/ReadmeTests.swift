import DatelineTestSupport
import Foundation
import Testing

/// The README's quick start is what a newcomer runs first, on a clean clone with no `../shared`:
/// each `$ dateline …` line of its first example is run in a directory holding only a copy of
/// `samples/`, and must print exactly what the README shows. The chart it writes must be the one
/// the README displays.
@Suite struct ReadmeTests {
    @Test func theQuickStartPrintsWhatTheReadmeShows() async throws {
        let readme = try String(contentsOf: packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let section = try #require(readme.components(separatedBy: "Then, line by line:").dropFirst().first)
        let block = try #require(section.components(separatedBy: "```").dropFirst().first)
        var steps: [(command: [String], expected: String)] = []
        // The block's text runs from the end of the opening fence's line to the closing fence.
        for line in block.split(separator: "\n", omittingEmptySubsequences: false).dropFirst().dropLast() {
            if line.hasPrefix("$ ") {
                steps.append((line.dropFirst(2).split(separator: " ").map(String.init), ""))
            } else if !steps.isEmpty {
                steps[steps.count - 1].expected += line + "\n"
            }
        }
        #expect(steps.count >= 5, "the quick start lost its commands")

        let dir = try TemporaryDirectory()
        try FileManager.default.copyItem(at: packageRoot.appendingPathComponent("samples"), to: dir.url.appendingPathComponent("samples"))
        let dateline = try productPath("dateline")
        for step in steps {
            #expect(step.command.first == "dateline", "\(step.command)")
            let result = try await run(dateline, Array(step.command.dropFirst()), in: dir.url)
            #expect(result.status == 0, "\(step.command): \(result.stderr)")
            #expect(result.stdout == step.expected, "\(step.command.joined(separator: " "))")
            #expect(result.stderr.isEmpty, "\(step.command): \(result.stderr)")
        }
        let chart = try String(contentsOfFile: dir.path("chart.svg"), encoding: .utf8)
        let shown = try String(contentsOf: packageRoot.appendingPathComponent("docs/quick-start-chart.svg"), encoding: .utf8)
        #expect(chart == shown, "docs/quick-start-chart.svg is not what `dateline tensions --svg` writes for the samples")
    }
}
