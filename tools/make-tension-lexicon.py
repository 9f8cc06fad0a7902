#!/usr/bin/env python3
"""Generate Sources/DatelineExtraction/Resources/tension-lexicon.json, the tension lexicon.

CAMEO event codes and names: the CAMEO codebook (Schrodt, Gerner et al., Conflict and Mediation
Event Observations, version 1.1b3, 2012, http://eventdata.parusanalytics.com/data.dir/cameo.html).
Goldstein scores: the Goldstein (1992) conflict-cooperation scale as assigned to CAMEO codes in
GDELT's table (CAMEO.goldsteinscale.txt; the same values appear in the Parus Analytics
CAMEO.SCALE.txt except 016, which that table gives as +3.4 and GDELT as -2.0; we follow GDELT).
QuadClass follows GDELT: roots 01-05 verbal cooperation (1), 06-08 material cooperation (2),
09-13 verbal conflict (3), 14-20 material conflict (4). The numbers are facts from those tables.

Trigger phrases (including the synonyms content farms substitute: "navy" for military,
"excessive" for high, "elevated weapons provides" for increased weapons supplies, "safety calls
for" for security demands) are curated for Dateline here. Phrase syntax: words separated by
spaces; "[a|b|]" is a choice ("" = may be absent); hyphens split words as the tokenizer does.
Re-run after editing:  python3 tools/make-tension-lexicon.py
"""
import itertools
import json
import os
import re

OUT = os.path.join(os.path.dirname(__file__), "..", "Sources", "DatelineExtraction", "Resources", "tension-lexicon.json")

CODES = {
    "013": ("Make optimistic comment", 0.4), "016": ("Deny responsibility", -2.0),
    "020": ("Make an appeal or request, not specified", 3.0), "036": ("Express intent to meet or negotiate", 4.0),
    "040": ("Consult, not specified", 1.0), "042": ("Make a visit", 1.9), "041": ("Discuss by telephone", 1.0), "043": ("Host a visit", 2.8),
    "046": ("Engage in negotiation", 7.0), "051": ("Praise or endorse", 3.4), "064": ("Share intelligence or information", 7.0), "057": ("Sign formal agreement", 8.0),
    "062": ("Cooperate militarily", 7.4), "070": ("Provide aid, not specified", 7.0), "071": ("Provide economic aid", 7.4),
    "072": ("Provide military aid", 8.3), "073": ("Provide humanitarian aid", 7.4),
    "087": ("De-escalate military engagement", 9.0),
    "100": ("Demand, not specified", -5.0), "1042": ("Demand policy change", -5.0), "106": ("Demand withdrawal", -5.0),
    "110": ("Disapprove, not specified", -2.0), "111": ("Criticize or denounce", -2.0), "112": ("Accuse, not specified", -2.0),
    "1123": ("Accuse of aggression", -2.0), "1124": ("Accuse of war crimes", -2.0),
    "120": ("Reject, not specified", -4.0), "125": ("Reject proposal to meet, discuss, or negotiate", -5.0),
    "130": ("Threaten, not specified", -4.4), "131": ("Threaten non-force", -5.8), "138": ("Threaten with military force", -7.0),
    "139": ("Give ultimatum", -7.0),
    "150": ("Demonstrate military or police power, not specified", -7.2), "152": ("Increase military alert status", -7.2),
    "154": ("Mobilize or increase armed forces", -7.2),
    "160": ("Reduce relations, not specified", -4.0), "161": ("Reduce or break diplomatic relations", -4.0),
    "163": ("Impose embargo, boycott, or sanctions", -8.0), "166": ("Expel or withdraw", -7.0),
    "174": ("Expel or deport individuals", -5.0),
    "183": ("Conduct suicide, car, or other non-military bombing", -10.0),
    "190": ("Use conventional military force, not specified", -10.0), "192": ("Occupy territory", -9.5),
    "193": ("Fight with small arms and light weapons", -10.0), "194": ("Fight with artillery and tanks", -10.0),
    "195": ("Employ aerial weapons", -10.0),
}

