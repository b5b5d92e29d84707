"""docqa eval scores one answer against its gold spans: hits, working-set hit, EM/F1, containment, citations."""

from docqa.answer import Answer
from docqa.citations import Citation
from docqa.evaluate import Question
from docqa.qa_eval import EvalReport, score
from docqa.records import Hit
from docqa.retrieval.attention import Candidate
from docqa.retrieval.working_set import Passage, WorkingSet

GOLD = Question("q1", "How long is the SAIBK gene?", 0, ("27,534 nucleotides",))


def _answer(text, answered=True, passage_text="The SAIBK gene is 27,534 nucleotides long."):
    hit = Hit(1, 1, "/a.txt", "a", 0, passage_text, 1, 1, "", 0, len(passage_text), 0.1)
    other = Hit(2, 1, "/a.txt", "a", 1, "Unrelated text.", 1, 1, "", 50, 65, 0.05)
    ws = WorkingSet([Passage(1, "/a.txt", "a", 1, 1, "", 0, len(passage_text), passage_text, [1], [0], 0.9, n=1)], 80, 1200)
    cite = Citation(1, "/a.txt", "a", 1, 1, 1, "", passage_text, True, 1.0)
    cands = [Candidate(other, 0.05, 0.2, 0.2, 0.1), Candidate(hit, 0.1, 0.7, 0.7, 0.9)]
    return Answer(GOLD.question, text, answered, citations=[cite] if answered else [], candidates=cands,
                  working_set=ws, timings={"prefill_s": 1.0, "decode_s": 0.5, "decode_tokens_per_s": 20.0})


def test_sentence_answer_scores_partial_f1_but_contains_the_gold_span():
    r = score(GOLD, _answer("The SAIBK gene is 27,534 nucleotides long. [1]"), 2.0)
    assert (r.hit_at_1, r.hit_at_5, r.ws_hit) == (False, True, True)
    assert r.em == 0.0 and r.contains_gold
    # prediction tokens: saibk gene is 27534 nucleotides long (6); gold: 27534 nucleotides (2); overlap 2
    assert abs(r.f1 - 2 * (2 / 6) * 1.0 / (2 / 6 + 1.0)) < 1e-9
    assert r.valid_citations == 1 and r.citations == 1


def test_abstention_scores_zero_and_summary_counts_it():
    a = score(GOLD, _answer("The documents don't answer this.", answered=False), 1.0)
    b = score(GOLD, _answer("27,534 nucleotides [1]"), 3.0)
    assert a.f1 == 0.0 and not a.contains_gold and b.em == 1.0
    s = EvalReport("x", 2, {}, [a, b]).summary()
    assert s["abstention"] == 0.5 and s["exact_match"] == 0.5 and s["answer_contains_gold"] == 0.5
    assert s["citation_validity"] == 1.0 and s["end_to_end_p50_s"] in (1.0, 3.0)
