"""Office, e-book, spreadsheet and e-mail files written by the libraries themselves, in the tests
(no third-party file is committed). Shared by the format tests, the e2e test and bench/formats.py."""

from __future__ import annotations

import datetime as dt
import io
import zipfile


def _saved(obj) -> bytes:
    buf = io.BytesIO()
    obj.save(buf)
    return buf.getvalue()


def docx_bytes(paragraphs: list[tuple[int, str]] | None = None, table: list[list[str]] | None = None,
               title: str = "Harbour report") -> bytes:
    """(heading level or 0, text) paragraphs, then a table whose first row is its header."""
    import docx

    d = docx.Document()
    d.core_properties.title = title
    if paragraphs is None:
        paragraphs = [(1, "Harbour report"), (0, "The harbour opened in 1897."), (2, "Tides"), (0, "Spring tides reach 4.2 metres.")]
    for level, text in paragraphs:
        d.add_heading(text, level) if level else d.add_paragraph(text)
    rows = table if table is not None else [["Boat", "Length", "Owner"], ["Kestrel", "12 m", "Ana"], ["Puffin", "9 m", "Bo"]]
    if rows:
        t = d.add_table(rows=len(rows), cols=len(rows[0]))
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                t.cell(r, c).text = value
    return _saved(d)


def pptx_bytes(slides: list[tuple[str, str, str]] | None = None) -> bytes:
    """(title, body, speaker notes) per slide."""
    from pptx import Presentation

    deck = Presentation()
    for title, body, notes in slides or [
        ("Welcome", "Agenda for the spring meeting", "Greet the board"),
        ("Sales", "Revenue grew 14 % in the north", "Mention that the Oslo office opened in March"),
    ]:
        slide = deck.slides.add_slide(deck.slide_layouts[1])
        slide.shapes.title.text = title
        slide.placeholders[1].text = body
        if notes:
            slide.notes_slide.notes_text_frame.text = notes
    return _saved(deck)


def xlsx_bytes(sheets: dict[str, list[list]] | None = None, percent: str | None = "D") -> bytes:
    """Sheets of rows (the first is the header); cells of column `percent` formatted as percentages."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for name, rows in (sheets or {
        "Sales": [["Region", "Quarter", "Revenue", "Share"], ["North", "Q1", 120.5, 0.22], [], ["South", "Q2", 99, 0.35]],
        "Staff": [["Name", "Start"], ["Ilse", dt.datetime(2020, 3, 1)]],
    }).items():
        ws = book.create_sheet(name)
        for row in rows:
            ws.append(row)
        if percent and name == "Sales":
            for cell in ws[percent][1:]:
                cell.number_format = "0%"
    return _saved(book)


def epub_bytes(chapters: list[tuple[str, str]] | None = None, title: str = "Sea Tales") -> bytes:
    """(chapter title, XHTML body) per chapter, in the spine after the navigation document."""
    from ebooklib import epub

    book = epub.EpubBook()
    book.set_identifier("docqa-test")
    book.set_title(title)
    book.set_language("en")
    items = []
    for i, (name, body) in enumerate(chapters or [
        ("The Storm", "<h1>The Storm</h1><p>The storm came at dawn.</p><h2>Aftermath</h2><p>Nine boats were lost.</p>"),
        ("The Calm", "<h1>The Calm</h1><p>The lighthouse keeper was named Ilse.</p>"),
    ], start=1):
        item = epub.EpubHtml(title=name, file_name=f"chapter{i}.xhtml", lang="en")
        item.content = f"<html><body>{body}</body></html>"
        book.add_item(item)
        items.append(item)
    book.toc = items
    book.add_item(epub.EpubNcx())
    book.add_item(epub.EpubNav())
    book.spine = ["nav", *items]
    buf = io.BytesIO()
    epub.write_epub(buf, book)
    return buf.getvalue()


def odt_bytes(paragraphs: list[str] | None = None) -> bytes:
    from odf.opendocument import OpenDocumentText
    from odf.table import Table, TableCell, TableColumn, TableRow
    from odf.text import H, P

    d = OpenDocumentText()
    d.text.addElement(H(outlinelevel=1, text="Garden notes"))
    for text in paragraphs or ["The roses bloom in June."]:
        d.text.addElement(P(text=text))
    table = Table()
    table.addElement(TableColumn(numbercolumnsrepeated=2))
    for row in [["Plant", "Height"], ["Fern", "40 cm"]]:
        tr = TableRow()
        for value in row:
            cell = TableCell()
            cell.addElement(P(text=value))
            tr.addElement(cell)
        table.addElement(tr)
    d.text.addElement(table)
    return _saved(d)


def eml_bytes(html: bool = False, body: str = "Hi Bo,\n\nThe hull repair will cost 3,400 euros.\n\nAna") -> bytes:
    from email.message import EmailMessage

    m = EmailMessage()
    m["Subject"] = "Boat repairs"
    m["From"] = "Ana Berg <ana@example.org>"
    m["To"] = "bo@example.org"
    m["Date"] = "Tue, 03 Mar 2020 10:00:00 +0000"
    if html:
        m.set_content("<html><body><p>Hi Bo,</p><p>The hull repair will cost 3,400 euros.</p></body></html>", subtype="html")
    else:
        m.set_content(body)
    m.add_attachment(b"%PDF-1.4", maintype="application", subtype="pdf", filename="quote.pdf")
    return bytes(m)


def zip_bomb(kind_part: str = "word/document.xml", mb: int = 2048) -> bytes:
    """A container whose one part inflates to `mb` MB of zeros (written in 1 MB pieces)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        info = zipfile.ZipInfo(kind_part)
        info.compress_type = zipfile.ZIP_DEFLATED
        with z.open(info, "w", force_zip64=True) as part:
            block = b"\0" * (1 << 20)
            for _ in range(mb):
                part.write(block)
    return buf.getvalue()


def many_parts(n: int = 10_001) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        for i in range(n):
            z.writestr(f"p/{i}", b"")
    return buf.getvalue()


def _rewritten(data: bytes, change=lambda name, part: part, extra: dict[str, str] | None = None) -> bytes:
    """A container with each part passed through `change`, and `extra` parts added."""
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(buf, "w") as dst:
        for item in src.infolist():
            dst.writestr(item, change(item.filename, src.read(item)))
        for name, part in (extra or {}).items():
            dst.writestr(name, part)
    return buf.getvalue()


def drm_epub() -> bytes:
    """An EPUB whose first chapter is listed as encrypted (what DRM does), not just its fonts."""
    return _rewritten(epub_bytes(), extra={"META-INF/encryption.xml": (
        '<encryption><EncryptedData><CipherData><CipherReference URI="EPUB/chapter1.xhtml"/>'
        "</CipherData></EncryptedData></encryption>")})


def encrypted_odt() -> bytes:
    def encrypt(name: str, part: bytes) -> bytes:
        if name != "META-INF/manifest.xml":
            return part
        return part.replace(b"</manifest:manifest>", b"<manifest:encryption-data/></manifest:manifest>")

    return _rewritten(odt_bytes(), encrypt)


def broken_docx() -> bytes:
    """A valid zip whose main part is cut mid-tag."""
    return _rewritten(docx_bytes(), lambda name, part: b"<w:document" if name == "word/document.xml" else part)


def encrypted_office() -> bytes:
    """What a password-protected docx/xlsx/pptx is on disk: an OLE compound file holding an
    EncryptionInfo stream (its name in UTF-16, as the directory entry stores it)."""
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504
    return header + "EncryptionInfo".encode("utf-16-le") + b"\0" * 1024
