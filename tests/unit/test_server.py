"""docqa serve through FastAPI's TestClient: the API, its errors, tokens, uploads, jobs, the warm CLI.

The index is real (MiniLM, SQLite, FAISS) over two generated files; the generator is the fake one,
so answers are scripted and only the plumbing is under test here (tests/e2e has the real model).
"""

from __future__ import annotations

import json
import threading
import time

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from docqa.cli import app as cli
from docqa.errors import UsageError
from docqa.index import Index
from docqa.server import client
from docqa.server.app import bind, create_app, make_server, run, url_of
from docqa.server.service import Service
from docqa.settings import load_settings
from tests.unit.fakes import FakeGenerator

BUDGET = (
    "Riverbend County 2019 budget.\n\n"
    "The 2019 budget allocated $4.2 million to rural school grants. The grants pay for buses and libraries.\n\n"
    "Special education received $7.9 million in the same year."
)
GARDEN = "# Garden notes\n\nTomatoes need six hours of sun a day. Basil grows well beside them.\n"
QUESTION = "How much did the 2019 budget allocate to rural school grants?"


class SlowGenerator(FakeGenerator):
    """Generates only once `release` is set, so a test can act while an answer is being generated."""

    def __init__(self, answer: str) -> None:
        super().__init__(answer)
        self.started, self.release = threading.Event(), threading.Event()

    def generate(self, messages, max_new_tokens, stop=None, on_token=None, barred=()):
        self.started.set()
        self.release.wait(30)
        return super().generate(messages, max_new_tokens, stop, on_token, barred)


def _settings(root, **serve):
    return load_settings({"index": str(root / "index"), "ingest": {"max_file_mb": 0.05},
                          "serve": {"allowed_paths": [str(root / "docs")], **serve}}, environ={})


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    root = tmp_path_factory.mktemp("served")
    (root / "docs").mkdir()
    (root / "docs" / "budget.txt").write_text(BUDGET, encoding="utf-8")
    (root / "outside").mkdir()
    (root / "outside" / "secret.txt").write_text("The vault code is 1234.", encoding="utf-8")
    with Index.open(root / "index", _settings(root)) as idx:
        assert not idx.ingest([root / "docs"]).failed
    return root


@pytest.fixture(scope="module")
def service(root):
    idx = Index.open(root / "index", _settings(root))
    idx.share_generator(SlowGenerator("$4.2 million [1]"))
    idx.generator().release.set()
    svc = Service(idx)
    svc.load()
    yield svc
    svc.close()


@pytest.fixture(scope="module")
def api(service):
    return TestClient(create_app(service), raise_server_exceptions=False)


def _wait(api, job: dict, headers=None) -> dict:
    deadline = time.monotonic() + 60
    while job["state"] not in ("done", "failed"):
        assert time.monotonic() < deadline, job
        time.sleep(0.1)
        job = api.get(f"/v1/jobs/{job['id']}", headers=headers).json()["job"]
    return job


def test_health_names_the_models_and_counts(api, root):
    h = api.get("/health").json()
    assert h["documents"] == 1 and h["chunks"] >= 1
    assert h["index"] == str((root / "index").resolve())
    assert h["embedding_model"] and h["llm"]


def test_search_returns_hits_with_provenance(api):
    hits = api.post("/v1/search", json={"query": "rural school grants", "k": 2}).json()["hits"]
    assert hits[0]["rank"] == 1 and hits[0]["path"].endswith("budget.txt") and "$4.2 million" in hits[0]["text"]


def test_ask_returns_the_verified_answer_and_the_quote_span(api, service):
    a = api.post("/v1/ask", json={"question": QUESTION}).json()
    assert a["answered"] and a["verified"] and "4.2 million" in a["short_answer"]
    c = a["citations"][0]
    text = service.index.store.document_text(service.documents()[0].id)
    assert "$4.2 million to rural school grants" in text[c["quote_start"]:c["quote_end"]]


def test_ask_streams_the_draft_then_the_verified_answer(api):
    with api.stream("POST", "/v1/ask", json={"question": QUESTION, "stream": True}) as r:
        assert r.headers["content-type"].startswith("text/event-stream")
        events = [block for block in r.read().decode().split("\n\n") if block]
    names = [e.split("\n")[0].removeprefix("event: ") for e in events]
    assert names[0] == "token" and names[-1] == "answer"
    final = json.loads(events[-1].split("\n")[1].removeprefix("data: "))
    assert final["verified"] and final["citations"][0]["path"].endswith("budget.txt")


@pytest.mark.parametrize("body, reason", [
    ('{"question": ', "malformed JSON"),
    ('{"question": "   "}', "question: must not be empty"),
    ('{"question": "why?", "temperature": 2}', "unknown field 'temperature'"),
    ('{"query": "x", "k": 0}', None),
])
def test_bad_requests_get_422_with_one_line(api, body, reason):
    route = "/v1/search" if "query" in body else "/v1/ask"
    r = api.post(route, content=body, headers={"Content-Type": "application/json"})
    assert r.status_code == 422
    detail = r.json()["detail"]
    assert isinstance(detail, str) and "\n" not in detail
    assert reason is None or reason in detail


