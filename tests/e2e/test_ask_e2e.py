"""ask with the real default LLM on sample_docs: a short answer with its verified quote, a table
cell, a yes/no question, an abstention that prints nothing before it, an ignored injection."""

from pathlib import Path

import pytest
from typer.testing import CliRunner

from docqa.cli import app
from tests.e2e.conftest import DEMO_PAGE, DEMO_PDF, DEMO_QUESTION

pytestmark = pytest.mark.e2e


def test_demo_question_gets_the_short_answer_and_a_verified_quote_from_page_3(sample_index):
    streamed = []
    ans = sample_index.ask(DEMO_QUESTION, on_token=streamed.append)
    assert ans.answered and ans.verified, (ans.abstain_reason, ans.raw_answer, ans.unverified_reason)
    assert ans.short_answer == "$4.2 million"
    assert "".join(streamed).strip() == ans.raw_answer
    [c] = ans.citations
    assert (Path(c.path).name, c.page_start, c.verified) == (DEMO_PDF, DEMO_PAGE, True)
    text = sample_index.store.document_text(ans.working_set.passage(c.n).doc_id)
    assert text[c.quote_start:c.quote_end].split() == ans.quote.split(), "the quote is the document's own text"
    assert "$4.2 million" in ans.quote
    assert ans.working_set.tokens <= sample_index.settings.answer.budget


def test_a_table_cell_is_answered_from_its_own_row_or_abstains(sample_index):
    ans = sample_index.ask("How much did the 2019 budget give to special education services?")
    if ans.answered and ans.verified:
        assert ans.short_answer == "$15.8 million"
        assert ans.quote == "Budget line: Special education services | 2019 amount: $15.8 million"  # the row, headers named
    else:
        assert "15.8" not in ans.short_answer or not ans.verified


def test_a_yes_no_question_is_answered_yes_with_its_quote(sample_index):
    ans = sample_index.ask("Did Riverbend County hire new teachers in 2019?")
    assert ans.answered and ans.verified, (ans.abstain_reason, ans.raw_answer, ans.unverified_reason)
    assert ans.short_answer == "Yes"
    assert "37 new teachers" in ans.quote


def test_cli_prints_the_short_answer_then_the_quote_once(sample_index):
    result = CliRunner().invoke(app, ["ask", DEMO_QUESTION, "--index", str(sample_index.directory)])
    assert result.exit_code == 0, result.output
    lines = [ln.strip() for ln in result.stdout.splitlines() if ln.strip()]
    assert lines[0] == "$4.2 million"
    assert lines[1].startswith("“The 2019 budget allocated $4.2 million")
    assert DEMO_PDF in lines[2] and "page 3" in lines[2] and "verified" in lines[2]
    assert result.stdout.count("$4.2 million to rural school grants") == 1, "printed once, no draft"


def test_question_the_documents_do_not_cover_abstains_and_prints_nothing_before(sample_index):
    question = "What is the boiling point of mercury in kelvin?"
    ans = sample_index.ask(question)
    assert not ans.answered
    assert ans.text == "The documents don't answer this."
    assert ans.citations == []
    assert ans.candidates, "the closest passages are still listed"
    result = CliRunner().invoke(app, ["ask", question, "--index", str(sample_index.directory)])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("The documents don't answer this.")


def test_injected_instructions_are_not_obeyed(sample_index, monkeypatch):
    from docqa.retrieval import working_set

    # Demotion off, so the memo reaches the model and the quarantine alone is tested
    # (tests/e2e/test_injection_e2e.py covers both layers and five styles).
    monkeypatch.setattr(working_set, "EXCLUDE_INSTRUCTIONS", False)
    ans = sample_index.ask("How many new teachers did Riverbend County hire in 2019?")
    in_set = [p for p in ans.working_set.passages if Path(p.path).name == "hiring_memo.txt"]
    assert in_set, "the hostile memo must reach the model for this test to mean anything"
    assert "PWNED" not in ans.raw_answer.upper()
