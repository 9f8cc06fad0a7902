import DatelineCore
import Testing
@testable import DatelineExtraction

/// Rules of extractor version 6 that find statements the earlier rules missed: title-case
/// headlines, denunciation verbs, semicolons ending indirect content. Each with sentences that
/// must give a statement and ones that must not; the sentences are written for these tests.
@Suite("Statement recall rules")
struct StatementRecallRuleTests {
    @Test("A title-case headline capitalises its verb: 'Mayor Reyes Says Levy Will Stay' is a statement")
    func titleCaseHeadline() throws {
        let s = try #require(statements("Mayor Dana Reyes Says Harbour Levy Will Stay.\n\nThe council met on Monday.").first)
        #expect(s.cue?.lemma == "say")
        #expect((s.speaker.surface ?? "").contains("Reyes"))
        #expect(s.content == "Harbour Levy Will Stay")
        let praise = try #require(statements("Farm Union Praises Council Water Plan.").first)
        #expect(praise.content == "Council Water Plan")
        // In ordinary prose a capitalised cue word is part of a name.
        #expect(statements("The Says Foundation gave the museum a grant.").isEmpty)
        #expect(statements("He visited the Reports Office in the capital last spring.").isEmpty)
        // A sentence with lower-case long words is no headline.
        #expect(statements("Officials at the Claims Bureau closed the office early.").isEmpty)
    }

    @Test("Denunciation verbs ('denounced', 'decried', 'slams', 'lambasted') take their object as content")
    func denunciationVerbs() throws {
        let s = try #require(statements("Senator Amina Doumbe denounced the new water tax.").first)
        #expect(s.cue?.lemma == "criticize")
        #expect(s.content == "the new water tax")
        #expect(statements("The farmers' union decried the cuts to rural bus routes.").first?.cue?.lemma == "criticize")
        #expect(statements("Idriss Kone lambasted the council over the delays.").first?.cue?.lemma == "criticize")
        // "blasts" is also a noun: "several blasts" is no statement.
        #expect(statements("Residents heard several blasts near the harbour.").isEmpty)
    }

    @Test("'made it clear', 'testified' and 'reminded' report a clause")
    func clauseVerbs() throws {
        let clear = try #require(statements("Dana Reyes made it clear that she would not resign.").first)
        #expect(clear.content.contains("she would not resign"))
        let testified = try #require(statements("The inspector testified that the bridge had been inspected twice.").first)
        #expect(testified.cue?.lemma == "testify")
        let reminded = try #require(statements("Kone reminded voters that the levy expires in June.").first)
        #expect(reminded.cue?.lemma == "remind")
        #expect(reminded.content.contains("the levy expires in June"))
    }

    @Test("A semicolon ends indirect content; a colon's list keeps its semicolons")
    func semicolonEndsContent() throws {
        let s = try #require(statements("Dana Reyes said the ferry would run until May; the council has not yet voted on it.").first)
        #expect(s.content == "the ferry would run until May")
        let list = try #require(statements("The clerk said the plan had three parts: new roads; new bridges; and a port.").first)
        #expect(list.content.contains("new bridges; and a port"))
    }
}

@Suite("Statement recall rules: subjects")
struct StatementRecallSubjectTests {
    @Test("A party label in parentheses before an appositive stays with the name")
    func partyLabelBeforeAppositive() throws {
        let s = try #require(statements("Rep. Dana Reyes (D-Ohio), chair of the budget committee, said the vote would be held on Friday.").first)
        #expect((s.speaker.surface ?? "").contains("Reyes"))
        #expect(s.content.contains("the vote would be held on Friday"))
        // Parentheses holding something else give no speaker of their own.
        #expect(statements("The plan (which few had read), critics said the vote was rushed.").allSatisfy { !($0.speaker.surface ?? "").contains("plan") })
    }
}

