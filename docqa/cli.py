"""The `docqa` command: parse flags, call the library, render with rich. Nothing else."""

from __future__ import annotations

import contextlib
import json
import sys
import time
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.progress import Progress as RichProgress
from rich.table import Table

from docqa.display import print_answer
from docqa.errors import ConfigError, DocqaError, UsageError
from docqa.ingest.pipeline import IngestReport, Progress, printable_path
from docqa.settings import Settings, describe, load_settings

app = typer.Typer(
    help="Local document question answering with citations, offline.\n\n"
    "Examples:\n\n"
    "  docqa ingest ~/papers ~/notes\n\n"
    '  docqa search "grants for rural schools" -k 5 --json\n\n'
    "  docqa list ; docqa status ; docqa remove ~/papers/old.pdf ; docqa config",
    no_args_is_help=True,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
)
out = Console(soft_wrap=True)  # one message, one line: never wrapped mid-path
err = Console(stderr=True, soft_wrap=True)

# A string, not a Path: a Path would fold the "//" of a postgresql:// URL.
IndexOpt = Annotated[
    Optional[str],
    typer.Option(
        "--index", help="Store directory, or a postgresql:// URL for the server store (env DOCQA_INDEX; default ./index).",
        show_default=False,
    ),
]
ConfigOpt = Annotated[
    Optional[Path], typer.Option("--config", help="TOML config file (env DOCQA_CONFIG).", show_default=False)
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for scripts instead of tables.")]
DeviceOpt = Annotated[Optional[str], typer.Option("--device", help="auto | cpu | cuda", show_default=False)]
LlmUrlOpt = Annotated[
    Optional[str],
    typer.Option("--llm-base-url", help="OpenAI-compatible server (vLLM, llama-server, ...), e.g. http://host:8000/v1.", show_default=False),
]
LlmModelOpt = Annotated[
    Optional[str], typer.Option("--llm-model", help="Model name on that server (default: its only model).", show_default=False)
]
ExecutorOpt = Annotated[
    Optional[str],
    typer.Option("--executor", help="inprocess | ray: where the batch work runs (ray: pip install 'docqa\\[ray]'; store writes stay here).", show_default=False),
]
RayAddressOpt = Annotated[
    Optional[str],
    typer.Option("--ray-address", help="Ray cluster to join (auto, ray://head:10001); default: a local Ray runtime.", show_default=False),
]


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


def _fail(exc: DocqaError) -> typer.Exit:
    err.print(f"[red]error:[/red] {escape(str(exc))}")
    return typer.Exit(2 if isinstance(exc, (ConfigError, UsageError)) else 1)


def _open(settings: Settings, create: bool):
    from docqa.index import Index

    return Index.open(settings.index, settings, create=create)


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


class _RichProgress(Progress):
    """Files and chunks with an ETA, drawn on stderr so --json output stays clean."""

    def __init__(self) -> None:
        self.bar = RichProgress(
            TextColumn("[bold]ingest"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("files · {task.fields[chunks]} chunks"),
            TimeElapsedColumn(),
            TextColumn("eta"),
            TimeRemainingColumn(),
            TextColumn("[dim]{task.fields[current]}"),
            console=err,
            transient=False,
        )
        self.task = None

    def start(self, total_files: int) -> None:
        self.bar.start()
        self.task = self.bar.add_task("ingest", total=total_files, chunks=0, current="")

    def file(self, path: str) -> None:
        self.bar.update(self.task, current=escape(Path(path).name[:40]))

    def advance(self, files: int, chunks: int) -> None:
        done = self.bar.tasks[0].fields["chunks"] + chunks
        self.bar.update(self.task, advance=files, chunks=done)

    def stop(self) -> None:
        if self.task is not None:
            self.bar.update(self.task, current="")
        self.bar.stop()


def _report_json(report: IngestReport) -> dict[str, Any]:
    data = asdict(report)
    data["failed"] = [{"path": p, "reason": r} for p, r in report.failed]
    data["warnings"] = [{"path": p, "warning": w} for p, w in report.warnings]
    data["chunks_per_s"] = round(report.chunks_per_s, 2)
    return data


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files and folders (folders are walked recursively).")],
    index: IndexOpt = None,
    config: ConfigOpt = None,
    device: DeviceOpt = None,
    chunk_tokens: Annotated[Optional[int], typer.Option(help="Target chunk size in embedder tokens.")] = None,
    pdf_password: Annotated[Optional[str], typer.Option(help="Password for encrypted PDFs.")] = None,
    wait: Annotated[bool, typer.Option("--wait", help="Wait for another running ingest instead of failing.")] = False,
    executor: ExecutorOpt = None,
    ray_address: RayAddressOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Read documents (PDF, text, Markdown, HTML) into the index. Unchanged files are skipped.

    Examples: docqa ingest sample_docs ; docqa ingest ~/papers report.pdf --index ~/.docqa ; docqa ingest ~/papers --executor ray
    """
    try:
        settings = _settings(index, config, device=device, ingest__chunk_tokens=chunk_tokens, ingest__pdf_password=pdf_password,
                             batch__executor=executor, batch__ray_address=ray_address)
        with _open(settings, create=True) as idx:
            progress = _RichProgress() if not as_json and err.is_terminal else Progress()
            try:
                report = idx.ingest(paths, progress=progress, wait=wait)
            finally:
                if isinstance(progress, _RichProgress):
                    progress.stop()
    except DocqaError as exc:
        raise _fail(exc) from None
    except KeyboardInterrupt:
        # Before the pipeline's own handler (model loading), or a second Ctrl-C: the open
        # transaction rolled back, every file committed before it is stored.
        err.print("[yellow]interrupted:[/yellow] files committed so far are stored; run the same command again to continue.")
        raise typer.Exit(130) from None
    if as_json:
        _print_json(_report_json(report))
        raise typer.Exit(report.exit_code)
    # One line per file: a newline or undecodable byte in a file name is printed escaped.
    for path, reason in report.failed:
        err.print(f"[red]failed[/red] {escape(printable_path(path))}: {escape(reason)}")
    for path in report.unsupported:
        err.print(f"[yellow]skipped[/yellow] {escape(printable_path(path))}: unsupported file type")
    for path, warning in report.warnings:
        err.print(f"[yellow]warning[/yellow] {escape(printable_path(path))}: {escape(warning)}")
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
    raise typer.Exit(report.exit_code)


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="What to look for.")],
    k: Annotated[Optional[int], typer.Option("-k", "--k", help="How many results.")] = None,
    mode: Annotated[str, typer.Option(help="hybrid | dense | keyword")] = "hybrid",
    index: IndexOpt = None,
    config: ConfigOpt = None,
    device: DeviceOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Hybrid search (FAISS dense + FTS5 BM25, fused by reciprocal rank).

    Example: docqa search "grants for rural schools" -k 5 --json
    """
    if mode not in ("hybrid", "dense", "keyword"):
        err.print(f"[red]error:[/red] --mode must be hybrid, dense or keyword, not {escape(mode)}")
        raise typer.Exit(2)
    try:
        settings = _settings(index, config, device=device, retrieval__k=k)
        with _open(settings, create=False) as idx:
            hits = idx.search(query, settings.retrieval.k, mode=mode)
    except DocqaError as exc:
        raise _fail(exc) from None
    if as_json:
        _print_json([{"rank": r, **asdict(h)} for r, h in enumerate(hits, start=1)])
        return
    if not hits:
        out.print("no results")
        return
    table = Table(show_lines=True)
    for col in ("#", "score", "document", "page", "section", "snippet"):
        table.add_column(col, overflow="fold")
    for rank, h in enumerate(hits, start=1):
        page = str(h.page_start) if h.page_start == h.page_end else f"{h.page_start}-{h.page_end}"
        snippet = " ".join(h.text.split())[:240]
        table.add_row(str(rank), f"{h.score:.4f}", escape(Path(h.path).name), page, escape(h.section), escape(snippet))
    out.print(table)


def _answer_json(ans) -> dict[str, Any]:
    ws = ans.working_set
    return {
        "question": ans.question,
        "answer": ans.text,
        "short_answer": ans.short_answer,
        "quote": ans.quote,
        "verified": ans.verified,
        "unverified_reason": ans.unverified_reason or None,
        "answered": ans.answered,
        "abstain_reason": ans.abstain_reason or None,
        "citations": [asdict(c) for c in ans.citations],
        "removed_citations": ans.removed_citations,
        "unsupported_sentences": ans.unsupported_sentences,
        "raw_answer": ans.raw_answer,
        "working_set": None if ws is None else {
            "tokens": ws.tokens,
            "budget": ws.budget,
            "passages": [
                {k: v for k, v in asdict(p).items() if k != "text"} | {"text": p.text} for p in ws.passages
            ],
        },
        "model": ans.model,
        "prompt_tokens": ans.prompt_tokens,
        "completion_tokens": ans.completion_tokens,
        "timings": {k: round(v, 4) for k, v in ans.timings.items()},
    }


def _print_explain(ans) -> None:
    table = Table(title="candidates (attention)")
    for col in ("rank", "weight", "fused", "late-int.", "rrf", "document", "page", "outcome"):
        table.add_column(col)
    outcome = {d.chunk_id: d.outcome for d in (ans.working_set.decisions if ans.working_set else [])}
    for rank, c in enumerate(ans.candidates[:20], start=1):
        table.add_row(
            str(rank), f"{c.weight:.3f}", f"{c.score:.3f}", f"{c.interaction:.3f}", f"{c.retrieval_score:.4f}",
            escape(Path(c.hit.path).name), str(c.hit.page_start), outcome.get(c.hit.chunk_id, "-"),
        )
    err.print(table)
    if ans.working_set:
        ws = ans.working_set
        err.print(f"working set: {len(ws.passages)} passages, {ws.tokens} / {ws.budget} tokens (prompt + answer room)")
    err.print("timings: " + ", ".join(f"{k}={v:.3f}" for k, v in ans.timings.items()))


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="A question about your documents.")],
    budget: Annotated[Optional[int], typer.Option(help="Working-set budget in LLM tokens (prompt + answer).")] = None,
    model: Annotated[Optional[str], typer.Option(help="qwen2.5-coder-0.5b | qwen2.5-coder-1.5b | smollm2-135m | a .gguf path")] = None,
    backend: Annotated[Optional[str], typer.Option(help="auto | llamacpp | transformers | openai")] = None,
    rerank: Annotated[Optional[str], typer.Option(help="maxsim | softmax | none")] = None,
    judge: Annotated[Optional[str], typer.Option(help="LLM relevance judge: auto | on | off")] = None,
    explain: Annotated[bool, typer.Option("--explain", help="Show candidates, attention weights, working-set decisions, token counts.")] = False,
    session: Annotated[Optional[str], typer.Option("--session", help="Continue (or start) this chat session: follow-ups are rewritten and evidence is remembered.", show_default=False)] = None,
    llm_base_url: LlmUrlOpt = None,
    llm_model: LlmModelOpt = None,
    index: IndexOpt = None,
    config: ConfigOpt = None,
    device: DeviceOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Answer a question from the index with cited sources, or say the documents don't answer it.

    Examples: docqa ask "What did the 2019 budget allocate to rural schools?" ; docqa ask "..." --json --budget 1200 ;
    docqa ask "..." --llm-base-url http://127.0.0.1:8000/v1 --llm-model Qwen/Qwen2.5-Coder-0.5B-Instruct ;
    docqa ask --session budget "What did the 2019 report say about rural schools?" ; docqa ask --session budget "How much did it cost?" --json
    """
    try:
        settings = _settings(
            index, config, device=device, answer__budget=budget, answer__rerank=rerank, answer__judge=judge,
            generation__model=model, generation__backend=backend,
            generation__base_url=llm_base_url, generation__api_model=llm_model,
        )
        from docqa.models.assets import RichProgress as ModelProgress

        # The one-time model assembly/conversion shows as a progress step, not a silent minute.
        progress = ModelProgress(console=err)
        with _open(settings, create=False) as idx:
            try:
                idx.generator(progress)
            finally:
                progress.close()
            # The reply is checked before it is shown: no draft is printed, a spinner waits instead.
            waiting = err.status("reading the evidence…") if err.is_terminal and not as_json else contextlib.nullcontext()
            chat: dict[str, Any] = {}
            with waiting:
                if session is not None:
                    from docqa.chat import ChatSession

                    chat_session = ChatSession.open(idx, session)
                    turn = chat_session.ask(question)
                    ans = turn.answer
                    chat = {"rewritten": turn.rewritten, "rewrite_method": turn.rewrite_method,
                            "turn_tokens": turn.tokens, "memory": chat_session.report()}
                else:
                    ans = idx.ask(question)
    except DocqaError as exc:
        raise _fail(exc) from None
    if as_json:
        _print_json(_answer_json(ans) | chat)
        return
    if explain:
        if chat:
            err.print(f"rewrite ({chat['rewrite_method']}): {escape(chat['rewritten'])}")
            err.print(f"memory: {len(chat['memory']['evidence'])} passages, "
                      f"{chat['memory']['evidence_tokens']} / {chat['memory']['capacity_tokens']} tokens")
        _print_explain(ans)
    print_answer(out, ans)


@app.command("eval")
def evaluate(
    dataset: Annotated[Path, typer.Argument(help="A SQuAD-format JSON file (COVID-QA, XQuAD, ...).", exists=True, dir_okay=False)],
    limit: Annotated[Optional[int], typer.Option(help="Ask a seeded random sample of N questions (default: all).")] = None,
    seed: Annotated[int, typer.Option(help="Seed of the sample.")] = 0,
    budget: Annotated[Optional[int], typer.Option(help="Working-set budget in LLM tokens.")] = None,
    rerank: Annotated[Optional[str], typer.Option(help="maxsim | softmax | none")] = None,
    judge: Annotated[Optional[str], typer.Option(help="auto | on | off")] = None,
    model: Annotated[Optional[str], typer.Option(help="LLM name or .gguf path.")] = None,
    backend: Annotated[Optional[str], typer.Option(help="auto | llamacpp | transformers | openai")] = None,
    retrieval_only: Annotated[bool, typer.Option("--retrieval-only", help="Stop at the working set: no LLM answers (fast).")] = False,
    out_file: Annotated[Optional[Path], typer.Option("--out", help="Also write the full JSON report (per question) here.")] = None,
    jsonl: Annotated[Optional[Path], typer.Option("--jsonl", help="Append each question's result here as it is scored (a stopped run keeps them).")] = None,
    questions_from: Annotated[Optional[Path], typer.Option("--questions-from", help="Ask this other SQuAD file's questions instead: none is answerable here (measures correct abstention).", exists=True, dir_okay=False)] = None,
    index: Annotated[Optional[Path], typer.Option("--index", help="Ingest into (and reuse) this index instead of a temp one.")] = None,
    llm_base_url: LlmUrlOpt = None,
    llm_model: LlmModelOpt = None,
    config: ConfigOpt = None,
    device: DeviceOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Score docqa on a SQuAD-format file: hit@k, working-set hit, EM, F1, abstention, citations, latency.

    Examples: docqa eval ../shared/data/covidqa/covidqa.json --limit 200 --seed 0 --json --jsonl covid.jsonl ;
    docqa eval ../shared/data/xquad-en/xquad.en.json --questions-from ../shared/data/covidqa/covidqa.json --limit 100
    """
    from docqa.qa_eval import report_json, run_eval

    try:
        settings = _settings(
            None, config, device=device, answer__budget=budget, answer__rerank=rerank, answer__judge=judge,
            generation__model=model, generation__backend=backend,
            generation__base_url=llm_base_url, generation__api_model=llm_model,
        )
        bar = RichProgress(
            TextColumn("[bold]eval"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), TextColumn("eta"),
            TimeRemainingColumn(), TextColumn("[dim]{task.fields[q]}"), console=err, disable=not err.is_terminal,
        )
        task = None
        started = time.monotonic()

        def on_progress(done: int, total: int, question: str) -> None:
            nonlocal task
            if task is None:
                task = bar.add_task("eval", total=total, q="")
            bar.update(task, completed=done, q=escape(question[:50]))
            if not err.is_terminal and done:
                # Piped or under --json: a plain line per question, with the ETA, on stderr.
                eta = (time.monotonic() - started) / done * (total - done)
                sys.stderr.write(f"eval {done}/{total} · eta {eta:.0f} s\n")
                sys.stderr.flush()

        with bar:
            report = run_eval(
                dataset, settings, index_dir=index, limit=limit, seed=seed, retrieval_only=retrieval_only,
                on_progress=on_progress, jsonl=jsonl, questions_from=questions_from,
            )
    except DocqaError as exc:
        raise _fail(exc) from None
    data = report_json(report)
    if out_file:
        out_file.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    if as_json:
        _print_json({k: v for k, v in data.items() if k != "results"})
        return
    table = Table(title=f"{dataset.name}: {report.questions} questions")
    table.add_column("metric")
    table.add_column("value", justify="right")
    for name, value in report.summary().items():
        table.add_row(name, f"{value:.3f}" if isinstance(value, float) else str(value))
    out.print(table)


