"""PDF -> LoadedDocument: one Page per PDF page, with the damage and limits a PDF can bring
(encryption, truncation, compression bombs, page counts, scans without a text layer)."""

from __future__ import annotations

import io
import logging
import re
import threading
import time
from pathlib import Path

from docqa.errors import LoadError
from docqa.ingest import columns, margins, tables
from docqa.ingest.common import TITLE_MAX, ParseTimeout, check_text_size, clean
from docqa.records import LoadedDocument, Page
from docqa.settings import IngestSettings

# pypdf reports recoverable damage through logging; without a handler Python prints it to stderr.
logging.getLogger("pypdf").addHandler(logging.NullHandler())

_PDFIUM_LOCK = threading.Lock()
NO_TEXT = "no extractable text (scanned? OCR is not enabled)"


class NoTextError(LoadError):
    """The file is fine but holds no text docqa can read (a scan): a warning, not a failure."""


def load_pdf(path: Path, data: bytes, settings: IngestSettings, deadline: float) -> LoadedDocument:
    """pypdf checks the file (structure, encryption, page count, each page's inflated size: it is
    pure Python, so the parse time limit can interrupt it); the engine of `settings.pdf_engine`
    extracts the text."""
    from pypdf import PdfReader
    from pypdf.errors import DependencyError

    if b"%PDF-" not in data[:1024]:
        raise LoadError("not a valid PDF: no %PDF header")
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        password = _decrypt(reader, settings.pdf_password) if reader.is_encrypted else None
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

    with _PDFIUM_LOCK:  # PDFium must be called from one thread at a time (the server ingests on threads)
        engine = _engine(settings.pdf_engine, data, reader, password)
        pages: list[Page] = []
        failed: list[int] = []
        first_error = ""
        chars = 0
        try:
            for i in range(n_pages):
                if time.monotonic() > deadline:
                    raise ParseTimeout
                check_text_size(chars, settings)
                try:
                    text = engine.text(i)
                except (ParseTimeout, RecursionError, MemoryError):
                    raise
                except Exception as exc:  # one damaged page should not cost the rest of the document
                    text = ""
                    failed.append(i + 1)
                    first_error = first_error or _reason(exc)
                pages.append(Page(i + 1, clean(text)))
                chars += len(pages[-1].text)
            empty = [p.number for p in pages if not p.text.strip() and p.number not in failed]
            read = _ocr_pages(engine, empty, settings, deadline) if empty else {}
        finally:
            engine.close()
    for number, text in read.items():
        pages[number - 1] = Page(number, clean(text))
    empty = [n for n in empty if not pages[n - 1].text.strip()]
    pages = margins.strip_running(pages)

    if not any(p.text.strip() for p in pages):
        if failed:
            raise LoadError(f"text extraction failed: {first_error}")
        raise NoTextError(NO_TEXT if not read else "no text found by OCR")
    warnings = []
    if failed:
        warnings.append(f"text extraction failed on page(s) {_page_list(failed)}")
    if read:
        warnings.append(f"page(s) {_page_list(sorted(read))} read by OCR")
    if len(empty) > n_pages // 2:
        warnings.append(f"no extractable text on page(s) {_page_list(empty)} (scanned? OCR is not enabled)")
    return LoadedDocument(path, "pdf", pages, title=_pdf_title(reader) or path.stem, warnings=warnings)


class _Pypdf:
    render = None  # pages are rendered (for OCR) by PDFium only

    def __init__(self, reader) -> None:
        self.reader = reader

    def text(self, i: int) -> str:
        return self.reader.pages[i].extract_text() or ""

    def close(self) -> None:
        pass


class _Pdfium(_Pypdf):
    """PDFium's text (pypdf's for a page PDFium cannot read), with ruled tables as header-named rows."""

    def __init__(self, reader, doc) -> None:
        super().__init__(reader)
        self.doc = doc

    def text(self, i: int) -> str:
        import pypdfium2

        _check_inflated_size(self.reader.pages[i])
        try:
            page = self.doc[i]
        except pypdfium2.PdfiumError:
            return super().text(i)
        try:
            return page_text(page)
        finally:
            page.close()

    def render(self, i: int, dpi: float):
        """Page i as a PIL image for OCR, or None when it holds no image (a blank or drawn page)."""
        import pypdfium2.raw as pdfium_c

        page = self.doc[i]
        try:
            if next(page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=3), None) is None:
                return None
            return page.render(scale=dpi / 72).to_pil()
        finally:
            page.close()

    def close(self) -> None:
        self.doc.close()


def _engine(name: str, data: bytes, reader, password: str | None):
    if name == "pypdf":
        return _Pypdf(reader)
    try:
        import pypdfium2
    except ImportError:
        if name == "pypdfium2":
            raise LoadError("pdf_engine pypdfium2 is not installed (pip install pypdfium2)") from None
        return _Pypdf(reader)
    try:
        return _Pdfium(reader, pypdfium2.PdfDocument(data, password=password))
    except pypdfium2.PdfiumError:  # pypdf opened it: read it with pypdf
        return _Pypdf(reader)


