"""What a terminal shows for an answer: the short answer, then why it is or is not verified."""

from rich.console import Console

from docqa.answer import Answer
from docqa.citations import Citation
from docqa.display import print_answer


def _shown(ans: Answer) -> str:
    out = Console(record=True, width=200)
    print_answer(out, ans)
    return out.export_text()


def _citation(quote: str = "") -> Citation:
    return Citation(1, "/docs/dmca.pdf", "", 8, 8, 1, "", "TITLE II: ONLINE COPYRIGHT INFRINGEMENT ...",
                    verified=False, quote=quote, reason="the answer restates the question")


def test_an_answer_that_restates_the_question_says_so_instead_of_listing_sources():
    # "What are the four limitations ...?" answered "4": no sentence was quoted for it.
    ans = Answer("What are the four limitations?", "4 [1]", answered=True, short_answer="4",
                 unverified_reason="the answer restates the question", citations=[_citation()])
    text = _shown(ans)
    assert text.splitlines()[0] == "4 (unverified: the answer restates the question)"
    assert "dmca.pdf, page 8" in text and "sources" not in text and "closest sentence" not in text


def test_an_unverified_answer_with_a_sentence_shows_it_as_the_closest():
    ans = Answer("q", "235 [1]", answered=True, short_answer="235", quote="Each paragraph belongs to one of 235 languages.",
                 unverified_reason="the sentence that holds it is context", citations=[_citation("Each paragraph ...")])
    text = _shown(ans)
    assert "closest sentence: “Each paragraph belongs to one of 235 languages.”" in text
    assert "quote verified" not in text


def test_an_empty_index_says_so_and_lists_no_closest_passages(index):
    from docqa.answer import EMPTY_INDEX, ask
    from tests.unit.fakes import FakeGenerator

    model = FakeGenerator("never asked [1]")
    ans = ask("What is it?", index, model, index.settings.answer)

    assert (ans.answered, ans.abstain_reason, model.calls) == (False, EMPTY_INDEX, [])
    assert _shown(ans).strip() == f"The documents don't answer this. ({EMPTY_INDEX})"
    # A focus summary over it says the same, not that the topic was not found.
    index._generator = model
    focus = index.summarize_focus("the budget", 40)
    assert (focus.answered, focus.abstain_reason, model.calls) == (False, EMPTY_INDEX, [])
