"""What an edit costs: summary-tree nodes regenerated after a document changes and is re-ingested.

    python bench/summary_incremental.py FILE [--modes tree,map-reduce,refine] [--model NAME] [--json]

FILE (text or Markdown; e.g. a QMSum meeting written by `docqa eval-summaries`, or a COVID-QA
article from bench/covidqa_to_txt.py) is copied to a temp folder, ingested and summarized cold in
each mode. Then three edits are made one after the other (each on top of the last), each
followed by re-ingest and re-summarize:

  word     one word changed in the middle paragraph
  insert   a new paragraph inserted at 10% of the document (shifts everything after it)
  append   a paragraph added at the end

For each, the calls (nodes generated) and the generation seconds are compared with a cold run.
A run with no cache would regenerate every node: the saving is 1 - generated / cold calls.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from docqa.index import Index  # noqa: E402
from docqa.settings import load_settings  # noqa: E402

NEW_PARAGRAPH = (
    "Editor's note: this paragraph was added after the first summary was written. It mentions the new "
    "harbour ferry timetable, the bakery on Canal Street and the council's decision to repaint the bridge."
)


def change_word(text: str) -> str:
    paras = text.split("\n\n")
    mid = len(paras) // 2
    words = paras[mid].split(" ")
    words[len(words) // 2] = "EDITED"
    return "\n\n".join(paras[:mid] + [" ".join(words)] + paras[mid + 1 :])


def insert_paragraph(text: str) -> str:
    paras = text.split("\n\n")
    at = max(1, len(paras) // 10)
    return "\n\n".join(paras[:at] + [NEW_PARAGRAPH] + paras[at:])


def append_paragraph(text: str) -> str:
    return text.rstrip("\n") + "\n\n" + NEW_PARAGRAPH + "\n"


EDITS = {"word": change_word, "insert": insert_paragraph, "append": append_paragraph}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("file", type=Path)
    ap.add_argument("--modes", default="tree,map-reduce,refine")
    ap.add_argument("--model", default=None)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    original = args.file.read_text(encoding="utf-8")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        doc = Path(tmp) / "docs" / args.file.name
        doc.parent.mkdir()
        overrides = {"index": str(Path(tmp) / "index")}
        if args.model:
            overrides["generation"] = {"model": args.model}
        settings = load_settings(overrides)
        with Index.open(settings.index, settings) as idx:
            for mode in args.modes.split(","):
                doc.write_text(original, encoding="utf-8")
                idx.ingest([doc])
                cold = idx.summarize(doc, mode)
                rows.append({"mode": mode, "edit": "cold", "calls": cold.generated, "nodes": len(cold.nodes),
                             "seconds": round(sum(n.seconds for n in cold.nodes if not n.cached), 1)})
                text = original
                for name, edit in EDITS.items():
                    text = edit(text)
                    doc.write_text(text, encoding="utf-8")
                    idx.ingest([doc])
                    s = idx.summarize(doc, mode)
                    rows.append({"mode": mode, "edit": name, "calls": s.generated, "nodes": len(s.nodes),
                                 "seconds": round(sum(n.seconds for n in s.nodes if not n.cached), 1),
                                 "saving": round(1 - s.generated / len(s.nodes), 3)})
                print(json.dumps(rows[-4:]), file=sys.stderr)
    if args.json:
        print(json.dumps(rows, indent=2))
        return
    print("| mode | edit | nodes in tree | generated | saving vs. no cache | generation s |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['mode']} | {r['edit']} | {r['nodes']} | {r['calls']} | {r.get('saving', 0):.0%} | {r['seconds']} |")


if __name__ == "__main__":
    main()
