import ArgumentParser

/// `dateline-bench`: benchmarks that print figures (never timed tests), plus the hidden
/// `crash-writer` that the event log's crash test runs and kills.
@main
struct DatelineBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dateline-bench",
        abstract: "Dateline benchmarks: figures and their ratio to a baseline measured in the same run.",
        subcommands: [LogBenchmark.self, ProtocolBenchmark.self, ReplayBenchmark.self, AppendBenchmark.self, ExtractBenchmark.self, ProjectionsBenchmark.self, PostgresBenchmark.self]
    )
}
