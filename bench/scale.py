"""FAISS at 10k / 100k / 1M chunks: build time, memory per vector, query latency, recall@10 vs exact.

    nice -n 10 python bench/scale.py ../shared/data/covidqa/covidqa.json --sizes 10000 100000
    nice -n 10 python bench/scale.py ../shared/data/covidqa/covidqa.json --sizes 1000000 --kinds hnsw

The indexes are built by docqa's own code (``docqa.memory.vectors.build``, the settings' defaults
unless overridden), so the figures are those of ``docqa`` at that size.

Vectors: real-text-like, not random. Real passages (~60-word windows of the file's contexts; all
5,926 of COVID-QA's by default) are embedded with MiniLM; every synthetic chunk is a normalized random convex mixture of
three of them plus a little Gaussian noise. Why: MiniLM embeddings of real text are anisotropic
(they share a common direction and live near a low-dimensional subspace, with topical clusters);
HNSW and IVF exploit exactly that structure. Isotropic random vectors would be the hardest and least
realistic case (all neighbours nearly equidistant), while copies of the real vectors would be too
easy (exact duplicates). Mixtures keep the real covariance and clusters and give every chunk
distinct near neighbours. Queries are the file's real questions, embedded with MiniLM.

Memory: the index's own bytes (``faiss.serialize_index``: vectors, graph links or codes, ids) plus
the IDMap2 reverse hash map (~48 bytes per id in libstdc++, not serialized) — the RAM docqa holds
per chunk. SQLite's rows (text, metadata, FTS5, the vector blob) are on disk, reported apart from a
real index when --store is given.
"""

from __future__ import annotations

import argparse
import gc
import json
import platform
import re
import sys
import time
from pathlib import Path

import docqa.models  # noqa: F401  (OMP_WAIT_POLICY=PASSIVE before libgomp starts, as in docqa)
import faiss
import numpy as np

from docqa.memory.vectors import VectorIndex, build, kind_of
from docqa.settings import VectorSettings

K = 10
REV_MAP_BYTES = 48  # std::unordered_map<int64,int64> node + bucket + malloc overhead, per id
MIX = 3  # real passages per synthetic chunk
NOISE = 0.05  # per-vector noise norm relative to the (unit) mixture


def passages_and_questions(path: Path, n_passages: int, n_queries: int) -> tuple[list[str], list[str]]:
    data = json.loads(path.read_text(encoding="utf-8"))["data"]
    passages, questions = [], []
    for article in data:
        for para in article["paragraphs"]:
            words = re.sub(r"\s+", " ", para["context"]).split(" ")
            passages += [" ".join(words[i:i + 60]) for i in range(0, len(words), 60)]
            questions += [qa["question"] for qa in para["qas"]]
    rng = np.random.default_rng(0)
    pick = rng.choice(len(passages), min(n_passages, len(passages)), replace=False)
    qpick = rng.choice(len(questions), min(n_queries, len(questions)), replace=False)
    return [passages[i] for i in pick], [questions[i] for i in qpick]


def embed(texts: list[str], cache: Path) -> np.ndarray:
    if cache.exists():
        cached = np.load(cache, allow_pickle=False)
        if len(cached) == len(texts):
            return cached
    from docqa.models.embedder import make_embedder
    from docqa.settings import EmbeddingSettings

    vectors = np.asarray(make_embedder(EmbeddingSettings()).embed(texts), dtype=np.float32)
    np.save(cache, vectors, allow_pickle=False)
    return vectors


