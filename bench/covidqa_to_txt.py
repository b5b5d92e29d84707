"""Write the articles of a SQuAD-format file (COVID-QA) as one .txt file per article.

    python bench/covidqa_to_txt.py ../shared/data/covidqa/covidqa.json /tmp/covidqa_txt

Files are named ``<index>_<title or document_id>.txt`` and hold the article's context(s), joined
by a blank line. Files whose bytes are already right are left untouched (same hash on re-ingest).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from docqa.eval.squad import load_squad, write_contexts


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("src", type=Path, help="SQuAD-format JSON (data[i].paragraphs[j].context)")
    ap.add_argument("outdir", type=Path)
    args = ap.parse_args(argv)
    contexts, questions, _ = load_squad(args.src, unit="article")
    files = write_contexts(contexts, args.outdir)
    chars = sum(len(c.text) for c in contexts)
    print(f"{len(files)} articles ({chars:,} chars, {len(questions)} questions) -> {args.outdir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
