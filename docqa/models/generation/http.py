"""The generator as a client of an OpenAI-compatible server: vLLM, llama.cpp's llama-server, TGI, Ollama.

Only the standard library speaks HTTP here (``urllib``), so the backend adds no dependency.

* Generation: ``POST {base_url}/chat/completions`` with ``stream=True`` (server-sent events), greedy.
  Timings come from llama.cpp's ``timings`` when the server sends them, else from the client clock
  (time to the first piece = prefill).
* Token counts are exact, from the server's own tokenizer: llama.cpp's ``/apply-template`` +
  ``/tokenize``, or vLLM's ``/tokenize`` (which takes chat messages). A server with neither (TGI,
  Ollama) needs ``generation.tokenizer``, a local tokenizer of the same model. Never a character
  estimate: the working set's budget is only as honest as its counts.
* Connection errors, 429 and 5xx are retried with exponential backoff; a stream is retried only
  before its first piece (a piece already shown cannot be taken back).
* The relevance judge reads the first token's ``top_logprobs``; a server that gives none gets a clear
  error naming the remedy (a local backend, or ``answer.judge=off``).
"""

from __future__ import annotations

import functools
import json
import os
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Iterator, Sequence

from docqa.errors import ConfigError, ModelError
from docqa.models.generation.base import (
    NO_SPELLINGS,
    YES_SPELLINGS,
    GenerationResult,
    Message,
    OnToken,
    Streaming,
    barred_ids,
    result_from_timings,
    yes_minus_no,
)
from docqa.settings import GenerationSettings

_RETRY_STATUS = {429, 500, 502, 503, 504}
_TOP_LOGPROBS = 20  # the OpenAI API's maximum; vLLM's default cap too


class _Retryable(Exception):
    """A failure worth another try: no connection, or a 429/5xx answer."""


