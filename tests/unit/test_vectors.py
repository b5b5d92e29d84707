"""FAISS picks its index by size; approximate kinds keep the store guarantees and a measured recall."""

import pytest

from docqa.memory.store import Store
from docqa.memory.vectors import VectorIndex
from docqa.settings import VectorSettings
from tests.unit.test_store import _chunks, _vecs

DIM = 8


def _put(store, path, n, seed):
    """A document of n chunks with seeded random unit vectors; returns (chunk ids, vectors)."""
    vectors = _vecs(n, DIM, seed)
    _, ids = store.replace_document(
        path=path, title=path, kind="text", sha256=str(seed), size=1, mtime=0.0, pages=1,
        text="x", chunks=_chunks([f"chunk {i}" for i in range(n)]), vectors=vectors,
    )
    return ids, vectors


def test_flat_up_to_the_threshold_then_hnsw():
    vi = VectorIndex(DIM, settings=VectorSettings(flat_max=300))
    vectors = _vecs(500, DIM, 0)
    vi.add(list(range(1, 301)), vectors[:300])
    assert vi.kind == "flat"
    vi.add(list(range(301, 501)), vectors[300:])
    assert vi.kind == "hnsw" and len(vi) == 500
    # The switch keeps every id and its exact vector: each one is its own nearest neighbour.
    assert [vi.search(vectors[i], 1)[0][0] for i in (0, 299, 499)] == [1, 300, 500]


def test_low_memory_switches_to_ivfpq():
    # IVF-PQ needs ~10k vectors to train its 256-centroid codebooks.
    settings = VectorSettings(flat_max=1000, low_memory=True, pq_bytes=4, nprobe=64)
    vi = VectorIndex(DIM, settings=settings)
    vectors = _vecs(12_000, DIM, 1)
    vi.add(list(range(12_000)), vectors)
    assert vi.kind == "ivfpq"
    found = [vi.search(vectors[i], 5) for i in range(0, 12_000, 600)]
    assert sum(i * 600 in {cid for cid, _ in hits} for i, hits in enumerate(found)) >= 18


def test_removing_an_absent_id_leaves_no_tombstone():
    vi = VectorIndex(DIM, settings=VectorSettings(kind="hnsw", compact_at=0.9))
    vi.add([1, 2, 3], _vecs(3, DIM, 9))
    vi.remove([2, 99])
    assert vi.removed == {2} and len(vi) == 2


def test_hnsw_removal_filters_then_compacts():
    vi = VectorIndex(DIM, settings=VectorSettings(kind="hnsw", compact_at=0.25))
    vectors = _vecs(400, DIM, 2)
    vi.add(list(range(400)), vectors)
    vi.remove(list(range(0, 50)))
    assert vi.kind == "hnsw" and len(vi) == 350 and vi.index.ntotal == 400, "below compact_at: tombstones"
    for i in (0, 10, 49):
        hits = vi.search(vectors[i], 10)
        assert len(hits) == 10, "the filter runs inside the search: k results still come back"
        assert all(cid >= 50 for cid, _ in hits)
    assert set(vi.ids().tolist()) == set(range(50, 400))
    vi.remove(list(range(50, 100)))
    assert vi.index.ntotal == 300 and not vi.removed, "at compact_at the graph is rebuilt without them"
    assert vi.search(vectors[200], 1)[0][0] == 200


def test_reopen_reconciles_an_hnsw_file_with_the_store(tmp_path):
    settings = VectorSettings(flat_max=100)
    store = Store(tmp_path)
    ids_a, _ = _put(store, "/a.txt", 150, 3)
    ids_b, vec_b = _put(store, "/b.txt", 60, 4)
    vi = VectorIndex.open(tmp_path, store, DIM, settings)
    assert vi.kind == "hnsw"
    vi.save(tmp_path, store.generation)
    store.delete_document("/a.txt")  # after the last save, as after a crash
    reopened = VectorIndex.open(tmp_path, store, DIM, settings)
    assert sorted(reopened.ids().tolist()) == sorted(ids_b)
    assert reopened.kind == "hnsw", "60 chunks is above flat_max/2: no flip-flop back to flat"
    assert all(cid in ids_b for cid, _ in reopened.search(vec_b[0], 10))


def test_a_changed_kind_setting_rebuilds_from_the_store(tmp_path):
    store = Store(tmp_path)
    ids, vectors = _put(store, "/a.txt", 200, 5)
    VectorIndex.open(tmp_path, store, DIM, VectorSettings(kind="hnsw")).save(tmp_path, store.generation)
    flat = VectorIndex.open(tmp_path, store, DIM, VectorSettings(kind="flat"))  # same generation, other kind
    assert flat.kind == "flat" and len(flat) == 200
    assert flat.search(vectors[7], 1)[0][0] == ids[7]


@pytest.mark.parametrize("kind, floor", [("flat", 1.0), ("hnsw", 0.9)])
def test_check_recall_measures_against_exact_search(tmp_path, kind, floor):
    store = Store(tmp_path)
    _put(store, "/a.txt", 2000, 7)
    vi = VectorIndex.open(tmp_path, store, DIM, VectorSettings(kind=kind, ef_search=64))
    report = vi.check_recall(store, k=10, queries=100)
    assert report.kind == kind and report.chunks == 2000 and report.queries == 100
    assert floor <= report.recall <= 1.0


def test_check_recall_sees_a_starved_hnsw(tmp_path):
    """A tiny ef_search and M must show up as lower recall: the measure can fail."""
    store = Store(tmp_path)
    _put(store, "/a.txt", 3000, 8)
    starved = VectorSettings(kind="hnsw", hnsw_m=4, hnsw_ef_construction=8, ef_search=1)
    vi = VectorIndex.open(tmp_path, store, DIM, starved)
    assert vi.check_recall(store, k=10, queries=100).recall < 0.9


def test_ivfpq_too_small_to_train_stays_flat_without_rebuilding(tmp_path):
    store = Store(tmp_path)
    _put(store, "/a.txt", 300, 10)
    vi = VectorIndex.open(tmp_path, store, DIM, VectorSettings(kind="ivfpq", pq_bytes=4))
    assert vi.kind == "flat"
    vi.dirty = False
    assert vi.sync(store) == (0, 0) and not vi.dirty, "a small index must not be rebuilt on every access"
