"""Where the answer sits among the sentences attention ranks, and what a margin would let in (no LLM).

    python bench/sentence_rank.py ../shared/data/xquad-en/xquad.en.json --index IDX --questions 200 \
        [--margins 0.05 0.1 0.15 0.2]

For each seeded question: the sentence-level attention scores inside the candidates (as `ask` computes
them), and the rank of the first sentence that holds a gold answer. Prints the share of questions
whose gold sits in the top k sentences, and for each margin the share held by the sentences scoring
within it of the best one, with how many sentences and words that is (`answer.margin` was chosen
from this and from `docqa eval` runs).
"""

import argparse
from pathlib import Path

from docqa import answer as pipeline
from docqa.eval.qa import sample
from docqa.eval.squad import contains_answer, load_squad
from docqa.index import Index
from docqa.settings import load_settings


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dataset", type=Path)
    ap.add_argument("--index", type=Path, required=True)
    ap.add_argument("--questions", type=int, default=200)
    ap.add_argument("--margins", type=float, nargs="+", default=[0.05, 0.1, 0.15, 0.2])
    args = ap.parse_args()
    settings = load_settings({"index": str(args.index)})
    questions = sample(load_squad(args.dataset)[1], args.questions, 0)
    ranked: list[tuple[list[float], list[int], list[int]]] = []  # scores, gold positions, words per sentence
    with Index.open(args.index, settings, create=False) as idx:
        doc_text = pipeline.document_texts(idx)
        for q in questions:
            idx.token_cache.clear()
            hits = idx.search(q.question, k=settings.answer.candidates)
            candidates = pipeline.rerank(q.question, hits, idx, settings.answer)
            scored = sorted(pipeline.score_sentences(q.question, candidates, idx, settings.answer), key=lambda s: -s.score)
            texts = [doc_text(s.candidate.hit.doc_id)[s.start : s.end] for s in scored]
            golds = [i for i, t in enumerate(texts) if contains_answer(t, q.answers)]
            ranked.append(([s.score for s in scored], golds, [len(t.split()) for t in texts]))
    n = len(ranked) or 1
    print(f"{args.dataset.name}: {len(ranked)} questions; gold in no sentence: {sum(not g for _, g, _ in ranked) / n:.3f}")
    print("| top k | gold held | words |\n|---:|---:|---:|")
    for k in (1, 2, 3, 5, 8, 12):
        held = sum(any(i < k for i in g) for _, g, _ in ranked) / n
        print(f"| {k} | {held:.3f} | {sum(sum(w[:k]) for _, _, w in ranked) / n:.0f} |")
    print("\n| margin | gold held | sentences | words |\n|---:|---:|---:|---:|")
    for m in args.margins:
        inside = [[i for i, sc in enumerate(s) if sc >= s[0] - m] if s else [] for s, _, _ in ranked]
        held = sum(bool(set(g) & set(ins)) for (_, g, _), ins in zip(ranked, inside)) / n
        sentences = sum(len(ins) for ins in inside) / n
        words = sum(sum(w[i] for i in ins) for (_, _, w), ins in zip(ranked, inside)) / n
        print(f"| {m} | {held:.3f} | {sentences:.1f} | {words:.0f} |")


if __name__ == "__main__":
    main()
