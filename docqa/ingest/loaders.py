"""One file -> a LoadedDocument: pages of plain text with 1-based numbers, plus heading sections.

Every failure becomes a LoadError with a short reason (the caller adds the path), so one bad
file never stops an ingest. Text is normalised only where offsets would otherwise lie: NUL and
form-feed characters are removed from pages (the form feed is the page separator) and line ends
become "\\n". Everything else is kept, so a chunk's offsets point at what the user can read.
"""

from __future__ import annotations

import codecs
import errno
import os
import re
import signal
import stat
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from html.parser import HTMLParser
from pathlib import Path

from docqa.errors import LoadError
from docqa.ingest.common import TITLE_MAX as _TITLE_MAX
from docqa.ingest.common import ParseTimeout as _ParseTimeout
from docqa.ingest.common import check_text_size as _check_text_size
from docqa.ingest.common import clean as _clean
from docqa.ingest.pdf import NO_TEXT, NoTextError, load_pdf  # the first two for callers of load()
from docqa.records import LoadedDocument, Page, Section
from docqa.settings import IngestSettings

SUPPORTED = {
    ".pdf": "pdf",
    ".txt": "text",
    ".text": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
}



def kind_of(path: Path) -> str | None:
    return SUPPORTED.get(Path(path).suffix.lower())


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

    deadline = time.monotonic() + settings.parse_timeout_s
    try:
        with _time_limit(settings.parse_timeout_s):
            if kind == "pdf":
                doc = load_pdf(path, data, settings, deadline)
            else:
                text, warnings = _decode(data, html=kind == "html")
                _check_text_size(len(text), settings)
                if kind == "html":
                    doc = _load_html(path, text, warnings)
                elif kind == "markdown":
                    doc = _load_markdown(path, text, warnings)
                else:
                    doc = _load_text(path, text, warnings)
        _check_text_size(sum(len(p.text) for p in doc.pages), settings)
        return doc
    except _ParseTimeout:
        raise LoadError(f"parse time limit ({settings.parse_timeout_s:g}s) exceeded") from None
    except RecursionError:
        raise LoadError("structure nested too deeply (recursion limit)") from None
    except MemoryError:
        raise LoadError("out of memory while parsing") from None


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
        while frame is not None:
            if frame.f_code.co_filename.startswith("<frozen importlib"):
                signal.setitimer(signal.ITIMER_REAL, 0.005)
                return
            frame = frame.f_back
        raise _ParseTimeout

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        try:
            signal.setitimer(signal.ITIMER_REAL, 0)
        finally:
            signal.signal(signal.SIGALRM, previous if previous is not None else signal.SIG_DFL)


def _first_line_title(text: str) -> str:
    for line in text.splitlines():
        line = line.strip().lstrip("\ufeff").strip()
        if line and not (line.startswith("[") and line.endswith("]")):  # e.g. "[Illustration]"
            return line[:_TITLE_MAX].rstrip()
    return ""


# --- text decoding -----------------------------------------------------------------------------

# UTF-32 first: its little-endian BOM begins with the UTF-16 one.
_BOMS = [
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
]
_ALLOWED_CONTROLS = set("\t\n\r\f\v\x1b")
_WESTERN = {"cp1252", "latin_1", "iso8859_15"}
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)


def _decode(data: bytes, html: bool = False) -> tuple[str, list[str]]:
    """Bytes -> (text, warnings), or LoadError for binary data."""
    text, warnings = _guess(data, html)
    if _looks_binary(text):
        raise LoadError("binary data, not text")
    return text, warnings


def _guess(data: bytes, html: bool) -> tuple[str, list[str]]:
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(enc), []
            except UnicodeDecodeError:
                return data.decode(enc, errors="replace"), ["some bytes could not be decoded and were replaced"]
    # ASCII-heavy UTF-16 is also valid UTF-8 (with NULs), so it is recognised first.
    utf16 = _utf16_without_bom(data)
    if utf16 is not None:
        return utf16, []
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError:
        pass
    mostly = _mostly_utf8(data)
    if mostly is not None:
        return mostly
    if html and (m := _META_CHARSET.search(data[:4096])):
        try:
            return data.decode(m.group(1).decode("ascii")), []
        except (LookupError, UnicodeDecodeError):
            pass
    if b"\x00" in data:
        raise LoadError("binary data, not text")
    from charset_normalizer import from_bytes

    matches = list(from_bytes(data))
    if not matches:
        return data.decode("latin-1"), ["encoding not recognised; read as latin-1"]
    best = matches[0]
    # Short Western texts often tie between code pages; the Windows/ISO Western one is the likelier.
    western = next((m for m in matches if _WESTERN & set(m.could_be_from_charset)), None)
    if western is not None and western.chaos <= best.chaos and western.coherence >= best.coherence:
        best = western
    return str(best), [f"encoding not declared; read as {best.encoding}"]


