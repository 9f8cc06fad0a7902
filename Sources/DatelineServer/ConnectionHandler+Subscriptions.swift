import DatelineCore
import DatelineProtocol
import Foundation
import NIOCore

/// Subscriptions: opening and ending them, live batches from the hub into their bounded
/// buffers, catching up from the log, falling behind.
extension ConnectionHandler {
    func subscribe(_ request: SubscribeRequest, id: RequestID?) {
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

    func removeSubscription(at index: Int) {
        let sub = subscriptions.remove(at: index)
        if sub.filter.needsFacts { core.hub.changeFactsSubscribers(by: -1) }
        if subscriptions.isEmpty { loopHub?.remove(self) }
    }

    /// Writes the subscription's `end` line and forgets it.
    func endSubscription(at index: Int, reason: EndReason) {
        let sub = subscriptions[index]
        removeSubscription(at: index)
        Reply.subscriptionEnd(id: sub.id, next: sub.sent.next, reason: reason, into: &out)
    }

    /// A batch of committed events from the hub.
    func deliver(_ batch: CommittedBatch) {
        guard !state.isClosed, !subscriptions.isEmpty else { return }
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
    func fallBehind(_ sub: Subscription) {
        sub.clearPending()
        sub.state = .behind
        sub.timesFellBehind += 1
        sub.seen = sub.sent
        core.registry.countFellBehind()
        logger.info("subscriber fell behind", metadata: ["subscription": "\(sub.id)", "next": "\(sub.sent.next)"])
        Reply.fellBehind(id: sub.id, next: sub.sent.next, head: core.hub.head, into: &out)
    }

    /// Moves a subscription forward: drains its live buffer, or reads the next page of the log.
    func pumpSubscription(_ sub: Subscription) {
        guard !state.isClosed, sub.resolved else { return }
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
                guard !self.state.isClosed, self.subscriptions.contains(where: { $0 === sub }) else { return }
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
}
