"""The store keeps text, keyword index and vectors in agreement, and refuses a different embedding model.

Tests that take `store` run against both backends: SQLite + FTS5 (+ FAISS) and PostgreSQL + pgvector."""

import sqlite3

import numpy as np
import pytest

from docqa.errors import StoreError
from docqa.memory.backend import open_store
from docqa.memory.store import Store
from docqa.memory.vectors import VectorIndex
from docqa.records import Chunk


def _chunks(texts):
    return [Chunk(i, t, 0, len(t), 1, 1, "", len(t.split())) for i, t in enumerate(texts)]


def _vecs(n, dim=8, seed=0):
    v = np.random.default_rng(seed).normal(size=(n, dim)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def _put(store, path, texts, seed=0):
    return store.replace_document(
        path=path, title=path, kind="text", sha256=str(seed), size=1, mtime=0.0, pages=1,
        text=" ".join(texts), chunks=_chunks(texts), vectors=_vecs(len(texts), seed=seed),
    )


@pytest.fixture
def store(backend_settings):
    backend_settings.index.mkdir()
    store = open_store(backend_settings.store or backend_settings.index)
    yield store
    store.close()


def test_replace_swaps_chunks_everywhere(store):
    _, first = _put(store, "/a.txt", ["alpha apples", "beta bananas"])
    removed, second = _put(store, "/a.txt", ["gamma grapes"], seed=1)
    assert removed == first
    assert set(second).isdisjoint(first), "chunk ids must never be reused"
    assert store.counts() == (1, 1)
    assert [cid for cid, _ in store.keyword_search("apples", 5)] == []
    assert [cid for cid, _ in store.keyword_search("grapes", 5)] == second


def test_generation_advances_on_every_write(store):
    g0 = store.generation
    _put(store, "/a.txt", ["x"])
    store.delete_document("/a.txt")
    assert store.generation == g0 + 2


def test_model_mismatch_is_a_clear_error(store):
    store.bind_model("model-a", 384)
    store.bind_model("model-a", 384)  # same model: fine
    with pytest.raises(StoreError, match="model-a.*model-b"):
        store.bind_model("model-b", 768)


def test_vector_file_is_reconciled_with_the_store(tmp_path):
    store = Store(tmp_path)
    _, ids_a = _put(store, "/a.txt", ["one", "two"])
    vi = VectorIndex.open(tmp_path, store, dim=8)
    vi.save(tmp_path, store.generation)
    # Changes after the last save, as after a crash before the next one:
    store.delete_document("/a.txt")
    _, ids_b = _put(store, "/b.txt", ["three"], seed=2)
    reopened = VectorIndex.open(tmp_path, store, dim=8)
    assert sorted(reopened.ids().tolist()) == ids_b
    hit = reopened.search(_vecs(1, seed=2)[0], 1)
    assert hit[0][0] == ids_b[0] and hit[0][1] == pytest.approx(1.0, abs=1e-5)


def test_torn_vector_file_is_rebuilt_from_blobs(tmp_path):
    store = Store(tmp_path)
    _, ids = _put(store, "/a.txt", ["one", "two", "three"])
    (tmp_path / f"vectors-g{store.generation}.faiss").write_bytes(b"\x00garbage")
    vi = VectorIndex.open(tmp_path, store, dim=8)
    assert sorted(vi.ids().tolist()) == ids


def test_save_is_atomic_and_keeps_only_the_latest(tmp_path):
    store = Store(tmp_path)
    _put(store, "/a.txt", ["one"])
    vi = VectorIndex.open(tmp_path, store, dim=8)
    vi.save(tmp_path, 1)
    vi.save(tmp_path, 2)
    names = sorted(p.name for p in tmp_path.iterdir() if "faiss" in p.name)
    assert names == ["vectors-g2.faiss"]


def test_keyword_query_syntax_is_never_interpreted(store):
    _put(store, "/a.txt", ['he said "NEAR" AND (maybe) OR not*'])
    for q in ['"', "AND OR NOT", "col:umn", "*", "NEAR(a b)", ")(", "a & !b | c:*", "it's", "50%", "?"]:
        store.keyword_search(q, 5)  # must not raise FTS5 / tsquery syntax errors
    assert len(store.keyword_search("maybe (NEAR)", 5)) == 1


def test_ids_of_a_removed_document_are_never_reused(store):
    _, first = _put(store, "/a.txt", ["one", "two"])
    store.delete_document("/a.txt")
    _, second = _put(store, "/b.txt", ["three", "four"], seed=1)
    assert min(second) > max(first)
    assert store.hits(first) == {}
    assert sorted(store.hits(second)) == second


def test_not_a_store_is_a_clear_error(tmp_path):
    (tmp_path / "docqa.sqlite").write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="not a docqa store"):
        Store(tmp_path)


def test_two_processes_opening_an_older_store_at_once_add_its_new_column_once(tmp_path, monkeypatch):
    """CI saw 'duplicate column name: reader': a search opened the store while the ingest that made it was adding it."""
    Store(tmp_path).close()
    other = sqlite3.connect(tmp_path / "docqa.sqlite", isolation_level=None)
    other.execute("ALTER TABLE documents DROP COLUMN reader")
    looks = []
    look = Store._missing_columns

    def other_adds_it_after_the_first_look(self):
        missing = look(self)
        looks.append(missing)
        if len(looks) == 1:
            other.execute("ALTER TABLE documents ADD COLUMN reader INTEGER NOT NULL DEFAULT 1")
        return missing

    monkeypatch.setattr(Store, "_missing_columns", other_adds_it_after_the_first_look)
    Store(tmp_path).close()
    assert [[column for _, column, _ in missing] for missing in looks] == [["reader"], []]


def test_an_unreachable_server_is_a_one_line_error(tmp_path):
    with pytest.raises(StoreError, match=r"postgresql://docqa:\*\*\*@.*cannot connect to PostgreSQL"):
        open_store(f"postgresql://docqa:secret@/docqa?host={tmp_path}&connect_timeout=2")


def test_pgvector_search_finds_the_stored_vectors(pg_url):
    from docqa.settings import VectorSettings

    store = open_store(pg_url)
    store.bind_model("m", 8)
    _, ids = _put(store, "/a.txt", [f"chunk {i}" for i in range(50)])
    vectors = store.open_vectors(8, VectorSettings())
    for cid, vec in zip(ids, _vecs(50)):
        assert vectors.search(vec, 1)[0][0] == cid
    assert vectors.check_recall(store, k=5).recall == 1.0
    assert len(vectors) == 50
    store.close()


def test_a_read_only_replica_serves_searches_and_refuses_writes_clearly(pg_url):
    from docqa.settings import VectorSettings

    writer = open_store(pg_url)
    writer.bind_model("m", 8)
    _, ids = _put(writer, "/a.txt", ["harbour lantern", "ferry timetable"])
    writer.open_vectors(8, VectorSettings())
    writer.close()
    # What a hot standby looks like to a client: every transaction read-only.
    replica = open_store(pg_url + "&options=-c%20default_transaction_read_only%3Don")
    assert [cid for cid, _ in replica.keyword_search("ferry", 5)] == [ids[1]]
    assert replica.open_vectors(8, VectorSettings()).search(_vecs(2)[0], 1)[0][0] == ids[0]
    with pytest.raises(StoreError, match="read-only .* writes go to the primary"):
        _put(replica, "/b.txt", ["more"])
    replica.close()
