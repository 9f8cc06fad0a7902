#!/usr/bin/env python3
"""Compare Dateline's daily tension for one pair with GDELT's daily score.

Reads the pair's daily tension timeline either from a Dateline database (the `tl_daily`
table of the tension projection) or from JSON Lines as printed by
`dateline tensions --pair RUS-UKR --json` (rows with `period` or `date`, `tension`,
`cooperation`), joins it with the GDELT-derived daily scores in
../shared/corpus/events/gdelt-country-pairs-daily-2021-07_2022-06.csv on the dates both have,
prints them side by side and the Spearman rank correlation.

GDELT's score is negative for conflict and grows with coverage, so the figure that should
agree with Dateline's tension is -score ("GDELT conflict"); the net figure
(cooperation - tension) is compared with the raw score too.

Usage:
  tools/gdelt-compare.py --db dateline.sqlite [--pair RUS-UKR] [--gdelt CSV] [--quiet]
  dateline tensions --pair RUS-UKR --json | tools/gdelt-compare.py --jsonl -
"""
import argparse
import csv
import json
import os
import sqlite3
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_GDELT = os.path.join(HERE, "..", "..", "shared", "corpus", "events",
                             "gdelt-country-pairs-daily-2021-07_2022-06.csv")


def ranks(values):
    """Ranks 1..n with ties given their average rank."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    result = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        average = (i + j) / 2 + 1
        for k in range(i, j + 1):
            result[order[k]] = average
        i = j + 1
    return result


def pearson(xs, ys):
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys))
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    if sxx == 0 or syy == 0:
        return float("nan")
    return sxy / (sxx * syy) ** 0.5


def spearman(xs, ys):
    return pearson(ranks(xs), ranks(ys))


def parse_pair(text):
    for sep in "|-,/ ":
        if sep in text:
            a, b = text.upper().split(sep, 1)
            return tuple(sorted((a.strip(), b.strip())))
    sys.exit(f"gdelt-compare: bad pair {text!r}; expected two codes such as RUS-UKR")


def from_db(path, pair):
    if not os.path.exists(path):
        sys.exit(f"gdelt-compare: no database at {path}")
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        rows = db.execute(
            "SELECT day, tension, cooperation, events FROM tl_daily WHERE pair = ? ORDER BY day",
            ("|".join(pair),)).fetchall()
    except sqlite3.OperationalError as e:
        sys.exit(f"gdelt-compare: {path} has no tension projection ({e}); open it with dateline first")
    import datetime
    epoch = datetime.date(1970, 1, 1)
    return {str(epoch + datetime.timedelta(days=day)): (t, c, n) for day, t, c, n in rows}


def from_jsonl(stream):
    out = {}
    for line in stream:
        line = line.strip()
        if not line:
            continue
        row = json.loads(line)
        if row.get("bucket", "day") != "day":
            sys.exit("gdelt-compare: needs day buckets (dateline tensions --bucket day)")
        day = row.get("period") or row.get("date")
        out[day] = (row.get("tension", 0.0), row.get("cooperation", 0.0), row.get("events", 0))
    return out


def load_gdelt(path, pair):
    if not os.path.exists(path):
        sys.exit(f"gdelt-compare: no GDELT file at {path} (pass --gdelt)")
    scores = {}
    with open(path, newline="") as f:
        for r in csv.DictReader(f):
            if tuple(sorted((r["country_a"], r["country_b"]))) == pair:
                scores[r["date"]] = float(r["score"])
    return scores


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    source = ap.add_mutually_exclusive_group(required=True)
    source.add_argument("--db", help="a Dateline database with the tension projection")
    source.add_argument("--jsonl", help="JSON Lines from `dateline tensions --json` ('-' for stdin)")
    ap.add_argument("--pair", default="RUS-UKR")
    ap.add_argument("--gdelt", default=DEFAULT_GDELT)
    ap.add_argument("--quiet", action="store_true", help="print only the summary")
    args = ap.parse_args()

    pair = parse_pair(args.pair)
    if args.db:
        ours = from_db(args.db, pair)
    else:
        ours = from_jsonl(sys.stdin if args.jsonl == "-" else open(args.jsonl))
    gdelt = load_gdelt(args.gdelt, pair)
    if not gdelt:
        sys.exit(f"gdelt-compare: GDELT has no rows for {'|'.join(pair)}")
    shared = sorted(set(ours) & set(gdelt))
    print(f"pair {'|'.join(pair)}: Dateline {len(ours)} days, GDELT {len(gdelt)} days, shared {len(shared)}")
    if len(shared) < 3:
        sys.exit("gdelt-compare: fewer than 3 shared dates; nothing to correlate")
    if not args.quiet:
        print(f"{'date':<10}  {'events':>6}  {'tension':>8}  {'coop':>7}  {'gdelt':>10}")
        for d in shared:
            t, c, n = ours[d]
            print(f"{d:<10}  {n:>6}  {t:>8.2f}  {c:>7.2f}  {gdelt[d]:>10.1f}")
    tension = [ours[d][0] for d in shared]
    net = [ours[d][1] - ours[d][0] for d in shared]
    conflict = [-gdelt[d] for d in shared]
    score = [gdelt[d] for d in shared]
    print(f"Spearman(tension, -GDELT score) = {spearman(tension, conflict):.3f} over {len(shared)} dates")
    print(f"Spearman(cooperation - tension, GDELT score) = {spearman(net, score):.3f}")


if __name__ == "__main__":
    main()
