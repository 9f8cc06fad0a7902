#!/usr/bin/env python3
"""Generate Sources/DatelineExtraction/Resources/petrarch-verbs.json from PETRARCH2's CAMEO verb dictionary.

Source: CAMEO.2.0.txt of the PETRARCH2 event coder (GitHub openeventdata/petrarch2, commit
676801cd9cb2924bbbad09f86d15c9323e7097bf, file petrarch2/data/dictionaries/CAMEO.2.0.txt),
MIT License, Copyright (c) 2014 Open Event Data / (c) 2015 Open Event Data Alliance; the notice is
copied into the generated file. Read from ../shared/corpus/reference/petrarch2/ (not shipped).

What is taken, and how (the reading follows PETRreader.read_verb_dictionary()):
- Each verb block `---  NAME   [code]  ---` with a default code gives its head verb NAME (not
  the WordNet synonyms listed beside it), inflected as the dictionary says (irregular forms in braces, `_` joining multi-word
  verbs, regular English endings otherwise), as triggers of that code.
- Each pattern `- * OBJECT [code]  # VERB` whose object is plain words (one word or a
  `{multi word}` noun phrase; no synonym sets, prepositional phrases or source/target markers)
  gives "<form of VERB> <object>" triggers of that code, for the verb the comment names (the one
  the pattern was found with), not for the block's WordNet synonyms.
- Codes are kept when Dateline's lexicon (tools/make-tension-lexicon.py) has a Goldstein score for
  them, or for their three-digit parent, or for their root's general code; roots 01 (statements),
  02 (appeals), 08 (yielding), 09 (investigations) and 14 (protests) are left out, because
  without a parser a bare verb of those roots is mostly not an event between states.
- Every trigger here is a "verb" frame with both actors required in the sentence ("X <verb> Y");
  phrases the curated lexicon already has keep the curated meaning (the extractor skips them).

Usage: python3 tools/make-petrarch-verbs.py [PATH/TO/CAMEO.2.0.txt]
"""
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_SOURCE = os.path.normpath(os.path.join(HERE, "..", "..", "shared", "corpus", "reference", "petrarch2", "CAMEO.2.0.txt"))
OUT = os.path.join(HERE, "..", "Sources", "DatelineExtraction", "Resources", "petrarch-verbs.json")
LEXICON = os.path.join(HERE, "..", "Sources", "DatelineExtraction", "Resources", "tension-lexicon.json")

EXCLUDED_ROOTS = {"01", "02", "08", "09", "14"}
# Verbs too general to stand for an event between two actors without a parser, whatever their
# block's default code ("X gave Y", "X took Y", "X met Y" is kept: meetings are curated already).
EXCLUDED_VERBS = {"GIVE", "TAKE", "GET", "MAKE", "PUT", "SET", "KEEP", "HOLD", "LEAVE", "GO", "COME", "RUN",
                  "MOVE", "TURN", "SEND", "BRING", "CALL", "SEE", "LOOK", "FIND", "SHOW", "USE", "WORK",
                  "PLAY", "BACK", "CARRY", "HANDLE", "REACH", "MEET", "SHARE", "JOIN", "RETURN", "OPEN",
                  "CLOSE", "CUT", "DROP", "PUSH", "PULL", "HIT", "STRIKE", "BREAK", "PASS", "ACCEPT",
                  "RECEIVE", "OFFER", "PROVIDE", "SUPPLY", "DELIVER", "SUPPORT", "HELP", "WELCOME",
                  "ARRIVE", "ASSEMBLE", "CABLE", "CONSIDER", "HEAR", "INTRODUCE", "NOTIFY", "FAVOR", "RESPECT",
                  "REASSERT", "BLESS", "DIE", "ENGAGE", "DESPAIR", "CURSE", "DISGRACE", "DISMAY", "OFFEND",
                  "REGRET", "LAMENT", "DELAY", "PARADE", "SECEDE", "DISASSOCIATE", "ALLEGE", "ENCOURAGE",
                  "APPRECIATE", "DEFEND", "STABILISE", "INTERVENE", "RESCUE", "INSIST", "DEMAND", "WARN"}
