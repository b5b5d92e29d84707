"""Ingest throughput: the whole pipeline against the raw embedding model on the same chunks.

    python bench/ingest.py DIR [--index TMPDIR] [--json] [--profile OUT.prof]

1. Loads the embedder and warms it up (one small encode), so model load time is in neither figure.
2. Ingests DIR into a fresh index (a temp dir under /tmp unless --index names an empty one) and
   times it: files, chunks, seconds, pipeline chunks/s, plus where the time went (hash, load,
   chunk incl. tokenizer calls, embed, SQLite commit, FAISS add/save), measured by wrapping those
   calls at run time.
3. Reads the chunk texts back (``SELECT text FROM chunks``) and times the raw model on them with
   the same batch size: ``model.encode(texts, batch_size, normalize_embeddings=True)`` as one call
   (raw chunks/s); with --grouped also split into the calls the pipeline made (its padding groups).
4. Prints pipeline/raw (target >= 0.85), peak RSS and the machine.

A measurement, never an assertion: nothing here fails on a slow number.
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import json
import os
import platform
import resource
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

TARGET_RATIO = 0.85


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


class Timers:
    """Wall time and call counts of wrapped callables (nested calls are counted in both)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)
        self.embed_sizes: list[int] = []
        self._undo: list[tuple[object, str, object, bool]] = []

    def wrap(self, owner: object, attr: str, name: str) -> None:
        original = getattr(owner, attr)
        had_own = isinstance(owner, type) or attr in getattr(owner, "__dict__", {})

        @functools.wraps(original)
        def timed(*args, **kwargs):
            t = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.seconds[name] += time.perf_counter() - t
                self.calls[name] += 1

        setattr(owner, attr, timed)
        self._undo.append((owner, attr, original, had_own))

    def restore(self) -> None:
        for owner, attr, original, had_own in reversed(self._undo):
            if had_own or isinstance(owner, type):
                setattr(owner, attr, original)
            else:
                delattr(owner, attr)
        self._undo.clear()


