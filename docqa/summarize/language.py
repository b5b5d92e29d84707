"""The language a document's summary is written in: the document's own.

Every summary prompt asks the model to start with fixed words ("The document", "This part"). Those
words set the language of what follows more firmly than any rule a 0.5B model reads: asked in
English to summarize a Chinese report, it wrote English with Chinese fragments ("cash-equivalent物")
and no figures; started with "本文档", it writes Chinese. So the openings come from here, chosen by
the document's script, and so does the unit a summary's length is counted in: a Chinese summary of
"200 words" is 200 characters (字), as a Chinese reader counts, not 200 runs between spaces.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from docqa.cjk import CJK_CHARS, cjk_chars, cjk_share, is_traditional, to_traditional

# A document is written in Chinese when CJK characters are this share of its letters. A Latin
# letter counts like a Chinese character here, and an English word has five of them, so a Chinese
# report full of English terms and figures is still well above it, an English paper quoting a
# Chinese title far below.
CJK_DOCUMENT = 0.3
# Kana or hangul among the CJK characters: Japanese or Korean, which keep the English openings
# (the small models' summaries in them were never read).
_KANA_HANGUL = re.compile("[\u3040-\u30ff\uac00-\ud7af]")
_CJK_MARKS = "。！？；，：、“”‘’「」『』（）《》"
# The unit of length: one CJK character, or one run between spaces and CJK marks of anything else.
# On text without CJK characters or marks it counts exactly what str.split() does.
UNIT = re.compile(f"[{CJK_CHARS}]|[^\\s{CJK_CHARS}{_CJK_MARKS}]+")
# A space between two CJK characters or marks: a line break of the page, or sentences joined.
_CJK_GAP = re.compile(f"(?<=[{CJK_CHARS}{_CJK_MARKS}]) (?=[{CJK_CHARS}{_CJK_MARKS}])")


# A section heading in capitals the model copied in front of the part's opening ("DISCUSSION This part
# means that …"): the document's summary would print it mid-paragraph.
_GLUED_HEADING = re.compile(r"^(?:[A-Z][A-Z0-9]+ ){1,4}(?=This part\b)")

# What a rewording rule puts in place of its match: a template, or a function of the match.
Replacement = str | Callable[[re.Match[str]], str]


@dataclass(frozen=True)
class Language:
    name: str
    whole: str  # how a summary of the whole document opens
    part: str  # how a summary of one part opens
    # How a part's opening reads inside the whole document's summary: (pattern, replacement), first match.
    also: tuple[tuple[re.Pattern[str], Replacement], ...]
    # Appended to a request written in English (a focus topic's), so that the answer is in this language.
    request: str = ""
    # Converts what a model wrote into this language's script: the small models write simplified
    # Chinese even after a traditional opening (本文件詳細介紹了… came back as 本文件详细介绍了…).
    script: Callable[[str], str] | None = None
    # How a continuing sentence reads when it opens the summary: (pattern, replacement), first match.
    reopen: tuple[tuple[re.Pattern[str], Replacement], ...] = ()
    # How a part of a written text (not a transcript) opens, when it differs from `part`.
    told: str = ""
    # How a sentence on several documents together opens (a job's overview).
    several: str = "The documents"

    def part_opening(self, spoken: bool) -> str:
        """How a part's summary opens: a transcript's (`spoken`) as `part`, a written text's as `told`."""
        return self.part if spoken or not self.told else self.told

    def written(self, text: str) -> str:
        """`text` in this language's script."""
        return self.script(text) if self.script else text

    def opens(self, sentence: str) -> str:
        """A sentence written to continue ("It also discusses X") as it reads opening the summary
        ("The document discusses X"): left first when the model's own first sentence was dropped."""
        return _reworded(self.reopen, sentence)

    def continues(self, sentence: str) -> str:
        """A part summary's sentence as it reads inside the whole document's summary."""
        return _reworded(self.also, _GLUED_HEADING.sub("", sentence))


def _reworded(rules: tuple[tuple[re.Pattern[str], Replacement], ...], sentence: str) -> str:
    """`sentence` with the first rule whose pattern opens it applied; as it is when none does."""
    for pattern, replacement in rules:
        if pattern.match(sentence):
            return pattern.sub(replacement, sentence, count=1)
    return sentence


