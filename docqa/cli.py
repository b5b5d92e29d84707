"""The `docqa` command: parse flags, call the library, render with rich. Nothing else.

Flags that override a setting are made from its Settings field (type, choices, help), so they read
the same in every command; a DocqaError becomes one red line (`_command`); JSON is shaped by the
library (`Answer.to_json`, `IngestReport.to_json`, ...).
"""

# No `from __future__ import annotations` here: Typer would evaluate every command's annotations
# from strings again on each run, a tenth of `docqa --help` (issue 13).
import contextlib
import functools
import json
import sys
import time
import types
from collections.abc import Callable
from dataclasses import asdict, is_dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, Optional, Union, get_args, get_origin

import typer
from rich.console import Console, ConsoleDimensions
from rich.markup import escape
from rich.table import Table

from docqa.errors import ConfigError, DocqaError, UsageError, printable_path
from docqa.settings import Settings, describe, load_settings, setting_field

if TYPE_CHECKING:
    from docqa.ingest.pipeline import IngestReport

# Imported where used, not here: the ingest pipeline (its loaders), display and rich's progress, so `docqa --help`, `list` and `config` start without them (issue 13).

app = typer.Typer(
    help="Local document question answering with citations, offline.\n\n"
    "Examples:\n\n\b\n"
    "  docqa ingest ~/papers ~/notes\n"
    '  docqa ask "How much did the 2019 budget allocate to rural school grants?"\n'
    '  docqa search "grants for rural schools" -k 5 --json\n'
    "  docqa list ; docqa status ; docqa remove ~/papers/old.pdf ; docqa config",
    no_args_is_help=True,
    # Plain help: Typer's rich help imports rich.markdown and markdown_it (~0.1 s) before printing
    # a line, a third of `docqa --help` (bench/cli_startup.py).
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)

# Wide enough for any path (PATH_MAX is 4096): output that is not a terminal is never cut or folded.
_WIDE = 10_000


class _Console(Console):
    """A terminal's width at a terminal; piped, redirected or captured, as wide as a line needs, so a
    table's paths stay whole instead of being cut at 80 columns."""

    def _size(self) -> ConsoleDimensions:
        size = Console.size.fget(self)
        return size if self.is_terminal else ConsoleDimensions(_WIDE, size.height)

    size = property(_size, Console.size.fset)


# One message, one line: never wrapped mid-path. No emoji codes: a document's ":smile:" is printed as
# written, not as 😄 (and rich's emoji table is not loaded at start-up).
out = _Console(soft_wrap=True, emoji=False)
err = _Console(stderr=True, soft_wrap=True, emoji=False)


def _flag(dotted: str, *decls: str, kind: Any = None, help: str = "", metavar: str | None = None) -> Any:
    """An optional flag for the setting `dotted`, typed and described by its Settings field (a Literal
    becomes a choice Typer checks). Unset (None), the setting keeps its configured value."""
    field = setting_field(dotted)
    if kind is None:
        kind = field.annotation
        if get_origin(kind) in (Union, types.UnionType):
            kind = next(a for a in get_args(kind) if a is not type(None))
    decls = decls or (f"--{dotted.rpartition('.')[2].replace('_', '-')}",)
    return Annotated[Optional[kind], typer.Option(*decls, help=help or field.description or "", show_default=False,
                                                metavar=metavar)]


# A string, not a Path: a Path would fold the "//" of a postgresql:// URL.
IndexOpt = _flag("index", kind=str, help="Store directory, or a postgresql:// URL for the server store (env DOCQA_INDEX; default ./index).")
ConfigOpt = Annotated[
    Optional[Path], typer.Option("--config", help="TOML config file (env DOCQA_CONFIG).", show_default=False)
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for scripts instead of tables.")]
DeviceOpt = _flag("device")
ModelOpt = _flag("generation.model")
BackendOpt = _flag("generation.backend")
LlmUrlOpt = _flag("generation.base_url", "--llm-base-url")
LlmModelOpt = _flag("generation.api_model", "--llm-model")
BudgetOpt = _flag("answer.budget")
RerankOpt = _flag("answer.rerank")
JudgeOpt = _flag("answer.judge")
EscalateOpt = _flag("answer.escalate", metavar="MODEL|auto|off")
LargerFirstOpt = _flag("answer.larger_first")
ExecutorOpt = _flag("batch.executor")
RayAddressOpt = _flag("batch.ray_address")
InOpt = _flag("retrieval.within", "--in", metavar="PATH|GLOB",
              help="Only documents at or under this file/folder, or whose stored path matches this glob (repeatable).")
TypeOpt = _flag("retrieval.types", "--type", metavar="TYPE",
                help="Only documents of this type: pdf, docx, txt, md… (repeatable).")
SearchMode = Literal["hybrid", "dense", "keyword"]
NoServerOpt = Annotated[bool, typer.Option("--no-server", help="Run here even when `docqa serve` is running for this index.")]


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            out.print(f"docqa {version('docqa')}", highlight=False)
        except PackageNotFoundError:
            out.print("docqa (version unknown: not installed)")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")] = False,
) -> None:
    pass


def _command(name: str | None = None, parent: typer.Typer = app) -> Callable[[Callable], Callable]:
    """Register a command whose DocqaError is one red line on stderr and exit code 2 (a config or
    usage error) or 1."""

    def register(fn: Callable) -> Callable:
        @functools.wraps(fn)
        def run(*args: Any, **kwargs: Any) -> Any:
            try:
                return fn(*args, **kwargs)
            except DocqaError as exc:
                err.print(f"[red]error:[/red] {escape(str(exc))}")
                raise typer.Exit(2 if isinstance(exc, (ConfigError, UsageError)) else 1) from None

        return parent.command(name)(run)

    return register


def _settings(index: str | None, config: Path | None, **flags: Any) -> Settings:
    overrides: dict[str, Any] = {"index": index}
    for dotted, value in flags.items():
        if value is None:
            continue
        section, _, name = dotted.partition("__")
        if name:
            overrides.setdefault(section, {})[name] = value
        else:
            overrides[section] = value
    return load_settings(overrides, config_path=config)


