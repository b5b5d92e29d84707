"""Incremental ingest: unchanged files skipped, changed ones replaced, removed ones dropped, bad ones reported.

This is the store contract: every test that takes `index` runs against both backends, the embedded
store (SQLite + FAISS) and the server store (a real PostgreSQL + pgvector)."""

import os

import pytest

from docqa.errors import StoreError
from docqa.index import Index
from docqa.memory.check import check_store
from docqa.settings import load_settings
from tests.conftest import write

FACTS = {
    "bridges.txt": "The Millbrook bridge opened in 1932. It spans the river Avon.\n\nIt was repaired in 1988.",
    "notes.md": "# Harbour\n\n## Tides\n\nHigh tide at the harbour comes twice a day.\n\n## Boats\n\nThe ferry leaves at noon.",
}


@pytest.fixture
def settings(backend_settings):
    return backend_settings


@pytest.fixture
def folder(tmp_path):
    docs = tmp_path / "docs"
    for name, text in FACTS.items():
        write(docs / name, text)
    return docs


def test_first_ingest_then_unchanged_is_skipped(index, folder):
    first = index.ingest([folder])
    assert len(first.ingested) == 2 and not first.failed and first.chunks >= 2
    second = index.ingest([folder])
    assert second.ingested == [] and len(second.unchanged) == 2
    assert index.store.counts() == (2, first.chunks)


def test_changed_file_replaces_its_chunks(index, folder):
    index.ingest([folder])
    write(folder / "bridges.txt", "The Millbrook bridge was demolished in 2001.")
    report = index.ingest([folder])
    assert report.ingested == [str(folder / "bridges.txt")]
    texts = [h.text for h in index.search("Millbrook bridge", k=10)]
    assert any("2001" in t for t in texts)
    assert not any("1932" in t for t in texts), "stale chunks of the old version survived"
    assert len(index.vectors) == index.store.counts()[1]


def test_file_gone_from_folder_is_removed(index, folder):
    index.ingest([folder])
    (folder / "notes.md").unlink()
    report = index.ingest([folder])
    assert report.removed == [str(folder / "notes.md")]
    assert [d.path for d in index.documents()] == [str(folder / "bridges.txt")]
    assert all("ferry" not in h.text for h in index.search("ferry noon", k=5))


def test_remove_command_api(index, folder):
    index.ingest([folder])
    assert index.remove(folder / "bridges.txt") == [str(folder / "bridges.txt")]
    assert index.store.counts()[0] == 1
    assert len(index.vectors) == index.store.counts()[1]


def test_markdown_section_is_kept(index, folder):
    index.ingest([folder])
    hit = index.search("when does the ferry leave", k=1)[0]
    assert hit.section == "Harbour > Boats"
    assert hit.path.endswith("notes.md")


def test_one_bad_file_does_not_stop_the_rest(index, folder):
    write(folder / "empty.txt", "")
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4 truncated")
    (folder / "image.png").write_bytes(b"\x89PNG\r\n")
    report = index.ingest([folder])
    failed = dict(report.failed)
    assert set(failed) == {str(folder / "empty.txt"), str(folder / "broken.pdf")}
    assert all(reason for reason in failed.values())
    assert report.unsupported == [str(folder / "image.png")]
    assert len(report.ingested) == 2
    assert report.exit_code == 1


def test_missing_path_is_reported(index, tmp_path):
    report = index.ingest([tmp_path / "nope"])
    assert report.failed == [(str(tmp_path / "nope"), "no such file or folder")]


def test_vectors_survive_reopen(settings, folder):
    with Index.open(settings.index, settings) as idx:
        idx.ingest([folder])
        expected = [h.chunk_id for h in idx.search("tide", k=3)]
    with Index.open(settings.index, settings) as idx:
        assert [h.chunk_id for h in idx.search("tide", k=3)] == expected


def test_second_writer_is_refused_with_the_pid(index, settings, folder):
    with Index.open(settings.index, settings) as other, other.store.writer_lock():
        with pytest.raises(StoreError, match=f"another ingest is running.*pid {os.getpid()}"):
            index.ingest([folder])
    assert index.ingest([folder]).ingested, "the lock is released with its holder"


