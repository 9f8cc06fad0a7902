import DatelineCore

/// A passage inside quotation marks, within one paragraph. A quotation that runs on over
/// several paragraphs (the convention: no closing mark at the paragraph's end, an opening
/// mark at the next one's start) is one span per paragraph, the later ones `continuesPrevious`.
struct QuoteSpan: Sendable {
    var openToken: Int
    /// The closing mark's token, or nil when the paragraph ends first.
    var closeToken: Int?
    /// Tokens of the content: firstToken..<endToken.
    var firstToken: Int
    var endToken: Int
    /// Scalar offsets of the content (inside the marks), trimmed of white space.
    var start: Int
    var end: Int
    var paragraph: Int
    var continuesPrevious: Bool
}

enum QuoteScanner {
    /// Pairs quotation marks paragraph by paragraph and marks every token inside a quotation.
    static func scan(_ tokens: inout [StatementToken], text: ArticleText) -> [QuoteSpan] {
        var spans: [QuoteSpan] = []
        var open: Int? = nil
        var lastParagraph = -1
        var previousParagraphUnclosed = false
        var paragraphFirstToken = 0
        let sc = text.scalars

        func isSpaceAt(_ offset: Int) -> Bool {
            offset < 0 || offset >= sc.count || ArticleText.isSpace(sc[offset]) || sc[offset] == "\n"
        }

        func finish(_ openIndex: Int, close: Int?, endToken: Int, paragraphEnd: Int) {
            let o = tokens[openIndex]
            var start = o.end
            var end = close.map { tokens[$0].start } ?? paragraphEnd
            while start < end, ArticleText.isSpace(sc[start]) { start += 1 }
            while end > start, ArticleText.isSpace(sc[end - 1]) { end -= 1 }
            guard start < end else { return }
            let index = spans.count
            let cont = openIndex == paragraphFirstToken && previousParagraphUnclosed
            spans.append(QuoteSpan(openToken: openIndex, closeToken: close, firstToken: openIndex + 1, endToken: endToken,
                                   start: start, end: end, paragraph: o.paragraph, continuesPrevious: cont))
            if openIndex + 1 < endToken {
                for k in (openIndex + 1)..<endToken { tokens[k].quote = index }
            }
        }

        var k = 0
        while k <= tokens.count {
            let atEnd = k == tokens.count
            if atEnd || tokens[k].paragraph != lastParagraph {
                // Paragraph boundary: an open quotation ends here, unclosed.
                var unclosed = false
                if let o = open {
                    let paragraphEnd = text.paragraphs.indices.contains(lastParagraph) ? text.paragraphs[lastParagraph].end : sc.count
                    finish(o, close: nil, endToken: k, paragraphEnd: paragraphEnd)
                    unclosed = true
                    open = nil
                }
                if atEnd { break }
                previousParagraphUnclosed = unclosed
                lastParagraph = tokens[k].paragraph
                paragraphFirstToken = k
            }
            let t = tokens[k]
            guard t.isQuoteMark else { k += 1; continue }
            let spaceBefore = isSpaceAt(t.start - 1) || (t.start > 0 && "([{—–-/".unicodeScalars.contains(sc[t.start - 1]))
            let spaceAfter = isSpaceAt(t.end)
            if let o = open {
                let os = tokens[o].style
                // Curly and straight marks get mixed in copy: either closes the other when it
                // stands where a closing mark stands (glued to the text before it).
                let mixed = (os == .curly && t.style == .straight) || (os == .straight && t.style == .curly)
                let compatible = os == t.style || (mixed && !spaceBefore && t.kind != .openQuote)
                if compatible && (t.kind == .closeQuote || t.kind == .eitherQuote) {
                    // An "either" mark with a space after it and none before closes; one glued to
                    // the next word but not the previous one is more likely a fresh opening.
                    if t.kind == .eitherQuote, spaceBefore, !spaceAfter {
                        finish(o, close: nil, endToken: k, paragraphEnd: t.start)
                        open = k
                    } else {
                        finish(o, close: k, endToken: k, paragraphEnd: t.start)
                        open = nil
                    }
                } else if compatible && t.kind == .openQuote {
                    // Same style opened again: the previous quotation was never closed.
                    if !spaceBefore, spaceAfter {
                        finish(o, close: k, endToken: k, paragraphEnd: t.start)   // a misdirected closing mark
                        open = nil
                    } else {
                        finish(o, close: nil, endToken: k, paragraphEnd: t.start)
                        open = k
                    }
                }
                // Other styles inside a quotation are nested marks: ignored.
            } else {
                switch t.kind {
                case .openQuote:
                    open = k
                case .eitherQuote:
                    if !spaceAfter || spaceBefore { open = k }
                case .closeQuote:
                    if spaceBefore && !spaceAfter { open = k }  // a misdirected opening mark
                default:
                    break
                }
            }
            k += 1
        }
        return spans
    }
}