def test_searches_do_not_wait_for_a_generating_answer(service, api):
    gen = service.index.generator().inner
    gen.release.clear()
    gen.started.clear()
    asking = threading.Thread(target=lambda: api.post("/v1/ask", json={"question": QUESTION}))
    asking.start()
    try:
        assert gen.started.wait(30)
        t = time.monotonic()
        assert api.post("/v1/search", json={"query": "rural school grants"}).status_code == 200
        assert time.monotonic() - t < 10
    finally:
        gen.release.set()
        asking.join()


def test_an_ingest_by_another_process_is_seen(service, api, root):
    (root / "docs" / "garden.md").write_text(GARDEN, encoding="utf-8")
    with Index.open(root / "index", _settings(root)) as other:  # its own connection and vector index, like the CLI
        assert other.ingest([root / "docs" / "garden.md"]).ingested
    hits = api.post("/v1/search", json={"query": "how much sun do tomatoes need", "k": 1}).json()["hits"]
    assert hits[0]["path"].endswith("garden.md")


def test_upload_is_ingested_as_a_job_and_becomes_searchable(api, service):
    files = {"file": ("../../notes/../owl facts;rm.txt", b"Barn owls swallow their prey whole and cough up pellets.")}
    job = _wait(api, api.post("/v1/documents", files=files).json()["job"])
    assert job["state"] == "done" and job["result"]["ingested"] and job["total"] == 1
    stored = job["result"]["ingested"][0]
    assert stored == str(service.index.directory / "uploads" / "owl facts_rm.txt")
    hits = api.post("/v1/search", json={"query": "barn owl pellets", "k": 1}).json()["hits"]
    assert hits[0]["path"] == stored


def test_a_bad_upload_fails_in_its_report_like_ingest(api):
    job = _wait(api, api.post("/v1/documents", files={"file": ("broken.pdf", b"%PDF-1.7 not really")}).json()["job"])
    assert job["state"] == "done" and job["result"]["failed"][0]["path"].endswith("broken.pdf")
    assert job["result"]["failed"][0]["reason"]


def test_uploads_of_other_types_or_sizes_are_refused(api, service):
    r = api.post("/v1/documents", files={"file": ("tool.exe", b"MZ...")})
    assert r.status_code == 415 and ".exe" in r.json()["detail"]
    r = api.post("/v1/documents", files={"file": ("big.txt", b"word " * 20_000)})
    assert r.status_code == 413 and "max_file_mb" in r.json()["detail"]
    r = api.post("/v1/documents", files={"other": ("a.txt", b"x")})
    assert r.status_code == 422
    assert not [p for p in (service.index.directory / "uploads").iterdir() if p.name.startswith((".upload", "big", "tool"))]


def test_path_ingest_reads_only_allowed_folders(api, root):
    ok = api.post("/v1/documents", json={"path": str(root / "docs")})
    assert ok.status_code == 202
    _wait(api, ok.json()["job"])
    for path in (str(root / "outside"), str(root / "docs" / ".." / "outside" / "secret.txt"), "/etc/passwd"):
        r = api.post("/v1/documents", json={"path": path})
        assert r.status_code == 403 and "allowed_paths" in r.json()["detail"]
    assert api.post("/v1/documents", json={"path": str(root), "recursive": True}).status_code == 422


def test_documents_list_delete_and_404(api):
    docs = api.get("/v1/documents").json()
    assert docs["count"] == len(docs["documents"]) >= 2 and docs["chunks"] >= docs["count"]
    garden = next(d for d in docs["documents"] if d["name"] == "garden.md")
    assert api.delete(f"/v1/documents/{garden['id']}").json()["removed"] == [garden["path"]]
    assert api.delete(f"/v1/documents/{garden['id']}").status_code == 404
    assert api.get("/v1/jobs/nope").status_code == 404


def test_a_document_summary_is_a_job(api):
    budget = next(d for d in api.get("/v1/documents").json()["documents"] if d["name"] == "budget.txt")
    job = _wait(api, api.post("/v1/summaries", json={"document_id": budget["id"], "words": 40}).json()["job"])
    assert job["state"] == "done" and job["result"]["summary"] and job["result"]["path"] == budget["path"]
    assert api.post("/v1/summaries", json={}).status_code == 422