def run(directory: Path, index_dir: Path | None, profile: Path | None, grouped: bool = False) -> dict:
    import torch

    import docqa.ingest.pipeline as pipeline
    from docqa.index import Index
    from docqa.models.device import cpu_has_native_bf16
    from docqa.settings import load_settings

    own_tmp = index_dir is None
    if own_tmp:
        index_dir = Path(tempfile.mkdtemp(prefix="docqa-bench-ingest-", dir="/tmp"))
    elif index_dir.exists() and any(index_dir.iterdir()):
        raise SystemExit(f"{index_dir}: not empty; give a fresh directory (the bench needs an empty index)")
    settings = load_settings({"index": str(index_dir)})
    batch_size = settings.embedding.batch_size
    try:
        with Index.open(index_dir, settings) as idx:
            t = time.perf_counter()
            emb = idx.embedder
            load_s = time.perf_counter() - t
            model = emb._model
            warm = ["A short sentence to warm the model up."] * min(batch_size, 8)
            emb.embed(warm)
            model.encode(warm, batch_size=batch_size, normalize_embeddings=True, show_progress_bar=False)
            idx.vectors  # open FAISS too, so the timer starts at the first file

            timers = Timers()
            timers.wrap(pipeline, "_sha256", "hash")
            timers.wrap(pipeline, "load", "load (parse)")
            timers.wrap(pipeline, "chunk_document", "chunk (total)")
            timers.wrap(emb, "count_tokens_many", "  tokenizer: count_tokens_many")
            timers.wrap(emb, "token_offsets", "  tokenizer: token_offsets")
            timers.wrap(idx.store, "replace_document", "sqlite replace_document")
            timers.wrap(idx.vectors, "add", "faiss add")
            timers.wrap(idx, "_save_vectors", "faiss save")
            original_embed = emb.embed

            def embed(texts):
                timers.embed_sizes.append(len(texts))
                return original_embed(texts)

            emb.embed = embed
            timers.wrap(emb, "embed", "embed")

            rss_before = peak_rss_mb()
            load_before = os.getloadavg()[0]
            cpu0 = time.process_time()
            profiler = cProfile.Profile() if profile else None
            if profiler:
                profiler.enable()
            report = idx.ingest([directory])
            if profiler:
                profiler.disable()
                profiler.dump_stats(str(profile))
            pipe_cpu = time.process_time() - cpu0
            timers.restore()
            if "embed" in emb.__dict__:
                del emb.embed
            rss_ingest = peak_rss_mb()

            texts = [r[0] for r in idx.store.conn.execute("SELECT text FROM chunks ORDER BY id")]
            t, cpu0 = time.perf_counter(), time.process_time()
            model.encode(texts, batch_size=batch_size, normalize_embeddings=True, show_progress_bar=False)
            raw_s, raw_cpu = time.perf_counter() - t, time.process_time() - cpu0
            raw_grouped_s = 0.0
            if grouped:
                # The same texts split into the calls the pipeline made (its padding groups).
                t = time.perf_counter()
                pos = 0
                for n in timers.embed_sizes:
                    model.encode(texts[pos : pos + n], batch_size=batch_size, normalize_embeddings=True, show_progress_bar=False)
                    pos += n
                raw_grouped_s = time.perf_counter() - t
            load_after = os.getloadavg()[0]

            dtype = str(emb.dtype).replace("torch.", "")
            device = emb.device
    finally:
        if own_tmp:
            shutil.rmtree(index_dir, ignore_errors=True)

    n = len(texts)
    pipe_cps = report.chunks_per_s
    raw_cps = n / raw_s if raw_s else 0.0
    stages = {k: round(v, 3) for k, v in sorted(timers.seconds.items(), key=lambda kv: -kv[1])}
    accounted = sum(v for k, v in timers.seconds.items() if not k.startswith("  "))  # nested ones are inside
    return {
        "dir": str(directory),
        "files": {
            "ingested": len(report.ingested),
            "failed": len(report.failed),
            "unsupported": len(report.unsupported),
            "warnings": len(report.warnings),
        },
        "failed": [list(f) for f in report.failed],
        "unsupported": report.unsupported,
        "warnings": [list(w) for w in report.warnings],
        "chunks": report.chunks,
        "chunk_chars_mean": round(sum(map(len, texts)) / n, 1) if n else 0,
        "pipeline": {"seconds": round(report.seconds, 3), "chunks_per_s": round(pipe_cps, 2), "cpu_seconds": round(pipe_cpu, 3)},
        "raw_encode": {
            "seconds": round(raw_s, 3),
            "chunks_per_s": round(raw_cps, 2),
            "cpu_seconds": round(raw_cpu, 3),
            "grouped_seconds": round(raw_grouped_s, 3),
            "grouped_chunks_per_s": round(n / raw_grouped_s, 2) if raw_grouped_s else 0.0,
            "pipeline_embed_calls": len(timers.embed_sizes),
        },
        "ratio": round(pipe_cps / raw_cps, 3) if raw_cps else None,
        # Share of the pipeline's wall time spent inside its embed calls: the ratio the pipeline
        # would reach if those calls ran at raw speed. Both are timed in the same run, so unlike
        # `ratio` it does not move when other processes take the CPU between the two timings.
        "embed_share": round(timers.seconds.get("embed", 0.0) / report.seconds, 3) if report.seconds else None,
        # Process CPU time (all threads): less sensitive to other processes on a shared machine.
        "cpu_time_ratio": round(raw_cpu / pipe_cpu, 3) if pipe_cpu else None,
        "target_ratio": TARGET_RATIO,
        "stages_s": stages,
        "unaccounted_s": round(report.seconds - accounted, 3),
        "calls": dict(timers.calls),
        "model_load_s": round(load_s, 2),
        "peak_rss_mb": {"before_ingest": round(rss_before, 1), "after_ingest": round(rss_ingest, 1), "end": round(peak_rss_mb(), 1)},
        "machine": {
            "cpu": cpu_model(),
            "cores": os.cpu_count(),
            "loadavg_1min": {"before_ingest": round(load_before, 2), "at_end": round(load_after, 2)},
            "usable_cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
            "torch_threads": torch.get_num_threads(),
            "cpu_native_bf16": cpu_has_native_bf16(),
            "device": device,
            "dtype": dtype,
            "torch": torch.__version__,
            "python": platform.python_version(),
        },
        "settings": {
            "model": settings.embedding.model,
            "batch_size": batch_size,
            "chunk_tokens": settings.ingest.chunk_tokens,
            "overlap_tokens": settings.ingest.overlap_tokens,
            "pipeline_embed_batch_chunks": pipeline.EMBED_BATCH_CHUNKS,
        },
    }


