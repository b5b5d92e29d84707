"""The store keeps SQLite, FTS5 and FAISS in agreement, and refuses a different embedding model."""

import numpy as np
import pytest

from docqa.errors import StoreError
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


def test_replace_swaps_chunks_everywhere(tmp_path):
    store = Store(tmp_path)
    _, first = _put(store, "/a.txt", ["alpha apples", "beta bananas"])
    removed, second = _put(store, "/a.txt", ["gamma grapes"], seed=1)
    assert removed == first
    assert set(second).isdisjoint(first), "chunk ids must never be reused"
    assert store.counts() == (1, 1)
    assert [cid for cid, _ in store.keyword_search("apples", 5)] == []
    assert [cid for cid, _ in store.keyword_search("grapes", 5)] == second


def test_generation_advances_on_every_write(tmp_path):
    store = Store(tmp_path)
    g0 = store.generation
    _put(store, "/a.txt", ["x"])
    store.delete_document("/a.txt")
    assert store.generation == g0 + 2


def test_model_mismatch_is_a_clear_error(tmp_path):
    store = Store(tmp_path)
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


def test_keyword_query_syntax_is_never_interpreted(tmp_path):
    store = Store(tmp_path)
    _put(store, "/a.txt", ['he said "NEAR" AND (maybe) OR not*'])
    for q in ['"', "AND OR NOT", "col:umn", "*", "NEAR(a b)", ")("]:
        store.keyword_search(q, 5)  # must not raise FTS5 syntax errors


def test_not_a_store_is_a_clear_error(tmp_path):
    (tmp_path / "docqa.sqlite").write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="not a docqa store"):
        Store(tmp_path)
