"""Chat memory with a fake generator: decay, eviction, capacity, folding, rewrite rules, persistence."""

from __future__ import annotations

import json
import subprocess
import sys
from types import SimpleNamespace

import pytest

from docqa.chat import ChatMemory, ChatSession, sessions
from docqa.chat.memory import checked_tokens, fold
from docqa.errors import StoreError, UsageError
from docqa.memory.store import Store
from docqa.retrieval.working_set import Passage
from docqa.settings import ChatSettings, load_settings
from tests.unit.fakes import FakeGenerator

COUNT = FakeGenerator().count_tokens  # whitespace tokens


def passage(chunk: int, weight: float, words: int = 10, page: int = 1) -> Passage:
    text = " ".join(f"w{chunk}_{i}" for i in range(words))
    return Passage(1, "/docs/report.pdf", "report", page, page, "", 0, len(text), text, [chunk], [chunk], weight)


def turn(memory: ChatMemory, passages: list[Passage], settings: ChatSettings):
    memory.add_turn("q", "q", "a", True, COUNT)
    return memory.remember(passages, COUNT, settings)


def test_unused_evidence_decays_and_used_evidence_is_refreshed():
    s = ChatSettings(decay=0.5, eviction_floor=0.0)
    m = ChatMemory()
    turn(m, [passage(1, 0.8), passage(2, 0.4)], s)
    turn(m, [passage(2, 0.6)], s)
    by_chunk = {e.chunk_ids[0]: e for e in m.evidence}
    assert by_chunk[1].age == 1 and by_chunk[1].strength(s.decay) == pytest.approx(0.4)
    assert by_chunk[2].age == 0 and by_chunk[2].strength(s.decay) == pytest.approx(0.6)
    # Provenance: chunk 2 was first retrieved in turn 1, and that survives its reuse in turn 2.
    assert by_chunk[2].born == 1 and by_chunk[2].last_used == 2


def test_evidence_under_the_floor_is_forgotten():
    s = ChatSettings(decay=0.5, eviction_floor=0.1)
    m = ChatMemory()
    turn(m, [passage(1, 0.3)], s)
    assert turn(m, [], s) == []  # 0.15: kept
    gone = turn(m, [], s)  # 0.075: under the floor
    assert [(g.evidence.chunk_ids, g.reason) for g in gone] == [([1], "below floor")]
    assert m.evidence == []


def test_capacity_evicts_lowest_score_times_recency_first():
    s = ChatSettings(capacity_tokens=128, decay=0.5, eviction_floor=0.0)
    m = ChatMemory()
    turn(m, [passage(1, 0.9, words=60), passage(2, 0.5, words=60)], s)
    assert m.evidence_tokens == 120
    # Turn 2 brings 40 tokens: 160 > 128. Chunk 2 (0.5 * 0.5 = 0.25) goes before chunk 1 (0.45).
    gone = turn(m, [passage(3, 0.3, words=40)], s)
    assert [(g.evidence.chunk_ids, g.reason) for g in gone] == [([2], "over capacity")]
    assert m.evidence_tokens == 100 <= s.capacity_tokens
    for _ in range(10):  # a long conversation never grows past capacity
        turn(m, [passage(10 + _, 0.5, words=50)], s)
        assert m.evidence_tokens <= s.capacity_tokens


def test_history_is_folded_into_a_summary_before_it_exceeds_its_budget():
    s = ChatSettings(history_tokens=100, fold_at=0.9, summary_tokens=40)
    gen = FakeGenerator(answer="summary of turns one and two")
    m = ChatMemory()
    for i in range(3):
        m.add_turn(f"question {i} " + "x " * 20, f"question {i}", "answer " * 10, True, gen.count_tokens)
    assert m.needs_fold(s)  # 3 turns of 34 tokens: 102 >= 90
    calls = fold(m, gen, s)
    assert calls and len(gen.calls) == len(calls)
    assert m.summary == "summary of turns one and two" and m.summary_tokens == 6
    assert m.history_tokens < s.fold_at * s.history_tokens
    assert [t.n for t in m.turns] == [3]  # the oldest went first, the newest stays verbatim
    folded = gen.calls[0][-1]["content"]
    assert "question 0" in folded and "question 1" in folded and "question 2" not in folded


