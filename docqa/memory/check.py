"""Consistency checks over a store: what the crash test asserts and `docqa status --check` prints."""

from __future__ import annotations

import numpy as np

from docqa.memory.backend import MemoryStore


def check_store(store: MemoryStore, dim: int, embed=None, sample: int = 20) -> list[str]:
    """Problems found (empty when consistent).

    - every document's chunk rows are complete (count matches, ords 0..n-1);
    - what the backend keeps beside the rows agrees with them (`integrity_problems`: FTS5 and the
      FAISS file for SQLite, vector dimensions and the HNSW index for PostgreSQL);
    - with `embed`, a sample of chunks re-embeds to the vectors stored for them.
    """
    problems: list[str] = []
    db, p = store.db, store.PARAM
    with store.snapshot():
        for doc_id, path, n in db.execute("SELECT id, path, chunks FROM documents").fetchall():
            ords = [r[0] for r in db.execute(f"SELECT ord FROM chunks WHERE doc_id = {p} ORDER BY ord", (doc_id,))]
            if ords != list(range(n)):
                problems.append(f"{path}: {len(ords)} chunk rows, expected {n} in order")
        orphans = db.execute(
            "SELECT COUNT(*) FROM chunks WHERE doc_id NOT IN (SELECT id FROM documents)"
        ).fetchone()[0]
        if orphans:
            problems.append(f"{orphans} chunks without a document")
        ids = np.sort(store.chunk_ids())
        problems += store.integrity_problems(dim, ids, sample)
        if embed is not None and len(ids):
            pick = ids[:: max(1, len(ids) // sample)][:sample]
            rows = store.hits(pick)
            cos = (embed([rows[int(i)].text for i in pick]) * store.vectors(pick, dim)).sum(axis=1)
            if cos.min() < 0.99:
                problems.append(f"a chunk's text does not match its vector (cosine {cos.min():.3f})")
    return problems
