import DatelineCore
import DatelineProjections
import DatelineTestSupport
import Foundation

/// Builds log events the way ingest does (an article, then its findings, in its stream) with
/// the Core payload types, numbering positions as a log would.
struct FixtureLog {
    private(set) var events: [RecordedEvent] = []
    /// The same events as append batches: an article with its findings, or a supersession
    /// with the new findings. Appending them to a real log reproduces an ingest.
    private(set) var batches: [(stream: StreamName, events: [ProposedEvent])] = []
    private var versions: [StreamName: Int64] = [:]
    private var nextIndex: [StreamName: Int] = [:]
    var extractorVersion = "test-1"

    var head: Position { events.last?.position ?? .start }

    mutating func append(_ stream: StreamName, _ type: EventType, _ payload: some Encodable) {
        let data = try! JSONEncoder().encode(payload)
        appendRaw(stream, type, Array(data))
    }

    mutating func appendRaw(_ stream: StreamName, _ type: EventType, _ data: [UInt8]) {
        let version = versions[stream].map { $0 + 1 } ?? 0
        versions[stream] = version
        let position = Position(Int64(events.count + 1))
        let proposed = ProposedEvent(id: try! EventID("\(stream.rawValue)-\(version)"), type: type, data: data)
        let startsBatch = type == .articleIngested || type == .extractionSuperseded
        if !startsBatch, let last = batches.last, last.stream == stream {
            batches[batches.count - 1].events.append(proposed)
        } else {
            batches.append((stream, [proposed]))
        }
        events.append(RecordedEvent(
            position: position, stream: stream, version: StreamVersion(version),
            id: try! EventID("fixture-\(position.rawValue)"), type: type,
            recordedAt: Timestamp(microsecondsSince1970: 1_650_000_000_000_000 + position.rawValue), data: data))
    }

    /// Appends an article and returns its stream.
    @discardableResult
    mutating func article(_ text: String, date: String, title: String? = nil, source: String? = nil,
                          url: String? = nil) -> Article {
        let article = Article(date: CalendarDate(parsing: date)!, title: title, source: source, url: url, text: text)
        append(article.stream, .articleIngested, ArticleIngested(article: article))
        return article
    }

    mutating func statement(_ article: Article, _ statement: Statement) {
        let i = nextIndex[article.stream, default: 0]
        nextIndex[article.stream] = i + 1
        append(article.stream, .statementRecorded,
               StatementRecorded(articleHash: article.contentHash, index: i, extractorVersion: extractorVersion,
                                 statement: statement))
    }

    mutating func tension(_ article: Article, _ tension: Tension) {
        let i = nextIndex[article.stream, default: 0]
        nextIndex[article.stream] = i + 1
        append(article.stream, .tensionObserved,
               TensionObserved(articleHash: article.contentHash, index: i, extractorVersion: extractorVersion,
                               tension: tension))
    }

    mutating func supersede(_ article: Article, newVersion: String) {
        let previous = extractorVersion
        extractorVersion = newVersion
        nextIndex[article.stream] = 0
        append(article.stream, .extractionSuperseded,
               ExtractionSuperseded(articleHash: article.contentHash, previousVersion: previous, extractorVersion: newVersion))
    }
}

func date(_ s: String) -> CalendarDate { CalendarDate(parsing: s)! }
func actor(_ s: String) -> ActorCode { try! ActorCode(s) }
func pair(_ s: String) -> ActorPair { try! ActorPair(parsing: s) }

func said(_ content: String, by name: String?, entity: String? = nil, affiliation: String? = nil, surface: String? = nil,
          kind: StatementKind = .direct, cue: String? = "say", on day: String, at start: Int = 0) -> Statement {
    Statement(kind: kind, content: content, start: start, end: start + content.unicodeScalars.count,
              speaker: Speaker(surface: surface ?? name, name: name, entity: entity,
                               affiliation: affiliation.map(actor), role: nil),
              cue: cue.map { Cue(surface: $0, lemma: $0, start: 0, end: 0) }, date: date(day), polarity: .assert)
}

