"""docqa.eval.squad: SQuAD metrics against hand-computed values, hit predicates, data loading. No models."""

from __future__ import annotations

import json
from fractions import Fraction

import pytest

from docqa.eval.squad import (
    answer_hit,
    contains_answer,
    doc_hit,
    exact_match,
    load_squad,
    normalize_answer,
    pick_unit,
    token_f1,
    write_contexts,
)


def f1_of(common: int, n_pred: int, n_gold: int) -> float:
    p, r = Fraction(common, n_pred), Fraction(common, n_gold)
    return float(2 * p * r / (p + r))


# -- normalisation and exact match ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [
        ("The Eiffel Tower!", "eiffel tower"),
        ("  an   apple,\ta pear\n", "apple pear"),
        ("Theatre", "theatre"),  # articles only as whole words
        ("U.S.A.", "usa"),
        ("rock-and-roll", "rockandroll"),  # punctuation removed, not replaced by a space
        ("A", ""),
        ("20％", "20"),  # a full-width sign is the sign (NFKC): XQuAD-zh's golds write "20％"
    ],
)
def test_normalize_answer(raw, normalized):
    assert normalize_answer(raw) == normalized


def test_exact_match_after_normalisation():
    assert exact_match("the  Denver Broncos.", "Denver Broncos") == 1.0
    assert exact_match("Denver", "Denver Broncos") == 0.0
    # the maximum over several gold answers
    assert exact_match("Broncos", ["Denver Broncos", "broncos!"]) == 1.0
    assert exact_match("anything", []) == 0.0


# -- F1 ------------------------------------------------------------------------------------------


def test_token_f1_partial_overlaps():
    # pred {denver}, gold {denver, broncos}: P=1, R=1/2 -> 2/3
    assert token_f1("Denver", "the Denver Broncos") == pytest.approx(f1_of(1, 1, 2))
    assert token_f1("Denver", "the Denver Broncos") == pytest.approx(2 / 3)
    # pred {in, 1990, and, 1991} vs gold {1990}: P=1/4, R=1 -> 2/5
    assert token_f1("in 1990 and 1991", "1990") == pytest.approx(0.4)
    # 2 of 3 pred tokens, 2 of 4 gold tokens: P=2/3, R=1/2 -> 4/7
    assert token_f1("red big car", "a big red truck and") == pytest.approx(f1_of(2, 3, 4))
    assert token_f1("red big car", "a big red truck and") == pytest.approx(4 / 7)


def test_token_f1_counts_tokens_as_a_multiset():
    # pred [new, new, york] vs gold [new, york]: common = {new: 1, york: 1} = 2
    # P = 2/3, R = 2/2 -> 4/5
    assert token_f1("new new york", "New York") == pytest.approx(0.8)


def test_token_f1_edges():
    assert token_f1("Paris", "paris.") == 1.0
    assert token_f1("London", "Paris") == 0.0
    assert token_f1("the", "a") == 0.0  # both normalise to nothing: no common tokens -> 0
    assert token_f1("Denver", ["Broncos", "Denver Broncos", "denver"]) == 1.0
    assert token_f1("x", []) == 0.0


def test_chinese_is_scored_a_character_at_a_time_as_mlqa_does():
    # pred {变, 小} vs gold {会, 变, 小}: P = 1, R = 2/3 -> 4/5, not 0 for "different words"
    assert token_f1("变小", "会变小") == pytest.approx(f1_of(2, 2, 3))
    # Chinese punctuation and the spaces a translation leaves between characters are not tokens
    assert normalize_answer("《罗马条约》， 1957 年") == "罗马条约1957年"
    assert exact_match("极端主义军事 组织", "极端主义军事组织") == 1.0
    # mixed text: a Latin word stays one token beside the characters
    assert token_f1("古鲁", "古鲁(guru)") == pytest.approx(f1_of(2, 2, 3))


def test_english_keeps_the_squad_rules_for_non_ascii_punctuation():
    # SQuAD v1.1 drops ASCII punctuation only; English figures stay comparable with it
    assert normalize_answer("Beyoncé’s") == "beyoncé’s"


# -- hit predicates ------------------------------------------------------------------------------


def test_contains_answer_ignores_whitespace_and_case():
    chunk = "Mother-to-child\ntransmission  (MTCT) is the main cause\fof infection."
    assert contains_answer(chunk, "mother-to-child transmission (MTCT) is the MAIN cause of infection")
    assert contains_answer(chunk, ["nope", "  main   cause "])
    assert not contains_answer(chunk, "main causes")
    assert not contains_answer(chunk, ["", "   "])  # an empty answer never counts


def test_answer_hit_respects_k():
    texts = ["nothing here", "the answer is 42", "more"]
    assert not answer_hit(texts, "answer is 42", 1)
    assert answer_hit(texts, "answer  is\n42", 2)
    assert not answer_hit([], "x", 5)


def test_doc_hit_respects_k():
    paths = ["/a.txt", "/a.txt", "/b.txt"]
    assert doc_hit(paths, "/a.txt", 1)
    assert not doc_hit(paths, "/b.txt", 2)
    assert doc_hit(paths, "/b.txt", 5)


# -- data loading --------------------------------------------------------------------------------


def _squad(articles):
    return {"version": "1.1", "data": articles}


def test_load_squad_paragraph_unit(tmp_path):
    data = _squad(
        [
            {
                "title": "T1",
                "paragraphs": [
                    {"context": "Alpha one.", "qas": [{"id": "q1", "question": "a?", "answers": [{"text": "one", "answer_start": 6}]}]},
                    {"context": "Beta two.", "qas": [{"id": "q2", "question": "b?", "answers": [{"text": "two", "answer_start": 5}, {"text": "Beta two", "answer_start": 0}]}]},
                ],
            },
            {"title": "T2", "paragraphs": [
                {"context": "Gamma.", "qas": []},
                {"context": "Delta.", "qas": [{"id": "q3", "question": "d?", "answers": []}]},
            ]},
        ]
    )
    f = tmp_path / "s.json"
    f.write_text(json.dumps(data))
    contexts, questions, unit = load_squad(f)
    assert unit == "paragraph"
    assert [c.text for c in contexts] == ["Alpha one.", "Beta two.", "Gamma.", "Delta."]
    assert [c.name for c in contexts] == ["000", "001", "002", "003"]
    assert [(q.id, q.context_id, q.answers) for q in questions] == [
        ("q1", 0, ("one",)), ("q2", 1, ("two", "Beta two")), ("q3", 3, ()),
    ]
    files = write_contexts(contexts, tmp_path / "docs")
    assert sorted(files.values()) == [0, 1, 2, 3]
    assert (tmp_path / "docs" / "001.txt").read_text() == "Beta two."


def test_load_squad_article_unit_uses_document_id_when_untitled(tmp_path):
    data = _squad(
        [
            {"paragraphs": [{"context": "Long article.", "document_id": 77, "qas": [{"id": 5, "question": "q?", "answers": [{"text": "article", "answer_start": 5}], "is_impossible": False}]}]},
            {"paragraphs": [{"context": "Another.", "document_id": 78, "qas": []}]},
        ]
    )
    assert pick_unit(data["data"]) == "article"
    f = tmp_path / "c.json"
    f.write_text(json.dumps(data))
    contexts, questions, unit = load_squad(f)
    assert unit == "article"
    assert [c.name for c in contexts] == ["000_77", "001_78"]
    assert questions[0].id == "5" and questions[0].context_id == 0
