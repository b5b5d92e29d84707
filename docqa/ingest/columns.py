"""A page set in columns of text, read a column at a time.

PDFium gives a page's text in the order its content stream draws it. Most PDFs draw a column at a
time; some draw each line across the page, so three columns' lines come out interleaved ("These free
publications and the country at any time during the day. Items to Note forms and schedules you
will need are However, there are exceptions to this", the 2007 IRS 1040NR instructions), and no
sentence of the page can be read, retrieved or quoted.

A column gutter is an upright strip that (almost) no character crosses, with text on both sides;
only lines that hold a gap wider than a word space are looked at (a title in a large font and the
page's edge lines, a running header, cross gutters);
the columns are read apart only when PDFium's lines hold two columns' text side by side.
A line that crosses a gutter (a title, a page header) is read across the page where it stands;
between such lines each column is read top to bottom, left to right. A table's columns have
gutters too: columns are read apart only when each holds lines of prose (LINE_CHARS characters
at the median), so a table's rows stay rows.
"""

from __future__ import annotations

import numpy as np

GUTTER_MIN = 4.0  # points: narrower gaps are word spaces
MIN_CHARS = 200  # a page of a few lines has no columns worth finding
SAMPLE_LINES = 8  # PDFium lines whose boxes are read to look for a gutter, before all of them
# A gutter may be crossed by a few lines (a header, a title): at most this share of the characters
# stacked on the page's busiest upright line, or 3.
GUTTER_FILL = 0.03
EDGE = 0.15  # gutters lie inside the middle 70 % of the page width: outside are margins
SIDE_SHARE = 0.15  # each side of a gutter holds this share of the page's characters at least
LINE_CHARS = 25  # a column of prose: its lines' median length, in characters
EDGE_LINES = 3  # a page's running lines: as many at each edge as margins.py reads
WORD_SPACE = 0.6  # a word space, at most, in character heights (a title's large font spaces its words wide)


def gutters(boxes: np.ndarray, width: float, fewest: float = 0) -> list[tuple[float, float]]:
    """The (left, right) x-ranges of the page's column gutters, from the characters' boxes
    (left, bottom, right, top)."""
    if len(boxes) < (fewest or MIN_CHARS):
        return []
    bins = int(width) + 2
    left = np.clip(boxes[:, 0].astype(int), 0, bins - 1)
    right = np.clip(np.ceil(boxes[:, 2]).astype(int), 0, bins - 1)
    steps = np.zeros(bins + 1)
    np.add.at(steps, left, 1)
    np.add.at(steps, right + 1, -1)
    cover = np.cumsum(steps)[:bins]
    empty = cover <= max(3.0, GUTTER_FILL * cover.max())
    centres = (boxes[:, 0] + boxes[:, 2]) / 2
    found = []
    x = int(EDGE * width)
    while x < (1 - EDGE) * width:
        if not empty[x]:
            x += 1
            continue
        end = x
        while end < bins and empty[end]:
            end += 1
        if end - x >= GUTTER_MIN and min((centres < x).sum(), (centres > end).sum()) >= SIDE_SHARE * len(boxes):
            found.append((float(x), float(end)))
        x = end
    return found


