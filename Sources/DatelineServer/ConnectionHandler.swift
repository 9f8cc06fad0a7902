import DatelineCore
import DatelineProtocol
import Foundation
import Logging
import NIOCore

/// One client connection: the NIO events, the queue of lines, output and back-pressure.
///
/// It sits after the framing (`addDatelineFraming`), so it reads `NDJSONFrame`s. Everything
/// here runs on the channel's event loop. The connection's life is `state` (one
/// `ConnectionStateMachine`); what a request becomes is `RequestRouter`'s; the jobs live in
/// extensions by kind: requests (`ConnectionHandler+Requests`), paged reads
/// (`+PagedReads`), subscriptions (`+Subscriptions`), timers (`+Timers`), stats (`ServerStats`).
/// Reading pauses while a request is in progress, lines wait, or the channel is not writable,
/// so a client that sends requests without reading the replies grows no buffer.
final class ConnectionHandler: ChannelDuplexHandler {
    typealias InboundIn = NDJSONFrame
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let core: ServerCore
    let router: RequestRouter
    var logger: Logger
    var context: ChannelHandlerContext?
    /// The registry's id for this connection, once registered. Only the id: the registry's
    /// entry holds this handler and its channel, so keeping the entry here made a cycle that
    /// kept every closed connection, with its last receive buffer, alive for good.
    var connectionID: Int?
    var loopHub: LoopHub?

    // Identity
    var name: String?
    var peer = "?"
    let connectedAt = Timestamp(rawValue: Int64(Date().timeIntervalSince1970 * 1_000_000))

    /// The connection's life: requests in progress, end of input, stopping, closing.
    var state = ConnectionStateMachine()
    /// Lines read but not yet handled, in arrival order.
    var lines = CircularBuffer<NDJSONFrame>(initialCapacity: 4)
    /// The `read` or `replay` streaming pages, if any.
    var activeJob: PagedJob?
    var jobSerial = 0
    var watchdog: ConnectionWatchdog
    var tickTask: Scheduled<Void>?
    var resumeScheduled = false
    var generatedIDs = 0

    /// Output built this turn, written by `flushOut`.
    var out = ByteBuffer()

    /// Subscriptions, in the order they were opened.
    var subscriptions: [Subscription] = []

    init(core: ServerCore) {
        self.core = core
        self.router = RequestRouter(configuration: core.configuration)
        self.logger = core.logger
        self.watchdog = ConnectionWatchdog(limits: core.limits, now: .now())
    }

