"""The 0.5B's Q5_0 matrices are rewritten as Q8_0 for speed: the same numbers, bit for bit."""

from __future__ import annotations

import io

import numpy as np
from gguf import GGMLQuantizationType as T
from gguf import GGUFReader, GGUFWriter
from gguf.quants import dequantize, quantize

from docqa.models import gguf_recode


def _q5_0(values: np.ndarray) -> np.ndarray:
    return quantize(values.astype(np.float32), T.Q5_0)


def test_every_q5_0_value_survives_as_q8_0():
    rng = np.random.default_rng(0)
    weights = rng.normal(size=(8, 256)).astype(np.float32)
    weights[0, :32] = 0.0  # a block whose scale is zero
    q5 = _q5_0(weights)
    q8 = gguf_recode.q5_0_to_q8_0(q5.reshape(-1, gguf_recode.Q5_0_BYTES))
    assert q8.shape == (8 * 256 // 32, gguf_recode.Q8_0_BYTES)
    assert np.array_equal(dequantize(q8.reshape(-1), T.Q8_0), dequantize(q5.reshape(-1), T.Q5_0).reshape(-1))


def _tiny_gguf(path):
    rng = np.random.default_rng(1)
    writer = GGUFWriter(path, "qwen2")
    writer.add_name("tiny")
    writer.add_context_length(128)
    writer.add_array("tokenizer.ggml.tokens", ["a", "b", "<|im_end|>"])
    matrix = rng.normal(size=(4, 64)).astype(np.float32)
    norm = rng.normal(size=(64,)).astype(np.float32)
    writer.add_tensor("blk.0.attn_q.weight", _q5_0(matrix), raw_dtype=T.Q5_0)
    writer.add_tensor("blk.0.attn_norm.weight", norm)
    writer.add_tensor("blk.0.ffn_up.weight", _q5_0(matrix[::-1].copy()), raw_dtype=T.Q5_0)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return matrix, norm


def test_a_recoded_file_keeps_its_metadata_and_weights(tmp_path):
    src = tmp_path / "tiny.gguf"
    _tiny_gguf(src)
    out = io.BytesIO()
    seen = []
    gguf_recode.recode(src, out, progress=lambda done, total: seen.append((done, total)))
    dst = tmp_path / "tiny-q8.gguf"
    dst.write_bytes(out.getvalue())

    before, after = GGUFReader(src), GGUFReader(dst)
    assert after.fields["general.name"].contents() == "tiny"
    assert after.fields["tokenizer.ggml.tokens"].contents() == ["a", "b", "<|im_end|>"]
    assert [t.name for t in after.tensors] == [t.name for t in before.tensors]
    assert [t.tensor_type for t in after.tensors] == [T.Q8_0, T.F32, T.Q8_0]
    for old, new in zip(before.tensors, after.tensors):
        assert new.data_offset % after.alignment == 0
        assert np.array_equal(dequantize(np.asarray(new.data), new.tensor_type),
                              dequantize(np.asarray(old.data), old.tensor_type))
    assert seen[-1][0] == seen[-1][1]
