"""Windows: runs of consecutive chunks of one document that fit one LLM call.

A window is the contiguous source text from its first chunk's start to its last chunk's end, so
chunk overlaps are never read twice. Boundaries are content-defined (as in rsync or restic): a
window may close after a chunk whose text hashes to a chosen residue once it is half full, so an
edit early in a document shifts window boundaries only until the next such chunk, and the
windows after it, and their cached summaries, are found again.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from docqa.records import Hit

# About one chunk in CUT_EVERY is a content-defined cut point.
CUT_EVERY = 5
# A window is not cut before it is this full (no calls wasted on slivers).
MIN_FILL = 0.5


@dataclass(frozen=True)
class Window:
    chunks: tuple[Hit, ...]
    text: str
    section: str

    @property
    def pages(self) -> tuple[int, int]:
        return self.chunks[0].page_start, self.chunks[-1].page_end

    @property
    def chunk_ids(self) -> list[int]:
        return [c.chunk_id for c in self.chunks]


def top_section(section: str) -> str:
    """The first component of a heading path ("Intro > Scope" -> "Intro")."""
    return section.split(" > ")[0].strip()


def _is_cut_point(chunk: Hit) -> bool:
    return int(hashlib.sha1(chunk.text.encode("utf-8")).hexdigest()[:8], 16) % CUT_EVERY == 0


def make_windows(chunks: list[Hit], doc_text: str, limit: int, count: Callable[[str], int]) -> list[Window]:
    """Pack `chunks` (in document order) into windows of at most `limit` tokens by `count`.

    A window never spans two top-level sections, unless it is still under a third full (tiny
    sections are merged rather than each costing an LLM call). A chunk longer than `limit` on
    its own is cut to fit, so no window ever exceeds it.
    """
    if not chunks:
        return []
    sizes = [count(c.text) for c in chunks]
    whole = doc_text[chunks[0].start : chunks[-1].end]
    # Content-defined cuts only matter when there is more than one window.
    if sum(sizes) < 2 * limit and count(whole) <= limit:
        return [Window(tuple(chunks), whole, top_section(chunks[0].section))]
    windows: list[Window] = []
    i = 0
    while i < len(chunks):
        j, used = i, 0
        while j < len(chunks):
            if j > i:
                new_section = top_section(chunks[j].section) != top_section(chunks[j - 1].section)
                if used + sizes[j] > limit or (new_section and used >= limit / 3):
                    break
            used += sizes[j]
            j += 1
            if used >= limit * MIN_FILL and _is_cut_point(chunks[j - 1]):
                break
        # Summed chunk sizes only estimate the window (overlaps, joins): the exact count decides.
        text = doc_text[chunks[i].start : chunks[j - 1].end]
        while j - 1 > i and count(text) > limit:
            j -= 1
            text = doc_text[chunks[i].start : chunks[j - 1].end]
        windows.append(Window(tuple(chunks[i:j]), _fit(text, limit, count), top_section(chunks[i].section)))
        i = j
    return windows


def at_most(
    chunks: list[Hit], doc_text: str, limit: int, count: Callable[[str], int], most: int
) -> tuple[list[Window], int]:
    """Windows of at most `limit` tokens or, when that makes more than `most` (0: no bound), the
    narrowest wider ones that make at most `most`; with the width they were cut at. A map call reads
    at most what it holds of a wider window (its most central sentences: summarize/salience), so a
    document's summary takes a bounded number of calls, however long the document is."""
    count = functools.lru_cache(maxsize=None)(count)  # every width reads the same chunks again
    windows = make_windows(chunks, doc_text, limit, count)
    narrow, wide = limit, limit
    while most and len(windows) > most:
        # Windows fill between MIN_FILL and all of their width: widen by the excess at least.
        narrow, wide = wide, int(wide * len(windows) / most) + 1
        windows = make_windows(chunks, doc_text, wide, count)
    # The narrowest width found that keeps the bound: each call then reads more of its window.
    for _ in range(6 if wide > limit else 0):
        width = (narrow + wide) // 2
        if width <= narrow:
            break
        trial = make_windows(chunks, doc_text, width, count)
        if len(trial) <= most:
            windows, wide = trial, width
        else:
            narrow = width
    return windows, wide


def _fit(text: str, limit: int, count: Callable[[str], int]) -> str:
    """Cut a single over-long chunk's text to `limit` tokens (at a word boundary)."""
    if count(text) <= limit:
        return text
    lo, hi = 0, len(text)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if count(text[:mid]) <= limit:
            lo = mid
        else:
            hi = mid - 1
    cut = text.rfind(" ", 0, lo)
    return text[: cut if cut > lo // 2 else lo]
