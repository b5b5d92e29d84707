"""The SQLite side of the external memory: the source of truth.

Documents, chunks (text, pages, section, offsets), each chunk's embedding as a float32 blob, and an
FTS5 table over chunk text all live in one database, so one transaction replaces a file's chunks
everywhere at once. The FAISS file (memory/vectors.py) is a cache of the blobs, tagged with the
generation it reflects; it can always be rebuilt from here without re-embedding.
"""

from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from docqa.cjk import keyword_text
from docqa.errors import StoreError
from docqa.memory.backend import DB_NAME
from docqa.memory.derived import Derived
from docqa.memory.schema import ADDED_COLUMNS, DERIVED, SCHEMA_VERSION, SQLITE, SQLITE_KEYWORDS
from docqa.records import Chunk, Hit
from docqa.settings import VectorSettings

if TYPE_CHECKING:
    import numpy as np  # imported by the methods that use it: `docqa list` and `status` never do

HIT_COLUMNS = (
    "c.id, c.doc_id, d.path, d.title, c.ord, c.text, c.page_start, c.page_end, c.section, "
    "c.char_start, c.char_end, c.line_start, c.line_end"
)


def hit_from_row(row) -> Hit:
    """A HIT_COLUMNS row as a Hit (the locator columns come last, as Hit's optional fields do)."""
    return Hit(*row[:-2], score=0.0, line_start=row[-2], line_end=row[-1])


@dataclass(frozen=True)
class DocumentRow:
    id: int
    path: str
    title: str
    kind: str
    sha256: str
    size: int
    mtime: float
    pages: int
    chunks: int
    ingested_at: float
    reader: int = 1  # the version of the reader its text came from (ingest.loaders.reader_version)


DOC_COLUMNS = "id, path, title, kind, sha256, size, mtime, pages, chunks, ingested_at, reader"


class DocumentReads:
    """What both stores answer with the same SQL over `db` (their driver's connection), written
    with the store's declared parameter marker `PARAM`; and their derived-memory repositories."""

    db: object
    PARAM: str

    @cached_property
    def derived(self) -> Derived:
        return Derived(self)

    def documents(self) -> list[DocumentRow]:
        rows = self.db.execute(f"SELECT {DOC_COLUMNS} FROM documents ORDER BY path").fetchall()
        return [DocumentRow(*r) for r in rows]

    def document(self, path: str) -> DocumentRow | None:
        row = self.db.execute(f"SELECT {DOC_COLUMNS} FROM documents WHERE path = {self.PARAM}", (path,)).fetchone()
        return DocumentRow(*row) if row else None

    def document_text(self, doc_id: int) -> str:
        row = self.db.execute(f"SELECT text FROM documents WHERE id = {self.PARAM}", (doc_id,)).fetchone()
        if row is None:
            raise StoreError(f"no document with id {doc_id}")
        return row[0]

    def counts(self) -> tuple[int, int]:
        docs = self.db.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
        chunks = self.db.execute("SELECT COUNT(*) FROM chunks").fetchone()[0]
        return docs, chunks