def _llm(model: str | None, backend: str | None, base_url: str | None, api_model: str | None) -> dict[str, Any]:
    """The LLM flags every generating command takes, as _settings keywords."""
    return {"generation__model": model, "generation__backend": backend,
            "generation__base_url": base_url, "generation__api_model": api_model}


def _open(settings: Settings, create: bool):
    from docqa.index import Index

    return Index.open(settings.index, settings, create=create)


def _server(settings: Settings, use: str = "ask"):
    """A running `docqa serve` of this index with the same settings (docqa.server.client), or None."""
    from docqa.server.client import find

    return find(settings, use)


def _print_json(data: Any) -> None:
    """Library JSON as it comes; a record (dataclass) as its fields."""

    def plain(obj: Any) -> Any:
        return asdict(obj) if is_dataclass(obj) and not isinstance(obj, type) else str(obj)

    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=plain) + "\n")


def _path(path: str, name_only: bool = False) -> str:
    """A path (or its name) for rich: one printable line (control characters escaped), no markup."""
    return escape(printable_path(Path(path).name if name_only else path))


def _load_generator(owner, answering: bool = False) -> None:
    """The one-time model assembly/conversion shows as a progress step, not a silent minute.
    `answering`: only the models a question is answered with (Index.answerers) are loaded."""
    from docqa.models.assets import AssemblyProgress

    progress = AssemblyProgress(console=err)
    try:
        # A larger model answering alone escalates nowhere: ready_escalation then has nothing to assemble.
        generator = owner.answerers(progress)[0] if answering else owner.generator(progress)
        getattr(owner, "index", owner).ready_escalation(generator, progress)
    finally:
        progress.close()


def _bar(label: str, unit: str | None, field: str | None, **kwargs: Any):
    """A rich bar on stderr: label, bar, done/total, unit, elapsed, eta, then `field` of the task
    dimmed. rich.progress is imported here, when a bar is drawn: the quick commands don't need it."""
    import rich.progress as rp

    columns = [rp.TextColumn(f"[bold]{label}"), rp.BarColumn(), rp.MofNCompleteColumn()]
    columns += [rp.TextColumn(unit)] if unit else []
    columns += [rp.TimeElapsedColumn(), rp.TextColumn("eta"), rp.TimeRemainingColumn()]
    columns += [rp.TextColumn(f"[dim]{{task.fields[{field}]}}")] if field else []
    return rp.Progress(*columns, console=err, **kwargs)


class _IngestBar:
    """Files and chunks with an ETA, drawn on stderr so --json output stays clean (an
    ingest.pipeline.Progress)."""

    def __init__(self) -> None:
        self.bar = _bar("ingest", "files · {task.fields[chunks]} chunks", "current", transient=False)
        self.task = None

    def start(self, total_files: int) -> None:
        self.bar.start()
        self.task = self.bar.add_task("ingest", total=total_files, chunks=0, current="")

    def file(self, path: str) -> None:
        self.bar.update(self.task, current=_path(path, name_only=True)[:40])

    def advance(self, files: int, chunks: int) -> None:
        done = self.bar.tasks[0].fields["chunks"] + chunks
        self.bar.update(self.task, advance=files, chunks=done)

    def stop(self) -> None:
        if self.task is not None:
            self.bar.update(self.task, current="")
        self.bar.stop()


def _run_ingest(settings: Settings, paths: list[Path], wait: bool, as_json: bool) -> "IngestReport":
    from docqa.ingest.pipeline import IngestReport, Progress, walk

    if not any(p.is_dir() or p.is_file() for p in paths):
        # Nothing there to read: say so without opening the store, or creating an empty one.
        return IngestReport(failed=walk(paths)[2])
    try:
        with _open(settings, create=True) as idx:
            progress = _IngestBar() if not as_json and err.is_terminal else Progress()
            try:
                return idx.ingest(paths, progress=progress, wait=wait)
            finally:
                if isinstance(progress, _IngestBar):
                    progress.stop()
    except KeyboardInterrupt:
        # Before the pipeline's own handler (model loading), or a second Ctrl-C: the open
        # transaction rolled back, every file committed before it is stored.
        err.print("[yellow]interrupted:[/yellow] files committed so far are stored; run the same command again to continue.")
        raise typer.Exit(130) from None


def _print_ingest(report: "IngestReport", paths: list[Path]) -> None:
    if not (report.ingested or report.unchanged or report.removed or report.failed or report.unsupported):
        from docqa.ingest.loaders import SUPPORTED

        where = ", ".join(_path(str(p)) for p in paths)
        err.print(f"[yellow]warning[/yellow] no documents in {where} (read: {' '.join(sorted(SUPPORTED))})")
    # One line per file: a newline or undecodable byte in a file name is printed escaped.
    for path, reason in report.failed:
        err.print(f"[red]failed[/red] {_path(path)}: {escape(reason)}")
    for path in report.unsupported:
        err.print(f"[yellow]skipped[/yellow] {_path(path)}: unsupported file type")
    for path, warning in report.warnings:
        err.print(f"[yellow]warning[/yellow] {_path(path)}: {escape(warning)}")
    out.print(
        f"ingested {len(report.ingested)}, unchanged {len(report.unchanged)}, removed {len(report.removed)}, "
        f"failed {len(report.failed)}, unsupported {len(report.unsupported)} · {report.chunks} chunks in "
        f"{report.seconds:.1f}s ({report.chunks_per_s:.1f} chunks/s)"
    )
    if report.interrupted:
        err.print(
            "[yellow]interrupted:[/yellow] every file listed as ingested is stored; run the same command again "
            "to continue (stored files are skipped, not read again)."
        )


