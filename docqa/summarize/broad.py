"""Broad questions ("what is this report about?") answered from the stored summary tree.

Retrieval finds passages that match a question's words; a question about a whole document
matches none of them well. When a question is broad and the document it is about has a stored
summary, that summary enters the working set first, as a passage citing the whole document.
"""

from __future__ import annotations

import re
from pathlib import Path

from docqa.retrieval.attention import Candidate
from docqa.retrieval.working_set import Passage

BROAD = re.compile(
    r"\b(what\b.{0,40}\b(about|cover|covers|say)\b\s*\??$|summar(y|ise|ize)|main (points?|topics?|ideas?|findings?|themes?)"
    r"|overview|gist|tl;?dr|key (points|takeaways))",
    re.IGNORECASE,
)
# Prefer the richest tree when several modes were stored.
_MODE_ORDER = {"tree": 0, "map-reduce": 1, "refine": 2}
# Words that name no particular document.
_COMMON = {"the", "a", "of", "this", "that", "what", "is", "about", "report", "document", "summary", "and", "in", "on", "for", "to"}


def is_broad(question: str) -> bool:
    return bool(BROAD.search(question.strip()))


def _target(index, question: str, candidates: list[Candidate]):
    """The document a broad question is about: one it names, else the one attention ranks first."""
    docs = index.documents()
    words = set(re.findall(r"\w+", question.lower()))
    named = [d for d in docs if set(re.findall(r"\w+", Path(d.path).stem.lower().replace("_", " "))) & words - _COMMON]
    if len(named) == 1:
        return named[0]
    if candidates:
        return index.store.document(candidates[0].hit.path)
    return docs[0] if len(docs) == 1 else None


def summary_passage(index, question: str, candidates: list[Candidate]) -> Passage | None:
    """A passage holding the stored summary of the document a broad question is about, if any."""
    if not is_broad(question):
        return None
    doc = _target(index, question, candidates)
    if doc is None:
        return None
    roots = index.store.derived.summaries.roots(doc.path, doc.sha256)
    if not roots:
        return None
    best = min(roots, key=lambda r: (_MODE_ORDER.get(r.mode, 9), -r.words))
    summary = index.summarizer(batch=False).stored(doc, best.mode, best.words, best.keys)
    if summary is None:
        return None
    return Passage(
        doc_id=doc.id, path=doc.path, title=doc.title, page_start=1, page_end=max(doc.pages, 1),
        section=f"summary ({best.mode})", start=0, end=0, text=summary.text, chunk_ids=[], ords=[], weight=1.0,
    )
