import DatelineCore
@testable import DatelineProjections
import DatelineTestSupport
import EventLog
import Foundation
import Testing

/// Payloads a careless or hostile writer could have put in the log (directly through the log's
/// API, as a raw append once could): the timelines must skip and count them, never crash or stop.
@Suite("Hostile payloads")
struct HostilePayloadTests {
    static let hash = String(repeating: "ab", count: 32)

    static func statementJSON(index: String = "0", start: String = "0", end: String = "5", speakerStart: String = "null") -> String {
        """
        {"article_hash":"\(hash)","index":\(index),"extractor_version":"v","statement":{"kind":"direct","content":"hello",\
        "start":\(start),"end":\(end),"speaker":{"name":"Sergey Lavrov","surface":"Lavrov","start":\(speakerStart)},\
        "cue":null,"date":"2022-01-27","polarity":"assert"}}
        """
    }

    static func tensionJSON(weight: String = "1", goldstein: String = "-7", start: String = "0", quad: String = "4",
                            cameo: String = "\"190\"", level: String = "null") -> String {
        """
        {"article_hash":"\(hash)","index":0,"extractor_version":"v","tension":{"type":"EVENT","cameo":\(cameo),\
        "goldstein":\(goldstein),"quad_class":\(quad),"source":"RUS","target":"UKR","pair":"RUS|UKR","directed":true,\
        "modality":"asserted","weight":\(weight),"level":\(level),"issue":null,"start":\(start),"end":10,"date":"2022-01-27"}}
        """
    }

    /// A real log with one article and the given raw findings in its stream.
    static func log(in dir: TemporaryDirectory, findings: [(EventType, String)]) throws -> (EventStore, StreamName) {
        let log = try openLog(dir.database)
        let article = Article(date: CalendarDate(parsing: "2022-01-27")!, title: "t", text: "hostile payload fixture")
        var events = [ProposedEvent(id: try EventID("a-0"), type: .articleIngested,
                                    data: Array(try JSONEncoder().encode(ArticleIngested(article: article))))]
        for (i, f) in findings.enumerated() {
            events.append(ProposedEvent(id: try EventID("a-\(i + 1)"), type: f.0, data: Array(f.1.utf8)))
        }
        _ = try log.appendSync(to: article.stream, events: events)
        return (log, article.stream)
    }

    @Test("integers of 2^63 and beyond (and -2^63) are skipped and counted; the store opens, catches up and answers")
    func hugeIntegers() throws {
        let dir = try TemporaryDirectory()
        let (log, _) = try Self.log(in: dir, findings: [
            (.statementRecorded, Self.statementJSON(index: "9223372036854775808")),
            (.statementRecorded, Self.statementJSON(start: "-9223372036854775808")),
            (.statementRecorded, Self.statementJSON(end: "99999999999999999999999")),
            (.statementRecorded, Self.statementJSON(speakerStart: "-9223372036854775809")),
            (.tensionObserved, Self.tensionJSON(start: "9223372036854775808")),
            (.tensionObserved, Self.tensionJSON(quad: "-9223372036854775808")),
            (.statementRecorded, Self.statementJSON()),
            (.tensionObserved, Self.tensionJSON()),
        ])
        defer { log.close() }
        let skipped = SkippedPositions()
        var options = TimelineStoreOptions()
        options.onSkipped = { position, _, reason in skipped.add(position, reason) }
        let store = try TimelineStore.open(log: log, options: options)
        defer { store.close() }
        // Each skipped event is reported with its position (the owner logs it), once.
        #expect(skipped.positions == (2...7).map { Position(Int64($0)) })
        #expect(skipped.reasons.allSatisfy { !$0.contains("9223372036854775808") })
        let stats = Dictionary(uniqueKeysWithValues: try store.stats().map { ($0.name, $0) })
        #expect(stats["statements"]?.malformed == 4)
        #expect(stats["tensions"]?.malformed == 2)
        #expect(try store.statements(StatementQuery()).count == 1)
        #expect(try store.dailyTensions().map(\.events) == [1])
        // A rebuild reads them again the same way.
        try store.rebuild()
        #expect(try store.statements(StatementQuery()).count == 1)
        #expect(try store.stats().first { $0.name == "statements" }?.malformed == 4)
    }