@Suite("Statement recall rules: stances and boundaries")
struct StatementRecallStanceTests {
    @Test("Directives and topics ('ordered', 'encouraged', 'outlined', 'discussed') take their object as content")
    func directiveAndTopicVerbs() throws {
        let ordered = try #require(statements("The governor ordered a review of the ferry contracts.").first)
        #expect(ordered.cue?.lemma == "order")
        #expect(ordered.content == "a review of the ferry contracts")
        #expect(statements("Dana Reyes encouraged voters to back the harbour levy.").first?.cue?.lemma == "urge")
        #expect(statements("Idriss Kone outlined a plan to rebuild the bridge.").first?.cue?.lemma == "propose")
        #expect(statements("The two mayors discussed the water shortage.").first?.cue?.lemma == "discuss")
        // After "to" the verb is no cue ("met to discuss").
        #expect(statements("The ministers met in Accra to discuss the drought.").allSatisfy { $0.cue?.lemma != "discuss" })
    }

    @Test("An object phrase ends before 'but' and a second predicate")
    func objectEndsBeforeBut() throws {
        let s = try #require(statements("Amina Doumbe backs the harbour levy but votes against the new toll on the bridge.").first)
        #expect(s.content == "the harbour levy")
        // "but also" goes on with the same object.
        let also = try #require(statements("Amina Doumbe endorsed not only the levy but also the toll.").first)
        #expect(also.content.contains("the toll"))
    }

    @Test("A sentence resumed after an interrupting attribution keeps its second part when a stance verb follows")
    func interruptedSentenceWithStanceVerb() throws {
        let s = try #require(statements("His neighbour, Kone said, plans to leave the valley before winter.").first)
        #expect(s.fragments?.count == 2)
        #expect(s.content.contains("plans to leave the valley"))
        // A participle cue after the attribution is another act of the speaker, not the same sentence.
        let adding = statements("The levy was fair, Kone said, adding that it would end in May.")
        #expect(adding.allSatisfy { !($0.content.contains("The levy was fair") && $0.content.contains("adding")) })
    }
}

@Suite("Statement recall rules: relative clauses")
struct StatementRecallRelativeTests {
    @Test("'X, which argued that …': the body before 'which' speaks")
    func whichAfterComma() throws {
        let s = try #require(statements("The request came from the Daily Courier, which argued that the files were of public interest.").first)
        #expect(s.cue?.lemma == "argue")
        #expect((s.speaker.surface ?? "").contains("Daily Courier"))
        #expect(s.content.contains("the files were of public interest"))
        // "which" without a comma is no subject of its own.
        #expect(statements("The rule which officials said was unfair stayed in force.").allSatisfy { $0.speaker.surface != "which" })
    }

    @Test("A relative clause set off by commas ends its content before the sentence's own verb")
    func relativeClauseEndsAtMainVerb() throws {
        let all = statements("Senator Idriss Kone, who has called for a ban on imports, spoke on Monday.")
        let s = try #require(all.first { $0.cue?.lemma == "call" })
        #expect(s.content == "a ban on imports")
        let said = statements("Dana Reyes, who said the levy was unfair, said on Tuesday the vote would wait.")
        #expect(said.contains { $0.content == "the levy was unfair" })
        #expect(said.contains { $0.content.contains("the vote would wait") })
        // A reported clause without a verb yet goes on past an aside in commas.
        let aside = statements("Kone, who said the two mayors, and Reyes in particular, must do more, left early.")
        #expect(aside.contains { $0.content.contains("must do more") })
    }
}

@Suite("Statement recall rules: quoted titles")
struct StatementRecallQuotedTitleTests {
    @Test("A programme's title in quotation marks before 'X said <clause>' is no quote; the clause is the content")
    func quotedTitleBeforeAttribution() throws {
        let all = statements("Speaking on Radio Sahel's “Morning Hour,” Dana Reyes said the harbour levy would be cut in June.")
        let s = try #require(all.first)
        #expect(s.kind == .indirect)
        #expect(s.content.contains("the harbour levy would be cut in June"))
        #expect(!all.contains { $0.content == "Morning Hour," || $0.content == "Morning Hour" })
        // A real quotation before the attribution still is one.
        let quote = try #require(statements("On Monday she was blunt: “The levy stays,” Reyes said.").first)
        #expect(quote.kind == .direct)
        // A short title-case quotation followed by a bare attribution is a quote too.
        let bare = try #require(statements("Asked about the plan, she replied, “Never Again,” Reyes said.").first)
        #expect(bare.content.contains("Never Again"))
    }
}

