"""SQuAD-format data sets, retrieval hit predicates and answer EM / F1.

Used by `docqa eval` (docqa/eval/qa.py) and the benches (bench/retrieval.py, ...):

- `load_squad(path, unit)` reads a SQuAD v1.1/v2.0-format file into retrieval units (`Context`,
  one per paragraph or per article) and `Question`s that name their gold unit and answers.
- `write_contexts(contexts, folder)` writes one .txt file per unit, so the ordinary ingest
  pipeline (loaders, chunking, embedding) indexes them exactly as it would a user's files.
- `doc_hit` / `answer_hit` decide whether a ranked list of retrieved chunks found the gold unit /
  a chunk that contains a gold answer.
- `normalize_answer`, `exact_match`, `token_f1` follow the official SQuAD v1.1 evaluation script
  (lower-case, drop punctuation, drop the articles a/an/the, collapse whitespace; F1 over the
  multiset of tokens; the maximum over the gold answers). Text with CJK characters is scored as
  MLQA's script scores Chinese: every CJK character is a token, all Unicode punctuation goes, and
  so does whitespace beside a CJK character. Split on whitespace alone, "变小" against a gold
  "会变小" would score F1 0, as if a one-word answer were wholly wrong.
"""

from __future__ import annotations

import json
import re
import string
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from docqa.cjk import CJK_CHARS, has_cjk

Unit = Literal["paragraph", "article"]

# Articles with at least this many paragraphs on average are split into one unit per paragraph
# (XQuAD: 5 per article); otherwise each article is one unit (COVID-QA: one long context each).
PARAGRAPH_UNIT_MIN_PARAGRAPHS = 2.0


@dataclass(frozen=True)
class Context:
    """One retrieval unit: the text that becomes one document."""

    id: int  # position in the returned list
    name: str  # file stem it is written under
    title: str
    text: str


@dataclass(frozen=True)
class Question:
    id: str
    question: str
    context_id: int  # the gold `Context.id`
    answers: tuple[str, ...] = field(default=())


# -- data sets ----------------------------------------------------------------------------------


def pick_unit(data: list[dict]) -> Unit:
    """'paragraph' when articles hold several (short) paragraphs, 'article' when one context each."""
    n_articles = len(data)
    n_paragraphs = sum(len(a.get("paragraphs", [])) for a in data)
    if n_articles and n_paragraphs / n_articles >= PARAGRAPH_UNIT_MIN_PARAGRAPHS:
        return "paragraph"
    return "article"


def _slug(text: str, limit: int = 60) -> str:
    s = re.sub(r"[^\w.-]+", "_", str(text), flags=re.UNICODE).strip("._")
    return s[:limit] or "untitled"


def article_title(article: dict, index: int) -> str:
    """The article's title, else its paragraphs' document ids, else its position."""
    if article.get("title"):
        return str(article["title"])
    ids = [str(p["document_id"]) for p in article.get("paragraphs", []) if p.get("document_id") is not None]
    if ids:
        return "-".join(dict.fromkeys(ids))
    return f"article-{index}"


def load_squad(
    path: str | Path, unit: Unit | Literal["auto"] = "auto"
) -> tuple[list[Context], list[Question], Unit]:
    """(contexts, questions, unit) from a SQuAD-format JSON file.

    unit='paragraph': each paragraph is a context, named by its global index (``0000`` ...).
    unit='article': the paragraphs of an article are joined by a blank line into one context,
    named ``<index>_<title>``. Questions without an answer (SQuAD v2 ``is_impossible``) keep an
    empty ``answers`` tuple; callers that need answers skip them.
    """
    data = json.loads(Path(path).read_text(encoding="utf-8"))["data"]
    if unit == "auto":
        unit = pick_unit(data)
    contexts: list[Context] = []
    questions: list[Question] = []
    n_par = sum(len(a.get("paragraphs", [])) for a in data)
    width = max(3, len(str(max(n_par, len(data)) - 1)))
    for ai, article in enumerate(data):
        title = article_title(article, ai)
        paragraphs = article.get("paragraphs", [])
        if unit == "article":
            cid = len(contexts)
            text = "\n\n".join(p["context"] for p in paragraphs)
            contexts.append(Context(cid, f"{ai:0{width}d}_{_slug(title)}", title, text))
        for paragraph in paragraphs:
            if unit == "paragraph":
                cid = len(contexts)
                contexts.append(Context(cid, f"{cid:0{width}d}", title, paragraph["context"]))
            for qa in paragraph.get("qas", []):
                answers = tuple(a["text"] for a in qa.get("answers", []) if a.get("text", "").strip())
                questions.append(Question(str(qa["id"]), qa["question"], cid, answers))
    return contexts, questions, unit


