"""Length as a contract: a final summary lands within ``tolerance`` of the words asked for.

The model is asked for about N words and writes what it writes: a 0.5B model often stops at a
third of it, and a wordy one runs on. The document summarizer (document.py) first asks the model
once to resize a draft that is out of range (prompts/summarize_resize.md, with the child summaries
it came from); `fit` then holds whatever came back to the range without a model: sentences with a
number or name the source never states are dropped (faithful.py), a short text is extended with
the sentences of the summaries below it (children first, then window summaries; the document's
own sentences only as a last resort) that read as prose and add something new, and a long one is
cut at the last sentence end inside the range.
"""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass

from docqa.citations import CITATION, content_words
from docqa.cjk import CJK_RUN
from docqa.retrieval.sentences import TOKEN, split
from docqa.summarize.faithful import unsupported, vocabulary
from docqa.summarize.language import ENGLISH, Language, count, first_words, is_chinese, of, tidy
from docqa.summarize.transcript import NOISE, RESTART, SPEAKER, SPEAKER_LABEL, closed_up, said
from docqa.verification import without_loop

# The shortest target a short document's summary is held to.
MIN_TARGET = 20
# A child sentence that repeats this share of the summary's content words adds nothing.
REDUNDANT = 0.6
PROSE_WORDS = 6
# A clause that opens so is no statement on its own: a sentence cut before its main clause is no sentence.
_SUBORDINATE = re.compile(r"(?:Although|Though|While|Whereas|If|When|Because|Since|Unless|As|After|Before|Despite|Unlike)\b")
# A sentence of at least RESTATED_MIN_WORDS content words, this share of them in one earlier sentence,
# says that sentence again.
RESTATED = 0.8
RESTATED_MIN_WORDS = 4
# Longer "sentences" are layout run together (a title page, a header block), not prose.
PROSE_MAX_WORDS = 50
# A sentence in CJK characters is prose at this many characters or more (a heading is shorter).
PROSE_CJK_CHARS = 12
_WORD = re.compile(r"\S*[^\W\d_]\S*")
# Layout debris no summary sentence holds: a bullet glyph standing alone ("five titles: ! Title II"),
# an e-mail address glued to the heading after it ("{yusuke,sekine}@cs.nyu.edu Abstract We ..."), a code
# listing's comment mark or statement ("Does not throw exceptions. */ fz_rect *fz_bound_page(fz_context *ctx);").
_DEBRIS = re.compile(r"(?:^|\s)[!•▪●■◆|*>]+(?=\s|$)|\S@\S+\.[a-z]{2,}|/\*|\*/|\w\([^()]*\);", re.IGNORECASE)
# A section's number and heading glued to its first sentence by the page's extraction
# ("1 Background Every day, ...", "I. INTRODUCTION According to ...": the shared papers' fills).
_SECTION_START = re.compile(r"(?:\d{1,2}(?:\.\d{1,2})*\.?|[IVX]{1,4}\.)\s+[A-Z]")
# How far above a sentence its turn's label is looked for (a long turn wraps over lines).
TURN_LOOKBACK = 3000
# Talk's small change ("yeah", "I mean"), or a sentence begun again in mid-flow ("I got an email And
# it says", "That's very That's fancy"): how something was said, and a summary quotes what was said.
_DISFLUENT = re.compile(r"\b(?:yeah|okay|gonna|kinda|dunno|(?:you|I) (?:know|mean|guess))\b"
                        r"|(?<=[a-z,] )(?-i:And|But|So|Or|The|That|That's|This|It|It's|We|You|They|There)\b", re.IGNORECASE)
# An opening that leans on the sentence before it: quoted alone, it points at nothing.
_LEANS_BACK = re.compile(r"(?:and|but|so|or|also|then|because|like|well|now|yes|no|it|they|he|she|however|therefore|thus"
                         r"|moreover|furthermore|first of all|in addition|finally)\b", re.IGNORECASE)
# A word that only links a sentence to the one before: dropped, the sentence says the same alone
# (unlike "however", "therefore" or a pronoun, which carry what came before).
_CONNECTIVE = re.compile(r"(?:(?:and|but|so|or|well|now|also|then)\b[\s,]*)+", re.IGNORECASE)
_POINTS_BACK = re.compile(r"(?:that|this|these|those|which|his|her|its|their)\b", re.IGNORECASE)
# A statement's end (not a question's, and not a sentence the passage cut off), and a question a
# transcript wrote down without its mark ("Can I just quickly go over the requirements.").
_STATED = re.compile(r"[.!。！]$")
# A Chinese sentence ends on its mark (a closing quote after it); a heading does not ("第一回 靈根育孕源流出
# 心性修持大道生").
_CJK_STATED = re.compile(r"[。！？!?…][」』”’）)]*$")
_ASKING = re.compile(r"(?:can|could|shall|should|will|would|do|does|did|is|are|was|were|have|has|may|might)"
                     r" (?:I|we|you|they|he|she|it|there)\b", re.IGNORECASE)


