"""transformers on the GGUF converted once to a bf16 safetensors dir (``assets.converted_transformers_dir``).

The backend for CUDA, and for real batched generation. Named ``hf`` so that it never stands in
for the ``transformers`` package itself.

Generation is a plain greedy loop over the KV cache (no sampling, no ``generate()``), cut into
its parts: the batched forward steps (``_prefill``, ``_step``), stop strings (``_find_stop``),
holding back what may not be shown yet (``_safe_len``: a partial UTF-8 character, a possible start
of a stop string), and streaming with cancellation (``_Rows._emit``).
"""

from __future__ import annotations

import inspect
import time
from pathlib import Path
from typing import Any, Sequence

from docqa.errors import ModelError
from docqa.models import assets
from docqa.models.assets import ProgressFn
from docqa.models.device import resolve_device, resolve_dtype
from docqa.models.generation.base import (
    GenerationResult,
    LocalGenerator,
    Message,
    OnToken,
    context_exceeded,
)
from docqa.settings import GenerationSettings

# End-of-generation tokens llama.cpp stops on besides eos (when the vocabulary has them): this
# backend stops on the same ones.
_EOG_TEXTS = ("<|im_end|>", "<|endoftext|>", "<|eot_id|>", "<|end_of_text|>", "<end_of_turn>", "<|end|>")


