"""Pages -> chunks: paragraph- and sentence-aware, sized in the embedder's own tokens, with overlap.

Every chunk is a slice of the document's extracted text (``chunk.text == doc.text[start:end]``),
so a citation can always be traced back to the exact characters it came from. Page boundaries and
section boundaries are hard breaks: a chunk never spans two pages or two sections, so its page
and section are unambiguous. A heading with nothing under it (a title page's lines, "Part I"
above "Chapter 1") belongs to the section that follows it.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from dataclasses import dataclass

from docqa.records import PAGE_SEP, Chunk, LoadedDocument, Section

# A sentence ends at . ! ? (optionally followed by quotes/brackets) before whitespace, or at a
# CJK full stop. Blank lines end paragraphs.
_SENTENCE_END = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"'”’)\]]))\s+|(?<=[。！？；])\s*")
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")

CountTokensMany = Callable[[list[str]], list[int]]  # the embedder's count_tokens_many
TokenOffsets = Callable[[str], list[tuple[int, int]]]


@dataclass(frozen=True)
class _Span:
    start: int
    end: int
    n_tokens: int
    paragraph_start: bool  # first sentence of a paragraph: a preferred place to cut


def _regions(doc: LoadedDocument) -> list[tuple[int, int, int, str]]:
    """(start, end, page, section) spans that no chunk may cross."""
    text = doc.text
    cuts: set[int] = {0, len(text)}
    page_at: list[tuple[int, int]] = []
    pos = 0
    for page in doc.pages:
        page_at.append((pos, page.number))
        cuts.update((pos, pos + len(page.text)))
        pos += len(page.text) + len(PAGE_SEP)
    for sec in doc.sections:
        cuts.update((sec.start, sec.end))
    bounds = sorted(c for c in cuts if 0 <= c <= len(text))
    regions: list[tuple[int, int, int, Section | None]] = []
    for a, b in zip(bounds, bounds[1:]):
        page = next(num for start, num in reversed(page_at) if start <= a)
        section = next((s for s in doc.sections if s.start <= a < s.end), None)
        if regions and regions[-1][2] == page and _only_heading(text, regions[-1][3]):
            # A heading with nothing under it opens the next section's region: alone it is a chunk no
            # question finds ("by Mary Wollstonecraft (Godwin) Shelley", a title page's byline, shares no
            # word with "Who wrote Frankenstein?"); beside its title and the next heading it is found.
            a = regions.pop()[0]
        regions.append((a, b, page, section))
    return [(a, b, page, section.path if section else "") for a, b, page, section in regions]


def _only_heading(text: str, section: Section | None) -> bool:
    """Whether a section holds its heading and nothing else (a Markdown heading keeps its #s)."""
    if section is None:
        return False
    title = section.path.rsplit(" > ", 1)[-1]
    return bool(title) and " ".join(text[section.start : section.end].split()).strip("# ") == title


def _line_at(doc: LoadedDocument) -> Callable[[int], int]:
    """offset -> the source line (or sheet row) it is on, from the document's line anchors; 0 when
    the format has none."""
    if not doc.lines:
        return lambda offset: 0
    newlines = [m.start() for m in re.finditer("\n", doc.text)]
    offsets = [a for a, _ in doc.lines]

    def line_at(offset: int) -> int:
        i = bisect_right(offsets, offset) - 1
        if i < 0:
            return 0
        anchor, line = doc.lines[i]
        return line + bisect_left(newlines, offset) - bisect_left(newlines, anchor)

    return line_at


def _trim(text: str, a: int, b: int) -> tuple[int, int]:
    # str.isspace: every Unicode space, including \x1c-\x1f, NBSP and U+3000 (a chunk of only
    # such characters would be "empty" to everything downstream).
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return a, b


def _sentences(text: str, a: int, b: int) -> list[tuple[int, int, bool]]:
    """Sentence spans inside text[a:b], trimmed, each flagged when it opens a paragraph."""
    spans: list[tuple[int, int, bool]] = []
    para_start = a
    for para_match in [*_PARAGRAPH_BREAK.finditer(text, a, b), None]:
        para_end = para_match.start() if para_match else b
        first = True
        s = para_start
        for m in [*_SENTENCE_END.finditer(text, para_start, para_end), None]:
            e = m.start() if m else para_end
            ts, te = _trim(text, s, e)
            if te > ts:
                spans.append((ts, te, first))
                first = False
            if m is not None:
                s = m.end()
        para_start = para_match.end() if para_match else b
    return spans


def chunk_document(
    doc: LoadedDocument,
    count_tokens_many: CountTokensMany,
    token_offsets: TokenOffsets,
    target_tokens: int = 180,
    overlap_tokens: int = 32,
) -> list[Chunk]:
    text = doc.text
    line_at = _line_at(doc)
    chunks: list[Chunk] = []
    for r_start, r_end, page, section in _regions(doc):
        sents = _sentences(text, r_start, r_end)
        if not sents:
            continue
        counts = count_tokens_many([text[s:e] for s, e, _ in sents])
        spans: list[_Span] = []
        for (s, e, para), n in zip(sents, counts):
            if n == 0:
                continue  # nothing the embedder reads (control characters only): no empty vector
            if n <= target_tokens:
                spans.append(_Span(s, e, n, para))
                continue
            # A sentence longer than a chunk (tables, run-ons): cut it at token boundaries.
            offsets = token_offsets(text[s:e])
            for i in range(0, len(offsets), target_tokens):
                piece = offsets[i : i + target_tokens]
                ps, pe = _trim(text, s + piece[0][0], s + piece[-1][1])
                if pe > ps:
                    spans.append(_Span(ps, pe, len(piece), para and i == 0))
        for group in _pack(spans, target_tokens, overlap_tokens):
            start, end = group[0].start, group[-1].end
            chunks.append(
                Chunk(
                    ord=len(chunks),
                    text=text[start:end],
                    start=start,
                    end=end,
                    page_start=page,
                    page_end=page,
                    section=section,
                    # Joining spans adds at most a token per gap; the exact count is the sum.
                    n_tokens=sum(sp.n_tokens for sp in group),
                    line_start=line_at(start),
                    line_end=line_at(end - 1),
                )
            )
    return chunks


def _pack(spans: list[_Span], target: int, overlap: int) -> list[list[_Span]]:
    """Greedy packing of sentence spans, preferring to cut at paragraph starts."""
    groups: list[list[_Span]] = []
    i = 0
    while i < len(spans):
        group = [spans[i]]
        total = spans[i].n_tokens
        j = i + 1
        while j < len(spans) and total + spans[j].n_tokens <= target:
            group.append(spans[j])
            total += spans[j].n_tokens
            j += 1
        if j < len(spans):
            # Back up to the last paragraph start when it keeps the chunk at least half full.
            for k in range(len(group) - 1, 0, -1):
                if group[k].paragraph_start and sum(sp.n_tokens for sp in group[:k]) >= target // 2:
                    group = group[:k]
                    break
        groups.append(group)
        next_i = i + len(group)
        if next_i >= len(spans):
            break
        # Overlap: restart with trailing sentences of this chunk that fit the overlap budget,
        # but always advance by at least one sentence.
        back, carried = 0, 0
        while back < len(group) - 1 and carried + group[-1 - back].n_tokens <= overlap:
            carried += group[-1 - back].n_tokens
            back += 1
        i = next_i - back
    return groups