# A sentence that points at a part of its document the summary does not hold: "The table below lists the
# main budget lines", "as follows", "shown in Figure 2". Copied into a summary, it points at nothing.
_POINTS_ELSEWHERE = re.compile(
    r"\b(?:(?:shown|listed|given|described|table|figure|chart|graph|list)\s+(?:below|above)|the following|as follows"
    r"|(?:see|in|shown in)\s+(?:table|figure|fig\.|appendix)\s*(?:\d\w*|[A-Z](?!\w)))", re.IGNORECASE)

# What a transcript writes down besides the words: an annotation, a filler. Narrower than transcript.NOISE,
# whose "mm", "oh" and "er" a written document uses too ("a 4 mm gap").
_TRANSCRIBED = re.compile(r"\{\w+\}|\b(?:uh|um|uh-huh|mm-hmm)\b", re.IGNORECASE)

_MARKS = re.compile(r"\s*" + CITATION.pattern)
# A list item's marker at its line's start: "- ", "2. ", "3) ".
_ITEM_MARKER = re.compile(r"^[ \t]*(?:[-*•]|\d{1,2}[.)])[ \t]+", re.M)


def prose(summary: str) -> str:
    """The summary without its citation marks (a focus summary's "[2]"): links to passages, not words."""
    return _MARKS.sub("", summary)


def words_of(summary: str) -> int:
    """A summary's length as a reader counts it: its citation marks and its list items' markers are not
    words."""
    return count(_ITEM_MARKER.sub("", prose(summary)))


@dataclass(frozen=True)
class Range:
    words: int
    tolerance: float

    @property
    def low(self) -> int:
        return math.ceil(self.words * (1 - self.tolerance))

    @property
    def high(self) -> int:
        return math.floor(self.words * (1 + self.tolerance))

    def holds(self, text: str) -> bool:
        return self.low <= words_of(text) <= self.high