def test_index_directory_is_user_only(index):
    assert (index.directory.stat().st_mode & 0o077) == 0


def test_an_existing_index_directory_is_made_user_only(tmp_path):
    settings = load_settings({"index": str(tmp_path / "index")}, environ={})
    settings.index.mkdir(mode=0o755)  # as git checks out the repo's index/
    settings.index.chmod(0o755)
    Index.open(settings.index, settings).close()
    assert (settings.index.stat().st_mode & 0o077) == 0


def test_search_results_carry_provenance(index, folder):
    index.ingest([folder])
    hit = index.search("bridge repaired", k=1)[0]
    assert hit.path == str(folder / "bridges.txt")
    assert hit.page_start == 1
    source = index.store.document_text(hit.doc_id)
    assert source[hit.start : hit.end] == hit.text


def test_the_store_stays_consistent_through_updates_and_deletes(index, folder):
    index.ingest([folder])
    write(folder / "bridges.txt", "The Millbrook bridge was demolished in 2001.\n\nA ferry replaced it.")
    write(folder / "new.txt", "The lighthouse keeper logs every ship.")
    index.ingest([folder])
    index.remove(folder / "notes.md")
    assert check_store(index.store, index.embedder.dim, embed=index.embedder.embed) == []
    assert len(index.vectors) == index.store.counts()[1] == sum(d.chunks for d in index.documents())


def test_hybrid_search_ranks_by_both_retrievers_and_filters_by_document(index, folder):
    index.ingest([folder])
    hits = index.search("Millbrook bridge repaired", k=3)
    top = hits[0]
    assert top.path.endswith("bridges.txt")
    assert top.dense_rank is not None and top.keyword_rank is not None
    notes = [d.id for d in index.documents() if d.path.endswith("notes.md")]
    filtered = index.search("Millbrook bridge repaired", k=3, doc_ids=notes)
    assert filtered and all(h.path.endswith("notes.md") for h in filtered)
    assert "ferry" in index.search("ferry", k=3, mode="keyword")[0].text


def test_a_chunk_one_retriever_ranks_first_is_among_the_results_whatever_the_other_thinks():
    from docqa.retrieval.hybrid import assured, rrf

    both = list(range(1, 20))  # chunks both retrievers rank, in the same order
    dense, keyword = both, [99, *both]  # 99: the one line with the asked number, FAISS never found it
    scores = rrf([dense, keyword], 60)
    fused = sorted(scores, key=scores.__getitem__, reverse=True)
    assert fused.index(99) >= 12, "fused alone, BM25's first is below twelve chunks both retrievers rank"
    top = assured(fused, [dense[0], keyword[0]], 12, scores)[:12]
    assert 99 in top and top == sorted(top, key=scores.__getitem__, reverse=True)
    assert top[:11] == fused[:11], "it takes the place of the lowest fused chunk"
    assert assured(fused, [1, 2], 12, scores) == fused, "firsts already in place change nothing"


def test_a_reader_sees_one_generation_while_a_writer_commits(index, settings, folder):
    index.ingest([folder])
    with Index.open(settings.index, settings) as reader:
        with reader.store.snapshot():
            before = reader.store.counts()
            write(folder / "more.txt", "An extra document about tides and ferries.")
            index.ingest([folder])
            assert reader.store.counts() == before, "a snapshot must not see a commit made after it began"
        assert reader.store.counts()[0] == before[0] + 1


def test_a_file_an_older_reader_of_its_format_read_is_read_again(index, folder, monkeypatch):
    """When docqa reads a format better (a PDF's running headers left out), the next ingest reads
    the files it stored before again, though their bytes are unchanged."""
    from docqa.ingest import loaders

    monkeypatch.setitem(loaders.READERS, "text", 1)
    index.ingest([folder])
    monkeypatch.setitem(loaders.READERS, "text", 2)
    report = index.ingest([folder])
    assert report.ingested == [str(folder / "bridges.txt")] and report.unchanged == [str(folder / "notes.md")]
    assert index.store.document(str(folder / "bridges.txt")).reader == 2
    assert index.ingest([folder]).ingested == [], "read once by the new reader, then unchanged"
