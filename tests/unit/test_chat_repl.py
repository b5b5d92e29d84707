"""REPL slash commands on a session whose memory is built with a fake tokenizer (no models)."""

from __future__ import annotations

from types import SimpleNamespace

from rich.console import Console

from docqa.chat import ChatMemory, ChatSession, sessions
from docqa.chat.repl import _command
from docqa.memory.store import Store
from docqa.retrieval.working_set import Passage
from docqa.settings import load_settings


def make_session(tmp_path) -> tuple[ChatSession, Store]:
    store = Store(tmp_path)
    settings = load_settings(environ={})
    m = ChatMemory()
    count = lambda t: len(t.split())  # noqa: E731
    m.add_turn("How many schools?", "How many schools?", "42 schools [1].", True, count)
    m.remember([Passage(1, "/d/budget.pdf", "b", 3, 3, "", 0, 9, "rural grants text", [5], [0], 0.7),
                Passage(1, "/d/budget.pdf", "b", 1, 1, "", 0, 9, "intro text", [6], [1], 0.2)], count, settings.chat)
    return ChatSession(SimpleNamespace(store=store, settings=settings), "s", m, {"rewritten": "How many schools?",
                                                                                  "rewrite_method": "none"}), store


def run(session: ChatSession, line: str) -> tuple[bool, str]:
    console = Console(record=True, width=140)
    keep_going = _command(session, line, console)
    return keep_going, console.export_text()


def test_memory_forget_clear_and_exit(tmp_path):
    session, store = make_session(tmp_path)
    try:
        ok, text = run(session, "/memory")
        assert ok and "evidence 5 / 1600 tokens" in text and "budget.pdf" in text and "last rewrite (none)" in text
        ok, text = run(session, "/forget 1")  # the strongest: page 3
        assert "forgot budget.pdf p.3" in text and [e.page_start for e in session.memory.evidence] == [1]
        assert len(sessions.load(store, "s")["memory"]["evidence"]) == 1  # forgetting is saved at once
        assert "usage" in run(session, "/forget x")[1]
        assert "unknown command" in run(session, "/nope")[1]
        assert "no sources yet" in run(session, "/sources")[1]
        run(session, "/clear")
        assert session.memory.evidence == [] and session.memory.turns == []
        assert run(session, "/exit")[0] is False
    finally:
        store.close()
