"""Chat memory: the conversation (verbatim turns + a running summary) and the evidence carried
between turns (passages with a weight, an age and their provenance).

Forgetting is explicit and measured in the generator's own tokens:

* conversation: when the summary plus the verbatim turns reach ``fold_at`` x ``history_tokens``,
  the oldest half of the turns is folded into the summary by the LLM (prompts/fold.md);
* evidence: a passage's weight is the attention weight it had when last used, times
  ``decay ** age`` (age = turns since it was last in a working set). Passages under
  ``eviction_floor`` are forgotten; while the set is over ``capacity_tokens`` the lowest
  score x recency passage goes.

Everything here is plain data that round-trips through JSON (sessions are stored as JSON).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field

from docqa.errors import UsageError
from docqa.models.generation.base import Generator, Message
from docqa.prompts import fence, load_prompt
from docqa.retrieval.working_set import Passage
from docqa.settings import ChatSettings

CountTokens = Callable[[str], int]
_CITATION = re.compile(r"\s*\[\d+(?:\s*[,;]\s*\d+)*\]")
# The summary is asked for in words; ~0.6 words per token keeps it under its token cap.
_WORDS_PER_TOKEN = 0.6


@dataclass
class Turn:
    n: int
    question: str
    rewritten: str
    answer: str  # citation markers removed: their numbers only meant something in that turn
    answered: bool
    tokens: int = 0  # exact generator tokens of render()

    def render(self) -> str:
        return f"User: {self.question}\nAssistant: {self.answer}"


@dataclass
class Evidence(Passage):
    """A working-set passage kept after its turn; `weight` is its attention weight in the last
    turn that used it."""

    born: int = 0  # turn it was first retrieved in: provenance across turns
    last_used: int = 0
    age: int = 0  # turns since last used
    tokens: int = 0  # exact generator tokens of text

    def strength(self, decay: float) -> float:
        """score x recency: weight x decay ** age."""
        return self.weight * decay**self.age

    @property
    def pages(self) -> str:
        return str(self.page_start) if self.page_start == self.page_end else f"{self.page_start}-{self.page_end}"


@dataclass
class Forgotten:
    evidence: Evidence
    reason: str  # "below floor" | "over capacity" | "by user"


@dataclass
class ChatMemory:
    turn: int = 0  # turns completed
    summary: str = ""
    summary_tokens: int = 0
    turns: list[Turn] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    tokenizer: str = ""  # the generator whose tokenizer made every count above

    # -- sizes ------------------------------------------------------------------------------------

    @property
    def history_tokens(self) -> int:
        return self.summary_tokens + sum(t.tokens for t in self.turns)

    @property
    def evidence_tokens(self) -> int:
        return sum(e.tokens for e in self.evidence)

    def ranked(self, decay: float) -> list[Evidence]:
        """Evidence strongest first: the order /memory shows and /forget N counts in."""
        return sorted(self.evidence, key=lambda e: -e.strength(decay))

    def chunk_weights(self, decay: float) -> dict[int, float]:
        """Remembered chunk id -> the decayed weight of the passage holding it."""
        return {cid: e.strength(decay) for e in self.evidence for cid in e.chunk_ids}

    # -- JSON -------------------------------------------------------------------------------------

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> ChatMemory:
        return cls(
            turn=int(data["turn"]), summary=str(data["summary"]), summary_tokens=int(data["summary_tokens"]),
            turns=[Turn(**t) for t in data["turns"]], evidence=[Evidence(**e) for e in data["evidence"]],
            tokenizer=str(data.get("tokenizer", "")),
        )

    def recount(self, count_tokens: CountTokens, tokenizer: str) -> None:
        """Counts made with another model's tokenizer are redone with this one."""
        if tokenizer == self.tokenizer:
            return
        self.summary_tokens = count_tokens(self.summary) if self.summary else 0
        for t in self.turns:
            t.tokens = count_tokens(t.render())
        for e in self.evidence:
            e.tokens = count_tokens(e.text)
        self.tokenizer = tokenizer

    # -- the conversation -------------------------------------------------------------------------

    def add_turn(self, question: str, rewritten: str, answer: str, answered: bool, count_tokens: CountTokens) -> Turn:
        self.turn += 1
        turn = Turn(self.turn, question.strip(), rewritten.strip(), _CITATION.sub("", answer).strip(), answered)
        turn.tokens = count_tokens(turn.render())
        self.turns.append(turn)
        return turn

    def conversation(self) -> str:
        """The conversation as the rewrite prompt shows it: summary, then the verbatim turns, fenced."""
        parts = []
        if self.summary:
            parts.append(fence(0, "summary of earlier turns", "-", self.summary))
        parts += [fence(t.n, f"turn {t.n}", "-", t.render()) for t in self.turns]
        return "\n\n".join(parts) or "(none)"

    def needs_fold(self, settings: ChatSettings) -> bool:
        return bool(self.turns) and self.history_tokens >= settings.fold_at * settings.history_tokens

    # -- the evidence -----------------------------------------------------------------------------

    def remember(self, passages: Sequence[Passage], count_tokens: CountTokens, settings: ChatSettings) -> list[Forgotten]:
        """After turn `self.turn` (already added): the working set's passages are used (age 0, weight refreshed), the
        rest of the evidence ages by one turn, then what fell under the floor or over capacity goes."""
        used_ids = {cid for p in passages for cid in p.chunk_ids}
        kept: list[Evidence] = []
        born: dict[int, int] = {}
        for e in self.evidence:
            if used_ids.intersection(e.chunk_ids):
                # Superseded by the working-set passage that contains it; its first turn survives.
                for cid in e.chunk_ids:
                    born[cid] = min(born.get(cid, e.born), e.born)
            else:
                e.age += 1
                kept.append(e)
        for p in passages:
            first = min((born[c] for c in p.chunk_ids if c in born), default=self.turn)
            kept.append(Evidence(**{**vars(p), "chunk_ids": sorted(p.chunk_ids), "ords": sorted(p.ords)},
                                 born=first, last_used=self.turn, tokens=count_tokens(p.text)))
        self.evidence = kept
        return self.evict(settings)

    def evict(self, settings: ChatSettings) -> list[Forgotten]:
        gone = [Forgotten(e, "below floor") for e in self.evidence if e.strength(settings.decay) < settings.eviction_floor]
        self.evidence = [e for e in self.evidence if e.strength(settings.decay) >= settings.eviction_floor]
        while self.evidence_tokens > settings.capacity_tokens:
            weakest = min(self.evidence, key=lambda e: (e.strength(settings.decay), e.last_used))
            self.evidence.remove(weakest)
            gone.append(Forgotten(weakest, "over capacity"))
        return gone

    def forget(self, n: int, decay: float) -> Forgotten:
        """Forget the n-th passage (1-based) in /memory's order."""
        ranked = self.ranked(decay)
        if not 1 <= n <= len(ranked):
            raise UsageError(f"no passage {n} in memory (it holds {len(ranked)})")
        self.evidence.remove(ranked[n - 1])
        return Forgotten(ranked[n - 1], "by user")

    def clear(self) -> None:
        self.summary, self.summary_tokens, self.turns, self.evidence = "", 0, [], []