    @Test("extreme and out-of-range weights, Goldstein scores, levels and codes are refused; the day's tension stays finite")
    func extremeWeights() throws {
        let dir = try TemporaryDirectory()
        let (log, _) = try Self.log(in: dir, findings: [
            (.tensionObserved, Self.tensionJSON(weight: "1e308")),
            (.tensionObserved, Self.tensionJSON(weight: "-1e308")),
            (.tensionObserved, Self.tensionJSON(weight: "1.5")),
            (.tensionObserved, Self.tensionJSON(goldstein: "-11")),
            (.tensionObserved, Self.tensionJSON(goldstein: "1e300")),
            (.tensionObserved, Self.tensionJSON(quad: "7")),
            (.tensionObserved, Self.tensionJSON(cameo: "\"99x\"")),
            (.tensionObserved, Self.tensionJSON(level: "2")),
            (.tensionObserved, Self.tensionJSON(weight: "0.5")),
        ])
        defer { log.close() }
        let store = try TimelineStore.open(log: log)
        defer { store.close() }
        #expect(try store.stats().first { $0.name == "tensions" }?.malformed == 8)
        let daily = try store.dailyTensions()
        #expect(daily.count == 1)
        #expect(daily.first.map { abs($0.tension - 3.5) < 1e-9 } == true)
        let rows = try store.tensions(TensionQuery(pair: try ActorPair(parsing: "RUS-UKR")))
        #expect(rows.allSatisfy { $0.tension.isFinite && $0.index.isFinite })
        _ = try JSONEncoder().encode(rows)
        // Later events still reach the timelines.
        let more = Article(date: CalendarDate(parsing: "2022-01-28")!, text: "a later article")
        _ = try log.appendSync(to: more.stream, events: [ProposedEvent(
            id: try EventID("b-0"), type: .articleIngested, data: Array(try JSONEncoder().encode(ArticleIngested(article: more))))])
        try store.catchUp()
        #expect(try store.stats().allSatisfy { $0.checkpoint == (try? log.head()) })
    }

    @Test("the fold cannot make NaN or infinity even from mentions that bypassed validation")
    func foldStaysFinite() {
        func mention(_ position: Int64, weight: Double, goldstein: Double?) -> TensionMention {
            TensionMention(position: Position(position), stream: try! StreamName("article-0000000000000000"), index: Int(position),
                           date: date("2022-01-27"), pair: pair("RUS|UKR"), source: actor("RUS"), target: actor("UKR"),
                           type: "EVENT", cameo: "19\(position)", goldstein: goldstein, quadClass: 4, modality: .asserted,
                           weight: weight, level: nil, issue: nil, start: 0, end: 1)
        }
        let mentions = [mention(1, weight: 1e308, goldstein: -10), mention(2, weight: -1e308, goldstein: -10),
                        mention(3, weight: .nan, goldstein: -5), mention(4, weight: 1, goldstein: -.infinity),
                        mention(5, weight: 1e308, goldstein: 1e308)]
        let d = TensionMath.daily(pair: pair("RUS|UKR"), date: date("2022-01-27"), mentions: mentions)
        #expect(d.map { $0.tension.isFinite && $0.cooperation.isFinite && $0.goldsteinSum.isFinite } == true)
    }

    @Test("findings are fold-only in the engine's article streams: the same payloads elsewhere are ignored")
    func findingsOutsideArticleStreams() throws {
        let event = RecordedEvent(position: Position(1), stream: try StreamName("x"), version: StreamVersion(0),
                                  id: try EventID("e"), type: .statementRecorded,
                                  recordedAt: Timestamp(microsecondsSince1970: 0), data: Array(Self.statementJSON().utf8))
        #expect(TimelineChange(event) == .ignored)
        let inArticle = RecordedEvent(position: Position(1), stream: try StreamName("article-0123456789abcdef"),
                                      version: StreamVersion(1), id: try EventID("e"), type: .statementRecorded,
                                      recordedAt: Timestamp(microsecondsSince1970: 0), data: Array(Self.statementJSON().utf8))
        guard case .statement = TimelineChange(inArticle) else {
            Issue.record("a statement in an article stream should fold")
            return
        }
    }

    // MARK: - Property test: the fast reader against the full decoder

