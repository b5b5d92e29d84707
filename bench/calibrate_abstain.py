"""Calibrate the abstention threshold: best late-interaction score for answerable questions
(asked against their own corpus) vs unanswerable ones (another corpus's questions).

    python bench/calibrate_abstain.py INDEX_DIR OWN.json OTHER.json [--limit 200]

INDEX_DIR must hold OWN.json's contexts (e.g. the --index of a `docqa eval OWN.json` run).
Prints, per candidate threshold, the share of answerable questions wrongly stopped and the share
of unanswerable questions correctly stopped.
"""

import argparse

import numpy as np

from docqa.eval.squad import load_squad
from docqa.index import Index
from docqa.eval.qa import sample
from docqa.retrieval import attention
from docqa.settings import load_settings


def best_scores(idx, questions):
    a = idx.settings.answer
    out = []
    for q in questions:
        hits = idx.search(q.question, k=a.candidates)
        cands = attention.rerank(q.question, hits, idx.embedder, method=a.rerank, token_temperature=a.token_temperature,
                                 retrieval_weight=a.retrieval_weight, temperature=a.temperature, cache=idx.token_cache)
        out.append(max(c.interaction for c in cands))
    return np.array(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("index")
    ap.add_argument("own")
    ap.add_argument("other")
    ap.add_argument("--limit", type=int, default=200)
    args = ap.parse_args()
    settings = load_settings({"index": args.index})
    with Index.open(args.index, settings, create=False) as idx:
        own = best_scores(idx, sample(load_squad(args.own)[1], args.limit, 0))
        other = best_scores(idx, sample(load_squad(args.other)[1], args.limit, 0))
    print(f"answerable   best score: p5 {np.percentile(own, 5):.3f}  p50 {np.median(own):.3f}")
    print(f"unanswerable best score: p50 {np.median(other):.3f}  p95 {np.percentile(other, 95):.3f}")
    # The range each embedder's scores live in: MiniLM token states ~0.3-0.6, sentence encoders lower.
    for t in np.arange(np.floor(50 * np.percentile(other, 5)) / 50, np.percentile(own, 50) + 0.01, 0.02):
        print(f"threshold {t:.2f}: answerable stopped {np.mean(own < t):.3f}  unanswerable stopped {np.mean(other < t):.3f}")


if __name__ == "__main__":
    main()