/// A coded event from `source` to `target`.
func event(_ source: String, _ target: String, cameo: String, goldstein: Double, quad: Int,
           modality: Modality = .asserted, on day: String, span: (Int, Int) = (0, 10), type: String = "EVENT") -> Tension {
    Tension(type: type, cameo: cameo, goldstein: goldstein, quadClass: quad, source: actor(source), target: actor(target),
            pair: ActorPair(actor(source), actor(target)), directed: true, modality: modality, weight: modality.weight,
            start: span.0, end: span.1, date: date(day))
}

/// A plain statement of tension level on a pair.
func levelStatement(_ pairText: String, level: Double, on day: String, span: (Int, Int) = (0, 10)) -> Tension {
    Tension(type: "TENSION_STATEMENT", cameo: nil, goldstein: nil, quadClass: nil, source: nil, target: nil,
            pair: pair(pairText), directed: false, modality: .asserted, weight: 1, level: level,
            start: span.0, end: span.1, date: date(day))
}

/// The package root, found from this file, and the shared folder beside it.
enum SharedData {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let shared = packageRoot.deletingLastPathComponent().appendingPathComponent("shared")
    static let seedGold = shared.appendingPathComponent("gold/seed-000.json")
    static let seedText = shared.appendingPathComponent("corpus/seed-000.txt")
    static var hasSeed: Bool {
        FileManager.default.fileExists(atPath: seedGold.path) && FileManager.default.fileExists(atPath: seedText.path)
    }
}

/// The seed article's gold extraction turned into log events: the gold statements and one
/// `TensionObserved` per mention of each required event (as an extractor would emit them).
func seedLogFromGold() throws -> (FixtureLog, Article) {
    let gold = try JSONSerialization.jsonObject(with: Data(contentsOf: SharedData.seedGold)) as! [String: Any]
    let text = try String(contentsOf: SharedData.seedText, encoding: .utf8)
    var log = FixtureLog()
    let article = log.article(text, date: "2022-01-27", title: "Lavrov on the US and NATO responses", source: "seed")
    for s in gold["statements"] as! [[String: Any]] {
        let sp = s["speaker"] as! [String: Any]
        let span = s["content_span"] as! [Int]
        let cue = s["cue"] as? [String: Any]
        log.statement(article, Statement(
            kind: StatementKind(rawValue: s["kind"] as! String)!, content: s["content"] as! String,
            start: span[0], end: span[1],
            speaker: Speaker(surface: sp["surface"] as? String, name: sp["name"] as? String,
                             entity: sp["entity"] as? String, affiliation: (sp["affiliation"] as? String).map(actor),
                             role: sp["role"] as? String),
            cue: cue.map { c in
                let cs = c["span"] as! [Int]
                return Cue(surface: c["surface"] as! String, lemma: c["lemma"] as! String, start: cs[0], end: cs[1])
            },
            date: date(s["date"] as! String), polarity: Polarity(rawValue: s["polarity"] as! String)!))
    }
    let mentions = Dictionary(uniqueKeysWithValues: (gold["mentions"] as! [[String: Any]]).map { ($0["id"] as! String, $0) })
    for e in gold["events_required"] as! [[String: Any]] {
        for mid in e["mentions"] as! [String] {
            let span = mentions[mid]!["span"] as! [Int]
            let source = (e["source"] as? String).map(actor)
            let target = (e["target"] as? String).map(actor)
            let modality = (e["modality"] as? String).flatMap(Modality.init(rawValue:)) ?? .asserted
            log.tension(article, Tension(
                type: e["type"] as! String, cameo: e["cameo"] as? String, goldstein: e["goldstein"] as? Double,
                quadClass: e["quad_class"] as? Int, source: source, target: target,
                pair: pair(e["pair"] as! String), directed: e["directed"] as? Bool ?? false, modality: modality,
                weight: e["weight"] as? Double ?? modality.weight, level: e["level"] as? Double,
                start: span[0], end: span[1], date: date(e["date"] as! String)))
        }
    }
    return (log, article)
}