@_command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files and folders (folders are walked recursively).")],
    index: IndexOpt = None,
    config: ConfigOpt = None,
    device: DeviceOpt = None,
    chunk_tokens: _flag("ingest.chunk_tokens") = None,
    pdf_password: _flag("ingest.pdf_password") = None,
    wait: Annotated[bool, typer.Option("--wait", help="Wait for another running ingest instead of failing.")] = False,
    executor: ExecutorOpt = None,
    ray_address: RayAddressOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Read documents (PDF, text, Markdown, HTML, docx, pptx, xlsx, csv, epub, odt, eml) into the index.
    Unchanged files are skipped; symlinked folders are followed once.

    Examples:

    \b
      docqa ingest sample_docs
      docqa ingest ~/papers report.pdf --index ~/.docqa
      docqa ingest ~/papers --executor ray
    """
    settings = _settings(index, config, device=device, ingest__chunk_tokens=chunk_tokens, ingest__pdf_password=pdf_password,
                         batch__executor=executor, batch__ray_address=ray_address)
    report = _run_ingest(settings, paths, wait, as_json)
    if as_json:
        _print_json(report.to_json())
    else:
        _print_ingest(report, paths)
    raise typer.Exit(report.exit_code)


@_command()
def search(
    query: Annotated[str, typer.Argument(help="What to look for.")],
    k: _flag("retrieval.k", "-k", "--k") = None,
    mode: Annotated[SearchMode, typer.Option(help="hybrid: dense and keyword fused; dense or keyword alone.")] = "hybrid",
    within: InOpt = None,
    doc_type: TypeOpt = None,
    index: IndexOpt = None,
    config: ConfigOpt = None,
    device: DeviceOpt = None,
    no_server: NoServerOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Hybrid search (FAISS dense + FTS5 BM25, fused by reciprocal rank).

    Examples:

    \b
      docqa search "grants for rural schools" -k 5 --json
      docqa search "grants" --in reports/ --type pdf
      docqa search "grants" --in "*2019*"
    """
    settings = _settings(index, config, device=device, retrieval__k=k, retrieval__within=within, retrieval__types=doc_type)
    remote = None if no_server else _server(settings, "search")
    if remote is not None:
        from docqa.server.client import hits_from_json

        hits = hits_from_json(remote.search(query, settings.retrieval.k, mode))
    else:
        with _open(settings, create=False) as idx:
            hits = idx.search(query, settings.retrieval.k, mode=mode)
    if as_json:
        from docqa.retrieval.hybrid import hits_json

        _print_json(hits_json(hits))
        return
    if not hits:
        out.print("no results")
        return
    from docqa.cjk import one_line
    from docqa.locators import hit_locator

    table = Table(show_lines=True)
    for col in ("#", "score", "document", "where", "section", "snippet"):
        table.add_column(col, overflow="fold")
    for rank, h in enumerate(hits, start=1):
        snippet = one_line(h.text)[:240]
        table.add_row(str(rank), f"{h.score:.4f}", _path(h.path, name_only=True), escape(hit_locator(h)), escape(h.section),
                      escape(snippet))
    out.print(table)


def _print_explain(ans, chat: dict[str, Any]) -> None:
    if chat:
        err.print(f"rewrite ({chat['rewrite_method']}): {escape(chat['rewritten'])}")
        err.print(f"memory: {len(chat['memory']['evidence'])} passages, "
                  f"{chat['memory']['evidence_tokens']} / {chat['memory']['capacity_tokens']} tokens")
    table = Table(title="candidates (attention)")
    for col in ("rank", "weight", "fused", "late-int.", "rrf", "document", "page", "outcome"):
        table.add_column(col)
    outcome = {d.chunk_id: d.outcome for d in (ans.working_set.decisions if ans.working_set else [])}
    for rank, c in enumerate(ans.candidates[:20], start=1):
        table.add_row(
            str(rank), f"{c.weight:.3f}", f"{c.score:.3f}", f"{c.interaction:.3f}", f"{c.retrieval_score:.4f}",
            _path(c.hit.path, name_only=True), str(c.hit.page_start), outcome.get(c.hit.chunk_id, "-"),
        )
    err.print(table)
    if ans.working_set:
        ws = ans.working_set
        err.print(f"working set: {len(ws.passages)} passages, {ws.tokens} / {ws.budget} tokens (prompt + answer room)")
    err.print("timings: " + ", ".join(f"{k}={v:.3f}" for k, v in ans.timings.items()))


def _ask_turn(idx, question: str, session: str | None) -> tuple[Any, dict[str, Any]]:
    """The answer; under --session also the turn's rewrite and the session's memory (--json, --explain)."""
    if session is None:
        return idx.ask(question), {}
    from docqa.chat import ChatSession

    chat_session = ChatSession.open(idx, session)
    turn = chat_session.ask(question)
    return turn.answer, turn.to_json(chat_session.report())


