"""Generator benchmark (a measurement, never an asserted test).

For one model (default: the default generator) and each backend on this machine:
load time (first load in the process, a reload with warm OS caches, and the per-process
instance cache), prefill tok/s on a ~1000-token prompt, time to first token, decode tok/s over
128 tokens, and the yes/no judge's pairs/s on ~256-token passages.

    python bench/generate.py [--model qwen2.5-coder-0.5b] [--backends llamacpp,transformers] [--runs 2]

The one-time assembly / conversion is done (with a progress bar) before anything is timed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

from rich.console import Console
from rich.table import Table

from docqa.models import assets
from docqa.models.generation.factory import clear_generators, make_generator
from docqa.settings import GenerationSettings

_FILLER = (
    "The archive stores each document as pages, and each page is split into chunks of about one "
    "hundred and eighty tokens with a short overlap, so that a sentence cut at a boundary is still "
    "found whole in one of the two neighbouring chunks. "
)


def _long_prompt(gen, target: int, run: int) -> list[dict]:
    # A different first line per run: llama.cpp's prompt cache must not skip the prefill.
    text = f"Run {run}. Read the notes below.\n"
    while gen.count_tokens(text) < target - 40:
        text += _FILLER
    return [{"role": "user", "content": text + "\nSummarize the notes in one sentence."}]


def _decode_prompt(run: int) -> list[dict]:
    return [{
        "role": "user",
        "content": f"({run}) Write a long, detailed essay of at least 600 words about the history of "
                   "printing, from woodblocks to laser printers. Do not stop early.",
    }]


def _judge(question: str, passage: str) -> list[dict]:
    return [
        {"role": "system", "content": "Answer with yes or no only."},
        {"role": "user", "content": f"Passage:\n{passage}\n\nQuestion: {question}\nDoes the passage answer the question?"},
    ]


def bench(model: str, backend: str, runs: int, console: Console) -> dict[str, float]:
    settings = GenerationSettings(model=model, backend=backend)
    clear_generators()
    t = time.perf_counter()
    gen = make_generator(settings, device="cpu")
    first_load = time.perf_counter() - t
    t = time.perf_counter()
    make_generator(settings, device="cpu")
    instance_hit = time.perf_counter() - t
    del gen
    clear_generators()
    t = time.perf_counter()
    gen = make_generator(settings, device="cpu")
    reload = time.perf_counter() - t

    gen.generate([{"role": "user", "content": "Hello"}], 4)  # warm-up
    prefill, ttft, prompt_tokens = [], [], 0
    for run in range(runs):
        messages = _long_prompt(gen, 1000, run)
        r = gen.generate(messages, 1)
        prompt_tokens = r.prompt_tokens
        prefill.append(r.prefill_tokens_per_s)
        ttft.append(r.ttft_s)
    decode, completion = [], []
    for run in range(runs):
        r = gen.generate(_decode_prompt(run), 128)
        decode.append(r.tokens_per_s)
        completion.append(r.completion_tokens)

    passage = (_FILLER * 6)[: 256 * 4]
    pairs = [_judge(f"Question {i}: how are pages split into chunks?", f"[{i}] {passage}") for i in range(8)]
    t = time.perf_counter()
    gen.yes_no_logits(pairs)
    judge = len(pairs) / (time.perf_counter() - t)

    return {
        "first load s": first_load,
        "reload s": reload,
        "instance cache s": instance_hit,
        "prompt tokens": prompt_tokens,
        "prefill tok/s": statistics.median(prefill),
        "TTFT s (~1000 tok)": statistics.median(ttft),
        "decode tokens": min(completion),
        "decode tok/s": statistics.median(decode),
        "judge pairs/s (8 x ~256 tok)": judge,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=GenerationSettings().model)
    parser.add_argument("--backends", default="llamacpp,transformers")
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    console = Console()
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]

    # One-time work first, visibly, so that it is not mistaken for load time.
    progress = assets.AssemblyProgress(console)
    assets.resolve_gguf(args.model, progress=progress)
    assets.tokenizer_dir(args.model, progress=progress)
    if "transformers" in backends:
        assets.converted_transformers_dir(args.model, progress=progress)

    load_before = os.getloadavg()[0]
    console.print(
        f"load average {load_before:.2f} on {os.cpu_count()} CPUs; "
        f"OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY', '(unset)')}"
    )
    if load_before > 0.5:
        console.print("[yellow]warning: the machine is busy; llama.cpp's spinning threads suffer most[/yellow]")
    results = {}
    for backend in backends:
        console.print(f"[bold]{backend}[/bold] ...")
        results[backend] = bench(args.model, backend, args.runs, console)

    table = Table(title=f"{args.model} on this CPU (median of {args.runs} runs)")
    table.add_column("metric")
    for backend in backends:
        table.add_column(backend, justify="right")
    for metric in next(iter(results.values())):
        cells = []
        for backend in backends:
            value = results[backend][metric]
            cells.append(f"{value:.0f}" if metric.endswith("tokens") else f"{value:.3g}" if value < 10 else f"{value:.1f}")
        table.add_row(metric, *cells)
    console.print(table)
    console.print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
