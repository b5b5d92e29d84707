"""`docqa eval`: run the ask pipeline over a SQuAD-format file and score every stage.

Per question: retrieval hit@k (a gold answer inside one of the top-k candidates after re-ranking),
working-set hit (inside the evidence the LLM saw), exact match and token F1 of the short answer and
of the full answer a user reads (short answer + quote), both with SQuAD normalisation and the max
over gold answers; a yes/no gold is scored by the short answer's yes or no, never by substring
("no" is not inside "not"). Also abstention and its reason, verification, citation validity (share
of citations whose passage contains a gold answer), and per-stage latency. Each result is appended
to a JSONL file as soon as it is scored, so a stopped run keeps what it measured.
"""

from __future__ import annotations

import contextlib
import json
import random
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from docqa.answer import GENERATION_SKIPPED
from docqa.citations import CITATION
from docqa.eval.squad import (
    Question, contains_answer, exact_match, load_squad, normalize_answer, token_f1, write_contexts,
)



@dataclass
class QuestionResult:
    id: str
    question: str
    answers: list[str]
    prediction: str  # the full answer: short answer and quote
    short_answer: str
    answered: bool
    verified: bool
    abstain_reason: str
    unverified_reason: str  # why an answer shown was not verified ("" when it was, or none was shown)
    hit_at_1: bool
    hit_at_5: bool
    ws_hit: bool
    em: float  # full answer
    f1: float
    short_em: float
    short_f1: float
    contains_gold: bool  # a gold answer appears inside the short answer
    contains_gold_full: bool  # ... inside the short answer or its quote
    retrieved: list[str]  # document names of the top-5 candidates
    citations: int
    valid_citations: int
    ws_passages: int
    ws_tokens: int
    prompt_tokens: int = 0
    timings: dict[str, float] = field(default_factory=dict)
    end_to_end_s: float = 0.0
    escalated: bool = False  # the larger model answered (settings.answer.escalate)
    raw_answer: str = ""  # the model's reply, before verification
    second_reading: str = ""  # its reply on the quoted sentence alone (settings.answer.second_reading)
    barred: list[str] = field(default_factory=list)  # words of an answer that echoed the question (answer.bar_echoes)


@dataclass
class EvalReport:
    dataset: str
    questions: int
    settings: dict
    results: list[QuestionResult]
    ingest_s: float = 0.0

    def summary(self) -> dict[str, float]:
        rs = self.results
        n = len(rs) or 1
        cites = sum(r.citations for r in rs)

        def pct(values: list[float], q: float) -> float:
            if not values:
                return 0.0
            values = sorted(values)
            return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]

        def stage(name: str) -> list[float]:
            return [r.timings[name] for r in rs if name in r.timings]

        out = {
            "questions": len(rs),
            "hit@1": sum(r.hit_at_1 for r in rs) / n,
            "hit@5": sum(r.hit_at_5 for r in rs) / n,
            "working_set_hit": sum(r.ws_hit for r in rs) / n,
            "short_exact_match": sum(r.short_em for r in rs) / n,
            "short_f1": sum(r.short_f1 for r in rs) / n,
            "full_exact_match": sum(r.em for r in rs) / n,
            "full_f1": sum(r.f1 for r in rs) / n,
            "answer_contains_gold": sum(r.contains_gold for r in rs) / n,
            "full_answer_contains_gold": sum(r.contains_gold_full for r in rs) / n,
            "abstention": sum(not r.answered for r in rs) / n,
            # Abstained although retrieval had found the answer (top 5, or the working set).
            "false_abstention": sum(
                not r.answered and (r.hit_at_5 or r.ws_hit) and r.abstain_reason != GENERATION_SKIPPED for r in rs
            ) / n,
            "verified": sum(r.answered and r.verified for r in rs) / n,
            "escalated": sum(r.escalated for r in rs) / n,
            # Verified, yet the short answer holds no gold answer: the figure a user must trust.
            "verified_wrong": sum(r.answered and r.verified and not r.short_f1 for r in rs) / n,
            "prompt_tokens_mean": sum(r.prompt_tokens for r in rs) / n,
            "citation_validity": sum(r.valid_citations for r in rs) / cites if cites else 0.0,
            "ws_passages_mean": sum(r.ws_passages for r in rs) / n,
            "ws_tokens_mean": sum(r.ws_tokens for r in rs) / n,
            "end_to_end_p50_s": pct([r.end_to_end_s for r in rs], 0.5),
            "end_to_end_p95_s": pct([r.end_to_end_s for r in rs], 0.95),
        }
        for name in ("retrieve_s", "rerank_s", "judge_s", "prefill_s", "decode_s", "second_reading_s", "barred_reading_s",
                     "escalate_s"):
            values = stage(name)
            if values:
                out[f"{name[:-2]}_p50_s"] = pct(values, 0.5)
                out[f"{name[:-2]}_p95_s"] = pct(values, 0.95)
        tps = [r.timings["decode_tokens_per_s"] for r in rs if r.timings.get("decode_tokens_per_s")]
        if tps:
            out["decode_tokens_per_s_p50"] = pct(tps, 0.5)
            # The first token comes out at the end of prefill: time to first token is the prefill time.
            out["ttft_p50_s"] = out["prefill_p50_s"]
        return out


