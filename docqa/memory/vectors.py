"""The FAISS side of the external memory: a cache of the SQLite vector blobs.

`faiss.write_index` is not atomic, so the file is written to a temp name, fsynced and renamed,
and its name carries the store generation it reflects (``vectors-g<N>.faiss``). On open the
index is brought in line with SQLite by id: ids SQLite no longer has are dropped, ids it has that
the file lacks are added from their stored blobs. A crash at any point therefore costs at most
some re-reading, never wrong text for a vector id.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import faiss
import numpy as np

from docqa.memory.store import Store

_FILE = re.compile(r"^vectors-g(\d+)\.faiss$")


def latest_file(directory: Path) -> tuple[int, Path] | None:
    found = [(int(m.group(1)), p) for p in directory.iterdir() if (m := _FILE.match(p.name))]
    return max(found) if found else None


class VectorIndex:
    def __init__(self, dim: int, index: faiss.Index | None = None, generation: int = -1) -> None:
        self.dim = dim
        self.index = index or faiss.IndexIDMap2(faiss.IndexFlatIP(dim))
        self.generation = generation  # the store generation this index reflects; -1: unknown
        self.dirty = False

    @classmethod
    def open(cls, directory: Path, store: Store, dim: int) -> VectorIndex:
        """Load the newest FAISS file and reconcile it with the store."""
        vi = cls(dim)
        latest = latest_file(directory)
        if latest is not None:
            try:
                index = faiss.read_index(str(latest[1]))
                if index.d == dim:
                    vi = cls(dim, index, latest[0])
            except RuntimeError:
                pass  # a torn or foreign file: rebuild from the store's blobs below
        vi.sync(store)
        return vi

    def ids(self) -> np.ndarray:
        return faiss.vector_to_array(self.index.id_map).astype(np.int64)

    def sync(self, store: Store) -> tuple[int, int]:
        """Make the id set equal to the store's. Returns (added, removed)."""
        with store.snapshot():
            generation = store.generation
            if generation == self.generation:
                return 0, 0
            want = store.chunk_ids()
            have = self.ids()
            missing = np.setdiff1d(want, have, assume_unique=True)
            stale = np.setdiff1d(have, want, assume_unique=True)
            vectors = store.vectors(missing, self.dim) if len(missing) else None
        if len(stale):
            self.index.remove_ids(stale)
        if vectors is not None:
            self.index.add_with_ids(vectors, missing)
        self.generation = generation
        self.dirty = self.dirty or bool(len(stale) or len(missing))
        return len(missing), len(stale)

    def add(self, ids: list[int], vectors: np.ndarray) -> None:
        if ids:
            self.index.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32), np.asarray(ids, dtype=np.int64))
            self.dirty = True

    def remove(self, ids: list[int]) -> None:
        if ids:
            self.index.remove_ids(np.asarray(ids, dtype=np.int64))
            self.dirty = True

    def search(self, query: np.ndarray, k: int) -> list[tuple[int, float]]:
        if self.index.ntotal == 0:
            return []
        scores, ids = self.index.search(np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32), k)
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0]) if i != -1]

    def __len__(self) -> int:
        return int(self.index.ntotal)

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
