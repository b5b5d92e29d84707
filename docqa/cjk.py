"""Text without spaces between words: Chinese, Japanese kana, Korean hangul.

Keyword search and the answer checks both need words, and a run of CJK characters has no spaces to
find them at. Both use overlapping character bigrams ("黑豹队" -> "黑豹 豹队"), the classic CJK
index term: on XQuAD-zh they found the gold paragraph by BM25 as often as jieba's word segmentation
(keyword-only hit@5 0.991 against 0.988; FTS5's trigram tokenizer 0.925, unsegmented 0.121:
bench/multilingual.py --fts), with no dictionary, for Japanese and Korean too, and leave text
without CJK characters exactly as it was (English ranks as before).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable

# Hiragana, katakana, CJK ideographs (with extension A and compatibility), hangul syllables.
CJK_CHARS = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
CJK_RUN = re.compile(f"[{CJK_CHARS}]+")


# Characters of the languages written without spaces (ideographs, kana) and their punctuation (the
# CJK symbols block and full-width forms). Hangul is not among them: Korean sets spaces between words.
_UNSPACED = "\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
# A line break between two of them: a hard-wrapped line of Chinese prose, inside a word, or a line of its own.
_WRAPPED = re.compile(f"(?<=[{_UNSPACED}])[^\\S\\n]*\\n\\s*(?=[{_UNSPACED}])")
# A line at least this long was wrapped at the page's width: a shorter one is an item, a heading or a cell
# ("单位：元", "√ 适用 □ 不适用" in a quarterly report), which a space keeps apart from the next.
_WRAP_WIDTH = 20
_CLOSES = "。！？：；」』）》”"


def one_line(text: str, start: int = 0, end: int | None = None, phrase: bool = False) -> str:
    """text[start:end] as a quote shows it, on one line: each run of whitespace one space, except a line
    break inside Chinese or Japanese prose, which is none ("一行\\n字，喚做" is "一行字，喚做", not "一行 字"):
    the line before it (read in the whole `text`) is as wide as the page's, or ends a sentence; in a
    `phrase` (a short answer, cut from its line), any. Spaces the text sets stay, as written."""
    end = len(text) if end is None else end
    pieces, at = [], start
    for m in _WRAPPED.finditer(text, start, end):
        line = text[text.rfind("\n", 0, m.start()) + 1 : m.start()]
        wrapped = phrase or len(line) >= _WRAP_WIDTH or line.endswith(tuple(_CLOSES))
        pieces += [text[at : m.start()], "" if wrapped else " "]
        at = m.end()
    pieces.append(text[at:end])
    return " ".join("".join(pieces).split())


def has_cjk(text: str) -> bool:
    return CJK_RUN.search(text) is not None


def cjk_chars(text: str) -> int:
    """How many CJK characters `text` holds (kana and hangul among them)."""
    return sum(len(run) for run in CJK_RUN.findall(text))


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
    reads), in simplified script: a question in either script finds a passage in either; None when
    the text holds no CJK character, so such text is indexed as written."""
    if not has_cjk(text):
        return None
    return CJK_RUN.sub(lambda m: " " + " ".join(bigrams(m.group())) + " ", to_simplified(text))


# Simplified -> traditional, for the characters of docqa's own Chinese word lists (question words,
# particles, units, yes/no and "cannot answer" phrasings), as OpenCC's s2t maps them one by one: a
# question or document in traditional script (Taiwan, Hong Kong) meets the same lists.
_TRADITIONAL = str.maketrans("万与个为么于亿从会几号吗吨场对届岁并据无时条样档没纪说谁还这里",
                             "萬與個為麼於億從會幾號嗎噸場對屆歲並據無時條樣檔沒紀說誰還這裡")


def traditional(text: str) -> str:
    """`text` with those characters in traditional script."""
    return text.translate(_TRADITIONAL)


def either_script(pattern: str) -> str:
    """A regex alternation that also matches its traditional spelling: "没有|无法" -> "没有|无法|沒有|無法"."""
    other = traditional(pattern)
    return pattern if other == pattern else f"{pattern}|{other}"


# Frequent characters written differently in the two scripts: which one a Chinese text is in.
_SIMPLIFIED_ONLY = frozenset("这们来说时会对发国学与为个经开关问题实现动东区长门见过还进样后当业产从应该么体点将没让给头员"
                             "万亿费资华电报营组织线网车马鸟书记议论")
_TRADITIONAL_ONLY = frozenset("這們來說時會對發國學與為個經開關問題實現動東區長門見過還進樣後當業產從應該麼體點將沒讓給頭員"
                              "萬億費資華電報營組織線網車馬鳥書記議論")


def is_traditional(text: str) -> bool:
    """Written in traditional script: more of its script-specific characters are traditional ones."""
    return sum(ch in _TRADITIONAL_ONLY for ch in text) > sum(ch in _SIMPLIFIED_ONLY for ch in text)


@functools.lru_cache(maxsize=2)
def _opencc(config: str) -> Callable[[str], str]:
    from opencc_purepy import OpenCC  # its dictionaries load in about 0.2 s: only when needed

    return OpenCC(config).convert


def to_simplified(text: str) -> str:
    """`text` in simplified script (61,000 characters of XQuAD-zh in 0.05 s)."""
    return _opencc("t2s")(text)


def to_traditional(text: str) -> str:
    """`text` in traditional script, phrase by phrase as OpenCC converts it (后 in 之后 is 後, in 皇后 后)."""
    return _opencc("s2t")(text)


def in_script(text: str, traditional: bool) -> str:
    """Chinese `text` in traditional script, or in simplified; other text as it is."""
    if not has_cjk(text):
        return text
    if traditional:
        return to_traditional(text)
    return to_simplified(text) if is_traditional(text) else text
