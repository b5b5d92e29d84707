"""The FAISS side of the external memory: a cache of the SQLite vector blobs.

`faiss.write_index` is not atomic, so the file is written to a temp name, fsynced and renamed,
and its name carries the store generation it reflects (``vectors-g<N>.faiss``). On open the
index is brought in line with SQLite by id: ids SQLite no longer has are dropped, ids it has that
the file lacks are added from their stored blobs. A crash at any point therefore costs at most
some re-reading, never wrong text for a vector id.

The index kind follows the size (``VectorSettings``): exact ``IndexFlatIP`` up to ``flat_max``
chunks, then HNSW (the vectors in fp16, a graph on top: 0.3 ms per query at 100k), or IVF-PQ when
memory is tight (48-byte codes, lossy). All sit inside ``IndexIDMap2`` so ids stay the store's chunk ids.

HNSW cannot delete a node (FAISS's ``remove_ids`` raises for it: unlinking a node would leave
holes in its neighbours' link lists). Removed ids are therefore tombstones, filtered out inside the
search by an ``IDSelector`` (so k results still come back), and the graph is rebuilt from its own
vectors once tombstones reach ``compact_at`` of it. Tombstones are not written to the file:
on open, the reconcile step finds the same ids missing from SQLite and tombstones them again.
"""

from __future__ import annotations

import math
import os
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import faiss
import numpy as np

from docqa.settings import VectorSettings

if TYPE_CHECKING:  # the store's protocol only: the store module imports this one, not the reverse
    from docqa.memory.backend import MemoryStore as Store

_FILE = re.compile(r"^vectors-g(\d+)\.faiss$")
# PQ trains 256 centroids per sub-quantizer and FAISS wants 39 points per centroid; an index this
# small is searched exactly in about a millisecond anyway.
_PQ_MIN_TRAIN = 39 * 256
_PQ_MAX_TRAIN = 100_000  # k-means on a sample: the codebooks stop improving long before 1M points


def latest_file(directory: Path) -> tuple[int, Path] | None:
    found = [(int(m.group(1)), p) for p in directory.iterdir() if (m := _FILE.match(p.name))]
    return max(found) if found else None


def kind_of(index: faiss.Index) -> str:
    inner = faiss.downcast_index(index.index) if isinstance(index, faiss.IndexIDMap2) else index
    if isinstance(inner, faiss.IndexHNSW):
        return "hnsw"
    if isinstance(inner, faiss.IndexIVFPQ):
        return "ivfpq"
    return "flat"


def build(kind: str, dim: int, vectors: np.ndarray, ids: np.ndarray, settings: VectorSettings) -> faiss.IndexIDMap2:
    """A new index of `kind` holding these (normalized, float32) vectors under these ids."""
    n = len(ids)
    if kind == "ivfpq" and n < _PQ_MIN_TRAIN:
        kind = "flat"
    if kind == "hnsw" and settings.hnsw_storage == "fp16":
        inner = faiss.IndexHNSWSQ(dim, faiss.ScalarQuantizer.QT_fp16, settings.hnsw_m, faiss.METRIC_INNER_PRODUCT)
        inner.hnsw.efConstruction = settings.hnsw_ef_construction
    elif kind == "hnsw":
        inner = faiss.IndexHNSWFlat(dim, settings.hnsw_m, faiss.METRIC_INNER_PRODUCT)
        inner.hnsw.efConstruction = settings.hnsw_ef_construction
    elif kind == "ivfpq":
        if dim % settings.pq_bytes:
            raise ValueError(f"vectors.pq_bytes={settings.pq_bytes} must divide the embedding dimension {dim}")
        # ~39 training points per cell is FAISS's floor for a useful k-means.
        nlist = max(1, min(settings.nlist or int(4 * math.sqrt(n)), n // 39))
        inner = faiss.IndexIVFPQ(faiss.IndexFlatIP(dim), dim, nlist, settings.pq_bytes, 8, faiss.METRIC_INNER_PRODUCT)
        sample = vectors
        if n > _PQ_MAX_TRAIN:
            sample = vectors[np.random.default_rng(0).choice(n, _PQ_MAX_TRAIN, replace=False)]
        inner.train(np.ascontiguousarray(sample))
    else:
        inner = faiss.IndexFlatIP(dim)
    index = faiss.IndexIDMap2(inner)
    index.own_fields = True  # the Python wrapper may drop `inner`; the C++ side keeps it alive
    inner.this.disown()
    if n:
        index.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32), np.asarray(ids, dtype=np.int64))
    return index


@dataclass(frozen=True)
class Recall:
    kind: str
    chunks: int
    queries: int
    k: int
    recall: float  # mean |approx top-k ∩ exact top-k| / k
    approx_ms: float  # mean per query, this index
    exact_ms: float  # mean per query, brute force over the stored vectors


