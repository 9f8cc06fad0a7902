import DatelineCore
import Testing

@Suite struct IdentifierTests {
    @Test func streamNamesRejectEmptyOversizeAndControlCharacters() {
        #expect(throws: InvalidIdentifier.self) { try StreamName("") }
        #expect(throws: InvalidIdentifier.self) { try StreamName(String(repeating: "x", count: 257)) }
        #expect(throws: InvalidIdentifier.self) { try StreamName("a\nb") }
        #expect((try? StreamName("article-0123"))?.rawValue == "article-0123")
    }

    @Test func expectedVersionParsesTheWireSpelling() {
        #expect(ExpectedVersion(parsing: "any") == .any)
        #expect(ExpectedVersion(parsing: "no_stream") == .noStream)
        #expect(ExpectedVersion(parsing: "exists") == .exists)
        #expect(ExpectedVersion(parsing: "7") == .exact(StreamVersion(7)))
        #expect(ExpectedVersion(parsing: "-1") == nil)
        #expect(ExpectedVersion(parsing: "seven") == nil)
        #expect(ExpectedVersion.exact(StreamVersion(3)).description == "3")
    }

    @Test func actorCodesAreUpperCasedAndBounded() throws {
        #expect(try ActorCode("rus").rawValue == "RUS")
        #expect(throws: InvalidIdentifier.self) { try ActorCode("R") }
        #expect(throws: InvalidIdentifier.self) { try ActorCode("RUS!") }
        #expect(throws: InvalidIdentifier.self) { try ActorCode("ABCDEFGHI") }
    }

    @Test func actorPairsAreUnorderedAndParseSeveralSpellings() throws {
        let a = try ActorPair(parsing: "UKR-RUS")
        let b = try ActorPair(parsing: "rus|ukr")
        #expect(a == b)
        #expect(a.description == "RUS|UKR")
        #expect(a.contains(try ActorCode("UKR")))
        #expect(throws: InvalidIdentifier.self) { try ActorPair(parsing: "RUS") }
        #expect(throws: InvalidIdentifier.self) { try ActorPair(parsing: "RUS-UKR-USA") }
    }

    @Test func positionsOrderAndStartBeforeTheFirstEvent() {
        #expect(Position.start < Position(1))
        #expect(Position.start.next == Position(1))
    }
}

@Suite struct CalendarTests {
    @Test func parsesOnlyRealDates() {
        #expect(CalendarDate(parsing: "2022-01-27")?.description == "2022-01-27")
        #expect(CalendarDate(parsing: "2022-02-29") == nil)
        #expect(CalendarDate(parsing: "2024-02-29") != nil)
        #expect(CalendarDate(parsing: "2022-13-01") == nil)
        #expect(CalendarDate(parsing: "2022-1-27") == nil)
        #expect(CalendarDate(parsing: "27/01/2022") == nil)
    }

    @Test func dayNumbersRoundTripAcrossCenturies() {
        #expect(CalendarDate(parsing: "1970-01-01")?.dayNumber == 0)
        #expect(CalendarDate(parsing: "2000-03-01")?.dayNumber == 11_017)
        for n in stride(from: -800_000, through: 2_900_000, by: 997) {
            #expect(CalendarDate(dayNumber: n).dayNumber == n)
        }
    }

    @Test func weekdaysFollowIso8601() {
        // The seed article's date, a Thursday.
        #expect(CalendarDate(parsing: "2022-01-27")?.isoWeekday == 4)
        #expect(CalendarDate(parsing: "2022-01-27")?.adding(days: 4).description == "2022-01-31")
    }

    @Test func timestampsFormatAndParseRfc3339() {
        let t = Timestamp(microsecondsSince1970: 1_643_275_800_123_456)
        #expect(t.description == "2022-01-27T09:30:00.123456Z")
        #expect(Timestamp(parsing: t.description) == t)
        #expect(Timestamp(parsing: "2022-01-27T11:30:00+02:00") == Timestamp(microsecondsSince1970: 1_643_275_800_000_000))
        #expect(Timestamp(parsing: "2022-01-27")?.description == "2022-01-27T00:00:00.000000Z")
        #expect(Timestamp(parsing: "2022-01-27T09:30:00.5Z")?.rawValue == 1_643_275_800_500_000)
        #expect(Timestamp(parsing: "2022-01-27T09:30:00.1234567891Z")?.rawValue == 1_643_275_800_123_456)
        #expect(Timestamp(parsing: "2022-01-27T25:00:00Z") == nil)
        #expect(Timestamp(parsing: "yesterday") == nil)
        #expect(Timestamp(microsecondsSince1970: -1).description == "1969-12-31T23:59:59.999999Z")
    }
}

@Suite struct ContentHashTests {
    @Test func matchesKnownSha256Vectors() {
        // FIPS 180-2 test vectors.
        #expect(ContentHash(ofArticleText: "abc").hex == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(ContentHash(ofArticleText: "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq").hex
            == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(ContentHash(ofArticleText: "").hex == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test func ignoresLineEndingsAndSurroundingWhiteSpace() {
        let a = ContentHash(ofArticleText: " date 2022-01-27 T\n\nBody.")
        let b = ContentHash(ofArticleText: "date 2022-01-27 T\r\n\r\nBody.\n")
        #expect(a == b)
        #expect(a != ContentHash(ofArticleText: "date 2022-01-27 T\n\nBody!"))
        #expect(StreamName.article(a).rawValue == "article-\(a.short)")
        #expect(a.short.count == 16)
    }

    @Test func hashesLongMultiBlockInput() {
        // One million "a": the long FIPS vector exercises many blocks.
        let text = String(repeating: "a", count: 1_000_000)
        #expect(ContentHash(ofArticleText: text).hex == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }
}
