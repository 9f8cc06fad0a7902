import DatelineJSON
import Foundation
import Testing

/// The shared reader and writer: what they accept and refuse, and that what the writer writes
/// reads back the same, with the reader and with Foundation.
@Suite struct JSONCodecTests {
    private func withReader<T>(_ text: String, _ body: (inout JSONReader) -> T) -> T {
        Array(text.utf8).withUnsafeBufferPointer { bytes in
            var r = JSONReader(bytes)
            return body(&r)
        }
    }

    @Test func integersOfMagnitude2To63AndBeyondAreRefusedNeverTrapped() {
        let cases: [(String, Int?)] = [
            ("0", 0), ("-0", 0), ("7", 7), ("-12", -12),
            ("9223372036854775807", Int.max), ("-9223372036854775807", -Int.max),
            ("9223372036854775808", nil), ("-9223372036854775808", nil),
            ("18446744073709551616", nil), ("99999999999999999999999999", nil),
            ("01", nil), ("1.0", nil), ("1e3", nil), ("-", nil), ("", nil), ("x", nil),
        ]
        for (text, expected) in cases {
            let got = withReader(text) { r -> Int? in
                let v = r.readInt()
                if v == nil { #expect(r.index == 0, "the cursor moved on a refused \(text)") }
                return v
            }
            #expect(got == expected, "\(text)")
        }
    }

    @Test func stringsDecodeEscapesAndRefuseWhatJSONForbids() {
        #expect(withReader(#""caf\u00e9 \ud83d\ude00 \"q\"\n\t\/""#) { $0.readString() } == "café 😀 \"q\"\n\t/")
        #expect(withReader(#""plain ascii""#) { $0.readString() } == "plain ascii")
        for bad in [#""\ud800""#, #""\udc00x""#, "\"a\u{01}b\"", #""\x""#, #""\u12"#, "\"unterminated", #""\uZZZZ""#] {
            #expect(withReader(bad) { $0.readString() } == nil, "\(bad)")
        }
        // Invalid UTF-8 is refused, escaped or not.
        let invalid: [UInt8] = [0x22, 0xC3, 0x28, 0x22]
        #expect(invalid.withUnsafeBufferPointer { b -> String? in var r = JSONReader(b); return r.readString() } == nil)
    }

    @Test func theFullParseAndTheValidatingSkipAgree() throws {
        let good = [#"{"a":[1,2.5e3,{"b":[true,false,null]}],"s":"x\"y"}"#, "[]", "{}", " 12 ", #""s""#, "-0.5E+2"]
        let bad = [#"{"a":1,}"#, "[1 2]", "{\"a\" 1}", "01", "1.", "tru", "{\"a\":1", "[\"\\ud800\"]", "1e"]
        for text in good {
            _ = try JSON.parse(Array(text.utf8))
            #expect(withReader(text) { r in r.skipValidValue() && { r.skipWhitespace(); return r.isAtEnd }() }, "\(text)")
        }
        for text in bad {
            #expect(throws: JSONSyntaxError.self, "\(text)") { try JSON.parse(Array(text.utf8)) }
            #expect(!withReader(text) { r in r.skipValidValue() && { r.skipWhitespace(); return r.isAtEnd }() }, "\(text)")
        }
    }

    @Test func duplicateKeysAndDeepNestingAreSyntaxErrorsWithAReason() {
        do {
            _ = try JSON.parse(Array(#"{"a":1,"a":2}"#.utf8))
            Issue.record("a duplicate key was accepted")
        } catch {
            #expect(error.reason.contains("duplicate key"))
            #expect(error.offset == 7)
        }
        let deep = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        #expect(throws: JSONSyntaxError.self) { try JSON.parse(Array(deep.utf8), maxDepth: 64) }
        #expect(JSON.nestingDepth(Array(#"["[[[", [[]]]"#.utf8)) == 3)
    }

    @Test func whatTheWriterWritesReadsBack() throws {
        let tricky = "quote \" backslash \\ newline \n tab \t nul \u{0} bell \u{7} del \u{7F} curly “x” emoji 🛰️"
        var w = JSONWriter<[UInt8]>()
        w.beginObject()
        w.key("text"); w.string(tricky)
        w.key("weird \"key\""); w.int(Int64.min)
        w.plainKey("max"); w.int(Int64.max)
        w.plainKey("doubles")
        w.beginArray()
        for d in [0.7, 3.0, -2.5, 1e20, 0.0001, .nan, .infinity] { w.double(d) }
        w.endArray()
        w.field("absent", nil as String?)
        w.field("present", "yes" as String?)
        w.plainKey("data"); w.raw(Array(#"{"a":[1,2]}"#.utf8))
        w.plainKey("empty"); w.raw([UInt8]())
        w.rawMembers(Array(#""spliced":true"#.utf8))
        w.endObject()
        let bytes = w.output

        let node = try JSON.parse(bytes)
        #expect(node["text"]?.stringValue == tricky)
        #expect(node["weird \"key\""]?.int64Value == Int64.min)
        #expect(node["max"]?.int64Value == Int64.max)
        #expect(node["absent"] == nil && node["present"]?.stringValue == "yes")
        #expect(node["empty"]?.isNull == true && node["spliced"]?.boolValue == true)
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.contains(#""doubles":[0.7,3,-2.5,1e+20,0.0001,null,null]"#), "\(text)")
        // Control characters are escaped, nothing else is.
        #expect(!bytes.contains(where: { $0 < 0x20 }))
        #expect(text.contains("“x” emoji 🛰️"))
        let foundation = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
        #expect(foundation["text"] as? String == tricky)
        #expect((foundation["data"] as? [String: Any])?["a"] as? [Int] == [1, 2])
    }

    @Test func doublesAreWrittenAsFoundationsEncoderWritesThem() throws {
        let values: [Double] = [0, -0.0, 1, 0.7, 12.7032, -2, 1e15, 1.5e-7, 123456.789, 0.1 + 0.2]
        let foundation = String(decoding: try JSONEncoder().encode(values), as: UTF8.self)
        var w = JSONWriter<[UInt8]>()
        w.beginArray()
        for v in values { w.double(v) }
        w.endArray()
        // Same numbers when read back (the texts may differ only in spelling, such as -0).
        let mine = try #require(try JSONSerialization.jsonObject(with: Data(w.output)) as? [Double])
        let theirs = try #require(try JSONSerialization.jsonObject(with: Data(foundation.utf8)) as? [Double])
        #expect(mine == theirs)
    }
}
