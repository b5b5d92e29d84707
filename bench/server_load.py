"""One `docqa serve` under load, against the CLI it replaces.

    python bench/server_load.py --index IDX [--ingest sample_docs] [--searches 20] [--asks 4] [--rounds 5]
        [--questions 4] [--cli 3] [--model qwen2.5-coder-0.5b]

IDX is an ingested index (e.g. `docqa ingest sample_docs --index /tmp/bench-idx`); it is copied
first, so the run never changes it. Three measurements:
1. load: --searches threads searching and --asks threads asking, --rounds requests each, all at
   once against one server while `docqa ingest` (another process, the CLI's writer lock) reads a
   fresh copy of --ingest into the same index: errors, p50/p95 per kind, and whether the server saw
   the ingested documents afterwards;
2. warm vs cold: the same questions through `docqa ask` with the server running (the warm CLI) and
   with --no-server (a cold process each time);
3. memory: the server's RSS against one cold `docqa ask` process's peak RSS, times --cli.
Run it on a quiet machine (`uptime` load under 1.5): these are times. A tiny check that it runs:
    python bench/server_load.py --index IDX --searches 2 --asks 1 --rounds 1 --questions 1 --cli 1 --model smollm2-135m
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

QUESTIONS = [
    "How much did the 2019 budget allocate to rural school grants?",
    "How many schools does the Riverbend County Board of Education operate?",
    "How much did the 2019 budget allocate to special education?",
    "What is the Riverbend County education budget for 2019?",
]
SEARCHES = ["rural school grants", "special education funding", "teacher salaries", "transportation budget",
            "school buildings", "board of education"]
DOCQA = [sys.executable, "-m", "docqa"]


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))] if values else float("nan")


def post(url: str, route: str, body: dict, timeout: float = 600) -> dict:
    request = urllib.request.Request(url + route, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as r:
        return json.loads(r.read())


def get(url: str, route: str) -> dict:
    with urllib.request.urlopen(url + route, timeout=10) as r:
        return json.loads(r.read())


def rss_kb(pid: int) -> int:
    """Resident memory of a process and its children (llama.cpp runs inside the server's process)."""
    total = 0
    for p in [pid] + [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]:
        for line in Path(f"/proc/{p}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total


def start_server(index: Path, flags: list[str]) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen(DOCQA + ["serve", "--index", str(index), "--port", "0"] + flags,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    announce = index / "server.json"
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"docqa serve exited with {proc.returncode}: {proc.stderr.read()[-2000:]}")
        if announce.exists():
            url = json.loads(announce.read_text())["url"]
            try:
                get(url, "/health")
                return proc, url
            except OSError:
                pass
        time.sleep(0.2)
    raise SystemExit("docqa serve did not come up in 600 s")


def load(url: str, index: Path, args, flags: list[str]) -> dict:
    fresh = Path(tempfile.mkdtemp(prefix="docqa-ingest-")) / "incoming"
    shutil.copytree(args.ingest, fresh)
    before = get(url, "/health")["documents"]
    times: dict[str, list[float]] = {"search": [], "ask": []}
    errors: dict[str, list[str]] = {"search": [], "ask": []}
    lock = threading.Lock()

    def worker(kind: str, n: int) -> None:
        for r in range(args.rounds):
            t = time.perf_counter()
            try:
                if kind == "search":
                    post(url, "/v1/search", {"query": SEARCHES[(n + r) % len(SEARCHES)]})
                else:
                    post(url, "/v1/ask", {"question": QUESTIONS[(n + r) % len(QUESTIONS)]})
                with lock:
                    times[kind].append(time.perf_counter() - t)
            except Exception as exc:  # counted, not raised: the point is how many
                with lock:
                    errors[kind].append(f"{type(exc).__name__}: {exc}")

    ingest = subprocess.Popen(DOCQA + ["ingest", str(fresh), "--index", str(index), "--wait"] + flags,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    threads = [threading.Thread(target=worker, args=("search", i)) for i in range(args.searches)]
    threads += [threading.Thread(target=worker, args=("ask", i)) for i in range(args.asks)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    ingest_rc = ingest.wait()
    after = get(url, "/health")["documents"]
    shutil.rmtree(fresh.parent)
    return {
        "wall_s": round(wall, 2), "ingest_exit": ingest_rc, "ingest_stderr": ingest.stderr.read()[-500:] if ingest_rc else "",
        "documents_before": before, "documents_after": after,
        **{f"{k}_{stat}": v for k in times for stat, v in (
            ("n", len(times[k])), ("errors", len(errors[k])), ("p50_s", round(pct(times[k], 0.5), 3)),
            ("p95_s", round(pct(times[k], 0.95), 3)))},
        "first_errors": (errors["search"] + errors["ask"])[:3],
    }


def cli_ask(index: Path, question: str, flags: list[str], warm: bool) -> tuple[float, int]:
    """Wall seconds and peak RSS (KB) of one `docqa ask` process."""
    t = time.perf_counter()
    proc = subprocess.Popen(DOCQA + ["ask", question, "--index", str(index), "--json"] + flags + ([] if warm else ["--no-server"]),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"docqa ask failed: {proc.stderr.read().decode()[-1000:]}")
    return wall, usage.ru_maxrss


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--index", type=Path, required=True, help="an ingested index (copied, never changed)")
    ap.add_argument("--ingest", type=Path, default=Path("sample_docs"), help="folder ingested during the load")
    ap.add_argument("--searches", type=int, default=20)
    ap.add_argument("--asks", type=int, default=4)
    ap.add_argument("--rounds", type=int, default=5, help="requests per thread")
    ap.add_argument("--questions", type=int, default=4, help="questions for warm vs cold (at most 4)")
    ap.add_argument("--cli", type=int, default=3, help="N CLI processes the server's memory is set against")
    ap.add_argument("--model", default=None, help="generation.model for the server and the CLI alike")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    flags = ["--model", args.model] if args.model else []

    work = Path(tempfile.mkdtemp(prefix="docqa-bench-"))
    index = work / "index"
    shutil.copytree(args.index, index, ignore=shutil.ignore_patterns("server.json", ".lock", "uploads"))
    proc, url = start_server(index, flags)
    try:
        report = {"load_avg": round(os.getloadavg()[0], 2), "server_rss_mb_loaded": round(rss_kb(proc.pid) / 1024)}
        report["load"] = load(url, index, args, [])
        report["server_rss_mb_after_load"] = round(rss_kb(proc.pid) / 1024)
        questions = QUESTIONS[: args.questions]
        warm = [cli_ask(index, q, flags, warm=True) for q in questions]
        cold = [cli_ask(index, q, flags, warm=False) for q in questions]
        report["warm_cli_ask_s_p50"] = round(pct([w for w, _ in warm], 0.5), 2)
        report["cold_cli_ask_s_p50"] = round(pct([w for w, _ in cold], 0.5), 2)
        report["warm_cli_rss_mb"] = round(max(r for _, r in warm) / 1024)
        report["cold_cli_rss_mb"] = round(max(r for _, r in cold) / 1024)
        report[f"cli_rss_mb_x{args.cli}"] = report["cold_cli_rss_mb"] * args.cli
    finally:
        proc.terminate()
        proc.wait(30)
        shutil.rmtree(work)
    if args.json:
        print(json.dumps(report, indent=2))
        return
    ld = report["load"]
    print(f"load avg {report['load_avg']} · {args.searches} search + {args.asks} ask threads x {args.rounds} rounds, "
          f"during `docqa ingest` (exit {ld['ingest_exit']}; documents {ld['documents_before']} -> {ld['documents_after']})")
    print("| kind | n | errors | p50 s | p95 s |\n|---|---:|---:|---:|---:|")
    for kind in ("search", "ask"):
        print(f"| {kind} | {ld[kind + '_n']} | {ld[kind + '_errors']} | {ld[kind + '_p50_s']} | {ld[kind + '_p95_s']} |")
    for e in ld["first_errors"]:
        print(f"  error: {e}")
    print(f"\nask from the shell, p50 over {len(questions)} questions: warm (server) {report['warm_cli_ask_s_p50']} s, "
          f"cold (--no-server) {report['cold_cli_ask_s_p50']} s")
    print(f"memory: server {report['server_rss_mb_after_load']} MB RSS; one cold CLI ask peaks at "
          f"{report['cold_cli_rss_mb']} MB, {args.cli} of them {report[f'cli_rss_mb_x{args.cli}']} MB; "
          f"a warm CLI ask {report['warm_cli_rss_mb']} MB")


if __name__ == "__main__":
    main()
