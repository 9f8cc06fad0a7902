import DatelineCore

/// The JSON Lines form of a stored event that `dateline log` and `dateline replay` print:
/// `{"position","stream","version","type","event_id","recorded_at","data"}` with the payload
/// spliced in verbatim.
public enum EventLines {
    public static func line(_ event: RecordedEvent) -> [UInt8] {
        var writer = JSONObjectWriter(capacity: event.data.count + 160)
        writer.field("position", event.position.rawValue)
        writer.field("stream", event.stream.rawValue)
        writer.field("version", event.version.rawValue)
        writer.field("type", event.type.rawValue)
        writer.field("event_id", event.id.rawValue)
        writer.field("recorded_at", event.recordedAt.description)
        writer.field("data", rawJSON: event.data.isEmpty ? Array("null".utf8) : event.data)
        return writer.finish()
    }
}
