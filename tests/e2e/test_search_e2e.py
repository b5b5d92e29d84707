"""The demo question finds its page with the real embedder, through every retrieval mode."""

from pathlib import Path

import pytest

from tests.e2e.conftest import DEMO_PAGE, DEMO_PDF, DEMO_QUESTION

pytestmark = pytest.mark.e2e


def test_every_sample_doc_is_ingested(sample_index):
    kinds = {d.kind for d in sample_index.documents()}
    assert kinds == {"pdf", "text", "markdown", "html"}
    pdf = next(d for d in sample_index.documents() if d.path.endswith(DEMO_PDF))
    assert pdf.pages == 5


@pytest.mark.parametrize("mode", ["hybrid", "dense", "keyword"])
def test_demo_question_page_in_top_3(sample_index, mode):
    hits = sample_index.search(DEMO_QUESTION, k=3, mode=mode)
    assert any(Path(h.path).name == DEMO_PDF and h.page_start == DEMO_PAGE for h in hits), [
        (Path(h.path).name, h.page_start) for h in hits
    ]


def test_chinese_query_finds_the_chinese_document(sample_index):
    hits = sample_index.search("花果山 石猴", k=3)
    assert Path(hits[0].path).name.startswith("journey_to_the_west")


def test_hits_slice_their_documents_exactly(sample_index):
    for h in sample_index.search("Alice follows the white rabbit", k=5):
        assert sample_index.store.document_text(h.doc_id)[h.start : h.end] == h.text
