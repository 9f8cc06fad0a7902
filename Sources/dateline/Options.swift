import ArgumentParser
import DatelineProjections
import DatelineService
import EventLog
import Foundation
import Logging

/// Options every command that opens the log shares.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .long, help: "The log: its SQLite file, or postgres://USER@HOST:PORT/DATABASE for a log shared by several servers. Only ingest creates it; the other commands need it to exist.")
    var db: String = "./dateline.sqlite"

    @Option(name: .long, help: "The timelines' directory (derived data, rebuilt from the log when missing; default: the --db path without .sqlite, plus .timelines).")
    var timelines: String?

    @Option(name: .long, help: "Commit durability: full (survives power loss) or normal (survives a killed process).")
    var sync: Durability = .full

    @Option(name: .long, help: "Log level for diagnostics on standard error: trace, debug, info, notice, warning, error.")
    var logLevel: Logger.Level = .warning

    enum Durability: String, ExpressibleByArgument, CaseIterable {
        case full, normal
    }

    /// Opens the log. Only a command that adds articles passes `creating`: a read command on
    /// a mistyped `--db` says there is no log there instead of creating an empty one.
    func openEngine(creating: Bool = false) throws -> DatelineEngine {
        let location: LogLocation
        do { location = try LogLocation(db) } catch { throw ValidationFailure("cannot open the log: \(error)") }
        if case .file(let path) = location { try Self.checkLogPath(path, creating: creating) }
        do {
            return try DatelineEngine.openSync(location, timelinesDirectory: timelines, durability: sync == .full ? .full : .normal,
                                               creating: creating, logger: logger(),
                                               timelinesReporting: TimelinesProgressLine.reporting())
        } catch {
            throw ValidationFailure("cannot open the log: \(error)")
        }
    }

    /// Refuses a directory, and a missing file unless `creating`.
    static func checkLogPath(_ path: String, creating: Bool) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            if isDirectory.boolValue { throw ValidationFailure("cannot open the log: \(path) is a directory; give the log's file, e.g. --db \((path as NSString).appendingPathComponent("dateline.sqlite"))") }
        } else if !creating {
            throw ValidationFailure("no log at \(path): only `dateline ingest` creates one (check --db, or run `dateline ingest --db \(path) FILES` first)")
        }
    }

    func logger() -> Logger {
        var logger = Logger(label: "dateline")
        logger.logLevel = logLevel
        return logger
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}

/// A failure already explained to the user: printed as `dateline: <message>`, exit status 1.
struct ValidationFailure: Error, CustomStringConvertible {
    var description: String
    init(_ message: String) { description = message }
}

/// Writes a message to standard error, ending the line unless told not to.
func printError(_ message: String, newline: Bool = true) {
    FileHandle.standardError.write(Data((newline ? message + "\n" : message).utf8))
}

/// Prints query rows as JSON Lines (the `--json` output of the query commands), written by the
/// same writer as the server's `row` lines, so both carry the same fields and bytes.
func writeJSONLines(_ rows: [some JSONRow]) {
    var out = StandardOutput()
    for row in rows { out.write(row.jsonLine) }
}

/// True when standard error is a terminal: progress lines are shown only to people.
var standardErrorIsTerminal: Bool { isatty(STDERR_FILENO) != 0 }
var standardOutputIsTerminal: Bool { isatty(STDOUT_FILENO) != 0 }

/// Rebuild and catch-up progress of the timelines on standard error (one self-overwriting line,
/// on a terminal only), and their messages (always).
enum TimelinesProgressLine {
    static func reporting() -> TimelinesReporting {
        let terminal = standardErrorIsTerminal
        let last = LockedTime()
        return TimelinesReporting(
            progress: { p in
                guard terminal else { return }
                let done = p.position >= p.head
                guard done || last.due() else { return }
                if done {
                    printError("\r\u{1B}[K", newline: false)
                    return
                }
                let left = p.secondsLeft.map { String(format: ", %.0f s left", $0) } ?? ""
                printError(String(format: "\rtimelines: %@ %@ position %lld of %lld, %.0f events/s%@\u{1B}[K",
                                  p.projection, p.rebuilding ? "rebuilt to" : "caught up to", p.position.rawValue,
                                  p.head.rawValue, p.eventsPerSecond, left), newline: false)
            },
            notice: { printError("dateline: \($0)") })
    }

    /// When the line was last shown.
    private final class LockedTime: @unchecked Sendable {
        private let lock = NSLock()
        private var shown = Date.distantPast
        /// True (and now noted) when the line has not been shown for a fifth of a second.
        func due() -> Bool {
            lock.withLock {
                guard Date().timeIntervalSince(shown) > 0.2 else { return false }
                shown = Date()
                return true
            }
        }
    }
}
