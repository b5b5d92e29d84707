"""Re-ranking cost by token-state batch size: the question's candidates encoded as one padded batch,
or sorted by length in smaller batches.

    python bench/rerank_batch.py ../shared/data/xquad-en/xquad.en.json --index IDX --questions 30 --batches 32 8 4

Each question's 16 candidates are encoded at each batch size in turn (interleaved, so load drifts
hit all sizes alike); prints p50/mean seconds per question for each size. Run on a quiet machine.
"""

import argparse
import statistics
import time
from pathlib import Path

from docqa.eval.qa import sample
from docqa.eval.squad import load_squad
from docqa.index import Index
from docqa.settings import load_settings


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dataset", type=Path)
    ap.add_argument("--index", type=Path, required=True)
    ap.add_argument("--questions", type=int, default=30)
    ap.add_argument("--batches", type=int, nargs="+", default=[32, 8, 4])
    args = ap.parse_args()
    settings = load_settings({"index": str(args.index)})
    questions = sample(load_squad(args.dataset)[1], args.questions, 0)
    times: dict[int, list[float]] = {b: [] for b in args.batches}
    with Index.open(args.index, settings, create=False) as idx:
        embedder = idx.embedder
        embedder.token_states(["warm up"])
        for q in questions:
            texts = [h.text for h in idx.search(q.question, k=settings.answer.candidates)]
            for b in args.batches:
                embedder.STATE_BATCH = b
                t = time.perf_counter()
                embedder.token_states(texts)
                times[b].append(time.perf_counter() - t)
    print("| batch | p50 s | mean s |\n|---:|---:|---:|")
    for b, ts in times.items():
        print(f"| {b} | {statistics.median(ts):.3f} | {statistics.mean(ts):.3f} |")


if __name__ == "__main__":
    main()
