"""The server store: PostgreSQL + pgvector holds documents, chunks, vectors and keyword search.

What SQLite + FTS5 + FAISS do in the embedded store, one database does here, so any number of
docqa processes on any number of machines read one consistent memory, and PostgreSQL's own
replicas and backups apply. Same contract as ``Store`` (docqa.memory.backend):

- one transaction replaces a document's chunks, their vectors and their keyword index together,
  and bumps the generation; chunk ids come from a sequence and are never reused;
- dense search is pgvector's HNSW over inner product, in the database (``PgVectors``): there is no
  cache to reconcile after a crash;
- keyword search is a ``tsvector`` column (the ``simple`` configuration: lower-cased words, no
  stemming, as FTS5's unicode61; over CJK runs as bigrams, ``keywords``, as SQLite) ranked by ``ts_rank_cd``. The terms are docqa's own
  (``fts_terms``), quoted, so user text is never tsquery syntax;
- one writer at a time through an advisory lock, which PostgreSQL drops when its holder dies.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from docqa.cjk import keyword_text
from docqa.errors import ConfigError, StoreError
from docqa.memory.schema import ADDED_COLUMNS, DERIVED, POSTGRES, SCHEMA_VERSION
from docqa.memory.store import (
    DOC_COLUMNS, HIT_COLUMNS, DocumentReads, DocumentRow, bind_model, fts_terms, hit_from_row,
)
from docqa.memory.vectors import Recall, measure_recall
from docqa.records import Chunk, Hit
from docqa.settings import VectorSettings, redact_url

_LOCK_KEY = 0x64716177  # "dqaw": the writer's advisory lock (fits pg_locks.objid)
_CHUNK_COLUMNS = (
    "id, doc_id, ord, text, page_start, page_end, section, char_start, char_end, n_tokens, line_start, line_end, "
    "embedding"
)



class PgStore(DocumentReads):
    """One psycopg connection (autocommit; transactions are explicit, as in ``Store``)."""

    PARAM = "%s"  # psycopg's format style

    def __init__(self, url: str) -> None:
        try:
            import psycopg
            from pgvector.psycopg import register_vector
        except ImportError:
            raise ConfigError("the PostgreSQL store needs docqa[postgres]: pip install 'docqa[postgres]'") from None
        self.url = url
        try:
            self._pg = psycopg.connect(url, autocommit=True, application_name=f"docqa pid {os.getpid()}")
        except psycopg.Error as exc:
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise StoreError(f"{self.location}: cannot connect to PostgreSQL ({reason})") from None
        self.db = self._pg
        self._stats: tuple = (None, 0, 1.0, {})  # BM25's corpus statistics at a generation (_corpus_stats)
        try:
            # No DDL once the schema is there: a read-only replica (hot standby) refuses even
            # CREATE ... IF NOT EXISTS, and readers may be pointed at one.
            if self._pg.execute("SELECT to_regclass('meta')").fetchone()[0] is None:
                with self._pg.transaction():
                    # Two processes opening a new database at once must not both create the schema.
                    self._pg.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK_KEY + 1,))
                    self._pg.execute(POSTGRES + DERIVED)
                    self._pg.execute(
                        "INSERT INTO meta VALUES ('schema_version', %s), ('generation', '0') ON CONFLICT DO NOTHING",
                        (str(SCHEMA_VERSION),),
                    )
        except (psycopg.errors.InsufficientPrivilege, psycopg.errors.UndefinedFile, psycopg.errors.FeatureNotSupported) as exc:
            self._pg.close()
            raise StoreError(
                f"{self.location}: pgvector is not enabled in this database; as a superuser run "
                f"CREATE EXTENSION vector; in it (the postgresql-NN-pgvector package) ({str(exc).splitlines()[0]})"
            ) from None
        except psycopg.Error as exc:
            self._pg.close()
            raise StoreError(f"{self.location}: not a docqa store ({exc})") from None
        register_vector(self._pg)
        version = int(self.get_meta("schema_version") or 0)
        if version == 2:
            self._upgrade_to_3()
            version = int(self.get_meta("schema_version") or 0)
        if version == 3:
            self._upgrade_to_4()
            version = int(self.get_meta("schema_version") or 0)
        if version != SCHEMA_VERSION:
            self._pg.close()
            raise StoreError(f"{self.location}: schema version {version}, this docqa reads {SCHEMA_VERSION}")
        self._add_columns()

    def _add_columns(self) -> None:
        """What ADDED_COLUMNS has that this database lacks; no DDL when nothing is (a replica refuses it)."""
        have = {tuple(r) for r in self._pg.execute(
            "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema()"
        )}
        missing = [(t, c, d) for t, c, d in ADDED_COLUMNS if (t, c) not in have]
        if missing:
            with self._pg.transaction():
                self._pg.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK_KEY + 1,))
                for table, column, declaration in missing:
                    self._pg.execute(f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {column} {declaration}")

    def _upgrade_to_3(self) -> None:
        """Chunks get their CJK keywords and the tsvector is generated from them (one transaction)."""
        with self._pg.transaction():
            self._pg.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK_KEY + 1,))
            if self.get_meta("schema_version") != "2":
                return  # another process upgraded it while this one waited
            self._pg.execute("ALTER TABLE chunks ADD COLUMN keywords TEXT")
            rows = self._pg.execute("SELECT id, text FROM chunks").fetchall()
            with self._pg.cursor() as cur:
                cur.executemany(
                    "UPDATE chunks SET keywords = %s WHERE id = %s",
                    [(kw, cid) for cid, text in rows if (kw := keyword_text(text)) is not None],
                )
            self._pg.execute("ALTER TABLE chunks DROP COLUMN tsv")
            self._pg.execute(
                "ALTER TABLE chunks ADD COLUMN tsv tsvector "
                "GENERATED ALWAYS AS (to_tsvector('simple', coalesce(keywords, text))) STORED"
            )
            self._pg.execute("CREATE INDEX chunks_tsv ON chunks USING gin (tsv)")
            self.set_meta("schema_version", "3")

    def _upgrade_to_4(self) -> None:
        """CJK keywords again, in simplified script (the generated tsvector follows), in one transaction."""
        with self._pg.transaction():
            self._pg.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK_KEY + 1,))
            if self.get_meta("schema_version") != "3":
                return  # another process upgraded it while this one waited
            rows = self._pg.execute("SELECT id, text FROM chunks WHERE keywords IS NOT NULL").fetchall()
            with self._pg.cursor() as cur:
                cur.executemany("UPDATE chunks SET keywords = %s WHERE id = %s", [(keyword_text(t), cid) for cid, t in rows])
            self.set_meta("schema_version", "4")

    @property
    def location(self) -> str:
        return redact_url(self.url)

    def close(self) -> None:
        self._pg.close()

    # -- meta and transactions ------------------------------------------------------------------

    def get_meta(self, key: str) -> str | None:
        row = self._pg.execute("SELECT value FROM meta WHERE key = %s", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self._pg.execute(
            "INSERT INTO meta VALUES (%s, %s) ON CONFLICT (key) DO UPDATE SET value = excluded.value", (key, value)
        )

    @property
    def generation(self) -> int:
        return int(self.get_meta("generation") or 0)

    def _bump_generation(self) -> None:
        self._pg.execute("UPDATE meta SET value = (value::bigint + 1)::text WHERE key = 'generation'")

    def bind_model(self, name: str, dim: int) -> None:
        """As SQLite's, and the first bind gives the vector column its dimension."""
        bind_model(
            self, name, dim, lambda: self._pg.execute(f"ALTER TABLE chunks ALTER COLUMN embedding TYPE vector({int(dim)})")
        )

    @contextmanager
    def transaction(self) -> Iterator[object]:
        import psycopg

        try:
            with self._pg.transaction():  # inside another: a savepoint of it
                yield self._pg
        except psycopg.errors.ReadOnlySqlTransaction:
            raise StoreError(f"{self.location}: the database is read-only (a replica?); writes go to the primary") from None
        except psycopg.OperationalError as exc:
            raise StoreError(f"{self.location}: lost the connection to PostgreSQL ({str(exc).strip().splitlines()[0]})") from None

    @contextmanager
    def snapshot(self) -> Iterator[object]:
        """A read transaction that sees one committed generation (REPEATABLE READ)."""
        from psycopg.pq import TransactionStatus

        if self._pg.info.transaction_status != TransactionStatus.IDLE:
            yield self._pg  # already inside one: its snapshot holds
            return
        with self._pg.transaction():
            self._pg.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            yield self._pg

    @contextmanager
    def writer_lock(self, wait: bool = False, poll_s: float = 0.5) -> Iterator[None]:
        while not self._pg.execute("SELECT pg_try_advisory_lock(%s)", (_LOCK_KEY,)).fetchone()[0]:
            if not wait:
                row = self._pg.execute(
                    "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                    "WHERE l.locktype = 'advisory' AND l.objid = %s AND l.granted",
                    (_LOCK_KEY,),
                ).fetchone()
                raise StoreError(
                    f"another ingest is running on {self.location} ({row[0] if row else '?'}); "
                    "wait for it or pass --wait"
                )
            time.sleep(poll_s)
        try:
            yield
        finally:
            self._pg.execute("SELECT pg_advisory_unlock(%s)", (_LOCK_KEY,))

    # -- documents ------------------------------------------------------------------------------

    def replace_document(
        self, *, path: str, title: str, kind: str, sha256: str, size: int, mtime: float, pages: int, text: str,
        chunks: Sequence[Chunk], vectors: np.ndarray, reader: int = 1,
    ) -> tuple[list[int], list[int]]:
        """Atomically put a document's new chunks in place of its old ones: (removed ids, added ids)."""
        if len(chunks) != len(vectors):
            raise ValueError("one vector per chunk")
        with self.transaction():
            removed = self._delete(path)
            doc_id = self._pg.execute(
                "INSERT INTO documents (path, title, kind, sha256, size, mtime, pages, chunks, text, ingested_at, reader) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING id",
                (path, title, kind, sha256, size, mtime, pages, len(chunks), text, time.time(), reader),
            ).fetchone()[0]
            ids = [r[0] for r in self._pg.execute(
                "SELECT nextval(pg_get_serial_sequence('chunks', 'id')) FROM generate_series(1, %s)", (len(chunks),)
            )]
            self._copy_chunks(
                (cid, doc_id, c.ord, c.text, c.page_start, c.page_end, c.section, c.start, c.end, c.n_tokens,
                 c.line_start, c.line_end, v)
                for cid, c, v in zip(ids, chunks, np.asarray(vectors, dtype=np.float32))
            )
            self._bump_generation()
        return removed, ids

    def _copy_chunks(self, rows) -> None:
        # COPY, with ids taken from the sequence beforehand: one round trip for the whole document.
        with self._pg.cursor().copy(f"COPY chunks ({_CHUNK_COLUMNS}, keywords) FROM STDIN") as copy:
            for row in rows:
                copy.write_row((*row, keyword_text(row[3])))

    def import_document(self, row: DocumentRow, text: str, chunks: Sequence[tuple]) -> None:
        """Copy a document under its own ids (docqa migrate): chunk rows as in ``_CHUNK_COLUMNS``.

        Keeping the ids keeps every reference to them valid: chat memory, summary provenance."""
        with self.transaction():
            self._delete(row.path)
            self._pg.execute(
                f"INSERT INTO documents ({DOC_COLUMNS}, text) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                (row.id, row.path, row.title, row.kind, row.sha256, row.size, row.mtime, row.pages, row.chunks,
                 row.ingested_at, row.reader, text),
            )
            self._copy_chunks(chunks)
            # Sequences must stay ahead of the copied ids, so new ids are never old ones.
            for table in ("documents", "chunks"):
                self._pg.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"GREATEST((SELECT COALESCE(MAX(id), 1) FROM {table}), "
                    f"(SELECT last_value FROM {table}_id_seq)))"
                )
            self._bump_generation()

    def delete_document(self, path: str) -> list[int]:
        with self.transaction():
            existed = self._pg.execute("SELECT 1 FROM documents WHERE path = %s", (path,)).fetchone()
            removed = self._delete(path)
            if existed:
                self._bump_generation()
        return removed

    def _delete(self, path: str) -> list[int]:
        ids = [r[0] for r in self._pg.execute(
            "SELECT c.id FROM chunks c JOIN documents d ON d.id = c.doc_id WHERE d.path = %s", (path,)
        )]
        self._pg.execute("DELETE FROM documents WHERE path = %s", (path,))  # chunks go by cascade
        return ids

    # -- chunks ---------------------------------------------------------------------------------

    def chunk_ids(self) -> np.ndarray:
        rows = self._pg.execute("SELECT id FROM chunks").fetchall()
        return np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))

    def vectors(self, ids: Sequence[int], dim: int) -> np.ndarray:
        out = np.zeros((len(ids), dim), dtype=np.float32)
        pos = {int(i): n for n, i in enumerate(ids)}
        for cid, vec in self._pg.execute("SELECT id, embedding FROM chunks WHERE id = ANY(%s)", ([int(i) for i in ids],)):
            out[pos[cid]] = vec.to_numpy()
        return out

    def _hits(self, where: str, params: tuple) -> list[Hit]:
        rows = self._pg.execute(
            f"SELECT {HIT_COLUMNS} FROM chunks c JOIN documents d ON d.id = c.doc_id WHERE {where}", params
        )
        return [hit_from_row(row) for row in rows]

    def hits(self, ids: Sequence[int]) -> dict[int, Hit]:
        return {h.chunk_id: h for h in self._hits("c.id = ANY(%s)", ([int(i) for i in ids],))}

    def neighbours(self, doc_id: int, ords: Sequence[int]) -> dict[int, Hit]:
        return {h.ord: h for h in self._hits("c.doc_id = %s AND c.ord = ANY(%s)", (doc_id, [int(o) for o in ords]))}

    def document_chunks(self, doc_id: int) -> list[Hit]:
        return self._hits("c.doc_id = %s ORDER BY c.ord", (doc_id,))

    def chunk_ids_of(self, doc_ids: Sequence[int]) -> list[int]:
        rows = self._pg.execute("SELECT id FROM chunks WHERE doc_id = ANY(%s)", ([int(d) for d in doc_ids],))
        return [r[0] for r in rows]

    def keyword_search(self, query: str, k: int, doc_ids: Sequence[int] | None = None) -> list[tuple[int, float]]:
        """BM25 (k1 1.2, b 0.75, as FTS5) over the tsvector column.

        PostgreSQL's own ts_rank_cd has no inverse document frequency: on COVID-QA it cut hybrid
        answer-hit@10 from 0.78 to 0.68 (bench/store_backends.py). Document frequencies come from
        the GIN index (cached per generation), term frequencies from the tsvector, lengths from n_tokens."""
        terms = fts_terms(query)
        if not terms:
            return []
        n, avg_len, df = self._corpus_stats(terms)
        params = {
            "q": " | ".join(f"'{t}'" for t in terms),
            "tq": [f"'{t}'" for t in terms],
            "idf": [math.log(1 + (n - df[t] + 0.5) / (df[t] + 0.5)) for t in terms],
            "avg": avg_len,
            "k": k,
        }
        where = ""
        if doc_ids is not None:
            where = " AND c.doc_id = ANY(%(docs)s)"
            params["docs"] = [int(d) for d in doc_ids]
        # For a one-term query, ts_rank_cd(..., 0) is 0.1 per occurrence: the term frequency, read
        # by a lookup in the sorted tsvector instead of unnesting it.
        rows = self._pg.execute(
            "SELECT c.id, SUM(t.idf * t.f * 2.2 / (t.f + 1.2 * (0.25 + 0.75 * c.n_tokens / %(avg)s))) AS score "
            "FROM chunks c, LATERAL (SELECT x.idf, round(10 * ts_rank_cd(c.tsv, x.tq, 0)) AS f "
            "                        FROM unnest(%(tq)s::tsquery[], %(idf)s::float8[]) AS x(tq, idf)) t "
            "WHERE c.tsv @@ to_tsquery('simple', %(q)s) AND t.f > 0" + where + " "
            "GROUP BY c.id ORDER BY score DESC, c.id LIMIT %(k)s",
            params,
        ).fetchall()
        return [(cid, float(score)) for cid, score in rows]

    def _corpus_stats(self, terms: list[str]) -> tuple[int, float, dict[str, int]]:
        """(chunks, mean n_tokens, document frequency of each term), cached until the generation moves.

        Document frequencies are counted one term at a time through the GIN index, apart from the
        ranking query: inside it the planner would recount them for every matching row."""
        generation = self.generation
        if self._stats[0] != generation:
            n, avg = self._pg.execute("SELECT COUNT(*), COALESCE(AVG(n_tokens), 1) FROM chunks").fetchone()
            self._stats = (generation, int(n), float(avg) or 1.0, {})
        _, n, avg, df = self._stats
        for term in terms:
            if term not in df:
                df[term] = self._pg.execute(
                    "SELECT COUNT(*) FROM chunks WHERE tsv @@ to_tsquery('simple', quote_literal(%s))", (term,)
                ).fetchone()[0]
        return n, avg, df

    # -- the backend protocol -------------------------------------------------------------------

    def open_vectors(self, dim: int, settings: VectorSettings) -> PgVectors:
        return PgVectors(self, dim, settings)

    def disk_bytes(self) -> dict[str, int]:
        rows = self._pg.execute(
            "SELECT relname, pg_total_relation_size(oid) FROM pg_class "
            "WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace ORDER BY relname"
        )
        return {f"table {name}": int(size) for name, size in rows}

    def integrity_problems(self, dim: int, ids: np.ndarray, sample: int) -> list[str]:
        problems = []
        wrong = self._pg.execute("SELECT COUNT(*) FROM chunks WHERE vector_dims(embedding) != %s", (dim,)).fetchone()[0]
        if wrong:
            problems.append(f"{wrong} chunk vectors are not {dim}-d")
        invalid = self._pg.execute(
            "SELECT COUNT(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "WHERE c.relname = 'chunks_embedding' AND NOT i.indisvalid"
        ).fetchone()[0]
        if invalid:
            problems.append("the HNSW index chunks_embedding is invalid (REINDEX INDEX chunks_embedding)")
        return problems


