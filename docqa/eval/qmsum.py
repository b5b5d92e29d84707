"""Evaluate summaries against QMSum reference summaries with ROUGE (`docqa eval-summaries`).

Each meeting is written as a text document, one speaker turn per paragraph ("Speaker: words"),
and ingested. A general query ("Summarize the whole meeting") is answered by summarizing the
meeting in each requested mode; a specific query by the focus mode restricted to that meeting.
ROUGE-1/2/L F1 come from Google's `rouge-score` package (stemming on), as in LongBench, over the summary
without its citation marks. It is in the `eval` extra, not a core dependency: without it the command
stops before any work, naming it.
"""

from __future__ import annotations

import contextlib
import json
import random
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from docqa.errors import MissingExtra, UsageError
from docqa.summarize import faithful
from docqa.summarize.length import Range, prose, words_of

METRICS = ("rouge1", "rouge2", "rougeL")


@dataclass
class Meeting:
    name: str
    text: str
    general: list[tuple[str, str]]
    specific: list[tuple[str, str]]


@dataclass
class Scored:
    meeting: str
    kind: str  # general | specific
    mode: str  # map-reduce | refine | tree | focus
    query: str
    reference: str
    summary: str
    seconds: float  # wall time of this summary as run
    cold_seconds: float  # generation cost with nothing reused from the store
    max_request_tokens: int
    budget: int
    words: int = 0  # the length asked for
    unsupported: list[str] = field(default_factory=list)  # numbers and names the meeting never states
    draft_unsupported: list[str] = field(default_factory=list)  # the same for the model's draft (general)
    scores: dict[str, float] = field(default_factory=dict)
    verified: bool = True  # a focus summary shown although no sentence reaches the support threshold: False


def load_qmsum(path: str | Path) -> list[Meeting]:
    meetings = []
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise UsageError(f"{path}: cannot read ({exc.strerror})") from exc
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            turns = [f"{t['speaker']}: {' '.join(t['content'].split())}" for t in row["meeting_transcripts"]]
            meetings.append(Meeting(
                f"meeting_{i:03d}", "\n\n".join(turns) + "\n",
                [(q["query"], q["answer"]) for q in row["general_query_list"]],
                [(q["query"], q["answer"]) for q in row["specific_query_list"]],
            ))
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise UsageError(f"{path}: line {i + 1} is not a QMSum record ({exc})") from exc
    if not meetings:
        raise UsageError(f"{path}: no QMSum records")
    return meetings


def write_meetings(meetings: list[Meeting], folder: Path) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for m in meetings:
        p = folder / f"{m.name}.txt"
        if not p.exists() or p.read_text(encoding="utf-8") != m.text:
            p.write_text(m.text, encoding="utf-8")
        paths[m.name] = p
    return paths


def require_rouge():
    """The rouge_score scorer module; MissingExtra (exit 2 in the CLI) when the extra is not installed."""
    try:
        from rouge_score import rouge_scorer
    except ImportError:
        raise MissingExtra("docqa eval-summaries needs rouge-score: pip install 'docqa[eval]'") from None
    return rouge_scorer


def rouge(summary: str, reference: str) -> dict[str, float]:
    """ROUGE F1 of the summary's prose: its citation marks would count as words ("[2]" as "2") that no
    reference has, as in ALCE, which takes them out before ROUGE too."""
    scorer = require_rouge().RougeScorer(list(METRICS), use_stemmer=True)
    return {k: v.fmeasure for k, v in scorer.score(reference, prose(summary)).items()}


def sample(all_meetings: list[Meeting], meetings: int | None, specific: int | None,
           seed: int) -> tuple[list[Meeting], list[tuple[Meeting, str, str]]]:
    """The seeded sample of `meetings` meetings (None or 0: all), in the order they are done, and up
    to `specific` of their specific queries as (meeting, query, reference)."""
    # Done in the seeded sample's order, so that the first k meetings of a stopped run are a random k.
    chosen = random.Random(seed).sample(all_meetings, min(meetings or len(all_meetings), len(all_meetings)))
    specific_queries = [(m, q, a) for m in sorted(chosen, key=lambda m: m.name) for q, a in m.specific]
    if specific is not None:
        specific_queries = random.Random(seed).sample(specific_queries, min(specific, len(specific_queries)))
    return chosen, specific_queries