class VectorIndex:
    def __init__(
        self, dim: int, index: faiss.Index | None = None, generation: int = -1, settings: VectorSettings | None = None
    ) -> None:
        self.dim = dim
        self.settings = settings or VectorSettings()
        self.index = index or build("flat", dim, np.zeros((0, dim), np.float32), np.zeros(0, np.int64), self.settings)
        self.generation = generation  # the store generation this index reflects; -1: unknown
        self.dirty = False
        self.removed: set[int] = set()  # HNSW tombstones (see the module docstring)
        self._params: faiss.SearchParameters | None = None
        self._configure()

    @classmethod
    def open(cls, directory: Path, store: Store, dim: int, settings: VectorSettings | None = None) -> VectorIndex:
        """Load the newest FAISS file and reconcile it with the store."""
        vi = cls(dim, settings=settings)
        latest = latest_file(directory)
        if latest is not None:
            try:
                index = faiss.read_index(str(latest[1]))
                if index.d == dim and isinstance(index, faiss.IndexIDMap2):
                    vi = cls(dim, index, latest[0], settings)
            except RuntimeError:
                pass  # a torn or foreign file: rebuild from the store's blobs below
        vi.sync(store)
        return vi

    @property
    def kind(self) -> str:
        return kind_of(self.index)

    def desired_kind(self, n: int) -> str:
        s = self.settings
        if s.kind != "auto":
            kind = s.kind
        else:
            # Hysteresis: an approximate index goes back to flat only well below the threshold, so a
            # size hovering around flat_max does not rebuild on every ingest/remove.
            limit = s.flat_max if self.kind == "flat" else s.flat_max // 2
            kind = "flat" if n <= limit else "ivfpq" if s.low_memory else "hnsw"
        return "flat" if kind == "ivfpq" and n < _PQ_MIN_TRAIN else kind  # as build() does

    def _configure(self) -> None:
        """Per-query parameters for the current kind: ef_search / nprobe, and the tombstone filter."""
        kind = self.kind
        if kind == "hnsw":
            params = faiss.SearchParametersHNSW()
            params.efSearch = self.settings.ef_search
        elif kind == "ivfpq":
            params = faiss.SearchParametersIVF()
            params.nprobe = self.settings.nprobe
        else:
            self._params = None
            return
        if self.removed:
            batch = faiss.IDSelectorBatch(np.fromiter(self.removed, dtype=np.int64, count=len(self.removed)))
            params.sel = faiss.IDSelectorNot(batch)
        self._params = params
        self._selectors = (batch, params.sel) if self.removed else ()  # SWIG holds raw pointers: keep them alive

    def ids(self) -> np.ndarray:
        have = faiss.vector_to_array(self.index.id_map).astype(np.int64)
        if self.removed:
            have = have[~np.isin(have, np.fromiter(self.removed, dtype=np.int64, count=len(self.removed)))]
        return have

    def sync(self, store: Store) -> tuple[int, int]:
        """Make the id set equal to the store's (and the kind right for its size). Returns (added, removed)."""
        with store.snapshot():
            generation = store.generation
            if generation == self.generation and self.desired_kind(len(self)) == self.kind:
                return 0, 0
            want = store.chunk_ids()
            have = self.ids()
            missing = np.setdiff1d(want, have, assume_unique=True)
            stale = np.setdiff1d(have, want, assume_unique=True)
            if self.desired_kind(len(want)) != self.kind:
                # A different kind: rebuild from the source of truth (an IVF-PQ index's own vectors are lossy).
                self._replace(build(self.desired_kind(len(want)), self.dim, store.vectors(want, self.dim), want, self.settings))
                self.generation = generation
                return len(missing), len(stale)
            vectors = store.vectors(missing, self.dim) if len(missing) else None
        self.remove(stale.tolist())
        if vectors is not None:
            self.add(missing.tolist(), vectors)
        self.generation = generation
        return len(missing), len(stale)

    def _replace(self, index: faiss.Index) -> None:
        self.index = index
        self.removed.clear()
        self.dirty = True
        self._configure()

    def _own_vectors(self) -> tuple[np.ndarray, np.ndarray]:
        """(vectors, ids) read back from a flat or HNSW index, tombstones left out.

        Exact from flat; from fp16 HNSW they are fp16-rounded, and re-encoding them in fp16 loses nothing more.
        """
        ids = faiss.vector_to_array(self.index.id_map).astype(np.int64)
        vectors = self.index.index.reconstruct_n(0, self.index.ntotal)
        keep = ~np.isin(ids, np.fromiter(self.removed, dtype=np.int64, count=len(self.removed)))
        return vectors[keep], ids[keep]

    def add(self, ids: list[int], vectors: np.ndarray) -> None:
        if not ids:
            return
        self.index.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32), np.asarray(ids, dtype=np.int64))
        self.dirty = True
        want = self.desired_kind(len(self))
        if want != self.kind and self.kind == "flat":
            # Grown past flat_max: the flat index holds exact vectors, so no trip to SQLite is needed.
            self._replace(build(want, self.dim, *self._own_vectors(), self.settings))

    def remove(self, ids: list[int]) -> None:
        if not ids:
            return
        self.dirty = True
        if self.kind != "hnsw":
            self.index.remove_ids(np.asarray(ids, dtype=np.int64))
            return
        # Only ids the graph holds: a tombstone for an absent id would make len() wrong.
        present = np.asarray(ids, dtype=np.int64)
        present = present[np.isin(present, faiss.vector_to_array(self.index.id_map))]
        self.removed.update(present.tolist())
        if len(self.removed) >= self.settings.compact_at * self.index.ntotal:
            self._replace(build("hnsw", self.dim, *self._own_vectors(), self.settings))
        else:
            self._configure()

    def search(self, query: np.ndarray, k: int) -> list[tuple[int, float]]:
        if len(self) == 0:
            return []
        scores, ids = self.search_batch(np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32), k)
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0]) if i != -1]

    def search_batch(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        return self.index.search(queries, k, params=self._params)

    def search_within(self, query: np.ndarray, k: int, ids: Sequence[int]) -> list[tuple[int, float]]:
        """Top-k among `ids` only, by FAISS's id selector inside the search (exact for flat; an
        approximate index may find fewer than k when the ids are a small share of it)."""
        if len(self) == 0:
            return []
        kind = self.kind
        params = faiss.SearchParametersHNSW() if kind == "hnsw" else faiss.SearchParametersIVF() if kind == "ivfpq" \
            else faiss.SearchParameters()
        if kind == "hnsw":
            params.efSearch = max(self.settings.ef_search, k)
        elif kind == "ivfpq":
            params.nprobe = self.settings.nprobe
        # Tombstoned ids are gone from the store, so `ids` (read from it) never holds one.
        selector = faiss.IDSelectorBatch(np.asarray(ids, dtype=np.int64))
        params.sel = selector
        scores, found = self.index.search(np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32), k, params=params)
        return [(int(i), float(s)) for i, s in zip(found[0], scores[0]) if i != -1]

    def __len__(self) -> int:
        return int(self.index.ntotal) - len(self.removed)

    def check_recall(self, store: Store, k: int = 10, queries: int = 200, seed: int = 0) -> Recall:
        """Recall@k of this index against exact search over the vectors stored in SQLite."""
        self.sync(store)
        return measure_recall(self, store, self.dim, k, queries, seed)

    def save(self, directory: Path, generation: int) -> Path:
        """Write atomically as the file for `generation`, then drop older files."""
        final = directory / f"vectors-g{generation}.faiss"
        tmp = directory / f".vectors-g{generation}.faiss.tmp"
        faiss.write_index(self.index, str(tmp))
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, final)
        dir_fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
        for p in directory.iterdir():
            m = _FILE.match(p.name)
            if m and int(m.group(1)) < generation:
                p.unlink(missing_ok=True)
        self.generation = generation
        self.dirty = False
        return final


