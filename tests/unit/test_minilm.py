"""MiniLM without sentence-transformers (models/bert.py): the same counts, offsets, vectors and token
states as sentence-transformers gives, in fp32 and bf16, and a query embedded without importing it."""

import json
import shutil
import subprocess
import sys

import numpy as np
import pytest

from docqa.models.bert import is_mean_pooled_bert
from docqa.models.embedder import ENGLISH, BertEmbedder, SentenceTransformerEmbedder, length_sorted, model_dir
from docqa.settings import EmbeddingSettings

LONG = " ".join(f"Clause {i}: the rural school grant funded {3 * i} libraries in Ohio." for i in range(40))
TEXTS = [
    "rural school grants",
    "",
    "Héllo wörld, 東京 😀 naïve café: it's 4.2%!",  # accents, CJK, an emoji ([UNK]), punctuation
    "The committee approved the budget for the new hospital wing after a long debate about staffing.",
    LONG,  # over max_tokens: cut as sentence-transformers cuts it
]


@pytest.fixture(scope="module", params=["float32", "bfloat16"])
def pair(request):
    settings = EmbeddingSettings(model=ENGLISH, dtype=request.param)
    return BertEmbedder(settings, "cpu"), SentenceTransformerEmbedder(settings, "cpu")


def test_minilm_is_a_mean_pooled_bert():
    assert is_mean_pooled_bert(model_dir(ENGLISH))


def test_counts_and_offsets_are_identical(pair):
    light, st = pair
    assert light.count_tokens_many(TEXTS) == st.count_tokens_many(TEXTS)
    assert light.count_tokens_many([LONG])[0] > light.max_tokens  # counted whole, not cut
    for text in TEXTS:
        assert light.token_offsets(text) == st.token_offsets(text)
    assert (light.name, light.dim, light.max_tokens, light.dtype) == (st.name, st.dim, st.max_tokens, st.dtype)


def test_vectors_match_in_one_padded_batch(pair):
    light, st = pair
    ours, theirs = light.embed(TEXTS), st.embed(TEXTS)
    assert ours.dtype == np.float32 and ours.shape == (len(TEXTS), 384)
    np.testing.assert_allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
    assert (ours * theirs).sum(axis=1).min() >= 0.999


def test_vectors_do_not_depend_on_the_batch(pair):
    light, _ = pair
    alone = np.vstack([light.embed([t]) for t in TEXTS])
    assert (alone * light.embed(TEXTS)).sum(axis=1).min() >= 0.999


def test_token_states_match_per_token(pair):
    light, st = pair
    ours, theirs = light.token_states(TEXTS), st.token_states(TEXTS)
    for text, a, b in zip(TEXTS, ours, theirs):
        assert a.shape == b.shape
        assert a.shape[0] == min(light.count_tokens_many([text])[0], light.max_tokens - 2)  # no [CLS]/[SEP]
        if len(a):
            assert (a * b).sum(axis=1).min() >= 0.99
    np.testing.assert_allclose(light.query_states(TEXTS[0]), ours[0], atol=1e-2)


def test_length_sorted_batches_keep_every_index_once():
    texts = ["ccc", "a", "bbbb", "dd", "e"]
    batches = length_sorted(texts, 2)
    assert [len(b) for b in batches] == [2, 2, 1]
    assert [len(texts[i]) for b in batches for i in b] == [1, 1, 2, 3, 4]


def _copy_model_config(tmp_path):
    source = model_dir(ENGLISH)
    for name in ("config.json", "modules.json", "sentence_bert_config.json", "tokenizer.json", "model.safetensors"):
        (tmp_path / name).symlink_to(source / name)
    shutil.copytree(source / "1_Pooling", tmp_path / "1_Pooling")
    return tmp_path


def test_other_sentence_transformers_models_are_left_to_it(tmp_path):
    directory = _copy_model_config(tmp_path)
    assert is_mean_pooled_bert(directory)
    pooling = directory / "1_Pooling" / "config.json"
    config = json.loads(pooling.read_text())
    pooling.write_text(json.dumps(config | {"pooling_mode_mean_tokens": False, "pooling_mode_cls_token": True}))
    assert not is_mean_pooled_bert(directory)  # a CLS-pooled model (bge)
    pooling.write_text(json.dumps(config))
    (directory / "model.safetensors").unlink()
    assert not is_mean_pooled_bert(directory)  # pytorch_model.bin only
    assert not is_mean_pooled_bert(tmp_path / "missing")


def test_a_query_is_embedded_without_importing_sentence_transformers():
    code = (
        "import sys\n"
        "from docqa.models.embedder import make_embedder\n"
        "from docqa.settings import EmbeddingSettings\n"
        "emb = make_embedder(EmbeddingSettings())\n"
        "assert emb.embed_query(['rural school grants']).shape == (1, 384)\n"
        "print(type(emb).__name__, sorted(m for m in ('transformers', 'sentence_transformers') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["BertEmbedder", "[]"]
