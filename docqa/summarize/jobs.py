"""Batch summarize jobs that survive Ctrl-C, kill -9 and reboots.

A job's inputs, settings and every item's state live in the store (tables jobs, job_items). An
item is marked done only after its output files are on disk (written to a temp file, fsynced,
renamed), so a finished item is never recomputed; an item cut off half way is redone, but the
summary nodes it had already generated are in the store and are reused (nodes.py). A failing
document is recorded with its reason and the job goes on.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import time
from pathlib import Path

from docqa.errors import DocqaError, UsageError
from docqa.memory.derived import Job
from docqa.memory.store import DocumentRow
from docqa.summarize import language
from docqa.summarize.document import DocumentSummary, Summarizer
from docqa.summarize.overview import Summarized, compose

OVERVIEW = "overview"


class JobProgress:
    """What a job reports as it runs (the CLI draws a bar with items, current document and ETA)."""

    def start(self, total: int, done: int) -> None: ...

    def item(self, path: str) -> None: ...

    def advance(self) -> None: ...

    def stop(self) -> None: ...


def create(index, documents: list[DocumentRow], out_dir: Path, mode: str, words: int, overview: bool = True) -> Job:
    """Record a new job over `documents` (an overview across them comes last when `overview`).

    The spec keeps the settings that shape the output (model, budget), so a resume produces what
    the first run would have, whatever the environment says then."""
    if not documents:
        raise UsageError("nothing to summarize: no indexed documents under the given paths")
    job_id = time.strftime("%Y%m%d-%H%M%S-") + secrets.token_hex(2)
    spec = {
        "out": str(Path(out_dir).resolve()), "mode": mode, "words": words,
        "overview": overview and len(documents) > 1, "model": index.settings.generation.model,
        "budget": index.settings.summarize.budget, "partial_words": index.settings.summarize.partial_words,
    }
    items = [d.path for d in documents] + ([OVERVIEW] if spec["overview"] else [])
    index.store.derived.jobs.create(job_id, "summarize", spec, items)
    return load(index, job_id)


def load(index, job_id: str) -> Job:
    job = index.store.derived.jobs.get(job_id)
    if job is None:
        raise UsageError(f"no job {job_id!r} in {index.directory} (see `docqa jobs list`)")
    return job


def spec_settings(job: Job) -> dict:
    """Settings overrides (nested like the config file) that reproduce the job's first run."""
    return {
        "generation": {"model": job.spec["model"]},
        "summarize": {"budget": job.spec["budget"], "partial_words": job.spec["partial_words"]},
    }


def list_jobs(index) -> list[Job]:
    return [load(index, i) for i in index.store.derived.jobs.ids()]


def _set_job(index, job_id: str, state: str) -> None:
    index.store.derived.jobs.set_state(job_id, state)


def _set_item(index, job_id: str, item: str, state: str, reason: str = "", result: dict | None = None) -> None:
    index.store.derived.jobs.set_item(job_id, item, state, reason, result)


def write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def output_stem(doc_path: str) -> str:
    """A file name per document: its name, plus a short hash so equal names in two folders differ."""
    return f"{Path(doc_path).stem}-{hashlib.sha1(doc_path.encode()).hexdigest()[:6]}"


def markdown(summary: DocumentSummary) -> str:
    lines = [f"# Summary: {Path(summary.path).name}", "", summary.text, "", "## Sources", ""]
    for node in summary.nodes:
        if node.kind in ("window", "refine"):
            pages = f"p. {node.pages[0]}" if node.pages[0] == node.pages[1] else f"pp. {node.pages[0]}–{node.pages[1]}"
            label = f" — {node.label}" if node.label and not node.label.startswith("p.") else ""
            lines.append(f"- {summary.path}, {pages}{label} (chunks {node.chunk_ids[0]}–{node.chunk_ids[-1]})")
    lines += ["", f"_mode {summary.mode}, {summary.words} words, model {summary.nodes[-1].model}_", ""]
    return "\n".join(lines)


