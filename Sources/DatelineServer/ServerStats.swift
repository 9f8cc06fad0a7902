import DatelineCore
import DatelineProtocol
import NIOCore

/// `stats`: this connection's snapshot, and the server's figures gathered from every
/// connection on its own loop.
extension ConnectionHandler {
    func snapshot() -> ReplyValue {
        let head = core.hub.head
        var connection: ReplyObject = [
            "id": .int(connectionID ?? 0),
            "name": .optional(name),
            "peer": .string(peer),
            "connected_at": .string(connectedAt.description),
            "authenticated": .bool(state.authenticated),
            "busy": .bool(state.inRequest),
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

    func stats(id: RequestID?) {
        beginRequest()
        let core = self.core
        let entries = core.registry.entries
        let futures = entries.map { entry -> EventLoopFuture<ReplyValue> in
            entry.channel.eventLoop.submit { entry.handler.value.snapshot() }
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