def sample(questions: list[Question], limit: int | None, seed: int) -> list[Question]:
    answerable = [q for q in questions if q.answers]
    if limit is None or limit >= len(answerable):
        return answerable
    return random.Random(seed).sample(answerable, limit)


_YES_NO = ("yes", "no")
# A yes or a no as Chinese golds write it (XQuAD-zh translates "no" as 没有), and as docqa answers a
# Chinese yes/no question (是 / 否), in either script; the longest first, so 不是 is read before 不.
_YES_NO_ZH = {"不是": "no", "没有": "no", "沒有": "no", "是的": "yes", "是": "yes", "对": "yes", "對": "yes",
              "否": "no", "不": "no"}


def _yes_or_no(normalized: str, whole: bool) -> str | None:
    """The yes or no a normalized text says: all of it (`whole`, a gold), or its start (a prediction)."""
    first = normalized.split()[:1]
    if first and first[0] in _YES_NO and (not whole or normalized == first[0]):
        return first[0]
    return next((v for k, v in _YES_NO_ZH.items() if (normalized == k if whole else normalized.startswith(k))), None)


def answer_scores(prediction: str, golds: list[str]) -> tuple[float, float, bool]:
    """(EM, F1, contains gold) of one prediction; yes/no golds are scored by the leading yes or no."""
    if not prediction:
        return 0.0, 0.0, False
    said = {v for g in golds if (v := _yes_or_no(normalize_answer(g), whole=True))}
    if said:
        hit = float(_yes_or_no(normalize_answer(prediction), whole=False) in said)
        return hit, hit, bool(hit)
    normalized = [normalize_answer(g) for g in golds]
    contains = contains_answer(normalize_answer(prediction), normalized)
    return exact_match(prediction, golds), token_f1(prediction, golds), contains


def score(q: Question, answer, seconds: float, larger: bool = False) -> QuestionResult:
    """Score one Answer (docqa.answer.Answer) against its gold answers; `larger`: the escalation
    model gave it (escalated, or asked first: settings.answer.larger_first, chinese_to_larger)."""
    golds = list(q.answers)
    texts = [c.hit.text for c in answer.candidates]
    ws = answer.working_set
    passages = ws.passages if ws else []
    short = _strip_citations(answer.short_answer or answer.text) if answer.answered else ""
    full = f"{short} {answer.quote}".strip() if answer.answered else ""
    valid = 0
    for c in answer.citations:
        p = ws.passage(c.n) if ws else None
        valid += bool(p and contains_answer(p.text, golds))
    short_em, short_f1, contains = answer_scores(short, golds)
    em, f1, contains_full = answer_scores(full, golds)
    return QuestionResult(
        id=q.id, question=q.question, answers=golds, prediction=full, short_answer=short,
        answered=answer.answered, verified=answer.verified, abstain_reason=answer.abstain_reason,
        unverified_reason=answer.unverified_reason if answer.answered else "",
        hit_at_1=any(contains_answer(t, golds) for t in texts[:1]),
        hit_at_5=any(contains_answer(t, golds) for t in texts[:5]),
        ws_hit=any(contains_answer(p.text, golds) for p in passages),
        em=em, f1=f1, short_em=short_em, short_f1=short_f1,
        contains_gold=contains, contains_gold_full=contains or contains_full,
        retrieved=[Path(c.hit.path).name for c in answer.candidates[:5]],
        citations=len(answer.citations), valid_citations=valid,
        ws_passages=len(passages), ws_tokens=ws.tokens if ws else 0, prompt_tokens=answer.prompt_tokens,
        timings=dict(answer.timings), end_to_end_s=seconds, escalated=larger or bool(answer.escalated_from),
        raw_answer=answer.raw_answer, second_reading=answer.second_reading, barred=answer.barred,
    )


