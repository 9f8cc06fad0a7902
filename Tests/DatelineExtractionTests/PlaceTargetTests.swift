import DatelineCore
import Testing
@testable import DatelineExtraction

/// Cities and regions of states (places.json) as targets of strikes and visits. The sentences
/// are written for these tests, with the cases where a place must not act or speak.
@Suite("Places of states")
struct PlaceTargetTests {
    func keys(_ text: String) -> Set<String> {
        let found = Extractor().extract(Article(date: CalendarDate(parsing: "2022-05-10")!, text: text))
        return Set(found.tensions.map { "\($0.cameo ?? "-") \($0.source?.rawValue ?? "-")>\($0.target?.rawValue ?? "-")" })
    }

    @Test("A strike on a city right after the verb or noun targets the city's state")
    func strikeOnCity() {
        #expect(keys("Sudan shelled Kharkiv overnight.").contains("190 SDN>UKR"))
        #expect(keys("Sudanese strikes on Odesa killed two.").contains("190 SDN>UKR"))
    }

    @Test("A city never acts, speaks or stands for its state's government")
    func cityIsNoActor() {
        #expect(keys("Kharkiv shelled Sudan overnight.").allSatisfy { !$0.contains("UKR>") })
        #expect(ActorGazetteer.shared.actor(named: "Kharkiv") == nil)
        #expect(ActorGazetteer.shared.mentions(in: ArticleText("Officials in Kharkiv met.")).isEmpty)
        // A city further from the verb is where something happened, not its target.
        #expect(!keys("Sudan shelled the camp for days while aid arrived in Kharkiv.").contains("190 SDN>UKR"))
    }

    @Test("Every place is coded to a state of the actor file and never shadows a state's own name")
    func placesAreStates() {
        let g = ActorGazetteer.shared
        #expect(g.actor(named: "Ukraine")?.rawValue == "UKR")
        #expect(g.actor(named: "Chad")?.rawValue == "TCD")
        #expect(g.actor(named: "Georgia")?.rawValue == "GEO")
    }
}
