"""The `docqa` command: parse flags, call the library, render with rich. Nothing else."""

from __future__ import annotations

import json
import sys
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

from docqa.errors import ConfigError, DocqaError, UsageError
from docqa.ingest.pipeline import IngestReport, Progress
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

IndexOpt = Annotated[
    Optional[Path], typer.Option("--index", help="Store directory (env DOCQA_INDEX; default ./index).", show_default=False)
]
ConfigOpt = Annotated[
    Optional[Path], typer.Option("--config", help="TOML config file (env DOCQA_CONFIG).", show_default=False)
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for scripts instead of tables.")]
DeviceOpt = Annotated[Optional[str], typer.Option("--device", help="auto | cpu | cuda", show_default=False)]


def _settings(index: Path | None, config: Path | None, **flags: Any) -> Settings:
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
    as_json: JsonOpt = False,
) -> None:
    """Read documents (PDF, text, Markdown, HTML) into the index. Unchanged files are skipped.

    Examples: docqa ingest sample_docs ; docqa ingest ~/papers report.pdf --index ~/.docqa
    """
    try:
        settings = _settings(index, config, device=device, ingest__chunk_tokens=chunk_tokens, ingest__pdf_password=pdf_password)
        with _open(settings, create=True) as idx:
            progress = _RichProgress() if not as_json and err.is_terminal else Progress()
            try:
                report = idx.ingest(paths, progress=progress, wait=wait)
            finally:
                if isinstance(progress, _RichProgress):
                    progress.stop()
    except DocqaError as exc:
        raise _fail(exc) from None
    if as_json:
        _print_json(_report_json(report))
        raise typer.Exit(report.exit_code)
    for path, reason in report.failed:
        err.print(f"[red]failed[/red] {escape(path)}: {escape(reason)}")
    for path in report.unsupported:
        err.print(f"[yellow]skipped[/yellow] {escape(path)}: unsupported file type")
    for path, warning in report.warnings:
        err.print(f"[yellow]warning[/yellow] {escape(path)}: {escape(warning)}")
    out.print(
        f"ingested {len(report.ingested)}, unchanged {len(report.unchanged)}, removed {len(report.removed)}, "
        f"failed {len(report.failed)}, unsupported {len(report.unsupported)} · {report.chunks} chunks in "
        f"{report.seconds:.1f}s ({report.chunks_per_s:.1f} chunks/s)"
    )
    if report.interrupted:
        err.print("[yellow]interrupted:[/yellow] what finished is stored; run the same command again to continue.")
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


