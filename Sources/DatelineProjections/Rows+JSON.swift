import DatelineCore
import DatelineJSON

// Query rows written with the shared JSON writer, once, by whoever reads them: the server
// splices the members into its `row` lines as bytes, the CLI prints them as JSON Lines. Keys are
// in sorted order and absent optionals are left out, as the rows' `Codable` forms (through
// `StableJSON`) have always written them; the rows' tests hold the two to the same fields.

extension StatementRow {
    /// The row's members (`"affiliation":…,"content":…,…`, no braces), keys sorted.
    public func writeJSONMembers(into w: inout JSONWriter<[UInt8]>) {
        w.field("affiliation", affiliation?.rawValue)
        w.field("article_position", articlePosition?.rawValue)
        w.field("content", content)
        w.field("cue", cue)
        w.field("date", date.description)
        w.field("end", end)
        w.field("entity", entity)
        w.field("extractor_version", extractorVersion)
        w.field("index", index)
        w.field("kind", kind.rawValue)
        w.field("polarity", polarity.rawValue)
        w.field("position", position.rawValue)
        w.field("role", role)
        w.field("source", source)
        w.field("speaker", speaker)
        w.field("start", start)
        w.field("stream", stream.rawValue)
        w.field("surface", surface)
        w.field("title", title)
        w.field("url", url)
    }
}

extension TensionRow {
    /// The row's members, keys sorted, scores rounded to `jsonDecimals` places (no `-0`).
    public func writeJSONMembers(into w: inout JSONWriter<[UInt8]>) {
        func r(_ v: Double) -> Double {
            let scale = 10_000.0
            let x = (v * scale).rounded() / scale
            return x == 0 ? 0 : x
        }
        w.field("articles", articles)
        w.field("bucket", bucket.rawValue)
        w.field("cooperation", r(cooperation))
        w.field("days", days)
        w.field("end", end.description)
        w.field("events", events)
        if let evidence {
            w.plainKey("evidence")
            w.beginArray()
            for link in evidence {
                w.beginObject()
                link.writeJSONMembers(into: &w)
                w.endObject()
            }
            w.endArray()
        }
        w.field("goldstein_count", goldsteinCount)
        w.field("goldstein_mean", goldsteinMean.map(r))
        w.field("goldstein_sum", r(goldsteinSum))
        w.field("index", r(index))
        w.field("level", level.map(r))
        w.field("mentions", mentions)
        w.field("pair", pair.description)
        w.field("period", period)
        w.plainKey("quad_counts")
        w.beginObject()
        w.field("1", quadCounts[1])
        w.field("2", quadCounts[2])
        w.field("3", quadCounts[3])
        w.field("4", quadCounts[4])
        w.endObject()
        w.field("start", start.description)
        w.field("tension", r(tension))
    }
}

extension EvidenceLink {
    public func writeJSONMembers(into w: inout JSONWriter<[UInt8]>) {
        w.field("cameo", cameo)
        w.field("end", end)
        w.field("level", level)
        w.field("position", position.rawValue)
        w.field("start", start)
        w.field("stream", stream.rawValue)
        w.field("type", type)
    }
}

/// A query row the shared writer can write: a statement or a pair's bucket.
public protocol JSONRow {
    func writeJSONMembers(into w: inout JSONWriter<[UInt8]>)
}

extension StatementRow: JSONRow {}
extension TensionRow: JSONRow {}

extension JSONRow {
    /// The members alone (`"a":1,"b":2`), for a line that adds fields of its own around them.
    public var jsonMembers: [UInt8] {
        var w = JSONWriter<[UInt8]>(membersCapacity: 512)
        writeJSONMembers(into: &w)
        return w.output
    }

    /// The row as one JSON Lines line: `{…}\n`.
    public var jsonLine: [UInt8] {
        var w = JSONWriter<[UInt8]>(capacity: 512)
        w.beginObject()
        writeJSONMembers(into: &w)
        w.endObject()
        w.newline()
        return w.output
    }
}
