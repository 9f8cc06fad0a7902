import DatelineCore
import DatelineProtocol
import DatelineService
import EventLog
import Foundation
import Logging
import NIOCore

/// One client connection: framing, requests in order, subscriptions, back-pressure.
///
/// Everything here runs on the channel's event loop. Requests are handled one at a time in the
/// order they arrive; while one is in progress (an ingest, a replay streaming pages from the
/// log), further lines wait and the socket is not read, so a client cannot queue unbounded
/// work. Reading also pauses while the channel is not writable, so a client that sends
/// requests without reading the replies cannot grow the output buffer either.
final class ConnectionHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let core: ServerCore
    private var logger: Logger
    private var context: ChannelHandlerContext?
    private var entry: ConnectionEntry?
    private var loopHub: LoopHub?

    // Identity
    private(set) var name: String?
    private var peer = "?"
    private let connectedAt = Timestamp(rawValue: Int64(Date().timeIntervalSince1970 * 1_000_000))
    private var authenticated = false
    private var tokenFailures = 0

    // Input
    private var decoder: NDJSONFrameDecoder
    private var inbound = ByteBuffer()
    private var frames: [NDJSONFrame] = []
    private var frameHead = 0
    private var readPending = false
    private var inputClosed = false
    private var partialSince: NIODeadline?

    // Requests
    private var busy = false
    private var activeJob: PagedJob?
    private var closing = false
    private var stopping = false
    private var generatedIDs = 0

    // Output
    private var out = ByteBuffer()
    private var lastProgress = NIODeadline.now()
    private var lastBuffered = 0
    private var tickTask: Scheduled<Void>?
    private var resumeScheduled = false

    // Subscriptions, in the order they were opened.
    private var subscriptions: [Subscription] = []

    init(core: ServerCore) {
        self.core = core
        self.logger = core.logger
        self.decoder = NDJSONFrameDecoder(limits: core.limits)
    }

    // MARK: Lifecycle

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func channelActive(context: ChannelHandlerContext) {
        peer = context.remoteAddress.map { "\($0.ipAddress ?? "?"):\($0.port ?? 0)" } ?? "?"
        guard let entry = core.registry.add(channel: context.channel, handler: self, limit: core.limits.maxConnections) else {
            let error = core.registry.stopping ? ProtocolError.shuttingDown(id: nil)
                                               : ProtocolError.tooManyConnections(limit: core.limits.maxConnections)
            logger.notice("refused connection", metadata: ["peer": "\(peer)", "reason": "\(error.code)"])
            closing = true
            Reply.error(error, into: &out)
            flushOut(closeAfter: true)
            return
        }
        self.entry = entry
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
        closing = true
        tickTask?.cancel()
        tickTask = nil
        for sub in subscriptions where sub.filter.needsFacts { core.hub.changeFactsSubscribers(by: -1) }
        subscriptions.removeAll()
        loopHub?.remove(self)
        if let entry {
            core.registry.remove(entry.id)
            logger.debug("connection closed", metadata: ["peer": "\(peer)"])
        }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        logger.debug("connection error", metadata: ["error": "\(error)"])
        close()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed {
            inputClosed = true
            var rest = inbound
            inbound = ByteBuffer()
            while let frame = try? decoder.decodeLast(buffer: &rest, seenEOF: true) { frames.append(frame) }
            processFrames()
            closeIfFinishedAfterEOF()
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    /// After the client closed its sending side: close once every request is answered, unless
    /// subscriptions are still streaming to it.
    private func closeIfFinishedAfterEOF() {
        guard inputClosed, !busy, !stopping, frameHead >= frames.count, subscriptions.isEmpty, !closing else { return }
        flushOut(closeAfter: true)
    }

    // MARK: Back-pressure on reading

    private var shouldPauseReading: Bool {
        busy || closing || frameHead < frames.count || !(context?.channel.isWritable ?? false)
    }

    func read(context: ChannelHandlerContext) {
        if shouldPauseReading {
            readPending = true
        } else {
            context.read()
        }
    }

    private func resumeReadingIfPossible() {
        guard readPending, !shouldPauseReading, let context else { return }
        readPending = false
        if partialSince != nil { partialSince = .now() }
        context.read()
    }

    // MARK: Input

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !closing else { return }
        var bytes = unwrapInboundIn(data)
        if inbound.readableBytes == 0 {
            inbound = bytes
        } else {
            inbound.writeBuffer(&bytes)
        }
        while let frame = try? decoder.decode(buffer: &inbound) {
            frames.append(frame)
        }
        if inbound.readableBytes == 0 {
            inbound = ByteBuffer()
        } else if inbound.readerIndex > 1 << 16 {
            inbound.discardReadBytes()
        }
        if decoder.bytesWithoutNewline > 0 {
            if partialSince == nil { partialSince = .now() }
        } else {
            partialSince = nil
        }
        processFrames()
    }

    /// Handles queued lines while no request is in progress and the client is taking output.
    private func processFrames() {
        while frameHead < frames.count, !busy, !closing, context?.channel.isWritable ?? false, out.readableBytes < 1 << 16 {
            let frame = frames[frameHead]
            frameHead += 1
            handle(frame)
        }
        if frameHead >= frames.count {
            frames.removeAll(keepingCapacity: frames.capacity <= 64)
            frameHead = 0
        }
        flushOut()
        resumeReadingIfPossible()
    }

    private func handle(_ frame: NDJSONFrame) {
        switch frame {
        case .line(let line):
            switch core.parser.parse(line) {
            case .success(let request): dispatch(request)
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
    private func fail(_ error: ProtocolError) {
        Reply.error(error, into: &out)
        if error.closes {
            closing = true
            flushOut(closeAfter: true)
        }
    }

    // MARK: Requests

    private func dispatch(_ parsed: ParsedRequest) {
        let id = parsed.id
        let op = parsed.request.op
        if stopping, op != .quit {
            fail(ProtocolError(.shuttingDown, "the server is shutting down; no new requests", id: id, closes: false))
            return
        }
        if core.writesNeedAuth && !authenticated {
            let open: Set<Op> = [.hello, .ping, .help, .auth, .quit]
            if op.isWrite {
                fail(ProtocolError.authRequired(id: id))
                return
            }
            if core.configuration.readsNeedAuth && !open.contains(op) {
                fail(ProtocolError(.authRequired, "this server needs {\"op\":\"auth\",\"token\":\"…\"} before reads and writes",
                                   id: id))
                return
            }
        }
        switch parsed.request {
        case .hello(let client):
            if let client { name = String(client.prefix(128)) }
            Reply.helloOK(id: id, serverVersion: core.configuration.serverVersion, client: name, into: &out)
        case .ping:
            Reply.pong(id: id, head: core.hub.head, into: &out)
        case .help:
            Reply.help(id: id, into: &out)
        case .auth(let token):
            if let expected = core.configuration.token, !Self.constantTimeEqual(token, expected) {
                logger.notice("auth refused", metadata: ["peer": "\(peer)"])
                refuseToken(id: id)
            } else {
                authenticated = true
                Reply.authOK(id: id, into: &out)
            }
        case .ingest(let article):
            ingest(article, id: id)
        case .append(let request):
            append(request, id: id)
        case .read(let request):
            startRead(request, id: id)
        case .replay(let request):
            if let problem = core.limits.problem(with: request.filter) {
                fail(ProtocolError(.badRequest, problem, id: id))
                return
            }
            startReplay(request, id: id)
        case .subscribe(let request):
            if let problem = core.limits.problem(with: request.filter) {
                fail(ProtocolError(.badRequest, problem, id: id))
                return
            }
            subscribe(request, id: id)
        case .unsubscribe(let target):
            guard let index = subscriptions.firstIndex(where: { $0.id == target }) else {
                fail(ProtocolError.subscriptionNotFound(id: id, subscription: target))
                return
            }
            endSubscription(at: index, reason: .unsubscribed)
            Reply.unsubscribeOK(id: id, subscription: target, into: &out)
            closeIfFinishedAfterEOF()
        case .query(let request):
            if let problem = core.limits.problem(with: request) {
                fail(ProtocolError(.badRequest, problem, id: id))
                return
            }
            query(request, id: id)
        case .stats:
            stats(id: id)
        case .quit:
            for index in subscriptions.indices.reversed() { endSubscription(at: index, reason: .quit) }
            Reply.quitOK(id: id, into: &out)
            closing = true
            closeAfterQuit()
        }
    }

    /// Wrong tokens on one connection before it is closed.
    static let maxTokenFailures = 5

    /// A wrong token: answered after a delay that doubles with each failure (100 ms, 200 ms,
    /// …; later lines wait behind it), and the connection closes at `maxTokenFailures`, so a
    /// client cannot try tens of thousands of tokens a second.
    private func refuseToken(id: RequestID?) {
        tokenFailures += 1
        if tokenFailures >= Self.maxTokenFailures {
            core.registry.countAbuse()
            logger.notice("closing connection: repeated wrong tokens", metadata: ["peer": "\(peer)"])
            fail(ProtocolError(.authRequired, "token not accepted; too many wrong tokens, closing", id: id, closes: true))
            return
        }
        guard let context else { return }
        beginRequest()
        let delay = TimeAmount.milliseconds(Int64(100 << (tokenFailures - 1)))
        context.eventLoop.assumeIsolated().scheduleTask(in: delay) {
            self.fail(ProtocolError.tokenRejected(id: id))
            self.finishRequest()
        }
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        var diff = UInt8(x.count == y.count ? 0 : 1)
        for i in 0..<max(x.count, y.count) {
            diff |= (i < x.count ? x[i] : 0) ^ (i < y.count ? y[i] : 0)
        }
        return diff == 0
    }

    /// Marks a request as in progress: later lines wait until `finishRequest`.
    private func beginRequest() {
        busy = true
    }

    private func finishRequest() {
        busy = false
        activeJob = nil
        if stopping {
            finishStopping()
            return
        }
        processFrames()
        closeIfFinishedAfterEOF()
    }

    /// Runs async work off the loop, then `completion` back on it.
    private func runAsync<T: Sendable>(_ work: @escaping @Sendable () async throws -> T,
                                       completion: @escaping (Result<T, Error>) -> Void) {
        guard let context else { return }
        let promise = context.eventLoop.makePromise(of: T.self)
        promise.completeWithTask(work)
        promise.futureResult.assumeIsolated().whenComplete(completion)
    }

    private func ingest(_ article: Article, id: RequestID?) {
        beginRequest()
        let engine = core.engine, hub = core.hub
        runAsync({
            let outcome = try await engine.ingest(article)
            if let last = outcome.positions.max() { await hub.waitUntilPublished(last) }
            return outcome
        }) { result in
            switch result {
            case .success(let o):
                Reply.ingestOK(id: id, o, into: &self.out)
            case .failure(let error):
                self.fail(self.protocolError(error, id: id))
            }
            self.finishRequest()
        }
    }

    private func append(_ request: DatelineProtocol.AppendRequest, id: RequestID?) {
        // The engine's streams, types and ids are written only by ingest (see `EngineNamespace`).
        if let refusal = EngineNamespace.refusal(stream: request.stream, types: request.events.map(\.type),
                                                 ids: request.events.map(\.eventID)) {
            fail(ProtocolError(.badRequest, refusal, id: id, details: ["reason": .string("reserved")]))
            return
        }
        beginRequest()
        let events = request.proposedEvents(makeID: { try! EventID("ev-" + UUID().uuidString.lowercased()) })
        let log = core.log, hub = core.hub
        runAsync({
            let appended = try await log.append(to: request.stream, expecting: request.expect, events: events)
            if let last = appended.positions.last { await hub.waitUntilPublished(last) }
            return appended
        }) { result in
            switch result {
            case .success(let appended): Reply.appendOK(id: id, appended, into: &self.out)
            case .failure(let error): self.fail(self.protocolError(error, id: id))
            }
            self.finishRequest()
        }
    }

    /// The wire error for a failure of the log or the engine (never with payload bytes).
    private func protocolError(_ error: Error, id: RequestID?) -> ProtocolError {
        if var e = error as? ProtocolError {
            if e.id == nil { e.id = id }
            return e
        }
        if let tooLarge = error as? ArticleTooLarge {
            return ProtocolError(.badRequest, tooLarge.description, id: id,
                                 details: ["max_article_bytes": .int(Int64(Article.maxTextBytes))])
        }
        guard let logError = error as? EventLogError else {
            logger.error("request failed", metadata: ["error": "\(error)"])
            return .internal(id: id, "\(error)")
        }
        switch logError {
        case .wrongExpectedVersion(let stream, let expected, let actual):
            return .wrongExpectedVersion(id: id, stream: stream, expected: expected, actual: actual)
        case .emptyBatch, .duplicateEventIDInBatch, .mixedEventIDs, .eventIDInOtherStream:
            return ProtocolError(.badRequest, logError.description, id: id)
        case .closed:
            return ProtocolError(.shuttingDown, "the log is closed; the server is shutting down", id: id, closes: false)
        case .diskFull:
            logger.error("append failed", metadata: ["error": "\(logError)"])
            return .busy(id: id, reason: "the log's disk is full")
        case .unavailable:
            logger.warning("log unavailable", metadata: ["error": "\(logError)"])
            return ProtocolError(.unavailable, logError.description + "; nothing was acknowledged: retry with the same event ids", id: id)
        default:
            logger.error("log failure", metadata: ["error": "\(logError)"])
            return .internal(id: id, logError.description)
        }
    }

    private func query(_ request: QueryRequest, id: RequestID?) {
        guard let handler = core.configuration.queryHandler else {
            fail(ProtocolError(.notFound, "queries are not available on this server (no timelines are configured)", id: id))
            return
        }
        beginRequest()
        runAsync({ try await handler(request) }) { result in
            switch result {
            case .success(let rows):
                for row in rows { Reply.row(id: id, kind: request.kind, row, into: &self.out) }
                Reply.queryEnd(id: id, kind: request.kind, count: rows.count, into: &self.out)
            case .failure(let error):
                self.fail(self.protocolError(error, id: id))
            }
            self.finishRequest()
        }
    }

    // MARK: Read and replay: pages from the log, written as the client takes them

    private enum PagedJob {
        case read(ReadJob)
        case replay(ReplayJob)
    }

    private final class ReadJob {
        let id: RequestID?
        /// Set when the `end` line is written: a pump that comes back later does nothing.
        var finished = false
        let stream: StreamName
        var next: StreamVersion
        var remaining: Int
        var count = 0
        var readInFlight = false
        init(id: RequestID?, stream: StreamName, next: StreamVersion, remaining: Int) {
            self.id = id
            self.stream = stream
            self.next = next
            self.remaining = remaining
        }
    }

    private final class ReplayJob {
        let id: RequestID?
        /// Set when the `end` line is written: a pump that comes back later does nothing.
        var finished = false
        let filter: SubscriptionFilter
        /// Every event at or before this has been written or skipped.
        var sent: Position
        /// The head when the replay began: it stops there.
        let end: Position
        var remaining: Int
        var count = 0
        var readInFlight = false
        init(id: RequestID?, filter: SubscriptionFilter, sent: Position, end: Position, remaining: Int) {
            self.id = id
            self.filter = filter
            self.sent = sent
            self.end = end
            self.remaining = remaining
        }
    }

    private func startRead(_ request: ReadRequest, id: RequestID?) {
        beginRequest()
        let stream = request.stream
        core.read(on: eventLoop) { try await $0.streamVersion(stream) }.assumeIsolated().whenComplete { result in
            switch result {
            case .success(.none):
                self.fail(ProtocolError.streamNotFound(id: id, stream: stream))
                self.finishRequest()
            case .success(.some):
                let job = ReadJob(id: id, stream: stream, next: request.fromVersion, remaining: request.limit ?? Int.max)
                self.activeJob = .read(job)
                self.pumpRead(job)
            case .failure(let error):
                self.fail(self.protocolError(error, id: id))
                self.finishRequest()
            }
        }
    }

    private func pumpRead(_ job: ReadJob) {
        guard !job.finished else { return }
        guard !job.readInFlight, !closing, canWrite else { flushOut(); return }
        if job.remaining == 0 {
            finishRead(job)
            return
        }
        job.readInFlight = true
        let stream = job.stream, from = job.next, limit = min(core.configuration.pageEvents, job.remaining)
        core.read(on: eventLoop) { try await $0.readStream(stream, from: from, limit: limit) }.assumeIsolated().whenComplete { result in
            job.readInFlight = false
            guard !self.closing else { return }
            switch result {
            case .success(let events):
                for event in events {
                    Reply.event(id: job.id, event, into: &self.out)
                    job.next = StreamVersion(event.version.rawValue + 1)
                    job.count += 1
                    job.remaining -= 1
                }
                if events.count < limit {
                    self.finishRead(job)
                } else {
                    self.flushOut()
                    self.pumpRead(job)
                }
            case .failure(let error):
                job.finished = true
                self.fail(self.protocolError(error, id: job.id))
                self.finishRequest()
            }
        }
    }

    private func finishRead(_ job: ReadJob) {
        guard !job.finished else { return }
        job.finished = true
        Reply.readEnd(id: job.id, stream: job.stream, nextVersion: job.next, count: job.count, into: &out)
        finishRequest()
    }

    private func startReplay(_ request: ReplayRequest, id: RequestID?) {
        beginRequest()
        resolveStart(request.from, id: id) { start, head in
            let job = ReplayJob(id: id, filter: request.filter, sent: start, end: head,
                                remaining: request.limit ?? Int.max)
            self.activeJob = .replay(job)
            self.pumpReplay(job)
        } failure: { error in
            self.fail(error)
            self.finishRequest()
        }
    }

    private func pumpReplay(_ job: ReplayJob) {
        guard !job.finished else { return }
        guard !job.readInFlight, !closing, canWrite else { flushOut(); return }
        if job.remaining == 0 || job.sent >= job.end {
            finishReplay(job)
            return
        }
        job.readInFlight = true
        let from = job.sent.next
        let limit = Int(min(Int64(core.configuration.pageEvents), job.end.rawValue - job.sent.rawValue))
        let filter = job.filter
        // The filter runs on the read thread with the read: payload scans stay off the loop.
        core.read(on: eventLoop) { log in
            do {
                return FilteredPage(try await log.read(from: from, limit: limit), filter)
            } catch EventLogError.corruptPayload(let position, _) where position > from {
                // The good events before a corrupt one are delivered; the next page starts at
                // it and answers the error naming its position.
                return FilteredPage(try await log.read(from: from, limit: Int(position.rawValue - from.rawValue)), filter)
            }
        }.assumeIsolated().whenComplete { result in
            job.readInFlight = false
            guard !self.closing else { return }
            switch result {
            case .success(let page):
                let events = page.events
                for (i, event) in events.enumerated() where event.position > job.sent && event.position <= job.end {
                    if page.matches[i] {
                        Reply.event(id: job.id, event, into: &self.out)
                        job.count += 1
                        job.remaining -= 1
                    }
                    job.sent = event.position
                    if job.remaining == 0 { break }
                }
                if events.isEmpty { job.sent = job.end }  // nothing more in the log
                self.flushOut()
                self.pumpReplay(job)
            case .failure(let error):
                job.finished = true
                self.fail(self.protocolError(error, id: job.id))
                self.finishRequest()
            }
        }
    }

    private func finishReplay(_ job: ReplayJob) {
        guard !job.finished else { return }
        job.finished = true
        Reply.replayEnd(id: job.id, next: job.sent.next, count: job.count, head: job.end, into: &out)
        finishRequest()
    }

    /// Turns a start point into "everything after this position has yet to be sent", with the
    /// head at the time. A time needs a log lookup, done on the read threads.
    private func resolveStart(_ from: StartPoint, id: RequestID?, success: @escaping (Position, Position) -> Void,
                              failure: @escaping (ProtocolError) -> Void) {
        let head = core.hub.head
        switch from {
        case .start: success(.start, head)
        case .now: success(head, head)
        case .last(let n): success(Position(max(0, head.rawValue - Int64(n))), head)
        case .position(let p):
            if p.rawValue > head.rawValue + 1 {
                failure(ProtocolError.positionOutOfRange(id: id, position: p, head: head))
            } else {
                success(Position(max(0, p.rawValue - 1)), head)
            }
        case .time(let t):
            core.read(on: eventLoop) { try await $0.firstPosition(atOrAfter: t) }.assumeIsolated().whenComplete { result in
                switch result {
                case .success(let p?): success(Position(max(0, p.rawValue - 1)), max(head, self.core.hub.head))
                case .success(nil):
                    let now = self.core.hub.head
                    success(now, now)
                case .failure(let error): failure(self.protocolError(error, id: id))
                }
            }
        }
    }

    // MARK: Subscriptions

    private func subscribe(_ request: SubscribeRequest, id: RequestID?) {
        let subID: RequestID
        if let id {
            subID = id
        } else {
            // sub-1, sub-2, … in order on the connection, skipping names in use.
            repeat {
                generatedIDs += 1
            } while subscriptions.contains(where: { $0.id == .string("sub-\(generatedIDs)") })
            subID = .string("sub-\(generatedIDs)")
        }
        if subscriptions.contains(where: { $0.id == subID }) {
            fail(ProtocolError.subscriptionIDInUse(id: subID))
            return
        }
        if subscriptions.count >= core.limits.maxSubscriptionsPerConnection {
            fail(ProtocolError.tooManySubscriptions(id: subID, limit: core.limits.maxSubscriptionsPerConnection))
            return
        }
        let sub = Subscription(id: subID, filter: request.filter, state: .catchingUp, sent: core.hub.head, now: .now(),
                               createdAt: Timestamp(rawValue: Int64(Date().timeIntervalSince1970 * 1_000_000)))
        subscriptions.append(sub)
        if sub.filter.needsFacts { core.hub.changeFactsSubscribers(by: 1) }
        if subscriptions.count == 1 { loopHub?.add(self) }
        logger.debug("subscribed", metadata: ["subscription": "\(subID)", "from": "\(request.from)"])
        resolveStart(request.from, id: subID) { start, _ in
            guard self.subscriptions.contains(where: { $0 === sub }) else { return }
            sub.sent = start
            sub.seen = start
            sub.resolved = true
            self.pumpSubscription(sub)
            self.flushOut()
        } failure: { error in
            guard let index = self.subscriptions.firstIndex(where: { $0 === sub }) else { return }
            self.removeSubscription(at: index)
            self.fail(error)
            self.flushOut()
        }
    }

    private func removeSubscription(at index: Int) {
        let sub = subscriptions.remove(at: index)
        if sub.filter.needsFacts { core.hub.changeFactsSubscribers(by: -1) }
        if subscriptions.isEmpty { loopHub?.remove(self) }
    }

    /// Writes the subscription's `end` line and forgets it.
    private func endSubscription(at index: Int, reason: EndReason) {
        let sub = subscriptions[index]
        removeSubscription(at: index)
        Reply.subscriptionEnd(id: sub.id, next: sub.sent.next, reason: reason, into: &out)
    }

    /// Whether the client is taking output: the channel is below its high-water mark and this
    /// turn has not built up more than a chunk.
    private var canWrite: Bool {
        (context?.channel.isWritable ?? false) && out.readableBytes < 1 << 16
    }

    /// A batch of committed events from the hub.
    func deliver(_ batch: CommittedBatch) {
        guard !closing, !subscriptions.isEmpty else { return }
        let limit = core.limits.subscriberBufferEvents
        let byteLimit = core.configuration.subscriberBufferBytes
        for sub in subscriptions where sub.state == .live {
            for (i, event) in batch.events.enumerated() where event.position > sub.seen {
                sub.seen = event.position
                let facts = batch.facts?[i] ?? .none
                let matches = sub.filter.needsFacts && batch.facts == nil ? sub.filter.matches(event)
                                                                           : sub.filter.matches(event, facts: facts)
                if !sub.hasPending && canWrite {
                    if matches {
                        // One allocation for the line instead of growing the buffer field by field.
                        out.reserveCapacity(minimumWritableBytes: batch.bodies[i].bytes.readableBytes + 160)
                        Reply.event(id: sub.id, body: batch.bodies[i], into: &out)
                        sub.eventsSent += 1
                        sub.lastActivity = .now()
                    }
                    sub.sent = event.position
                    if out.readableBytes >= 1 << 16 { flushOut() }
                } else if matches {
                    sub.enqueue(event.position, batch.bodies[i])
                    if sub.pendingCount > limit || sub.pendingBytes > byteLimit {
                        fallBehind(sub)
                        break
                    }
                }
            }
            // Nothing queued: everything offered is handled.
            if sub.state == .live && !sub.hasPending { sub.sent = max(sub.sent, sub.seen) }
        }
        flushOut()
    }

    /// The live buffer overflowed: tell the client and serve it from the log instead.
    private func fallBehind(_ sub: Subscription) {
        sub.clearPending()
        sub.state = .behind
        sub.timesFellBehind += 1
        sub.seen = sub.sent
        core.registry.countFellBehind()
        logger.info("subscriber fell behind", metadata: ["subscription": "\(sub.id)", "next": "\(sub.sent.next)"])
        Reply.fellBehind(id: sub.id, next: sub.sent.next, head: core.hub.head, into: &out)
    }

    /// Moves a subscription forward: drains its live buffer, or reads the next page of the log.
    private func pumpSubscription(_ sub: Subscription) {
        guard !closing, sub.resolved else { return }
        switch sub.state {
        case .live:
            while canWrite, let event = sub.popPending() {
                Reply.event(id: sub.id, body: event.body, into: &out)
                sub.eventsSent += 1
                sub.sent = event.position
                sub.lastActivity = .now()
                if out.readableBytes >= 1 << 15 { flushOut() }
            }
            if !sub.hasPending { sub.sent = max(sub.sent, sub.seen) }
        case .catchingUp, .behind:
            guard !sub.readInFlight, canWrite else { return }
            let lastDelivered = loopHub?.lastDelivered ?? core.hub.head
            let from = sub.sent.next
            let limit = core.configuration.pageEvents
            let filter = sub.filter
            sub.readInFlight = true
            core.read(on: eventLoop) { FilteredPage(try await $0.read(from: from, limit: limit), filter) }.assumeIsolated().whenComplete { result in
                sub.readInFlight = false
                guard !self.closing, self.subscriptions.contains(where: { $0 === sub }) else { return }
                switch result {
                case .success(let page):
                    let events = page.events
                    for (i, event) in events.enumerated() where event.position > sub.sent {
                        if page.matches[i] {
                            Reply.event(id: sub.id, event, into: &self.out)
                            sub.eventsSent += 1
                            sub.lastActivity = .now()
                        }
                        sub.sent = event.position
                    }
                    // The page ended at the log's head: if this loop has handed out nothing newer,
                    // every later event will arrive live.
                    let hubPosition = self.loopHub?.lastDelivered ?? lastDelivered
                    if events.count < limit && sub.sent >= hubPosition {
                        sub.state = .live
                        sub.seen = sub.sent
                        sub.lastActivity = .now()
                        Reply.caughtUp(id: sub.id, next: sub.sent.next, head: max(sub.sent, self.core.hub.head), into: &self.out)
                    }
                    self.flushOut()
                    self.pumpSubscription(sub)
                case .failure(let error):
                    self.logger.error("subscription read failed", metadata: ["subscription": "\(sub.id)", "error": "\(error)"])
                    if let index = self.subscriptions.firstIndex(where: { $0 === sub }) {
                        self.removeSubscription(at: index)
                        self.fail(self.protocolError(error, id: sub.id))
                    }
                    self.flushOut()
                }
            }
        }
    }

    // MARK: Output

    private var eventLoop: EventLoop { context!.eventLoop }

    /// Writes what this turn produced and flushes it.
    private func flushOut(closeAfter: Bool = false) {
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
    private func closeAfterQuit() {
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

    private func close() {
        closing = true
        context?.close(promise: nil)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            lastProgress = .now()
            lastBuffered = 0
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
        guard !closing, context?.channel.isWritable ?? false else { return }
        for sub in subscriptions { pumpSubscription(sub) }
        switch activeJob {
        case .read(let job): pumpRead(job)
        case .replay(let job): pumpReplay(job)
        case nil: break
        }
        processFrames()
        closeIfFinishedAfterEOF()
    }

    // MARK: Timers: heartbeats, stuck sockets, partial lines

    private func scheduleTick() {
        guard let context, !closing else { return }
        let limits = core.limits
        let candidates = [limits.heartbeatInterval.nanoseconds / 2, limits.slowConsumerWriteDeadline.nanoseconds / 4,
                          limits.partialLineTimeout.nanoseconds / 4, 1_000_000_000]
        let interval = TimeAmount.nanoseconds(max(10_000_000, candidates.min()!))
        tickTask = context.eventLoop.assumeIsolated().scheduleTask(in: interval) { self.tick() }
    }

    private func tick() {
        guard let context, !closing else { return }
        let now = NIODeadline.now()
        let limits = core.limits
        // A socket that accepts nothing for the deadline while output waits is closed.
        if !context.channel.isWritable {
            let buffered = (try? context.channel.syncOptions?.getOption(.bufferedWritableBytes)) ?? 0
            if buffered < lastBuffered { lastProgress = now }
            lastBuffered = buffered
            if now - lastProgress >= limits.slowConsumerWriteDeadline {
                core.registry.countSlowConsumer()
                logger.warning("closing slow consumer: the socket accepted nothing for the write deadline",
                               metadata: ["peer": "\(peer)", "buffered_bytes": "\(buffered)",
                                          "deadline_ms": "\(limits.slowConsumerWriteDeadline.nanoseconds / 1_000_000)"])
                closing = true
                // The error line cannot reach a client that reads nothing; it is queued in case it wakes up.
                Reply.error(ProtocolError.slowConsumer(deadline: limits.slowConsumerWriteDeadline), into: &out)
                flushOut()
                context.close(promise: nil)
                return
            }
        } else {
            lastProgress = now
            lastBuffered = 0
        }
        // A partial line left hanging (while this side is reading) is abuse.
        if let since = partialSince, !readPending, now - since >= limits.partialLineTimeout {
            core.registry.countAbuse()
            logger.notice("closing connection: partial line without newline", metadata: ["peer": "\(peer)"])
            fail(ProtocolError.noNewline(byteCount: decoder.bytesWithoutNewline, limits: limits))
            return
        }
        // Heartbeats on quiet subscriptions.
        if context.channel.isWritable {
            for sub in subscriptions where sub.state == .live && now - sub.lastActivity >= limits.heartbeatInterval {
                Reply.heartbeat(id: sub.id, head: core.hub.head, into: &out)
                sub.lastActivity = now
            }
            flushOut()
        }
        scheduleTick()
    }

    // MARK: Shutdown

    /// The server is stopping: tell the client, answer the request in progress, then end its
    /// subscriptions and close.
    func beginStopping() {
        guard !closing, !stopping else { return }
        stopping = true
        for index in subscriptions.indices.reversed() { endSubscription(at: index, reason: .shuttingDown) }
        Reply.shuttingDown(into: &out)
        frames.removeAll()
        frameHead = 0
        if !busy { finishStopping() } else { flushOut() }
    }

    /// After the request in progress (if any) is answered.
    private func finishStopping() {
        closing = true
        flushOut(closeAfter: true)
    }

    // MARK: Stats

    func snapshot() -> ReplyValue {
        let head = core.hub.head
        var connection: ReplyObject = [
            "id": .int(entry?.id ?? 0),
            "name": .optional(name),
            "peer": .string(peer),
            "connected_at": .string(connectedAt.description),
            "authenticated": .bool(authenticated),
            "busy": .bool(busy),
        ]
        connection.append("subscriptions", .array(subscriptions.map { sub in
            .object([
                "id": sub.id.replyValue,
                "filter": .object(sub.filter.replyFields),
                "state": .string(sub.state.rawValue),
                "last_sent": .position(sub.sent),
                "lag": .int(max(0, head.rawValue - sub.sent.rawValue)),
                "buffered": .int(sub.pendingCount),
                "buffered_bytes": .int(sub.pendingBytes),
                "times_fell_behind": .int(sub.timesFellBehind),
                "events_sent": .int(sub.eventsSent),
                "since": .string(sub.createdAt.description),
            ])
        }))
        return .object(connection)
    }

    private func stats(id: RequestID?) {
        beginRequest()
        let core = self.core
        let entries = core.registry.entries
        let futures = entries.map { entry -> EventLoopFuture<ReplyValue> in
            let handler = LoopBox(entry.handler)
            return entry.channel.eventLoop.submit { handler.value.snapshot() }
        }
        let timelines: EventLoopFuture<[ReplyObject]?>
        if let handler = core.configuration.timelineStats {
            let promise = eventLoop.makePromise(of: [ReplyObject]?.self)
            promise.completeWithTask { try? await handler() }
            timelines = promise.futureResult
        } else {
            timelines = eventLoop.makeSucceededFuture(nil)
        }
        EventLoopFuture.whenAllComplete(futures, on: eventLoop).and(timelines).assumeIsolated().whenSuccess { results, projections in
            let connections = results.compactMap { try? $0.get() }
            let counters = core.registry.snapshot
            let metrics = core.hub.metricsSnapshot
            let now = NIODeadline.now()
            var fields: ReplyObject = [
                "head": .position(core.hub.head),
                "uptime_seconds": .int((now - core.startedAt).nanoseconds / 1_000_000_000),
                "connections_open": .int(entries.count),
                "connections_accepted": .int(counters.accepted),
                "connections_refused": .int(counters.refused),
                "slow_consumers_closed": .int(counters.slowConsumersClosed),
                "abusive_closed": .int(counters.abusiveClosed),
                "times_fell_behind": .int(counters.fellBehind),
                "events_committed": .int(metrics.events),
                "commits": .int(metrics.commits),
                "append_rate": .double(metrics.rate(at: now)),
                "mean_commit_size": .double((metrics.meanCommitSize * 100).rounded() / 100),
                "largest_commit": .int(metrics.largestCommit),
                "connections": .array(connections),
            ]
            if let projections { fields.append("timelines", .array(projections.map { .object($0) })) }
            Reply.ok(id: id, op: .stats, fields, into: &self.out)
            self.finishRequest()
        }
    }
}

/// A page of the log with the filter's verdict on each event, computed on the read thread.
struct FilteredPage: Sendable {
    let events: [RecordedEvent]
    let matches: [Bool]

    init(_ events: [RecordedEvent], _ filter: SubscriptionFilter) {
        self.events = events
        matches = filter.isEmpty ? Array(repeating: true, count: events.count) : events.map(filter.matches)
    }
}

extension RequestID {
    var replyValue: ReplyValue {
        switch self {
        case .string(let s): .string(s)
        case .number(let n): .int(n)
        }
    }
}