@_command()
def ask(
    question: Annotated[str, typer.Argument(help="A question about your documents.")],
    budget: BudgetOpt = None,
    model: ModelOpt = None,
    backend: BackendOpt = None,
    rerank: RerankOpt = None,
    judge: JudgeOpt = None,
    escalate: EscalateOpt = None,
    explain: Annotated[bool, typer.Option("--explain", help="Show candidates, attention weights, working-set decisions, token counts.")] = False,
    session: Annotated[Optional[str], typer.Option("--session", help="Continue (or start) this chat session: follow-ups are rewritten and evidence is remembered.", show_default=False)] = None,
    within: InOpt = None,
    doc_type: TypeOpt = None,
    llm_base_url: LlmUrlOpt = None,
    llm_model: LlmModelOpt = None,
    index: IndexOpt = None,
    config: ConfigOpt = None,
    device: DeviceOpt = None,
    no_server: NoServerOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Answer a question from the index with cited sources, or say the documents don't answer it.

    Examples:

    \b
      docqa ask "How much did the 2019 budget allocate to rural school grants?"
      docqa ask "..." --json --budget 1200
      docqa ask "..." --llm-base-url http://127.0.0.1:8000/v1 --llm-model Qwen/Qwen2.5-Coder-0.5B-Instruct
      docqa ask --session budget "What did the 2019 report say about rural schools?"
      docqa ask --session budget "How much did it cost?" --json
      docqa ask "What did the county spend on transport?" --in sample_docs/ --type pdf
    """
    settings = _settings(index, config, device=device, answer__budget=budget, answer__rerank=rerank, answer__judge=judge,
                         answer__escalate=escalate, retrieval__within=within, retrieval__types=doc_type,
                         **_llm(model, backend, llm_base_url, llm_model))
    # --explain shows the pipeline's insides, which only an in-process run has.
    remote = None if no_server or explain else _server(settings)
    # The reply is checked before it is shown: no draft is printed, a spinner waits instead.
    waiting = err.status("reading the evidence…") if err.is_terminal and not as_json else contextlib.nullcontext()
    if remote is not None:
        from docqa.server.client import answer_from_json

        with waiting:
            data = remote.ask(question, session)
        ans, chat = answer_from_json(data), data.get("chat") or {}
        data = {k: v for k, v in data.items() if k not in ("candidates", "chat")}  # as `ask --json` prints it
    else:
        with _open(settings, create=False) as idx:
            _load_generator(idx, answering=session is None)
            with waiting:
                ans, chat = _ask_turn(idx, question, session)
        data = ans.to_json()
    if as_json:
        _print_json(chat or data)
        return
    if explain:
        _print_explain(ans, chat)
    from docqa.display import print_answer

    print_answer(out, ans)


class _EvalProgress:
    """A bar at a terminal; piped or under --json, a plain line per question with the ETA (stderr)."""

    def __init__(self) -> None:
        self.bar = _bar("eval", None, "q", disable=not err.is_terminal)
        self.task = None
        self.started = time.monotonic()

    def __call__(self, done: int, total: int, question: str) -> None:
        if self.task is None:
            self.task = self.bar.add_task("eval", total=total, q="")
        self.bar.update(self.task, completed=done, q=escape(question[:50]))
        if not err.is_terminal and done:
            eta = (time.monotonic() - self.started) / done * (total - done)
            sys.stderr.write(f"eval {done}/{total} · eta {eta:.0f} s\n")
            sys.stderr.flush()


@_command("eval")
def evaluate(
    dataset: Annotated[Path, typer.Argument(help="A SQuAD-format JSON file (COVID-QA, XQuAD, ...).", exists=True, dir_okay=False)],
    limit: Annotated[Optional[int], typer.Option(help="Ask a seeded random sample of N questions (default: all).")] = None,
    seed: Annotated[int, typer.Option(help="Seed of the sample.")] = 0,
    budget: BudgetOpt = None,
    rerank: RerankOpt = None,
    judge: JudgeOpt = None,
    escalate: EscalateOpt = None,
    larger_first: LargerFirstOpt = None,
    model: ModelOpt = None,
    backend: BackendOpt = None,
    retrieval_only: Annotated[bool, typer.Option("--retrieval-only", help="Stop at the working set: no LLM answers (fast).")] = False,
    out_file: Annotated[Optional[Path], typer.Option("--out", help="Also write the full JSON report (per question) here.")] = None,
    jsonl: Annotated[Optional[Path], typer.Option("--jsonl", help="Append each question's result here as it is scored (a stopped run keeps them).")] = None,
    questions_from: Annotated[Optional[Path], typer.Option("--questions-from", help="Ask this other SQuAD file's questions instead: one whose id is here too keeps these gold answers (another language: XQuAD), the others are unanswerable (measures correct abstention).", exists=True, dir_okay=False)] = None,
    index: Annotated[Optional[Path], typer.Option("--index", help="Ingest into (and reuse) this index instead of a temp one.")] = None,
    llm_base_url: LlmUrlOpt = None,
    llm_model: LlmModelOpt = None,
    config: ConfigOpt = None,
    device: DeviceOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Score docqa on a SQuAD-format file: hit@k, working-set hit, EM, F1, abstention, citations, latency.

    Examples:

    \b
      docqa eval ../shared/data/covidqa/covidqa.json --limit 200 --seed 0 --json --jsonl covid.jsonl
      docqa eval ../shared/data/xquad-en/xquad.en.json --questions-from ../shared/data/covidqa/covidqa.json --limit 100
    """
    from docqa.eval.qa import report_json, run_eval

    settings = _settings(None, config, device=device, answer__budget=budget, answer__rerank=rerank, answer__judge=judge,
                         answer__escalate=escalate, answer__larger_first=larger_first,
                         **_llm(model, backend, llm_base_url, llm_model))
    progress = _EvalProgress()
    with progress.bar:
        report = run_eval(
            dataset, settings, index_dir=index, limit=limit, seed=seed, retrieval_only=retrieval_only,
            on_progress=progress, jsonl=jsonl, questions_from=questions_from,
        )
    data = report_json(report)
    if out_file:
        out_file.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    if as_json:
        _print_json(report_json(report, results=False))
        return
    table = Table(title=f"{escape(dataset.name)}: {report.questions} questions")
    table.add_column("metric")
    table.add_column("value", justify="right")
    for name, value in report.summary().items():
        table.add_row(name, f"{value:.3f}" if isinstance(value, float) else str(value))
    out.print(table)


@_command()
def chat(
    session: Annotated[Optional[str], typer.Option("--session", help="Resume (or start) this session; default: a new dated one.", show_default=False)] = None,
    list_sessions: Annotated[bool, typer.Option("--list", help="List the saved sessions and exit.")] = False,
    rewrite: _flag("chat.rewrite", "--rewrite/--no-rewrite") = None,
    within: InOpt = None,
    doc_type: TypeOpt = None,
    model: ModelOpt = None,
    backend: BackendOpt = None,
    llm_base_url: LlmUrlOpt = None,
    llm_model: LlmModelOpt = None,
    index: IndexOpt = None,
    config: ConfigOpt = None,
    device: DeviceOpt = None,
    no_server: NoServerOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Talk to your documents: follow-ups are resolved from the conversation, evidence is remembered
    between turns within a fixed token capacity and forgotten as it goes unused.

    In the chat: /memory /sources /forget N /clear /save /exit; Ctrl-C stops an answer.

    Examples:

    \b
      docqa chat
      docqa chat --session budget
      docqa chat --list --json
      docqa chat --llm-base-url http://127.0.0.1:8000/v1
    """
    from docqa.chat import ChatSession, repl, sessions

    if as_json and not list_sessions:
        raise UsageError("--json goes with --list (use `docqa ask --session NAME --json` for scripted turns)")
    settings = _settings(index, config, device=device, chat__rewrite=rewrite, retrieval__within=within,
                         retrieval__types=doc_type, **_llm(model, backend, llm_base_url, llm_model))
    with _open(settings, create=False) as idx:
        if not list_sessions:
            remote = None if no_server else _server(settings)
            if remote is not None:
                from docqa.server.client import remote_chat

                chat_session = remote_chat(idx, session, remote)
            else:
                chat_session = ChatSession.open(idx, session)
                _load_generator(chat_session)
            repl.run(chat_session, out, idx.directory / "chat_history")
            return
        rows = sessions.listing(idx.store)
    if as_json:
        _print_json(rows)
        return
    table = Table()
    for col in ("session", "turns", "passages", "evidence tokens", "updated"):
        table.add_column(col)
    for r in rows:
        when = datetime.fromtimestamp(r.updated_at).strftime("%Y-%m-%d %H:%M")
        table.add_row(_path(r.name), str(r.turns), str(r.evidence), str(r.evidence_tokens), when)
    out.print(table)
    out.print(f"{len(rows)} sessions")


@_command("list")
def list_documents(index: IndexOpt = None, config: ConfigOpt = None, as_json: JsonOpt = False) -> None:
    """List ingested documents with pages, chunks and ingest time."""
    with _open(_settings(index, config), create=False) as idx:
        docs = idx.documents()
    if as_json:
        _print_json(docs)
        return
    table = Table()
    for col in ("document", "kind", "pages", "chunks", "ingested"):
        table.add_column(col)
    for d in docs:
        when = datetime.fromtimestamp(d.ingested_at).strftime("%Y-%m-%d %H:%M")
        table.add_row(_path(d.path), d.kind, str(d.pages), str(d.chunks), when)
    out.print(table)
    out.print(f"{len(docs)} documents")


@_command()
def show(
    document: Annotated[str, typer.Argument(help="A stored document: its path, file name, or the end of its path.")],
    line: Annotated[int | None, typer.Option("--line", min=1, help="The cited line (text, Markdown: the file's lines).")] = None,
    to: Annotated[int | None, typer.Option("--to", min=1, help="The last cited line, with --line.")] = None,
    page: Annotated[int | None, typer.Option("--page", min=1, help="A page (slide, sheet, chapter), printed whole.")] = None,
    quote: Annotated[str, typer.Option("--quote", help="With --page: mark the lines holding this text.")] = "",
    context: Annotated[int, typer.Option("--context", min=0, help="Lines shown either side of --line.")] = 3,
    index: IndexOpt = None,
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Print the text a citation points at, the cited lines marked.

    Examples:

    \b
      docqa show novel.txt --line 1204 --to 1207
      docqa show report.pdf --page 3 --quote "4.2 million"
      docqa show deck.pptx --page 2 --json
    """
    from docqa.locators import show_stored

    with _open(_settings(index, config), create=False) as idx:
        shown = show_stored(idx.store, document, line=line, page=page, to_line=to, quote=quote, context=context)
    if as_json:
        _print_json(shown.to_json())
        return
    out.print(f"[bold]{_path(shown.path)}[/bold] — {escape(shown.locator)}")
    width = len(str(shown.lines[-1][0])) if shown.lines else 1
    for n, text, marked in shown.lines:
        gutter = f"{n:>{width}} {'>' if marked else ' '} "
        out.print(f"[bold yellow]{gutter}{escape(text)}[/bold yellow]" if marked else f"[dim]{gutter}[/dim]{escape(text)}")


@_command()
def status(
    index: IndexOpt = None,
    config: ConfigOpt = None,
    device: DeviceOpt = None,
    as_json: JsonOpt = False,
    check_recall: Annotated[
        bool, typer.Option("--check-recall", help="Measure recall@10 of the FAISS index against exact search.")
    ] = False,
) -> None:
    """Show the index: path, counts, models, on-disk sizes, device.

    Example: docqa status --check-recall   (200 stored chunks as queries, each left out of its own results)
    """
    with _open(_settings(index, config, device=device), create=False) as idx:
        st = idx.status()
        recall = idx.check_recall() if check_recall else None
    if as_json:
        _print_json(st.to_json(recall))
        return
    if recall is not None:
        out.print(
            f"recall@{recall.k}   {recall.recall:.3f} ({recall.kind} index, {recall.chunks} chunks, {recall.queries} queries; "
            f"{recall.approx_ms:.2f} ms vs exact {recall.exact_ms:.2f} ms per query)"
        )
    out.print(f"index       {_path(st.path)} (generation {st.generation})")
    out.print(f"documents   {st.documents}    chunks {st.chunks}")
    out.print(f"embedder    {st.embed_model} ({st.embed_dim}-d, {st.dtype})")
    out.print(f"llm         {st.llm}")
    out.print(f"device      {st.device}")
    for name, size in st.disk_bytes.items():
        out.print(f"  {name:<24} {size / 1e6:9.2f} MB")


@_command()
def remove(
    path: Annotated[Path, typer.Argument(help="A document, or a folder: every document under it.")],
    index: IndexOpt = None,
    config: ConfigOpt = None,
    wait: Annotated[bool, typer.Option("--wait", help="Wait for a running ingest.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Remove documents from the index (the files themselves are untouched)."""
    with _open(_settings(index, config), create=False) as idx:
        gone = idx.remove(path, wait=wait)
    if as_json:
        _print_json({"removed": gone})
    elif gone:
        out.print(f"removed {len(gone)} document(s)")
    if not gone:
        raise DocqaError(f"{printable_path(str(path))}: not in the index")


@_command()
def migrate(
    to: Annotated[str, typer.Option("--to", help="The PostgreSQL + pgvector database: postgresql://user@host/db.")],
    index: IndexOpt = None,
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Copy an index (SQLite + FAISS) into PostgreSQL + pgvector, without re-embedding.

    Ids, summaries, jobs and chat sessions come along. Run it again after a stop, or to bring the
    copy up to date: unchanged documents are skipped.

    Examples:

    \b
      docqa migrate --to postgresql://docqa@db.internal/docqa
      then docqa ask "..." --index postgresql://docqa@db.internal/docqa (or DOCQA_STORE=postgresql://...)
    """
    from docqa.memory.migrate import migrate as run_migrate

    settings = _settings(index, config)
    with _open(settings, create=False) as idx:
        bar = _bar("migrate", "documents", None)
        with bar:
            task = bar.add_task("migrate", total=None)
            report = run_migrate(idx.store, to, settings.vectors,
                                 progress=lambda done, total: bar.update(task, completed=done, total=total))
    if as_json:
        _print_json(report)
        return
    out.print(
        f"{escape(report.source)} -> {escape(report.target)}: {report.copied} documents copied "
        f"({report.chunks} chunks), {report.unchanged} unchanged, {report.removed} removed, in {report.seconds:.1f} s"
    )
    for table, n in report.derived.items():
        if n:
            out.print(f"  {table:<14} {n}")


class _JobBar:
    """Items, the current document and an ETA, on stderr (docqa.summarize.jobs.JobProgress)."""

    def __init__(self) -> None:
        self.bar = _bar("summarize", "items", "current")
        self.task = None

    def start(self, total: int, done: int) -> None:
        self.bar.start()
        self.task = self.bar.add_task("summarize", total=total, completed=done, current="")

    def item(self, path: str) -> None:
        self.bar.update(self.task, current=_path(path, name_only=True)[:40])

    def advance(self) -> None:
        self.bar.update(self.task, advance=1)

    def stop(self) -> None:
        self.bar.stop()


class _NodeBar:
    """LLM calls of one document's summary with an ETA (the total is the planner's estimate)."""

    def __init__(self) -> None:
        self.bar = _bar("summarize", "calls", "current", transient=True)
        self.task = self.bar.add_task("summarize", total=None, current="")
        self.bar.start()

    def plan(self, total: int) -> None:
        self.bar.update(self.task, total=total)

    def node(self, node) -> None:
        task = self.bar.tasks[0]
        if task.total is not None and task.completed + 1 > task.total:
            self.bar.update(self.task, total=task.completed + 1)
        self.bar.update(self.task, advance=1, current=escape(f"{node.kind} {node.label}"[:40]))

    def stop(self) -> None:
        self.bar.stop()


def _run_job(idx, job_id: str, as_json: bool) -> None:
    from docqa.summarize import jobs

    from docqa.summarize.progress import JobLines

    bar = (_JobBar() if err.is_terminal else JobLines(_err_line)) if not as_json else None
    summarizer = idx.summarizer(on_node=None)
    try:
        job = jobs.run(idx, job_id, summarizer, bar)
    except KeyboardInterrupt:
        err.print(f"interrupted: finished documents are kept; continue with `docqa jobs resume {job_id}`")
        raise typer.Exit(130) from None
    if as_json:
        _print_json(job.to_json())
    else:
        for it in job.items:
            if it.state == "failed":
                err.print(f"[red]failed[/red] {_path(it.item)}: {escape(it.reason)}")
        c = job.counts
        out.print(f"job {job.id}: {c['done']} done, {c['failed']} failed · outputs in {_path(job.spec['out'])}")
    if job.counts["failed"]:
        raise typer.Exit(1)


def _summarize_focus(idx, focus: str, words: int | None, paths: list[Path] | None, as_json: bool) -> None:
    result = idx.summarize_focus(focus, words, under=paths or None)
    if as_json:
        _print_json(result.to_json())
        return
    if not result.answered:
        out.print(f"[bold]{escape(result.text)}[/bold] [dim]({escape(result.abstain_reason)})[/dim]")
    elif result.unverified_reason:
        out.print(f"{escape(result.text)} [yellow](unverified: {escape(result.unverified_reason)})[/yellow]")
    else:
        out.print(escape(result.text))
    for unit, why in result.dropped:
        # An item the model copied from a table can run for a page: its start is enough to know it (--json has it whole).
        shown = unit if len(unit) <= 160 else unit[:160].rstrip() + "…"
        err.print(f"[dim]dropped, {escape(why)}: {escape(shown)}[/dim]")
    from docqa.display import sources_table

    if result.citations:  # an unverified summary may cite nothing: no empty table
        out.print(sources_table([asdict(c) for c in result.citations]))


def _err_line(line: str) -> None:
    err.print(escape(line), highlight=False)


def _summarize_document(idx, doc, mode: str | None, words: int | None, as_json: bool) -> None:
    from docqa.summarize import jobs

    from docqa.summarize.progress import Lines

    # A terminal gets a bar; a pipe or a file gets a line per finished call, with an ETA.
    bar = _NodeBar() if not as_json and err.is_terminal else None
    progress = bar or (Lines(_err_line) if not as_json else None)
    try:
        summarizer = idx.summarizer(on_node=progress and progress.node, on_plan=progress and progress.plan)
        summary = summarizer.document(doc, mode, words)
    finally:
        if bar:
            bar.stop()
    if as_json:
        _print_json(jobs.summary_json(summary))
        return
    out.print(escape(summary.text))
    how = "from the stored tree" if summary.reused_root else f"{summary.generated} calls, {summary.reused} nodes reused"
    if summary.words_asked > summary.words:
        err.print(f"[dim]the document is short: {summary.words_asked} words asked, held to {summary.words} "
                  f"(half the document)[/dim]")
    err.print(
        f"[dim]{summary.mode}, {summary.written} words · {how} · largest call "
        f"{summary.max_request_tokens}/{summary.budget} tokens · {summary.seconds:.1f}s[/dim]"
    )


def _ingest_first(idx, paths: list[Path] | None) -> bool:
    """Ingest the paths a command was given (new or changed files); True when one failed (named on stderr)."""
    if not paths:
        return False
    report = idx.ingest(paths, wait=True)
    for path, reason in report.failed:
        err.print(f"[red]failed[/red] {_path(path)}: {escape(reason)}")
    return bool(report.failed)


@_command()
def summarize(
    paths: Annotated[Optional[list[Path]], typer.Argument(help="Documents or folders (ingested first if new or changed).")] = None,
    focus: Annotated[Optional[str], typer.Option(help="Summarize what the documents say about this topic, with citations.")] = None,
    mode: _flag("summarize.mode", help="map-reduce | refine | tree (default: summarize.mode).") = None,
    words: _flag("summarize.words", help="Target length of the summary in words.") = None,
    out_dir: Annotated[Optional[Path], typer.Option("--out", help="Write one Markdown + JSON file per document and an overview (a resumable job).")] = None,
    budget: _flag("summarize.budget") = None,
    max_windows: _flag("summarize.max_windows") = None,
    within: InOpt = None,
    doc_type: TypeOpt = None,
    model: ModelOpt = None,
    backend: BackendOpt = None,
    llm_base_url: LlmUrlOpt = None,
    llm_model: LlmModelOpt = None,
    executor: ExecutorOpt = None,
    ray_address: RayAddressOpt = None,
    index: IndexOpt = None,
    config: ConfigOpt = None,
    device: DeviceOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Summarize a document, a folder (one summary each + an overview), or a topic across the index.

    Every LLM call stays inside an exact token budget. Summaries are kept as a tree in the store: summarizing an unchanged document again is instant, a changed one regenerates only what changed.

    Examples:

    \b
      docqa summarize report.pdf
      docqa summarize --focus "funding for rural schools" --in reports/ --type pdf
      docqa summarize ~/papers --out summaries/
      docqa summarize report.pdf --mode tree --words 150 --json
      docqa summarize book.pdf --max-windows 20   # read more of a long document (slower)
    """
    from docqa.summarize import jobs

    if not paths and not focus:
        raise UsageError("give documents/folders to summarize, or --focus TOPIC")
    settings = _settings(index, config, device=device, summarize__budget=budget, summarize__max_windows=max_windows,
                         batch__executor=executor, retrieval__within=within, retrieval__types=doc_type,
                         batch__ray_address=ray_address, **_llm(model, backend, llm_base_url, llm_model))
    with _open(settings, create=bool(paths)) as idx:
        failed = _ingest_first(idx, paths)
        if focus:
            return _summarize_focus(idx, focus, words, paths, as_json)
        docs = idx.documents(paths)
        if out_dir is not None or len(docs) > 1:
            job = jobs.create(idx, docs, out_dir or Path("summaries"), mode or settings.summarize.mode,
                              words or settings.summarize.words)
            if not as_json:
                overview = " and an overview of them" if job.spec["overview"] else ""
                err.print(f"job {job.id}: {len(docs)} documents{overview} (resume with `docqa jobs resume {job.id}`)")
            return _run_job(idx, job.id, as_json)
        if not docs:
            # Paths that failed to load are a failed command (1); paths with nothing in them, a usage error (2).
            raise (DocqaError if failed else UsageError)("nothing to summarize: none of the given paths is in the index")
        _summarize_document(idx, docs[0], mode, words, as_json)


@_command("eval-summaries")
def eval_summaries(
    data: Annotated[Path, typer.Argument(help="QMSum-format JSONL (e.g. ../shared/data/qmsum/test.jsonl).")],
    meetings: Annotated[int, typer.Option(help="Meetings sampled (seeded); 0 = all.")] = 5,
    specific: Annotated[Optional[int], typer.Option(help="Specific (topic) queries sampled from those meetings; default all.")] = None,
    modes: Annotated[str, typer.Option(help="Comma-separated modes run on the general queries; 'none' scores only the specific ones.")] = "map-reduce,refine,tree",
    general_words: Annotated[int, typer.Option(help="Words asked for on general queries.")] = 110,
    specific_words: Annotated[int, typer.Option(help="Words asked for on specific queries.")] = 60,
    seed: Annotated[int, typer.Option(help="Sampling seed.")] = 0,
    jsonl: Annotated[Optional[Path], typer.Option("--jsonl", help="Write each summary's scores here as it is scored (a stopped run keeps them).")] = None,
    resume: Annotated[bool, typer.Option("--resume", help="Keep the summaries already in --jsonl and score only the rest.")] = False,
    index: IndexOpt = None,
    config: ConfigOpt = None,
    device: DeviceOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Score summaries against QMSum references with ROUGE-1/2/L (general queries per mode, topic queries with --focus).

    Examples:

    \b
      docqa eval-summaries ../shared/data/qmsum/test.jsonl --meetings 5 --index /tmp/qmsum
      docqa eval-summaries test.jsonl --meetings 0 --specific 60 --modes tree --jsonl qmsum.jsonl
      docqa eval-summaries test.jsonl --meetings 0 --specific 60 --modes tree --jsonl qmsum.jsonl --resume
      docqa eval-summaries test.jsonl --meetings 0 --specific 60 --modes none --jsonl focus.jsonl
    """
    from docqa.eval import qmsum
    from docqa.summarize.document import MODES

    only_specific = modes.strip() == "none"
    chosen = () if only_specific else tuple(m.strip() for m in modes.split(",") if m.strip())
    if not (chosen or only_specific) or any(m not in MODES for m in chosen):
        raise UsageError(f"--modes takes a comma-separated list of {', '.join(MODES)}, or none")
    qmsum.require_rouge()  # before the index is opened: a missing extra leaves nothing behind

    def show(r) -> None:  # one line per summary on stderr, --json or not: these runs are long
        err.print(f"{r.meeting} {r.kind:8} {r.mode:10} R-L {100 * r.scores['rougeL']:5.1f} · {r.seconds:5.1f}s · {escape(r.query[:60])}")

    with _open(_settings(index, config, device=device), create=True) as idx:
        results = qmsum.evaluate(idx, data, meetings or None, specific, chosen, general_words, specific_words, seed, show,
                                 jsonl=jsonl, resume=resume)
    summary = qmsum.summarize_results(results, idx.settings.summarize.tolerance)
    if as_json:
        _print_json(qmsum.report_json(summary, results))
        return
    table = Table(title="ROUGE F1 ×100 (rouge-score, stemmed)")
    for col in ("queries", "n", "ROUGE-1", "ROUGE-2", "ROUGE-L", "s/summary p50", "cold s p50", "max call tokens",
                "within ±tol", "unsupported", "empty", "unverified"):
        table.add_column(col)
    for name, g in summary["groups"].items():
        table.add_row(name, str(g["n"]), f"{g['rouge1']:.2f}", f"{g['rouge2']:.2f}", f"{g['rougeL']:.2f}",
                      f"{g['seconds_p50']:.1f}", f"{g['cold_seconds_p50']:.1f}", f"{g['max_request_tokens']}/{g['budget']}",
                      f"{g['within_tolerance']:.0%}", f"{g['with_unsupported']:.0%}", str(g["empty"]), str(g["unverified"]))
    out.print(table)
    for mode, g in summary.get("all_queries", {}).items():
        out.print(f"all queries ({mode} + focus): n={g['n']} ROUGE-1 {g['rouge1']:.2f} ROUGE-2 {g['rouge2']:.2f} ROUGE-L {g['rougeL']:.2f}")


jobs_app = typer.Typer(help="Batch summarize jobs: list them, show one, resume one after Ctrl-C or a crash.", no_args_is_help=True)
app.add_typer(jobs_app, name="jobs")
JobIdArg = Annotated[str, typer.Argument(help="Job id (see docqa jobs list).")]


@_command("list", parent=jobs_app)
def jobs_list(index: IndexOpt = None, config: ConfigOpt = None, as_json: JsonOpt = False) -> None:
    """Jobs in this index, newest first. Example: docqa jobs list --json"""
    from docqa.summarize import jobs

    with _open(_settings(index, config), create=False) as idx:
        found = jobs.list_jobs(idx)
    if as_json:
        _print_json([j.to_json() for j in found])
        return
    table = Table()
    for col in ("id", "state", "done", "failed", "pending", "mode", "out"):
        table.add_column(col, overflow="fold")
    for j in found:
        c = j.counts
        table.add_row(j.id, j.state, str(c["done"]), str(c["failed"]), str(c["pending"]), j.spec["mode"], _path(j.spec["out"]))
    out.print(table)


@_command("show", parent=jobs_app)
def jobs_show(job_id: JobIdArg, index: IndexOpt = None, config: ConfigOpt = None, as_json: JsonOpt = False) -> None:
    """Every item of a job with its state and reason. Example: docqa jobs show 20261124-101500-ab12"""
    from docqa.summarize import jobs

    with _open(_settings(index, config), create=False) as idx:
        job = jobs.load(idx, job_id)
    if as_json:
        _print_json(job.to_json())
        return
    for it in job.items:
        out.print(f"{it.state:8} {_path(it.item)}" + (f" — {escape(it.reason)}" if it.reason else ""))


@_command("resume", parent=jobs_app)
def jobs_resume(job_id: JobIdArg, index: IndexOpt = None, config: ConfigOpt = None, device: DeviceOpt = None,
                as_json: JsonOpt = False) -> None:
    """Finish a job: done items are never redone. Example: docqa jobs resume 20261124-101500-ab12"""
    from docqa.summarize import jobs

    settings = _settings(index, config, device=device)
    with _open(settings, create=False) as idx:
        spec = jobs.spec_settings(jobs.load(idx, job_id))
    settings = settings.model_copy(update={k: getattr(settings, k).model_copy(update=v) for k, v in spec.items()})
    with _open(settings, create=False) as idx:
        _run_job(idx, job_id, as_json)


@_command()
def serve(
    host: _flag("serve.host") = None,
    port: _flag("serve.port") = None,
    token: _flag("serve.token", kind=str) = None,
    model: ModelOpt = None,
    backend: BackendOpt = None,
    llm_base_url: LlmUrlOpt = None,
    llm_model: LlmModelOpt = None,
    index: IndexOpt = None,
    config: ConfigOpt = None,
    device: DeviceOpt = None,
) -> None:
    """Keep docqa running: the models load once, and an HTTP API (OpenAPI page at /docs), an
    OpenAI-compatible /v1/chat/completions and a web page at / answer from the index. `docqa ask`,
    `search` and `chat` use it when it runs for the same index and settings (--no-server: they don't).

    Binds 127.0.0.1; any other address needs a token (Authorization: Bearer TOKEN on every request but /health).

    Examples:

    \b
      docqa serve
      docqa serve --port 9000 --index ~/.docqa
      docqa serve --host 0.0.0.0 --token s3cret
      DOCQA_SERVE__ALLOWED_PATHS=~/papers docqa serve   (lets API clients ingest files under ~/papers)
    """
    from docqa.models.assets import AssemblyProgress
    from docqa.server.app import run

    settings = _settings(index, config, device=device, serve__host=host, serve__port=port, serve__token=token,
                         **_llm(model, backend, llm_base_url, llm_model))

    def ready(url: str) -> None:
        err.print(f"docqa serving {_path(str(settings.index))} on {url} (web page {url}/, API {url}/docs) · Ctrl-C stops")

    progress = AssemblyProgress(console=err)
    run(settings, ready, progress, progress.close)


@_command()
def mcp(
    model: ModelOpt = None,
    backend: BackendOpt = None,
    llm_base_url: LlmUrlOpt = None,
    llm_model: LlmModelOpt = None,
    index: IndexOpt = None,
    config: ConfigOpt = None,
    device: DeviceOpt = None,
) -> None:
    """An MCP server on stdio with the tools search, ask, list_documents and summarize (JSON results with citations).

    Examples:

    \b
      docqa mcp --index ~/.docqa
      in an MCP client's config: {"command": "docqa", "args": ["mcp", "--index", "/home/me/.docqa"]}
    """
    from docqa.server.mcp_server import run

    run(_settings(index, config, device=device, **_llm(model, backend, llm_base_url, llm_model)))


@_command("config")
def show_config(index: IndexOpt = None, config: ConfigOpt = None, as_json: JsonOpt = False) -> None:
    """Print the effective settings (flags > env DOCQA_* > config file > defaults) with descriptions."""
    settings = _settings(index, config)
    if as_json:
        _print_json(settings.model_dump(mode="json"))
        return
    rows = describe(settings)
    if settings.embedding.model == "auto":
        from docqa.memory.backend import recorded_model

        used = recorded_model(settings.store or settings.index)
        shown = f"auto (this index: {used})" if used else "auto (chosen on this index's first ingest)"
        rows = [(name, shown if name == "embedding.model" else value, doc) for name, value, doc in rows]
    table = Table()
    for col in ("setting", "value", "description"):
        table.add_column(col, overflow="fold")
    for name, value, doc in rows:
        table.add_row(name, escape(str(value)), escape(doc))
    out.print(table)


def main() -> None:
    app()