def measure_recall(index, store, dim: int, k: int = 10, queries: int = 200, seed: int = 0) -> Recall:
    """Recall@k of `index` (any backend's vector search) against exact search over the store's vectors.

    Queries are stored chunk vectors (a seeded sample); each query's own chunk is left out of
    both result lists, so the trivial self-match does not inflate the score.
    """
    with store.snapshot():
        ids = store.chunk_ids()
        stored = store.vectors(ids, dim)
    n = len(ids)
    if n == 0:
        return Recall(index.kind, 0, 0, k, 1.0, 0.0, 0.0)
    pick = np.random.default_rng(seed).choice(n, min(queries, n), replace=False)
    xq = np.ascontiguousarray(stored[pick])
    kk = min(k + 1, n)
    started = time.perf_counter()
    _, exact_pos = faiss.knn(xq, stored, kk, metric=faiss.METRIC_INNER_PRODUCT)
    exact_ms = (time.perf_counter() - started) * 1000 / len(pick)
    started = time.perf_counter()
    _, approx = index.search_batch(xq, kk)
    approx_ms = (time.perf_counter() - started) * 1000 / len(pick)
    exact = ids[exact_pos]
    hits = []
    for row, q in enumerate(ids[pick]):
        truth = [int(i) for i in exact[row] if i != q][:k]
        found = {int(i) for i in approx[row] if i != q and i != -1}
        if truth:
            hits.append(len(found.intersection(truth)) / len(truth))
    recall = float(np.mean(hits)) if hits else 1.0
    return Recall(index.kind, n, len(pick), k, recall, approx_ms, exact_ms)
