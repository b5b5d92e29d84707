"""Ingest speed per document format: chunks/s through the whole pipeline, and the loader alone.

    python bench/formats.py [--files 20] [--scale 1.0] [--formats docx,pptx,...] [--json]

For each format, generates --files files of about the same amount of text (--scale 1: about 60 KB
of prose, or 1,000 spreadsheet rows, per file) with the libraries that read them
(tests/unit/formats_files.py), then
1. parses every file with `docqa.ingest.loaders.load` alone: files/s and MB/s of the files;
2. ingests the folder into a fresh index (the embedder warmed up first, so model load time is
   in no figure): chunks, seconds, chunks/s, as `docqa ingest` reports them.
A measurement, never an assertion: nothing here fails on a slow number.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.unit import formats_files as ff  # noqa: E402

WORDS = ("harbour tide boat storm lighthouse keeper net fish quay ferry island rope sail anchor crew cargo "
         "season winter spring north south market price catch weather coast village").split()


def sentence(rng: random.Random) -> str:
    words = rng.choices(WORDS, k=rng.randint(8, 18))
    return " ".join(words).capitalize() + f" in {rng.randint(1850, 2020)}."


def paragraph(rng: random.Random) -> str:
    return " ".join(sentence(rng) for _ in range(rng.randint(3, 6)))


def make(kind: str, rng: random.Random, scale: float) -> bytes:
    """One file of `kind` holding about 60 KB x scale of text (or 1,000 x scale rows)."""
    n = max(1, int(120 * scale))  # paragraphs of about 500 characters
    rows = max(2, int(1000 * scale))
    if kind == "docx":
        paras = [(2 if i % 10 == 0 else 0, f"Part {i // 10}" if i % 10 == 0 else paragraph(rng)) for i in range(n)]
        table = [["Boat", "Length", "Owner"]] + [[f"B{i}", f"{rng.randint(5, 30)} m", rng.choice(WORDS)] for i in range(20)]
        return ff.docx_bytes(paras, table)
    if kind == "pptx":
        return ff.pptx_bytes([(f"Slide {i}", paragraph(rng), paragraph(rng)) for i in range(max(1, n // 2))])
    if kind in ("xlsx", "csv"):
        data = [["Region", "Quarter", "Revenue", "Share", "Note"]] + [
            [rng.choice(WORDS), f"Q{rng.randint(1, 4)}", rng.randint(10, 999), rng.random(), sentence(rng)] for _ in range(rows)
        ]
        if kind == "xlsx":
            return ff.xlsx_bytes({"Data": data})
        return "\n".join(",".join(f'"{v}"' for v in row) for row in data).encode()
    if kind == "epub":
        per = 10
        return ff.epub_bytes([(f"Chapter {c}", "".join(f"<p>{paragraph(rng)}</p>" for _ in range(per)))
                              for c in range(max(1, n // per))])
    if kind == "odt":
        return ff.odt_bytes([paragraph(rng) for _ in range(n)])
    if kind == "eml":
        return ff.eml_bytes(body="\n\n".join(paragraph(rng) for _ in range(n)))
    raise ValueError(kind)


FORMATS = ["docx", "pptx", "xlsx", "csv", "epub", "odt", "eml"]


def run(kind: str, files: int, scale: float, work: Path, settings, embedder) -> dict:
    from docqa.index import Index
    from docqa.ingest.loaders import load

    folder = work / kind
    folder.mkdir()
    rng = random.Random(7)
    for i in range(files):
        (folder / f"f{i}.{kind}").write_bytes(make(kind, rng, scale))
    paths = sorted(folder.iterdir())
    nbytes = sum(p.stat().st_size for p in paths)
    t0 = time.perf_counter()
    for p in paths:
        load(p, settings.ingest)
    parse_s = time.perf_counter() - t0

    s = settings.model_copy(update={"index": str(work / f"index-{kind}")})
    with Index.open(s.index, s) as idx:
        idx.store.bind_model(embedder.name, embedder.dim)
        idx._embedder = embedder  # the warm one: model load is in no figure
        report = idx.ingest([folder])
    if report.failed:
        raise SystemExit(f"{kind}: {report.failed[:3]}")
    return {
        "format": kind, "files": files, "mb": round(nbytes / 1e6, 2), "parse_files_per_s": round(files / parse_s, 1),
        "parse_mb_per_s": round(nbytes / 1e6 / parse_s, 2), "chunks": report.chunks, "seconds": round(report.seconds, 2),
        "chunks_per_s": round(report.chunks_per_s, 1),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--files", type=int, default=20)
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--formats", default=",".join(FORMATS))
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    from docqa.models.embedder import make_embedder
    from docqa.settings import load_settings

    settings = load_settings({}, environ={})
    embedder = make_embedder(settings.embedding, settings.device)
    embedder.embed(["warm up"])
    results = []
    with tempfile.TemporaryDirectory(prefix="docqa-formats-") as tmp:
        for kind in args.formats.split(","):
            results.append(run(kind, args.files, args.scale, Path(tmp), settings, embedder))
            if not args.json:
                r = results[-1]
                print(f"{r['format']:5} {r['files']:4} files {r['mb']:7.2f} MB | parse {r['parse_files_per_s']:7.1f} files/s "
                      f"{r['parse_mb_per_s']:6.2f} MB/s | ingest {r['chunks']:6} chunks {r['seconds']:7.2f} s "
                      f"{r['chunks_per_s']:7.1f} chunks/s", flush=True)
    if args.json:
        print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
