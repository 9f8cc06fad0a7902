import DatelineCore
@testable import DatelineExtraction

// What the rule suites ask of the extractors, for sentences written in the tests: the same
// article date everywhere unless a test needs another.

/// The tensions the tension extractor alone finds in `text` (no statements), on `day`.
func tensions(_ text: String, on day: String = "2022-05-10") -> [Tension] {
    TensionExtractor.shared.extract(from: Article(date: CalendarDate(parsing: day)!, text: text), statements: [])
}

/// Each tension as "CAMEO SOURCE>TARGET", for comparing sets.
func tensionKeys(_ t: [Tension]) -> Set<String> {
    Set(t.map { "\($0.cameo ?? "-") \($0.source?.rawValue ?? "-")>\($0.target?.rawValue ?? "-")" })
}

/// The statements the statement extractor finds in `text`, dated 2022-05-10.
func statements(_ text: String) -> [Statement] {
    StatementExtractor.shared.extract(from: Article(id: "t", date: CalendarDate(year: 2022, month: 5, day: 10)!, text: text))
}
