"""Where a citation points: content sniffing, line locators stored with chunks (both stores, old
stores upgraded), locators in the format's words, `docqa show`, and symlinked folders."""

from __future__ import annotations

import json
import os
import sqlite3

import numpy as np
import pytest
from typer.testing import CliRunner

from docqa.cli import app
from docqa.errors import LoadError, UsageError
from docqa.ingest.loaders import load
from docqa.ingest.pipeline import walk
from docqa.locators import describe, show
from docqa.records import Chunk
from docqa.settings import IngestSettings
from tests.conftest import write
from tests.unit import formats_files as ff

POEM = "\n".join(f"Line {n} of the poem." for n in range(1, 41)) + "\n"


def reason(path) -> str:
    with pytest.raises(LoadError) as info:
        load(path, IngestSettings())
    return str(info.value)


# --- content sniffing -----------------------------------------------------------------------------


@pytest.mark.parametrize("name, data, expected", [
    ("notes.txt", b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n", "content is PDF, extension says text"),
    ("page.md", b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "content is a PNG image, extension says text"),
    ("scan.pdf", ff.docx_bytes(), "content is a Word document (docx), extension says PDF"),
    ("table.csv", ff.xlsx_bytes(), "content is an Excel workbook (xlsx), extension says text"),
    ("book.epub", ff.pptx_bytes(), "content is a PowerPoint deck (pptx), extension says an EPUB e-book"),
    ("mail.eml", b"\x1f\x8b\x08\x00" + b"\0" * 32, "content is gzip data, extension says text"),
])
def test_bytes_that_do_not_match_the_extension_name_both(tmp_path, name, data, expected):
    path = tmp_path / name
    path.write_bytes(data)
    assert reason(path) == expected


def test_a_zip_named_pdf(tmp_path):
    path = tmp_path / "x.pdf"
    path.write_bytes(ff.many_parts(3))
    assert reason(path) == "content is a zip archive, extension says PDF"


# --- line locators on chunks ----------------------------------------------------------------------


def test_text_chunks_carry_the_file_lines_they_span(tmp_path, embedder):
    from docqa.ingest.chunking import chunk_document

    path = write(tmp_path / "poem.txt", "Title\r\n\r\n" + POEM.replace("\n", "\r\n"))
    doc = load(path, IngestSettings())
    chunks = chunk_document(doc, embedder.count_tokens_many, embedder.token_offsets, 40, 0)
    assert len(chunks) > 3
    source = path.read_text().splitlines()  # what an editor numbers
    for c in chunks:
        assert source[c.line_start - 1].strip().startswith(c.text.splitlines()[0].strip())
        assert source[c.line_end - 1].strip().endswith(c.text.splitlines()[-1].strip())


def test_html_and_docx_have_no_lines_but_markdown_does(tmp_path):
    md = load(write(tmp_path / "a.md", "# T\n\nOne.\n\nTwo."), IngestSettings())
    html = load(write(tmp_path / "a.html", "<h1>T</h1>\n\n\n<p>One.</p>"), IngestSettings())
    assert md.lines == [(0, 1)] and html.lines == []


def test_describe_speaks_each_formats_words():
    assert describe("/d/novel.txt", 1, 1, "", 120, 134) == "lines 120-134"
    assert describe("/d/a.md", 1, 1, "Intro", 7, 7, paragraph=2) == "line 7"
    assert describe("/d/sales.xlsx", 2, 2, "Staff", 2, 9) == "sheet Staff, rows 2-9"
    assert describe("/d/people.csv", 1, 1, "", 4, 4) == "row 4"
    assert describe("/d/deck.pptx", 3, 3, "Sales", paragraph=2) == "slide 3, paragraph 2"
    assert describe("/d/r.pdf", 3, 4, paragraph=1) == "pages 3-4, paragraph 1"
    assert describe("/d/tales.epub", 2, 2, "The Calm", paragraph=3, with_section=True) == (
        "chapter 2, section The Calm, paragraph 3")
    assert describe("/d/h.docx", 1, 1, "Harbour report > Tides", paragraph=4, with_section=True) == (
        "section Harbour report > Tides, paragraph 4")


def test_citation_of_a_text_file_gives_the_quotes_lines_and_the_table_shows_them():
    from rich.console import Console

    from docqa.citations import cite
    from docqa.display import sources_table
    from docqa.retrieval.working_set import Passage

    text = POEM
    start = text.index("Line 12 of")
    end = text.index("Line 13 of") + len("Line 13 of the poem.")
    p = Passage(1, "/d/poem.txt", "poem", 1, 1, "", text.index("Line 10"), text.index("Line 15"), "", [1], [0], 1.0, n=1,
                line_start=10, line_end=14)
    c = cite(p, lambda _id: text, True, (start, end))
    assert (c.line_start, c.line_end, c.locator) == (12, 13, "lines 12-13")
    console = Console(width=200, record=True)
    console.print(sources_table([c.__dict__]))
    assert "lines 12-13" in console.export_text()


def test_a_word_citation_counts_paragraphs_from_its_sections_heading(tmp_path):
    from docqa.citations import cite
    from docqa.retrieval.working_set import Passage

    (tmp_path / "h.docx").write_bytes(ff.docx_bytes())
    doc = load(tmp_path / "h.docx", IngestSettings())
    text = doc.text
    start = text.index("Boat: Puffin")
    p = Passage(1, str(tmp_path / "h.docx"), "h", 1, 1, "Harbour report > Tides", text.index("Tides"), len(text), "", [1],
                [0], 1.0, n=1)
    c = cite(p, lambda _id: text, True, (start, len(text)))
    assert c.locator == "section Harbour report > Tides, paragraph 3"  # after "Spring tides..." and the Kestrel row
    assert c.paragraph == 6  # the field stays the paragraph of the page


def test_a_sheet_citation_gives_the_rows_of_its_chunks():
    from docqa.citations import cite
    from docqa.retrieval.working_set import Passage

    text = "Region: North | Revenue: 1\n\nRegion: South | Revenue: 2"
    p = Passage(1, "/d/sales.xlsx", "s", 1, 1, "Sales", 0, len(text), text, [1], [0], 1.0, n=1, line_start=2, line_end=4)
    assert cite(p, lambda _id: text, True, (28, len(text))).locator == "sheet Sales, rows 2-4"


# --- the store keeps them, and old stores get the columns -----------------------------------------


def test_store_round_trips_line_locators_and_upgrades_an_old_store(tmp_path):
    from docqa.memory.store import Store

    store = Store(tmp_path)
    store.bind_model("m", 2)
    chunk = Chunk(0, "Line 12 of the poem.", 5, 25, 1, 1, "", 5, line_start=12, line_end=13)
    _, ids = store.replace_document(path="/d/poem.txt", title="poem", kind="text", sha256="x", size=1, mtime=0.0,
                                    pages=1, text=POEM, chunks=[chunk], vectors=np.ones((1, 2), np.float32))
    hit = store.hits(ids)[ids[0]]
    assert (hit.line_start, hit.line_end) == (12, 13)
    store.close()

    # A store written before the columns existed: opened, it gets them (0: no locator).
    db = sqlite3.connect(tmp_path / "docqa.sqlite")
    db.execute("ALTER TABLE chunks DROP COLUMN line_start")
    db.execute("ALTER TABLE chunks DROP COLUMN line_end")
    db.commit()
    db.close()
    store = Store(tmp_path)
    hit = store.hits(ids)[ids[0]]
    assert (hit.line_start, hit.line_end, hit.text) == (0, 0, "Line 12 of the poem.")
    store.close()


# --- docqa show -----------------------------------------------------------------------------------


def test_show_marks_the_cited_lines_with_context():
    shown = show("/d/poem.txt", "poem", POEM, line=12, to_line=13, context=2)
    assert shown.locator == "lines 12-13"
    assert [(n, marked) for n, _, marked in shown.lines] == [(10, False), (11, False), (12, True), (13, True),
                                                             (14, False), (15, False)]
    assert shown.lines[2][1] == "Line 12 of the poem."


def test_show_a_page_marks_the_quote_whatever_its_spacing():
    text = "first page\fSlide two title\n\nRevenue grew\n14 % in the north\n\nnotes"
    shown = show("/d/deck.pptx", "deck", text, page=2, quote="Revenue grew 14 % in the north")
    assert shown.locator == "slide 2"
    assert [t for _, t, marked in shown.lines if marked] == ["Revenue grew", "14 % in the north"]


def test_show_refuses_what_is_not_there():
    with pytest.raises(UsageError, match="no line 99"):
        show("/d/poem.txt", "poem", POEM, line=99)
    with pytest.raises(UsageError, match="no page 2"):
        show("/d/poem.txt", "poem", POEM, page=2)
    with pytest.raises(UsageError, match="one of --line N or --page N"):
        show("/d/poem.txt", "poem", POEM)


# --- symlinked folders ----------------------------------------------------------------------------


def test_symlinked_folders_are_walked_once_and_loops_are_listed(tmp_path):
    root = tmp_path / "docs"
    write(root / "a.txt", "a")
    write(tmp_path / "elsewhere" / "b.txt", "b")
    os.symlink(tmp_path / "elsewhere", root / "linked")  # followed: outside the tree
    os.symlink(root, root / "loop")  # back to the root: a loop
    os.symlink(tmp_path / "elsewhere", root / "again")  # the same folder a second time
    files, folders, problems, skipped = walk([root])
    assert [f.relative_to(root).as_posix() for f in files] == ["a.txt", "again/b.txt"]
    assert problems == []
    assert skipped == [
        (str(root / "linked"), f"same folder as {root / 'again'} (walked there); skipped"),
        (str(root / "loop"), f"symlink loop: links back to {root}; skipped"),
    ]
    # A folder given by itself and inside another given folder is walked once, silently.
    files, _, _, skipped = walk([tmp_path / "elsewhere", root])
    assert len(files) == 2 and [s for s, _ in skipped] == [str(root / "again"), str(root / "linked"), str(root / "loop")]


def test_cli_ingest_lists_the_loop_and_search_and_show_give_lines(tmp_path):
    docs = tmp_path / "docs"
    write(docs / "poem.txt", POEM)
    os.symlink(docs, docs / "loop")
    runner = CliRunner()
    idx = str(tmp_path / "idx")
    r = runner.invoke(app, ["ingest", str(docs), "--index", idx])
    assert r.exit_code == 0, r.output
    assert f"warning {docs / 'loop'}: symlink loop: links back to {docs}; skipped" in " ".join(r.output.split())

    r = runner.invoke(app, ["search", "Line 33 of the poem", "-k", "1", "--json", "--index", idx])
    hit = json.loads(r.stdout)[0]
    assert hit["line_start"] <= 33 <= hit["line_end"] and hit["locator"] == f"lines {hit['line_start']}-{hit['line_end']}"

    r = runner.invoke(app, ["show", "poem.txt", "--line", "33", "--context", "1", "--json", "--index", idx])
    assert r.exit_code == 0, r.output
    assert [(line["n"], line["marked"]) for line in json.loads(r.stdout)["lines"]] == [(32, False), (33, True), (34, False)]
    r = runner.invoke(app, ["show", "nope.txt", "--line", "1", "--index", idx])
    assert r.exit_code == 2 and "nope.txt: no such document in the index" in r.output


def test_a_quote_above_its_chunk_s_section_heading_is_placed_in_the_section_above():
    # A title page joins the next section's chunk (chunking): its byline is in "Frankenstein;", not in CONTENTS.
    from docqa.locators import section_above, section_paragraph

    text = "Frankenstein;\n\nby Mary Shelley\n\nCONTENTS\n\nLetter 1\n\nLetter 2"
    byline, letter = text.index("by Mary"), text.index("Letter 2")
    assert section_above(text, "Frankenstein; > CONTENTS", byline) == "Frankenstein;"
    assert section_above(text, "Frankenstein; > CONTENTS", letter) == "Frankenstein; > CONTENTS"
    assert section_paragraph(text, "Frankenstein; > CONTENTS", letter) == 2
