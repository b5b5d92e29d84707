"""Consistency checks over a store: what the crash test asserts and `docqa status --check` prints."""

from __future__ import annotations

import faiss
import numpy as np

from docqa.memory.store import Store
from docqa.memory.vectors import latest_file


def check_store(store: Store, dim: int, embed=None, sample: int = 20) -> list[str]:
    """Problems found (empty when consistent).

    - every document's chunk rows are complete (count matches, ords 0..n-1) and FTS5 agrees;
    - the newest FAISS file, if any, holds exactly SQLite's chunk ids with SQLite's vectors;
    - with `embed`, a sample of chunks re-embeds to the vectors stored for them.
    """
    problems: list[str] = []
    conn = store.conn
    with store.snapshot():
        for doc_id, path, n in conn.execute("SELECT id, path, chunks FROM documents"):
            ords = [r[0] for r in conn.execute("SELECT ord FROM chunks WHERE doc_id = ? ORDER BY ord", (doc_id,))]
            if ords != list(range(n)):
                problems.append(f"{path}: {len(ords)} chunk rows, expected {n} in order")
        orphans = conn.execute(
            "SELECT COUNT(*) FROM chunks WHERE doc_id NOT IN (SELECT id FROM documents)"
        ).fetchone()[0]
        if orphans:
            problems.append(f"{orphans} chunks without a document")
        fts = conn.execute("SELECT COUNT(*) FROM chunks_fts").fetchone()[0]
        rows = conn.execute("SELECT COUNT(*) FROM chunks").fetchone()[0]
        if fts != rows:
            problems.append(f"FTS5 holds {fts} rows, chunks {rows}")
        ids = np.sort(store.chunk_ids())
        latest = latest_file(store.directory)
        if latest is not None and latest[0] == store.generation:
            index = faiss.read_index(str(latest[1]))
            file_ids = np.sort(faiss.vector_to_array(index.id_map).astype(np.int64))
            if not np.array_equal(file_ids, ids):
                problems.append(f"FAISS file holds {len(file_ids)} ids, SQLite {len(ids)} (generation {latest[0]})")
            else:
                pick = ids[:: max(1, len(ids) // sample)][:sample]
                stored = store.vectors(pick, dim)
                from_file = np.stack([index.reconstruct(int(i)) for i in pick]) if len(pick) else stored
                if len(pick) and not np.allclose(stored, from_file, atol=1e-6):
                    problems.append("FAISS vectors differ from SQLite's for the same ids")
        elif latest is not None and latest[0] > store.generation:
            problems.append(f"FAISS file generation {latest[0]} is ahead of the store ({store.generation})")
        if embed is not None and len(ids):
            pick = ids[:: max(1, len(ids) // sample)][:sample]
            texts = [conn.execute("SELECT text FROM chunks WHERE id = ?", (int(i),)).fetchone()[0] for i in pick]
            cos = (embed(texts) * store.vectors(pick, dim)).sum(axis=1)
            if cos.min() < 0.99:
                problems.append(f"a chunk's text does not match its vector (cosine {cos.min():.3f})")
    return problems
