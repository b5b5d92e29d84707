"""Spreadsheets (.xlsx) and comma-separated values (.csv): one row, one paragraph that reads alone.

The first non-empty row of a sheet holds the header names; every later row is written as
"Header: value | Header: value", so a chunk holding rows 40-52 still says which column each value is
in. Each row is anchored at its spreadsheet row number (LoadedDocument.lines), so a citation says
"sheet Sales, rows 40-52". A workbook's sheets are its pages, each sheet's name its section.
"""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

from docqa.errors import LoadError
from docqa.ingest.formats.builder import Builder, cell_text, row_text
from docqa.ingest.formats.container import open_zip
from docqa.ingest.text import decode
from docqa.records import LoadedDocument
from docqa.settings import IngestSettings


def _rows_into(b: Builder, rows) -> None:
    """(row number, cell texts) in order; the first non-empty row is the header."""
    headers: list[str] | None = None
    for number, cells in rows:
        if not any(cells):
            continue
        if headers is None:
            headers = cells
            continue
        b.block(row_text(headers, cells), row=number)


def load_xlsx(path: Path, data: bytes, settings: IngestSettings, deadline: float) -> LoadedDocument:
    open_zip(data, "xlsx", settings).close()
    from openpyxl import load_workbook

    # read_only streams each sheet's XML instead of building it whole; data_only reads the values
    # Excel last computed instead of the formulas.
    book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    b = Builder(settings, deadline)
    try:
        for number, sheet in enumerate(book.worksheets, start=1):
            b.page(number)
            b.heading(sheet.title, 1)
            _rows_into(b, (
                (n, [_cell(c) for c in row]) for n, row in enumerate(sheet.iter_rows(min_row=1), start=1)
            ))
        title = book.properties.title if book.properties is not None else ""
    finally:
        book.close()
    return b.document(path, "xlsx", title or "")


def _cell(cell) -> str:
    value = getattr(cell, "value", None)
    if isinstance(value, (int, float)) and not isinstance(value, bool) and "%" in (getattr(cell, "number_format", "") or ""):
        return f"{value * 100:.10g} %"  # stored as 0.22, shown (and asked about) as 22 %
    return cell_text(value)


def load_csv(path: Path, data: bytes, settings: IngestSettings, deadline: float) -> LoadedDocument:
    text, warnings = decode(data)
    text = text.lstrip("\ufeff")
    try:
        dialect = csv.Sniffer().sniff(text[:8192], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel  # one column, or too irregular to tell: commas
    b = Builder(settings, deadline)
    b.page(1)
    limit = csv.field_size_limit()
    try:
        # A field may be as long as the file: the default 128 KB limit fails honest files.
        csv.field_size_limit(min(sys.maxsize, len(text) + 1))
        reader = csv.reader(io.StringIO(text, newline=""), dialect)
        _rows_into(b, ((n, [" ".join(c.split()) for c in row]) for n, row in enumerate(reader, start=1)))
    except csv.Error as exc:
        raise LoadError(f"not valid CSV: {exc}") from None
    finally:
        csv.field_size_limit(limit)
    return b.document(path, "csv", path.stem, warnings)