    // MARK: Lifecycle

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        peer = context.remoteAddress.map { "\($0.ipAddress ?? "?"):\($0.port ?? 0)" } ?? "?"
        guard let entry = core.registry.add(channel: context.channel, handler: self, limit: core.limits.maxConnections) else {
            let error = core.registry.stopping ? ProtocolError.shuttingDown(id: nil)
                                               : ProtocolError.tooManyConnections(limit: core.limits.maxConnections)
            logger.notice("refused connection", metadata: ["peer": "\(peer)", "reason": "\(error.code)"])
            state.close()
            Reply.error(error, into: &out)
            flushOut(closeAfter: true)
            return
        }
        connectionID = entry.id
        logger[metadataKey: "connection"] = "\(entry.id)"
        logger.debug("connection opened", metadata: ["peer": "\(peer)"])
        loopHub = core.hub.loopHub(for: context.eventLoop)
        Reply.hello(ServerHello(serverVersion: core.configuration.serverVersion, head: core.hub.head,
                                limits: core.limits, writesNeedAuth: core.writesNeedAuth), into: &out)
        flushOut()
        scheduleTick()
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        state.close()
        tickTask?.cancel()
        tickTask = nil
        activeJob = nil
        lines.removeAll()
        for sub in subscriptions where sub.filter.needsFacts { core.hub.changeFactsSubscribers(by: -1) }
        subscriptions.removeAll()
        loopHub?.remove(self)
        out = ByteBuffer()
        if let connectionID {
            core.registry.remove(connectionID)
            logger.debug("connection closed", metadata: ["peer": "\(peer)"])
        }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        logger.debug("connection error", metadata: ["error": "\(error)"])
        close()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let notice = event as? PartialLineNotice {
            watchdog.partialLine(bytes: notice.bytesWithoutNewline, now: .now())
            return
        }
        if let event = event as? ChannelEvent, event == .inputClosed {
            // The decoder has handed over the last line (one without a newline) already.
            state.inputClosed()
            processLines()
            closeIfFinishedAfterEndOfInput()
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    /// After the client closed its sending side: close once every request is answered, unless
    /// subscriptions are still streaming to it.
    func closeIfFinishedAfterEndOfInput() {
        if state.closeIfFinishedAfterEndOfInput(queuedLines: lines.count, subscriptions: subscriptions.count) {
            flushOut(closeAfter: true)
        }
    }

    // MARK: Input and back-pressure

    var isWritable: Bool { context?.channel.isWritable ?? false }

    func read(context: ChannelHandlerContext) {
        if state.read(queuedLines: lines.count, writable: isWritable) { context.read() }
    }

    func resumeReadingIfPossible() {
        guard let context, state.resumeReading(queuedLines: lines.count, writable: isWritable) else { return }
        watchdog.readingResumed(now: .now())
        context.read()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !state.isClosed else { return }
        lines.append(unwrapInboundIn(data))
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        processLines()
        context.fireChannelReadComplete()
    }

    /// Handles queued lines while no request is in progress and the client is taking output.
    func processLines() {
        while !lines.isEmpty, state.takesLines, isWritable, out.readableBytes < 1 << 16 {
            handle(lines.removeFirst())
        }
        if lines.isEmpty && lines.capacity > 64 { lines = CircularBuffer(initialCapacity: 4) }
        flushOut()
        resumeReadingIfPossible()
    }

    private func handle(_ frame: NDJSONFrame) {
        switch frame {
        case .line(let line):
            switch core.parser.parse(line) {
            case .success(let request): run(router.route(request, authenticated: state.authenticated), id: request.id)
            case .failure(let error): fail(error)
            }
        case .oversized(let byteCount, _):
            let abuse = core.limits.isAbuse(frame)
            fail(ProtocolError.lineTooLong(byteCount: byteCount, limits: core.limits, closes: abuse))
            if abuse {
                core.registry.countAbuse()
                logger.notice("closing connection: repeated oversized lines", metadata: ["peer": "\(peer)"])
            }
        case .discarding(let bytes):
            if core.limits.isAbuse(frame) {
                core.registry.countAbuse()
                logger.notice("closing connection: no newline", metadata: ["peer": "\(peer)", "bytes": "\(bytes)"])
                fail(ProtocolError.noNewline(byteCount: bytes, limits: core.limits))
            }
        }
    }

    /// Writes an error line, and closes the connection when the error says so.
    func fail(_ error: ProtocolError) {
        Reply.error(error, into: &out)
        if error.closes {
            state.close()
            flushOut(closeAfter: true)
        }
    }

    /// Marks a request as in progress: later lines wait until `finishRequest`.
    func beginRequest() {
        state.startRequest()
    }

    func finishRequest() {
        activeJob = nil
        switch state.finishRequest() {
        case .takeNextLines:
            processLines()
            closeIfFinishedAfterEndOfInput()
        case .closeAfterFlush:
            flushOut(closeAfter: true)
        case .nothing:
            flushOut()
        }
    }

    // MARK: Output

    var eventLoop: EventLoop { context!.eventLoop }

    /// Whether the client is taking output: the channel is below its high-water mark and this
    /// turn has not built up more than a chunk.
    var canWrite: Bool { isWritable && out.readableBytes < 1 << 16 }

    /// Writes what this turn produced and flushes it. The buffer is handed to the channel and
    /// replaced by an empty one, so no connection keeps a large buffer after a large reply.
    func flushOut(closeAfter: Bool = false) {
        guard let context else { return }
        if out.readableBytes > 0 {
            let chunk = out
            out = context.channel.allocator.buffer(capacity: 0)
            if closeAfter {
                context.writeAndFlush(wrapOutboundOut(chunk)).assumeIsolated().whenComplete { _ in
                    self.context?.close(promise: nil)
                }
                return
            }
            context.writeAndFlush(wrapOutboundOut(chunk), promise: nil)
        } else if closeAfter {
            context.close(promise: nil)
        }
    }

    /// After QUIT: the reply, then the end of output so every client reads to the end, then a
    /// reset a moment later, because `nc` notices a close only when it next sends a line and
    /// would otherwise wait for the person to type one.
    func closeAfterQuit() {
        guard let context else { return }
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(out)).assumeIsolated().whenComplete { _ in
            channel.close(mode: .output, promise: nil)
            channel.eventLoop.scheduleTask(in: .milliseconds(250)) {
                _ = (channel as? SocketOptionProvider)?.setSoLinger(linger(l_onoff: 1, l_linger: 0))
                channel.close(promise: nil)
            }
        }
        out = channel.allocator.buffer(capacity: 0)
    }

    func close() {
        state.close()
        context?.close(promise: nil)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            watchdog.wroteOut(now: .now())
            // This fires inside `writeAndFlush`, in the middle of whatever is flushing (a replay
            // page, say): resuming here re-entered that code, which then wrote a second `end`
            // or started the next request while the first still ran. Resume on the next turn.
            if !resumeScheduled {
                resumeScheduled = true
                context.eventLoop.assumeIsolated().execute {
                    self.resumeScheduled = false
                    self.writableAgain()
                }
            }
        }
        context.fireChannelWritabilityChanged()
    }

    /// The client took enough output: resume whatever waited for it.
    private func writableAgain() {
        guard !state.isClosed, isWritable else { return }
        for sub in subscriptions { pumpSubscription(sub) }
        pumpActiveJob()
        processLines()
        closeIfFinishedAfterEndOfInput()
    }

    // MARK: Shutdown

    /// The server is stopping: tell the client, answer the request in progress, then end its
    /// subscriptions and close.
    func beginStopping() {
        guard case .announce(let closeNow) = state.beginStopping() else { return }
        for index in subscriptions.indices.reversed() { endSubscription(at: index, reason: .shuttingDown) }
        Reply.shuttingDown(into: &out)
        lines.removeAll()
        flushOut(closeAfter: closeNow)
    }
}

@available(*, unavailable)
extension ConnectionHandler: Sendable {}

extension RequestID {
    var replyValue: ReplyValue {
        switch self {
        case .string(let s): .string(s)
        case .number(let n): .int(n)
        }
    }
}