def _mostly_utf8(data: bytes) -> tuple[str, list[str]] | None:
    """UTF-8 text with a few corrupt bytes (a truncated download, a bad copy) stays UTF-8: a
    code-page guess would garble every correct accent to save a handful of broken bytes."""
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd") - data.count("\ufffd".encode())
    multibyte = sum(1 for ch in text if ch > "\x7f") - bad
    if multibyte >= 2 * bad and bad <= len(text) // 1000 + 2:
        return text, [f"invalid UTF-8: {bad} byte sequence(s) replaced with U+FFFD"]
    return None


def _utf16_without_bom(data: bytes) -> str | None:
    sample = data[:8192]
    if len(data) % 2 or len(sample) < 4:
        return None
    half = len(sample) // 2
    even = sample[0::2].count(0) / half
    odd = sample[1::2].count(0) / half
    if odd > 0.3 and even < 0.05:
        enc = "utf-16-le"
    elif even > 0.3 and odd < 0.05:
        enc = "utf-16-be"
    else:
        return None
    try:
        return data.decode(enc)
    except UnicodeDecodeError:
        return None


def _looks_binary(text: str) -> bool:
    sample = text[:8192]
    if "\x00" in sample:
        return True
    controls = sum(1 for ch in sample if ch < " " and ch not in _ALLOWED_CONTROLS)
    return bool(sample) and controls / len(sample) > 0.05


# --- plain text --------------------------------------------------------------------------------


def _load_text(path: Path, text: str, warnings: list[str]) -> LoadedDocument:
    text = _clean(text)
    if not text.strip():
        raise LoadError("empty file")
    title = _first_line_title(text) or path.stem
    return LoadedDocument(path, "text", [Page(1, text)], title=title, warnings=warnings)


# --- Markdown ----------------------------------------------------------------------------------

_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


def _load_markdown(path: Path, text: str, warnings: list[str]) -> LoadedDocument:
    text = _clean(text)
    if not text.strip():
        raise LoadError("empty file")
    headings: list[tuple[int, int, str]] = []  # (offset, level, title)
    fence = ""
    pos = 0
    for line in text.splitlines(keepends=True):
        stripped = line.rstrip("\n")
        if m := _FENCE.match(stripped):
            marker = m.group(1)
            if not fence:
                fence = marker
            elif marker[0] == fence[0] and len(marker) >= len(fence) and not stripped.strip()[len(marker):]:
                fence = ""
        elif not fence and (m := _ATX.match(stripped)):
            headings.append((pos, len(m.group(1)), _heading_text(m.group(2) or "")))
        pos += len(line)
    title = next((t for _, level, t in headings if level == 1 and t), "") or path.stem
    return LoadedDocument(
        path, "markdown", [Page(1, text)], title=title, sections=_sections(headings, len(text)), warnings=warnings
    )


def _heading_text(raw: str) -> str:
    return re.sub(r"\s+", " ", raw.replace("`", "").replace("**", "")).strip()


def _sections(headings: list[tuple[int, int, str]], length: int) -> list[Section]:
    """Each heading's section runs to the next heading; its path is the stack of open headings."""
    sections: list[Section] = []
    if headings and headings[0][0] > 0:
        sections.append(Section(0, headings[0][0], ""))
    stack: list[tuple[int, str]] = []
    for i, (start, level, title) in enumerate(headings):
        while stack and stack[-1][0] >= level:
            stack.pop()
        stack.append((level, title))
        end = headings[i + 1][0] if i + 1 < len(headings) else length
        if end > start:
            sections.append(Section(start, end, " > ".join(t for _, t in stack if t)))
    return sections


