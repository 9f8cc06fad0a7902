#!/usr/bin/env python3
"""Generate Sources/DatelineExtraction/Resources/places.json: cities and regions of states.

Source: Phoenix.Countries.actors.txt of the PETRARCH2 event coder (GitHub openeventdata/petrarch2,
commit 676801cd9cb2924bbbad09f86d15c9323e7097bf, petrarch2/data/dictionaries/), itself generated
from CountryInfo.txt of the Computational Event Data System project; MIT License, Copyright (c)
2014 Open Event Data Alliance; the notice is copied into the generated file. Read from
../shared/corpus/reference/petrarch2/ (not shipped).

What is taken: for each country block (a head line, its `+ALIAS` lines, then its `[CODE ...]`
lines, one of them a bare three-letter code of a state in actors.json), the aliases that are not
already a name, demonym, capital or acronym in actors.json, title-cased ("KHARKIV_" -> "Kharkiv",
"ST._PETERSBURG_" -> "St. Petersburg"). Aliases with digits, brackets or quotes, of more than
three words or fewer than four letters, and words of ordinary English in the list below are left
out. The extractor uses them only as places: the target of a strike or a visit right after it
("shelled Kharkiv", "a trip to Odesa"), never as an actor that speaks or acts.

Usage: python3 tools/make-places.py [PATH/TO/Phoenix.Countries.actors.txt]
"""
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_SOURCE = os.path.normpath(os.path.join(HERE, "..", "..", "shared", "corpus", "reference", "petrarch2",
                                               "Phoenix.Countries.actors.txt"))
ACTORS = os.path.join(HERE, "..", "Sources", "DatelineExtraction", "Resources", "actors.json")
OUT = os.path.join(HERE, "..", "Sources", "DatelineExtraction", "Resources", "places.json")

# Place names that are also ordinary English words or common first names.
ORDINARY = {"phoenix", "buffalo", "providence", "charlotte", "mobile", "reading", "bath", "nice", "victoria",
            "columbus", "austin", "orlando", "jackson", "lincoln", "madison", "independence", "concord",
            "eugene", "florence", "hamilton", "wellington", "kingston", "georgetown", "richmond", "aurora",
            "salem", "cambridge", "oxford", "paris", "split", "male", "mali", "chad", "jordan", "georgia",
            "china", "turkey", "guinea", "santiago", "valencia", "cordoba", "trinidad", "victory", "union",
            "liberty", "freedom", "hope", "essex", "kent", "sale", "deal", "wells", "derby", "crawley",
            "worcester", "gloucester", "portland", "springfield", "franklin", "clinton", "marion", "warren",
            "lagos", "mecca", "medina", "bethlehem", "nazareth", "canaan", "eden", "goshen", "zion", "cairo"}


def title(alias):
    words = [w for w in alias.strip().rstrip("_").split("_") if w]
    out = []
    for w in words:
        out.append("-".join(p[:1].upper() + p[1:].lower() for p in w.split("-")))
    return " ".join(out)


def known_aliases():
    data = json.load(open(ACTORS, encoding="utf-8"))
    known = set()
    for a in data["actors"]:
        for key in ("names", "acronyms", "demonyms", "capitals"):
            known.update(n.lower() for n in a[key])
    for c in data["contextual"]:
        known.update(n.lower() for n in c["aliases"])
    known.update(n.lower() for n in data["blockers"])
    states = {a["code"] for a in data["actors"] if a["kind"] == "state"}
    return known, states


def blocks(lines):
    head, aliases, codes = None, [], []
    for line in lines:
        line = line.split("#", 1)[0].rstrip()
        if not line.strip():
            continue
        if line.startswith("+"):
            aliases.append(line[1:].strip())
        elif line.startswith((" ", "\t")) or line.lstrip().startswith("["):
            codes += re.findall(r"\[([A-Z]+)[^\]]*\]", line)
        else:
            if head is not None:
                yield head, aliases, codes
            m = re.match(r"^(\S+)\s*(\[[^\]]*\])?", line)
            head, aliases = m.group(1), []
            codes = re.findall(r"\[([A-Z]+)[^\]]*\]", line)
    if head is not None:
        yield head, aliases, codes


def main():
    source = sys.argv[1] if len(sys.argv) > 1 else DEFAULT_SOURCE
    known, states = known_aliases()
    lines = open(source, encoding="utf-8", errors="replace").read().splitlines()
    notice = []
    for line in lines[:60]:
        if line.startswith("# The MIT License") or notice:
            if not line.startswith("#"):
                break
            notice.append(line[1:].strip())
    places = {}
    for head, aliases, codes in blocks(lines):
        state = [c for c in codes if len(c) == 3 and c in states]
        if not state:
            continue
        code = state[-1]
        for alias in aliases:
            if re.search(r"[0-9()\"'`,/]", alias) or alias.startswith("THE_"):
                continue
            name = title(alias)
            words = name.split()
            letters = sum(ch.isalpha() for ch in name)
            if not words or len(words) > 3 or letters < 4:
                continue
            low = name.lower()
            if low in known or low in ORDINARY:
                continue
            places.setdefault(code, [])
            if name not in places[code]:
                places[code].append(name)
    # A name listed under two states is ambiguous: neither keeps it.
    count = {}
    for names in places.values():
        for n in names:
            count[n] = count.get(n, 0) + 1
    out = {
        "provenance": {
            "source": "PETRARCH2 Phoenix.Countries.actors.txt (from CountryInfo.txt), github.com/openeventdata/petrarch2 "
                      "commit 676801cd9cb2924bbbad09f86d15c9323e7097bf, petrarch2/data/dictionaries/Phoenix.Countries.actors.txt",
            "license": " ".join(n for n in notice if n),
            "generated_by": "tools/make-places.py (what is taken and how: the script's docstring)",
        },
        "places": [{"code": c, "names": sorted(n for n in names if count[n] == 1)} for c, names in sorted(places.items())],
    }
    with open(OUT, "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=False, indent=1)
        f.write("\n")
    print(f"wrote {sum(len(p['names']) for p in out['places'])} places of {len(out['places'])} states to "
          f"{os.path.normpath(OUT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
