"""Which sentences should a map call read? Centrality scorers measured against QMSum references.

Each meeting is cut into windows of --window words (speaker turns kept whole); each window is cut
to --keep of its words by docqa.summarize.salience with each scorer, and the kept text of the
whole meeting is scored with ROUGE recall against the meeting's general-query reference: the
scorer whose selection holds more of what the reference says gives the map calls better material.
No LLM runs, so every meeting can be used; "all" (nothing cut) is the ceiling, "lead" (each
window's first sentences) the baseline a centroid has to beat.

    .venv/bin/python bench/summary_salience.py /work/shared/data/qmsum/test.jsonl --meetings 12
"""

from __future__ import annotations

import argparse
import json
import random
import statistics

from docqa.eval.qmsum import load_qmsum, require_rouge
from docqa.models.embedder import make_embedder
from docqa.settings import EmbeddingSettings
from docqa.summarize import salience


def words(text: str) -> int:
    return len(text.split())


def windows(text: str, size: int) -> list[str]:
    out, current = [], []
    for turn in text.split("\n\n"):
        if current and words("\n\n".join(current + [turn])) > size:
            out.append("\n\n".join(current))
            current = []
        current.append(turn)
    if current:
        out.append("\n\n".join(current))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("data")
    ap.add_argument("--meetings", type=int, default=12, help="seeded sample; 0 = all")
    ap.add_argument("--window", type=int, default=2000, help="words per window before selection")
    ap.add_argument("--keep", type=float, default=0.5, help="share of each window's words kept")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    scorer = require_rouge().RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True)
    meetings = load_qmsum(args.data)
    if args.meetings:
        meetings = random.Random(args.seed).sample(meetings, min(args.meetings, len(meetings)))
    embedder = make_embedder(EmbeddingSettings())
    limit = int(args.window * args.keep)
    results: dict[str, list[dict[str, float]]] = {}
    for m in meetings:
        texts = windows(m.text, args.window)
        reference = " ".join(a for _, a in m.general)
        kept = {"all": texts}
        for name in salience.SCORERS:
            kept[name] = salience.salient_texts(texts, embedder.embed, limit, words, name, neighbours=1)
        for name, parts in kept.items():
            scores = scorer.score(reference, " ".join(parts))
            results.setdefault(name, []).append({k: v.recall for k, v in scores.items()})
    table = {name: {k: round(100 * statistics.fmean(r[k] for r in rs), 2) for k in ("rouge1", "rouge2", "rougeL")}
             for name, rs in results.items()}
    if args.json:
        print(json.dumps({"meetings": len(meetings), "window": args.window, "keep": args.keep, "recall": table}, indent=2))
        return
    print(f"{len(meetings)} meetings, windows of {args.window} words cut to {args.keep:.0%}: ROUGE recall x100")
    for name, row in table.items():
        print(f"  {name:9} R-1 {row['rouge1']:6.2f}  R-2 {row['rouge2']:6.2f}  R-L {row['rougeL']:6.2f}")


if __name__ == "__main__":
    main()
