"""Plain data passed between stages. Each stage takes and returns these; none reaches back."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

# Pages of one document are joined with this separator into the document's extracted text, so
# every chunk offset points into one string and a page boundary is a hard chunk boundary.
PAGE_SEP = "\f"


@dataclass(frozen=True)
class Page:
    number: int  # 1-based
    text: str


@dataclass(frozen=True)
class Section:
    """A span of a document's text under one heading path (Markdown); `start`/`end` index the text."""

    start: int
    end: int
    path: str


@dataclass
class LoadedDocument:
    path: Path
    kind: str  # "pdf" | "text" | "markdown" | "html" | "docx" | "pptx" | "xlsx" | "csv" | "epub" | "odt" | "eml"
    pages: list[Page]
    title: str = ""
    sections: list[Section] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # Line locators: (offset into `text`, line number there) anchors, sorted; each newline after an
    # anchor adds one. Text and Markdown: [(0, 1)], lines of the file; sheets: one anchor per row,
    # so the "line" is the spreadsheet row. Empty: the format has no lines worth citing.
    lines: list[tuple[int, int]] = field(default_factory=list)

    @property
    def text(self) -> str:
        return PAGE_SEP.join(p.text for p in self.pages)


@dataclass(frozen=True)
class Chunk:
    ord: int  # position in the document
    text: str
    start: int  # offsets into LoadedDocument.text: text == doc.text[start:end]
    end: int
    page_start: int
    page_end: int
    section: str
    n_tokens: int
    line_start: int = 0  # source line (or sheet row) of the first and last character; 0: none
    line_end: int = 0


@dataclass(frozen=True)
class Hit:
    """One search result, with provenance back to the file."""

    chunk_id: int
    doc_id: int
    path: str
    title: str
    ord: int
    text: str
    page_start: int
    page_end: int
    section: str
    start: int
    end: int
    score: float
    dense_rank: int | None = None
    keyword_rank: int | None = None
    line_start: int = 0  # as Chunk: source line or sheet row; 0 when the format has none
    line_end: int = 0
