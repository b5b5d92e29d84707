"""Derived memory as typed repositories: summary nodes and roots, batch jobs, chat sessions.

What the store derives from documents, or keeps beside them, is read and written only here.
Callers (summarize/, chat/) get typed rows and never see SQL. Each repository writes its SQL once,
with ``{p}`` where a parameter goes: the store declares its driver's parameter marker once
(``Store.PARAM`` is sqlite3's ``?``, ``PgStore.PARAM`` psycopg's ``%s``). The rest of the SQL
(``ON CONFLICT ... DO UPDATE``, ``excluded.``) both databases speak. Every write is its own
transaction, or joins the caller's (``Memory.delete`` forgets a document's summaries in the
transaction that deletes it).
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any


class _Repository:
    """SQL over one store's connection (``store.db``) with the store's parameter marker."""

    def __init__(self, store: Any) -> None:
        self._store = store
        self.p = store.PARAM

    def _one(self, sql: str, params: tuple = ()):
        return self._store.db.execute(sql, params).fetchone()

    def _all(self, sql: str, params: tuple = ()) -> list:
        return self._store.db.execute(sql, params).fetchall()

    def _write(self, sql: str, params: tuple = ()) -> int:
        """One statement in its own transaction (or the caller's); the rows it changed."""
        with self._store.transaction():
            return self._store.db.execute(sql, params).rowcount


# -- summaries ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class NodeRow:
    key: str
    kind: str
    label: str
    text: str
    provenance: str  # JSON: pages, chunk ids, children, prompt, model, cost


@dataclass(frozen=True)
class RootRow:
    mode: str
    words: int
    sha256: str
    stamp: str  # prompts and model the tree was made with
    keys: list[str]  # its nodes, root last


class Summaries(_Repository):
    """Summary nodes (keyed by a hash of their inputs) and the roots of complete trees."""

    def node(self, key: str) -> NodeRow | None:
        p = self.p
        row = self._one(f"SELECT key, kind, label, text, provenance FROM summary_nodes WHERE key = {p}", (key,))
        return NodeRow(*row) if row else None

    def put_node(self, node: NodeRow, doc_path: str) -> None:
        p = self.p
        self._write(
            "INSERT INTO summary_nodes (key, doc_path, kind, label, text, provenance, created_at) "
            f"VALUES ({p}, {p}, {p}, {p}, {p}, {p}, {p}) ON CONFLICT (key) DO UPDATE SET doc_path = excluded.doc_path, "
            "kind = excluded.kind, label = excluded.label, text = excluded.text, "
            "provenance = excluded.provenance, created_at = excluded.created_at",
            (node.key, doc_path, node.kind, node.label, node.text, node.provenance, time.time()),
        )

    def root(self, doc_path: str, mode: str, words: int) -> RootRow | None:
        p = self.p
        row = self._one(
            f"SELECT mode, words, sha256, tree FROM summary_roots WHERE doc_path = {p} AND mode = {p} AND words = {p}",
            (doc_path, mode, words),
        )
        return _root(*row) if row else None

    def roots(self, doc_path: str, sha256: str) -> list[RootRow]:
        """The complete trees of this version of a document, every mode and length."""
        p = self.p
        rows = self._all(
            f"SELECT mode, words, sha256, tree FROM summary_roots WHERE doc_path = {p} AND sha256 = {p}", (doc_path, sha256)
        )
        return [_root(*r) for r in rows]

    def set_root(self, doc_path: str, mode: str, words: int, sha256: str, stamp: str, keys: list[str]) -> None:
        """Record a complete tree, and forget this document's nodes that no current tree uses."""
        p, db = self.p, self._store.db
        with self._store.transaction():
            db.execute(
                "INSERT INTO summary_roots (doc_path, mode, words, sha256, root_key, tree) "
                f"VALUES ({p}, {p}, {p}, {p}, {p}, {p}) ON CONFLICT (doc_path, mode, words) DO UPDATE SET "
                "sha256 = excluded.sha256, root_key = excluded.root_key, tree = excluded.tree",
                (doc_path, mode, words, sha256, keys[-1], json.dumps({"stamp": stamp, "keys": keys})),
            )
            live = {k for r in self.roots(doc_path, sha256) for k in r.keys}
            db.execute(f"DELETE FROM summary_roots WHERE doc_path = {p} AND sha256 != {p}", (doc_path, sha256))
            stored = [k for (k,) in db.execute(f"SELECT key FROM summary_nodes WHERE doc_path = {p}", (doc_path,))]
            for key in stored:
                if key not in live:
                    db.execute(f"DELETE FROM summary_nodes WHERE key = {p}", (key,))

    def forget(self, doc_path: str) -> int:
        """Drop a document's nodes and roots (it left the index). Returns the nodes dropped."""
        with self._store.transaction():
            n = self._store.db.execute(f"DELETE FROM summary_nodes WHERE doc_path = {self.p}", (doc_path,)).rowcount
            self._store.db.execute(f"DELETE FROM summary_roots WHERE doc_path = {self.p}", (doc_path,))
        return n

    def forget_removed(self) -> int:
        """Drop summaries of every document no longer in the index (one whose removal predates
        ``forget``). Overview nodes of batch jobs belong to no document and are dropped too."""
        with self._store.transaction():
            n = self._store.db.execute(
                "DELETE FROM summary_nodes WHERE doc_path NOT IN (SELECT path FROM documents)"
            ).rowcount
            self._store.db.execute("DELETE FROM summary_roots WHERE doc_path NOT IN (SELECT path FROM documents)")
        return n

    def count(self, doc_path: str) -> int:
        return self._one(f"SELECT COUNT(*) FROM summary_nodes WHERE doc_path = {self.p}", (doc_path,))[0]


def _root(mode: str, words: int, sha256: str, tree: str) -> RootRow:
    data = json.loads(tree)
    return RootRow(mode, int(words), sha256, data.get("stamp", ""), data["keys"])


# -- jobs ---------------------------------------------------------------------------------------


@dataclass
class JobItem:
    item: str
    ord: int
    state: str  # pending | done | failed
    reason: str = ""
    result: dict = field(default_factory=dict)


@dataclass
class Job:
    id: str
    kind: str
    spec: dict
    state: str  # pending | running | done | interrupted
    created_at: float
    updated_at: float
    items: list[JobItem] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """`docqa jobs show --json` and friends."""
        return {
            "id": self.id, "state": self.state, "spec": self.spec, "counts": self.counts,
            "created_at": datetime.fromtimestamp(self.created_at).isoformat(timespec="seconds"),
            "items": [asdict(it) for it in self.items],
        }

    @property
    def counts(self) -> dict[str, int]:
        out = {"pending": 0, "done": 0, "failed": 0}
        for it in self.items:
            out[it.state] = out.get(it.state, 0) + 1
        return out


class Jobs(_Repository):
    """Batch jobs and their items (summarize/jobs.py runs them)."""

    def create(self, job_id: str, kind: str, spec: dict, items: list[str]) -> None:
        p, now = self.p, time.time()
        with self._store.transaction():
            self._store.db.execute(
                f"INSERT INTO jobs (id, kind, spec, state, created_at, updated_at) VALUES ({p}, {p}, {p}, 'pending', {p}, {p})",
                (job_id, kind, json.dumps(spec), now, now),
            )
            for i, item in enumerate(items):
                self._store.db.execute(
                    f"INSERT INTO job_items (job_id, item, ord, state, updated_at) VALUES ({p}, {p}, {p}, 'pending', {p})",
                    (job_id, item, i, now),
                )

    def get(self, job_id: str) -> Job | None:
        p = self.p
        row = self._one(f"SELECT id, kind, spec, state, created_at, updated_at FROM jobs WHERE id = {p}", (job_id,))
        if row is None:
            return None
        job = Job(row[0], row[1], json.loads(row[2]), row[3], row[4], row[5])
        for item, ord_, state, reason, result in self._all(
            f"SELECT item, ord, state, reason, result FROM job_items WHERE job_id = {p} ORDER BY ord", (job_id,)
        ):
            job.items.append(JobItem(item, ord_, state, reason, json.loads(result) if result else {}))
        return job

    def ids(self) -> list[str]:
        """Every job, newest first."""
        return [r[0] for r in self._all("SELECT id FROM jobs ORDER BY created_at DESC")]

    def set_state(self, job_id: str, state: str) -> None:
        p = self.p
        self._write(f"UPDATE jobs SET state = {p}, updated_at = {p} WHERE id = {p}", (state, time.time(), job_id))

    def set_item(self, job_id: str, item: str, state: str, reason: str = "", result: dict | None = None) -> None:
        p = self.p
        self._write(
            f"UPDATE job_items SET state = {p}, reason = {p}, result = {p}, updated_at = {p} WHERE job_id = {p} AND item = {p}",
            (state, reason, json.dumps(result or {}), time.time(), job_id, item),
        )


# -- chat sessions ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SessionRow:
    name: str
    state: str  # JSON (chat/sessions.py checks its version)
    created_at: float
    updated_at: float


class ChatSessions(_Repository):
    """Named chat sessions, their state as JSON text."""

    def save(self, name: str, state: str) -> None:
        p, now = self.p, time.time()
        self._write(
            f"INSERT INTO chat_sessions (name, state, created_at, updated_at) VALUES ({p}, {p}, {p}, {p}) "
            "ON CONFLICT(name) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at",
            (name, state, now, now),
        )

    def get(self, name: str) -> SessionRow | None:
        row = self._one(f"SELECT name, state, created_at, updated_at FROM chat_sessions WHERE name = {self.p}", (name,))
        return SessionRow(*row) if row else None

    def all(self) -> list[SessionRow]:
        """Every session, the most recently used first."""
        rows = self._all("SELECT name, state, created_at, updated_at FROM chat_sessions ORDER BY updated_at DESC")
        return [SessionRow(*r) for r in rows]

    def delete(self, name: str) -> bool:
        return self._write(f"DELETE FROM chat_sessions WHERE name = {self.p}", (name,)) > 0


class Derived:
    """The repositories of one store: ``store.derived.summaries`` / ``.jobs`` / ``.sessions``."""

    def __init__(self, store: Any) -> None:
        self.summaries = Summaries(store)
        self.jobs = Jobs(store)
        self.sessions = ChatSessions(store)
