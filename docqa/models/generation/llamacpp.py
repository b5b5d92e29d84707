"""llama.cpp in-process through ``xllamacpp`` (the CPU wheel): the GGUF file and its own chat template.

On a small CPU it decodes 3.5-5x faster than transformers (the numbers are in ``factory``), so it is
the CPU default. Token counts come from the loaded llama.cpp server itself (its chat template and
tokenizer), so ``count_chat_tokens(messages)`` equals the ``prompt_tokens`` llama.cpp reports.
A template's KV cache is kept on disk (``PrefixStore``), so a new process does not prefill it again.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
import time
from pathlib import Path
from typing import Any, Sequence

from docqa.errors import ModelError
from docqa.models import assets
from docqa.models.assets import ProgressFn
from docqa.models.device import cpu_count
from docqa.models.generation.base import (
    GenerationResult,
    LocalGenerator,
    Message,
    OnToken,
    context_exceeded,
    result_from_timings,
    yes_minus_no,
)
from docqa.settings import GenerationSettings


class LlamaCppGenerator(LocalGenerator):
    """llama.cpp in-process through xllamacpp's Server (OpenAI-style chat calls, the GGUF's template).

    xllamacpp's Server also listens on a random 127.0.0.1 port; it gets a random API key so that no
    other local process (or web page) can use it.
    """

    backend = "llamacpp"

    # How many of the most likely next tokens llama.cpp lists. It returns log-probabilities from the
    # raw logits (before sampling), so logprob(yes) - logprob(no) == logit(yes) - logit(no) exactly.
    # A spelling outside the top _TOP_LOGPROBS is bounded by the smallest listed logprob.
    _TOP_LOGPROBS = 100

    def __init__(
        self,
        settings: GenerationSettings,
        progress: ProgressFn | None = None,
    ) -> None:
        import xllamacpp

        gguf = assets.resolve_gguf(settings.model, settings.cache_dir, progress)
        threads = settings.threads or cpu_count()
        params = llamacpp_params(gguf, settings.context_tokens, threads)
        self._api_key = secrets.token_hex(24)
        params.api_keys = [self._api_key]
        self._prefixes = PrefixStore(assets.models_dir(settings.cache_dir) / "prompt-prefix", gguf, settings.context_tokens)
        params.slot_save_path = f"{self._prefixes.directory}/"  # llama.cpp joins it to a file name as is
        params.endpoint_slots = True
        try:
            self._server = xllamacpp.Server(params)
        except Exception as exc:
            raise ModelError(f"llama.cpp could not load {gguf} ({exc})") from exc
        super().__init__(assets.model_key(settings.model), _ServerTokenizer(self._post), settings.context_tokens)
        self.gguf_path = gguf
        self.threads = threads

    def _request(self, messages: Sequence[Message], max_new_tokens: int, **extra: Any) -> dict:
        return {
            "messages": [dict(m) for m in messages],
            "max_tokens": int(max_new_tokens),
            "temperature": 0.0,
            "top_k": 1,
            "seed": 0,
            **extra,
        }

    @staticmethod
    def _check(response: Any) -> dict:
        if not isinstance(response, dict):
            raise ModelError(f"llama.cpp returned {type(response).__name__}, not a response")
        if "error" in response:
            err = response["error"]
            if isinstance(err, dict) and "n_prompt_tokens" in err and "n_ctx" in err:
                raise context_exceeded(err["n_prompt_tokens"], err["n_ctx"])
            message = err.get("message", err) if isinstance(err, dict) else err
            raise ModelError(f"llama.cpp: {message}")
        return response

    def generate(
        self,
        messages: Sequence[Message],
        max_new_tokens: int,
        stop: Sequence[str] | None = None,
        on_token: OnToken | None = None,
        barred: Sequence[str] = (),
    ) -> GenerationResult:
        extra: dict[str, Any] = {"stop": list(stop)} if stop else {}
        if barred:
            extra["logit_bias"] = [[i, False] for i in self.barred_ids(barred)]  # false: never this token
        with self._lock:
            self._prefixes.first_use(messages, self._slot, self._prefill_template)
            if on_token is None:
                response = self._check(self._server.handle_chat_completions(self._request(messages, max_new_tokens, **extra)))
                choice = response["choices"][0]
                return result_from_timings(choice["message"].get("content") or "", choice.get("finish_reason"), response)
            return self._streamed(messages, max_new_tokens, extra, on_token)

    def _prefill_template(self, messages: Sequence[Message]) -> None:
        """Read the template alone (the prompt up to the last message's text), as a process that
        restores it will hold it: the rest of every prompt is then read on the same footing."""
        full = self.tokenizer.apply_chat_template(messages)
        empty = self.tokenizer.apply_chat_template([*messages[:-1], {**messages[-1], "content": ""}])
        template = os.path.commonprefix([full, empty])
        self._check(self._server.handle_completions({"prompt": template, "n_predict": 0, "cache_prompt": True}))

    def _post(self, path: str, body: dict) -> dict:
        """One call to an endpoint of the loaded llama.cpp server, under its API key."""
        import urllib.error
        import urllib.request

        request = urllib.request.Request(
            f"{self._server.listening_address}{path}",
            data=json.dumps(body).encode(),
            headers={"Authorization": f"Bearer {self._api_key}", "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return json.loads(response.read())
        except (urllib.error.URLError, OSError, ValueError) as exc:
            raise ModelError(f"llama.cpp {path}: {exc}") from exc

    def _slot(self, action: str, filename: str) -> bool:
        """Save or restore slot 0's KV cache (llama.cpp's /slots endpoint); False when it failed."""
        try:
            self._post(f"/slots/0?action={action}", {"filename": filename})
        except ModelError:
            return False
        return True

    def _streamed(
        self, messages: Sequence[Message], max_new_tokens: int, extra: dict[str, Any], on_token: OnToken
    ) -> GenerationResult:
        """One streamed completion (the caller holds the lock); errors surface once llama.cpp has stopped."""
        chunks = _Chunks(on_token)
        started = time.perf_counter()
        response = self._server.handle_chat_completions(
            self._request(messages, max_new_tokens, stream=True, **extra), chunks.take
        )
        if chunks.raised is not None:
            raise chunks.raised
        if chunks.error is not None:
            self._check(chunks.error)
        if isinstance(response, dict):
            self._check(response)
        if not chunks.final:  # cancelled before the final chunk: time it ourselves
            elapsed = time.perf_counter() - started
            return GenerationResult(
                text="".join(chunks.texts),
                prompt_tokens=self.count_chat_tokens(messages),
                completion_tokens=len(chunks.texts),
                prefill_s=elapsed,
                decode_s=0.0,
                finish_reason="cancelled" if chunks.cancelled else (chunks.finish or "stop"),
            )
        return result_from_timings("".join(chunks.texts), chunks.finish, chunks.final)

    def generate_batch(
        self, batch: Sequence[Sequence[Message]], max_new_tokens: int, stop: Sequence[str] | None = None
    ) -> list[GenerationResult]:
        # One slot: a loop. The prompt cache still reuses a shared prefix between calls.
        return [self.generate(messages, max_new_tokens, stop=stop) for messages in batch]

    def yes_no_logits(self, batch: Sequence[Sequence[Message]]) -> list[float]:
        scores = []
        for messages in batch:
            request = self._request(messages, 1, logprobs=True, top_logprobs=self._TOP_LOGPROBS)
            with self._lock:
                response = self._check(self._server.handle_chat_completions(request))
            try:
                top = response["choices"][0]["logprobs"]["content"][0]["top_logprobs"]
            except (KeyError, IndexError, TypeError) as exc:
                raise ModelError("llama.cpp returned no log-probabilities for the yes/no judge") from exc
            by_id = {int(e["id"]): float(e["logprob"]) for e in top}
            scores.append(yes_minus_no(by_id, self._yes_ids, self._no_ids))
        return scores


class _Chunks:
    """What a streamed completion has sent so far; ``take`` is xllamacpp's callback (True: stop)."""

    def __init__(self, on_token: OnToken) -> None:
        self.on_token = on_token
        self.texts: list[str] = []
        self.final: dict[str, Any] = {}
        self.finish: str | None = None
        self.cancelled = False
        self.error: dict | None = None
        self.raised: BaseException | None = None

    def take(self, chunk: Any) -> bool:
        if not isinstance(chunk, dict):
            return False
        if "error" in chunk:
            self.error = chunk
            return True
        if "timings" in chunk:
            self.final.update(chunk)
        for choice in chunk.get("choices", []):
            if choice.get("finish_reason"):
                self.finish = choice["finish_reason"]
            piece = (choice.get("delta") or {}).get("content")
            if piece and self._pass_on(piece):
                return True
        return False

    def _pass_on(self, piece: str) -> bool:
        """Hand a piece to on_token; True when generation must stop (cancelled, or on_token raised)."""
        self.texts.append(piece)
        try:
            stop_now = self.on_token(piece)
        except BaseException as exc:  # xllamacpp would swallow it: stop, re-raise in _streamed
            self.raised = exc
            return True
        if stop_now:
            self.cancelled = True
            return True
        return False


