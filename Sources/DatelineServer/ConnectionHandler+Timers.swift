import DatelineProtocol
import NIOCore

/// The connection's periodic check: stuck sockets, hanging partial lines, heartbeats. The rules
/// are `ConnectionWatchdog`'s; this runs them on the loop and acts.
extension ConnectionHandler {
    func scheduleTick() {
        guard let context, !state.isClosed else { return }
        tickTask = context.eventLoop.assumeIsolated().scheduleTask(in: watchdog.tickInterval) { self.tick() }
    }

    private func tick() {
        guard let context, !state.isClosed else { return }
        let now = NIODeadline.now()
        let limits = core.limits
        let channel = context.channel
        let verdict = watchdog.check(now: now, writable: channel.isWritable,
                                     buffered: { (try? channel.syncOptions?.getOption(.bufferedWritableBytes)) ?? 0 },
                                     readHeld: state.readHeld)
        switch verdict {
        case .slowConsumer(let buffered):
            core.registry.countSlowConsumer()
            logger.warning("closing slow consumer: the socket accepted nothing for the write deadline",
                           metadata: ["peer": "\(peer)", "buffered_bytes": "\(buffered)",
                                      "deadline_ms": "\(limits.slowConsumerWriteDeadline.nanoseconds / 1_000_000)"])
            state.close()
            // The error line cannot reach a client that reads nothing; it is queued in case it wakes up.
            Reply.error(ProtocolError.slowConsumer(deadline: limits.slowConsumerWriteDeadline), into: &out)
            flushOut()
            context.close(promise: nil)
            return
        case .partialLineHung(let bytes):
            core.registry.countAbuse()
            logger.notice("closing connection: partial line without newline", metadata: ["peer": "\(peer)"])
            fail(ProtocolError.noNewline(byteCount: bytes, limits: limits))
            return
        case .fine:
            break
        }
        // Heartbeats on quiet subscriptions.
        if channel.isWritable {
            for sub in subscriptions where sub.state == .live && watchdog.heartbeatDue(lastActivity: sub.lastActivity, now: now) {
                Reply.heartbeat(id: sub.id, head: core.hub.head, into: &out)
                sub.lastActivity = now
            }
            flushOut()
        }
        scheduleTick()
    }
}
