"""Retrieval quality on a SQuAD-format file: hit@1 / hit@5 for dense, keyword (BM25) and hybrid.

    python bench/retrieval.py ../shared/data/xquad-en/xquad.en.json
    python bench/retrieval.py ../shared/data/covidqa/covidqa.json [--limit 200 --seed 0] [--json]

The file's contexts become documents (one .txt each) ingested through the normal pipeline, then
every question is searched in each mode with k=5.

- unit=paragraph (auto when articles have several paragraphs, e.g. XQuAD): each paragraph is a
  document; a hit when the gold paragraph's document is among the top-1 / top-5 chunks.
- unit=article (auto when each article is one long context, e.g. COVID-QA): each article is a
  document; a hit when a top-1 / top-5 chunk's text contains a gold answer (case-insensitive,
  whitespace-normalised). The gold article among the top-k chunks' documents is shown as doc@k.

With --index DIR the index (and the written documents, in DIR-docs) are kept and reused: files
already ingested with the same bytes are skipped. Without it both live in a temp dir under /tmp.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

from docqa.eval.squad import answer_hit, doc_hit, load_squad, write_contexts

MODES = ("dense", "keyword", "hybrid")
K = 5


def run(path: Path, limit: int | None, seed: int, index_dir: Path | None, unit: str) -> dict:
    from docqa.index import Index
    from docqa.settings import load_settings

    contexts, questions, unit = load_squad(path, unit)
    n_all = len(questions)
    if unit == "article":
        questions = [q for q in questions if q.answers]  # an answer-containment hit needs an answer
    if limit is not None and limit < len(questions):
        questions = random.Random(seed).sample(questions, limit)

    tmp = None
    if index_dir is None:
        tmp = Path(tempfile.mkdtemp(prefix="docqa-bench-retrieval-", dir="/tmp"))
        index_dir, docs_dir = tmp / "index", tmp / "docs"
    else:
        docs_dir = index_dir.with_name(index_dir.name + "-docs")
    try:
        files = write_contexts(contexts, docs_dir)
        path_of = {cid: p for p, cid in files.items()}
        settings = load_settings({"index": str(index_dir)})
        with Index.open(index_dir, settings) as idx:
            idx.embedder.embed(["warm up"])
            report = idx.ingest([docs_dir])
            n_docs, n_chunks = idx.store.counts()
            ceiling = None
            if unit == "article":
                # Upper bound for answer hits: a chunk of the gold document holds the whole answer
                # (long answers cut by a chunk boundary can never be hit).
                by_path: dict[str, list[str]] = {}
                for p, text in idx.store.conn.execute(
                    "SELECT d.path, c.text FROM chunks c JOIN documents d ON d.id = c.doc_id"
                ):
                    by_path.setdefault(p, []).append(text)
                fits = sum(answer_hit(by_path.get(path_of[q.context_id], []), q.answers, 10**9) for q in questions)
                ceiling = round(fits / (len(questions) or 1), 4)
            load_before = os.getloadavg()[0]
            results: dict[str, dict] = {}
            for mode in MODES:
                idx.search("warm up", K, mode=mode)
                h1 = h5 = d1 = d5 = 0
                t = time.perf_counter()
                for q in questions:
                    hits = idx.search(q.question, K, mode=mode)
                    paths = [h.path for h in hits]
                    gold = path_of[q.context_id]
                    if unit == "paragraph":
                        h1 += doc_hit(paths, gold, 1)
                        h5 += doc_hit(paths, gold, K)
                    else:
                        texts = [h.text for h in hits]
                        h1 += answer_hit(texts, q.answers, 1)
                        h5 += answer_hit(texts, q.answers, K)
                        d1 += doc_hit(paths, gold, 1)
                        d5 += doc_hit(paths, gold, K)
                seconds = time.perf_counter() - t
                n = len(questions) or 1
                results[mode] = {
                    "hit@1": round(h1 / n, 4),
                    "hit@5": round(h5 / n, 4),
                    "s_per_query": round(seconds / n, 4),
                }
                if unit == "article":
                    results[mode]["doc@1"] = round(d1 / n, 4)
                    results[mode]["doc@5"] = round(d5 / n, 4)
            load_after = os.getloadavg()[0]
            emb = idx.embedder
            setup = {
                "model": settings.embedding.model,
                "device": emb.device,
                "dtype": str(emb.dtype).replace("torch.", ""),
                "chunk_tokens": settings.ingest.chunk_tokens,
                "overlap_tokens": settings.ingest.overlap_tokens,
                "dense_k": settings.retrieval.dense_k,
                "keyword_k": settings.retrieval.keyword_k,
                "rrf_k": settings.retrieval.rrf_k,
            }
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)

    return {
        "file": str(path),
        "unit": unit,
        "hit": "gold document in top k" if unit == "paragraph" else "a top-k chunk contains a gold answer",
        "documents": n_docs,
        "chunks": n_chunks,
        "questions": len(questions),
        "questions_in_file": n_all,
        "limit": limit,
        "seed": seed,
        "ingest": {
            "ingested": len(report.ingested),
            "unchanged": len(report.unchanged),
            "failed": [list(f) for f in report.failed],
            "seconds": round(report.seconds, 2),
        },
        "settings": setup,
        "answer_in_a_gold_chunk": ceiling,
        "loadavg_1min": {"before_queries": round(load_before, 2), "at_end": round(load_after, 2), "cores": os.cpu_count()},
        "modes": results,
    }


def render(r: dict) -> str:
    s = r["settings"]
    lines = [
        f"retrieval bench: {r['file']}",
        f"unit {r['unit']} ({r['hit']}); {r['documents']} documents, {r['chunks']} chunks; "
        f"{r['questions']} questions" + (f" (sample of {r['questions_in_file']}, seed {r['seed']})" if r["limit"] else ""),
        f"model {s['model']} {s['device']} {s['dtype']}; chunks {s['chunk_tokens']}/{s['overlap_tokens']} tokens; "
        f"dense_k {s['dense_k']}, keyword_k {s['keyword_k']}, rrf_k {s['rrf_k']}",
        f"ingest: {r['ingest']['ingested']} ingested, {r['ingest']['unchanged']} unchanged, "
        f"{len(r['ingest']['failed'])} failed, {r['ingest']['seconds']} s",
        "",
    ]
    cols = ["hit@1", "hit@5"] + (["doc@1", "doc@5"] if r["unit"] == "article" else []) + ["s/query"]
    lines.append(f"{'mode':<8} " + " ".join(f"{c:>8}" for c in cols))
    for mode, m in r["modes"].items():
        vals = [f"{m[c]:8.3f}" for c in cols[:-1]] + [f"{m['s_per_query']:8.4f}"]
        lines.append(f"{mode:<8} " + " ".join(vals))
    if r["answer_in_a_gold_chunk"] is not None:
        lines.append(f"ceiling: {r['answer_in_a_gold_chunk']:.3f} of questions have a gold-document chunk holding a whole answer")
    la = r["loadavg_1min"]
    lines.append(f"load avg {la['before_queries']} before queries, {la['at_end']} at end ({la['cores']} cores; higher: "
                 "other processes shared the CPU, s/query is then inflated)")
    for p, reason in r["ingest"]["failed"]:
        lines.append(f"FAILED {p}: {reason}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Retrieval hit@1/hit@5 per mode on a SQuAD-format file.")
    ap.add_argument("file", type=Path, help="SQuAD-format JSON")
    ap.add_argument("--limit", type=int, default=None, help="evaluate a random sample of N questions")
    ap.add_argument("--seed", type=int, default=0, help="seed of the --limit sample")
    ap.add_argument("--index", type=Path, default=None, help="keep and reuse the index here (documents in INDEX-docs)")
    ap.add_argument("--unit", choices=["auto", "paragraph", "article"], default="auto")
    ap.add_argument("--json", action="store_true", help="print JSON instead of the table")
    args = ap.parse_args(argv)
    result = run(args.file, args.limit, args.seed, args.index, args.unit)
    print(json.dumps(result, indent=2, ensure_ascii=False) if args.json else render(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