def test_a_runaway_summary_is_cut_to_its_token_cap():
    s = ChatSettings(history_tokens=100, summary_tokens=40)
    m = ChatMemory()
    m.add_turn("q " * 95, "q", "a", True, COUNT)
    fold(m, FakeGenerator(answer="word " * 300), s)
    assert m.summary_tokens == 40 and m.turns == []


def test_citation_markers_are_not_kept_in_the_conversation():
    m = ChatMemory()
    t = m.add_turn("How much?", "How much?", "It was $4.2 million [1][2]. More [3].", True, COUNT)
    assert t.answer == "It was $4.2 million. More."


def test_forget_and_clear():
    s = ChatSettings()
    m = ChatMemory()
    turn(m, [passage(1, 0.9), passage(2, 0.2)], s)
    assert m.forget(2, s.decay).evidence.chunk_ids == [2]  # n counts in /memory's order: strongest first
    with pytest.raises(UsageError):
        m.forget(5, s.decay)
    m.clear()
    assert m.evidence == [] and m.turns == [] and m.history_tokens == 0


def test_a_call_that_would_overflow_the_context_is_refused():
    gen = FakeGenerator(context_tokens=100)
    messages = [{"role": "user", "content": "w " * 80}]
    assert checked_tokens(gen, messages, 10, "rewrite") == 80 + 5
    with pytest.raises(UsageError, match="exceed the model's context"):
        checked_tokens(gen, messages, 20, "rewrite")


def test_summary_must_fit_under_the_fold_threshold():
    with pytest.raises(Exception, match="summary_tokens"):
        load_settings({"chat": {"history_tokens": 100, "summary_tokens": 95}}, environ={})


def _session(memory: ChatMemory, rewrite: bool = True) -> ChatSession:
    settings = load_settings({"chat": {"rewrite": rewrite}}, environ={})
    return ChatSession(SimpleNamespace(settings=settings), "t", memory)


def _after_first_turn() -> ChatMemory:
    m = ChatMemory()
    m.add_turn("What is the incubation period of MERS-CoV?", "What is the incubation period of MERS-CoV?",
               "Five days [1].", True, COUNT)
    return m


def test_rewrite_is_kept_when_grounded_in_the_conversation():
    gen = FakeGenerator(answer="How is MERS-CoV transmitted between camels?")
    q, method, tokens = _session(_after_first_turn()).rewrite("How is this virus transmitted between camels?", gen)
    assert (q, method) == ("How is MERS-CoV transmitted between camels?", "llm") and tokens > 0
    assert "MERS-CoV" in gen.calls[0][-1]["content"]  # the conversation reached the prompt


@pytest.mark.parametrize("reply", ["How is this virus transmitted between camels?", "How is Ebola transmitted between camels?", ""])
def test_a_copied_or_invented_rewrite_falls_back_to_the_previous_question(reply):
    q, method, _ = _session(_after_first_turn()).rewrite("How is this virus transmitted between camels?", FakeGenerator(answer=reply))
    assert method == "context"
    assert q == "How is this virus transmitted between camels? (follow-up to: What is the incubation period of MERS-CoV?)"


def test_a_rewrite_that_copies_an_earlier_question_is_rejected():
    # "What is it?" has no content words of its own, so only this rule catches the copy.
    gen = FakeGenerator(answer="What is the incubation period of MERS-CoV?")
    q, method, _ = _session(_after_first_turn()).rewrite("What is it?", gen)
    assert method == "context" and q.startswith("What is it? (follow-up to:")


