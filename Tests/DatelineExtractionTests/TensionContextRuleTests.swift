import DatelineCore
import Testing
@testable import DatelineExtraction

/// Tension rules of extractor version 3: known wars for unnamed sides, launched acts, PETRARCH2
/// verbs, asides, lists and appositive subjects. Every sentence is written for
/// these tests, with a case each rule must not fire on.
@Suite("Tension context rules")
struct TensionContextRuleTests {
    @Test("A bare invasion takes the sides of the known war of the article's day, if the article names one of them")
    func knownWarForBareInvasion() {
        let text = "Grain left Russian ports more slowly after the invasion."
        #expect(tensionKeys(tensions(text)).contains("190 RUS>UKR"))
        // Before that war began, or with neither side named, the known war does not apply.
        #expect(!tensionKeys(tensions(text, on: "2013-05-10")).contains("190 RUS>UKR"))
        #expect(!tensionKeys(tensions("Grain left Kenyan ports more slowly after the invasion.")).contains("190 RUS>UKR"))
    }

    @Test("A known war fills the missing side of an invasion before states merely named beside it")
    func knownWarBeforeCooccurrence() {
        let victim = tensionKeys(tensions("Israel sent doctors to Ukraine. Since the invasion of Ukraine, Israel has sent tents to Ukraine."))
        #expect(victim.contains("190 RUS>UKR") && !victim.contains("190 ISR>UKR"), "\(victim)")
        let agent = tensionKeys(tensions("Israel and Russia argued. Israel and Russia met again. Israel paid for Russia's war."))
        #expect(agent.contains("190 RUS>UKR") && !agent.contains("190 RUS>ISR"), "\(agent)")
        // A war the article names with both sides stays as written.
        let named = tensionKeys(tensions("Sudan and Chad traded claims. Sudan invaded Chad. Russia watched the invasion."))
        #expect(named.contains("190 SDN>TCD") && !named.contains("190 RUS>UKR"), "\(named)")
    }

    @Test("Whoever launched or decided an invasion is its agent; a verb of another act stops the search")
    func launchedActs() {
        #expect(tensionKeys(tensions("Sudan launched its invasion of Chad in May.")).contains("190 SDN>TCD"))
        #expect(tensionKeys(tensions("Sudan's decision to invade Chad shocked the region.")).contains("190 SDN>TCD"))
        #expect(!tensionKeys(tensions("Reporters from Sudan started to cover the invasion of Chad.")).contains("190 SDN>TCD"))
    }

    @Test("Verbs from PETRARCH2's dictionary code an act between two named actors, never a bare verb or a noun form")
    func petrarchVerbs() {
        #expect(tensionKeys(tensions("Sudan denigrated Chad at the summit.")).contains("111 SDN>TCD"))
        #expect(tensionKeys(tensions("Sudan deported Chad's envoys on Friday.")).contains("174 SDN>TCD"))
        #expect(tensionKeys(tensions("The report denigrated the plan.")).isEmpty)
        #expect(tensionKeys(tensions("Sudan spent ten million pounds in Chad.")).isEmpty)
        // Every trigger, curated or generated, carries a code of the lexicon.
        let lexicon = TensionLexicon.shared
        #expect(lexicon.triggers.allSatisfy { lexicon.codes[$0.cameo] != nil })
    }

    @Test("An object is found past a short aside with no actor, not in a hyphenated modifier")
    func objectsPastAsides() {
        #expect(tensionKeys(tensions("Norway froze €3bn (£2.6bn) of Russian assets.")).contains("163 NOR>RUS"))
        #expect(!tensionKeys(tensions("Norway froze €3bn (held by Sweden) of Russian assets.")).contains("163 NOR>SWE"))
        #expect(tensionKeys(tensions("Japan promised to supply patrol boats to Kenya.")).contains("070 JPN>KEN"))
        #expect(tensionKeys(tensions("Japan promised to supply two US-Korean patrol boats.")).isEmpty)
    }

    @Test("Pushing back an enemy's forces is fighting; pushing back a vote is not")
    func repelling() {
        #expect(tensionKeys(tensions("Chad pushed back Sudanese forces near the border.")).contains("190 TCD>SDN"))
        #expect(tensionKeys(tensions("Chad pushed back the vote to June.")).isEmpty)
    }

    @Test("In reported speech, calling the other side's words lies accuses it; the same words in narration do not")
    func liesInSpeech() {
        let text = "Chad's foreign minister, Amina Doumbe, said Sudan was spreading false information."
        let found = Extractor().extract(Article(date: CalendarDate(parsing: "2022-05-10")!, text: text))
        #expect(tensionKeys(found.tensions).contains("112 TCD>SDN"), "\(tensionKeys(found.tensions))")
        let narration = Extractor().extract(Article(date: CalendarDate(parsing: "2022-05-10")!,
                                                    text: "False information spread quickly online in Chad and Sudan."))
        #expect(tensionKeys(narration.tensions).isEmpty)
    }

    @Test("A visit by someone to a capital: the visitor after 'by', the state of the place after 'to'")
    func visitBy() {
        #expect(tensionKeys(tensions("A visit by the UN secretary general to Nairobi was planned.")).contains("042 UN>KEN"))
        #expect(tensionKeys(tensions("A visit by tourists to Nairobi was planned.")).isEmpty)
    }

    @Test("A neighbour named in a list is one of its actors; a modifier alone joins nothing")
    func neighbourInList() {
        let k = tensionKeys(tensions("Japan imposed new sanctions on Russia and neighbouring Belarus."))
        #expect(k.isSuperset(of: ["163 JPN>RUS", "163 JPN>BLR"]), "\(k)")
        #expect(!tensionKeys(tensions("Japan imposed new sanctions on Russia over neighbouring Belarus.")).contains("163 JPN>BLR"))
    }

    @Test("A named actor in apposition right before the verb is the subject; one after a clause is not")
    func appositiveSubject() {
        let k = tensionKeys(tensions("The US president, Joe Biden, wants to talk directly to Kenya's leader."))
        #expect(k.contains("036 USA>KEN"), "\(k)")
        #expect(!tensionKeys(tensions("After meetings in Chad, officials want to talk directly to Kenya.")).contains("036 TCD>KEN"))
    }
}
