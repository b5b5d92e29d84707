"""Kill test: start an ingest, kill -9 it at a random moment, re-run it, check the invariants.

    python bench/crashtest.py [--trials 20] [--files 80] [--json]
    python bench/crashtest.py --concurrency [--files 80]   # searches during an ingest
    python bench/crashtest.py --repeated [--kills 20] [--files 300]   # short kills, then one full run

Each trial uses a fresh index over the same generated corpus. After the kill, the same ingest is
run again to completion, and then:
  - every file is present exactly once with the chunk count of a clean reference ingest;
  - the FAISS file holds exactly SQLite's ids and vectors (docqa.memory.check);
  - a sample of chunks re-embeds to its stored vector (text matches its vector);
  - no document is half-ingested (chunk rows complete, FTS5 in step).

--repeated starts the same ingest over and over on one index, killing it (-9) after a random
2-10 s each time, then lets a last run finish: the files stored after each kill show whether
short runs make progress, and the end state is checked as above (every file once, complete).
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


def reference_counts(corpus: Path, workdir: Path) -> dict[str, int]:
    """Chunk counts of a clean ingest."""
    index = workdir / "reference"
    out = subprocess.run(_ingest_cmd(corpus, index), capture_output=True, text=True, check=True)
    json.loads(out.stdout)
    from docqa.memory.store import Store

    store = Store(index)
    counts = {d.path: d.chunks for d in store.documents()}
    store.close()
    return counts


def _committed(index: Path) -> int:
    """Files the running ingest has committed so far (read-only; 0 before the store exists)."""
    import sqlite3

    try:
        with sqlite3.connect(f"file:{index / 'docqa.sqlite'}?mode=ro", uri=True, timeout=1) as conn:
            return conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
    except sqlite3.Error:
        return 0


def trial(corpus: Path, index: Path, seed: int, reference: dict[str, int], embed) -> dict:
    from docqa.memory.check import check_store
    from docqa.memory.store import Store

    t_trial = time.monotonic()
    rng = random.Random(seed)
    # The kill lands once a random number of files is committed, plus a random jitter: a moment
    # drawn from the run's progress, not from the clock, so a busy machine can't push every
    # kill before the first commit.
    target = rng.randrange(0, len(reference))
    jitter = rng.uniform(0.0, 0.5)
    proc = subprocess.Popen(_ingest_cmd(corpus, index), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while proc.poll() is None and _committed(index) < target:
        time.sleep(0.02)
    time.sleep(jitter)
    delay = time.monotonic() - t_trial
    killed = proc.poll() is None
    if killed:
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    store = Store(index) if (index / "docqa.sqlite").exists() else None
    before = len(store.documents()) if store else 0
    if store:
        store.close()
    t_rerun = time.monotonic()
    rerun = subprocess.run(_ingest_cmd(corpus, index), capture_output=True, text=True)
    rerun_s = time.monotonic() - t_rerun
    try:
        report = json.loads(rerun.stdout)
    except json.JSONDecodeError:
        report = {"ingested": [], "unchanged": []}
    problems = []
    if rerun.returncode != 0:
        tail = (rerun.stderr.strip().splitlines() or ["(no output)"])[-1]
        problems.append(f"re-run exited {rerun.returncode}: {tail}")
    store = Store(index)
    problems += check_store(store, 384, embed=embed)
    from docqa.memory.vectors import latest_file

    latest = latest_file(index)
    if latest is None or latest[0] != store.generation:
        problems.append(f"FAISS file {latest} is not at the store's generation {store.generation}")
    got = {d.path: d.chunks for d in store.documents()}
    if got != reference:
        problems.append(f"documents/chunk counts differ from the reference ({len(got)} vs {len(reference)} files)")
    store.close()
    return {
        "seed": seed, "kill_after_files": target, "delay_s": round(delay, 2), "killed": killed, "docs_before_rerun": before,
        "rerun_ingested": len(report["ingested"]), "rerun_unchanged": len(report["unchanged"]),
        "rerun_s": round(rerun_s, 2), "trial_s": round(time.monotonic() - t_trial, 2),
        "problems": problems, "ok": not problems and rerun.returncode == 0,
    }


def concurrency(workdir: Path, files: int = 30, query: str = "the bridge near the harbour cost") -> dict:
    """An ingest in one process, a loop of searches in this one until the ingest ends.

    A search is inconsistent when a hit's text is not its document's text at the hit's offsets,
    when its document is not complete in the store (a half-committed file), or when FAISS
    returned an id SQLite does not have at the generation the search read.
    """
    from docqa.index import Index
    from docqa.settings import load_settings

    corpus = make_corpus(workdir / "corpus", files=files, seed=3)
    index_dir = workdir / "idx"
    settings = load_settings({"index": str(index_dir)}, environ={})
    writer = subprocess.Popen(_ingest_cmd(corpus, index_dir), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    t0 = time.monotonic()
    while not (index_dir / "docqa.sqlite").exists() and writer.poll() is None:
        time.sleep(0.05)
    searches, answered, hits_seen, inconsistent, generations = 0, 0, 0, [], set()
    with Index.open(index_dir, settings, create=False) as idx:
        while True:
            done = writer.poll() is not None
            generations.add(idx.store.generation)
            hits = idx.search(query, k=5)
            answered += bool(hits)
            for hit in hits:
                hits_seen += 1
                with idx.store.snapshot() as conn:
                    (doc_chunks,) = conn.execute("SELECT chunks FROM documents WHERE id = ?", (hit.doc_id,)).fetchone() or (None,)
                    (rows,) = conn.execute("SELECT COUNT(*) FROM chunks WHERE doc_id = ?", (hit.doc_id,)).fetchone()
                    text = idx.store.document_text(hit.doc_id) if doc_chunks is not None else ""
                if text[hit.start : hit.end] != hit.text or doc_chunks != rows:
                    inconsistent.append(hit.chunk_id)
            searches += 1
            if done:
                break
        from docqa.memory.check import check_store

        final = {
            "vectors": len(idx.vectors), "chunks": idx.store.counts()[1],
            "documents": len(idx.documents()), "problems": check_store(idx.store, idx.embedder.dim),
        }
    return {
        "searches": searches, "searches_with_hits": answered, "hits_checked": hits_seen, "inconsistent": len(inconsistent),
        "generations_seen": len(generations), "ingest_s": round(time.monotonic() - t0, 2),
        "ingest_rc": writer.returncode, "ingest_stderr": writer.stderr.read().decode(errors="replace")[-2000:],
        **final,
    }


def _final_problems(index: Path, corpus: Path, embed) -> list[str]:
    """Every corpus file stored exactly once and complete, FAISS at the store's generation."""
    from docqa.memory.check import check_store
    from docqa.memory.store import Store
    from docqa.memory.vectors import latest_file

    store = Store(index)
    try:
        problems = check_store(store, 384, embed=embed)
        latest = latest_file(index)
        if latest is None or latest[0] != store.generation:
            problems.append(f"FAISS file {latest} is not at the store's generation {store.generation}")
        paths = [d.path for d in store.documents()]
        if len(paths) != len(set(paths)):
            problems.append(f"{len(paths) - len(set(paths))} files stored twice")
        want = {str(p) for p in corpus.iterdir()}
        if set(paths) != want:
            problems.append(f"{len(want - set(paths))} files missing, {len(set(paths) - want)} unexpected")
        if sum(d.chunks for d in store.documents()) != store.counts()[1]:
            problems.append("chunk rows differ from the documents' chunk counts")
    finally:
        store.close()
    return problems


