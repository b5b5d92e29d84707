"""Which device and dtype to compute on, decided by a check at start-up, never by assumption.

torch is imported on the first question, not with this module: the CLI imports it to start.
"""

from __future__ import annotations

import functools
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import torch


# A GPU driver leaves these behind (NVIDIA's kernel module, its control device; AMD's ROCm). Without
# any of them CUDA cannot be available, and `docqa status` need not import torch (2 s) to say "cpu".
_GPU_DRIVER_PATHS = ("/proc/driver/nvidia", "/dev/nvidiactl", "/dev/kfd")


def _no_gpu_driver() -> bool:
    return sys.platform == "linux" and not any(os.path.exists(p) for p in _GPU_DRIVER_PATHS)


def resolve_device(requested: str = "auto") -> str:
    if requested == "cpu" or (requested == "auto" and _no_gpu_driver()):
        return "cpu"
    import torch

    if requested == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if requested == "cuda" and not torch.cuda.is_available():
        from docqa.errors import ConfigError

        raise ConfigError("device 'cuda' requested but no CUDA GPU is available")
    return requested


@functools.lru_cache(maxsize=None)
def cpu_has_native_bf16() -> bool:
    """AVX512-BF16 or AMX: bf16 matmuls are then 2-4x faster than fp32 (see shared/MODELS.md)."""
    try:
        flags = Path("/proc/cpuinfo").read_text()
    except OSError:
        return False
    return any(f in flags for f in ("avx512_bf16", "amx_bf16"))


def resolve_dtype(requested: str, device: str) -> torch.dtype:
    import torch

    if requested == "float32":
        return torch.float32
    if requested == "bfloat16":
        return torch.bfloat16
    if device == "cuda":
        return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    return torch.bfloat16 if cpu_has_native_bf16() else torch.float32


def dtype_name(requested: str, device: str) -> str:
    """resolve_dtype's answer by name ("float32", "bfloat16"), without torch where none is needed."""
    if requested != "auto":
        return requested
    if device == "cpu":
        return "bfloat16" if cpu_has_native_bf16() else "float32"
    return str(resolve_dtype(requested, device)).replace("torch.", "")


def cpu_count() -> int:
    """The cores this process may run on (its affinity mask), not the machine's."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1
