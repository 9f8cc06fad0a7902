import DatelineCore
import DatelineExtraction

/// The actor codes Dateline knows (the extractor's gazetteer), for refusing a typo in a filter
/// ("RUS-UKE") instead of answering that nothing matches.
public enum KnownActors {
    public static func contains(_ code: ActorCode) -> Bool { ActorGazetteer.shared.name(of: code) != nil }
}
