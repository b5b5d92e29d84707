"""Text without spaces between words: Chinese, Japanese kana, Korean hangul.

Keyword search and the answer checks both need words, and a run of CJK characters has no spaces to
find them at. Both use overlapping character bigrams ("黑豹队" -> "黑豹 豹队"), the classic CJK
index term: on XQuAD-zh they found the gold paragraph by BM25 as often as jieba's word segmentation
(keyword-only hit@5 0.991 against 0.988; FTS5's trigram tokenizer 0.925, unsegmented 0.121:
bench/multilingual.py --fts), with no dictionary, for Japanese and Korean too, and leave text
without CJK characters exactly as it was (English ranks as before).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# Hiragana, katakana, CJK ideographs (with extension A and compatibility), hangul syllables.
CJK_CHARS = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
CJK_RUN = re.compile(f"[{CJK_CHARS}]+")


def has_cjk(text: str) -> bool:
    return CJK_RUN.search(text) is not None


def cjk_share(texts: Iterable[str]) -> float:
    """CJK characters as a share of all the letters of `texts` (0.0 when they have none): what
    embedding.model = auto reads to pick a multilingual embedder. Texts are read one at a time."""
    cjk = letters = 0
    for text in texts:
        letters += sum(ch.isalpha() for ch in text)
        cjk += sum(ch.isalpha() for run in CJK_RUN.findall(text) for ch in run)
    return cjk / letters if letters else 0.0


def bigrams(run: str) -> list[str]:
    """Overlapping character pairs of one CJK run; a single character stands alone."""
    if len(run) < 2:
        return [run] if run else []
    return [run[i : i + 2] for i in range(len(run) - 1)]


def keyword_text(text: str) -> str | None:
    """`text` with each CJK run replaced by its bigrams, space-separated (what the keyword index
    reads); None when the text holds no CJK character, so such text is indexed as written."""
    if not has_cjk(text):
        return None
    return CJK_RUN.sub(lambda m: " " + " ".join(bigrams(m.group())) + " ", text)
