"""Kill test: start an ingest, kill -9 it at a random moment, re-run it, check the invariants.

    python bench/crashtest.py [--trials 20] [--files 40] [--json]

Each trial uses a fresh index over the same generated corpus. After the kill, the same ingest is
run again to completion, and then:
  - every file is present exactly once with the chunk count of a clean reference ingest;
  - the FAISS file holds exactly SQLite's ids and vectors (docqa.memory.check);
  - a sample of chunks re-embeds to its stored vector (text matches its vector);
  - no document is half-ingested (chunk rows complete, FTS5 in step).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

WORDS = (
    "river bridge harbour council budget school teacher grant rural library museum ferry tide "
    "engine orchard winter summer market railway lantern meadow quarry mill canal bakery"
).split()


def make_corpus(root: Path, files: int, seed: int = 0) -> Path:
    rng = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    for i in range(files):
        paras = []
        for p in range(rng.randint(8, 20)):
            sents = [
                f"Record {i}.{p}.{s}: the {rng.choice(WORDS)} near the {rng.choice(WORDS)} cost {rng.randint(1, 999)} pounds."
                for s in range(rng.randint(3, 8))
            ]
            paras.append(" ".join(sents))
        (root / f"doc_{i:03d}.txt").write_text("\n\n".join(paras), encoding="utf-8")
    return root


def _ingest_cmd(corpus: Path, index: Path) -> list[str]:
    return [sys.executable, "-m", "docqa", "ingest", str(corpus), "--index", str(index), "--json"]


def reference_counts(corpus: Path, workdir: Path) -> tuple[dict[str, int], float]:
    """Chunk counts of a clean ingest, and its wall time (process start included)."""
    index = workdir / "reference"
    t0 = time.monotonic()
    out = subprocess.run(_ingest_cmd(corpus, index), capture_output=True, text=True, check=True)
    wall = time.monotonic() - t0
    json.loads(out.stdout)
    from docqa.memory.store import Store

    store = Store(index)
    counts = {d.path: d.chunks for d in store.documents()}
    store.close()
    return counts, wall


def trial(corpus: Path, index: Path, seed: int, reference: dict[str, int], embed, wall: float) -> dict:
    from docqa.memory.check import check_store
    from docqa.memory.store import Store

    rng = random.Random(seed)
    # Anywhere from model loading to the last commits of a clean run.
    delay = rng.uniform(0.3, 1.0) * wall
    proc = subprocess.Popen(_ingest_cmd(corpus, index), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(delay)
    killed = proc.poll() is None
    if killed:
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    store = Store(index) if (index / "docqa.sqlite").exists() else None
    before = len(store.documents()) if store else 0
    if store:
        store.close()
    rerun = subprocess.run(_ingest_cmd(corpus, index), capture_output=True, text=True)
    report = json.loads(rerun.stdout)
    store = Store(index)
    problems = check_store(store, 384, embed=embed)
    from docqa.memory.vectors import latest_file

    latest = latest_file(index)
    if latest is None or latest[0] != store.generation:
        problems.append(f"FAISS file {latest} is not at the store's generation {store.generation}")
    got = {d.path: d.chunks for d in store.documents()}
    if got != reference:
        problems.append(f"documents/chunk counts differ from the reference ({len(got)} vs {len(reference)} files)")
    store.close()
    return {
        "seed": seed, "delay_s": round(delay, 2), "killed": killed, "docs_before_rerun": before,
        "rerun_ingested": len(report["ingested"]), "rerun_unchanged": len(report["unchanged"]),
        "problems": problems, "ok": not problems and rerun.returncode == 0,
    }


def run(trials: int, files: int, workdir: Path) -> list[dict]:
    from docqa.models.embedder import make_embedder
    from docqa.settings import EmbeddingSettings

    embed = make_embedder(EmbeddingSettings()).embed
    corpus = make_corpus(workdir / "corpus", files)
    reference, wall = reference_counts(corpus, workdir)
    return [trial(corpus, workdir / f"index-{s}", s, reference, embed, wall) for s in range(trials)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--trials", type=int, default=20)
    ap.add_argument("--files", type=int, default=80)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        results = run(args.trials, args.files, Path(tmp))
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        for r in results:
            print(
                f"seed {r['seed']:2d} kill@{r['delay_s']:5.2f}s killed={r['killed']!s:5} "
                f"stored-before-rerun={r['docs_before_rerun']:3d} rerun ingested={r['rerun_ingested']:3d} "
                f"unchanged={r['rerun_unchanged']:3d} {'OK' if r['ok'] else r['problems']}"
            )
    ok = sum(r["ok"] for r in results)
    print(f"{ok}/{len(results)} recovered")
    sys.exit(0 if ok == len(results) else 1)


if __name__ == "__main__":
    main()
