#!/usr/bin/env python3
"""Fit the weights of the story rule (pipeline/dedup/story.go).

    python3 tools/storyfit/fit.py FEATURES.jsonl LABELS.jsonl [JUDGED_FEATURES.jsonl JUDGED.jsonl]

FEATURES is the output of `go run ./tools/storyfit` (see its doc), LABELS
the {"id", "story"} labels of the same articles (shared/eval/wire/dev-labels.jsonl).
Needs scikit-learn (Debian: python3-sklearn).

The optional pair reports the fitted rule on a stream without story labels
whose candidate pairs were judged instead: JUDGED_FEATURES is storyfit's
output for that stream, JUDGED its {"id", "candidate", "same"} verdicts.
conll-judged.jsonl beside this file holds verdicts for CoNLL-2003 train +
dev (1,162 Reuters articles of August 1996, batched train first): every
pair of an article and one of its two best-based candidates whose story
score reached 0.75 under the rule of 2026-11-23 (899 pairs), and the 49
other links made with `worker batch -batch-clock published` and a 24- or
72-hour window, read and judged one event or two by annotators of that
session (not by the corpus's authors; see BENCHMARKS.md).

For every article that is not a duplicate, the two candidates with the best
base score whose leads were compared are training pairs, labelled by whether
they are of the article's story. A logistic regression (standardised
features, C=0.003) gives the weights, printed in the raw units story.go
uses; the threshold is the one that maximises the story ARI when the
stream is replayed with the new scores. The same is then done on each half
of the topics (ECB+ topic numbers, even or odd) and scored on the other
half, which estimates how the rule does on articles it was not fitted on.
"""
import collections
import json
import math
import sys

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

NAMES = ["base_score", "phrases", "lead_shared", "lead_found", "new_names", "old_names", "new_numbers", "old_numbers", "gap"]
SUPPORT_THRESHOLD = 0.29  # story.go's supportThreshold, for candidates whose phrases the index no longer held


def load(features):
    arts = [json.loads(l) for l in open(features)]
    for a in arts:
        compared = [c for c in a["candidates"] if "lead_found" in c["signals"]]
        best = max((c["signals"]["base_score"] for c in a["candidates"]), default=0)
        for c in compared:
            s = c["signals"]
            c["x"] = [s[n] for n in NAMES[:-1]] + [best - s["base_score"]]
        a["compared"] = sorted(compared, key=lambda c: -c["signals"]["base_score"])[:2]
    return arts


def labels(path):
    return {d["id"]: d["story"] for d in map(json.loads, open(path))}


def topic(story):
    return int(story.split("_")[0])


def ari(pred, lab):
    c2 = lambda x: x * (x - 1) / 2
    cont = collections.Counter((lab[i], pred[i]) for i in pred)
    a = collections.Counter(lab[i] for i in pred)
    b = collections.Counter(pred.values())
    sij = sum(c2(v) for v in cont.values())
    sa, sb = sum(c2(v) for v in a.values()), sum(c2(v) for v in b.values())
    exp = sa * sb / c2(len(pred))
    return (sij - exp) / ((sa + sb) / 2 - exp)


def replay(arts, prob, th):
    story = {}
    for a in arts:
        i = a["id"]
        if a["duplicate_of"]:
            story[i] = story[a["duplicate_of"]]
            continue
        best = max(a["compared"], key=lambda c: prob(c["x"]), default=None)
        if best is not None and prob(best["x"]) >= th:
            story[i] = story[best["id"]]
            continue
        old = [c for c in a["candidates"] if not c["held"] and c["signals"]["base_score"] >= SUPPORT_THRESHOLD]
        story[i] = story[max(old, key=lambda c: c["signals"]["base_score"])["id"]] if old else i
    return story


def scores(story, lab, keep=None):
    ids = [i for i in story if keep is None or keep(topic(lab[i]))]
    return ari({i: story[i] for i in ids}, lab)


