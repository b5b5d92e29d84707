"""Walk, hash, diff, load, chunk, embed, commit: the ingest pipeline.

Each file is committed in its own SQLite transaction, so an interrupted ingest keeps every file
it finished and the next run skips them by hash. Chunks of several small files are embedded in
one call so that the model, not the pipeline, sets the pace.
"""

from __future__ import annotations

import hashlib
import os
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from docqa.errors import LoadError
from docqa.ingest.chunking import chunk_document
from docqa.ingest.loaders import NoTextError, kind_of, load, os_reason, read_bytes
from docqa.memory.store import Store
from docqa.memory.vectors import VectorIndex
from docqa.models.embedder import Embedder
from docqa.records import Chunk, LoadedDocument
from docqa.settings import IngestSettings

# Embed once this many chunks are waiting (several small files share one model call).
EMBED_BATCH_CHUNKS = 256


@dataclass
class IngestReport:
    ingested: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)
    unsupported: list[str] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)
    chunks: int = 0
    seconds: float = 0.0
    interrupted: bool = False

    @property
    def chunks_per_s(self) -> float:
        return self.chunks / self.seconds if self.seconds > 0 else 0.0

    @property
    def exit_code(self) -> int:
        """130 (the shell's code for Ctrl-C) when interrupted, 1 when a file failed, else 0 (warnings too)."""
        if self.interrupted:
            return 130
        return 1 if self.failed else 0


class Progress:
    """No-op progress sink; the CLI passes one that draws a rich bar."""

    def start(self, total_files: int) -> None: ...

    def file(self, path: str) -> None: ...

    def advance(self, files: int, chunks: int) -> None: ...


@dataclass
class _Pending:
    path: str
    sha256: str
    size: int
    mtime: float
    doc: LoadedDocument
    chunks: list[Chunk]


def walk(paths: Iterable[Path]) -> tuple[list[Path], list[Path], list[tuple[str, str]]]:
    """(files, folders walked, problems). Hidden entries are skipped; symlinked folders are not followed."""
    files: list[Path] = []
    folders: list[Path] = []
    problems: list[tuple[str, str]] = []
    for given in paths:
        p = Path(os.path.abspath(given))
        if p.is_dir():
            folders.append(p)
            for root, dirs, names in os.walk(p, onerror=lambda e: problems.append((printable_path(str(e.filename)), os_reason(e)))):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                files.extend(Path(root) / n for n in sorted(names) if not n.startswith("."))
        elif p.is_file():
            files.append(p)
        elif p.is_symlink():
            problems.append((printable_path(str(p)), "broken or looping symlink"))
        elif p.exists():
            problems.append((printable_path(str(p)), "not a regular file (a pipe, socket or device)"))
        else:
            problems.append((printable_path(str(p)), "no such file or folder"))
    return list(dict.fromkeys(files)), folders, problems


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def printable_path(path: str) -> str:
    """A path as one printable line: undecodable bytes as \\xNN, control characters (a newline in a
    file name) as escapes, so one message stays one line."""
    path = path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return "".join(ch if ch.isprintable() or ch == " " else ascii(ch)[1:-1] for ch in path)


# A file that is still being written is read again this many times before it is skipped.
READ_ATTEMPTS = 3
CHANGED = "file changed while it was being read (still being written?); not stored, run ingest again when it is complete"


def _same_file(a: os.stat_result, b: os.stat_result) -> bool:
    return (a.st_ino, a.st_dev, a.st_size, a.st_mtime_ns) == (b.st_ino, b.st_dev, b.st_size, b.st_mtime_ns)


def _read_and_load(
    path: Path, store: Store, embedder: Embedder, settings: IngestSettings
) -> tuple[os.stat_result, str, LoadedDocument, list[Chunk]] | None:
    """(stat, sha256, document, chunks) of one stable version of the file, or None when the store
    already holds that version. LoadError when it can't be read or parsed.

    The bytes are read once, hashed, and parsed from memory, so the hash always names what was
    parsed. Afterwards the file is stat'ed and hashed again: if it changed meanwhile, what was read
    may be torn (half old, half new), so it is read again; a file that keeps changing is skipped.
    """
    for _ in range(READ_ATTEMPTS):
        try:
            before = path.stat()
        except OSError as exc:
            raise LoadError(os_reason(exc)) from None
        data = read_bytes(path, settings)
        sha = hashlib.sha256(data).hexdigest()
        old = store.document(str(path))
        if old is not None and old.sha256 == sha:
            return None
        doc = load(path, settings, data=data)
        chunks = chunk_document(
            doc, embedder.count_tokens, embedder.token_offsets, settings.chunk_tokens, settings.overlap_tokens,
        )
        if not chunks:
            raise LoadError("no text to index")
        try:
            after = path.stat()
            stable = _same_file(before, after) and len(data) == after.st_size and _sha256(path) == sha
        except OSError:
            stable = False  # deleted or replaced while being read
        if stable:
            return after, sha, doc, chunks
        time.sleep(0.05)
    raise LoadError(CHANGED)


