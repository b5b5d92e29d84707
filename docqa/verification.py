"""A short answer, checked against the evidence: the quote that holds it, or why none does.

The model is asked only for the short answer and the passage it comes from. The quote is not
generated: it is picked here, as the sentence of the working set that contains the answer and
reads best against the question. That makes the quote verbatim by construction, and the check
one that means something:

- the answer says something the question does not (it is not made of the question's own words, nor
  opens with two of them, nor is a name the question says with a first word added), and a tail of
  it that only restates the question is cut ("Dallas during the Cold War" -> "Dallas");
- the answer's words (numbers and number words as digits) occur in the quoted sentence, in order,
  or at least all of its numbers, names and content words do, in the answer's order (not spliced
  from across the sentence); a number alone occurs as itself ("235" is not the first group of
  "235 000"); a heading (a Markdown one, or a line in capitals: a PDF's running header) names a
  topic and verifies nothing;
- the quoted sentence meets the question: it holds one of the question's content words (or opens
  with a pronoun), it and its neighbours hold half of them, and it contains every number the
  question states (a table row for "100% coverage" must say 100; a row may take the year from its
  table's header); a question in another language than the sentence (English over Chinese) is met
  by its numbers alone;
- Chinese (no spaces) is compared by character pairs, not counting pairs that hold a particle (a
  question's character beside one counts alone: 拜 and 师 of 美猴王拜谁为师);
- the answer is the kind of thing asked: a number for "how many", a name (no digits) for "who",
  a percentage for "what accuracy" or "what share of" (a table row holds many cells; the model may read
  the wrong one), a unit for "how long" ("52" is a page number more often than a duration); for
  "the name of the captain", a quote (or its neighbours) that says "captain"; for a section ("1201(d)"), that section;
  for how many kinds (种类数量), no count of individuals ("3,900 亿棵树"); for how many pupils, no
  number the quote gives to something else ("42 public schools"); for what caused or reduced something,
  not what the quote says was caused or reduced;
- a yes/no answer is quoted with the sentence that best restates the question (its rarest words
  weigh most), and is verified only when that sentence holds at least half of the question's content
  words and half of their weight; a Chinese yes/no question
  (…吗？, 是否…) is answered 是 or 否, whatever language the model said it in.

An abbreviation given as the answer is shown with the long form its quote defines ("FAA" ->
"Federal Aviation Administration (FAA)"). A model that forgets [n], or cites the wrong passage, is
corrected to the passage that holds the answer; an answer that no sentence holds stays unverified,
with the reason. An answer none of whose words any passage holds is `absent`: the model's own
knowledge, which `ask` does not pass off as the documents' (it abstains).
"""

from __future__ import annotations

import bisect
import functools
import itertools
import math
import os
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from docqa.cjk import (
    CJK_CHARS, CJK_RUN, bigrams, cjk_chars, cjk_share, either_script, has_cjk, in_script, is_traditional, one_line,
    traditional,
)
from docqa.citations import CITATION, STOPWORDS, cited_numbers
from docqa.ingest import tables
from docqa.retrieval.sentences import ITEM_MARK, TOKEN, ends_in_byline, is_table_row, split
from docqa.retrieval.working_set import Passage, WorkingSet

# A question may first say when or where it asks about: "In 1972, did Norway join the EU?".
_AUXILIARY = r"(?:is|are|was|were|am|do|does|did|can|could|has|have|had|will|would|should|shall|may|might|must)\b"
_YES_NO_START = re.compile(rf"^(?:[^,?]{{1,40}},\s+)?{_AUXILIARY}", re.I)
# What a question asks opens with its wh-word, after any lead that says when, where or how nearly:
# "Approximately how many items are in the costume collection of the V&A?", "In 2010, how many cases of
# tuberculosis were estimated in China?", "As of January 2016 how many digits …", "Peyton Manning took how many
# different teams to the Super Bowl?". Every rule that reads a question's opening reads it after such a lead
# (a yes/no question's lead is _YES_NO_START's own).
_WH = r"(?:how|what|which|who|whom|whose|when|where|why)\b"
_OPENS = (rf"^\s*(?:(?:approximately|about|roughly|around|nearly|almost|exactly|precisely)\s+(?=how\b)"
          rf"|(?!{_WH}|{_AUXILIARY})[^?,]{{1,100}},\s*(?={_WH})"
          rf"|(?!{_WH}|{_AUXILIARY})[^?,]*?\s(?=how (?:many|much)\b))?")
_YES_NO_ANSWER = re.compile(rf"^(?:(yes|no)\b|({either_script('是|对|有|否|不是|不对|没有')})的?(?![^\W\d_]))", re.I)
# A Chinese yes/no question: a statement closed by 吗, or one that asks 是否 / 是不是 / 有没有 ...;
# an either-or question (还是) is not one, nor a wh-question that holds 是否 ("哪项法令…是否异常…").
_MA_END = r"吗\s*[？?]?\s*$"
_YES_NO_ZH = re.compile(either_script(_MA_END + r"|是否|是不是|有没有|能否|可否|会不会|能不能"))
# A sentence that says not: what a "No" rests on, and what a "Yes" cannot rest on.
_NEGATION = re.compile(
    r"\b(?:not|no|never|none|neither|nor|without|cannot|unable|lacks?|lacked|fails?|failed|rarely|hardly)\b|n't\b"
    r"|(?<!\ba )\blittle\b|" + either_script("不|没|没有|无|未|非"), re.I)
# An English question with "or" offers its answers; in Chinese, one with 还是.
_OR = re.compile(r"\bor\b", re.I)
_EITHER_OR_ZH = re.compile(either_script("还是"))
_ENDS_WITH_MA = re.compile(either_script(_MA_END))
# An option offered ("black and white", "double-stranded") is a few words.
OPTION_WORDS = 3
_WH_ZH = re.compile(either_script("还是|哪|什么|谁|多少|几|怎|如何|为何|何时|何地"))
_ZH_DIGITS = ["零", "", "二两兩", "三", "四", "五", "六", "七", "八", "九"]
_NUMBER_WORDS = {
    w: str(i) for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
        "sixteen seventeen eighteen nineteen twenty".split()
    )
} | {"thirty": "30", "forty": "40", "fifty": "50", "sixty": "60", "seventy": "70", "eighty": "80",
     "ninety": "90", "hundred": "100", "thousand": "1000", "million": "1000000", "none": "0",
     # A count of times ("won the cup twice" answers "How many times …?" with "2"); not "once", also "formerly".
     "twice": "2", "thrice": "3"} | {
    # Chinese numerals, a token each as every CJK character is ("4" answers 四次); 一 and 十 stay
    # characters: 一 is in 一些 and 统一, and 十九 is not 10 and 9.
    c: str(i) for i, chars in enumerate(_ZH_DIGITS) for c in chars}
# What a Chinese number may be written with besides the digits above: 十亿 is "one billion" in translation.
_ZH_NUMERALS = frozenset("一十百千万萬亿億")
# "Not one" in Chinese: the count 0 as a sentence says it (建立欧盟的原始条约中没有一项提到…).
_ZH_NONE = re.compile(either_script(r"没有\s*(?:一\s*[项項个個条條种種位家次名件本部座]|任何)|无一"))
# Question words and fillers that say nothing about which sentence answers (Chinese ones as the
# character pairs they are compared in, in either script).
_ZH_QUESTION_WORDS = "什么 多少 哪个 哪些 哪里 哪一 哪位 为何 如何 怎么 怎样 何时 何地 是什 么时 时候 谁是 是谁 是多"
_QUESTION_WORDS = frozenset(
    f"what which who whom whose when where why how many much kind type name named "
    f"{_ZH_QUESTION_WORDS} {traditional(_ZH_QUESTION_WORDS)}".split()
)
# Chinese particles, pronouns and question characters: a pair holding one is mostly a junction of
# two words ("资金的", "是如何") that the answering sentence need not repeat.
_FUNCTION_CHARS = either_script("的了是在和与及或吗呢么什哪谁如何怎为被把对于从到由个些这那其之也都就而并它他她们")
_CJK_FUNCTION_CHARS = frozenset(_FUNCTION_CHARS)
# The Chinese units a number's answer includes ("1950年代", "45.6亿元", "11分", "3个月").
_CJK_UNIT = re.compile(" ?(?:" + either_script("世纪|年代|美元|英里|公里|[年月日号亿万千百元人次个分岁倍度米吨秒天周名位家条场届]") + ")+")
# The units and scale words a bare number's answer includes, in English.
_UNIT = re.compile(
    r" (?:(?:million|billion|trillion|thousand) )?(?:million|billion|trillion|thousand|percent|per cent|"
    r"(?:sq|square) (?:mi|km|ft|miles|kilometres|kilometers|feet|metres|meters)|acres|hectares|mm|cm|"
    r"metres|meters|kilometres|kilometers|km|miles|feet|ft|inches|kg|kilograms|grams|tonnes|tons|"
    r"euros|dollars|pounds|yuan|yen|nucleotides|years|months|weeks|days|hours|minutes|seconds)\b"
)
# A range whose end carries the scale of both ends: "30" of "30 to 50 thousand" is no thirty.
_SCALED_RANGE = re.compile(r"\s*(?:to|or|-|–|—)\s*\d[\d,.]*\s+(?:million|billion|trillion|thousand)\b", re.I)
# A dash range's other end, beside a number: "32" of "26-32 kb" is no genome size. ("from 26 to 32" may be
# a change, whose end is the answer; a dash joins no change.)
# The dash touches both numbers or neither: "-0.0053 -0.0178" is two values, the second negative.
_RANGE_BEFORE = re.compile(r"(?<![\w.,])(\d[\d,.]*)(?:[-–—]| [-–—] )$")
_RANGE_AFTER = re.compile(r"(?:[-–—]| [-–—] )(\d[\d,.]*\d|\d)(?![\w-])")
# A question on one side's tally: "Denver led 10–7" holds the 10 points asked for, not a range.
_TALLIED = re.compile(r"\b(?:points?|scored?|goals?|votes?|runs|seats|leads?|led|won|wins?|beat|defeated|margin)\b", re.I)
# What a number's amount is qualified by, just before it: "over 14,000" is not "14,000", nor "高达 30%"
# "30%", nor "每5年" "5年". The model often drops it; the answer copied from the evidence keeps it.
_QUALIFIER = re.compile(
    r"(?:(?<![^\W\d_])(?:about|approximately|around|nearly|almost|roughly|over|more than|less than|fewer than|"
    r"greater than|higher than|lower than|in excess of|upwards of|close to|above|below|"
    r"up to|at least|at most|as many as|as much as|an estimated|every)\s+|(?:"
    + either_script("大约|约|将近|接近|超过|高达|多达|逾|至少|最多|不到|不足|每") + r")\s*)$",
    re.I,
)
# What a time is said relative to, just before it: "after 1850" is not when France began to rebuild its
# empire, "1850" is; "before World War I" is not "World War I". ("until" and "since" mark the end or the
# start a question asks for: "When did the occupation end?" is answered "1945" by "lasted until 1945".)
_RELATIVE_TIME = re.compile(r"(?<![^\W\d_])(before|after|prior to)\s+$", re.I)
# A minus sign before a number, when it opens the text or follows a space, a bracket, a colon or a bar
# (a table cell): a hyphen joins words and ranges.
_MINUS, _BEFORE_MINUS = ("-", "−", "－"), " \t\n([:|=（：，,"
# CJK brackets: an answer inside a pair, or that opens one ("《达拉斯"), is snapped with both marks.
_CJK_BRACKETS = (("《", "》"), ("「", "」"), ("『", "』"), ("（", "）"), ("【", "】"))
# A section and its subsections ("1201(d)", "512(b)(2)"). Their letters are one-letter words, which
# the content check passes over: "section 1201(d)" was held by "section 1201(a)(1)(B)-(E)".
_SECTION_REF = re.compile(r"\d+[A-Za-z]?(?:\s*\(\s*[0-9A-Za-z]{1,4}\s*\))+")
# Share of the question's content words the quote and its neighbours must hold: a sentence that
# shares one word with the question is about something else (tuned on XQuAD answers read by hand).
QUESTION_OVERLAP = 0.5
# Characters either side of a passage in which the question's names must occur: a passage excerpt
# may say "its capital" where the paragraph around it names the country.
NAME_WINDOW = 1500
# A Markdown heading line.
_HEADING = re.compile(r"[ \t]*#{1,6}[ \t]")
# A number that is not part of a name ("HIV-1", "EGR1"): a table row's value.
_STANDALONE_NUMBER = re.compile(r"(?<![\w.-])\d[\d,.]*(?![\w])")
# A sentence that asks: its last mark, before any closing quote or space.
_ASKED_LINE = re.compile(r"[?？][\"”’)）\s]*$")
_LINE = re.compile(r"[^\n\f]+")
# A number whose thousands are set apart by a (thin) space: "235 000", "10 366".
SPACED_NUMBER = re.compile(r"(?<!\d)\d{1,3}(?:[ \u2009\u202f]\d{3})+(?!\d)")
_DIGITS = re.compile(r"\d+(?:[.,]\d+)*")
_STATED_NUMBER = re.compile(r"(?<![^\W_]-)(?<![^\W_])" + _DIGITS.pattern + r"(?!\d|[A-Z]{2})")
# "How much of it has been left undeveloped?" is answered "vast areas": a share may be told in words.
_COUNT_QUESTION = re.compile(_OPENS + r"(how (many|much(?! of\b))|what (number|percentage|proportion|share) of)\b", re.I)
_HOW_MANY = re.compile(_OPENS + r"how many\b", re.I)
# The same in Chinese: 多少 / 几 + a measure word ("有多少个…", "几次"), answered by digits or numerals.
_COUNT_ZH = re.compile(either_script("多少|几[个位次年种名项条家天岁人本部座]"))
_ZH_NUMERAL_CHARS = f"〇一十百千万亿{''.join(_ZH_DIGITS)}"
_ZH_NUMERAL = re.compile(either_script(f"[{_ZH_NUMERAL_CHARS}]"))
# A count of kinds (种类数量, 多少种, 物种) is not answered by a count of individuals: XQuAD-zh's
# "亚马逊热带雨林估计的树的种类数量是多少？" was verified as "3,900 亿棵树" (trees, not species).
_KINDS_ZH = re.compile(either_script("种类|多少种|几种|物种"))
_INDIVIDUALS_ZH = re.compile(either_script(f"[\\d{_ZH_NUMERAL_CHARS}]\\s*[棵株只头匹个名位人]"))
# Chinese asks who by 谁 ("which people": 哪些人, "which one": 哪位), not by 谁的 ("whose …").
_WHO_QUESTION = re.compile(_OPENS + r"(who|whom)\b|\bname of\b|" + either_script("谁(?!的)|哪些人|哪位|何人"), re.I)
_OWNER_QUESTION = re.compile(_OPENS + r"(?:who|whom|whose)\b", re.I)
_PERCENT_QUESTION = re.compile(
    r"\b(accuracy|percentage|percent|precision|recall|proportion|share of)\b|%|" + either_script("比例|百分比|占比|比率|百分之"), re.I)
# A share as the answer gives it: "56.2%", "20％", "百分之三十", or a ratio for 比例 ("20比1").
_PERCENT = re.compile(r"[%％]|percent|" + either_script("百分之|比"), re.I)
# How something is done or compares, or why: a description answers it, never an identifier ("MG772934.1",
# the GenBank accession in a parenthesis, for "How does the genome of 2019-nCoV compare with SARS-like
# viruses?"). "How many", "how long" and the like ask for a value; "how is it called" asks for a name.
_MANNER_QUESTION = re.compile(
    _OPENS + r"(?:how(?!\s+(?:many|much|long|far|old|often|big|large|small|high|tall|deep|wide|heavy|fast|soon|early|late)\b)"
    r"|why)\b(?!.*\b(?:called|named|referred|known|termed|abbreviated|designated|labell?ed|spelt|spelled|written"
    r"|coded|numbered|identified)\b)", re.I)
# A measure is a number with its unit: "How long did the siege last?" is not answered by "52".
_MEASURE_QUESTION = re.compile(_OPENS + r"(?:for |over )?how (long|far|tall|high|deep|wide|heavy)\b", re.I)
# The same asked in Chinese, at the question's end ("金箍棒有多重？", "一个筋斗能翻多远？"; "很多长期投资"
# holds 多长 too): its characters are the asking, and their pairs ("棒有", "有多", "多重") are no words a
# sentence that answers need say.
_MEASURE_ZH = re.compile(r"有?多[重远遠长長高大久深宽寬厚快](?=[？?。！!呢]|\s*$)")
_GLUED_DIGITS = re.compile(rf"(?<=[^\W\d_{CJK_CHARS}])\d+")
# A year or decade is asked: "15 years" (a duration) is not "the 1960s and 1970s". A bare "when" is
# left out: "When should a patient be tested again?" is answered by "14 days".
_WHICH, _PERIODS = r"(?:in |during )?(?:what|which) ", "year|decade|century|month"
_TIME_QUESTION = re.compile(rf"{_OPENS}{_WHICH}(?:{_PERIODS})s?\b", re.I)
# XQuAD: "In what year did ABC stop using its jingle?" answered "1998–2002"; "how many square miles
# per year" answered "18%": the model read a neighbouring figure.
_ONE_YEAR_QUESTION = re.compile(r"\b(?:what|which) year\b", re.I)
_YEAR_SPAN = re.compile(r"\b\d{4}\s*(?:[–—-]|to)\s*\d{2,4}\b")
# The word an answer's amount may open with and still be the amount alone ("about 15 years", "over 20%").
_ROUGHLY = "(?:about |over |nearly |almost |around |up to )?"
# "1,388 (0.9%) same-sex couples": the share beside a count is no answer to how many, nor is a range of
# shares ("27-30%", the efficiency of an engine whose cylinders were asked for).
_SHARE_ALONE = re.compile(rf"\s*{_ROUGHLY}[\d,.]+(?:\s*%?\s*(?:[-–—]|to)\s*[\d,.]+)?\s*(?:%|％|percent|per cent)\s*", re.I)
# A game's score is two numbers ("23–16"); the points of one side, or of one spell of play, are not it.
_SCORE_QUESTION = re.compile(_OPENS + r"what (?:was|is|were) the (?:final )?score\b|" + either_script("比分是多少|比分为多少|比分是什么"), re.I)
_SCORE = re.compile(r"\d+\s*[-–—:：比]\s*\d+")
# A number or a share with nothing to say what it does: no manner ("25%" for how childhood pneumonia was reduced).
_BARE_FIGURE = re.compile(rf"\s*{_ROUGHLY}[\d,.]*\d[\d,.]*\s*(?:%|％|percent|per cent)?\s*", re.I)
# A span of time, in an answer to a count of something else ("41 to 60 years" for "How many were male?").
_TIME_UNIT = re.compile(r"\b(?:years?|months?|weeks?|days?|hours?|minutes?|seconds?|decades?|centur(?:y|ies)|old|ages?)\b", re.I)
# How often something happens: "every five years", "rarely", "twice a year"; never a share of cases.
_FREQUENCY_QUESTION = re.compile(_OPENS + r"how (?:often|frequently)\b", re.I)
_UNIT_COUNT_QUESTION = re.compile(
    r"\bhow many (?:square |cubic )?(?:miles|mi|kilomet(?:re|er)s|km|met(?:re|er)s|feet|acres|hectares|tons|tonnes"
    r"|pounds|kilograms|kg|dollars|euros|years|hours|days)\b", re.I)
# "What studies were excluded?" asks for things, not for their count ("66", from "66 were excluded"),
# unless the things are numbers themselves ("What years ...", "Which doses ...").
_THINGS_QUESTION = re.compile(_OPENS + r"(?:what|which)\s+([^\W\d_]{3,}s)\s+(?:were|are|did|do|have|had|was|is)\b", re.I)
# A paper a number or a code names: "Which form do nonresident aliens use …?" is answered "Form 1040NR" (not
# "Trade or Business exemptions", walkthrough, verified), "Which publication …?" "Pub. 519"; "What form of
# government …?" asks for a kind.
_PAPER_QUESTION = re.compile(_OPENS + r"which\s+(form|schedule|publication|docket)s?\b(?!\s+of\b)", re.I)
# "about 2.8-fold longer" says how one value compares with another: it answers a question that
# compares ("How much longer…", "… in high income vs low income"), not one that asks for the value
# ("What is the in vivo elimination half-life of AP3?": COVID-QA, verified, wrong; gold "6.02 h").
_COMPARISON = re.compile(
    r"\d[-\s]?fold\b|\b(?:times|fold)\s+(?:more|less|higher|lower|longer|shorter|greater|larger|smaller|faster|"
    r"slower)\b|\btwice\b", re.I)
