import DatelineCore
import Foundation

/// What one log event means to the timelines. Decoding an event into a change is the only
/// place payload JSON is read, and the in-memory fold and the SQLite projection apply the
/// same changes, so the two cannot disagree about an event's meaning.
public enum TimelineChange: Sendable, Equatable {
    /// An article entered its stream; later findings of the stream link to it.
    case article(ArticleRef)
    /// A statement found in the article of `row.stream` (its article link is not yet filled).
    case statement(StatementRow)
    /// A tension event or level statement found in the article of `mention.stream`.
    case tension(TensionMention)
    /// A newer extraction replaces every finding recorded earlier in `stream`.
    case supersede(stream: StreamName, position: Position)
    /// An event type the timelines do not use.
    case ignored
    /// An event of a known type whose payload could not be read. The timelines skip it (and
    /// count it) rather than stop: the log accepts raw appends, so one bad payload must not
    /// block every later event.
    case malformed(position: Position, type: EventType, reason: String)

    /// Decodes the fields the timelines need from a recorded event. Never throws: an
    /// unreadable payload becomes `.malformed`.
    public init(_ event: RecordedEvent) {
        self = TimelineChange.decode(event)
    }

    private static func decode(_ event: RecordedEvent) -> TimelineChange {
        switch event.type {
        case .extractionSuperseded, .articleIngested, .statementRecorded, .tensionObserved:
            // Only the engine writes article streams (raw appends there are refused), so
            // findings anywhere else are not the engine's and are not folded.
            guard EngineNamespace.isReserved(event.stream) else { return .ignored }
        default: return .ignored
        }
        if event.type == .extractionSuperseded { return .supersede(stream: event.stream, position: event.position) }
        return validated(PayloadReader.change(event) ?? decodeWithFoundation(event), event)
    }

    /// A decoded finding that breaks `FindingRules` (an extreme weight, an unknown code, a
    /// negative offset) becomes `.malformed`: folding it could make the day's tension NaN or
    /// infinite, which SQLite refuses and JSON cannot encode.
    private static func validated(_ change: TimelineChange, _ event: RecordedEvent) -> TimelineChange {
        let problem: String?
        switch change {
        case .statement(let r): problem = FindingRules.statementProblem(start: r.start, end: r.end, index: r.index)
        case .tension(let m):
            problem = FindingRules.tensionProblem(weight: m.weight, goldstein: m.goldstein, quadClass: m.quadClass,
                                                  cameo: m.cameo, level: m.level, start: m.start, end: m.end, index: m.index)
        default: problem = nil
        }
        guard let problem else { return change }
        return .malformed(position: event.position, type: event.type, reason: problem)
    }

    /// The full decoder: `JSONDecoder` and the payload types. The authority on what a payload
    /// means and why it is malformed; the fast path (`PayloadReader`) defers to it whenever it
    /// is not sure.
    static func decodeWithFoundation(_ event: RecordedEvent) -> TimelineChange {
        let decoder = JSONDecoder()
        let data = Data(event.data)
        do {
            switch event.type {
            case .articleIngested:
                let header = try decoder.decode(ArticleHeader.self, from: data)
                return .article(ArticleRef(stream: event.stream, position: event.position, date: header.date,
                                           title: header.title, source: header.source, url: header.url))
            case .statementRecorded:
                let payload = try decoder.decode(StatementRecorded.self, from: data)
                let s = payload.statement
                return .statement(StatementRow(
                    position: event.position, stream: event.stream, index: payload.index, date: s.date, kind: s.kind,
                    speaker: s.speaker.name ?? s.speaker.surface, entity: s.speaker.entity,
                    affiliation: s.speaker.affiliation, role: s.speaker.role, surface: s.speaker.surface,
                    cue: s.cue?.lemma, content: s.content, start: s.start, end: s.end, polarity: s.polarity,
                    extractorVersion: payload.extractorVersion))
            case .tensionObserved:
                let payload = try decoder.decode(TensionObserved.self, from: data)
                let t = payload.tension
                return .tension(TensionMention(
                    position: event.position, stream: event.stream, index: payload.index, date: t.date, pair: t.pair,
                    source: t.source, target: t.target, type: t.type, cameo: t.cameo, goldstein: t.goldstein,
                    quadClass: t.quadClass, modality: t.modality, weight: t.weight, level: t.level, issue: t.issue,
                    start: t.start, end: t.end))
            case .extractionSuperseded:
                return .supersede(stream: event.stream, position: event.position)
            default:
                return .ignored
            }
        } catch {
            return .malformed(position: event.position, type: event.type, reason: describe(error))
        }
    }

    /// A decoding error in a few words, naming the field but never quoting payload bytes.
    private static func describe(_ error: Error) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let p = context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
            return p.isEmpty ? "payload" : p
        }
        switch error as? DecodingError {
        case .keyNotFound(let key, let context)?:
            let p = path(context)
            return "missing field \(p == "payload" ? key.stringValue : p + "." + key.stringValue)"
        case .typeMismatch(_, let context)?: return "wrong type at \(path(context))"
        case .valueNotFound(_, let context)?: return "null at \(path(context))"
        case .dataCorrupted(let context)?: return "invalid value at \(path(context))"
        default: return "not a JSON object"
        }
    }
}

/// The fields of an `ArticleIngested` payload that the timelines link to (the text is skipped).
private struct ArticleHeader: Decodable {
    var date: CalendarDate
    var title: String?
    var source: String?
    var url: String?
}
