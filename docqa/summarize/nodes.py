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
from dataclasses import asdict, dataclass, field

from docqa.memory.backend import MemoryStore
from docqa.memory.derived import NodeRow


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
    """Summary nodes as `Node`s, over the store's summary repository (docqa.memory.derived).

    Each write is its own transaction, so a crash keeps every node written before it."""

    def __init__(self, store: MemoryStore) -> None:
        self.store = store
        self.repo = store.derived.summaries

    def get(self, key: str) -> Node | None:
        row = self.repo.node(key)
        if row is None:
            return None
        data = json.loads(row.provenance)
        data["pages"] = tuple(data["pages"])
        return Node(key=key, kind=row.kind, label=row.label, text=row.text, cached=True, **data)

    def put(self, node: Node, doc_path: str) -> None:
        self.repo.put_node(NodeRow(node.key, node.kind, node.label, node.text, node.provenance()), doc_path)

    def root(self, doc_path: str, mode: str, words: int, sha256: str, stamp: str) -> list[str] | None:
        """The node keys of the last complete tree, if the file and the model/prompts are unchanged."""
        root = self.repo.root(doc_path, mode, words)
        if root is None or root.sha256 != sha256 or root.stamp != stamp:
            return None
        return root.keys

    def set_root(self, doc_path: str, mode: str, words: int, sha256: str, stamp: str, keys: list[str]) -> None:
        """Record a complete tree, and forget this document's nodes that no current tree uses."""
        self.repo.set_root(doc_path, mode, words, sha256, stamp, keys)

    def forget_removed(self) -> int:
        """Drop summaries of documents no longer in the index."""
        return self.repo.forget_removed()

    def count(self, doc_path: str) -> int:
        return self.repo.count(doc_path)
