"""PDF text through PDFium: ruled tables become one line per row with each cell named by its
column header, line-end hyphens are joined, and pypdf remains as the other engine."""

from __future__ import annotations

from pathlib import Path

import pytest
from fpdf import FPDF

from docqa.ingest import tables
from docqa.ingest.loaders import load
from docqa.retrieval.sentences import split
from docqa.settings import IngestSettings
from tests.conftest import bench_module
from tests.unit.fakes import FakeGenerator

table_qa = bench_module("table_qa")
SPECS = {spec.file: spec for spec in table_qa.tables()}


def _page(tmp_path: Path, spec, engine: str = "auto") -> str:
    path = tmp_path / spec.file
    table_qa.write_pdf(spec, path)
    return load(path, IngestSettings(pdf_engine=engine)).pages[0].text


@pytest.mark.parametrize("file", ["language_tools.pdf", "reservoirs.pdf", "trial_arms.pdf"], ids=["booktabs", "grid", "lines"])
def test_every_row_is_one_line_with_its_headers(tmp_path, file):
    spec = SPECS[file]
    text = _page(tmp_path, spec)
    for row in spec.rows:
        line = " | ".join(f"{h}: {v}" for h, v in zip(spec.header, row, strict=True))
        assert f"\n{line}\n" in text
    assert " ".join(spec.header) not in text, "the table's own jumbled text is replaced"
    # Prose before and after stays, in reading order around the rows.
    assert text.index(spec.caption) < text.index(spec.header[0] + ":") < text.index(spec.after)


def test_a_row_is_a_sentence_of_its_own(tmp_path):
    spec = SPECS["language_tools.pdf"]
    text = _page(tmp_path, spec)
    sentences = [text[a:b] for a, b in split(text)]
    assert "Metric: Benchmark accuracy | Lingvo: 38 % | Textra: 15 % | Glotto: 22 % | Polyglo: 66 %" in sentences


def test_the_pypdf_engine_reads_the_table_as_plain_text(tmp_path):
    spec = SPECS["language_tools.pdf"]
    text = _page(tmp_path, spec, engine="pypdf")
    assert "Benchmark accuracy 38 % 15 % 22 % 66 %" in text and "Glotto: " not in text


def test_a_hyphen_at_a_line_end_is_joined_unless_the_word_is_a_compound(tmp_path):
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    for line in ["The tool is called lang-", "detect and it uses an out-", "of-place measure."]:
        pdf.cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    path = tmp_path / "hyphens.pdf"
    path.write_bytes(bytes(pdf.output()))
    assert load(path, IngestSettings()).pages[0].text == "The tool is called langdetect and it uses an out-of-place measure."


def _chars(lines: list[tuple[float, list[tuple[float, str]]]]) -> list[tables.Char]:
    """Characters 5 points wide and 8 high from (top, [(x, word), ...]) lines."""
    out = []
    for top, words in lines:
        for x, word in words:
            for k, ch in enumerate(word):
                out.append(tables.Char(len(out), ch, x + 5 * k, x + 5 * k + 5, top, top + 8, space_before=k == 0))
    return out


def test_a_header_wrapped_over_two_lines_is_one_name():
    chars = _chars([
        (12, [(10, "Name"), (100, "TextCat"), (200, "lang-")]),
        (22, [(200, "detect")]),
        (42, [(10, "Accuracy"), (100, "35 %"), (200, "22 %")]),
        (54, [(10, "Recall"), (100, "42 %"), (200, "96 %")]),
    ])
    rules = [tables.Rule(5, 260, 8), tables.Rule(5, 260, 36), tables.Rule(5, 260, 66)]
    [table] = tables.find_tables(chars, rules)
    assert table.lines() == ["Name: Accuracy | TextCat: 35 % | langdetect: 22 %", "Name: Recall | TextCat: 42 % | langdetect: 96 %"]


def test_two_rules_or_rules_of_different_widths_make_no_table():
    chars = _chars([(12, [(10, "Alpha"), (100, "1")]), (42, [(10, "Beta"), (100, "2")])])
    assert tables.find_tables(chars, [tables.Rule(5, 260, 8), tables.Rule(5, 260, 36)]) == []
    assert tables.find_tables(chars, [tables.Rule(5, 260, 8), tables.Rule(5, 120, 36), tables.Rule(5, 200, 66)]) == []


