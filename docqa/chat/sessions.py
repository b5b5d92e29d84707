"""Chat sessions in the store's `chat_sessions` table, as JSON (never pickled)."""

from __future__ import annotations

import json
from dataclasses import dataclass

from docqa.errors import StoreError
from docqa.memory.backend import MemoryStore

STATE_VERSION = 1


@dataclass(frozen=True)
class SessionInfo:
    name: str
    turns: int
    evidence: int
    evidence_tokens: int
    created_at: float
    updated_at: float


def save(store: MemoryStore, name: str, state: dict) -> None:
    store.derived.sessions.save(name, json.dumps({"version": STATE_VERSION, **state}, ensure_ascii=False))


def load(store: MemoryStore, name: str) -> dict | None:
    row = store.derived.sessions.get(name)
    if row is None:
        return None
    try:
        state = json.loads(row.state)
    except json.JSONDecodeError as exc:
        raise StoreError(f"chat session {name!r}: stored state is not valid JSON ({exc.msg})") from exc
    if state.get("version") != STATE_VERSION:
        raise StoreError(f"chat session {name!r}: state version {state.get('version')} is not {STATE_VERSION}")
    return state


def listing(store: MemoryStore) -> list[SessionInfo]:
    out = []
    for row in store.derived.sessions.all():
        memory = json.loads(row.state).get("memory", {})
        evidence = memory.get("evidence", [])
        out.append(SessionInfo(
            row.name, int(memory.get("turn", 0)), len(evidence), sum(int(e.get("tokens", 0)) for e in evidence),
            row.created_at, row.updated_at,
        ))
    return out


def delete(store: MemoryStore, name: str) -> bool:
    return store.derived.sessions.delete(name)