# Forms that are mostly nouns in news ("arms deliveries", "5m pounds", "thanks to"): never a bare trigger.
NOUN_FORMS = {"arms", "pounds", "pound", "thanks", "target", "targets", "shot", "raids", "raid", "patrols", "patrol",
              "kills", "killing", "shooting", "bombing", "ambush", "siege", "fighting", "favors"}


# Dateline's event type names (as in tools/make-tension-lexicon.py), by code, then by root.
TYPES = {"036": "COOPERATE_VERBAL", "042": "VISIT", "043": "VISIT", "057": "SIGN_AGREEMENT",
         "062": "COOPERATE_MILITARILY", "087": "DE_ESCALATE", "112": "ACCUSE", "1123": "ACCUSE", "1124": "ACCUSE",
         "154": "MOBILIZE", "161": "REDUCE_RELATIONS", "163": "SANCTION", "166": "EXPEL", "174": "EXPEL",
         "192": "OCCUPY"}
ROOT_TYPES = {"03": "COOPERATE_VERBAL", "04": "CONSULT", "05": "PRAISE", "06": "COOPERATE", "07": "AID",
              "10": "DEMAND", "11": "DISAPPROVE", "12": "REJECT", "13": "THREATEN", "15": "MILITARY_POSTURE",
              "16": "REDUCE_RELATIONS", "17": "COERCE", "18": "FIGHT", "19": "FIGHT", "20": "FIGHT"}


def event_type(code):
    return TYPES.get(code) or ROOT_TYPES.get(code[:2], "EVENT")


def inflect(base):
    """Regular English forms of a verb given in capitals (the dictionary's own rule set)."""
    b = base.lower()
    forms = {b}
    if b.endswith("e"):
        forms |= {b + "s", b + "d", b[:-1] + "ing"}
    elif b.endswith("y") and len(b) > 1 and b[-2] not in "aeiou":
        forms |= {b[:-1] + "ies", b[:-1] + "ied", b + "ing"}
    elif re.search(r"(s|x|z|ch|sh)$", b):
        forms |= {b + "es", b + "ed", b + "ing"}
    else:
        forms |= {b + "s", b + "ed", b + "ing"}
    return forms


def verb_forms(line):
    """Forms of one verb line: `WORD`, `WORD {IRREG ...}`, `+MULTI_WORD {}`."""
    line = line.split("#", 1)[0].strip()
    if not line:
        return set()
    irregular = None
    m = re.match(r"^(\+?)([A-Z_'\-]+)\s*(\{([^}]*)\})?\s*$", line)
    if not m:
        return set()
    literal, word, braces, inner = m.group(1), m.group(2), m.group(3), m.group(4)
    if word in EXCLUDED_VERBS:
        return set()
    if braces is not None:
        irregular = [w for w in inner.split() if w]
    words = word.split("_")
    head, rest = words[0], " ".join(w.lower() for w in words[1:])
    if literal or (braces is not None and not irregular and len(words) > 1):
        forms = {" ".join(w.lower() for w in words)}
    elif irregular:
        forms = {head.lower()} | {w.lower().replace("_", " ") for w in irregular}
        forms = {f + (" " + rest if rest and " " not in f else "") for f in forms}
    else:
        forms = {f + (" " + rest if rest else "") for f in inflect(head)}
    return {f for f in forms if re.fullmatch(r"[a-z' \-]+", f)}


