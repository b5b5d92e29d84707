"""`docqa status --check-recall` on the sample index, exact and approximate."""

import json

import pytest
from typer.testing import CliRunner

from docqa.cli import app

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("kind", ["flat", "hnsw"])
def test_status_check_recall_reports_the_index_kind_and_recall(sample_index, kind):
    result = CliRunner().invoke(
        app, ["status", "--check-recall", "--json", "--index", str(sample_index.directory)],
        env={"DOCQA_VECTORS__KIND": kind},
    )
    assert result.exit_code == 0, result.output
    recall = json.loads(result.stdout)["recall"]
    assert recall["kind"] == kind and recall["k"] == 10
    assert recall["chunks"] == sample_index.status().chunks
    assert recall["queries"] == min(200, recall["chunks"])
    assert (recall["recall"] == 1.0) if kind == "flat" else (0.9 <= recall["recall"] <= 1.0)
