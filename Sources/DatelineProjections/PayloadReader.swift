import DatelineCore

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
struct PayloadReader {
    private let p: UnsafePointer<UInt8>
    private let n: Int
    private var i = 0

    private init(_ base: UnsafePointer<UInt8>, count: Int) {
        p = base
        n = count
    }

    /// The change an event means, or nil when the fast path cannot tell (use the full decoder).
    static func change(_ event: RecordedEvent) -> TimelineChange? {
        event.data.withUnsafeBufferPointer { buffer -> TimelineChange? in
            guard let base = buffer.baseAddress, buffer.count > 0 else { return nil }
            var r = PayloadReader(base, count: buffer.count)
            let change: TimelineChange?
            switch event.type {
            case .articleIngested: change = r.article(event)
            case .statementRecorded: change = r.statement(event)
            case .tensionObserved: change = r.tension(event)
            default: return nil
            }
            guard change != nil else { return nil }
            r.ws()
            return r.i == r.n ? change : nil
        }
    }

    // MARK: - Payloads

    private mutating func article(_ event: RecordedEvent) -> TimelineChange? {
        var date: CalendarDate?
        var title: String?, source: String?, url: String?
        var seen: UInt8 = 0
        let ok = object { r, key in
            if r.key(key, "date") {
                guard r.once(&seen, 1), let d = r.date() else { return false }
                date = d
            } else if r.key(key, "title") {
                guard r.once(&seen, 2), r.optionalString(&title) else { return false }
            } else if r.key(key, "source") {
                guard r.once(&seen, 4), r.optionalString(&source) else { return false }
            } else if r.key(key, "url") {
                guard r.once(&seen, 8), r.optionalString(&url) else { return false }
            } else {
                return r.skip()
            }
            return true
        }
        guard ok, let date else { return nil }
        return .article(ArticleRef(stream: event.stream, position: event.position, date: date, title: title, source: source, url: url))
    }

    /// The fields every finding payload shares: `article_hash`, `index`, `extractor_version`.
    private struct FindingHeader {
        var seen: UInt8 = 0
        var hash = false
        var index: Int?
        var version: String?

