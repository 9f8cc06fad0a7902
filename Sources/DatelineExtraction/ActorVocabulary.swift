import Foundation

/// Every word the gazetteer and the tension lexicon know, numbered, so the tokenizer hashes
/// each word of an article once and all phrase tables are then indexed by number.
///
/// Built from the two resource files (actors.json and tension-lexicon.json) and the few word
/// lists the extractors test tokens against; a word outside it gets id -1 and is skipped by
/// every table at the cost of that one look-up.
struct ActorVocabulary: Sendable {
    static let shared = ActorVocabulary()

    /// The id of `*` in a phrase: any word.
    static let wildcard: Int32 = -2

    let ids: [String: Int32]
    /// `ids`, for look-ups by the tokenizer's bytes.
    let table: WordTable<Int32>
    var count: Int { ids.count }

    init() {
        var ids: [String: Int32] = [:]
        func add(_ phrase: String) {
            for w in ActorGazetteer.words(of: phrase) {
                let key = ActorGazetteer.key(of: w)
                if ids[key] == nil, key != "*" { ids[key] = Int32(ids.count) }
            }
        }
        func strings(_ value: Any) {
            switch value {
            case let s as String: add(s)
            case let a as [Any]: a.forEach(strings)
            case let d as [String: Any]:
                for (k, v) in d {
                    // Object keys that are phrases (level phrases); field names are added harmlessly.
                    add(k)
                    strings(v)
                }
            default: break
            }
        }
        for name in ["actors", "tension-lexicon", "petrarch-verbs"] {
            guard let url = Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Resources")
                    ?? Bundle.module.url(forResource: name, withExtension: "json"),
                  let data = try? Data(contentsOf: url),
                  let object = try? JSONSerialization.jsonObject(with: data)
            else { fatalError("DatelineExtraction: the bundled resource \(name).json is missing or invalid") }
            strings(object)
        }
        self.ids = ids
        table = WordTable(ids)
    }

    func id(_ key: String) -> Int32 { ids[key] ?? -1 }
}
