"""A model's tokenizer and chat template read without transformers.

llama.cpp counts and templates the prompt itself; docqa only needs the same counts to fill the
working set. Importing transformers for that costs over a second of a cold `docqa ask`, so the
llama.cpp backend reads the tokenizer directory (written once from the GGUF by
``assets.tokenizer_dir``) with ``tokenizers`` and renders the chat template with jinja2, as
transformers does: a sandboxed environment, trim_blocks and lstrip_blocks, loop controls, and the
special tokens as variables. tests/unit/test_chat_tokenizer.py checks both give the same ids.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from docqa.errors import ModelError


def _raise(message: str) -> None:
    raise ModelError(f"chat template: {message}")


class ChatTokenizer:
    """``encode`` and ``apply_chat_template`` of a tokenizer directory (tokenizer.json and a chat
    template in tokenizer_config.json or chat_template.jinja)."""

    def __init__(self, directory: Path) -> None:
        import tokenizers
        from jinja2.sandbox import ImmutableSandboxedEnvironment

        try:
            self._tokenizer = tokenizers.Tokenizer.from_file(str(directory / "tokenizer.json"))
            config = json.loads((directory / "tokenizer_config.json").read_text(encoding="utf-8"))
            template = config.get("chat_template")
            if template is None:
                template = (directory / "chat_template.jinja").read_text(encoding="utf-8")
        except Exception as exc:  # tokenizers raises its own exception types
            raise ModelError(f"{directory}: cannot read its tokenizer ({exc})") from exc
        env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=["jinja2.ext.loopcontrols"])
        env.globals["raise_exception"] = _raise
        self._template = env.from_string(template)
        # The template may print the special tokens by name ({{ bos_token }}).
        self._special = {
            key: value["content"] if isinstance(value, dict) else value
            for key, value in config.items()
            if key.endswith("_token") and isinstance(value, (str, dict))
        }

    def encode(self, text: str, add_special_tokens: bool = False) -> list[int]:
        return self._tokenizer.encode(text, add_special_tokens=add_special_tokens).ids

    def apply_chat_template(
        self, messages: Sequence[dict[str, Any]], tokenize: bool = False, add_generation_prompt: bool = True
    ) -> str:
        if tokenize:
            raise ValueError("ChatTokenizer renders text only: encode() the result")
        return self._template.render(messages=list(messages), add_generation_prompt=add_generation_prompt, **self._special)
