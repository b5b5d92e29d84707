"""A transcript read as a reader would have it written: what a summary's model is shown of a meeting."""

from __future__ import annotations

from docqa.retrieval.working_set import Passage, WorkingSet
from docqa.summarize.transcript import is_meeting, is_transcript, readable
from tests.unit.fakes import FakeGenerator

MEETING = """Professor B: Well , I {disfmarker} I think that if you run it {vocalsound} , uh , it 's better .
PhD C: Mm - hmm .
Professor B: Yeah .
PhD C: " Babble " , it 's a stationary background plus some voices ,
Professor B: Mm - hmm .
PhD C: some speech over it . And the on - line normalization , um , helps .
PhD A: Yeah , right .
PhD A: I , uh , downloaded the the software ."""


def test_a_turn_is_written_without_what_the_transcript_writes_of_how_it_was_said():
    lines = readable(MEETING).splitlines()
    # Annotations, fillers, a restart's mark, words said twice and the tokenizer's spacing go.
    assert lines[0] == "Professor B: Well, I think that if you run it, it's better."
    assert lines[-1] == "PhD A: I, downloaded the software."
    assert "{" not in readable(MEETING) and " ," not in readable(MEETING)


def test_turns_that_only_acknowledge_go_and_a_speakers_turns_that_then_touch_are_one():
    # "Mm - hmm ." and "Yeah , right ." go; PhD C's sentence, cut by Professor B's "Mm - hmm .", is whole again.
    assert readable(MEETING).splitlines() == [
        "Professor B: Well, I think that if you run it, it's better.",
        'PhD C: " Babble ", it\'s a stationary background plus some voices some speech over it. '
        "And the on-line normalization, helps.",
        "PhD A: I, downloaded the software.",
    ]


def test_a_line_without_a_speaker_stays_a_line_of_its_own():
    text = "Minutes of the meeting\nChair: We begin .\nChair: Item one ."
    assert readable(text) == "Minutes of the meeting\nChair: We begin. Item one."


def test_a_focus_summary_reads_a_transcripts_passages_as_written_out_and_a_reports_as_they_are():
    from docqa.summarize.focus import _Drafts

    report = "The council opened 3 new libraries in 1990 , uh , it says ."
    meeting = MEETING * 3
    assert is_transcript(meeting) and not is_transcript(report)
    passages = [Passage(1, "/m.txt", "", 1, 1, "", 0, len(meeting), meeting, [1], [1], 1.0, n=1),
                Passage(2, "/r.txt", "", 1, 1, "", 0, len(report), report, [2], [2], 0.5, n=2)]
    ws = WorkingSet(passages, 100, 1000)
    draft = _Drafts("neural nets", ws, {1: meeting, 2: report}.__getitem__, FakeGenerator("unused"), 0.5)
    prompt = draft.request(passages, 60)[-1]["content"]
    assert readable(meeting) in prompt and "{disfmarker}" not in prompt
    assert report in prompt  # a written text is shown as written, its "uh" too


CHINESE_MEETING = """主持人：嗯，我们今天讨论新产品的上线时间。
张三：我觉得，呃，下周三可以上线。
李四：好的。
张三：测试已经完成了。
王五：对，对。
李四：预算是多少？
张三：预算是二十万元。"""


def test_a_chinese_transcript_is_one_its_labels_take_the_full_width_colon_and_no_space():
    assert is_transcript(CHINESE_MEETING)
    # Headings with a colon here and there are no turns of speech.
    assert not is_transcript("第一章：总则\n本办法适用于全体员工。\n第二章：目标\n目标如下。\n目标如下。\n目标如下。")


def test_a_chinese_speaker_with_a_middle_dot_keeps_the_full_width_colon():
    assert readable("主持人：我们开始吧。\n张三·李：服务器扩容需要二十万元。\n王五：下周三上线。\n") == \
        "主持人：我们开始吧。\n张三·李：服务器扩容需要二十万元。\n王五：下周三上线。"


def test_a_chinese_turn_is_written_without_its_fillers_and_acknowledgements():
    # "嗯" and "呃" go; "好的。" and "对，对。" only acknowledge; 张三's two turns touch and are one, unspaced.
    assert readable(CHINESE_MEETING).splitlines() == [
        "主持人：我们今天讨论新产品的上线时间。",
        "张三：我觉得，下周三可以上线。测试已经完成了。",
        "李四：预算是多少？",
        "张三：预算是二十万元。",
    ]


def test_a_sentence_of_a_chinese_transcript_is_quoted_as_its_speaker_said_it():
    from docqa.summarize.length import quotation

    text = "主持人：我们今天讨论新产品的上线时间。\n张三：我觉得下周三可以上线，因为测试已经全部完成了。\n"
    start = text.index("我觉得")
    assert str(quotation(text, start, text.index("了。") + 2, spoken=True)) == "张三说：“我觉得下周三可以上线，因为测试已经全部完成了。”"


def test_a_transcript_of_three_speakers_is_a_meeting():
    turns = ["Project Manager: We start.", "Marketing: The survey is in.", "Industrial Designer: I'd go for wood."]
    assert is_meeting("\n".join(turns * 3))
    assert not is_meeting("\n".join(turns[:2] * 5)), "two speakers are an interview"
    assert not is_meeting("Note: three speakers. Table 3: results. Figure 1: a plot. " * 3), "no turns"
