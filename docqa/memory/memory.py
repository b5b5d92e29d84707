"""`Memory`: the one writer's view of a store, which keeps its invariants itself.

A store (``Store`` or ``PgStore``) holds the rows; dense search (``VectorIndex`` over FAISS, or
``PgVectors``) follows them; derived memory (summary trees) hangs off a document's path. Writers
(ingest, remove) call ``replace`` and ``delete`` here and nothing else, as txtai's
``Embeddings.delete`` updates database, ANN and scoring in one call:

- ``replace`` puts a document's new rows (text, chunks, vectors, keyword index) in place of its old
  ones in one store transaction, then moves the vector index the same way and to the same
  generation;
- ``delete`` removes the rows and forgets the document's summary nodes and roots in one
  transaction, then drops its vectors;
- ``checkpoint`` persists the vector index (FAISS: temp file, fsync, rename) when it has changed.

A crash between the store's commit and the vector file costs a re-read on the next open (the
index is reconciled with the store by id), never a wrong vector for an id.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from docqa.memory.backend import MemoryStore, VectorSearch
from docqa.records import Chunk
from docqa.settings import VectorSettings

if TYPE_CHECKING:  # annotations only: `docqa --help` starts without numpy
    import numpy as np


@dataclass(frozen=True)
class DocumentVersion:
    """What the store records about one version of a file, besides its chunks."""

    path: str
    title: str
    kind: str
    sha256: str
    size: int
    mtime: float
    pages: int
    text: str
    reader: int = 1  # ingest.loaders.reader_version of its kind when it was read


class Memory:
    """A store and its dense search, changed only together (see the module docstring)."""

    def __init__(self, store: MemoryStore, vectors: VectorSearch, directory: Path) -> None:
        self.store = store
        self.vectors = vectors
        self.directory = directory  # where the vector index is saved (the store's own folder)

    @classmethod
    def open(cls, store: MemoryStore, dim: int, settings: VectorSettings, directory: Path) -> Memory:
        """The store with its dense search opened and reconciled with it."""
        return cls(store, store.open_vectors(dim, settings), directory)

    @property
    def generation(self) -> int:
        return self.store.generation

    def sync(self) -> None:
        """Bring the vector index up to the store's last committed generation (another writer's)."""
        self.vectors.sync(self.store)

    def replace(self, document: DocumentVersion, chunks: Sequence[Chunk], vectors: np.ndarray) -> list[int]:
        """Put this version of a document in place of any earlier one, everywhere. Returns its chunk ids."""
        removed, added = self.store.replace_document(
            path=document.path, title=document.title, kind=document.kind, sha256=document.sha256,
            size=document.size, mtime=document.mtime, pages=document.pages, text=document.text,
            chunks=chunks, vectors=vectors, reader=document.reader,
        )
        self.vectors.remove(removed)
        self.vectors.add(added, vectors)
        self.vectors.generation = self.store.generation
        return added

    def delete(self, path: str) -> bool:
        """Forget a document: its rows, keyword index, vectors and summaries. False if it was not stored."""
        with self.store.transaction():
            existed = self.store.document(path) is not None
            removed = self.store.delete_document(path)
            self.store.derived.summaries.forget(path)
        self.vectors.remove(removed)
        self.vectors.generation = self.store.generation
        return existed

    def checkpoint(self, force: bool = False) -> None:
        """Persist the vector index if it changed since the last checkpoint (or `force`)."""
        if force or self.vectors.dirty:
            self.vectors.save(self.directory, self.vectors.generation)
