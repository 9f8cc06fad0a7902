import DatelineCore
import EventLog

extension PostgresEventLog: EventLogBackend {
    public var location: String { url.description }

    public func statistics() async throws(EventLogError) -> LogStatistics {
        let head = try await head()
        return LogStatistics(head: head, eventsByType: try await countsByType(),
                             payloadBytes: try await payloadBytes(from: Position(1), through: head),
                             storageBytes: try await databaseSize())
    }

    public func observeCommittedHeads(_ observer: @escaping @Sendable (CommittedHead) -> Void) -> CommitFeedToken {
        feed.add(observer)
    }

    public func stopObserving(_ token: CommitFeedToken) {
        feed.remove(token)
    }
}
