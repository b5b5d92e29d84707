"""The two stores on one corpus: SQLite + FAISS (embedded) against PostgreSQL + pgvector (server).

    python bench/store_backends.py ../shared/data/covidqa/covidqa.json --index /tmp/cq_index --questions 300

`--index` is an embedded index that already holds the data set (what `docqa eval --index` builds).
It is copied with `docqa.memory.migrate` (no re-embedding) into a fresh database on a local
PostgreSQL 16 + pgvector (the pgserver wheel, Unix socket), then the same questions are searched on
both: hybrid and dense-only, top-10. Reported: migration time, search latency p50/p95 (one query at a
time, through `Index.search`, so the query embedding is included), answer-hit@1/5/10 (a retrieved
chunk contains a gold answer), the overlap of the two top-10 lists, and storage per chunk.

Dense search should agree almost exactly (same vectors; HNSW in both at scale, exact flat below
`vectors.flat_max` for FAISS); hybrid differs where the keyword rankers differ (FTS5's BM25 against
PostgreSQL's ts_rank_cd).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time
from pathlib import Path

import numpy as np

from docqa.eval.squad import answer_hit, load_squad
from docqa.index import Index
from docqa.memory.migrate import migrate
from docqa.eval.qa import sample
from docqa.settings import load_settings

K = 10


def run(index: Index, questions, mode: str) -> tuple[list[list[int]], list[float], dict[int, float]]:
    ids, ms, hits = [], [], {1: 0.0, 5: 0.0, 10: 0.0}
    for q in questions:
        started = time.perf_counter()
        found = index.search(q.question, k=K, mode=mode)
        ms.append((time.perf_counter() - started) * 1000)
        ids.append([h.chunk_id for h in found])
        for k in hits:
            hits[k] += answer_hit([h.text for h in found], q.answers, k) / len(questions)
    return ids, ms, hits


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("dataset", type=Path)
    parser.add_argument("--index", type=Path, required=True, help="an embedded index holding the data set")
    parser.add_argument("--questions", type=int, default=300)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    import pgserver
    import psycopg

    _, questions, _ = load_squad(args.dataset)
    questions = sample([q for q in questions if q.answers], args.questions, args.seed)
    settings = load_settings({"index": str(args.index)})
    pgdir = Path(tempfile.mkdtemp(prefix="docqa-pg-"))
    server = pgserver.get_server(pgdir, cleanup_mode="delete")
    with psycopg.connect(server.get_uri(), autocommit=True) as conn:
        conn.execute("CREATE DATABASE bench")
    url = server.get_uri().replace("/postgres?", "/bench?")
    report: dict = {
        "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}",
        "questions": len(questions),
    }
    with Index.open(args.index, settings, create=False) as embedded:
        started = time.perf_counter()
        moved = migrate(embedded.store, url, settings.vectors)
        report["migrate_s"] = round(time.perf_counter() - started, 1)
        report["chunks"] = embedded.store.counts()[1]
        with Index.open(settings=load_settings({"index": url})) as server_index:
            server_index.search("warm up", k=K)
            embedded.search("warm up", k=K)
            for mode in ("hybrid", "dense"):
                a_ids, a_ms, a_hit = run(embedded, questions, mode)
                b_ids, b_ms, b_hit = run(server_index, questions, mode)
                overlap = np.mean([len(set(a) & set(b)) / max(len(a), 1) for a, b in zip(a_ids, b_ids)])
                report[mode] = {
                    "overlap@10": round(float(overlap), 3),
                    "identical_top1": round(float(np.mean([a[:1] == b[:1] for a, b in zip(a_ids, b_ids)])), 3),
                }
                for name, ms, hit in (("sqlite+faiss", a_ms, a_hit), ("postgresql+pgvector", b_ms, b_hit)):
                    report[mode][name] = {
                        "p50_ms": round(float(np.percentile(ms, 50)), 2),
                        "p95_ms": round(float(np.percentile(ms, 95)), 2),
                        **{f"answer_hit@{k}": round(v, 3) for k, v in hit.items()},
                    }
            pg_bytes = sum(server_index.store.disk_bytes().values())
        sqlite_bytes = sum(embedded.store.disk_bytes().values())
    report["bytes_per_chunk"] = {
        "sqlite+faiss": round(sqlite_bytes / report["chunks"]),
        "postgresql+pgvector": round(pg_bytes / report["chunks"]),
    }
    report["migrated_documents"] = moved.copied
    server.cleanup()
    print(json.dumps(report, indent=None if args.json else 2))


if __name__ == "__main__":
    main()
