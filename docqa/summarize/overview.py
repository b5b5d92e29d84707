"""An overview across a job's documents: every document in it, told by its own summary, and one
sentence on all of them.

Asked to merge several documents' summaries as parts of one document, the 0.5B copied one summary
whole: the overview of a job over a harbour log and notes on working memory was the notes'
summary, and the log was never named. Given the summaries under their file names and told to name
each one, it still left the log out (its summary opens with the log's first entry, not with "The
document is …") and fused two of four ("a report on the Riverbend County Master's Log"). So the
model writes only what no single summary holds, one sentence on the documents together, from one
lead sentence per document; each document is then told by its own summary, checked against its
source when it was written, in an even share of the words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from docqa.citations import content_words
from docqa.summarize import faithful, language
from docqa.summarize.document import Summarizer, trim_to_sentence
from docqa.summarize.language import Language, count, is_chinese
from docqa.summarize.length import restated, sentences as sentences_of

# The sentence on all the documents together: a list of what they are, at most this many words.
TOGETHER_WORDS = 40


@dataclass(frozen=True)
class Summarized:
    """A document of the job with the summary written for it."""

    name: str  # its file name
    title: str
    summary: str

    @cached_property
    def language(self) -> Language:
        """What its summary is written in (a Chinese document's summary may sit in an English overview)."""
        return language.of(self.summary)

    @cached_property
    def sentences(self) -> list[str]:
        return sentences_of(self.summary)

    @cached_property
    def opens_whole(self) -> bool:
        """Whether the summary opens as a whole document's does ("The document is …", not "The documentation …")."""
        whole = self.language.whole
        first = self.sentences[0] if self.sentences else ""
        after = first[len(whole):len(whole) + 1]
        return first.startswith(whole) and not (after.isascii() and after.isalpha())


def lead(doc: Summarized) -> str:
    """The document's first sentence with the document named: "The document is a report on …" as
    "budget.pdf is a report on …" (本文档… as the file name and what follows, in a Chinese summary). A
    summary that opens otherwise (a short log's summary is its first entries) is introduced by the
    file name and its title, when it has one of its own."""
    if doc.opens_whole:
        return doc.name + doc.sentences[0][len(doc.language.whole):]
    titled = doc.title.strip() and doc.title.strip() not in (doc.name, Path(doc.name).stem)
    stop = "。" if is_chinese(doc.language) else "."
    return f"{doc.name}: {' '.join(doc.title.split()).rstrip('.。')}{stop}" if titled else f"{doc.name}:"


def told(doc: Summarized, words: int) -> str:
    """The document's lead, then the sentences of its summary after it while they fit in `words`
    (counted as its language counts them)."""
    rest = doc.sentences[1:] if doc.opens_whole else doc.sentences
    out = [lead(doc)]
    for sentence in rest:
        if count(" ".join(out + [sentence])) > words:
            break
        out.append(sentence)
    return ("" if is_chinese(doc.language) else " ").join(out)


def together(summarizer: Summarizer, docs: list[Summarized], lang: Language) -> str:
    """The model's sentence on all the documents, from their leads; "" when it names or counts
    anything the leads, titles and file names do not, copies a lead, does not open as asked, or the
    leads overflow a call."""
    leads = [lead(d) for d in docs]
    node = summarizer.collection([(d.name, s) for d, s in zip(docs, leads)], TOGETHER_WORDS, lang)
    if node is None:
        return ""
    text = trim_to_sentence(lang.written(node.text), TOGETHER_WORDS)
    # A file name's words count as stated: "Journey to the West" for journey_to_the_west_ch1-3_zh.txt.
    source = " ".join(leads + [d.title for d in docs] + [re.sub(r"[_\W]+", " ", d.name) for d in docs])
    if not text.startswith(lang.several) or faithful.check(text, source) or any(_restates(text, s) for s in leads):
        return ""
    return text


def _restates(text: str, lead: str) -> bool:
    """Whether `text` copies a document's lead, which follows it anyway ("The documents are the log and
    working_memory_notes.md discusses the differences between working memory in people and …")."""
    return restated(content_words(lead), content_words(text))


def compose(summarizer: Summarizer, docs: list[Summarized], words: int, lang: Language) -> str:
    """Paragraphs: the documents together, then each document in `words` / len(docs) words (at least its lead)."""
    share = max(1, (words - TOGETHER_WORDS) // max(1, len(docs)))
    paragraphs = [together(summarizer, docs, lang)] if len(docs) > 1 else []
    paragraphs += [told(d, share) for d in docs]
    return "\n\n".join(p for p in paragraphs if p)
