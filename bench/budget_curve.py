"""Working-set hit against prompt tokens: how much budget the evidence needs.

    python bench/budget_curve.py ../shared/data/xquad-en/xquad.en.json --index /tmp/ev/xquad \
        --budgets 400 500 600 700 800 1000 1200 --candidates 40 20 12 [--limit 200]

For each (candidates, budget) the seeded sample goes through retrieval, attention and the working
set (no LLM answer): working-set hit (a gold answer inside the evidence the model would read),
hit@5, and the mean request tokens (template, evidence, question and answer room). Each question's
token states are encoded once, fresh, and shared by its settings; the re-rank time of the first
setting of each candidate count is the latency a new question sees.
"""

import argparse
import statistics
import sys
from pathlib import Path

from docqa.answer import ask
from docqa.eval.squad import load_squad, write_contexts
from docqa.index import Index
from docqa.eval.qa import sample, score
from docqa.settings import load_settings


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dataset", type=Path)
    ap.add_argument("--index", type=Path, required=True, help="index dir (reused; the contexts are ingested once)")
    ap.add_argument("--budgets", type=int, nargs="+", default=[400, 500, 600, 700, 800, 1000, 1200])
    ap.add_argument("--candidates", type=int, nargs="+", default=[40])
    ap.add_argument("--limit", type=int, default=200)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    contexts, questions, _ = load_squad(args.dataset)
    chosen = sample(questions, args.limit, args.seed)
    grid = [(k, b) for k in args.candidates for b in args.budgets]
    results: dict[tuple[int, int], list] = {g: [] for g in grid}
    rerank: dict[int, list[float]] = {k: [] for k in args.candidates}
    with Index.open(args.index, load_settings({"index": str(args.index)})) as idx:
        folder = args.index / "eval-contexts" / args.dataset.stem
        write_contexts(contexts, folder)
        idx.ingest([folder])
        generator = idx.generator()
        for i, q in enumerate(chosen, start=1):
            print(f"question {i}/{len(chosen)}", file=sys.stderr, flush=True)
            idx.token_cache.clear()
            for k, budget in grid:
                a = idx.settings.answer.model_copy(update={"budget": budget, "candidates": k})
                ans = ask(q.question, idx, generator, a, generate=False)
                results[(k, budget)].append(score(q, ans, 0.0))
                if budget == args.budgets[0]:
                    rerank[k].append(ans.timings["rerank_s"])
    print(f"{args.dataset.name}, {len(chosen)} questions (seed {args.seed})\n")
    print("| candidates | budget | ws hit | hit@5 | request tokens (mean) | re-rank p50 s |")
    print("|---:|---:|---:|---:|---:|---:|")
    for k, budget in grid:
        rs = results[(k, budget)]
        n = len(rs)
        print(f"| {k} | {budget} | {sum(r.ws_hit for r in rs) / n:.3f} | {sum(r.hit_at_5 for r in rs) / n:.3f} "
              f"| {sum(r.ws_tokens for r in rs) / n:.0f} | {statistics.median(rerank[k]):.3f} |")


if __name__ == "__main__":
    main()
