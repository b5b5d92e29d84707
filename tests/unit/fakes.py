"""A fake generator for orchestration tests: whitespace tokens, scripted answers. Never for quality."""

from __future__ import annotations

from docqa.models.generation.base import GenerationResult, Streaming


class FakeGenerator(Streaming):
    """Satisfies ``docqa.models.generation.base.Generator``; ``stream`` and ``yes_no_logit`` come from Streaming."""

    name = "fake"
    backend = "fake"
    batch_size = 1

    def __init__(self, answer: str = "", context_tokens: int = 4096) -> None:
        self.answer = answer
        self.context_tokens = context_tokens
        self.calls: list[list[dict]] = []
        self.barred: list[list[str]] = []  # per call, the words it was barred from saying

    def count_tokens(self, text: str) -> int:
        return len(text.split())

    def count_chat_tokens(self, messages) -> int:
        return sum(self.count_tokens(m["content"]) + 3 for m in messages) + 2

    def generate(self, messages, max_new_tokens, stop=None, on_token=None, barred=()):
        self.calls.append(list(messages))
        self.barred.append(list(barred))
        words, said = self.answer.split(" "), []
        for word in words:
            said.append(word)
            if on_token and on_token(word + " "):
                break  # the caller stopped it, as a real backend stops between tokens
        text = " ".join(said)
        return GenerationResult(
            text=text, prompt_tokens=self.count_chat_tokens(messages), completion_tokens=self.count_tokens(text),
            prefill_s=0.01, decode_s=0.01, finish_reason="stop" if len(said) == len(words) else "cancelled",
        )

    def generate_batch(self, batch, max_new_tokens, stop=None):
        return [self.generate(m, max_new_tokens) for m in batch]

    def yes_no_logits(self, batch):
        return [float("yes" in m[-1]["content"].lower()) for m in batch]
