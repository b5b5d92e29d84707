"""Ruled tables on a PDF page -> one line per row, each cell named by its column header.

A row read as plain text ("WiLI-2018 accuracy 35 % 36 % 22 % 36 %") loses which number belongs
to which column once it is chunked away from its header, and a model then picks the wrong cell.
So each row is rendered on its own line with the header repeated in every cell:

    Name: WiLI-2018 accuracy | TextCat: 35 % | CLD-2: 36 % | langdetect: 22 % | langid: 36 %

Tables are found from their horizontal rules: three or more rules of the same width (a booktabs
table's top, middle and bottom rules; a grid's row lines). pdfplumber's line-based finder needs
vertical rules as well and finds none of the tables of a typical paper. Rows come from text lines
(or from the spaces between rules when every row is ruled), columns from the gaps that no body
row's text crosses. Everything here works on plain boxes, so any engine that gives character
boxes and rule positions can feed it; coordinates are PDF points, y growing downwards.
"""

from __future__ import annotations

import re
import statistics
from bisect import bisect_left
from dataclasses import dataclass, field

from docqa.cjk import CJK_CHARS, CJK_RUN, bigrams, either_script

CELL_SEP = " | "
_RULE_MAX_THICKNESS = 3.0  # points: thicker paths are boxes (their top and bottom edges count)
_MIN_RULE_WIDTH = 40.0
_SAME_EDGE = 4.0  # points: rules of one table start and end within this of each other
_MIN_RULES = 3
# What a table's header and rows look like; a region that fails these (a page's running-header rule
# that shares a table's width, a form, a chart's axis) keeps its plain text.
_MAX_HEADER_LINES = 4
_MAX_COLUMNS = 12
_MAX_HEADER_CELL = 60
_MIN_FULL_ROWS = 0.6  # share of rows with two or more cells


@dataclass(frozen=True)
class Char:
    index: int  # position in the page's extracted text
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    space_before: bool = False  # the extracted text has whitespace before it (a word starts)
    # Centres, computed once: a page of forms has thousands of characters and many rules.
    xc: float = field(init=False, repr=False, compare=False)
    yc: float = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "xc", (self.x0 + self.x1) / 2)
        object.__setattr__(self, "yc", (self.top + self.bottom) / 2)


@dataclass(frozen=True)
class Rule:
    x0: float
    x1: float
    y: float


@dataclass(frozen=True)
class VRule:
    x: float
    top: float
    bottom: float


@dataclass
class Table:
    x0: float
    x1: float
    top: float
    bottom: float
    header: list[str]
    rows: list[list[str]]
    indices: set[int]  # the page-text positions of the characters the table replaces

    def lines(self) -> list[str]:
        """Each row under the header that heads its column. A row of names alone, among rows of figures
        and before one, heads the rows below it and is no row itself: a quarterly report's key figures
        are one ruled table, its income lines under "本报告期 | 上年同期" and then its balance lines under
        "本报告期末 | 上年度末", and the total assets at the year's end were read as last year's."""
        figures = [any(ch.isdigit() for cell in row for ch in cell) for row in self.rows]
        out, header = [], self.header
        for i, row in enumerate(self.rows):
            heads = (not figures[i] and i + 1 < len(self.rows) and figures[i + 1] and 2 * sum(figures) >= len(self.rows)
                     and 2 * sum(1 for cell in row[1:] if cell) >= len(header) - 1)
            if heads:
                header = [header[0], *(cell or h for cell, h in zip(row[1:], header[1:], strict=False))]
            else:
                out.append(render_row(header, row))
        return out


def render_row(header: list[str], row: list[str]) -> str:
    """'Header: value | Header: value'; an empty cell is left out, a cell without a header is the value."""
    cells = [f"{h}: {v}" if h else v for h, v in zip(header, row, strict=False) if v]
    return CELL_SEP.join(cells)


def rules_from_boxes(boxes: list[tuple[float, float, float, float]]) -> list[Rule]:
    """Path bounding boxes (x0, top, x1, bottom) -> horizontal rules: a thin path is a rule, a box
    gives its top and bottom edges; pieces at one height that touch join into one rule."""
    return [Rule(a, b, at) for at, a, b in _lines_along(boxes, join=2) if b - a >= _MIN_RULE_WIDTH]


def verticals_from_boxes(boxes: list[tuple[float, float, float, float]]) -> list[VRule]:
    """The same for vertical rules (a grid's column lines); a horizontal rule crossing a column line
    may interrupt it for a few points."""
    return [VRule(at, a, b) for at, a, b in _lines_along([(t, x0, b, x1) for x0, t, x1, b in boxes], join=5)]


