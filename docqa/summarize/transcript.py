"""Transcripts: turns of speech ("Industrial Designer: I'd go for wood."), and their words as a
reader would have them written.

A transcript writes speech down as it was said: annotations ("{vocalsound}", "{disfmarker}"),
fillers ("uh", "um"), words said twice, false starts, punctuation set apart by its tokenizer
("the case , and") and turns that only acknowledge ("Mm - hmm ."). A quote leaves these out
(length.quotation), and so does the copy of a transcript's passages that a focus summary's model
reads (`readable`).
"""

from __future__ import annotations

import re

from docqa.cjk import CJK_CHARS, CJK_RUN
from docqa.retrieval.sentences import CLOCK

# A turn's label: its speaker's name or role, after an optional clock time, and a colon. A Latin
# name is followed by a space ("Marketing: Mm-hmm ."); a Chinese or Japanese one of up to eight
# characters often is not, and takes the full-width colon too ("张三：我们下周上线。").
_NAME = rf"[A-Z][\w.'’()\- ]{{0,59}}(?=:[ \t])|[{CJK_CHARS}][{CJK_CHARS}·]{{0,7}}(?=[:：])"
_LABEL = rf"(?:\[?{CLOCK.pattern}\]?\s*)?({_NAME})[:：][ \t]*(?=\S)"
# A sentence that opens with one is dialogue, which a summary reports and never quotes (a short
# meeting summary was filled with one).
SPEAKER_LABEL = re.compile(_LABEL)
# The label alone, at a line's start: who says what follows.
SPEAKER = re.compile("^" + _LABEL, re.M)
# The transcripts' mark of a sentence broken off and begun again (AMI and ICSI, as QMSum has them).
RESTART = re.compile(r"\{disfmarker\}")
# An annotation ("{vocalsound}", "{disfmarker}"), a filler ("uh", "um", "嗯", "呃").
NOISE = re.compile(r"\s*\{\w+\}|\s*\b(?:mm-hmm|uh-huh|uh|um|er|erm|mm|hmm|ah|eh|oh)\b,?|[嗯呃]+[，,]?", re.IGNORECASE)
# Said twice: a word or a few ("if you have if you have"), or a word begun and begun again ("spong
# spongy", "th the"): a cut-off start of a few letters that is no word of its own, or a lone letter.
_SAID_TWICE = re.compile(r"\b((?:[\w']+\s+){0,2}[\w']+)(?:\s+\1\b)+", re.IGNORECASE)
_FALSE_START = re.compile(r"(?<![\w'’])(?!(?:a|an|i|in|to|on|at|it|is|of|or|be|we|he|do|go|no|so|up|us|as|by|if|me|my|the|for|and"
                          r"|are|was|not|but|all|can|her|his|one|our|out|you|how|now|who|any|new|see|way|day|use|man)\s)"
                          r"([a-z]{1,5})\s+(?=\1[\w'])|(?<![\w'])[b-hj-z]\s+(?=[a-z])", re.IGNORECASE)
# Tokenized transcripts set punctuation apart ("the case , and", "it 's", "on - line").
_SPACED_MARK = re.compile(r"\s+(?=[,.;:!?'’](?:\s|$)|n't\b|'s\b|'re\b|'ve\b|'ll\b|'d\b|'m\b)")
_SPACED_HYPHEN = re.compile(r"(?<=\w) - (?=\w)")
# A sentence's end, after which a joined turn's words begin a sentence of their own.
_ENDED = re.compile(r"[.!?。！？]['’\"”]?$")
# Marks left side by side where a filler or an annotation stood between them ("So . uh , it" -> "So ., it").
_MARKS_RUN = re.compile(r"([.,!?;:])(?:\s*[.,;:])+")
# A turn that only acknowledges ("Yeah .", "Mm - hmm .", "Okay , right .", "好的，好的。"): nothing a reader needs.
_ACKNOWLEDGES = re.compile(r"(?:\b(?:yeah|yes|yep|okay|ok|right|alright|sure|so|well|h?m+|mm-hmm|uh-huh|oh|ah|uh|um"
                           r"|huh|cool|great|good|true|exactly|i see|and|but|or)\b|对的?|好的?|是的?|没错|行|哦|噢"
                           r"|[\s,.!?;:'’，。！？、-])*", re.IGNORECASE)

# A transcript: at least this share of its lines open with a speaker's label.
TRANSCRIPT_TURNS = 0.3


def is_transcript(text: str) -> bool:
    """Turns of speech, most lines a speaker's ("Marketing: Mm-hmm ."), not a text that has a
    "Note:" or a "Table 3:" here and there."""
    lines = [ln for ln in text.splitlines() if ln.strip()]
    return sum(SPEAKER.match(ln) is not None for ln in lines) >= max(5, TRANSCRIPT_TURNS * len(lines))


# A transcript with this many speakers or more is a meeting (language.MEETING); two are a conversation.
MEETING_SPEAKERS = 3


def is_meeting(text: str) -> bool:
    """A transcript whose turns are spoken by MEETING_SPEAKERS people or more."""
    return is_transcript(text) and len({m.group(1) for m in SPEAKER.finditer(text)}) >= MEETING_SPEAKERS


def said(words: str) -> str:
    """Spoken words on one line without the annotations, fillers, false starts and words said twice
    of their transcript."""
    words = _SAID_TWICE.sub(r"\1", _FALSE_START.sub("", NOISE.sub("", words)))
    return re.sub(r"\s*,(?:\s*,)+", ",", " ".join(words.strip(" ,").split()))


def closed_up(text: str) -> str:
    """Punctuation a tokenizer set apart put back ("the case , and" -> "the case, and")."""
    return _SPACED_MARK.sub("", text)


def readable(text: str) -> str:
    """A transcript as a reader would have it written: each turn said (`said`: a restart's mark
    goes, the words before and after it stay), its punctuation closed up; turns that only acknowledge
    dropped, and a speaker's turns that then touch joined ("PhD C: it's a stationary background plus
    some voices" and, after "Professor B: Mm-hmm.", "PhD C: some speech over it" are one turn).
    A quarter fewer words on QMSum's meetings. Not for a document summary's windows: on QMSum's
    general queries their summaries scored lower read so (ROUGE-L 18.77 -> 17.85 on 13 meetings, the
    windows' central sentences chosen from the written-out text; 18.20 -> 17.87 on 6, chosen as written)."""
    turns: list[tuple[str, str]] = []
    for line in text.splitlines():
        m = SPEAKER.match(line)
        speaker, words = (m.group(1), line[m.end():]) if m else ("", line)
        words = said(RESTART.sub(" ", words))
        words = _SPACED_HYPHEN.sub("-", closed_up(_MARKS_RUN.sub(r"\1", words))).lstrip(".,;: ")
        if not words or (m and _ACKNOWLEDGES.fullmatch(words)):
            continue
        if speaker and turns and turns[-1][0] == speaker:
            before = turns[-1][1]
            if _ENDED.search(before):
                words = words[:1].upper() + words[1:]
            # Chinese and Japanese are written without spaces between sentences too.
            turns[-1] = (speaker, f"{before}{'' if CJK_RUN.match(words) else ' '}{words}")
        else:
            turns.append((speaker, words[:1].upper() + words[1:]))
    return "\n".join(f"{speaker}{'：' if CJK_RUN.match(speaker) else ': '}{words}" if speaker else words
                     for speaker, words in turns)
