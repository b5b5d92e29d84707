"""How long an ask takes: per stage in a warm process, and a cold `docqa ask` from the shell.

    python bench/ask_latency.py ../shared/data/xquad-en/xquad.en.json --index /tmp/ev/xquad \
        [--questions 30] [--cold 5] [--model qwen2.5-coder-0.5b] [--escalate auto|off|MODEL] [--larger-first auto|on|off]

Warm: one process (models loaded), the seeded sample asked one after another, each question's token
states encoded fresh; p50/p95 of every stage and end to end. The first ask of the process is
reported apart: llama.cpp's prompt cache has not yet seen the template (system prompt and worked
examples), so its prefill shows what prefix reuse saves. Cold: `docqa ask --json` as a new
process per question (imports, model loads, everything a user waits for at the shell).
Both report the escalated questions apart (answer.escalate: the larger model answered again);
--larger-first on lets the larger model answer alone (answer.larger_first).
Run it on a quiet machine (`uptime` load under 1.5): these are times.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from docqa.answer import ask
from docqa.index import Index
from docqa.eval.squad import load_squad
from docqa.eval.qa import sample
from docqa.settings import load_settings


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def warm(args) -> None:
    _, questions, _ = load_squad(args.dataset)
    chosen = sample(questions, args.questions + 1, args.seed)
    settings = load_settings({"index": str(args.index), "generation": {"model": args.model},
                              "answer": {"escalate": args.escalate, "larger_first": args.larger_first}})
    with Index.open(args.index, settings, create=False) as idx:
        generator = idx.generator()
        stronger = idx.escalation(generator)
        if stronger is not None:
            stronger()  # loaded before the clock starts, as the resident server does
        rows = []
        for q in chosen:
            idx.token_cache.clear()
            t = time.perf_counter()
            ans = ask(q.question, idx, generator, settings.answer, stronger=stronger)
            rows.append(({**ans.timings, "end_to_end_s": time.perf_counter() - t}, ans.prompt_tokens))
    first, rest = rows[0], rows[1:]
    escalated = sum("escalate_s" in r for r, _ in rest)
    print(f"model {args.model}, escalate {args.escalate}, larger first {args.larger_first}, {len(rest)} questions after the first "
          f"({escalated} escalated), load {os.getloadavg()[0]:.2f}\n")
    print("| stage | p50 s | p95 s |\n|---|---:|---:|")
    for stage in ("retrieve_s", "rerank_s", "working_set_s", "prefill_s", "decode_s", "verify_s", "second_reading_s", "escalate_s",
                  "end_to_end_s"):
        values = [r[stage] for r, _ in rest if stage in r]
        if values:
            print(f"| {stage[:-2]} | {pct(values, 0.5):.3f} | {pct(values, 0.95):.3f} |")
    tokens = statistics.median(n for _, n in rest)
    print(f"\nprompt tokens p50 {tokens:.0f}; first ask (template not yet cached): prefill "
          f"{first[0].get('prefill_s', 0):.3f} s for {first[1]} tokens, end to end {first[0]['end_to_end_s']:.3f} s")


def cold(args) -> None:
    _, questions, _ = load_squad(args.dataset)
    walls, escalated = [], []
    for q in sample(questions, args.cold, args.seed + 1):
        t = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "docqa", "ask", q.question, "--index", str(args.index), "--json",
                               "--model", args.model, "--escalate", args.escalate], check=True, capture_output=True,
                              env={**os.environ, "DOCQA_ANSWER__LARGER_FIRST": args.larger_first})
        walls.append(time.perf_counter() - t)
        if json.loads(done.stdout).get("escalated_from"):
            escalated.append(walls[-1])
    print(f"\ncold `docqa ask` (new process each): p50 {pct(walls, 0.5):.2f} s, max {max(walls):.2f} s over {len(walls)}")
    if escalated:
        print(f"  of which escalated: {len(escalated)}, p50 {pct(escalated, 0.5):.2f} s")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dataset", type=Path)
    ap.add_argument("--index", type=Path, required=True)
    ap.add_argument("--questions", type=int, default=30)
    ap.add_argument("--cold", type=int, default=5)
    ap.add_argument("--model", default="qwen2.5-coder-0.5b")
    ap.add_argument("--escalate", default="auto", help="answer.escalate: auto, off, or a model name")
    ap.add_argument("--larger-first", default="auto", choices=("auto", "on", "off"), help="answer.larger_first")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    warm(args)
    if args.cold:
        cold(args)


if __name__ == "__main__":
    main()
