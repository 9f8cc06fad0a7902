import ArgumentParser
import DatelineProjections
import DatelineService
import Foundation

struct RebuildCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rebuild",
        abstract: "Rebuild timeline projections from the whole log.",
        discussion: """
        Builds fresh timeline files and renames them over the live ones when caught up, so \
        queries (of other processes) keep working meanwhile. Projections: \(TimelineStore.projectionNames.joined(separator: ", ")).
        """
    )

    @OptionGroup var database: DatabaseOptions

    @Option(help: "Only this projection (repeatable); all when omitted.")
    var projection: [String] = []

    func validate() throws {
        for name in projection where !TimelineStore.projectionNames.contains(name) {
            throw ValidationError("no projection named \(name); there are \(TimelineStore.projectionNames.joined(separator: ", "))")
        }
    }

    func run() throws {
        let engine = try database.openEngine()
        defer { engine.close() }
        let started = Date()
        let terminal = standardErrorIsTerminal
        var last = Date.distantPast
        try engine.timelines().rebuild(projection.isEmpty ? nil : projection) { p in
            guard terminal, Date().timeIntervalSince(last) > 0.2 else { return }
            last = Date()
            let left = p.secondsLeft.map { String(format: ", %.0f s left", $0) } ?? ""
            printError(String(format: "\r%@: position %lld of %lld, %.0f events/s%@\u{1B}[K",
                              p.projection, p.position.rawValue, p.head.rawValue, p.eventsPerSecond, left), newline: false)
        }
        if terminal { printError("\r\u{1B}[K", newline: false) }
        let stats = try engine.timelines().read { try $0.stats() }
        for s in stats where projection.isEmpty || projection.contains(s.name) {
            print("\(s.name): rebuilt to position \(s.checkpoint), rows \(s.rows.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))")
        }
        print(String(format: "took %.2f s", Date().timeIntervalSince(started)))
    }
}
