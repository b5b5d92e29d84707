"""Rewrite a GGUF file's Q5_0 tensors as Q8_0, exactly: the same weights, a faster layout for llama.cpp.

Qwen2.5-Coder-0.5B ships with most matrices in Q5_0. llama.cpp's CPU kernels multiply Q8_0
matrices faster than Q5_0 ones (prompt processing +25-30 % on the 2-core reference machine,
bench/gguf_recode.py), and every Q5_0 value is an integer -16..15 times its block's fp16 scale, so
Q8_0 with the same scale holds it exactly: nothing the model computes changes but the speed.

Everything but the tensor table and the tensor data is copied byte for byte (header, metadata).
"""

from __future__ import annotations

import struct
from pathlib import Path
from typing import BinaryIO, Callable

import numpy as np

BLOCK = 32  # values per block, in both formats
Q5_0_BYTES = 22  # fp16 scale, 32 high bits, 16 bytes of low nibbles
Q8_0_BYTES = 34  # fp16 scale, 32 int8 values
_CHUNK_BLOCKS = 1 << 16


def q5_0_to_q8_0(blocks: np.ndarray) -> np.ndarray:
    """Q5_0 blocks (n, 22) uint8 → Q8_0 blocks (n, 34) uint8 holding the same values."""
    scale = blocks[:, :2]
    high = blocks[:, 2:6].copy().view("<u4")  # (n, 1): bit j is value j's fifth bit
    low = blocks[:, 6:]
    nibbles = np.concatenate([low & 0x0F, low >> 4], axis=1)  # values 0-15, then 16-31
    fifth = ((high >> np.arange(BLOCK, dtype=np.uint32)) & 1).astype(np.uint8) << 4
    values = (nibbles | fifth).astype(np.int16) - 16
    return np.concatenate([scale, values.astype(np.int8).view(np.uint8)], axis=1)


def recode(src: Path, out: BinaryIO, progress: Callable[[int, int], None] | None = None) -> None:
    """Write `src` with every Q5_0 tensor as Q8_0 to `out`; progress(done, total) in source bytes."""
    from gguf import GGMLQuantizationType, GGUFReader

    reader = GGUFReader(src)
    tensors = reader.tensors
    table_start = tensors[0].field.offset
    align = reader.alignment

    def padded(n: int) -> int:
        return -n % align

    new_types, sizes = [], []
    for t in tensors:
        if t.tensor_type == GGMLQuantizationType.Q5_0:
            new_types.append(GGMLQuantizationType.Q8_0)
            sizes.append(t.n_bytes // Q5_0_BYTES * Q8_0_BYTES)
        else:
            new_types.append(t.tensor_type)
            sizes.append(t.n_bytes)

    with open(src, "rb") as f:
        out.write(f.read(table_start))  # header and metadata, unchanged
    written = table_start
    offset = 0
    for t, kind, size in zip(tensors, new_types, sizes):
        name = t.name.encode("utf-8")
        dims = [int(d) for d in t.field.parts[3]]  # as stored: the row length first
        entry = struct.pack("<Q", len(name)) + name + struct.pack("<I", len(dims))
        entry += struct.pack(f"<{len(dims)}Q", *dims) + struct.pack("<IQ", int(kind), offset)
        out.write(entry)
        written += len(entry)
        offset += size + padded(size)
    out.write(b"\0" * padded(written))

    total = sum(t.n_bytes for t in tensors)
    done = 0
    for t, kind, size in zip(tensors, new_types, sizes):
        raw = np.asarray(t.data).reshape(-1).view(np.uint8)
        if kind != t.tensor_type:
            blocks = raw.reshape(-1, Q5_0_BYTES)
            for start in range(0, len(blocks), _CHUNK_BLOCKS):
                out.write(q5_0_to_q8_0(blocks[start:start + _CHUNK_BLOCKS]).tobytes())
        else:
            out.write(raw.tobytes())
        out.write(b"\0" * padded(size))
        done += t.n_bytes
        if progress:
            progress(done, total)
