"""Generators: chat messages -> text, greedy, with exact token counts and timings.

Two in-process backends sit behind one small protocol:

* ``LlamaCppGenerator``: the GGUF file through ``xllamacpp`` (llama.cpp, CPU wheel). On this
  2-core CPU it decodes 3.5-5x faster than transformers (numbers at ``_CPU_BACKEND`` below).
* ``TransformersGenerator``: the GGUF converted once to a bf16 safetensors dir
  (``assets.converted_transformers_dir``); the path for CUDA, and real batched generation.

Both count tokens with the model's own tokenizer and chat template (read from the GGUF), so
``count_chat_tokens(messages)`` equals the ``prompt_tokens`` the backend reports.

Streaming: ``generate(..., on_token=fn)`` calls ``fn(piece)`` for each new piece of text (return
True from it to stop early); ``stream(...)`` wraps that as an iterable ``TokenStream`` whose
``.result`` holds the final ``GenerationResult`` once the iteration has finished.
"""

from __future__ import annotations

import os
import queue
import secrets
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator, Protocol, Sequence, runtime_checkable

import docqa.models  # noqa: F401  (offline env vars before transformers is imported)
from docqa.errors import ConfigError, ModelError
from docqa.models import assets
from docqa.models.assets import ProgressFn
from docqa.models.device import resolve_device, resolve_dtype
from docqa.settings import GenerationSettings

Message = dict[str, str]
OnToken = Callable[[str], "bool | None"]

# "yes"/"no" as the first token of an answer: the judge takes the max logit over the spellings
# that are one token in the model's vocabulary.
_YES = ("yes", "Yes", "YES", " yes", " Yes", " YES")
_NO = ("no", "No", "NO", " no", " No", " NO")
# End-of-generation tokens llama.cpp stops on besides eos (when the vocabulary has them).
_EOG_TEXTS = ("<|im_end|>", "<|endoftext|>", "<|eot_id|>", "<|end_of_text|>", "<end_of_turn>", "<|end|>")


@dataclass(frozen=True)
class GenerationResult:
    """One completion and its cost.

    ``prefill_s`` is the time to the first token (prompt processing); ``decode_s`` the time after
    it. ``cached_tokens`` prompt tokens were reused from llama.cpp's prompt cache and not recomputed.
    ``completion_tokens`` counts every sampled token, the end-of-generation token included.
    """

    text: str
    prompt_tokens: int
    completion_tokens: int
    prefill_s: float
    decode_s: float
    finish_reason: str = "stop"  # "stop" (end token or stop string), "length", or "cancelled"
    cached_tokens: int = 0

    @property
    def ttft_s(self) -> float:
        return self.prefill_s

    @property
    def prefill_tokens_per_s(self) -> float:
        computed = self.prompt_tokens - self.cached_tokens
        return computed / self.prefill_s if self.prefill_s > 0 else 0.0

    @property
    def tokens_per_s(self) -> float:
        """Decode speed: the first token comes from the prefill, each later one costs a decode step."""
        steps = self.completion_tokens - 1
        return steps / self.decode_s if steps > 0 and self.decode_s > 0 else 0.0


@runtime_checkable
class Generator(Protocol):
    name: str
    backend: str
    context_tokens: int

    def count_tokens(self, text: str) -> int: ...

    def count_chat_tokens(self, messages: Sequence[Message]) -> int: ...

    def generate(
        self,
        messages: Sequence[Message],
        max_new_tokens: int,
        stop: Sequence[str] | None = None,
        on_token: OnToken | None = None,
    ) -> GenerationResult: ...

    def stream(
        self, messages: Sequence[Message], max_new_tokens: int, stop: Sequence[str] | None = None
    ) -> "TokenStream": ...

    def generate_batch(
        self, batch: Sequence[Sequence[Message]], max_new_tokens: int, stop: Sequence[str] | None = None
    ) -> list[GenerationResult]: ...

    def yes_no_logit(self, messages: Sequence[Message]) -> float: ...

    def yes_no_logits(self, batch: Sequence[Sequence[Message]]) -> list[float]: ...


