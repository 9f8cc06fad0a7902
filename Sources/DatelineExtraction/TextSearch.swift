import Foundation

/// Substring tests on the extractors' hot paths that skip Foundation's search when they can
/// answer exactly without it.
enum TextSearch {
    /// Whether `text` contains `needle`, a one-byte ASCII string given also as its byte. For
    /// ASCII text (nearly every word and name) a byte scan is exact; other text keeps
    /// Foundation's answer, which compares composed characters.
    static func contains(_ text: String, ascii byte: UInt8, or needle: String) -> Bool {
        var ascii = true
        var found = false
        for b in text.utf8 {
            if b >= 0x80 { ascii = false; break }
            if b == byte { found = true }
        }
        return ascii ? found : text.contains(needle)
    }
}
