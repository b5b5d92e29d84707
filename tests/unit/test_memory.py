"""Memory keeps rows, keyword index, vectors, generation and summaries in step (both backends).

Tests that take `memory` are the store contract: SQLite + FAISS and PostgreSQL + pgvector."""

import numpy as np
import pytest

from docqa.ingest import pipeline
from docqa.memory.backend import open_store
from docqa.memory.check import check_store
from docqa.memory.derived import NodeRow
from docqa.memory.memory import DocumentVersion, Memory
from docqa.records import Chunk
from docqa.settings import VectorSettings

DIM = 8


def _vecs(n, seed=0):
    v = np.random.default_rng(seed).normal(size=(n, DIM)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def _put(memory, path, texts, seed=0):
    chunks = [Chunk(i, t, 0, len(t), 1, 1, "", len(t.split())) for i, t in enumerate(texts)]
    doc = DocumentVersion(path, path, "text", str(seed), 1, 0.0, 1, " ".join(texts))
    return memory.replace(doc, chunks, _vecs(len(texts), seed))


def _summarize(store, path, key):
    summaries = store.derived.summaries
    summaries.put_node(NodeRow(key, "document", "", f"summary of {path}", "{}"), path)
    summaries.set_root(path, "tree", 60, "sha", "stamp", [key])


@pytest.fixture
def memory(backend_settings):
    backend_settings.index.mkdir()
    store = open_store(backend_settings.store or backend_settings.index)
    store.bind_model("m", DIM)
    yield Memory.open(store, DIM, VectorSettings(), backend_settings.index)
    store.close()


def _in_step(memory):
    store, vectors = memory.store, memory.vectors
    assert vectors.generation == store.generation
    assert len(vectors) == store.counts()[1]
    assert check_store(store, DIM) == []


def test_replace_moves_rows_vectors_and_generation_together(memory):
    g0 = memory.generation
    first = _put(memory, "/a.txt", ["alpha apples", "beta bananas"])
    _in_step(memory)
    second = _put(memory, "/a.txt", ["gamma grapes"], seed=1)
    _in_step(memory)
    assert memory.generation == g0 + 2
    assert memory.vectors.search(_vecs(1, seed=1)[0], 3)[0][0] == second[0]
    assert not {cid for cid, _ in memory.vectors.search(_vecs(1)[0], 3)} & set(first)
    assert [cid for cid, _ in memory.store.keyword_search("grapes", 5)] == second


def test_delete_forgets_rows_vectors_and_summaries(memory):
    ids = _put(memory, "/a.txt", ["alpha apples", "beta bananas"])
    kept = _put(memory, "/b.txt", ["ferry timetable"], seed=2)
    _summarize(memory.store, "/a.txt", "k-a")
    _summarize(memory.store, "/b.txt", "k-b")
    g = memory.generation
    assert memory.delete("/a.txt") is True
    _in_step(memory)
    assert memory.generation == g + 1
    assert memory.store.hits(ids) == {} and memory.store.keyword_search("apples", 5) == []
    assert {cid for cid, _ in memory.vectors.search(_vecs(1)[0], 5)} == set(kept)
    summaries = memory.store.derived.summaries
    assert summaries.count("/a.txt") == 0 and summaries.node("k-a") is None and summaries.roots("/a.txt", "sha") == []
    assert summaries.count("/b.txt") == 1 and summaries.roots("/b.txt", "sha")[0].keys == ["k-b"]
    assert memory.delete("/a.txt") is False


def test_a_failed_delete_changes_nothing(memory, monkeypatch):
    ids = _put(memory, "/a.txt", ["alpha apples"])
    _summarize(memory.store, "/a.txt", "k-a")
    g = memory.generation

    def fail(path):
        raise RuntimeError("disk full")

    monkeypatch.setattr(memory.store.derived.summaries, "forget", fail)
    with pytest.raises(RuntimeError):
        memory.delete("/a.txt")
    assert memory.generation == g and sorted(memory.store.hits(ids)) == ids
    assert memory.store.derived.summaries.count("/a.txt") == 1
    _in_step(memory)


def test_checkpoint_writes_the_vector_file_at_the_store_generation(tmp_path):
    store = open_store(tmp_path)
    memory = Memory.open(store, DIM, VectorSettings(), tmp_path)
    _put(memory, "/a.txt", ["one", "two"])
    memory.checkpoint()
    assert (tmp_path / f"vectors-g{store.generation}.faiss").exists()
    assert check_store(store, DIM) == []
    store.close()


def test_batches_are_sized_to_a_few_seconds_of_work():
    # A clock of its own: patching time.monotonic would stop another test's event loop thread too.
    clock = iter([100.0, 100.5])  # a 10 kB batch took half a second: 20 kB/s
    pace = pipeline._Pace(clock=lambda: next(clock))
    assert pace.limit() == pipeline.FIRST_BATCH_BYTES
    pace.handed(10_000)
    pace.committed()
    assert pace.limit() == int(20_000 * pipeline.COMMIT_EVERY_S)