_COMPARES = re.compile(
    r"\b(?:times|fold|twice|more|less|longer|shorter|higher|lower|greater|larger|smaller|faster|slower|compared?|"
    r"than|vs|versus|increased?|decreased?|ratio|differ\w*|changed?|rise|fall|reduc\w*|enhanc\w*|relative)\b", re.I)
# Places of one level asked in Chinese ("杰克逊维尔位于哪个郡?"): an answer that names a place of
# another level ("佛罗里达州", a state, for a county) is not one (XQuAD-zh: verified, wrong).
_ZH_PLACE_LEVELS = {"郡": "郡", "州": "州", "县": "县", "縣": "县", "省": "省", "市": "市", "城市": "市", "区": "区",
                    "區": "区", "镇": "镇", "鎮": "镇", "国": "国", "國": "国", "国家": "国", "國家": "国"}
# The level word ends there: "哪个区域" asks an area, "哪个州立大学" a university, "哪国国家主席" a person.
_ZH_PLACE_ASKED = re.compile(r"哪(?:一)?(?:个|個|座)?(" + "|".join(sorted(_ZH_PLACE_LEVELS, key=len, reverse=True)) +
                             r")(?=[\s?？,，。的是在有最位]|$)")
# Chinese "which episode, work, book, song, article, company": a thing, never a bare number or year.
_ZH_WHICH_THING = re.compile(either_script("哪(?:一)?[集部本首篇家]"))
_ZH_BARE_NUMBER = re.compile(r"\s*\d[\d,.]*\s*年?\s*")
_ZH_PLACE_NAMED = re.compile("(" + "|".join(w for w in _ZH_PLACE_LEVELS if len(w) == 1) + ")$")
_NUMBERED_THINGS = frozenset(
    "years decades centuries dates days months weeks hours numbers figures amounts values scores temperatures ages doses "
    "levels rates sizes percentages totals counts times prices costs sums distances heights lengths weights".split())
_BARE_NUMBER = re.compile(r"\s*[\d,.]+\s*")
# What dates an event: "opened in 1932", "since 1998", "May 1932". A year so written is no count.
_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_DATING = re.compile(rf"\b(?:in|since|from|until|till|by|during|before|after|around|circa|{_MONTHS})\s+$", re.I)
_YEAR = r"(?:1[0-9]|20)\d\d"
_YEAR_ALONE = re.compile(rf"\s*({_YEAR})\s*")
_DURATION = re.compile(rf"^\s*{_ROUGHLY}[\d,.]+\s*(?:years?|months?|weeks?|days?|hours?|minutes?)\s*$", re.I)
# The question's verb as a passive sentence says it: "Who wrote X?" is answered by "X was written by Y".
_PARTICIPLES = {
    "wrote": "written", "took": "taken", "gave": "given", "drew": "drawn", "chose": "chosen", "began": "begun",
    "broke": "broken", "spoke": "spoken", "drove": "driven", "sang": "sung", "saw": "seen", "knew": "known",
    "grew": "grown", "threw": "thrown", "flew": "flown", "bore": "borne", "wore": "worn", "tore": "torn",
    "stole": "stolen", "rode": "ridden", "shot": "shot", "made": "made", "built": "built", "led": "led", "won": "won",
    "held": "held", "paid": "paid", "sold": "sold", "bought": "bought", "brought": "brought", "taught": "taught",
    "told": "told", "sent": "sent", "kept": "kept", "lost": "lost", "set": "set", "put": "put", "read": "read",
    "beat": "beaten", "hit": "hit", "cut": "cut", "found": "found", "fought": "fought", "thought": "thought",
}
# "What completed the triad?" asks for a thing that acted, not for when ("October 1972"); "What year …" does ask.
_WHAT_ACTED = re.compile(_OPENS + r"what\s+(?!(?:year|date|time|day|month|decade|century|period|era)\b)"
                         rf"(?:[a-z]+ed|{'|'.join(_PARTICIPLES)})\b", re.I)
_DATE_ALONE = re.compile(rf"\s*(?:(?:early|late|mid)\s+)?(?:(?:\d{{1,2}}\s+)?(?:{_MONTHS})(?:\s+\d{{1,2}})?,?\s+)?"
                         r"\d{3,4}s?\s*", re.I)
# A question for a place, and an answer that is a time alone: a year or a date, a decade, a century ("18世纪中叶"
# for 发展成为联合卫理公会的活动是从哪里开始的？). Not 在哪一年, which asks for a year.
_WHERE_QUESTION = re.compile(_OPENS + r"where\b|" + either_script("哪里|哪儿|何地|何处|什么地方"), re.I)
_TIME_ALONE_ZH = re.compile(r"\s*(?:\d{1,4}\s*(?:年代?|世纪|世紀)|[一二三四五六七八九十]+\s*(?:世纪|世紀))\s*(?:初|中叶|中葉|末|初期|中期|末期)?\s*")
# A rank is a place in an order ("12th"), not the figure it is ranked by ("1,345,596" for Jacksonville's
# "ranking" by population): a bare number of four digits or more places nothing.
_RANK_QUESTION = re.compile(r"\brank(?:ing|ed|s)?\b", re.I)
_FIGURE = re.compile(r"\s*\d{1,3}(?:,\d{3})+\s*|\s*\d{4,}\s*")
# A table's or figure's label is where the answer may be, not the answer ("Table 1", verified for "What is the
# summary of this report?" on COVID-QA, from its caption): only a question about the document's parts asks for one.
# A section or chapter is left alone: a law's or a book's ("What does the act amend?" "section 512").
_PART_LABEL = re.compile(r"\s*(?:(?:supplementary|additional)\s+)?(?:tables?|fig(?:ure)?s?\.?)\s*[A-Z]?\d+(?:\.\d+)*[A-Za-z]?"
                         r"(?:\s*\([A-Za-z]\))?\s*"  # a panel: "Figure 5(B)" (COVID-QA seed 21, verified)
                         r"|\s*[表图圖]\s*\d+\s*", re.I)
_ASKS_FOR_PART = re.compile(_OPENS + r"(?:where|in which|which)\b|\b(?:tables?|fig(?:ure)?s?|appendix|appendices|section"
                            r"|chapters?|equations?|page)\b|[表图圖章节節页頁]", re.I)
_LEAD = re.compile(r"^\s*(?:(?:the\s+)?(?:short\s+)?answer\s*(?:is)?|答案(?:是)?)\s*[:：-]\s*", re.I)
# A bracketed tail after the answer ("Abu al-Qasim (Abulcasis) (936–1013", "10% [citation needed]",
# a paper's reference marks "10% [3, (12) (13) ]"): an aside the model copied along, closed or cut off
# by the answer room. A square bracket holds round ones.
_ASIDE_TAIL = re.compile(r"\s+(?:\[[^\]]*\]?|[(（][^)\]）]*[)\]）]?)\s*$")
# Where an answer's words may turn to the question's own: a preposition or relative word, a
# possessive, a comma, the hyphen after a number ("Dallas | during the Cold War", "William Tyndale|'s
# English Bible", "24|-yard line" for "On what yard line …").
_TAIL_START = re.compile(
    r"\s+(?=(?:during|in|at|on|of|from|for|with|by|to|which|that|who|as|after|before|since|when|where|"
    r"within|between|into|under|over|through|and)\b)|'s\b|,\s+|(?<=\d)-(?=[^\W\d_])",
    re.I,
)
# "What is working memory?": a request for a definition of one to four words.
_DEFINITION_QUESTION = re.compile(_OPENS + r"what (is|are) (?:an? |the )?([^\W\d_][\w\-]*(?: [\w\-]+){0,3})\s*\?\s*$", re.I)
# What a definition says after its subject: "Unrestricted Relation Discovery is a technique to ...".
_COPULAS = "is|are|was|were|means|refers to"
# What joins a restated subject to what the answer says of it: a copula ("X is a technique ..."),
# or a verb that reports ("The DMCA states that contracting parties shall provide ...").
_LEAD_JOIN = re.compile(
    rf"\s+(?:(?:{_COPULAS})\s+(?:defined as\s+|called\s+)?|(?:says|states|provides|requires|notes)\s+that\s+)", re.I)
# The subject restated before it is at most this many words ("What is X?" restates X).
_LEAD_WORDS = 8


@dataclass
class Verdict:
    short: str  # the short answer as shown (citation markers removed)
    passage: Passage | None  # the passage the quote is from
    quote: tuple[int, int] | None  # document offsets of the quoted sentence
    verified: bool
    reason: str = ""  # why not verified
    absent: bool = False  # no passage holds the answer's words: the model answered from what it knows
    refuted: bool = False  # the quote shows the answer wrong (another kind, thing, person or date), not just unconfirmed
    instead: str = ""  # what the refuting part of the quote gives in the answer's place, where it gives one thing
    # Where a sentence says the answer, when it is not the quote: no sentence that says it meets the question,
    # and the quote is then the sentence attention ranks best (what a second reading reads).
    said_in: tuple[Passage, tuple[int, int]] | None = None


def is_yes_no(question: str) -> bool:
    q = question.strip()
    if _in_chinese(q):
        asks = {m.group() for m in _WH_ZH.finditer(q)}
        if _ENDS_WITH_MA.search(q):
            asks -= {"还是", "還是"}  # "still", before a 吗 ending: "公司还是亏损了吗？"
        return bool(_YES_NO_ZH.search(q)) and not asks
    return bool(_YES_NO_START.match(q)) and not _OR.search(q)


def is_either_or(question: str) -> bool:
    """A question that offers its answers ("Were the tapes colourised or did they remain black and
    white?", "他是医生还是律师？"): one of them is the answer, not yes or no."""
    q = question.strip()
    if _in_chinese(q):
        # 还是 is also "still": "他还是去了吗？" asks yes or no.
        return bool(_EITHER_OR_ZH.search(q)) and not _ENDS_WITH_MA.search(q)
    return bool(_YES_NO_START.match(q)) and bool(_OR.search(q))


def _one_option(answer: list[str]) -> bool:
    """An answer short enough to be one of the options a question offers: no "or", three content words at most."""
    return "or" not in answer and len(_content(answer)) <= OPTION_WORDS


def _in_chinese(question: str) -> bool:
    """Written in Chinese: most of its letters are CJK ("Is 华润 profitable?" is an English question)."""
    return cjk_share([question]) > 0.5


def _norm(token: str) -> str:
    t = token.casefold()
    t = _NUMBER_WORDS.get(t, t)
    return t.replace(",", "") if t[0].isdigit() else t


# A capital Roman numeral after one of these words is a number ("Title I", "World War II", "Phase IV"):
# read as a word, "I" is the pronoun and the answer "Title I" would say nothing but "title".
_NUMBERED = frozenset(
    "title part chapter section article book volume phase stage type class war level tier grade".split())
