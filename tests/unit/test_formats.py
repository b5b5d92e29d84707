"""Office, OpenDocument, spreadsheet, e-book and e-mail loaders on files the libraries write here:
structure kept (headings as sections, slides/sheets/chapters as pages, rows with their headers),
and every kind of bad file refused with one line."""

from __future__ import annotations

import io

import pytest

from docqa.errors import LoadError
from docqa.ingest.loaders import kind_of, load
from docqa.records import PAGE_SEP
from docqa.settings import IngestSettings
from tests.unit import formats_files as ff


def loaded(tmp_path, name: str, data: bytes, **limits):
    path = tmp_path / name
    path.write_bytes(data)
    return load(path, IngestSettings(**limits))


def reason(tmp_path, name: str, data: bytes, **limits) -> str:
    with pytest.raises(LoadError) as info:
        loaded(tmp_path, name, data, **limits)
    message = str(info.value)
    assert "\n" not in message
    return message


def section_at(doc, needle: str) -> str:
    offset = doc.text.index(needle)
    return next(s.path for s in doc.sections if s.start <= offset < s.end)


def test_every_new_suffix_is_supported():
    assert {kind_of(f"a.{s}") for s in ("docx", "pptx", "xlsx", "csv", "epub", "odt", "eml")} == {
        "docx", "pptx", "xlsx", "csv", "epub", "odt", "eml"}


def test_docx_headings_are_sections_and_table_rows_carry_their_headers(tmp_path):
    doc = loaded(tmp_path, "harbour.docx", ff.docx_bytes())
    assert doc.kind == "docx" and doc.title == "Harbour report"
    assert section_at(doc, "Spring tides") == "Harbour report > Tides"
    assert section_at(doc, "opened in 1897") == "Harbour report"
    assert "Boat: Puffin | Length: 9 m | Owner: Bo" in doc.text.split("\n\n")


def test_docx_merged_cells_are_read_once(tmp_path):
    import docx

    d = docx.Document()
    t = d.add_table(rows=2, cols=3)
    for c, v in enumerate(["Name", "City", "Country"]):
        t.cell(0, c).text = v
    t.cell(1, 0).text = "Ana"
    t.cell(1, 1).merge(t.cell(1, 2)).text = "Oslo"
    buf = io.BytesIO()
    d.save(buf)
    doc = loaded(tmp_path, "merged.docx", buf.getvalue())
    assert doc.text == "Name: Ana | City: Oslo"


def test_pptx_slides_are_pages_with_titles_as_sections_and_notes_read(tmp_path):
    doc = loaded(tmp_path, "deck.pptx", ff.pptx_bytes())
    assert [p.number for p in doc.pages] == [1, 2]
    assert "Revenue grew 14 %" in doc.pages[1].text
    assert "Speaker notes: Mention that the Oslo office opened in March" in doc.pages[1].text
    assert section_at(doc, "Oslo office") == "Sales"


def test_xlsx_sheets_are_pages_and_rows_are_anchored_at_their_row_numbers(tmp_path):
    doc = loaded(tmp_path, "sales.xlsx", ff.xlsx_bytes())
    sales, staff = (p.text for p in doc.pages)
    # Header names in every row, percentages as shown in Excel, the empty row 3 skipped.
    assert sales.split("\n\n") == [
        "Region: North | Quarter: Q1 | Revenue: 120.5 | Share: 22 %",
        "Region: South | Quarter: Q2 | Revenue: 99 | Share: 35 %",
    ]
    assert staff == "Name: Ilse | Start: 2020-03-01"
    assert [row for _, row in doc.lines] == [2, 4, 2]
    assert section_at(doc, "South") == "Sales" and section_at(doc, "Ilse") == "Staff"


def test_csv_rows_keep_their_headers_and_record_numbers(tmp_path):
    data = "Name;Age;City\nAna;31;Oslo\n\nBo;44;\"Bergen;\nNorway\"\n".encode("utf-8-sig")
    doc = loaded(tmp_path, "people.csv", data)
    assert doc.text.split("\n\n") == ["Name: Ana | Age: 31 | City: Oslo", "Name: Bo | Age: 44 | City: Bergen; Norway"]
    assert [row for _, row in doc.lines] == [2, 4]


def test_epub_chapters_are_pages_titled_from_the_table_of_contents(tmp_path):
    doc = loaded(tmp_path, "tales.epub", ff.epub_bytes())
    assert doc.title == "Sea Tales"
    assert len(doc.pages) == 2  # the navigation document is not a chapter
    assert section_at(doc, "Nine boats") == "The Storm > Aftermath"
    assert section_at(doc, "lighthouse keeper") == "The Calm"


def test_odt_headings_paragraphs_and_tables(tmp_path):
    doc = loaded(tmp_path, "garden.odt", ff.odt_bytes())
    assert doc.title == "Garden notes"
    assert section_at(doc, "roses bloom") == "Garden notes"
    assert "Plant: Fern | Height: 40 cm" in doc.text