def main():
    source = sys.argv[1] if len(sys.argv) > 1 else DEFAULT_SOURCE
    with open(LEXICON, encoding="utf-8") as f:
        lexicon = json.load(f)
    known_codes = set(lexicon["codes"])
    curated = {p for t in lexicon["triggers"] for p in t["phrases"]}

    def usable(code):
        if code[:2] in EXCLUDED_ROOTS:
            return None
        for c in (code, code[:3], code[:2] + "0"):
            if c in known_codes:
                return c
        return None

    with open(source, encoding="utf-8", errors="replace") as f:
        lines = f.read().splitlines()
    start = next(i for i, l in enumerate(lines) if l.startswith("####### VERB PATTERNS"))
    end = next((i for i, l in enumerate(lines) if l.startswith("######## TRANSFORMATIONS")), len(lines))
    by_code = {}
    blocks = 0
    block_code, block_verbs = None, {}

    def add(code, phrase):
        if phrase in curated or phrase in NOUN_FORMS:
            return
        by_code.setdefault(code, set()).add(phrase)

    block_name, cited = None, set()

    def finish_block():
        # The block's default code goes to its head verb alone, not to the WordNet synonyms
        # listed beside it (the cited verbs get their patterns' codes above).
        if block_code:
            for verb in {block_name}:
                for form in block_verbs.get(verb, ()):
                    add(block_code, form)

    for line in lines[start + 1:end]:
        header = re.match(r"^---\s+(\S+)\s+\[([^\]]*)\]", line)
        if header:
            finish_block()
            block_name = header.group(1)
            cited = set()
            blocks += 1
            code = header.group(2).strip().lstrip(":")
            block_code = usable(code) if re.fullmatch(r"\d{3,4}", code) else None
            block_verbs = {}
            continue
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if line.startswith("-"):
            m = re.match(r"^-\s+\*\s+(\{[A-Z' ]+\}|[A-Z']+)\s+\[(:?)(\d{3,4})\]\s*(#\s*([A-Z_]+))?", line)
            if m and m.group(5):
                cited.add(m.group(5))
            if m and m.group(5) in block_verbs:
                code = usable(m.group(3))
                if code:
                    obj = m.group(1).strip("{}").lower()
                    for form in block_verbs[m.group(5)]:
                        add(code, form + " " + obj)
            continue
        forms = verb_forms(line)
        word = re.match(r"^\+?([A-Z_'\-]+)", line.strip())
        if word and forms:
            block_verbs[word.group(1)] = forms

    finish_block()
    triggers = [{"phrases": sorted(p), "cameo": c, "type": event_type(c), "frame": "verb", "needs_both": True}
                for c, p in sorted(by_code.items())]
    out = {
        "provenance": {
            "source": "PETRARCH2 CAMEO verb dictionary CAMEO.2.0.txt, github.com/openeventdata/petrarch2 "
                      "commit 676801cd9cb2924bbbad09f86d15c9323e7097bf, petrarch2/data/dictionaries/CAMEO.2.0.txt",
            "license": "MIT License. Copyright (c) 2014 Open Event Data; Copyright (c) 2015 Open Event Data Alliance. "
                       "Permission is hereby granted, free of charge, to any person obtaining a copy of this software "
                       "and associated documentation files (the \"Software\"), to deal in the Software without "
                       "restriction, including without limitation the rights to use, copy, modify, merge, publish, "
                       "distribute, sublicense, and/or sell copies of the Software, and to permit persons to whom the "
                       "Software is furnished to do so, subject to the following conditions: The above copyright "
                       "notice and this permission notice shall be included in all copies or substantial portions of "
                       "the Software. THE SOFTWARE IS PROVIDED \"AS IS\", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR "
                       "IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A "
                       "PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE "
                       "LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR "
                       "OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER "
                       "DEALINGS IN THE SOFTWARE.",
            "generated_by": "tools/make-petrarch-verbs.py (what is taken and how: the script's docstring)",
        },
        "triggers": triggers,
    }
    with open(OUT, "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=False, indent=1)
        f.write("\n")
    n = sum(len(t["phrases"]) for t in triggers)
    print(f"read {blocks} verb blocks; wrote {n} trigger phrases in {len(triggers)} codes to {os.path.normpath(OUT)}")


if __name__ == "__main__":
    main()
