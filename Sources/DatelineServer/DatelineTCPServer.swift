import DatelineCore
import DatelineProtocol
import DatelineService
import EventLog
import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import ServiceLifecycle

/// The Dateline TCP server: newline-delimited JSON for ingest, appends, reads, replay and live
/// subscriptions over the engine's log (see Protocol/README.md).
///
/// Life cycle: `start()` binds and returns; `shutdown()` stops accepting, tells every client
/// `shutting_down`, waits for in-flight ingests and appends (up to the grace period), ends the
/// subscriptions, closes the log and stops the threads. As a swift-service-lifecycle `Service`,
/// `run()` serves until the group's graceful shutdown (or cancellation) and then shuts down;
/// `run(onListening:)` runs it in a `ServiceGroup` that shuts down gracefully on SIGINT/SIGTERM,
/// for the `datelined` executable. The server closes the engine it was given when it stops.
public final class DatelineTCPServer: Sendable {
    /// Announced in the hello line.
    public static let version = "0.1.0"

    public let configuration: ServerConfiguration
    private let engine: DatelineEngine
    private let logger: Logger
    private let state = NIOLockedValueBox(State())

    public init(engine: DatelineEngine, configuration: ServerConfiguration = ServerConfiguration(), logger: Logger) {
        self.engine = engine
        self.configuration = configuration
        self.logger = logger
    }

    /// The bound address once started (useful with port 0).
    public var localAddress: SocketAddress? { state.withLockedValue { $0.serverChannel?.localAddress } }

    /// The bound port once started, else nil.
    public var port: Int? { localAddress?.port }

    /// Heap trims done since start (see `HeapReclaimer`).
    var heapTrims: Int { state.withLockedValue { $0.core?.reclaimer.trims } ?? 0 }
    /// The open connections as the registry holds them (for tests).
    var openConnections: [ConnectionEntry] { state.withLockedValue { $0.core?.registry.entries } ?? [] }

    /// Binds and starts serving. Throws `ServerError.tokenRequired` for a non-loopback host
    /// without a token, and `.bindFailed` when the address cannot be bound.
    public func start() async throws {
        if !ServerConfiguration.isLoopback(configuration.host) && configuration.token == nil {
            throw ServerError.tokenRequired(host: configuration.host)
        }
        let threads = configuration.eventLoopThreads > 0 ? configuration.eventLoopThreads : System.coreCount
        let group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
        let pool = NIOThreadPool(numberOfThreads: max(1, configuration.readThreads))
        pool.start()
        let core: ServerCore
        var effective = configuration
        let descriptors = FileDescriptorBudget.connections(wanted: configuration.limits.maxConnections)
        if descriptors.limit < configuration.limits.maxConnections {
            logger.warning("fewer connections than configured: the open-files limit (RLIMIT_NOFILE) is too low",
                           metadata: ["max_connections": "\(descriptors.limit)", "configured": "\(configuration.limits.maxConnections)",
                                      "open_files_limit": "\(descriptors.openFilesLimit)"])
        }
        effective.limits.maxConnections = descriptors.limit
        do {
            let hub = try await FanoutHub.start(log: engine.log, group: group, logger: logger, readThreads: configuration.readThreads)
            core = ServerCore(configuration: effective, engine: engine, hub: hub, readPool: pool, logger: logger)
        } catch {
            try? await pool.shutdownGracefully()
            try? await group.shutdownGracefully()
            throw error
        }
        try state.withLockedValue { s throws in
            guard s.phase == .new else { throw ServerError.alreadyStarted }
            s.phase = .starting
            s.group = group
            s.pool = pool
            s.core = core
        }
        var bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            // When accept fails (out of file descriptors, most often) the listening socket stays
            // readable: without a pause the loop would retry at once, burning a core until
            // clients leave. Back off instead; refused clients are answered once below the limit.
            .serverChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(AcceptBackoffHandler(backoffProvider: { _ in .milliseconds(100) }))
                }
            }
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            // Dead peers (a machine that vanished without a FIN) are noticed and their
            // connections freed, instead of holding a slot and a descriptor for ever.
            .childChannelOption(.socketOption(.so_keepalive), value: 1)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .childChannelOption(.writeBufferWaterMark, value: .init(low: 32 << 10, high: 64 << 10))
            .childChannelOption(.maxMessagesPerRead, value: 4)
            .childChannelOption(.recvAllocator, value: AdaptiveRecvByteBufferAllocator(minimum: 64, initial: 1024, maximum: 64 << 10))
        if let size = configuration.socketSendBufferBytes {
            bootstrap = bootstrap.childChannelOption(.socketOption(.so_sndbuf), value: SocketOptionValue(size))
        }
        bootstrap = bootstrap.childChannelInitializer { channel in
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.addDatelineFraming(limits: core.limits)
                try channel.pipeline.syncOperations.addHandler(ConnectionHandler(core: core))
            }
        }
        let channel: Channel
        do {
            channel = try await bootstrap.bind(host: configuration.host, port: configuration.port).get()
        } catch {
            core.hub.stopObserving()
            try? await pool.shutdownGracefully()
            try? await group.shutdownGracefully()
            state.withLockedValue { $0.phase = .stopped }
            throw ServerError.bindFailed(host: configuration.host, port: configuration.port, reason: "\(error)")
        }
        state.withLockedValue {
            $0.serverChannel = channel
            $0.phase = .running
        }
        logger.info("listening", metadata: [
            "address": "\(channel.localAddress.map { "\($0.ipAddress ?? configuration.host):\($0.port ?? 0)" } ?? "?")",
            "db": "\(engine.log.location)", "head": "\(core.hub.head)",
            "writes_need_auth": "\(configuration.token != nil)",
        ])
    }

    /// Stops gracefully; see the type's documentation. Safe to call more than once; later
    /// calls wait for the first to finish.
    public func shutdown() async {
        let claimed: (Channel?, ServerCore?, MultiThreadedEventLoopGroup?, NIOThreadPool?)? = state.withLockedValue { s in
            guard s.phase == .running || s.phase == .starting else { return nil }
            s.phase = .stopping
            return (s.serverChannel, s.core, s.group, s.pool)
        }
        guard let (serverChannel, core, group, pool) = claimed, let core, let group, let pool else {
            await waitUntilStopped()
            return
        }
        logger.info("shutting down", metadata: ["connections": "\(core.registry.openCount)"])
        try? await serverChannel?.close()
        let entries = core.registry.beginStopping()
        // Queries stop now rather than run to their budget: the connections waiting on them
        // answer and close, so shutdown does not wait for the slowest query.
        engine.stopQueries()
        for entry in entries {
            entry.channel.eventLoop.execute { entry.handler.value.beginStopping() }
        }
        // Connections close once their in-flight request is answered; force the rest after the grace period.
        let loop = group.next()
        let closed = EventLoopFuture.andAllComplete(entries.map { $0.channel.closeFuture }, on: loop)
        let grace = loop.scheduleTask(in: configuration.shutdownGracePeriod) {
            for entry in entries { entry.channel.close(promise: nil) }
        }
        try? await closed.get()
        grace.cancel()
        core.hub.stopObserving()
        engine.close()
        try? await pool.shutdownGracefully()
        try? await group.shutdownGracefully()
        logger.info("stopped", metadata: ["head": "\(core.hub.head)"])
        let waiters = state.withLockedValue { s in
            s.phase = .stopped
            defer { s.waiters.removeAll() }
            return s.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns when the server has stopped (after `shutdown()` completes).
    public func waitUntilStopped() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let stopped = state.withLockedValue { s in
                if s.phase == .stopped || s.phase == .new { return true }
                s.waiters.append(continuation)
                return false
            }
            if stopped { continuation.resume() }
        }
    }

    /// Starts, calls `onListening` once with the bound port, then serves in a `ServiceGroup`
    /// until SIGINT or SIGTERM, and shuts down gracefully.
    public func run(onListening: @escaping @Sendable (Int) -> Void) async throws {
        try await start()
        // Announced from inside the group, once its signal handlers are in place: a SIGTERM
        // sent as soon as the line appears must find them.
        let announced = AnnouncingService(server: self, port: port ?? configuration.port, onListening: onListening)
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: [.init(service: announced)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }

    private enum Phase: Sendable { case new, starting, running, stopping, stopped }

    private struct State: Sendable {
        var phase: Phase = .new
        var group: MultiThreadedEventLoopGroup?
        var pool: NIOThreadPool?
        var core: ServerCore?
        var serverChannel: Channel?
        var waiters: [CheckedContinuation<Void, Never>] = []
    }
}