def checked_tokens(generator: Generator, messages: Sequence[Message], max_new_tokens: int, what: str) -> int:
    """Exact prompt tokens of an LLM call; a call that would not fit the context is refused."""
    n = generator.count_chat_tokens(messages)
    if n + max_new_tokens > generator.context_tokens:
        raise UsageError(
            f"{what}: {n} prompt tokens + {max_new_tokens} answer room exceed the model's context "
            f"({generator.context_tokens}); shorten the question"
        )
    return n


def fold(memory: ChatMemory, generator: Generator, settings: ChatSettings) -> list[int]:
    """Fold the oldest turns into the running summary until the history is under fold_at.
    Returns the prompt tokens of each fold call."""
    calls: list[int] = []
    while memory.needs_fold(settings):
        k = math.ceil(len(memory.turns) / 2)
        folding, memory.turns = memory.turns[:k], memory.turns[k:]
        messages = load_prompt("fold").messages(
            summary=fence(0, "summary", "-", memory.summary) if memory.summary else "(none yet)",
            turns="\n\n".join(fence(t.n, f"turn {t.n}", "-", t.render()) for t in folding),
            words=str(int(settings.summary_tokens * _WORDS_PER_TOKEN)),
        )
        calls.append(checked_tokens(generator, messages, settings.summary_tokens, "fold"))
        text = generator.generate(messages, max_new_tokens=settings.summary_tokens).text.strip()
        memory.summary = _fit(text, generator.count_tokens, settings.summary_tokens)
        memory.summary_tokens = generator.count_tokens(memory.summary) if memory.summary else 0
    return calls


def _fit(text: str, count_tokens: CountTokens, limit: int) -> str:
    """Drop trailing words until `text` is at most `limit` tokens (re-tokenizing can differ from
    the generated token count by a token or two)."""
    words = text.split()
    while words and count_tokens(" ".join(words)) > limit:
        words.pop()
    return " ".join(words)
