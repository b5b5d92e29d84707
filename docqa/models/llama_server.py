"""Serve a docqa model over HTTP with llama.cpp's own server (through xllamacpp): no compiling.

    python -m docqa.models.llama_server qwen2.5-coder-0.5b --port 8080
    docqa ask "..." --llm-base-url http://127.0.0.1:8080/v1 --llm-model qwen2.5-coder-0.5b

xllamacpp wraps llama.cpp's ``server.cpp`` (the code of ``llama-server``): the same
OpenAI-compatible routes (/v1/chat/completions with SSE, /v1/models, /tokenize, /apply-template,
/props, /health). The model is served under its docqa name. The process runs until SIGTERM/SIGINT;
the e2e tests start it on a free port and stop it by PID.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading

from docqa.models import assets
from docqa.models.device import cpu_count
from docqa.models.generation.llamacpp import llamacpp_params


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m docqa.models.llama_server", description=__doc__.split("\n")[0])
    parser.add_argument("model", help="docqa model name (qwen2.5-coder-0.5b, smollm2-135m, ...) or a .gguf path")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine only)")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--ctx", type=int, default=4096, help="context window in tokens")
    parser.add_argument("--threads", type=int, default=0, help="CPU threads; 0 = all cores")
    parser.add_argument("--parallel", type=int, default=1, help="slots: requests decoded together")
    parser.add_argument("--api-key", default=None, help="require this bearer token")
    args = parser.parse_args(argv)

    import xllamacpp

    gguf = assets.resolve_gguf(args.model)
    params = llamacpp_params(gguf, args.ctx * args.parallel, args.threads or cpu_count())
    params.n_parallel = args.parallel
    params.hostnames = [args.host]
    params.port = args.port
    params.model_alias = {assets.model_key(args.model)}
    if args.api_key:
        params.api_keys = [args.api_key]
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    server = xllamacpp.Server(params)
    print(f"serving {assets.model_key(args.model)} at {server.listening_address}/v1", flush=True)
    stop.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
