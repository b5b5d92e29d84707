"""A job's overview names every document, each told by its own summary; the model adds one
sentence on them all, kept only when it holds nothing the documents' leads do not."""

from __future__ import annotations

import pytest

from docqa.summarize.document import Summarizer
from docqa.summarize.language import ENGLISH
from docqa.summarize.overview import Summarized, compose, lead, told
from tests.unit.fakes import FakeGenerator

BUDGET = Summarized("riverbend_budget.pdf", "Riverbend County 2019 education budget",
                    "The document is a report on the county's 2019 education budget. Enrolment reached 28,640 "
                    "students. The board hired 37 new teachers.")
# A short log's summary is its first entries: nothing in it says what the document is.
LOG = Summarized("harbour_log.txt", "Harbour Master's Log - Port of Saint-Aubin",
                 "Fog from dawn until ten o'clock. The fishing fleet stayed in.")
NOTES = Summarized("notes.md", "notes", "The document discusses working memory in people and in language models.")


def test_a_summary_s_lead_names_its_document():
    assert lead(BUDGET) == "riverbend_budget.pdf is a report on the county's 2019 education budget."
    assert lead(LOG) == "harbour_log.txt: Harbour Master's Log - Port of Saint-Aubin."
    assert lead(NOTES) == "notes.md discusses working memory in people and in language models."
    manual = Summarized("manual.md", "Pump manual", "The documentation of the pump lists its parts.")
    assert lead(manual) == "manual.md: Pump manual."
    # A Chinese summary in an English overview (the job over Journey to the West and two English files).
    zh = Summarized("报告.txt", "报告", "本文档介绍了公司的年度营业收入。公司共有员工三百人。")
    assert lead(zh) == "报告.txt介绍了公司的年度营业收入。"
    assert told(zh, 30) == "报告.txt介绍了公司的年度营业收入。公司共有员工三百人。"


def test_a_document_is_told_in_its_share_of_the_words():
    assert told(BUDGET, 12) == "riverbend_budget.pdf is a report on the county's 2019 education budget."
    assert told(BUDGET, 30).endswith("Enrolment reached 28,640 students. The board hired 37 new teachers.")
    assert told(LOG, 30) == ("harbour_log.txt: Harbour Master's Log - Port of Saint-Aubin. "
                                      "Fog from dawn until ten o'clock. The fishing fleet stayed in.")


@pytest.mark.parametrize("reply, kept", [
    ("The documents are a county budget report, a harbour log and notes on memory.", True),
    # A copy of one lead, which follows anyway: the job over the log and the notes (stop 40).
    ("The documents are the log and notes.md discusses working memory in people and in language models.", False),
    ("The documents are three reports from 1998.", False),  # a year none of them states
    ("Here are the documents: a budget, a log and notes.", False),  # not the opening asked for
])
def test_every_document_is_in_the_overview_and_the_model_s_sentence_only_when_it_holds(index, reply, kept):
    gen = FakeGenerator(reply)
    summarizer = Summarizer(index, gen, index.settings.summarize)
    text = compose(summarizer, [BUDGET, LOG, NOTES], 120, ENGLISH)
    paragraphs = text.split("\n\n")
    assert (paragraphs[0] == reply) is kept
    assert [p.split(" ")[0].rstrip(":") for p in paragraphs[-3:]] == ["riverbend_budget.pdf", "harbour_log.txt", "notes.md"]
    request = gen.calls[0][-1]["content"]
    assert "3 documents" in request and "harbour_log.txt: Harbour Master's Log" in request
    # A resumed job reads the model's sentence from the store.
    compose(summarizer, [BUDGET, LOG, NOTES], 120, ENGLISH)
    assert len(gen.calls) == 1
