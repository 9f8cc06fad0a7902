import DatelineCore
import Foundation

/// Blocking access to any log, for code on threads of its own: the CLI's commands and the
/// timelines' queue. Never call it from Swift's cooperative pool or an event loop (it waits on
/// a semaphore while the backend's async work runs there).
///
/// For the SQLite log it calls the store's own blocking API directly (no task, no hop); for
/// other backends it runs the async call in a detached task and waits for its answer.
public struct BlockingLog: Sendable {
    public let backend: any EventLogBackend
    /// The SQLite store behind `backend`, when it is one.
    public let sqlite: EventStore?

    public init(_ backend: any EventLogBackend) {
        self.backend = backend
        self.sqlite = (backend as? SQLiteEventLog)?.store
    }

    public init(_ store: EventStore) {
        self.backend = store.backend
        self.sqlite = store
    }

    /// Where the log lives (a path, or a database URL without its password).
    public var location: String { backend.location }

    /// Runs an async call of the backend and waits for it on this thread.
    public func wait<T: Sendable>(_ body: @escaping @Sendable (any EventLogBackend) async throws -> T) throws(EventLogError) -> T {
        let done = DispatchSemaphore(value: 0)
        let answer = AnswerBox<T>()
        let backend = backend
        Task.detached {
            do {
                answer.set(.success(try await body(backend)))
            } catch let error as EventLogError {
                answer.set(.failure(error))
            } catch {
                answer.set(.failure(.unavailable(location: backend.location, reason: "\(error)")))
            }
            done.signal()
        }
        done.wait()
        return try answer.get()
    }

    public func head() throws(EventLogError) -> Position {
        if let sqlite { return try sqlite.head() }
        return try wait { try await $0.head() }
    }

    public func read(from position: Position, limit: Int) throws(EventLogError) -> [RecordedEvent] {
        if let sqlite { return try sqlite.read(from: position, limit: limit) }
        return try wait { try await $0.read(from: position, limit: limit) }
    }

    public func readStream(_ stream: StreamName, from version: StreamVersion = StreamVersion(0),
                           limit: Int = Int.max) throws(EventLogError) -> [RecordedEvent] {
        if let sqlite { return try sqlite.readStream(stream, from: version, limit: limit) }
        return try wait { try await $0.readStream(stream, from: version, limit: limit) }
    }

    public func firstPosition(atOrAfter time: Timestamp) throws(EventLogError) -> Position? {
        if let sqlite { return try sqlite.firstPosition(atOrAfter: time) }
        return try wait { try await $0.firstPosition(atOrAfter: time) }
    }

    public func statistics() throws(EventLogError) -> LogStatistics {
        try wait { try await $0.statistics() }
    }

    public func verify() throws(EventLogError) -> VerifyReport {
        if let sqlite { return try sqlite.verify() }
        return try wait { try await $0.verify() }
    }

    public func appendSync(to stream: StreamName, expecting expected: ExpectedVersion = .any,
                           events: [ProposedEvent]) throws(EventLogError) -> AppendResult {
        if let sqlite { return try sqlite.appendSync(to: stream, expecting: expected, events: events) }
        return try wait { try await $0.append(to: stream, expecting: expected, events: events) }
    }

    /// Commits what is queued and closes the log.
    public func close() {
        if let sqlite { return sqlite.close() }
        _ = try? wait { await $0.close() }
    }

    /// Every event from `position` up to `until` (inclusive), of `types` when given, in
    /// position order; read in pages, so memory stays flat.
    public func forEachEvent(from position: Position = .start, until: Position? = nil, types: Set<EventType>? = nil,
                             body: (RecordedEvent) throws -> Void) throws {
        if let sqlite { return try sqlite.forEachEvent(from: position, until: until, types: types, body: body) }
        let last = try until ?? head()
        var next = position
        while next <= last {
            let page = try read(from: next, limit: 1000)
            guard let end = page.last?.position else { return }
            for event in page where event.position <= last {
                if types == nil || types!.contains(event.type) { try body(event) }
            }
            next = end.next
        }
    }
}

/// One answer handed from the task to the waiting thread.
private final class AnswerBox<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var result: Result<T, EventLogError>?
    func set(_ value: Result<T, EventLogError>) { lock.withLock { result = value } }
    func get() throws(EventLogError) -> T { try lock.withLock { result! }.get() }
}
