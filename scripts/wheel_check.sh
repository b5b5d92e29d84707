#!/usr/bin/env bash
# The wheel as a user gets it: build it, install it (not editable) into a fresh venv, and ask the
# demo question from outside the repository, so the prompts must come from inside the wheel.
# Usage: scripts/wheel_check.sh [python]   (make wheel-check; .ci/run runs it after the tests)
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
python="${1:-python3}"
question="How much did the 2019 budget allocate to rural school grants?"
work="$(mktemp -d -t docqa-wheel-XXXXXX)"
trap 'rm -rf "$work"' EXIT

"$python" -m pip wheel --quiet --no-deps --wheel-dir "$work/dist" "$repo"
"$python" -m venv "$work/venv"
# torch first, pinned (the CPU build), as the Makefile does: pip never resolves a CUDA build.
"$work/venv/bin/pip" install --quiet torch==2.13.0
"$work/venv/bin/pip" install --quiet "$work"/dist/docqa-*.whl

cd "$work"
# The demo PDF alone: the point is the packaged prompts and models, not ingest throughput.
venv/bin/docqa ingest "$repo/sample_docs/riverbend_county_2019_education_budget.pdf" --index "$work/index"
venv/bin/docqa ask "$question" --index "$work/index" | tee "$work/answer.txt"
grep -q "4.2 million" "$work/answer.txt" || { echo "wheel check: the demo answer lacks '4.2 million'" >&2; exit 1; }
# docqa serve's web page is package data too.
venv/bin/python -c "from importlib.resources import files; assert (files('docqa.server') / 'static' / 'index.html').is_file(), 'docqa/server/static/index.html is not in the wheel'"
echo "wheel check: ok"
