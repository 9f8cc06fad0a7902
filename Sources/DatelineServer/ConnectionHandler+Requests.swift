import DatelineCore
import DatelineProtocol
import DatelineService
import EventLog
import Foundation
import NIOCore

/// The connection's requests: what the router decided, run.
extension ConnectionHandler {
    func run(_ job: RequestRouter.Job, id: RequestID?) {
        switch job {
        case .refuse(let error):
            fail(error)
        case .hello(let client):
            if let client { name = client }
            Reply.helloOK(id: id, serverVersion: core.configuration.serverVersion, client: name, into: &out)
        case .ping:
            Reply.pong(id: id, head: core.hub.head, into: &out)
        case .help:
            Reply.help(id: id, into: &out)
        case .auth(let token):
            if let expected = core.configuration.token, !RequestRouter.constantTimeEqual(token, expected) {
                logger.notice("auth refused", metadata: ["peer": "\(peer)"])
                refuseToken(id: id)
            } else {
                state.authenticate()
                Reply.authOK(id: id, into: &out)
            }
        case .ingest(let article):
            ingest(article, id: id)
        case .append(let request):
            append(request, id: id)
        case .read(let request):
            startRead(request, id: id)
        case .replay(let request):
            startReplay(request, id: id)
        case .subscribe(let request):
            subscribe(request, id: id)
        case .unsubscribe(let target):
            guard let index = subscriptions.firstIndex(where: { $0.id == target }) else {
                fail(ProtocolError.subscriptionNotFound(id: id, subscription: target))
                return
            }
            endSubscription(at: index, reason: .unsubscribed)
            Reply.unsubscribeOK(id: id, subscription: target, into: &out)
            closeIfFinishedAfterEndOfInput()
        case .query(let request):
            query(request, id: id)
        case .stats:
            stats(id: id)
        case .quit:
            for index in subscriptions.indices.reversed() { endSubscription(at: index, reason: .quit) }
            Reply.quitOK(id: id, into: &out)
            state.close()
            closeAfterQuit()
        }
    }

    /// A wrong token: the refusal waits (later lines behind it), or closes the connection.
    private func refuseToken(id: RequestID?) {
        switch state.tokenRefused() {
        case .refuseAndClose:
            core.registry.countAbuse()
            logger.notice("closing connection: repeated wrong tokens", metadata: ["peer": "\(peer)"])
            fail(ProtocolError(.authRequired, "token not accepted; too many wrong tokens, closing", id: id, closes: true))
        case .refuseAfter(let milliseconds):
            guard let context else { return }
            beginRequest()
            context.eventLoop.assumeIsolated().scheduleTask(in: .milliseconds(milliseconds)) {
                self.fail(ProtocolError.tokenRejected(id: id))
                self.finishRequest()
            }
        }
    }

    /// Runs async work off the loop, then `completion` back on it.
    func runAsync<T: Sendable>(_ work: @escaping @Sendable () async throws -> T,
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
            case .success(let o): Reply.ingestOK(id: id, o, into: &self.out)
            case .failure(let error): self.fail(self.protocolError(error, id: id))
            }
            self.finishRequest()
        }
    }

    private func append(_ request: DatelineProtocol.AppendRequest, id: RequestID?) {
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

    /// The wire error for a failure of the log or the engine (never with payload bytes).
    func protocolError(_ error: Error, id: RequestID?) -> ProtocolError {
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
}
