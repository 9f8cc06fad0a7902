import DatelineCore
import Testing
@testable import DatelineExtraction

/// The rules added for reporting on a war: office holders as actors, listed actors, wars named by
/// their victim, possessive pronouns, history, stance prefixes, and the wider lexicon. Each has
/// a sentence that must fire and one that must not; all sentences are written for these tests.
@Suite("War reporting rules")
struct WarReportingRuleTests {
    func tensions(_ text: String, on day: String = "2022-05-10") -> [Tension] {
        TensionExtractor.shared.extract(from: Article(date: CalendarDate(parsing: day)!, text: text), statements: [])
    }

    func keys(_ t: [Tension]) -> Set<String> {
        Set(t.map { "\($0.cameo ?? "-") \($0.source?.rawValue ?? "-")>\($0.target?.rawValue ?? "-")" })
    }

    @Test("An office holder acts for the state he serves on the article's day, not on another")
    func officeHolderIsHisState() {
        #expect(keys(tensions("On Tuesday Biden condemned Cuba over the arrests.")).contains("111 USA>CUB"))
        #expect(keys(tensions("On Tuesday Biden condemned Cuba over the arrests.", on: "1990-05-10")).isEmpty)
    }

    @Test("Actors listed in one phrase give one event each; a semicolon ends the list")
    func listedActors() {
        let k = keys(tensions("Canada, Norway and the United Kingdom condemned Iran on Monday."))
        #expect(k.isSuperset(of: ["111 CAN>IRN", "111 NOR>IRN", "111 GBR>IRN"]), "\(k)")
        let targets = keys(tensions("Japan imposed sanctions on Iran and Syria."))
        #expect(targets.isSuperset(of: ["163 JPN>IRN", "163 JPN>SYR"]), "\(targets)")
        let apart = keys(tensions("Canada condemned Iran on Monday; Norway kept quiet."))
        #expect(apart == ["111 CAN>IRN"], "\(apart)")
    }

    @Test("A war named by its victim takes the state most often named beside it, when there is one")
    func warInVictim() {
        let k = keys(tensions("Sudan and Chad traded claims. Sudan and Chad met again. The war in Chad went on."))
        #expect(k.contains("190 SDN>TCD"), "\(k)")
        let once = keys(tensions("Sudan and Chad met. The war in Chad went on."))
        #expect(!once.contains("190 SDN>TCD"), "\(once)")
    }

    @Test("A possessive pronoun before an invasion stands for the state named before it")
    func possessivePronoun() {
        #expect(keys(tensions("Russia has lost ships since its invasion of Ukraine began.")).contains("190 RUS>UKR"))
        #expect(keys(tensions("Experts debated its invasion plans at length.")).isEmpty)
    }

    @Test("An event dated in an earlier year is history; the same in the article's year is news")
    func earlierYear() {
        #expect(keys(tensions("The Iraqi invasion of Kuwait in 1990 was recalled by speakers.")).isEmpty)
        #expect(keys(tensions("The Iraqi invasion of Kuwait in 2022 was condemned by speakers.")).contains("190 IRQ>KWT"))
    }

    @Test("A pro- or anti- demonym names supporters or opponents, not the state")
    func stancePrefix() {
        #expect(!keys(tensions("Pro-Russian fighters accused Georgia of shelling.")).contains("112 RUS>GEO"))
        #expect(keys(tensions("Russian officials accused Georgia of shelling.")).contains("112 RUS>GEO"))
    }

    @Test("Visits, aid with a recipient, thanks, bans and energy cut-offs are coded; bare nouns are not")
    func widerLexicon() {
        #expect(keys(tensions("Joe Biden will travel to Kenya next week.")).contains("042 USA>KEN"))
        #expect(keys(tensions("Japan supplied Ukraine with helmets and fuel.")).contains("070 JPN>UKR"))
        #expect(keys(tensions("Italy thanked Greece for the rescue.")).contains("051 ITA>GRC"))
        #expect(keys(tensions("Lithuania's ban on transit to Russia took effect.")).contains("163 LTU>RUS"))
        #expect(keys(tensions("Algeria halted gas deliveries to Spain in May.")).contains("163 DZA>ESP"))
        #expect(keys(tensions("The ban on smoking in bars began in May.")).isEmpty)
        #expect(keys(tensions("A long trip to the coast tired the players.")).isEmpty)
    }

    @Test("A bare war takes the article's two co-named states; a trade war or prisoners of war is no war")
    func bareWar() {
        #expect(keys(tensions("Sudan and Chad traded claims. Sudan and Chad met again. The war went on.")).contains("190 SDN>TCD"))
        #expect(keys(tensions("Sudan and Chad fought a trade war.")).isEmpty)
        #expect(keys(tensions("Chad hosts prisoners of war from Sudan.")).isEmpty)
    }

    @Test("A relative pronoun's antecedent is the subject; joining an alliance and visiting a capital cooperate")
    func relativeJoinVisit() {
        #expect(keys(tensions("Sudan and Chad met. Kenya, which thanked Chad, stayed out.")).contains("051 KEN>TCD"))
        #expect(keys(tensions("Finland and Norway agreed. Finland applied to join NATO.")).contains("062 FIN>NATO"))
        #expect(keys(tensions("Joe Biden made a trip to Nairobi.")).contains("042 USA>KEN"))
        let joinedIn = keys(tensions("Georgia was invaded by Russia and Chad joined in the talks."))
        #expect(!joinedIn.contains("062 TCD>GEO") && !joinedIn.contains("062 TCD>RUS"), "\(joinedIn)")
    }

    @Test("An invading demonym is the invader, not the invaded")
    func invadingDemonym() {
        let k = keys(tensions("Homes were burned by invading Russian soldiers in Georgia."))
        #expect(k.contains("190 RUS>GEO") && !k.contains("190 GEO>RUS"), "\(k)")
    }

    @Test("A year before the trigger dates it too; a currency named by a demonym is no actor")
    func yearBeforeAndCurrency() {
        #expect(keys(tensions("Both recall the 1991 war between Sudan and Chad.")).isEmpty)
        #expect(keys(tensions("Buyers provided support for the Canadian dollar.")).isEmpty)
        #expect(keys(tensions("Norway provided support for the Canadian navy.")).contains("070 NOR>CAN"))
    }

    @Test("Striking a deal is no strike; a cancelled visit is no visit")
    func dealsAndCancelledVisits() {
        #expect(keys(tensions("Chile struck agreement with Peru on fishing.")).allSatisfy { !$0.hasPrefix("190") })
        #expect(keys(tensions("Chile struck Peru with missiles.")).contains("190 CHL>PER"))
        let cancelled = tensions("Joe Biden cancelled a trip to Kenya.")
        #expect(cancelled.allSatisfy { $0.cameo != "042" || $0.modality == .denied })
    }
}
