"""The summary tree as memory: nodes and roots persisted in the store.

A node's key is a hash of everything that determines its text — the prompt (name and version),
the model, the target length, and its inputs: a window's source text, or its children's keys.
Generation is greedy, so equal keys mean equal text: after a document is re-ingested, the nodes
whose inputs did not change are found again by key and only changed nodes and their ancestors
are generated. A root records, per document, mode and length, which tree was last complete and
for which version of the file (its sha256), so summarizing an unchanged document is a lookup.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import asdict, dataclass, field

from docqa.memory.backend import MemoryStore


def node_key(kind: str, prompt: str, model: str, words: int, inputs: list[str]) -> str:
    payload = json.dumps([kind, prompt, model, words, inputs], ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


@dataclass
class Node:
    key: str
    kind: str  # window | section | reduce | document | refine
    label: str
    text: str
    pages: tuple[int, int]
    chunk_ids: list[int]
    children: list[str] = field(default_factory=list)
    prompt: str = ""  # name@version
    model: str = ""
    request_tokens: int = 0  # exact prompt tokens + answer room of the call that wrote it
    seconds: float = 0.0  # what that call cost when it ran (cold cost, even when reused)
    cached: bool = False  # found in the store this time, not generated

    def provenance(self) -> str:
        data = asdict(self)
        for transient in ("key", "kind", "label", "text", "cached"):
            data.pop(transient)
        return json.dumps(data)


class NodeStore:
    """Reads and writes summary nodes; each write is its own transaction (a crash keeps the rest)."""

    def __init__(self, store: MemoryStore) -> None:
        self.store = store

    def get(self, key: str) -> Node | None:
        row = self.store.conn.execute(
            "SELECT kind, label, text, provenance FROM summary_nodes WHERE key = ?", (key,)
        ).fetchone()
        if row is None:
            return None
        kind, label, text, provenance = row
        data = json.loads(provenance)
        data["pages"] = tuple(data["pages"])
        return Node(key=key, kind=kind, label=label, text=text, cached=True, **data)

    def put(self, node: Node, doc_path: str) -> None:
        with self.store.transaction() as conn:
            conn.execute(
                "INSERT INTO summary_nodes (key, doc_path, kind, label, text, provenance, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO UPDATE SET doc_path = excluded.doc_path, "
                "kind = excluded.kind, label = excluded.label, text = excluded.text, "
                "provenance = excluded.provenance, created_at = excluded.created_at",
                (node.key, doc_path, node.kind, node.label, node.text, node.provenance(), time.time()),
            )

    def root(self, doc_path: str, mode: str, words: int, sha256: str, stamp: str) -> list[str] | None:
        """The node keys of the last complete tree, if the file and the model/prompts are unchanged."""
        row = self.store.conn.execute(
            "SELECT sha256, tree FROM summary_roots WHERE doc_path = ? AND mode = ? AND words = ?",
            (doc_path, mode, words),
        ).fetchone()
        if row is None or row[0] != sha256:
            return None
        tree = json.loads(row[1])
        return tree["keys"] if tree.get("stamp") == stamp else None

    def set_root(self, doc_path: str, mode: str, words: int, sha256: str, stamp: str, keys: list[str]) -> None:
        """Record a complete tree, and forget this document's nodes that no current tree uses."""
        with self.store.transaction() as conn:
            conn.execute(
                "INSERT INTO summary_roots (doc_path, mode, words, sha256, root_key, tree) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (doc_path, mode, words) DO UPDATE SET "
                "sha256 = excluded.sha256, root_key = excluded.root_key, tree = excluded.tree",
                (doc_path, mode, words, sha256, keys[-1], json.dumps({"stamp": stamp, "keys": keys})),
            )
            live: set[str] = set()
            for (tree,) in conn.execute(
                "SELECT tree FROM summary_roots WHERE doc_path = ? AND sha256 = ?", (doc_path, sha256)
            ):
                live.update(json.loads(tree)["keys"])
            conn.execute("DELETE FROM summary_roots WHERE doc_path = ? AND sha256 != ?", (doc_path, sha256))
            stale = [
                k for (k,) in conn.execute("SELECT key FROM summary_nodes WHERE doc_path = ?", (doc_path,))
                if k not in live
            ]
            conn.executemany("DELETE FROM summary_nodes WHERE key = ?", [(k,) for k in stale])

    def forget_removed(self) -> int:
        """Drop summaries of documents no longer in the index."""
        with self.store.transaction() as conn:
            n = conn.execute(
                "DELETE FROM summary_nodes WHERE doc_path NOT IN (SELECT path FROM documents)"
            ).rowcount
            conn.execute("DELETE FROM summary_roots WHERE doc_path NOT IN (SELECT path FROM documents)")
        return n

    def count(self, doc_path: str) -> int:
        return self.store.conn.execute(
            "SELECT COUNT(*) FROM summary_nodes WHERE doc_path = ?", (doc_path,)
        ).fetchone()[0]
