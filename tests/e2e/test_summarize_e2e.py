"""docqa summarize with the real default model on sample_docs/."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from docqa.cli import app
from docqa.summarize.document import Summarizer
from docqa.summarize.length import Range
from tests.e2e.conftest import DEMO_PDF

pytestmark = pytest.mark.e2e

WORDS = 60


def _pdf(index):
    return next(d for d in index.documents() if d.path.endswith(DEMO_PDF))


@pytest.mark.parametrize("mode", ["map-reduce", "refine", "tree"])
def test_every_mode_summarizes_the_report_within_its_length(sample_index, mode):
    # A small budget splits the 5-page report into windows (read whole), so every step of each mode runs.
    settings = sample_index.settings.summarize.model_copy(
        update={"budget": 1200, "partial_words": 40, "state_tokens": 160, "select": 1.0})
    summary = Summarizer(sample_index, sample_index.generator(), settings).document(_pdf(sample_index), mode, WORDS)
    # At least two windows: map-reduce and tree merge them, refine carries its state from one to the next.
    assert len([n for n in summary.nodes if n.kind in ("window", "refine")]) >= 2
    assert summary.nodes[-1].pages[1] == 5  # the last node has read the report to its last page
    # Length is a contract (±20 %), and no number or name the report lacks survives.
    assert Range(WORDS, settings.tolerance).holds(summary.text), summary.text
    assert summary.unsupported == []
    assert max(n.request_tokens for n in summary.nodes) <= 1200
    # A summary of a county education budget report talks about it.
    assert any(w in summary.text.lower() for w in ("budget", "school", "education", "riverbend"))


def test_focus_cites_only_pages_about_the_topic(sample_index, monkeypatch):
    # Half the default budget: the passages (and the extension's calls, when the first summary is
    # short) cost half the prefill, and every one of them must still be a page about the topic.
    monkeypatch.setattr(sample_index.settings.summarize, "budget", 1024)
    result = sample_index.summarize_focus("funding for rural schools", words=60)
    assert result.answered, result.abstain_reason
    assert result.citations
    pdf = _pdf(sample_index)
    pages = sample_index.store.document_text(pdf.id).split("\f")
    for c in result.citations:
        assert c.path == pdf.path
        cited = " ".join(pages[c.page_start - 1 : c.page_end]).lower()
        assert "rural" in cited, (c.page_start, cited[:200])


def test_focus_on_an_absent_topic_says_so(sample_index):
    result = sample_index.summarize_focus("quantum chromodynamics of gluon plasma", words=60)
    assert not result.answered
    assert result.text == "The documents don't answer this."


def test_cli_summary_is_instant_the_second_time(sample_index, corpus):
    pdf = str(corpus / "sample_docs" / DEMO_PDF)
    args = ["summarize", pdf, "--index", str(sample_index.directory), "--words", str(WORDS), "--json"]
    first = CliRunner().invoke(app, args)
    assert first.exit_code == 0, first.output
    data = json.loads(first.output)
    assert data["summary"] and data["tree"][-1]["pages"] == [1, 5]
    assert Range(WORDS, 0.2).holds(data["summary"]), data["summary"]  # default settings keep the length too
    second = json.loads(CliRunner().invoke(app, args).output)
    assert second["reused_root"] and second["summary"] == data["summary"] and second["generated"] == 0


def test_ask_answers_a_broad_question_from_the_stored_summary(sample_index):
    # The default tree at WORDS words, as the CLI test stored it (reused, when it ran first).
    summary = sample_index.summarize(_pdf(sample_index).path, "tree", WORDS)
    answer = sample_index.ask("What is the Riverbend county budget report about?")
    first = answer.working_set.passages[0]
    assert first.section == "summary (tree)" and first.text == summary.text
    assert (first.page_start, first.page_end) == (1, 5)
    assert answer.answered, answer.abstain_reason
