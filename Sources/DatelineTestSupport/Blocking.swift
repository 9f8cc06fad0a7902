import Foundation

/// Runs blocking work (a blocking socket client, a pipe read, a file handle write) on a thread of
/// its own and waits for it without holding one of the cooperative pool's threads, which the
/// server and the other tests need.
public func blocking<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread {
            do { continuation.resume(returning: try body()) } catch { continuation.resume(throwing: error) }
        }
        thread.stackSize = 4 << 20
        thread.start()
    }
}