def test_openai_client_non_streaming_and_streaming(api):
    openai = pytest.importorskip("openai")
    gpt = openai.OpenAI(base_url="http://testserver/v1", api_key="unused", http_client=api)
    reply = gpt.chat.completions.create(model="docqa", messages=[{"role": "user", "content": QUESTION}])
    content = reply.choices[0].message.content
    cited = reply.model_extra["docqa"]["citations"][0]
    assert cited["quote"].startswith("The 2019 budget allocated") and cited["locator"]
    assert content.startswith("$4.2 million [1]") and f"Sources:\n[1] budget.txt, {cited['locator']}: “The 2019" in content
    chunks = list(gpt.chat.completions.create(model="docqa", messages=[{"role": "user", "content": QUESTION}], stream=True))
    assert "".join(c.choices[0].delta.content or "" for c in chunks) == content
    assert chunks[-1].choices[0].finish_reason == "stop" and chunks[-1].model_extra["docqa"]["verified"]


def test_no_traceback_reaches_a_client(api, service, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("/home/me/secret/path exploded")

    monkeypatch.setattr(service, "search", broken)
    r = api.post("/v1/search", json={"query": "anything"})
    assert r.status_code == 500 and "secret" not in r.text and "Traceback" not in r.text


def test_a_token_guards_everything_but_health(root):
    with Index.open(root / "index", _settings(root, token="s3cret")) as idx:
        api = TestClient(create_app(Service(idx)))
        assert api.get("/health").status_code == 200
        r = api.get("/v1/documents")
        assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
        assert api.get("/v1/documents", headers={"Authorization": "Bearer wrong"}).status_code == 403
        assert api.post("/v1/search", json={"query": "x"}, headers={"Authorization": "Basic s3cret"}).status_code == 401
        assert api.get("/v1/documents", headers={"Authorization": "Bearer s3cret"}).status_code == 200


def test_cors_is_off_unless_origins_are_named(root, api):
    preflight = {"Origin": "http://evil.example", "Access-Control-Request-Method": "POST"}
    assert "access-control-allow-origin" not in api.options("/v1/search", headers=preflight).headers
    with Index.open(root / "index", _settings(root, cors_origins=["http://app.example"])) as idx:
        cors = TestClient(create_app(Service(idx)))
        allowed = cors.options("/v1/search", headers=preflight | {"Origin": "http://app.example"})
        assert allowed.headers["access-control-allow-origin"] == "http://app.example"
        assert "access-control-allow-origin" not in cors.options("/v1/search", headers=preflight).headers


def test_an_open_bind_without_a_token_is_refused(root):
    with pytest.raises(UsageError, match="refusing to listen on 0.0.0.0 without a token"):
        run(_settings(root, host="0.0.0.0"), on_ready=print)
    result = CliRunner().invoke(cli, ["serve", "--host", "0.0.0.0", "--index", str(root / "index")])
    assert result.exit_code == 2 and "without a token" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_the_page_is_served_without_a_build_step(api):
    page = api.get("/")
    assert page.status_code == 200 and 'id="question"' in page.text and "/v1/ask" in page.text
    assert api.get("/docs").status_code == 200 and "/v1/chat/completions" in api.get("/openapi.json").text


def test_a_dead_servers_file_is_ignored_and_removed(root):
    settings = _settings(root)
    path = root / "index" / client.SERVER_FILE
    path.write_text(json.dumps({"url": "http://127.0.0.1:9", "pid": 2 ** 22 + 17}))
    assert client.find(settings) is None and not path.exists()


def test_the_warm_cli_uses_a_live_server_and_prints_the_same(service, root):
    sock = bind("127.0.0.1", 0)
    server = make_server(service)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    client.write_server_file(service.index.directory, url_of(sock))
    try:
        while not server.started:
            time.sleep(0.05)
        assert client.find(_settings(root)) is not None
        other_llm = load_settings({"index": str(root / "index"), "generation": {"model": "smollm2-135m"}}, environ={})
        assert client.find(other_llm, "ask") is None and client.find(other_llm, "search") is not None
        args = ["search", "rural school grants", "-k", "2", "--index", str(root / "index")]
        warm, cold = CliRunner().invoke(cli, args), CliRunner().invoke(cli, args + ["--no-server"])
        assert warm.exit_code == cold.exit_code == 0
        assert warm.output == cold.output and "budget.txt" in warm.output
        with Index.open(root / "index", _settings(root)) as local:  # no models: the turns are the server's
            chat = client.remote_chat(local, "budget-chat", client.find(_settings(root)))
            turn = chat.ask(QUESTION)
            assert turn.answer.verified and chat.memory.turn == 1 and chat.last["question"] == QUESTION
            assert local._generator is None
        follow = CliRunner().invoke(cli, ["ask", "--session", "budget-chat", "And special education?", "--json",
                                          "--index", str(root / "index")])
        assert json.loads(follow.output)["memory"]["turns"] == 2
    finally:
        server.should_exit = True
        thread.join(10)
        client.remove_server_file(service.index.directory)
    assert not (root / "index" / client.SERVER_FILE).exists()