def write_contexts(contexts: Iterable[Context], folder: str | Path) -> dict[str, int]:
    """Write each context to ``folder/<name>.txt``; returns {absolute path: context id}.

    A file whose content is already what it would be written as is left alone (same bytes, same
    hash), so re-ingesting the folder into the same index skips it.
    """
    folder = Path(folder).absolute()
    folder.mkdir(parents=True, exist_ok=True)
    out: dict[str, int] = {}
    for c in contexts:
        p = folder / f"{c.name}.txt"
        data = c.text.encode("utf-8")
        if not (p.is_file() and p.read_bytes() == data):
            p.write_bytes(data)
        out[str(p)] = c.id
    return out


# -- retrieval hits -----------------------------------------------------------------------------


def normalize_ws(text: str) -> str:
    """Case-folded, with every run of whitespace (incl. newlines, form feeds) as one space."""
    return " ".join(text.split()).casefold()


def contains_answer(text: str, answers: Sequence[str] | str) -> bool:
    """Does `text` contain one of `answers`, ignoring case and whitespace differences?"""
    if isinstance(answers, str):
        answers = [answers]
    hay = normalize_ws(text)
    return any((needle := normalize_ws(a)) and needle in hay for a in answers)


def doc_hit(paths: Sequence[str], gold_path: str, k: int) -> bool:
    """Is the gold document among the documents of the first k retrieved chunks?"""
    return gold_path in paths[:k]


def answer_hit(texts: Sequence[str], answers: Sequence[str] | str, k: int) -> bool:
    """Does one of the first k retrieved chunk texts contain a gold answer?"""
    return any(contains_answer(t, answers) for t in texts[:k])


# -- answers: SQuAD v1.1 metrics ----------------------------------------------------------------

_PUNCT = frozenset(string.punctuation)
_ARTICLES = re.compile(r"\b(a|an|the)\b")


_CJK_SPACE = re.compile(f"(?<=[{CJK_CHARS}])\\s+|\\s+(?=[{CJK_CHARS}])")
_CJK_TOKEN = re.compile(f"[{CJK_CHARS}]|[^\\s{CJK_CHARS}]+")


def _punctuation(ch: str, cjk: bool) -> bool:
    return ch in _PUNCT or (cjk and unicodedata.category(ch).startswith("P"))


def normalize_answer(s: str) -> str:
    """Lower-case, remove punctuation, remove articles, collapse whitespace (SQuAD v1.1 order);
    with CJK, all Unicode punctuation and the whitespace beside CJK characters go too (MLQA). Full-width
    forms are read as what they stand for (NFKC): "20％" is "20%"."""
    s = unicodedata.normalize("NFKC", s)
    cjk = has_cjk(s)
    s = s.lower()
    s = "".join(ch for ch in s if not _punctuation(ch, cjk))
    s = _ARTICLES.sub(" ", s)
    s = " ".join(s.split())
    return _CJK_SPACE.sub("", s) if cjk else s


def _tokens(s: str) -> list[str]:
    """Whitespace tokens; each CJK character is a token of its own."""
    return _CJK_TOKEN.findall(normalize_answer(s))


def _golds(ground_truths: Sequence[str] | str) -> list[str]:
    return [ground_truths] if isinstance(ground_truths, str) else list(ground_truths)


def exact_match(prediction: str, ground_truths: Sequence[str] | str) -> float:
    """1.0 when the normalised prediction equals a normalised gold answer, else 0.0."""
    pred = normalize_answer(prediction)
    return max((float(pred == normalize_answer(g)) for g in _golds(ground_truths)), default=0.0)


def _f1(prediction: str, ground_truth: str) -> float:
    pred_tokens = _tokens(prediction)
    gold_tokens = _tokens(ground_truth)
    common = Counter(pred_tokens) & Counter(gold_tokens)
    num_same = sum(common.values())
    if num_same == 0:
        return 0.0
    precision = num_same / len(pred_tokens)
    recall = num_same / len(gold_tokens)
    return 2 * precision * recall / (precision + recall)


def token_f1(prediction: str, ground_truths: Sequence[str] | str) -> float:
    """Bag-of-tokens F1 after normalisation, the maximum over the gold answers."""
    return max((_f1(prediction, g) for g in _golds(ground_truths)), default=0.0)