class TransformersGenerator(LocalGenerator):
    """transformers on the converted safetensors dir: bf16 on CUDA and BF16-capable CPUs, else fp32.

    The greedy loop gives streaming, stop strings, cancellation and honest timings in one place,
    and batches with left padding and explicit ``position_ids`` so padded rows get the same
    positions as unpadded ones.
    """

    backend = "transformers"
    batch_size = 8  # sequences per forward pass in generate_batch / yes_no_logits

    def __init__(
        self,
        settings: GenerationSettings,
        device: str = "auto",
        progress: ProgressFn | None = None,
        dtype: str = "auto",
        directory: Path | None = None,
    ) -> None:
        """`directory`: a Hugging Face model dir to load instead of the one converted from
        ``settings.model``'s GGUF (bench/cuda_stages.py, on a machine without the GGUF)."""
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
        directory = directory or assets.converted_transformers_dir(settings.model, settings.cache_dir, progress)
        tokenizer = AutoTokenizer.from_pretrained(str(directory))
        super().__init__(assets.model_key(settings.model), tokenizer, settings.context_tokens)
        self.device = resolve_device(device)
        self.dtype = resolve_dtype(dtype, self.device)
        try:
            model = AutoModelForCausalLM.from_pretrained(str(directory), dtype=self.dtype)
        except Exception as exc:
            raise ModelError(f"{directory}: transformers cannot load it ({exc}); delete the directory to re-convert") from exc
        self.model = model.to(self.device).eval()
        # transformers renamed the argument past_key_values to cache (the old name goes in 5.40; the
        # lent GPU's 5.17 knows only the old one): pass whichever this version reads.
        self._cache_arg = "cache" if "cache" in inspect.signature(self.model.forward).parameters else "past_key_values"
        self.model_dir = directory
        self._torch = torch
        self._eos = _eos_ids(self.model, tokenizer)
        pad = tokenizer.pad_token_id
        self._pad = int(pad if pad is not None else min(self._eos))

    # -- batched forward steps ------------------------------------------------------------------

    def _check_length(self, n_prompt: int) -> None:
        if n_prompt > self.context_tokens:
            raise context_exceeded(n_prompt, self.context_tokens)

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
        return out.logits[:, -1, :].float(), _cache(out), mask, positions[:, -1:]

    def _step(self, next_ids, cache, mask, last_pos):
        """One decode step for every row. Finished rows keep being fed (their output is ignored):
        batches stay rectangular."""
        mask = self._torch.cat([mask, mask.new_ones((mask.shape[0], 1))], dim=-1)
        last_pos = last_pos + 1
        out = self.model(
            input_ids=next_ids[:, None],
            attention_mask=mask,
            position_ids=last_pos,
            use_cache=True,
            **{self._cache_arg: cache},
        )
        return out.logits[:, -1, :].float(), _cache(out), mask, last_pos

    def _clock(self) -> float:
        """Now, once the GPU has finished what it was given (CUDA runs asynchronously)."""
        if self.device == "cuda":
            self._torch.cuda.synchronize()
        return time.perf_counter()

    # -- the greedy loop ------------------------------------------------------------------------

    def _greedy(
        self,
        rows: list[list[int]],
        max_new_tokens: int,
        stop: Sequence[str] | None,
        on_token: OnToken | None,
        barred_ids: Sequence[int] = (),
    ) -> list[GenerationResult]:
        for r in rows:
            self._check_length(len(r))
        # Like llama.cpp: prompt and answer share the context window; a full window ends the answer.
        max_new_tokens = min(max_new_tokens, self.context_tokens - max(len(r) for r in rows))
        # Streaming is for a single row only (generate); generate_batch passes no on_token.
        state = _Rows(len(rows), [s for s in (stop or []) if s], on_token if len(rows) == 1 else None, self)
        with self._lock, self._torch.inference_mode():
            started, first_at, ended = self._decode(rows, max_new_tokens, state, barred_ids)
        state.finish_texts()
        return [
            GenerationResult(
                text=state.texts[i],
                prompt_tokens=len(rows[i]),
                completion_tokens=len(state.generated[i]),
                prefill_s=first_at - started,
                decode_s=ended - first_at,
                finish_reason=state.finish[i] or "length",
            )
            for i in range(len(rows))
        ]

    def _decode(self, rows: list[list[int]], max_new_tokens: int, state: _Rows,
                barred_ids: Sequence[int] = ()) -> tuple[float, float, float]:
        """Prefill, then one greedy token per row per step until every row ended or the budget is spent
        (never a barred token).

        Returns the start, first-token and end times.
        """
        started = time.perf_counter()
        logits, cache, mask, last_pos = self._prefill(rows)
        first_at = None
        for step in range(max_new_tokens):
            if barred_ids:
                logits[:, list(barred_ids)] = float("-inf")
            next_ids = logits.argmax(-1)
            if first_at is None:
                first_at = self._clock()
            for i, tok in enumerate(next_ids.tolist()):
                state.take(i, tok)
            if state.all_finished() or step == max_new_tokens - 1:
                break
            logits, cache, mask, last_pos = self._step(next_ids, cache, mask, last_pos)
        ended = self._clock()
        return started, first_at or ended, ended

    # -- the protocol ---------------------------------------------------------------------------

    def generate(
        self,
        messages: Sequence[Message],
        max_new_tokens: int,
        stop: Sequence[str] | None = None,
        on_token: OnToken | None = None,
        barred: Sequence[str] = (),
    ) -> GenerationResult:
        return self._greedy([self.chat_ids(messages)], max_new_tokens, stop, on_token, self.barred_ids(barred))[0]

    def generate_batch(
        self, batch: Sequence[Sequence[Message]], max_new_tokens: int, stop: Sequence[str] | None = None
    ) -> list[GenerationResult]:
        rows = [self.chat_ids(m) for m in batch]
        results: list[GenerationResult | None] = [None] * len(rows)
        for chunk in self._by_length(rows):
            for i, result in zip(chunk, self._greedy([rows[i] for i in chunk], max_new_tokens, stop, None)):
                results[i] = result
        return [r for r in results if r is not None]

    def _by_length(self, rows: list[list[int]]) -> list[list[int]]:
        """Row indices in batches of ``batch_size``, similar lengths together: less padding.
        Callers put the results back in their own order."""
        order = sorted(range(len(rows)), key=lambda i: len(rows[i]))
        return [order[start:start + self.batch_size] for start in range(0, len(order), self.batch_size)]

    def yes_no_logits(self, batch: Sequence[Sequence[Message]]) -> list[float]:
        torch = self._torch
        rows = [self.chat_ids(m) for m in batch]
        for r in rows:
            self._check_length(len(r))
        scores = [0.0] * len(rows)
        yes = torch.tensor(self._yes_ids, device=self.device)
        no = torch.tensor(self._no_ids, device=self.device)
        # bf16 logits come in steps of 1/8 around |logit| ~ 20, which ties many judge scores: take the
        # final hidden state and compute just the yes/no logits in fp32 instead.
        head = self.model.get_output_embeddings()
        exact = head is not None and getattr(head, "bias", None) is None
        with self._lock, torch.inference_mode():
            for chunk in self._by_length(rows):
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


