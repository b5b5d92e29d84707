"""Hybrid retrieval: FAISS dense top-k and FTS5 BM25 top-k, fused by reciprocal rank, each one's first hits kept."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, replace

import numpy as np

from docqa.memory.backend import MemoryStore, VectorSearch
from docqa.models.embedder import Embedder
from docqa.records import Hit
from docqa.settings import RetrievalSettings


def rrf(rankings: list[list[int]], k: int, weights: list[float] | None = None) -> dict[int, float]:
    """Weighted reciprocal-rank fusion: robust to the retrievers' incomparable score scales."""
    fused: dict[int, float] = {}
    for ranking, w in zip(rankings, weights or [1.0] * len(rankings)):
        for rank, cid in enumerate(ranking, start=1):
            fused[cid] = fused.get(cid, 0.0) + w / (k + rank)
    return fused


def assured(ranked: list[int], firsts: list[int], k: int, scores: dict[int, float]) -> list[int]:
    """`ranked` with the ids of `firsts` among its first k (as many as k holds), in place of the lowest
    fused others, the first k still in fused order."""
    top = ranked[:k]
    missing = [c for c in dict.fromkeys(firsts) if c not in top]
    if not missing:
        return ranked
    dropped = {*[c for c in reversed(top) if c not in firsts][: len(missing)]}
    head = sorted([c for c in top if c not in dropped] + missing, key=scores.__getitem__, reverse=True)
    taken = set(head)
    return head + [c for c in ranked if c not in taken]


def search(
    query: str,
    store: MemoryStore,
    vectors: VectorSearch,
    embedder: Embedder,
    settings: RetrievalSettings,
    k: int,
    mode: str = "hybrid",
    doc_ids: Sequence[int] | None = None,
) -> list[Hit]:
    """Top-k chunks for `query`. mode: hybrid | dense | keyword (the last two for evaluation).

    `doc_ids` restricts the search to those documents (exact dense search over their vectors)."""
    dense: list[tuple[int, float]] = []
    keyword: list[tuple[int, float]] = []
    # One read transaction: the keyword ranks and the rows joined below come from one generation.
    with store.snapshot():
        if mode in ("hybrid", "dense"):
            q = embedder.embed_query([query])[0]
            if doc_ids is None:
                dense = vectors.search(q, max(settings.dense_k, k))
            else:
                dense = _within(q, store, vectors, embedder.dim, store.chunk_ids_of(doc_ids), max(settings.dense_k, k))
        if mode in ("hybrid", "keyword"):
            keyword = store.keyword_search(query, max(settings.keyword_k, k), doc_ids)
        dense_rank = {cid: r for r, (cid, _) in enumerate(dense, start=1)}
        keyword_rank = {cid: r for r, (cid, _) in enumerate(keyword, start=1)}
        if mode == "hybrid":
            scores = rrf(
                [[c for c, _ in dense], [c for c, _ in keyword]], settings.rrf_k, [1.0, settings.keyword_weight]
            )
        else:
            scores = dict(dense or keyword)
        ranked = sorted(scores, key=scores.__getitem__, reverse=True)
        if mode == "hybrid":
            firsts = [c for c, _ in dense[: settings.assured]] + [c for c, _ in keyword[: settings.assured]]
            ranked = assured(ranked, firsts, k, scores)
        # Ids FAISS still holds but SQLite dropped (a concurrent remove) are skipped, never shown.
        rows = store.hits(ranked[: k * 2 + 10])
    hits = [
        replace(rows[cid], score=scores[cid], dense_rank=dense_rank.get(cid), keyword_rank=keyword_rank.get(cid))
        for cid in ranked
        if cid in rows
    ]
    return hits[:k]


def hits_json(hits: list[Hit]) -> list[dict]:
    """`docqa search --json`: each hit with its rank and locator ("lines 12-18", "slide 3")."""
    from docqa.locators import hit_locator

    return [{"rank": rank, **asdict(h), "locator": hit_locator(h)} for rank, h in enumerate(hits, start=1)]


# Up to this many chunks in scope, scoring their stored vectors directly (a few ms) is exact whatever
# the index kind; past it, reading them all per query costs more than the index's own id filter.
EXACT_MAX = 20_000


def _within(query: np.ndarray, store: MemoryStore, vectors: VectorSearch, dim: int, ids: list[int],
            k: int) -> list[tuple[int, float]]:
    """Dense top-k among the chunks in scope, by the vector index's filter or exactly."""
    if len(ids) > EXACT_MAX:
        found = vectors.search_within(query, k, ids)
        if len(found) >= min(k, len(ids)):
            return found
    return _exact(query, store, dim, ids, k)


def _exact(query: np.ndarray, store: MemoryStore, dim: int, ids: list[int], k: int) -> list[tuple[int, float]]:
    """Brute-force inner product over a few documents' stored vectors (what a filter needs)."""
    if not ids:
        return []
    scores = store.vectors(ids, dim) @ query
    top = np.argsort(-scores)[:k]
    return [(ids[i], float(scores[i])) for i in top]
