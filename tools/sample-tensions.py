#!/usr/bin/env python3
"""Draws tensions at random from `dateline extract` output for a hand check of precision.

usage: tools/sample-tensions.py PRED.jsonl CORPUS.jsonl SEED N

Lists every tension of every output record in file order as (article id, index, tension),
draws N with random.Random(SEED).sample, sorts them by article and index, and prints each
with its trigger span and the sentence around it (read from the corpus by the record's id).
"""
import json
import random
import sys


def main(argv):
    if len(argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    pred, corpus, seed, k = argv[0], argv[1], int(argv[2]), int(argv[3])
    texts = {}
    with open(corpus, encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            texts[r["id"]] = r["text"]
    items = []
    with open(pred, encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            for i, t in enumerate(r.get("tensions", [])):
                items.append((r["id"], i, t))
    rng = random.Random(seed)
    for n, (aid, i, t) in enumerate(sorted(rng.sample(items, k), key=lambda x: (x[0], x[1])), 1):
        tx = texts[aid]
        s, e = t["start"], t["end"]
        a = max(tx.rfind(".", 0, s) + 1, tx.rfind("\n", 0, s) + 1, s - 300)
        b = tx.find(".", e)
        b = len(tx) if b < 0 else min(b + 1, e + 300)
        print(f"#{n} {aid} [{i}] {t.get('source')}->{t.get('target')} cameo {t.get('cameo')} {t.get('type')} "
              f"{t.get('modality')} w={t.get('weight')}")
        print("   TRIGGER:", repr(tx[s:e]))
        print("   SENT:", tx[a:b].replace("\n", " ").strip())
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