@app.command()
def chat(
    session: Annotated[Optional[str], typer.Option("--session", help="Resume (or start) this session; default: a new dated one.", show_default=False)] = None,
    list_sessions: Annotated[bool, typer.Option("--list", help="List the saved sessions and exit.")] = False,
    rewrite: Annotated[Optional[bool], typer.Option("--rewrite/--no-rewrite", help="Rewrite follow-ups into standalone questions.", show_default=False)] = None,
    model: Annotated[Optional[str], typer.Option(help="LLM name or .gguf path.")] = None,
    index: IndexOpt = None,
    config: ConfigOpt = None,
    device: DeviceOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Talk to your documents: follow-ups are resolved from the conversation, evidence is remembered
    between turns within a fixed token capacity and forgotten as it goes unused.

    In the chat: /memory /sources /forget N /clear /save /exit; Ctrl-C stops an answer.

    Examples: docqa chat ; docqa chat --session budget ; docqa chat --list --json
    """
    from docqa.chat import ChatSession, repl, sessions

    if as_json and not list_sessions:
        err.print("[red]error:[/red] --json goes with --list (use `docqa ask --session NAME --json` for scripted turns)")
        raise typer.Exit(2)
    try:
        settings = _settings(index, config, device=device, chat__rewrite=rewrite, generation__model=model)
        with _open(settings, create=False) as idx:
            if list_sessions:
                rows = sessions.listing(idx.store)
            else:
                chat_session = ChatSession.open(idx, session)
                from docqa.models.assets import RichProgress as ModelProgress

                progress = ModelProgress(console=err)
                try:
                    chat_session.generator(progress)
                finally:
                    progress.close()
                repl.run(chat_session, out, idx.directory / "chat_history")
                return
    except DocqaError as exc:
        raise _fail(exc) from None
    if as_json:
        _print_json([asdict(r) for r in rows])
        return
    table = Table()
    for col in ("session", "turns", "passages", "evidence tokens", "updated"):
        table.add_column(col)
    for r in rows:
        when = datetime.fromtimestamp(r.updated_at).strftime("%Y-%m-%d %H:%M")
        table.add_row(escape(r.name), str(r.turns), str(r.evidence), str(r.evidence_tokens), when)
    out.print(table)
    out.print(f"{len(rows)} sessions")


@app.command("list")
def list_documents(index: IndexOpt = None, config: ConfigOpt = None, as_json: JsonOpt = False) -> None:
    """List ingested documents with pages, chunks and ingest time."""
    try:
        settings = _settings(index, config)
        with _open(settings, create=False) as idx:
            docs = idx.documents()
    except DocqaError as exc:
        raise _fail(exc) from None
    if as_json:
        _print_json([asdict(d) for d in docs])
        return
    table = Table()
    for col in ("document", "kind", "pages", "chunks", "ingested"):
        table.add_column(col)
    for d in docs:
        when = datetime.fromtimestamp(d.ingested_at).strftime("%Y-%m-%d %H:%M")
        table.add_row(escape(d.path), d.kind, str(d.pages), str(d.chunks), when)
    out.print(table)
    out.print(f"{len(docs)} documents")


@app.command()
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
    try:
        settings = _settings(index, config, device=device)
        with _open(settings, create=False) as idx:
            st = idx.status()
            recall = idx.check_recall() if check_recall else None
    except DocqaError as exc:
        raise _fail(exc) from None
    if as_json:
        _print_json({**asdict(st), **({"recall": asdict(recall)} if recall else {})})
        return
    if recall is not None:
        out.print(
            f"recall@{recall.k}   {recall.recall:.3f} ({recall.kind} index, {recall.chunks} chunks, {recall.queries} queries; "
            f"{recall.approx_ms:.2f} ms vs exact {recall.exact_ms:.2f} ms per query)"
        )
    out.print(f"index       {escape(st.path)} (generation {st.generation})")
    out.print(f"documents   {st.documents}    chunks {st.chunks}")
    out.print(f"embedder    {st.embed_model} ({st.embed_dim}-d, {st.dtype})")
    out.print(f"llm         {st.llm}")
    out.print(f"device      {st.device}")
    for name, size in st.disk_bytes.items():
        out.print(f"  {name:<24} {size / 1e6:9.2f} MB")


@app.command()
def remove(
    path: Annotated[Path, typer.Argument(help="A document, or a folder: every document under it.")],
    index: IndexOpt = None,
    config: ConfigOpt = None,
    wait: Annotated[bool, typer.Option("--wait", help="Wait for a running ingest.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Remove documents from the index (the files themselves are untouched)."""
    try:
        settings = _settings(index, config)
        with _open(settings, create=False) as idx:
            gone = idx.remove(path, wait=wait)
    except DocqaError as exc:
        raise _fail(exc) from None
    if as_json:
        _print_json({"removed": gone})
    elif gone:
        out.print(f"removed {len(gone)} document(s)")
    if not gone:
        err.print(f"[red]error:[/red] {escape(str(path))}: not in the index")
        raise typer.Exit(1)


@app.command()
def migrate(
    to: Annotated[str, typer.Option("--to", help="The PostgreSQL + pgvector database: postgresql://user@host/db.")],
    index: IndexOpt = None,
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Copy an index (SQLite + FAISS) into PostgreSQL + pgvector, without re-embedding.

    Ids, summaries, jobs and chat sessions come along. Run it again after a stop, or to bring the
    copy up to date: unchanged documents are skipped.

    Examples: docqa migrate --to postgresql://docqa@db.internal/docqa ; then
    docqa ask "..." --index postgresql://docqa@db.internal/docqa (or DOCQA_STORE=postgresql://...)
    """
    from docqa.memory.migrate import migrate as run_migrate

    try:
        settings = _settings(index, config)
        with _open(settings, create=False) as idx:
            bar = RichProgress(TextColumn("[bold]migrate"), BarColumn(), MofNCompleteColumn(), TextColumn("documents"),
                               TimeElapsedColumn(), TextColumn("eta"), TimeRemainingColumn(), console=err)
            with bar:
                task = bar.add_task("migrate", total=None)
                report = run_migrate(idx.store, to, settings.vectors,
                                     progress=lambda done, total: bar.update(task, completed=done, total=total))
    except DocqaError as exc:
        raise _fail(exc) from None
    if as_json:
        _print_json(asdict(report))
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
        self.bar = RichProgress(
            TextColumn("[bold]summarize"), BarColumn(), MofNCompleteColumn(), TextColumn("documents"),
            TimeElapsedColumn(), TextColumn("eta"), TimeRemainingColumn(), TextColumn("[dim]{task.fields[current]}"),
            console=err,
        )
        self.task = None

    def start(self, total: int, done: int) -> None:
        self.bar.start()
        self.task = self.bar.add_task("summarize", total=total, completed=done, current="")

    def item(self, path: str) -> None:
        self.bar.update(self.task, current=escape(Path(path).name[:40]))

    def advance(self) -> None:
        self.bar.update(self.task, advance=1)

    def stop(self) -> None:
        self.bar.stop()


class _NodeBar:
    """LLM calls of one document's summary with an ETA (the total is the planner's estimate)."""

    def __init__(self) -> None:
        self.bar = RichProgress(
            TextColumn("[bold]summarize"), BarColumn(), MofNCompleteColumn(), TextColumn("calls"),
            TimeElapsedColumn(), TextColumn("eta"), TimeRemainingColumn(), TextColumn("[dim]{task.fields[current]}"),
            console=err, transient=True,
        )
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


def _job_json(job) -> dict[str, Any]:
    return {
        "id": job.id, "state": job.state, "spec": job.spec, "counts": job.counts,
        "created_at": datetime.fromtimestamp(job.created_at).isoformat(timespec="seconds"),
        "items": [asdict(it) for it in job.items],
    }


def _run_job(idx, job_id: str, as_json: bool) -> None:
    from docqa.summarize import jobs

    bar = _JobBar() if not as_json and err.is_terminal else None
    summarizer = idx.summarizer(on_node=None)
    try:
        job = jobs.run(idx, job_id, summarizer, bar)
    except KeyboardInterrupt:
        err.print(f"interrupted: finished documents are kept; continue with `docqa jobs resume {job_id}`")
        raise typer.Exit(130) from None
    if as_json:
        _print_json(_job_json(job))
    else:
        for it in job.items:
            if it.state == "failed":
                err.print(f"[red]failed[/red] {escape(it.item)}: {escape(it.reason)}")
        c = job.counts
        out.print(f"job {job.id}: {c['done']} done, {c['failed']} failed · outputs in {escape(job.spec['out'])}")
    if job.counts["failed"]:
        raise typer.Exit(1)


@app.command()
def summarize(
    paths: Annotated[Optional[list[Path]], typer.Argument(help="Documents or folders (ingested first if new or changed).")] = None,
    focus: Annotated[Optional[str], typer.Option(help="Summarize what the documents say about this topic, with citations.")] = None,
    mode: Annotated[Optional[str], typer.Option(help="map-reduce | refine | tree (default: summarize.mode).")] = None,
    words: Annotated[Optional[int], typer.Option(help="Target length of the summary in words.")] = None,
    out_dir: Annotated[Optional[Path], typer.Option("--out", help="Write one Markdown + JSON file per document and an overview (a resumable job).")] = None,
    budget: Annotated[Optional[int], typer.Option(help="Token budget of every LLM call.")] = None,
    model: Annotated[Optional[str], typer.Option(help="LLM (see docqa ask --help).")] = None,
    executor: ExecutorOpt = None,
    ray_address: RayAddressOpt = None,
    index: IndexOpt = None,
    config: ConfigOpt = None,
    device: DeviceOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Summarize a document, a folder (one summary each + an overview), or a topic across the index.

    Every LLM call stays inside an exact token budget. Summaries are kept as a tree in the store: summarizing an unchanged document again is instant, a changed one regenerates only what changed.

    Examples: docqa summarize report.pdf ; docqa summarize --focus "funding for rural schools" ; docqa summarize ~/papers --out summaries/ ; docqa summarize report.pdf --mode tree --words 150 --json
    """
    from docqa.summarize import jobs
    from docqa.summarize.document import MODES

    if mode is not None and mode not in MODES:
        err.print(f"[red]error:[/red] --mode must be one of {', '.join(MODES)}")
        raise typer.Exit(2)
    if not paths and not focus:
        err.print("[red]error:[/red] give documents/folders to summarize, or --focus TOPIC")
        raise typer.Exit(2)
    try:
        settings = _settings(index, config, device=device, summarize__budget=budget, generation__model=model,
                             batch__executor=executor, batch__ray_address=ray_address)
        with _open(settings, create=bool(paths)) as idx:
            if paths:
                report = idx.ingest(paths, wait=True)
                for path, reason in report.failed:
                    err.print(f"[red]failed[/red] {escape(path)}: {escape(reason)}")
            if focus:
                result = idx.summarize_focus(focus, words, under=paths or None)
                if as_json:
                    _print_json({"topic": focus, "summary": result.text, "answered": result.answered,
                                 "abstain_reason": result.abstain_reason or None,
                                 "citations": [asdict(c) for c in result.citations],
                                 "request_tokens": result.request_tokens, "budget": result.budget,
                                 "seconds": round(result.seconds, 2)})
                    return
                out.print(escape(result.text) if result.answered else f"[bold]{result.text}[/bold] [dim]({escape(result.abstain_reason)})[/dim]")
                _print_sources(result)
                return
            docs = idx.documents(paths)
            if out_dir is not None or len(docs) > 1:
                job = jobs.create(idx, docs, out_dir or Path("summaries"), mode or settings.summarize.mode,
                                  words or settings.summarize.words)
                if not as_json:
                    err.print(f"job {job.id}: {len(docs)} documents (resume with `docqa jobs resume {job.id}`)")
                _run_job(idx, job.id, as_json)
                return
            if not docs:
                # Paths that failed to load are a failed command (1); paths with nothing in them, a usage error (2).
                cls = DocqaError if paths and report.failed else UsageError
                raise cls("nothing to summarize: none of the given paths is in the index")
            bar = _NodeBar() if not as_json and err.is_terminal else None
            try:
                summarizer = idx.summarizer(on_node=bar and bar.node, on_plan=bar and bar.plan)
                summary = summarizer.document(docs[0], mode, words)
            finally:
                if bar:
                    bar.stop()
    except DocqaError as exc:
        raise _fail(exc) from None
    if as_json:
        _print_json(jobs.summary_json(summary))
        return
    out.print(escape(summary.text))
    how = "from the stored tree" if summary.reused_root else f"{summary.generated} calls, {summary.reused} nodes reused"
    err.print(
        f"[dim]{summary.mode}, {len(summary.text.split())} words · {how} · largest call "
        f"{summary.max_request_tokens}/{summary.budget} tokens · {summary.seconds:.1f}s[/dim]"
    )


@app.command("eval-summaries")
def eval_summaries(
    data: Annotated[Path, typer.Argument(help="QMSum-format JSONL (e.g. ../shared/data/qmsum/test.jsonl).")],
    meetings: Annotated[int, typer.Option(help="Meetings sampled (seeded); 0 = all.")] = 5,
    specific: Annotated[Optional[int], typer.Option(help="Specific (topic) queries sampled from those meetings; default all.")] = None,
    modes: Annotated[str, typer.Option(help="Comma-separated modes run on the general queries.")] = "map-reduce,refine,tree",
    general_words: Annotated[int, typer.Option(help="Words asked for on general queries.")] = 110,
    specific_words: Annotated[int, typer.Option(help="Words asked for on specific queries.")] = 60,
    seed: Annotated[int, typer.Option(help="Sampling seed.")] = 0,
    index: IndexOpt = None,
    config: ConfigOpt = None,
    device: DeviceOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Score summaries against QMSum references with ROUGE-1/2/L (general queries per mode, topic queries with --focus).

    Examples: docqa eval-summaries ../shared/data/qmsum/test.jsonl --meetings 5 --index /tmp/qmsum ; docqa eval-summaries test.jsonl --meetings 0 --modes tree --json
    """
    from docqa.summarize import qmsum
    from docqa.summarize.document import MODES

    chosen = tuple(m.strip() for m in modes.split(",") if m.strip())
    if not chosen or any(m not in MODES for m in chosen):
        err.print(f"[red]error:[/red] --modes takes a comma-separated list of {', '.join(MODES)}")
        raise typer.Exit(2)

    def show(r) -> None:  # one line per summary on stderr, --json or not: these runs are long
        err.print(f"{r.meeting} {r.kind:8} {r.mode:10} R-L {100 * r.scores['rougeL']:5.1f} · {r.seconds:5.1f}s · {escape(r.query[:60])}")

    try:
        settings = _settings(index, config, device=device)
        with _open(settings, create=True) as idx:
            results = qmsum.evaluate(idx, data, meetings or None, specific, chosen, general_words, specific_words, seed, show)
    except DocqaError as exc:
        raise _fail(exc) from None
    summary = qmsum.summarize_results(results)
    if as_json:
        _print_json({"summary": summary, "results": qmsum.results_json(results)})
        return
    table = Table(title="ROUGE F1 ×100 (rouge-score, stemmed)")
    for col in ("queries", "n", "ROUGE-1", "ROUGE-2", "ROUGE-L", "s/summary p50", "cold s p50", "max call tokens"):
        table.add_column(col)
    for name, g in summary["groups"].items():
        table.add_row(name, str(g["n"]), f"{g['rouge1']:.2f}", f"{g['rouge2']:.2f}", f"{g['rougeL']:.2f}",
                      f"{g['seconds_p50']:.1f}", f"{g['cold_seconds_p50']:.1f}", f"{g['max_request_tokens']}/{g['budget']}")
    out.print(table)
    for mode, g in summary.get("all_queries", {}).items():
        out.print(f"all queries ({mode} + focus): n={g['n']} ROUGE-1 {g['rouge1']:.2f} ROUGE-2 {g['rouge2']:.2f} ROUGE-L {g['rougeL']:.2f}")


jobs_app = typer.Typer(help="Batch summarize jobs: list them, show one, resume one after Ctrl-C or a crash.", no_args_is_help=True)
app.add_typer(jobs_app, name="jobs")


@jobs_app.command("list")
def jobs_list(index: IndexOpt = None, config: ConfigOpt = None, as_json: JsonOpt = False) -> None:
    """Jobs in this index, newest first. Example: docqa jobs list --json"""
    from docqa.summarize import jobs

    try:
        with _open(_settings(index, config), create=False) as idx:
            found = jobs.list_jobs(idx)
    except DocqaError as exc:
        raise _fail(exc) from None
    if as_json:
        _print_json([_job_json(j) for j in found])
        return
    table = Table()
    for col in ("id", "state", "done", "failed", "pending", "mode", "out"):
        table.add_column(col, overflow="fold")
    for j in found:
        c = j.counts
        table.add_row(j.id, j.state, str(c["done"]), str(c["failed"]), str(c["pending"]), j.spec["mode"], escape(j.spec["out"]))
    out.print(table)


@jobs_app.command("show")
def jobs_show(job_id: Annotated[str, typer.Argument(help="Job id (see docqa jobs list).")], index: IndexOpt = None,
              config: ConfigOpt = None, as_json: JsonOpt = False) -> None:
    """Every item of a job with its state and reason. Example: docqa jobs show 20261124-101500-ab12"""
    from docqa.summarize import jobs

    try:
        with _open(_settings(index, config), create=False) as idx:
            job = jobs.load(idx, job_id)
    except DocqaError as exc:
        raise _fail(exc) from None
    if as_json:
        _print_json(_job_json(job))
        return
    for it in job.items:
        out.print(f"{it.state:8} {escape(it.item)}" + (f" — {escape(it.reason)}" if it.reason else ""))


@jobs_app.command("resume")
def jobs_resume(job_id: Annotated[str, typer.Argument(help="Job id (see docqa jobs list).")], index: IndexOpt = None,
                config: ConfigOpt = None, device: DeviceOpt = None, as_json: JsonOpt = False) -> None:
    """Finish a job: done items are never redone. Example: docqa jobs resume 20261124-101500-ab12"""
    from docqa.summarize import jobs

    try:
        settings = _settings(index, config, device=device)
        with _open(settings, create=False) as idx:
            spec = jobs.spec_settings(jobs.load(idx, job_id))
        settings = settings.model_copy(update={k: getattr(settings, k).model_copy(update=v) for k, v in spec.items()})
        with _open(settings, create=False) as idx:
            _run_job(idx, job_id, as_json)
    except DocqaError as exc:
        raise _fail(exc) from None


@app.command("config")
def show_config(index: IndexOpt = None, config: ConfigOpt = None, as_json: JsonOpt = False) -> None:
    """Print the effective settings (flags > env DOCQA_* > config file > defaults) with descriptions."""
    try:
        settings = _settings(index, config)
    except DocqaError as exc:
        raise _fail(exc) from None
    if as_json:
        _print_json(settings.model_dump(mode="json"))
        return
    table = Table()
    for col in ("setting", "value", "description"):
        table.add_column(col, overflow="fold")
    for name, value, doc in describe(settings):
        table.add_row(name, escape(str(value)), escape(doc))
    out.print(table)


def main() -> None:
    app()