def _print_sources(ans) -> None:
    table = Table(title="sources")
    for col in ("n", "document", "page", "¶", "supported", "snippet"):
        table.add_column(col, overflow="fold")
    for c in ans.citations:
        page = str(c.page_start) if c.page_start == c.page_end else f"{c.page_start}-{c.page_end}"
        table.add_row(
            str(c.n), escape(Path(c.path).name), page, str(c.paragraph),
            "yes" if c.supported else "[red]no[/red]", escape(c.snippet[:160]),
        )
    out.print(table)


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="A question about your documents.")],
    budget: Annotated[Optional[int], typer.Option(help="Working-set budget in LLM tokens (prompt + answer).")] = None,
    model: Annotated[Optional[str], typer.Option(help="qwen2.5-coder-0.5b | qwen2.5-coder-1.5b | smollm2-135m | a .gguf path")] = None,
    backend: Annotated[Optional[str], typer.Option(help="auto | llamacpp | transformers")] = None,
    rerank: Annotated[Optional[str], typer.Option(help="maxsim | softmax | none")] = None,
    judge: Annotated[Optional[str], typer.Option(help="LLM relevance judge: auto | on | off")] = None,
    explain: Annotated[bool, typer.Option("--explain", help="Show candidates, attention weights, working-set decisions, token counts.")] = False,
    index: IndexOpt = None,
    config: ConfigOpt = None,
    device: DeviceOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Answer a question from the index with cited sources, or say the documents don't answer it.

    Examples: docqa ask "What did the 2019 budget allocate to rural schools?" ; docqa ask "..." --json --budget 1200
    """
    try:
        settings = _settings(
            index, config, device=device, answer__budget=budget, answer__rerank=rerank, answer__judge=judge,
            generation__model=model, generation__backend=backend,
        )
        from docqa.models.assets import RichProgress as ModelProgress

        # The one-time model assembly/conversion shows as a progress step, not a silent minute.
        progress = ModelProgress(console=err)
        with _open(settings, create=False) as idx:
            streamed = []

            def on_token(piece: str) -> None:
                streamed.append(piece)
                if not as_json:
                    out.print(piece, end="", markup=False, highlight=False, soft_wrap=True)

            try:
                idx.generator(progress)
            finally:
                progress.close()
            ans = idx.ask(question, on_token=on_token)
    except DocqaError as exc:
        raise _fail(exc) from None
    if as_json:
        _print_json(_answer_json(ans))
        return
    if streamed:
        out.print()
    if explain:
        _print_explain(ans)
    if not ans.answered:
        out.print(f"[bold]{ans.text}[/bold] [dim]({escape(ans.abstain_reason)})[/dim]")
        out.print("closest passages:")
        for c in ans.candidates[:3]:
            out.print(f"  {escape(Path(c.hit.path).name)} p.{c.hit.page_start}: {escape(' '.join(c.hit.text.split())[:140])}")
        return
    if streamed and "".join(streamed).strip() != ans.text:
        out.print(f"[dim]verified:[/dim] {escape(ans.text)}")
    _print_sources(ans)


@app.command("eval")
def evaluate(
    dataset: Annotated[Path, typer.Argument(help="A SQuAD-format JSON file (COVID-QA, XQuAD, ...).", exists=True, dir_okay=False)],
    limit: Annotated[Optional[int], typer.Option(help="Ask a seeded random sample of N questions (default: all).")] = None,
    seed: Annotated[int, typer.Option(help="Seed of the sample.")] = 0,
    budget: Annotated[Optional[int], typer.Option(help="Working-set budget in LLM tokens.")] = None,
    rerank: Annotated[Optional[str], typer.Option(help="maxsim | softmax | none")] = None,
    judge: Annotated[Optional[str], typer.Option(help="auto | on | off")] = None,
    model: Annotated[Optional[str], typer.Option(help="LLM name or .gguf path.")] = None,
    backend: Annotated[Optional[str], typer.Option(help="auto | llamacpp | transformers")] = None,
    retrieval_only: Annotated[bool, typer.Option("--retrieval-only", help="Stop at the working set: no LLM answers (fast).")] = False,
    out_file: Annotated[Optional[Path], typer.Option("--out", help="Also write the full JSON report (per question) here.")] = None,
    index: Annotated[Optional[Path], typer.Option("--index", help="Ingest into (and reuse) this index instead of a temp one.")] = None,
    config: ConfigOpt = None,
    device: DeviceOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Score docqa on a SQuAD-format file: hit@k, working-set hit, EM, F1, abstention, citations, latency.

    Example: docqa eval ../shared/data/covidqa/covidqa.json --limit 200 --seed 0 --json
    """
    from docqa.qa_eval import report_json, run_eval

    try:
        settings = _settings(
            None, config, device=device, answer__budget=budget, answer__rerank=rerank, answer__judge=judge,
            generation__model=model, generation__backend=backend,
        )
        bar = RichProgress(
            TextColumn("[bold]eval"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), TextColumn("eta"),
            TimeRemainingColumn(), TextColumn("[dim]{task.fields[q]}"), console=err,
        )
        task = None

        def on_progress(done: int, total: int, question: str) -> None:
            nonlocal task
            if task is None:
                task = bar.add_task("eval", total=total, q="")
            bar.update(task, completed=done, q=escape(question[:50]))

        with bar:
            report = run_eval(
                dataset, settings, index_dir=index, limit=limit, seed=seed, retrieval_only=retrieval_only,
                on_progress=on_progress,
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
def status(index: IndexOpt = None, config: ConfigOpt = None, device: DeviceOpt = None, as_json: JsonOpt = False) -> None:
    """Show the index: path, counts, models, on-disk sizes, device."""
    try:
        settings = _settings(index, config, device=device)
        with _open(settings, create=False) as idx:
            st = idx.status()
    except DocqaError as exc:
        raise _fail(exc) from None
    if as_json:
        _print_json(asdict(st))
        return
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