class HttpGenerator(Streaming):
    backend = "openai"

    def __init__(self, settings: GenerationSettings, backoff_s: float = 0.5) -> None:
        if not settings.base_url:
            raise ConfigError("generation.base_url is not set (e.g. --llm-base-url http://127.0.0.1:8080/v1)")
        self.base_url = settings.base_url.rstrip("/")
        # llama.cpp and vLLM serve /tokenize and /apply-template beside /v1, not under it.
        self.root_url = self.base_url.removesuffix("/v1")
        self.timeout_s = settings.timeout_s
        self.retries = settings.retries
        self.concurrency = self.batch_size = settings.concurrency
        self.backoff_s = backoff_s
        key = settings.api_key.get_secret_value() if settings.api_key else os.environ.get("OPENAI_API_KEY")
        self._headers = {"Content-Type": "application/json", **({"Authorization": f"Bearer {key}"} if key else {})}
        self.name, server_ctx = self._check_model(settings.api_model)
        self.context_tokens = min(settings.context_tokens, server_ctx or settings.context_tokens)
        self._dialect = self._probe_tokenizer()
        self._local = None
        if self._dialect is None:
            if not settings.tokenizer:
                raise ConfigError(
                    f"LLM server {self.root_url} has no /tokenize endpoint: set generation.tokenizer to a local "
                    f"tokenizer of {self.name} (a docqa model name or a tokenizer directory) for exact token counts"
                )
            self._local = _load_tokenizer(settings.tokenizer, settings.cache_dir)
        # The working set re-counts the same prompts while it packs passages: remember recent counts.
        self._count_text_cached = functools.lru_cache(maxsize=4096)(self._count_text)
        self._count_chat = functools.lru_cache(maxsize=4096)(self._count_chat_json)

    # -- HTTP -----------------------------------------------------------------------------------

    def _send(self, url: str, body: dict | None = None) -> Any:
        """One request (POST with a JSON body, else GET), retried; returns the open response."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(url, data=data, headers=self._headers, method="GET" if body is None else "POST")
        attempt = 0
        while True:
            try:
                try:
                    return urllib.request.urlopen(request, timeout=self.timeout_s)
                except urllib.error.HTTPError as exc:
                    if exc.code in _RETRY_STATUS:
                        raise _Retryable(f"HTTP {exc.code}: {_error_message(exc)}") from exc
                    raise
                except (urllib.error.URLError, ConnectionError, TimeoutError) as exc:
                    raise _Retryable(str(getattr(exc, "reason", exc))) from exc
            except _Retryable as exc:
                if attempt >= self.retries:
                    raise ModelError(
                        f"LLM server {url} failed after {attempt + 1} attempts ({exc}); is it running and reachable?"
                    ) from exc
                time.sleep(self.backoff_s * 2**attempt)
                attempt += 1

    def _json(self, url: str, body: dict | None = None, missing: str | None = None) -> dict:
        """The JSON answer; `missing` is the error for a 404/405 (an endpoint this server lacks)."""
        try:
            with self._send(url, body) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as exc:
            if missing and exc.code in (404, 405):
                raise ModelError(missing) from None
            raise self._http_error(url, exc) from None
        except (json.JSONDecodeError, TimeoutError, OSError) as exc:
            raise ModelError(f"LLM server {url}: unreadable answer ({exc})") from exc

    def _http_error(self, url: str, exc: urllib.error.HTTPError) -> ModelError:
        message = _error_message(exc)
        if exc.code in (401, 403):
            return ModelError(f"LLM server {url} refused the request (HTTP {exc.code}: {message}); check generation.api_key / OPENAI_API_KEY")
        if exc.code == 404 and "model" in message.lower():
            return ModelError(f"LLM server {self.base_url} does not serve the model asked for ({message})")
        if "context" in message.lower():
            return ModelError(f"prompt exceeds the context size of {self.name} at {self.base_url} ({message})")
        return ModelError(f"LLM server {url}: HTTP {exc.code}: {message}")

    def _optional(self, url: str, body: dict | None = None) -> dict | None:
        """An endpoint (or request shape) only some servers have: None when this one rejects it or answers no JSON."""
        try:
            with self._send(url, body) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as exc:
            if exc.code in (400, 404, 405, 422, 501):
                return None
            raise self._http_error(url, exc) from None
        except json.JSONDecodeError:
            return None

    # -- setup ----------------------------------------------------------------------------------

    def _check_model(self, wanted: str | None) -> tuple[str, int | None]:
        """The served model's name (checked against /v1/models) and its context size when the server says."""
        url = f"{self.base_url}/models"
        listing = self._json(
            url, missing=f"{self.base_url} is not an OpenAI-compatible API (no /models; the URL usually ends in /v1)"
        )
        served: dict[str, dict] = {}
        for entry in listing.get("data") or []:
            for name in [entry.get("id"), *(entry.get("aliases") or [])]:
                if name:
                    served[name] = entry
        if not served:
            raise ModelError(f"LLM server {url} lists no models")
        if wanted is None:
            if len({id(e) for e in served.values()}) > 1:
                raise ConfigError(f"LLM server {self.base_url} serves several models ({', '.join(sorted(served))}): pick one with --llm-model")
            wanted = next(iter(served))
        if wanted not in served:
            raise ModelError(f"model {wanted!r} is not served by {self.base_url} (it serves: {', '.join(sorted(served))})")
        ctx = served[wanted].get("max_model_len")  # vLLM says it here
        if ctx is None:  # llama.cpp says it in /props
            ctx = ((self._optional(f"{self.root_url}/props") or {}).get("default_generation_settings") or {}).get("n_ctx")
        return wanted, int(ctx) if ctx else None

    def _probe_tokenizer(self) -> str | None:
        """Which tokenizer endpoints the server has: "llamacpp", "vllm", or None."""
        probe = [{"role": "user", "content": "hi"}]
        template = self._optional(f"{self.root_url}/apply-template", {"messages": probe})
        if template and isinstance(template.get("prompt"), str):
            return "llamacpp"
        counted = self._optional(f"{self.root_url}/tokenize", {"model": self.name, "messages": probe, "add_generation_prompt": True})
        if counted and isinstance(counted.get("count"), int):
            return "vllm"
        return None

    # -- token counts ---------------------------------------------------------------------------

    def _count_text(self, text: str) -> int:
        if self._local is not None or self._dialect == "llamacpp":
            return len(self._ids(text))
        body = {"model": self.name, "prompt": text, "add_special_tokens": False}
        return int(self._json(f"{self.root_url}/tokenize", body)["count"])

    def _ids(self, text: str) -> list[int]:
        """The text's token ids as the served model reads them."""
        if self._local is not None:
            return list(self._local.encode(text, add_special_tokens=False))
        if self._dialect == "llamacpp":
            body = {"content": text, "add_special": False, "parse_special": False}
            return [int(t) for t in self._json(f"{self.root_url}/tokenize", body)["tokens"]]
        body = {"model": self.name, "prompt": text, "add_special_tokens": False}
        return [int(t) for t in self._json(f"{self.root_url}/tokenize", body)["tokens"]]

    def _count_chat_json(self, messages_json: str) -> int:
        messages = json.loads(messages_json)
        if self._local is not None:
            text = self._local.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
            return len(self._local.encode(text, add_special_tokens=False))
        if self._dialect == "llamacpp":
            prompt = self._json(f"{self.root_url}/apply-template", {"messages": messages})["prompt"]
            # What the server does with a chat prompt: special tokens parsed, BOS added if the model wants one.
            body = {"content": prompt, "add_special": True, "parse_special": True}
            return len(self._json(f"{self.root_url}/tokenize", body)["tokens"])
        body = {"model": self.name, "messages": messages, "add_generation_prompt": True}
        return int(self._json(f"{self.root_url}/tokenize", body)["count"])

    def count_tokens(self, text: str) -> int:
        return self._count_text_cached(text)

    def count_chat_tokens(self, messages: Sequence[Message]) -> int:
        return self._count_chat(json.dumps([dict(m) for m in messages], ensure_ascii=False))

    # -- generation -----------------------------------------------------------------------------

    def _request(self, messages: Sequence[Message], max_new_tokens: int, **extra: Any) -> dict:
        return {
            "model": self.name,
            "messages": [dict(m) for m in messages],
            "max_tokens": int(max_new_tokens),
            "temperature": 0.0,
            "seed": 0,
            **extra,
        }

    def generate(
        self,
        messages: Sequence[Message],
        max_new_tokens: int,
        stop: Sequence[str] | None = None,
        on_token: OnToken | None = None,
        barred: Sequence[str] = (),
    ) -> GenerationResult:
        extra: dict[str, Any] = {"stop": list(stop)} if stop else {}
        if barred:  # OpenAI's form: token id -> bias, -100 is never
            extra["logit_bias"] = {str(i): -100 for i in barred_ids(self._ids, barred)}
        body = self._request(messages, max_new_tokens, stream=True, stream_options={"include_usage": True}, **extra)
        url = f"{self.base_url}/chat/completions"
        texts: list[str] = []
        finish: str | None = None
        final: dict[str, Any] = {}
        started = time.perf_counter()
        first_at: float | None = None
        try:
            response = self._send(url, body)
        except urllib.error.HTTPError as exc:
            raise self._http_error(url, exc) from None
        with response:
            try:
                for event in _events(response, url):
                    if "usage" in event or "timings" in event:
                        final.update(event)
                    for choice in event.get("choices") or []:
                        finish = choice.get("finish_reason") or finish
                        piece = (choice.get("delta") or {}).get("content")
                        if not piece:
                            continue
                        first_at = first_at or time.perf_counter()
                        texts.append(piece)
                        if on_token is not None and on_token(piece):
                            # Closing the connection is how an OpenAI-style server learns to stop.
                            return self._client_timed(texts, messages, started, first_at, "cancelled", {})
            except TimeoutError as exc:
                raise ModelError(f"LLM server {url}: no data for {self.timeout_s:g} s (generation.timeout_s)") from exc
        if "timings" in final:
            return result_from_timings("".join(texts), finish, final)
        return self._client_timed(texts, messages, started, first_at, finish or "stop", final.get("usage") or {})

    def _client_timed(
        self, texts: list[str], messages: Sequence[Message], started: float, first_at: float | None,
        finish: str, usage: dict,
    ) -> GenerationResult:
        """Timed by the client clock, for servers that send no timings (the network is included)."""
        ended = time.perf_counter()
        first_at = first_at or ended
        return GenerationResult(
            text="".join(texts),
            prompt_tokens=int(usage.get("prompt_tokens") or self.count_chat_tokens(messages)),
            completion_tokens=int(usage.get("completion_tokens") or len(texts)),
            prefill_s=first_at - started,
            decode_s=ended - first_at,
            finish_reason=finish,
        )

    def generate_batch(
        self, batch: Sequence[Sequence[Message]], max_new_tokens: int, stop: Sequence[str] | None = None
    ) -> list[GenerationResult]:
        # Requests in flight together: vLLM and llama-server (with --parallel) batch them on the server.
        with ThreadPoolExecutor(max_workers=self.concurrency) as pool:
            return list(pool.map(lambda m: self.generate(m, max_new_tokens, stop=stop), batch))

    def yes_no_logits(self, batch: Sequence[Sequence[Message]]) -> list[float]:
        def one(messages: Sequence[Message]) -> float:
            body = self._request(messages, 1, logprobs=True, top_logprobs=_TOP_LOGPROBS)
            response = self._json(f"{self.base_url}/chat/completions", body)
            try:
                top = response["choices"][0]["logprobs"]["content"][0]["top_logprobs"]
                listing = {e["token"]: float(e["logprob"]) for e in top}
            except (KeyError, IndexError, TypeError) as exc:
                raise ModelError(
                    f"LLM server {self.base_url} returned no log-probabilities: the relevance judge needs them "
                    "(use a local backend, or answer.judge=off)"
                ) from exc
            if not listing:
                raise ModelError(f"LLM server {self.base_url} returned an empty top_logprobs list for the judge")
            return yes_minus_no(listing, YES_SPELLINGS, NO_SPELLINGS)

        with ThreadPoolExecutor(max_workers=self.concurrency) as pool:
            return list(pool.map(one, batch))