# frame: how the two actors are found.
#   verb      - "X criticized Y": source is the subject (or the statement's speaker), target the object.
#   content   - evaluative phrase inside reported speech: source is the speaker, targets the other
#               actors of the clause ("fail to deal with", "inadmissibility of").
#   material  - an act between states ("Russian troop build-up near Ukraine"): source the modifier or
#               subject, target the object or the other actor of the sentence; may fall back to the
#               article's military context (`context`).
#   denial    - "X denied ...": DENY, and what follows is denied.
# Each trigger: (phrases, cameo, type, frame, extra) with extra keys: issue, feared_cameo (code when
# the act is only feared or possible), asserted_cameo, context (may take missing roles from the
# article's military context), needs_both (both actors must be explicit in the sentence).
T = []


def add(phrases, cameo, typ, frame, **extra):
    T.append((phrases, cameo, typ, frame, extra))


# --- verbal conflict -------------------------------------------------------------------------
add(["criticized", "criticised", "criticizes", "criticises", "criticize", "criticise", "criticizing", "criticising",
     "condemned", "condemns", "condemn", "condemning", "denounced", "denounces", "denounce", "slammed", "slams",
     "blasted", "lambasted", "rebuked", "decried", "deplored", "castigated", "chided", "censured",
     "criticism of", "condemnation of"], "111", "DISAPPROVE", "verb")
add(["fail to deal with", "fails to deal with", "failed to deal with", "fail to address", "fails to address",
     "failed to address", "fail to take into account", "failed to take into account", "no positive reaction",
     "ignored our concerns", "ignores our concerns", "ignore our concerns", "ignoring our concerns",
     "unacceptable", "unconstructive", "destructive approach", "provocative", "provocations", "provocation",
     "hostile", "irresponsible", "hysteria", "disappointing", "disappointed", "not satisfied", "unsatisfactory"],
    "111", "DISAPPROVE", "content")
add(["accused", "accuses", "accuse", "accusing", "blamed", "blames", "blame", "blaming", "accusations against",
     "accused [of|]", "alleged that"], "112", "ACCUSE", "verb")
add(["constitutes a [rising|growing|serious|direct|real|major|] [threat|risk]",
     "constitute a [rising|growing|serious|direct|real|major|] [threat|risk]",
     "[poses|pose|posed|posing] a [rising|growing|serious|direct|real|major|] [threat|risk]",
     "[threaten|threatens|threatening] the [territory|security]", "[threaten|threatens|threatening] our",
     "[threat|risk|threats] to our", "[threat|risk|danger] on its", "[threat|risk] to its", "[threat|threats] to the security",
     "aggressive [actions|policy|behaviour|behavior|moves|stance]", "act of aggression", "acts of aggression",
     "encroachment", "encirclement", "expansionism", "militarization of", "militarisation of"],
    "1123", "ACCUSE", "content")
# Reported speech that calls the other side's words lies ("Moscow was spreading false information")
# or denies its standing ("Russia has no right to threaten …").
add(["false information", "disinformation", "fake news", "spreading lies", "spreads lies", "spread lies",
     "propaganda", "no right to", "has no right"], "112", "ACCUSE", "content")
add(["war crimes", "genocide", "atrocities"], "1124", "ACCUSE", "content")
add(["inadmissibility of", "inadmissible", "must stop", "must halt", "must not expand", "must withdraw",
     "[security|safety] [calls|demands|proposals|guarantees] [for|]", "legally binding guarantees",
     "[demanded|demands|demanding|demand] that", "insisted that", "insists that", "insist that", "insisted on",
     "insists on", "red lines", "red line"], "1042", "DEMAND", "content")
add(["demanded", "demands", "demanding"], "100", "DEMAND", "verb")
add(["[demanded|demands|demand|demanding|called for|calls for|call for|urged] [the|a|] withdrawal",
     "[demanded|demands|demand|demanding|urged|urges|called on|calls on] * to withdraw",
     "[demanded|demands|demand|demanding|urged|urges|called on|calls on] * * to withdraw"], "106", "DEMAND", "verb")
add(["urged", "urges", "urge", "urging", "called on", "calls on", "call on", "appealed to", "appeals to"], "020", "APPEAL", "verb")
add(["rejected", "rejects", "reject", "rejecting", "rebuffed", "rebuffs", "spurned", "turned down", "refused",
     "refuses", "rejection of"], "120", "REJECT", "verb", unless_next=["to", "by"])
add(["denied", "denies", "deny", "denying", "rejected claims", "rejected allegations", "rejected accusations",
     "dismissed claims", "dismissed allegations", "dismissed accusations", "dismissed reports", "dismissed suggestions",
     "rejects claims", "dismisses claims", "dismissed as [nonsense|fake|false|propaganda|hysteria]"], "016", "DENY", "denial")