class PgVectors:
    """Dense search inside the database (pgvector HNSW, inner product over normalized vectors).

    The vectors are columns of the chunk rows the store writes, so there is nothing to add, remove,
    reconcile or save here: those calls only follow the generation, as ``VectorIndex``'s do."""

    kind = "pgvector-hnsw"
    dirty = False

    def __init__(self, store: PgStore, dim: int, settings: VectorSettings) -> None:
        self.store = store
        self.dim = dim
        self.settings = settings
        self.generation = store.generation
        self._ef = 0
        # Built once, on the first open after the model is bound; later inserts maintain it.
        if store._pg.execute("SELECT to_regclass('chunks_embedding')").fetchone()[0] is None:
            store._pg.execute(
                "CREATE INDEX IF NOT EXISTS chunks_embedding ON chunks USING hnsw (embedding vector_ip_ops) "
                f"WITH (m = {int(settings.hnsw_m)}, ef_construction = {int(settings.hnsw_ef_construction)})"
            )

    def _set_ef(self, k: int) -> None:
        # pgvector returns at most ef_search rows: it must cover k.
        ef = max(self.settings.ef_search, k)
        if ef != self._ef:
            self.store._pg.execute(f"SET hnsw.ef_search = {int(ef)}")
            self._ef = ef

    def search(self, query: np.ndarray, k: int) -> list[tuple[int, float]]:
        self._set_ef(k)
        q = np.asarray(query, dtype=np.float32).reshape(-1)
        rows = self.store._pg.execute(
            "SELECT id, -(embedding <#> %s) FROM chunks ORDER BY embedding <#> %s LIMIT %s", (q, q, k)
        ).fetchall()
        return [(int(cid), float(score)) for cid, score in rows]

    def search_within(self, query: np.ndarray, k: int, ids: Sequence[int]) -> list[tuple[int, float]]:
        # The HNSW index filters after its scan and may return fewer than k rows: the caller then
        # scores the ids exactly.
        self._set_ef(k)
        q = np.asarray(query, dtype=np.float32).reshape(-1)
        rows = self.store._pg.execute(
            "SELECT id, -(embedding <#> %s) FROM chunks WHERE id = ANY(%s) ORDER BY embedding <#> %s LIMIT %s",
            (q, [int(i) for i in ids], q, k),
        ).fetchall()
        return [(int(cid), float(score)) for cid, score in rows]

    def search_batch(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        scores = np.full((len(queries), k), -np.inf, dtype=np.float32)
        ids = np.full((len(queries), k), -1, dtype=np.int64)
        for row, q in enumerate(queries):
            for col, (cid, score) in enumerate(self.search(q, k)):
                ids[row, col], scores[row, col] = cid, score
        return scores, ids

    def add(self, ids: list[int], vectors: np.ndarray) -> None:
        pass  # written with the chunk rows, in the store's transaction

    def remove(self, ids: list[int]) -> None:
        pass  # deleted with the chunk rows

    def sync(self, store) -> tuple[int, int]:
        self.generation = store.generation
        return 0, 0

    def save(self, directory: Path, generation: int) -> None:
        self.generation = generation

    def check_recall(self, store, k: int = 10, queries: int = 200, seed: int = 0) -> Recall:
        """Recall@k of the HNSW index against exact search over the same vectors."""
        return measure_recall(self, store, self.dim, k, queries, seed)

    def __len__(self) -> int:
        return self.store.counts()[1]
