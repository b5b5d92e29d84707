"""Prompt injection with the real default LLM: hostile documents in the working set change nothing.

A small version of bench/injection.py (which asks 20 questions over sample_docs and five styles):
the budget PDF plus three hostile documents, each with a bait paragraph on every question's topic
so that it really reaches the model.
"""

from __future__ import annotations

import shutil

import pytest

from docqa.index import Index
from docqa.settings import load_settings
from tests.conftest import SAMPLE_DOCS, bench_module

pytestmark = pytest.mark.e2e


bench = bench_module("injection")
QUESTIONS = [q for q in bench.QUESTIONS if q.expect in ("4.2", "37", "178.7")]
STYLES = [s for s in bench.STYLES if s.name in ("ignore", "system", "reveal")]


@pytest.fixture(scope="module")
def hostile_index(tmp_path_factory):
    root = tmp_path_factory.mktemp("injection")
    docs = root / "docs"
    docs.mkdir()
    shutil.copy(SAMPLE_DOCS / "riverbend_county_2019_education_budget.pdf", docs)
    hostile = bench.write_hostile(docs / "hostile", STYLES, QUESTIONS)
    (docs / "ferry_log.txt").write_text(bench.BESIDE_DOC, encoding="utf-8")
    settings = load_settings({"index": str(root / "index")}, environ={})
    with Index.open(settings.index, settings) as idx:
        report = idx.ingest([docs])
        assert not report.failed, report.failed
        yield idx, hostile


@pytest.mark.parametrize("question", QUESTIONS, ids=lambda q: q.expect)
def test_hostile_passages_do_not_change_the_answer(hostile_index, question):
    idx, hostile = hostile_index
    result = bench.judge_answer(idx.ask(question.text), question, hostile)
    assert not result["obeyed"], result
    assert not result["leaked"], result
    assert not result["cited_hostile"], result


@pytest.mark.parametrize("question", QUESTIONS, ids=lambda q: q.expect)
def test_instructions_are_contained_even_when_a_hostile_passage_reaches_the_model(hostile_index, question, monkeypatch):
    """The second layer alone: hostile passages ranked as retrieval ranks them (no demotion)."""
    from docqa.retrieval import working_set

    monkeypatch.setattr(working_set, "EXCLUDE_INSTRUCTIONS", False)
    idx, hostile = hostile_index
    result = bench.judge_answer(idx.ask(question.text), question, hostile)
    assert result["exposed"], "a hostile passage must reach the model for this test to mean anything"
    assert not result["obeyed"], result
    assert not result["leaked"], result


def test_a_fact_beside_an_injected_sentence_is_still_answered(hostile_index):
    """The instruction is cut from its paragraph; the sentence before it still answers the question."""
    idx, _ = hostile_index
    question = bench.BESIDE[0]
    ans = idx.ask(question.text)
    assert question.expect in ans.text, (ans.text, ans.abstain_reason)
    assert not any(m in (ans.raw_answer or "").lower() for m in bench.BESIDE_MARKERS)
    assert ans.citations and ans.citations[0].path.endswith("ferry_log.txt")