def evaluate(
    index, path: str | Path, meetings: int | None = 5, specific: int | None = None, modes: tuple[str, ...] = ("map-reduce",),
    general_words: int = 110, specific_words: int = 60, seed: int = 0,
    on_result: Callable[[Scored], None] | None = None, workdir: Path | None = None, jsonl: Path | None = None,
    resume: bool = False,
) -> list[Scored]:
    """Score `modes` on the general queries and focus on up to `specific` specific queries of a
    seeded sample of `meetings` meetings. Word targets default to the references' median lengths
    (109 and 55 words). Meetings are done one at a time, each with its general and its sampled
    specific queries, and `jsonl` gets a line per summary as it is scored: a run stopped after k
    meetings leaves a whole-meeting subset of the seeded sample, not only one kind of query.
    `resume` keeps the summaries `jsonl` already holds and scores only the rest (the whole set
    takes hours on a 2-core CPU: it can be done in several sittings)."""
    require_rouge()  # the extra is missing: say so before ingesting anything
    if resume and not jsonl:
        raise UsageError("resuming needs the --jsonl file of the run to resume")
    done = _scored(jsonl) if resume else []
    chosen, specific_queries = sample(load_qmsum(path), meetings, specific, seed)
    planned = {(m.name, "general", mode, q, general_words) for m in chosen for q, _ in m.general for mode in modes} | {
        (m.name, "specific", "focus", q, specific_words) for m, q, _ in specific_queries}
    if stray := [r for r in done if _key(r) not in planned]:
        raise UsageError(f"{jsonl}: {len(stray)} of its summaries are not of this sample or setting "
                         f"(e.g. {stray[0].meeting}, {stray[0].words} words): resume with that run's options")
    folder = workdir or (index.directory / "qmsum_meetings")
    paths = write_meetings(chosen, folder)
    report = index.ingest(list(paths.values()), wait=True)
    if report.failed:
        raise UsageError(f"could not ingest meetings: {report.failed[0][0]}: {report.failed[0][1]}")
    summarizer = index.summarizer()
    results: list[Scored] = list(done)
    skip = {_key(r) for r in done}
    if done:  # rewritten whole first: a line torn by the stop is not left for the next one to join
        _write(jsonl, done)
    with jsonl.open("a" if done else "w", encoding="utf-8") if jsonl else contextlib.nullcontext() as sink:

        def keep(item: Scored) -> None:
            item.scores = rouge(item.summary, item.reference)
            results.append(item)
            if sink:
                sink.write(json.dumps(asdict(item), ensure_ascii=False) + "\n")
                sink.flush()
            if on_result:
                on_result(item)

        for m in chosen:
            doc = index.store.document(str(paths[m.name].resolve()))
            for q, a in m.general:
                for mode in modes:
                    if (m.name, "general", mode, q, general_words) in skip:
                        continue
                    t = time.perf_counter()
                    s = summarizer.document(doc, mode, general_words)
                    keep(Scored(m.name, "general", mode, q, a, s.text, time.perf_counter() - t, s.cold_seconds,
                                s.max_request_tokens, s.budget, general_words, s.unsupported, s.draft_unsupported))
            for _, q, a in (item for item in specific_queries if item[0] is m):
                if (m.name, "specific", "focus", q, specific_words) in skip:
                    continue
                t = time.perf_counter()
                f = index.summarize_focus(q, specific_words, under=[doc.path])
                seconds = time.perf_counter() - t
                text = f.text if f.answered else ""
                keep(Scored(m.name, "specific", "focus", q, a, text, seconds, seconds, f.request_tokens, f.budget,
                            specific_words, faithful.check(text, m.text), verified=f.verified))
    return results


def _key(r: Scored) -> tuple:
    return r.meeting, r.kind, r.mode, r.query, r.words


def _scored(jsonl: Path) -> list[Scored]:
    """The whole lines of an earlier run's --jsonl (none when it does not exist yet)."""
    if not jsonl.exists():
        return []
    done = []
    for line in jsonl.read_text(encoding="utf-8").splitlines():
        try:
            done.append(Scored(**json.loads(line)))
        except (json.JSONDecodeError, TypeError):
            continue  # the line a stop cut short: that summary is made again
    return done


def _write(jsonl: Path, rows: list[Scored]) -> None:
    tmp = jsonl.with_suffix(jsonl.suffix + ".tmp")
    tmp.write_text("".join(json.dumps(asdict(r), ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    tmp.replace(jsonl)


def _deciles(values: list[float]) -> list[float]:
    if len(values) < 2:
        return [round(v, 2) for v in values * 3]
    q = statistics.quantiles(values, n=10, method="inclusive")
    return [round(q[0], 2), round(statistics.median(values), 2), round(q[-1], 2)]


def summarize_results(results: list[Scored], tolerance: float = 0.2) -> dict:
    """Means per (kind, mode), and the LongBench-style all-queries figure per general mode."""
    groups: dict[str, list[Scored]] = {}
    for r in results:
        groups.setdefault(f"{r.kind}/{r.mode}", []).append(r)
    out: dict = {"groups": {}}
    for name, rs in sorted(groups.items()):
        out["groups"][name] = {
            "n": len(rs),
            **{m: round(100 * statistics.fmean(r.scores[m] for r in rs), 2) for m in METRICS},
            "seconds_p50": round(statistics.median(r.seconds for r in rs), 2),
            "cold_seconds_p50": round(statistics.median(r.cold_seconds for r in rs), 2),
            "max_request_tokens": max(r.max_request_tokens for r in rs),
            "budget": max(r.budget for r in rs),
            "empty": sum(1 for r in rs if not r.summary.strip()),
            "within_tolerance": round(sum(Range(r.words, tolerance).holds(r.summary) for r in rs) / len(rs), 3),
            "words_ratio_p10_p50_p90": _deciles([words_of(r.summary) / r.words for r in rs]),
            "with_unsupported": round(sum(bool(r.unsupported) for r in rs) / len(rs), 3),
            "unverified": sum(1 for r in rs if r.summary.strip() and not r.verified),
        }
    specific = groups.get("specific/focus", [])
    for name, rs in groups.items():
        if name.startswith("general/"):
            both = rs + specific
            out.setdefault("all_queries", {})[name.split("/")[1]] = {
                "n": len(both), **{m: round(100 * statistics.fmean(r.scores[m] for r in both), 2) for m in METRICS}
            }
    return out


def report_json(summary: dict, results: list[Scored]) -> dict:
    """`docqa eval-summaries --json`: the summary and every scored summary."""
    return {"summary": summary, "results": [asdict(r) for r in results]}
