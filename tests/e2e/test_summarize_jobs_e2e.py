"""A batch summarize job killed with kill -9, then resumed: nothing done twice, nothing lost.

Runs the real CLI in a subprocess with the tiny SmolLM2 model (the job machinery, not summary
quality, is under test here).
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

pytestmark = pytest.mark.e2e

# Three short documents, one window each: one is done before the kill and the others are not.
# (The sample documents took two minutes of summarizing, for machinery that is the same on any text.)
DOCS = {
    "harbour.txt": "The harbour master logged nine ships in March. Two schooners brought salt from Cadiz. "
                   "A storm on the twelfth kept the fishing fleet in port for three days.",
    "library.txt": "The town library opened a reading room in 1902. It lent four thousand books in its first "
                   "year. Evening classes in bookkeeping began there the following winter.",
    "railway.txt": "The railway reached the valley in 1871. Its station handled timber and wool. Passenger "
                   "trains ran twice a day until the line closed in 1958.",
}


def _items(index_dir) -> dict[str, str]:
    with sqlite3.connect(index_dir / "docqa.sqlite") as conn:
        return dict(conn.execute("SELECT item, state FROM job_items"))


def test_a_killed_job_resumes_where_it_stopped(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    for name, text in DOCS.items():
        (docs / name).write_text(text, encoding="utf-8")
    index_dir, out = tmp_path / "idx", tmp_path / "out"
    docqa = [sys.executable, "-m", "docqa"]
    env = {**os.environ, "DOCQA_GENERATION__MODEL": "smollm2-135m"}
    job = subprocess.Popen(
        [*docqa, "summarize", str(docs), "--out", str(out), "--index", str(index_dir), "--words", "40", "--json"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
    )
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline and job.poll() is None:
        if (index_dir / "docqa.sqlite").exists():
            try:
                if "done" in _items(index_dir).values():
                    break
            except sqlite3.OperationalError:
                pass  # tables not there yet
        time.sleep(0.2)
    assert job.poll() is None, "the job finished before it could be killed: " + job.stderr.read().decode()
    job.send_signal(signal.SIGKILL)
    job.wait()
    before = _items(index_dir)
    done_before = {i for i, s in before.items() if s == "done"}
    assert done_before and "pending" in before.values()
    mtimes = {p.name: p.stat().st_mtime_ns for p in out.glob("*.md")}

    listed = subprocess.run([*docqa, "jobs", "list", "--json", "--index", str(index_dir)], capture_output=True, text=True, env=env)
    job_id = json.loads(listed.stdout)[0]["id"]
    resumed = subprocess.run([*docqa, "jobs", "resume", job_id, "--index", str(index_dir), "--json"],
                             capture_output=True, text=True, env=env, timeout=900)
    assert resumed.returncode == 0, resumed.stderr
    final = json.loads(resumed.stdout)
    assert final["state"] == "done" and final["counts"]["pending"] == 0
    assert final["counts"]["done"] == len(before)
    # Documents finished before the kill were not redone: their outputs were not rewritten.
    for p in out.glob("*.md"):
        if p.name in mtimes:
            assert p.stat().st_mtime_ns == mtimes[p.name]
    overview = (out / "overview.md").read_text(encoding="utf-8").split("## Documents")[0]
    assert all(name in overview for name in DOCS)  # every document is in the overview, done before the kill or after
    assert len(list(out.glob("*.json"))) == len(before)
