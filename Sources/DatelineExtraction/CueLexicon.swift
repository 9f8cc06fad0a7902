import DatelineCore
import Foundation

/// How a reporting verb carries its content, which decides where the extractor looks for it.
enum CueFrame: String, Sendable {
    /// "X said (that) CONTENT".
    case clause
    /// "X told reporters (that) CONTENT": an addressee sits between the verb and the content.
    case addressee
    /// "X called for CONTENT": the content is the verb's object.
    case object
    /// "X believes CONTENT": thought, not speech; never attributes a direct quote.
    case belief
    /// "according to X, CONTENT".
    case according
}

/// One reporting-verb form: its words as written (lower-cased), its lemma and how it behaves.
struct CueForm: Sendable {
    var words: [String]
    var lemma: String
    var frame: CueFrame
    var polarity: Polarity
    /// Also a common noun ("claims", "reports", "notes"): needs a clear subject to count.
    var ambiguous: Bool
    /// A substitute from spun copy ("instructed" for told): used for matching only.
    var spun: Bool
    /// Counts only next to a quotation ("continued"), never for indirect speech.
    var speechOnly: Bool
}

/// The reporting verbs of `cues.json`, indexed by their first word.
struct CueLexicon: Sendable {
    static let shared = CueLexicon()

    /// First word → the forms starting with it, longest first.
    let byFirstWord: [String: [CueForm]]

    init() {
        self.init(json: StatementResources.data(named: "cues"))
    }

    init(json: Data?) {
        var index: [String: [CueForm]] = [:]
        if let json, let root = try? JSONSerialization.jsonObject(with: json) as? [String: Any],
           let cues = root["cues"] as? [[String: Any]] {
            for cue in cues {
                guard let lemma = cue["lemma"] as? String, let forms = cue["forms"] as? [String] else { continue }
                let frame = (cue["frame"] as? String).flatMap(CueFrame.init(rawValue:)) ?? .clause
                let polarity: Polarity = (cue["polarity"] as? String) == "deny" ? .deny : .assert
                for form in forms {
                    let words = form.lowercased().split(separator: " ").map(String.init)
                    guard let first = words.first else { continue }
                    index[first, default: []].append(CueForm(
                        words: words, lemma: lemma, frame: frame, polarity: polarity,
                        ambiguous: cue["ambiguous"] as? Bool ?? false, spun: cue["spun"] as? Bool ?? false,
                        speechOnly: cue["speechOnly"] as? Bool ?? false))
                }
            }
        }
        for key in index.keys { index[key]!.sort { $0.words.count > $1.words.count } }
        byFirstWord = index
    }
}

/// Loads the module's bundled resource files.
enum StatementResources {
    static func data(named name: String) -> Data? {
        guard let url = Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Resources")
            ?? Bundle.module.url(forResource: name, withExtension: "json") else { return nil }
        return try? Data(contentsOf: url)
    }
}
