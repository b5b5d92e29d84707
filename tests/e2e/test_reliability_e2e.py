"""Crash safety, one writer with concurrent readers, and nothing unsafe loaded from the index."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import time

import pytest

from docqa.index import Index
from docqa.memory.check import check_store
from docqa.settings import load_settings
from tests.conftest import bench_module

pytestmark = pytest.mark.e2e


def test_kill_9_during_ingest_then_rerun_recovers(tmp_path, embedder):
    """A small version of bench/crashtest.py (which runs 20 seeds)."""
    results = bench_module("crashtest").run(trials=2, files=12, workdir=tmp_path)
    assert [r["problems"] for r in results] == [[], []]
    assert all(r["ok"] for r in results)


class _Boom:
    def __reduce__(self):
        return (os.system, (f"touch {os.environ['DOCQA_PICKLE_MARKER']}",))


def test_planted_pickle_is_never_loaded(tmp_path, monkeypatch, embedder):
    marker = tmp_path / "unpickled"
    monkeypatch.setenv("DOCQA_PICKLE_MARKER", str(marker))
    settings = load_settings({"index": str(tmp_path / "idx")}, environ={})
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text("Lanterns light the canal path at dusk.", encoding="utf-8")
    with Index.open(settings.index, settings) as idx:
        idx.ingest([docs])
    for name in ("index.pkl", "docstore.pickle", "vectors-g99.pkl", "chunks.npy"):
        (settings.index / name).write_bytes(pickle.dumps(_Boom()))
    with Index.open(settings.index, settings) as idx:
        assert idx.search("canal lanterns", k=1)[0].text.startswith("Lanterns")
        idx.ingest([docs])
    assert not marker.exists()


def test_searches_during_an_ingest_see_consistent_snapshots(tmp_path, embedder):
    """bench/crashtest.py --concurrency in small: prints "N searches ..., 0 inconsistent" (run with -s)."""
    r = bench_module("crashtest").concurrency(tmp_path, files=30)
    print(
        f"\nconcurrency: {r['searches']} searches ({r['searches_with_hits']} with results, {r['hits_checked']} hits checked) during a {r['ingest_s']}s ingest, "
        f"{r['generations_seen']} generations seen, {r['inconsistent']} inconsistent"
    )
    assert r["ingest_rc"] == 0, r["ingest_stderr"]
    assert r["inconsistent"] == 0
    assert r["searches"] >= 3 and r["generations_seen"] >= 2, "no search overlapped the ingest"
    assert r["vectors"] == r["chunks"] and r["documents"] == 30
    assert r["problems"] == []


def _stored(db) -> dict[str, tuple[int, float]]:
    import sqlite3

    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)
        try:
            return {p: (i, t) for p, i, t in conn.execute("SELECT path, id, ingested_at FROM documents")}
        finally:
            conn.close()
    except sqlite3.Error:
        return {}


def test_ctrl_c_stops_after_the_batch_and_the_rerun_continues(tmp_path, embedder):
    """SIGINT to a running `docqa ingest`: it finishes the batch in hand, says how to continue,
    exits 130; the same command again skips every stored file and ingests only the rest."""
    import signal

    crashtest = bench_module("crashtest")
    corpus = crashtest.make_corpus(tmp_path / "corpus", files=80, seed=5)
    index_dir = tmp_path / "idx"
    cmd = [sys.executable, "-m", "docqa", "ingest", str(corpus), "--index", str(index_dir)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 300
    while proc.poll() is None and time.monotonic() < deadline and not _stored(index_dir / "docqa.sqlite"):
        time.sleep(0.05)
    assert proc.poll() is None, "the ingest ended before it could be interrupted"
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 130, (out, err)
    assert "interrupted" in err and "run the same command again to continue" in err
    assert "Traceback" not in err
    before = _stored(index_dir / "docqa.sqlite")
    assert 0 < len(before) < 80, "stopped after the batch in hand, not at the end"

    with Index.open(index_dir, load_settings({"index": str(index_dir)}, environ={}), create=False) as idx:
        assert check_store(idx.store, 384) == []
        report = idx.ingest([corpus])
        after = {d.path: (d.id, d.ingested_at) for d in idx.documents()}
    assert sorted(report.unchanged) == sorted(before), "stored files are skipped on the re-run"
    assert len(report.ingested) == 80 - len(before) and report.exit_code == 0
    assert all(after[p] == before[p] for p in before), "a stored file was re-embedded"
    assert len(after) == 80
