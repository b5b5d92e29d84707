"""Loaders for structured formats: Office, OpenDocument, spreadsheets, e-books, e-mail.

One module per family (office, sheets, ebook, mail), each turning a file's bytes into the same
LoadedDocument the text loaders make: pages (slides, sheets, chapters), heading sections and, for
sheets, row anchors. `docqa.ingest.loaders.load` dispatches here after its own checks (size,
content sniffing, time limit); the libraries are imported only when such a file is read.
"""

from __future__ import annotations

from pathlib import Path

from docqa.errors import LoadError
from docqa.records import LoadedDocument
from docqa.settings import IngestSettings

SUFFIXES = {
    ".docx": "docx", ".pptx": "pptx", ".xlsx": "xlsx", ".csv": "csv", ".epub": "epub", ".odt": "odt", ".eml": "eml",
}


def load(kind: str, path: Path, data: bytes, settings: IngestSettings, deadline: float) -> LoadedDocument:
    from docqa.ingest.formats import ebook, mail, office, sheets
    from docqa.ingest.formats.container import parse_error

    loader = {
        "docx": office.load_docx, "pptx": office.load_pptx, "odt": office.load_odt, "xlsx": sheets.load_xlsx,
        "csv": sheets.load_csv, "epub": ebook.load_epub, "eml": mail.load_eml,
    }[kind]
    try:
        return loader(path, data, settings, deadline)
    except (LoadError, RecursionError, MemoryError):
        raise
    except Exception as exc:  # each library has its own types (KeyError, lxml's...), on open or mid-walk
        raise parse_error(kind, exc) from None