def repeated(corpus: Path, index: Path, kills: int, embed, seed: int = 0, lo: float = 2.0, hi: float = 10.0) -> dict:
    """`kills` ingests of one index, each killed -9 after a random lo..hi s; then one run to the end."""
    rng = random.Random(seed)
    rows = []
    for n in range(kills):
        wait = rng.uniform(lo, hi)
        proc = subprocess.Popen(_ingest_cmd(corpus, index), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            proc.wait(timeout=wait)
            killed = False
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
            killed = True
        rows.append({"kill": n + 1, "after_s": round(wait, 1), "killed": killed, "stored": _committed(index)})
    t0 = time.monotonic()
    final = subprocess.run(_ingest_cmd(corpus, index), capture_output=True, text=True)
    try:
        report = json.loads(final.stdout)
    except json.JSONDecodeError:
        report = {"ingested": [], "unchanged": []}
    problems = [] if final.returncode == 0 else [f"final run exited {final.returncode}: {final.stderr.strip()[-300:]}"]
    problems += _final_problems(index, corpus, embed)
    return {
        "files": sum(1 for _ in corpus.iterdir()), "kills": rows, "final_ingested": len(report["ingested"]),
        "final_unchanged": len(report["unchanged"]), "final_s": round(time.monotonic() - t0, 1),
        "problems": problems, "ok": not problems,
    }


def run(trials: int, files: int, workdir: Path) -> list[dict]:
    from docqa.models.embedder import make_embedder
    from docqa.settings import EmbeddingSettings

    embed = make_embedder(EmbeddingSettings()).embed
    corpus = make_corpus(workdir / "corpus", files)
    reference = reference_counts(corpus, workdir)
    return [trial(corpus, workdir / f"index-{s}", s, reference, embed) for s in range(trials)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--trials", type=int, default=20)
    ap.add_argument("--files", type=int, default=80)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--concurrency", action="store_true", help="Instead: searches during one ingest, counting inconsistent results.")
    ap.add_argument("--repeated", action="store_true", help="Instead: --kills short runs of one ingest, then a full one.")
    ap.add_argument("--kills", type=int, default=20)
    ap.add_argument("--corpus", type=Path, help="With --repeated: this folder instead of --files generated ones.")
    args = ap.parse_args()
    if args.repeated:
        _main_repeated(args)
    if args.concurrency:
        with tempfile.TemporaryDirectory() as tmp:
            r = concurrency(Path(tmp), files=args.files)
        print(json.dumps(r, indent=2) if args.json else
              f"{r['searches']} searches ({r['searches_with_hits']} with results, {r['hits_checked']} hits checked) during a {r['ingest_s']}s ingest, "
              f"{r['generations_seen']} generations seen, {r['inconsistent']} inconsistent")
        sys.exit(0 if r["inconsistent"] == 0 and r["ingest_rc"] == 0 and not r["problems"] else 1)
    with tempfile.TemporaryDirectory() as tmp:
        results = run(args.trials, args.files, Path(tmp))
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        for r in results:
            print(
                f"seed {r['seed']:2d} kill after {r['kill_after_files']:3d} files @{r['delay_s']:5.2f}s killed={r['killed']!s:5} trial {r['trial_s']:6.1f}s "
                f"stored-before-rerun={r['docs_before_rerun']:3d} rerun ingested={r['rerun_ingested']:3d} "
                f"unchanged={r['rerun_unchanged']:3d} {'OK' if r['ok'] else r['problems']}"
            )
    ok = sum(r["ok"] for r in results)
    mean = sum(r["trial_s"] for r in results) / max(1, len(results))
    print(f"{ok}/{len(results)} recovered ({sum(r['killed'] for r in results)} killed mid-run; {mean:.1f}s per trial)")
    sys.exit(0 if ok == len(results) else 1)


def _main_repeated(args) -> None:
    from docqa.models.embedder import make_embedder
    from docqa.settings import EmbeddingSettings

    embed = make_embedder(EmbeddingSettings()).embed
    with tempfile.TemporaryDirectory() as tmp:
        corpus = args.corpus.resolve() if args.corpus else make_corpus(Path(tmp) / "corpus", args.files)
        r = repeated(corpus, Path(tmp) / "index", args.kills, embed)
    if args.json:
        print(json.dumps(r, indent=2))
    else:
        for k in r["kills"]:
            print(f"kill {k['kill']:2d} after {k['after_s']:4.1f}s killed={k['killed']!s:5} stored {k['stored']:4d}/{r['files']}")
        print(f"final run: ingested {r['final_ingested']}, unchanged {r['final_unchanged']} in {r['final_s']}s; "
              f"{'OK' if r['ok'] else r['problems']}")
    sys.exit(0 if r["ok"] else 1)


if __name__ == "__main__":
    main()
