import ArgumentParser
import DatelineCore

@main
struct Dateline: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dateline",
        abstract: "Query and feed a Dateline log: statements, tensions and the events behind them.",
        version: "dateline \(DatelineRelease.version)",
        subcommands: [
            IngestCommand.self,
            LogCommand.self,
            VerifyCommand.self,
            StatementsCommand.self,
            TensionsCommand.self,
            ReplayCommand.self,
            TailCommand.self,
            RebuildCommand.self,
            StatsCommand.self,
            ExtractCommand.self,
            ReextractCommand.self,
        ]
    )
}
