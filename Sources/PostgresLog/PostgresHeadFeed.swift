import DatelineCore
import EventLog
import Logging
import NIOConcurrencyHelpers
import PostgresNIO

/// The PostgreSQL log's feed of committed heads, whichever server committed.
///
/// Own commits are announced by the appender right after each commit, with their events,
/// before the appenders are resumed. Commits by other servers are noticed two ways, started
/// with the first observer:
/// - one pooled connection LISTENs on the head channel (LISTEN first, then the head is read, so
///   no commit between the two is missed); every append transaction NOTIFYs its new head, and
///   PostgreSQL delivers notifications in commit order. A lost connection is listened on
///   again with backoff, and the head read again after every reconnect;
/// - a fallback timer reads the head every `interval`, so with notifications lost or disabled
///   every commit is still seen, one interval late at most.
/// A consumer (`LogFollower`) reads `position > last published` on each new head, so the
/// database serves one reader per server, however many subscribers each one has.
final class PostgresHeadFeed: Sendable {
    private struct State: Sendable {
        var tasks: [Task<Void, Never>] = []
        /// Watching has been started (it starts with the first observer).
        var started = false
        var closed = false
    }

    private let state = NIOLockedValueBox(State())
    private let observers = HeadObservers()
    private let client: PostgresClient
    private let location: PostgresLocation
    private let interval: Duration
    private let logger: Logger

    init(client: PostgresClient, location: PostgresLocation, interval: Duration, logger: Logger) {
        self.client = client
        self.location = location
        self.interval = interval
        self.logger = logger
    }

    static func readHead(_ connection: PostgresConnection, logger: Logger) async throws -> Position {
        let rows = try await connection.query("SELECT position FROM dateline.head", logger: logger).collect()
        return Position(try rows.first?.decode(Int64.self) ?? 0)
    }

    func add(_ observer: @escaping @Sendable (CommittedHead) -> Void) -> CommitFeedToken {
        let token = observers.add(observer)
        let start = state.withLockedValue { s -> Bool in
            guard !s.started && !s.closed else { return false }
            s.started = true
            return true
        }
        if start { startWatching() }
        return token
    }

    func remove(_ token: CommitFeedToken) {
        observers.remove(token)
    }

    /// This process's own commit (called by the appender before it resumes the appenders).
    func committed(_ events: [RecordedEvent]) {
        observers.committed(events)
    }

    /// A head read from the database; dropped when nothing newer was announced already.
    func noticed(head: Position) {
        observers.noticed(head: head)
    }

    private func startWatching() {
        let client = client, logger = logger, location = location, interval = interval
        let listener = Task { [weak self] in
            var backoff = Duration.milliseconds(100)
            while !Task.isCancelled {
                do {
                    try await client.withConnection { connection in
                        try await connection.listen(on: PostgresSchema.notifyChannel) { notifications in
                            self?.noticed(head: try await Self.readHead(connection, logger: logger))
                            backoff = .milliseconds(100)
                            for try await notification in notifications {
                                if let value = Int64(notification.payload) { self?.noticed(head: Position(value)) }
                            }
                        }
                    }
                } catch {
                    if Task.isCancelled { break }
                    logger.warning("log notifications lost; listening again", metadata: [
                        "location": "\(location)", "error": "\(EventLogError.postgres(error, location: location))",
                        "retry": "\(backoff)",
                    ])
                }
                try? await Task.sleep(for: backoff)
                backoff = min(backoff * 2, .seconds(5))
            }
        }
        let poller = Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                if let head = try? await client.withConnection({ try await Self.readHead($0, logger: logger) }) {
                    self?.noticed(head: head)
                }
            }
        }
        let keep = state.withLockedValue { s -> Bool in
            if s.closed { return false }
            s.tasks = [listener, poller]
            return true
        }
        if !keep {
            listener.cancel()
            poller.cancel()
        }
    }

    /// Stops watching and waits for the watching tasks to end.
    func close() async {
        let tasks = state.withLockedValue { s -> [Task<Void, Never>] in
            s.closed = true
            defer { s.tasks = [] }
            return s.tasks
        }
        observers.removeAll()
        for task in tasks { task.cancel() }
        for task in tasks { await task.value }
    }
}