class _ServerTokenizer:
    """The tokenizer calls LocalGenerator makes, answered by the loaded llama.cpp server itself
    (/apply-template and /tokenize): the counts are the ones llama.cpp will see, and no tokenizer is
    loaded in Python (reading Qwen's tokenizer.json alone is half a second of a cold ask). A call
    takes about a millisecond (a few for a whole prompt); an ask makes about five."""

    def __init__(self, post) -> None:
        self._post = post

    def encode(self, text: str, add_special_tokens: bool = False) -> list[int]:
        # Special tokens written in the text are parsed as llama.cpp parses a chat prompt.
        body = {"content": text, "add_special": add_special_tokens, "parse_special": True}
        return [int(t) for t in self._post("/tokenize", body)["tokens"]]

    def apply_chat_template(self, messages: Sequence[Message], tokenize: bool = False,
                            add_generation_prompt: bool = True) -> str:
        if tokenize or not add_generation_prompt:
            raise ValueError("llama.cpp renders the prompt as it will read it: text, with the generation prompt")
        return self._post("/apply-template", {"messages": [dict(m) for m in messages]})["prompt"]


class PrefixStore:
    """The prompt template's KV cache kept on disk, so that a new process skips its prefill.

    Every request of one kind repeats its template (the system prompt and the worked examples:
    every message but the last). A warm process reuses it from llama.cpp's prompt cache; a cold
    `docqa ask` would prefill it again (about 430 tokens, over a second on 2 cores). The first
    time a template is used, it is read alone and the slot holding it is saved (a few MB); a later
    process restores it before its first request of that kind, and llama.cpp reuses it. The file
    name hashes the model file, the llama.cpp build, the context size and the template, so a
    change to any of them is a new file. It is a cache: a failed save or restore costs only time.
    """

    KEEP = 12  # files of 5-15 MB each (a ~400-token template, 0.5B-1.5B)

    def __init__(self, directory: Path, gguf: Path, context_tokens: int) -> None:
        import xllamacpp

        self.directory = directory
        self.directory.mkdir(parents=True, exist_ok=True)
        stat = gguf.stat()
        version = getattr(xllamacpp, "__version__", "")
        # "template": the slot holds the template alone (an earlier scheme saved a whole request).
        self._model = f"template:{gguf.name}:{stat.st_size}:{int(stat.st_mtime)}:{version}:{context_tokens}"
        self._seen: set[str] = set()

    def key(self, messages: Sequence[Message]) -> str | None:
        if len(messages) < 2:
            return None  # no template: nothing repeats
        template = json.dumps([dict(m) for m in messages[:-1]], sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(f"{self._model}\n{template}".encode()).hexdigest()[:24]

    def first_use(self, messages: Sequence[Message], slot, prefill) -> None:
        """Before this process's first request with a template: restore the template's saved cache,
        or read the template alone (`prefill`) and save it. Either way the slot then holds exactly
        the template, so a new process answers as one that saved it (the same batches are read:
        greedy decoding gives the same text)."""
        key = self.key(messages)
        if key is None or key in self._seen:
            return
        self._seen.add(key)
        saved = self.directory / f"{key}.bin"
        if saved.is_file() and slot("restore", saved.name):
            with contextlib.suppress(OSError):
                os.utime(saved)  # recently used: kept when the oldest are dropped
            return
        saved.unlink(missing_ok=True)  # absent, or unreadable
        prefill(messages)
        self._save(key, slot)

    def _save(self, key: str, slot) -> None:
        """Another process restoring meanwhile sees a whole file or none."""
        partial = f"{key}.{os.getpid()}.part"
        if slot("save", partial):
            os.replace(self.directory / partial, self.directory / f"{key}.bin")
        else:
            (self.directory / partial).unlink(missing_ok=True)
        # Templates change with docqa's prompts and models: the least recently used files go.
        kept = sorted(self.directory.glob("*.bin"), key=_mtime, reverse=True)
        for old in kept[self.KEEP :]:
            old.unlink(missing_ok=True)


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:  # another process dropped it meanwhile
        return 0.0


def llamacpp_params(gguf: Path, context_tokens: int, threads: int) -> Any:
    """xllamacpp server parameters as docqa runs llama.cpp: greedy, CPU, quiet, one slot."""
    import xllamacpp

    params = xllamacpp.CommonParams()
    params.model.path = str(gguf)
    params.n_ctx = context_tokens
    params.n_parallel = 1
    params.cpuparams.n_threads = threads
    params.cpuparams_batch.n_threads = threads
    params.n_gpu_layers = 0  # the PyPI wheel is CPU-only
    # No device memory to fit layers and context into, and no first decode to warm: each cost a
    # cold `docqa ask` about 0.6 s and 0.1 s of loading (bench/ask_latency.py --cold).
    params.fit_params = False
    params.warmup = False
    params.verbosity = -1  # llama.cpp logs nothing to stderr
    params.ctx_shift = False  # never drop the start of a prompt silently: a full context ends the answer
    params.cache_ram_mib = 256  # host-RAM prompt cache (default 8 GiB); ~12 KB per token for 0.5B
    params.n_threads_http = 1
    params.sampling.temp = 0.0
    params.sampling.top_k = 1
    params.sampling.seed = 0
    return params
