#if os(Linux)
/// glibc's `int malloc_trim(size_t pad)`, which the Glibc module does not export.
@_silgen_name("malloc_trim")
private func glibcMallocTrim(_ pad: Int) -> Int32
#endif
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// Gives the heap that a burst of connections used back to the system once they are gone.
///
/// A connection's buffers are released when it closes, but glibc's allocator keeps freed
/// memory in its arenas: after 200 abusive clients sent a million lines, the server stayed at
/// 130–140 MB resident with nobody connected (27 MB before). `malloc_trim(0)` returns the free
/// pages. It runs on the read pool (never on an event loop), at most once per `delay`, after
/// connections closed: when the last one leaves, or a while after churn while others stay.
/// Elsewhere than Linux it does nothing.
final class HeapReclaimer: Sendable {
    private struct State {
        var scheduled = false
        var trims = 0
    }

    private let state = NIOLockedValueBox(State())
    private let loop: EventLoop
    private let pool: NIOThreadPool
    private let delay: TimeAmount

    init(loop: EventLoop, pool: NIOThreadPool, delay: TimeAmount = .seconds(2)) {
        self.loop = loop
        self.pool = pool
        self.delay = delay
    }

    /// Trims done so far (for tests and `stats`).
    var trims: Int { state.withLockedValue { $0.trims } }

    /// A connection closed: trim soon (once, however many close meanwhile).
    func connectionClosed() {
        let schedule = state.withLockedValue { s in
            defer { s.scheduled = true }
            return !s.scheduled
        }
        guard schedule else { return }
        let pool = self.pool, loop = self.loop
        loop.scheduleTask(in: delay) {
            pool.runIfActive(eventLoop: loop) { Self.trimNow() }.whenComplete { result in
                self.state.withLockedValue { s in
                    s.scheduled = false
                    if case .success = result { s.trims += 1 }
                }
            }
        }
    }

    /// Returns free heap pages to the system now.
    static func trimNow() {
        #if os(Linux)
        _ = glibcMallocTrim(0)
        #endif
    }
}
