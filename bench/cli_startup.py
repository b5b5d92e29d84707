"""CLI start-up: wall time of the quick commands and the import time of what `docqa.cli` pulls in.

    python bench/cli_startup.py [--runs 5] [--index DIR] [--top 15] [--pyc]

Each command runs as its own process (the installed `docqa` script, as a user types it); the wall
time is the median and the best of --runs, after one untimed run. With PYTHONDONTWRITEBYTECODE set
(as in some sandboxes) Python compiles docqa's own modules on every start (cli.py alone is ~13 ms);
--pyc unsets it for the runs, so the untimed run writes __pycache__ as an installed docqa has it. The import table is `python -X importtime -c "import
docqa.cli"` (cumulative microseconds, best of --runs per module), the modules costing most.
Run it on an idle machine: start-up time is mostly CPU, and a busy core doubles it.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

COMMANDS = (["--help"], ["list"], ["config"], ["status"])


def wall(argv: list[str], runs: int, env: dict[str, str]) -> tuple[float, float]:
    exe = Path(sys.executable).with_name("docqa")
    subprocess.run([str(exe), *argv], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([str(exe), *argv], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        times.append(time.perf_counter() - start)
    return statistics.median(times), min(times)


def import_times(runs: int, env: dict[str, str]) -> dict[str, int]:
    """Module -> best cumulative import time in microseconds over `runs` fresh interpreters."""
    best: dict[str, int] = {}
    for _ in range(runs):
        err = subprocess.run([sys.executable, "-X", "importtime", "-c", "import docqa.cli"],
                             env=env, capture_output=True, text=True, check=True).stderr
        for line in err.splitlines():
            if not line.startswith("import time:") or "|" not in line or "cumulative" in line:
                continue
            _, cumulative, name = line.split("|")
            us, module = int(cumulative), name.strip()
            best[module] = min(us, best.get(module, us))
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--index", help="DOCQA_INDEX for list/config/status (default: the current one)")
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--pyc", action="store_true", help="unset PYTHONDONTWRITEBYTECODE: time with compiled modules")
    args = parser.parse_args()
    env = dict(os.environ, **({"DOCQA_INDEX": args.index} if args.index else {}))
    if args.pyc:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
    elif env.get("PYTHONDONTWRITEBYTECODE"):
        print("note: PYTHONDONTWRITEBYTECODE is set: docqa's modules are compiled on every run (see --pyc)")
    for argv in COMMANDS:
        median, best = wall(argv, args.runs, env)
        print(f"docqa {' '.join(argv):8s}  median {median:.3f} s  best {best:.3f} s  ({args.runs} runs)")
    best = import_times(args.runs, env)
    print(f"\nimport docqa.cli: {best.get('docqa.cli', 0)} us cumulative (best of {args.runs}); top modules:")
    for module, us in sorted(best.items(), key=lambda kv: -kv[1])[: args.top]:
        print(f"  {us:8d}  {module}")


if __name__ == "__main__":
    main()
