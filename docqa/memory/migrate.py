"""`docqa migrate`: copy an embedded index (SQLite + FAISS) into PostgreSQL + pgvector.

Nothing is re-embedded: the vectors are the float32 blobs SQLite already holds. Documents and
chunks keep their ids, so what refers to them (chat memory, summary provenance) stays valid, and the
derived memory (summary trees, jobs, chat sessions) comes along. Each document is copied in one
transaction, so a stop loses nothing copied; running it again skips what is there, copies what
changed and drops what the source no longer has: the target ends as a mirror of the source.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from docqa.errors import StoreError, UsageError
from docqa.memory.backend import open_store
from docqa.memory.store import Store
from docqa.settings import VectorSettings, is_store_url

# Parents before children (job_items refers to jobs); each table's primary key, for ON CONFLICT.
DERIVED = {
    "summary_nodes": "key",
    "summary_roots": "doc_path, mode, words",
    "jobs": "id",
    "job_items": "job_id, item",
    "chat_sessions": "name",
}


@dataclass
class MigrateReport:
    source: str
    target: str
    copied: int = 0
    unchanged: int = 0
    removed: int = 0
    chunks: int = 0
    derived: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def migrate(
    source: Store, target_url: str, vectors: VectorSettings, progress: Callable[[int, int], None] | None = None,
) -> MigrateReport:
    """Copy `source` into the PostgreSQL store at `target_url`; progress(done, total) per document."""
    if not isinstance(source, Store):
        raise UsageError("migrate copies an embedded index (a directory) into PostgreSQL; the source is already a server store")
    if not is_store_url(target_url):
        raise UsageError(f"--to {target_url}: expected a postgresql:// URL")
    started = time.perf_counter()
    name, dim = source.get_meta("embed_model"), source.get_meta("embed_dim")
    if name is None or dim is None:
        raise UsageError(f"{source.location}: the index is empty, nothing to migrate")
    target = open_store(target_url)
    report = MigrateReport(source.location, target.location)
    try:
        target.bind_model(name, int(dim))
        origin = target.get_meta("migrated_from")
        if origin != source.location and target.counts()[0]:
            raise StoreError(
                f"{target.location} holds documents that did not come from {source.location}; migrate into an empty database"
            )
        target.set_meta("migrated_from", source.location)
        there = {d.path: d for d in target.documents()}
        docs = source.documents()
        for n, doc in enumerate(docs, start=1):
            have = there.pop(doc.path, None)
            if have is not None and (have.id, have.sha256, have.chunks) == (doc.id, doc.sha256, doc.chunks):
                report.unchanged += 1
            else:
                with source.snapshot() as conn:
                    text = source.document_text(doc.id)
                    rows = conn.execute(
                        "SELECT id, doc_id, ord, text, page_start, page_end, section, char_start, char_end, "
                        "n_tokens, line_start, line_end, vector FROM chunks WHERE doc_id = ? ORDER BY ord",
                        (doc.id,),
                    ).fetchall()
                target.import_document(doc, text, [(*r[:-1], np.frombuffer(r[-1], dtype=np.float32)) for r in rows])
                report.copied += 1
                report.chunks += len(rows)
            if progress:
                progress(n, len(docs))
        for gone in there:
            target.delete_document(gone)
            report.removed += 1
        _copy_derived(source, target, report)
        target.open_vectors(int(dim), vectors)  # builds the HNSW index now, not on the first question
    finally:
        target.close()
    report.seconds = time.perf_counter() - started
    return report


def _copy_derived(source: Store, target, report: MigrateReport) -> None:
    """Summary trees, jobs and chat sessions, row for row (a row already there is overwritten)."""
    for table, key in DERIVED.items():
        cur = source.conn.execute(f"SELECT * FROM {table}")
        columns = [d[0] for d in cur.description]
        rows = cur.fetchall()
        if rows:
            update = ", ".join(f"{c} = excluded.{c}" for c in columns if c not in key.split(", "))
            marks = ", ".join([target.PARAM] * len(columns))
            with target.transaction():
                target.db.cursor().executemany(
                    f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks}) "
                    f"ON CONFLICT ({key}) DO UPDATE SET {update}",
                    rows,
                )
        report.derived[table] = len(rows)