class TokenStream:
    """Iterate to get text pieces as they are generated; ``result`` is set when the iteration ends.

    Generation runs in a worker thread. Leaving the loop early (``break``) cancels it at the next
    token, and ``result`` then holds what was generated so far (finish_reason "cancelled").
    """

    _DONE = object()

    def __init__(self, run: Callable[[OnToken], GenerationResult]) -> None:
        self._run = run
        self.result: GenerationResult | None = None
        self._started = False

    def __iter__(self) -> Iterator[str]:
        if self._started:
            raise RuntimeError("a TokenStream can be iterated only once")
        self._started = True
        pieces: queue.Queue = queue.Queue()
        cancel = threading.Event()
        error: list[BaseException] = []

        def on_token(piece: str) -> bool:
            pieces.put(piece)
            return cancel.is_set()

        def work() -> None:
            try:
                self.result = self._run(on_token)
            except BaseException as exc:  # re-raised in the consumer's thread
                error.append(exc)
            finally:
                pieces.put(self._DONE)

        worker = threading.Thread(target=work, name="docqa-generate", daemon=True)
        worker.start()
        try:
            while (item := pieces.get()) is not self._DONE:
                yield item
        finally:
            cancel.set()
            worker.join()
        if error:
            raise error[0]

    def text(self) -> str:
        """Consume the stream and return the whole text."""
        return "".join(self)


class Streaming:
    """What every backend derives from its ``generate`` and ``yes_no_logits``."""

    def stream(
        self, messages: Sequence[Message], max_new_tokens: int, stop: Sequence[str] | None = None
    ) -> TokenStream:
        return TokenStream(lambda on_token: self.generate(messages, max_new_tokens, stop=stop, on_token=on_token))

    def yes_no_logit(self, messages: Sequence[Message]) -> float:
        return self.yes_no_logits([messages])[0]


def yes_minus_no(logprobs: dict[Any, float], yes: Sequence[Any], no: Sequence[Any]) -> float:
    """logit(yes) - logit(no) from a top-k log-probability listing (a token -> logprob dict).

    Log-probabilities share one normalizer, so their difference is the logit difference. A spelling
    outside the listing is bounded by the smallest listed logprob.
    """
    floor = min(logprobs.values())
    best_yes = max((logprobs[t] for t in yes if t in logprobs), default=floor)
    best_no = max((logprobs[t] for t in no if t in logprobs), default=floor)
    return best_yes - best_no


def result_from_timings(text: str, finish: str | None, response: dict) -> GenerationResult:
    """A GenerationResult from llama.cpp's final response (its ``timings``, else OpenAI ``usage``)."""
    t = response.get("timings") or {}
    cached = int(t.get("cache_n", 0))
    prompt = cached + int(t.get("prompt_n", 0))
    if not t and "usage" in response:
        prompt = int(response["usage"].get("prompt_tokens", 0))
    return GenerationResult(
        text=text,
        prompt_tokens=prompt,
        completion_tokens=int(t.get("predicted_n", response.get("usage", {}).get("completion_tokens", 0))),
        prefill_s=float(t.get("prompt_ms", 0.0)) / 1000.0,
        decode_s=float(t.get("predicted_ms", 0.0)) / 1000.0,
        finish_reason=finish or "stop",
        cached_tokens=cached,
    )


class _Base(Streaming):
    """Shared: the HF tokenizer (the model's own, read from the GGUF), counting, yes/no ids."""

    name: str
    backend: str
    context_tokens: int

    def __init__(self, name: str, tokenizer: Any, context_tokens: int) -> None:
        self.name = name
        self.context_tokens = context_tokens
        self.tokenizer = tokenizer
        self._lock = threading.Lock()  # one generation at a time per loaded model
        self._yes_ids = self._single_token_ids(_YES)
        self._no_ids = self._single_token_ids(_NO)
        if not self._yes_ids or not self._no_ids:
            raise ModelError(f"model {name!r}: its vocabulary has no single 'yes'/'no' token for the judge")

    def _single_token_ids(self, spellings: Sequence[str]) -> list[int]:
        ids = set()
        for s in spellings:
            enc = self.tokenizer.encode(s, add_special_tokens=False)
            if len(enc) == 1:
                ids.add(int(enc[0]))
        return sorted(ids)

    def chat_text(self, messages: Sequence[Message]) -> str:
        """The prompt exactly as the model sees it: chat template applied, generation prompt added."""
        return self.tokenizer.apply_chat_template(list(messages), tokenize=False, add_generation_prompt=True)

    def chat_ids(self, messages: Sequence[Message]) -> list[int]:
        return list(self.tokenizer.encode(self.chat_text(messages), add_special_tokens=False))

    def count_tokens(self, text: str) -> int:
        return len(self.tokenizer.encode(text, add_special_tokens=False))

    def count_chat_tokens(self, messages: Sequence[Message]) -> int:
        return len(self.chat_ids(messages))


