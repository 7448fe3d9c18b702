"""Every Examples section of the package runs (``make test`` runs them; numpydoc Examples are tests)."""
from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import llmtrends

MODULES = sorted(m.name for m in pkgutil.walk_packages(llmtrends.__path__, "llmtrends."))
#: Modules of the analyst's API: each must show its use in examples that run.
MUST_HAVE_EXAMPLES = {"llmtrends.facts.frames", "llmtrends.facts.explore", "llmtrends.facts.accessor", "llmtrends.facts.export",
                      "llmtrends.facts.versions", "llmtrends.facts.changes", "llmtrends.facts.spelling",
                      "llmtrends.facts.datasets", "llmtrends.facts.lenses"}


@pytest.mark.parametrize("name", MODULES)
def test_examples_in_docstrings_run(name):
    module = importlib.import_module(name)
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    tests = [t for t in finder.find(module, name) if t.examples]
    for test in tests:
        runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed in {name} (output above)"
    if name in MUST_HAVE_EXAMPLES:
        assert result.attempted >= 2, f"{name}: its docstrings need Examples that run (+SKIP ones do not count)"
