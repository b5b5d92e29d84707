"""Which backend serves the settings, and one loaded model per process.

The backends are imported here only when one is built, so that importing the factory (or the
protocol) loads no model library.
"""

from __future__ import annotations

import threading

from docqa.errors import ConfigError
from docqa.models import assets
from docqa.models.assets import ProgressFn
from docqa.models.device import resolve_device
from docqa.models.generation.base import Generator
from docqa.settings import GenerationSettings

# CPU backend, chosen by measurement (bench/generate.py, qwen2.5-coder-0.5b, the 2-core AMD EPYC with
# AVX512-BF16; the machine was shared with other jobs, load 3-6, so absolute numbers are low):
#                                  llama.cpp   transformers bf16
#   decode tok/s, OMP passive         18.0          4.9
#   decode tok/s, OMP default          6.2          1.1
#   decode tok/s, 1 thread each     17-19        3.7-4.6
#   prefill tok/s (1000 tok), passive  45          131      (1 thread: 55 vs 128)
#   load s (first / again)          5.3 / 3.3    3.9 / 1.8
# shared/MODELS.md, on the idle machine: llama.cpp 284 prefill / 54 decode, transformers 17 decode.
# llama.cpp decodes 3.5-5x faster everywhere; transformers prefills ~2.5x faster (oneDNN bf16 kernels,
# while this xllamacpp wheel is built for AVX2 only). Answers are 100-256 tokens, so decode dominates:
# llama.cpp on CPU. (The yes/no judge is prefill-only: batched transformers does 0.55 pairs/s vs 0.22.)
_CPU_BACKEND = "llamacpp"
DEFAULT, LARGE = GenerationSettings.model_fields["model"].default, "qwen2.5-coder-1.5b"

_instances: dict[tuple, Generator] = {}
_instances_lock = threading.Lock()


def choose_backend(requested: str, device: str, base_url: str | None = None) -> str:
    if requested != "auto":
        return requested
    if base_url:
        return "openai"
    return "transformers" if device == "cuda" else _CPU_BACKEND


def make_generator(
    settings: GenerationSettings,
    device: str = "auto",
    progress: ProgressFn | None = None,
) -> Generator:
    """The generator for these settings, loaded once per process and then shared.

    backend "auto": the OpenAI-compatible server when ``base_url`` is set; else transformers on CUDA
    and on CPU the backend measured fastest (``_CPU_BACKEND``). llama.cpp runs on the CPU whatever
    ``device`` says (the PyPI wheel has no GPU support).
    """
    resolved = resolve_device(device)
    backend = choose_backend(settings.backend, resolved, settings.base_url)
    if backend == "openai":
        from docqa.models.generation.http import HttpGenerator

        # Not cached: the server holds the model, so a client is cheap, and settings may differ per call.
        return HttpGenerator(settings)
    if backend not in ("llamacpp", "transformers"):
        raise ConfigError(f"unknown generation backend {backend!r}")
    cache = str(assets.cache_dir(settings.cache_dir))
    key = (settings.model, backend, resolved if backend == "transformers" else "cpu",
           settings.context_tokens, settings.threads, cache)
    with _instances_lock:
        gen = _instances.get(key)
        if gen is None:
            gen = _load(backend, settings, resolved, progress)
            _instances[key] = gen
    return gen


def escalation_model(escalate: str, model: str) -> str | None:
    """The model a short answer of `model` (the answering generator's name) escalates to
    (settings.answer.escalate), or None: "auto" is the 1.5B when it is installed and the answers
    come from the 0.5B (the cascade docqa eval measured)."""
    if escalate == "off" or escalate == model:
        return None
    if escalate == "auto":
        return LARGE if model == DEFAULT and assets.installed(LARGE) else None
    return escalate


def _load(backend: str, settings: GenerationSettings, device: str, progress: ProgressFn | None) -> Generator:
    """A new in-process generator: the model is read and loaded here (seconds)."""
    if backend == "llamacpp":
        from docqa.models.generation.llamacpp import LlamaCppGenerator

        return LlamaCppGenerator(settings, progress=progress)
    from docqa.models.generation.hf import TransformersGenerator

    return TransformersGenerator(settings, device=device, progress=progress)


def clear_generators() -> None:
    """Forget the loaded models (tests; or to free memory)."""
    with _instances_lock:
        _instances.clear()
