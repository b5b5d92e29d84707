"""Which stored documents a search may read: `--in` (files, folders, globs) and `--type`.

The scope becomes a set of document ids before retrieval starts, and each retriever restricts its
own query to them (FTS5 by a rowid subquery, dense search by exact scoring of those documents'
vectors or a FAISS id selector). Nothing is filtered after ranking, so a scope never empties the
top k that a wider search would have filled with other documents.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Sequence
from pathlib import Path

from docqa.errors import UsageError
from docqa.ingest.loaders import SUPPORTED

_GLOB = set("*?[")


def matches(path: str, pattern: str, cwd: Path) -> bool:
    """A stored (absolute) path against one --in pattern: a file or folder (at or under it), or a
    glob over the absolute path, the path relative to `cwd`, or the file name ("*" crosses folders)."""
    if not _GLOB & set(pattern):
        root = Path(os.path.abspath(Path(cwd, pattern).expanduser()))
        doc = Path(path)
        return doc == root or doc.is_relative_to(root)
    candidates = [path, Path(path).name]
    try:
        candidates.append(os.path.relpath(path, cwd))
    except ValueError:  # another drive (Windows)
        pass
    return any(fnmatch.fnmatchcase(c, pattern) for c in candidates)


def kinds_of(types: Sequence[str]) -> set[str]:
    """--type values (extensions or kind names: pdf, .docx, markdown) -> the loader kinds stored per document."""
    known_kinds = set(SUPPORTED.values())
    kinds: set[str] = set()
    for t in types:
        name = t.strip().lower().lstrip(".")
        kind = SUPPORTED.get("." + name) or (name if name in known_kinds else None)
        if kind is None:
            listed = ", ".join(sorted({ext.lstrip(".") for ext in SUPPORTED}))
            raise UsageError(f"--type {t}: not a document type docqa reads (one of: {listed})")
        kinds.add(kind)
    return kinds


def resolve(documents, within: Sequence[str], types: Sequence[str], cwd: Path | None = None) -> list[int] | None:
    """The ids of `documents` (store DocumentRows) in scope; None when there is no scope (every document).

    A scope that matches nothing is a usage error: answering "the documents don't say" about
    documents that were never searched would mislead."""
    if not within and not types:
        return None
    cwd = cwd or Path.cwd()
    kinds = kinds_of(types) if types else None
    ids = [
        d.id for d in documents
        if (kinds is None or d.kind in kinds) and (not within or any(matches(d.path, p, cwd) for p in within))
    ]
    if not ids:
        wanted = " ".join([f"--in {p}" for p in within] + [f"--type {t}" for t in types])
        raise UsageError(f"no indexed document matches {wanted} (see `docqa list`)")
    return ids
