import ArgumentParser
import DatelineCore
import EventLog
import Foundation
import Logging

/// Appends in a loop from several tasks and records every acknowledged position in a side file,
/// until it is killed. The event log's crash test kills it with SIGKILL at random moments and
/// checks that every acknowledged event survived. Part of the main package (not of the
/// benchmarks in Benchmarks/) so that `swift test` builds it.
@main
struct CrashWriter: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "DatelineCrashWriter",
        abstract: "Append until killed, recording acknowledged positions (used by the crash test)."
    )

    @Option(help: "The log file.") var db: String
    @Option(help: "File to which each acknowledged event is appended as a line: position event-id.") var acks: String
    @Option(help: "Concurrent appenders.") var appenders: Int = 4
    @Flag(help: "Use synchronous=NORMAL instead of FULL.") var normal = false

    func run() async throws {
        let logger = Logger(label: "dateline.crash-writer", factory: { _ in SwiftLogNoOpLogHandler() })
        let store = try EventStore(path: db, options: EventStoreOptions(durability: normal ? .normal : .full), logger: logger)
        let fd = open(acks, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        guard fd >= 0 else { throw ValidationError("cannot open \(acks)") }
        let pid = getpid()
        let appenders = self.appenders
        print("ready", to: &standardError)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for a in 0..<appenders {
                group.addTask {
                    var n = 0
                    while true {
                        let size = 1 + (n % 4)
                        let events = try (0..<size).map { i in
                            let id = try EventID("p\(pid)-a\(a)-\(n)-\(i)")
                            let text = #"{"appender":\#(a),"n":\#(n),"i":\#(i),"note":"\#(String(repeating: "crash test payload ", count: 1 + (n + i) % 20))"}"#
                            return ProposedEvent(id: id, type: .statementRecorded, data: Array(text.utf8))
                        }
                        let result = try await store.append(to: try StreamName("crash-\(a)-\(pid)"), expecting: .any, events: events)
                        var line = ""
                        for (position, event) in zip(result.positions, events) { line += "\(position.rawValue) \(event.id.rawValue)\n" }
                        _ = line.withCString { write(fd, $0, strlen($0)) }
                        n += 1
                    }
                }
            }
            try await group.waitForAll()
        }
    }
}

nonisolated(unsafe) var standardError = StandardError()
struct StandardError: TextOutputStream {
    mutating func write(_ string: String) { FileHandle.standardError.write(Data(string.utf8)) }
}