def _strip_citations(text: str) -> str:
    return CITATION.sub(" ", text)


def run_eval(
    dataset: Path,
    settings,
    *,
    index_dir: Path | None = None,
    limit: int | None = None,
    seed: int = 0,
    retrieval_only: bool = False,
    on_progress: Callable[[int, int, str], None] | None = None,
    jsonl: Path | None = None,
    questions_from: Path | None = None,
) -> EvalReport:
    """Ingest the dataset's contexts (into `index_dir`, or a temp index), ask the sampled questions.

    `questions_from` asks another file's questions against this dataset's index instead. A question
    whose id this dataset has too (XQuAD's languages share ids) is the same question in another
    language: it keeps this dataset's gold answers (cross-lingual retrieval and answers). The others
    are unanswerable here, which measures correct abstention. `jsonl` gets one line per question."""
    from docqa.answer import Answer, ask
    from docqa.index import Index
    from docqa.models.device import resolve_device
    from docqa.models.generation.factory import escalation_model

    contexts, questions, unit = load_squad(dataset)
    if questions_from is not None:
        gold = {q.id: q.answers for q in questions}
        questions = [replace(q, answers=gold.get(q.id, ("\x00unanswerable",))) for q in load_squad(questions_from)[1]]
    chosen = sample(questions, limit, seed)
    with tempfile.TemporaryDirectory(prefix="docqa-eval-") as tmp:
        directory = index_dir or Path(tmp) / "index"
        settings = settings.model_copy(update={"index": directory})
        with Index.open(directory, settings) as idx:
            t0 = time.perf_counter()
            # Contexts live beside the index so a reused --index skips them by hash next time.
            folder = directory / "eval-contexts" / dataset.stem
            write_contexts(contexts, folder)
            idx.ingest([folder])
            ingest_s = time.perf_counter() - t0
            generator = idx.generator()
            stronger = idx.escalation(generator)
            device = resolve_device(settings.device)
            results = []
            with jsonl.open("w", encoding="utf-8") if jsonl else contextlib.nullcontext() as sink:
                for i, q in enumerate(chosen):
                    if on_progress:
                        on_progress(i, len(chosen), q.question)
                    # Each question encodes its own candidates, as a new question would: timings and
                    # results never depend on which questions came before.
                    idx.token_cache.clear()
                    t = time.perf_counter()
                    ans: Answer = ask(q.question, idx, generator, settings.answer, device=device,
                                      generate=not retrieval_only, stronger=stronger)
                    results.append(score(q, ans, time.perf_counter() - t, larger=ans.model != generator.name))
                    if sink:
                        sink.write(json.dumps(asdict(results[-1]), ensure_ascii=False) + "\n")
                        sink.flush()
            if on_progress:
                on_progress(len(chosen), len(chosen), "")
    return EvalReport(
        dataset=str(dataset), questions=len(chosen),
        settings={"unit": unit, **settings.answer.model_dump(), "model": settings.generation.model,
                  "escalation_model": escalation_model(settings.answer.escalate, generator.name),
                  "retrieval_only": retrieval_only, "seed": seed, "limit": limit,
                  "questions_from": str(questions_from) if questions_from else None},
        results=results, ingest_s=ingest_s,
    )


def report_json(report: EvalReport, results: bool = True) -> dict:
    """The report as JSON: `--out` keeps every question's result, `--json` prints the summary."""
    data = {
        "dataset": report.dataset, "settings": report.settings, "ingest_s": round(report.ingest_s, 2),
        "summary": report.summary(),
    }
    return data | {"results": [asdict(r) for r in report.results]} if results else data
