import NIOCore

/// What the framing decoder hands the server for each piece of the byte stream.
public enum NDJSONFrame: Sendable, Equatable {
    /// One non-blank line, without its `\n` and without a `\r` before it.
    case line(ByteBuffer)
    /// A line longer than the limit ended (its newline arrived, or the connection closed) and was
    /// discarded. `byteCount` is its length without the newline; `consecutive` counts oversized
    /// lines with no good line between them (1 for the first). Answer with `line_too_long`.
    case oversized(byteCount: Int, consecutive: Int)
    /// A line passed the limit and its bytes are being thrown away until its newline. Emitted when
    /// it crosses the limit and again each time another limit's worth is discarded, so a server
    /// can close a client that never sends a newline (`ProtocolLimits.isAbuse`). Needs no reply.
    case discarding(bytesWithoutNewline: Int)
}

/// Splits a byte stream into lines (NDJSON framing) without ever holding more than
/// `maxLineBytes + 1` bytes of one line: a longer line is dropped as it arrives and reported, so
/// a client cannot grow the server's memory and the connection stays usable after it.
///
/// Use it as a `ByteToMessageDecoder` (`ByteToMessageHandler(NDJSONFrameDecoder(...))`), or drive
/// `decode(buffer:)` directly (or through `NIOSingleStepByteToMessageProcessor`) from a handler that
/// wants to read `bytesWithoutNewline` itself.
///
/// Blank lines (empty, or only spaces, tabs and a `\r`) produce nothing. A final line with no
/// newline is delivered when the input ends (`decodeLast`).
public struct NDJSONFrameDecoder: NIOSingleStepByteToMessageDecoder {
    public typealias InboundOut = NDJSONFrame

    public let maxLineBytes: Int
    /// Oversized lines since the last good line.
    public private(set) var consecutiveOversizedLines = 0
    /// Bytes received since the last newline (held or discarded): a partial line in progress.
    public private(set) var bytesWithoutNewline = 0

    /// Bytes after the reader index already known to hold no newline (so nothing is rescanned).
    private var scanned = 0
    private var discarding = false
    private var discarded = 0
    private var noticesSent = 0

    public init(maxLineBytes: Int = ProtocolLimits.default.maxLineBytes) {
        precondition(maxLineBytes > 0, "maxLineBytes must be positive")
        self.maxLineBytes = maxLineBytes
    }

    public init(limits: ProtocolLimits) {
        self.init(maxLineBytes: limits.maxLineBytes)
    }

    public mutating func decode(buffer: inout ByteBuffer) throws -> NDJSONFrame? {
        while true {
            if discarding {
                let view = buffer.readableBytesView
                if view.isEmpty { return nil }
                if let newline = view.firstIndex(of: 0x0A) {
                    let n = newline - view.startIndex
                    var total = discarded + n
                    if n > 0, view[newline - 1] == 0x0D { total -= 1 }
                    buffer.moveReaderIndex(forwardBy: n + 1)
                    return finishOversized(byteCount: total)
                }
                discarded += view.count
                bytesWithoutNewline = discarded
                buffer.moveReaderIndex(forwardBy: view.count)
                let notices = discarded / maxLineBytes
                if notices > noticesSent {
                    noticesSent = notices
                    return .discarding(bytesWithoutNewline: discarded)
                }
                return nil
            }

            let view = buffer.readableBytesView
            let searchFrom = view.startIndex + min(scanned, view.count)
            guard let newline = view[searchFrom...].firstIndex(of: 0x0A) else {
                scanned = view.count
                bytesWithoutNewline = view.count
                // One more than the limit may be a `\r` that belongs before the newline.
                if view.count > maxLineBytes + 1 {
                    discarding = true
                    discarded = view.count
                    noticesSent = discarded / maxLineBytes
                    scanned = 0
                    buffer.moveReaderIndex(forwardBy: view.count)
                    return .discarding(bytesWithoutNewline: discarded)
                }
                return nil
            }
            let length = newline - view.startIndex
            var content = length
            if content > 0, view[newline - 1] == 0x0D { content -= 1 }
            scanned = 0
            bytesWithoutNewline = 0
            if content > maxLineBytes {
                buffer.moveReaderIndex(forwardBy: length + 1)
                consecutiveOversizedLines += 1
                return .oversized(byteCount: content, consecutive: consecutiveOversizedLines)
            }
            let line = buffer.readSlice(length: content)!
            buffer.moveReaderIndex(forwardBy: length - content + 1)
            if Self.isBlank(line) { continue }
            consecutiveOversizedLines = 0
            return .line(line)
        }
    }

    public mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> NDJSONFrame? {
        if let frame = try decode(buffer: &buffer) { return frame }
        if discarding {
            return finishOversized(byteCount: discarded)
        }
        guard buffer.readableBytes > 0 else { return nil }
        // A last line with no newline.
        var content = buffer.readableBytes
        if buffer.readableBytesView.last == 0x0D { content -= 1 }
        let line = buffer.readSlice(length: content)!
        buffer.moveReaderIndex(to: buffer.writerIndex)
        scanned = 0
        bytesWithoutNewline = 0
        if content > maxLineBytes {
            consecutiveOversizedLines += 1
            return .oversized(byteCount: content, consecutive: consecutiveOversizedLines)
        }
        if Self.isBlank(line) { return nil }
        consecutiveOversizedLines = 0
        return .line(line)
    }

    private mutating func finishOversized(byteCount: Int) -> NDJSONFrame {
        discarding = false
        discarded = 0
        noticesSent = 0
        scanned = 0
        bytesWithoutNewline = 0
        consecutiveOversizedLines += 1
        return .oversized(byteCount: byteCount, consecutive: consecutiveOversizedLines)
    }

    static func isBlank(_ line: ByteBuffer) -> Bool {
        line.readableBytesView.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }
    }
}
