import DatelineCore
import Testing
@testable import DatelineExtraction

/// One fixture per rule of the tension extractor. Statements are passed in by hand, so these
/// tests exercise attribution independently of the statement extractor.
@Suite("Tension rules")
struct TensionRuleTests {
    let date = CalendarDate(parsing: "2022-01-27")!

    func tensions(_ text: String, statements: (String) throws -> [Statement] = { _ in [] }) throws -> [Tension] {
        let article = Article(date: date, text: text)
        return TensionExtractor.shared.extract(from: article, statements: try statements(text))
    }

    func said(_ content: String, _ text: String, by code: String, polarity: Polarity = .assert) throws -> Statement {
        try statement(content, in: text, by: code, polarity: polarity, date: date)
    }

    /// "TYPE CAMEO SRC>TGT modality" for compact expectations.
    func summary(_ t: [Tension]) -> [String] {
        t.map { "\($0.type) \($0.cameo ?? "-") \($0.source?.rawValue ?? "-")>\($0.target?.rawValue ?? "-") \($0.modality.rawValue)" }
    }

    func has(_ t: [Tension], _ cameo: String, _ source: String, _ target: String) -> Bool {
        t.contains { $0.cameo == cameo && $0.source?.rawValue == source && $0.target?.rawValue == target }
    }

    // MARK: military moves

    @Test func troopBuildUpIsMobilisation() throws {
        let t = try tensions("Russia has massed troops near Ukraine's border.")
        #expect(has(t, "154", "RUS", "UKR"), "\(summary(t))")
        let m = try #require(t.first { $0.cameo == "154" })
        #expect(m.goldstein == -7.2 && m.quadClass == 4 && m.issue == "BORDER_TROOPS" && m.directed)
        #expect(m.pair.description == "RUS|UKR")
    }

    @Test func spunNavyBuildUpIsMobilisation() throws {
        let t = try tensions("Tensions rose as a big Russian navy build-up close to Ukraine continued.")
        #expect(has(t, "154", "RUS", "UKR"), "\(summary(t))")
    }

    @Test func aBuildUpWithoutANamedAgentIsNoEvent() throws {
        let t = try tensions("Is peace served by more military build up? Ukraine wonders.")
        #expect(!t.contains { $0.cameo == "154" }, "\(summary(t))")
    }

    // MARK: threats and modality

    @Test func fearedInvasionIsAThreatPerceptionAtHalfWeight() throws {
        let text = "Fears of a potential invasion of Ukraine stay excessive. A big Russian troop build-up is under way near Ukraine."
        let t = try tensions(text)
        let f = try #require(t.first { $0.cameo == "138" }, "\(summary(t))")
        #expect(f.type == "THREAT_PERCEPTION" && f.source?.rawValue == "RUS" && f.target?.rawValue == "UKR")
        #expect(f.modality == .feared && f.weight == 0.5 && f.issue == "INVASION")
    }

    @Test func assertedInvasionIsUseOfForce() throws {
        let t = try tensions("Since Russia's invasion of Ukraine, prices have soared.")
        #expect(has(t, "190", "RUS", "UKR"), "\(summary(t))")
        #expect(t.first { $0.cameo == "190" }?.modality == .asserted)
    }

    @Test func aBareNameBeforeInvasionIsTheVictim() throws {
        let t = try tensions("Leaders stressed unity amid the Ukraine invasion by Russia.")
        #expect(!t.contains { $0.source?.rawValue == "UKR" }, "\(summary(t))")
    }

    @Test func deniedInvasionIsADenialAndADeniedThreat() throws {
        let t = try tensions("Russia has repeatedly denied it is planning an invasion of Ukraine.")
        #expect(has(t, "016", "RUS", "UKR"), "\(summary(t))")
        let d = try #require(t.first { $0.cameo == "138" })
        #expect(d.modality == .denied && d.weight == 0)
    }

    @Test func passiveVoiceDoesNotMakeTheVictimTheAgent() throws {
        let t = try tensions("Britain would provide military assistance if Finland was attacked.")
        #expect(!t.contains { $0.source?.rawValue == "FIN" }, "\(summary(t))")
    }

    // MARK: verbal conflict

    @Test func accusation() throws {
        let t = try tensions("Kyiv has accused Moscow of shelling civilians.")
        #expect(has(t, "112", "UKR", "RUS"), "\(summary(t))")
    }

    @Test func aPronounObjectIsNotReplacedByALaterActor() throws {
        let t = try tensions("Putin said the west wanted to cut Russia into pieces and accused it of pushing Ukraine into conflict.")
        #expect(!t.contains { $0.cameo == "112" && $0.target?.rawValue == "UKR" }, "\(summary(t))")
    }

    @Test func condemnation() throws {
        let t = try tensions("The United States condemned Russia on Monday.")
        #expect(has(t, "111", "USA", "RUS"), "\(summary(t))")
    }

    @Test func spunDisapprovalInReportedSpeech() throws {
        let text = "The responses offered by the US and NATO fail to deal with our primary issues, the minister stated."
        let t = try tensions(text) { [try said("The responses offered by the US and NATO fail to deal with our primary issues", $0, by: "RUS")] }
        #expect(has(t, "111", "RUS", "USA") && has(t, "111", "RUS", "NATO"), "\(summary(t))")
    }