extension DatelineTCPServer: Service {
    /// Serves until graceful shutdown or cancellation, then shuts down gracefully and returns
    /// once stopped. Starts the server first unless it was started already.
    public func run() async throws {
        if state.withLockedValue({ $0.phase == .new }) { try await start() }
        await withTaskCancellationOrGracefulShutdownHandler {
            await self.waitUntilStopped()
        } onCancelOrGracefulShutdown: {
            self.logger.info("graceful shutdown requested")
            Task { await self.shutdown() }
        }
    }
}

/// The server in a group that says where it listens once the group runs.
private struct AnnouncingService: Service {
    let server: DatelineTCPServer
    let port: Int
    let onListening: @Sendable (Int) -> Void

    func run() async throws {
        onListening(port)
        try await server.run()
    }
}

/// How many connections the process's open-files limit (RLIMIT_NOFILE) leaves room for.
///
/// Every connection holds a descriptor, and so do the log, its WAL, the event loops and the
/// thread pools. Past the limit `accept` fails and clients get nothing at all; within it they
/// get `too_many_connections`. So the connection limit is the configured one, or what the
/// descriptor limit leaves after those already open and a reserve (for the refusals, the
/// projections' connection, a rebuild's files), whichever is lower. The soft limit is raised
/// towards the hard limit first when the configured number needs it.
enum FileDescriptorBudget {
    /// Descriptors kept free beyond the ones open at start.
    static let reserve = 64

    static func connections(wanted: Int) -> (limit: Int, openFilesLimit: Int) {
        var rl = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &rl) == 0 else { return (wanted, -1) }
        let open = openDescriptors()
        let needed = rlim_t(max(0, wanted + open + reserve))
        let infinity = rlim_t.max  // RLIM_INFINITY, which Swift imports as a literal that does not fit
        if rl.rlim_cur != infinity, rl.rlim_cur < needed {
            var raised = rl
            raised.rlim_cur = rl.rlim_max == infinity ? needed : min(needed, rl.rlim_max)
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { rl = raised }
        }
        guard rl.rlim_cur != infinity else { return (wanted, Int.max) }
        let room = Int(clamping: rl.rlim_cur) - open - reserve
        return (max(1, min(wanted, room)), Int(clamping: rl.rlim_cur))
    }

    /// Descriptors open now (counted in /proc/self/fd on Linux; elsewhere a fair guess).
    private static func openDescriptors() -> Int {
        if let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") { return entries.count }
        return 32
    }
}