@pytest.mark.parametrize("html", [False, True], ids=["plain", "html"])
def test_eml_keeps_subject_sender_and_date_and_reads_the_body(tmp_path, html):
    doc = loaded(tmp_path, "repairs.eml", ff.eml_bytes(html=html))
    assert doc.title == "Boat repairs"
    header = doc.text.split("\n\n")[0].splitlines()
    assert header[:2] == ["Subject: Boat repairs", "From: Ana Berg <ana@example.org>"]
    assert "Date: Tue, 03 Mar 2020 10:00:00 +0000" in header
    assert "Attachments (not read): quote.pdf" in doc.text
    assert section_at(doc, "3,400 euros") == "Boat repairs — Ana Berg <ana@example.org>, Tue, 03 Mar 2020 10:00:00 +0000"


# --- bad input: one line, naming the reason -------------------------------------------------------

ZIPPED = {"docx": ff.docx_bytes, "pptx": ff.pptx_bytes, "xlsx": ff.xlsx_bytes, "epub": ff.epub_bytes, "odt": ff.odt_bytes}


@pytest.mark.parametrize("kind", sorted(ZIPPED))
def test_truncated_container(tmp_path, kind):
    data = ZIPPED[kind]()
    assert reason(tmp_path, f"cut.{kind}", data[: len(data) // 2]).endswith("truncated file")


@pytest.mark.parametrize("kind", sorted(ZIPPED))
def test_text_named_as_a_container(tmp_path, kind):
    assert "not a zip container" in reason(tmp_path, f"plain.{kind}", b"just some words, not a document\n")


def test_password_protected_office_file(tmp_path):
    for kind in ("docx", "xlsx", "pptx"):
        assert reason(tmp_path, f"locked.{kind}", ff.encrypted_office()).startswith(f"encrypted {kind} (password-protected)")


def test_legacy_office_file_in_a_new_name(tmp_path):
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 2000
    assert reason(tmp_path, "old.docx", data) == "content is a legacy Office file (doc/xls/ppt), extension says a Word document (docx)"


def test_encrypted_odt_and_drm_epub(tmp_path):
    assert reason(tmp_path, "locked.odt", ff.encrypted_odt()).startswith("encrypted odt")
    assert reason(tmp_path, "drm.epub", ff.drm_epub()) == "encrypted epub (DRM): docqa cannot read its chapters"


def test_zip_bomb_part_is_refused_before_it_is_inflated(tmp_path):
    message = reason(tmp_path, "bomb.docx", ff.zip_bomb(mb=12))
    assert message.startswith("part word/document.xml inflates") and message.endswith("to 12 MB: a zip bomb?")


def test_container_larger_than_ten_times_max_file_mb_is_refused(tmp_path):
    message = reason(tmp_path, "big.xlsx", ff.zip_bomb("xl/workbook.xml", mb=3), max_file_mb=0.2)
    assert message == "parts expand to 3 MB (> 10 x max_file_mb 0.2): a zip bomb?"


def test_container_with_too_many_parts(tmp_path):
    assert reason(tmp_path, "parts.pptx", ff.many_parts()) == "too many parts in the container (10002 > 10000)"


def test_damaged_part_inside_a_valid_zip(tmp_path):
    assert reason(tmp_path, "broken.docx", ff.broken_docx()).startswith("not a Word document (docx):")


def test_spreadsheet_named_docx(tmp_path):
    assert reason(tmp_path, "report.docx", ff.xlsx_bytes()) == (
        "content is an Excel workbook (xlsx), extension says a Word document (docx)")


def test_empty_and_text_only_headers(tmp_path):
    assert reason(tmp_path, "empty.docx", ff.docx_bytes(paragraphs=[], table=[])) == "no text in the docx file"
    assert reason(tmp_path, "only_header.csv", b"a,b,c\n") == "no text in the csv file"
    assert reason(tmp_path, "note.eml", b"just a note, no headers\n") == "not an e-mail message: no From, Subject or Date header"


def test_binary_csv(tmp_path):
    assert reason(tmp_path, "blob.csv", bytes(range(256)) * 20) == "binary data, not text"


def test_huge_sheet_stops_at_the_text_limit(tmp_path):
    rows = [["Key", "Value"]] + [[f"k{i}", "v" * 50] for i in range(3000)]
    assert reason(tmp_path, "big.xlsx", ff.xlsx_bytes({"Data": rows}, percent=None), max_text_mb=0.05).startswith(
        "too much text")


def test_chunks_of_a_sheet_carry_its_rows_and_pages_stay_apart(tmp_path, embedder):
    from docqa.ingest.chunking import chunk_document

    doc = loaded(tmp_path, "sales.xlsx", ff.xlsx_bytes())
    chunks = chunk_document(doc, embedder.count_tokens_many, embedder.token_offsets, target_tokens=24, overlap_tokens=0)
    assert [(c.page_start, c.section, c.line_start, c.line_end) for c in chunks] == [
        (1, "Sales", 2, 2), (1, "Sales", 4, 4), (2, "Staff", 2, 2)]
    assert all(PAGE_SEP not in c.text for c in chunks)
