"""What the server does, without HTTP: one index and its models, shared by every request.

Three locks keep one process correct under concurrent requests:
- the *main connection*: reads (search, ask's retrieval and verification, chat turns) use one
  SQLite connection, which holds one transaction at a time; they take turns on it, briefly;
- *generation*: one request generates at a time. An ask lets go of the main connection while it
  waits for and runs the LLM (`GatedGenerator`), so searches never wait for generation;
- *writes*: ingest and delete run on a twin (a second connection sharing the loaded models) under
  the store's own writer lock, the same one the CLI takes; readers see each committed file, and the
  vector index follows the store's generation on every read (another process's ingest included).
"""

from __future__ import annotations

import os
import re
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import IO, Any

from docqa.errors import DocqaError, UsageError
from docqa.index import Index
from docqa.ingest.loaders import SUPPORTED
from docqa.memory.store import DocumentRow
from docqa.models.generation.base import TokenStream
from docqa.records import Hit
from docqa.server.client import fingerprints
from docqa.server.jobs import Job, JobProgress, Jobs


class Forbidden(DocqaError):
    """A path outside serve.allowed_paths (HTTP 403)."""


class NotFound(DocqaError):
    """No such document or job (HTTP 404)."""


class TooLarge(DocqaError):
    """An upload over ingest.max_file_mb (HTTP 413)."""


class Unsupported(DocqaError):
    """An upload of a type ingest does not read (HTTP 415)."""


class GatedGenerator:
    """The loaded generator, used by one request at a time (see the module docstring)."""

    def __init__(self, inner: Any, service: Service) -> None:
        self.inner = inner
        self.service = service

    def __getattr__(self, name: str) -> Any:  # name, context_tokens, the tokenizer's counts
        return getattr(self.inner, name)

    def generate(self, *args: Any, **kwargs: Any) -> Any:
        with self.service.generating():
            return self.inner.generate(*args, **kwargs)

    def generate_batch(self, *args: Any, **kwargs: Any) -> Any:
        with self.service.generating():
            return self.inner.generate_batch(*args, **kwargs)

    def yes_no_logits(self, batch: Any) -> list[float]:
        with self.service.generating():
            return self.inner.yes_no_logits(batch)

    def yes_no_logit(self, messages: Any) -> float:
        return self.yes_no_logits([messages])[0]

    def stream(self, messages: Any, max_new_tokens: int, stop: Any = None) -> TokenStream:
        return TokenStream(lambda on_token: self.generate(messages, max_new_tokens, stop=stop, on_token=on_token))


_UNSAFE = re.compile(r"[^\w.\- ]+")


def safe_name(name: str) -> str:
    """An uploaded file's name reduced to one harmless path component: no folders, no leading dot,
    no control or shell characters, at most 120 characters with the extension kept."""
    base = _UNSAFE.sub("_", name.replace("\\", "/").rsplit("/", 1)[-1]).strip(" .") or "upload"
    stem, dot, ext = base.rpartition(".")
    if dot and len(ext) <= 10:
        return f"{stem[: 120 - len(ext) - 1]}.{ext}" if stem else f"upload.{ext}"
    return base[:120]


