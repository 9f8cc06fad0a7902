import DatelineProjections
import EventLog
import Foundation
import Logging
import PostgresLog

/// Where a log lives, as a user names it with `--db`: a file path (the SQLite log, the embedded
/// default) or a `postgres://USER@HOST:PORT/DATABASE` URL (a log shared by several servers).
public enum LogLocation: Sendable, Equatable, CustomStringConvertible {
    case file(String)
    case postgres(PostgresLocation)

    public init(_ text: String) throws(EventLogError) {
        self = PostgresLocation.isURL(text) ? .postgres(try PostgresLocation(url: text)) : .file(text)
    }

    /// Where the timelines go when no `--timelines` is given: beside a log file; for a
    /// database, `<database>.timelines` in the working directory (each server keeps its own
    /// derived copy; give `--timelines` to place it).
    public var defaultTimelines: TimelineFiles {
        switch self {
        case .file(let path): TimelineFiles(besideLog: path)
        case .postgres(let database): TimelineFiles(directory: database.database + ".timelines")
        }
    }

    public var description: String {
        switch self {
        case .file(let path): path
        case .postgres(let database): database.description
        }
    }
}

extension DatelineEngine {
    /// Opens the log at `location` and an engine on it. A PostgreSQL log is created on first use
    /// only when `creating` (writers); readers of a database without one get `missingLog`.
    /// `durability` applies to the SQLite log; PostgreSQL commits with `synchronous_commit = on`.
    public static func open(_ location: LogLocation, timelinesDirectory: String? = nil,
                            durability: EventStoreOptions.Durability = .full, creating: Bool = true,
                            logger: Logger, timelinesReporting: TimelinesReporting = TimelinesReporting()) async throws -> DatelineEngine {
        let timelines = timelinesDirectory.map { TimelineFiles(directory: $0) } ?? location.defaultTimelines
        switch location {
        case .file(let path):
            var options = EventStoreOptions()
            options.durability = durability
            let store: EventStore
            do {
                store = try EventStore(path: path, options: options, logger: logger)
            } catch {
                // A reader of a log it cannot write (a read-only file, directory or mount)
                // opens it read-only; appends through it are refused with the same error.
                guard !creating, case .directoryReadOnly = error else { throw error }
                options.readOnly = true
                store = try EventStore(path: path, options: options, logger: logger)
            }
            return DatelineEngine(log: store.backend, timelines: timelines, logger: logger, timelinesReporting: timelinesReporting)
        case .postgres(let database):
            let log = try await PostgresEventLog.open(database, options: PostgresLogOptions(createIfMissing: creating), logger: logger)
            return DatelineEngine(log: log, timelines: timelines, logger: logger, timelinesReporting: timelinesReporting)
        }
    }

    /// The blocking form of `open`, for command-line tools outside Swift concurrency.
    public static func openSync(_ location: LogLocation, timelinesDirectory: String? = nil,
                                durability: EventStoreOptions.Durability = .full, creating: Bool = true,
                                logger: Logger, timelinesReporting: TimelinesReporting = TimelinesReporting()) throws -> DatelineEngine {
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var result: Result<DatelineEngine, any Error>?
        Task.detached {
            do {
                result = .success(try await open(location, timelinesDirectory: timelinesDirectory, durability: durability,
                                                 creating: creating, logger: logger, timelinesReporting: timelinesReporting))
            } catch {
                result = .failure(error)
            }
            done.signal()
        }
        done.wait()
        return try result!.get()
    }
}