class Store(DocumentReads):
    """One SQLite connection. Writers go through `replace_document` / `delete_document`."""

    PARAM = "?"  # sqlite3's qmark style

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.path = directory / DB_NAME
        self.conn = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
        self.db = self.conn
        try:
            self.conn.execute("PRAGMA foreign_keys = ON")
            # WAL: readers see the last committed transaction while a writer works, and never block it.
            self.conn.execute("PRAGMA journal_mode = WAL")
            self.conn.execute("PRAGMA synchronous = FULL")
            version = self._stored_version()
            if version is None:
                self.conn.executescript(SQLITE + SQLITE_KEYWORDS + DERIVED)
                self._init_meta()
                version = self._stored_version()
            upgrades = {1: self._upgrade_to_2, 2: self._upgrade_to_3, 3: self._upgrade_to_4}
            while version in upgrades:
                with self.transaction():
                    # Another process may have upgraded it since we looked: look again under the write lock.
                    if self._stored_version() == version:
                        upgrades[version]()
                version = self._stored_version()
            self._add_columns()
        except sqlite3.DatabaseError as exc:
            self.conn.close()
            raise StoreError(f"{self.path}: not a docqa store ({exc})") from exc
        if version != SCHEMA_VERSION:
            self.conn.close()
            raise StoreError(f"{self.path}: schema version {version}, this docqa reads {SCHEMA_VERSION}")

    def close(self) -> None:
        self.conn.close()

    # -- meta -----------------------------------------------------------------------------------

    def _stored_version(self) -> int | None:
        # Readers must not write: only a store without a schema gets one.
        try:
            value = self.get_meta("schema_version")
        except sqlite3.OperationalError:
            return None  # no meta table yet: a new store
        return int(value) if value is not None else None

    def _init_meta(self) -> None:
        with self.transaction():
            self.conn.execute(
                "INSERT OR IGNORE INTO meta VALUES ('schema_version', ?), ('generation', '0')",
                (str(SCHEMA_VERSION),),
            )

    def _upgrade_to_2(self) -> None:
        with self.transaction():
            for statement in DERIVED.split(";"):
                if statement.strip():
                    self.conn.execute(statement)
            self.set_meta("schema_version", "2")

    def _missing_columns(self) -> list[tuple[str, str, str]]:
        return [(table, column, declaration) for table, column, declaration in ADDED_COLUMNS
                if column not in {r[1] for r in self.conn.execute(f"PRAGMA table_info({table})")}]

    def _add_columns(self) -> None:
        """Readers write nothing when no column is missing; a second process opening a new store at the same time
        looks again under the write lock, so only one of them adds each column."""
        if not self._missing_columns():
            return
        with self.transaction():
            for table, column, declaration in self._missing_columns():
                self.conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} {declaration}")

    def _upgrade_to_3(self) -> None:
        """Chunks get their CJK keywords and FTS5 is rebuilt over them, in one transaction."""
        with self.transaction():
            self.conn.execute("ALTER TABLE chunks ADD COLUMN keywords TEXT")
            rows = self.conn.execute("SELECT id, text FROM chunks").fetchall()
            self.conn.executemany(
                "UPDATE chunks SET keywords = ? WHERE id = ?",
                [(kw, cid) for cid, text in rows if (kw := keyword_text(text)) is not None],
            )
            for statement in ("DROP TRIGGER chunks_ai", "DROP TRIGGER chunks_ad", "DROP TABLE chunks_fts",
                              *_statements(SQLITE_KEYWORDS)):
                self.conn.execute(statement)
            self.conn.execute("INSERT INTO chunks_fts(chunks_fts) VALUES ('rebuild')")
            self.set_meta("schema_version", "3")

    def _upgrade_to_4(self) -> None:
        """CJK keywords again, in simplified script, and FTS5 rebuilt over them, in one transaction."""
        with self.transaction():
            rows = self.conn.execute("SELECT id, text FROM chunks WHERE keywords IS NOT NULL").fetchall()
            self.conn.executemany("UPDATE chunks SET keywords = ? WHERE id = ?", [(keyword_text(t), cid) for cid, t in rows])
            self.conn.execute("INSERT INTO chunks_fts(chunks_fts) VALUES ('rebuild')")
            self.set_meta("schema_version", "4")

    def get_meta(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self.conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    @property
    def generation(self) -> int:
        return int(self.get_meta("generation") or 0)

    def bind_model(self, name: str, dim: int) -> None:
        bind_model(self, name, dim)

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction; inside another, part of it (commits or rolls back with it)."""
        if self.conn.in_transaction:
            yield self.conn
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        else:
            self.conn.execute("COMMIT")

    @contextmanager
    def snapshot(self) -> Iterator[sqlite3.Connection]:
        """A read transaction: every query inside sees the same committed generation."""
        self.conn.execute("BEGIN")
        try:
            yield self.conn
        finally:
            self.conn.execute("COMMIT")

    def _bump_generation(self) -> int:
        gen = self.generation + 1
        self.set_meta("generation", str(gen))
        return gen

    # -- documents ------------------------------------------------------------------------------

    def replace_document(
        self,
        *,
        path: str,
        title: str,
        kind: str,
        sha256: str,
        size: int,
        mtime: float,
        pages: int,
        text: str,
        chunks: Sequence[Chunk],
        vectors: np.ndarray,
        reader: int = 1,
    ) -> tuple[list[int], list[int]]:
        """Atomically put a document's new chunks in place of its old ones.

        Returns (removed chunk ids, added chunk ids) so the vector index can follow.
        """
        import numpy as np

        if len(chunks) != len(vectors):
            raise ValueError("one vector per chunk")
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        with self.transaction() as conn:
            removed = self._delete(conn, path)
            cur = conn.execute(
                "INSERT INTO documents (path, title, kind, sha256, size, mtime, pages, chunks, text, "
                "ingested_at, reader) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (path, title, kind, sha256, size, mtime, pages, len(chunks), text, time.time(), reader),
            )
            doc_id = cur.lastrowid
            added = []
            for chunk, vec in zip(chunks, vectors):
                cur = conn.execute(
                    "INSERT INTO chunks (doc_id, ord, text, page_start, page_end, section, char_start, "
                    "char_end, n_tokens, vector, keywords, line_start, line_end) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        doc_id, chunk.ord, chunk.text, chunk.page_start, chunk.page_end, chunk.section,
                        chunk.start, chunk.end, chunk.n_tokens, vec.tobytes(), keyword_text(chunk.text),
                        chunk.line_start, chunk.line_end,
                    ),
                )
                added.append(cur.lastrowid)
            self._bump_generation()
        return removed, added

    def delete_document(self, path: str) -> list[int]:
        with self.transaction() as conn:
            before = conn.total_changes
            removed = self._delete(conn, path)
            if removed or conn.total_changes != before:
                self._bump_generation()
        return removed

    def _delete(self, conn: sqlite3.Connection, path: str) -> list[int]:
        row = conn.execute("SELECT id FROM documents WHERE path = ?", (path,)).fetchone()
        if row is None:
            return []
        ids = [r[0] for r in conn.execute("SELECT id FROM chunks WHERE doc_id = ?", (row[0],))]
        conn.execute("DELETE FROM chunks WHERE doc_id = ?", (row[0],))
        conn.execute("DELETE FROM documents WHERE id = ?", (row[0],))
        return ids

    # -- chunks ---------------------------------------------------------------------------------

    def chunk_ids(self) -> np.ndarray:
        import numpy as np

        return np.fromiter((r[0] for r in self.conn.execute("SELECT id FROM chunks")), dtype=np.int64)

    def vectors(self, ids: Sequence[int], dim: int) -> np.ndarray:
        import numpy as np

        out = np.zeros((len(ids), dim), dtype=np.float32)
        pos = {int(i): n for n, i in enumerate(ids)}
        for start in range(0, len(ids), 500):
            batch = [int(i) for i in ids[start : start + 500]]
            marks = ",".join("?" * len(batch))
            for cid, blob in self.conn.execute(f"SELECT id, vector FROM chunks WHERE id IN ({marks})", batch):
                out[pos[cid]] = np.frombuffer(blob, dtype=np.float32)
        return out

    def hits(self, ids: Sequence[int]) -> dict[int, Hit]:
        """Chunk rows with their document, keyed by chunk id; ids that no longer exist are absent."""
        found: dict[int, Hit] = {}
        ids = [int(i) for i in ids]
        for start in range(0, len(ids), 500):
            batch = ids[start : start + 500]
            marks = ",".join("?" * len(batch))
            rows = self.conn.execute(
                f"SELECT {HIT_COLUMNS} FROM chunks c JOIN documents d ON d.id = c.doc_id "
                f"WHERE c.id IN ({marks})",
                batch,
            )
            for row in rows:
                found[row[0]] = hit_from_row(row)
        return found

    def neighbours(self, doc_id: int, ords: Sequence[int]) -> dict[int, Hit]:
        """Chunks of one document by position (used to merge adjacent chunks into one passage)."""
        marks = ",".join("?" * len(ords))
        rows = self.conn.execute(
            f"SELECT {HIT_COLUMNS} FROM chunks c JOIN documents d ON d.id = c.doc_id "
            f"WHERE c.doc_id = ? AND c.ord IN ({marks})",
            [doc_id, *ords],
        )
        return {row[4]: hit_from_row(row) for row in rows}

    def document_chunks(self, doc_id: int) -> list[Hit]:
        """Every chunk of one document, in document order."""
        rows = self.conn.execute(
            f"SELECT {HIT_COLUMNS} FROM chunks c JOIN documents d ON d.id = c.doc_id "
            "WHERE c.doc_id = ? ORDER BY c.ord",
            (doc_id,),
        )
        return [hit_from_row(row) for row in rows]

    def chunk_ids_of(self, doc_ids: Sequence[int]) -> list[int]:
        marks = ",".join("?" * len(doc_ids))
        return [r[0] for r in self.conn.execute(f"SELECT id FROM chunks WHERE doc_id IN ({marks})", list(doc_ids))]

    def keyword_search(self, query: str, k: int, doc_ids: Sequence[int] | None = None) -> list[tuple[int, float]]:
        """BM25 over FTS5; the query is reduced to quoted terms so user text is never FTS syntax.

        `doc_ids` restricts the search to those documents."""
        terms = fts_terms(query)
        if not terms:
            return []
        match = " OR ".join(f'"{t}"' for t in terms)
        where, params = "", [match]
        if doc_ids is not None:
            where = " AND rowid IN (SELECT id FROM chunks WHERE doc_id IN (%s))" % ",".join("?" * len(doc_ids))
            params += [int(d) for d in doc_ids]
        rows = self.conn.execute(
            f"SELECT rowid, bm25(chunks_fts) FROM chunks_fts WHERE chunks_fts MATCH ?{where} "
            "ORDER BY bm25(chunks_fts) LIMIT ?",
            (*params, k),
        ).fetchall()
        # FTS5's bm25() is lower-is-better; flip it so every score in docqa is higher-is-better.
        return [(rowid, -score) for rowid, score in rows]

    # -- what the backend protocol adds (docqa.memory.backend) ----------------------------------

    @property
    def location(self) -> str:
        return str(self.directory)

    def open_vectors(self, dim: int, settings: VectorSettings):
        from docqa.memory.vectors import VectorIndex

        return VectorIndex.open(self.directory, self, dim, settings)

    def writer_lock(self, wait: bool = False):
        from docqa.memory.lock import writer_lock

        return writer_lock(self.directory, wait=wait)

    def disk_bytes(self) -> dict[str, int]:
        return {p.name: p.stat().st_size for p in sorted(self.directory.iterdir()) if p.is_file()}

    def integrity_problems(self, dim: int, ids: np.ndarray, sample: int) -> list[str]:
        """FTS5 and the newest FAISS file against the chunk rows (inside the caller's snapshot)."""
        import faiss
        import numpy as np

        from docqa.memory.vectors import latest_file

        problems = []
        fts = self.conn.execute("SELECT COUNT(*) FROM chunks_fts").fetchone()[0]
        if fts != len(ids):
            problems.append(f"FTS5 holds {fts} rows, chunks {len(ids)}")
        latest = latest_file(self.directory)
        if latest is not None and latest[0] == self.generation:
            index = faiss.read_index(str(latest[1]))
            file_ids = np.sort(faiss.vector_to_array(index.id_map).astype(np.int64))
            if not np.array_equal(file_ids, ids):
                problems.append(f"FAISS file holds {len(file_ids)} ids, SQLite {len(ids)} (generation {latest[0]})")
            else:
                pick = ids[:: max(1, len(ids) // sample)][:sample]
                stored = self.vectors(pick, dim)
                from_file = np.stack([index.reconstruct(int(i)) for i in pick]) if len(pick) else stored
                if len(pick) and not np.allclose(stored, from_file, atol=1e-6):
                    problems.append("FAISS vectors differ from SQLite's for the same ids")
        elif latest is not None and latest[0] > self.generation:
            problems.append(f"FAISS file generation {latest[0]} is ahead of the store ({self.generation})")
        return problems


def bind_model(store, name: str, dim: int, on_first=None) -> None:
    """Record the embedding model on a store's first write (with `on_first()` in the same
    transaction); refuse a different one ever after. Shared by both backends."""
    stored_name, stored_dim = store.get_meta("embed_model"), store.get_meta("embed_dim")
    if stored_name is None:
        with store.transaction():
            if on_first:
                on_first()
            store.set_meta("embed_model", name)
            store.set_meta("embed_dim", str(dim))
    elif stored_name != name or int(stored_dim or 0) != dim:
        raise StoreError(
            f"{store.location}: index was built with embedding model {stored_name} ({stored_dim}-d); "
            f"the settings ask for {name} ({dim}-d). Use another --index for a new store, or the same model."
        )


_STOPWORDS = frozenset(
    "a an and are as at be by did do does for from had has have how i in into is it its of on or "
    "that the their there these this to was were what when where which who whom why will with".split()
)


def fts_terms(query: str) -> list[str]:
    """The query's words as the index holds them: CJK runs as bigrams (docqa.cjk), English
    stopwords dropped unless nothing else is left."""
    words = re.findall(r"\w+", (keyword_text(query) or query).lower())
    terms = [w for w in words if w not in _STOPWORDS]
    return list(dict.fromkeys(terms or words))


def _statements(script: str) -> list[str]:
    """A script's statements, whole: a trigger body holds semicolons of its own."""
    out, buf = [], ""
    for line in script.splitlines(keepends=True):
        buf += line
        if sqlite3.complete_statement(buf):
            out.append(buf.strip())
            buf = ""
    return out
