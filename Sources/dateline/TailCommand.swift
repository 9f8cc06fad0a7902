import ArgumentParser
import DatelineClient
import DatelineCore
import DatelineProtocol
import DatelineService
import Foundation

struct TailCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tail",
        abstract: "Follow a running datelined: print events as they are recorded.",
        discussion: """
        Subscribes with server-side filters, prints readable lines on a terminal (JSON Lines \
        with --json or when piped with --json), and reconnects from the last position it printed \
        if the server restarts, so nothing is missed or printed twice.
        """
    )

    @Option(help: ArgumentHelp("The datelined to follow.", valueName: "HOST:PORT"))
    var server = ServerAddress(host: "127.0.0.1", port: 7411)

    @Option(parsing: .unconditional, help: ArgumentHelp("Where to start: now, start, a position, or a time (RFC 3339 or YYYY-MM-DD).", valueName: "FROM"))
    var from: String = "now"

    @Option(parsing: .unconditional, help: "Start with the last N events (overrides --from).")
    var last: Int?

    @Option(name: .customLong("type"), help: ArgumentHelp("Only events of this type (repeatable): article, statement, tension, superseded, or an event type such as StatementRecorded.", valueName: "TYPE"))
    var types: [String] = []

    @Option(help: "Only streams whose name starts with this.")
    var streamPrefix: String?

    @Option(help: ArgumentHelp("Only statements and tensions involving this actor.", valueName: "CODE"))
    var actor: ActorCode?

    @Option(help: "Only statements by this speaker.")
    var speaker: String?

    @Option(help: ArgumentHelp("Only tensions of this pair.", valueName: "A-B"), transform: actorPair)
    var pair: ActorPair?

    @Option(parsing: .unconditional, help: "Stop after this many events.")
    var limit: Int?

    @Flag(help: "JSON Lines (the protocol's event lines) instead of readable lines.")
    var json = false

    func validate() throws {
        if startPoint == nil { throw ValidationError("--from \(from): expected now, start, a position or a time") }
        if let last, last < 1 { throw ValidationError("--last must be positive (1 or more)") }
        if let limit, limit < 1 { throw ValidationError("--limit must be positive (1 or more)") }
        _ = try eventTypes(types)
        if let actor { try requireKnownActors([actor], option: "--actor") }
        if let pair { try requireKnownActors([pair.first, pair.second], option: "--pair") }
    }

    var startPoint: StartPoint? {
        if let last { return .last(last) }
        switch from.lowercased() {
        case "now": return .now
        case "start": return .start
        default:
            if let n = Int64(from), n >= 0 { return .position(Position(n)) }
            return Timestamp(parsing: from).map { .time($0) }
        }
    }

    func run() async throws {
        let filter = SubscriptionFilter(types: try eventTypes(types), streamPrefix: streamPrefix,
                                        actor: actor, speaker: speaker, pair: pair)
        var printed = 0
        var out = StandardOutput()
        // Reconnecting is for a server that restarts; one that is not there at all is an error.
        try await ServerOption.connect(server).close()
        let follower = TailFollower(host: server.host, port: server.port, from: startPoint!, filter: filter, retryDelay: 1)
        do {
            try await follow(follower, printed: &printed, out: &out)
        } catch ProtocolClientError.refused(let error) {
            throw ValidationFailure("datelined refused the subscription: \(error.message)")
        }
    }

    private func follow(_ follower: TailFollower, printed: inout Int, out: inout StandardOutput) async throws {
        try await follower.follow { update in
            switch update {
            case .event(let event, let line):
                out.write(json ? line + [0x0A] : Array((EventSummary.line(event) + "\n").utf8))
                printed += 1
                if let limit, printed >= limit { return false }
            case .reconnecting(let next, let reason):
                printError("dateline: \(reason); reconnecting to \(server) from position \(next)")
            case .caughtUp, .fellBehind:
                break
            }
            return true
        }
    }
}

/// One readable line per event for people watching a terminal.
enum EventSummary {
    static func line(_ event: RecordedEvent) -> String {
        let head = "#\(event.position) \(event.recordedAt.description.prefix(19))"
        let data = Data(event.data)
        let decoder = JSONDecoder()
        switch event.type {
        case .articleIngested:
            if let a = try? decoder.decode(ArticleIngested.self, from: data).article {
                return "\(head) article    \(a.date) \(a.title ?? a.id ?? event.stream.rawValue)\(a.source.map { " (\($0))" } ?? "")"
            }
        case .statementRecorded:
            if let s = try? decoder.decode(StatementRecorded.self, from: data).statement {
                let who = (s.speaker.name ?? s.speaker.surface ?? "?") + (s.speaker.affiliation.map { " (\($0))" } ?? "")
                let verb = s.polarity == .deny ? "denies" : (s.cue?.lemma ?? "says")
                return "\(head) statement  \(s.date) \(who) \(verb): \(s.content.prefix(160))"
            }
        case .tensionObserved:
            if let t = try? decoder.decode(TensionObserved.self, from: data).tension {
                let direction = t.directed ? "\(t.source?.rawValue ?? "?")→\(t.target?.rawValue ?? "?")" : t.pair.description
                let code = t.cameo.map { " \($0) (\(t.goldstein.map { String($0) } ?? "-"))" } ?? ""
                let level = t.level.map { " level \($0)" } ?? ""
                return "\(head) tension    \(t.date) \(direction) \(t.type)\(code) \(t.modality.rawValue)\(level)"
            }
        default:
            break
        }
        return "\(head) \(event.type) \(event.stream)"
    }
}
