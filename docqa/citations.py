"""Citations, checked mechanically: parse [n], map to the working set, verify what was claimed.

Summaries (`verify`): a cited sentence is supported by a passage when the passage holds at least
``threshold`` of the sentence's content words and every number the sentence states. Citations to
passages outside the working set are removed from the text; unsupported ones are kept but flagged.

Short answers are checked in `docqa.verification`, which picks the quote itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from docqa import locators
from docqa.cjk import CJK_RUN, bigrams, one_line
from docqa.records import PAGE_SEP
from docqa.retrieval.working_set import Passage, WorkingSet

CITATION = re.compile(r"\[(\d+(?:\s*[,;]\s*\d+)*)\]")
# A sentence ends before a capital, digit or quote: "Ae. albopictus" and "e.g. the" stay whole.
# A Chinese one ends at its full stop, or after the closing quote that follows it (他说：“好。”).
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"“(])|(?<=[。！？])(?![”’」』）])\s*|(?<=[。！？][”’」』）])\s*"
                       r"|(?<=\])\s+(?=[A-Z])")
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
STOPWORDS = frozenset(
    "a an and are as at be been but by can did do does for from had has have he her his how i if in into "
    "is it its of on or our she so than that the their them then there these they this those to was we "
    "were what when where which while who whom why will with would you your also not no yes".split()
)


@dataclass
class Citation:
    n: int
    path: str
    title: str
    page_start: int
    page_end: int
    paragraph: int  # 1-based paragraph of the page where the passage starts
    section: str
    snippet: str
    verified: bool  # short answer: the quote holds the answer; summary: every citing sentence is supported
    quote: str = ""  # the verbatim supporting sentence (short answers)
    quote_start: int = -1  # the quote's span in the document's extracted text
    quote_end: int = -1
    reason: str = ""  # why it is not verified
    line_start: int = 0  # file lines (text, Markdown) or sheet rows; 0 when the format has none
    line_end: int = 0
    locator: str = ""  # where, in the format's words: "lines 12-14", "slide 3", "page 2, paragraph 4"


def content_words(text: str) -> set[str]:
    """Lower-cased words that are not stopwords, and the character pairs of each CJK run: Chinese
    has no spaces, so a clause would otherwise be one "word" that no passage holds verbatim."""
    latin = CJK_RUN.sub(" ", text)
    words = {w for w in (m.lower() for m in _WORD.findall(latin)) if w not in STOPWORDS and (len(w) > 2 or w.isdigit())}
    return words | {p for run in CJK_RUN.findall(text) if len(run) > 1 for p in bigrams(run)}


def _numbers(text: str) -> set[str]:
    return {n.replace(",", "") for n in _NUMBER.findall(text)}


def support(sentence: str, passage_text: str) -> float:
    """Share of the sentence's content words found in the passage; 0 if a stated number is missing."""
    bare = CITATION.sub(" ", sentence)
    words = content_words(bare)
    if not words:
        return 1.0
    if not _numbers(bare) <= _numbers(passage_text):
        return 0.0
    return len(words & content_words(passage_text)) / len(words)


# Citation marks that open a piece: they close the sentence before it.
_LEADING_MARKS = re.compile(rf"(?:{CITATION.pattern}\s*)+")


def sentences(text: str) -> list[str]:
    """`text`'s sentences, each with the citation marks after its end: a Chinese sentence ends at
    its full stop, so "…情形。 [1] 清理…" would give the [1] to the sentence after it. A quotation
    of two sentences is one ('PM said: "We agreed. It is done." [1]'): split, the first got a mark
    of its own inside the quotation marks."""
    out: list[str] = []
    for piece in (p.strip() for p in _SENTENCE.split(text)):
        marks = _LEADING_MARKS.match(piece)
        if marks and out:
            out[-1] = f"{out[-1]} {marks.group().strip()}"
            piece = piece[marks.end():]
        if piece:
            out.append(piece)
    return _quotations_whole(out)


def _unclosed(text: str) -> bool:
    return text.count('"') % 2 == 1 or text.count("“") > text.count("”")


def _quotations_whole(pieces: list[str]) -> list[str]:
    """`pieces` with a quotation opened in one and closed in a later one joined; a mark that no
    later piece closes (a stray inch sign) joins nothing."""
    out, i = [], 0
    while i < len(pieces):
        j = next((j for j in range(i, len(pieces)) if not _unclosed(_joined(pieces[i:j + 1]))), i)
        out.append(_joined(pieces[i:j + 1]))
        i = j + 1
    return out