add(["threatened", "threatens", "threaten", "threatening"], "130", "THREATEN", "verb")
add(["ultimatum"], "139", "THREATEN", "verb")
add(["warned of [consequences|retaliation|a response|countermeasures|a military response]",
     "warns of [consequences|retaliation|a response|countermeasures|a military response]",
     "threatened [retaliation|countermeasures|military]", "military-technical [measures|response]"],
    "138", "THREATEN", "verb")

# --- material conflict -----------------------------------------------------------------------
add(["invasion", "invasions", "invade", "invades", "invading", "invaded", "incursion", "offensive against"],
    "190", "FIGHT", "material", issue="INVASION", feared_cameo="138", feared_type="THREAT_PERCEPTION", context=True,
    agent_from_context=True)
# A war named by its victim ("the war in Ukraine", "its war against Ukraine"): the aggressor comes
# from the sentence or the article's context, like an invasion's.
add(["war in", "war on", "war against", "full scale war", "siege of", "sieges of", "offensive in", "counteroffensive",
     "counter offensive"],
    "190", "FIGHT", "material", context=True, agent_from_context=True)
# "the war", "Russia's war", "the Ukraine war": a war between states unless a modifier says
# otherwise ("trade war", "price war", "cold war"; the extractor holds that list) or it names
# crimes ("war crimes") or is an insurer's term ("war risk insurance").
add(["war"], "190", "FIGHT", "material", context=True, agent_from_context=True,
    unless_next=["crimes", "crime", "criminal", "criminals", "games", "chest", "cabinet", "memorial", "veterans",
                 "veteran", "bonds", "bond", "correspondent", "reporter", "effort", "time", "of", "with", "over",
                 "between", "by", "on", "against", "in", "risk", "risks"])
add(["[troop|troops|military|navy|army|naval|force|forces] [build|construct] up", "[troop|military|navy|army] buildup",
     "[build|construct] up of [troops|forces|military|navy|army]", "buildup of [troops|forces]",
     "massing [of|] [troops|forces]", "massed [more than|some|about|around|up to|] [troops|forces|soldiers]",
     "amassed", "amassing", "massed", "troops massed", "mobilization", "mobilisation", "mobilized", "mobilised",
     "concentration of troops", "[troops|forces|soldiers] [stationed|deployed|gathered|positioned] near"],
    "154", "MOBILIZE", "material", issue="BORDER_TROOPS", context=True)
add(["deployed [troops|forces|soldiers|missiles|weapons|warships|jets|tanks]",
     "deploying [troops|forces|soldiers|missiles|weapons|warships|jets|tanks]",
     "deploy [troops|forces|soldiers|missiles|weapons|warships|jets|tanks]",
     "deployment of [troops|forces|soldiers]", "sent [troops|forces|soldiers|warships]",
     "military drills", "navy drills", "military exercises", "navy workouts", "war games", "naval drills",
     "put [troops|forces] on [high|heightened|] alert", "on high alert"],
    "150", "MILITARY_POSTURE", "material", needs_both=True)
add(["[impose|imposed|imposes|imposing|slapped|slap|announced|new|tough|sweeping|severe|economic|harsh] sanctions",
     "sanctions [on|against]", "sanctioned", "embargo on", "embargo against", "blacklisted", "export controls on",
     "trade sanctions", "retaliatory tariffs", "punitive tariffs", "tariffs on"],
    "163", "SANCTION", "material", issue="SANCTIONS", feared_cameo="131", feared_type="THREATEN", needs_both=True)
add(["[impose|imposed|imposes|imposing|slapped|slap] [drastic|tougher|further|more|fresh|latest|additional|wider|tough|new] sanctions",
     "banned", "barred", "froze", "frozen"],
    "163", "SANCTION", "verb", issue="SANCTIONS", feared_cameo="131", feared_type="THREATEN", needs_both=True)
# Further sanction nouns and verbs, and energy cut-offs, which CAMEO codes as sanctions (16x).
add(["[drastic|tougher|further|more|fresh|latest|additional|wider] sanctions", "sanctions regime",
     "[ban|bans] on", "banned [imports|exports] of", "import [ban|bans]", "export [ban|bans]", "entry [ban|bans]",
     "[froze|frozen|freeze|freezing] [the|] assets", "asset freeze", "[ceased|halted|cut|stopped|suspended|reduced] [gas|oil|energy] [deliveries|supplies|flows|exports]",
     "[ceased|halted|stopped|suspended] deliveries", "cut off [gas|oil|energy|supplies]", "stopping of [gas|oil|]"],
    "163", "SANCTION", "material", issue="SANCTIONS", feared_cameo="131", feared_type="THREATEN", needs_both=True)