def test_the_cell_a_question_names_by_row_and_column():
    rows = ["Region: Northern | Q1: 754 | Q2: 292 | Q3: 481", "Region: Southern | Q1: 660 | Q2: 829 | Q3: 164"]
    assert tables.named_cell("What were the Q3 sales of the Southern region?", rows) == (1, "164")
    assert tables.named_cell("What were the 2018 sales of the Southern region?",
                             ["Region: Southern | 2019: 660 | 2018 (prior year): 829"]) == (0, "829"), "named by its year"
    assert tables.named_cell("What were the sales of the Southern region?", rows) is None, "no column named"
    assert tables.named_cell("What were the Q3 sales?", rows) is None, "no row named"
    assert tables.named_cell("What were the Q3 sales of the Southern region?", ["Southern Q3 164"]) is None


def test_rows_of_one_name_are_told_apart_by_the_numbers_the_question_states():
    """WiLI-2018 Table III: city block distance at 100 % coverage reaches 79.67 %, not 78.96 %."""
    rows = ["Metric: City block distance | Min Coverage θ: 80 % | Accuracy: 78.96%",
            "Metric: City block distance | Min Coverage θ: 100 % | Accuracy: 79.67 %",
            "Metric: Cosine distance | Min Coverage θ: 100 % | Accuracy: 76.25 %"]
    q = "What accuracy does the city block distance reach with 100% coverage?"
    assert tables.named_cell(q, rows) == (1, "79.67 %"), "the coverage cell is the condition, not the answer"
    assert tables.named_cell("What accuracy does the city block distance reach?", rows) is None


@pytest.mark.parametrize("model_says", ["22 % [1]", "15 % [1]"], ids=["right cell", "the cell beside it"])
def test_ask_answers_a_cell_from_its_row_with_the_header_in_the_quote(tmp_path, index, embedder, model_says):
    folder = tmp_path / "pdfs"
    folder.mkdir()
    for name in ("language_tools.pdf", "regional_sales.pdf"):  # the table asked, and another
        table_qa.write_pdf(SPECS[name], folder / name)
    index.ingest([folder])
    index.share_generator(FakeGenerator(model_says))
    ans = index.ask("What benchmark accuracy did Glotto reach in the language identification comparison?")
    assert ans.answered and ans.verified, (ans.abstain_reason, ans.unverified_reason)
    assert ans.short_answer == "22 %"
    assert ans.quote == "Metric: Benchmark accuracy | Lingvo: 38 % | Textra: 15 % | Glotto: 22 % | Polyglo: 66 %"
    assert Path(ans.citations[0].path).name == "language_tools.pdf"


def test_stacked_grids_are_separate_tables_and_column_lines_split_text_without_spaces():
    """Chinese financial reports: grids of one width under their own captions; cells as close as
    the characters of a word, so only the grid's column lines tell the columns apart."""
    chars = _chars([
        (10, [(10, "项目"), (22, "余额")]), (22, [(10, "预付"), (22, "2,436")]),
        (38, [(10, "表二"), (40, "单位")]),
        (58, [(10, "项目"), (22, "增减")]), (70, [(10, "税费"), (22, "-75%")]),
    ])
    rules = [tables.Rule(5, 60, y) for y in (8, 20, 32, 56, 68, 80)]
    verticals = [tables.VRule(x, top, bottom) for x in (5, 21, 60) for top, bottom in ((8, 32), (56, 80))]
    found = tables.find_tables(chars, rules, verticals)
    assert [t.lines() for t in found] == [["项目: 预付 | 余额: 2,436"], ["项目: 税费 | 增减: -75%"]]
    assert tables.find_tables(chars, rules) == [], "without the column lines the cells run together: no table"


def test_a_figure_whose_labels_would_be_cut_apart_is_not_a_table():
    """Rotated or scattered figure labels: characters of one word of the page's text would land in
    different columns, which a real table's cells never do."""
    good = _chars([(12, [(10, "Name"), (100, "Value")]), (42, [(10, "alpha"), (100, "1")]), (54, [(10, "beta"), (100, "2")])])
    rules = [tables.Rule(5, 160, 8), tables.Rule(5, 160, 36), tables.Rule(5, 160, 66)]
    assert len(tables.find_tables(good, rules)) == 1
    scattered = list(good)
    for k, top in enumerate((40, 48, 56)):  # "ab", "cd", "ef": each word's two letters far apart
        i = 100 + 2 * k
        scattered += [tables.Char(i, "abcdef"[2 * k], 40, 45, top, top + 8, space_before=True),
                      tables.Char(i + 1, "abcdef"[2 * k + 1], 130, 135, top, top + 8)]
    assert tables.find_tables(scattered, rules) == []


