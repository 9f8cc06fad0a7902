import DatelineCore
import Testing
@testable import DatelineExtraction

/// The rules added for reporting on a war: office holders as actors, listed actors, wars named by
/// their victim, possessive pronouns, history, stance prefixes, and the wider lexicon. Each has
/// a sentence that must fire and one that must not; all sentences are written for these tests.
@Suite("War reporting rules")
struct WarReportingRuleTests {
    @Test("An office holder acts for the state he serves on the article's day, not on another")
    func officeHolderIsHisState() {
        #expect(tensionKeys(tensions("On Tuesday Biden condemned Cuba over the arrests.")).contains("111 USA>CUB"))
        #expect(tensionKeys(tensions("On Tuesday Biden condemned Cuba over the arrests.", on: "1990-05-10")).isEmpty)
    }

    @Test("Actors listed in one phrase give one event each; a semicolon ends the list")
    func listedActors() {
        let k = tensionKeys(tensions("Canada, Norway and the United Kingdom condemned Iran on Monday."))
        #expect(k.isSuperset(of: ["111 CAN>IRN", "111 NOR>IRN", "111 GBR>IRN"]), "\(k)")
        let targets = tensionKeys(tensions("Japan imposed sanctions on Iran and Syria."))
        #expect(targets.isSuperset(of: ["163 JPN>IRN", "163 JPN>SYR"]), "\(targets)")
        let apart = tensionKeys(tensions("Canada condemned Iran on Monday; Norway kept quiet."))
        #expect(apart == ["111 CAN>IRN"], "\(apart)")
    }

    @Test("A war named by its victim takes the state most often named beside it, when there is one")
    func warInVictim() {
        let k = tensionKeys(tensions("Sudan and Chad traded claims. Sudan and Chad met again. The war in Chad went on."))
        #expect(k.contains("190 SDN>TCD"), "\(k)")
        let once = tensionKeys(tensions("Sudan and Chad met. The war in Chad went on."))
        #expect(!once.contains("190 SDN>TCD"), "\(once)")
    }

    @Test("A possessive pronoun before an invasion stands for the state named before it")
    func possessivePronoun() {
        #expect(tensionKeys(tensions("Russia has lost ships since its invasion of Ukraine began.")).contains("190 RUS>UKR"))
        #expect(tensionKeys(tensions("Experts debated its invasion plans at length.")).isEmpty)
    }

    @Test("An event dated in an earlier year is history; the same in the article's year is news")
    func earlierYear() {
        #expect(tensionKeys(tensions("The Iraqi invasion of Kuwait in 1990 was recalled by speakers.")).isEmpty)
        #expect(tensionKeys(tensions("The Iraqi invasion of Kuwait in 2022 was condemned by speakers.")).contains("190 IRQ>KWT"))
    }

    @Test("A pro- or anti- demonym names supporters or opponents, not the state")
    func stancePrefix() {
        #expect(!tensionKeys(tensions("Pro-Russian fighters accused Georgia of shelling.")).contains("112 RUS>GEO"))
        #expect(tensionKeys(tensions("Russian officials accused Georgia of shelling.")).contains("112 RUS>GEO"))
    }

    @Test("Visits, aid with a recipient, thanks, bans and energy cut-offs are coded; bare nouns are not")
    func widerLexicon() {
        #expect(tensionKeys(tensions("Joe Biden will travel to Kenya next week.")).contains("042 USA>KEN"))
        #expect(tensionKeys(tensions("Japan supplied Ukraine with helmets and fuel.")).contains("070 JPN>UKR"))
        #expect(tensionKeys(tensions("Italy thanked Greece for the rescue.")).contains("051 ITA>GRC"))
        #expect(tensionKeys(tensions("Lithuania's ban on transit to Russia took effect.")).contains("163 LTU>RUS"))
        #expect(tensionKeys(tensions("Algeria halted gas deliveries to Spain in May.")).contains("163 DZA>ESP"))
        #expect(tensionKeys(tensions("The ban on smoking in bars began in May.")).isEmpty)
        #expect(tensionKeys(tensions("A long trip to the coast tired the players.")).isEmpty)
    }

    @Test("A bare war takes the article's two co-named states; a trade war or prisoners of war is no war")
    func bareWar() {
        #expect(tensionKeys(tensions("Sudan and Chad traded claims. Sudan and Chad met again. The war went on.")).contains("190 SDN>TCD"))
        #expect(tensionKeys(tensions("Sudan and Chad fought a trade war.")).isEmpty)
        #expect(tensionKeys(tensions("Chad hosts prisoners of war from Sudan.")).isEmpty)
    }

    @Test("A relative pronoun's antecedent is the subject; joining an alliance and visiting a capital cooperate")
    func relativeJoinVisit() {
        #expect(tensionKeys(tensions("Sudan and Chad met. Kenya, which thanked Chad, stayed out.")).contains("051 KEN>TCD"))
        #expect(tensionKeys(tensions("Finland and Norway agreed. Finland applied to join NATO.")).contains("062 FIN>NATO"))
        #expect(tensionKeys(tensions("Joe Biden made a trip to Nairobi.")).contains("042 USA>KEN"))
        let joinedIn = tensionKeys(tensions("Georgia was invaded by Russia and Chad joined in the talks."))
        #expect(!joinedIn.contains("062 TCD>GEO") && !joinedIn.contains("062 TCD>RUS"), "\(joinedIn)")
    }

    @Test("An invading demonym is the invader, not the invaded")
    func invadingDemonym() {
        let k = tensionKeys(tensions("Homes were burned by invading Russian soldiers in Georgia."))
        #expect(k.contains("190 RUS>GEO") && !k.contains("190 GEO>RUS"), "\(k)")
    }

    @Test("A year before the trigger dates it too; a currency named by a demonym is no actor")
    func yearBeforeAndCurrency() {
        #expect(tensionKeys(tensions("Both recall the 1991 war between Sudan and Chad.")).isEmpty)
        #expect(tensionKeys(tensions("Buyers provided support for the Canadian dollar.")).isEmpty)
        #expect(tensionKeys(tensions("Norway provided support for the Canadian navy.")).contains("070 NOR>CAN"))
    }

    @Test("Striking a deal is no strike; a cancelled visit is no visit")
    func dealsAndCancelledVisits() {
        #expect(tensionKeys(tensions("Chile struck agreement with Peru on fishing.")).allSatisfy { !$0.hasPrefix("190") })
        #expect(tensionKeys(tensions("Chile struck Peru with missiles.")).contains("190 CHL>PER"))
        let cancelled = tensions("Joe Biden cancelled a trip to Kenya.")
        #expect(cancelled.allSatisfy { $0.cameo != "042" || $0.modality == .denied })
    }
}
