"""One file -> a LoadedDocument: pages of plain text with 1-based numbers, plus heading sections.

Every failure becomes a LoadError with a short reason (the caller adds the path), so one bad
file never stops an ingest. Text is normalised only where offsets would otherwise lie: NUL and
form-feed characters are removed from pages (the form feed is the page separator) and line ends
become "\\n". Everything else is kept, so a chunk's offsets point at what the user can read.
"""

from __future__ import annotations

import errno
import os
import signal
import stat
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from docqa.errors import LoadError
from docqa.ingest import formats
from docqa.ingest.common import ParseTimeout as _ParseTimeout
from docqa.ingest.common import check_text_size as _check_text_size
from docqa.ingest.formats import container
from docqa.ingest.pdf import NO_TEXT, NoTextError, load_pdf  # the first two for callers of load()
from docqa.ingest.text import decode, load_html, load_markdown, load_text
from docqa.records import LoadedDocument
from docqa.settings import IngestSettings

SUPPORTED = {
    ".pdf": "pdf",
    ".txt": "text",
    ".text": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    **formats.SUFFIXES,
}



def kind_of(path: Path) -> str | None:
    return SUPPORTED.get(Path(path).suffix.lower())


# Raised when docqa reads a format differently: a file stored by an older reader is read again on the
# next ingest, though its bytes are unchanged. pdf 2: running headers and footers left out (margins.py),
# columns drawn line by line across the page read a column at a time (columns.py). pdf 3: a page whose
# rules frame no table read for columns too. pdf 4: a gutter crossed by a title or a printer's line
# still found. pdf 5: a row of names inside a ruled table heads the rows below it (tables.Table.lines).
# 2 for every format with headings: a heading with nothing under it joins the next section's chunk
# (chunking._regions).
READERS = {"pdf": 5, **dict.fromkeys(["html", "markdown", *formats.SUFFIXES.values()], 2)}


def reader_version(kind: str) -> int:
    return READERS.get(kind, 1)


def os_reason(exc: OSError) -> str:
    """A plain reason for an OSError (the caller adds the path)."""
    if exc.errno == errno.ELOOP:
        return "symlink loop (too many levels of symbolic links)"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    if exc.errno == errno.EISDIR:
        return "is a folder, not a file"
    if exc.errno == errno.ENOENT:
        return "no such file (deleted, or a broken symlink)"
    return f"cannot read file: {exc.strerror or exc}"


def read_bytes(path: Path, settings: IngestSettings) -> bytes:
    """The file's bytes, refusing files over max_file_mb before reading them (LoadError)."""
    limit = int(settings.max_file_mb * 1024 * 1024)
    try:
        # stat before open: opening a FIFO would wait for a writer forever.
        if not stat.S_ISREG(os.stat(path).st_mode):
            raise LoadError("not a regular file (a pipe, socket or device)")
        with open(path, "rb") as f:
            st = os.fstat(f.fileno())
            if not stat.S_ISREG(st.st_mode):
                raise LoadError("not a regular file (a pipe, socket or device)")
            if st.st_size > limit:
                raise LoadError(f"file too large ({st.st_size / 1024 / 1024:.1f} MB > max_file_mb {settings.max_file_mb:g})")
            data = f.read(limit + 1)  # a file growing while read is still bounded
    except OSError as exc:
        raise LoadError(os_reason(exc)) from None
    if len(data) > limit:
        raise LoadError(f"file too large (over max_file_mb {settings.max_file_mb:g})")
    return data


def load(path: Path, settings: IngestSettings, data: bytes | None = None) -> LoadedDocument:
    """Parse one file. `data`, when given, is the file's content already read (and hashed) by
    the caller, so what is parsed is exactly what was hashed."""
    path = Path(path)
    kind = kind_of(path)
    if kind is None:
        raise LoadError(f"unsupported file type: {path.suffix or '(no extension)'}")
    if data is None:
        data = read_bytes(path, settings)
    elif len(data) > settings.max_file_mb * 1024 * 1024:
        raise LoadError(f"file too large ({len(data) / 1024 / 1024:.1f} MB > max_file_mb {settings.max_file_mb:g})")
    if not data:
        raise LoadError("not a valid PDF: empty file" if kind == "pdf" else "empty file")

    container.check(kind, data)
    deadline = time.monotonic() + settings.parse_timeout_s
    try:
        with _time_limit(settings.parse_timeout_s):
            if kind == "pdf":
                doc = load_pdf(path, data, settings, deadline)
            elif kind in formats.SUFFIXES.values():
                doc = formats.load(kind, path, data, settings, deadline)
            else:
                text, warnings = decode(data, html=kind == "html")
                _check_text_size(len(text), settings)
                if kind == "html":
                    doc = load_html(path, text, warnings)
                elif kind == "markdown":
                    doc = load_markdown(path, text, warnings)
                else:
                    doc = load_text(path, text, warnings)
        _check_text_size(sum(len(p.text) for p in doc.pages), settings)
        return doc
    except _ParseTimeout:
        raise LoadError(f"parse time limit ({settings.parse_timeout_s:g}s) exceeded") from None
    except RecursionError:
        raise LoadError("structure nested too deeply (recursion limit)") from None
    except MemoryError:
        raise LoadError("out of memory while parsing") from None


_ALARM_AGAIN_S = 0.01


@contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    """SIGALRM interrupts a parser stuck inside one call; off the main thread (or when someone
    else's timer is running) only the PDF page loop's deadline check applies."""
    usable = (
        hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
        and signal.getitimer(signal.ITIMER_REAL)[0] == 0
    )
    if not usable:
        yield
        return

    def on_alarm(signum, frame):  # noqa: ARG001
        # An exception inside importlib leaves a module lock held and deadlocks later imports
        # (pypdf imports lazily on every read), so wait for the import to finish.
        # The timer repeats until the parse ends: it comes again after the import, and after an exception raised
        # where Python can only print it (a gc callback, a __del__), which is lost.
        while frame is not None:
            if frame.f_code.co_filename.startswith("<frozen importlib"):
                return
            frame = frame.f_back
        raise _ParseTimeout

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds, _ALARM_AGAIN_S)
    try:
        yield
    finally:
        try:
            signal.setitimer(signal.ITIMER_REAL, 0)
        finally:
            signal.signal(signal.SIGALRM, previous if previous is not None else signal.SIG_DFL)
