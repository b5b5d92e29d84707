"""Chunks are exact slices of the extracted text, sized in embedder tokens, within one page and section."""

from hypothesis import HealthCheck, given, settings as hsettings
from hypothesis import strategies as st

from docqa.ingest.chunking import chunk_document
from docqa.records import LoadedDocument, Page, Section

PARA = (
    "Working memory holds a handful of items at once. It fades within seconds unless rehearsed. "
    "External memory, such as notes, extends it without limit."
)


def _chunks(embedder, doc, target=60, overlap=16):
    return chunk_document(doc, embedder.count_tokens_many, embedder.token_offsets, target, overlap)


def test_offsets_slice_the_source_text(embedder):
    doc = LoadedDocument(path=None, kind="text", pages=[Page(1, "\n\n".join([PARA] * 12))])
    chunks = _chunks(embedder, doc)
    assert len(chunks) > 3
    for c in chunks:
        assert c.text == doc.text[c.start : c.end]
        assert c.n_tokens <= 60
        assert embedder.count_tokens_many([c.text])[0] <= 60 + 2


def test_every_sentence_is_covered_and_overlap_repeats_a_sentence(embedder):
    doc = LoadedDocument(path=None, kind="text", pages=[Page(1, "\n\n".join([PARA] * 6))])
    chunks = _chunks(embedder, doc, target=60, overlap=30)
    covered = set()
    for c in chunks:
        covered.update(range(c.start, c.end))
    assert all(i in covered for i, ch in enumerate(doc.text) if not ch.isspace())
    assert any(b.start < a.end for a, b in zip(chunks, chunks[1:])), "no overlap between chunks"


def test_chunks_never_cross_pages_and_keep_page_numbers(embedder):
    pages = [Page(1, PARA), Page(2, "Second page fact: the bridge opened in 1932."), Page(3, PARA)]
    doc = LoadedDocument(path=None, kind="pdf", pages=pages)
    chunks = _chunks(embedder, doc, target=200)
    assert [c.page_start for c in chunks] == [1, 2, 3]
    assert all(c.page_start == c.page_end for c in chunks)
    assert "1932" in chunks[1].text and "1932" not in chunks[0].text + chunks[2].text


def test_sections_are_boundaries(embedder):
    text = "# A\nAlpha text here.\n# B\nBeta text here."
    doc = LoadedDocument(
        path=None, kind="markdown", pages=[Page(1, text)],
        sections=[Section(0, 21, "A"), Section(21, len(text), "B")],
    )
    chunks = _chunks(embedder, doc, target=200)
    assert [(c.section, "Alpha" in c.text, "Beta" in c.text) for c in chunks] == [("A", True, False), ("B", False, True)]


def test_overlong_sentence_is_cut_at_token_boundaries(embedder):
    words = " ".join(f"word{i}" for i in range(400))  # one 'sentence', far over the target
    doc = LoadedDocument(path=None, kind="text", pages=[Page(1, words)])
    chunks = _chunks(embedder, doc, target=50, overlap=0)
    assert len(chunks) > 5
    for c in chunks:
        assert c.text == doc.text[c.start : c.end]
        assert embedder.count_tokens_many([c.text])[0] <= 52


def test_chinese_text_is_split_at_full_stops(embedder):
    text = "天地之數，有十二萬九千六百歲為一元。" * 40
    doc = LoadedDocument(path=None, kind="text", pages=[Page(1, text)])
    chunks = _chunks(embedder, doc, target=64, overlap=0)
    assert len(chunks) > 2
    assert all(c.text.endswith("。") for c in chunks)


@hsettings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    pages=st.lists(
        st.text(alphabet=st.sampled_from(list("ab .!?\n\t\u3002xyz\u00e9")), max_size=400), min_size=1, max_size=4
    )
)
def test_offset_property_holds_for_arbitrary_text(embedder, pages):
    doc = LoadedDocument(path=None, kind="text", pages=[Page(i + 1, t) for i, t in enumerate(pages)])
    for c in _chunks(embedder, doc, target=24, overlap=8):
        assert c.text == doc.text[c.start : c.end]
        assert c.text.strip() == c.text and c.text
        assert 1 <= c.page_start <= len(pages)


def _sectioned_chunks(embedder, text: str, headings: list[tuple[str, str]]):
    """Chunks of `text` whose sections open where each (heading line, path) of `headings` starts."""
    starts = [text.index(line) for line, _ in headings] + [len(text)]
    sections = [Section(a, b, path) for a, b, (_, path) in zip(starts, starts[1:], headings)]
    doc = LoadedDocument(path=None, kind="html", pages=[Page(1, text)], sections=sections)
    return [(c.text, c.section) for c in _chunks(embedder, doc, target=200)]


def test_a_heading_with_nothing_under_it_opens_the_next_sections_chunk(embedder):
    # A title page: alone, the byline is a chunk no question about the book finds.
    text = "Frankenstein;\n\nby Mary Shelley\n\nLetter 1\n\nYou will rejoice to hear of my voyage."
    headings = [("Frankenstein;", "Frankenstein;"), ("by Mary", "Frankenstein; > by Mary Shelley"),
                ("Letter 1", "Frankenstein; > Letter 1")]
    assert _sectioned_chunks(embedder, text, headings) == [(text, "Frankenstein; > Letter 1")]


def test_a_markdown_heading_over_a_subheading_joins_it_but_a_section_with_text_stays_apart(embedder):
    text = "# Part I\n\n## Capacity\n\nSeven items.\n\n## Decay\n\nSeconds."
    headings = [("# Part I", "Part I"), ("## Capacity", "Part I > Capacity"), ("## Decay", "Part I > Decay")]
    assert _sectioned_chunks(embedder, text, headings) == [
        ("# Part I\n\n## Capacity\n\nSeven items.", "Part I > Capacity"), ("## Decay\n\nSeconds.", "Part I > Decay"),
    ]
