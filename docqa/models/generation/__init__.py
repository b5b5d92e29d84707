"""Generators: chat messages -> text, greedy, with exact token counts and timings.

One small protocol (``base.Generator``) and one module per backend, the way txtai's
``pipeline/llm`` is laid out:

* ``llamacpp``: the GGUF file in-process through ``xllamacpp`` (llama.cpp, CPU wheel); the CPU default.
* ``hf``: transformers on the GGUF converted to safetensors; the path for CUDA and real batching.
* ``http``: a client of an OpenAI-compatible server (vLLM, llama-server, TGI, Ollama).
* ``factory``: picks the backend for the settings and keeps one loaded model per process.

Backends import ``base`` and nothing else of this package; only ``factory`` imports the backends,
and only when one is asked for (none of them is imported with the package).
"""