# ---------------------------------------------------------------------------------------------
# llama.cpp


class LlamaCppGenerator(_Base):
    """llama.cpp in-process through xllamacpp's Server (OpenAI-style chat calls, the GGUF's template).

    xllamacpp's Server also listens on a random 127.0.0.1 port; it gets a random API key so that no
    other local process (or web page) can use it.
    """

    backend = "llamacpp"

    def __init__(
        self,
        settings: GenerationSettings,
        progress: ProgressFn | None = None,
    ) -> None:
        import xllamacpp
        from transformers import AutoTokenizer

        gguf = assets.resolve_gguf(settings.model, settings.cache_dir, progress)
        tok_dir = assets.tokenizer_dir(settings.model, settings.cache_dir, progress)
        tokenizer = AutoTokenizer.from_pretrained(str(tok_dir))
        super().__init__(assets.model_key(settings.model), tokenizer, settings.context_tokens)
        threads = settings.threads or _cpu_count()
        params = llamacpp_params(gguf, settings.context_tokens, threads)
        params.api_keys = [secrets.token_hex(24)]
        try:
            self._server = xllamacpp.Server(params)
        except Exception as exc:
            raise ModelError(f"llama.cpp could not load {gguf} ({exc})") from exc
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
                raise ModelError(
                    f"prompt ({err['n_prompt_tokens']} tokens) exceeds the context size ({err['n_ctx']} tokens)"
                )
            message = err.get("message", err) if isinstance(err, dict) else err
            raise ModelError(f"llama.cpp: {message}")
        return response

    def generate(
        self,
        messages: Sequence[Message],
        max_new_tokens: int,
        stop: Sequence[str] | None = None,
        on_token: OnToken | None = None,
    ) -> GenerationResult:
        extra: dict[str, Any] = {"stop": list(stop)} if stop else {}
        with self._lock:
            if on_token is None:
                response = self._check(self._server.handle_chat_completions(self._request(messages, max_new_tokens, **extra)))
                choice = response["choices"][0]
                return result_from_timings(choice["message"].get("content") or "", choice.get("finish_reason"), response)

            texts: list[str] = []
            final: dict[str, Any] = {}
            state: dict[str, Any] = {"finish": None, "cancelled": False, "error": None, "raised": None}

            def callback(chunk: Any) -> bool:
                if not isinstance(chunk, dict):
                    return False
                if "error" in chunk:
                    state["error"] = chunk
                    return True
                if "timings" in chunk:
                    final.update(chunk)
                for choice in chunk.get("choices", []):
                    if choice.get("finish_reason"):
                        state["finish"] = choice["finish_reason"]
                    piece = (choice.get("delta") or {}).get("content")
                    if piece:
                        texts.append(piece)
                        try:
                            stop_now = on_token(piece)
                        except BaseException as exc:  # xllamacpp would swallow it: stop, re-raise below
                            state["raised"] = exc
                            return True
                        if stop_now:
                            state["cancelled"] = True
                            return True
                return False

            started = time.perf_counter()
            response = self._server.handle_chat_completions(
                self._request(messages, max_new_tokens, stream=True, **extra), callback
            )
            if state["raised"] is not None:
                raise state["raised"]
            if state["error"] is not None:
                self._check(state["error"])
            if isinstance(response, dict):
                self._check(response)
            if not final:  # cancelled before the final chunk: time it ourselves
                elapsed = time.perf_counter() - started
                return GenerationResult(
                    text="".join(texts),
                    prompt_tokens=self.count_chat_tokens(messages),
                    completion_tokens=len(texts),
                    prefill_s=elapsed,
                    decode_s=0.0,
                    finish_reason="cancelled" if state["cancelled"] else (state["finish"] or "stop"),
                )
            return result_from_timings("".join(texts), state["finish"], final)

    def generate_batch(
        self, batch: Sequence[Sequence[Message]], max_new_tokens: int, stop: Sequence[str] | None = None
    ) -> list[GenerationResult]:
        # One slot: a loop. The prompt cache still reuses a shared prefix between calls.
        return [self.generate(messages, max_new_tokens, stop=stop) for messages in batch]

    # How many of the most likely next tokens llama.cpp lists. It returns log-probabilities from the
    # raw logits (before sampling), so logprob(yes) - logprob(no) == logit(yes) - logit(no) exactly.
    # A spelling outside the top _TOP_LOGPROBS is bounded by the smallest listed logprob.
    _TOP_LOGPROBS = 100

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
    params.verbosity = -1  # llama.cpp logs nothing to stderr
    params.ctx_shift = False  # never drop the start of a prompt silently: a full context ends the answer
    params.cache_ram_mib = 256  # host-RAM prompt cache (default 8 GiB); ~12 KB per token for 0.5B
    params.n_threads_http = 1
    params.sampling.temp = 0.0
    params.sampling.top_k = 1
    params.sampling.seed = 0
    return params


