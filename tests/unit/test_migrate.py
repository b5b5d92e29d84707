"""`docqa migrate`: an embedded index copied into PostgreSQL + pgvector answers searches identically."""

import json

import pytest
from typer.testing import CliRunner

from docqa.chat import sessions
from docqa.cli import app
from docqa.errors import StoreError
from docqa.index import Index
from docqa.memory.check import check_store
from docqa.memory.migrate import migrate
from docqa.settings import load_settings
from tests.conftest import write

DOCS = {
    "bridges.txt": "The Millbrook bridge opened in 1932. It spans the river Avon.\n\nIt was repaired in 1988.",
    "harbour.md": "# Harbour\n\n## Tides\n\nHigh tide comes twice a day.\n\n## Boats\n\nThe ferry leaves at noon.",
    "mill.txt": "The old mill ground wheat until 1950. Its wheel still turns for visitors.",
}
QUERIES = ["when was the bridge repaired", "ferry departure", "what did the mill grind", "tides"]


@pytest.fixture
def source(tmp_path):
    folder = tmp_path / "docs"
    for name, text in DOCS.items():
        write(folder / name, text)
    settings = load_settings({"index": str(tmp_path / "index")}, environ={})
    with Index.open(settings.index, settings) as idx:
        idx.ingest([folder])
        sessions.save(idx.store, "research", {"turns": ["kept across the move"]})
        yield idx, folder


def _results(idx):
    return [[(h.chunk_id, h.path, h.start, h.end) for h in idx.search(q, k=4)] for q in QUERIES]


def _server_index(url):
    return Index.open(settings=load_settings({"index": url}, environ={}))


def test_the_copy_answers_every_search_as_the_original(source, pg_url):
    idx, _ = source
    report = migrate(idx.store, pg_url, idx.settings.vectors)
    assert (report.copied, report.chunks) == (3, idx.store.counts()[1])
    with _server_index(pg_url) as server:
        assert server.store.counts() == idx.store.counts()
        assert _results(server) == _results(idx), "same ids, same text spans, same order"
        assert sessions.load(server.store, "research")["turns"] == ["kept across the move"]
        assert check_store(server.store, 384, embed=server.embedder.embed) == []


def test_running_it_again_mirrors_changes_only(source, pg_url):
    idx, folder = source
    migrate(idx.store, pg_url, idx.settings.vectors)
    write(folder / "bridges.txt", "The Millbrook bridge was demolished in 2001.")
    (folder / "mill.txt").unlink()
    idx.ingest([folder])
    report = migrate(idx.store, pg_url, idx.settings.vectors)
    assert (report.copied, report.unchanged, report.removed) == (1, 1, 1)
    with _server_index(pg_url) as server:
        assert _results(server) == _results(idx)
        new_ids = server.ingest([folder]).ingested
        assert new_ids == [], "the copy holds the files' current versions"


def test_a_stopped_migration_resumes(source, pg_url):
    idx, _ = source

    def stop_after_first(done, total):
        if done == 1:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        migrate(idx.store, pg_url, idx.settings.vectors, progress=stop_after_first)
    report = migrate(idx.store, pg_url, idx.settings.vectors)
    assert (report.copied, report.unchanged) == (2, 1)
    with _server_index(pg_url) as server:
        assert check_store(server.store, 384) == []
        assert _results(server) == _results(idx)


def test_a_database_with_other_documents_is_refused(source, pg_url, tmp_path):
    idx, _ = source
    with _server_index(pg_url) as server:
        server.ingest([write(tmp_path / "other.txt", "Unrelated text about owls.")])
    with pytest.raises(StoreError, match="did not come from"):
        migrate(idx.store, pg_url, idx.settings.vectors)


def test_cli_migrate(source, pg_url):
    idx, _ = source
    runner = CliRunner()
    result = runner.invoke(app, ["migrate", "--to", pg_url, "--index", str(idx.directory), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["copied"] == 3
    bad = runner.invoke(app, ["migrate", "--to", "mysql://x/y", "--index", str(idx.directory)])
    assert bad.exit_code == 2 and "expected a postgresql:// URL" in bad.output
