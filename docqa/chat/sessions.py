"""Chat sessions in the store's `chat_sessions` table, as JSON (never pickled)."""

from __future__ import annotations

import json
import time
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
    now = time.time()
    payload = json.dumps({"version": STATE_VERSION, **state}, ensure_ascii=False)
    with store.transaction() as conn:
        conn.execute(
            "INSERT INTO chat_sessions (name, state, created_at, updated_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(name) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at",
            (name, payload, now, now),
        )


def load(store: MemoryStore, name: str) -> dict | None:
    row = store.conn.execute("SELECT state FROM chat_sessions WHERE name = ?", (name,)).fetchone()
    if row is None:
        return None
    try:
        state = json.loads(row[0])
    except json.JSONDecodeError as exc:
        raise StoreError(f"chat session {name!r}: stored state is not valid JSON ({exc.msg})") from exc
    if state.get("version") != STATE_VERSION:
        raise StoreError(f"chat session {name!r}: state version {state.get('version')} is not {STATE_VERSION}")
    return state


def listing(store: MemoryStore) -> list[SessionInfo]:
    rows = store.conn.execute(
        "SELECT name, state, created_at, updated_at FROM chat_sessions ORDER BY updated_at DESC"
    ).fetchall()
    out = []
    for name, raw, created, updated in rows:
        memory = json.loads(raw).get("memory", {})
        evidence = memory.get("evidence", [])
        out.append(SessionInfo(
            name, int(memory.get("turn", 0)), len(evidence), sum(int(e.get("tokens", 0)) for e in evidence),
            created, updated,
        ))
    return out


def delete(store: MemoryStore, name: str) -> bool:
    with store.transaction() as conn:
        return conn.execute("DELETE FROM chat_sessions WHERE name = ?", (name,)).rowcount > 0
