"""Retrieval on meetings: QMSum's specific queries against the turns annotated as relevant to them.

    python bench/qmsum_retrieval.py ../shared/data/qmsum/test.jsonl --index DIR [--json]
    DOCQA_RETRIEVAL__KEYWORD_WEIGHT=2 python bench/qmsum_retrieval.py ../shared/data/qmsum/test.jsonl --index DIR

QMSum marks, for each specific query, the transcript turns its reference summary was written from
(`relevant_text_span`). The meetings are ingested as `docqa eval-summaries` writes them (one turn per
paragraph, docqa/eval/qmsum.py), and each query is searched within its own meeting, as `summarize
--focus` restricted to that meeting reads it. A chunk is relevant when it overlaps a relevant turn.
Reported for the hybrid ranking (retrieval settings), after attention re-ranking (answer settings),
and for the sentences of the competing chunks as the working set ranks them (sentence attention, with
`answer.lexical_weight`): hit@1, hit@5, precision@5 (the share of the first five that are relevant) and
MRR@10. A sentence is relevant when it overlaps a relevant turn.

A domain none of docqa's retrieval settings were chosen on (they were measured on COVID-QA and XQuAD),
so it shows whether a setting carries over. Settings come from DOCQA_* as for any command.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from docqa.eval.qmsum import load_qmsum, write_meetings

K = 10


def turn_ranges(text: str) -> list[tuple[int, int]]:
    """Each turn's character range in a meeting as written: turns are paragraphs ("\\n\\n" between)."""
    ranges, start = [], 0
    for turn in text.rstrip("\n").split("\n\n"):
        ranges.append((start, start + len(turn)))
        start += len(turn) + 2
    return ranges


def relevant_ranges(spans: list[list[str]], turns: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The character ranges of the annotated turn spans ([first, last], inclusive turn indices)."""
    out = []
    for first, last in spans:
        a, b = int(first), min(int(last), len(turns) - 1)
        if 0 <= a <= b:
            out.append((turns[a][0], turns[b][1]))
    return out


def scores(ranked: list[bool]) -> dict[str, float]:
    first = next((i for i, r in enumerate(ranked[:K]) if r), None)
    return {
        "hit@1": float(any(ranked[:1])),
        "hit@5": float(any(ranked[:5])),
        "precision@5": sum(ranked[:5]) / 5,
        "mrr@10": 0.0 if first is None else 1 / (first + 1),
    }


def run(path: Path, index_dir: Path) -> dict:
    from docqa.answer import document_texts, rerank, score_sentences
    from docqa.index import Index
    from docqa.settings import load_settings

    meetings = load_qmsum(path)
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    folder = index_dir.with_name(index_dir.name + "-meetings")
    files = write_meetings(meetings, folder)
    settings = load_settings({"index": str(index_dir)})
    totals: dict[str, dict[str, float]] = {"hybrid": {}, "attention": {}, "sentences": {}}
    n = 0
    with Index.open(index_dir, settings) as idx:
        idx.ingest([folder])
        doc_of = {Path(d.path).name: d.id for d in idx.documents()}
        for meeting, row in zip(meetings, rows):
            turns = turn_ranges(meeting.text)
            doc_id = doc_of[files[meeting.name].name]
            if idx.store.document_text(doc_id) != meeting.text:
                raise SystemExit(f"{meeting.name}: the stored text is not the meeting as written; turn offsets would not hold")
            for q in row["specific_query_list"]:
                relevant = relevant_ranges(q.get("relevant_text_span") or [], turns)
                if not relevant:
                    continue
                hits = idx.search(q["query"], k=settings.answer.candidates, doc_ids=[doc_id])

                def is_relevant(h) -> bool:
                    return any(h.start < b and a < h.end for a, b in relevant)

                candidates = rerank(q["query"], hits, idx, settings.answer)
                attended = [c.hit for c in candidates]
                read = sorted(score_sentences(q["query"], candidates, idx, settings.answer, document_texts(idx)),
                              key=lambda s: -s.score)
                for name, ranking in (("hybrid", hits), ("attention", attended), ("sentences", read)):
                    for metric, value in scores([is_relevant(h) for h in ranking]).items():
                        totals[name][metric] = totals[name].get(metric, 0.0) + value
                n += 1
    return {
        "queries": n,
        "keyword_weight": settings.retrieval.keyword_weight,
        "candidates": settings.answer.candidates,
        "lexical_weight": settings.answer.lexical_weight,
        **{name: {m: round(v / n, 4) for m, v in t.items()} for name, t in totals.items()},
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("qmsum", type=Path)
    ap.add_argument("--index", type=Path, required=True, help="index folder (built on first use, then reused)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    report = run(args.qmsum, args.index)
    if args.json:
        print(json.dumps(report))
        return
    print(f"{report['queries']} queries, keyword weight {report['keyword_weight']}, {report['candidates']} candidates, "
          f"lexical weight {report['lexical_weight']}")
    for name in ("hybrid", "attention", "sentences"):
        print(f"  {name:9s} " + "  ".join(f"{m} {v:.3f}" for m, v in report[name].items()))


if __name__ == "__main__":
    sys.exit(main())
