import DatelineCore
import Testing
@testable import DatelineExtraction

/// Statement rules of extractor version 5 for nominal cues: a speech-act noun with its owner
/// and a "that" clause ("Reyes's claim that …", "his warning that …", "the claim by X that …").
/// Sentences written for these tests.
@Suite("Nominal cue rules")
struct NominalCueRuleTests {
    @Test("An owned speech-act noun with a 'that' clause is its owner's statement; in subject position the clause ends before the main verb")
    func ownedNominalCue() throws {
        let claim = try #require(statements("Reyes's claim that the levy was illegal drew protests.").first)
        #expect(claim.content == "the levy was illegal")
        #expect(claim.speaker.surface == "Reyes's")
        #expect(claim.cue?.lemma == "claim")
        let warning = try #require(statements("His warning that the dam could fail was ignored.").first)
        #expect(warning.content == "the dam could fail")
        #expect(warning.cue?.lemma == "warn")
        let aside = try #require(statements("President Reyes's off-script remark, during a visit to Lyon, that the levy “cannot stay” caused a stir.").first)
        #expect(aside.content == "the levy “cannot stay”")
        // In object position the clause runs on, subordinate clauses included.
        let object = try #require(statements("Voters heard his promise that taxes would fall if he won.").first)
        #expect(object.content == "taxes would fall if he won")
        let by = try #require(statements("The claim by Haddad that the bridge was unsafe spread quickly.").first { $0.cue?.lemma == "claim" })
        #expect(by.speaker.surface == "Haddad")
        #expect(by.content == "the bridge was unsafe")
    }

    @Test("A claim that is nobody's, or a noun without a 'that' clause, is no statement")
    func unownedOrWithoutClause() {
        #expect(statements("The preposterous claim that the dam is run by spies spread fast.").isEmpty)
        #expect(statements("Reyes's warning came too late for the valley.").isEmpty)
        #expect(statements("It's a claim that nobody checked.").isEmpty)
        // A plural subject still makes "claim" a verb.
        #expect(statements("The officials claim that the dam is safe.").first?.speaker.surface == "The officials")
    }
}
