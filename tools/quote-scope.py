#!/usr/bin/env python3
"""Sorts a gold quote file's attributions by the statement policy of ../shared/corpus/ANNOTATION.md
(section 2.2) and prints what an extractor that follows that policy can score on it at most.

usage: tools/quote-scope.py GOLD.jsonl [PRED.jsonl]

Why: PolNeAR (quotes-dev.jsonl) labels every attribution relation, including acts ("voted for",
"signed", "supported"), thoughts and perceptions, negated speech and attributions without a
speaker; the news2022 labels, which the extractor must also meet, leave those out. This tool
measures how much of a gold file lies outside that policy.

Method, from each gold attribution's own fields (its cue, speaker and content as labelled),
first rule that applies:
  no speaker                          -> out (ANNOTATION.md: passives without a speaker, bare terms)
  cue holds a negation or "declined"  -> out (negated or withheld speech)
  cue holds a verb of thought, perception or evidence (believe, see, show, expect, ...) -> out
  "according to"                      -> in
  a verb of saying                    -> in with a clause or quoted words as content, else out
  deny/confirm/reject/announce/report, or a directive/commissive (call for, urge, promise) -> in
  an evaluative verb (criticize, describe, call, ...) -> in only with quoted words or a clause
  a speech noun (statement, remarks, warning, ...) -> in with content of a clause or quotation
  anything else                       -> out (an act, not speech)
The word lists are small and written here; the sorting is approximate (it reads cue words, not
sentences), so the figures are estimates of the policy's reach, not a gold standard.

With PRED (`dateline extract` output for the same file), it also prints the score now and the
score if every in-scope attribution the predictions miss were found with nothing else changed.
"""
import json
import os
import re
import sys
from collections import Counter

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "shared", "tools"))

SPEECH = set("""say says said saying tell tells told telling write writes wrote written writing post posts posted
posting tweet tweets tweeted tweeting warn warns warned warning claim claims claimed claiming add adds added adding
note notes noted noting argue argues argued arguing insist insists insisted insisting admit admits admitted admitting
concede concedes conceded conceding hint hints hinted hinting explain explains explained explaining state states
stated stating declare declares declared declaring assert asserts asserted asserting reply replies replied replying
respond responds responded responding answer answered ask asks asked asking suggest suggests suggested suggesting
predict predicts predicted predicting acknowledge acknowledges acknowledged acknowledging reveal reveals revealed
revealing disclose disclosed recall recalls recalled recalling complain complains complained complaining allege
alleges alleged alleging contend contends contended contending stress stresses stressed stressing emphasize
emphasized emphasizing emphasise emphasised repeat repeated reiterate reiterated estimate estimated conclude
concludes concluded testify testified boast boasted joke joked quip quipped mention mentions mentioned mentioning
remark remarked observe observed point pointed counter countered retort retorted shout shouted yell yelled chant
chanted read reads wonder wondered cite cites cited citing quote quoted quoting""".split())
FACTIVE = set("""deny denies denied denying confirm confirms confirmed confirming reject rejects rejected rejecting
announce announces announced announcing disavow disavowed report reports reported reporting rule ruled ruling
find finds found""".split())
DIRECTIVE = set("""call calls called calling urge urges urged urging demand demands demanded demanding request
requests requested requesting advise advises advised advising propose proposes proposed proposing promise promises
promised promising pledge pledged vow vowed vows threaten threatens threatened threatening order ordered invite
invited plead pleaded appeal appealed""".split())
EVALUATIVE = set("""condemn condemns condemned condemning criticize criticizes criticized criticizing criticise
criticised describe describes described describing depict depicted label labeled labelled brand branded praise
praised blast blasted slam slammed attack attacked accuse accused blame blamed denounce denounced mock mocked
dismiss dismissed""".split())
SPEECH_NOUNS = set("""statement statements remark remarks comment comments claim claims warning warnings message
speech interview tweet tweets letter report reports assertion argument promise pledge call calls demand demands
request announcement testimony insistence suggestion question questions answer allegation allegations accusation
accusations denial vow decree order words""".split())
THOUGHT = set("""believe believes believed think thinks thought feel feels felt know knows knew see sees saw seen
seem seems seemed appear appears appeared expect expects expected want wants wanted hope hopes hoped fear fears
feared realize realized realise realised worry worries worried consider considers considered suspect suspects
assume assumed understand understood doubt doubts doubted show shows showed shown indicate indicates indicated
learn learned sure aware convinced confident concerned""".split())
NEGATION = re.compile(r"\b(not|never|no|declined|declines|refused|refuses|n['\u2019]t)\b", re.I)
QUOTE_MARK = re.compile("[\"\u201c\u201d\u2018\u2019\u00ab\u00bb]|''|``")
CLAUSE_OPENER = re.compile(r"^\W*(that|whether|if|how|why|what|when|where|who|to)\b", re.I)