def summary_json(summary: DocumentSummary) -> dict:
    return {
        "path": summary.path, "title": summary.title, "mode": summary.mode, "words": summary.words,
        "words_asked": summary.words_asked or summary.words, "written": summary.written, "language": summary.language,
        "summary": summary.text, "budget": summary.budget, "max_request_tokens": summary.max_request_tokens,
        "generated": summary.generated, "reused": summary.reused, "seconds": round(summary.seconds, 2),
        "cold_seconds": round(summary.cold_seconds, 2), "reused_root": summary.reused_root,
        "tree": [
            {"key": n.key[:16], "kind": n.kind, "label": n.label, "pages": list(n.pages), "chunk_ids": n.chunk_ids,
             "children": [c[:16] for c in n.children], "cached": n.cached, "prompt": n.prompt, "model": n.model,
             "request_tokens": n.request_tokens, "text": n.text}
            for n in summary.nodes
        ],
    }


def run(index, job_id: str, summarizer: Summarizer, progress: JobProgress | None = None) -> Job:
    """Run (or resume) a job: pending items in order, done ones never again. Ctrl-C leaves it resumable."""
    job = load(index, job_id)
    progress = progress or JobProgress()
    out = Path(job.spec["out"])
    done = sum(1 for it in job.items if it.state != "pending")
    progress.start(len(job.items), done)
    _set_job(index, job_id, "running")
    try:
        for it in job.items:
            if it.state != "pending":
                continue
            progress.item(it.item)
            try:
                if it.item == OVERVIEW:
                    result = _overview(index, job_id, summarizer, out)
                else:
                    result = _document(index, it.item, summarizer, job.spec, out)
            except DocqaError as exc:
                _set_item(index, job_id, it.item, "failed", str(exc))
            else:
                _set_item(index, job_id, it.item, "done", result=result)
            progress.advance()
    except BaseException:
        _set_job(index, job_id, "interrupted")
        raise
    finally:
        progress.stop()
    _set_job(index, job_id, "done")
    return load(index, job_id)


def _document(index, path: str, summarizer: Summarizer, spec: dict, out: Path) -> dict:
    doc = index.store.document(path)
    if doc is None:
        raise UsageError(f"{path}: no longer in the index (removed since the job started)")
    summary = summarizer.document(doc, spec["mode"], spec["words"])
    stem = output_stem(path)
    write_atomic(out / f"{stem}.json", json.dumps(summary_json(summary), ensure_ascii=False, indent=2))
    write_atomic(out / f"{stem}.md", markdown(summary))
    return {"markdown": str(out / f"{stem}.md"), "json": str(out / f"{stem}.json"), "root_key": summary.nodes[-1].key,
            "generated": summary.generated,
            "reused": summary.reused, "seconds": round(summary.seconds, 2)}


def _overview(index, job_id: str, summarizer: Summarizer, out: Path) -> dict:
    """An overview across the job's summarized documents (summarize/overview.py), each linked to its summary."""
    job = load(index, job_id)
    docs: list[Summarized] = []
    links: list[str] = []
    for it in job.items:
        if it.item == OVERVIEW or it.state != "done":
            continue
        data = json.loads(Path(it.result["json"]).read_text(encoding="utf-8"))
        docs.append(Summarized(Path(it.item).name, data["title"], data["summary"]))
        links.append(f"- [{docs[-1].name}]({Path(it.result['markdown']).name})")
    if not docs:
        raise UsageError("no document summary succeeded; no overview")
    lang = language.of(" ".join(d.summary for d in docs))  # the overview reads as its documents do
    text = compose(summarizer, docs, job.spec["words"], lang)
    lines = ["# Overview", "", text, "", "## Documents", "", *links]
    write_atomic(out / "overview.md", "\n".join(lines) + "\n")
    write_atomic(out / "overview.json", json.dumps({"overview": text, "documents": [d.name for d in docs]},
                                                   ensure_ascii=False, indent=2))
    return {"markdown": str(out / "overview.md"), "json": str(out / "overview.json")}