def _lines_along(boxes: list[tuple[float, float, float, float]], join: float) -> list[tuple[float, float, float]]:
    """(position, start, end) of the lines running along the boxes' first axis."""
    pieces: list[tuple[float, float, float]] = []
    for a0, b0, a1, b1 in boxes:
        if a1 - a0 < 3:
            continue
        if b1 - b0 <= _RULE_MAX_THICKNESS:
            pieces.append(((b0 + b1) / 2, a0, a1))
        else:
            pieces += [(b0, a0, a1), (b1, a0, a1)]
    pieces.sort(key=lambda p: (round(p[0]), p[1]))
    joined: list[tuple[float, float, float]] = []
    for at, start, end in pieces:
        if joined and abs(joined[-1][0] - at) <= 1.5 and start <= joined[-1][2] + join:
            joined[-1] = (joined[-1][0], joined[-1][1], max(joined[-1][2], end))
        else:
            joined.append((at, start, end))
    return joined


def find_tables(chars: list[Char], rules: list[Rule], verticals: list[VRule] = ()) -> list[Table]:
    """The ruled tables among `chars` (whitespace characters are ignored)."""
    chars = [c for c in chars if c.text.strip()]
    found = []
    for group in rule_groups(rules):
        for part in _grids(group, verticals):
            # A rule above the table (the page's running header) may share its width: drop it.
            for start in range(min(3, len(part) - _MIN_RULES + 1)):
                table = _read_table(part[start:], chars, verticals)
                if table is not None:
                    found.append(table)
                    break
    return found


def _grids(group: list[Rule], verticals: list[VRule]) -> list[list[Rule]]:
    """Rules of one width split where no vertical rule crosses the space between two of them: grids
    stacked on a page, each under its own caption, are separate tables (no verticals: one group)."""
    x0, x1 = group[0].x0 - 3, group[0].x1 + 3
    lines = [v for v in verticals if x0 <= v.x <= x1]
    if not lines:
        return [group]
    parts = [[group[0]]]
    for upper, lower in zip(group, group[1:], strict=False):
        if any(v.top <= upper.y + 5 and v.bottom >= lower.y - 5 for v in lines):
            parts[-1].append(lower)
        else:
            parts.append([lower])
    return [p for p in parts if len(p) >= _MIN_RULES]


def rule_groups(rules: list[Rule]) -> list[list[Rule]]:
    """Rules of one width, top to bottom, three or more: where a table may be."""
    groups: list[list[Rule]] = []
    for r in sorted(rules, key=lambda r: r.y):
        for g in groups:
            if abs(g[0].x0 - r.x0) <= _SAME_EDGE and abs(g[0].x1 - r.x1) <= _SAME_EDGE:
                if abs(g[-1].y - r.y) > 1.5:
                    g.append(r)
                break
        else:
            groups.append([r])
    return [g for g in groups if len(g) >= _MIN_RULES]


