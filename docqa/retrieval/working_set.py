"""The working set: the bounded working memory the LLM answers from.

Candidates enter in order of attention (with MMR so near-duplicates don't crowd it), adjacent
chunks of one document merge into one passage, and the whole prompt — template, question,
passages and the room reserved for the answer — is counted with the generator's own tokenizer
and never exceeds the budget.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np

from docqa.prompts import quarantined_spans
from docqa.records import Hit
from docqa.retrieval.attention import Candidate
from docqa.retrieval.sentences import Sentence

# A sentence that addresses the model ("ignore your rules", "reply only with"), or echoes such a
# sentence's payload, never enters the working set; the rest of its paragraph does, so a fact beside
# an injected sentence is still answered. A passage with a paragraph written only to the model is a
# hostile one: weight 0, ranked last (it stays searchable), since its other paragraphs are bait on
# the question's topic (bench/injection.py: read at x0.5 they were cited in 6 of 20 answers). Demoting whole passages instead did not hold: with weight x 0.1, the "official
# figure" style of bench/injection.py still reached the model in 13 of 20 questions. False turns
# this first layer off, so that bench/injection.py and the e2e tests can measure the second
# (prompts.fence, the same quarantine applied to the prompt text) alone.
EXCLUDE_INSTRUCTIONS = True
# The other sentences of a passage that gave instructions are read after clean evidence of the same
# relevance: a hostile document's on-topic bait ("X: notes for the record") otherwise fills the set.
TAINTED_WEIGHT = 0.5


@dataclass
class Passage:
    doc_id: int
    path: str
    title: str
    page_start: int
    page_end: int
    section: str
    start: int  # offsets into the document's extracted text
    end: int
    text: str
    chunk_ids: list[int]
    ords: list[int]
    weight: float  # summed attention weight of its chunks
    n: int = 0  # citation number, assigned when the set is final
    # (start, end, score) of the scored sentences it holds, document offsets (sentence-level sets)
    sentences: list[tuple[int, int, float]] = field(default_factory=list)
    line_start: int = 0  # the source lines (sheet rows) its chunks span; 0 when the format has none
    line_end: int = 0

    def add_lines(self, h: Hit) -> None:
        if h.line_start:
            self.line_start = min(self.line_start or h.line_start, h.line_start)
            self.line_end = max(self.line_end, h.line_end)


@dataclass
class Decision:
    chunk_id: int
    weight: float
    outcome: str  # added | merged | below-floor | near-duplicate | over-budget | below-margin | instruction


@dataclass
class WorkingSet:
    passages: list[Passage]
    tokens: int  # prompt tokens with these passages, plus the answer room
    budget: int
    decisions: list[Decision] = field(default_factory=list)

    def passage(self, n: int) -> Passage | None:
        return next((p for p in self.passages if p.n == n), None)


# Measures the full request for a list of passages: prompt tokens + answer room.
Measure = Callable[[list[Passage]], int]
# Returns the document's extracted text, to merge adjacent chunks by offsets.
DocText = Callable[[int], str]


def _mmr_order(cands: list[Candidate], vectors: np.ndarray, lam: float, dup: float) -> list[tuple[int, str]]:
    """Maximal marginal relevance order, and near-duplicates marked for dropping."""
    scores = np.array([c.score for c in cands])
    span = scores.max() - scores.min()
    rel = (scores - scores.min()) / span if span > 0 else np.ones_like(scores)
    chosen: list[int] = []
    out: list[tuple[int, str]] = []
    left = list(range(len(cands)))
    while left:
        if chosen:
            sim = vectors[left] @ vectors[chosen].T
            max_sim = sim.max(axis=1)
        else:
            max_sim = np.zeros(len(left))
        mmr = lam * rel[left] - (1 - lam) * max_sim
        pick = int(np.argmax(mmr))
        i = left.pop(pick)
        if max_sim[pick] >= dup:
            out.append((i, "near-duplicate"))
        else:
            chosen.append(i)
            out.append((i, "ok"))
    return out


def _merge(p: Passage, c: Candidate, doc_text: DocText) -> bool:
    """Fold chunk `c` into passage `p` when it touches it (same page and section). Returns merged."""
    h = c.hit
    if h.doc_id != p.doc_id or h.page_start != p.page_start or h.section != p.section:
        return False
    if not (h.ord in (min(p.ords) - 1, max(p.ords) + 1) or h.start <= p.end and h.end >= p.start):
        return False
    start, end = min(p.start, h.start), max(p.end, h.end)
    p.text = doc_text(p.doc_id)[start:end]
    p.start, p.end = start, end
    p.chunk_ids.append(h.chunk_id)
    p.ords.append(h.ord)
    p.add_lines(h)
    p.weight += c.weight
    return True


def _paragraphs(text: str) -> list[tuple[int, int]]:
    bounds, start = [], 0
    for m in re.finditer(r"\n[ \t]*\n", text):
        bounds.append((start, m.start()))
        start = m.end()
    return bounds + [(start, len(text))]


def hostile(text: str, spans: list[tuple[int, int]]) -> bool:
    """Whether a paragraph of `text` is written to the model: quarantined sentences make up two thirds
    of it or more (an order and its justification: "... print your prompt. This is required for an
    audit."). Such a passage is a hostile one and its other paragraphs are its bait; an instruction
    slipped into a paragraph of real content is only cut from it."""
    for a, b in _paragraphs(text):
        inside = [(max(a, x), min(b, y)) for x, y in spans if x < b and y > a]
        if not inside:
            continue
        cut = sum(_letters(text[x:y]) for x, y in inside)
        if cut * 3 >= _letters(text[a:b]) * 2:
            return True
    return False


def _letters(text: str) -> int:
    return sum(ch.isalnum() for ch in text)


def excluded(c: Candidate) -> bool:
    """Whether the first injection layer keeps this candidate out of every working set (a hostile
    passage: see `hostile`)."""
    return EXCLUDE_INSTRUCTIONS and hostile(c.hit.text, quarantined_spans(c.hit.text))


def _exclude_instructions(candidates: list[Candidate]) -> list[Candidate]:
    """Excluded candidates get weight 0 (below any floor) and rank last."""
    lowest = min((c.score for c in candidates), default=0.0)
    return [replace(c, weight=0.0, score=lowest - 1e-3 * (1 - c.weight)) if excluded(c) else c for c in candidates]


def readable(sentences: list[Sentence]) -> tuple[list[Sentence], list[Decision]]:
    """The sentences the model may read, and a decision for each one it may not: a sentence inside a
    quarantined span of its chunk (an instruction, or one echoing its payload). The rest of that
    chunk stays eligible at TAINTED_WEIGHT, so a fact beside an injected sentence is still answered."""
    if not EXCLUDE_INSTRUCTIONS:
        return sentences, []
    spans: dict[int, list[tuple[int, int]]] = {}
    kept: list[Sentence] = []
    dropped: list[Decision] = []
    for s in sentences:
        h = s.candidate.hit
        if h.chunk_id not in spans:
            cut = quarantined_spans(h.text)
            # A hostile passage is cut whole; otherwise only its quarantined sentences.
            cut = [(0, len(h.text))] if hostile(h.text, cut) else cut
            spans[h.chunk_id] = [(h.start + a, h.start + b) for a, b in cut]
        if any(a < s.end and s.start < b for a, b in spans[h.chunk_id]):
            dropped.append(Decision(h.chunk_id, s.score, "instruction"))
        else:
            kept.append(replace(s, score=s.score * TAINTED_WEIGHT) if spans[h.chunk_id] else s)
    return kept, dropped


def build(
    candidates: list[Candidate],
    vectors: np.ndarray,
    measure: Measure,
    budget: int,
    doc_text: DocText,
    *,
    floor: float = 0.01,
    mmr_lambda: float = 0.75,
    duplicate_cos: float = 0.95,
    max_passages: int = 12,
    pinned: list[Passage] | None = None,
) -> WorkingSet:
    """Fill the working set greedily by attention, within `budget` tokens as `measure` counts them.

    `vectors` holds the candidates' unit embeddings, row i for candidates[i]. `pinned` passages
    (a stored document summary) enter first when they fit, whatever the attention says.
    """
    decisions: list[Decision] = []
    candidates = _exclude_instructions(candidates)
    keep = [i for i, c in enumerate(candidates) if c.weight >= floor]
    for i, c in enumerate(candidates):
        if c.weight < floor:
            decisions.append(Decision(c.hit.chunk_id, c.weight, "below-floor"))
    passages: list[Passage] = []
    tokens = measure(passages)
    for p in pinned or []:
        trial = _numbered(passages + [p])
        if measure(trial) <= budget:
            passages, tokens = trial, measure(trial)
    if keep:
        kept = [candidates[i] for i in keep]
        for j, verdict in _mmr_order(kept, vectors[keep], mmr_lambda, duplicate_cos):
            c = kept[j]
            if verdict == "near-duplicate":
                decisions.append(Decision(c.hit.chunk_id, c.weight, "near-duplicate"))
                continue
            trial = [Passage(**{**vars(p), "chunk_ids": list(p.chunk_ids), "ords": list(p.ords)}) for p in passages]
            merged = any(_merge(p, c, doc_text) for p in trial)
            if not merged:
                if len(trial) >= max_passages:
                    decisions.append(Decision(c.hit.chunk_id, c.weight, "over-budget"))
                    continue
                h = c.hit
                trial.append(
                    Passage(h.doc_id, h.path, h.title, h.page_start, h.page_end, h.section, h.start, h.end,
                            h.text, [h.chunk_id], [h.ord], c.weight)
                )
                trial[-1].add_lines(h)
            trial = _numbered(trial)
            need = measure(trial)
            if need <= budget:
                passages, tokens = trial, need
                decisions.append(Decision(c.hit.chunk_id, c.weight, "merged" if merged else "added"))
            else:
                decisions.append(Decision(c.hit.chunk_id, c.weight, "over-budget"))
    return WorkingSet(passages, tokens, budget, decisions)


def build_sentences(
    sentences: list[Sentence],
    measure: Measure,
    budget: int,
    doc_text: DocText,
    *,
    count: Callable[[str], int] | None = None,
    neighbours: int = 1,
    max_passages: int = 12,
    margin: float | None = None,
) -> WorkingSet:
    """Fill the working set in two passes: the sentences that score best, each alone, best first, while the
    whole request fits `budget` and (with a `margin`) they score within `margin` of the best one; then, in the
    same order, up to `neighbours` sentences either side of each, for context, while they fit.

    The evidence comes before its context: filled a sentence and its neighbours at a time, three long
    sentences used the budget and the runner-up that answered stayed out (COVID-QA: working-set hit 0.565 ->
    0.595 on 200 questions, XQuAD-en 0.935 -> 0.945). Chosen sentences that touch in one document join into one
    passage (an excerpt), so the prompt reads like the document, in document order, and a quote is always a
    contiguous span. `count` (text -> tokens) estimates an evidence sentence before it is measured exactly,
    so the ones that cannot fit cost no render of the prompt; context is always measured (estimated alone, a
    sentence that joins an excerpt counts more tokens than it adds, and working-set hit fell to 0.585).
    """
    sentences, decisions = readable(sentences)
    by_chunk: dict[int, list[Sentence]] = {}
    for s in sorted(sentences, key=lambda s: s.index):
        by_chunk.setdefault(s.candidate.hit.chunk_id, []).append(s)
    chosen: dict[tuple[int, int, int], Sentence] = {}
    passages: list[Passage] = []
    tokens = measure(passages)

    def take(group: list[Sentence]) -> bool:
        nonlocal passages, tokens
        trial = _excerpts({**chosen, **{x.key: x for x in group}}, doc_text)
        need = measure(trial) if len(trial) <= max_passages else budget + 1
        if need > budget:
            return False
        chosen.update((x.key, x) for x in group)
        passages, tokens = trial, need
        return True

    ranked = sorted(sentences, key=lambda s: -s.score)
    evidence: list[Sentence] = []
    for s in ranked:
        if margin is not None and s.score < ranked[0].score - margin:
            decisions.append(Decision(s.candidate.hit.chunk_id, s.score, "below-margin"))
        elif (count is None or tokens + count(doc_text(s.candidate.hit.doc_id)[s.start:s.end]) <= budget) and take([s]):
            evidence.append(s)
            decisions.append(Decision(s.candidate.hit.chunk_id, s.score, "added"))
        else:
            decisions.append(Decision(s.candidate.hit.chunk_id, s.score, "over-budget"))
    for s in evidence:
        around = [x for x in by_chunk[s.candidate.hit.chunk_id] if 0 < abs(x.index - s.index) <= neighbours and x.key not in chosen]
        # Both sides if they fit, else the nearer ones one at a time.
        if around and not take(around):
            for x in sorted(around, key=lambda x: abs(x.index - s.index)):
                take([x])
    return WorkingSet(passages, tokens, budget, decisions)


def _excerpts(chosen: dict[tuple[int, int, int], Sentence], doc_text: DocText) -> list[Passage]:
    """Chosen sentences as passages: touching ones of a document joined; documents ordered by their
    best sentence, each read in document order; numbered from 1 in that order."""
    docs: dict[int, list[Sentence]] = {}
    for s in chosen.values():
        docs.setdefault(s.candidate.hit.doc_id, []).append(s)
    passages: list[Passage] = []
    for doc_id in sorted(docs, key=lambda d: -max(s.score for s in docs[d])):
        text = doc_text(doc_id)
        current: Passage | None = None
        for s in sorted(docs[doc_id], key=lambda s: (s.start, s.end)):
            h = s.candidate.hit
            joins = (current is not None and current.page_start == h.page_start
                     and (s.start <= current.end or not text[current.end : s.start].strip()))
            if joins:
                current.end = max(current.end, s.end)
                current.text = text[current.start : current.end]
                current.weight = max(current.weight, s.score)
                if h.chunk_id not in current.chunk_ids:
                    current.chunk_ids.append(h.chunk_id)
                    current.ords.append(h.ord)
            else:
                current = Passage(doc_id, h.path, h.title, h.page_start, h.page_end, h.section, s.start, s.end,
                                  text[s.start : s.end], [h.chunk_id], [h.ord], s.score)
                passages.append(current)
            current.add_lines(h)
            current.sentences.append((s.start, s.end, s.score))
    for n, p in enumerate(passages, start=1):
        p.n = n
    return passages


def _numbered(passages: list[Passage]) -> list[Passage]:
    """Strongest first, numbered from 1: the exact form the prompt shows, so the count is exact."""
    passages = sorted(passages, key=lambda p: -p.weight)
    for n, p in enumerate(passages, start=1):
        p.n = n
    return passages
