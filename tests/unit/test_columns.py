"""A page set in columns of prose is read a column at a time, whatever order the PDF draws its lines in;
a table's columns, and a page of one column, are read as PDFium gives them."""

from fpdf import FPDF

from docqa.ingest.loaders import load
from docqa.settings import IngestSettings

LEFT = ("The harbour master keeps a log of every ship that enters the port of Saint-Aubin, "
        "with its name, its cargo and the hour of its arrival, in a ledger that is kept in the tower.")
RIGHT = ("Fog closed the port for nine days in the winter of that year, and the fishing fleet "
         "stayed at anchor until the wind turned to the north and the sky cleared over the bay.")


def _lines(text: str, width: int) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        if len(line) + len(word) + 1 > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return [*lines, line]


def _draw_interleaved(pdf: FPDF, columns: list[list[str]], xs: list[int], top: int = 24) -> None:
    """Each row of lines drawn left to right across the page, as the IRS instructions are."""
    pdf.set_font("Helvetica", size=9)
    for row in range(max(map(len, columns))):
        for x, lines in zip(xs, columns):
            if row < len(lines):
                pdf.text(x, top + row * 5, lines[row])


def _interleaved_pdf(path, columns: list[list[str]], xs: list[int], header: str = "") -> None:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=9)
    if header:
        pdf.text(20, 12, header)
    _draw_interleaved(pdf, columns, xs)
    pdf.output(str(path))


def _words(text: str) -> str:
    return " ".join(text.split())


def test_columns_of_prose_drawn_line_by_line_are_read_a_column_at_a_time(tmp_path):
    path = tmp_path / "log.pdf"
    left, right = _lines(LEFT * 3, 40), _lines(RIGHT * 3, 40)
    _interleaved_pdf(path, [left, right], [20, 115], header="Harbour Master's Log - Port of Saint-Aubin - Report for the year")
    text = _words(load(path, IngestSettings()).text)
    assert _words(LEFT * 3) in text and _words(RIGHT * 3) in text
    assert text.index("Harbour Master's Log") < text.index(LEFT[:30]) < text.index(RIGHT[:30]), "the header first"


def test_rules_that_frame_no_table_leave_the_columns_to_be_read(tmp_path):
    # The IRS instructions draw a box around a note: its rules made the page a candidate for tables,
    # none was found, and the page's three columns stayed interleaved.
    path = tmp_path / "boxed.pdf"
    left, right = _lines(LEFT * 3, 40), _lines(RIGHT * 3, 40)
    pdf = FPDF()
    pdf.add_page()
    _draw_interleaved(pdf, [left, right], [20, 115])
    pdf.rect(112, 100, 85, 20)
    pdf.rect(112, 130, 85, 20)
    pdf.output(str(path))
    text = _words(load(path, IngestSettings()).text)
    assert _words(LEFT * 3) in text and _words(RIGHT * 3) in text


def test_a_title_and_a_printers_line_across_the_gutter_leave_the_columns_to_be_read(tmp_path):
    # The first page of the IRS instructions: a proof line's fields and a title in a large font cross
    # the gutter, which no line of the columns does; the page's three columns stayed interleaved.
    path = tmp_path / "title.pdf"
    left, right = _lines(LEFT * 3, 40), _lines(RIGHT * 3, 40)
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=9)
    for y, fields in ((8, ("Userid: ________ DTD INSTR04", "Leadpct: 0%", "Ok to Print")),
                      (12, ("PAGER/SGML Fileid: 2007", "Instructions1040NR.sgm", "(Init. & date)"))):
        for x, field in zip((20, 75, 160), fields):
            pdf.text(x, y, field)
    pdf.set_font("Helvetica", size=22)
    titles = ("Department of the Treasury", "Internal Revenue Service", "Instructions for Form 1040NR",
              "U.S. Nonresident Alien Income Tax Return")
    for row, title in enumerate(titles):
        pdf.text(105 - pdf.get_string_width(title) / 2, 22 + row * 10, title)
    _draw_interleaved(pdf, [left, right], [20, 100], top=70)
    pdf.output(str(path))
    text = _words(load(path, IngestSettings()).text)
    assert _words(LEFT * 3) in text and _words(RIGHT * 3) in text
    assert " ".join(titles) in text


def test_a_tables_columns_stay_rows(tmp_path):
    path = tmp_path / "table.pdf"
    names = [f"Holder {chr(65 + i)}" for i in range(40)]
    shares = [f"{(i + 1) * 1.25:.2f} %" for i in range(40)]
    _interleaved_pdf(path, [names, shares], [20, 115])
    lines = load(path, IngestSettings()).text.splitlines()
    assert "Holder C 3.75 %" in [_words(line) for line in lines], "a row's name and value on one line"


def test_columns_drawn_a_column_at_a_time_keep_their_order(tmp_path):
    path = tmp_path / "paper.pdf"
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=9)
    for x, text in ((20, LEFT * 3), (115, RIGHT * 3)):
        for row, line in enumerate(_lines(text, 40)):
            pdf.text(x, 24 + row * 5, line)
    pdf.output(str(path))
    text = _words(load(path, IngestSettings()).text)
    assert text == _words(" ".join(_lines(LEFT * 3, 40) + _lines(RIGHT * 3, 40)))
