"""Attention re-ranking: the query reads each candidate passage token by token.

No cross-encoder with shipped weights exists offline, so the query attends over the passage with
the embedder's own last hidden states (late interaction, as in ColBERT): every query token finds
the passage tokens most like it. Two readings of that are implemented and chosen by measurement:

- ``maxsim``: each query token takes its best-matching passage token; the score is the mean.
- ``softmax``: each query token spreads a softmax attention (temperature ``token_temperature``)
  over the passage tokens and takes the attended similarity; the score is the mean.

The late-interaction score is fused with the retrieval (RRF) score, and a softmax over the fused
scores at ``temperature`` gives the attention weights that decide the working set.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from docqa.records import Hit

if TYPE_CHECKING:
    from docqa.models.embedder import Embedder

_CACHE_SIZE = 4096


@dataclass(frozen=True)
class Candidate:
    hit: Hit
    retrieval_score: float  # the RRF score from hybrid search
    interaction: float  # late-interaction score (0 when re-ranking is off)
    score: float  # fused score
    weight: float  # softmax attention weight over all candidates


def late_interaction(query: np.ndarray, passage: np.ndarray, method: str, token_temperature: float) -> float:
    if len(query) == 0 or len(passage) == 0:
        return 0.0
    sims = query @ passage.T  # (query tokens, passage tokens), cosine: states are unit vectors
    if method == "maxsim":
        return float(sims.max(axis=1).mean())
    logits = sims / token_temperature
    logits -= logits.max(axis=1, keepdims=True)
    attn = np.exp(logits)
    attn /= attn.sum(axis=1, keepdims=True)
    return float((attn * sims).sum(axis=1).mean())


def softmax(scores: np.ndarray, temperature: float) -> np.ndarray:
    if len(scores) == 0:
        return scores
    z = (scores - scores.max()) / temperature
    e = np.exp(z)
    return e / e.sum()


class TokenStateCache:
    """Passage token states by chunk id: chat turns and repeated questions re-read the same chunks."""

    def __init__(self, size: int = _CACHE_SIZE) -> None:
        self.size = size
        self._items: OrderedDict[int, np.ndarray] = OrderedDict()

    def clear(self) -> None:
        self._items.clear()

    def get_many(self, embedder: Embedder, hits: list[Hit]) -> list[np.ndarray]:
        missing = [h for h in hits if h.chunk_id not in self._items]
        if missing:
            for h, states in zip(missing, embedder.token_states([h.text for h in missing])):
                self._items[h.chunk_id] = states.astype(np.float32)
        out = []
        for h in hits:
            self._items.move_to_end(h.chunk_id)
            out.append(self._items[h.chunk_id])
        while len(self._items) > self.size:
            self._items.popitem(last=False)
        return out


def rerank(
    query: str,
    hits: list[Hit],
    embedder: Embedder | None,
    *,
    method: str = "maxsim",
    token_temperature: float = 0.05,
    retrieval_weight: float = 0.5,
    temperature: float = 0.05,
    cache: TokenStateCache | None = None,
) -> list[Candidate]:
    """Candidates sorted by fused score, each with its attention weight.

    method "none" keeps the retrieval order (used to measure what re-ranking adds).
    The RRF score is rescaled to [0, 1] by its maximum possible value (rank 1 in both lists) so
    that ``retrieval_weight`` means the same whatever the RRF constant.
    """
    if not hits:
        return []
    retrieval = np.array([h.score for h in hits], dtype=np.float64)
    retrieval_scaled = retrieval / retrieval.max() if retrieval.max() > 0 else retrieval
    if method == "none" or embedder is None:
        interaction = np.zeros(len(hits))
        fused = retrieval_scaled
    else:
        q = embedder.query_states(query)
        states = (cache or TokenStateCache()).get_many(embedder, hits)
        interaction = np.array([late_interaction(q, p, method, token_temperature) for p in states])
        fused = interaction + retrieval_weight * retrieval_scaled
    weights = softmax(fused, temperature)
    order = np.argsort(-fused, kind="stable")
    return [
        Candidate(hits[i], float(retrieval[i]), float(interaction[i]), float(fused[i]), float(weights[i]))
        for i in order
    ]
