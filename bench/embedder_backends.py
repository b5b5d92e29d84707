"""MiniLM in plain torch (BertEmbedder) against sentence-transformers: cold start and throughput.

    python bench/embedder_backends.py --runs 3 --passages 256

Cold start: a fresh interpreter imports the embedder module, loads the model and embeds one query
(what a cold `docqa ask` pays before it searches), timed inside the child, median of --runs.
Throughput: passages of ~150 words from sample_docs' English files, embedded (ingest) and encoded
to token states (re-ranking), both backends in turn per round so load drifts hit them alike.
Prints a markdown table. Run on a quiet machine.
"""

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BACKENDS = ("BertEmbedder", "SentenceTransformerEmbedder")

CHILD = """
import json, sys, time
t0 = time.perf_counter()
from docqa.models import embedder
from docqa.settings import EmbeddingSettings
emb = getattr(embedder, sys.argv[1])(EmbeddingSettings(model=embedder.ENGLISH))
t1 = time.perf_counter()
emb.embed_query(["how much did the county spend on rural school grants?"])
t2 = time.perf_counter()
print(json.dumps({"load": t1 - t0, "query": t2 - t1}))
"""


def cold_start(backend: str) -> dict[str, float]:
    out = subprocess.run([sys.executable, "-c", CHILD, backend], capture_output=True, text=True, check=True, cwd=REPO)
    return json.loads(out.stdout.strip().splitlines()[-1])


def passages(n: int, words: int = 150) -> list[str]:
    text = " ".join(p.read_text(encoding="utf-8") for p in sorted((REPO / "sample_docs").glob("*")) if p.suffix in (".txt", ".md")
                    and not p.stem.endswith("_zh") and "latin1" not in p.stem).split()
    cuts = [" ".join(text[i : i + words]) for i in range(0, len(text) - words, words)]
    return cuts[:n]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--passages", type=int, default=256)
    args = ap.parse_args()

    cold: dict[str, list[dict[str, float]]] = {b: [] for b in BACKENDS}
    for _ in range(args.runs):
        for b in BACKENDS:
            cold[b].append(cold_start(b))

    from docqa.models import embedder
    from docqa.settings import EmbeddingSettings

    texts = passages(args.passages)
    models = {b: getattr(embedder, b)(EmbeddingSettings(model=embedder.ENGLISH)) for b in BACKENDS}
    speed: dict[str, dict[str, list[float]]] = {b: {"embed": [], "states": []} for b in BACKENDS}
    for _ in range(args.runs):
        for b, m in models.items():
            for kind, call in (("embed", m.embed), ("states", m.token_states)):
                t = time.perf_counter()
                call(texts)
                speed[b][kind].append(len(texts) / (time.perf_counter() - t))

    dtype = str(models[BACKENDS[0]].dtype).replace("torch.", "")
    print(f"{len(texts)} passages of ~150 words, {dtype}, median of {args.runs}\n")
    print("| backend | cold load s | first query s | embed passages/s | token states passages/s |")
    print("|---|---:|---:|---:|---:|")
    for b in BACKENDS:
        load = statistics.median(r["load"] for r in cold[b])
        query = statistics.median(r["query"] for r in cold[b])
        embed, states = (statistics.median(speed[b][k]) for k in ("embed", "states"))
        print(f"| {b} | {load:.2f} | {query:.3f} | {embed:.1f} | {states:.1f} |")


if __name__ == "__main__":
    main()
