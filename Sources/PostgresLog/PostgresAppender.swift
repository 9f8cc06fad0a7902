import DatelineCore
import DequeModule
import EventLog
import Logging
import NIOConcurrencyHelpers
import NIOCore
import PostgresNIO

/// Group commit into PostgreSQL: one task takes every batch queued since its last commit and
/// writes them in one transaction.
///
/// Why positions stay gap-free and in commit order across servers: each transaction first locks
/// the one row of `dateline.head` (`SELECT … FOR UPDATE`, its own statement, before any other
/// read), numbers its events from the head it read, inserts them, moves the head, sends
/// `NOTIFY` and commits. A second server's transaction waits on that row lock until the first
/// has committed, then (READ COMMITTED re-reads a locked row) sees the new head and continues
/// the numbering. So no transaction can commit a lower position after a higher one has become
/// visible, and a reader that has seen position N can read `position > N` without ever skipping
/// an event, the sequence-gap fault of event stores that number rows with a sequence. Holding the
/// lock also makes the checks of event ids and stream versions race-free: no other appender can
/// insert between the check and the insert.
///
/// The usual group (no event id stored already or repeated within it, at most `rowsPerInsert`
/// events) is one round trip: one call of the function `dateline.append_group`, which does all
/// of the above in one statement that commits on its own (`PostgresSchema.appendGroup`). Any
/// other group, and one the function hands back, takes the general transaction, five round
/// trips whatever its size: BEGIN, the head lock, one statement for all id and version checks,
/// one that inserts the rows (bound as column arrays) and moves the head and notifies, COMMIT
/// (`PostgresAppendStatements.swift`); it answers retries with their original positions.
///
/// A failure at any step rolls the whole transaction back and fails every batch of the group
/// with the mapped error (`unavailable` when the connection was lost); nothing is acknowledged
/// before the commit answered. A commit whose answer was lost may still have happened: a retry
/// with the same event ids then answers the original positions.
final class PostgresAppender: Sendable {
    struct Batch: Sendable {
        var stream: StreamName
        var expected: ExpectedVersion
        var events: [ProposedEvent]
        var encoded: [StoredPayload]
    }

    private struct Pending: Sendable {
        var batch: Batch
        var continuation: CheckedContinuation<Result<AppendResult, EventLogError>, Never>
    }

    private struct State: Sendable {
        var queue: Deque<Pending> = []
        var stopping = false
        var statistics = WriterStatistics()
    }

    /// Largest number of events committed in one transaction; the rest wait for the next one.
    static let maxEventsPerCommit = 20_000
    /// Rows per insert statement (bound as one array per column), so that one statement's
    /// message stays a few megabytes.
    static let rowsPerInsert = 5_000

    private let client: PostgresClient
    private let location: PostgresLocation
    private let timeout: Duration
    private let logger: Logger
    private let state = NIOLockedValueBox(State())
    /// Told of each commit's new events, in position order, before the appenders are resumed.
    private let committed: @Sendable ([RecordedEvent]) -> Void
    private let wake: AsyncStream<Void>.Continuation
    private let worker: Task<Void, Never>

