import ArgumentParser
import DatelineCore
import DatelineProtocol
import DatelineService
import EventLog

struct LogCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "log",
        abstract: "Print events from the log as JSON Lines.",
        discussion: "Each line is the protocol's event line without an id: type (always \"event\"), position, stream, version, event_type, event_id, recorded_at, data (the payload as stored)."
    )

    @OptionGroup var database: DatabaseOptions

    @Option(parsing: .unconditional, help: "First position to print (inclusive).")
    var from: Int64 = 1

    @Option(help: "Only this stream, read from its first version.")
    var stream: String?

    @Option(parsing: .unconditional, help: "At most this many events.")
    var limit: Int?

    func validate() throws {
        if from < 0 { throw ValidationError("--from must be a position, 0 or more") }
        if let limit, limit < 1 { throw ValidationError("--limit must be positive (1 or more)") }
    }

    func run() throws {
        let engine = try database.openEngine()
        defer { engine.close() }
        var out = StandardOutput()
        var remaining = limit ?? Int.max
        if let stream {
            let name: StreamName
            do { name = try StreamName(stream) } catch { throw ValidationError("\(error)") }
            for event in try engine.store.readStream(name, limit: remaining) where event.position.rawValue >= from {
                out.write(Reply.eventLine(event))
            }
            return
        }
        do {
            try engine.store.forEachEvent(from: Position(from)) { event in
                guard remaining > 0 else { throw StopIteration() }
                remaining -= 1
                out.write(Reply.eventLine(event))
            }
        } catch is StopIteration {}
    }
}

/// Thrown from a scan's body to end it early.
struct StopIteration: Error {}
