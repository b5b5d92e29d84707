"""The warm CLI: find a running `docqa serve` for this index and ask it instead of loading models.

A server writes `server.json` (its address and pid) into the index directory while it runs. A
client uses it only when the pid is alive, /health answers for the same index, and the server
answers with the same settings (`fingerprints`), so output is the same either way. A file whose
process is gone is removed. Standard library only: the CLI imports this before anything heavy.
"""

from __future__ import annotations

import hashlib
import json
import os
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docqa.errors import DocqaError
from docqa.settings import Settings

SERVER_FILE = "server.json"
# The settings that shape a search result, and an answer: a server with other values would answer differently.
_SHAPES = {"search": ("embedding", "retrieval", "device"),
           "ask": ("embedding", "retrieval", "device", "answer", "generation", "chat")}


def fingerprints(settings: Settings) -> dict[str, str]:
    """Per use (search, ask), a hash of the settings that shape its output."""
    found = {}
    for use, sections in _SHAPES.items():
        data = settings.model_dump(mode="json", include=set(sections))
        data.get("generation", {}).pop("api_key", None)
        data["retrieval"].pop("k")  # a search sends its k with the request
        found[use] = hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]
    return found


def write_server_file(directory: Path, url: str) -> Path:
    """Announce a server for the index in `directory` (user-only, replaced atomically)."""
    path = directory / SERVER_FILE
    tmp = path.with_name(f".{SERVER_FILE}.{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump({"url": url, "pid": os.getpid()}, f)
    os.replace(tmp, path)
    return path


def remove_server_file(directory: Path) -> None:
    """Remove the file if it is this process's (a newer server may have replaced it)."""
    path = directory / SERVER_FILE
    if _read(path).get("pid") == os.getpid():
        path.unlink(missing_ok=True)


def _read(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _alive(pid: Any) -> bool:
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: alive, though not ours to signal
        return True
    return True


class ServerError(DocqaError):
    """The server answered with an error; the message is its one-line reason."""


@dataclass
class Remote:
    """A live server for this index, with the token the client's settings give."""

    url: str
    token: str | None

    def call(self, method: str, route: str, body: dict | None = None, timeout: float = 600) -> Any:
        headers = {"Content-Type": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + route, data=data, headers=headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as exc:
            try:
                detail = json.loads(exc.read()).get("detail", "")
            except ValueError:
                detail = ""
            if exc.code in (401, 403):
                detail = f"{detail} (the server at {self.url} needs serve.token: set DOCQA_SERVE__TOKEN, or pass --no-server)"
            raise ServerError(detail or f"server error {exc.code}") from None
        except OSError as exc:
            raise ServerError(f"the server at {self.url} did not answer ({exc}); pass --no-server to run here") from None

    def search(self, query: str, k: int, mode: str) -> list[dict]:
        return self.call("POST", "/v1/search", {"query": query, "k": k, "mode": mode})["hits"]

    def ask(self, question: str, session: str | None = None) -> dict:
        return self.call("POST", "/v1/ask", {"question": question, "session": session})


def find(settings: Settings, use: str = "ask") -> Remote | None:
    """The running server of this index with the settings that shape `use` (search or ask) as in
    `settings`, or None (then run in-process)."""
    if settings.store is not None:
        return None  # a server store is shared by many machines: no local file names its server
    path = Path(settings.index).expanduser() / SERVER_FILE
    info = _read(path)
    if not info:
        return None
    if not _alive(info.get("pid")):
        path.unlink(missing_ok=True)
        return None
    token = settings.serve.token.get_secret_value() if settings.serve.token else None
    remote = Remote(str(info.get("url", "")), token)
    try:
        health = remote.call("GET", "/health", timeout=2)
    except ServerError:
        return None
    same_index = Path(health.get("index", "")).resolve() == path.parent.resolve()
    shapes = health.get("settings")
    same_settings = isinstance(shapes, dict) and shapes.get(use) == fingerprints(settings)[use]
    return remote if same_index and same_settings else None


def answer_from_json(data: dict):
    """The server's /v1/ask JSON as an `Answer`, for the same terminal rendering as in-process."""
    from docqa.answer import Answer
    from docqa.citations import Citation
    from docqa.records import Hit
    from docqa.retrieval.attention import Candidate

    candidates = [Candidate(hit=Hit(**c["hit"]), **{k: v for k, v in c.items() if k != "hit"}) for c in data["candidates"]]
    return Answer(
        question=data["question"], text=data["answer"], answered=data["answered"], short_answer=data["short_answer"],
        quote=data["quote"], verified=data["verified"], unverified_reason=data["unverified_reason"] or "",
        citations=[Citation(**c) for c in data["citations"]], abstain_reason=data["abstain_reason"] or "",
        candidates=candidates, model=data.get("model", ""), escalated_from=data.get("escalated_from"),
    )


def hits_from_json(hits: list[dict]):
    """`hits_json` back to `Hit`s (without what it adds: the rank, the locator)."""
    from docqa.records import Hit

    return [Hit(**{k: v for k, v in h.items() if k in Hit.__dataclass_fields__}) for h in hits]


def remote_chat(index, name: str | None, remote: Remote):
    """A `docqa chat` session whose turns the server answers. The session lives in the store, so
    the terminal reads it back after each turn; /memory, /sources, /forget and /clear work here."""
    from docqa.chat import ChatSession
    from docqa.chat.session import TurnResult

    class RemoteChatSession(ChatSession):
        def ask(self, question: str, on_token=None, cancelled=lambda: False) -> TurnResult:
            data = remote.ask(question, self.name)
            turn = data["chat"]
            stored = ChatSession.open(self.index, self.name)
            self.memory, self.last = stored.memory, stored.last
            return TurnResult(question, turn["rewritten"], turn["rewrite_method"], answer_from_json(data),
                              tokens=turn["turn_tokens"])

    return RemoteChatSession.open(index, name)