add(["expelled [diplomats|envoys|the ambassador]", "expels [diplomats|envoys|the ambassador]",
     "expulsion of [diplomats|envoys]"], "174", "EXPEL", "material", needs_both=True)
add(["recalled [its|their|the] ambassador", "severed [diplomatic|] [ties|relations]", "cut [diplomatic|] ties",
     "broke off [diplomatic|] relations"], "161", "REDUCE_RELATIONS", "material", needs_both=True)
add(["attacked", "attack on", "attacks on", "attacks against", "assault on", "struck", "strikes on", "strike on",
     "shelled", "shelling of", "fired on", "opened fire on"], "190", "FIGHT", "material",
    feared_cameo="138", feared_type="THREATEN", context=True)
# Repelling an attack is fighting too ("Ukraine pushed back Russian forces").
add(["pushed back", "push back", "pushes back", "pushing back", "repelled", "repels", "repel", "repelling",
     "drove back", "drive back", "driving back"], "190", "FIGHT", "verb", needs_both=True)
add(["bombed", "bombing of", "bombardment of", "air strikes", "airstrikes", "air strike", "airstrike",
     "missile strikes", "missile strike", "air raid", "air raids"], "195", "FIGHT", "material",
    feared_cameo="138", feared_type="THREATEN", context=True)
add(["occupied", "occupation of", "annexed", "annexation of"], "192", "OCCUPY", "material", needs_both=True)

# --- cooperation -----------------------------------------------------------------------------
add(["[help|aid|assistance] for", "[help|aid|assistance] to"], "070", "AID", "material", needs_both=True)
add(["[military|navy|army|defence|defense|security|lethal] [aid|assistance|help|support]",
     "[weapons|arms] [supplies|supply|deliveries|shipments|provides|provide]",
     "[supplied|supplying|supplies|supply|sent|sending|send|delivered|delivering|provide|provided|providing] [weapons|arms|missiles|javelins|stingers]",
     "[military|navy|army] [training|coaching]", "defensive weapons"],
    "072", "AID", "material", issue="NATO_SUPPORT_UKRAINE", needs_both=True)
add(["[humanitarian] [aid|assistance|help]"], "073", "AID", "material", needs_both=True)
add(["[financial|economic] [aid|assistance]"], "071", "AID", "material", needs_both=True)
add(["[talks|negotiations|consultations|dialogue|discussions] with", "held talks", "hold talks", "met with",
     "meeting with", "summit with"], "040", "CONSULT", "verb", issue="TALKS", needs_both=True)
add(["[phone|telephone] [call|conversation|talks] with", "spoke by [phone|telephone] with", "spoke with", "call with"],
    "041", "CONSULT", "verb", issue="TALKS", needs_both=True)
add(["held calls with", "held a call with", "video call with", "calls with"], "041", "CONSULT", "verb", issue="TALKS",
    needs_both=True)
add(["accession to", "addition of", "join", "joins", "joined", "joining", "membership of", "membership in",
     "admission to", "application to join"], "062", "COOPERATE_MILITARILY", "verb", needs_both=True,
    unless_next=["in", "forces", "hands", "the"])
add(["meet with", "talk to", "talk directly to", "talks to", "to meet", "negotiating with"], "036", "COOPERATE_VERBAL", "verb",
    issue="TALKS", needs_both=True)
add(["visit by", "visits by", "trip by", "visit to", "visits to", "visited", "trip to", "travel to", "travelled to", "traveled to", "travels to",
     "arrived in", "to visit"], "042", "VISIT", "verb", needs_both=True)
add(["supplied", "supplying", "[supplies|supply|provided|providing|provide|provides] * with", "to supply",
     "support package", "aid package", "[more|continued|political|military|our|their|its] support for",
     "support for", "support of", "hosting"],
    "070", "AID", "verb", needs_both=True)
add(["thanked", "commend", "commends", "stand by", "stands by", "solidarity with"], "051", "PRAISE", "verb",
    needs_both=True)
