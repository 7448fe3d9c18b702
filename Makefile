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

.PHONY: reports test bench venv clean browser lab gitfilter

# The Jupyter kernel of this environment, named in every notebook's metadata.
KERNEL := llmtrends
LAB_ARGS ?=

$(STAMP): pyproject.toml setup.py
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	$(PY) -m ipykernel install --sys-prefix --name $(KERNEL) --display-name "Python (llmtrends)"
	@$(MAKE) --no-print-directory gitfilter
	@touch $(STAMP)

venv: $(STAMP)

lab: $(STAMP) gitfilter  ## JupyterLab on this environment, kernel 'llmtrends' (LAB_ARGS="--no-browser --port 8890" ...)
	$(VENV)/bin/jupyter lab $(if $(filter 0,$(shell id -u)),--allow-root) $(LAB_ARGS)

# Notebooks are committed without outputs: nbstripout runs as the git "clean"
# filter that .gitattributes names, so saving an executed notebook in Lab and
# committing it stores no outputs. The command is relative (run from the
# checkout's top folder): each clone uses its own .venv. A git worktree shares
# its configuration with the main checkout, so the filter is set up there.
# --keep-id keeps the committed cell ids (nbstripout renumbers them otherwise) and
# the extra keys drop what a kernel writes into language_info, so an untouched or a
# re-run notebook stages byte-identical to its committed self.
NBSTRIPOUT = .venv/bin/python -m nbstripout --keep-id --extra-keys '$(NB_EXTRA_KEYS)'
NB_EXTRA_KEYS = $(foreach k,codemirror_mode file_extension mimetype nbconvert_exporter pygments_lexer version,metadata.language_info.$(k))

gitfilter:
	@if [ -d .git ]; then \
	  git config filter.nbstripout.clean "$(NBSTRIPOUT)" && \
	  git config filter.nbstripout.smudge cat && \
	  git config filter.nbstripout.required true && \
	  git config diff.ipynb.textconv "$(NBSTRIPOUT) -t" && \
	  echo "git filter: notebooks are stripped of outputs when staged (nbstripout, .gitattributes)"; \
	else \
	  echo "git filter not installed: $(CURDIR) is not the top of a git clone (run 'make gitfilter' in the main checkout)"; \
	fi

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