@contextmanager
def _stop_on_sigint() -> Iterator[threading.Event]:
    """First Ctrl-C: finish the current batch, then stop. Second: stop now (the open transaction rolls back)."""
    stop = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield stop
        return

    def handler(signum, frame):  # noqa: ARG001
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()

    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield stop
    finally:
        signal.signal(signal.SIGINT, previous)


def ingest(
    paths: Iterable[Path],
    store: Store,
    vectors: VectorIndex,
    embedder: Embedder,
    settings: IngestSettings,
    progress: Progress | None = None,
    save_vectors: Callable[[], None] | None = None,
) -> IngestReport:
    progress = progress or Progress()
    report = IngestReport()
    t0 = time.perf_counter()
    files, folders, problems = walk(paths)
    report.failed.extend(problems)
    progress.start(len(files))
    last_save = time.monotonic()
    pending: list[_Pending] = []

    def flush() -> None:
        nonlocal last_save
        if not pending:
            return
        texts = [c.text for item in pending for c in item.chunks]
        vecs = embedder.embed(texts)
        offset = 0
        for item in pending:
            n = len(item.chunks)
            removed, added = store.replace_document(
                path=item.path, title=item.doc.title, kind=item.doc.kind, sha256=item.sha256,
                size=item.size, mtime=item.mtime, pages=len(item.doc.pages), text=item.doc.text,
                chunks=item.chunks, vectors=vecs[offset : offset + n],
            )
            vectors.remove(removed)
            vectors.add(added, vecs[offset : offset + n])
            vectors.generation = store.generation
            offset += n
            report.ingested.append(item.path)
            report.chunks += n
            progress.advance(files=1, chunks=n)
        pending.clear()
        if save_vectors and time.monotonic() - last_save >= settings.save_every_s:
            save_vectors()
            last_save = time.monotonic()

    seen: set[str] = set()
    with _stop_on_sigint() as stop:
        for path in files:
            if stop.is_set():
                break
            key = str(path)
            seen.add(key)
            try:
                key.encode("utf-8")
            except UnicodeEncodeError:
                # SQLite stores UTF-8 only, and a path it can't hold could never be cited.
                report.failed.append((printable_path(key), "file name is not valid UTF-8; rename the file"))
                progress.advance(files=1, chunks=0)
                continue
            progress.file(key)
            if kind_of(path) is None:
                report.unsupported.append(key)
                progress.advance(files=1, chunks=0)
                continue
            try:
                got = _read_and_load(path, store, embedder, settings)
            except NoTextError as exc:
                report.warnings.append((key, f"{exc}; not indexed"))
                progress.advance(files=1, chunks=0)
                continue
            except LoadError as exc:
                report.failed.append((key, str(exc)))
                progress.advance(files=1, chunks=0)
                continue
            if got is None:
                report.unchanged.append(key)
                progress.advance(files=1, chunks=0)
                continue
            st, sha, doc, chunks = got
            report.warnings.extend((key, w) for w in doc.warnings)
            pending.append(_Pending(key, sha, st.st_size, st.st_mtime, doc, chunks))
            if sum(len(p.chunks) for p in pending) >= EMBED_BATCH_CHUNKS:
                flush()
        flush()
        report.interrupted = stop.is_set()
        if not report.interrupted:
            # Files gone from a folder ingested again are dropped from memory.
            for doc in store.documents():
                if doc.path not in seen and any(Path(doc.path).is_relative_to(f) for f in folders):
                    vectors.remove(store.delete_document(doc.path))
                    vectors.generation = store.generation
                    report.removed.append(doc.path)
    if save_vectors and vectors.dirty:
        save_vectors()
    report.seconds = time.perf_counter() - t0
    return report
