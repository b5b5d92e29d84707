"""Content-defined vs position-based summary windows: how many windows an inserted paragraph costs.

    python bench/summary_windows.py [--docs 30] [--chunks 120] [--limit 1600]

Synthetic documents of even-sized chunks (150-180 words, as the chunker makes them) get one
paragraph inserted at a random place. A window whose text is unchanged keeps its cached summary;
every other window is one LLM call more. Position-based greedy packing shifts every window after
the insertion; content-defined cuts (docqa.summarize.windows) re-align at the next cut point.
No model is needed: the token count is a whitespace count.
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from docqa.records import Hit  # noqa: E402
from docqa.summarize import windows as w  # noqa: E402


def document(paragraphs: list[str]) -> tuple[list[Hit], str]:
    text, hits = "", []
    for i, p in enumerate(paragraphs):
        hits.append(Hit(i, 1, "/d.txt", "d", i, p, 1, 1, "", len(text), len(text) + len(p), 0.0))
        text += p + "\n\n"
    return hits, text


def paragraph(rng: random.Random) -> str:
    return " ".join(f"w{rng.randrange(10**6)}" for _ in range(rng.randint(150, 180))) + "."


def measure(cut_every: int, docs: int, chunks: int, limit: int) -> dict:
    w.CUT_EVERY = cut_every
    count = lambda text: len(text.split())  # noqa: E731
    total = regenerated = 0
    for seed in range(docs):
        rng = random.Random(seed)
        paras = [paragraph(rng) for _ in range(chunks)]
        edited = list(paras)
        edited.insert(rng.randrange(chunks), paragraph(rng))
        before = {x.text for x in w.make_windows(*document(paras), limit, count)}
        after = [x.text for x in w.make_windows(*document(edited), limit, count)]
        total += len(before)
        regenerated += sum(t not in before for t in after)
    return {"windows_per_doc": total / docs, "regenerated_per_edit": regenerated / docs}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=30)
    ap.add_argument("--chunks", type=int, default=120)
    ap.add_argument("--limit", type=int, default=1600)
    args = ap.parse_args()
    default = w.CUT_EVERY
    print("| windows | cut every | windows per document | windows regenerated per inserted paragraph |")
    print("|---|---|---|---|")
    for name, every in (("position-based (greedy)", 10**9), ("content-defined (default)", default)):
        r = measure(every, args.docs, args.chunks, args.limit)
        print(f"| {name} | {every if every < 10**9 else '-'} | {r['windows_per_doc']:.1f} | {r['regenerated_per_edit']:.1f} |")


if __name__ == "__main__":
    main()
