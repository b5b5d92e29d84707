"""Word (.docx), PowerPoint (.pptx) and OpenDocument text (.odt).

docx and odt: headings are sections, tables are rows that repeat their header names. pptx: the
slide number is the page, the slide title its section, and the speaker notes are read after the
slide's own text.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

from docqa.errors import LoadError
from docqa.ingest.formats.builder import Builder, table_rows
from docqa.ingest.formats.container import NAMES, open_zip, read_part
from docqa.records import LoadedDocument
from docqa.settings import IngestSettings

_HEADING_STYLE = re.compile(r"^(?:heading|überschrift|titre|título|titolo)\s*(\d)$", re.I)


def _unique(cells: list[str]) -> list[str]:
    """A merged cell is reported once per grid column it spans: keep it once."""
    return [c for i, c in enumerate(cells) if i == 0 or c != cells[i - 1]]


# --- docx ----------------------------------------------------------------------------------------


def load_docx(path: Path, data: bytes, settings: IngestSettings, deadline: float) -> LoadedDocument:
    open_zip(data, "docx", settings).close()
    import docx
    from docx.table import Table

    document = docx.Document(io.BytesIO(data))
    b = Builder(settings, deadline)
    first_heading = ""
    for item in document.iter_inner_content():
        if isinstance(item, Table):
            rows = [_unique([cell.text for cell in row.cells]) for row in item.rows]
            for line in table_rows(rows):
                b.block(line)
            continue
        level = _docx_level(item.style.name if item.style is not None else "")
        if b.block(item.text, heading=level) >= 0 and level and not first_heading:
            first_heading = item.text
    title = document.core_properties.title or first_heading
    return b.document(path, "docx", title)


def _docx_level(style: str) -> int:
    if style.lower() == "title":
        return 1
    m = _HEADING_STYLE.match(style.strip())
    return int(m.group(1)) if m else 0


# --- pptx ----------------------------------------------------------------------------------------


def load_pptx(path: Path, data: bytes, settings: IngestSettings, deadline: float) -> LoadedDocument:
    open_zip(data, "pptx", settings).close()
    from pptx import Presentation

    deck = Presentation(io.BytesIO(data))
    b = Builder(settings, deadline)
    first_title = ""
    for number, slide in enumerate(deck.slides, start=1):
        b.page(number)
        title_shape = slide.shapes.title
        if title_shape is not None and b.block(title_shape.text_frame.text, heading=1) >= 0:
            first_title = first_title or title_shape.text_frame.text
        for shape in _shapes(slide.shapes):
            if title_shape is not None and shape.shape_id == title_shape.shape_id:
                continue
            if shape.has_text_frame:
                b.block(shape.text_frame.text)
            elif getattr(shape, "has_table", False) and shape.has_table:
                for line in table_rows([_unique([c.text for c in row.cells]) for row in shape.table.rows]):
                    b.block(line)
        if slide.has_notes_slide and slide.notes_slide.notes_text_frame is not None:
            notes = slide.notes_slide.notes_text_frame.text
            if notes.strip():
                b.block(f"Speaker notes: {notes}")
    return b.document(path, "pptx", deck.core_properties.title or first_title)


def _shapes(shapes):
    """Shapes in reading order (top to bottom, then left to right), groups opened."""
    def where(s):
        return (s.top or 0, s.left or 0)

    for shape in sorted(shapes, key=where):
        if shape.shape_type == 6:  # MSO_SHAPE_TYPE.GROUP
            yield from _shapes(shape.shapes)
        else:
            yield shape


# --- odt -----------------------------------------------------------------------------------------


def load_odt(path: Path, data: bytes, settings: IngestSettings, deadline: float) -> LoadedDocument:
    z = open_zip(data, "odt", settings)
    with z:
        if b"encryption-data" in read_part(z, "META-INF/manifest.xml", NAMES["odt"]):
            raise LoadError("encrypted odt (password-protected): docqa cannot open it; save a copy without a password")
    from odf import teletype
    from odf.namespaces import TABLENS, TEXTNS
    from odf.opendocument import load
    from odf.table import TableRow

    document = load(io.BytesIO(data))
    b = Builder(settings, deadline)
    first_heading = ""

    def walk(element) -> None:
        nonlocal first_heading
        for child in element.childNodes:
            qname = getattr(child, "qname", None)
            if qname == (TEXTNS, "h"):
                level = int(child.getAttrNS(TEXTNS, "outline-level") or 1)
                text = teletype.extractText(child)
                if b.block(text, heading=level) >= 0 and not first_heading:
                    first_heading = text
            elif qname == (TEXTNS, "p"):
                b.block(teletype.extractText(child))
            elif qname == (TABLENS, "table"):
                rows = [
                    [teletype.extractText(cell) for cell in row.childNodes if getattr(cell, "qname", None) == (TABLENS, "table-cell")]
                    for row in child.getElementsByType(TableRow)
                ]
                for line in table_rows(rows):
                    b.block(line)
            elif qname is not None:
                walk(child)  # lists, sections, frames: their paragraphs in order

    walk(document.text)
    title = _odt_title(document) or first_heading
    return b.document(path, "odt", title)


def _odt_title(document) -> str:
    from odf import dc, teletype

    titles = document.meta.getElementsByType(dc.Title) if document.meta is not None else []
    return teletype.extractText(titles[0]) if titles else ""
