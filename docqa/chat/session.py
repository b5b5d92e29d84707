"""ChatSession: one conversation turn = rewrite -> retrieve (+ remembered evidence) -> re-rank ->
working set -> generate -> verify citations -> remember / forget -> fold -> save.

The answer step is `docqa.answer.ask` itself, run over a `ChatRetriever`: the index's hybrid
search for the rewritten question, plus every chunk of the evidence memory. Re-ranking against
the rewritten question then decides which remembered passages are still relevant, so new and
old evidence compete on one scale and the working set keeps its exact token budget.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime

from docqa.answer import Answer, ask
from docqa.chat import sessions
from docqa.chat.memory import ChatMemory, Forgotten, checked_tokens, fold
from docqa.citations import content_words
from docqa.errors import BudgetExceeded, StoreError, UsageError
from docqa.models.generation.base import Generator
from docqa.prompts import load_prompt
from docqa.records import Hit

# The rewrite is one question: anything longer than this is the model rambling.
REWRITE_MAX_NEW_TOKENS = 64
_LEADING_LABEL = re.compile(r"^(standalone question|question|rewritten question)\s*:\s*", re.IGNORECASE)
# Words by which a follow-up points back into the conversation.
_REFERS = re.compile(r"\b(it|its|they|them|their|this|that|these|those|he|she|his|her|him|former|latter)\b", re.IGNORECASE)


def _grounded(rewrite: str, question: str, conversation: str) -> bool:
    """A usable rewrite: differs from the question, keeps most of its content words, and every
    content word it adds is in the conversation."""
    new, old = content_words(rewrite), content_words(question)
    if not rewrite or new == old or rewrite.lower() == question.lower():
        return False
    kept = len(new & old) / len(old) if old else 1.0
    return kept >= 0.6 and (new - old) <= content_words(conversation)


class ChatRetriever:
    """What `ask` retrieves from in a chat: the index's search plus the remembered chunks.

    A remembered chunk the search did not return enters with a retrieval score of its decayed
    memory weight times the best score of this search: memory acts as one more retrieval channel,
    and the re-ranker judges it on the same terms as fresh hits.
    """

    def __init__(self, index, remembered: dict[int, float]) -> None:
        self.index = index
        self.remembered = remembered

    def __getattr__(self, name: str):
        # Everything but search is the index's own (store, embedder, token cache, documents...).
        return getattr(self.index, name)

    def search(self, query: str, k: int, mode: str = "hybrid", doc_ids: list[int] | None = None) -> list[Hit]:
        hits = self.index.search(query, k=k, mode=mode, doc_ids=doc_ids)
        top = max((h.score for h in hits), default=1.0)
        found = {h.chunk_id for h in hits}
        stored = self.index.store.hits([cid for cid in self.remembered if cid not in found])
        return hits + [replace(h, score=top * self.remembered[cid]) for cid, h in stored.items()]


@dataclass
class TurnResult:
    question: str
    rewritten: str
    rewrite_method: str  # none | llm | context (see ChatSession.rewrite)
    answer: Answer
    cancelled: bool = False
    forgotten: list[Forgotten] = field(default_factory=list)
    tokens: dict[str, int] = field(default_factory=dict)  # prompt tokens per LLM call, and the context
    timings: dict[str, float] = field(default_factory=dict)

    def to_json(self, memory: dict) -> dict:
        """`docqa ask --session --json`: the answer, the rewrite, this turn's tokens, the session's memory."""
        return self.answer.to_json() | {"rewritten": self.rewritten, "rewrite_method": self.rewrite_method,
                                        "turn_tokens": self.tokens, "memory": memory}


def new_name() -> str:
    return datetime.now().strftime("chat-%Y%m%d-%H%M%S")


class ChatSession:
    """A named conversation over one Index; its memory is saved to the store after every turn."""

    def __init__(self, index, name: str, memory: ChatMemory, last: dict | None = None) -> None:
        self.index = index
        self.name = name
        self.memory = memory
        self.last: dict = last or {}  # the latest turn's rewrite and citations, for /sources

    @property
    def settings(self):
        return self.index.settings.chat

    @classmethod
    def open(cls, index, name: str | None = None, create: bool = True) -> ChatSession:
        """Resume session `name` from the store, or start it (a new dated name when None)."""
        name = name or new_name()
        if not name.strip():
            raise UsageError("empty session name")
        state = sessions.load(index.store, name)
        if state is None:
            if not create:
                raise UsageError(f"no chat session named {name!r} (docqa chat --list shows them)")
            return cls(index, name, ChatMemory())
        try:
            memory = ChatMemory.from_dict(state["memory"])
        except (KeyError, TypeError, ValueError) as exc:
            raise StoreError(f"chat session {name!r}: stored memory is not in this docqa's format ({exc})") from exc
        return cls(index, name, memory, state.get("last"))

    def generator(self, progress=None) -> Generator:
        gen = self.index.generator(progress)
        self.memory.recount(gen.count_tokens, gen.name)
        return gen

    def save(self) -> None:
        sessions.save(self.index.store, self.name, {"memory": self.memory.to_dict(), "last": self.last})

    # -- a turn ---------------------------------------------------------------------------------

    def rewrite(self, question: str, generator: Generator) -> tuple[str, str, int]:
        """(standalone question, method, prompt tokens); method is none | llm | context.

        A question that refers to nothing (no pronoun or "this X") is its own rewrite. Otherwise the
        LLM rewrites it; the rewrite is kept only when it changed the question, kept its words and
        added only words the conversation holds (a small model often copies the question or invents
        a name). Failing that, the question is tied to the previous standalone question.
        """
        question = question.strip()
        previous = self.memory.turns[-1].rewritten if self.memory.turns else ""
        if not self.settings.rewrite or not (previous or self.memory.summary) or not _REFERS.search(question):
            return question, "none", 0
        messages = load_prompt("rewrite").messages(conversation=self.memory.conversation(), question=question)
        n = checked_tokens(generator, messages, REWRITE_MAX_NEW_TOKENS, "rewrite")
        text = generator.generate(messages, max_new_tokens=REWRITE_MAX_NEW_TOKENS).text.strip()
        line = _LEADING_LABEL.sub("", text.splitlines()[0] if text else "").strip().strip('"').strip()
        earlier = {t.question.lower() for t in self.memory.turns} | {t.rewritten.lower() for t in self.memory.turns}
        # A copy of an earlier question is the model answering the wrong task, however grounded.
        if line.lower() not in earlier and _grounded(line, question, self.memory.conversation()):
            return line, "llm", n
        if previous:
            return f"{question} (follow-up to: {previous})", "context", n
        return question, "none", n

    def ask(
        self,
        question: str,
        on_token: Callable[[str], bool | None] | None = None,
        cancelled: Callable[[], bool] = lambda: False,
    ) -> TurnResult:
        """One turn. `on_token` streams the draft reply (True stops it); `cancelled()` is polled while
        either model generates; a cancelled turn leaves memory untouched."""
        from docqa.models.device import resolve_device

        if not question.strip():
            raise UsageError("empty question")
        settings = self.index.settings
        gen = self.generator()
        t = time.perf_counter()
        rewritten, method, rewrite_tokens = self.rewrite(question, gen)
        timings = {"rewrite_s": time.perf_counter() - t}
        tokens = {"context": gen.context_tokens, "rewrite_prompt": rewrite_tokens}
        result = TurnResult(question, rewritten, method, Answer(rewritten, "", False), tokens=tokens, timings=timings)
        if cancelled():
            result.cancelled = True
            return result

        retriever = ChatRetriever(self.index, self.memory.chunk_weights(self.settings.decay))
        ans = ask(rewritten, retriever, gen, settings.answer, on_token=on_token,
                  device=resolve_device(settings.device), asked=question if method == "context" else rewritten,
                  stronger=self.index.escalation(gen), stop=cancelled)
        result.answer = ans
        timings.update(ans.timings)
        if ans.working_set is not None:
            # ws.tokens counts template, passages, question and the answer room with the model's tokenizer.
            if ans.working_set.tokens > gen.context_tokens:
                raise BudgetExceeded(f"working set {ans.working_set.tokens} tokens > context {gen.context_tokens}")
            tokens["answer_request"] = ans.working_set.tokens
        if cancelled():
            result.cancelled = True
            return result

        t = time.perf_counter()
        self.memory.add_turn(question, rewritten, ans.text, ans.answered, gen.count_tokens)
        used = ans.working_set.passages if ans.answered and ans.working_set else []
        result.forgotten = self.memory.remember(used, gen.count_tokens, self.settings)
        fold_calls = fold(self.memory, gen, self.settings)
        if fold_calls:
            tokens["fold_prompt"] = max(fold_calls)
        timings["memory_s"] = time.perf_counter() - t
        self.last = {
            "question": question, "rewritten": rewritten, "rewrite_method": method, "answer": ans.text, "answered": ans.answered,
            "citations": [asdict(c) for c in ans.citations],
        }
        self.save()
        return result

    # -- user commands --------------------------------------------------------------------------

    def forget(self, n: int) -> Forgotten:
        gone = self.memory.forget(n, self.settings.decay)
        self.save()
        return gone

    def clear(self) -> None:
        self.memory.clear()
        self.last = {}
        self.save()

    def report(self) -> dict:
        """The memory as /memory and --json show it: sizes against their limits, passages, turns."""
        m, s = self.memory, self.settings
        return {
            "session": self.name,
            "turns": m.turn,
            "evidence_tokens": m.evidence_tokens,
            "capacity_tokens": s.capacity_tokens,
            "history_tokens": m.history_tokens,
            "history_limit": s.history_tokens,
            "summary": m.summary,
            "summary_tokens": m.summary_tokens,
            "last_rewrite": self.last.get("rewritten"),
            "last_rewrite_method": self.last.get("rewrite_method"),
            "evidence": [
                {"n": n, "path": e.path, "pages": e.pages, "weight": round(e.strength(s.decay), 4), "score": round(e.weight, 4),
                 "age": e.age, "born": e.born, "last_used": e.last_used, "tokens": e.tokens, "chunk_ids": e.chunk_ids}
                for n, e in enumerate(m.ranked(s.decay), start=1)
            ],
            "recent_turns": [{"n": t.n, "question": t.question, "rewritten": t.rewritten, "tokens": t.tokens} for t in m.turns],
        }
