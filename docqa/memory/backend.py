"""Where the external memory lives: the store and vector-search protocols, and the factory.

Two backends implement them:

- ``sqlite`` (default, embedded): ``Store`` (SQLite + FTS5, vectors as blobs) with ``VectorIndex``
  (FAISS, a cache of the blobs) beside it in one directory;
- ``postgresql`` (server, ``docqa[postgres]``): ``PgStore`` holds documents, chunks, vectors
  (pgvector, HNSW) and keyword search (tsvector) in one database; its ``PgVectors`` is a view on it.

The pipeline (ingest, retrieval, answer, summarize, chat) sees only these protocols. Writers go
through ``Memory`` (memory.py), which keeps rows, vectors, generation and summaries in step.
Derived memory (summary trees, jobs, chat sessions) lives in typed repositories,
``store.derived`` (derived.py). No SQL is written outside this package.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from docqa.records import Chunk, Hit
from docqa.settings import VectorSettings, is_store_url

if TYPE_CHECKING:  # annotations only: `docqa --help` starts without numpy
    import numpy as np


class VectorSearch(Protocol):
    """Dense top-k over the store's chunk vectors, kept in step with the store's generation."""

    generation: int
    dirty: bool

    @property
    def kind(self) -> str: ...

    def search(self, query: np.ndarray, k: int) -> list[tuple[int, float]]: ...

    def search_within(self, query: np.ndarray, k: int, ids: Sequence[int]) -> list[tuple[int, float]]: ...

    def add(self, ids: list[int], vectors: np.ndarray) -> None: ...

    def remove(self, ids: list[int]) -> None: ...

    def sync(self, store: Any) -> tuple[int, int]: ...

    def save(self, directory: Path, generation: int) -> Any: ...

    def check_recall(self, store: Any, k: int = 10, queries: int = 200, seed: int = 0) -> Any: ...

    def __len__(self) -> int: ...


class MemoryStore(Protocol):
    """The source of truth: documents, chunks with provenance and vectors, keyword search, meta."""

    db: Any  # the driver's connection (sqlite3 / psycopg): SQL inside docqa.memory only
    PARAM: str  # the driver's parameter marker in that SQL: "?" (sqlite3) or "%s" (psycopg)

    @property
    def derived(self) -> Any: ...  # docqa.memory.derived.Derived: summaries, jobs, sessions

    @property
    def location(self) -> str: ...

    @property
    def generation(self) -> int: ...

    def close(self) -> None: ...

    def get_meta(self, key: str) -> str | None: ...

    def set_meta(self, key: str, value: str) -> None: ...

    def bind_model(self, name: str, dim: int) -> None: ...

    def transaction(self) -> AbstractContextManager[Any]: ...

    def snapshot(self) -> AbstractContextManager[Any]: ...

    def documents(self) -> list[Any]: ...

    def document(self, path: str) -> Any | None: ...

    def document_text(self, doc_id: int) -> str: ...

    def replace_document(
        self, *, path: str, title: str, kind: str, sha256: str, size: int, mtime: float, pages: int, text: str,
        chunks: Sequence[Chunk], vectors: np.ndarray, reader: int = 1,
    ) -> tuple[list[int], list[int]]: ...

    def delete_document(self, path: str) -> list[int]: ...

    def chunk_ids(self) -> np.ndarray: ...

    def vectors(self, ids: Sequence[int], dim: int) -> np.ndarray: ...

    def hits(self, ids: Sequence[int]) -> dict[int, Hit]: ...

    def neighbours(self, doc_id: int, ords: Sequence[int]) -> dict[int, Hit]: ...

    def document_chunks(self, doc_id: int) -> list[Hit]: ...

    def chunk_ids_of(self, doc_ids: Sequence[int]) -> list[int]: ...

    def keyword_search(self, query: str, k: int, doc_ids: Sequence[int] | None = None) -> list[tuple[int, float]]: ...

    def counts(self) -> tuple[int, int]: ...

    def open_vectors(self, dim: int, settings: VectorSettings) -> VectorSearch: ...

    def writer_lock(self, wait: bool = False) -> AbstractContextManager[None]: ...

    def integrity_problems(self, dim: int, ids: np.ndarray, sample: int) -> list[str]: ...

    def disk_bytes(self) -> dict[str, int]: ...


DB_NAME = "docqa.sqlite"


def recorded_model(location: str | Path) -> str | None:
    """The embedding model the directory store at `location` records, read without opening it as a
    Store (read-only: no upgrade, no lock, and none of store.py's imports: `docqa config` shows it);
    None when no store is there, or for a server store, which would need a connection."""
    path = Path(location).expanduser() / DB_NAME
    if is_store_url(location) or not path.exists():
        return None
    import sqlite3

    conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        row = conn.execute("SELECT value FROM meta WHERE key = 'embed_model'").fetchone()
    except sqlite3.Error:
        return None
    finally:
        conn.close()
    return row[0] if row else None


def open_store(location: str | Path) -> MemoryStore:
    """The store at `location`: a postgresql:// URL, else a directory (created by the caller)."""
    if is_store_url(location):
        from docqa.memory.pgstore import PgStore

        return PgStore(str(location))
    from docqa.memory.store import Store

    return Store(Path(location))

