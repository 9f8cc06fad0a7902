import DatelineCore
import DatelineJSON

/// Reads the few fields the timelines need straight from a payload's UTF-8 JSON bytes, without
/// building the whole payload value (JSON decoding was most of a rebuild's time; see
/// DESIGN.md, "decode only the fields a projection needs").
///
/// It is a fast path, not a second definition of the payloads: it accepts only plainly
/// well-formed JSON of the expected shape (every value of a field it reads checked against the
/// payload types' own rules, every other value checked to be valid JSON) and gives up — returns
/// nil — on anything else, such as a duplicated field, an unusual number spelling or a missing
/// field. The caller then decodes with `JSONDecoder` and the payload types, which remain the
/// one authority on what a payload means and why it is malformed.
enum PayloadReader {
    /// The change an event means, or nil when the fast path cannot tell (use the full decoder).
    static func change(_ event: RecordedEvent) -> TimelineChange? {
        event.data.withUnsafeBufferPointer { buffer -> TimelineChange? in
            guard buffer.count > 0 else { return nil }
            var r = JSONReader(buffer)
            let change: TimelineChange?
            switch event.type {
            case .articleIngested: change = r.article(event)
            case .statementRecorded: change = r.statement(event)
            case .tensionObserved: change = r.tension(event)
            default: return nil
            }
            guard change != nil else { return nil }
            r.skipWhitespace()
            return r.isAtEnd ? change : nil
        }
    }
}

/// The payloads, read with the shared reader's strict primitives (`readObject`, `readString`,
/// overflow-checked `readInt`, the validating `skipValidValue`).
extension JSONReader {
    // MARK: - Payloads

    fileprivate mutating func article(_ event: RecordedEvent) -> TimelineChange? {
        var date: CalendarDate?
        var title: String?, source: String?, url: String?
        var seen: UInt8 = 0
        let ok = readObject { r, key in
            if r.key(key, is: "date") {
                guard r.once(&seen, 1), let d = r.date() else { return false }
                date = d
            } else if r.key(key, is: "title") {
                guard r.once(&seen, 2), r.optionalString(&title) else { return false }
            } else if r.key(key, is: "source") {
                guard r.once(&seen, 4), r.optionalString(&source) else { return false }
            } else if r.key(key, is: "url") {
                guard r.once(&seen, 8), r.optionalString(&url) else { return false }
            } else {
                return r.skipValidValue()
            }
            return true
        }
        guard ok, let date else { return nil }
        return .article(ArticleRef(stream: event.stream, position: event.position, date: date, title: title, source: source, url: url))
    }