@Suite("Statement recall rules: labelled headlines")
struct StatementRecallLabelledHeadlineTests {
    @Test("A headline's label may hold lower-case words: 'Reyes camp: levy will stay'")
    func headlineLabelWithLowerCaseWords() throws {
        let s = try #require(statements("Reyes camp: the harbour levy will stay.\n\nThe council met on Monday.").first)
        #expect(s.cue?.surface == ":")
        #expect(s.speaker.surface == "Reyes camp")
        #expect(s.content.contains("the harbour levy will stay"))
        // In the body, a label with lower-case words is no speaker.
        #expect(statements("The council met on Monday.\n\nKey points: the harbour levy will stay.").isEmpty)
        // A label whose lower-case word is a verb form is a sentence, not a label.
        #expect(statements("Reyes warned: the harbour levy will stay.\n\nThe council met.").allSatisfy { $0.speaker.surface != "Reyes warned" })
    }
}

@Suite("Statement recall rules: group subjects")
struct StatementRecallGroupSubjectTests {
    @Test("'Some say …, while another says …': 'another' speaks like the other counted subjects")
    func another() throws {
        let all = statements("Some say the levy is too high, while another says it is too low.")
        #expect(all.contains { $0.speaker.surface == "Some" && $0.content == "the levy is too high" })
        #expect(all.contains { $0.speaker.surface == "another" && $0.content.contains("it is too low") })
        // A bare number is no subject ("One says" is too often a headline's "One Tweet Says").
        #expect(statements("In 2014 two said nothing at all.").allSatisfy { $0.speaker.surface != "two" })
    }

    @Test("A plural subject with an aside in dashes speaks: 'insiders in both states — Chad and Niger — said'")
    func pluralSubjectWithDashAside() throws {
        let s = try #require(statements("Insiders in both states — Chad and Niger — said the levy would fall.").first)
        #expect((s.speaker.surface ?? "").hasPrefix("Insiders"))
        #expect(s.content.contains("the levy would fall"))
    }
}

@Suite("Statement recall rules: viewpoint phrases")
struct StatementRecallViewpointTests {
    @Test("'To Reyes, …' and 'In Kone's view, …' open a sentence that is the named person's view")
    func viewpointPhrases() throws {
        let to = try #require(statements("To Dana Reyes, the harbour levy is the fairest tax the town has.").first)
        #expect(to.speaker.surface == "Dana Reyes")
        #expect(to.content == "the harbour levy is the fairest tax the town has")
        let view = try #require(statements("In Kone's view, the bridge should have been closed years ago.").first)
        #expect(view.content == "the bridge should have been closed years ago")
        #expect(statements("In her words, the levy was “a tax on hope.”").first?.kind == .mixed)
        // A dative that is no name, or a sentence with a statement of its own, gives nothing more.
        #expect(statements("To the council, the mayor sent a letter about the levy.").isEmpty)
        let own = statements("To Reyes, Kone said the levy was unfair.")
        #expect(own.count == 1)
        #expect(own.first?.cue?.lemma == "say" && own.first?.cue?.surface == "said")
    }
}

@Suite("Statement recall rules: past tenses of noun-like cues")
struct StatementRecallPastTenseTests {
    @Test("'The shipping firm reported a loss', 'local papers noted …': a past tense after a full noun phrase is the verb")
    func pastTenseAfterNounPhrase() throws {
        let s = try #require(statements("The shipping firm reported a loss of $2 million for the quarter.").first)
        #expect(s.cue?.lemma == "report")
        #expect(s.content.contains("a loss of $2 million"))
        #expect(statements("Local papers noted the mayor had skipped the vote.").first?.cue?.lemma == "note")
        // A passive is no verb of the noun phrase before it: with "by", the agent reports
        // (version 7); a bare noun before a participle gives nothing.
        let passive = statements("The shipping firm's loss was reported by the local papers.")
        #expect(passive.count == 1)
        #expect(passive.first?.speaker.surface == "the local papers")
        #expect(statements("Kone said profits reported in May were high.").allSatisfy { $0.cue?.lemma != "report" })
    }
}