def _read_table(rules: list[Rule], chars: list[Char], verticals: list[VRule] = ()) -> Table | None:
    x0, x1 = min(r.x0 for r in rules) - 2, max(r.x1 for r in rules) + 2
    column = [c for c in chars if x0 <= c.xc <= x1]
    inside = [c for c in column if rules[0].y < c.yc < rules[-1].y]
    if not inside:
        return None
    # Lines per space between two rules; the first space is the header.
    ys = [r.y for r in rules]
    spaces: list[list[Char]] = [[] for _ in rules]
    for c in inside:
        spaces[bisect_left(ys, c.yc)].append(c)
    segments = [_lines(seg) for seg in spaces if seg]
    if len(segments) < 2 or len(segments[0]) > _MAX_HEADER_LINES:
        return None
    height = statistics.median(c.bottom - c.top for c in inside) or 1.0
    gap = 0.75 * height
    # Column lines separate columns too (text without spaces, as Chinese, has no gaps to find).
    lines_x = _column_lines(rules, verticals)
    cuts = _cuts(_columns([line for seg in segments[1:] for line in seg], segments[0], gap), lines_x)
    if not lines_x:
        # Rules only between rows leave the header above the first rule and the last row below the
        # last one: a line just outside that fits the columns belongs to the table.
        above = _line_beside(column, rules[0].y, -3 * height, len(cuts) + 1, gap)
        below = _line_beside(column, rules[-1].y, 3 * height, len(cuts) + 1, gap)
        if above:
            segments.insert(0, [above])
            cuts = _cuts(_columns([line for seg in segments[1:] for line in seg], segments[0], gap), lines_x)
        if below:
            segments.append([below])
    n_columns = len(cuts) + 1
    if not 2 <= n_columns <= _MAX_COLUMNS:
        return None
    space = 0.6 * height
    header = _merge([_cells(line, cuts, space) for line in segments[0]])
    every_row_ruled = all(len(seg) <= 2 for seg in segments[1:]) and len(segments) > 3
    rows: list[list[str]] = []
    for seg in segments[1:]:
        cells = [_cells(line, cuts, space) for line in seg]
        full = [sum(1 for c in line if c) >= n_columns / 2 for line in cells]
        # One row per space between rules, unless it holds several lines that each fill a row.
        if every_row_ruled or sum(full) <= 1:
            rows.append(_merge(cells))
            continue
        start, pending = len(rows), []
        for line, is_full in zip(cells, full, strict=True):
            if is_full:
                rows.append(_merge([*pending, line]))
                pending = []
            elif len(rows) > start:  # a wrapped cell continues the row above
                rows[-1] = _merge([rows[-1], line])
            else:  # ... or, before the space's first full line, the row below
                pending.append(line)
    filled = [sum(1 for c in row if c) for row in rows]
    if (
        not rows
        or sum(1 for h in header if h) < n_columns / 2
        or sum(1 for h in header if any(ch.isalpha() for ch in h)) < n_columns / 2  # names, not numbers
        or any(re.search(r"\d{5,}", h.replace(",", "")) for h in header)  # an amount: a data row, not a header
        or max(len(h) for h in header) > _MAX_HEADER_CELL
        or sum(1 for n in filled if n >= 2) < _MIN_FULL_ROWS * len(rows)
    ):
        return None
    used = [c for seg in segments for line in seg for c in line]
    if _splits_words(used, cuts):
        return None
    return Table(x0, x1, min(c.top for c in used), max(c.bottom for c in used), header, rows, {c.index for c in used})


