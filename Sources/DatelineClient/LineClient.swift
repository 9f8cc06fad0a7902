import Foundation
#if canImport(Glibc)
import Glibc
private let systemClose = Glibc.close
private let systemSend = Glibc.send
private let streamSocket = Int32(SOCK_STREAM.rawValue)
#elseif canImport(Darwin)
import Darwin
private let systemClose = Darwin.close
private let systemSend = Darwin.send
private let streamSocket = SOCK_STREAM
private let MSG_NOSIGNAL: Int32 = 0
#endif

/// A small blocking client for the line protocol: connect, send lines, read lines with a
/// timeout. For command-line tools (`dateline … --server`, `dateline tail`) and tests; a program
/// that serves many connections should use SwiftNIO instead.
///
/// One thread may send while another reads (the two share only the socket); two threads must
/// not read, or send, at the same time. `close()` only after both are done.
public final class LineClient: @unchecked Sendable {
    public enum Failure: Error, CustomStringConvertible {
        case resolve(host: String)
        case connect(host: String, port: Int, errno: Int32)
        case io(operation: String, errno: Int32)
        case timeout(seconds: Double)
        case lineTooLong(limit: Int)

        public var description: String {
            switch self {
            case .resolve(let host): "cannot resolve \(host)"
            case .connect(let host, let port, let e): "cannot connect to \(host):\(port): \(String(cString: strerror(e)))"
            case .io(let op, let e): "\(op) failed: \(String(cString: strerror(e)))"
            case .timeout(let s): "no line from the server within \(s) s"
            case .lineTooLong(let limit): "the server sent a line longer than \(limit) bytes"
            }
        }
    }

    private var fd: Int32
    private var buffer: [UInt8] = []
    private var start = 0
    private var eof = false
    /// Longest line `readLine` accepts.
    public var maxLineBytes = 64 << 20

    /// Connects to `host:port` (an IPv4 or IPv6 address or a name). `receiveBufferSize` sets
    /// SO_RCVBUF before connecting (tests use it to make a client that stops reading fill up fast).
    public init(host: String, port: Int, receiveBufferSize: Int? = nil) throws {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = streamSocket
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &result) == 0, let first = result else {
            throw Failure.resolve(host: host)
        }
        defer { freeaddrinfo(result) }
        var lastErrno: Int32 = 0
        var info: UnsafeMutablePointer<addrinfo>? = first
        fd = -1
        while let ai = info {
            let s = socket(ai.pointee.ai_family, ai.pointee.ai_socktype, ai.pointee.ai_protocol)
            if s >= 0 {
                if var size = receiveBufferSize.map(Int32.init) {
                    _ = setsockopt(s, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
                }
                var one: Int32 = 1
                _ = setsockopt(s, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
                if connect(s, ai.pointee.ai_addr, ai.pointee.ai_addrlen) == 0 {
                    fd = s
                    break
                }
                lastErrno = errno
                _ = systemClose(s)
            } else {
                lastErrno = errno
            }
            info = ai.pointee.ai_next
        }
        guard fd >= 0 else { throw Failure.connect(host: host, port: port, errno: lastErrno) }
    }

    deinit { close() }

    /// Sends `line` and a newline.
    public func send(_ line: String) throws {
        var bytes = Array(line.utf8)
        bytes.append(0x0A)
        try sendRaw(bytes)
    }

    /// Sends bytes exactly as given.
    public func sendRaw(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { raw in
                systemSend(fd, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
            }
            if n < 0 {
                if errno == EINTR { continue }
                throw Failure.io(operation: "send", errno: errno)
            }
            offset += n
        }
    }

    /// The next line without its newline, or nil when the server closed the connection.
    /// Throws `Failure.timeout` when no full line arrives within `timeout` seconds.
    public func readLine(timeout: Double = 10) throws -> [UInt8]? {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if let newline = buffer[start...].firstIndex(of: 0x0A) {
                var end = newline
                if end > start && buffer[end - 1] == 0x0D { end -= 1 }
                let line = Array(buffer[start..<end])
                start = newline + 1
                if start > 1 << 16 {
                    buffer.removeFirst(start)
                    start = 0
                }
                return line
            }
            if eof {
                if start < buffer.count {
                    let line = Array(buffer[start...])
                    start = buffer.count
                    return line
                }
                return nil
            }
            if buffer.count - start > maxLineBytes { throw Failure.lineTooLong(limit: maxLineBytes) }
            let remaining = deadline.timeIntervalSinceNow
            if remaining <= 0 { throw Failure.timeout(seconds: timeout) }
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&pfd, 1, Int32(min(remaining * 1000, 1_000_000)) + 1)
            if ready < 0 {
                if errno == EINTR { continue }
                throw Failure.io(operation: "poll", errno: errno)
            }
            if ready == 0 { continue }
            var chunk = [UInt8](repeating: 0, count: 64 << 10)
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                if errno == ECONNRESET { eof = true; continue }
                throw Failure.io(operation: "recv", errno: errno)
            }
            if n == 0 { eof = true; continue }
            buffer.append(contentsOf: chunk[0..<n])
        }
    }

    /// The next line as a string (invalid UTF-8 repaired), or nil at the end of the connection.
    public func readLineString(timeout: Double = 10) throws -> String? {
        try readLine(timeout: timeout).map { String(decoding: $0, as: UTF8.self) }
    }

    /// Closes the sending side; the server answers what it has and then closes.
    public func shutdownWrite() {
        if fd >= 0 { _ = shutdown(fd, Int32(SHUT_WR)) }
    }

    public func close() {
        if fd >= 0 {
            _ = systemClose(fd)
            fd = -1
        }
    }
}
