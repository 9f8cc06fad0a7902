import DatelineCore
import Testing
@testable import DatelineExtraction

@Suite("Actor gazetteer")
struct ActorGazetteerTests {
    let gazetteer = ActorGazetteer.shared

    func codes(_ text: String) -> [String] {
        gazetteer.mentions(in: ArticleText(text)).map(\.code.rawValue)
    }

    func surfaces(_ text: String) -> [String] {
        gazetteer.mentions(in: ArticleText(text)).map { "\($0.surface)=\($0.code)" }
    }

    @Test func isoNamesAndCommonNames() {
        #expect(gazetteer.actor(named: "Russian Federation")?.rawValue == "RUS")
        #expect(gazetteer.actor(named: "Russia")?.rawValue == "RUS")
        #expect(gazetteer.actor(named: "the United States")?.rawValue == "USA")
        #expect(gazetteer.actor(named: "United States of America")?.rawValue == "USA")
        #expect(gazetteer.actor(named: "America")?.rawValue == "USA")
        #expect(gazetteer.actor(named: "Britain")?.rawValue == "GBR")
        #expect(gazetteer.actor(named: "the UK")?.rawValue == "GBR")
        #expect(gazetteer.actor(named: "Ukraine")?.rawValue == "UKR")
        #expect(gazetteer.actor(named: "Mongolia")?.rawValue == "MNG")  // straight from iso-codes
        #expect(gazetteer.actor(named: "Narnia") == nil)
    }

    @Test func acronymsAreCaseSensitive() {
        #expect(gazetteer.actor(named: "US")?.rawValue == "USA")
        #expect(gazetteer.actor(named: "U.S.")?.rawValue == "USA")
        #expect(gazetteer.actor(named: "us") == nil)
        #expect(gazetteer.actor(named: "NATO")?.rawValue == "NATO")
        #expect(gazetteer.actor(named: "Nato")?.rawValue == "NATO")
        #expect(gazetteer.actor(named: "EU")?.rawValue == "EU")
        #expect(gazetteer.actor(named: "UN")?.rawValue == "UN")
        #expect(codes("It allows us to count on it, the US said.") == ["USA"])
        #expect(codes("Let us talk, he said.").isEmpty)
        #expect(codes("U.S. officials met U.N. envoys.") == ["USA", "UN"])
    }

    @Test func demonymsAndCapitalsAsMetonyms() {
        #expect(gazetteer.actor(named: "Russian")?.rawValue == "RUS")
        #expect(gazetteer.actor(named: "Ukrainian")?.rawValue == "UKR")
        #expect(gazetteer.actor(named: "American")?.rawValue == "USA")
        #expect(gazetteer.actor(named: "Kiev")?.rawValue == "UKR")
        #expect(codes("Tensions between Moscow and Kyiv rose as Washington and Beijing watched.")
                == ["RUS", "UKR", "USA", "CHN"])
        #expect(codes("a big Russian troop build-up near Ukrainian positions") == ["RUS", "UKR"])
    }

    @Test func capitalAfterALocativeIsAPlace() {
        #expect(codes("Sergey Lavrov told journalists in Moscow.").isEmpty)
        #expect(codes("Talks at Brussels and near Kyiv, from Washington.").isEmpty)
        #expect(codes("After a trip to Beijing the minister said Beijing objected.") == ["CHN"])
        #expect(codes("A Moscow-based analyst said so.").isEmpty)
        #expect(codes("MOSCOW, Jan 27 (Reuters) - Moscow rejected the plan.") == ["RUS"])
        // A country name is an actor wherever it stands.
        #expect(codes("Troops massed in Ukraine.") == ["UKR"])
    }

    @Test func allianceIsNATOOnlyWhenNATOIsInPlay() {
        #expect(codes("NATO rejected it; the navy alliance will not stop expanding.") == ["NATO", "NATO"])
        #expect(codes("The eastward enlargement of the alliance worries Moscow.") == ["RUS"])
        #expect(codes("the right to choose military alliances, NATO said") == ["NATO"])
        #expect(codes("The bloc said it would respond; the EU will meet.") == ["EU", "EU"])
    }

    @Test func brusselsIsTheOrganisationInPlay() {
        #expect(codes("Brussels warned NATO members.") == ["NATO", "NATO"])
        #expect(codes("Brussels and the EU agreed.") == ["EU", "EU"])
        #expect(codes("Brussels said no.") == ["EU"])
    }

    @Test func documentNamesAreNotActors() {
        let text = "(Istanbul Declaration of 1999, Astana Declaration of 2010) and the Minsk Agreements"
        #expect(codes(text).isEmpty)
        #expect(codes("The Washington Post reported it.").isEmpty)
        #expect(codes("oil from Latin America and New Jersey").isEmpty)
    }

    @Test func originAndAllegianceAreNotTheActor() {
        #expect(codes("pro-Russian separatists flew Russian-made jets over anti-American rallies").isEmpty)
        #expect(codes("Russian-backed forces") == ["RUS"])
    }

    @Test func noSovietActorFromFormerRepublics() {
        #expect(codes("the shared borders of the 2 former Soviet republics").isEmpty)
        #expect(codes("the Soviet Union and the USSR") == ["SUN", "SUN"])
    }

    @Test func theWestOnlyAsABloc() {
        #expect(codes("our Western partners and the West") == ["WST", "WST"])
        #expect(codes("the West Bank and West Texas crude, on its western flank").isEmpty)
    }

    @Test func spansAreScalarOffsetsOfTheSurface() {
        let text = "“Kyiv’s” allies, Russia’s Foreign Minister and the United States"
        let mentions = gazetteer.mentions(in: ArticleText(text))
        let scalars = Array(text.unicodeScalars)
        for m in mentions {
            var view = String.UnicodeScalarView()
            view.append(contentsOf: scalars[m.start..<m.end])
            #expect(String(view) == m.surface)
        }
        #expect(mentions.map(\.surface) == ["Kyiv", "Russia", "United States"])
    }

    @Test func headlineCapitalsDoNotMakeTheUnitedStates() {
        #expect(codes("PLEASE LET US KNOW").isEmpty)
        // In an all-capitals headline "US" may be the pronoun: not trusted; names still count.
        #expect(codes("RUSSIA WARNS US OVER NATO") == ["RUS", "NATO"])
        #expect(codes("Russia warns US over NATO") == ["RUS", "USA", "NATO"])
    }
}