def _cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


# ---------------------------------------------------------------------------------------------
# transformers


class TransformersGenerator(_Base):
    """transformers on the converted safetensors dir: bf16 on CUDA and BF16-capable CPUs, else fp32.

    Generation is a plain greedy loop over the KV cache (no sampling, no ``generate()``): it gives
    streaming, stop strings, cancellation and honest timings in one place, and batches with left
    padding and explicit ``position_ids`` so padded rows get the same positions as unpadded ones.
    """

    backend = "transformers"
    batch_size = 8  # sequences per forward pass in generate_batch / yes_no_logits

    def __init__(
        self,
        settings: GenerationSettings,
        device: str = "auto",
        progress: ProgressFn | None = None,
        dtype: str = "auto",
    ) -> None:
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
        directory = assets.converted_transformers_dir(settings.model, settings.cache_dir, progress)
        tokenizer = AutoTokenizer.from_pretrained(str(directory))
        super().__init__(assets.model_key(settings.model), tokenizer, settings.context_tokens)
        self.device = resolve_device(device)
        self.dtype = resolve_dtype(dtype, self.device)
        try:
            model = AutoModelForCausalLM.from_pretrained(str(directory), dtype=self.dtype)
        except Exception as exc:
            raise ModelError(f"{directory}: transformers cannot load it ({exc}); delete the directory to re-convert") from exc
        self.model = model.to(self.device).eval()
        self.model_dir = directory
        self._torch = torch
        cfg_eos = self.model.generation_config.eos_token_id
        eos = set(cfg_eos if isinstance(cfg_eos, list) else [cfg_eos] if cfg_eos is not None else [])
        if tokenizer.eos_token_id is not None:
            eos.add(tokenizer.eos_token_id)
        vocab = tokenizer.get_vocab()
        eos.update(vocab[t] for t in _EOG_TEXTS if t in vocab)
        self._eos = {int(i) for i in eos}
        pad = tokenizer.pad_token_id
        self._pad = int(pad if pad is not None else min(self._eos))

    # -- the greedy loop ------------------------------------------------------------------------

    def _check_length(self, n_prompt: int) -> None:
        if n_prompt > self.context_tokens:
            raise ModelError(
                f"prompt ({n_prompt} tokens) exceeds the context size ({self.context_tokens} tokens)"
            )

    def _padded(self, rows: list[list[int]]):
        """Left-padded ids, attention mask and explicit position ids (real tokens start at position 0)."""
        torch = self._torch
        width = max(len(r) for r in rows)
        ids = torch.full((len(rows), width), self._pad, dtype=torch.long)
        mask = torch.zeros((len(rows), width), dtype=torch.long)
        for i, r in enumerate(rows):
            ids[i, width - len(r):] = torch.tensor(r, dtype=torch.long)
            mask[i, width - len(r):] = 1
        positions = (mask.cumsum(-1) - 1).clamp(min=0)
        return ids.to(self.device), mask.to(self.device), positions.to(self.device)

    def _prefill(self, rows: list[list[int]]):
        ids, mask, positions = self._padded(rows)
        out = self.model(
            input_ids=ids, attention_mask=mask, position_ids=positions, use_cache=True, logits_to_keep=1
        )
        return out.logits[:, -1, :].float(), out.past_key_values, mask, positions[:, -1:]

    def _greedy(
        self,
        rows: list[list[int]],
        max_new_tokens: int,
        stop: Sequence[str] | None,
        on_token: OnToken | None,
    ) -> list[GenerationResult]:
        torch = self._torch
        n = len(rows)
        for r in rows:
            self._check_length(len(r))
        # Like llama.cpp: prompt and answer share the context window; a full window ends the answer.
        max_new_tokens = min(max_new_tokens, self.context_tokens - max(len(r) for r in rows))
        generated: list[list[int]] = [[] for _ in range(n)]
        texts = [""] * n
        emitted = 0  # characters already passed to on_token (single-row streaming only)
        finish: list[str | None] = [None] * n
        stops = [s for s in (stop or []) if s]
        # Decoding the text at every step is only needed to stream it or to look for stop strings.
        follow_text = bool(stops) or (on_token is not None and n == 1)
        with self._lock, torch.inference_mode():
            started = time.perf_counter()
            logits, cache, mask, last_pos = self._prefill(rows)
            first_at = None
            for step in range(max_new_tokens):
                next_ids = logits.argmax(-1)
                if first_at is None:
                    if self.device == "cuda":
                        torch.cuda.synchronize()
                    first_at = time.perf_counter()
                for i, tok in enumerate(next_ids.tolist()):
                    if finish[i] is not None:
                        continue
                    generated[i].append(tok)
                    if tok in self._eos:
                        finish[i] = "stop"
                        continue
                    if not follow_text:
                        continue
                    text = self.tokenizer.decode(generated[i], skip_special_tokens=True)
                    cut = _find_stop(text, stops)
                    if cut is not None:
                        text, finish[i] = text[:cut], "stop"
                    texts[i] = text
                    if on_token is not None and n == 1:
                        # Hold back an incomplete UTF-8 character and a possible start of a stop string.
                        safe = len(text) if finish[i] else _safe_len(text, stops)
                        if safe > emitted:
                            if on_token(text[emitted:safe]):
                                finish[i] = "cancelled"
                            emitted = safe
                if all(f is not None for f in finish) or step == max_new_tokens - 1:
                    break
                # Finished rows keep being fed (their output is ignored): batches stay rectangular.
                mask = torch.cat([mask, mask.new_ones((n, 1))], dim=-1)
                last_pos = last_pos + 1
                out = self.model(
                    input_ids=next_ids[:, None],
                    attention_mask=mask,
                    position_ids=last_pos,
                    past_key_values=cache,
                    use_cache=True,
                )
                cache = out.past_key_values
                logits = out.logits[:, -1, :].float()
            if self.device == "cuda":
                torch.cuda.synchronize()
            ended = time.perf_counter()
        first_at = first_at or ended
        if not follow_text:
            texts = [
                self.tokenizer.decode([t for t in g if t not in self._eos], skip_special_tokens=True)
                for g in generated
            ]
        if on_token is not None and n == 1 and len(texts[0]) > emitted and finish[0] != "cancelled":
            on_token(texts[0][emitted:])
        return [
            GenerationResult(
                text=texts[i],
                prompt_tokens=len(rows[i]),
                completion_tokens=len(generated[i]),
                prefill_s=first_at - started,
                decode_s=ended - first_at,
                finish_reason=finish[i] or "length",
            )
            for i in range(n)
        ]

    # -- the protocol ---------------------------------------------------------------------------

    def generate(
        self,
        messages: Sequence[Message],
        max_new_tokens: int,
        stop: Sequence[str] | None = None,
        on_token: OnToken | None = None,
    ) -> GenerationResult:
        return self._greedy([self.chat_ids(messages)], max_new_tokens, stop, on_token)[0]

    def generate_batch(
        self, batch: Sequence[Sequence[Message]], max_new_tokens: int, stop: Sequence[str] | None = None
    ) -> list[GenerationResult]:
        rows = [self.chat_ids(m) for m in batch]
        results: list[GenerationResult | None] = [None] * len(rows)
        # Similar lengths together: less padding. Results go back in the caller's order.
        order = sorted(range(len(rows)), key=lambda i: len(rows[i]))
        for start in range(0, len(order), self.batch_size):
            chunk = order[start:start + self.batch_size]
            for i, result in zip(chunk, self._greedy([rows[i] for i in chunk], max_new_tokens, stop, None)):
                results[i] = result
        return [r for r in results if r is not None]

    def yes_no_logits(self, batch: Sequence[Sequence[Message]]) -> list[float]:
        torch = self._torch
        rows = [self.chat_ids(m) for m in batch]
        for r in rows:
            self._check_length(len(r))
        scores = [0.0] * len(rows)
        order = sorted(range(len(rows)), key=lambda i: len(rows[i]))
        yes = torch.tensor(self._yes_ids, device=self.device)
        no = torch.tensor(self._no_ids, device=self.device)
        # bf16 logits come in steps of 1/8 around |logit| ~ 20, which ties many judge scores: take the
        # final hidden state and compute just the yes/no logits in fp32 instead.
        head = self.model.get_output_embeddings()
        exact = head is not None and getattr(head, "bias", None) is None
        with self._lock, torch.inference_mode():
            for start in range(0, len(order), self.batch_size):
                chunk = order[start:start + self.batch_size]
                if exact:
                    hidden = self._last_hidden([rows[i] for i in chunk]).float()
                    logits_yes = hidden @ head.weight[yes].float().T
                    logits_no = hidden @ head.weight[no].float().T
                else:
                    logits, _, _, _ = self._prefill([rows[i] for i in chunk])
                    logits_yes, logits_no = logits[:, yes], logits[:, no]
                diff = logits_yes.max(-1).values - logits_no.max(-1).values
                for i, d in zip(chunk, diff.tolist()):
                    scores[i] = float(d)
        return scores

    def _last_hidden(self, rows: list[list[int]]):
        """The final (normed) hidden state at each row's last token: the base model without its head."""
        ids, mask, positions = self._padded(rows)
        out = self.model.base_model(input_ids=ids, attention_mask=mask, position_ids=positions, use_cache=False)
        return out.last_hidden_state[:, -1, :]


