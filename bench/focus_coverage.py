"""Does a focus summary read the part of the meeting its topic is about? No LLM runs.

QMSum marks, for each specific query, the turns of the meeting that answer it (relevant_text_span).
For the seeded specific queries of `docqa eval-summaries` (same sample, same seed), this builds the
focus working set exactly as `docqa summarize --focus` does (summarize.focus.gathered) and reports:
- span recall: the share of the marked turns' characters that the working set holds;
- span precision: the share of the working set's characters inside marked turns;
- reference recall: ROUGE-1 recall of the working set's text against the reference summary (what the
  model could copy from);
- the working set's tokens and passages.
Settings come from DOCQA_* variables, so a variant is measured as
`DOCQA_SUMMARIZE__BUDGET=3000 python bench/focus_coverage.py ...`.

    .venv/bin/python bench/focus_coverage.py /work/shared/data/qmsum/test.jsonl --index /tmp/ix --specific 60
"""

from __future__ import annotations

import argparse
import json
import statistics
from pathlib import Path

from docqa.eval.qmsum import load_qmsum, require_rouge, sample, write_meetings
from docqa.index import Index
from docqa.settings import load_settings
from docqa.summarize.focus import gathered


def marked_spans(data: str) -> dict[tuple[str, str], list[tuple[int, int]]]:
    """(meeting name as load_qmsum names it, query) -> its marked turns, inclusive turn ranges."""
    out = {}
    for i, line in enumerate(Path(data).read_text(encoding="utf-8").splitlines()):
        if line.strip():
            for q in json.loads(line)["specific_query_list"]:
                out[(f"meeting_{i:03d}", q["query"])] = [(int(a), int(b)) for a, b in q["relevant_text_span"]]
    return out


def turn_offsets(text: str) -> list[tuple[int, int]]:
    """Each turn's (start, end) in the stored text: turns are paragraphs, one per speaker turn."""
    out, at = [], 0
    for turn in text.split("\n\n"):
        out.append((at, at + len(turn)))
        at += len(turn) + 2
    return out


def merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The spans' union as disjoint spans (passages of overlapping chunks share characters)."""
    out: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def overlap(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> int:
    return sum(max(0, min(e1, e2) - max(s1, s2)) for s1, e1 in merged(a) for s2, e2 in merged(b))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("data")
    ap.add_argument("--index", required=True, help="an index the meetings are (or will be) ingested into")
    ap.add_argument("--specific", type=int, default=60)
    ap.add_argument("--words", type=int, default=60)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    settings = load_settings()
    with Index.open(args.index, settings) as index:
        rows = measure(index, settings, args)
    summary = {k: round(statistics.mean(r[k] for r in rows), 3)
               for k in ("span_recall", "span_precision", "reference_recall", "tokens", "passages")}
    summary["any_span_read"] = round(sum(r["span_recall"] > 0 for r in rows) / len(rows), 3)
    summary["n"] = len(rows)
    if args.json:
        print(json.dumps({"summary": summary, "rows": rows}, indent=1))
    else:
        print(" ".join(f"{k}={v}" for k, v in summary.items()))


def measure(index, settings, args) -> list[dict]:
    scorer = require_rouge().RougeScorer(["rouge1"], use_stemmer=True)
    chosen, queries = sample(load_qmsum(args.data), None, args.specific, args.seed)
    paths = write_meetings(chosen, index.directory / "qmsum_meetings")
    index.ingest(list(paths.values()), wait=True)
    spans = marked_spans(args.data)
    generator = index.generator()
    rows = []
    for m, q, reference in queries:
        doc = index.store.document(str(paths[m.name].resolve()))
        text = index.store.document_text(doc.id)
        turns = turn_offsets(text)
        gold = [(turns[a][0], turns[min(b, len(turns) - 1)][1]) for a, b in spans[(m.name, q)] if a < len(turns)]
        _, _, ws, why = gathered(index, generator, q, settings, args.words, [doc.id])
        read = [(p.start, p.end) for p in ws.passages] if ws else []
        both = overlap(gold, read)
        rows.append({
            "meeting": m.name, "query": q, "abstained": why,
            "span_recall": both / max(1, sum(e - s for s, e in merged(gold))),
            "span_precision": both / max(1, sum(e - s for s, e in merged(read))),
            "reference_recall": scorer.score(reference, " ".join(p.text for p in ws.passages) if ws else "")["rouge1"].recall,
            "tokens": ws.tokens if ws else 0, "passages": len(read),
        })
    return rows


if __name__ == "__main__":
    main()
