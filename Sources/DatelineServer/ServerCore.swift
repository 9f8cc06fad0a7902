import DatelineCore
import DatelineProtocol
import DatelineService
import EventLog
import Foundation
import Logging
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
    let registry = ConnectionRegistry()
    let startedAt = NIODeadline.now()

    init(configuration: ServerConfiguration, engine: DatelineEngine, hub: FanoutHub, readPool: NIOThreadPool,
         logger: Logger) {
        self.configuration = configuration
        self.engine = engine
        self.hub = hub
        self.readPool = readPool
        self.logger = logger
        self.parser = RequestParser(limits: configuration.limits, knowsActor: KnownActors.contains)
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
final class ConnectionEntry: @unchecked Sendable {
    let id: Int
    let channel: Channel
    /// Touched only on `channel.eventLoop`.
    let handler: ConnectionHandler

    init(id: Int, channel: Channel, handler: ConnectionHandler) {
        self.id = id
        self.channel = channel
        self.handler = handler
    }
}

/// Open connections and the counters `stats` reports.
final class ConnectionRegistry: @unchecked Sendable {
    private let lock = NSLock()
    private var open: [Int: ConnectionEntry] = [:]
    private var nextID = 1
    private var _stopping = false
    private var counters = Counters()

    struct Counters: Sendable {
        var accepted: Int64 = 0
        var refused: Int64 = 0
        var slowConsumersClosed: Int64 = 0
        var abusiveClosed: Int64 = 0
        var fellBehind: Int64 = 0
    }

    /// Registers a connection, or returns nil when the server is full or stopping.
    func add(channel: Channel, handler: ConnectionHandler, limit: Int) -> ConnectionEntry? {
        lock.withLock {
            guard !_stopping, open.count < limit else {
                counters.refused += 1
                return nil
            }
            let entry = ConnectionEntry(id: nextID, channel: channel, handler: handler)
            nextID += 1
            open[entry.id] = entry
            counters.accepted += 1
            return entry
        }
    }

    func remove(_ id: Int) {
        lock.withLock { _ = open.removeValue(forKey: id) }
    }

    var stopping: Bool { lock.withLock { _stopping } }
    var entries: [ConnectionEntry] { lock.withLock { open.values.sorted { $0.id < $1.id } } }
    var openCount: Int { lock.withLock { open.count } }
    var snapshot: Counters { lock.withLock { counters } }

    /// Marks the server as stopping and returns the connections to tell.
    func beginStopping() -> [ConnectionEntry] {
        lock.withLock {
            _stopping = true
            return open.values.sorted { $0.id < $1.id }
        }
    }

    func countSlowConsumer() { lock.withLock { counters.slowConsumersClosed += 1 } }
    func countAbuse() { lock.withLock { counters.abusiveClosed += 1 } }
    func countFellBehind() { lock.withLock { counters.fellBehind += 1 } }
}

/// A Sendable box for a value made and used on one event loop, handed across a Sendable
/// closure boundary whose other end runs on the same loop.
struct LoopBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