    init(client: PostgresClient, location: PostgresLocation, timeout: Duration, logger: Logger,
         committed: @escaping @Sendable ([RecordedEvent]) -> Void) {
        self.client = client
        self.committed = committed
        self.location = location
        self.timeout = timeout
        self.logger = logger
        let (signals, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        self.wake = wake
        let state = state
        let commitGroup = Self.commit
        worker = Task { [client, location, timeout, logger, committed] in
            for await _ in signals {
                while true {
                    // One turn of the pool first, so the appenders just resumed (each of them
                    // usually appends again at once) and any arriving now queue up before the
                    // group is taken. Without it the next group left with the first one or two
                    // of them and the rest waited a whole commit: with 64 appenders a commit
                    // carried 32 batches instead of 63, and with three servers 11 instead of 21.
                    await Task.yield()
                    let group: [Pending] = state.withLockedValue { s in
                        var taken: [Pending] = [], events = 0
                        while let next = s.queue.first,
                              taken.isEmpty || events + next.batch.events.count <= Self.maxEventsPerCommit {
                            events += next.batch.events.count
                            taken.append(s.queue.removeFirst())
                        }
                        return taken
                    }
                    if group.isEmpty { break }
                    let started = ContinuousClock.now
                    let outcomes = await commitGroup(group.map(\.batch), client, location, timeout, logger)
                    let elapsed = ContinuousClock.now - started
                    state.withLockedValue { s in
                        s.statistics.commits += 1
                        s.statistics.largestCommitBatches = max(s.statistics.largestCommitBatches, group.count)
                        s.statistics.commitNanoseconds += UInt64(elapsed.components.seconds) * 1_000_000_000
                            + UInt64(elapsed.components.attoseconds / 1_000_000_000)
                        for outcome in outcomes {
                            switch outcome {
                            case .success(let result) where !result.duplicate:
                                s.statistics.batches += 1
                                s.statistics.events += result.positions.count
                            case .success: break
                            case .failure: s.statistics.refusedBatches += 1
                            }
                        }
                    }
                    // Observers first, so that when an append returns, live subscribers have been
                    // handed its events.
                    let recorded = zip(group, outcomes).flatMap { pending, outcome -> [RecordedEvent] in
                        guard case .success(let result) = outcome, !result.duplicate else { return [] }
                        let batch = pending.batch
                        let first = result.lastVersion.rawValue - Int64(batch.events.count) + 1
                        return batch.events.enumerated().map { i, event in
                            RecordedEvent(position: result.positions[i], stream: batch.stream,
                                          version: StreamVersion(first + Int64(i)), id: event.id, type: event.type,
                                          recordedAt: result.recordedAt, data: event.data)
                        }
                    }
                    if !recorded.isEmpty { committed(recorded) }
                    for (pending, outcome) in zip(group, outcomes) { pending.continuation.resume(returning: outcome) }
                }
                if state.withLockedValue({ $0.stopping && $0.queue.isEmpty }) { break }
            }
        }
    }

    var statistics: WriterStatistics { state.withLockedValue { $0.statistics } }

    func append(_ batch: Batch) async throws(EventLogError) -> AppendResult {
        let result: Result<AppendResult, EventLogError> = await withCheckedContinuation { continuation in
            let accepted = state.withLockedValue { s -> Bool in
                if s.stopping { return false }
                s.queue.append(Pending(batch: batch, continuation: continuation))
                return true
            }
            if accepted { wake.yield() } else { continuation.resume(returning: .failure(.closed)) }
        }
        return try result.get()
    }

    /// Commits what is queued, then stops the task.
    func stop() async {
        state.withLockedValue { $0.stopping = true }
        wake.yield()
        wake.finish()
        await worker.value
        // Anything queued after the task left (a race with `stop`) is refused.
        let left = state.withLockedValue { s -> [Pending] in defer { s.queue.removeAll() }; return Array(s.queue) }
        for pending in left { pending.continuation.resume(returning: .failure(.closed)) }
    }

    // MARK: One transaction

    @Sendable
    private static func commit(_ group: [Batch], client: PostgresClient, location: PostgresLocation,
                               timeout: Duration, logger: Logger) async -> [Result<AppendResult, EventLogError>] {
        do {
            let answer = try await withDeadline(timeout) {
                if let outcomes = try await appendInOneStatement(group, client: client, logger: logger) {
                    return outcomes
                }
                return try await client.withTransaction(logger: logger) { connection in
                    try await transaction(group, connection: connection, logger: logger)
                }
            }
            guard let outcomes = answer else {
                throw EventLogError.unavailable(location: location.description,
                                                reason: "the append was not answered within \(timeout); it may or may not have been committed")
            }
            return outcomes
        } catch {
            let failure = EventLogError.postgres(error, location: location)
            logger.error("log commit failed; the whole group was rolled back", metadata: [
                "location": "\(location)", "batches": "\(group.count)", "error": "\(failure)",
            ])
            return group.map { _ in .failure(failure) }
        }
    }

    /// The group through `dateline.append_group`; nil when it needs the general transaction.
    private static func appendInOneStatement(_ group: [Batch], client: PostgresClient,
                                             logger: Logger) async throws -> [Result<AppendResult, EventLogError>]? {
        guard group.reduce(0, { $0 + $1.events.count }) <= rowsPerInsert else { return nil }
        let statement = AppendGroup(group, now: wallClockMicroseconds())
        var answer = try await client.execute(statement, logger: logger).makeAsyncIterator()
        guard let row = try await answer.next() else {
            throw EventLogError.database(location: "dateline.append_group", code: "XX000", message: "no answer row")
        }
        if row.general { return nil }
        guard row.firstPositions.count == group.count, row.lastVersions.count == group.count else {
            throw EventLogError.database(location: "dateline.append_group", code: "XX000",
                                         message: "answered \(row.firstPositions.count) batches of \(group.count)")
        }
        return group.indices.map { b in
            let batch = group[b], last = row.lastVersions[b]
            guard row.firstPositions[b] > 0 else {
                return .failure(.wrongExpectedVersion(stream: batch.stream, expected: batch.expected,
                                                      actual: last < 0 ? nil : StreamVersion(last)))
            }
            let first = row.firstPositions[b]
            return .success(AppendResult(stream: batch.stream,
                                         positions: (0..<Int64(batch.events.count)).map { Position(first + $0) },
                                         lastVersion: StreamVersion(last), recordedAt: Timestamp(rawValue: row.recordedAt),
                                         duplicate: false))
        }
    }

    private static func transaction(_ group: [Batch], connection: PostgresConnection,
                                    logger: Logger) async throws -> [Result<AppendResult, EventLogError>] {
        // The head first, in a statement of its own: the checks below run in later statements,
        // so under READ COMMITTED they see everything committed before this lock was granted.
        var headRows = try await connection.execute(LockHead(), logger: logger).makeAsyncIterator()
        guard let (headPosition, lastTime) = try await headRows.next() else {
            throw EventLogError.database(location: "dateline.head", code: "P0002", message: "the head row is missing")
        }
        var head = headPosition
        let now = max(wallClockMicroseconds(), lastTime)

        // Everything the group needs to check, in one statement for the whole group: what is
        // stored under its event ids, and the current version of each of its streams.
        var stored: [String: StoredEventID] = [:]
        var versions: [String: Int64] = [:]
        let check = CheckGroup(ids: group.flatMap { $0.events.map(\.id.rawValue) },
                               streams: Array(Set(group.map(\.stream.rawValue))))
        for try await row in try await connection.execute(check, logger: logger) {
            switch row {
            case .stored(let id, let found): stored[id] = found
            case .version(let stream, let version): versions[stream] = version
            }
        }

        var outcomes: [Result<AppendResult, EventLogError>] = []
        var rows = EventRows(capacity: group.reduce(0) { $0 + $1.events.count })
        for batch in group {
            let stream = batch.stream
            if let answer = storedAnswer(batch, stored: stored) {
                outcomes.append(answer)
                continue
            }
            let current = versions[stream.rawValue]
            let ok: Bool
            switch batch.expected {
            case .any: ok = true
            case .noStream: ok = current == nil
            case .exists: ok = current != nil
            case .exact(let v): ok = current == v.rawValue
            }
            guard ok else {
                outcomes.append(.failure(.wrongExpectedVersion(stream: stream, expected: batch.expected,
                                                               actual: current.map { StreamVersion($0) })))
                continue
            }
            var version = current ?? -1
            var positions: [Position] = []
            positions.reserveCapacity(batch.events.count)
            for (event, payload) in zip(batch.events, batch.encoded) {
                head += 1
                version += 1
                rows.append(position: head, stream: stream.rawValue, version: version, type: event.type.rawValue,
                            id: event.id.rawValue, payload: payload)
                positions.append(Position(head))
                // A later batch of the same group with these ids is a retry of this one.
                stored[event.id.rawValue] = StoredEventID(position: head, stream: stream.rawValue, version: version, recordedAt: now)
            }
            versions[stream.rawValue] = version
            outcomes.append(.success(AppendResult(stream: stream, positions: positions, lastVersion: StreamVersion(version),
                                                  recordedAt: Timestamp(rawValue: now), duplicate: false)))
        }

        guard rows.count > 0 else { return outcomes }
        // The rows as column arrays, a bounded number per statement; the last statement also
        // moves the head and sends the notification (delivered by PostgreSQL at commit).
        var start = 0
        while start < rows.count {
            let end = min(rows.count, start + rowsPerInsert)
            let chunk = rows.slice(start..<end, recordedAt: now)
            let inserted: Int64
            if end == rows.count {
                var answer = try await connection.execute(InsertAndMoveHead(rows: chunk, head: head), logger: logger)
                    .makeAsyncIterator()
                inserted = try await answer.next() ?? -1
            } else {
                var answer = try await connection.execute(InsertEvents(rows: chunk), logger: logger).makeAsyncIterator()
                inserted = try await answer.next() ?? -1
            }
            guard inserted == Int64(end - start) else {
                throw EventLogError.database(location: "dateline.events", code: "XX000",
                                             message: "inserted \(inserted) rows of \(end - start)")
            }
            start = end
        }
        return outcomes
    }

    /// Idempotency, as in the SQLite log: nil when none of the batch's ids is stored; the
    /// original positions (marked duplicate) when all are stored in this stream; otherwise the
    /// error that refuses the batch.
    private static func storedAnswer(_ batch: Batch, stored: [String: StoredEventID]) -> Result<AppendResult, EventLogError>? {
        do throws(EventLogError) {
            let answer = try retryAnswer(stream: batch.stream, events: batch.events,
                                         stored: batch.events.map { stored[$0.id.rawValue] })
            return answer.map { .success($0) }
        } catch {
            return .failure(error)
        }
    }
}