def test_a_chinese_question_names_a_row_and_a_column_by_their_characters():
    """Chinese has no spaces between words: names and headers are met by character pairs."""
    rows = ["股东名称: 香港中央结算 (代理人)有限公司 | 股东性质: 境外法人 | 持股比例: 29.43% | 持股数量: 257,055,899",
            "股东名称: 杨琴秀 | 股东性质: 境内自然人 | 持股比例: 3.20% | 持股数量: 27,955,752",
            "股东名称: 杨琴秀 | 持有无限售条件股份数量: 27955752 | 股份种类: 人民币普通股"]
    assert tables.named_cell("杨琴秀的持股比例是多少？", rows) == (1, "3.20%"), "the table with a 持股比例 column"
    assert tables.named_cell("香港中央结算(代理人)有限公司的持股数量是多少？", rows) == (0, "257,055,899")
    assert tables.named_cell("杨琴秀是什么？", rows) is None, "no column named"


def test_a_unit_after_a_row_name_and_a_why_question_name_the_cell():
    rows = ["项目: 营业收入 （元） | 本报告期: 4,755,785.11 | 变动原因: 子公司货款增加",
            "项目: 应交税费 | 报告期末余额: 84,791.64 | 增减%: -75.18% | 变动原因: 应交增值税税金减少",
            "Line: Special education ($ million) | 2019: 15.8 | Reason for change: more pupils"]
    assert tables.named_cell("营业收入本报告期是多少？", rows) == (0, "4,755,785.11")
    assert tables.named_cell("应交税费为什么减少？", rows) == (1, "应交增值税税金减少")
    assert tables.named_cell("Why did special education change?", rows) == (2, "more pupils")


def test_a_header_the_question_states_whole_outranks_one_it_states_in_part():
    rows = ["归属于上市公司股东的净利润 （元） | 本报告期: -4,648,986.52 | 上年同期: -15,563,758.44 | "
            "本报告期比上年同期增减: 70.13%"]
    assert tables.named_cell("本报告期归属于上市公司股东的净利润是多少？", rows) == (0, "-4,648,986.52")
    assert tables.named_cell("归属于上市公司股东的净利润本报告期比上年同期增减多少？", rows) == (0, "70.13%")


def test_a_question_that_names_no_earlier_period_asks_for_the_report_s_own():
    rows = ["归属于上市公司股东的净利润 （元） | 本报告期: -4,648,986.52 | 上年同期: -15,563,758.44 | "
            "本报告期比上年同期增减: 70.13%",
            "总资产 （元） | 本报告期末: 298,608,889.04 | 上年度末: 306,236,911.04 | 增减: -2.49%"]
    assert tables.named_cell("归属于上市公司股东的净利润是多少？", rows) == (0, "-4,648,986.52")
    # "度末" of 季度末 is no year's end: last year's column was the one it shared a term with
    assert tables.named_cell("公司第一季度末总资产是多少？", rows) == (1, "298,608,889.04")
    assert tables.named_cell("上年同期归属于上市公司股东的净利润是多少？", rows) == (0, "-15,563,758.44")
    assert tables.named_cell("What were the sales of the Southern region?",
                             ["Region: Southern | Q1: 660 | Q2: 829"]) is None, "columns that are no periods"


def test_a_row_of_names_inside_a_table_heads_the_rows_below_it():
    # A quarterly report's key figures: income lines under this period and last year's, then balance
    # lines under this period's end and last year's end, in one ruled table.
    table = tables.Table(0, 100, 0, 100, ["", "本报告期", "上年同期", "增减"], [
        ["营业收入 （元）", "4,755,785.11", "5,699,227.63", "-16.55%"],
        ["", "本报告期末", "上年度末", "增减"],
        ["总资产 （元）", "298,608,889.04", "306,236,911.04", "-2.49%"],
    ], set())
    assert table.lines() == [
        "营业收入 （元） | 本报告期: 4,755,785.11 | 上年同期: 5,699,227.63 | 增减: -16.55%",
        "总资产 （元） | 本报告期末: 298,608,889.04 | 上年度末: 306,236,911.04 | 增减: -2.49%",
    ]
    # In a table of names, a row of names is a row.
    names = tables.Table(0, 100, 0, 100, ["Term", "Meaning"], [["AD", "airworthiness directive"], ["FAA", "aviation"]], set())
    assert names.lines() == ["Term: AD | Meaning: airworthiness directive", "Term: FAA | Meaning: aviation"]