def _ocr_pages(engine, numbers: list[int], settings: IngestSettings, deadline: float) -> dict[int, str]:
    """{page number: text} read by OCR from the pages without a text layer that hold an image;
    {} when OCR is off or not installed (or PDFium, which renders the page, is not in use)."""
    from docqa.ingest import ocr

    if settings.ocr == "off" or engine.render is None or not ocr.available():
        return {}
    read = {}
    for number in numbers:
        if time.monotonic() > deadline:
            raise ParseTimeout
        try:
            image = engine.render(number - 1, ocr.DPI)
            if image is not None:
                read[number] = ocr.read(image)
        except (RecursionError, MemoryError):
            raise
        except Exception:  # a page PDFium cannot render stays without text, as it was
            continue
    return read


def _check_inflated_size(page) -> None:
    """pypdf inflates the page's content streams under its own limits (LimitReachedError for a
    compression bomb), so PDFium never reads an unbounded stream."""
    contents = page.get("/Contents")
    contents = contents.get_object() if contents is not None else None
    for stream in contents if isinstance(contents, list) else [contents] if contents is not None else []:
        stream = stream.get_object()
        if hasattr(stream, "get_data"):
            stream.get_data()


# PDFium marks a hyphen it found at a line end with U+FFFE (older builds: U+0002) and drops the break.
_SOFT_HYPHEN = re.compile(r"[\ufffe\x02]\s*(?=(\S*))")


def page_text(page) -> str:
    """A pypdfium2 page's text: ruled tables replaced by their rows, or columns of prose read a
    column at a time; line-end hyphens joined."""
    textpage = page.get_textpage()
    try:
        text = textpage.get_text_range()
        boxes = _path_boxes(page)
        rules = tables.rules_from_boxes(boxes)
        # Only rules make the character boxes worth reading for tables. Rules that frame no table (a
        # box drawn around a note, in four pages of the IRS instructions) leave the page to columns.
        found = _tables(text, textpage, rules, tables.verticals_from_boxes(boxes), page.get_height()) \
            if tables.rule_groups(rules) else []
        text = _with_tables(text, found) if found else columns.reading_order(textpage, text, page.get_width()) or text
    finally:
        textpage.close()
    return join_soft_hyphens(text)


def join_soft_hyphens(text: str) -> str:
    """PDFium's line-end hyphen marks joined: "lang-|detect" -> "langdetect", but "out-|of-place"
    keeps its hyphen (a compound)."""
    return _SOFT_HYPHEN.sub(lambda m: "-" if "-" in m.group(1) else "", text)


def _path_boxes(page) -> list[tuple[float, float, float, float]]:
    """The bounding boxes (x0, top, x1, bottom; y downwards) of the page's drawn paths."""
    import pypdfium2.raw as pdfium_c

    height = page.get_height()
    boxes = []
    for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_PATH], max_depth=3):
        left, bottom, right, top = obj.get_bounds()
        boxes.append((left, height - top, right, height - bottom))
    return boxes


def _tables(text: str, textpage, rules: list[tables.Rule], verticals: list[tables.VRule],
            height: float) -> list[tables.Table]:
    """The ruled tables of the page, from its characters' boxes."""
    chars = []
    for i, ch in enumerate(text):
        if ch.strip():
            left, bottom, right, top = textpage.get_charbox(i)
            space = i > 0 and not text[i - 1].strip()
            chars.append(tables.Char(i, ch, left, right, height - top, height - bottom, space))
    return tables.find_tables(chars, rules, verticals)


def _with_tables(text: str, found: list[tables.Table]) -> str:
    """Each table's text cut out and its rows put where its first character was."""
    for table in sorted(found, key=lambda t: min(t.indices), reverse=True):
        a, b = min(table.indices), max(table.indices) + 1
        kept = " ".join("".join(ch for i, ch in enumerate(text[a:b], a) if i not in table.indices).split())
        rows = "\n".join(table.lines())
        text = text[:a] + "\n" + rows + "\n" + (kept + "\n" if kept else "") + text[b:].lstrip("\r\n")
    return text


def _decrypt(reader, password: str | None) -> str:
    """The password that opens the file (for the text engine), or LoadError."""
    from pypdf import PasswordType

    # Many PDFs are encrypted only against editing and open with the empty user password.
    if reader.decrypt("") != PasswordType.NOT_DECRYPTED:
        return ""
    if password is None:
        raise LoadError("encrypted PDF: pass --pdf-password")
    if reader.decrypt(password) == PasswordType.NOT_DECRYPTED:
        raise LoadError("wrong PDF password")
    return password


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
