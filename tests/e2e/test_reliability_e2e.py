"""Crash safety, one writer with concurrent readers, and nothing unsafe loaded from the index."""

from __future__ import annotations

import importlib.util
import os
import pickle
import subprocess
import sys
import time

import pytest

from docqa.index import Index
from docqa.memory.check import check_store
from docqa.settings import load_settings
from tests.conftest import REPO

pytestmark = pytest.mark.e2e


def _crashtest():
    spec = importlib.util.spec_from_file_location("crashtest", REPO / "bench" / "crashtest.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_kill_9_during_ingest_then_rerun_recovers(tmp_path, embedder):
    """A small version of bench/crashtest.py (which runs 20 seeds)."""
    results = _crashtest().run(trials=2, files=12, workdir=tmp_path)
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
    crashtest = _crashtest()
    corpus = crashtest.make_corpus(tmp_path / "corpus", files=30, seed=3)
    index_dir = tmp_path / "idx"
    settings = load_settings({"index": str(index_dir)}, environ={})
    writer = subprocess.Popen(
        [sys.executable, "-m", "docqa", "ingest", str(corpus), "--index", str(index_dir), "--json"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    while not (index_dir / "docqa.sqlite").exists() and writer.poll() is None:
        time.sleep(0.1)
    searches, inconsistent, generations = 0, [], set()
    with Index.open(index_dir, settings, create=False) as idx:
        while True:
            done = writer.poll() is not None
            generations.add(idx.store.generation)
            for hit in idx.search("the bridge near the harbour cost", k=5):
                text = idx.store.document_text(hit.doc_id)
                if text[hit.start : hit.end] != hit.text:
                    inconsistent.append(hit.chunk_id)
            searches += 1
            if done:
                break
        assert writer.returncode == 0, writer.stderr.read()
        assert inconsistent == []
        assert searches >= 3 and len(generations) >= 2, "no search overlapped the ingest"
        assert len(idx.vectors) == idx.store.counts()[1] == sum(d.chunks for d in idx.documents())
        assert check_store(idx.store, idx.embedder.dim) == []