def render(r: dict) -> str:
    m, f, p, raw = r["machine"], r["files"], r["pipeline"], r["raw_encode"]
    lines = [
        f"ingest bench: {r['dir']}",
        f"machine   {m['cpu']}, {m['usable_cores']} cores ({m['torch_threads']} torch threads), "
        f"{m['device']} {m['dtype']}, native bf16: {m['cpu_native_bf16']}, torch {m['torch']}",
        f"model     {r['settings']['model']} (load {r['model_load_s']} s, not timed), batch {r['settings']['batch_size']}, "
        f"chunk {r['settings']['chunk_tokens']}/{r['settings']['overlap_tokens']} tokens",
        f"files     {f['ingested']} ingested, {f['failed']} failed, {f['unsupported']} unsupported, {f['warnings']} warnings",
        f"chunks    {r['chunks']} (mean {r['chunk_chars_mean']} chars)",
        f"pipeline  {p['seconds']:.2f} s  {p['chunks_per_s']:.1f} chunks/s",
        f"raw       {raw['seconds']:.2f} s  {raw['chunks_per_s']:.1f} chunks/s  (one encode call)",
        f"raw/grp   {raw['grouped_seconds']:.2f} s  {raw['grouped_chunks_per_s']:.1f} chunks/s  "
        f"(split like the pipeline's {raw['pipeline_embed_calls']} embed calls)"
        if raw["grouped_seconds"] else f"calls     {raw['pipeline_embed_calls']} embed calls from the pipeline",
        f"ratio     {r['ratio']}  pipeline/raw chunks/s, wall  (target >= {r['target_ratio']})"
        + ("" if r["ratio"] is None or r["ratio"] >= r["target_ratio"] else "  BELOW TARGET"),
        f"embed     {r['embed_share']}  share of pipeline wall time inside embed calls (the rest is overhead)",
        f"cpu ratio {r['cpu_time_ratio']}  raw/pipeline process CPU seconds ({r['raw_encode']['cpu_seconds']:.1f} / "
        f"{r['pipeline']['cpu_seconds']:.1f})",
        f"load avg  {m['loadavg_1min']['before_ingest']} before ingest, {m['loadavg_1min']['at_end']} at end "
        f"(> {m['usable_cores']}: other processes shared the CPU; wall figures are then noisy)",
        f"peak RSS  {r['peak_rss_mb']['after_ingest']:.0f} MB after ingest, {r['peak_rss_mb']['end']:.0f} MB at end "
        f"({r['peak_rss_mb']['before_ingest']:.0f} MB with the model loaded)",
        "stages (s, calls):",
    ]
    for name, s in r["stages_s"].items():
        lines.append(f"  {name:<28} {s:8.2f}  {r['calls'].get(name, 0):6d}")
    lines.append(f"  {'(walk, loop, other)':<28} {r['unaccounted_s']:8.2f}")
    for path, reason in r["failed"]:
        lines.append(f"FAILED   {path}: {reason}")
    for path, w in r["warnings"]:
        lines.append(f"warning  {path}: {w}")
    for path in r["unsupported"]:
        lines.append(f"skipped  {path} (unsupported)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Ingest throughput: pipeline vs raw model encode on the same chunks.")
    ap.add_argument("dir", type=Path, help="folder (or file) to ingest")
    ap.add_argument("--index", type=Path, default=None, help="empty directory for the index (default: a temp dir, removed)")
    ap.add_argument("--json", action="store_true", help="print JSON instead of the table")
    ap.add_argument("--grouped", action="store_true", help="also time raw encode split into the pipeline's embed calls")
    ap.add_argument("--profile", type=Path, default=None, help="write a cProfile of the ingest call here")
    args = ap.parse_args(argv)
    if not args.dir.exists():
        ap.error(f"{args.dir}: no such file or folder")
    result = run(args.dir, args.index, args.profile, args.grouped)
    print(json.dumps(result, indent=2, ensure_ascii=False) if args.json else render(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
