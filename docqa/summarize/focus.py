"""Topic-focused summaries: what attention selects across the index, in document order, cited.

The topic is retrieved and re-ranked exactly as a question in `ask`; the working set is filled
under the summarize budget; the passages are then shown in document order (a summary reads in
the order of its sources) and the result's citations are verified like an answer's.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field, replace

from docqa.answer import MODEL_ABSTAINS, ABSTAIN_TEXT, Spec, document_texts, fence_passages, fill, rerank, weak_evidence
from docqa.citations import Citation, verify
from docqa.errors import UsageError
from docqa.models.generation.base import Generator
from docqa.prompts import load_prompt
from docqa.retrieval.working_set import Passage, WorkingSet
from docqa.settings import Settings
from docqa.summarize.document import answer_room, trim_to_sentence


@dataclass
class FocusSummary:
    topic: str
    text: str
    answered: bool
    citations: list[Citation] = field(default_factory=list)
    abstain_reason: str = ""
    working_set: WorkingSet | None = None
    removed_citations: list[int] = field(default_factory=list)
    seconds: float = 0.0
    request_tokens: int = 0
    budget: int = 0

    def to_json(self) -> dict:
        """`docqa summarize --focus --json`."""
        return {"topic": self.topic, "summary": self.text, "answered": self.answered,
                "abstain_reason": self.abstain_reason or None, "citations": [asdict(c) for c in self.citations],
                "request_tokens": self.request_tokens, "budget": self.budget, "seconds": round(self.seconds, 2)}


def in_document_order(passages: list[Passage]) -> list[Passage]:
    ordered = sorted(passages, key=lambda p: (p.path, p.start))
    return [replace(p, n=n) for n, p in enumerate(ordered, start=1)]


def render(topic: str, passages: list[Passage], words: int) -> list[dict[str, str]]:
    return load_prompt("summarize_focus").messages(passages=fence_passages(passages), topic=topic.strip(), words=str(words))


def summarize_focus(
    index, generator: Generator, topic: str, settings: Settings, words: int | None = None,
    doc_ids: list[int] | None = None, on_token=None,
) -> FocusSummary:
    """Summarize what the indexed documents (or only `doc_ids`) say about `topic`."""
    if not topic.strip():
        raise UsageError("empty topic")
    t = time.perf_counter()
    words = words or settings.summarize.words
    room = answer_room(words)
    budget = min(settings.summarize.budget, generator.context_tokens)
    a = settings.answer
    hits = index.search(topic, k=settings.summarize.focus_candidates, doc_ids=doc_ids)
    candidates = rerank(topic, hits, index, a)
    result = FocusSummary(topic, ABSTAIN_TEXT, False, budget=budget)
    # Across the whole index, weak evidence means the topic is not there: abstain as ask does.
    # Within documents the user named, the topic is presumed there; the model may still say not.
    result.abstain_reason = weak_evidence(candidates, a) if doc_ids is None or not candidates else ""
    if result.abstain_reason:
        return result
    doc_text = document_texts(index)
    spec = Spec("summarize_focus", budget, room, granularity="passage", max_passages=16)
    ws = fill(topic, candidates, index, generator, spec, a,
              lambda passages: render(topic, in_document_order(passages), words))
    # The passages were counted in document order, so the renumbered set has the same count.
    ws = WorkingSet(in_document_order(ws.passages), ws.tokens, ws.budget, ws.decisions)
    result.working_set, result.request_tokens = ws, ws.tokens
    if not ws.passages:
        result.abstain_reason = "no candidate fits the working set (raise summarize.budget?)"
        return result
    gen = generator.generate(render(topic, ws.passages, words), max_new_tokens=room, on_token=on_token)
    raw = trim_to_sentence(gen.text, words)
    text, citations, removed, _ = verify(raw, ws, a.support_threshold, doc_text)
    result.removed_citations = removed
    result.seconds = time.perf_counter() - t
    if MODEL_ABSTAINS.search(raw):
        result.abstain_reason = "the model found nothing on the topic in the working set"
    elif not any(c.verified for c in citations):
        result.abstain_reason = "no sentence of the summary is supported by a passage"
    else:
        result.text, result.citations, result.answered = text, citations, True
    return result
