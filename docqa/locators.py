"""Where a passage is, in the words its format uses, and the cited text shown in place.

A PDF has pages, a deck slides, a workbook sheets and rows, an e-book chapters, a text or Markdown
file lines; Word, OpenDocument, HTML and e-mail have sections and paragraphs. `describe` writes the
locator a citation shows ("lines 120-134", "sheet Sales, rows 40-47", "slide 3"); `show` prints a
stored document's text around a line or page with the cited span marked (`docqa show`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from docqa.errors import UsageError
from docqa.ingest.loaders import kind_of
from docqa.records import PAGE_SEP

# What a page is called, in formats with more than one.
PAGE_WORDS = {"pdf": "page", "pptx": "slide", "xlsx": "sheet", "epub": "chapter"}
_BREAK = re.compile(r"\n[ \t]*\n")
# Formats whose line locators are the file's own lines (others' are sheet rows).
FILE_LINES = {"text", "markdown"}


def _span(word: str, a: int, b: int) -> str:
    return f"{word} {a}" if a == b or not b else f"{word}s {a}-{b}"


def describe(path: str, page_start: int, page_end: int, section: str = "", line_start: int = 0, line_end: int = 0,
             paragraph: int = 0, with_section: bool = False) -> str:
    """The locator as a citation shows it: "page 3, paragraph 2", "lines 12-18", "sheet Sales, rows 2-9",
    "section Tides, paragraph 4" (`with_section`: where no section column is beside it)."""
    kind = kind_of(Path(path)) or "pdf"
    parts = []
    if kind == "xlsx":
        parts.append(f"sheet {section}" if section else _span("sheet", page_start, page_end))
    elif kind in PAGE_WORDS:
        parts.append(_span(PAGE_WORDS[kind], page_start, page_end))
    # A format without pages or lines is located by its section (`with_section`: the caller has no
    # section column beside the locator).
    if section and kind != "xlsx" and not line_start and (with_section or not parts):
        parts.append(f"section {section}")
    if line_start:
        parts.append(_span("line" if kind in FILE_LINES else "row", line_start, line_end))
    elif paragraph:
        parts.append(f"paragraph {paragraph}")
    return ", ".join(parts) or "whole document"


def hit_locator(h) -> str:
    """Where a search hit (records.Hit) is: its chunk's lines, rows, slide or page."""
    return describe(h.path, h.page_start, h.page_end, h.section, h.line_start, h.line_end)


def _heading(section: str) -> re.Pattern | None:
    """The section's own heading as a paragraph of its own (Markdown's #s allowed)."""
    title = section.rsplit(" > ", 1)[-1].split()
    return re.compile(r"(?:^|\n[ \t]*\n)[#\s]*" + r"\s+".join(map(re.escape, title))) if title else None


def section_paragraph(text: str, section: str, offset: int) -> int:
    """1-based paragraph of `offset` counted from its section's heading (the heading's own paragraph
    is 0), so "section Tides, paragraph 2" is what a reader counts; 0 when the heading is not a
    paragraph of the same page before it (a sheet or chapter name, an e-mail's subject line)."""
    heading = _heading(section)
    if heading is None:
        return 0
    page = text[text.rfind(PAGE_SEP, 0, offset) + 1 : offset]
    last = None
    for last in heading.finditer(page):
        pass
    return len(_BREAK.findall(page, last.end())) if last else 0


def section_above(text: str, section: str, offset: int) -> str:
    """The section a quote at `offset` sits in: its chunk's, or the one above it for a quote above that
    section's heading on its page (chunking joins a heading with nothing under it, a title page's lines,
    to the next section: "by Mary Wollstonecraft (Godwin) Shelley" is in "Frankenstein;", not in the
    CONTENTS that follows it)."""
    page_end = text.find(PAGE_SEP, offset) % (len(text) + 1)  # -1 (the last page) -> the text's end
    while " > " in section and (heading := _heading(section)) and heading.search(text, offset, page_end) \
            and not section_paragraph(text, section, offset):
        section = section.rsplit(" > ", 1)[0]
    return section


