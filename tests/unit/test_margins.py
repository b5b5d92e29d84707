"""A paged document's running headers and footers are taken out of its pages' text: they name the
document and the page, and would otherwise match every question that names the document."""

from docqa.ingest import margins
from docqa.ingest.loaders import load
from docqa.records import Page
from docqa.settings import IngestSettings
from tests.conftest import bench_module

HEADER = "东北电气发展股份有限公司 2018 年第一季度报告全文"
make_pdf = bench_module("badinputs").text_pdf  # one page of multi-cell text per string


def _report(bodies: list[str]) -> list[Page]:
    return [Page(n, f"{HEADER}\n{n}\n{body}") for n, body in enumerate(bodies, start=1)]


def test_a_header_and_page_number_on_every_page_go_and_the_text_stays():
    pages = margins.strip_running(_report(["营业收入 4,755,785.11", "报告期末普通股股东总数 79,053", "第三节 重要事项"]))
    assert [p.text for p in pages] == ["营业收入 4,755,785.11", "报告期末普通股股东总数 79,053", "第三节 重要事项"]
    assert [p.number for p in pages] == [1, 2, 3]


def test_a_printers_line_beside_the_header_and_page_number_goes_too():
    # The Federal Register's "VerDate Sep<11>2014 16:21 Aug 05, 2020 Jkt 250001", third from the top.
    bodies = ["Who must file.\nA line.\nB line.\nC line.", "When to file.\nD line.\nE line.\nF line.",
              "Where to file.\nG line.\nH line.\nI line."]
    pages = [Page(n, f"Federal Register / Vol. 85\n{n}\nVerDate Sep<11>2014 16:21 Aug 05, 2020\n{body}")
             for n, body in enumerate(bodies, start=1)]
    assert [p.text for p in margins.strip_running(pages)] == bodies


def test_a_header_whose_numbers_change_is_one_running_line():
    bodies = ["Who must file.", "When to file.", "Where to file.", "How to pay."]
    pages = [Page(n, f"Page {n} of 48 Instructions for Form 1040NR\n{body}") for n, body in enumerate(bodies, start=1)]
    assert [p.text for p in margins.strip_running(pages)] == bodies


def test_a_footer_whose_page_number_stands_apart_is_still_the_running_footer():
    # The IRS instructions: a page read a column at a time gives the footer's words without its number
    # ("Instructions for Form 1040NR"), others give "Instructions for Form 1040NR - 3 -": each form on
    # under half the pages, the footer on all but one.
    bodies = [f"Who files {x}." for x in "abcdefgh"]
    pages = [Page(n, f"{body}\nInstructions for Form 1040NR" if n % 2 else f"{body}\nInstructions for Form 1040NR - {n} -")
             for n, body in enumerate(bodies, start=1)] + [Page(9, "Who files i.\nIndex")]
    assert [p.text for p in margins.strip_running(pages)] == bodies + ["Who files i.\nIndex"]


def test_lines_at_the_edge_of_fewer_than_half_the_pages_stay():
    """A chapter's own header, or list items opening a few pages in a row, are the text."""
    pages = [Page(n, f"(1) In the operating procedures chapter,\nitem {n}") for n in range(1, 4)]
    pages += [Page(n, f"Other text {'abcdef'[n - 4]}\nmore on {'ghijkl'[n - 4]}") for n in range(4, 10)]
    assert margins.strip_running(pages) == pages


def test_the_same_words_inside_a_page_stay():
    bodies = [f"First line {x}.\nSecond line {x}.\nThird line {x}.\n{HEADER}\nFourth line {x}.\nFifth line {x}.\n"
              f"Sixth line {x}." for x in "abc"]
    pages = [Page(n, f"{HEADER}\n{body}") for n, body in enumerate(bodies, start=1)]
    assert [p.text for p in margins.strip_running(pages)] == bodies


def test_a_figure_or_total_at_the_foot_of_every_page_is_no_page_number():
    pages = [Page(n, f"Holder {x}\nshares of {x}\n81,494,850") for n, x in enumerate("abcd", start=1)]
    assert margins.strip_running(pages) == pages
    invoices = [Page(n, f"Invoice to {x}\nTotal due: ${n * 117}") for n, x in enumerate("abcd", start=1)]
    assert margins.strip_running(invoices) == invoices


def test_a_pdf_is_read_without_its_running_header(tmp_path):
    path = tmp_path / "report.pdf"
    findings = ["Enrolment rose.", "Costs fell.", "Staff grew."]
    path.write_bytes(make_pdf([f"Riverbend Quarterly Report\n\n{finding}\n\nPage {n}" for n, finding in enumerate(findings, start=1)]))
    doc = load(path, IngestSettings())
    assert "Riverbend Quarterly Report" not in doc.text and "Page" not in doc.text
    assert [p.text.strip() for p in doc.pages] == findings


def test_a_page_that_is_one_record_keeps_it():
    pages = [Page(n, f"Ledger page {n}: entry {n} was filed under shelf {n % 37}.") for n in range(1, 6)]
    assert margins.strip_running(pages) == pages


def test_facing_pages_number_their_header_on_either_side():
    bodies = ["The FAA proposes to supersede AD 2018-23-51.", "Comments are invited.", "The unsafe condition is stall.",
              "Costs of compliance follow."]
    heads = ["47698 Federal Register / Vol. 85, No. 152 / Proposed Rules",
             "Federal Register / Vol. 85, No. 152 / Proposed Rules 47699",
             "47700 Federal Register / Vol. 85, No. 152 / Proposed Rules",
             "Federal Register / Vol. 85, No. 152 / Proposed Rules 47701"]
    pages = [Page(n, f"{head}\n{body}") for n, (head, body) in enumerate(zip(heads, bodies), start=1)]
    assert [p.text for p in margins.strip_running(pages)] == bodies
