"""ask: retrieve -> attention re-rank -> bounded working set -> generate -> verified citations | abstain."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from docqa.citations import Citation, verify
from docqa.models.generator import Generator
from docqa.prompts import fence, load_prompt
from docqa.retrieval import attention, working_set
from docqa.retrieval.attention import Candidate
from docqa.retrieval.working_set import Passage, WorkingSet
from docqa.settings import AnswerSettings
from docqa.summarize.broad import summary_passage

ABSTAIN_TEXT = "The documents don't answer this."
# What the prompt tells the model to say when the passages lack the answer, and close variants.
_MODEL_ABSTAINS = re.compile(
    r"cannot answer from the documents|can ?not be answered|(passages|documents|context) (do not|don't|does not) "
    r"(contain|provide|mention|say|answer)|no information (about|on)|not (mentioned|provided) in",
    re.IGNORECASE,
)


@dataclass
class Answer:
    question: str
    text: str
    answered: bool
    citations: list[Citation] = field(default_factory=list)
    abstain_reason: str = ""
    raw_answer: str = ""
    removed_citations: list[int] = field(default_factory=list)
    unsupported_sentences: list[str] = field(default_factory=list)
    candidates: list[Candidate] = field(default_factory=list)
    working_set: WorkingSet | None = None
    timings: dict[str, float] = field(default_factory=dict)
    prompt_tokens: int = 0
    completion_tokens: int = 0
    model: str = ""


def fence_passages(passages: list[Passage]) -> str:
    """The working set as the prompt shows it: numbered, labelled, fenced passages."""
    body = "\n\n".join(
        fence(p.n, Path(p.path).name, str(p.page_start) if p.page_start == p.page_end else f"{p.page_start}-{p.page_end}", p.text)
        for p in passages
    )
    return body or "(none)"


def render(question: str, passages: list[Passage], prompt_name: str = "answer") -> list[dict[str, str]]:
    return load_prompt(prompt_name).messages(passages=fence_passages(passages), question=question.strip())


def judge(question: str, candidates: list[Candidate], generator: Generator, top: int) -> list[float]:
    """LLM relevance judge: logit(yes) - logit(no) for 'does this passage answer the question?'."""
    prompt = load_prompt("judge")
    batch = [
        prompt.messages(passage=fence(1, Path(c.hit.path).name, str(c.hit.page_start), c.hit.text), question=question)
        for c in candidates[:top]
    ]
    return generator.yes_no_logits(batch)


def use_judge(settings: AnswerSettings, device: str) -> bool:
    return settings.judge == "on" or (settings.judge == "auto" and device == "cuda")


def apply_judge(candidates: list[Candidate], scores: list[float], temperature: float) -> list[Candidate]:
    """Judged candidates go first, ordered by the judge; the rest keep their order below them."""
    judged = sorted(zip(scores, candidates[: len(scores)]), key=lambda sc: -sc[0])
    rest = candidates[len(scores):]
    # Judge logits live on a different scale than late-interaction scores: map to rank-based
    # scores so the softmax temperature keeps its meaning.
    ordered = [c for _, c in judged] + rest
    top = max(c.score for c in candidates)
    fused = np.array([top - 0.01 * i for i in range(len(ordered))])
    weights = attention.softmax(fused, temperature)
    return [
        Candidate(c.hit, c.retrieval_score, c.interaction, float(f), float(w))
        for c, f, w in zip(ordered, fused, weights)
    ]


def rerank(question: str, hits, index, settings: AnswerSettings) -> list[Candidate]:
    """Attention over the retrieved hits, with the answer settings (shared by ask and focus)."""
    return attention.rerank(
        question, hits, index.embedder,
        method=settings.rerank, token_temperature=settings.token_temperature,
        retrieval_weight=settings.retrieval_weight, temperature=settings.temperature,
        cache=index.token_cache,
    )


def weak_evidence(candidates: list[Candidate], settings: AnswerSettings) -> str:
    """Why to abstain without calling the LLM, or "" when the evidence is strong enough."""
    best = max((c.interaction for c in candidates), default=None)
    if best is None:
        return "the index returned no candidates"
    if settings.rerank != "none" and best < settings.min_interaction:
        return f"evidence too weak (best attention score {best:.3f} < {settings.min_interaction})"
    return ""


def document_texts(index) -> Callable[[int], str]:
    """doc_id -> extracted text, each read from the store once per call site."""
    texts: dict[int, str] = {}

    def doc_text(doc_id: int) -> str:
        if doc_id not in texts:
            texts[doc_id] = index.store.document_text(doc_id)
        return texts[doc_id]

    return doc_text


def ask(
    question: str,
    index,
    generator: Generator,
    settings: AnswerSettings,
    max_new_tokens: int,
    on_token: Callable[[str], bool | None] | None = None,
    device: str = "cpu",
    generate: bool = True,
) -> Answer:
    """Answer `question` from `index` (a docqa.index.Index). `on_token` receives streamed pieces.

    generate=False stops once the working set is built (evaluating retrieval without the LLM).
    """
    timings: dict[str, float] = {}
    t = time.perf_counter()
    hits = index.search(question, k=settings.candidates)
    timings["retrieve_s"] = time.perf_counter() - t

    t = time.perf_counter()
    candidates = rerank(question, hits, index, settings)
    timings["rerank_s"] = time.perf_counter() - t
    if candidates and use_judge(settings, device):
        t = time.perf_counter()
        candidates = apply_judge(candidates, judge(question, candidates, generator, settings.judge_top), settings.temperature)
        timings["judge_s"] = time.perf_counter() - t

    result = Answer(question=question, text=ABSTAIN_TEXT, answered=False, candidates=candidates,
                    timings=timings, model=generator.name)
    # A broad question matches no passage well; the document's stored summary answers it.
    overview = summary_passage(index, question, candidates)
    reason = weak_evidence(candidates, settings)
    if reason and overview is None:
        result.abstain_reason = reason
        return result

    t = time.perf_counter()
    doc_text = document_texts(index)

    def measure(passages: list[Passage]) -> int:
        return generator.count_chat_tokens(render(question, passages)) + max_new_tokens

    budget = min(settings.budget, generator.context_tokens)
    ids = [c.hit.chunk_id for c in candidates]
    vectors = index.store.vectors(ids, index.embedder.dim)
    ws = working_set.build(
        candidates, vectors, measure, budget, doc_text,
        floor=settings.floor, mmr_lambda=settings.mmr_lambda, duplicate_cos=settings.duplicate_cos,
        pinned=[overview] if overview else None,
    )
    timings["working_set_s"] = time.perf_counter() - t
    result.working_set = ws
    if not ws.passages:
        result.abstain_reason = "no candidate fits the working set (raise --budget?)"
        return result
    if not generate:
        result.abstain_reason = "generation skipped"
        return result

    gen = generator.generate(render(question, ws.passages), max_new_tokens=max_new_tokens, on_token=on_token)
    timings.update(prefill_s=gen.prefill_s, decode_s=gen.decode_s, decode_tokens_per_s=gen.tokens_per_s)
    result.prompt_tokens, result.completion_tokens = gen.prompt_tokens, gen.completion_tokens
    result.raw_answer = gen.text.strip()

    t = time.perf_counter()
    text, citations, removed, unsupported = verify(result.raw_answer, ws, settings.support_threshold, doc_text)
    timings["verify_s"] = time.perf_counter() - t
    result.removed_citations, result.unsupported_sentences = removed, unsupported
    if _MODEL_ABSTAINS.search(result.raw_answer):
        result.abstain_reason = "the model found no answer in the working set"
    elif not any(c.supported for c in citations):
        result.abstain_reason = "no sentence of the answer is supported by a passage"
    else:
        result.text, result.citations, result.answered = text, citations, True
    return result