def _find_stop(text: str, stops: Sequence[str]) -> int | None:
    hits = [i for i in (text.find(s) for s in stops) if i >= 0]
    return min(hits) if hits else None


def _safe_len(text: str, stops: Sequence[str]) -> int:
    """Length of the prefix that can be shown: no partial UTF-8 char, no possible start of a stop string."""
    end = len(text)
    while end and text[end - 1] == "\ufffd":
        end -= 1
    for s in stops:
        for k in range(min(len(s) - 1, end), 0, -1):
            if text[:end].endswith(s[:k]):
                end -= k
                break
    return end


# ---------------------------------------------------------------------------------------------
# Factory

# CPU backend, chosen by measurement (bench/generate.py, qwen2.5-coder-0.5b, the 2-core AMD EPYC with
# AVX512-BF16; the machine was shared with other jobs, load 3-6, so absolute numbers are low):
#                                  llama.cpp   transformers bf16
#   decode tok/s, OMP passive         18.0          4.9
#   decode tok/s, OMP default          6.2          1.1
#   decode tok/s, 1 thread each     17-19        3.7-4.6
#   prefill tok/s (1000 tok), passive  45          131      (1 thread: 55 vs 128)
#   load s (first / again)          5.3 / 3.3    3.9 / 1.8
# shared/MODELS.md, on the idle machine: llama.cpp 284 prefill / 54 decode, transformers 17 decode.
# llama.cpp decodes 3.5-5x faster everywhere; transformers prefills ~2.5x faster (oneDNN bf16 kernels,
# while this xllamacpp wheel is built for AVX2 only). Answers are 100-256 tokens, so decode dominates:
# llama.cpp on CPU. (The yes/no judge is prefill-only: batched transformers does 0.55 pairs/s vs 0.22.)
_CPU_BACKEND = "llamacpp"

