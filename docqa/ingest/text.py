"""The text formats: bytes decoded to text (BOMs, UTF-16 without one, a charset guess), and plain
text, Markdown and HTML turned into pages and heading sections. Text is normalised only where
offsets would otherwise lie (common.clean), so a chunk's offsets point at what the user can read.
Text and Markdown keep their line numbers (LoadedDocument.lines); HTML is located by section and
paragraph, since its extracted lines are not the source's.
"""

from __future__ import annotations

import codecs
import re
from html.parser import HTMLParser
from pathlib import Path

from docqa.errors import LoadError
from docqa.ingest.common import TITLE_MAX as _TITLE_MAX
from docqa.ingest.common import clean as _clean
from docqa.records import LoadedDocument, Page, Section


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


def decode(data: bytes, html: bool = False) -> tuple[str, list[str]]:
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


def load_text(path: Path, text: str, warnings: list[str]) -> LoadedDocument:
    text = _clean(text)
    if not text.strip():
        raise LoadError("empty file")
    title = _first_line_title(text) or path.stem
    return LoadedDocument(path, "text", [Page(1, text)], title=title, warnings=warnings, lines=[(0, 1)])


# --- Markdown ----------------------------------------------------------------------------------

_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


def load_markdown(path: Path, text: str, warnings: list[str]) -> LoadedDocument:
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
        path, "markdown", [Page(1, text)], title=title, sections=heading_sections(headings, len(text)), warnings=warnings,
        lines=[(0, 1)],
    )


def _heading_text(raw: str) -> str:
    return re.sub(r"\s+", " ", raw.replace("`", "").replace("**", "")).strip()


def heading_sections(headings: list[tuple[int, int, str]], length: int) -> list[Section]:
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


def html_text(source: str) -> tuple[str, list[tuple[int, int, str]], str]:
    """(text, headings as (offset, level, title), <title>) of an HTML page (e-book chapters and
    e-mail bodies are HTML too)."""
    parser = _HTMLText()
    parser.feed(_clean(source))
    parser.close()
    headings = [(o, lvl, t) for o, lvl, t in parser.headings if t]
    return "".join(parser.out).rstrip(), headings, re.sub(r"\s+", " ", "".join(parser.title)).strip()[:_TITLE_MAX]


def load_html(path: Path, source: str, warnings: list[str]) -> LoadedDocument:
    text, headings, title = html_text(source)
    if not text.strip():
        raise LoadError("no text in HTML")
    if not title:
        title = next((t for _, lvl, t in headings if lvl == 1), "") or path.stem
    return LoadedDocument(
        path, "html", [Page(1, text)], title=title, sections=heading_sections(headings, len(text)), warnings=warnings
    )