def reading_order(textpage, text: str, width: float) -> str | None:
    """The page's text a column at a time, or None when it has no columns of prose (the text stands)."""
    indices = [i for i, ch in enumerate(text) if ch.strip()]
    if len(indices) < MIN_CHARS:
        return None
    # The PDFium line of each character (IRS-style, a line holds one line of each column side by side).
    line = np.cumsum([text.count("\n", a, b) for a, b in zip([0, *indices], indices)])
    # Some of its lines tell first (reading every box costs more than the page's text): most pages
    # have no gutter, or are drawn a column at a time already.
    sampled = line % max(1, int(line[-1]) // SAMPLE_LINES) == 0
    boxes = np.array([textpage.get_charbox(i) for i, keep in zip(indices, sampled) if keep], dtype=float)
    if _regions(line[sampled], boxes, width, MIN_CHARS * sampled.sum() / len(indices)) is None:
        return None
    boxes = np.array([textpage.get_charbox(i) for i in indices], dtype=float)
    region = _regions(line, boxes, width)
    if region is None or not _prose(region, line):
        return None
    order = sorted(range(len(indices)), key=lambda k: (region[k], indices[k]))
    out: list[str] = []
    for prev, k in zip([None, *order], order):
        if prev is not None:
            if region[prev] != region[k] or line[prev] != line[k]:
                out.append("\n")
            elif indices[k] - indices[prev] > 1:  # PDFium's space between them
                out.append(" ")
        out.append(text[indices[k]])
    return "".join(out)


def _regions(line: np.ndarray, boxes: np.ndarray, width: float, fewest: float = 0) -> list[tuple[int, int]] | None:
    """Each character's region, given its PDFium line and box, when the page has gutters and PDFium's
    lines hold two columns side by side; None otherwise. Regions, in reading order: the columns
    between two lines that cross a gutter, then such a line (column -1)."""
    # A gutter is looked for among the lines that hold a gap: on the first page of the IRS instructions
    # a printer's line and a title in a large font cross it (seven lines), and are read across where
    # they stand.
    gapped = _gapped(boxes, line)
    found = gutters(boxes[gapped], width, fewest)
    if not found:
        return None
    cuts = np.array([(a + b) / 2 for a, b in found])
    crossing = np.isin(line, [*_across(boxes, line, cuts), *_page_numbers(boxes, line), *_upright(boxes, line)])
    column = np.searchsorted(cuts, (boxes[:, 0] + boxes[:, 2]) / 2)
    if not _interleaved(line, column, crossing):
        return None  # PDFium already gives a column at a time: its order stands (footnotes, floats)
    step = np.concatenate([[0], np.cumsum(crossing[1:] != crossing[:-1])])
    return [(int(step[k]), -1 if crossing[k] else int(column[k])) for k in range(len(line))]


def _gapped(boxes: np.ndarray, line: np.ndarray) -> np.ndarray:
    """Each character's line holds a gap wider than a word space between two of its characters (a line
    of each column side by side, or a table's row), and is not one of the page's EDGE_LINES at its top or
    bottom (a running header or a printer's line spreads its fields across the page). A word space
    grows with the font: a gap counts from GUTTER_MIN, or WORD_SPACE of the line's character height."""
    last = int(line.max())
    keep = np.zeros(len(line), dtype=bool)
    for n, mine in _by_line(boxes, line):
        if n < EDGE_LINES or n > last - EDGE_LINES or len(mine) < 2:
            continue
        by_x = mine[np.argsort(mine[:, 0])]
        gaps = by_x[1:, 0] - np.maximum.accumulate(by_x[:-1, 2])
        keep[line == n] = bool((gaps >= max(GUTTER_MIN, WORD_SPACE * np.median(mine[:, 3] - mine[:, 1]))).any())
    return keep


def _by_line(boxes: np.ndarray, line: np.ndarray):
    """(line, its characters' boxes) for each PDFium line."""
    for n in np.unique(line):
        yield int(n), boxes[line == n]


def _across(boxes: np.ndarray, line: np.ndarray, cuts: np.ndarray) -> list[int]:
    """Lines that run across a gutter (a title, a page header): a character over the cut, or the
    words either side of it no further apart than GUTTER_MIN. A line of each column side by side,
    as PDFium gives them, has the gutter between its halves."""
    out = []
    for n, mine in _by_line(boxes, line):
        centres = (mine[:, 0] + mine[:, 2]) / 2
        for cut in cuts:
            left, right = mine[centres < cut], mine[centres >= cut]
            if len(left) and len(right) and right[:, 0].min() - left[:, 2].max() < GUTTER_MIN:
                out.append(int(n))
                break
    return out


NUMBER_CHARS = 8  # a page number's line ("12", "- 12 -", "Page 12"): at most this many characters


def _page_numbers(boxes: np.ndarray, line: np.ndarray) -> list[int]:
    """The page's top and bottom lines when they are short and stand above (below) every other line:
    a page number in one column's corner stays at the page's edge, where margins.py finds it."""
    out = []
    for edge, sign in ((3, 1), (1, -1)):  # the top line by its top, the bottom line by its bottom
        outer = line[np.argmax(sign * boxes[:, edge])]
        mine = line == outer
        if mine.sum() <= NUMBER_CHARS and (~mine).any():
            rest = boxes[~mine]
            clear = boxes[mine, 1].min() > rest[:, 3].max() if sign > 0 else boxes[mine, 3].max() < rest[:, 1].min()
            if clear:
                out.append(int(outer))
    return out


def _upright(boxes: np.ndarray, line: np.ndarray) -> list[int]:
    """Lines set upright in a margin ("arXiv:1601.03642v1 [cs.CV] 12 Jan 2016"): read where PDFium
    gives them, not inside the column beside them (between a sentence's two halves)."""
    out = []
    for n, mine in _by_line(boxes, line):
        if len(mine) >= 5 and np.ptp(mine[:, [1, 3]]) > 2 * np.ptp(mine[:, [0, 2]]):
            out.append(int(n))
    return out


INTERLEAVED = 0.3  # share of a page's lines that hold two columns' text side by side


def _interleaved(line: np.ndarray, column: np.ndarray, crossing: np.ndarray) -> bool:
    spans: dict[int, set[int]] = {}
    for n, col in zip(line[~crossing].tolist(), column[~crossing].tolist()):
        spans.setdefault(n, set()).add(col)
    return bool(spans) and sum(len(cols) > 1 for cols in spans.values()) >= INTERLEAVED * len(spans)


def _prose(region: list[tuple[int, int]], line: np.ndarray) -> bool:
    """Whether every column holds lines of prose (LINE_CHARS characters at the median), not a table's cells."""
    counts: dict[int, dict[int, int]] = {}
    for k, (_, col) in enumerate(region):
        if col >= 0:
            per_line = counts.setdefault(col, {})
            per_line[int(line[k])] = per_line.get(int(line[k]), 0) + 1
    return len(counts) >= 2 and all(np.median(list(v.values())) >= LINE_CHARS for v in counts.values())
