import ArgumentParser
import DatelineCore
import DatelineProtocol
import DatelineService
import EventLog

struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Print events from a position or a time to the head as JSON Lines, for piping.",
        discussion: "Lines have the same fields as `dateline log`."
    )

    @OptionGroup var database: DatabaseOptions

    @Option(parsing: .unconditional, help: ArgumentHelp("First position (inclusive).", valueName: "POS"))
    var from: Int64?

    @Option(help: ArgumentHelp("First event recorded at or after this time (RFC 3339 or YYYY-MM-DD).", valueName: "TIME"))
    var since: String?

    @Option(name: .customLong("type"), help: ArgumentHelp("Only events of this type (repeatable): article, statement, tension, superseded, or an event type such as StatementRecorded.", valueName: "TYPE"))
    var types: [String] = []

    func validate() throws {
        if from != nil && since != nil { throw ValidationError("give --from or --since, not both") }
        if let from, from < 0 { throw ValidationError("--from must be a position, 0 or more") }
        if let since, Timestamp(parsing: since) == nil {
            throw ValidationError("--since \(since): expected a time such as 2022-01-27 or 2022-01-27T09:30:00Z")
        }
        _ = try eventTypes(types)
    }

    func run() throws {
        let engine = try database.openEngine()
        defer { engine.close() }
        var start = Position(from ?? 0)
        if let since, let time = Timestamp(parsing: since) {
            guard let first = try engine.store.firstPosition(atOrAfter: time) else { return }
            start = first
        }
        let wanted = types.isEmpty ? nil : try eventTypes(types)
        var out = StandardOutput()
        try engine.store.forEachEvent(from: start, types: wanted) { out.write(Reply.eventLine($0)) }
    }
}
