// The throwing half of `JSONReader`: a full parse into `JSONNode`s (requests, server lines) and
// lenient member-by-member scans (the subscription filters' payload facts, the best-effort
// request id), built on the same primitives as the fast paths.

extension JSONReader {
    /// Reads one JSON document (surrounding white space allowed); nesting deeper than
    /// `maxDepth` is an error, so the recursion is bounded whatever the input.
    public mutating func parseDocument() throws(JSONSyntaxError) -> JSONNode {
        skipWhitespace()
        let node = try parseValue(depth: 0)
        skipWhitespace()
        if !isAtEnd { throw fail("unexpected text after the JSON value") }
        return node
    }

    public mutating func parseValue(depth: Int) throws(JSONSyntaxError) -> JSONNode {
        guard let b = peek else { throw fail("unexpected end of input") }
        let start = index
        switch b {
        case 0x7B:  // {
            guard depth < maxDepth else { throw fail("nesting deeper than \(maxDepth)") }
            index += 1
            var members: [String: JSONNode] = [:]
            skipWhitespace()
            if peek == 0x7D {
                index += 1
                return JSONNode(value: .object(members), range: start..<index)
            }
            while true {
                skipWhitespace()
                guard peek == 0x22 else { throw fail("expected a quoted key") }
                let keyStart = index
                let key = try parseString()
                skipWhitespace()
                guard peek == 0x3A else { throw fail("expected ':' after a key") }
                index += 1
                skipWhitespace()
                let value = try parseValue(depth: depth + 1)
                if members.updateValue(value, forKey: key) != nil {
                    index = keyStart
                    throw fail("duplicate key \"\(key.prefix(64))\"")
                }
                skipWhitespace()
                guard let c = peek else { throw fail("unexpected end of input in an object") }
                index += 1
                if c == 0x7D { break }
                guard c == 0x2C else { index -= 1; throw fail("expected ',' or '}' in an object") }
            }
            return JSONNode(value: .object(members), range: start..<index)
        case 0x5B:  // [
            guard depth < maxDepth else { throw fail("nesting deeper than \(maxDepth)") }
            index += 1
            var elements: [JSONNode] = []
            skipWhitespace()
            if peek == 0x5D {
                index += 1
                return JSONNode(value: .array(elements), range: start..<index)
            }
            while true {
                skipWhitespace()
                elements.append(try parseValue(depth: depth + 1))
                skipWhitespace()
                guard let c = peek else { throw fail("unexpected end of input in an array") }
                index += 1
                if c == 0x5D { break }
                guard c == 0x2C else { index -= 1; throw fail("expected ',' or ']' in an array") }
            }
            return JSONNode(value: .array(elements), range: start..<index)
        case 0x22:
            let s = try parseString()
            return JSONNode(value: .string(s), range: start..<index)
        case 0x74:
            guard readLiteral("true") else { throw failure }
            return JSONNode(value: .bool(true), range: start..<index)
        case 0x66:
            guard readLiteral("false") else { throw failure }
            return JSONNode(value: .bool(false), range: start..<index)
        case 0x6E:
            guard readLiteral("null") else { throw failure }
            return JSONNode(value: .null, range: start..<index)
        case 0x2D, 0x30...0x39:
            guard let end = numberEnd() else { throw failure }
            // ASCII only, so this cannot fail.
            let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
            index = end
            return JSONNode(value: .number(text), range: start..<index)
        default:
            throw fail("unexpected character")
        }
    }

    /// Reads the string at `index` (which must be at its opening quote).
    public mutating func parseString() throws(JSONSyntaxError) -> String {
        guard let s = readString() else { throw failure }
        return s
    }

    // MARK: Scanning without building values

    /// Skips one value of any depth without recursion. Strings inside are stepped over, not
    /// decoded; the value is not validated beyond bracket balance (use for trusted bytes or
    /// best-effort reads only; `skipValidValue` checks).
    public mutating func skipValue() throws(JSONSyntaxError) {
        skipWhitespace()
        guard let b = peek else { throw fail("unexpected end of input") }
        switch b {
        case 0x22:
            try skipString()
        case 0x7B, 0x5B:
            var depth = 0
            while index < bytes.count {
                let c = bytes[index]
                switch c {
                case 0x22:
                    try skipString()
                    continue
                case 0x7B, 0x5B: depth += 1
                case 0x7D, 0x5D:
                    depth -= 1
                    if depth == 0 {
                        index += 1
                        return
                    }
                default: break
                }
                index += 1
            }
            throw fail("unexpected end of input")
        default:
            // A number or literal: up to the next delimiter.
            let start = index
            while let c = peek, c != 0x2C, c != 0x7D, c != 0x5D, c != 0x20, c != 0x09, c != 0x0A, c != 0x0D {
                index += 1
            }
            if index == start { throw fail("unexpected character") }
        }
    }

    /// Steps over the string at `index` (its opening quote) and its escapes, without checking them.
    public mutating func skipString() throws(JSONSyntaxError) {
        index += 1
        while index < bytes.count {
            let c = bytes[index]
            if c == 0x5C {
                index += 2
                continue
            }
            index += 1
            if c == 0x22 { return }
        }
        throw fail("unterminated string")
    }

    /// Steps into an object: true when `{` was consumed.
    public mutating func enterObject() -> Bool {
        skipWhitespace()
        guard peek == 0x7B else { return false }
        index += 1
        return true
    }

    /// The next key of the object entered with `enterObject` (its value follows, unread), or nil
    /// after the closing brace. After reading or skipping the value, call again. Lenient about
    /// commas (it scans trusted payloads and makes best-effort reads; requests are fully parsed).
    public mutating func nextKey() throws(JSONSyntaxError) -> String? {
        guard try atNextKey() else { return nil }
        let key = try parseString()
        try consumeColon()
        return key
    }

    /// Like `nextKey`, but returns where the key's bytes are instead of building a string, so a
    /// scan that looks for a few keys allocates nothing for the others. Compare with `key(_:is:)`.
    public mutating func nextKeyRange() throws(JSONSyntaxError) -> Range<Int>? {
        guard try atNextKey() else { return nil }
        let start = index + 1
        try skipString()
        let range = start..<(index - 1)
        try consumeColon()
        return range
    }

    /// Moves to the opening quote of the object's next key (past a comma); false, past the
    /// closing brace, when the object ends.
    private mutating func atNextKey() throws(JSONSyntaxError) -> Bool {
        skipWhitespace()
        guard let c = peek else { throw fail("unexpected end of input in an object") }
        if c == 0x7D {
            index += 1
            return false
        }
        if c == 0x2C {
            index += 1
            skipWhitespace()
        }
        guard peek == 0x22 else { throw fail("expected a quoted key") }
        return true
    }

    /// The ':' after a key, and the white space around it.
    private mutating func consumeColon() throws(JSONSyntaxError) {
        skipWhitespace()
        guard peek == 0x3A else { throw fail("expected ':'") }
        index += 1
        skipWhitespace()
    }

    /// Reads a string value, or nil for `null` or any other kind of value (which is skipped).
    public mutating func stringOrSkip() throws(JSONSyntaxError) -> String? {
        skipWhitespace()
        if peek == 0x22 { return try parseString() }
        try skipValue()
        return nil
    }
}
