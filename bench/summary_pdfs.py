"""Summaries of the shared PDFs: length against --words, unsupported numbers and names, calls, seconds.

Each PDF of the manifest (or those given with --only) is ingested into a fresh index and summarized
from scratch (nothing reused), and one JSON line per document is printed: words asked and written,
within ±tolerance or not, the numbers and names of the summary (and of the model's draft) that the
document never states, generated calls, the largest call, prompt tokens sent in all, and the wall
seconds of the summary (the ingest is not counted). The summary text comes along, to be read.

    # the 18-page DMCA report, default model (time it on an idle machine):
    .venv/bin/python bench/summary_pdfs.py --only reports/us-copyright-office_dmca-summary-1998.pdf
    # the 1.5B model for the reduce steps only:
    .venv/bin/python bench/summary_pdfs.py --only reports/us-copyright-office_dmca-summary-1998.pdf \
        --reduce-model qwen2.5-coder-1.5b
    # every English PDF up to 20 pages, 200 and 120 words:
    .venv/bin/python bench/summary_pdfs.py --max-pages 20 --words 200,120
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from docqa.index import Index
from docqa.settings import load_settings
from docqa.summarize.length import Range, count

PDFS = Path("/work/shared/data/pdfs")


def manifest(root: Path, max_pages: int, only: list[str]) -> list[Path]:
    with open(root / "manifest.tsv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    if only:
        return [root / o for o in only]
    return [root / r["file"] for r in rows if int(r["pages"]) <= max_pages and r["lang"] == "en"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--root", type=Path, default=PDFS)
    ap.add_argument("--only", nargs="*", default=[], help="paths relative to --root")
    ap.add_argument("--max-pages", type=int, default=20)
    ap.add_argument("--words", default="200", help="comma-separated word targets")
    ap.add_argument("--mode", default="tree")
    ap.add_argument("--reduce-model", default=None)
    ap.add_argument("--select", type=float, default=None, help="summarize.select (1 = whole windows, the old way)")
    ap.add_argument("--max-windows", type=int, default=None, help="summarize.max_windows (0 = no bound, the old way)")
    ap.add_argument("--index", type=Path, default=None, help="keep the index here (default: a temporary folder)")
    args = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        overrides = {"index": str(args.index or Path(tmp) / "index"), "summarize": {"reduce_model": args.reduce_model}}
        if args.select is not None:
            overrides["summarize"]["select"] = args.select
        if args.max_windows is not None:
            overrides["summarize"]["max_windows"] = args.max_windows
        settings = load_settings(overrides, environ={})
        with Index.open(settings.index, settings) as idx:
            paths = manifest(args.root, args.max_pages, args.only)
            idx.ingest(paths, wait=True)
            summarizer = idx.summarizer()
            for path in paths:
                doc = idx.store.document(str(path.resolve()))
                if doc is None:
                    print(json.dumps({"file": str(path), "error": "not ingested"}), flush=True)
                    continue
                for words in (int(w) for w in args.words.split(",")):
                    t = time.perf_counter()
                    s = summarizer.document(doc, args.mode, words)
                    row = {
                        "file": str(path.relative_to(args.root)), "words": words, "target": s.words,
                        "written": count(s.text),
                        # Held to the target: what was asked, or half of a short document (length.target_words).
                        "within": Range(s.words, settings.summarize.tolerance).holds(s.text),
                        "draft_words": count(s.draft), "unsupported": s.unsupported, "draft_unsupported": s.draft_unsupported,
                        "calls": s.generated, "kinds": [n.kind for n in s.nodes if not n.cached],
                        "max_request_tokens": s.max_request_tokens,
                        "request_tokens": sum(n.request_tokens for n in s.nodes if not n.cached),
                        "seconds": round(time.perf_counter() - t, 1), "summary": s.text,
                    }
                    rows.append(row)
                    print(json.dumps(row, ensure_ascii=False), flush=True)
    if rows:
        n = len(rows)
        print(json.dumps({
            "summaries": n, "within": sum(r["within"] for r in rows) / n,
            "with_unsupported": sum(bool(r["unsupported"]) for r in rows) / n,
            "draft_with_unsupported": sum(bool(r["draft_unsupported"]) for r in rows) / n,
            "words_ratio": sorted(round(r["written"] / r["target"], 2) for r in rows),
            "targets_lowered": sum(r["target"] < r["words"] for r in rows),
            "calls_p50": statistics.median(r["calls"] for r in rows),
            "seconds_p50": statistics.median(r["seconds"] for r in rows),
        }), file=sys.stderr)


if __name__ == "__main__":
    main()
