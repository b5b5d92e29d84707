"""docqa eval-summaries without the `eval` extra: one line naming the extra, exit 2, before any work."""

import sys

import pytest
from typer.testing import CliRunner

from docqa.cli import app
from docqa.errors import MissingExtra
from docqa.eval import qmsum


@pytest.fixture
def no_rouge(monkeypatch):
    # A None entry in sys.modules makes `import rouge_score` raise ImportError, as if not installed.
    for name in [m for m in sys.modules if m == "rouge_score" or m.startswith("rouge_score.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "rouge_score", None)


def test_rouge_without_the_extra_names_it(no_rouge):
    with pytest.raises(MissingExtra, match=r"pip install 'docqa\[eval\]'"):
        qmsum.rouge("a summary", "a reference")


def test_eval_summaries_without_the_extra_is_one_line_and_exit_2(no_rouge, tmp_path):
    data = tmp_path / "qmsum.jsonl"
    data.write_text("{}\n", encoding="utf-8")  # never read: the missing extra is reported first
    r = CliRunner().invoke(app, ["eval-summaries", str(data), "--index", str(tmp_path / "idx")])
    assert r.exit_code == 2, r.output
    lines = [ln for ln in r.output.splitlines() if ln.strip()]
    assert len(lines) == 1, r.output
    assert "pip install 'docqa[eval]'" in lines[0]
    assert not (tmp_path / "idx" / "qmsum_meetings").exists()