_instances: dict[tuple, Generator] = {}
_instances_lock = threading.Lock()


def choose_backend(requested: str, device: str, base_url: str | None = None) -> str:
    if requested != "auto":
        return requested
    if base_url:
        return "openai"
    return "transformers" if device == "cuda" else _CPU_BACKEND


def make_generator(
    settings: GenerationSettings,
    device: str = "auto",
    progress: ProgressFn | None = None,
) -> Generator:
    """The generator for these settings, loaded once per process and then shared.

    backend "auto": the OpenAI-compatible server when ``base_url`` is set; else transformers on CUDA
    and on CPU the backend measured fastest (``_CPU_BACKEND``). llama.cpp runs on the CPU whatever
    ``device`` says (the PyPI wheel has no GPU support).
    """
    resolved = resolve_device(device)
    backend = choose_backend(settings.backend, resolved, settings.base_url)
    if backend == "openai":
        from docqa.models.http_generator import HttpGenerator

        # Not cached: the server holds the model, so a client is cheap, and settings may differ per call.
        return HttpGenerator(settings)
    if backend not in ("llamacpp", "transformers"):
        raise ConfigError(f"unknown generation backend {backend!r}")
    cache = str(assets.cache_dir(settings.cache_dir))
    key = (settings.model, backend, resolved if backend == "transformers" else "cpu",
           settings.context_tokens, settings.threads, cache)
    with _instances_lock:
        gen = _instances.get(key)
        if gen is None:
            if backend == "llamacpp":
                gen = LlamaCppGenerator(settings, progress=progress)
            else:
                gen = TransformersGenerator(settings, device=resolved, progress=progress)
            _instances[key] = gen
    return gen


def clear_generators() -> None:
    """Forget the loaded models (tests; or to free memory)."""
    with _instances_lock:
        _instances.clear()
