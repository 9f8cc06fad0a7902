import ArgumentParser
import DatelineProtocol
import DatelineServer
import DatelineService
import EventLog
import Foundation
import Logging

/// `datelined`: serves a Dateline log over newline-delimited JSON on TCP until SIGINT/SIGTERM.
@main
struct Datelined: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "datelined",
        abstract: "Serve a Dateline log over TCP: ingest, append, replay and live subscriptions (try `nc 127.0.0.1 7411`, then HELP).",
        version: "datelined \(DatelineTCPServer.version) (protocol \(datelineProtocolVersion))"
    )

    @Option(help: "The log database (created on first start).")
    var db = "./dateline.sqlite"

    @Option(help: "The timelines' directory (derived data, rebuilt from the log when missing; default: the --db path without .sqlite, plus .timelines).")
    var timelines: String?

    @Option(help: "Address to listen on. Anything but loopback requires --token.")
    var host = "127.0.0.1"

    @Option(help: "TCP port; 0 picks a free one (printed on standard output).")
    var port = 7411

    @Option(help: "Token that clients send with {\"op\":\"auth\"} before ingest and append.")
    var token: String?

    @Flag(help: "With --token, also require auth before reads (read, replay, subscribe, query, stats).")
    var readsNeedAuth = false

    @Option(help: "Seconds of quiet on a subscription before a heartbeat line.")
    var heartbeat = 15

    @Option(help: "Seconds a socket may accept nothing while output waits before it is closed.")
    var writeDeadline = 60

    @Option(help: "Most connections served at once; the next is refused with too_many_connections.")
    var maxConnections = 1024

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel = "info"

    @Option(help: "Commit durability: full (survives power loss) or normal (faster; survives a killed process, the last commits may be lost on power loss).")
    var sync: Durability = .full

    enum Durability: String, ExpressibleByArgument, CaseIterable {
        case full, normal
    }

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be from 0 to 65535") }
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("unknown --log-level \(logLevel)") }
        guard heartbeat > 0, writeDeadline > 0, maxConnections > 0 else {
            throw ValidationError("--heartbeat, --write-deadline and --max-connections must be positive")
        }
        if let token, token.isEmpty { throw ValidationError("--token must not be empty") }
        if token == nil && !ServerConfiguration.isLoopback(host) {
            throw ValidationError("--host \(host) exposes the server beyond this machine; give --token to protect writes")
        }
    }

    func run() async throws {
        let level = Logger.Level(rawValue: logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "datelined")
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: db, isDirectory: &isDirectory), isDirectory.boolValue {
            FileHandle.standardError.write(Data("datelined: cannot open the log: \(db) is a directory; give the log's file, e.g. --db \((db as NSString).appendingPathComponent("dateline.sqlite"))\n".utf8))
            throw ExitCode(1)
        }
        let engine: DatelineEngine
        do {
            engine = try await DatelineEngine.open(try LogLocation(db), timelinesDirectory: timelines,
                                                   durability: sync == .full ? .full : .normal, logger: logger,
                                                   timelinesReporting: TimelinesReporting(notice: { logger.notice("\($0)") }))
        } catch {
            logger.critical("cannot open the log", metadata: ["db": "\(db)", "error": "\(error)"])
            throw ExitCode(1)
        }
        let queries: QueryHandler
        let timelineStats: TimelineStatsHandler?
        do {
            let handler = try TimelineQueries.handler(engine: engine)
            timelineStats = try TimelineQueries.stats(engine: engine)
            queries = handler
        } catch {
            // The log is what matters: serve it, and answer queries with the reason.
            logger.error("cannot open the timelines; serving the log without queries",
                         metadata: ["db": "\(db)", "error": "\(error)"])
            let reason = "the timelines could not be opened (\(error)); the log is served without them"
            queries = { _ in throw ProtocolError(.internal, reason) }
            timelineStats = nil
        }
        var limits = ServerConfiguration().limits
        limits.heartbeatInterval = .seconds(Int64(heartbeat))
        limits.slowConsumerWriteDeadline = .seconds(Int64(writeDeadline))
        limits.maxConnections = maxConnections
        var configuration = ServerConfiguration(host: host, port: port, token: token, readsNeedAuth: readsNeedAuth,
                                                limits: limits, queryHandler: queries)
        configuration.timelineStats = timelineStats
        let server = DatelineTCPServer(engine: engine, configuration: configuration, logger: logger)
        do {
            try await server.run { port in
                // One line on standard output so scripts can find a port chosen with --port 0.
                FileHandle.standardOutput.write(Data("listening on \(host):\(port)\n".utf8))
            }
        } catch ServerError.bindFailed(_, _, let reason) where reason.contains("errno: \(EADDRINUSE)") || reason.contains("in use") {
            FileHandle.standardError.write(Data("datelined: port \(port) is in use: another datelined? choose --port\n".utf8))
            engine.close()
            throw ExitCode(1)
        } catch {
            logger.critical("cannot serve", metadata: ["error": "\(error)"])
            engine.close()
            throw ExitCode(1)
        }
    }
}