def synthesize(base: np.ndarray, n: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    out = np.empty((n, base.shape[1]), dtype=np.float32)
    for start in range(0, n, 100_000):
        m = min(100_000, n - start)
        idx = rng.integers(0, len(base), size=(m, MIX))
        w = rng.dirichlet(np.ones(MIX), size=m).astype(np.float32)
        x = np.einsum("mk,mkd->md", w, base[idx])
        x /= np.linalg.norm(x, axis=1, keepdims=True)
        x += rng.standard_normal(x.shape, dtype=np.float32) * (NOISE / np.sqrt(base.shape[1]))
        x /= np.linalg.norm(x, axis=1, keepdims=True)
        out[start:start + m] = x
    return out


def measure(
    kind: str, xb: np.ndarray, xq: np.ndarray, truth: np.ndarray, settings: VectorSettings, sweep: list[int]
) -> list[dict]:
    """Build one index of `kind`, then time docqa's own search on it for each ef_search / nprobe in `sweep`."""
    started = time.perf_counter()
    index = build(kind, xb.shape[1], xb, np.arange(len(xb), dtype=np.int64), settings)
    build_s = time.perf_counter() - started
    index_bytes = faiss.serialize_index(index).nbytes
    knob = {"hnsw": "ef_search", "ivfpq": "nprobe"}.get(kind_of(index))
    rows = []
    # One query at a time, as docqa searches, on one thread: HNSW and IVF search a single query on
    # one thread anyway, and flat's OpenMP split only adds wake-up jitter on a loaded 2-core box.
    threads = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(1)
    for value in (sweep or [getattr(settings, knob)]) if knob else [None]:
        vi = VectorIndex(xb.shape[1], index, settings=settings.model_copy(update={knob: value} if knob else {}))
        latencies, found = [], []
        for q in xq:
            started = time.perf_counter()
            hits = vi.search(q, K)
            latencies.append((time.perf_counter() - started) * 1000)
            found.append({cid for cid, _ in hits})
        rows.append({
            "kind": vi.kind,  # build() falls back to flat when IVF-PQ has too few vectors to train
            "n": len(xb),
            "knob": f"{knob}={value}" if knob else "",
            "build_s": round(build_s, 2),
            "bytes_per_vector": round(index_bytes / len(xb) + REV_MAP_BYTES, 1),
            "p50_ms": round(float(np.percentile(latencies, 50)), 3),
            "p95_ms": round(float(np.percentile(latencies, 95)), 3),
            "recall@10": round(float(np.mean([len(f.intersection(t)) / K for f, t in zip(found, truth)])), 4),
        })
    faiss.omp_set_num_threads(threads)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("dataset", type=Path, help="SQuAD-format JSON (its contexts and questions)")
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--kinds", nargs="+", default=["flat", "hnsw", "ivfpq"], choices=["flat", "hnsw", "ivfpq"])
    # All of them: 1M mixtures of only 3,000 passages crowd every query's neighbourhood with near-ties
    # (recall@10 0.77 where the full set gives 0.84, same graph settings).
    parser.add_argument("--passages", type=int, default=20_000, help="real passages to mix (at most the file's)")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--set", nargs="*", default=[], metavar="FIELD=VALUE", help="VectorSettings overrides, e.g. ef_search=128")
    parser.add_argument("--cache", type=Path, default=Path("/tmp/docqa-scale-base-all.npy"), help="embedded passages (.npy)")
    parser.add_argument("--store", type=Path, help="a docqa index dir: report its SQLite bytes per chunk")
    parser.add_argument("--ef-search", type=int, nargs="*", default=[], help="HNSW: ef_search values to sweep")
    parser.add_argument("--nprobe", type=int, nargs="*", default=[], help="IVF-PQ: nprobe values to sweep")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    settings = VectorSettings(**dict(kv.split("=", 1) for kv in args.set))
    passages, questions = passages_and_questions(args.dataset, args.passages, args.queries)
    started = time.perf_counter()
    base = embed(passages + questions, args.cache)
    xbase, xq = base[: len(passages)], np.ascontiguousarray(base[len(passages):])
    embed_s = time.perf_counter() - started
    rows = []
    for n in args.sizes:
        xb = synthesize(xbase, n)
        started = time.perf_counter()
        _, truth = faiss.knn(xq, xb, K, metric=faiss.METRIC_INNER_PRODUCT)
        exact_s = time.perf_counter() - started
        print(f"# n={n}: exact top-{K} for {len(xq)} queries in {exact_s:.1f} s", file=sys.stderr, flush=True)
        for kind in args.kinds:
            for row in measure(kind, xb, xq, truth, settings, {"hnsw": args.ef_search, "ivfpq": args.nprobe}.get(kind, [])):
                rows.append(row)
                print(json.dumps(row), file=sys.stderr, flush=True)
        del xb
        gc.collect()
    report = {
        "machine": f"{platform.processor() or platform.machine()}, {faiss.omp_get_max_threads()} threads",
        "settings": settings.model_dump(),
        "base_passages": len(passages),
        "queries": len(questions),
        "embed_s": round(embed_s, 1),
        "rows": rows,
    }
    if args.store:
        from docqa.memory.store import DB_NAME, Store

        db = args.store / DB_NAME
        chunks = Store(args.store).counts()[1]
        report["sqlite_bytes_per_chunk"] = round(db.stat().st_size / max(chunks, 1), 1)
    if args.json:
        print(json.dumps(report, indent=2))
        return
    print(f"{report['machine']}; {len(passages)} real passages mixed, {len(questions)} real questions; settings {settings.model_dump()}")
    print(f"{'kind':6} {'n':>9} {'search':>13} {'build s':>8} {'B/vector':>9} {'p50 ms':>8} {'p95 ms':>8} {'recall@10':>9}")
    for r in rows:
        print(f"{r['kind']:6} {r['n']:>9} {r['knob']:>13} {r['build_s']:>8} {r['bytes_per_vector']:>9} "
              f"{r['p50_ms']:>8} {r['p95_ms']:>8} {r['recall@10']:>9}")
    if "sqlite_bytes_per_chunk" in report:
        print(f"SQLite on disk (text, metadata, FTS5, vector blob): {report['sqlite_bytes_per_chunk']} bytes per chunk")


if __name__ == "__main__":
    main()