def _joined(pieces: list[str]) -> str:
    """Sentences of one quotation as they were written: Chinese without a space after its 。."""
    return "".join(f"{piece}{'' if piece.endswith(('。', '！', '？')) else ' '}" for piece in pieces).rstrip()


def cited_numbers(sentence: str) -> list[int]:
    return [int(n) for m in CITATION.finditer(sentence) for n in re.split(r"\s*[,;]\s*", m.group(1))]


def strip_invalid(text: str, valid: set[int]) -> tuple[str, list[int]]:
    """Remove citations to passages that are not in the working set. Returns (text, removed)."""
    removed: list[int] = []

    def fix(m: re.Match) -> str:
        nums = [int(n) for n in re.split(r"\s*[,;]\s*", m.group(1))]
        ok = [n for n in nums if n in valid]
        removed.extend(n for n in nums if n not in valid)
        return "".join(f"[{n}]" for n in ok)

    return CITATION.sub(fix, text), removed


def paragraph_of(doc_text: str, page: int, offset: int) -> int:
    """1-based paragraph number of `offset` within its page (paragraphs split at blank lines)."""
    page_start = 0
    for _ in range(page - 1):
        page_start = doc_text.index("\f", page_start) + 1
    return len(re.findall(r"\n[ \t]*\n", doc_text[page_start:offset])) + 1


def cite(p: Passage, doc_text, verified: bool, quote: tuple[int, int] | None = None, reason: str = "") -> Citation:
    """A citation of passage `p`, located by document, page and paragraph (of the quote, if any)."""
    text = doc_text(p.doc_id)
    start, end = quote or (p.start, -1)
    page_start, page_end = p.page_start, p.page_end
    if not p.start <= start < p.end:
        # A table row the question names, quoted from elsewhere in the passage's document.
        page_start = page_end = text.count(PAGE_SEP, 0, start) + 1
    paragraph = paragraph_of(text, page_start, start)
    section = locators.section_above(text, p.section, start)
    # A text file's lines are counted in its text, exactly for the quote; other formats' rows are
    # those of the chunks the passage came from.
    lines = locators.quote_lines(p.path, text, start, end if quote else p.end)
    line_start, line_end = lines if lines[0] else (p.line_start, p.line_end)
    return Citation(
        n=p.n, path=p.path, title=p.title, page_start=page_start, page_end=page_end,
        paragraph=paragraph, section=section,
        snippet=one_line(p.text)[:200], verified=verified,
        quote=one_line(text, start, end) if quote else "",
        quote_start=start if quote else -1, quote_end=end, reason=reason,
        line_start=line_start, line_end=line_end,
        locator=locators.describe(p.path, page_start, page_end, section, line_start, line_end,
                                  locators.section_paragraph(text, section, start) or paragraph, with_section=True),
    )


def verify(answer: str, ws: WorkingSet, threshold: float, doc_text) -> tuple[str, list[Citation], list[int], list[str]]:
    """Returns (cleaned answer, citations, removed numbers, unsupported sentences).

    An answer sentence without any citation gets one when exactly its best passage supports it,
    so a small model forgetting a marker does not turn a sourced answer into an unsourced one.
    """
    valid = {p.n for p in ws.passages}
    text, removed = strip_invalid(answer, valid)
    per_passage: dict[int, list[float]] = {}
    unsupported: list[str] = []
    out_sentences: list[str] = []
    for s in sentences(text):
        nums = cited_numbers(s)
        if not nums and ws.passages:
            best = max(ws.passages, key=lambda p: support(s, p.text))
            if support(s, best.text) >= threshold and content_words(CITATION.sub(" ", s)):
                nums = [best.n]
                s = f"{s} [{best.n}]"
        scores = [support(s, ws.passage(n).text) for n in nums]
        for n, sc in zip(nums, scores):
            per_passage.setdefault(n, []).append(sc)
        if nums and max(scores) < threshold:
            unsupported.append(s)
        out_sentences.append(s)
    citations = []
    for n in sorted(per_passage):
        p: Passage = ws.passage(n)  # type: ignore[assignment]
        low = min(per_passage[n])
        citations.append(
            cite(p, doc_text, verified=low >= threshold,
                 reason="" if low >= threshold else f"a sentence citing it has support {low:.2f} < {threshold}")
        )
    return " ".join(out_sentences), citations, removed, unsupported