def _splits_words(chars: list[Char], cuts: list[float]) -> bool:
    """Whether the columns cut through the (Latin) words of the page's text, more than 1 in 20: a
    table's cells never do; a figure's labels or rotated text read as a table do."""
    column = {c.index: bisect_left(cuts, c.xc) for c in chars}
    text = {c.index: c.text for c in chars}
    # Chinese is written without spaces: two cells' characters may touch in the page's text.
    latin = [c for c in chars if c.text.isalnum() and not _cjk(c.text)]
    words = sum(1 for c in latin if c.space_before or not text.get(c.index - 1, " ").isalnum())
    split = sum(
        1 for c in latin
        if not c.space_before and text.get(c.index - 1, " ").isalnum() and not _cjk(text[c.index - 1])
        and column[c.index - 1] != column[c.index]
    )
    return split > max(1, words // 20)


def _line_beside(chars: list[Char], y: float, reach: float, n_columns: int, gap: float) -> list[Char]:
    """The text line nearest to rule height `y` within `reach` (negative: above) if it reads as a
    table row: wide gaps split it into as many pieces as half the columns or more (prose and
    captions have word spaces only); else []."""
    near = [c for c in chars if min(y, y + reach) < c.yc < max(y, y + reach)]
    if not near:
        return []
    lines = _lines(near)
    line = lines[-1] if reach < 0 else lines[0]
    pieces = 1 + sum(1 for a, b in zip(line, line[1:], strict=False) if b.x0 - a.x1 > 2 * gap)
    return line if n_columns / 2 <= pieces <= n_columns and pieces >= 2 else []


def _lines(chars: list[Char]) -> list[list[Char]]:
    """Characters grouped into text lines by vertical centre, top to bottom."""
    height = statistics.median(c.bottom - c.top for c in chars) or 1.0
    lines: list[list[Char]] = []
    last = 0.0  # the vertical centre of the line's newest character
    for c in sorted(chars, key=lambda c: c.yc):
        if lines and c.yc - last <= 0.5 * height:
            lines[-1].append(c)
        else:
            lines.append([c])
        last = c.yc
    return [sorted(line, key=lambda c: c.x0) for line in lines]


def _columns(body: list[list[Char]], header: list[list[Char]], gap: float) -> list[tuple[float, float]]:
    """Column spans: the x ranges covered by body text, split where no body line's text crosses a
    gap of at least `gap`, except where one header word spans it ("TextCat" over "35 %")."""
    spans = sorted((c.x0, c.x1) for line in body for c in line)
    spans += [w for line in header for w in _words(line)]
    spans.sort()
    columns: list[list[float]] = []
    for a, b in spans:
        if columns and a - columns[-1][1] < gap:
            columns[-1][1] = max(columns[-1][1], b)
        else:
            columns.append([a, b])
    return [(a, b) for a, b in columns]


def _words(line: list[Char]) -> list[tuple[float, float]]:
    """The x spans of a line's words, each widened to cover the gaps inside it."""
    words: list[list[float]] = []
    for c in line:
        if words and not c.space_before:
            words[-1][1] = max(words[-1][1], c.x1)
        else:
            words.append([c.x0, c.x1])
    # A single-character word spans nothing worth keeping together.
    return [(a, b) for a, b in words if b - a > 0]


def _cuts(columns: list[tuple[float, float]], lines_x: list[float]) -> list[float]:
    """Where one column ends and the next begins: the column lines, and the middle of each gap
    between text columns that no column line runs through."""
    cuts = list(lines_x)
    for a, b in zip(columns, columns[1:], strict=False):
        if not any(a[1] <= x <= b[0] for x in lines_x):
            cuts.append((a[1] + b[0]) / 2)
    return sorted(cuts)


def _column_lines(rules: list[Rule], verticals: list[VRule]) -> list[float]:
    """The x of the vertical rules inside the table that run through most of its height."""
    x0, x1, top, bottom = rules[0].x0, rules[0].x1, rules[0].y, rules[-1].y
    xs = sorted(
        v.x for v in verticals
        if x0 + 4 < v.x < x1 - 4 and min(v.bottom, bottom) - max(v.top, top) >= 0.5 * (bottom - top)
    )
    merged: list[float] = []
    for x in xs:
        if not merged or x - merged[-1] > 2:
            merged.append(x)
    return merged


def _cells(line: list[Char], cuts: list[float], space: float) -> list[str]:
    """One line's text per column, split at the cuts between columns."""
    parts: list[list[Char]] = [[] for _ in range(len(cuts) + 1)]
    for c in line:
        parts[bisect_left(cuts, c.xc)].append(c)
    return [_text(p, space) for p in parts]


def _text(chars: list[Char], space: float) -> str:
    out = []
    for i, c in enumerate(chars):
        if i and (c.space_before or c.x0 - chars[i - 1].x1 > space):
            out.append(" ")
        out.append(c.text)
    return "".join(out).strip()


def _cjk(ch: str) -> bool:
    return bool(ch) and ("\u2e80" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" or "\uff00" <= ch <= "\uffef")


def _merge(lines: list[list[str]]) -> list[str]:
    """Cell texts of several lines joined per column; a word hyphenated at the line end is joined."""
    if not lines:
        return []
    merged = list(lines[0])
    for line in lines[1:]:
        for i, cell in enumerate(line[: len(merged)]):
            if not cell:
                continue
            if merged[i].endswith("-") and cell[:1].islower():
                merged[i] = merged[i][:-1] + cell
            elif _cjk(merged[i][-1:]) and _cjk(cell[:1]):  # Chinese wraps without a space
                merged[i] += cell
            else:
                merged[i] = f"{merged[i]} {cell}".strip()
    return merged


_WORD = re.compile(r"[^\W_]+")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


_NAME_MAX = 120  # characters: longer, a first cell without a header is prose that holds " | "


def parse_row(line: str) -> list[tuple[str, str]] | None:
    """A line rendered by render_row -> its (header, value) cells; None for any other line."""
    cells = []
    for i, part in enumerate(line.strip().split(CELL_SEP)):
        header, sep, value = part.partition(": ")
        if not sep and i == 0 and 0 < len(part.strip()) <= _NAME_MAX:
            header, value = "", part  # the row's name, under a header left blank (render_row)
        elif not sep or not header.strip() or not value.strip():
            return None
        cells.append((header.strip(), value.strip()))
    return cells if len(cells) >= 2 else None


def _terms(text: str) -> set[str]:
    """Words, and in Chinese (no spaces between words) character pairs: "杨琴秀的持股比例是多少" states the
    row "杨琴秀" and shares more with the header "持股比例" than with "持股数量"."""
    terms: set[str] = set()
    for w in _WORD.findall(text.lower()):
        for part in re.split(f"([{CJK_CHARS}]+)", w):
            if CJK_RUN.fullmatch(part):
                terms.update(bigrams(part))
            elif part:
                terms.add(part[:-1] if len(part) > 3 and part.endswith("s") else part)
    return terms


# "Why did it fall?" names the column of reasons ("变动原因", "Reason for change").
WHY = re.compile(r"\bwhy\b|" + either_script("为什么|为何|何故"), re.I)
_REASON = {"reason", "原因", "cause"}


# A unit after a row's name: "营业收入 （元）", "Special education ($ million)". The question names the row
# without it ("营业收入是多少？").
_UNIT_AFTER = re.compile(r"\s*[(（][^()（）]{1,12}[)）]\s*$")


# Words a question may word otherwise: "How many of the WiLI-2018 languages …" names "Languages in
# WiLI-2018". "not" stays: "Languages not in WiLI-2018" is another row.
_FILLERS = frozenset("a an the of in on at to for by per and".split())


def _name_terms(name: str) -> set[str]:
    return (_terms(_UNIT_AFTER.sub("", name)) or _terms(name)) - _FILLERS


# A table's columns of periods: the report's own ("本报告期", "本期发生额", "本报告期末", "current year")
# and earlier ones ("上年同期", "上年度末", "期初余额", "prior year"). A column of change names both.
EARLIER = re.compile(either_script("上年|去年|上期|前期|期初|年初|上季|同期") + r"|\b(?:last|previous|prior|preceding)\b", re.I)
CURRENT = re.compile(either_script("本报告期|本期|本年|本季|期末") + r"|\b(?:current|this)\b", re.I)


def _period(header: str) -> str:
    earlier, current = bool(EARLIER.search(header)), bool(CURRENT.search(header))
    return "earlier" if earlier and not current else "current" if current and not earlier else ""


def named_cell(question: str, rows: list[str], min_name: int = 1) -> tuple[int, str] | None:
    """The cell a question names, as (index into rows, value): the row whose first value the
    question states in full (the row's name: "Caddon Vale", "WiLI-2018 accuracy"; rows of one
    name told apart by the numbers the question states: "with 100% coverage"), and in it the one
    other column whose header shares the most words with the question ("fill level", "Q3",
    "langdetect"), a cell holding a stated number being a condition, not the answer. None when
    either is missing or ambiguous (two cells with headers alike): the question is not a cell lookup.
    `min_name`: the fewest terms a row's name may have (a whole document holds rows named by one
    word, "股东" of a header row read as a row, that many a question states by chance).
    Where the columns are periods, a question that names no earlier one asks for the report's own:
    "公司第一季度末总资产是多少？" is "本报告期末", not "上年度末" (which shared "度末" with it, and last
    year's total was verified), and "归属于上市公司股东的净利润是多少？", naming no column, is "本报告期"."""
    asked = _terms(question) | (_REASON if WHY.search(question) else set())
    stated = set(_NUMBER.findall(question))
    parsed = [(i, cells) for i, line in enumerate(rows) if (cells := parse_row(line))]
    sized = [(i, cells, len(name)) for i, cells in parsed
             if len(name := _name_terms(cells[0][1])) >= min_name and name <= asked]
    # The longest name wins ("Dose B (20 mg)" over a row named "Dose").
    longest = max((size for *_, size in sized), default=0)
    named = [(i, cells) for i, cells, size in sized if size == longest]
    if len(named) > 1:
        named = [(i, cells) for i, cells in named if stated <= {n for _, v in cells for n in _NUMBER.findall(v)}]
    # Rows of one name in two tables ("杨琴秀" among the top ten holders, and among the holders of
    # unrestricted shares) are told apart by their headers: the question names one table's column.
    # A header is scored by the question's words it holds, then by the share of its words those are:
    # "本报告期" (this period) is asked by "本报告期…的净利润", and "本报告期比上年同期增减" (the change) only partly.
    open_cells = [(i, h, v) for i, cells in named for h, v in cells[1:] if not stated & set(_NUMBER.findall(v))]
    if not EARLIER.search(question):  # an earlier period's column the question names by its year stays ("2018")
        open_cells = [(i, h, v) for i, h, v in open_cells if _period(h) != "earlier" or set(_NUMBER.findall(h)) & stated]
    scores = sorted((((shared := len(_terms(h) & asked)), shared / max(len(_terms(h)), 1)), i, v)
                    for i, h, v in open_cells)[::-1]
    if scores and scores[0][0][0] == 0 and any(_period(h) == "earlier" for _, cells in named for h, _ in cells[1:]):
        current = [(i, v) for i, h, v in open_cells if _period(h) == "current"]
        return current[0] if len(current) == 1 else None
    if not scores or scores[0][0][0] == 0 or (len(scores) > 1 and scores[1][0] == scores[0][0]):
        return None
    return scores[0][1], scores[0][2]
