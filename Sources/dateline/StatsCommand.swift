import ArgumentParser
import DatelineCore
import DatelineProjections
import DatelineService
import EventLog
import Foundation

struct StatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Head position, events by type, projections and their checkpoints, size and compression."
    )

    @OptionGroup var database: DatabaseOptions

    @Flag(help: "One JSON object instead of text.")
    var json = false

    struct Report: Encodable {
        var db: String
        var head: Position
        var eventsByType: [String: Int]
        var databaseBytes: Int64
        var payloadBytes: Int64
        var storedBytes: Int64
        var projections: [ProjectionStats]
        /// Why the timelines could not be opened (a log in a directory nobody may write keeps
        /// its timelines beside it only if they can be made there: give --timelines DIR).
        var timelinesError: String?
        enum CodingKeys: String, CodingKey {
            case db, head, projections
            case timelinesError = "timelines_error"
            case eventsByType = "events_by_type"
            case databaseBytes = "database_bytes"
            case payloadBytes = "payload_bytes"
            case storedBytes = "stored_bytes"
        }
    }

    func run() throws {
        let engine = try database.openEngine()
        defer { engine.close() }
        let log = try engine.store.statistics()
        let head = log.head
        var projections: [ProjectionStats] = []
        var timelinesError: String?
        do { projections = try engine.timelines().read { try $0.stats() } } catch { timelinesError = "\(error)" }
        let report = Report(
            db: engine.store.location, head: head,
            eventsByType: Dictionary(uniqueKeysWithValues: log.eventsByType.map { ($0.key.rawValue, $0.value) }),
            databaseBytes: log.storageBytes, payloadBytes: log.payloadBytes.raw, storedBytes: log.payloadBytes.stored,
            projections: projections, timelinesError: timelinesError)
        if json {
            print(String(decoding: try StableJSON.encoder().encode(report), as: UTF8.self))
            return
        }
        print("log: \(report.db)")
        print("head: \(head)")
        print("events: " + (report.eventsByType.isEmpty ? "none" :
            report.eventsByType.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")))
        let ratio = report.storedBytes > 0 ? String(format: "%.2f×", Double(report.payloadBytes) / Double(report.storedBytes)) : "-"
        print("size: \(report.databaseBytes) bytes on disk; payloads \(report.payloadBytes) bytes raw, \(report.storedBytes) stored (compression \(ratio))")
        if let timelinesError { print("timelines: cannot be opened (\(timelinesError)); give --timelines DIR in a writable place") }
        for p in report.projections {
            print("projection \(p.name): checkpoint \(p.checkpoint) (lag \(p.lag)), code version \(p.codeVersion), rows "
                  + p.rows.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
                  + ", skipped events \(p.malformed)")
        }
    }
}
