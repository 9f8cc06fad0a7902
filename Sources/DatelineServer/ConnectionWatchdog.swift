import DatelineProtocol
import NIOCore

/// The connection's clocks: a socket that accepts nothing, a partial line left hanging, quiet
/// subscriptions that are owed a heartbeat. Pure: the handler passes the time and what it sees
/// and acts on the verdict, so each rule is testable without a socket or a wait.
struct ConnectionWatchdog {
    let heartbeatInterval: TimeAmount
    let writeDeadline: TimeAmount
    let partialLineTimeout: TimeAmount

    /// When the socket last took output (or was found writable).
    private(set) var lastProgress: NIODeadline
    /// Bytes waiting in the channel at the last check while it was not writable.
    private(set) var lastBuffered = 0
    /// Since when a partial line has been waiting for its newline while this side reads.
    private(set) var partialSince: NIODeadline?
    private(set) var partialBytes = 0

    init(limits: ProtocolLimits, now: NIODeadline) {
        heartbeatInterval = limits.heartbeatInterval
        writeDeadline = limits.slowConsumerWriteDeadline
        partialLineTimeout = limits.partialLineTimeout
        lastProgress = now
    }

    /// How often `check` runs: often enough for the shortest of the three clocks.
    var tickInterval: TimeAmount {
        let candidates = [heartbeatInterval.nanoseconds / 2, writeDeadline.nanoseconds / 4,
                          partialLineTimeout.nanoseconds / 4, 1_000_000_000]
        return .nanoseconds(max(10_000_000, candidates.min()!))
    }

    /// After a read: the bytes the client has sent since its last newline.
    mutating func partialLine(bytes: Int, now: NIODeadline) {
        partialBytes = bytes
        if bytes > 0 {
            if partialSince == nil { partialSince = now }
        } else {
            partialSince = nil
        }
    }

    /// Reading resumed after a pause: a partial line's clock starts again, since the client
    /// could not send its newline while this side did not read.
    mutating func readingResumed(now: NIODeadline) {
        if partialSince != nil { partialSince = now }
    }

    /// The channel became writable again.
    mutating func wroteOut(now: NIODeadline) {
        lastProgress = now
        lastBuffered = 0
    }

    enum Verdict: Equatable {
        case fine
        /// The socket accepted nothing for the write deadline while output waited.
        case slowConsumer(bufferedBytes: Int)
        /// A partial line waited longer than its timeout.
        case partialLineHung(bytes: Int)
    }

    /// - Parameters:
    ///   - writable: the channel is below its high-water mark.
    ///   - buffered: bytes waiting in the channel (read only when not writable).
    ///   - readHeld: this side is not reading (the client cannot be blamed for a partial line).
    mutating func check(now: NIODeadline, writable: Bool, buffered: () -> Int, readHeld: Bool) -> Verdict {
        if !writable {
            let bytes = buffered()
            if bytes < lastBuffered { lastProgress = now }
            lastBuffered = bytes
            if now - lastProgress >= writeDeadline { return .slowConsumer(bufferedBytes: bytes) }
        } else {
            lastProgress = now
            lastBuffered = 0
        }
        if let since = partialSince, !readHeld, now - since >= partialLineTimeout {
            return .partialLineHung(bytes: partialBytes)
        }
        return .fine
    }

    /// Whether a live subscription quiet since `lastActivity` is owed a heartbeat.
    func heartbeatDue(lastActivity: NIODeadline, now: NIODeadline) -> Bool {
        now - lastActivity >= heartbeatInterval
    }
}