def target_words(asked: int, source: str) -> int:
    """The length a summary of `source` can honestly have: what was asked, but at most half of the
    source's words (never under MIN_TARGET). A one-page transcript header has no 200-word summary;
    padding it would only copy it out. Only tokens with a letter are words here: its 147 tokens
    are 77 words, 25 line numbers, a row of dashes and colons. A CJK character is a word (count)."""
    words = len(_WORD.findall(CJK_RUN.sub(" ", source))) + sum(map(len, CJK_RUN.findall(source)))
    return min(asked, max(MIN_TARGET, words // 2))


def sentences(text: str) -> list[str]:
    return [tidy(text[a:b]) for a, b in split(text)]


# The words a document speaks for itself in ("I arrived here yesterday", "We then parse the articles"),
# outside what it quotes; "US" is a country.
_PERSONAL = ("I", *(f"[{w[0].upper()}{w[0]}]{w[1:]}" for w in
                    "me my mine myself we us our ours ourselves you your yours yourself yourselves".split()))
_OWN_VOICE = re.compile(rf"\b(?:{'|'.join(_PERSONAL)})\b|[我你您咱]")
_QUOTED = re.compile(r"“[^”]*”|\"[^\"]*\"|「[^」]*」|『[^』]*』")


def in_own_voice(sentence: str) -> bool:
    """The sentence speaks as the document does, in the first or second person, outside its quotes: a
    novel's narrator, a paper's authors, a speaker in a meeting."""
    return bool(_OWN_VOICE.search(_QUOTED.sub("", sentence)))


def is_prose(sentence: str) -> bool:
    """A sentence worth adding: PROSE_WORDS to PROSE_MAX_WORDS words, mostly lower-case words (not
    a header, a list of names, a citation line like "Pub. L. No. 105-304, 112 Stat. 2860"), whole
    (not opening in lower case, nor with a section heading or a speaker's label glued on), and free
    of layout debris (a lone bullet glyph, an e-mail address)."""
    toks = TOKEN.findall(sentence)
    cjk = sum(bool(CJK_RUN.match(t)) for t in toks)
    if cjk * 2 > len(toks):  # Chinese has no case: a sentence of characters, not of figures or a heading
        numbers = sum(t[0].isdigit() for t in toks)
        return cjk >= PROSE_CJK_CHARS and len(toks) <= 3 * PROSE_MAX_WORDS and numbers <= 0.2 * len(toks) \
            and not _DEBRIS.search(sentence) and bool(_CJK_STATED.search(sentence))
    if not PROSE_WORDS <= len(toks) <= PROSE_MAX_WORDS or sentence[:1].islower() or _DEBRIS.search(sentence) \
            or _SECTION_START.match(sentence) or SPEAKER_LABEL.match(sentence):
        return False  # a lower-case start is the tail of a sentence the page cut ("however, did not last long")
    return sum(t[0].isalpha() for t in toks) >= 0.8 * len(toks) and sum(t[0].islower() for t in toks) >= 0.6 * len(toks)


# How far back the sentence before one that leans on it is looked for.
LEAD_CHARS = 600


def _as_quoted(sentence: str, spoken: bool) -> str:
    """The sentence on one line, its punctuation closed up ("the case , and" -> "the case, and"); a
    spoken one without the annotations, fillers and words said twice of its transcript."""
    flat = text = " ".join(sentence.split())
    if spoken:
        # What a speaker broke off and began again is left for what they said instead: "So we can
        # {disfmarker} if financially voice recognition is not feasible we could go for a whistle."
        # One broken off at its end is no statement: nothing follows its last mark.
        text = said(([piece for piece in RESTART.split(text) if TOKEN.search(NOISE.sub("", piece))] or [""])[-1])
    text = closed_up(text)
    if text[:1].islower() and not flat[:1].islower():  # the filler that opened it is gone
        text = text[:1].upper() + text[1:]
    return text


def _quotable(sentence: str) -> bool:
    """Prose (is_prose), a whole statement (not a question, not cut off), fluently said."""
    return is_prose(sentence) and _STATED.search(sentence) is not None and not _ASKING.match(sentence) \
        and not _DISFLUENT.search(sentence)


@dataclass(frozen=True)
class Quote:
    """A sentence as a summary quotes it, and who said it ("" in a written document): what it says
    is the sentence's words, not the speaker's name."""

    sentence: str
    speaker: str = ""

    def __str__(self) -> str:
        if not self.speaker:
            return self.sentence
        if CJK_RUN.search(self.sentence):
            return f"{self.speaker}说：“{self.sentence}”"
        return f'{self.speaker} said: "{self.sentence}"'


def quotation(text: str, start: int, end: int, spoken: bool = False) -> Quote | None:
    """The sentence text[start:end] as a summary may quote it, or None. Written prose stands as it
    is; a sentence of a transcript (`spoken`) is quoted and attributed to the speaker whose label
    opens its turn ('Industrial Designer said: "We can use wood and titanium."'), without the
    annotations, fillers and stammered words that its transcript writes down. Only a statement that
    is prose (is_prose), whole and fluently said is quoted; one that leans on the sentence before it
    ("And that is why ...", "It ...") is quoted with that sentence, from the same turn, or not at all."""
    turns = list(SPEAKER.finditer(text, max(0, start - TURN_LOOKBACK), end)) if spoken else []
    turn = turns[-1] if turns else None
    if turn and turn.start() >= start:
        start = turn.end()
    sentence = _as_quoted(text[start:end], spoken)
    if not _quotable(sentence):
        return None
    if _LEANS_BACK.match(sentence):
        floor = turn.end() if turn else max(0, start - LEAD_CHARS)
        spans = split(text[floor:start])
        lead = _as_quoted(text[floor + spans[-1][0]:floor + spans[-1][1]], spoken) if spans else ""
        if lead and _quotable(lead) and not _LEANS_BACK.match(lead) and is_prose(f"{lead} {sentence}"):
            sentence = f"{lead} {sentence}"
        elif (bare := _without_connective(sentence)) and _quotable(bare):
            sentence = bare
        else:
            return None
    return Quote(sentence, turn.group(1) if turn else "")


def _without_connective(sentence: str) -> str:
    """The sentence without the word that only links it to the one before ("Well, one of the things
    that has improved a lot is the networking within the PRU sector."), or "" when what is left
    still points back ("And that is why ...", "So it ...") or none opens it."""
    opening = _CONNECTIVE.match(sentence)
    bare = sentence[opening.end():] if opening else ""
    if not bare or _LEANS_BACK.match(bare) or _POINTS_BACK.match(bare):
        return ""
    return bare[0].upper() + bare[1:]


def restated(words: set[str], other: set[str]) -> bool:
    """Whether a sentence's content `words` (at least RESTATED_MIN_WORDS) are mostly in `other`'s."""
    return len(words) >= RESTATED_MIN_WORDS and len(words & other) >= RESTATED * len(words)


def _once(kept: list[str], lang: Language) -> list[str]:
    """Each sentence once: a small model caught in a loop writes the same sentence again and again
    ("The siege was also successful in planting mortar ..." six times), which no length excuses,
    or says again what one sentence before it said, in its words ("The project manager and industrial
    designer discuss the cable in the functional design meeting, and ..." after a first sentence
    that ended so)."""
    seen: set[str] = set()
    said: list[set[str]] = []
    out = []
    for s in kept:
        key = " ".join(lang.continues(s).casefold().split()).replace(" also ", " ")
        words = content_words(s)
        again = any(restated(words, w) for w in said)
        if key not in seen and not again:
            seen.add(key)
            said.append(words)
            out.append(s)
    return out


def fit(text: str, target: Range, sources: list[str], source_text: str | None = None,
        lang: Language = ENGLISH) -> str:
    """`text` held to `target`: repeated sentences, those in another language than `lang`, and
    unsupported ones (when `source_text`, the document, is given) dropped, extended towards the words
    asked when short from `sources` and then from the document, cut at a sentence end when long. Words
    are counted, and part openings reworded, in `lang`."""
    vocab = vocabulary(source_text) if source_text is not None else None

    def belongs(s: str) -> bool:
        # A sentence in the other language is none of the summary's: a map call over a Chinese window
        # came back in English ("This part is about the story of a monk named敖欽 …"). One in the
        # document's own voice is a copy of it: a summary tells of it in the third person.
        return is_chinese(of(s)) == is_chinese(lang) and not in_own_voice(s) and \
            (vocab is None or not unsupported(s, vocab))

    def held(s: str) -> str:
        # A sentence of the model's is kept up to the clause that names what the document never states:
        # "The document discusses the FAA's proposed changes to the 737 MAX type design …, including … the
        # MCG spring pack assembly" ("MLG") went whole, and the Federal Register's summary lost its opening.
        if belongs(s):
            return s
        if vocab is None or not (wrong := unsupported(s, vocab)):
            return ""
        cut = s.rfind(",", 0, s.find(wrong[0]))
        head = s[:cut].rstrip() if cut > 0 else ""
        return f"{head}." if head and not _SUBORDINATE.match(head) and belongs(head) and is_prose(head) else ""

    kept = _once([h for s in sentences(without_loop(text)) if (h := held(s))], lang)
    # A summary names the document once: "The text is about the passage of data from the IRS" in the
    # middle of the 1040NR instructions' summary goes on "It is also about ...".
    kept[1:] = [lang.continues(s) for s in kept[1:]]
    def readable(s: str) -> bool:
        # A sentence filled in is a whole statement, and one of a transcript is fluently said: "Go on t to, uh,
        # whatever." and "It's a {disfmarker} {vocalsound} It's a cat." closed QMSum meetings' summaries.
        if not belongs(s) or _POINTS_ELSEWHERE.search(s):
            return False
        return is_prose(s) if is_chinese(lang) else _quotable(s) and not _TRANSCRIBED.search(s)

    total = sum(count(s) for s in kept)
    if total < target.low:
        seen = content_words(" ".join(kept))
        overshooting = None
        own = sentences(source_text) if source_text is not None else []
        # The document's own sentences on what the summary says come first, not its opening ones: a
        # book's preface ("Please visit bugs.ghostscript.com and open a bug"), a novel's first letter.
        own.sort(key=lambda s: -len(content_words(s) & seen))
        for s in itertools.chain((s for src in sources for s in sentences(src)), own):
            words = content_words(s)
            if not words or len(words & seen) >= REDUNDANT * len(words) or not readable(s):
                continue
            if total + count(s) > target.high:
                overshooting = overshooting or s
                continue
            kept.append(lang.continues(s))
            seen |= words
            total += count(s)
            if total >= target.words:  # the words asked, not the range's edge: one dropped sentence from a miss
                break
        if total < target.low and overshooting:
            # Every sentence left would overshoot: the first one, cut at the target below, lands in
            # range (the one-page transcript: 30 words, range 31-45, its one prose sentence 17 words).
            kept.append(lang.continues(overshooting))
    if kept:  # a summary never opens "It also ...": its first sentence was dropped (QMSum meeting_005)
        kept[0] = lang.opens(kept[0])
    out: list[str] = []
    n = 0
    for s in kept:
        if n + count(s) > target.high:
            break
        out.append(s)
        n += count(s)
    if n < target.low and len(out) < len(kept):
        # Only a cut inside a sentence lands in range: end it at the target, marked as cut.
        return first_words(tidy(" ".join(kept)), target.words).rstrip(",;:，；：") + " …"
    return tidy(" ".join(out))
