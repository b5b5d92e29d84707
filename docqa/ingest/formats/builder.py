"""Blocks in, a LoadedDocument out: what every structured format shares.

A loader walks its file in reading order and hands over pages (slides, sheets, chapters), blocks
(paragraphs, table rows) and headings; the builder joins them with blank lines, so each block is a
paragraph to the chunker, and records each heading and row at its exact offset. Limits apply as the
text grows, so a huge file stops early, not after it has been read whole.
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

from docqa.errors import LoadError
from docqa.ingest.common import TITLE_MAX, ParseTimeout, check_text_size, clean
from docqa.ingest.tables import render_row
from docqa.ingest.text import heading_sections
from docqa.records import PAGE_SEP, LoadedDocument, Page
from docqa.settings import IngestSettings


class Builder:
    def __init__(self, settings: IngestSettings, deadline: float) -> None:
        self.settings = settings
        self.deadline = deadline
        self.pages: list[Page] = []
        self.headings: list[tuple[int, int, str]] = []  # (offset, level, title)
        self.lines: list[tuple[int, int]] = []
        self._parts: list[str] = []
        self._length = 0  # of the page being built
        self._base = 0  # its offset in the document's text
        self._number = 0

    def page(self, number: int) -> None:
        """Start page `number`; blocks go to it until the next call."""
        self._close()
        self._number = number

    def block(self, text: str, heading: int = 0, row: int = 0) -> int:
        """Append a paragraph; `heading` (its level) makes it a section title, `row` its sheet row.
        Returns its offset in the document's text, or -1 when it holds no text."""
        if time.monotonic() > self.deadline:
            raise ParseTimeout
        text = clean(text).strip()
        if not text:
            return -1
        if not self._number:
            self._number = 1
        if self._length:
            self._parts.append("\n\n")
            self._length += 2
        offset = self._base + self._length
        if heading:
            self.headings.append((offset, heading, " ".join(text.split())[:TITLE_MAX]))
        if row:
            self.lines.append((offset, row))
        self._parts.append(text)
        self._length += len(text)
        check_text_size(self._base + self._length, self.settings)
        return offset

    def passage(self, text: str, headings: list[tuple[int, int, str]], level_offset: int = 0) -> None:
        """Already formatted text (an HTML chapter) with its own headings at offsets into it."""
        lead = len(text) - len(text.lstrip())
        offset = self.block(text)
        if offset >= 0:
            end = lead + len(text.strip())
            self.headings.extend(
                (offset + o - lead, level + level_offset, t) for o, level, t in headings if lead <= o < end
            )

    def heading(self, title: str, level: int) -> None:
        """A section title that is not part of the text (a sheet or chapter name): it starts a section
        at the next block."""
        title = " ".join(title.split())[:TITLE_MAX]
        if title:
            self.headings.append((self._base + self._length + (2 if self._length else 0), level, title))

    def _close(self) -> None:
        if self._number:
            self.pages.append(Page(self._number, "".join(self._parts)))
            self._base += self._length + len(PAGE_SEP)
        self._parts, self._length = [], 0

    def document(self, path: Path, kind: str, title: str, warnings: list[str] | None = None) -> LoadedDocument:
        self._close()
        text_length = self._base - len(PAGE_SEP) if self.pages else 0
        if not any(p.text for p in self.pages):
            raise LoadError(f"no text in the {kind} file")
        # A heading recorded at a page's end (an empty sheet) would start an empty section.
        headings = sorted(h for h in self.headings if h[0] < text_length)
        return LoadedDocument(
            path, kind, self.pages, title=" ".join(title.split())[:TITLE_MAX] or path.stem,
            sections=heading_sections(headings, text_length), warnings=warnings or [], lines=self.lines,
        )


def cell_text(value) -> str:
    """A cell as a person reads it: 4.0 as 4, a midnight datetime as its date."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return f"{value:.10g}"
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        return value.date().isoformat()
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return " ".join(str(value).split())


def row_text(headers: list[str], values: list[str]) -> str:
    """A table row that reads alone, as PDF tables are rendered: "Header: value | Header: value"."""
    return render_row(headers + [""] * (len(values) - len(headers)), values)


def table_rows(rows: list[list[str]]) -> list[str]:
    """A table's rows, the first one taken as the header names and repeated in every other row."""
    rows = [r for r in rows if any(r)]
    if len(rows) < 2:
        return [" | ".join(c for c in r if c) for r in rows]
    return [row_text(rows[0], r) for r in rows[1:]]