    static let numbers = ["0", "-0", "1", "-1", "18", "999999999999999999", "-999999999999999999", "1000000000000000000",
                          "9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809",
                          "18446744073709551616", "123456789012345678901234567890", "1e3", "1E+3", "1.0", "-1.5e-7",
                          "1e308", "-1e308", "1e309", "0.1", "01", "-", "1.", ".5", "1e", "true", "null", "\"7\"", "[]", "{}",
                          String(repeating: "9", count: 400)]

    static func mutate(_ text: String, _ g: inout SeededRandom) -> String {
        var bytes = Array(text.utf8)
        switch g.int(6) {
        case 0:  // replace a number
            let digits = bytes.indices.filter { bytes[$0] >= 0x30 && bytes[$0] <= 0x39 }
            guard let at = digits.isEmpty ? nil : g.pick(digits) else { return text }
            var end = at
            while end < bytes.count, (bytes[end] >= 0x30 && bytes[end] <= 0x39) || bytes[end] == 0x2E { end += 1 }
            var start = at
            while start > 0, (bytes[start - 1] >= 0x30 && bytes[start - 1] <= 0x39) || bytes[start - 1] == 0x2D { start -= 1 }
            bytes.replaceSubrange(start..<end, with: Array(g.pick(numbers).utf8))
        case 1:  // deep nesting in place of a value
            let colons = bytes.indices.filter { bytes[$0] == 0x3A }
            guard !colons.isEmpty else { return text }
            let at = g.pick(colons) + 1
            let depth = g.pick([2, 63, 64, 65, 200, 5000])
            let nested = String(repeating: "[", count: depth) + "1" + String(repeating: "]", count: depth)
            bytes.insert(contentsOf: Array(nested.utf8) + [0x2C], at: at)
        case 2:  // flip a byte
            guard !bytes.isEmpty else { return text }
            bytes[g.int(bytes.count)] = UInt8(truncatingIfNeeded: g.next())
        case 3:  // cut
            bytes = Array(bytes.prefix(g.int(bytes.count + 1)))
        case 4:  // wrong types: a string or number where the other is expected
            let quotes = bytes.indices.filter { bytes[$0] == 0x22 }
            guard quotes.count > 2 else { return text }
            bytes.remove(at: g.pick(quotes))
        default:  // duplicate a member
            guard let comma = bytes.firstIndex(of: 0x2C) else { return text }
            let first = Array(bytes[1..<comma])
            bytes.insert(contentsOf: first + [0x2C], at: 1)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test("random and mutated payloads: the fast reader never crashes and never disagrees with JSONDecoder")
    func fastReaderAgreesWithTheFullDecoder() throws {
        var g = SeededRandom(state: 2026)
        let stream = try StreamName("article-0123456789abcdef")
        let seeds: [(EventType, String)] = [
            (.statementRecorded, Self.statementJSON()),
            (.tensionObserved, Self.tensionJSON()),
            (.tensionObserved, Self.tensionJSON(goldstein: "null", quad: "null", cameo: "null", level: "0.5")),
            (.articleIngested, #"{"date":"2022-01-27","title":"T","source":null,"url":"https://x","text":"body"}"#),
        ]
        var agreed = 0, refused = 0
        for round in 0..<4000 {
            let (type, seed) = g.pick(seeds)
            var text = seed
            for _ in 0..<g.int(3) { text = Self.mutate(text, &g) }
            let event = RecordedEvent(position: Position(Int64(round + 1)), stream: stream, version: StreamVersion(1),
                                      id: try EventID("e"), type: type, recordedAt: Timestamp(microsecondsSince1970: 0),
                                      data: Array(text.utf8))
            let full = TimelineChange.decodeWithFoundation(event)
            if let fast = PayloadReader.change(event) {
                #expect(fast == full, "payload: \(text)")
                agreed += 1
            } else {
                refused += 1
            }
            // The public entry point (fast path, then the full decoder, then validation) never traps.
            _ = TimelineChange(event)
        }
        // Both paths were exercised.
        #expect(agreed > 100 && refused > 100)
    }
}

final class SkippedPositions: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [(Position, String)] = []
    func add(_ p: Position, _ reason: String) { lock.withLock { items.append((p, reason)) } }
    var positions: [Position] { lock.withLock { items.map(\.0).sorted() } }
    var reasons: [String] { lock.withLock { items.map(\.1) } }
}