add(["[agreement|agreements|deal|deals|memorandum|treaty|pact] with", "[signed|sign|agreed] [a|an|the] [deal|agreement|memorandum]"],
    "057", "SIGN_AGREEMENT", "verb", needs_both=True)
add(["[serious|severe|substantive|meaningful|further|new] [discussions|conversation|talks|negotiations|dialogue]",
     "[agreed|ready|willing|prepared|offered] to [hold|continue|resume] [talks|negotiations|dialogue|discussions]",
     "diplomatic [solution|path|track]", "path of diplomacy", "room for diplomacy", "beginning of a serious conversation"],
    "036", "COOPERATE_VERBAL", "content", issue="TALKS")
add(["signed [an|a|the] [agreement|deal|treaty|accord|pact|memorandum] with"], "057", "SIGN_AGREEMENT", "verb", needs_both=True)
add(["praised", "praises", "hailed", "commended", "welcomed"], "051", "PRAISE", "verb", needs_both=True)
add(["pulled back [troops|forces]", "withdrew [troops|forces]", "withdrawal of [troops|forces]", "de-escalation", "de-escalate",
     "deescalation"], "087", "DE_ESCALATE", "material", feared_cameo="087", needs_both=True)

# Level statements: the pair comes from "tensions between X and Y", "X-Y tensions", "tensions with X".
TENSION_WORDS = ["tension", "tensions", "standoff", "stand off", "crisis", "hostility", "hostilities", "rift", "feud",
                 "confrontation", "row between"]
LEVELS = {
    "highest in years": 0.9, "highest in decades": 0.95, "at their highest": 0.9, "highest since": 0.9,
    "highest level": 0.9, "highest point": 0.9, "all time high": 1.0, "highest ever": 1.0, "unprecedented": 0.95,
    "boiling point": 0.9, "worst since": 0.9, "worst level": 0.9, "worst in decades": 0.95, "lowest point": 0.9,
    "intensified": 0.75, "intensifying": 0.75, "flared": 0.75, "deteriorating": 0.7, "brink of war": 1.0, "soaring": 0.8, "soared": 0.8, "escalating": 0.8,
    "escalated": 0.8, "spiralling": 0.8, "spiraling": 0.8, "heightened": 0.75, "rising": 0.7, "rose": 0.7, "mounting": 0.7,
    "growing": 0.7, "high": 0.7, "excessive": 0.7, "elevated": 0.7, "increased": 0.7, "simmering": 0.6,
    "eased": 0.4, "easing": 0.4, "ease": 0.4, "defuse": 0.45, "lowered": 0.35, "lowest": 0.2, "calm": 0.3,
}

# Cues before a trigger (within a few words of the same sentence) that make it feared or possible.
FEARED = ["fear", "fears", "feared", "fearing", "fearful", "concern", "concerns", "concerned", "worry", "worries",
          "worried", "potential", "possible", "possibly", "possibility", "could", "might", "may", "would", "likely",
          "threat of", "risk of", "prospect of", "imminent", "looming", "planning", "plans to", "planned", "plan to",
          "preparing", "prepares", "prepare", "intends", "intend", "intention", "ready to", "warned", "warning", "warn",
          "warns", "if", "any", "alleged", "feared", "speculation", "danger of", "spectre of", "specter of",
          "brink of", "threatened", "threatens", "threaten", "threatening", "expected", "expect", "will"]
NEGATION = ["not", "no", "never", "n't", "without", "nor", "refused", "refuses", "refusing", "declined", "declines", "unwilling", "reluctant", "resisted", "resists", "resisting", "cancelled", "canceled", "postponed", "shelved"]
# Words that end a clause for scope purposes (the spun "however" included).
CLAUSE_BREAK = ["but", "however", "while", "whereas", "although", "though", "yet", "meanwhile"]

# Issue cues anywhere in the clause; the first found wins over none.
ISSUES = [
    ("NATO_ENLARGEMENT", ["enlargement", "expansion", "expand", "expanding", "eastward", "broaden", "open door",
                          "membership", "join nato", "joining nato", "accession"]),
    ("STRIKE_WEAPONS", ["strike weapons", "missiles", "missile systems", "offensive weapons", "hypersonic"]),
    ("BORDER_TROOPS", ["border", "borders", "frontier", "troop build up", "troops near"]),
    ("INVASION", ["invasion", "invade", "invading"]),
    ("NATO_SUPPORT_UKRAINE", ["weapons supplies", "weapons provides", "military aid", "military training",
                              "navy coaching", "arms supplies", "weapons deliveries"]),
    ("SANCTIONS", ["sanctions", "embargo"]),
    ("TALKS", ["talks", "negotiations", "dialogue", "discussions", "conversation", "diplomacy"]),
    ("ENERGY", ["gas", "pipeline", "nord stream", "oil", "energy"]),
    ("SECURITY_GUARANTEES", ["security guarantees", "safety calls for", "security demands", "security proposals"]),
]