        /// Reads `key`'s value if it is a header field; nil when it is not one.
        mutating func read(_ r: inout PayloadReader, _ key: Range<Int>) -> Bool? {
            if r.key(key, "article_hash") {
                guard r.once(&seen, 1), let s = r.string(), s.utf8.count == 64,
                      s.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }) else { return false }
                hash = true
            } else if r.key(key, "index") {
                guard r.once(&seen, 2), let v = r.int() else { return false }
                index = v
            } else if r.key(key, "extractor_version") {
                guard r.once(&seen, 4), let v = r.string() else { return false }
                version = v
            } else {
                return nil
            }
            return true
        }
    }

    private mutating func statement(_ event: RecordedEvent) -> TimelineChange? {
        var header = FindingHeader()
        var row: StatementRow?
        var seen: UInt8 = 0
        let ok = object { r, key in
            if let done = header.read(&r, key) { return done }
            if r.key(key, "statement") {
                guard r.once(&seen, 1) else { return false }
                row = r.statementBody(event)
                return row != nil
            }
            return r.skip()
        }
        guard ok, header.hash, let index = header.index, let version = header.version, var row else { return nil }
        row.index = index
        row.extractorVersion = version
        return .statement(row)
    }

    private mutating func statementBody(_ event: RecordedEvent) -> StatementRow? {
        var kind: StatementKind?, content: String?, start: Int?, end: Int?, date: CalendarDate?, polarity: Polarity?
        var speaker: (name: String?, surface: String?, entity: String?, affiliation: ActorCode?, role: String?)?
        var cue: String?
        var seen: UInt16 = 0
        let ok = object { r, key in
            if r.key(key, "kind") {
                guard r.once16(&seen, 1), let s = r.string(), let k = StatementKind(rawValue: s) else { return false }
                kind = k
            } else if r.key(key, "content") {
                guard r.once16(&seen, 2), let s = r.string() else { return false }
                content = s
            } else if r.key(key, "start") {
                guard r.once16(&seen, 4), let v = r.int() else { return false }
                start = v
            } else if r.key(key, "end") {
                guard r.once16(&seen, 8), let v = r.int() else { return false }
                end = v
            } else if r.key(key, "fragments") {
                guard r.once16(&seen, 16), r.nullOr({ $0.intPairs() }) else { return false }
            } else if r.key(key, "continues") {
                guard r.once16(&seen, 32), r.nullOr({ $0.int() != nil }) else { return false }
            } else if r.key(key, "speaker") {
                guard r.once16(&seen, 64), let s = r.speaker() else { return false }
                speaker = s
            } else if r.key(key, "cue") {
                guard r.once16(&seen, 128) else { return false }
                if r.null() { return true }
                guard let lemma = r.cueLemma() else { return false }
                cue = lemma
            } else if r.key(key, "date") {
                guard r.once16(&seen, 256), let d = r.date() else { return false }
                date = d
            } else if r.key(key, "polarity") {
                guard r.once16(&seen, 512), let s = r.string(), let v = Polarity(rawValue: s) else { return false }
                polarity = v
            } else {
                return r.skip()
            }
            return true
        }
        guard ok, let kind, let content, let start, let end, let speaker, let date, let polarity else { return nil }
        return StatementRow(position: event.position, stream: event.stream, index: 0, date: date, kind: kind,
                            speaker: speaker.name ?? speaker.surface, entity: speaker.entity, affiliation: speaker.affiliation,
                            role: speaker.role, surface: speaker.surface, cue: cue, content: content, start: start, end: end,
                            polarity: polarity, extractorVersion: "")
    }

    private mutating func speaker() -> (name: String?, surface: String?, entity: String?, affiliation: ActorCode?, role: String?)? {
        var name: String?, surface: String?, entity: String?, affiliation: ActorCode?, role: String?
        var seen: UInt8 = 0
        let ok = object { r, key in
            if r.key(key, "surface") {
                guard r.once(&seen, 1), r.optionalString(&surface) else { return false }
            } else if r.key(key, "name") {
                guard r.once(&seen, 2), r.optionalString(&name) else { return false }
            } else if r.key(key, "entity") {
                guard r.once(&seen, 4), r.optionalString(&entity) else { return false }
            } else if r.key(key, "role") {
                guard r.once(&seen, 8), r.optionalString(&role) else { return false }
            } else if r.key(key, "affiliation") {
                guard r.once(&seen, 16), r.optionalActor(&affiliation) else { return false }
            } else if r.key(key, "start") {
                guard r.once(&seen, 32), r.nullOr({ $0.int() != nil }) else { return false }
            } else if r.key(key, "end") {
                guard r.once(&seen, 64), r.nullOr({ $0.int() != nil }) else { return false }
            } else {
                return r.skip()
            }
            return true
        }
        return ok ? (name, surface, entity, affiliation, role) : nil
    }

    private mutating func cueLemma() -> String? {
        var lemma: String?
        var seen: UInt8 = 0
        let ok = object { r, key in
            if r.key(key, "surface") {
                guard r.once(&seen, 1), r.string() != nil else { return false }
            } else if r.key(key, "lemma") {
                guard r.once(&seen, 2), let s = r.string() else { return false }
                lemma = s
            } else if r.key(key, "start") {
                guard r.once(&seen, 4), r.int() != nil else { return false }
            } else if r.key(key, "end") {
                guard r.once(&seen, 8), r.int() != nil else { return false }
            } else {
                return r.skip()
            }
            return true
        }
        return ok && seen == 15 ? lemma : nil
    }

    private mutating func tension(_ event: RecordedEvent) -> TimelineChange? {
        var header = FindingHeader()
        var mention: TensionMention?
        var seen: UInt8 = 0
        let ok = object { r, key in
            if let done = header.read(&r, key) { return done }
            if r.key(key, "tension") {
                guard r.once(&seen, 1) else { return false }
                mention = r.tensionBody(event)
                return mention != nil
            }
            return r.skip()
        }
        guard ok, header.hash, let index = header.index, header.version != nil, var mention else { return nil }
        mention.index = index
        return .tension(mention)
    }

    private mutating func tensionBody(_ event: RecordedEvent) -> TensionMention? {
        var type: String?, cameo: String?, goldstein: Double?, quadClass: Int?, source: ActorCode?, target: ActorCode?
        var pair: ActorPair?, directed: Bool?, modality: Modality?, weight: Double?, level: Double?, issue: String?
        var start: Int?, end: Int?, date: CalendarDate?
        var seen: UInt16 = 0
        let ok = object { r, key in
            if r.key(key, "type") {
                guard r.once16(&seen, 1), let s = r.string() else { return false }
                type = s
            } else if r.key(key, "cameo") {
                guard r.once16(&seen, 2), r.optionalString(&cameo) else { return false }
            } else if r.key(key, "goldstein") {
                guard r.once16(&seen, 4) else { return false }
                if r.null() { return true }
                guard let v = r.double() else { return false }
                goldstein = v
            } else if r.key(key, "quad_class") {
                guard r.once16(&seen, 8) else { return false }
                if r.null() { return true }
                guard let v = r.int() else { return false }
                quadClass = v
            } else if r.key(key, "source") {
                guard r.once16(&seen, 16), r.optionalActor(&source) else { return false }
            } else if r.key(key, "target") {
                guard r.once16(&seen, 32), r.optionalActor(&target) else { return false }
            } else if r.key(key, "pair") {
                guard r.once16(&seen, 64), let s = r.string(), let v = try? ActorPair(parsing: s) else { return false }
                pair = v
            } else if r.key(key, "directed") {
                guard r.once16(&seen, 128), let v = r.bool() else { return false }
                directed = v
            } else if r.key(key, "modality") {
                guard r.once16(&seen, 256), let s = r.string(), let v = Modality(rawValue: s) else { return false }
                modality = v
            } else if r.key(key, "weight") {
                guard r.once16(&seen, 512), let v = r.double() else { return false }
                weight = v
            } else if r.key(key, "level") {
                guard r.once16(&seen, 1024) else { return false }
                if r.null() { return true }
                guard let v = r.double() else { return false }
                level = v
            } else if r.key(key, "issue") {
                guard r.once16(&seen, 2048), r.optionalString(&issue) else { return false }
            } else if r.key(key, "start") {
                guard r.once16(&seen, 4096), let v = r.int() else { return false }
                start = v
            } else if r.key(key, "end") {
                guard r.once16(&seen, 8192), let v = r.int() else { return false }
                end = v
            } else if r.key(key, "date") {
                guard r.once16(&seen, 16384), let d = r.date() else { return false }
                date = d
            } else {
                return r.skip()
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
    private func once(_ seen: inout UInt8, _ bit: UInt8) -> Bool {
        if seen & bit != 0 { return false }
        seen |= bit
        return true
    }

    private func once16(_ seen: inout UInt16, _ bit: UInt16) -> Bool {
        if seen & bit != 0 { return false }
        seen |= bit
        return true
    }

    private func key(_ range: Range<Int>, _ name: StaticString) -> Bool {
        guard range.count == name.utf8CodeUnitCount else { return false }
        let k = name.utf8Start
        for j in 0..<range.count where p[range.lowerBound + j] != k[j] { return false }
        return true
    }

    private mutating func date() -> CalendarDate? {
        guard let s = string() else { return nil }
        return CalendarDate(parsing: s)
    }

    private mutating func optionalString(_ out: inout String?) -> Bool {
        if null() { out = nil; return true }
        guard let s = string() else { return false }
        out = s
        return true
    }

    private mutating func optionalActor(_ out: inout ActorCode?) -> Bool {
        if null() { out = nil; return true }
        guard let s = string(), let a = try? ActorCode(s) else { return false }
        out = a
        return true
    }

    /// `null`, or a value `body` reads.
    private mutating func nullOr(_ body: (inout PayloadReader) -> Bool) -> Bool {
        null() || body(&self)
    }

    /// An array of arrays of integers (`fragments`).
    private mutating func intPairs() -> Bool {
        array { r in r.array { $0.int() != nil } }
    }

    // MARK: - JSON

    mutating func ws() {
        while i < n {
            let c = p[i]
            guard c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 else { return }
            i += 1
        }
    }

    /// Walks an object's members; `body` reads (or skips) each value. False on any syntax error
    /// or when `body` gives up.
    private mutating func object(_ body: (inout PayloadReader, Range<Int>) -> Bool) -> Bool {
        ws()
        guard i < n, p[i] == 0x7B else { return false }
        i += 1
        ws()
        if i < n, p[i] == 0x7D { i += 1; return true }
        while true {
            ws()
            guard i < n, p[i] == 0x22 else { return false }
            i += 1
            let start = i
            while i < n, p[i] != 0x22 {
                if p[i] == 0x5C || p[i] < 0x20 { return false }  // escaped keys: not on the fast path
                i += 1
            }
            guard i < n else { return false }
            let key = start..<i
            i += 1
            ws()
            guard i < n, p[i] == 0x3A else { return false }
            i += 1
            ws()
            guard body(&self, key) else { return false }
            ws()
            guard i < n else { return false }
            if p[i] == 0x2C { i += 1; continue }
            if p[i] == 0x7D { i += 1; return true }
            return false
        }
    }

    private mutating func array(_ element: (inout PayloadReader) -> Bool) -> Bool {
        ws()
        guard i < n, p[i] == 0x5B else { return false }
        i += 1
        ws()
        if i < n, p[i] == 0x5D { i += 1; return true }
        while true {
            ws()
            guard element(&self) else { return false }
            ws()
            guard i < n else { return false }
            if p[i] == 0x2C { i += 1; continue }
            if p[i] == 0x5D { i += 1; return true }
            return false
        }
    }

    private mutating func literal(_ word: StaticString) -> Bool {
        let count = word.utf8CodeUnitCount
        guard n - i >= count else { return false }
        let w = word.utf8Start
        for j in 0..<count where p[i + j] != w[j] { return false }
        i += count
        return true
    }

    /// Consumes `null` if it is next.
    private mutating func null() -> Bool {
        ws()
        return i < n && p[i] == 0x6E && literal("null")
    }

    private mutating func bool() -> Bool? {
        ws()
        if literal("true") { return true }
        if literal("false") { return false }
        return nil
    }

    /// A plain integer (`-?(0|[1-9][0-9]*)`, at most 18 digits); anything else is left to the full decoder.
    ///
    /// The digits are counted before they are added up: 18 decimal digits always fit in an
    /// `Int`, so no value a client can write overflows here (a 19th digit gives up instead).
    private mutating func int() -> Int? {
        ws()
        var j = i
        var negative = false
        if j < n, p[j] == 0x2D { negative = true; j += 1 }
        let digitsStart = j
        var value = 0
        while j < n, p[j] >= 0x30, p[j] <= 0x39 {
            guard j - digitsStart < 18 else { return nil }
            value = value * 10 + Int(p[j] - 0x30)
            j += 1
        }
        let digits = j - digitsStart
        guard digits > 0, !(digits > 1 && p[digitsStart] == 0x30) else { return nil }
        if j < n, p[j] == 0x2E || p[j] == 0x65 || p[j] == 0x45 { return nil }
        i = j
        return negative ? -value : value
    }

    /// The extent of a JSON number at the cursor (strict grammar), or nil.
    private func numberEnd() -> Int? {
        var j = i
        if j < n, p[j] == 0x2D { j += 1 }
        guard j < n else { return nil }
        if p[j] == 0x30 {
            j += 1
        } else if p[j] >= 0x31, p[j] <= 0x39 {
            while j < n, p[j] >= 0x30, p[j] <= 0x39 { j += 1 }
        } else {
            return nil
        }
        if j < n, p[j] == 0x2E {
            j += 1
            let s = j
            while j < n, p[j] >= 0x30, p[j] <= 0x39 { j += 1 }
            guard j > s else { return nil }
        }
        if j < n, p[j] == 0x65 || p[j] == 0x45 {
            j += 1
            if j < n, p[j] == 0x2B || p[j] == 0x2D { j += 1 }
            let s = j
            while j < n, p[j] >= 0x30, p[j] <= 0x39 { j += 1 }
            guard j > s else { return nil }
        }
        return j
    }

    private mutating func double() -> Double? {
        ws()
        guard let end = numberEnd(), end - i <= 40 else { return nil }
        let text = String(decoding: UnsafeBufferPointer(start: p + i, count: end - i), as: UTF8.self)
        guard let v = Double(text), v.isFinite else { return nil }
        i = end
        return v
    }

    /// A string value: valid UTF-8, no raw control characters, escapes decoded (a lone
    /// surrogate escape is left to the full decoder).
    private mutating func string() -> String? {
        ws()
        guard i < n, p[i] == 0x22 else { return nil }
        i += 1
        let start = i
        while i < n {
            let c = p[i]
            if c == 0x22 {
                let s = String(validating: UnsafeBufferPointer(start: p + start, count: i - start), as: UTF8.self)
                i += 1
                return s
            }
            if c == 0x5C { return escapedString(from: start) }
            if c < 0x20 { return nil }
            i += 1
        }
        return nil
    }

    /// Skips a string value (an article's text, mostly) with the checks of `string()`, without
    /// building it: plain ASCII needs no further check.
    private mutating func skipString() -> Bool {
        guard i < n, p[i] == 0x22 else { return false }
        let start = i
        i += 1
        var plain = true
        while i < n {
            let c = p[i]
            if c == 0x22 {
                i += 1
                return true
            }
            if c == 0x5C || c < 0x20 || c >= 0x80 {
                plain = false
                break
            }
            i += 1
        }
        guard !plain else { return false }
        i = start
        return string() != nil
    }

    private mutating func escapedString(from start: Int) -> String? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(i - start + 32)
        bytes.append(contentsOf: UnsafeBufferPointer(start: p + start, count: i - start))
        while i < n {
            let c = p[i]
            if c == 0x22 {
                i += 1
                return String(validating: bytes, as: UTF8.self)
            }
            if c < 0x20 { return nil }
            if c != 0x5C {
                bytes.append(c)
                i += 1
                continue
            }
            guard i + 1 < n else { return nil }
            let e = p[i + 1]
            i += 2
            switch e {
            case 0x22, 0x5C, 0x2F: bytes.append(e)
            case 0x62: bytes.append(0x08)
            case 0x66: bytes.append(0x0C)
            case 0x6E: bytes.append(0x0A)
            case 0x72: bytes.append(0x0D)
            case 0x74: bytes.append(0x09)
            case 0x75:
                guard let unit = hex4() else { return nil }
                var scalar: UInt32 = UInt32(unit)
                if unit >= 0xD800, unit <= 0xDBFF {
                    guard i + 1 < n, p[i] == 0x5C, p[i + 1] == 0x75 else { return nil }
                    i += 2
                    guard let low = hex4(), low >= 0xDC00, low <= 0xDFFF else { return nil }
                    scalar = 0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(low) - 0xDC00)
                } else if unit >= 0xDC00, unit <= 0xDFFF {
                    return nil
                }
                guard let u = Unicode.Scalar(scalar) else { return nil }
                bytes.append(contentsOf: UTF8.encode(u)!)
            default:
                return nil
            }
        }
        return nil
    }

    private mutating func hex4() -> UInt16? {
        guard n - i >= 4 else { return nil }
        var v: UInt16 = 0
        for j in 0..<4 {
            let c = p[i + j]
            let d: UInt16
            switch c {
            case 0x30...0x39: d = UInt16(c - 0x30)
            case 0x61...0x66: d = UInt16(c - 0x61 + 10)
            case 0x41...0x46: d = UInt16(c - 0x41 + 10)
            default: return nil
            }
            v = v << 4 | d
        }
        i += 4
        return v
    }

    /// Skips any JSON value, checking that it is well formed.
    private mutating func skip(depth: Int = 0) -> Bool {
        guard depth < 64 else { return false }
        ws()
        guard i < n else { return false }
        switch p[i] {
        case 0x22: return skipString()
        case 0x7B: return object { r, _ in r.skip(depth: depth + 1) }
        case 0x5B: return array { $0.skip(depth: depth + 1) }
        case 0x74: return literal("true")
        case 0x66: return literal("false")
        case 0x6E: return literal("null")
        default:
            guard let end = numberEnd() else { return false }
            i = end
            return true
        }
    }
}
