import DatelineProtocol
import NIOCore
import NIOEmbedded
import Testing
@testable import DatelineServer

/// The inbound half of a connection's pipeline (partial-line watcher, then
/// `ByteToMessageHandler(NDJSONFrameDecoder)`) on an `EmbeddedChannel`: bytes in, frames and
/// partial-line notices out, in order. No socket: framing is the point.
@Suite struct FramingPipelineTests {
    /// What reaches the connection handler's place in the pipeline.
    enum Seen: Equatable {
        case line(String)
        case oversized(Int, consecutive: Int)
        case discarding(Int)
        case partial(Int)
        case inputClosed
    }

    final class Collector: ChannelInboundHandler {
        typealias InboundIn = NDJSONFrame
        var seen: [Seen] = []

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch Self.unwrapInboundIn(data) {
            case .line(let line): seen.append(.line(String(buffer: line)))
            case .oversized(let n, let c): seen.append(.oversized(n, consecutive: c))
            case .discarding(let n): seen.append(.discarding(n))
            }
        }

        func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
            if let notice = event as? PartialLineNotice { seen.append(.partial(notice.bytesWithoutNewline)) }
            if let event = event as? ChannelEvent, event == .inputClosed { seen.append(.inputClosed) }
        }
    }

    private func pipeline(maxLineBytes: Int = 16) throws -> (EmbeddedChannel, Collector) {
        let channel = EmbeddedChannel()
        let collector = Collector()
        var limits = ProtocolLimits()
        limits.maxLineBytes = maxLineBytes
        try channel.pipeline.syncOperations.addDatelineFraming(limits: limits)
        try channel.pipeline.syncOperations.addHandler(collector)
        return (channel, collector)
    }

    private func send(_ text: String, to channel: EmbeddedChannel) throws {
        try channel.writeInbound(channel.allocator.buffer(string: text))
    }

    @Test func linesSplitAcrossReadsArriveWholeWithTheirPartialLineNotices() throws {
        let (channel, collector) = try pipeline()
        try send("{\"op\":", to: channel)
        try send("\"ping\"}\r\n\n  \r\nPI", to: channel)
        try send("NG\n", to: channel)
        #expect(collector.seen == [
            .partial(6),
            .line("{\"op\":\"ping\"}"), .partial(2),
            .line("PING"), .partial(0),
        ])
        _ = try channel.finish()
    }

    @Test func anOversizedLineIsDiscardedAsItArrivesAndReportedOnce() throws {
        let (channel, collector) = try pipeline(maxLineBytes: 16)
        try send(String(repeating: "x", count: 20), to: channel)
        try send(String(repeating: "y", count: 20) + "\nPING\n", to: channel)
        #expect(collector.seen == [
            .discarding(20), .partial(20),
            .oversized(40, consecutive: 1), .line("PING"), .partial(0),
        ])
        _ = try channel.finish()
    }

    @Test func theLastLineWithoutANewlineIsDeliveredWhenInputCloses() throws {
        let (channel, collector) = try pipeline()
        try send("PING\nSTATS", to: channel)
        channel.pipeline.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
        #expect(collector.seen == [.line("PING"), .partial(5), .line("STATS"), .inputClosed])
        _ = try channel.finish()
    }
}
