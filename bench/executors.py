"""Ingest throughput by executor: in-process vs Ray actors, on the same folder.

    python bench/executors.py sample_docs --actors 2 [--json]

Each executor ingests DIR into a fresh temp index twice: cold (for Ray, the actors start and load
their embedders inside the timed run; the driver's model is loaded before) and warm (DIR removed,
then ingested again by the same process and actors). A local Ray runtime with --actors CPUs is
started first. Prints chunks/s and the load average, which on a shared machine says how much the
wall times are worth.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from docqa.index import Index  # noqa: E402
from docqa.settings import load_settings  # noqa: E402


def run(folder: Path, executor: str, actors: int) -> dict[str, dict]:
    """Cold and warm ingests of `folder` with one executor (warm: removed, then ingested again)."""
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings({"index": tmp, "batch": {"executor": executor, "actors": actors}}, environ={})
        with Index.open(tmp, settings) as idx:
            idx.embedder  # the driver's model load is not what is compared
            for run_name in ("cold", "warm"):
                t = time.perf_counter()
                report = idx.ingest([folder])
                seconds = time.perf_counter() - t
                out[run_name] = {"files": len(report.ingested), "chunks": report.chunks, "seconds": round(seconds, 2),
                                 "chunks_per_s": round(report.chunks / seconds, 1),
                                 "load_avg_1min": round(os.getloadavg()[0], 2)}
                idx.remove(folder)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder", type=Path)
    ap.add_argument("--actors", type=int, default=2)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    import ray

    ray.init(num_cpus=args.actors, include_dashboard=False, log_to_driver=False)
    rows = {}
    for executor in ("inprocess", "ray"):
        for run_name, r in run(args.folder, executor, args.actors).items():
            rows[f"{executor} {run_name}"] = r
    ray.shutdown()
    result = {"machine": {"cpus": os.cpu_count(), "cpu": platform.processor() or platform.machine()}, "runs": rows}
    if args.json:
        print(json.dumps(result, indent=2))
        return
    for name, r in rows.items():
        print(f"{name:<24} {r['files']} files {r['chunks']} chunks  {r['seconds']:7.2f} s  "
              f"{r['chunks_per_s']:6.1f} chunks/s  load {r['load_avg_1min']}")


if __name__ == "__main__":
    main()