# A section summary opens as the document's does: filled in after the first sentence, it continues too.
# "is", "was" and the modals take "also" after them: "It is also about X", never "It also is about X"
# (10 times in 7 of the 16 QMSum meeting summaries of stop 28).
_ALSO_AFTER = "is|was|are|were|can|will|would|may|might|should|must"
# A part of a written document opens "This part says that": asked to start "This part", the 0.5B described
# the text instead of telling it ("This part summarizes the text about the new section 1201(g)(5) …" in 3
# of the DMCA report's 5 windows); "says that" makes it state what the part says. Inside the document's
# summary the frame goes and the statement stays. A transcript's part keeps "This part": told what it
# says, the model quoted the speakers' words (QMSum general, 6 meetings: ROUGE-L 19.81 -> 19.03).
# The model sometimes writes another reporting verb ("This part means that machine learning cannot
# compete …", the Creativity in ML paper), which states just as well once the frame goes.
# "This part of the text discusses X" is "This part discusses X" (read as "It also of the text discusses X"
# in a QMSum meeting's summary); "This part of the budget covers X" names something else and stays as it is.
_PART = r"This part(?: of (?:the|this) (?:text|document|meeting|transcript|discussion|conversation|report|paper))?"
_TOLD = "This part says that"
_REPORTED = rf"{_PART} (?:also )?(?:says|means|states|shows|explains|notes|argues|suggests|concludes|finds) that"
# The model names the document "the text" as often ("The text is about Elizabeth's life", Frankenstein's
# summary), but not the text of something ("The text of the act ..."). A summary whose opening sentence
# went opens on what it said next: "It highlights the fall of Eichmond" (the Vicksburg pages) is about
# the document.


# "The meeting between the project manager and the designer discusses X" goes on as it is: "It also
# between …" (a QMSum meeting's summary) stands only for a sentence whose verb follows the name.
_NOT_DONE = r" (?:between|with|of|on|in|at|for|from|and)\b"


def _english(whole: str) -> Language:
    """English, its summary of the whole opening with `whole` ("The document")."""
    named = rf"(?:{whole}|The text(?! of\b))"
    return Language("English", whole, "This part", (
        (re.compile(rf"{_REPORTED} (\w)"), lambda m: m.group(1).upper()),
        (re.compile(rf"(?:{_PART}|{named})(?: also)? ({_ALSO_AFTER})\b(?: also\b)?"), r"It \1 also"),
        (re.compile(rf"{_PART}\b(?! of\b)(?: also\b)?"), "It also"), (re.compile(rf"{named}\b(?! also\b|{_NOT_DONE})"), "It also")),
        reopen=((re.compile(rf"It ({_ALSO_AFTER}) also\b"), rf"{whole} \1"), (re.compile(r"It also\b"), whole),
                (re.compile(r"(?:It|The text)\b(?!['’]| of\b)"), whole)),
        told=_TOLD)


ENGLISH = _english("The document")

# A meeting's summary reads as minutes do: what the group did, in the past tense. A part's "This part is
# about X" and "This part discusses X" go on "The group also discussed X", where a written text's go on
# "It is also about X": told of a meeting, that frame said "It is also …" or "It also discusses …" in 65
# sentences of the 37 QMSum general summaries of stop 60, a text described instead of a meeting reported.
# Only the reporting verbs a part opens with are put in the past; "includes", "shows" and "provides"
# would make the group the doer of what the part holds, and stay with "It also".
_DONE = {
    "discusses": "discussed", "mentions": "mentioned", "describes": "described", "highlights": "highlighted",
    "covers": "covered", "focuses": "focused", "talks": "talked", "explains": "explained", "addresses": "addressed",
    "notes": "noted", "suggests": "suggested", "emphasizes": "emphasized", "outlines": "outlined",
    "explores": "explored", "presents": "presented", "reviews": "reviewed", "considers": "considered",
}
_WAS = {"is": "was", "are": "were", "can": "could", "will": "would"}


