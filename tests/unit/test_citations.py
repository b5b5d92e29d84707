"""Citation parsing, mapping to the working set, and mechanical support checks."""

from docqa.citations import paragraph_of, strip_invalid, support, verify
from docqa.retrieval.working_set import Passage, WorkingSet

DOC = "Intro paragraph.\n\nThe 2019 budget allocated $4.2 million to rural school grants.\fPage two text.\n\nSecond para."


def _ws():
    start = DOC.index("The 2019")
    end = DOC.index("\f")
    p1 = Passage(7, "/r.pdf", "Report", 1, 1, "", start, end, DOC[start:end], [1], [1], 0.8, n=1)
    s2 = DOC.index("Second")
    p2 = Passage(7, "/r.pdf", "Report", 2, 2, "", s2, len(DOC), DOC[s2:], [2], [3], 0.2, n=2)
    return WorkingSet([p1, p2], tokens=100, budget=1000)


def test_support_requires_content_words_and_numbers():
    passage = "The 2019 budget allocated $4.2 million to rural school grants."
    assert support("The budget gave $4.2 million to rural schools [1].", passage) >= 0.5
    assert support("The budget gave $5.1 million to rural schools [1].", passage) == 0.0
    assert support("Penguins migrate across Antarctica.", passage) == 0.0



def test_a_chinese_sentence_is_supported_by_its_characters():
    # Chinese has no spaces: read as one "word", a clause was supported only by a verbatim copy,
    # and every Chinese focus summary abstained.
    passage = "本期公司营业收入同比增长10%，主要由于产品销量增加。"
    assert support("公司营业收入同比增长了10% [1]。", passage) >= 0.8
    assert support("公司营业收入同比增长了20% [1]。", passage) == 0.0
    assert support("企鹅在南极洲迁徙。", passage) == 0.0

def test_invalid_citation_numbers_are_removed():
    text, removed = strip_invalid("A [1]. B [3]. C [1, 4].", {1, 2})
    assert text == "A [1]. B . C [1]."
    assert removed == [3, 4]


def test_verify_maps_citations_to_document_page_and_paragraph():
    answer = "The 2019 budget allocated $4.2 million to rural school grants [1][9]."
    text, cites, removed, unsupported = verify(answer, _ws(), 0.5, lambda d: DOC)
    assert removed == [9] and "[9]" not in text
    assert [(c.n, c.path, c.page_start, c.paragraph, c.verified) for c in cites] == [(1, "/r.pdf", 1, 2, True)]
    assert unsupported == []


def test_unsupported_citation_is_flagged():
    answer = "Rural schools received nothing at all in 2019 [2]."
    _, cites, _, unsupported = verify(answer, _ws(), 0.5, lambda d: DOC)
    assert cites[0].n == 2 and not cites[0].verified
    assert unsupported == [answer]


def test_uncited_supported_sentence_gets_its_passage():
    answer = "The 2019 budget allocated $4.2 million to rural school grants."
    text, cites, _, _ = verify(answer, _ws(), 0.5, lambda d: DOC)
    assert text.endswith("[1]") and cites[0].n == 1 and cites[0].verified


def test_paragraph_counts_within_the_page():
    assert paragraph_of(DOC, 1, 0) == 1
    assert paragraph_of(DOC, 1, DOC.index("The 2019")) == 2
    assert paragraph_of(DOC, 2, DOC.index("Second")) == 2


def test_abbreviations_do_not_split_a_sentence():
    from docqa.citations import sentences

    assert sentences("It infects Ae. albopictus mosquitoes [1]. Then it spreads.") == [
        "It infects Ae. albopictus mosquitoes [1].",
        "Then it spreads.",
    ]


def test_a_mark_after_a_chinese_full_stop_cites_the_sentence_it_follows():
    from docqa.citations import sentences

    # A Chinese sentence ends at its 。, so the split alone gave the [1] to the next sentence, and
    # the last one a sentence of its own (a focus summary showed "…元。 [1] [1]").
    assert sentences("营业收入增长了10%。 [1] 净利润下降[2]。") == ["营业收入增长了10%。 [1]", "净利润下降[2]。"]
    assert sentences("利润下降。[2][3] 现金增加。 [1]") == ["利润下降。 [2][3]", "现金增加。 [1]"]
    # a quotation's closing mark stays with its full stop, and its sentences stay unspaced (a focus
    # summary quoted a meeting as 主持人说：“……时间。 ”)
    quoted = "张三说：“好。测试完成。” [2]"
    assert sentences(f"主持人说：“议题是上线时间。” [1] {quoted}") == ["主持人说：“议题是上线时间。” [1]", quoted]


def test_a_quotation_of_two_sentences_is_one_and_gets_its_mark_after_it():
    from docqa.citations import sentences

    quoted = 'The Chair said: "She is looking into this gap. It has been weeks, and still no action." [1]'
    assert sentences(f"Jenny Kwan spoke. {quoted}") == ["Jenny Kwan spoke.", quoted]
    # split, verify gave the first half a mark of its own, inside the quotation marks
    turn = "The Chair: She is looking into this gap. It has been weeks, and still no action."
    ws = WorkingSet([Passage(7, "/m.txt", "", 1, 1, "", 0, len(turn), turn, [1], [1], 1.0, n=1)], tokens=50, budget=500)
    text = verify(quoted.replace(" [1]", ""), ws, 0.5, lambda _doc: turn)[0]
    assert text == quoted
    # a mark no later sentence closes (an inch sign) joins nothing
    assert sentences('The screen is 5" wide. It is bright.') == ['The screen is 5" wide.', "It is bright."]