    @Test func demandFromInadmissibility() throws {
        let text = "“Our position is the inadmissibility of further expansion of NATO to the East,” he said."
        let t = try tensions(text) { [try said("Our position is the inadmissibility of further expansion of NATO to the East,", $0, by: "RUS")] }
        #expect(has(t, "1042", "RUS", "NATO"), "\(summary(t))")
        #expect(t.first { $0.cameo == "1042" }?.issue == "NATO_ENLARGEMENT")
    }

    @Test func spunSecurityDemands() throws {
        let t = try tensions("The responses by Washington to Russia’s safety calls for were late.")
        #expect(has(t, "1042", "RUS", "USA"), "\(summary(t))")
    }

    @Test func rejectionAndRefusalToAct() throws {
        #expect(has(try tensions("Russia rejected NATO's proposal on Friday."), "120", "RUS", "NATO"))
        let t = try tensions("China has refused to condemn Russia's invasion.")
        #expect(!t.contains { $0.type == "REJECT" }, "\(summary(t))")
        #expect(t.filter { $0.source?.rawValue == "CHN" }.allSatisfy { $0.modality == .denied }, "\(summary(t))")
    }

    @Test func passiveAccusationTargetsTheSubject() throws {
        let t = try tensions("Russia has been accused by Ukraine of targeting civilians.")
        #expect(has(t, "112", "UKR", "RUS"), "\(summary(t))")
        let none = try tensions("Russia has been accused of targeting civilians throughout its invasion of Ukraine.")
        #expect(!none.contains { $0.cameo == "112" }, "\(summary(none))")
    }

    @Test func denyingSomethingToSomeoneIsNoDenial() throws {
        let t = try tensions("The pipeline denied Ukraine transit fees and made it more vulnerable to Russian invasion.")
        #expect(!t.contains { $0.type == "DENY" || $0.modality == .denied }, "\(summary(t))")
        let navy = try tensions("Turkey should deny the Russian navy passage through the straits.")
        #expect(!navy.contains { $0.type == "DENY" }, "\(summary(navy))")
        let claims = try tensions("Russia denied the Ukrainian claims of an attack on Kyiv.")
        #expect(has(claims, "016", "RUS", "UKR"), "\(summary(claims))")
    }

    @Test func demandsBelongToTheirMakerAccusationsNameTheAccused() throws {
        let text = "Budapest said it was prepared to pay roubles, a Kremlin demand that most in the west had resisted."
        let demand = try tensions(text)
        #expect(!demand.contains { $0.cameo == "1042" && $0.source?.rawValue != "RUS" }, "\(summary(demand))")
        let quote = "“Russia’s aggressive actions are unacceptable,” the NATO chief said."
        let t = try tensions(quote) { [try said("Russia’s aggressive actions are unacceptable,", $0, by: "NATO")] }
        #expect(t.contains { $0.source?.rawValue == "NATO" && $0.target?.rawValue == "RUS" }, "\(summary(t))")
        #expect(!t.contains { $0.source?.rawValue == "RUS" }, "\(summary(t))")
    }

    // MARK: sanctions, attacks, aid, talks

    @Test func sanctionsAndThreatenedSanctions() throws {
        let t = try tensions("The European Union imposed sanctions on Russia.")
        #expect(has(t, "163", "EU", "RUS"), "\(summary(t))")
        let f = try tensions("The US could impose sanctions on Russia.")
        #expect(has(f, "131", "USA", "RUS"), "\(summary(f))")
        let joint = try tensions("New sanctions by the European Union and Britain hit Russia.")
        #expect(!joint.contains { $0.pair.description == "EU|GBR" }, "\(summary(joint))")
    }

    @Test func attacks() throws {
        let t = try tensions("Russian forces attacked Ukraine at dawn.")
        #expect(has(t, "190", "RUS", "UKR"), "\(summary(t))")
        let a = try tensions("Iraq said its forces had crushed an Iranian attack on a mountain peak in Iraqi Kurdistan.")
        #expect(has(a, "190", "IRN", "IRQ"), "\(summary(a))")
    }

    @Test func militaryAidWithSpunWords() throws {
        let t = try tensions("NATO help for Ukraine grew this year.")
        #expect(has(t, "070", "NATO", "UKR"), "\(summary(t))")
        let s = try tensions("The US navy coaching for Ukraine continued.")
        #expect(has(s, "072", "USA", "UKR"), "\(summary(s))")
    }

    @Test func talks() throws {
        let t = try tensions("Ukraine held talks with Turkey on grain.")
        #expect(has(t, "040", "UKR", "TUR"), "\(summary(t))")
        let c = try tensions("Brazil enters debt talks with creditors in the United States this week.")
        #expect(!c.contains { $0.target?.rawValue == "USA" }, "\(summary(c))")
    }

