import DatelineCore
import NIOCore
import Testing

@testable import DatelineProtocol

/// Feeds `chunks` through the decoder as a channel would, then ends the input.
func frames(_ chunks: [[UInt8]], maxLineBytes: Int, finish: Bool = true) throws -> [NDJSONFrame] {
    let processor = NIOSingleStepByteToMessageProcessor(NDJSONFrameDecoder(maxLineBytes: maxLineBytes))
    var out: [NDJSONFrame] = []
    for chunk in chunks {
        try processor.process(buffer: ByteBuffer(bytes: chunk)) { out.append($0) }
        #expect(processor.unprocessedBytes <= maxLineBytes + 1, "the decoder held more than one line's limit")
    }
    if finish { try processor.finishProcessing(seenEOF: true) { out.append($0) } }
    return out
}

func text(_ frame: NDJSONFrame) -> String {
    switch frame {
    case .line(let b): "line:" + String(buffer: b)
    case .oversized(let n, let c): "oversized:\(n)x\(c)"
    case .discarding(let n): "discarding:\(n)"
    }
}

@Suite struct FramingTests {
    @Test func splitsLinesStripsCRAndSkipsBlankLines() throws {
        let input = Array("PING\r\n{\"op\":\"ping\"}\n\n   \r\n\t\nHELP\n".utf8)
        let got = try frames([input], maxLineBytes: 64).map(text)
        #expect(got == ["line:PING", "line:{\"op\":\"ping\"}", "line:HELP"])
    }

    @Test func sameFramesWhateverTheSplit() throws {
        let input = Array("PING\r\n\r\n0123456789abcdefghij\nSTATS\n{\"a\":\"x\\\"\"}\r\nlast".utf8)
        let whole = try frames([input], maxLineBytes: 12).map(text)
        #expect(whole == ["line:PING", "oversized:20x1", "line:STATS", "line:{\"a\":\"x\\\"\"}", "line:last"])
        for cut in 0...input.count {
            let got = try frames([Array(input[..<cut]), Array(input[cut...])], maxLineBytes: 12).map(text)
                .filter { !$0.hasPrefix("discarding") }
            #expect(got == whole, "split at \(cut)")
        }
        let byteByByte = try frames(input.map { [$0] }, maxLineBytes: 12).map(text).filter { !$0.hasPrefix("discarding") }
        #expect(byteByByte == whole)
    }

    @Test func oversizedLineThenGoodLineKeepsConnectionUsable() throws {
        let long = [UInt8](repeating: UInt8(ascii: "x"), count: 10_000)
        var input = long + Array("\nPING\n".utf8)
        let chunks = stride(from: 0, to: input.count, by: 97).map { Array(input[$0..<min($0 + 97, input.count)]) }
        let got = try frames(chunks, maxLineBytes: 100).map(text)
        #expect(got.last == "line:PING")
        #expect(got.contains("oversized:10000x1"))
        // Notices while discarding: one when it crossed the limit, then one per further 100 bytes at most.
        let notices = got.filter { $0.hasPrefix("discarding") }
        #expect(!notices.isEmpty && notices.count <= 100)
        input.removeAll()
    }

    @Test func lineOfExactlyTheLimitWithCRLFIsAccepted() throws {
        let line = String(repeating: "a", count: 16)
        #expect(try frames([Array((line + "\r\n").utf8)], maxLineBytes: 16).map(text) == ["line:" + line])
        #expect(try frames([Array((line + "b\n").utf8)], maxLineBytes: 16).map(text) == ["oversized:17x1"])
    }

    @Test func countsConsecutiveOversizedLinesAndResetsOnAGoodLine() throws {
        let big = String(repeating: "z", count: 30)
        let input = Array("\(big)\n\(big)\n\(big)\nok\n\(big)\n".utf8)
        let got = try frames([input], maxLineBytes: 10).map(text).filter { !$0.hasPrefix("discarding") }
        #expect(got == ["oversized:30x1", "oversized:30x2", "oversized:30x3", "line:ok", "oversized:30x1"])
        let limits = ProtocolLimits(maxLineBytes: 10, maxConsecutiveOversizedLines: 3)
        #expect(!limits.isAbuse(.oversized(byteCount: 30, consecutive: 2)))
        #expect(limits.isAbuse(.oversized(byteCount: 30, consecutive: 3)))
    }

    @Test func reportsBytesWithoutNewlineSoTheServerCanCloseAbusers() throws {
        let chunk = [UInt8](repeating: 0x41, count: 25)
        let got = try frames(Array(repeating: chunk, count: 8), maxLineBytes: 50, finish: false).map(text)
        // Crossed 51 at 75 bytes, then each further 50: 100, 150, 200.
        #expect(got == ["discarding:75", "discarding:100", "discarding:150", "discarding:200"])
        let limits = ProtocolLimits(maxLineBytes: 50, maxBytesWithoutNewline: 160)
        #expect(!limits.isAbuse(.discarding(bytesWithoutNewline: 150)))
        #expect(limits.isAbuse(.discarding(bytesWithoutNewline: 200)))
    }

    @Test func decoderTracksPartialLineBytes() throws {
        var decoder = NDJSONFrameDecoder(maxLineBytes: 100)
        var buffer = ByteBuffer(string: "PI")
        #expect(try decoder.decode(buffer: &buffer) == nil)
        #expect(decoder.bytesWithoutNewline == 2)
        buffer.writeString("NG\n")
        #expect(try decoder.decode(buffer: &buffer).map(text) == "line:PING")
        #expect(decoder.bytesWithoutNewline == 0)
    }

    @Test func endOfInputDeliversALastLineAndFinishesAnOversizedOne() throws {
        #expect(try frames([Array("PING".utf8)], maxLineBytes: 10).map(text) == ["line:PING"])
        #expect(try frames([Array("PING\r".utf8)], maxLineBytes: 10).map(text) == ["line:PING"])
        #expect(try frames([Array("   ".utf8)], maxLineBytes: 10).map(text) == [])
        let got = try frames([Array(String(repeating: "q", count: 40).utf8)], maxLineBytes: 10).map(text)
        #expect(got == ["discarding:40", "oversized:40x1"])
    }

    @Test func binaryJunkIsFramedAndRefusedAsBadJSONWithoutHarm() throws {
        var junk: [UInt8] = (0...255).map(UInt8.init).filter { $0 != 0x0A }
        junk += [0x0A] + Array("PING\n".utf8)
        let got = try frames([junk], maxLineBytes: 1024)
        #expect(got.count == 2)
        guard case .line(let line) = got[0] else {
            Issue.record("expected a line")
            return
        }
        #expect(line.readableBytes == 255)
        let parsed = RequestParser().parse(line)
        #expect(parsed.failureCode == .badJSON)
        #expect(text(got[1]) == "line:PING")
    }
}

extension Result where Failure == ProtocolError {
    var failureCode: ErrorCode? {
        if case .failure(let e) = self { return e.code }
        return nil
    }
}