def _minutes(whole: str) -> Language:
    """English as a meeting's summary: its summary of the whole opening with `whole` ("The meeting"),
    what each part discussed told in the past tense, as what the group did."""
    english = _english(whole)
    frame = rf"(?:{_PART}|{whole}|The text(?! of\b))(?: also)?"
    verbs = "|".join(_DONE)
    done: Replacement = lambda m: f"The group also {_DONE[m.group(1)]}"  # noqa: E731
    was: Replacement = lambda m: f"It {_WAS.get(m.group(1), m.group(1))} also"  # noqa: E731
    # English's rules in order, its second ("This part is …" -> "It is also …") told in the past.
    return replace(english, also=(
        english.also[0],
        (re.compile(rf"(?:{frame}|It) (?:is|was)(?: also)? about\b"), "The group also discussed"),
        (re.compile(rf"(?:{frame}|It also) ({verbs})\b"), done),
        (re.compile(rf"{frame} ({_ALSO_AFTER})\b(?: also\b)?"), was),
        *english.also[2:],
    ), reopen=(
        (re.compile(rf"(?:{whole}|It)(?: also)? (?:is|was)\b(?: also\b)?"), f"{whole} was"),
        (re.compile(rf"(?:{whole}|It)(?: also)? ({verbs})\b"), lambda m: f"{whole} {_DONE[m.group(1)]}"),
        (re.compile(r"The group also\b"), "The group"),
        *english.reopen,
    ))


# A transcript of three speakers or more is a meeting, and its summary says so: "The meeting" is what a
# reader calls it (QMSum's references open "This meeting was about", "The meeting started by").
MEETING = _minutes("The meeting")
# "这部分是X" / "这部分内容是关于X" / "这部分介绍了X" / "这部分X的说明": what the model writes after the
# opening; "本文档讲述了X", a section summary's.
CHINESE = Language("Chinese", "本文档", "这部分", (
    (re.compile("这部分(?:内容)?是关于"), "文档还涉及"),
    (re.compile("这部分(?:内容)?是"), "文档还包括"),
    (re.compile("这部分(?:内容)?(?=[介描讨说列总概阐分叙记])"), "此外，文档"),
    (re.compile("这部分(?:内容)?"), "此外，"),
    (re.compile("本文档(?=[介描讨说列总概阐分叙记讲])"), "文档还"),
), " 请用中文回答。", several="这些文档")
# The same in traditional script (Taiwan, Hong Kong): 本文件 is how a Taiwanese reader names a document.
TRADITIONAL = Language("Chinese (traditional)", "本文件", "這部分", (
    (re.compile("這部分(?:內容)?是關於"), "文件還涉及"),
    (re.compile("這部分(?:內容)?是"), "文件還包括"),
    (re.compile("這部分(?:內容)?(?=[介描討說列總概闡分敘記])"), "此外，文件"),
    (re.compile("這部分(?:內容)?"), "此外，"),
    (re.compile("本文件(?=[介描討說列總概闡分敘記講])"), "文件還"),
), " 請用繁體中文回答。", to_traditional, several="這些文件")


def of(text: str) -> Language:
    """The language to summarize `text` in: Chinese when it is mostly written in CJK characters
    without kana or hangul (in the script most of its script-specific characters are in), else English."""
    if cjk_share([text]) < CJK_DOCUMENT:
        return ENGLISH
    cjk = cjk_chars(text)
    if len(_KANA_HANGUL.findall(text)) > 0.1 * cjk:
        return ENGLISH
    return TRADITIONAL if is_traditional(text) else CHINESE


def is_chinese(lang: Language) -> bool:
    return lang in (CHINESE, TRADITIONAL)


def count(text: str) -> int:
    """Words, with each CJK character a word."""
    return len(UNIT.findall(text))


def first_words(text: str, n: int) -> str:
    """The text up to the end of its n-th word (as `count` counts them), whitespace as written."""
    if n <= 0:
        return ""
    for i, m in enumerate(UNIT.finditer(text), 1):
        if i == n:
            return text[: m.end()]
    return text


def tidy(text: str) -> str:
    """Whitespace runs as one space, and none between CJK characters (Chinese sets no spaces)."""
    return _CJK_GAP.sub("", " ".join(text.split()))


def for_meeting(lang: Language) -> Language:
    """How a meeting's transcript is summarized in `lang`: in English, as MEETING; Chinese keeps its
    openings (本文档), whose rewording rules were read on written reports only."""
    return MEETING if lang is ENGLISH else lang
