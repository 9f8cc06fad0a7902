import DatelineCore
import Foundation

/// The SQLite file as an `EventLogBackend`: appends go to the store's writer thread, reads run
/// on its read queue (never on the cooperative pool), and the feed of committed heads is the
/// store's (`CommittedHeadFeed`). A thin view: the `EventStore` owns every connection and
/// thread; get one with `store.backend`.
final class SQLiteEventLog: EventLogBackend {
    let store: EventStore

    init(store: EventStore) {
        self.store = store
    }

    var location: String { store.path }

    func append(to stream: StreamName, expecting expected: ExpectedVersion,
                events: [ProposedEvent]) async throws(EventLogError) -> AppendResult {
        try await store.append(to: stream, expecting: expected, events: events)
    }

    func read(from position: Position, limit: Int) async throws(EventLogError) -> [RecordedEvent] {
        try await store.async.read(from: position, limit: limit)
    }

    func readStream(_ stream: StreamName, from version: StreamVersion, limit: Int) async throws(EventLogError) -> [RecordedEvent] {
        try await store.async.readStream(stream, from: version, limit: limit)
    }

    func streamVersion(_ stream: StreamName) async throws(EventLogError) -> StreamVersion? {
        try await store.async.streamVersion(stream)
    }

    func head() async throws(EventLogError) -> Position {
        try await store.async.head()
    }

    func firstPosition(atOrAfter time: Timestamp) async throws(EventLogError) -> Position? {
        try await store.async.firstPosition(atOrAfter: time)
    }

    func payloadBytes(from: Position, through: Position) async throws(EventLogError) -> PayloadBytes {
        try await store.async.payloadBytes(from: from, through: through)
    }

    func statistics() async throws(EventLogError) -> LogStatistics {
        try await store.async.statistics()
    }

    func verify() async throws(EventLogError) -> VerifyReport {
        try await store.async.verify()
    }

    func observeCommittedHeads(_ observer: @escaping @Sendable (CommittedHead) -> Void) -> CommitFeedToken {
        store.observeCommittedHeads(observer)
    }

    func stopObserving(_ token: CommitFeedToken) {
        store.stopObservingCommittedHeads(token)
    }

    func close() async {
        // Closing waits for the writer thread to commit what is queued: not on the pool.
        let store = self.store
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let thread = Thread {
                store.close()
                continuation.resume()
            }
            thread.name = "dateline-log-close"
            thread.start()
        }
    }
}
