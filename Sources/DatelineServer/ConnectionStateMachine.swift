import DatelineProtocol

/// A connection's life as one value: which requests it takes, when it reads, when it closes.
///
/// Pure (no I/O, no clock): the handler reports what happened (a request began or ended, the
/// client closed its side, the server began stopping) and does what the returned action says.
/// Requests are answered one at a time in arrival order; while one is in progress further lines
/// wait and the socket is not read, so a client cannot queue unbounded work.
///
///     idle ──start──▶ inRequest ──finish──▶ idle
///      │                  │
///      └──stop──▶ stopping(inRequest:) ──finish──▶ closed
///     any ──close──▶ closed
struct ConnectionStateMachine {
    /// What the connection knows about its client while it serves it.
    struct Session: Equatable {
        /// `auth` succeeded (or no token is configured and nothing needs it).
        var authenticated = false
        /// Wrong tokens so far on this connection.
        var tokenFailures = 0
        /// The client closed its sending side: answer what was read, then close.
        var inputClosed = false
    }

    enum State: Equatable {
        /// Waiting for the next line.
        case idle(Session)
        /// A request is being answered (an ingest, a replay streaming pages, a delayed refusal).
        case inRequest(Session)
        /// The server is stopping: `shutting_down` was sent; the request in progress, if any, is
        /// answered, then the connection closes. No further line is taken.
        case stopping(inRequest: Bool)
        /// Closing or closed: nothing more is read or answered.
        case closed
    }

    private(set) var state: State = .idle(Session())
    /// NIO asked to read while reading was paused; the read is owed once it may resume.
    private(set) var readHeld = false

    // MARK: Questions

    var isClosed: Bool { state == .closed }

    /// A new line may be handled now (the caller also checks that the client takes output).
    var takesLines: Bool {
        if case .idle = state { return true }
        return false
    }

    var inRequest: Bool {
        switch state {
        case .inRequest, .stopping(inRequest: true): true
        default: false
        }
    }

    var isStopping: Bool {
        if case .stopping = state { return true }
        return false
    }

    var session: Session? {
        switch state {
        case .idle(let s), .inRequest(let s): s
        case .stopping, .closed: nil
        }
    }

    var authenticated: Bool { session?.authenticated ?? false }

    // MARK: Requests

    /// Marks a request as in progress: later lines wait until `finishRequest`.
    mutating func startRequest() {
        guard case .idle(let s) = state else { return }
        state = .inRequest(s)
    }

    enum AfterRequest: Equatable {
        /// Handle the lines that waited.
        case takeNextLines
        /// The server is stopping and this was the last request: close once output is written.
        case closeAfterFlush
        case nothing
    }

    mutating func finishRequest() -> AfterRequest {
        switch state {
        case .inRequest(let s):
            state = .idle(s)
            return .takeNextLines
        case .stopping(inRequest: true):
            state = .closed
            return .closeAfterFlush
        case .idle, .stopping(inRequest: false), .closed:
            return .nothing
        }
    }

    // MARK: Authentication

    mutating func authenticate() {
        modifySession { $0.authenticated = true }
    }

    enum TokenVerdict: Equatable {
        /// Answer after this many milliseconds (doubling each time); later lines wait behind it.
        case refuseAfter(milliseconds: Int64)
        /// Too many wrong tokens: refuse and close.
        case refuseAndClose
    }

    /// Wrong tokens on one connection before it is closed.
    static let maxTokenFailures = 5

    /// A wrong token: answered after a delay that doubles with each failure (100 ms, 200 ms, …),
    /// and the connection closes at `maxTokenFailures`, so a client cannot try tens of thousands
    /// of tokens a second.
    mutating func tokenRefused() -> TokenVerdict {
        var failures = 0
        modifySession {
            $0.tokenFailures += 1
            failures = $0.tokenFailures
        }
        if failures >= Self.maxTokenFailures { return .refuseAndClose }
        return .refuseAfter(milliseconds: Int64(100 << (failures - 1)))
    }

    // MARK: End of input, stopping, closing

    mutating func inputClosed() {
        modifySession { $0.inputClosed = true }
    }

    /// After the client closed its sending side, close once every request is answered, unless
    /// subscriptions are still streaming to it. True when the connection should close now (the
    /// state is then `closed`).
    mutating func closeIfFinishedAfterEndOfInput(queuedLines: Int, subscriptions: Int) -> Bool {
        guard case .idle(let s) = state, s.inputClosed, queuedLines == 0, subscriptions == 0 else { return false }
        state = .closed
        return true
    }

    enum StopAction: Equatable {
        /// Already closing or stopping.
        case nothing
        /// Send `shutting_down` and end subscriptions; close now when nothing is in flight.
        case announce(closeNow: Bool)
    }

    mutating func beginStopping() -> StopAction {
        switch state {
        case .idle:
            state = .closed
            return .announce(closeNow: true)
        case .inRequest:
            state = .stopping(inRequest: true)
            return .announce(closeNow: false)
        case .stopping, .closed:
            return .nothing
        }
    }

    mutating func close() {
        state = .closed
        readHeld = false
    }

    // MARK: Back-pressure on reading

    /// Reading pauses while a request is in progress, lines wait, the client is not taking
    /// output, or the connection is closing.
    func shouldPauseReading(queuedLines: Int, writable: Bool) -> Bool {
        !takesLines || queuedLines > 0 || !writable
    }

    /// NIO wants to read: true to pass the read on, false when it is held for later.
    mutating func read(queuedLines: Int, writable: Bool) -> Bool {
        if shouldPauseReading(queuedLines: queuedLines, writable: writable) {
            readHeld = !isClosed
            return false
        }
        return true
    }

    /// True when a held read should be issued now.
    mutating func resumeReading(queuedLines: Int, writable: Bool) -> Bool {
        guard readHeld, !shouldPauseReading(queuedLines: queuedLines, writable: writable) else { return false }
        readHeld = false
        return true
    }

    private mutating func modifySession(_ body: (inout Session) -> Void) {
        switch state {
        case .idle(var s):
            body(&s)
            state = .idle(s)
        case .inRequest(var s):
            body(&s)
            state = .inRequest(s)
        case .stopping, .closed:
            break
        }
    }
}