class Service:
    """An open index, its loaded models, and the locks and jobs that let requests share them."""

    def __init__(self, index: Index) -> None:
        self.index = index
        self.settings = index.settings
        self.jobs = Jobs(self.settings.serve.max_jobs)
        self._main = threading.Lock()
        self._generating = threading.Lock()
        self._writes = threading.Lock()
        self._local = threading.local()
        self._writer: Index | None = None

    def load(self, progress=None) -> None:
        """Load the embedder, the vector index and the LLM now, not on the first request."""
        with self.reading() as idx:
            idx.memory
            generator = idx.generator(progress)
            idx.share_generator(GatedGenerator(generator, self))
            if (stronger := idx.escalation(generator)) is not None:
                stronger()  # resident: the escalation model is loaded now too, not on a user's question

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
        self.index.close()

    @contextmanager
    def reading(self) -> Iterator[Index]:
        """The index on the main connection, held by this thread until the block ends."""
        with self._main:
            self._local.reading = True
            try:
                yield self.index
            finally:
                self._local.reading = False

    @contextmanager
    def generating(self) -> Iterator[None]:
        """The generator for this thread alone; the main connection is let go meanwhile."""
        reading = getattr(self._local, "reading", False)
        if reading:
            self._local.reading = False
            self._main.release()
        try:
            with self._generating:
                yield
        finally:
            if reading:
                self._main.acquire()
                self._local.reading = True

    # -- reading --------------------------------------------------------------------------------

    def health(self) -> dict[str, Any]:
        with self.reading() as idx:
            docs, chunks = idx.store.counts()
            generation = idx.store.generation
            model = idx.store.get_meta("embed_model") or idx.settings.embedding.model  # "auto" resolved
        return {
            "status": "ok", "index": str(idx.directory.resolve()), "pid": os.getpid(), "documents": docs, "chunks": chunks,
            "generation": generation, "embedding_model": model,
            "llm": self.settings.generation.model, "settings": fingerprints(self.settings),
        }

    def search(self, query: str, k: int | None = None, mode: str = "hybrid") -> list[Hit]:
        with self.reading() as idx:
            return idx.search(query, k or self.settings.retrieval.k, mode=mode)

    def ask(self, question: str, session: str | None = None, on_token: Callable[[str], Any] | None = None):
        """(Answer, the chat turn's JSON or None): a plain question, or a turn of a chat session."""
        if not question.strip():
            raise UsageError("empty question")
        with self.reading() as idx:
            if session is None:
                return idx.ask(question, on_token=on_token), None
            from docqa.chat import ChatSession

            chat = ChatSession.open(idx, session)
            turn = chat.ask(question, on_token=on_token)
            return turn.answer, turn.to_json(chat.report())

    def documents(self) -> list[DocumentRow]:
        with self.reading() as idx:
            return idx.documents()

    def document(self, doc_id: int) -> DocumentRow:
        found = next((d for d in self.documents() if d.id == doc_id), None)
        if found is None:
            raise NotFound(f"no document with id {doc_id}")
        return found

    # -- writing --------------------------------------------------------------------------------

    def _write(self) -> Index:
        """The writers' twin (call with self._writes held)."""
        if self._writer is None:
            self._writer = self.index.twin()
        return self._writer

    def ingest(self, paths: list[Path]) -> Job:
        """Ingest as a job; it waits for an ingest already running (a CLI's too) instead of failing."""

        def work(job: Job) -> dict[str, Any]:
            with self._writes:
                return self._write().ingest(paths, progress=JobProgress(job), wait=True).to_json()

        return self.jobs.start("ingest", work)

    def delete(self, doc_id: int) -> list[str]:
        path = self.document(doc_id).path
        with self._writes:
            return self._write().remove(path)

    def allowed(self, path: str) -> Path:
        """`path` resolved (links and `..` followed) when it lies in a folder of serve.allowed_paths."""
        roots = self.settings.serve.allowed_paths
        if not roots:
            raise Forbidden("path ingest is off: no folder is listed in serve.allowed_paths (upload the file instead)")
        real = Path(os.path.realpath(os.path.expanduser(path)))
        for root in roots:
            top = Path(os.path.realpath(root.expanduser()))
            if real == top or real.is_relative_to(top):
                return real
        raise Forbidden(f"{path}: not under a folder listed in serve.allowed_paths")

    def save_upload(self, name: str, source: IO[bytes]) -> Path:
        """Copy an upload into the upload folder under a safe name, refusing it past ingest.max_file_mb
        or when ingest cannot read its type. Nothing is left behind from a refused upload."""
        clean = safe_name(name)
        suffix = Path(clean).suffix.lower()
        if suffix not in SUPPORTED:
            raise Unsupported(f"{clean}: unsupported file type {suffix or '(no extension)'} "
                              f"(supported: {', '.join(sorted(SUPPORTED))})")
        limit = int(self.settings.ingest.max_file_mb * 1024 * 1024)
        folder = self.settings.serve.upload_dir or self.index.directory / "uploads"
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as out:
                size = 0
                while block := source.read(1 << 20):
                    size += len(block)
                    if size > limit:
                        raise TooLarge(f"{clean}: larger than ingest.max_file_mb ({self.settings.ingest.max_file_mb:g} MB)")
                    out.write(block)
            os.replace(tmp, folder / clean)
        except BaseException:
            os.unlink(tmp)
            raise
        return folder / clean

    def summarize(self, doc_id: int | None, focus: str | None, mode: str | None, words: int | None) -> Job:
        """A document's summary, or what the documents say about `focus`, as a job."""
        from docqa.summarize.jobs import summary_json

        if (doc_id is None) == (focus is None):
            raise UsageError("give either document_id or focus")
        path = self.document(doc_id).path if doc_id is not None else None

        def work(job: Job) -> dict[str, Any]:
            job.current = path or focus or ""
            with closing(self.index.twin()) as twin:
                if path is not None:
                    summary = summary_json(twin.summarize(path, mode, words))
                    return {k: v for k, v in summary.items() if k != "tree"}
                return twin.summarize_focus(focus, words).to_json()

        return self.jobs.start("summary", work)


def document_json(doc: DocumentRow) -> dict[str, Any]:
    return asdict(doc) | {"name": Path(doc.path).name}


def answer_json(ans, chat: dict | None = None) -> dict[str, Any]:
    """`docqa ask --json`, plus the closest candidates (an abstention lists them) and the chat turn."""
    data = ans.to_json() | {"candidates": [asdict(c) for c in ans.candidates[:3]]}
    return data | {"chat": chat} if chat else data


def answer_brief(ans) -> dict[str, Any]:
    """The answer and its citations without the pipeline's insides (OpenAI's extra field, MCP)."""
    data = ans.to_json()
    return {k: data[k] for k in ("answer", "short_answer", "quote", "verified", "answered", "abstain_reason", "citations")}
