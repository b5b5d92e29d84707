"""Facts that hold: every number and name a document summary states must occur in the source.

A small model fills gaps with plausible numbers ("in 1996", "four categories") and names. The check
is lexical and strict: a number (digits, or a number word read as digits, as the answer verifier
reads them: docqa.verification.tokens) and a capitalized word that does not open its sentence
must each occur in the document's text. A summary sentence that fails is dropped before the length
is fitted (docqa.summarize.length), so the sentences that replace it come from the child summaries,
which were checked the same way.
"""

from __future__ import annotations

import re

from docqa.citations import CITATION, STOPWORDS
from docqa.retrieval.sentences import TOKEN, split
from docqa.verification import tokens

_LIST_NUMBER = re.compile(r"[.)](?:\s|$)")


# A name's other forms share its first letters: "Reporter" for "Reporting", "Americans" for "American".
STEM = 6


def vocabulary(source: str) -> set[str]:
    """The source's words and numbers as the check compares them, and the stems of its long words."""
    words = set(tokens(source))
    return words | {f"{w[:STEM]}~" for w in words if len(w) >= STEM and w[0].isalpha()}


def _known(word: str, vocab: set[str]) -> bool:
    if word in vocab or word.rstrip("s") in vocab or f"{word}s" in vocab:
        return True
    return len(word) >= STEM and word[0].isalpha() and f"{word[:STEM]}~" in vocab


def unsupported(sentence: str, vocab: set[str]) -> list[str]:
    """The numbers and names of `sentence` that the source (its `vocabulary`) never states.
    Citation markers ("[2]") and a leading list number ("3.") are structure, not facts."""
    sentence = CITATION.sub(" ", sentence)
    found = list(TOKEN.finditer(sentence))
    out = []
    for i, m in enumerate(found):
        word = m.group()
        norm = tokens(word)[0]
        if norm[0].isdigit() and word.casefold() != "one":  # "one of the" is rarely a count
            if i == 0 and _LIST_NUMBER.match(sentence[m.end() :]):
                continue
            if not _known(norm, vocab):
                out.append(word)
        elif i > 0 and word[0].isupper() and len(word) > 1 and word.casefold() not in STOPWORDS:
            if not _known(word.casefold(), vocab):
                out.append(word)
    return out


def check(summary: str, source: str) -> list[str]:
    """Every unsupported number and name of `summary`, in order."""
    vocab = vocabulary(source)
    return [w for a, b in split(summary) for w in unsupported(summary[a:b], vocab)]
