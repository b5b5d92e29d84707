"""A paged document's running headers and footers, taken out of its pages' text.

"东北电气发展股份有限公司 2018 年第一季度报告全文" heads every page of a quarterly report. Kept, it
sits in every chunk: a question naming the company and the quarter then retrieves page headers
before the one table row that answers it ("营业收入 … 4,755,785.11" ranked 14th of the candidates,
behind 13 chunks whose only match was the header). The same holds for "Page 12 of 48 Instructions
for Form 1040NR 7:48 - 6-DEC-2007" and for page numbers. A running line names the document and the
page, and answers nothing; the page's number is kept as the chunk's locator anyway.
"""

from __future__ import annotations

import re
from collections import defaultdict

from docqa.records import Page

# Lines read at each edge of a page: a header and the page number below it, or a footer and a rule,
# and a printer's line beside them ("VerDate Sep<11>2014 16:21 Aug 05, 2020 Jkt 250001", the IRS
# instructions' "The type and rule above prints on all proofs").
EDGE_LINES = 3
# A line is running when it opens or closes this share of the pages (3 pages at least). A chapter's
# own header, repeated over its ten pages of a 285-page book, stays: read over a span, the same rule
# also took list items ("(1) In the operating procedures chapter,") that open five pages in a row.
SHARE = 0.5
MIN_PAGES = 3
_WORDS = re.compile(r"[^\W\d_]+")
# A number on its own: not the digits of a name ("Form 1040NR"), which are the same on every page.
_INTEGER = re.compile(r"(?<![\d.,A-Za-z])\d{1,6}(?![\dA-Za-z]|[.,]\d)")


def _edges(lines: list[str]) -> list[int]:
    """Indexes of the first and last EDGE_LINES non-blank lines."""
    filled = [i for i, line in enumerate(lines) if line.strip()]
    return sorted(set(filled[:EDGE_LINES] + filled[-EDGE_LINES:]))


def _keys(line: str, page: int) -> list[tuple[str, int | None]]:
    """What a running line keeps from page to page: its text as it is (None), or its words with a
    number that counts the pages (the number's distance from the page number: "Page 3 of 48" on
    page 3, "47700 Federal Register / Vol. 85" on page 3 of an issue that starts at 47698). A number
    that changes otherwise is the page's text ("Total due: $1,234.56" at the foot of every page).
    A line of one character ("金", a table cell) says too little to call it a header."""
    text = " ".join(line.split())
    words = " ".join(_WORDS.findall(text.casefold()))
    keys: list[tuple[str, int | None]] = [(text, None)] if len(words) >= 2 else []
    numbers = [(words, int(m.group()) - page) for m in _INTEGER.finditer(text)]
    # Without a number, the line may be a running one whose page number stands apart: a page read a
    # column at a time gives "Instructions for Form 1040NR" where others give "… 1040NR - 35 -".
    return keys + (numbers or ([(words, 0)] if len(words.split()) >= 2 else []))


def strip_running(pages: list[Page]) -> list[Page]:
    """The pages without their running headers and footers (only those at a page's edge: the same
    words inside a page are its text)."""
    edges = []  # per page: its lines, and the keys of each edge line
    where: dict[tuple[str, int | None], set[int]] = defaultdict(set)
    for page in pages:
        lines = page.text.split("\n")
        keyed = {i: _keys(lines[i], page.number) for i in _edges(lines)}
        edges.append((lines, keyed))
        for keys in keyed.values():
            for k in keys:
                where[k].add(page.number)
    need = max(MIN_PAGES, SHARE * len(pages))
    running = {k for k, numbers in where.items() if len(numbers) >= need}
    if not running:
        return pages
    out = []
    for page, (lines, keyed) in zip(pages, edges):
        drop = {i for i, keys in keyed.items() if running.intersection(keys)}
        kept = [line for i, line in enumerate(lines) if i not in drop]
        # A page that is all running lines is a record a page ("Ledger page 7: entry 7 was filed …").
        out.append(Page(page.number, "\n".join(kept)) if drop and any(line.strip() for line in kept) else page)
    return out
