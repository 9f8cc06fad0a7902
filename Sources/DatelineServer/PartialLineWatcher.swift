import DatelineProtocol
import NIOCore

/// How many bytes the client has sent since its last newline, told to the connection after each
/// read (a user inbound event), so it can close a client that leaves a line hanging.
///
/// The frame decoder (`ByteToMessageHandler(NDJSONFrameDecoder(…))`) reports lines and lines
/// over the limit, but a partial line under the limit is, for it, just bytes waiting: this
/// notice is what a slowloris timer needs, without driving the decoder by hand.
struct PartialLineNotice: Sendable, Equatable {
    let bytesWithoutNewline: Int
}

/// Sits before the frame decoder and counts the bytes after the last newline it has seen.
final class PartialLineWatcher: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private var bytesWithoutNewline = 0

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let view = Self.unwrapInboundIn(data).readableBytesView
        if let newline = view.lastIndex(of: 0x0A) {
            bytesWithoutNewline = view.endIndex - newline - 1
        } else {
            bytesWithoutNewline += view.count
        }
        // The bytes first, so the notice describes the state after their lines were handled.
        context.fireChannelRead(data)
        context.fireUserInboundEventTriggered(PartialLineNotice(bytesWithoutNewline: bytesWithoutNewline))
    }
}

@available(*, unavailable)
extension PartialLineWatcher: Sendable {}

extension ChannelPipeline.SynchronousOperations {
    /// The inbound half of a Dateline connection: partial-line notices, then NDJSON framing, so
    /// the next handler reads `NDJSONFrame`s (and `PartialLineNotice` events).
    func addDatelineFraming(limits: ProtocolLimits) throws {
        try addHandler(PartialLineWatcher())
        try addHandler(ByteToMessageHandler(NDJSONFrameDecoder(limits: limits)))
    }
}
