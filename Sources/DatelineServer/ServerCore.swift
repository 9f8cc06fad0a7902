import DatelineCore
import DatelineProtocol
import DatelineService
import EventLog
import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// What every connection shares: the engine, the fan-out hub, the read threads and the
/// registry of open connections. Thread-safe.
final class ServerCore: Sendable {
    let configuration: ServerConfiguration
    let engine: DatelineEngine
    let hub: FanoutHub
    let readPool: NIOThreadPool
    let logger: Logger
    let parser: RequestParser
    let registry: ConnectionRegistry
    /// Returns the heap freed by closed connections to the system.
    let reclaimer: HeapReclaimer
    let startedAt = NIODeadline.now()

    init(configuration: ServerConfiguration, engine: DatelineEngine, hub: FanoutHub, readPool: NIOThreadPool,
         logger: Logger) {
        self.configuration = configuration
        self.engine = engine
        self.hub = hub
        self.readPool = readPool
        self.logger = logger
        self.parser = RequestParser(limits: configuration.limits, knowsActor: KnownActors.contains)
        let reclaimer = HeapReclaimer(loop: hub.anyLoop, pool: readPool)
        self.reclaimer = reclaimer
        self.registry = ConnectionRegistry(onClose: { reclaimer.connectionClosed() })
    }

    /// The log, behind its backend-neutral interface.
    var log: any EventLogBackend { engine.log }
    var limits: ProtocolLimits { configuration.limits }
    var writesNeedAuth: Bool { configuration.token != nil }

    /// Runs a log read on the hub's read threads (the backend keeps its blocking work off them
    /// too) and completes on `loop`.
    func read<T: Sendable>(on loop: EventLoop, _ body: @escaping @Sendable (any EventLogBackend) async throws -> T) -> EventLoopFuture<T> {
        let log = self.log
        let promise = loop.makePromise(of: T.self)
        hub.readThreads.start {
            do { promise.succeed(try await body(log)) } catch { promise.fail(error) }
        }
        return promise.futureResult
    }
}

/// A connection as the registry knows it, for stats and shutdown.
struct ConnectionEntry: Sendable {
    let id: Int
    let channel: Channel
    /// Usable only on `channel.eventLoop`.
    let handler: NIOLoopBound<ConnectionHandler>
}

/// Open connections and the counters `stats` reports.
final class ConnectionRegistry: Sendable {
    struct Counters: Sendable {
        var accepted: Int64 = 0
        var refused: Int64 = 0
        var slowConsumersClosed: Int64 = 0
        var abusiveClosed: Int64 = 0
        var fellBehind: Int64 = 0
    }

    private struct State {
        var open: [Int: ConnectionEntry] = [:]
        var nextID = 1
        var stopping = false
        var counters = Counters()
    }

    private let state = NIOLockedValueBox(State())
    /// Called whenever a connection closes (must not block).
    private let onClose: @Sendable () -> Void

    init(onClose: @escaping @Sendable () -> Void = {}) {
        self.onClose = onClose
    }

    /// Registers a connection (call on its event loop), or returns nil when the server is full
    /// or stopping.
    func add(channel: Channel, handler: ConnectionHandler, limit: Int) -> ConnectionEntry? {
        let bound = NIOLoopBound(handler, eventLoop: channel.eventLoop)
        return state.withLockedValue { s in
            guard !s.stopping, s.open.count < limit else {
                s.counters.refused += 1
                return nil
            }
            let entry = ConnectionEntry(id: s.nextID, channel: channel, handler: bound)
            s.nextID += 1
            s.open[entry.id] = entry
            s.counters.accepted += 1
            return entry
        }
    }

    func remove(_ id: Int) {
        if state.withLockedValue({ $0.open.removeValue(forKey: id) }) != nil { onClose() }
    }

    var stopping: Bool { state.withLockedValue { $0.stopping } }
    var entries: [ConnectionEntry] { state.withLockedValue { $0.open.values.sorted { $0.id < $1.id } } }
    var openCount: Int { state.withLockedValue { $0.open.count } }
    var snapshot: Counters { state.withLockedValue { $0.counters } }

    /// Marks the server as stopping and returns the connections to tell.
    func beginStopping() -> [ConnectionEntry] {
        state.withLockedValue { s in
            s.stopping = true
            return s.open.values.sorted { $0.id < $1.id }
        }
    }

    func countSlowConsumer() { state.withLockedValue { $0.counters.slowConsumersClosed += 1 } }
    func countAbuse() { state.withLockedValue { $0.counters.abusiveClosed += 1 } }
    func countFellBehind() { state.withLockedValue { $0.counters.fellBehind += 1 } }
}