def test_no_rewrite_without_a_reference_or_when_switched_off():
    gen = FakeGenerator(answer="anything")
    assert _session(_after_first_turn()).rewrite("What do camels eat?", gen) == ("What do camels eat?", "none", 0)
    assert _session(_after_first_turn(), rewrite=False).rewrite("Is it deadly?", gen) == ("Is it deadly?", "none", 0)
    assert _session(ChatMemory()).rewrite("Is it deadly?", gen)[1] == "none"  # nothing to refer back to
    assert gen.calls == []


_CHILD = """
import json, os, signal, sys
from pathlib import Path
from docqa.chat import ChatMemory, sessions
from docqa.memory.store import Store
from docqa.retrieval.working_set import Passage
from docqa.settings import ChatSettings

count = lambda t: len(t.split())
m = ChatMemory(tokenizer="fake")
for i in range(3):
    m.add_turn(f"question {i}", f"question {i}", f"answer {i} [1]", True, count)
    m.remember([Passage(1, "/d.pdf", "d", i, i, "", 0, 9, f"text of page {i}", [i], [i], 0.5 + i / 10)],
               count, ChatSettings())
store = Store(Path(sys.argv[1]))
sessions.save(store, "s1", {"memory": m.to_dict(), "last": {"question": "question 2"}})
print(json.dumps(m.to_dict()), flush=True)
os.kill(os.getpid(), signal.SIGKILL)  # no close, no cleanup: only what was committed survives
"""


def test_saved_session_survives_a_killed_process_and_resumes_the_same(tmp_path):
    child = subprocess.run([sys.executable, "-c", _CHILD, str(tmp_path)], capture_output=True, text=True)
    assert child.returncode == -9, child.stderr
    before = json.loads(child.stdout)
    store = Store(tmp_path)
    try:
        state = sessions.load(store, "s1")
        resumed = ChatMemory.from_dict(state["memory"])
        assert resumed.to_dict() == before
        assert resumed.turn == 3 and len(resumed.evidence) == 3 and state["last"] == {"question": "question 2"}
        assert [s.name for s in sessions.listing(store)] == ["s1"]
        assert sessions.load(store, "nope") is None
        assert sessions.delete(store, "s1") and sessions.listing(store) == []
    finally:
        store.close()


def test_counts_are_redone_when_the_tokenizer_changes():
    m = ChatMemory(tokenizer="fake")
    m.add_turn("a b c", "a b c", "d e", True, COUNT)
    m.remember([passage(1, 0.5, words=10)], COUNT, ChatSettings())
    m.recount(lambda t: 2 * len(t.split()), "other")
    assert m.tokenizer == "other" and m.evidence_tokens == 20 and m.turns[0].tokens == 2 * COUNT(m.turns[0].render())


def test_remembered_chunks_join_the_search_with_their_memory_weight():
    from docqa.chat.session import ChatRetriever
    from docqa.records import Hit

    def hit(cid: int, score: float = 0.0) -> Hit:
        return Hit(cid, 1, "/d.pdf", "d", cid, f"chunk {cid}", 1, 1, "", 0, 5, score)

    store = SimpleNamespace(hits=lambda ids: {i: hit(i) for i in ids if i != 99})  # chunk 99 was deleted
    index = SimpleNamespace(store=store, embedder=None, token_cache=None,
                            search=lambda q, k, mode, doc_ids: [hit(1, 0.04), hit(2, 0.02)])
    hits = ChatRetriever(index, {2: 0.9, 7: 0.5, 99: 0.8}).search("q", 40)
    assert [(h.chunk_id, h.score) for h in hits] == [(1, 0.04), (2, 0.02), (7, pytest.approx(0.02))]


def test_a_stored_state_in_another_format_is_one_clear_error(tmp_path):
    store = Store(tmp_path)
    try:
        sessions.save(store, "old", {"memory": {"turn": 1, "evidence": [{"score": 1}]}})
        index = SimpleNamespace(store=store, settings=load_settings(environ={}))
        with pytest.raises(StoreError, match="chat session 'old': stored memory is not in this docqa's format"):
            ChatSession.open(index, "old")
        with pytest.raises(UsageError, match="no chat session named 'new'"):
            ChatSession.open(index, "new", create=False)
    finally:
        store.close()