# --- HTML --------------------------------------------------------------------------------------

_SKIP = {"script", "style", "noscript", "template", "svg", "head"}
_PARAGRAPH = {
    "p", "div", "section", "article", "main", "header", "footer", "nav", "aside", "blockquote",
    "pre", "table", "ul", "ol", "dl", "figure", "figcaption", "form", "fieldset", "hr", "address",
    "h1", "h2", "h3", "h4", "h5", "h6", "body",
}
_LINE = {"br", "li", "tr", "dt", "dd", "caption", "option"}
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}


class _HTMLText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.length = 0
        self.pending = 0  # newlines owed before the next text
        self.skip: list[str] = []
        self.pre = 0
        self.title: list[str] = []
        self.in_title = False
        self.heading: list | None = None  # [level, offset of its first character or None, words]
        self.headings: list[tuple[int, int, str]] = []
        self.cells = 0

    def _break(self, n: int) -> None:
        self.pending = max(self.pending, n)

    def handle_starttag(self, tag, attrs):  # noqa: ARG002
        if tag == "title" and not self.title:  # later <title>s belong to inline SVGs
            self.in_title = True
        if tag == "body" and "head" in self.skip:  # </head> is optional
            self.skip = [t for t in self.skip if t != "head"]
        if tag in _SKIP:
            self.skip.append(tag)
            return
        if tag in _PARAGRAPH:
            self._break(2)
        elif tag in _LINE:
            self._break(1)
        if tag == "tr":
            self.cells = 0
        elif tag in ("td", "th"):
            if self.cells and not self.pending:
                self._emit(" | ")
            self.cells += 1
        elif tag == "pre":
            self.pre += 1
        if tag in _HEADINGS and not self.skip:
            self.heading = [_HEADINGS[tag], None, []]

    def handle_endtag(self, tag):
        if tag == "title":
            self.in_title = False
        if tag in _SKIP:
            if tag in self.skip:
                while self.skip and self.skip.pop() != tag:
                    pass
            return
        if tag in _PARAGRAPH:
            self._break(2)
        elif tag in _LINE:
            self._break(1)
        if tag == "pre":
            self.pre = max(0, self.pre - 1)
        if tag in _HEADINGS and self.heading is not None:
            level, offset, words = self.heading
            if offset is not None:
                self.headings.append((offset, level, re.sub(r"\s+", " ", "".join(words)).strip()))
            self.heading = None

    def handle_data(self, data):
        if self.in_title:
            self.title.append(data)
        if self.skip:
            return
        if not self.pre:
            data = re.sub(r"\s+", " ", data)
        if self.heading is not None:
            self.heading[2].append(data)
        self._emit(data)

    def _emit(self, data: str) -> None:
        if self.pending:
            if not data.strip():
                return
            data = data.lstrip("\n" if self.pre else " ")
            if self.length:
                self._strip_trailing_whitespace()
                data = "\n" * self.pending + data
            self.pending = 0
        elif not self.length or self.out[-1].endswith((" ", "\n")):
            data = data.lstrip(" ") if not self.pre else data
        if data:
            if self.heading is not None and self.heading[1] is None and data.strip():
                self.heading[1] = self.length + len(data) - len(data.lstrip())
            self.out.append(data)
            self.length += len(data)

    def _strip_trailing_whitespace(self) -> None:
        while self.out and self.out[-1].endswith((" ", "\n")):
            last = self.out.pop()
            self.length -= len(last)
            last = last.rstrip(" \n")
            if last:
                self.out.append(last)
                self.length += len(last)
                break


def _load_html(path: Path, source: str, warnings: list[str]) -> LoadedDocument:
    parser = _HTMLText()
    parser.feed(_clean(source))
    parser.close()
    text = "".join(parser.out).rstrip()
    if not text.strip():
        raise LoadError("no text in HTML")
    headings = [(o, lvl, t) for o, lvl, t in parser.headings if t]
    title = re.sub(r"\s+", " ", "".join(parser.title)).strip()[:_TITLE_MAX]
    if not title:
        title = next((t for _, lvl, t in headings if lvl == 1), "") or path.stem
    return LoadedDocument(
        path, "html", [Page(1, text)], title=title, sections=_sections(headings, len(text)), warnings=warnings
    )