def fit(arts, lab, keep):
    rows = [(c["x"], int(lab[c["id"]] == lab[a["id"]])) for a in arts if not a["duplicate_of"] and keep(topic(lab[a["id"]])) for c in a["compared"]]
    X, y = np.array([r[0] for r in rows]), np.array([r[1] for r in rows])
    m = make_pipeline(StandardScaler(), LogisticRegression(C=0.003, max_iter=5000)).fit(X, y)
    sc, lr = m[0], m[-1]
    w = lr.coef_[0] / sc.scale_
    b = lr.intercept_[0] - float(np.sum(lr.coef_[0] * sc.mean_ / sc.scale_))
    prob = lambda x: 1 / (1 + math.exp(-(b + float(np.dot(w, x)))))
    # Thresholds halfway between the scores of best candidates, so that the
    # one chosen does not sit on a candidate's score.
    ps = sorted({prob(c["x"]) for a in arts for c in a["compared"][:1]})
    ths = [round((lo + hi) / 2, 4) for lo, hi in zip(ps, ps[1:]) if hi - lo > 2e-4]
    best = max(ths, key=lambda th: scores(replay(arts, prob, th), lab, keep))
    return w, b, prob, best


def base_rule(arts, lab, keep):
    """The rule before leads were compared: the best base score links at
    a threshold chosen the same way."""
    def story(th):
        out = {}
        for a in arts:
            i = a["id"]
            best = max(a["candidates"], key=lambda c: c["signals"]["base_score"], default=None)
            if a["duplicate_of"]:
                out[i] = out[a["duplicate_of"]]
            elif best is not None and best["signals"]["base_score"] >= th:
                out[i] = out[best["id"]]
            else:
                out[i] = i
        return out
    th = max((0.20 + 0.01 * k for k in range(21)), key=lambda th: scores(story(th), lab, keep))
    return th, story(th)


def judged_report(features, judged, prob, th):
    """Print how the rule with score prob does on a judged stream: the
    ranking of its judged pairs, and the links it makes at thresholds from
    th up, judged right, wrong or not judged."""
    from sklearn.metrics import roc_auc_score
    verdict = {}
    for l in open(judged):
        d = json.loads(l)
        verdict[(d["id"], d["candidate"])] = d["same"]
    arts = load(features)
    scored = [(prob(c["x"]), verdict[(a["id"], c["id"])]) for a in arts if not a["duplicate_of"] for c in a["compared"] if (a["id"], c["id"]) in verdict]
    same = sum(v for _, v in scored)
    print("judged stream: %d pairs judged, %d of one event; AUC of the story score %.3f" % (len(scored), same, roc_auc_score([v for _, v in scored], [p for p, _ in scored])))
    for t in sorted({th, 0.85, 0.87, 0.90, 0.93, 0.95}):
        if t < th:
            continue
        n = collections.Counter()
        for a in arts:
            best = max(a["compared"], key=lambda c: prob(c["x"]), default=None)
            if a["duplicate_of"] or best is None or prob(best["x"]) < t:
                continue
            n[verdict.get((a["id"], best["id"]))] += 1
        print("  threshold %.4f: %d links judged one event, %d two events (precision %.2f), %d not judged" % (t, n[True], n[False], n[True] / max(1, n[True] + n[False]), n[None]))


def main():
    arts, lab = load(sys.argv[1]), labels(sys.argv[2])
    w, b, prob, th = fit(arts, lab, lambda t: True)
    print("weights (story.go): bias %.4f" % b)
    for n, v in zip(NAMES, w):
        print("  %-12s %+.4f" % (n, v))
    print("threshold %.4f: story ari %.3f" % (th, scores(replay(arts, prob, th), lab)))
    if len(sys.argv) > 4:
        judged_report(sys.argv[3], sys.argv[4], prob, th)
    for name, keep, other in (("even", lambda t: t % 2 == 0, lambda t: t % 2 == 1), ("odd", lambda t: t % 2 == 1, lambda t: t % 2 == 0)):
        _, _, p, t = fit(arts, lab, keep)
        story = replay(arts, p, t)
        print("fitted on %s topics (threshold %.4f): ari there %.3f, on the other topics %.3f" % (name, t, scores(story, lab, keep), scores(story, lab, other)))
        bt, bstory = base_rule(arts, lab, keep)
        print("  base score alone, threshold chosen there (%.2f): ari there %.3f, on the other topics %.3f" % (bt, scores(bstory, lab, keep), scores(bstory, lab, other)))


if __name__ == "__main__":
    main()