def lines_of(text: str, start: int, end: int) -> tuple[int, int]:
    """1-based lines of text[start:end] in a one-page text (the file's own lines)."""
    first = text.count("\n", 0, start) + 1
    return first, first + text.count("\n", start, max(start, end - 1))


@dataclass
class Shown:
    """What `docqa show` prints: numbered lines of a document, the cited ones marked."""

    path: str
    title: str
    locator: str
    lines: list[tuple[int, str, bool]]  # (line number, text, marked)

    def to_json(self) -> dict:
        return {"path": self.path, "title": self.title, "locator": self.locator,
                "lines": [{"n": n, "text": t, "marked": m} for n, t, m in self.lines]}


def resolve(documents, name: str):
    """The stored document `name` names: its path, or a unique file name or path suffix."""
    absolute = str(Path(name).expanduser().absolute())
    exact = [d for d in documents if d.path in (name, absolute)]
    if exact:
        return exact[0]
    found = [d for d in documents if d.path.endswith("/" + name.lstrip("/"))]
    if len(found) == 1:
        return found[0]
    if not found:
        raise UsageError(f"{name}: no such document in the index (docqa list shows what is stored)")
    raise UsageError(f"{name}: {len(found)} stored documents match; give more of the path")


def show(path: str, title: str, text: str, line: int | None = None, page: int | None = None,
         to_line: int | None = None, quote: str = "", context: int = 3) -> Shown:
    """The document at `line` (to `to_line`), `context` lines either side, those lines marked; or
    page `page` whole, with the lines holding `quote` marked.

    Lines are the file's lines for text and Markdown; in other formats, the lines of the extracted
    text (a page's own lines with --page)."""
    pages = text.split(PAGE_SEP)
    if (line is None) == (page is None):
        raise UsageError("give one of --line N or --page N")
    if page is not None:
        if not 1 <= page <= len(pages):
            raise UsageError(f"{path}: no page {page} (it has {len(pages)})")
        body = pages[page - 1]
        marked = _quote_span(body, quote)
        rows, pos = [], 0
        for n, row in enumerate(body.split("\n"), start=1):
            rows.append((n, row, marked is not None and pos < marked[1] and pos + len(row) >= marked[0]))
            pos += len(row) + 1
        return Shown(path, title, describe(path, page, page), rows)
    lines = text.replace(PAGE_SEP, "\n").removesuffix("\n").split("\n")  # a final newline ends the last line
    last = max(line, to_line or line)
    if not 1 <= line <= len(lines):
        raise UsageError(f"{path}: no line {line} (it has {len(lines)})")
    last = min(last, len(lines))
    lo, hi = max(1, line - context), min(len(lines), last + context)
    where = describe(path, 1, 1, line_start=line, line_end=last) if kind_of(Path(path)) in FILE_LINES else _span("line", line, last)
    return Shown(path, title, where, [(n, lines[n - 1], line <= n <= last) for n in range(lo, hi + 1)])


def _quote_span(text: str, quote: str) -> tuple[int, int] | None:
    """Where `quote` is in `text`, spacing ignored (a quote is shown with its whitespace collapsed)."""
    words = quote.split()
    if not words:
        return None
    m = re.search(r"\s+".join(map(re.escape, words)), text)
    return m.span() if m else None


def quote_lines(path: str, text: str, start: int, end: int) -> tuple[int, int]:
    """The file lines of a quote in a text or Markdown document, (0, 0) in other formats."""
    if kind_of(Path(path)) in FILE_LINES and PAGE_SEP not in text:
        return lines_of(text, start, end)
    return 0, 0


def show_stored(store, name: str, line: int | None = None, page: int | None = None, to_line: int | None = None,
                quote: str = "", context: int = 3) -> Shown:
    """`show` over a document of the index, named by path, file name or path suffix (`docqa show`)."""
    doc = resolve(store.documents(), name)
    return show(doc.path, doc.title, store.document_text(doc.id), line, page, to_line, quote, context)