    @Test func spunVariantsOfOtherFamilies() throws {
        // Content-farm synonyms: "elevated weapons provides" = increased weapons supplies,
        // "severe discussions" = serious talks.
        let aid = try tensions("The US elevated weapons provides to Ukraine this spring.")
        #expect(has(aid, "072", "USA", "UKR"), "\(summary(aid))")
        let text = "“The responses by the US and NATO may result in severe discussions,” he said."
        let talks = try tensions(text) { [try said("The responses by the US and NATO may result in severe discussions,", $0, by: "RUS")] }
        #expect(has(talks, "036", "RUS", "USA") && has(talks, "036", "RUS", "NATO"), "\(summary(talks))")
        #expect(talks.first { $0.cameo == "036" }?.modality == .feared, "possible talks: \(summary(talks))")
        #expect(has(try tensions("Moscow rebuffed Washington on Friday."), "120", "RUS", "USA"))
        #expect(has(try tensions("Britain slapped sanctions on Iran."), "163", "GBR", "IRN"))
    }

    // MARK: levels

    @Test func levelStatements() throws {
        let t = try tensions("Tensions between Moscow and Kyiv are at their highest in years.")
        let l = try #require(t.first { $0.type == "TENSION_STATEMENT" })
        #expect(l.pair.description == "RUS|UKR" && !l.directed && l.level == 0.9 && l.cameo == nil && l.source == nil)
        let e = try tensions("Russia-Ukraine tensions eased on Tuesday.")
        #expect(e.first?.level == 0.4 && e.first?.pair.description == "RUS|UKR")
        #expect(try tensions("The president said there was no border tension with Uganda, Kenya said.").isEmpty)
        #expect(try tensions("Join a panel on the Russia-Ukraine crisis.").isEmpty)
        #expect(try tensions("US-China tensions were simmering.").first?.level == 0.6)
        let vague = try tensions("Amid a rift between the two countries over Moscow's actions in Ukraine, Israel waited.")
        #expect(!vague.contains { $0.type == "TENSION_STATEMENT" }, "\(summary(vague))")
    }

    // MARK: dedup and attribution

    @Test func oneEventPerDaySourceTargetAndCode() throws {
        let t = try tensions("Russia condemned NATO. Later, Russia condemned NATO again.")
        #expect(t.filter { $0.cameo == "111" }.count == 1, "\(summary(t))")
    }

    @Test func signalInsideAStatementHasTheSpeakersAffiliation() throws {
        let text = "Russia argued that NATO help for Ukraine constitutes a rising risk on its western flank."
        let t = try tensions(text) { [try said("NATO help for Ukraine constitutes a rising risk on its western flank", $0, by: "RUS")] }
        #expect(has(t, "1123", "RUS", "NATO"), "\(summary(t))")
        #expect(!has(t, "1123", "RUS", "UKR"), "the beneficiary is not the accused: \(summary(t))")
        // A speaker with no affiliation gives the content phrase no source.
        let none = try tensions(text) { text in
            var s = try said("NATO help for Ukraine constitutes a rising risk on its western flank", text, by: "RUS")
            s.speaker.affiliation = nil
            return [s]
        }
        #expect(!none.contains { $0.cameo == "1123" && $0.source?.rawValue == "NATO" })
    }

    @Test func deniedStatementMakesItsSignalsDenied() throws {
        let text = "Moscow denied that it would attack Ukraine."
        let t = try tensions(text) { [try said("it would attack Ukraine", $0, by: "RUS", polarity: .deny)] }
        #expect(t.filter { $0.cameo != "016" }.allSatisfy { $0.modality == .denied }, "\(summary(t))")
    }

    // MARK: seed traps

    @Test func seedTrapsMakeNoActors() throws {
        let text = "“There is a reaction that allows us to count on a serious conversation, including the OSCE countries (Istanbul Declaration of 1999, Astana Declaration of 2010), near the 2 former Soviet republics,” he stated."
        let t = try tensions(text) { [try said("There is a reaction that allows us to count on a serious conversation, including the OSCE countries (Istanbul Declaration of 1999, Astana Declaration of 2010), near the 2 former Soviet republics,", $0, by: "RUS")] }
        for code in t.flatMap({ [$0.pair.first.rawValue, $0.pair.second.rawValue] }) {
            #expect(!["USA", "TUR", "KAZ", "SUN", "OSCE"].contains(code), "\(summary(t))")
        }
    }

    @Test func marketNewsMakesNoTensions() throws {
        let t = try tensions("Wheat futures rose 3 pct in Chicago as Japan bought U.S. corn. The Bank of England left rates unchanged.")
        #expect(t.isEmpty, "\(summary(t))")
    }

    @Test func offsetsAreInRangeOnOddInput() throws {
        let inputs = ["", "“", "Russia", "NATO’s\u{0301} attack on 🇺🇦 Ukraine", String(repeating: "Russia attacked Ukraine. ", count: 200),
                      "U.S.", "tensions between", "Tensions between Moscow and", "denied", "’s ’s ’s"]
        for text in inputs {
            let count = text.unicodeScalars.count
            for x in try tensions(text) {
                #expect(x.start >= 0 && x.start <= x.end && x.end <= count)
            }
        }
    }
}
