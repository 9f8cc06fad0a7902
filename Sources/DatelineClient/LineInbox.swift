import DequeModule
import DatelineProtocol
import Foundation
import NIOCore

/// What arrives on a client connection, held between the channel's event loop (which decodes
/// lines with `NDJSONFrameDecoder` and puts them here) and the reader (a thread that waits, or a
/// task that suspends). The connection reads from the socket only while fewer than
/// `highWaterBytes` bytes of lines wait here, so a reader that stops reading makes the server's
/// writes back up just as with a plain socket (the server's back-pressure and fall-behind are
/// tested that way).
final class LineInbox: @unchecked Sendable {
    /// What a read ends with.
    enum Item {
        case line([UInt8])
        case lineTooLong
    }

    private struct State {
        var lines = Deque<Item>()
        var queuedBytes = 0
        var ended = false
        var failure: LineClient.Failure?
        /// The channel stopped asking for bytes because `lines` is full.
        var readingPaused = false
        var waiter: CheckedContinuation<Item?, Error>?
        /// Counts suspended reads, so a read's timeout cannot end a later read.
        var waiterNumber = 0
    }

    let highWaterBytes: Int
    // NSCondition rather than NIOLockedValueBox: blocking readers wait on it with a deadline.
    private let condition = NSCondition()
    private var state = State()
    /// Set once the channel is active, for resuming reads from the reader's side.
    private var channel: Channel?

    init(highWaterBytes: Int = 64 << 10) {
        self.highWaterBytes = highWaterBytes
    }

    func attach(_ channel: Channel) {
        condition.lock()
        self.channel = channel
        condition.unlock()
    }

    // MARK: The event loop's side

    /// Adds a decoded item, or hands it straight to a suspended reader.
    func deliver(_ item: Item) {
        condition.lock()
        if let waiter = state.waiter {
            state.waiter = nil
            condition.unlock()
            waiter.resume(returning: item)
            return
        }
        state.lines.append(item)
        if case .line(let bytes) = item { state.queuedBytes += bytes.count }
        condition.signal()
        condition.unlock()
    }

    /// After a burst of reads: whether to read again, or pause until the reader catches up.
    func shouldReadMore() -> Bool {
        condition.lock()
        defer { condition.unlock() }
        if state.ended { return false }
        if state.queuedBytes >= highWaterBytes {
            state.readingPaused = true
            return false
        }
        return true
    }

    /// The connection ended (the server closed it, reset it, or a read failed).
    func end(failure: LineClient.Failure? = nil) {
        condition.lock()
        if state.ended {
            condition.unlock()
            return
        }
        state.ended = true
        state.failure = failure
        let waiter = state.waiter
        state.waiter = nil
        condition.broadcast()
        condition.unlock()
        if let waiter {
            if let failure { waiter.resume(throwing: failure) } else { waiter.resume(returning: nil) }
        }
    }

    // MARK: The reader's side

    /// Takes the next item under the lock, or says why there is none.
    private func takeLocked() -> Result<Item?, LineClient.Failure>? {
        if let item = state.lines.popFirst() {
            if case .line(let bytes) = item { state.queuedBytes -= bytes.count }
            if state.readingPaused && state.queuedBytes < highWaterBytes / 2 {
                state.readingPaused = false
                channel?.read()
            }
            return .success(item)
        }
        if state.ended {
            if let failure = state.failure { return .failure(failure) }
            return .success(nil)
        }
        return nil
    }

    /// Blocks the calling thread until an item arrives, the connection ends, or `seconds` pass.
    func next(timeout seconds: Double) throws(LineClient.Failure) -> Item? {
        let deadline = Date().addingTimeInterval(seconds)
        condition.lock()
        defer { condition.unlock() }
        while true {
            if let result = takeLocked() { return try result.get() }
            if !condition.wait(until: deadline) {
                if let result = takeLocked() { return try result.get() }
                throw LineClient.Failure.timeout(seconds: seconds)
            }
        }
    }

    /// Suspends until an item arrives or the connection ends; `timeout` is scheduled on `loop`.
    func next(timeout: TimeAmount, on loop: EventLoop) async throws -> Item? {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Item?, Error>) in
            condition.lock()
            if let result = takeLocked() {
                condition.unlock()
                continuation.resume(with: result.mapError { $0 as Error })
                return
            }
            precondition(state.waiter == nil, "two readers on one LineClient")
            state.waiter = continuation
            state.waiterNumber += 1
            let number = state.waiterNumber
            condition.unlock()
            loop.scheduleTask(in: timeout) { [self] in
                condition.lock()
                var waiter: CheckedContinuation<Item?, Error>?
                if state.waiterNumber == number {
                    waiter = state.waiter
                    state.waiter = nil
                }
                condition.unlock()
                waiter?.resume(throwing: LineClient.Failure.timeout(seconds: Double(timeout.nanoseconds) / 1e9))
            }
        }
    }
}

/// The pipeline's last handler: hands decoded lines to the inbox and reads from the socket only
/// while the inbox has room.
final class LineInboxHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NDJSONFrame

    private let inbox: LineInbox

    init(inbox: LineInbox) {
        self.inbox = inbox
    }

    func channelActive(context: ChannelHandlerContext) {
        context.read()
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .line(var buffer):
            inbox.deliver(.line(buffer.readBytes(length: buffer.readableBytes) ?? []))
        case .oversized:
            inbox.deliver(.lineTooLong)
        case .discarding:
            break
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if inbox.shouldReadMore() { context.read() }
        context.fireChannelReadComplete()
    }

    func channelInactive(context: ChannelHandlerContext) {
        inbox.end()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        // A reset ends the connection like a close (the lines already read stay readable).
        if let io = error as? IOError, io.errnoCode == ECONNRESET {
            inbox.end()
        } else {
            inbox.end(failure: .io(operation: "recv", errno: (error as? IOError)?.errnoCode ?? EIO))
        }
        context.close(promise: nil)
    }
}

@available(*, unavailable)
extension LineInboxHandler: Sendable {}
