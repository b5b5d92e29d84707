"""A plain LlamaIndex pipeline on its defaults, with docqa's model and embedder, on docqa's eval sample.

    pip install llama-index-core llama-index-llms-openai-like      # not a docqa dependency
    python bench/llamaindex_compare.py ../shared/data/xquad-en/xquad.en.json --limit 200 --seed 0 \
        --jsonl /tmp/li_xquad.jsonl
    docqa eval ../shared/data/xquad-en/xquad.en.json --limit 200 --seed 0 --json   # docqa, same questions

Issue 13 compared docqa with "a plain LlamaIndex pipeline on its defaults and the same Qwen 0.5B".
This is that pipeline: every context of the set is a Document; VectorStoreIndex.from_documents with
LlamaIndex's default chunking; `as_query_engine()` with its defaults (top 2 nodes, the compact
response mode and its default QA prompt). Two things are not LlamaIndex's defaults, because its
defaults are OpenAI's: the LLM is docqa's own model served by llama.cpp
(`python -m docqa.models.llama_server`, started here), reached through OpenAILike; the embedder is
docqa's MiniLM, so both pipelines retrieve with the same vectors. The response is scored as docqa's
answers are (docqa.eval.qa.answer_scores: SQuAD EM and F1, gold contained), on the same seeded
sample of questions. One JSON line per question goes to --jsonl as it is answered; the summary is
printed at the end.

Measured (2-core CPU, llama-index-core 0.14.25, Qwen2.5-Coder 0.5B, seed 0): XQuAD-en 200, LlamaIndex F1
0.253, gold contained 0.55 (the gold paragraph among its two nodes for 0.945), against docqa's short answer
F1 0.635, gold contained 0.65 (0.80 with the quote); COVID-QA, the first 75 of the seeded sample (the run
was cut at 25 min), LlamaIndex F1 0.189, contained 0.12, against docqa's 0.384 and 0.227 (0.493).
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from docqa.eval.qa import answer_scores, sample
from docqa.eval.squad import load_squad
from docqa.models.embedder import ENGLISH, make_embedder
from docqa.settings import EmbeddingSettings


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(model: str, port: int) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-m", "docqa.models.llama_server", model, "--port", str(port)])
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as r:
                if r.status == 200:
                    return proc
        except OSError:
            time.sleep(0.5)
    proc.terminate()
    raise SystemExit("llama.cpp server did not start")


def minilm_embedding():
    """docqa's MiniLM as a LlamaIndex embedding model (the same vectors docqa retrieves with)."""
    from llama_index.core.embeddings import BaseEmbedding

    embedder = make_embedder(EmbeddingSettings(model=ENGLISH))

    class MiniLM(BaseEmbedding):
        def _get_text_embedding(self, text: str) -> list[float]:
            return embedder.embed([text])[0].tolist()

        def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
            return embedder.embed(texts).tolist()

        def _get_query_embedding(self, query: str) -> list[float]:
            return embedder.embed_query([query])[0].tolist()

        async def _aget_query_embedding(self, query: str) -> list[float]:
            return self._get_query_embedding(query)

    return MiniLM(model_name=ENGLISH)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dataset", type=Path)
    ap.add_argument("--limit", type=int, default=200)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--model", default="qwen2.5-coder-0.5b")
    ap.add_argument("--jsonl", type=Path, default=None)
    args = ap.parse_args()

    from llama_index.core import Document, Settings, VectorStoreIndex
    from llama_index.llms.openai_like import OpenAILike

    contexts, questions, _ = load_squad(args.dataset)
    chosen = sample(questions, args.limit, args.seed)
    port = free_port()
    server = start_server(args.model, port)
    try:
        Settings.llm = OpenAILike(model=args.model, api_base=f"http://127.0.0.1:{port}/v1", api_key="none",
                                  is_chat_model=True, context_window=4096)
        Settings.embed_model = minilm_embedding()
        docs = [Document(text=c.text, metadata={"context": c.name}) for c in contexts]
        t = time.perf_counter()
        engine = VectorStoreIndex.from_documents(docs).as_query_engine()
        print(f"indexed {len(docs)} contexts in {time.perf_counter() - t:.1f} s", file=sys.stderr)
        out = args.jsonl.open("w", encoding="utf-8") if args.jsonl else None
        rows = []
        for i, q in enumerate(chosen, 1):
            t = time.perf_counter()
            response = engine.query(q.question)
            seconds = time.perf_counter() - t
            text = str(response).strip()
            em, f1, contains = answer_scores(text, list(q.answers))
            gold = contexts[q.context_id].name
            hit = any(n.node.metadata.get("context") == gold for n in response.source_nodes)
            row = {"id": q.id, "question": q.question, "answers": list(q.answers), "response": text,
                   "em": em, "f1": f1, "contains_gold": contains, "gold_in_context": hit, "seconds": round(seconds, 3)}
            rows.append(row)
            if out:
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
                out.flush()
            print(f"{i}/{len(chosen)} f1 {statistics.mean(r['f1'] for r in rows):.3f}", file=sys.stderr)
    finally:
        server.terminate()
        server.wait()
    n = len(rows)
    print(json.dumps({
        "dataset": str(args.dataset), "questions": n, "model": args.model,
        "exact_match": round(sum(r["em"] for r in rows) / n, 3), "f1": round(sum(r["f1"] for r in rows) / n, 3),
        "answer_contains_gold": round(sum(r["contains_gold"] for r in rows) / n, 3),
        "gold_in_context": round(sum(r["gold_in_context"] for r in rows) / n, 3),
        "seconds_p50": round(statistics.median(r["seconds"] for r in rows), 2),
    }, indent=2))


if __name__ == "__main__":
    main()
