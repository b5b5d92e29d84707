"""The HTTP API (FastAPI, served by uvicorn): routes over a `Service`. OpenAPI page at /docs.

Errors reach a client as {"detail": one line} with a status code, never as a traceback: 422 for
a malformed request, 401/403 for a missing or wrong token, 403 for a path outside
serve.allowed_paths, 404, 409 while another writer holds the index, 413, 415, 500.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import queue
import secrets
import signal
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import HTTPException, RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from starlette.datastructures import UploadFile

from docqa.errors import DocqaError, StoreError, UsageError
from docqa.retrieval.hybrid import hits_json
from docqa.server.service import (
    Forbidden, NotFound, Service, TooLarge, Unsupported, answer_brief, answer_json, document_json,
)

log = logging.getLogger("docqa.server")
STATIC = Path(__file__).parent / "static"
MODEL = "docqa"  # the model name of the OpenAI-compatible endpoint
_STATUS = {Forbidden: 403, NotFound: 404, TooLarge: 413, Unsupported: 415, UsageError: 422, StoreError: 409}


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty")
    return value


class SearchRequest(_Body):
    query: str
    k: int | None = Field(None, ge=1, le=100)
    mode: Literal["hybrid", "dense", "keyword"] = "hybrid"
    _check = field_validator("query")(_not_blank)


class AskRequest(_Body):
    question: str
    stream: bool = Field(False, description="Stream the model's draft over SSE; the last event is the verified answer.")
    session: str | None = Field(None, description="A chat session: the question is a follow-up in it.")
    _check = field_validator("question")(_not_blank)


class IngestRequest(_Body):
    path: str = Field(description="A file or folder on the server, under one of serve.allowed_paths.")


class SummaryRequest(_Body):
    document_id: int | None = None
    focus: str | None = None
    mode: Literal["map-reduce", "refine", "tree"] | None = None
    words: int | None = Field(None, ge=20, le=2000)


class ChatMessage(BaseModel):
    role: str
    content: str | list[dict[str, Any]] | None = None

    def text(self) -> str:
        if isinstance(self.content, list):  # OpenAI content parts: the text ones
            return " ".join(str(p.get("text", "")) for p in self.content if p.get("type") == "text")
        return self.content or ""


class ChatRequest(_Body):
    """OpenAI's chat request. Sampling parameters are accepted and ignored: answers are greedy and
    verified; the last user message is answered from the index."""

    model: str = MODEL
    messages: list[ChatMessage] = Field(min_length=1)
    stream: bool = False
    temperature: float | None = None
    top_p: float | None = None
    max_tokens: int | None = None
    max_completion_tokens: int | None = None
    n: int | None = Field(None, ge=1, le=1)
    stop: str | list[str] | None = None
    seed: int | None = None
    user: str | None = None
    presence_penalty: float | None = None
    frequency_penalty: float | None = None
    stream_options: dict[str, Any] | None = None
    metadata: dict[str, Any] | None = None

    def question(self) -> str:
        asked = next((m.text() for m in reversed(self.messages) if m.role == "user"), "")
        return _not_blank(asked)


def one_line(exc: ValidationError | RequestValidationError) -> str:
    """The first problem of a request, in one line: where and what."""
    first = exc.errors()[0]
    if first["type"] == "json_invalid":
        return f"malformed JSON: {first.get('ctx', {}).get('error', first['msg'])}"
    where = ".".join(str(p) for p in first["loc"] if p not in ("body",)) or "body"
    if first["type"] == "extra_forbidden":
        return f"unknown field '{where}'"
    msg = first["msg"].removeprefix("Value error, ")
    return f"{where}: {msg}"


def sources_text(ans) -> str:
    """The citations as lines under an OpenAI reply: what a chat UI shows as sources."""
    if not ans.answered:
        return f"({ans.abstain_reason})"
    return "Sources:\n" + "\n".join(f"[{c.n}] {Path(c.path).name}, {c.locator}: “{c.quote or c.snippet}”" for c in ans.citations)


def create_app(service: Service) -> FastAPI:
    settings = service.settings.serve
    app = FastAPI(title="docqa", summary="Answers from your documents with verified citations.", version="1")
    if settings.cors_origins:
        from fastapi.middleware.cors import CORSMiddleware

        app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["*"],
                           allow_headers=["Authorization", "Content-Type"])

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse({"detail": one_line(exc)}, status_code=422)

    @app.exception_handler(DocqaError)
    async def _docqa(request: Request, exc: DocqaError) -> JSONResponse:
        status = next((code for kind, code in _STATUS.items() if isinstance(exc, kind)), 500)
        return JSONResponse({"detail": str(exc).splitlines()[0] if str(exc) else type(exc).__name__}, status_code=status)

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception) -> JSONResponse:
        log.exception("%s %s failed", request.method, request.url.path)
        return JSONResponse({"detail": f"internal error ({type(exc).__name__}); see the server's log"}, status_code=500)

    def authorized(request: Request) -> None:
        if settings.token is None:
            return
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not given.strip():
            raise HTTPException(401, "missing bearer token (Authorization: Bearer TOKEN)", headers={"WWW-Authenticate": "Bearer"})
        if not secrets.compare_digest(given.strip().encode(), settings.token.get_secret_value().encode()):
            raise HTTPException(403, "wrong token")

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def page() -> str:
        return (STATIC / "index.html").read_text(encoding="utf-8")

    @app.get("/health")
    def health() -> dict[str, Any]:
        """Model names, index path, document and chunk counts (no token needed)."""
        return service.health()

    api = APIRouter(prefix="/v1", dependencies=[Depends(authorized)])

    @api.post("/search")
    def search(req: SearchRequest) -> dict[str, Any]:
        """Hybrid (or dense, or keyword) search: the top k chunks with their provenance."""
        return {"hits": hits_json(service.search(req.query, req.k, req.mode))}

    @api.post("/ask")
    def ask(req: AskRequest):
        """A verified short answer with its citations, or an abstention with the reason. With
        stream=true: SSE events `token` (the model's draft), then `answer` (the verified answer)."""
        if not req.stream:
            return answer_json(*service.ask(req.question, req.session))
        return StreamingResponse(_sse_answer(service, req), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-cache"})

    @api.get("/documents")
    def documents() -> dict[str, Any]:
        """Every document with its page and chunk counts."""
        docs = service.documents()
        return {"documents": [document_json(d) for d in docs], "count": len(docs), "chunks": sum(d.chunks for d in docs)}

    @api.post("/documents", status_code=202, openapi_extra={"requestBody": {"content": {
        "application/json": {"schema": IngestRequest.model_json_schema()},
        "multipart/form-data": {"schema": {"type": "object", "properties": {"file": {"type": "string", "format": "binary"}}}},
    }}})
    async def add_document(request: Request) -> JSONResponse:
        """Ingest an uploaded file (multipart, field `file`) or a server path (JSON {"path": ...},
        under serve.allowed_paths) as a job: poll GET /v1/jobs/{id} for progress and the report."""
        if request.headers.get("content-type", "").startswith("multipart/form-data"):
            path = await _upload(service, request)
        else:
            try:
                body = IngestRequest.model_validate_json(await request.body())
            except ValidationError as exc:
                raise HTTPException(422, one_line(exc)) from None
            path = service.allowed(body.path)
        return JSONResponse({"job": service.ingest([path]).to_json()}, status_code=202)

    @api.delete("/documents/{doc_id}")
    def delete_document(doc_id: int) -> dict[str, Any]:
        """Forget a document: its chunks, vectors and summaries (the file is untouched)."""
        return {"removed": service.delete(doc_id)}

    @api.post("/summaries", status_code=202)
    def summaries(req: SummaryRequest) -> dict[str, Any]:
        """A document's summary (document_id) or a topic across the index (focus), as a job."""
        return {"job": service.summarize(req.document_id, req.focus, req.mode, req.words).to_json()}

    @api.get("/jobs/{job_id}")
    def job(job_id: str) -> dict[str, Any]:
        """An ingest or summary job: state, progress, and its result once done."""
        found = service.jobs.get(job_id)
        if found is None:
            raise NotFound(f"no job {job_id}")
        return {"job": found.to_json()}

    @api.get("/models")
    def models() -> dict[str, Any]:
        """OpenAI's model list: the one model, `docqa` (the index behind the local LLM)."""
        return {"object": "list", "data": [{"id": MODEL, "object": "model", "created": 0, "owned_by": "docqa"}]}

    @api.post("/chat/completions")
    def chat_completions(req: ChatRequest):
        """OpenAI-compatible: the last user message answered from the index; the reply ends with
        its sources, and the extra field `docqa` holds the answer and citations as data."""
        question = req.question()
        if req.stream:
            return StreamingResponse(_sse_chat(service, question), media_type="text/event-stream",
                                     headers={"Cache-Control": "no-cache"})
        ans, _ = service.ask(question)
        content = f"{ans.text}\n\n{sources_text(ans)}"
        return {
            "id": f"chatcmpl-{uuid.uuid4().hex[:24]}", "object": "chat.completion", "created": int(time.time()),
            "model": MODEL,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": ans.prompt_tokens, "completion_tokens": ans.completion_tokens,
                      "total_tokens": ans.prompt_tokens + ans.completion_tokens},
            "docqa": answer_brief(ans),
        }

    app.include_router(api)
    return app


async def _upload(service: Service, request: Request) -> Path:
    limit = service.settings.ingest.max_file_mb * 1024 * 1024
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit + 65536:  # refused before a byte is read
        raise TooLarge(f"upload larger than ingest.max_file_mb ({service.settings.ingest.max_file_mb:g} MB)")
    try:
        form = await request.form(max_files=1, max_fields=4)
    except Exception as exc:  # python-multipart's parse errors: the client's malformed body
        raise HTTPException(422, f"malformed multipart body: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}") from None
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        raise HTTPException(422, "multipart upload needs a file in the field 'file'")
    try:
        return await run_in_threadpool(service.save_upload, upload.filename or "", upload.file)
    finally:
        await upload.close()


def _sse(event: str, data: Any) -> str:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def _in_thread(service: Service, question: str, session: str | None = None) -> Iterator[tuple[str, Any]]:
    """Run an ask on its own thread: ("token", piece)... then ("answer", (Answer, chat)) or ("error", reason)."""
    events: queue.Queue = queue.Queue()

    def work() -> None:
        try:
            events.put(("answer", service.ask(question, session, on_token=lambda piece: events.put(("token", piece)))))
        except DocqaError as exc:
            events.put(("error", str(exc)))
        except Exception as exc:
            log.exception("streamed ask failed")
            events.put(("error", f"internal error ({type(exc).__name__}); see the server's log"))
        finally:
            events.put(None)

    threading.Thread(target=work, name="docqa-ask", daemon=True).start()
    while (item := events.get()) is not None:
        yield item


def _sse_answer(service: Service, req: AskRequest) -> Iterator[str]:
    for event, data in _in_thread(service, req.question, req.session):
        if event == "token":
            yield _sse("token", {"text": data})
        elif event == "answer":
            yield _sse("answer", answer_json(*data))
        else:
            yield _sse("error", {"detail": data})


def _sse_chat(service: Service, question: str) -> Iterator[str]:
    """OpenAI's chunk stream. The reply is verified before it is sent, so the draft is not streamed:
    the role first, then the verified answer and its sources, then the structured extra."""
    head = {"id": f"chatcmpl-{uuid.uuid4().hex[:24]}", "object": "chat.completion.chunk", "created": int(time.time()), "model": MODEL}

    def chunk(delta: dict, finish: str | None = None, **extra: Any) -> str:
        return "data: " + json.dumps(head | {"choices": [{"index": 0, "delta": delta, "finish_reason": finish}]} | extra,
                                     ensure_ascii=False) + "\n\n"

    yield chunk({"role": "assistant", "content": ""})
    for event, data in _in_thread(service, question):
        if event == "answer":
            ans, _ = data
            for piece in (ans.text, "\n\n", sources_text(ans)):
                yield chunk({"content": piece})
            yield chunk({}, "stop", docqa=answer_brief(ans))
        elif event == "error":
            yield chunk({"content": f"error: {data}"}, "stop")
    yield "data: [DONE]\n\n"


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def bind(host: str, port: int) -> socket.socket:
    """A listening socket; with port 0, any free port (read it back from the socket)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        return socket.create_server((host.strip("[]"), port), family=family, backlog=128)
    except OSError as exc:
        raise UsageError(f"cannot listen on {host}:{port} ({exc.strerror or exc})") from None


def url_of(sock: socket.socket) -> str:
    """The address a local client reaches: a wildcard bind is reached on loopback."""
    host, port = sock.getsockname()[:2]
    if sock.family == socket.AF_INET6:
        return f"http://[{'::1' if host == '::' else host}]:{port}"
    return f"http://{'127.0.0.1' if host == '0.0.0.0' else host}:{port}"


def make_server(service: Service, log_level: str = "warning"):
    """A uvicorn server for the app; run it with `.run(sockets=[bind(...)])`."""
    import uvicorn

    return uvicorn.Server(uvicorn.Config(create_app(service), log_level=log_level, timeout_graceful_shutdown=5))


def run(settings, on_ready, progress=None, loaded=lambda: None) -> None:
    """`docqa serve`: refuse an open bind without a token, load the models, announce the server to
    the warm CLI (server.json in the index), serve until Ctrl-C, then take the announcement back."""
    from docqa.index import Index
    from docqa.server.client import remove_server_file, write_server_file

    host = settings.serve.host
    if not is_loopback(host) and settings.serve.token is None:
        raise UsageError(f"refusing to listen on {host} without a token: anyone who can reach it could read "
                         "your documents; pass --token or set serve.token (DOCQA_SERVE__TOKEN)")
    sock = bind(host, settings.serve.port)
    service = Service(Index.open(settings.index, settings, create=True))
    announce = settings.store is None
    try:
        try:
            service.load(progress)
        finally:
            loaded()
        url = url_of(sock)
        if announce:
            write_server_file(service.index.directory, url)
        on_ready(url)
        # uvicorn stops on SIGINT/SIGTERM, then raises the signal again for the handler it found:
        # a stop, not a crash, so the announcement below is taken back either way.
        previous = signal.signal(signal.SIGTERM, _stop)
        try:
            make_server(service).run(sockets=[sock])
        except KeyboardInterrupt:
            pass
        finally:
            signal.signal(signal.SIGTERM, previous)
    finally:
        if announce:
            remove_server_file(service.index.directory)
        service.close()
        sock.close()


def _stop(signum, frame) -> None:
    raise KeyboardInterrupt