class _Rows:
    """One greedy run's output per row: its tokens, its text so far, and why it ended (None: going on).

    The text is decoded at every step only when someone needs it: to stream it (one row with an
    ``on_token``) or to look for stop strings.
    """

    def __init__(self, n: int, stops: list[str], on_token: OnToken | None, gen: TransformersGenerator) -> None:
        self.generated: list[list[int]] = [[] for _ in range(n)]
        self.texts = [""] * n
        self.finish: list[str | None] = [None] * n
        self.stops = stops
        self.on_token = on_token
        self.emitted = 0  # characters already passed to on_token (single-row streaming only)
        self.follow_text = bool(stops) or on_token is not None
        self._tokenizer = gen.tokenizer
        self._eos = gen._eos

    def all_finished(self) -> bool:
        return all(f is not None for f in self.finish)

    def take(self, i: int, tok: int) -> None:
        """Row i's next token: an end token finishes the row; else the text is followed if needed."""
        if self.finish[i] is not None:
            return
        self.generated[i].append(tok)
        if tok in self._eos:
            self.finish[i] = "stop"
            return
        if self.follow_text:
            self._follow(i)

    def _follow(self, i: int) -> None:
        """Decode row i so far, end it at a stop string, and stream what can be shown."""
        text = self._tokenizer.decode(self.generated[i], skip_special_tokens=True)
        cut = _find_stop(text, self.stops)
        if cut is not None:
            text, self.finish[i] = text[:cut], "stop"
        self.texts[i] = text
        if self.on_token is not None:
            self._emit(text, complete=self.finish[i] is not None)

    def _emit(self, text: str, complete: bool) -> None:
        """Pass the newly showable text to on_token; its True cancels the row."""
        # Hold back an incomplete UTF-8 character and a possible start of a stop string.
        safe = len(text) if complete else _safe_len(text, self.stops)
        if safe > self.emitted:
            if self.on_token(text[self.emitted:safe]):
                self.finish[0] = "cancelled"
            self.emitted = safe

    def finish_texts(self) -> None:
        """After the loop (outside the model lock): decode unfollowed rows, stream the held-back tail."""
        if not self.follow_text:
            self.texts = [
                self._tokenizer.decode([t for t in g if t not in self._eos], skip_special_tokens=True)
                for g in self.generated
            ]
        if self.on_token is not None and len(self.texts[0]) > self.emitted and self.finish[0] != "cancelled":
            self.on_token(self.texts[0][self.emitted:])


def _cache(out: Any) -> Any:
    """The KV cache a forward pass returned, under the name this transformers version gives it."""
    return out["cache"] if "cache" in out else out["past_key_values"]


def _eos_ids(model: Any, tokenizer: Any) -> set[int]:
    """Every token id that ends a generation: the model's and the tokenizer's eos, and _EOG_TEXTS."""
    cfg_eos = model.generation_config.eos_token_id
    eos = set(cfg_eos if isinstance(cfg_eos, list) else [cfg_eos] if cfg_eos is not None else [])
    if tokenizer.eos_token_id is not None:
        eos.add(tokenizer.eos_token_id)
    vocab = tokenizer.get_vocab()
    eos.update(vocab[t] for t in _EOG_TEXTS if t in vocab)
    return {int(i) for i in eos}


def _find_stop(text: str, stops: Sequence[str]) -> int | None:
    """Where the first stop string starts in the text, or None."""
    hits = [i for i in (text.find(s) for s in stops) if i >= 0]
    return min(hits) if hits else None


def _safe_len(text: str, stops: Sequence[str]) -> int:
    """Length of the prefix that can be shown: no partial UTF-8 char, no possible start of a stop string."""
    return _without_stop_start(text, _complete_chars(text), stops)


def _complete_chars(text: str) -> int:
    """Length without a trailing partial UTF-8 character (decoded so far as U+FFFD)."""
    end = len(text)
    while end and text[end - 1] == "\ufffd":
        end -= 1
    return end


def _without_stop_start(text: str, end: int, stops: Sequence[str]) -> int:
    """``end`` moved back before any ending of text[:end] that a stop string could begin with."""
    for s in stops:
        for k in range(min(len(s) - 1, end), 0, -1):
            if text[:end].endswith(s[:k]):
                end -= k
                break
    return end
