import Foundation

/// What a finished command printed and how it exited.
public struct ProcessResult: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
}

/// Runs a command to completion with the given standard input. The child's exit is awaited
/// through its termination handler and its pipes are read on threads of their own, so no thread
/// of the cooperative pool waits for a child (with two cores the pool has two threads, and tests
/// that blocked them starved the servers other tests had started).
public func run(_ executable: String, _ arguments: [String], stdin: String? = nil, in directory: URL? = nil,
                environment: [String: String] = [:]) async throws -> ProcessResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if !environment.isEmpty {
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    }
    if let directory { process.currentDirectoryURL = directory }
    let out = Pipe(), err = Pipe(), input = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = input
    let exit = ProcessExit(process)
    try process.run()
    // Both pipes are read while the child runs, so a large output cannot fill one and stall it.
    async let outData = readToEnd(out.fileHandleForReading)
    async let errData = readToEnd(err.fileHandleForReading)
    let writer = input.fileHandleForWriting
    let bytes = stdin.map { Data($0.utf8) }
    try await blocking {
        if let bytes { writer.write(bytes) }
        try writer.close()
    }
    let status = await exit.status()
    return ProcessResult(status: status, stdout: String(decoding: await outData, as: UTF8.self),
                         stderr: String(decoding: await errData, as: UTF8.self))
}

/// Everything a pipe delivers until its writers close it, read on a thread of its own.
public func readToEnd(_ handle: FileHandle) async -> Data {
    (try? await blocking { handle.readDataToEndOfFile() }) ?? Data()
}

/// A child's exit, awaited without blocking a thread: set up before `process.run()`, it installs
/// the termination handler.
public final class ProcessExit: @unchecked Sendable {
    private let lock = NSLock()
    private var exitStatus: Int32?
    private var waiters: [CheckedContinuation<Int32, Never>] = []

    public init(_ process: Process) {
        process.terminationHandler = { [self] finished in
            let status = finished.terminationStatus
            let waiting = lock.withLock {
                exitStatus = status
                defer { waiters = [] }
                return waiters
            }
            for waiter in waiting { waiter.resume(returning: status) }
        }
    }

    /// The exit status, once the child has exited.
    public func status() async -> Int32 {
        await withCheckedContinuation { continuation in
            let status: Int32? = lock.withLock {
                if let exitStatus { return exitStatus }
                waiters.append(continuation)
                return nil
            }
            if let status { continuation.resume(returning: status) }
        }
    }

    public var hasExited: Bool { lock.withLock { exitStatus != nil } }
}

/// A `datelined` child process on 127.0.0.1 with a port chosen by the system (or the one asked
/// for), started once it prints `listening on HOST:PORT`.
public final class ServerProcess: @unchecked Sendable {
    public let process: Process
    public let port: Int
    private let exit: ProcessExit
    private let output: Pipe

    public static func start(db: String, port requested: Int = 0, arguments: [String] = []) async throws -> ServerProcess {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try productPath("datelined"))
        process.arguments = ["--db", db, "--port", String(requested), "--log-level", "error"] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        let exit = ProcessExit(process)
        try process.run()
        let handle = output.fileHandleForReading
        let text = try await blocking { () throws -> String in
            var line = Data()
            while !line.contains(UInt8(ascii: "\n")) {
                let chunk = handle.availableData
                if chunk.isEmpty { throw ProductNotFound(name: "datelined (exited before listening)") }
                line.append(chunk)
            }
            return String(decoding: line, as: UTF8.self)
        }
        guard let portText = text.split(separator: ":").last?.split(separator: "\n").first, let port = Int(portText) else {
            process.terminate()
            throw ProductNotFound(name: "datelined (unexpected first line \(text))")
        }
        return ServerProcess(process: process, port: port, exit: exit, output: output)
    }

    private init(process: Process, port: Int, exit: ProcessExit, output: Pipe) {
        self.process = process
        self.port = port
        self.exit = exit
        self.output = output
    }

    public var address: String { "127.0.0.1:\(port)" }

    /// SIGTERM, and the exit status once it has exited.
    public func stop() async -> Int32 {
        process.terminate()
        return await exit.status()
    }

    /// The exit status once the process ends by itself (or is stopped by another).
    public func exitStatus() async -> Int32 { await exit.status() }

    deinit {
        if !exit.hasExited { process.terminate() }
    }
}