IN = "in scope"


def scope(q):
    if not q.get("speaker"):
        return "out: no speaker"
    cue = q.get("cue") or ""
    words = re.findall(r"[a-z\u2019']+", cue.lower())
    if NEGATION.search(cue):
        return "out: negated or withheld"
    if any(w in THOUGHT for w in words):
        return "out: thought, perception, evidence"
    content = q["text"]
    quoted = bool(QUOTE_MARK.search(content)) or q.get("kind") != "indirect"
    clause = bool(CLAUSE_OPENER.search(content)) or len(content.split()) >= 5
    if "according" in words:
        return IN
    if any(w in SPEECH for w in words):
        return IN if quoted or clause else "out: speech verb with a bare noun"
    if any(w in FACTIVE or w in DIRECTIVE for w in words):
        return IN
    if any(w in EVALUATIVE for w in words):
        return IN if quoted or CLAUSE_OPENER.search(content) else "out: evaluative verb with a bare noun"
    if any(w in SPEECH_NOUNS for w in words):
        return IN if quoted or clause else "out: speech noun without content"
    return "out: an act, not speech"


def main(argv):
    if len(argv) not in (1, 2):
        print(__doc__, file=sys.stderr)
        return 2
    import score_quotes as sq

    preds = {}
    if len(argv) == 2:
        with open(argv[1], encoding="utf-8") as f:
            for line in f:
                r = json.loads(line)
                preds[str(r["id"])] = sq.merge_chains(r.get("statements") or [])
    kinds, missed = Counter(), Counter()
    gold_n = matched = pred_n = 0
    with open(argv[0], encoding="utf-8") as f:
        for line in f:
            g = json.loads(line)
            quotes = sq.merge_chains(g.get("quotes") or [])
            p = preds.get(str(g["id"]), [])
            gold_n += len(quotes)
            pred_n += len(p)
            hit = {i for i, _ in sq.match(g["text"], quotes, p, 0.3)} if preds else set()
            matched += len(hit)
            for i, q in enumerate(quotes):
                k = scope(q)
                kinds[k] += 1
                if i not in hit:
                    missed[k] += 1
    print(f"{'kind':<40}{'gold':>8}{'share':>8}" + (f"{'missed':>8}" if preds else ""))
    for k, v in kinds.most_common():
        print(f"{k:<40}{v:>8}{v / gold_n:>8.1%}" + (f"{missed[k]:>8}" if preds else ""))
    r = kinds[IN] / gold_n
    print(f"an extractor finding exactly the in-scope ones: P 1.000 R {r:.3f} all_f1@0.3 {2 * r / (1 + r):.3f}")
    if preds:
        f1 = 2 * matched / (pred_n + gold_n)
        best = 2 * (matched + missed[IN]) / (pred_n + missed[IN] + gold_n)
        print(f"these predictions: all_f1@0.3 {f1:.3f}; with every in-scope miss found and nothing else changed: {best:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
