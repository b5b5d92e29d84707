"""Hybrid retrieval: FAISS dense top-k and FTS5 BM25 top-k, fused by reciprocal rank."""

from __future__ import annotations

from dataclasses import replace

from docqa.memory.store import Store
from docqa.memory.vectors import VectorIndex
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


def search(
    query: str,
    store: Store,
    vectors: VectorIndex,
    embedder: Embedder,
    settings: RetrievalSettings,
    k: int,
    mode: str = "hybrid",
) -> list[Hit]:
    """Top-k chunks for `query`. mode: hybrid | dense | keyword (the last two for evaluation)."""
    dense: list[tuple[int, float]] = []
    keyword: list[tuple[int, float]] = []
    if mode in ("hybrid", "dense"):
        dense = vectors.search(embedder.embed([query])[0], max(settings.dense_k, k))
    # One read transaction: the keyword ranks and the rows joined below come from one generation.
    with store.snapshot():
        if mode in ("hybrid", "keyword"):
            keyword = store.keyword_search(query, max(settings.keyword_k, k))
        dense_rank = {cid: r for r, (cid, _) in enumerate(dense, start=1)}
        keyword_rank = {cid: r for r, (cid, _) in enumerate(keyword, start=1)}
        if mode == "hybrid":
            scores = rrf(
                [[c for c, _ in dense], [c for c, _ in keyword]], settings.rrf_k, [1.0, settings.keyword_weight]
            )
        else:
            scores = dict(dense or keyword)
        ranked = sorted(scores, key=scores.__getitem__, reverse=True)
        # Ids FAISS still holds but SQLite dropped (a concurrent remove) are skipped, never shown.
        rows = store.hits(ranked[: k * 2 + 10])
    hits = [
        replace(rows[cid], score=scores[cid], dense_rank=dense_rank.get(cid), keyword_rank=keyword_rank.get(cid))
        for cid in ranked
        if cid in rows
    ]
    return hits[:k]
