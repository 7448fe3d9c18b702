# Two commands on a fresh clone: `make reports` and `make test`.
# Each creates .venv when it is missing and (re)installs when pyproject.toml changes.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.llmtrends-installed
JOBS   ?=
# Byte-compile the (editable) package as pip does for an installed wheel: with
# PYTHONDONTWRITEBYTECODE set, every process, each kernel included, would
# otherwise compile llmtrends from source. Up-to-date files are skipped.
BYTECODE = $(PY) -m compileall -q llmtrends

.PHONY: reports test bench venv clean browser

$(STAMP): pyproject.toml setup.py
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

venv: $(STAMP)

reports: $(STAMP)  ## run every report of notebooks/reports.yaml into exports/
	@$(BYTECODE)
	$(VENV)/bin/llmtrends run $(if $(JOBS),--jobs $(JOBS))

test: $(STAMP) browser  ## the whole test suite (data integrity, notebooks, exports, browser)
	$(PY) -m pytest

browser:  ## Debian's chromium + chromium-driver for the browser tests, when root with apt-get
	@sh .ci/browser

bench: $(STAMP)  ## speed and memory figures of the batch (not part of `make test`)
	@$(BYTECODE)
	$(PY) benchmarks/batch.py
	$(PY) benchmarks/load.py

clean:
	rm -rf exports/*.html exports/*.ipynb exports/*.json build dist *.egg-info
