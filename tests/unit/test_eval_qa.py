"""docqa eval scores one answer against its gold spans: hits, working-set hit, short and full EM/F1,
containment, yes/no golds, citations, and per-question JSONL."""

from docqa.answer import Answer
from docqa.citations import Citation
from docqa.eval.squad import Question
from docqa.eval.qa import EvalReport, score
from docqa.records import Hit
from docqa.retrieval.attention import Candidate
from docqa.retrieval.working_set import Passage, WorkingSet

GOLD = Question("q1", "How long is the SAIBK gene?", 0, ("27,534 nucleotides",))


def _answer(text, answered=True, passage_text="The SAIBK gene is 27,534 nucleotides long.", quote=""):
    hit = Hit(1, 1, "/a.txt", "a", 0, passage_text, 1, 1, "", 0, len(passage_text), 0.1)
    other = Hit(2, 1, "/a.txt", "a", 1, "Unrelated text.", 1, 1, "", 50, 65, 0.05)
    ws = WorkingSet([Passage(1, "/a.txt", "a", 1, 1, "", 0, len(passage_text), passage_text, [1], [0], 0.9, n=1)], 80, 1200)
    cite = Citation(1, "/a.txt", "a", 1, 1, 1, "", passage_text, True, quote)
    cands = [Candidate(other, 0.05, 0.2, 0.2, 0.1), Candidate(hit, 0.1, 0.7, 0.7, 0.9)]
    return Answer(GOLD.question, text, answered, short_answer=text if answered else "", quote=quote,
                  verified=answered, citations=[cite] if answered else [], candidates=cands,
                  working_set=ws, timings={"prefill_s": 1.0, "decode_s": 0.5, "decode_tokens_per_s": 20.0})


def test_short_answer_scores_exact_and_the_full_answer_with_its_quote_partially():
    quote = "The SAIBK gene is 27,534 nucleotides long."
    r = score(GOLD, _answer("27,534 nucleotides [1]", quote=quote), 2.0)
    assert (r.hit_at_1, r.hit_at_5, r.ws_hit) == (False, True, True)
    assert r.short_em == 1.0 and r.short_f1 == 1.0 and r.contains_gold
    # full answer tokens: 27534 nucleotides + saibk gene is 27534 nucleotides long (8); gold (2); overlap 2
    assert r.em == 0.0 and abs(r.f1 - 2 * (2 / 8) * 1.0 / (2 / 8 + 1.0)) < 1e-9
    assert r.valid_citations == 1 and r.citations == 1 and r.retrieved == ["a.txt", "a.txt"]


def test_yes_no_golds_are_scored_by_the_leading_yes_or_no_not_by_substring():
    gold = Question("q2", "Is the gene long?", 0, ("no",))
    assert score(gold, _answer("No [1]"), 1.0).short_em == 1.0
    not_a_no = score(gold, _answer("not known [1]"), 1.0)
    assert not_a_no.short_em == 0.0 and not not_a_no.contains_gold
    # XQuAD-zh writes its "no" as 没有; docqa answers a Chinese yes/no question 是 or 否.
    zh = Question("q3", "1972年挪威最后加入了欧盟吗？", 0, ("没有",))
    assert score(zh, _answer("否 [1]"), 1.0).short_em == 1.0 and score(zh, _answer("不是 [1]"), 1.0).short_em == 1.0
    assert score(zh, _answer("是 [1]"), 1.0).short_em == 0.0
    assert score(Question("q4", "挪威有石油吗？", 0, ("有石油",)), _answer("有石油 [1]"), 1.0).short_f1 == 1.0


def test_abstention_scores_zero_and_summary_counts_it():
    a = score(GOLD, _answer("The documents don't answer this.", answered=False), 1.0)
    b = score(GOLD, _answer("27,534 nucleotides [1]"), 3.0)
    assert a.short_f1 == 0.0 and not a.contains_gold and b.short_em == 1.0
    s = EvalReport("x", 2, {}, [a, b]).summary()
    assert s["abstention"] == 0.5 and s["short_exact_match"] == 0.5 and s["answer_contains_gold"] == 0.5
    assert s["false_abstention"] == 0.5, "the abstained question had the answer in its working set"
    assert s["citation_validity"] == 1.0 and s["end_to_end_p50_s"] in (1.0, 3.0)


def test_an_unverified_answer_keeps_the_verifiers_reason_in_its_record():
    shown = _answer("30,000 nucleotides [1]")
    shown.verified, shown.unverified_reason = False, "no sentence of the passages holds the answer and meets the question"
    assert score(GOLD, shown, 1.0).unverified_reason == shown.unverified_reason
    assert score(GOLD, _answer("27,534 nucleotides [1]"), 1.0).unverified_reason == ""