def _events(response: Any, url: str) -> Iterator[dict]:
    """The JSON objects of a server-sent-event stream, until ``[DONE]``."""
    for raw in response:
        line = raw.decode("utf-8").strip()
        if line.startswith("error:"):  # llama.cpp reports a failure inside the stream this way
            raise ModelError(f"LLM server {url}: {line[6:].strip()}")
        if not line.startswith("data:"):
            continue
        data = line[5:].strip()
        if data == "[DONE]":
            return
        event = json.loads(data)
        if "error" in event:
            err = event["error"]
            raise ModelError(f"LLM server {url}: {err.get('message', err) if isinstance(err, dict) else err}")
        yield event


def _error_message(exc: urllib.error.HTTPError) -> str:
    """The server's own words from an error body (OpenAI style {"error": {"message": ...}}), else its reason."""
    try:
        body = json.loads(exc.read() or b"{}")
    except (json.JSONDecodeError, OSError):
        return str(exc.reason)
    err = body.get("error", body) if isinstance(body, dict) else body
    if isinstance(err, dict):
        return str(err.get("message") or err.get("detail") or exc.reason)
    return str(err or exc.reason)


def _load_tokenizer(name: str, cache_dir: Any) -> Any:
    """A local HF tokenizer: a docqa model name (read from its GGUF) or a tokenizer directory."""
    from pathlib import Path

    from transformers import AutoTokenizer

    from docqa.models import assets

    path = Path(name).expanduser()
    try:
        directory = path if path.is_dir() else assets.tokenizer_dir(name, cache_dir)
        return AutoTokenizer.from_pretrained(str(directory))
    except (ModelError, OSError, ValueError) as exc:
        raise ConfigError(f"generation.tokenizer {name!r}: no tokenizer there ({exc})") from exc
