"""PDF -> LoadedDocument: one Page per PDF page, with the damage and limits a PDF can bring
(encryption, truncation, compression bombs, page counts, scans without a text layer)."""

from __future__ import annotations

import io
import logging
import time
from pathlib import Path

from docqa.errors import LoadError
from docqa.ingest.common import TITLE_MAX, ParseTimeout, check_text_size, clean
from docqa.records import LoadedDocument, Page
from docqa.settings import IngestSettings

# pypdf reports recoverable damage through logging; without a handler Python prints it to stderr.
logging.getLogger("pypdf").addHandler(logging.NullHandler())

NO_TEXT = "no extractable text (scanned? OCR is not enabled)"


class NoTextError(LoadError):
    """The file is fine but holds no text docqa can read (a scan): a warning, not a failure."""


def load_pdf(path: Path, data: bytes, settings: IngestSettings, deadline: float) -> LoadedDocument:
    from pypdf import PdfReader
    from pypdf.errors import DependencyError

    if b"%PDF-" not in data[:1024]:
        raise LoadError("not a valid PDF: no %PDF header")
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            _decrypt(reader, settings.pdf_password)
        n_pages = len(reader.pages)
    except (LoadError, ParseTimeout, RecursionError, MemoryError):
        raise
    except DependencyError as exc:
        raise LoadError(f"encrypted PDF needs an extra package: {exc}") from None
    except Exception as exc:  # pypdf raises many types on damaged files
        truncated = b"%%EOF" not in data[-2048:]
        raise LoadError(f"not a valid PDF: {'truncated file' if truncated else _reason(exc)}") from None
    if n_pages == 0:
        raise LoadError("not a valid PDF: no pages")
    if n_pages > settings.max_pages:
        raise LoadError(f"too many pages ({n_pages} > max_pages {settings.max_pages})")

    pages: list[Page] = []
    failed: list[int] = []
    first_error = ""
    chars = 0
    for i in range(n_pages):
        if time.monotonic() > deadline:
            raise ParseTimeout
        check_text_size(chars, settings)
        try:
            text = reader.pages[i].extract_text() or ""
        except (ParseTimeout, RecursionError, MemoryError):
            raise
        except Exception as exc:  # one damaged page should not cost the rest of the document
            text = ""
            failed.append(i + 1)
            first_error = first_error or _reason(exc)
        pages.append(Page(i + 1, clean(text)))
        chars += len(pages[-1].text)

    if not any(p.text.strip() for p in pages):
        if failed:
            raise LoadError(f"text extraction failed: {first_error}")
        raise NoTextError(NO_TEXT)
    warnings = []
    if failed:
        warnings.append(f"text extraction failed on page(s) {_page_list(failed)}")
    empty = [p.number for p in pages if not p.text.strip() and p.number not in failed]
    if len(empty) > n_pages // 2:
        warnings.append(f"no extractable text on page(s) {_page_list(empty)} (scanned? OCR is not enabled)")
    return LoadedDocument(path, "pdf", pages, title=_pdf_title(reader) or path.stem, warnings=warnings)


def _decrypt(reader, password: str | None) -> None:
    from pypdf import PasswordType

    # Many PDFs are encrypted only against editing and open with the empty user password.
    if reader.decrypt("") != PasswordType.NOT_DECRYPTED:
        return
    if password is None:
        raise LoadError("encrypted PDF: pass --pdf-password")
    if reader.decrypt(password) == PasswordType.NOT_DECRYPTED:
        raise LoadError("wrong PDF password")


def _pdf_title(reader) -> str:
    try:
        title = reader.metadata.title if reader.metadata else None
    except Exception:  # metadata is optional; a damaged info dict must not fail the file
        return ""
    return clean(str(title)).strip()[:TITLE_MAX] if title else ""


def _reason(exc: BaseException) -> str:
    if type(exc).__name__ == "LimitReachedError":  # pypdf's bound on decompressed/parsed size
        return "decompression limit reached (a compression bomb?)"
    msg = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return msg[:200] or type(exc).__name__


def _page_list(numbers: list[int]) -> str:
    shown = ", ".join(map(str, numbers[:10]))
    return shown + (f" and {len(numbers) - 10} more" if len(numbers) > 10 else "")