_ROMAN = re.compile(r"(X{0,3})(IX|IV|V?I{0,3})")
_ROMAN_UNITS = {"": 0, "I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "VI": 6, "VII": 7, "VIII": 8, "IX": 9}


def _normed(words: list[str]) -> list[str]:
    out: list[str] = []
    for word in words:
        roman = out and out[-1] in _NUMBERED and _ROMAN.fullmatch(word)
        out.append(str(10 * len(roman.group(1)) + _ROMAN_UNITS[roman.group(2)]) if roman else _norm(word))
    return out


def tokens(text: str) -> list[str]:
    """Case-folded words and numbers; number words and numbered parts' Roman numerals become digits,
    thousands separators go."""
    return _normed(TOKEN.findall(text))


_HYPHENED = re.compile(r"[^\W_]+$")  # the word before a hyphen that joins it to the answer's first word


def snap(answer: list[str], sentence: str, question: str = "") -> str | None:
    """The sentence's own words for the answer's tokens (with a currency sign, a minus sign or a
    qualifier the question does not say before, a percent sign or the letters of a word like "1950s"
    after), so the short answer is copied from the evidence; None if they don't occur in order."""
    if answer == ["0"] and (none := _ZH_NONE.search(sentence)):
        return " ".join(none.group().split())  # "0" for 有多少…: 没有一项 ("none" is 0 in English already)
    found = list(TOKEN.finditer(sentence))
    words = _normed([m.group() for m in found])
    n = len(answer)
    starts = range(len(words) - n + 1) if n else range(0)
    # The answer as said first; else with its last word's plural ending, which the 0.5B drops ("antigen"
    # from "Masking antigens with host molecules ..."): the passage's form is the one shown.
    exact = [i for i in starts if words[i : i + n] == answer]
    for i in exact or [i for i in starts
                       if words[i : i + n - 1] == answer[:-1] and _plural_of(words[i + n - 1], answer[-1])]:
        start, end = found[i].start(), found[i + n - 1].end()
        if any(m.start() <= start and end <= m.end() and (m.start(), m.end()) != (start, end)
               for m in SPACED_NUMBER.finditer(sentence)):
            continue  # "235" is not "235 000" (thousands set apart by a space, as papers write them)
        while start > 0 and sentence[start - 1] in "$€£¥":
            start -= 1
        amount = answer[0][0].isdigit()
        while not amount and start > 1 and sentence[start - 1] in "-‐" and sentence[start - 2].isalpha():
            start = _HYPHENED.search(sentence, 0, start - 1).start()  # "mid-Cambrian period", "anti-cancer agents"
        while amount and start > 0 and sentence[start - 1] in "~∼≈<>≤≥":
            start -= 1  # "∼80%", "<0.05": the sign is the amount's qualifier, as "about" is
        if amount and sentence[start - 1 : start] in _MINUS and (start == 1 or sentence[start - 2] in _BEFORE_MINUS):
            start -= 1  # "-0.0053", a loss per share, is no 0.0053; "1990-1995" and "COVID-19" are joined
        qualifier = amount and _QUALIFIER.search(sentence[:start])
        if qualifier and not _says(question, qualifier.group()):
            start = qualifier.start()  # "more than how many?" is answered by the number alone
        relative = _WHEN_QUESTION.match(question) and _RELATIVE_TIME.search(sentence[:start])
        if relative and not _says(question, relative.group(1)):
            start = relative.start()  # "When, after the war, did …?" asks for the time alone
        if n == 1 and amount and not re.fullmatch(_YEAR, answer[0]) and not _TALLIED.search(question):
            start, end = _dash_range(sentence, start, end)
        while end < len(sentence) and sentence[end].isalpha() and not CJK_RUN.match(sentence[end]):
            end += 1  # "1950s", not "1950"; but a CJK character is a word of its own
        if unit := words[i + n - 1][0].isdigit() and _CJK_UNIT.match(sentence, end):
            end = unit.end()  # "1950年代", "45.6亿元"
        elif n > 1 and words[i + n - 2][0].isdigit() and CJK_RUN.match(words[i + n - 1]) \
                and (unit := _CJK_UNIT.match(sentence, found[i + n - 2].end())) and unit.end() > end:
            end = unit.end()  # "1950年" where the sentence says "1950年代": a decade, not a year
        elif all(t[0].isdigit() for t in answer) and (unit := _UNIT.match(sentence, end)) \
                and not content_stems(unit.group()) <= content_stems(question):
            end = unit.end()  # a bare number takes its unit ("4.2 metres"), unless the question names it
        elif all(t[0].isdigit() for t in answer) and (scaled := _SCALED_RANGE.match(sentence, end)):
            end = scaled.end()
        rest = sentence[end:]
        end += len(rest) - len(rest.lstrip(" ")) + 1 if rest.lstrip(" ").startswith(("%", "％")) else 0
        while sentence[start:end].count("(") > sentence[start:end].count(")") and sentence.startswith(")", end):
            end += 1  # "512(b)", not "512(b"; "DTIME(f(n))", not "DTIME(f(n)"
        while sentence[start:end].count(")") > sentence[start:end].count("(") and (opened := sentence.rfind("(", 0, start)) >= 0:
            # An abbreviation is shown with the words it stands for, a word a letter up to the clause's start:
            # "Sindbis (SIN) virus", "Venezuelan equine encephalitis (VEE) virus", not "SIN) virus".
            letters = sum(ch.isupper() for ch in sentence[opened : sentence.find(")", opened)]) or 1
            named = re.search(rf"(?:[^\W_][\w-]*\s+){{1,{letters}}}$", sentence[:opened])
            start = named.start() if named else opened
        for o, c in _CJK_BRACKETS:  # a title or name in its brackets: 《达拉斯》
            if sentence.startswith(c, end) and (sentence[start - 1 : start] == o or o in sentence[start:end]):
                start -= sentence[start - 1 : start] == o
                end += 1
        return one_line(sentence[start:end], phrase=True)  # a line break inside the answer is a space, or none inside Chinese
    return None


def _dash_range(sentence: str, start: int, end: int) -> tuple[int, int]:
    """A number's span widened to the dash range it opens or closes ("26-32" for "32"), unless the other
    end is a year: "Jochi (1185–1226)" gives his birth year alone (XQuAD-en), and "2020-03" is a date.
    Of the shared sets' golds, none is one end of a dash range."""
    if (before := _RANGE_BEFORE.search(sentence, 0, start)) and not re.fullmatch(_YEAR, before.group(1).rstrip(".,")):
        return before.start(), end
    if (after := _RANGE_AFTER.match(sentence, end)) and not re.fullmatch(_YEAR, after.group(1)):
        return start, after.end()
    return start, end


def _says(question: str, phrase: str) -> bool:
    """The question has the phrase as words of its own: "after" is not said by "afternoon", nor "over"
    by "overall". Chinese sets no spaces between words: there the characters in a row are enough."""
    phrase = phrase.strip()
    if has_cjk(phrase):
        return phrase in question
    return re.search(rf"(?<![^\W\d_]){re.escape(phrase)}(?![^\W\d_])", question, re.I) is not None


def _plural_of(word: str, said: str) -> bool:
    """`word` is the plural of the word `said` (a Latin-script word of three letters or more)."""
    return len(said) > 2 and said.isalpha() and said.isascii() and word in (said + "s", said + "es")


def _content(toks: list[str]) -> set[str]:
    """Numbers and content words; CJK characters (one token each) as the pairs of each run, which
    carry the words a single character does not."""
    words = {t for t in toks if not CJK_RUN.match(t) and (
        t[0].isdigit() or (t not in STOPWORDS and t not in _QUESTION_WORDS and len(t) > 1))}
    return words | {p for p in _cjk_pairs(toks) - _QUESTION_WORDS if not _CJK_FUNCTION_CHARS.intersection(p)}


def _beside_particles(toks: list[str]) -> set[str]:
    """The Chinese characters of a question that stand beside a particle or question character: the
    pairs that hold them are dropped (_content), and with them a word's only trace: 美猴王拜谁为师
    ("whom did the Monkey King take as master") keeps 拜 and 师, not only 美猴 and 猴王."""
    return {t for a, t, b in zip(["", *toks], toks, [*toks[1:], ""])
            if CJK_RUN.match(t) and t not in _CJK_FUNCTION_CHARS and (a in _CJK_FUNCTION_CHARS or b in _CJK_FUNCTION_CHARS)}


def _in_order(words: list[str], sentence: list[str]) -> bool:
    """The answer's content words (`words`, in its order) come in the sentence in that order: words
    taken from across a sentence and spliced are a new claim ("a bottle of rules for shutting people
    up like telescopes" from "a book of rules for shutting people up like telescopes: this time she
    found a little bottle"). Chinese is left to the character pairs."""
    rest = iter(t for t in sentence if t in words)
    return all(w in rest for w in words)


_LIST_SEPARATOR = re.compile(r",(?=\s)|[;&]|\b(?:and|or)\b", re.I)
_ARTICLES = frozenset({"the", "a", "an"})
_LETTER_NAME = re.compile(r"[A-Z]")
_GLUE = _ARTICLES | {"and", "or", "of"}


def same_answer(one: str, other: str) -> bool:
    """Two readings give one answer: the words of one are among the other's and at least half of them
    ("Kent-Brown" and "Duke Kent-Brown", "1500" and "1500 and 1850"; not "inequality" and "the existing
    level of inequality", nor a clause that holds the other answer). Chinese is read a character at a
    time, and a character is less than a word: an answer of Chinese characters alone must hold more than
    half of the other's ("戟" and "戟重" are two readings, the second a span across a word's end); a number
    keeps its unit's characters beside it ("3,900 亿" and "3,900 亿棵树" are one)."""
    small, big = sorted((set(tokens(one)) - _GLUE, set(tokens(other)) - _GLUE), key=len)
    share = 2 * len(small) - len(big)
    return bool(small) and small <= big and (share > 0 if all(CJK_RUN.fullmatch(t) for t in small) else share >= 0)


def _items(short: str) -> list[list[str]]:
    """The answer's items ("A, B and C"), each as its words, an article before it aside ("the Supreme
    Court of the United States" is held by "a Supreme Court of …")."""
    items = []
    for item in _LIST_SEPARATOR.split(short):
        words = tokens(item)
        while words and words[0] in _ARTICLES:
            words = words[1:]
        if words:
            items.append(words)
    return items


def _in_parts(items: list[list[str]], sentence: str) -> bool:
    """Each of the answer's `_items` is a run of the sentence's words: content words that all occur in
    order can still be spliced from across the sentence ("combustible chamber" from "burning
    combustible materials … in a combustion chamber", "Southwest Fresno" from "southwest of the 99
    freeway (which divides it from Downtown Fresno)")."""
    return all(snap(words, sentence) is not None for words in items)


def _cjk_pairs(toks: list[str]) -> set[str]:
    """Character pairs of each run of consecutive CJK tokens (a lone character stands alone)."""
    pairs: set[str] = set()
    run = ""
    for t in [*toks, ""]:
        if t and CJK_RUN.match(t):
            run += t
        elif run:
            pairs.update(bigrams(run))
            run = ""
    return pairs


def _terms(toks: list[str]) -> set[str]:
    """What a sentence offers to be met: its tokens and, in CJK text, its character pairs."""
    return set(toks) | _cjk_pairs(toks)


def _numbers(toks: list[str]) -> set[str]:
    return {t for t in toks if t[0].isdigit()}


# A run of one piece of text said four times or more: a small model that falls into a loop writes it
# until the reply's room runs out ("南方花果山水簾洞洞洞洞洞…"). Digits repeat in numbers ("1,000,000").
_LOOP = re.compile(r"(.{1,20}?)\1{3,}")


def without_loop(text: str) -> str:
    """The text with each looping run said once (a run of words ends without its space: one is lent)."""
    return _LOOP.sub(lambda m: m.group(1) if any(c.isalpha() for c in m.group(1)) else m.group(), f"{text} ").rstrip()


def parse(raw: str) -> tuple[str, list[int]]:
    """(short answer, cited passage numbers) from the model's reply: its first non-empty line."""
    line = next((ln for ln in raw.strip().splitlines() if ln.strip()), "")
    cited = cited_numbers(line)
    short = _LEAD.sub("", without_loop(joined_parts(line)))
    short = " ".join(short.split()).strip(" \"'“”‘’`*")
    return short.rstrip(".。 "), cited


_JOINED = re.compile(r"^(?:(?:and|or)\b|&)|^[和及与與或]|(?:\b(?:and|or)|[,;、，；和及与與或])$", re.I)


def joined_parts(line: str) -> str:
    """The reply without its [n] marks. A mark between two parts of an answer ("the Treaty of Rome
    1957 [2] the Maastricht Treaty 1992 [3]", "1500 [1] 1850 [1]") ends a part: the parts are joined
    by "and" (、 in Chinese) unless a conjunction or a comma already joins them."""
    parts = [p.strip() for p in CITATION.split(line)]
    text = parts[0]  # split gives one part at least
    for part in parts[2::2]:  # split keeps each mark's numbers between the parts
        if part and part[0] in ".,;:!?。，；：、)）":
            text += part
        elif not part or not text or _JOINED.search(text) or _JOINED.search(part):
            text = f"{text} {part}".strip()
        elif has_cjk(text[-1]) and has_cjk(part[0]):
            text = f"{text}、{part}"
        else:
            text = f"{text} and {part}"
    return text


def first_sentence(short: str) -> str:
    """A reply that runs on past a sentence end ("Konwiktorska Street, a ten-minute walk north from the
    Old Town. Polonia was relegated ...") answers in its first sentence; no quote holds two."""
    spans = split(short)
    return short[: spans[0][1]].rstrip(". ") if len(spans) > 1 else short


# A number word cannot count a number: in "3 four new limitations" the digits are a footnote mark the
# extractor glued into the sentence. Scale words ("3 million", "2 hundred") are the number's own, and so
# is a compound ("3 one-bedroom flats").
_COUNT_WORD = r"(?:" + "|".join(w for w, v in _NUMBER_WORDS.items() if w.isascii() and len(v) < 3) + r")\b(?!-)"
_GLUED_MARK = re.compile(rf"^\d{{1,3}}\s+(?={_COUNT_WORD})", re.I)


def without_glued_mark(short: str) -> str:
    """The answer without a footnote mark before its number word."""
    return _GLUED_MARK.sub("", short)


# A reply cut off after its last item's conjunction ("… make things etc.” and", copied up to where the
# quote goes on "and imagination is …"): the conjunction joins nothing.
_DANGLING_END = re.compile(r"(?<=\S)[\s,;:]+(?:and|or|but|nor)[\s,;:]*$", re.I)


def without_dangling_end(short: str) -> str:
    """The answer without a conjunction it ends on."""
    return _DANGLING_END.sub("", short)


def without_aside(short: str) -> str:
    """The answer without the bracketed asides that trail it, when something is left."""
    while (trimmed := _ASIDE_TAIL.sub("", short)) != short and TOKEN.search(trimmed):
        short = trimmed
    return short


def _abbreviates(bare: str, short: str) -> bool:
    """The aside that trails `bare` in `short` only abbreviates its words, and says nothing more of its own:
    "Airworthiness Directive (AD)" restates "Which airworthiness directive would the FAA proposal supersede?"."""
    aside = short[len(bare):].strip(" ()（）")
    return bool(aside) and expanded(aside, short) != aside


# A measure and the same measure in other units, in brackets: "1,435 mm (4 ft 8 1⁄2 in)" is one answer;
# "3 to 7 days (21)" is a measure and its reference mark.
_CONVERTED = re.compile(r"\d[\d,.]*\s*[^\W\d_]{1,12}\.?\s*[(\[（]\s*(?:about |approx\.? |c\. )?\d[\d,.⁄ ]*[^\W\d_]")


def _converts(bare: str, short: str) -> bool:
    """The aside that trails `bare` in `short` gives its measure in other units."""
    return bool(_CONVERTED.search(short, max(0, len(bare) - 30)))


# A count or an ordinal and the question's own unit ("17 seconds" for "How many seconds were left?", "20th
# century" for "In what century …"): the number answers, the unit says the question back.
_NUMBER_WORD = "|".join(sorted((w for w in _NUMBER_WORDS if w.isascii() and w != "none"), key=len, reverse=True))
_COUNT_AND_UNIT = re.compile(
    rf"({_ROUGHLY}(?:\d[\d,.]*(?:st|nd|rd|th)?|{_NUMBER_WORD})"
    r"(?:\s+(?:hundred|thousand|million|billion))?)\s+([^\W\d_]+(?:\s+[^\W\d_]+)?)", re.I)


# "What welding process was demonstrated in 1901?": what the question asks is the subject of its participle.
# The words between are the subject's own, no verb or clause of their own ("What happened when the
# cyanobacterium was assimilated?" asks what followed).
_PASSIVE_AUX = r"(?:is|are|was|were|has been|have been|had been)"
_PASSIVE_SUBJECT_ASKED = re.compile(
    r"^\s*(?:[\w'-]+\s+){0,3}?(?:what|which)(?:\s+(?!(?:when|if|after|before|while|since|because|as|where|do|does|did)\b)(?![a-z]+ed\b)"
    rf"[\w'-]+){{0,3}}\s+{_PASSIVE_AUX}\s+([a-z]+ed|{'|'.join(_PARTICIPLES.values())})\b", re.I)


def year_asked(question: str, short: str) -> str:
    """The year alone of a full date, where the question asks which year ("1998" of "October 28, 1998" for
    "In what year was the DMCA signed into law?": a second reading that gives the year agrees with it)."""
    if _ONE_YEAR_QUESTION.search(question) and re.search(_MONTHS, short, re.I) and _DATE_ALONE.fullmatch(short) \
            and (year := _A_YEAR.search(short)):
        return year.group()
    return short


def without_restated_tail(short: str, question: str, evidence: str) -> str:
    """The answer without a tail made of the question's own words ("Dallas during the Cold War" for
    "Which American show changed the views of Romanians during the cold war?" is "Dallas"), when
    what is left says something the question does not. The tail restates; the head answers. So does
    the subject of the participle the question asks about ("oxyacetylene welding was demonstrated for
    the first time by burning …" for "What welding process was demonstrated in 1901?"). A count
    loses the question's unit only where the `evidence` writes the count so ("19th century" stays whole
    where the passage says "nineteenth century": "19th" alone is no word of the documents')."""
    asked = content_stems(question)
    # The unit as a word of the question, not of a name in it: "Seven Years War" asks no count of years.
    common = content_stems(" ".join(w for w in question.split() if not w[:1].isupper()))
    if (counted := _COUNT_AND_UNIT.fullmatch(short.strip())) and (unit := content_stems(counted.group(2))) \
            and unit <= common and counted.group(1).casefold() in evidence.casefold():
        return counted.group(1)
    if (passive := _PASSIVE_SUBJECT_ASKED.match(question)) and (said := re.search(
            rf"\s+{_PASSIVE_AUX}\s+{re.escape(passive.group(1))}\b", short, re.I)) \
            and content_stems(head := short[: said.start()]) - asked:
        return head
    if _qualified_echo(short, tokens(question)):
        return short  # cut, the one word left would pass for an answer: whole, check reads it as an echo
    for m in _TAIL_START.finditer(short):
        # A possessive and one word name the thing ("Lorentz's Law" for "What is the law named that ..."):
        # only a question for its owner or maker ("Whose …", "Who …") is answered by the head.
        if m.group().startswith("'") and len(short[m.end() :].split()) == 1 and not _OWNER_QUESTION.match(question):
            continue
        head, tail = short[: m.start()], content_stems(short[m.start() :])
        if tail and tail <= asked and content_stems(head) - asked:
            return head.rstrip(" ,")
    return short


# What a Chinese question's frame is cut from, and what is left between it and the answer.
_ZH_CLAUSE_BREAK = re.compile(r"[，,、：:；;]")
_ZH_FRAME_JOINT = " ，,、：:的是为在"
# What completes a question word the pattern reads by its first character: 哪里, 哪个, 哪些, 哪位, 哪种.
_ZH_WH_ENDS = "里个些位种" + traditional("里个些位种")


def _without_zh_frame(short: str, question: str) -> str:
    """The answer without the question's own frame said back at its start: the words before the question
    word (from the question's last comma), three characters of them or more, where two characters of
    answer are left ("温室气体增加会导致温度额外升高" for "温室气体增加会导致什么？" is "温度额外升高";
    "叶绿体 被两层膜包裹" for "叶绿体是由内共生性蓝藻菌演化而来的证据是什么？" is "被两层膜包裹"); then
    without the words after the question word said back at its end ("委员会完成" for "…是在哪里完成的？"
    is "委员会")."""
    asked = _WH_ZH.search(question)
    if not asked:
        return short
    frame = _ZH_CLAUSE_BREAK.split(question[: asked.start()])[-1].strip()
    said = os.path.commonprefix((short, frame))
    if cjk_chars(said) < 3:
        return short
    rest = short[len(said):].lstrip(_ZH_FRAME_JOINT).rstrip(" 的")
    after = question[asked.end():].lstrip(_ZH_WH_ENDS).lstrip(_ZH_FRAME_JOINT)
    tail = next((k for k in range(len(after), 1, -1) if rest.endswith(after[:k])), 0)
    if tail and cjk_chars(rest[:-tail]) >= 2:
        rest = rest[:-tail].rstrip(_ZH_FRAME_JOINT)
    return rest if cjk_chars(rest) >= 2 else short


# A date written in Chinese: a year, with its month and day or not, or a month and day.
_ZH_DATE = re.compile(r"\d{3,4}\s*年(?:\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*[日号號])?)?|\d{1,2}\s*月\s*\d{1,2}\s*[日号號]")


def _zh_date_without_restated_tail(short: str, question: str) -> str:
    """A date that runs on into the question's own words is the date ("1979 年第一次直接选举" for
    "第一次直接选举是什么时候举行的？" is "1979 年"): what follows it says the question back."""
    date = _ZH_DATE.match(short)
    if not date:
        return short
    rest = short[date.end():].strip(_ZH_FRAME_JOINT)
    plain = in_script(question, traditional=is_traditional(rest))
    return date.group() if cjk_chars(rest) >= 2 and rest in plain else short


def without_restated_lead(short: str, question: str) -> str:
    """The answer without a subject made of the question's own words and its copula or reporting verb
    ("Unrestricted Relation Discovery is a technique to discover relations ..." for "What is
    unrestricted relation discovery?" is "a technique to discover relations ..."), when what is left
    says something the question does not; in Chinese, without the question's frame (_without_zh_frame).
    The lead restates; the rest answers."""
    if _in_chinese(question):
        return _zh_date_without_restated_tail(_without_zh_frame(short, question), question)
    m = _LEAD_JOIN.search(short)
    if not m or len(tokens(short[: m.start()])) > _LEAD_WORDS:
        return short
    asked = content_stems(question)
    lead, rest = content_stems(short[: m.start()]), short[m.end():]
    return rest if lead and lead <= asked and content_stems(rest) - asked else short


def _spans(p: Passage) -> list[tuple[int, int, float]]:
    """The passage's sentences as (start, end, score): the scored ones, or split afresh."""
    if p.sentences:
        return sorted(p.sentences)
    return [(p.start + a, p.start + b, 0.0) for a, b in split(p.text)]


def _stem(words: set[str]) -> set[str]:
    """Plural and simple verb endings off ("letters" meets "letter", "writes" meets "write")."""
    return {w[:-1] if len(w) > 3 and w.endswith("s") and not w[0].isdigit() else w for w in words}


def content_stems(text: str) -> set[str]:
    """The text's numbers and content words, stemmed (CJK as character pairs): what it says, to compare."""
    return _stem(_content(tokens(text)))


def wrong_kind(question: str, short: str) -> str:
    """Why the answer is the wrong kind of thing for the question ("" when it is not): a count asked
    and no number given, a name asked and a date or number given, a percentage asked and a number
    in other units given (a table row holds many cells: the model may read the wrong one)."""
    # A digit inside a name ("CEACAM1", "H1N1") is no count.
    has_number = bool(_numbers(tokens(_GLUED_DIGITS.sub("", short))))
    if not has_number and (_COUNT_QUESTION.match(question) or (
            _in_chinese(question) and _COUNT_ZH.search(question) and not _ZH_NUMERAL.search(short))):
        return "the question asks for a number"
    if _in_chinese(question) and _KINDS_ZH.search(question) and _INDIVIDUALS_ZH.search(short):
        return "the question asks how many kinds, and the answer counts individuals"
    if _WHO_QUESTION.search(question) and re.search(r"\d", short):
        return "the question asks for a name"
    if _PERCENT_QUESTION.search(question) and has_number and not _PERCENT.search(short):
        return "the question asks for a percentage"
    if _MEASURE_QUESTION.match(question) and has_number and not re.search(r"[^\W\d_]", short):
        return "the question asks for a measure, and the answer gives no unit"
    if _TIME_QUESTION.match(question) and _DURATION.match(short):
        return "the question asks for a year or decade, and the answer gives a duration"
    if _ONE_YEAR_QUESTION.search(question) and _YEAR_SPAN.search(short):
        return "the question asks for one year, and the answer gives a span"
    if _UNIT_COUNT_QUESTION.search(question) and not _PERCENT_QUESTION.search(question) and "%" in short:
        return "the question asks for a quantity in units, and the answer gives a percentage"
    if _HOW_MANY.match(question) and not _PERCENT_QUESTION.search(question) and _SHARE_ALONE.fullmatch(short):
        return "the question asks how many, and the answer is a percentage"
    if _HOW_MANY.match(question) and _TIME_UNIT.search(short) and not _TIME_UNIT.search(question):
        return "the question counts something, and the answer is a span of time"
    if _SCORE_QUESTION.search(question) and not _SCORE.search(short):
        return "the question asks for a score, and the answer is no two numbers"
    if _FREQUENCY_QUESTION.match(question) and _SHARE_ALONE.fullmatch(short):
        return "the question asks how often, and the answer is a percentage"
    if tables.WHY.search(question) and not re.search(r"[^\W\d_]", short):
        return "the question asks why, and the answer is a number"
    if (things := _THINGS_QUESTION.match(question)) and things.group(1).lower() not in _NUMBERED_THINGS \
            and _BARE_NUMBER.fullmatch(short):
        return f"the question asks which {things.group(1)}, and the answer is a number"
    if (paper := _PAPER_QUESTION.match(question)) and not re.search(r"\d|\b(?:form|schedule|pub|docket)", short, re.I):
        return f"the question asks which {paper.group(1).lower()}, and the answer names none"
    if _COMPARISON.search(short) and not _COMPARES.search(question):
        return "the question asks for a value, and the answer compares it with another"
    if (asked := _ZH_PLACE_ASKED.search(question.strip())) and (named := _ZH_PLACE_NAMED.search(short.strip())) \
            and _ZH_PLACE_LEVELS[level := asked.group(1)] != _ZH_PLACE_LEVELS[named.group(1)]:
        return f"the question asks which {level}, and the answer names a {named.group(1)}"
    if _in_chinese(question) and (thing := _ZH_WHICH_THING.search(question)) and _ZH_BARE_NUMBER.fullmatch(short):
        return f"the question asks {thing.group()}, and the answer is a number"
    if _WHAT_ACTED.match(question) and _DATE_ALONE.fullmatch(short):
        return "the question asks what did it, and the answer is a date"
    if _WHERE_QUESTION.search(question) and (_DATE_ALONE.fullmatch(short) or _TIME_ALONE_ZH.fullmatch(short)):
        return "the question asks where, and the answer is a time"
    if _RANK_QUESTION.search(question) and _FIGURE.fullmatch(short):
        return "the question asks for a rank, and the answer is a figure"
    if _PART_LABEL.fullmatch(short) and not _ASKS_FOR_PART.search(question):
        return "the answer names a table or figure, not what it says"
    if _MANNER_QUESTION.match(question) and (code := _CODE.fullmatch(short.strip())) and not _NOT_CODE.fullmatch(code.group()):
        return "the question asks how or why, and the answer is an identifier"
    if _MANNER_QUESTION.match(question) and _BARE_FIGURE.fullmatch(short):
        return "the question asks how or why, and the answer is a number alone"
    return ""


# A year as Chinese writes one ("1888年"), and a question that counts years ("多少年", "几年"): a year may answer it.
_YEAR_ZH = re.compile(rf"\s*{_YEAR}\s*年\s*")
_YEARS_ASKED_ZH = re.compile(either_script("多少年|几年"))


def dated(question: str, short: str, quote: str) -> str:
    """Why a how-many question's answer is no count ("" when it may be one): a bare year that the
    quote writes only as a date ("1932" for "How many cars cross the Harlow bridge each day?", quoted
    from "The Harlow bridge opened in 1932."; the neighbour "It carries 4,000 cars a day." met the
    question). "2000 guests attended" keeps its 2000. A year that Chinese writes as one ("1888年") is no
    count of anything but years."""
    if _in_chinese(question) and _COUNT_ZH.search(question) and not _YEARS_ASKED_ZH.search(question) \
            and _YEAR_ZH.fullmatch(short):
        return "the question asks how many, and the answer is a year"
    year = _YEAR_ALONE.fullmatch(short)
    if not _HOW_MANY.match(question) or not year:
        return ""
    found = _years_in(year.group(1), quote)
    if found and all(_DATING.search(quote[: m.start()]) for m in found):
        return "the question asks how many, and the answer is a year the quote dates by"
    return ""


def _years_in(year: str, quote: str) -> list[re.Match]:
    """Where the quote says the year as a year: a comma after it ends its clause ("in 1946, and won the cup
    twice"); one before a digit makes it part of a larger number."""
    return list(re.finditer(rf"(?<![\d,.]){year}(?!\d|,\d)", quote))


# A year that closes an enactment's name ("the … Implementation Act of 1998") is the name's.
_ENACTMENT = r"(?:Act|Treaty|Convention|Agreement|Accord|Protocol|Code|Law)"
_NAMED_BY_YEAR = re.compile(rf"(?:[A-Z][\w’'-]*\s+){{1,8}}({_ENACTMENT})\s+of\s+$")


def named_year(question: str, short: str, quote: str) -> str:
    """Why a when-question's year dates nothing the question asks about ("" when it may): the quote has
    the year only in a law's name, and the question names no law ("1998" for "When were the WIPO treaties
    adopted?", quoted from "Title I, the 'WIPO Copyright and Performances and Phonograms Treaties
    Implementation Act of 1998,' implements the WIPO treaties": the treaties are of 1996)."""
    year = _YEAR_ALONE.fullmatch(short)
    if not _WHEN_QUESTION.match(question) or not year or re.search(rf"\b{_ENACTMENT}\b", question):
        return ""
    found = _years_in(year.group(1), quote)
    names = [_NAMED_BY_YEAR.search(quote, 0, m.start()) for m in found]
    if found and all(names):
        return f"the quote has {year.group(1)} only in a name ('… {names[0].group(1)} of {year.group(1)}')"
    return ""


def _said_at(said: str, quote: str) -> list[int]:
    """Where the quote says the answer as words of their own, in any case."""
    return [m.start() for m in re.finditer(rf"(?<!\w){re.escape(said)}(?!\w)", quote, re.I)]


# "a paper entitled Theory of the Earth": what the thing is called.
_ENTITLED = re.compile(r"\b([^\W\d_]+)\s+(?:entitled|titled|called|named)\s+[\"“'‘]?$", re.I)
_ASKS_NAME = re.compile(r"\b(?:name[ds]?|title[ds]?|entitled|called|known|call)\b", re.I)


def titled(question: str, short: str, quote: str) -> str:
    """Why the answer is no answer ("" when it may be one): the quote gives it only as the title of a thing the
    question names, and the question asks something of that thing, not what it is called ("Theory of the Earth"
    for "What was the main idea of James Hutton's paper?", quoted from "he presented a paper entitled Theory of
    the Earth"; XQuAD-en seeds 41, 45 and 61, verified). "What paper did Hutton present?" asks for the title."""
    said = short.strip()
    if not said or _ASKS_NAME.search(question):
        return ""
    asked = content_stems(question)
    found = _said_at(said, quote)
    things = [_ENTITLED.search(quote, 0, at) for at in found]
    if not found or not all(t and (named := content_stems(t.group(1))) and named <= asked for t in things):
        return ""
    thing = things[0].group(1)
    if re.search(rf"\b(?:what|which)\s+(?:[\w'-]+\s+){{0,2}}{re.escape(thing)}", question, re.I):
        return ""  # "In 1785 Hutton presented what paper …?" asks for the title
    return f"the quote gives the answer as the title of the {thing} the question asks about"


# A work the question asks for by its kind, and the title the quote gives it: 'his article, "A Machine to End War"'.
_WORK_ASKED = re.compile(_OPENS + r"(?:what|which)\s+(article|book|novel|poem|song|film|movie|play|paper|essay|album|"
                         r"opera|hymn|newspaper|magazine|painting|lecture|speech)s?\b", re.I)


def titled_otherwise(question: str, short: str, quote: str) -> tuple[str, str]:
    """Why the answer is not the work the question asks for ("" when it may be), and the work's title: the
    quote names a work of the kind asked by a title in quotation marks, and the answer is not in it ("Tesla"
    for "What article was published in 1937?", quoted from 'in his article, "A Machine to End War", published
    in 1937, Tesla stated'; XQuAD-en seed 69, verified)."""
    kind = _WORK_ASKED.match(question)
    if not kind or not short.strip():
        return "", ""
    titles = re.findall(rf"\b{kind.group(1)}s?\b[^\"“”.;]{{0,20}}?[\"“]([^\"“”]{{2,80}}?)[,.]?[\"”]", quote, re.I)
    if not titles or any(short.strip().casefold() in t.casefold() or t.casefold() in short.casefold() for t in titles):
        return "", ""
    return f"the quote names the {kind.group(1).lower()} '{titles[0]}', and the answer is not it", titles[0]


# An exception and what the sentence says of it, to the clause's end: "apart from "We are beggars," which was in German".
_EXCEPTION = re.compile(r"\b(?:apart\s+from|except(?:\s+for)?|other\s+than|with\s+the\s+exception\s+of|save\s+for)\b[^;.]*",
                        re.I)
_ASKS_THE_RULE = re.compile(r"\b(?:most|mostly|mainly|largely|generally|usually|primarily|majority)\b", re.I)


def excepted(question: str, short: str, quote: str) -> str:
    """Why the answer is the exception's ("" when it may be the rule's): the question asks what holds mostly,
    the quote has the answer only in what it excepts, and the question does not name that ("German" for "In
    what language was most of the statement written?", quoted from "The statement was in Latin, apart from "We
    are beggars," which was in German"; XQuAD-en seed 69, verified)."""
    said = short.strip()
    if not said or not _ASKS_THE_RULE.search(question):
        return ""  # "Which coronavirus showed species-specific symptoms?" may well be the one excepted
    found = _said_at(said, quote)
    spans = [m.span() for m in _EXCEPTION.finditer(quote)]
    inside = [next((sp for sp in spans if sp[0] <= at < sp[1]), None) for at in found]
    if not found or not all(inside):
        return ""
    if content_stems(question) & (content_stems(quote[inside[0][0] : inside[0][1]]) - content_stems(said)):
        return ""  # the question names the exception: it asks about it
    return f"the quote has the answer only in what it excepts: '{one_line(quote, *inside[0])}'"


# Where the question sets what it asks: "What was produced at Tesla's company?"
_SETTING = re.compile(r"\b(?:at|in|by|from)\s+(?:the\s+|an?\s+|[\w'’-]+['’]s?\s+)?([^\W\d_]+)\s*[?？]?\s*$", re.I)


def names_the_setting(question: str, short: str) -> str:
    """Why the answer is the place the question sets its asking in, not what it asks ("" when it is not): a
    name of a few words that ends in the question's last noun after "at", "in", "by" or "from" ("electric
    lighting company" for "What was produced at Tesla's company?"; XQuAD-en seed 69, verified). Of the 89 golds
    of XQuAD-en and COVID-QA such questions have, one ends so, a long clause, by chance ("… homeostasis of
    neuronal cells" for RANBP2's role in the cell)."""
    setting = _SETTING.search(question)
    words = re.findall(r"[^\W\d_]+", short)
    if not setting or not 2 <= len(words) <= 4 or \
            _stem({words[-1].casefold()}) != _stem({setting.group(1).casefold()}):
        return ""
    return f"the answer names the {setting.group(1)} the question asks about, not what it asks"


# "as at 21 February 2020": the date a count or a report runs to, not one anything happened on.
_AS_OF = re.compile(r"\bas\s+(?:of|at)\s+(?:the\s+end\s+of\s+)?$", re.I)


def as_of(question: str, short: str, quote: str) -> str:
    """Why a when-question's date is no event's ("" when it may be): the quote has it only as the date its
    account runs to ("21 February 2020" for "When was the first case of COVID-19 identified?", quoted from
    "the epidemiology of the first cases of COVID-19 in this region … as at 21 February 2020"; COVID-QA seed
    65, verified), and the question asks for no such date."""
    if not _WHEN_QUESTION.match(question) or not short.strip() or re.search(r"\bas\s+(?:of|at)\b", question, re.I):
        return ""
    found = _said_at(short.strip(), quote)
    if found and all(_AS_OF.search(quote, 0, at) for at in found):
        return f"the quote gives {short.strip()!r} as the date its account runs to ('as of'), not when it happened"
    return ""


# A who-question asks for a person or a body; "in" before a name makes it where something was.
_WHO_ASKED = re.compile(_OPENS + r"(?:who|whom)\b", re.I)
_PLACED = re.compile(r"(?<![^\W\d_])in\s+$", re.I)


def placed(question: str, short: str, quote: str) -> str:
    """Why a who-question's answer is no one ("" when it may be): the quote gives it only as a place
    ("Paris" for "Who was the medical report written for?", quoted from "the medical faculty in Paris in
    a report to the king of France")."""
    if not _WHO_ASKED.match(question) or not short.strip():
        return ""
    found = list(re.finditer(rf"(?<!\w){re.escape(short.strip())}(?!\w)", quote))
    if found and all(_PLACED.search(quote[: m.start()]) for m in found):
        return "the question asks who, and the quote names the answer as a place"
    return ""


# "<the answer> appointed <someone> as <a post>": the answer is who gave the post, not who held it.
_APPOINTED = (r"\s+(?:appointed|named|nominated|chose|selected|made)\s+(?P<held>[^,;]{2,60}?)"
              r"\s+(?:as|to be)\s+(?P<post>[^,;]{2,60})"
              r"|\s*(?:任命|提名|委任|指定|选定)了?\s*(?P<held_zh>[^，。；,;]{2,20}?)\s*(?:为|担任)\s*(?P<post_zh>[^，。；,;]{2,30})")
_APPOINTING = re.compile(r"\b(?:appoint|name|nominat|chose|choos|select|made|make)|任命|提名|委任|指定|选", re.I)


def appointer(question: str, short: str, quote: str) -> tuple[str, str]:
    """Why a who-question's answer gave the post the question asks about to another ("" when it may hold
    it), and whom it gave it to: "尼克松" for "谁是联邦能源办公室的第一位主任?", quoted from "尼克松任命
    威廉·西蒙 为联邦能源办公室首任主任" (XQuAD-zh seed 53): 威廉·西蒙. A question that asks who
    appointed is answered by the appointer."""
    said = short.strip()
    if not said or not (_WHO_ASKED.match(question) or "谁" in question) or _APPOINTING.search(question):
        return "", ""
    asked = content_stems(question)
    for m in re.finditer(rf"(?<!\w){re.escape(said)}(?:{_APPOINTED})", quote, re.I):
        held, post = (m.group("held"), m.group("post")) if m.group("held") else (m.group("held_zh"), m.group("post_zh"))
        if content_stems(post) & asked and not content_stems(held) & content_stems(said):
            return f"the quote says the answer gave the post to {held.strip()!r}", held.strip()
    return "", ""


# "<words> of <the answer>" in a quote, and the same words' object in the question ("the natural reservoir of
# MERS-CoV", "a natural reservoir of coronavirus"); a wh-word there asks for that object itself.
_OF_PHRASE = r"((?:[^\W\d_][\w'-]*\s+){1,2})of\s+(?:the\s+|an?\s+)?"
_ASKED_OBJECT = r"([^\W\d_][\w'-]*(?:\s+[^\W\d_][\w'-]*){0,3})"
_WH_WORD = re.compile(r"(?:what|which|whose|how)\b", re.I)


def in_the_questions_place(question: str, short: str, quote: str) -> str:
    """Why the answer is no answer ("" when it may be one): the quote puts it where the question puts a thing
    of its own ("MERS-CoV" for "What is a natural reservoir of coronavirus?", quoted from "Bats are believed to
    be the natural reservoir of MERS-CoV"; "hand hygiene" for what there is evidence for the efficacy of hand
    washing). A value is not such a thing ("a mortality rate of more than 35%"), nor is a kind of the question's own
    ("a type of steam engine" for "a type of engine")."""
    said = short.strip()
    if not said or _numbers(tokens(said)):
        return ""
    answer = content_stems(said)
    for m in re.finditer(_OF_PHRASE + rf"{re.escape(said)}(?!\w)", quote, re.I):
        if not content_stems(m.group(1)):
            continue
        asked = re.search(rf"\b{re.escape(' '.join(m.group(1).split()))}\s+of\s+(?:the\s+|an?\s+)?{_ASKED_OBJECT}", question, re.I)
        if not asked or _WH_WORD.match(asked.group(1)):
            continue
        own = content_stems(asked.group(1))
        if own and not own <= answer and not answer <= own:
            return f"the quote puts the answer where the question puts {asked.group(1)!r}"
    return ""


# What "how many" asks to count: "How many pupils …", "how many new teachers …".
_HOW_MANY_WHAT = re.compile(r"\bhow many\s+([^\W\d_][\w'-]*(?:\s+[^\W\d_][\w'-]*)?)", re.I)
# What any word may count: "people" are counted as adults, students or patients (stemmed).
_COUNTED_ANYHOW = frozenset("people person individual time thing item unit member one kind type".split())
# The scale words `tokens` leaves as words ("hundred", "thousand" and "million" it reads as digits already).
_SCALES = frozenset({"billion", "trillion"})
# A rate counts per something else: "108 per 100,000" answers how many cases.
_RATE = re.compile(r"\s*(?:per|out of|of every|in every|a|an)\s", re.I)
# Where the words a number counts end: a clause's punctuation, not a decimal point.
_COUNTED_END = re.compile(r"[,;:()\[\]]|\.(?!\d)")


def _in_its_clause(after: str) -> str:
    """The text after a number up to its clause's end: where the words that say what it counts are."""
    return after[: (end.start() if (end := _COUNTED_END.search(after)) else len(after))]


def counts_another(question: str, short: str, quote: str) -> str:
    """Why a how-many question's number counts something else ("" when it may count what is asked):
    "42" for "How many pupils does Riverbend County serve?", quoted from "Riverbend County operates 42
    public schools across three districts" — the words after the number, up to the clause's end, say
    none of the question's. A number that no word follows, a rate ("108 per 100,000"), or a question that
    counts people, times or things (any noun may name those) is left alone."""
    asked = _HOW_MANY_WHAT.search(question)
    toks = tokens(short)
    if not asked or has_cjk(question) or not toks or not all(t[0].isdigit() or t in _SCALES for t in toks):
        return ""
    what = list(itertools.takewhile(lambda w: w not in STOPWORDS, tokens(asked.group(1))))
    if not what or _stem(set(what)) & _COUNTED_ANYHOW:
        return ""  # "how many of the …" names the thing counted later; people or things, any noun may count
    said = {w for w in content_stems(question) if len(w) > 2}
    counted = []
    for m in re.finditer(rf"(?<![\w.,]){re.escape(short.strip())}(?![\w,]|\.\d)", quote, re.I):
        after = quote[m.end() : m.end() + 80]
        words = _in_its_clause(after).split()[:4]
        named = {w for w in _stem(_content(tokens(" ".join(words)))) if not w[0].isdigit() and w not in _SCALES}
        # A word within another counts as said: "gigatons" for "tons", "interceptions" for "intercept".
        if not named or _RATE.match(after) or any(s in w or w in s for w in named for s in said):
            return ""
        counted.append(" ".join([m.group(), *words]))
    if not counted:
        return ""
    return f"the question counts {' '.join(what)}; the quote's {short.strip()} counts something else ('{counted[0]}')"


# "What caused X?", "What should have reduced X?": the question asks what did it; its verb, in the past.
_WHAT_DID_IT = re.compile(_OPENS + r"what\s+(?:(?:should|could|might|would|can|will|may|must)\s+(?:have\s+)?|(?:has|have|had)\s+)?"
                          rf"((?!\w*eed\b)[a-z]{{3,}}ed|{'|'.join(_PARTICIPLES)})\s", re.I)


def done_to(question: str, short: str, quote: str) -> str:
    """Why the answer is what the question's deed was done to, not what did it ("" when it may be the doer):
    "the effective reproductive number" for "What should have reduced the basic reproduction number in
    January?", quoted from "Control measures … should have reduced the effective reproductive number" —
    everywhere the quote says the answer, it follows the question's verb as its object."""
    asked = _WHAT_DID_IT.match(question)
    if not asked or not short.strip():
        return ""
    verb = asked.group(1)
    found = [m.start() for m in re.finditer(re.escape(short.strip()), quote, re.I)]
    if found and all(re.search(rf"\b{re.escape(verb)}\s+(?:the\s+|an?\s+|its\s+|their\s+)?$", quote[:at], re.I) for at in found):
        return f"the question asks what {verb} it, and the quote says the answer was {verb}"
    return ""


# "What is possible in many settings?": what the question says of its answer, after the copula. Before "the"
# a what-is question asks what the thing is ("What is the capital of France?"); "What has become the secret
# to growth?" asks for its subject whatever follows.
_BECOME = r"has\s+become|have\s+become|had\s+become|became|becomes"
_WHAT_IS_SAID = re.compile(_OPENS + r"what\s+(?:(?:is|are|was|were)\s+"
                           r"(?!(?:the|an?|this|that|these|those|its|their|his|her)\b)"
                           rf"|(?:{_BECOME})\s+)([a-z][\w-]*(?:\s+[\w-]+){{1,}})\s*\?\s*$", re.I)
_SUBJECT_START = re.compile(r"(?:^|[.;:]\s+|,\s+(?:and|but|while)\s+)(?=[^.;:]*$)")
# A clause that leads into the main one and ends at its comma: "But now that human capital is scarcer than
# machines, widespread education has become the secret to growth."
_LEADING_CLAUSE = re.compile(r"\W*(?:(?:but|and|yet|so)\s+)?(?:now\s+that|although|though|because|since|when|while|"
                             r"whereas|if|unless|after|before|as|once)\b[^,]*,", re.I)


def said_of_another(question: str, short: str, quote: str) -> str:
    """Why the answer is not what the question says something of ("" when it may be): the quote says the
    question's words of its clause's subject, and has the answer only after them ("published protocols for
    local production" for "What is possible in many resource-limited settings?", quoted from "Widespread
    introduction of alcohol-based hand rubs is also possible in many resource-limited settings, with
    published protocols for local production"; COVID-QA seeds 49 and 57, verified), or only in a clause
    that leads into the subject's ("human capital is scarcer than machines" for "What has become the secret
    to economic growth?", from "But now that human capital is scarcer than machines, widespread education
    has become the secret to growth"; XQuAD-en seed 65, verified)."""
    asked = _WHAT_IS_SAID.match(question)
    if not asked or not short.strip():
        return ""
    said = asked.group(1).split()[:3]
    words = r"\s+".join(map(re.escape, said))
    stated = re.search(rf"\b(?:is|are|was|were|{_BECOME})\s+(?:(?:also|often|usually|now|only|not)\s+)?{words}\b", quote, re.I)
    if not stated:
        return ""
    opens = _SUBJECT_START.search(quote, 0, stated.start())
    start = opens.end() if opens else 0
    subject = quote[start : stated.start()]
    found = [m.start() for m in re.finditer(re.escape(short.strip()), quote, re.I)]
    lead = _LEADING_CLAUSE.match(quote, start, stated.start())
    if lead and found and all(start <= at and at + len(short.strip()) <= lead.end() for at in found):
        subject = quote[lead.end() : stated.start()]  # the answer is only in the clause that leads in
    elif not (found and all(at >= stated.end() for at in found)):
        return ""
    if not content_stems(subject):
        return ""
    return f"the quote says '{' '.join(said)}' of {' '.join(subject.split()[-6:])!r}, not of the answer"


# A name written in Chinese from another language, its parts joined by a middle dot (安迪·泰勒): the two
# characters either side of the dot are what a sentence naming the person says.
_ZH_FOREIGN_NAME = re.compile(rf"([{CJK_CHARS}]{{2}})\s*[·•・‧]\s*([{CJK_CHARS}]{{2}})")


def another_person(question: str, quote: str) -> str:
    """Why the quote is about someone else ("" when it may be about the question's person): the question
    names a person by a name in middle-dot form, and the quote names another so and not this one ("英伦玩咖"
    for "纽卡斯尔本地人安迪·泰勒是哪个乐队的前首席吉他手?", verified from the next sentence, "布莱恩·约翰逊在
    成为AC/DC的主唱之前是当地摇滚乐队英伦玩咖的成员。": 安迪·泰勒 is in the one before)."""
    asked = _ZH_FOREIGN_NAME.findall(question)
    if not asked or not _ZH_FOREIGN_NAME.search(quote) or any(part in quote for name in asked for part in name):
        return ""
    return "the quote names another person, not the one the question asks about"


_ACTIVE_ASKED = re.compile(_OPENS + r"(?:who|what|which(?:\s+[^\W\d_]+){1,2})\s+([a-z]+)\b", re.I)
# "Who was the data compiled by?", "By whom was the data compiled?"
_PASSIVE_ASKED = re.compile(_OPENS + r"(?:who\b.*\b([a-z]+)\s+by|by whom\b.*\b([a-z]+))\s*[?？]?\s*$", re.I)
# Who did it, as the quote names them: a capitalised run after "<participle> by", to the clause's end;
# "and" goes on to a second name ("founded by Larry Page and Sergey Brin"), not to a second verb
# ("compiled by Nafzger and assigned to Lowry Digital"); an initial's full stop ends no name ("Maria C. Tiddeman").
_AGENT = (r"\s+(?i:by)\s+((?:the\s+|an?\s+)?[A-Z](?:[^,;:()]*?))"
          r"(?=\s*(?:[,;:()]|(?<!\b[A-Z])\.)|\s+(?:and|but|while|which|who|that|where)\s+[a-z]|$)")


def _asked_deed(question: str) -> str:
    """The past participle of what the question asks who did ("compiled" for "Who compiled the data?")."""
    if passive := _PASSIVE_ASKED.match(question):
        return (passive.group(1) or passive.group(2)).lower()
    active = _ACTIVE_ASKED.match(question)
    verb = active.group(1).lower() if active else ""
    return verb if verb.endswith("ed") else _PARTICIPLES.get(verb, "")


# "Who was the translator of the hymn?" asks who did a deed by its doer's noun; the quote names the doer
# by the deed ("translated by X") or by its noun's owner ("X's translation").
_DOER = re.compile(_OPENS + r"who\s+(?:is|was|are|were)\s+(?:the|its|his|her|their)\s+(?:[^\W\d_]+\s+)?"
                   r"(translat|compos|design|found|invent|creat|direct|produc|publish|edit|discover|paint|develop)(?:e?r|or)\b",
                   re.I)
_OWNER = r"([A-Z][\w.-]*(?:\s+[A-Z][\w.-]*){0,3})['’]s\s+(?:[a-z]+\s+)?"


def done_by_another(question: str, short: str, quote: str) -> str:
    """Why the quote gives the question's deed to someone else ("" when it may not): the question asks who
    did it, the quote says it was done by a name, and the answer shares no word with that name ("Lowry
    Digital" for "Who compiled the original surviving Apollo 11 landing data?", quoted from "… was compiled
    by Nafzger and assigned to Lowry Digital for restoration."; "Maria C. Tiddeman", who composed its tune, for
    the hymn's English translator, quoted from "… known in English by John C. Messenger's translation")."""
    if doer := _DOER.match(question):
        stem = doer.group(1)
        named = rf"(?i:\b{stem}[a-z]*(?:\s+in\s+\d{{4}})?){_AGENT}|{_OWNER}(?i:{stem}[a-z]*)\b"
        agents = [m.group(1) or m.group(2) for m in re.finditer(named, quote)]
        said = content_stems(short)
        if agents and not any(said & content_stems(agent) for agent in agents):
            return f"the quote gives the question's {doer.group(0).split()[-1]} as {agents[0]}"
        return ""
    deed = _asked_deed(question)
    if not deed:
        return ""
    agents = [m.group(1) for m in re.finditer(rf"(?i:\b{re.escape(deed)}){_AGENT}", quote)]
    said = content_stems(short)
    if not agents or any(said & content_stems(agent) for agent in agents):
        return ""
    return f"the quote says '{deed} by {agents[0]}'"


def another_thing(question: str, quote: str) -> str:
    """Why the quote is about another thing of the question's kind ("" when it may be this one): it says
    the question's phrase with its middle word swapped for a word the question does not use ("Skyclad", quoted
    from "the first folk metal band", for "What band is considered by many to be the first black metal
    group?"). The swapped words differ in their first letter, so an inflection ("took" for "take") or an
    abbreviation ("TV" for "television") is no other thing; a misspelling is left alone for the same reason."""
    asked, said = tokens(question), tokens(quote)
    said_stems, asked_stems = _stem(set(said)), _stem(set(asked))
    for before, word, after in zip(asked, asked[1:], asked[2:]):
        if not (_is_term(before) and _is_term(word) and _is_term(after)) or _stem({word}) & said_stems:
            continue
        for b, other, a in zip(said, said[1:], said[2:]):
            if (b, a) == (before, after) and _is_term(other) and other[0] != word[0] and not _stem({other}) & asked_stems:
                return f"the quote says '{before} {other} {after}', the question asks about '{before} {word} {after}'"
    return _another_numbered(question, quote)


# A numbered thing: a code of letters and digits and the word it numbers ("S1 subunit", "CD8 cells", "H7N9 virus").
_NUMBERED_THING = re.compile(r"(?<![\w-])([A-Za-z]{1,4}-?\d{1,3}(?:[A-Za-z]{1,2}\d{1,3})?)\s+([^\W\d_]{3,})")


def _another_numbered(question: str, quote: str) -> str:
    """Why the quote is about another of the question's numbered things ("" when it may be this one): it says
    the question's word after another code of the same pattern, and never the question's code ("99% identity",
    quoted from "the S2 subunit of 2019-nCoV … shares 99% identity", for how the S1 subunits compare; COVID-QA
    seed 57). The numbered word may be singular in one and plural in the other ("subunit", "subunits")."""
    for code, word in _NUMBERED_THING.findall(question):
        if re.search(rf"(?<![\w-]){re.escape(code)}(?![\w-])", quote, re.I):
            continue
        for other, said in _NUMBERED_THING.findall(quote):
            if _shape(other.upper()) == _shape(code.upper()) and _stem({said.lower()}) == _stem({word.lower()}):
                return f"the quote says '{other} {said}', the question asks about '{code} {word}'"
    return ""


def _is_term(token: str) -> bool:
    """A content word of the Latin script: neither a stopword, a number nor a CJK character."""
    return len(token) > 1 and token.isalpha() and token.isascii() and token not in STOPWORDS


# Where a sentence's clauses part: what one clause dates, another may date otherwise.
_CLAUSE_PARTS = re.compile(r"[;,()（），；]|\b(?:and|but|while|whereas|although|though)\b", re.I)


def dated_otherwise(question: str, short: str, quote: str) -> str:
    """Why the quote dates the answer by another number than the question's ("" when it may not): the
    quote holds the question's number, but the answer only in clauses with another number of its length
    ("Tesla" for "Who received a bid in 1915?", from "… Edison did receive one of 38 possible bids in 1915
    and Tesla did receive one of 38 possible bids in 1937"). An answer that is itself a number is left to
    the question: "In what year … more extreme than 2005?" is answered by another year."""
    stated = stated_numbers(question)
    if not stated or not short or any(ch.isdigit() for ch in short):
        return ""
    clauses = [(clause, stated_numbers(clause)) for clause in _CLAUSE_PARTS.split(quote)]
    holding = [numbers for clause, numbers in clauses if short.casefold() in clause.casefold()]
    if not holding or any(stated & numbers for numbers in holding) or not any(stated & n for _, n in clauses):
        return ""
    lengths = {len(n) for n in stated}
    if any(len(n) in lengths for numbers in holding for n in numbers - stated):
        return "the quote gives the question's number to another, and the answer another number"
    return ""


# Where a list's items part: a comma or semicolon before a space (not the one inside "30,547"), or a joining word.
_ITEM_PARTS = re.compile(r"[,;]\s|[，；]|\b(?:and|but|while|whereas)\b", re.I)
_FIGURE_ALONE = re.compile(r"\d[\d,.]*\s*%?")


def _quantities(text: str) -> set[str]:
    """The text's numbers that are no year."""
    return {n for n in _numbers(tokens(text)) if not _A_YEAR.fullmatch(n)}


def _asked_terms(question: str) -> set[str]:
    """The question's content words of the Latin script, stemmed: what a part of a quote says of it."""
    return {w for w in content_stems(question) if _is_term(w)}


def another_item(question: str, short: str, quote: str) -> str:
    """Why the answer's figure belongs to another item of the quote's list of figures ("" when it may not):
    the answer is a figure, the quote gives figures in three parts or more, and another part, with a figure
    of the same kind, says more of the question's words than the part that holds the answer ("7.4%" for
    "What was the percentage of a female householder with no husband present?", quoted from "… 30,547
    (19.3%) had a female householder with no husband present, 11,698 (7.4%) had a male householder with no
    wife present")."""
    asked = _asked_terms(question)
    if not asked or not _FIGURE_ALONE.fullmatch(short.strip()) or not (figures := _quantities(short)):
        return ""
    parts = [(len(asked & content_stems(part)), part, found) for part in _ITEM_PARTS.split(quote)
             if (found := _quantities(part))]
    holding = [said for said, part, found in parts if figures & found and short.strip() in part]
    if len(parts) < 3 or not holding:
        return ""
    for said, part, found in parts:
        if said > max(holding) and said >= 2 and found - figures and ("%" in part) == ("%" in short):
            return f"another part of the quote says more of the question's words: '{one_line(part)}'"
    return ""


# Where a quote's parts end: at a clause's break (_CLAUSE_PARTS) or at a sentence's end, which a quote that runs
# over two sentences holds ('"an electrical transmitter." When Guglielmo Marconi made …').
_QUOTE_PARTS = re.compile(rf"{_CLAUSE_PARTS.pattern}|[.!?][\"”’]?\s+(?=[A-Z])", re.I)
# A name as a quote writes it: capitalised words in a row, with the particles inside names ("Ludwig Mies van der
# Rohe", "School of Social Service Administration").
_NAME_RUN = re.compile(r"(?<![\w'’-])[A-Z][\w'’-]*(?:\s+(?:(?:of|de|van|der|von|du|da|la|le)\s+)*[A-Z][\w'’-]*)*")
_ABBREVIATION_BRACKETS = re.compile(r"\([A-Z][A-Za-z0-9-]{1,9}\)")
_SENTENCE_OPENS = re.compile(r"(?:^|[.!?:;\"“”(])\s*$")


def _plain(word: str) -> str:
    """The word without its accents: "Maizière" is the "Maiziere" a question writes."""
    return "".join(ch for ch in unicodedata.normalize("NFKD", word.casefold()) if not unicodedata.combining(ch))


def _of_kind(short: str, question: str, quote: str) -> list[tuple[int, str]] | None:
    """Where the quote gives other years, where the answer is a year alone, or other names, where the answer
    is a name alone (its words capitalised, not all of them the question's), as (offset, year or name): a
    year the question does not state; a name that is not the answer's, holds none of the question's names
    ("Kublai Khan" is the one it asks about), is not only the question's words ("the Respondent" for "Who
    argued on behalf of the respondent?") and does not merely open a sentence ("Other predecessors …"). None
    for any other answer."""
    if year := _YEAR_ALONE.fullmatch(short):
        stated = stated_numbers(question) | {year.group(1)}
        periods = [m.span() for m in _YEAR_SPAN.finditer(quote)]  # "its 1998–2002 jingles": a period, no year
        return [(m.start(), m.group()) for m in _A_YEAR.finditer(quote)
                if m.group(1) not in stated and not any(a <= m.start() < b for a, b in periods)]
    words = [w for w in re.findall(r"[^\W\d_][\w'’.-]*", short) if w.casefold() not in _GLUE]
    asked = set(tokens(question))
    if not words or any(ch.isdigit() for ch in short) or not all(w[0].isupper() for w in words) \
            or {w.casefold() for w in words} <= asked:
        return None
    first = TOKEN.findall(question)[:1]
    own, said = {_plain(w) for w in words}, {_plain(w) for w in asked}
    names = {_plain(w) for w in named_words(question) | {w.casefold() for w in first if w[0].isupper()}} - STOPWORDS
    found = []
    for m in _NAME_RUN.finditer(quote):
        run = {_plain(w) for w in tokens(m.group())}
        if run & (own | names) or (_SENTENCE_OPENS.search(quote[: m.start()]) and len(run) == 1) or run <= said | STOPWORDS:
            continue
        found.append((m.start(), m.group()))
    return found


_OPEN_QUOTES = ("“", '"', "‘", "'", "「", "『")
_RELATIVE = re.compile(r"\s*(?:who|whom|whose|which)\b", re.I)
_JOINS = re.compile(r"\b(?:and|but|while|whereas|although|though)\b", re.I)
_EXAMPLE = re.compile(r"\s*(?:such as|including|like|namely|notably|especially|e\.g\.|for example)\b", re.I)


def _answer_parts(quote: str, parts: list[tuple[int, int]], short: str, said_at: list[int]) -> set[int]:
    """The parts that say the answer, and those that speak of it: the class an example is of ("the pro-reform
    and Gallican Roman Catholics, such as Jacques Lefevre"), what a name alone is in apposition to ("the
    deputy director of the Office of Manned Space Flight, Joseph Shea"), what the words in quotation marks
    are ("a paper label, with the words “DRINK ME”"), and a relative clause or a
    parenthesis after it ("John Elway, who led the Broncos to victory in Super Bowl XXXIII", "Ogród Saski
    (the Saxon Garden)")."""
    text = [quote[a:b] for a, b in parts]
    alone = re.compile(rf"\s*(?:(?:and|or|called|named|known as|the|an?)\s+)*{re.escape(short)}[\s.,;:)]*", re.I)
    holding = {k for k, (a, b) in enumerate(parts) for at in said_at if a < at + len(short) and at < b}
    quoted = {k for k in holding for at in said_at if parts[k][0] <= at < parts[k][1] and quote[:at].rstrip().endswith(_OPEN_QUOTES)}
    holding |= {k - 1 for k in holding if k and (_EXAMPLE.match(text[k]) or alone.fullmatch(text[k]) or k in quoted)}
    return holding | {k + 1 for k in holding if k + 1 < len(parts) and (
        _RELATIVE.match(text[k + 1]) or "(" in quote[parts[k][1] : parts[k + 1][0]])}


def another_part(question: str, short: str, quote: str) -> tuple[str, str]:
    """Why another part of the quote answers ("" when it may not), and the year or name that part gives when
    it gives one: the answer is a year or a name, and another part of the quote (a clause, a list's item, a
    sentence), which holds a year or a name of its own, says two of the question's words or more: more than
    the answer's parts for a year, where the answer's parts (`_answer_parts`) say none for a name. A part
    that names nothing of the kind is read on into the next, as an apposition is ("the Master, another
    renegade Time Lord"). From XQuAD-en: "1915" for "In what year did Tesla receive a Nobel Prize bid?",
    quoted from "Edison did receive one of 38 possible bids in 1915 and Tesla did receive one of 38 possible
    bids in 1937" (the part gives 1937); "Cybermen" for "What enemy of Doctor Who is also a Time Lord?", from
    "… the Daleks, the Cybermen, and the Master, another renegade Time Lord" (it gives Master)."""
    short = short.strip()
    others = _of_kind(short, question, quote)
    asked = _asked_terms(question)
    said_at = [m.start() for m in re.finditer(re.escape(short), quote, re.I)]
    if not others or not said_at or not asked:
        return "", ""
    # An abbreviation's brackets part nothing: "outbreaks as recorded by the World Health Organization (WHO) occur
    # in the continent of Africa" is one clause (COVID-QA seed 17: "Africa" was refuted by its subject).
    abbreviations = [m.span() for m in _ABBREVIATION_BRACKETS.finditer(quote)]
    bounds = [0, *(x for m in _QUOTE_PARTS.finditer(quote) if not any(a <= m.start() < b for a, b in abbreviations)
                   for x in (m.start(), m.end())), len(quote)]
    parts = [(a, b) for a, b in zip(bounds[::2], bounds[1::2]) if quote[a:b].strip()]
    holding = _answer_parts(quote, parts, short, said_at)
    if not holding:
        return "", ""
    found = [any(a <= at < b for at, _ in others) for a, b in parts]
    # A part is read on into the next across a comma, not across a conjunction: in "Scheele, in Uppsala, in
    # 1773 or earlier, and Joseph Priestley in Wiltshire, in 1774" Priestley's year is the one after him.
    reach = [b if k + 1 == len(parts) or found[k + 1] or k + 1 in holding or _JOINS.search(quote[b : parts[k + 1][0]])
             else parts[k + 1][1] for k, (a, b) in enumerate(parts)]
    said = [len(asked & content_stems(quote[a:z])) for (a, _), z in zip(parts, reach)]
    most = max([said[k] for k in holding] + [len(asked & content_stems(quote[parts[min(holding)][0] : reach[max(holding)]]))])

    def lists_answer(k: int) -> bool:
        """The part (read on) opens a parenthesis that holds the answer: it is what the list in it names,
        for each item ("their luxury divisions (Acura, Lexus and Infiniti, respectively)")."""
        inside = re.match(r"[\s,;]*\([^)]*", quote[reach[k]:])
        return inside is not None and any(reach[k] < at < reach[k] + inside.end() for at in said_at)

    enough = (lambda k: said[k] > most) if _YEAR_ALONE.fullmatch(short) else (lambda k: not most)
    for k, (a, b) in enumerate(parts):
        if k not in holding and found[k] and said[k] >= 2 and enough(k) and not lists_answer(k) \
                and not _other_end(question, quote[a : reach[k]]):
            given = {other for at, other in others if a <= at < reach[k]}
            return (f"another part of the quote says more of the question's words: '{one_line(quote, a, reach[k])}'",
                    given.pop() if len(given) == 1 else "")
    return "", ""


# The two ends of a sequence: a part about the first one says nothing of the last.
_ENDS = (({"first", "initial"}, {"last", "final"}), ({"earliest"}, {"latest"}), ({"oldest", "eldest"}, {"newest", "youngest"}))


def _other_end(question: str, part: str) -> bool:
    """The part is about the other end of what the question asks the end of: "Simpson's first Doctor Who score
    was Planet of Giants (1964)" for "What was the last Doctor Who episode that Dudley Simpson wrote music
    for?" (XQuAD-en seed 21: the right "The Horns of Nimon" was replaced by "Planet of Giants")."""
    asked, said = set(tokens(question)), set(tokens(part))
    return any(asked & one and said & other and not asked & other
               for pair in _ENDS for one, other in (pair, pair[::-1]))


# A change told as two figures and two years: "rose from 415,000 to 587,000 square kilometres between 1991
# and 2000", "fell from 4.1% in 2019 to 3.2% in 2020". Each figure is the state at its year.
_NUM = r"(\d[\d,.]*\d%?|\d%?)"
_FROM_TO = re.compile(rf"\bfrom\s+(?:about\s+|around\s+)?{_NUM}(?:\s+in\s+({_YEAR}))?[^.;]{{0,40}}?\bto\s+"
                      rf"(?:about\s+|around\s+)?{_NUM}(?:\s+in\s+({_YEAR}))?", re.I)
_YEAR_PAIR = re.compile(rf"(?:between|from|in)\s+({_YEAR})\s*(?:and|to|[-–—])\s*({_YEAR})\b", re.I)


def figure_for_another_year(question: str, short: str, quote: str) -> tuple[str, str]:
    """Why the answer is the figure of the change's other year ("" when it may not), and the figure of the
    question's year: the question states one year, and the quote gives a change from one figure to another
    between two years, the answer's figure at the other one ("587,000" for "How many square kilometres of the
    Amazon forest was lost by 1991?", quoted from "Between 1991 and 2000, the total area of forest lost in the
    Amazon rose from 415,000 to 587,000 square kilometres": 415,000)."""
    asked = {n for n in stated_numbers(question) if _A_YEAR.fullmatch(n)}
    said = {_norm(n) for n in re.findall(_NUM, short)}
    if len(asked) != 1 or not said or said & asked:
        return "", ""
    year = asked.pop()
    for change in _FROM_TO.finditer(quote):
        first, first_year, last, last_year = change.groups()
        if not (first_year and last_year) and (pair := _YEAR_PAIR.search(quote)):
            first_year, last_year = pair.groups()
        figures = {first_year: first, last_year: last}
        normed = {_norm(n) for n in figures.values()}
        if year in figures and len(figures) == 2 and _norm(figures[year]) not in said and said & normed:
            return f"the quote gives {figures[year]} for {year}, and the answer is the figure for another year", figures[year]
    return "", ""


# A list's items: parted by commas and "and", a parenthesis or a clause's mark ending the list.
_LIST_SPAN = re.compile(r"[^()\[\];:.]+")
_ITEM_JOINT = re.compile(r",\s*(?:and\s+)?|\s+and\s+", re.I)


def _short_items(text: str, at: int) -> list[str]:
    """The run of short items (three words at most) around position `at` of the text's list ("Honda,
    Toyota and Nissan" in "After the oil crisis, Honda, Toyota and Nissan, affected by the restraints, …")."""
    span = next((m for m in _LIST_SPAN.finditer(text) if m.start() <= at < m.end()), None)
    if span is None:
        return []
    items, start = [], span.start()
    for joint in [*_ITEM_JOINT.finditer(span.group()), None]:
        end = span.start() + joint.start() if joint else span.end()
        items.append((start, text[start:end].strip()))
        start = span.start() + joint.end() if joint else end
    run: list[str] = []
    for begin, item in items:
        if item and len(item.split()) <= 3 and item.casefold() != "respectively":
            run.append(item)
        elif begin > at:
            break
        else:
            run = []
    return run if len(run) >= 2 else []


def paired_otherwise(question: str, short: str, quote: str) -> tuple[str, str]:
    """Why the quote pairs the answer with another of the question's kind ("" when it may not), and the item
    it pairs with the question's: the quote
    pairs two lists "respectively", the answer is an item of one, and the question names the item of the
    other list at another place ("Infiniti" for "Name a luxury division of Toyota.", quoted from "Honda,
    Toyota and Nissan … established their luxury divisions (Acura, Lexus, and Infiniti, respectively)")."""
    answer = short.strip().casefold()
    if "respectively" not in quote.casefold() or (at := quote.casefold().find(answer)) < 0:
        return "", ""
    own = _short_items(quote, at)
    if answer not in (items := [i.casefold() for i in own]):
        return "", ""
    asked = content_stems(question)
    for name in sorted(named_words(question)):
        for m in re.finditer(rf"\b{re.escape(name)}\b", quote, re.I):
            names = _short_items(quote, m.start())
            places = [k for k, item in enumerate(names) if content_stems(item) <= asked]
            if len(names) == len(own) and names != own and len(places) == 1 and places[0] != items.index(answer):
                return f"the quote pairs {names[places[0]]} with {own[places[0]]}, respectively", own[places[0]]
    return "", ""


# When something was done: "When was …?", "In what year …?". A year of the answer's own.
_WHEN_QUESTION = re.compile(rf"{_OPENS}(?:when\b|{_WHICH}(?:{_PERIODS}|date|day)\b)", re.I)
# A number a label opens, or one letters run on from, names a thing: "Form 1040", "section 1201", "1040NR".
_LABELS = "Form No. Section § Publication Pub. Schedule Table Figure Fig. Chapter Part Rule Article Item Line Docket Vol.".split()
_LABELLED = "".join(f"(?<!{re.escape(label)} )(?<!{re.escape(label.lower())} )" for label in _LABELS)
# "In 1900, Tesla …" holds a year; "1,900" holds none, nor does "Form 1040"; "the 1990s" does. The labels are
# looked behind only where a year begins: at every character, their 38 look-behinds made it 12 times slower.
_A_YEAR = re.compile(rf"(?<![\d,.§])(?={_YEAR}){_LABELLED}({_YEAR})(?!\d|,\d|(?!s\b)[A-Za-z])")


def dated_for_another_deed(question: str, short: str, quote: str) -> tuple[str, str]:
    """Why the quote gives the answer's year to another deed than the question's ("" when it may not), and
    the deed's year where it gives one: the question asks when something was done, the quote says that verb
    only in a clause with another year, and the answer's year only in clauses without it ("1962" for "When
    was the first plastome sequenced?", quoted from "Its existence was first proved in 1962, and first
    sequenced in 1986": 1986)."""
    years = set(_A_YEAR.findall(short))
    deeds = _stem({w for w in re.findall(r"\b[a-z]{2,}\b", question)
                   if (w.endswith("ed") and len(w) > 4) or w in _PARTICIPLES.values()})
    if not _WHEN_QUESTION.match(question) or len(years) != 1 or not deeds:
        return "", ""
    year = years.pop()
    clauses = [(set(_A_YEAR.findall(c)), _stem(set(tokens(c))) & deeds) for c in _CLAUSE_PARTS.split(quote)]
    if any(year in dated and done for dated, done in clauses):
        return "", ""
    deed_years = set().union(*(dated for dated, done in clauses if dated and year not in dated and done))
    if any(year in dated for dated, _ in clauses) and deed_years:
        return ("the quote dates the question's deed by another year, and the answer's year by another deed",
                deed_years.pop() if len(deed_years) == 1 else "")
    return "", ""


# Words that deny what follows them. Not "no": in a transcript it is as often an answer ("No, we
# should use rubber") as a denial. "n't" is read as "not" first: tokens() splits it to a bare "t",
# and the "T" of "CD4 T cells" is no negation.
_NEGATORS = frozenset("not nothing never neither nor cannot without".split())
_NOT = re.compile(r"n[’']t\b", re.I)
# How far before a word a negator still denies it: "nothing in section 512 requires".
NEGATION_REACH = 4


# A negation reaches no further than its clause: "does not require X, but requires Y".
_CLAUSE_END = re.compile(r"[,;:()]|\b(?:but|however|instead|rather|whereas|although|though)\b", re.I)


def _denied(text: str) -> tuple[set[str], set[str], bool]:
    """The content words a negator comes before in their clause (within NEGATION_REACH) and those
    said without one, stemmed; and whether the text negates anything."""
    denied, said, negates = set(), set(), False
    for clause in _CLAUSE_END.split(text):
        toks = tokens(_NOT.sub(" not", clause))
        negates |= bool(_NEGATORS.intersection(toks))
        for i, t in enumerate(toks):
            if t not in _NEGATORS and _content([t]):
                (denied if _NEGATORS.intersection(toks[max(0, i - NEGATION_REACH) : i]) else said).add(t)
    return _stem(denied), _stem(said), negates


# "not only causes X but also Y" states X: no denial.
_NOT_ONLY = re.compile(r"\bnot\s+(?:only|just|merely|simply)\b", re.I)


def denied(question: str, short: str, quote: str) -> str:
    """Why the quote denies the answer ("" when it may state it): before the answer, in its clause, a
    negator comes before one of the question's words, and the question denies nothing ("circumventing a
    technological measure that prevents copying" for "What does section 1201 prohibit?", quoted from
    "section 1201 does not prohibit the act of circumventing a technological measure that prevents copying")."""
    _, asked, negates = _denied(question)
    if negates or not short:
        return ""
    for clause in _CLAUSE_END.split(_NOT_ONLY.sub(" ", quote)):
        at = clause.casefold().find(short.casefold())
        if at >= 0 and (words := _denied(clause[:at])[0] & asked):
            return f"the quote says not '{sorted(words)[0]}' before the answer"
    return ""


def contradicts(claim: str, sentence: str) -> bool:
    """`sentence` denies a word that `claim` states without any negation, and never states it plainly:
    "The DMCA requires service providers to monitor their service" from "nothing in section 512
    requires a service provider to monitor its service" (a focus summary's, verified by word overlap).
    Either side with a negation of its own is left to the overlap check: "need not monitor" says
    what "nothing requires to monitor" does."""
    claim_denied, claim_said, claim_negates = _denied(claim)
    sentence_denied, sentence_said, sentence_negates = _denied(sentence)
    if claim_negates:
        return not sentence_negates and bool(claim_denied & (sentence_said - claim_said))
    return bool(sentence_denied & (claim_said - sentence_said))


def undefined(question: str, sentence: str) -> str:
    """Why `sentence` cannot answer a request for a definition ("What is working memory?"): it does not
    say what the thing is ("People extend their working memory with notes" was the quote of "People"),
    neither with a verb nor in a gloss in brackets ("two related clades (genetic branches)"; not an
    acronym's: "working memory (WM)")."""
    m = _DEFINITION_QUESTION.match(question)
    if not m or re.search(r"\b(?:of|for|in|on|to|by|with|from|at|about)\b", m.group(2), re.I):
        return ""
    thing = r"\W+".join(map(re.escape, m.group(2).split()))
    said = re.search(rf"\b{thing}\w*\W+(?:[^\W\d_]+\W+){{0,2}}?(?:{_COPULAS})\b", sentence, re.I) or \
        re.search(rf"\b{thing}\w*\s*\((?-i:\s*[a-z])[^)]*\)", sentence, re.I)  # glossed: "clades (genetic branches)"
    return "" if said else f"the question asks what {m.group(2)} {m.group(1)}, and the sentence does not say"


# "What is the name of the ship's captain in ...?": the thing named is a captain (the last word
# before a preposition or a relative clause).
_NAME_OF = re.compile(
    r"\bname of (?:the |a |an |this |that |its |his |her |their )?((?:[\w\-]+(?:'s?)? ){0,3}?[\w\-]+)"
    r"(?=\s+(?:who|whom|that|which|where|when|for|in|of|on|at|from|to|by|with|during|used)\b|\s*\?|\s*$)", re.I)


def unnamed(question: str, short: str, context: str) -> str:
    """Why `context` (the quote with its neighbours) does not give the name a "name of the X" question
    asks for: neither it nor the answer says X ("Felix" for the captain in Frankenstein's letters,
    quoted from "the letters of Felix and Safie ... seen from our ship")."""
    m = _NAME_OF.search(question)
    if not m:
        return ""
    head = m.group(1).split()[-1]
    said = _stem(_terms(tokens(context)) | _terms(tokens(short)))
    return "" if _stem({head.casefold()}) <= said else f"the question asks for a {head}'s name, and the quote names no {head}"


# A question that ends on what a thing is called: "What was Alice's cat called?", "What is the river named?"
_CALLED = re.compile(r"\b(?:called|named)\s*[?？]?\s*$", re.I)


def a_kind(question: str, short: str, quote: str) -> str:
    """Why the quote gives a kind of thing, not the name a "name of" or "called" question asks for: it says the
    capitalised answer after "a" or "an", and a name takes no such article ("Cheshire Cat" for "What is
    the name of Alice's cat?", quoted from "It's a friend of mine—a Cheshire Cat"; her cat is Dinah). An
    answer in lower case is the name of a kind, which is what such a question then asks for ("guru" for
    "What is the name of the spiritual teacher in Hinduism?", quoted from "a guru")."""
    if not (_NAME_OF.search(question) or _CALLED.search(question)) or not short[:1].isupper():
        return ""
    said = re.search(rf"\b(an?)\s+{re.escape(short)}", quote, re.I)
    return f"the quote calls it '{said.group(1)} {short}': a kind, not a name" if said else ""


# A code: groups of capitals or digits joined by dashes, dots or slashes ("FAA-2020-0686", "07-1315",
# "MG772934.1"), a joint allowed a line break after it ("FAA–2020– \n0746" in a PDF's column).
_CODE = re.compile(r"(?<![\w–—\-./])(?=[A-Z0-9]*\d|[A-Z]+[–—\-./])[A-Z]*\d*(?:[–—\-./]\s{0,2}[A-Z]*\d+[A-Z]*)+(?![\w–—\-])")
# Digits alone joined once by a dot, or two years, are a decimal or a span, not a code.
_NOT_CODE = re.compile(rf"\d+\.\d+|{_YEAR_SPAN.pattern}|\d{{4}}[-/.]\d{{1,2}}[-/.]\d{{1,2}}|\d{{1,2}}[-/.]\d{{1,2}}[-/.]\d{{2,4}}")
# The question asks for an identifier: "the docket number", "its ID", not "the number of cases".
_CODE_ASKED = re.compile(r"\b(?!(?:the|a|an|what|which|total|same|large|small|great|greater|high|higher|low|lower)\b)"
                         r"[^\W\d_]+ number\b|\bno\.|\bid\b|\bidentifier\b|\bcode\b|编号|編號|号码|號碼", re.I)


def _shape(code: str) -> str:
    """A code's pattern of letters, digits and joints: "FAA–2020– 0746" and "FAA-2020-0686" share one."""
    return re.sub(r"\d+", "9", re.sub(r"[A-Z]+", "A", re.sub(r"\s*[–—\-./]\s*", "-", code)))


def another_code(question: str, short: str, passages: list[Passage], doc_text) -> str:
    """Why the answer to "what is the X number?" is one of two: the passages give another code of the
    same pattern, so they do not say which one the question means (the Federal Register's "Docket No.
    FAA–2020–0686", the proposed rule its first page heads, and "FAA–2020– 0746", another rule printed
    on its last pages)."""
    if not _CODE_ASKED.search(question) or not (code := _CODE.fullmatch(short.strip())) or _NOT_CODE.fullmatch(code.group()):
        return ""
    shape, own = _shape(code.group()), re.sub(r"\W", "", code.group())
    for p in passages:
        for other in _CODE.finditer(doc_text(p.doc_id), p.start, p.end):
            if _shape(other.group()) == shape and re.sub(r"\W", "", other.group()) != own:
                return f"the passages also give {' '.join(other.group().split())}, and do not say which of the two is meant"
    return ""


RESTATES = "the answer restates the question"
OPENS_WITH_QUESTION = "the answer opens with the question's own words"
# Answers that say the question back: no reading of the same evidence that says them is an answer.
ECHOES = (RESTATES, OPENS_WITH_QUESTION)
YES_NO_FOR_CHOICE = "the question offers its answers, and the answer is yes or no"
REFERENCE_MARK = "the answer is a footnote or reference mark, not a value"
NO_CONTENT = "the answer has no content to check"
NAMES_FILE = "the answer names a passage's file, not a fact"
# What an answer read again is barred from: the question's words it said back, yes and no, the mark,
# or the file's name ("arxiv-1801.07779_wili-benchmark.pdf" for where the WiLI-2018 data comes from).
BARRED_READINGS = (*ECHOES, YES_NO_FOR_CHOICE, REFERENCE_MARK, NAMES_FILE)
# A word of the answer, or a run of CJK characters (a word is not marked off there).
_WORD_OR_RUN = re.compile(r"[^\W\d_](?:[\w'’-]*\w)?|\d[\d,.]*")


def _misspelt(word: str, other: str) -> bool:
    """`word` is `other` spelt one letter off (two, in words of nine letters or more), from the same
    first letter: "carrageenan" for the question's "carageenan", "Zanamivir" for "Zanamavir". Short
    words are left alone: "Iran" is not "Iraq"."""
    shorter = min(len(word), len(other))
    if word == other or shorter < 5 or word[0] != other[0] or not (word.isalpha() and other.isalpha()) \
            or abs(len(word) - len(other)) > 2:
        return False
    row = list(range(len(other) + 1))  # edit distance, one row at a time
    for i, a in enumerate(word, start=1):
        prev, row[0] = row[0], i
        for j, b in enumerate(other, start=1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (a != b))
    return row[-1] <= (2 if shorter >= 9 else 1)


def _as_asked(said: set[str], asked: set[str]) -> set[str]:
    """`said`, each word the question writes misspelt read as the question's: a user's misspelling
    does not make an answer that says the question back a new one ("carrageenan" for "What is the
    anti-influenza benefit of carageenan?", verified on COVID-QA)."""
    return {next((a for a in asked if _misspelt(w, a)), w) if w not in asked else w for w in said}


def echoed_words(short: str, question: str) -> list[str]:
    """The words of an answer that the question says too (content words and numbers, as the question
    spells them or misspelt; a CJK run whose first two characters the question has): what a reading
    that said them back is barred from."""
    asked = content_stems(question)
    out = []
    for word in dict.fromkeys(_WORD_OR_RUN.findall(short)):
        if CJK_RUN.match(word):
            if word[:2] in question:
                out.append(word)
        elif _as_asked(content_stems(word), asked) & asked:
            out.append(word)
    return out


def _bare_name(short: str) -> str:
    """A file's name as the model may write it, bracketed as a citation or quoted: the name alone."""
    return short.strip(" []()\"'“”‘’<>")


def barred_words(reason: str, short: str, question: str) -> list[str]:
    """What the answer's reading again may not say, by why it was not verified (BARRED_READINGS)."""
    if reason == YES_NO_FOR_CHOICE:
        return ["是", "否"] if _in_chinese(question) else ["yes", "no"]
    if reason == REFERENCE_MARK:
        return [short]
    if reason == NAMES_FILE:
        return [_bare_name(short)]  # barred bracketed, its "[" would bar every citation
    return echoed_words(short, question)


def coined(short: str, texts: list[str], question: str, known: Callable[[str], bool]) -> list[str]:
    """The answer's words in Latin letters that are no `known` word and that neither `texts` (the passages'
    documents) nor the question hold, plurals and verb endings aside: what a reading barred from the first
    tokens of the word it meant writes instead ("the mallets live fieryoes" for the Queen's croquet, with
    "flamingoes" barred; "pheag" for phage). A paraphrase's words are known ones ("the ability to modify
    the vector genome", where the paper says "enables modification")."""
    held = "\n".join([question, *texts]).casefold()  # searched, not split into words: a book is read in ms
    return [w for w in dict.fromkeys(tokens(short)) if w.isascii() and w.isalpha() and not known(w)
            and not any(re.search(rf"(?<!\w){re.escape(s)}s?(?!\w)", held) for s in _stem({w}))]


def adds_nothing(sentence: str, question: str) -> bool:
    """Every content word of the sentence is the question's: it can hold no answer but a yes or no."""
    return content_stems(sentence) <= content_stems(question)


def restates(short: str, text: str) -> bool:
    """The answer says nothing `text` does not: all its content words are there (a long one: most)."""
    return _restates(tokens(short), tokens(text))


def _restates(answer: list[str], question: list[str]) -> bool:
    """All of the answer's content words are the question's, or a long answer is mostly the question."""
    asked = _stem(_content(question))
    said = _as_asked(_stem(_content(answer)), asked)
    return said <= asked or (len(said) > 3 and len(said & asked) >= 0.6 * len(said))


def _opens_with_question(answer: list[str], question: list[str]) -> bool:
    """The answer's first two content words are the question's: the model echoed the question and
    went on from there ("Oracle Corporation founder and the third richest man" for "Who was the
    founder of the Oracle Corporation?"), in answers read on XQuAD and COVID-QA always wrong."""
    asked = _stem(_content(question))
    leading = [w for t in answer if not CJK_RUN.match(t) for w in _content([t])][:2]
    return len(leading) == 2 and _as_asked(_stem(set(leading)), asked) <= asked


# A figure's or table's label before its caption: "FIGURE 1 | Current understanding of …" opens with the caption.
_CAPTION_LABEL = re.compile(r"^\s*(?:fig(?:ure)?\.?|table|tab\.)\s*\d+[a-z]?\s*[|:.]\s*", re.I)


def _qualified_echo(short: str, question: list[str]) -> bool:
    """The question's own words with one word joined to them by "and" or "or": "suburban and underground
    railways" for "What underground railways cover much of Tyne and Wear?" (XQuAD-en seed 61, verified as
    "suburban" once the echoed tail was cut) names no railway."""
    joined = re.fullmatch(r"([a-z][\w-]*)\s+(?:and|or)\s+(.+)", short.strip())
    return joined is not None and bool(_content(tokens(joined.group(2)))) and _restates(tokens(joined.group(2)), question)


def echoed(question: str, short: str) -> str:
    """Why the answer says nothing new ("" when it may): it is a name the question already says, one
    word added before it, as the quote writes it: "Joseph Priestley" for "What gave Priestley the
    claim to being the first discovered of oxygen?", "Novel Coronavirus" (the model wrote "novel
    coronavirus") for "What illness is caused by the 2019-nCOV Coronavirus?" (XQuAD, COVID-QA: both
    verified, both wrong). A question that asks for a name is answered by one ("What was Priestley's
    first name?")."""
    words = TOKEN.findall(short)
    if len(words) < 2 or re.search(r"\bname", question, re.I) or not all(w[0].isupper() for w in words):
        return ""
    asked, named = _stem(set(tokens(question))), question_names(question)
    # The name's last words are names in the question too ("In which county does Jacksonville reside?"
    # is answered "Duval County": the question says county as a kind of thing, not a name).
    if _stem(set(tokens(" ".join(words[1:])))) <= named and not _stem({_norm(words[0])}) <= asked:
        return "the answer is a name the question already says"
    return ""


def stated_numbers(question: str) -> set[str]:
    """Numbers the question states as conditions ("100% coverage", "in 2019"), not those inside a
    name ("CLD-2", "COVID-19", "WiLI-2018", "Form 1040NR")."""
    return {_norm(m.group()) for m in _STATED_NUMBER.finditer(question)}


def question_names(question: str) -> set[str]:
    """The names the question is about: its capitalised words after the first ("What is the
    capital of Australia?" -> {"australia"}), stemmed as the evidence's words are."""
    return _stem(named_words(question))


def named_words(question: str) -> set[str]:
    """The question's names (`question_names`) as it writes them, in lower case: what a keyword search finds."""
    found = list(TOKEN.finditer(question))[1:]
    # Acronyms ("UMC", "TV") are left out: the evidence often spells them out.
    words = {_norm(w) for m in found if (w := m.group())[0].isupper() and not w.isupper() and not CJK_RUN.match(w)}
    return {w for w in words if w not in STOPWORDS and w not in _QUESTION_WORDS}


def named_runs(question: str) -> set[str]:
    """A Chinese question's runs of three characters with no function character among them, in simplified
    script ("花果山" of "花果山位于哪个国家？"): as near to its names as characters without spaces tell."""
    runs: set[str] = set()
    for m in CJK_RUN.finditer(in_script(question, traditional=False)):
        run = m.group()
        runs |= {run[i : i + 3] for i in range(len(run) - 2) if not _CJK_FUNCTION_CHARS.intersection(run[i : i + 3])}
    return runs


def acronyms(question: str) -> set[str]:
    """The question's acronyms, in lower case ("tumas" for "Who is the president of TUMAS?"): names that
    the evidence may write out instead."""
    return {a for m in TOKEN.finditer(question)
            if len(w := m.group()) > 1 and w.isupper() and w.isalpha() and (a := w.lower()) not in STOPWORDS}


# A sentence that opens with a pronoun takes its subject from the one before ("It spans 52 metres"
# after "The bridge was finished in 1932"): it may meet the question through its neighbours alone.
_REFERS_BACK = frozenset("it its he his she her they their this these those 他 她 它 其 该 該 此 这 這".split())


# "Which two compounds did Al-Muwaffaq differentiate between?" counts what the answer lists.
_WHICH_COUNT = re.compile(_OPENS + r"(?:which|what)\s+(two|three|four|five|six|seven|eight|nine|ten|\d+)\s+[^\W\d_]",
                          re.I)


@functools.lru_cache(maxsize=64)
def _asked(question: str, answer: tuple[str, ...]) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """What `_meets_question` looks for, worked out once per answer rather than for every sentence: the
    question's content words beyond the answer, the numbers it states, and its names."""
    asked_toks = tokens(_MEASURE_ZH.sub("？", question))
    asked = _stem((_content(asked_toks) | _beside_particles(asked_toks)) - set(answer))
    if measure := _MEASURE_QUESTION.match(question):
        asked.discard(measure.group(1).casefold())  # "how long": the answer's unit says it, not the word
    if counted := _WHICH_COUNT.match(question):
        asked.discard(_norm(counted.group(1)))  # "Which two compounds": how many the answer names, no fact to quote
    stated = stated_numbers(question)
    # A name's number ("the Pilatus PC-12", "COVID-19") is part of the name, whose letters count already.
    asked -= {_norm(m.group()) for m in _DIGITS.finditer(question)} - stated
    names = question_names(question) | _stem(acronyms(question))
    return frozenset(asked), frozenset(stated), frozenset(names - _stem(set(answer)))


def _meets_question(
    sentence: list[str], context: list[str], passage: set[str], header: set[str], row: bool, question: str,
    answer: list[str], around: set[str],
) -> bool:
    """The sentence states every number the question does; the question's names occur around the
    passage (`around`: an answer about another country is not one about Australia); and the question's
    content words beyond the answer are there: one in the sentence (unless it opens with a pronoun),
    and QUESTION_OVERLAP of them in the sentence and its neighbours or, for a table row, in the whole
    passage (the table's header and caption) and the document's title. A row may take the question's
    numbers from the header or the title too ("Budget line 2019 amount"), never from another row."""
    asked, stated, names = _asked(question, tuple(answer))
    if not stated <= set(sentence) | set(answer) | (header if row else set()):
        return False
    if not asked or has_cjk(question) != any(CJK_RUN.match(t) for t in sentence):
        return True  # asked in another language than the evidence: its words cannot be there, the answer's are
    if len(names & around) * 2 < len(names):  # half of them: a question may misspell one ("Lor Loudoun")
        return False
    if not asked & _stem(_terms(sentence)) and sentence and sentence[0] not in _REFERS_BACK:
        # Only its neighbours meet the question: the quote itself is about something else ("There
        # was a large mushroom growing near her" for "What did Alice drink that made her shrink?").
        return False
    near = len(asked & _stem(_terms(context)))
    if near >= QUESTION_OVERLAP * len(asked):
        return True
    return row and len(asked & passage) >= QUESTION_OVERLAP * len(asked)


def check(question: str, raw: str, ws: WorkingSet, doc_text, margin: float | None = None,
          about: int | None = None) -> Verdict:
    """Pick the quote for the model's short answer and verify it (see the module docstring). With a
    `margin`, the quote must also be a sentence attention scored within it of the best one (not a
    neighbour read for context): the model and the attention agree on where the answer is. `about`:
    the passage the reply was read from, whatever [n] it writes (a second reading's one sentence)."""
    short, cited = parse(raw)
    if about is not None:
        cited = [about]
    order = sorted(ws.passages, key=lambda p: (p.n not in cited, p.n))
    if not order:
        return Verdict(short, None, None, False, "no passage to quote")
    # The models write simplified Chinese even when they copy from traditional passages ("收取学费"
    # from "收取學費"), and a question may be asked in the other script: both are read in the passages'.
    # Text already in the passages' script is left alone: converted again, 佛羅里達 would become 佛羅裡達.
    evidence = "".join(p.text for p in order)
    traditional_passages = is_traditional(evidence)
    if is_traditional(question) != traditional_passages:
        question = in_script(question, traditional_passages)
    if short not in evidence:
        short = in_script(short, traditional_passages)
    if any(_bare_name(short).casefold() == Path(p.path).name.casefold() for p in order):
        return Verdict(short, order[0], None, False, NAMES_FILE)
    yes_no = is_yes_no(question)
    if yes_no and (ticked := _ticked(question, order, doc_text)):
        return ticked
    if yes_no and _YES_NO_ANSWER.match(short):
        return _check_yes_no(question, short, order, doc_text)
    either_or = is_either_or(question)
    if either_or and _YES_NO_ANSWER.match(short):
        return Verdict(short, order[0], None, False, YES_NO_FOR_CHOICE)
    # An identifier's parts are its words too: a PDF's text may lose the underscore ("fz try" for "fz_try").
    q = tokens(question)
    q += [part for t in q if "_" in t for part in t.split("_")]
    short = first_sentence(short)
    if (not _restates(tokens(bare := without_aside(short)), q) or _abbreviates(bare, short)) and not _converts(bare, short):
        short = bare  # unless the aside is the answer: "sport (including English Premier League Football"
    short = without_dangling_end(without_glued_mark(short))
    # The answer to a question that offers its answers is one of them, in the question's words; the
    # question said back whole ("The Spanish Influenza or Swine flu or the H1N1 virus disappeared …")
    # is still an echo.
    choice = either_or and _one_option(tokens(short))
    if not choice:
        short = year_asked(question, without_restated_tail(without_restated_lead(short, question), question, evidence))
    answer = tokens(short)
    # A capital letter on its own is a name ("C", the language; "Vitamin A"'s letter), not a pronoun
    # or an article to skip; it restates the question only when the question says it.
    letter = {answer[0]} if _LETTER_NAME.fullmatch(short) else set()
    if not (content := _content(answer) or letter):
        return Verdict(short, order[0], None, False, NO_CONTENT)
    if not choice and (letter <= set(q) if letter else _restates(answer, q)):
        return Verdict(short, order[0], None, False, RESTATES)
    if not choice and _opens_with_question(tokens(_CAPTION_LABEL.sub("", short)), q):
        return Verdict(short, order[0], None, False, OPENS_WITH_QUESTION)
    if not choice and _qualified_echo(short, q):
        return Verdict(short, order[0], None, False, RESTATES)
    best: tuple | None = None
    holder: tuple | None = None  # (rank, the answer as a sentence says it, passage, span), where no sentence meets the question
    # The bar is the best sentence that could be quoted: a heading ("# Notes on Working Memory") that
    # shares the question's words sets none, nor does a question of the document's (a meeting's
    # "服务器扩容需要多少钱？" ranked above the turn that answered it).
    top = max((score for p in order for start, end, score in p.sentences
               if not is_heading_line(text := doc_text(p.doc_id), start, end)
               and not _ASKED_LINE.search(text, start, end)), default=0.0)
    offered: set[str] = set()  # every passage's words, stemmed: what an answer not `_absent` shares
    marked = False  # a sentence says the answer, but only as a footnote or reference mark
    sections = _section_refs(short)  # what each quote must name ("1201(d)"), read once
    ordered = [t for t in answer if t in content]  # the content words as the answer says them
    # Read once for every sentence; Chinese has no spaces to show a run of words: its pairs are read.
    items = [] if has_cjk(short) else _items(short)
    for p in order:
        text = doc_text(p.doc_id)
        spans = _spans(p)
        passage_words = _stem(_terms(tokens(text[p.start : p.end])))
        offered |= passage_words
        around = _around(p, text, question)
        header = _header_numbers(text, spans)
        cover = _cover(text)
        heading, headings = _own_heading(p), tokens(p.section.replace(" > ", " "))
        for i, (start, end, score) in enumerate(spans):
            sent = tokens(text[start:end])
            exact = snap(answer, text[start:end], question)
            if exact and _reference_mark(exact, text[start:end]):
                marked = True
                continue
            near = (spans[max(i - 1, 0)][0], spans[min(i + 1, len(spans) - 1)][1])  # with its neighbours
            context = tokens(text[near[0] : near[1]])
            # A number alone must occur as itself ("235" is not held by "235 000 paragraphs").
            holds = (exact or not all(t[0].isdigit() for t in answer) and content <= _terms(sent)
                     and _in_order(ordered, sent) and _in_parts(items, text[start:end])) \
                and _names_sections(sections, text[start:end])
            # A short quote that is the answer alone (a lone table cell) shows nothing about it, and a
            # heading names a topic without saying anything of it ("# Notes on Working Memory, in People",
            # a page's running header "52 THE SIEGE OF VICKSBURG.").
            says_more = (bool(_content(sent) - content) or len(_content(sent)) > 4) and \
                not is_heading_line(text, start, end)
            if holds and says_more and (is_running_line(text, start, end) or is_read_across(text[start:end])):
                continue
            row = is_table_row(text[start:end])
            if not (holds and says_more):
                continue
            # The title adds to what a row may meet, so it can only let through its first value (a row's
            # values given whole are shown as that one under a header of periods: _current_value).
            title = cover if row and _first_value(tokens(_current_value(question, short, text, (start, end))),
                                                  text[start:end]) else set()
            if parent_row(text, start, end, question) or \
                    not _meets_question(sent + heading, context + headings, passage_words | title, header | _numbers(title),
                                        row, question, answer, around):
                if exact and (holder is None or (p.n in cited, score) > holder[0]):
                    holder = ((p.n in cited, score), expanded(exact, text[start:end]), p, (start, end))
                continue
            core = margin is None or not p.sentences or score >= top - margin
            rank = (core, p.n in cited, exact is not None, score)
            if best is None or rank > best[0]:
                best = (rank, p, (start, end), exact, near)
    best_row = None if best is None else doc_text(best[1].doc_id)[best[2][0] : best[2][1]]
    if best_row is None or is_table_row(best_row):
        # A small model often reads the cell beside the right one; a row whose name and column
        # header the question states gives the cell itself.
        if found := _cell_answer(question, _named_cell(question, order, doc_text)):
            return found
    # A row the question names by two words or more, and a column of it, anywhere in the passages'
    # documents, is the answer, whatever sentence holds the model's ("100" languages that CLD-2's
    # Python binding predicted, against the table's "Languages in WiLI-2018 | … | CLD-2: 90").
    if found := _cell_answer(question, _document_cell(question, order, doc_text)):
        return found
    if best is None and (found := _counted(question, answer, order, doc_text)):
        return found
    if best is None and _absent(answer, offered, question):
        return Verdict(short, order[0], None, False, "no passage holds the answer's words", absent=True)
    if best is None and marked and holder is None:
        return Verdict(short, order[0], _top_sentence(order[0], doc_text), False, REFERENCE_MARK)
    if best is None:
        # Unverified; still shown in the passage's own words where a sentence holds it ("1940s", not "1940").
        # The quote stays attention's best sentence that states something: read again alone, it gave the right
        # answer more often than the sentence the unverified answer came from (docqa eval, COVID-QA 200: short
        # F1 0.362 -> 0.328 with that sentence read instead). The sentence that says it is kept to show.
        if holder is not None:
            short = holder[1]
        return Verdict(short, order[0], _top_sentence(order[0], doc_text), False,
                       "no sentence of the passages holds the answer and meets the question",
                       said_in=holder and (holder[2], holder[3]))
    quoted = doc_text(best[1].doc_id)[best[2][0] : best[2][1]]
    short = whole_list(question, _current_value(question, expanded(best[3] or short, quoted), doc_text(best[1].doc_id), best[2]),
                       quoted)
    # An abbreviation of the question's own words says them back as much as they do: "AD", spelt out by its
    # quote as "Airworthiness Directive (AD)", for "Which airworthiness directive would … supersede?".
    if not choice and _abbreviates(bare := without_aside(short), short) and _restates(tokens(bare), q):
        return Verdict(short, best[1], best[2], False, RESTATES)
    with_neighbours = doc_text(best[1].doc_id)[best[4][0] : best[4][1]]
    refuted = wrong_kind(question, short) or another_person(question, quoted) or another_thing(question, quoted) or \
        done_by_another(question, short, quoted) or dated_otherwise(question, short, quoted) or \
        denied(question, short, quoted) or another_item(question, short, quoted)
    instead = ""
    # These also give what the quote says in the answer's place (answer._give_instead).
    for giving in (dated_for_another_deed, figure_for_another_year, paired_otherwise, another_part, appointer,
                   titled_otherwise):
        if refuted:
            break
        refuted, instead = giving(question, short, quoted)
    kind = refuted or dated(question, short, quoted) or named_year(question, short, quoted) or \
        as_of(question, short, quoted) or titled(question, short, quoted) or excepted(question, short, quoted) or \
        names_the_setting(question, short) or placed(question, short, quoted) or \
        in_the_questions_place(question, short, quoted) or counts_another(question, short, quoted) or \
        done_to(question, short, quoted) or \
        said_of_another(question, short, quoted) or undefined(question, quoted) or unnamed(question, short, with_neighbours) or \
        a_kind(question, short, quoted) or another_code(question, short, order, doc_text) or \
        ("" if choice else echoed(question, short)) or (
        "" if best[0][0] else "the sentence that holds it is context, not one attention ranked near the best")
    return Verdict(short, best[1], best[2], not kind, kind, refuted=bool(refuted), instead=instead)


_PERIOD_HEADER_LINES = 80  # how far above a row its statement's header may be: a statement runs over pages
_HEADER_CHARS = 80


def _current_value(question: str, short: str, text: str, quote: tuple[int, int]) -> str:
    """A row's values given whole ("32,777,748.55 70,751,461.54" for the cash inflow), quoted from the row,
    are its first, the report's own period's, under a header that names it and an earlier one ("项目 本期发生额
    上期发生额"), when the question names no earlier period: the others are last year's."""
    values = short.split()
    if len(values) < 2 or not all(_is_value(v) for v in values) or tables.EARLIER.search(question) \
            or not is_table_row(text[quote[0] : quote[1]]):
        return short
    return values[0] if _under_periods(text, quote[0]) else short


def _is_value(word: str) -> bool:
    """A word that is an amount alone ("-8,072,192.91", "$4.2")."""
    return bool(_DIGITS.fullmatch(word.lstrip("-−+$¥€£")))


def _under_periods(text: str, start: int) -> bool:
    """A header above the row at `start` names the report's own period and an earlier one ("项目 本期发生额
    上期发生额", "项目 期末余额 期初余额")."""
    # Read back as far as that many header-length lines reach, no further into a long document.
    above = text[max(0, start - _HEADER_CHARS * _PERIOD_HEADER_LINES) : start].splitlines()[-_PERIOD_HEADER_LINES:]
    # A header is a short line, not prose that says "this year" and "last year".
    return any(len(line) <= _HEADER_CHARS and tables.CURRENT.search(line) and tables.EARLIER.search(line) for line in above)


def earlier_period(question: str, first: Verdict, second: str, doc_text) -> bool:
    """`first` is the first value of the row it quotes, `second` another value of that row, the row stands under
    a header of periods, and the question names no earlier period: a second reading that gave `second` read an
    earlier period's column ("期末货币资金余额是多少？": 40,962,331.62 under "项目 期末余额 期初余额", then 45,175,761.77)."""
    if first.passage is None or first.quote is None or tables.EARLIER.search(question):
        return False
    text = doc_text(first.passage.doc_id)
    row = text[first.quote[0] : first.quote[1]]
    values = [w for w in row.split() if _is_value(w)]
    return is_table_row(row) and values[:1] == [first.short] and second in values[1:] and _under_periods(text, first.quote[0])


# A question that asks for more than one thing: "What are the 2 surface proteins …?", "Which species are
# …?", "Which two treaties …?".
_ASKS_FOR_SEVERAL = re.compile(_OPENS + r"(?:what|which)\s+(?:[\w-]+\s+){0,3}?(?:are|were)\b"
                               r"|\b(?:what|which)\s+(?:two|three|four|five|six|several|both)\b", re.I)
# An item of a list: up to five words, none a clause's opening ("that run the length of …").
_WORD = r"[^\s,;.:()]+(?:\s+\([^()]{1,12}\))?"  # a word, with the abbreviation a bracket gives it
_LIST_ITEM = rf"(?!(?:that|which|who|whom|whose|where|when|while|but|so|because|although)\b){_WORD}(?:\s+{_WORD}){{0,4}}?"
_LIST_TAIL = re.compile(rf"(?:\s+\([^()]{{1,12}}\))?(?:\s*,\s*(?!and\b|or\b){_LIST_ITEM})*\s*,?\s+(?:and|or)\s+{_LIST_ITEM}"
                        r"(?=\s*[,;.:()]|\s+(?:are|were|is|was|have|has|had|in|on|at|to|of|that|which|who|with|for|from|by|as)\b|\s*$)",
                        re.I)


def whole_list(question: str, short: str, sentence: str) -> str:
    """The whole list the sentence gives, where the answer is its first item and the question asks for
    several things ("haemagglutinin (HA)" -> "haemagglutinin (HA) and the neuraminidase (NA)" for "What are the 2
    surface proteins on the H1N1 influenza virus?")."""
    if not _ASKS_FOR_SEVERAL.search(question) or not short:
        return short
    at = sentence.find(short)
    tail = _LIST_TAIL.match(sentence, at + len(short)) if at >= 0 else None
    if not tail:
        return short
    # The items are alike: none runs on to twice the first one's words (a clause: "poverty and war caused it").
    words = max(2, 2 * len(_bare_words(short)))
    items = _LIST_SEPARATOR.split(tail.group())
    return short + tail.group() if all(len(_bare_words(item)) <= words for item in items) else short


def _bare_words(item: str) -> list[str]:
    """An item's words, without its articles or the abbreviation a bracket gives it."""
    return [w for w in re.sub(r"\([^()]*\)", " ", item).split() if w.casefold() not in _ARTICLES]


def _cell_answer(question: str, cell: tuple[Passage, tuple[int, int], str] | None) -> Verdict | None:
    """The cell, verified by its own row, when it is the kind of answer the question asks for."""
    if cell is None or wrong_kind(question, cell[2]):
        return None
    return Verdict(cell[2], cell[0], cell[1], True)


# An abbreviation the sentence defines: "tobacco mosaic virus (TMV)", "通用药物管理委员会 (GPhC)".
_ABBREVIATION = re.compile(r"[A-Za-z][A-Za-z0-9\-]{1,7}")
# A gloss in Latin letters right after a term, in brackets: "古鲁(guru)".
_LATIN_GLOSS = r"\s*[(（]\s*[A-Za-z][A-Za-z .'\-]{0,39}[)）]"


def expanded(short: str, sentence: str) -> str:
    """An abbreviation given as the answer, with the long form the sentence defines it by ("MTB" ->
    "Mycobacterium tuberculosis (MTB)"): the name a reader knows, and the one the sentence states.
    The long form is found as Schwartz and Hearst do (2003): the shortest run of words before the
    bracket that holds the abbreviation's letters in order, its first letter opening a word; in
    Chinese (no spaces between words), a run of characters before the bracket that a space sets apart.
    A Chinese term the sentence glosses in Latin letters keeps the gloss as written ("古鲁" ->
    "古鲁(guru)"): the name the term translates, which a reader may know it by."""
    gloss = has_cjk(short) and re.search(re.escape(short) + _LATIN_GLOSS, sentence)
    if gloss:
        return gloss.group()
    # Snapped with its brackets (_CJK_BRACKETS), as a title would be: "（GPhC）".
    bare = short[1:-1] if short.startswith("（") and short.endswith("）") else short
    if not _ABBREVIATION.fullmatch(bare) or sum(c.isupper() for c in bare) < 2:
        return short
    short = bare
    m = re.search(rf"(\S[^()（）]*?)\s*[(（]\s*{re.escape(short)}\s*[)）]", sentence)
    if not m:
        return short
    before = m.group(1)
    if zh := re.search(rf"(?:^|(?<=[^{CJK_CHARS}])|(?<=[{_FUNCTION_CHARS}]))((?:(?![{_FUNCTION_CHARS}])[{CJK_CHARS}]){{2,12}})$",
                       sentence[: m.end(1)]):
        return f"{zh.group(1)} ({short})"
    words = before.split()[-min(len(short) + 5, 2 * len(short)):]
    text, letters = " ".join(words), [c.lower() for c in short if c.isalnum()]
    i = len(text) - 1
    for k in range(len(letters) - 1, -1, -1):
        while i >= 0 and (text[i].lower() != letters[k] or (k == 0 and i > 0 and text[i - 1].isalnum())):
            i -= 1
        if i < 0:
            return short
        i -= 1
    return f"{text[text.rfind(' ', 0, i + 2) + 1:]} ({short})"


def _section_refs(text: str) -> list[str]:
    """The sections `text` names, spaces out ("1201 (d)" is "1201(d)")."""
    return ["".join(m.group().split()) for m in _SECTION_REF.finditer(text)]


def _names_sections(sections: list[str], sentence: str) -> bool:
    """Every one of `sections` is the sentence's, or one of its subsections is: "1201(a)" is within
    "1201(a)(1)(B)", "1201(d)" is not."""
    if not sections:
        return True
    said = _section_refs(sentence)
    return all(any(s.startswith(r) for s in said) for r in sections)


def _absent(answer: list[str], offered: set[str], question: str) -> bool:
    """None of the passages' words (`offered`, stemmed) is one of the answer's content words
    ("Melbourne" for the capital of Australia, read over a novel): the answer is the model's, not the
    documents' (a paraphrase keeps some of their words). A question in another language than the
    passages may be answered in translation, which changes the words but not the numbers: there, an
    answer with a number is absent only when the passages state no number at all ("29.000℃" for the
    boiling point of mercury, read across over "水有多深？」石猴道：「沒水！")."""
    if has_cjk(question) != any(CJK_RUN.match(w) for w in offered):
        return bool(_numbers(answer)) and not (_numbers(list(offered)) or offered & _ZH_NUMERALS)
    said = _stem(_content(answer))
    return bool(said) and not said & offered


def is_capitals(sentence: str) -> bool:
    """A line in capitals is a heading or a page's running header ("52 THE SIEGE OF VICKSBURG."), which
    names a topic and states nothing: two words or more, and nine in ten of its cased letters capitals."""
    if has_cjk(sentence):
        return False  # Chinese has no case: "在 P 和 PSPACE 之间" is prose with acronyms, not a heading
    cased = [c for c in sentence if c.isupper() or c.islower()]
    words = re.findall(r"\b[^\W\d_]{2,}\b", sentence)
    return len(words) >= 2 and len(cased) >= 8 and sum(c.isupper() for c in cased) >= 0.9 * len(cased)


def is_title(line: str) -> bool:
    """A title in title case ("Venezuelan Equine Encephalitis Virus Induces Apoptosis through the
    Unfolded Protein Response Activation of EGR1", a paper's first line, once the verified answer to
    how the virus is transmitted): six words or more, no full stop, no number standing alone (a table
    row's values), and four in five of its longer words capitalized."""
    line = line.strip()
    if not line or line[-1] in ".!?:;,。！？" or "\n" in line or has_cjk(line) or _STANDALONE_NUMBER.search(line):
        return False
    words = re.findall(r"\b[^\W\d_][\w'’-]*", line)
    longer = [w for w in words if len(w) > 3]
    return len(words) >= 6 and len(longer) >= 3 and sum(w[0].isupper() for w in longer) >= 0.8 * len(longer)


def is_heading_line(text: str, start: int, end: int) -> bool:
    """text[start:end] is a heading, which names a topic and states nothing: a Markdown one, a line
    in capitals (a PDF's running header "52 THE SIEGE OF VICKSBURG."), or a title."""
    return bool(_HEADING.match(text, start)) or is_capitals(text[start:end]) or is_title(text[start:end])


def is_running_line(text: str, start: int, end: int) -> bool:
    """A page's running header or footer ("Page 34 of 48 Instructions for Form 1040NR 7:48 -
    6-DEC-2007", once the answer to "What is the filing deadline?"): a line ending in no full stop
    that the document repeats, its numbers aside, three times or more. It names the document and the
    page, and answers nothing."""
    line = text[start:end].strip()
    if not line or line[-1] in ".!?。！？" or "\n" in line:
        return False
    pattern = re.compile(r"\s+".join(re.sub(r"\d+", r"\\d+", re.escape(w)) for w in line.split()))
    third = next(itertools.islice(pattern.finditer(text), 2, None), None)
    return third is not None


# A run of two words or more said again right after itself ("of the of the"); numbers aside, whose
# repeats ("2019 2020 2019 2020") a table row already shows.
_SAID_TWICE = re.compile(r"(?<!\w)([^\W\d_][\w'’-]*(?:\s+[\w'’-]+)+?)\s+\1(?!\w)", re.I)


def is_read_across(line: str) -> bool:
    """A table's column headers read across as one "sentence": two different runs of words, each said
    twice in a row, as each column repeats its header ("Box 1 or 2 on Form 1040NR If the amount … of the
    of the But not amount But not amount Over— over—", once the verified answer to where Form 1040NR
    is mailed). It states nothing; prose says a run twice in a row rarely, and two such runs nowhere in
    the sentences of COVID-QA and XQuAD-en (38,702 with the shared PDFs and books)."""
    return len({m.group(1).casefold() for m in _SAID_TWICE.finditer(line)}) >= 2


def _own_heading(p: Passage) -> list[str]:
    """The words of the heading a passage sits under, when it is a section of the document and not its
    title: "Early research suggested that people can hold about seven items" is about "Capacity
    limits", the heading above it, and meets "What is the capacity of working memory?" through it.
    The title would meet every question about the document; with the headings above, it is only the
    sentence's context ("Notes on Working Memory > Working Memory in People")."""
    return tokens(p.section.rsplit(" > ", 1)[1]) if " > " in p.section else []


def best_sentence(passages: list[Passage]) -> tuple[Passage, int, int] | None:
    """The sentence attention ranked best among the passages' (the first of equals), with its passage."""
    scored = [(score, p, start, end) for p in passages for start, end, score in p.sentences]
    if not scored:
        return None
    _, p, start, end = max(scored, key=lambda x: x[0])
    return p, start, end


def _counted(question: str, answer: list[str], order: list[Passage], doc_text) -> Verdict | None:
    """A count the model misread ("17" where the evidence says "The county hired 37 new teachers"):
    for a how-many question whose answer no sentence holds, the number of the sentence attention
    ranked best, when that sentence meets the question and states exactly one number the question
    does not. The evidence's own words, quoted: never a number the passages don't hold."""
    if not _HOW_MANY.match(question) or not _numbers(answer):
        return None
    best = best_sentence(order)
    if best is None:
        return None
    p, start, end = best
    sentence = doc_text(p.doc_id)[start:end]
    sent = tokens(sentence)
    # A name's number counts nothing: "The WiLI-2018 test dataset" gave "2018" for how many samples it holds.
    standalone = {_norm(m.group().rstrip(".,")) for m in _STANDALONE_NUMBER.finditer(sentence)}
    numbers = (_numbers(sent) & standalone) - stated_numbers(question)
    if len(numbers) != 1 or is_table_row(sentence):
        return None
    value = [next(iter(numbers))]
    exact = snap(value, sentence, question)
    at = sentence.find(exact) if exact else -1  # -1 where the snap put a line break on one line
    after = sentence[at + len(exact):] if at >= 0 else ""
    counted = tokens(_in_its_clause(after))[:2]
    # The number counts what is asked: one of the two words after it, in its clause, is the question's
    # ("37 new teachers", "4,250 cases"), not "day 10 of life", "one third of" or "in 1946, and won".
    if exact is None or not _stem(set(counted)) & content_stems(question):
        return None
    if _reference_mark(exact, sentence) or not _meets_question(
        sent, sent, set(), set(), False, question, value, _around(p, doc_text(p.doc_id), question)
    ):
        return None
    return Verdict(exact, p, (start, end), True)


def _around(p: Passage, text: str, question: str) -> set[str]:
    """The words a question's names may be met by: the passage's title, NAME_WINDOW characters of its
    document either side of it, and the document's cover, which names what all of it is by ("the formal
    definition of machine learning quoted by Thoma" is met 2,100 characters into the paper whose cover says
    "Martin Thoma"); and the question's acronyms that the window spells out ("Taskforce of United
    Methodists on Abortion and Sexuality" for TUMAS)."""
    window = text[max(0, p.start - NAME_WINDOW) : p.end + NAME_WINDOW]
    words = tokens(f"{p.title} {window}")
    if asked := acronyms(question):
        initials = "".join(w[0] for w in words + tokens(text[:COVER_CHARS]) if w.isalpha() and w not in STOPWORDS)
        asked = {a for a in asked if a in initials}
    return _stem(_terms(words) | asked) | _cover(text)


# A paper's citation of its references: "[4]", "[12, 16]", "[3–5]", or in parentheses glued to the word
# before them, "worldwide(1,2)" (a value in parentheses stands apart: "in two phases (1, 2)").
_CITED_REFERENCES = re.compile(r"\[\s*\d{1,3}(?:\s*[,;\u2013-]\s*\d{1,3})*\s*\]"
                               r"|(?<=[^\W\d_])\(\d{1,3}(?:\s*[,;\u2013-]\s*\d{1,3})*\)")
# ... or by their keys, authors' initials and year: "[KMN+02]", "[Mit97]", "[HZRS15, TL05]".
_KEY = r"[A-Za-z]{1,8}\+?\d{2,4}[a-z]?"
_CITED_KEYS = re.compile(rf"\[\s*{_KEY}(?:\s*[,;]\s*{_KEY})*\s*\]")


def _reference_mark(exact: str, sentence: str) -> bool:
    """A bare number that opens the sentence before a capitalised word ("27 Subsequent investigation
    suggested ..."), stands, wherever the sentence says it, before a number word ("to create 3 four
    new limitations": "3" was verified for "How many new limitations ...?"), or only in a citation of
    references ("4" for "How much is the difference between SARS-CoV-2 and RaTG13?" from "greater
    than 1,100 nt differences between the human SARS-CoV-2 and the bat RaTG13-CoV [4]") is a
    footnote or reference mark, not a value. So is a reference's key: "KMN+02" for "What clustering
    algorithm is used …?", from "use k-means clustering [KMN+02] to segment regions" (verified, walk-through),
    and a list of marks ("1,2" for "What is the doubling time of the COVID-19 pandemic?", from "… spreading
    rapidly worldwide(1,2)")."""
    cited = [m.span() for m in _CITED_REFERENCES.finditer(sentence)]
    if not exact.isdigit():
        keys = [*(m.span() for m in _CITED_KEYS.finditer(sentence)), *cited]
        said = [m.span() for m in re.finditer(re.escape(exact), sentence)]
        return bool(said) and all(any(a <= start and end <= b for a, b in keys) for start, end in said)
    said = [m.span() for m in re.finditer(rf"(?<![\d.,]){exact}(?!\d|[.,]\d)", sentence)]
    return bool(re.match(rf"\s*{exact}\s+[A-Z][a-z]", sentence)) or bool(said) and all(
        re.match(rf"\s+{_COUNT_WORD}", sentence[end:], re.I) or any(a <= start and end <= b for a, b in cited)
        for start, end in said)


def _named_cell(question: str, order: list[Passage], doc_text) -> tuple[Passage, tuple[int, int], str] | None:
    """The table cell the question names by row and column header (tables.named_cell), in the
    first passage that holds one: (passage, the row's offsets, the cell's value)."""
    for p in order:
        text = doc_text(p.doc_id)
        spans = _spans(p)
        found = tables.named_cell(question, [text[start:end] for start, end, _ in spans])
        if found:
            start, end, _ = spans[found[0]]
            return p, (start, end), found[1]
    return None


def _document_cell(question: str, order: list[Passage], doc_text) -> tuple[Passage, tuple[int, int], str] | None:
    """The cell the question names anywhere in the first of the passages' documents that holds one,
    by a row name of two words or more, with the passage of that document it is cited by. A row may
    be left out of the working set: its sentences were picked for the question's words, and among
    rows alike its name ("杨琴秀", three characters of "股东名称: 杨琴秀 | 股东性质: 境内自然人 |
    持股比例: 3.20%") weighs little."""
    read: set[int] = set()
    for p in order:
        if p.doc_id in read:
            continue
        read.add(p.doc_id)
        text = doc_text(p.doc_id)
        if tables.CELL_SEP not in text:
            continue  # no table rows (a plain-text document): nothing to scan on every question
        lines = [m.span() for m in _LINE.finditer(text)]
        if found := tables.named_cell(question, [text[start:end] for start, end in lines], min_name=2):
            return p, lines[found[0]], found[1]
    return None


def _header_numbers(text: str, spans: list[tuple[int, int, float]]) -> set[str]:
    """The numbers of the passage's sentences that hold one number at most: a table's header and
    caption, never its rows."""
    found: set[str] = set()
    for start, end, _ in spans:
        numbers = _numbers(tokens(text[start:end]))
        if len(numbers) <= 1:
            found |= numbers
    return found


# How much of a document's start is its title: a report's cover ("东北电气发展股份有限公司\n2018 年第一
# 季度报告"), a paper's title line.
COVER_CHARS = 120


def _cover(text: str) -> set[str]:
    """The words and numbers of the document's title (stemmed, as `_meets_question` reads them): what
    every table in it is about. The income statement of "2018 年第一季度报告" heads its columns "本期"
    and "上期" and never writes the year or the quarter a question names."""
    return _stem(_terms(tokens(text[:COVER_CHARS])))


# A listed company's report gives each statement twice, row for row alike: the group's ("3、合并利润表")
# and the parent company's alone ("4、母公司利润表").
_STATEMENT = re.compile(r"\d+[、.．]\s*" + either_script("(合并|母公司)(资产负债表|利润表|现金流量表|所有者权益变动表)"))
_PARENT = re.compile(either_script("母公司"))


def parent_row(text: str, start: int, end: int, question: str) -> bool:
    """text[start:end] is a row of the parent company's own statement, which a question that does not
    name the parent does not ask about: "公司第一季度的经营活动现金流入小计" is the group's 32,777,748.55, and
    the parent's 24,052,160.50, from the row alike two pages on, was verified."""
    if _PARENT.search(question) or not is_table_row(text[start:end]):
        return False
    starts, parents = _statements(text)
    at = bisect.bisect_right(starts, start)
    return at > 0 and parents[at - 1]


@functools.lru_cache(maxsize=8)
def _statements(text: str) -> tuple[list[int], list[bool]]:
    """Where each statement opens in the document, and whether it is the parent company's."""
    found = list(_STATEMENT.finditer(text))
    return [m.start() for m in found], [_PARENT.match(m.group(1)) is not None for m in found]


def _first_value(answer: list[str], row: str) -> bool:
    """The answer is the row's first number: the column of the period a report is about ("本期发生额
    上期发生额", "2019 2018"), which a row that meets the question only through the document's title
    must give (its other columns are earlier periods the title does not name). The row's item mark is
    no value: "二、营业总成本 12,827,978.02 21,274,558.28" reads 二 as 2."""
    mark = ITEM_MARK.match(row)
    numbers = [t for t in tokens(row[mark.end() if mark else 0 :]) if t[0].isdigit()]
    return bool(numbers) and [t for t in answer if t[0].isdigit()] == numbers[:1]


def states(text: str, start: int, end: int) -> bool:
    """text[start:end] states something: it is no heading, cover or page's running line, which name a
    topic ("THE SIEGE OF VICKSBURG. 49", whose page number was read as how many days the siege lasted),
    and no line of under four words or CJK characters (a paper's URL)."""
    line = text[start:end]
    if ends_in_byline(text, start, end):
        return True  # a title page with its byline says whose the title is
    return len(line.split()) + cjk_chars(line) >= 4 and not is_heading_line(text, start, end) \
        and not is_running_line(text, start, end) and not is_cover(text, start, end)


_ENDS_SENTENCE = re.compile(r"[.!?。！？]")


def is_cover(text: str, start: int, end: int) -> bool:
    """text[start:end] is the document's cover or title: its first text, no longer than a title, no
    sentence, and followed by the document's body ("东北电气发展股份有限公司\n2018 年第一季度报告", which holds
    the year and the quarter every question on the report names, came first for its total assets, net
    profit and earnings per share, and the model answered from the rows around it). A note of one line
    without a full stop ("the wifi password is hunter2") is its own body, not a cover."""
    return end - start <= COVER_CHARS and not text[:start].strip() and not _ENDS_SENTENCE.search(text, start, end) \
        and bool(text[end:].strip())


def _top_sentence(p: Passage, doc_text) -> tuple[int, int] | None:
    """The passage's sentence attention scored best, of those that state something (states): read again
    alone, a heading answers nothing ("THE SIEGE OF VICKSBURG." was quoted under "49")."""
    spans = _spans(p)
    if not spans:
        return None
    text = doc_text(p.doc_id)
    start, end, _ = max([s for s in spans if states(text, s[0], s[1])] or spans, key=lambda s: s[2])
    return (start, end)


# A form's yes/no line with one box ticked: "第一季度报告是否经过审计 □ 是 √ 否" says no.
_TICK, _BOX = "√☑✓✔■", "□☐"
_TICKED = re.compile(rf"[{_BOX}]\s*(?:是|否)\s*[{_TICK}]\s*(是|否)|[{_TICK}]\s*(是|否)\s*[{_BOX}]\s*(?:是|否)")


def _ticked(question: str, order: list[Passage], doc_text) -> Verdict | None:
    """The box a report's form ticks on the line that asks the question, as the answer, whatever the
    model read it as ("□ 是" for whether the quarterly report was audited): the sentence with a ticked
    是 or 否 that holds the most of the question's words, and half of them at least."""
    asked = content_stems(question)
    best = None
    for p in order:
        text = doc_text(p.doc_id)
        for start, end, _ in _spans(p):
            if not (m := _TICKED.search(text, start, end)):
                continue
            share = len(asked & content_stems(text[start:end])) / (len(asked) or 1)
            if share >= 0.5 and (best is None or share > best[0]):
                best = (share, p, (start, end), m.group(1) or m.group(2))
    return None if best is None else Verdict(best[3], best[1], best[2], True)


def _yes_no_terms(sentence: str) -> set[str]:
    """What a sentence offers a yes/no question: its terms, stemmed, a number set apart in thousands
    whole ("235 000" is no 235)."""
    return _stem(_terms(tokens(SPACED_NUMBER.sub(lambda m: "".join(m.group().split()), sentence))))


def _check_yes_no(question: str, short: str, order: list[Passage], doc_text) -> Verdict:
    asked = content_stems(question)
    sentences = [(p, (start, end), score, _yes_no_terms(doc_text(p.doc_id)[start:end]))
                 for p in order for start, end, score in _spans(p)]
    # The sentence that restates the question holds most of its words, the rare ones first: "Does the
    # DMCA create new criminal penalties?" is restated by the sentence on criminal penalties, not by
    # one of the many that say "DMCA", "create" and "new" (the rarer a word among the passages'
    # sentences, the more it weighs).
    rarity = {w: math.log((1 + len(sentences)) / (1 + sum(w in t for *_, t in sentences))) + 1 for w in asked}
    # A question ends on what it asks of its subject, or where: "Is oral swab for detecting 2019-nCoV infection,
    # sufficient?" is not restated by "more anal swab positives than oral swab positives in a later stage of
    # infection" (COVID-QA seed 65, "Yes" verified). Chinese runs on without spaces: its last word is unknown.
    last = [] if has_cjk(question) else re.findall(r"[^\W_]+", question)[-1:]
    ends = content_stems(last[0]) if last else set()
    p, span, _, terms = max(sentences, key=lambda s: (ends <= s[3], sum(rarity[w] for w in asked & s[3]), s[2]))
    # Half of its words, and half of their weight: "DMCA", "create" and "new" are no "Yes" to new
    # criminal penalties when no passage says "criminal".
    overlap = min(len(asked & terms) / (len(asked) or 1),
                  sum(rarity[w] for w in asked & terms) / (sum(rarity.values()) or 1))
    said = _YES_NO_ANSWER.match(short)
    yes = (said.group(1) or "").casefold() == "yes" or said.group(2) in ("是", "对", "對", "有")
    # Said in the question's language: a Chinese question over English passages gets 是 / 否.
    said_yes, said_no = ("是", "否") if _in_chinese(question) else ("Yes", "No")
    short = said_yes if yes else said_no
    if overlap < 0.5:
        return Verdict(short, p, span, False, f"no sentence restates the question (best holds {overlap:.0%} of its terms)")
    if not ends <= terms:
        return Verdict(short, p, span, False, f"no sentence restates the question (the best does not say '{last[0]}')")
    # The sentence that restates the question says yes or no: "little antigenic change even over long
    # periods" is no "Yes" to "Do avian flu viruses change over long periods?" (COVID-QA), and a
    # sentence on liability limits no "No" to whether the DMCA creates criminal penalties.
    if yes == bool(_NEGATION.search(doc_text(p.doc_id)[span[0]:span[1]])):
        if yes:
            # It says not: the "No" it would verify is shown, unverified, for the model's "Yes" (XQuAD and
            # COVID-QA, seeds 0, 5 and 9: "Yes" to "Do LAIV replicate at body temperature?", quoted from
            # "they do not replicate effectively at core body temperature"; no such gold was a yes).
            return Verdict(said_no, p, span, False, f"the model said {short.lower()}, and the sentence that restates the question says not")
        return Verdict(short, p, span, False, f"the sentence that restates the question does not say {short.lower()}")
    return Verdict(short, p, span, True)
