"""The generator protocol, its result, streaming, and what the backends share.

Streaming: ``generate(..., on_token=fn)`` calls ``fn(piece)`` for each new piece of text (return
True from it to stop early); ``stream(...)`` wraps that as an iterable ``TokenStream`` whose
``.result`` holds the final ``GenerationResult`` once the iteration has finished.

Nothing here imports a model library: the protocol costs nothing to import.
"""

from __future__ import annotations

import queue
import threading
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Protocol, Sequence, runtime_checkable

from docqa.errors import ModelError

Message = dict[str, str]
OnToken = Callable[[str], "bool | None"]

# "yes"/"no" as the first token of an answer: the judge takes the max logit over the spellings
# that are one token in the model's vocabulary.
YES_SPELLINGS = ("yes", "Yes", "YES", " yes", " Yes", " YES")
NO_SPELLINGS = ("no", "No", "NO", " no", " No", " NO")


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
    """What the pipeline needs from a language model; ``isinstance`` checks that every member exists."""

    name: str
    backend: str
    context_tokens: int
    batch_size: int  # calls generate_batch runs together; 1: one after another

    def count_tokens(self, text: str) -> int: ...

    def count_chat_tokens(self, messages: Sequence[Message]) -> int: ...

    # barred: words the reply may not say (their first tokens are never generated: barred_ids).
    def generate(
        self,
        messages: Sequence[Message],
        max_new_tokens: int,
        stop: Sequence[str] | None = None,
        on_token: OnToken | None = None,
        barred: Sequence[str] = (),
    ) -> GenerationResult: ...

    def stream(
        self, messages: Sequence[Message], max_new_tokens: int, stop: Sequence[str] | None = None
    ) -> TokenStream: ...

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


class LocalGenerator(Streaming):
    """The in-process backends' share: the model's own tokenizer (read from the GGUF),
    counting with the chat template, the yes/no token ids, and one generation at a time."""

    name: str
    backend: str
    context_tokens: int
    batch_size = 1

    def __init__(self, name: str, tokenizer: Any, context_tokens: int) -> None:
        self.name = name
        self.context_tokens = context_tokens
        self.tokenizer = tokenizer
        self._lock = threading.Lock()  # one generation at a time per loaded model
        self._yes_ids = self._single_token_ids(YES_SPELLINGS)
        self._no_ids = self._single_token_ids(NO_SPELLINGS)
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

    def barred_ids(self, words: Sequence[str]) -> list[int]:
        return barred_ids(lambda text: self.tokenizer.encode(text, add_special_tokens=False), words)


def barred_ids(encode: Callable[[str], Sequence[int]], words: Sequence[str]) -> list[int]:
    """The first token of each word as a reply could spell it (as written, lower-case or capitalized,
    alone or after a space): with these never generated, the model cannot say the word."""
    ids = set()
    for word in words:
        for form in {word, word.lower(), word.capitalize()}:
            for spelled in (form, " " + form):
                if tokens := encode(spelled):
                    ids.add(int(tokens[0]))
    return sorted(ids)


def context_exceeded(prompt_tokens: Any, context_tokens: Any) -> ModelError:
    """The one wording for a prompt longer than the model's context window."""
    return ModelError(f"prompt ({prompt_tokens} tokens) exceeds the context size ({context_tokens} tokens)")


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