# Wars between states with a clear aggressor, dated, for "the war" or "the invasion" whose sides an
# article leaves unnamed (as people.json dates office holders). An entry applies to an article dated
# inside its range that names at least one of its two sides. Sources: the UN General Assembly
# resolutions that name the aggressor (ES-11/1 of 2 March 2022 on Russia's invasion of Ukraine,
# 68/262 of 27 March 2014 on Crimea) and the UN Security Council resolutions on the Iran-Iraq war
# (479 of 1980, 598 of 1987) and the Iraq war (1483 of 2003, naming the occupying powers).
KNOWN_WARS = [
    {"aggressor": "RUS", "victim": "UKR", "from": "2014-02-20", "until": None,
     "source": "UN General Assembly resolutions 68/262 (2014) and ES-11/1 (2022)"},
    {"aggressor": "IRQ", "victim": "IRN", "from": "1980-09-22", "until": "1988-08-20",
     "source": "UN Security Council resolutions 479 (1980) and 598 (1987)"},
    {"aggressor": "USA", "victim": "IRQ", "from": "2003-03-20", "until": "2011-12-18",
     "source": "UN Security Council resolution 1483 (2003)"},
]


def expand(phrase):
    parts = re.findall(r"\[[^\]]*\]|\S+", phrase)
    choices = [p[1:-1].split("|") if p.startswith("[") else [p] for p in parts]
    out = []
    for combo in itertools.product(*choices):
        words = " ".join(w for w in combo if w).replace("-", " ").split()
        out.append(" ".join(words).lower())
    return out


def quad(code):
    root = int(code[:2])
    return 1 if root <= 5 else 2 if root <= 8 else 3 if root <= 13 else 4


def main():
    codes = {c: {"name": n, "goldstein": g, "quad_class": quad(c)} for c, (n, g) in CODES.items()}
    triggers = []
    for phrases, cameo, typ, frame, extra in T:
        assert cameo in CODES, cameo
        for c in (extra.get("feared_cameo"),):
            assert c is None or c in CODES, c
        forms = sorted({f for p in phrases for f in expand(p)})
        triggers.append({"phrases": forms, "cameo": cameo, "type": typ, "frame": frame, **extra})
    out = {
        "provenance": {
            "cameo": "CAMEO event codebook 1.1b3 (Schrodt, Gerner et al. 2012), "
                     "http://eventdata.parusanalytics.com/data.dir/cameo.html",
            "goldstein": "Goldstein (1992) scale as assigned to CAMEO codes in GDELT's CAMEO.goldsteinscale.txt "
                         "(016 = -2.0 as in GDELT; Parus CAMEO.SCALE.txt gives +3.4)",
            "quad_class": "GDELT: roots 01-05 = 1, 06-08 = 2, 09-13 = 3, 14-20 = 4",
            "phrases": "curated for Dateline in tools/make-tension-lexicon.py, including content-farm synonyms",
            "known_wars": "curated for Dateline in tools/make-tension-lexicon.py; each entry names the UN resolution it follows",
        },
        "codes": codes,
        "triggers": triggers,
        "tension_words": sorted({f for p in TENSION_WORDS for f in expand(p)}),
        "levels": {" ".join(k.replace("-", " ").split()): v for k, v in LEVELS.items()},
        "feared": sorted(set(FEARED)),
        "negation": NEGATION,
        "clause_break": CLAUSE_BREAK,
        "known_wars": KNOWN_WARS,
        "issues": [{"issue": i, "cues": sorted({f for p in cues for f in expand(p)})} for i, cues in ISSUES],
    }
    with open(OUT, "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=False, indent=1)
        f.write("\n")
    print(f"wrote {sum(len(t['phrases']) for t in triggers)} trigger phrases to {os.path.normpath(OUT)}")


if __name__ == "__main__":
    main()
