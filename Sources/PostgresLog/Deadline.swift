import Synchronization

/// Runs `body` and answers its result, or nil once `timeout` has passed, whichever comes first.
///
/// Not a task group on purpose: a group returns only after every child has ended, so a body
/// that does not end when cancelled (a query on a connection whose server was killed, a lease
/// waiting for a pool that cannot connect) would hold the caller, and with it every append
/// queued behind it, for as long as the body hangs. Here the caller is answered at the deadline;
/// the body is cancelled and left to end on its own.
func withDeadline<T: Sendable>(_ timeout: Duration,
                               _ body: @escaping @Sendable () async throws -> T) async throws -> T? {
    let race = DeadlineRace<T>()
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T?, Error>) in
            race.begin(continuation,
                       work: Task { race.finish(with: await Result { try await body() }.map { $0 }) },
                       timer: Task {
                           try? await Task.sleep(for: timeout)
                           race.finish(with: .success(nil))
                       })
        }
    } onCancel: {
        race.finish(with: .failure(CancellationError()))
    }
}

/// The one answer of a `withDeadline` race: the first of body, timer or cancellation resumes
/// the caller and cancels the others.
private final class DeadlineRace<T: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<T?, Error>?
        var tasks: [Task<Void, Never>] = []
        /// An answer that came before `begin` (cancelled before it started, or a body faster
        /// than the continuation's set-up).
        var early: Result<T?, Error>?
        var answered = false
    }
    private let state = Mutex(State())

    func begin(_ continuation: CheckedContinuation<T?, Error>, work: Task<Void, Never>, timer: Task<Void, Never>) {
        let early: Result<T?, Error>? = state.withLock { state in
            if let early = state.early { return early }
            state.continuation = continuation
            state.tasks = [work, timer]
            return nil
        }
        if let early {
            work.cancel()
            timer.cancel()
            continuation.resume(with: early)
        }
    }

    func finish(with result: Result<T?, Error>) {
        let (continuation, tasks): (CheckedContinuation<T?, Error>?, [Task<Void, Never>]) = state.withLock { state in
            guard !state.answered else { return (nil, []) }
            state.answered = true
            guard let continuation = state.continuation else {
                state.early = result
                return (nil, [])
            }
            state.continuation = nil
            defer { state.tasks = [] }
            return (continuation, state.tasks)
        }
        for task in tasks { task.cancel() }
        continuation?.resume(with: result)
    }
}

private extension Result where Failure == Error {
    init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}
