"""How a running notebook tells the runner which sources its report cites.

A kernel cannot edit the metadata of the notebook it runs in, so citations
travel as a display output with a private MIME type. The runner moves them to
``metadata["llmtrends"]["sources"]`` of the exported notebook (next to any
citations written there by hand), removes the output, and lists the sources
on the index page. ``llmtrends.stories.display.sources_section`` emits the same MIME
type; `declare_sources` is the bare form for notebooks that list citations
themselves. This module imports nothing heavy.
"""
from __future__ import annotations

from typing import Iterable

#: MIME type of the display output carrying citations.
SOURCES_MIMETYPE = "application/vnd.llmtrends.sources+json"


def declare_sources(sources: Iterable[str]) -> None:
    """Record, from inside a running notebook, the sources the report cites.

    Parameters
    ----------
    sources : iterable of str
        One citation per source, for example
        ``"Menlo Ventures, 2025 Mid-Year LLM Market Update (2025-07-31), survey of 150 technical leaders"``.

    Notes
    -----
    Calling it several times adds to the list; duplicates are dropped. The
    output is invisible in Jupyter and removed from exports.

    Examples
    --------
    >>> declare_sources(["Menlo Ventures, 2025 Mid-Year LLM Market Update (2025-07-31)"])  # doctest: +SKIP
    """
    from IPython.display import display

    display({SOURCES_MIMETYPE: [str(source) for source in sources]}, raw=True)
