import ArgumentParser
import DatelineCore
import DatelineProtocol
import Foundation
import NIOCore

/// The protocol codec's hot paths without sockets: event lines written for replay and fan-out,
/// append requests parsed, server lines read back by a client, and the filters' payload scans.
/// Uses only the codec's public API, so the same file measures an older tree as a baseline.
struct ProtocolBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "protocol",
        abstract: "Protocol encode/decode throughput (lines/s and MB/s) over realistic payloads."
    )

    @Option(help: "Distinct events (a mix of articles and statements).")
    var events: Int = 4000
    @Option(help: "Passes over the events per measurement (the best pass is reported).")
    var passes: Int = 7

    func run() throws {
        var factory = PayloadFactory(seed: 42)
        var recorded: [RecordedEvent] = []
        for i in 0..<events {
            let article = i % 5 == 0
            recorded.append(RecordedEvent(
                position: Position(Int64(i + 1)), stream: try StreamName("article-\(String(i / 5, radix: 16))"),
                version: StreamVersion(Int64(i % 5)), id: try EventID("e-\(i)"),
                type: article ? .articleIngested : .statementRecorded,
                recordedAt: Timestamp(microsecondsSince1970: 1_700_000_000_000_000 + Int64(i) * 1234),
                data: article ? factory.article(index: i) : factory.statement(index: i)))
        }
        let payloadBytes = recorded.reduce(0) { $0 + $1.data.count }
        print("protocol codec: \(events) events, \(payloadBytes / events) payload bytes on average; best of \(passes) passes")

        func measure(_ name: String, items: Int, bytes: Int, _ body: () -> Int) {
            var best = Double.infinity
            var sink = 0
            for _ in 0..<passes {
                let start = ContinuousClock.now
                sink &+= body()
                let d = ContinuousClock.now - start
                best = min(best, Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18)
            }
            print(String(format: "  %-34@ %10.0f lines/s  %8.1f MB/s   (%d)", name as NSString, Double(items) / best,
                         Double(bytes) / best / 1e6, sink & 1))
        }

        var buffer = ByteBufferAllocator().buffer(capacity: 1 << 16)
        var lineBytes = 0
        for e in recorded {
            buffer.clear()
            Reply.event(id: .string("sub-1"), e, into: &buffer)
            lineBytes += buffer.readableBytes
        }
        measure("event line (replay)", items: events, bytes: lineBytes) {
            var n = 0
            for e in recorded {
                buffer.clear()
                Reply.event(id: .string("sub-1"), e, into: &buffer)
                n &+= buffer.readableBytes
            }
            return n
        }
        let bodies = recorded.map { EventLineBody($0) }
        measure("event line (fan-out, shared body)", items: events, bytes: lineBytes) {
            var n = 0
            for body in bodies {
                buffer.clear()
                Reply.event(id: .number(7), body: body, into: &buffer)
                n &+= buffer.readableBytes
            }
            return n
        }
        measure("event line body (once per event)", items: events, bytes: lineBytes) {
            var n = 0
            for e in recorded { n &+= EventLineBody(e).bytes.readableBytes }
            return n
        }

        // Append requests as a client writes them, parsed as the server parses them.
        var requests: [ByteBuffer] = []
        for (i, e) in recorded.enumerated() {
            var b = ByteBuffer()
            let append = AppendRequest(stream: e.stream, expect: .any,
                                       events: [AppendEvent(eventID: e.id, type: e.type, data: e.data)])
            ParsedRequest(id: .string("a\(i)"), request: .append(append)).write(into: &b)
            requests.append(b)
        }
        let requestBytes = requests.reduce(0) { $0 + $1.readableBytes }
        let parser = RequestParser()
        measure("append request parsed (server)", items: events, bytes: requestBytes) {
            var n = 0
            for r in requests {
                if case .success(let p) = parser.parse(r), case .append(let a) = p.request { n &+= a.events.count }
            }
            return n
        }

        // Event lines read back by a client.
        var lines: [[UInt8]] = []
        for e in recorded {
            var b = ByteBuffer()
            Reply.event(id: .string("sub-1"), e, into: &b)
            lines.append(Array(b.readableBytesView))
        }
        measure("event line read (client)", items: events, bytes: lineBytes) {
            var n = 0
            for line in lines {
                if let e = (try? ServerLine(line))?.event { n &+= e.data.count }
            }
            return n
        }

        measure("filter facts scanned", items: events, bytes: payloadBytes) {
            var n = 0
            for e in recorded where EventFacts(scanning: e).speakerName != nil { n &+= 1 }
            return n
        }

        let fields: ReplyObject = ["stream": "article-1", "positions": [1, 2, 3], "last_version": 2,
                                   "recorded_at": "2026-12-03T00:00:00.000000Z", "duplicate": false]
        measure("ok reply with fields", items: events, bytes: 0) {
            var n = 0
            for i in 0..<events {
                buffer.clear()
                Reply.ok(id: .number(Int64(i)), op: .append, fields, into: &buffer)
                n &+= buffer.readableBytes
            }
            return n
        }
    }
}