    /// The fields every finding payload shares: `article_hash`, `index`, `extractor_version`.
    fileprivate struct FindingHeader {
        var seen: UInt8 = 0
        var hash = false
        var index: Int?
        var version: String?

        /// Reads `key`'s value if it is a header field; nil when it is not one.
        mutating func read(_ r: inout JSONReader, _ key: Range<Int>) -> Bool? {
            if r.key(key, is: "article_hash") {
                guard r.once(&seen, 1), let s = r.readString(), s.utf8.count == 64,
                      s.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }) else { return false }
                hash = true
            } else if r.key(key, is: "index") {
                guard r.once(&seen, 2), let v = r.readInt() else { return false }
                index = v
            } else if r.key(key, is: "extractor_version") {
                guard r.once(&seen, 4), let v = r.readString() else { return false }
                version = v
            } else {
                return nil
            }
            return true
        }
    }

    fileprivate mutating func statement(_ event: RecordedEvent) -> TimelineChange? {
        var header = FindingHeader()
        var row: StatementRow?
        var seen: UInt8 = 0
        let ok = readObject { r, key in
            if let done = header.read(&r, key) { return done }
            if r.key(key, is: "statement") {
                guard r.once(&seen, 1) else { return false }
                row = r.statementBody(event)
                return row != nil
            }
            return r.skipValidValue()
        }
        guard ok, header.hash, let index = header.index, let version = header.version, var row else { return nil }
        row.index = index
        row.extractorVersion = version
        return .statement(row)
    }

    fileprivate mutating func statementBody(_ event: RecordedEvent) -> StatementRow? {
        var kind: StatementKind?, content: String?, start: Int?, end: Int?, date: CalendarDate?, polarity: Polarity?
        var speaker: (name: String?, surface: String?, entity: String?, affiliation: ActorCode?, role: String?)?
        var cue: String?
        var seen: UInt16 = 0
        let ok = readObject { r, key in
            if r.key(key, is: "kind") {
                guard r.once16(&seen, 1), let s = r.readString(), let k = StatementKind(rawValue: s) else { return false }
                kind = k
            } else if r.key(key, is: "content") {
                guard r.once16(&seen, 2), let s = r.readString() else { return false }
                content = s
            } else if r.key(key, is: "start") {
                guard r.once16(&seen, 4), let v = r.readInt() else { return false }
                start = v
            } else if r.key(key, is: "end") {
                guard r.once16(&seen, 8), let v = r.readInt() else { return false }
                end = v
            } else if r.key(key, is: "fragments") {
                guard r.once16(&seen, 16), r.nullOr({ $0.intPairs() }) else { return false }
            } else if r.key(key, is: "continues") {
                guard r.once16(&seen, 32), r.nullOr({ $0.readInt() != nil }) else { return false }
            } else if r.key(key, is: "speaker") {
                guard r.once16(&seen, 64), let s = r.speaker() else { return false }
                speaker = s
            } else if r.key(key, is: "cue") {
                guard r.once16(&seen, 128) else { return false }
                if r.readNull() { return true }
                guard let lemma = r.cueLemma() else { return false }
                cue = lemma
            } else if r.key(key, is: "date") {
                guard r.once16(&seen, 256), let d = r.date() else { return false }
                date = d
            } else if r.key(key, is: "polarity") {
                guard r.once16(&seen, 512), let s = r.readString(), let v = Polarity(rawValue: s) else { return false }
                polarity = v
            } else {
                return r.skipValidValue()
            }
            return true
        }
        guard ok, let kind, let content, let start, let end, let speaker, let date, let polarity else { return nil }
        return StatementRow(position: event.position, stream: event.stream, index: 0, date: date, kind: kind,
                            speaker: speaker.name ?? speaker.surface, entity: speaker.entity, affiliation: speaker.affiliation,
                            role: speaker.role, surface: speaker.surface, cue: cue, content: content, start: start, end: end,
                            polarity: polarity, extractorVersion: "")
    }

    fileprivate mutating func speaker() -> (name: String?, surface: String?, entity: String?, affiliation: ActorCode?, role: String?)? {
        var name: String?, surface: String?, entity: String?, affiliation: ActorCode?, role: String?
        var seen: UInt8 = 0
        let ok = readObject { r, key in
            if r.key(key, is: "surface") {
                guard r.once(&seen, 1), r.optionalString(&surface) else { return false }
            } else if r.key(key, is: "name") {
                guard r.once(&seen, 2), r.optionalString(&name) else { return false }
            } else if r.key(key, is: "entity") {
                guard r.once(&seen, 4), r.optionalString(&entity) else { return false }
            } else if r.key(key, is: "role") {
                guard r.once(&seen, 8), r.optionalString(&role) else { return false }
            } else if r.key(key, is: "affiliation") {
                guard r.once(&seen, 16), r.optionalActor(&affiliation) else { return false }
            } else if r.key(key, is: "start") {
                guard r.once(&seen, 32), r.nullOr({ $0.readInt() != nil }) else { return false }
            } else if r.key(key, is: "end") {
                guard r.once(&seen, 64), r.nullOr({ $0.readInt() != nil }) else { return false }
            } else {
                return r.skipValidValue()
            }
            return true
        }
        return ok ? (name, surface, entity, affiliation, role) : nil
    }

    fileprivate mutating func cueLemma() -> String? {
        var lemma: String?
        var seen: UInt8 = 0
        let ok = readObject { r, key in
            if r.key(key, is: "surface") {
                guard r.once(&seen, 1), r.readString() != nil else { return false }
            } else if r.key(key, is: "lemma") {
                guard r.once(&seen, 2), let s = r.readString() else { return false }
                lemma = s
            } else if r.key(key, is: "start") {
                guard r.once(&seen, 4), r.readInt() != nil else { return false }
            } else if r.key(key, is: "end") {
                guard r.once(&seen, 8), r.readInt() != nil else { return false }
            } else {
                return r.skipValidValue()
            }
            return true
        }
        return ok && seen == 15 ? lemma : nil
    }

    fileprivate mutating func tension(_ event: RecordedEvent) -> TimelineChange? {
        var header = FindingHeader()
        var mention: TensionMention?
        var seen: UInt8 = 0
        let ok = readObject { r, key in
            if let done = header.read(&r, key) { return done }
            if r.key(key, is: "tension") {
                guard r.once(&seen, 1) else { return false }
                mention = r.tensionBody(event)
                return mention != nil
            }
            return r.skipValidValue()
        }
        guard ok, header.hash, let index = header.index, header.version != nil, var mention else { return nil }
        mention.index = index
        return .tension(mention)
    }

    fileprivate mutating func tensionBody(_ event: RecordedEvent) -> TensionMention? {
        var type: String?, cameo: String?, goldstein: Double?, quadClass: Int?, source: ActorCode?, target: ActorCode?
        var pair: ActorPair?, directed: Bool?, modality: Modality?, weight: Double?, level: Double?, issue: String?
        var start: Int?, end: Int?, date: CalendarDate?
        var seen: UInt16 = 0
        let ok = readObject { r, key in
            if r.key(key, is: "type") {
                guard r.once16(&seen, 1), let s = r.readString() else { return false }
                type = s
            } else if r.key(key, is: "cameo") {
                guard r.once16(&seen, 2), r.optionalString(&cameo) else { return false }
            } else if r.key(key, is: "goldstein") {
                guard r.once16(&seen, 4) else { return false }
                if r.readNull() { return true }
                guard let v = r.readDouble() else { return false }
                goldstein = v
            } else if r.key(key, is: "quad_class") {
                guard r.once16(&seen, 8) else { return false }
                if r.readNull() { return true }
                guard let v = r.readInt() else { return false }
                quadClass = v
            } else if r.key(key, is: "source") {
                guard r.once16(&seen, 16), r.optionalActor(&source) else { return false }
            } else if r.key(key, is: "target") {
                guard r.once16(&seen, 32), r.optionalActor(&target) else { return false }
            } else if r.key(key, is: "pair") {
                guard r.once16(&seen, 64), let s = r.readString(), let v = try? ActorPair(parsing: s) else { return false }
                pair = v
            } else if r.key(key, is: "directed") {
                guard r.once16(&seen, 128), let v = r.readBool() else { return false }
                directed = v
            } else if r.key(key, is: "modality") {
                guard r.once16(&seen, 256), let s = r.readString(), let v = Modality(rawValue: s) else { return false }
                modality = v
            } else if r.key(key, is: "weight") {
                guard r.once16(&seen, 512), let v = r.readDouble() else { return false }
                weight = v
            } else if r.key(key, is: "level") {
                guard r.once16(&seen, 1024) else { return false }
                if r.readNull() { return true }
                guard let v = r.readDouble() else { return false }
                level = v
            } else if r.key(key, is: "issue") {
                guard r.once16(&seen, 2048), r.optionalString(&issue) else { return false }
            } else if r.key(key, is: "start") {
                guard r.once16(&seen, 4096), let v = r.readInt() else { return false }
                start = v
            } else if r.key(key, is: "end") {
                guard r.once16(&seen, 8192), let v = r.readInt() else { return false }
                end = v
            } else if r.key(key, is: "date") {
                guard r.once16(&seen, 16384), let d = r.date() else { return false }
                date = d
            } else {
                return r.skipValidValue()
            }
            return true
        }
        guard ok, let type, let pair, directed != nil, let modality, let weight, let start, let end, let date else { return nil }
        return TensionMention(position: event.position, stream: event.stream, index: 0, date: date, pair: pair, source: source,
                              target: target, type: type, cameo: cameo, goldstein: goldstein, quadClass: quadClass,
                              modality: modality, weight: weight, level: level, issue: issue, start: start, end: end)
    }

    // MARK: - Fields

    /// Marks a field seen; false when it was seen before (a duplicated key: left to the full decoder).
    fileprivate func once(_ seen: inout UInt8, _ bit: UInt8) -> Bool {
        if seen & bit != 0 { return false }
        seen |= bit
        return true
    }

    fileprivate func once16(_ seen: inout UInt16, _ bit: UInt16) -> Bool {
        if seen & bit != 0 { return false }
        seen |= bit
        return true
    }

    fileprivate mutating func date() -> CalendarDate? {
        guard let s = readString() else { return nil }
        return CalendarDate(parsing: s)
    }

    fileprivate mutating func optionalString(_ out: inout String?) -> Bool {
        if readNull() { out = nil; return true }
        guard let s = readString() else { return false }
        out = s
        return true
    }

    fileprivate mutating func optionalActor(_ out: inout ActorCode?) -> Bool {
        if readNull() { out = nil; return true }
        guard let s = readString(), let a = try? ActorCode(s) else { return false }
        out = a
        return true
    }

    /// `null`, or a value `body` reads.
    fileprivate mutating func nullOr(_ body: (inout JSONReader) -> Bool) -> Bool {
        readNull() || body(&self)
    }

    /// An array of arrays of integers (`fragments`).
    fileprivate mutating func intPairs() -> Bool {
        readArray { r in r.readArray { $0.readInt() != nil } }
    }
}
