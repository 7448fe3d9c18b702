"""``df.lt``: any frame of figures, observations or table rows knows its sources.

Registered when ``import llmtrends as lt`` hands out its first frame or data
module (``lt.figures()``, ``lt.load(...)``, ``lt.search(...)``, ``lt.datasets``),
so every subset of them has it; in a notebook the same import makes those
frames display compactly (:func:`llmtrends.facts.frames.register_display`).
The accessor sits at the top of the fact base:
it uses :mod:`~llmtrends.facts.datasets` and :mod:`~llmtrends.facts.explore`,
which never import it.

Examples
--------
>>> import llmtrends as lt
>>> figs = lt.figures()
>>> claude = figs[figs.entity == "anthropic"]
>>> lines = claude.lt.cite(short=True).splitlines()  # one line per source, first seen first
>>> lines == [lt.short_citation(s) for s in dict.fromkeys(claude["source_id"])]
True
>>> any(line.startswith("Menlo Ventures") for line in lines)
True
>>> sorted(claude.lt.sources()["source_id"]) == sorted(set(claude["source_id"]))
True
"""
from __future__ import annotations

import warnings

import pandas as pd

from llmtrends.errors import LlmtrendsError
from llmtrends.facts import datasets, explore, frames

#: pandas' own ``DataFrame.lt`` (element-wise "less than"); ``df.lt(other)`` keeps calling it.
_LESS_THAN = getattr(pd.DataFrame.lt, "_llmtrends_less_than", pd.DataFrame.lt)


class LlmtrendsAccessor:
    """Citations of a frame: ``df.lt.source_ids()``, ``df.lt.cite()``, ``df.lt.sources()``, ``df.lt.evidence()``.

    ``lt`` is also pandas' name for "less than": calling the accessor,
    ``df.lt(0)``, still compares element-wise as pandas documents.

    Examples
    --------
    >>> import pandas as pd
    >>> pd.DataFrame({"x": [1, 3]}).lt(2)["x"].tolist()
    [True, False]
    """

    def __init__(self, df: pd.DataFrame):
        self._df = df

    _llmtrends_less_than = staticmethod(_LESS_THAN)  # found again if this module is reloaded

    def __call__(self, other, axis="columns", level=None):
        return _LESS_THAN(self._df, other, axis=axis, level=level)

    def source_ids(self) -> list[str]:
        """The source ids the rows cite, in first-seen order (``a;b`` cells are split).

        Returns
        -------
        list of str

        Raises
        ------
        LlmtrendsError
            When the frame has no ``source_id`` column (and no ``sources`` in ``attrs``).
        """
        df = self._df
        if "source_id" in df:
            ids: dict[str, None] = {}
            for cell in df["source_id"].dropna():
                for part in (cell if isinstance(cell, (list, tuple)) else str(cell).split(";")):
                    if part:
                        ids[str(part)] = None
            return list(ids)
        if df.attrs.get("sources"):
            return list(df.attrs["sources"])
        raise LlmtrendsError("this frame does not say where its numbers come from: it has no 'source_id' column "
                             "and no attrs['sources'] (keep source_id when you select columns)")

    def cite(self, short: bool = False) -> str:
        """The citation of every source the rows use, one line each.

        Parameters
        ----------
        short : bool
            ``'Menlo Ventures, 2025-07'`` instead of the full citation
            (publisher, title, date, method and sample).

        Returns
        -------
        str
        """
        line = datasets.short_citation if short else datasets.citation
        return "\n".join(line(s) for s in self.source_ids())

    def sources(self) -> pd.DataFrame:
        """The rows of :func:`llmtrends.sources` the frame cites, in first-seen order."""
        ids = self.source_ids()
        registry = datasets.sources().set_index("source_id", drop=False)
        return registry.loc[[s for s in ids if s in registry.index]].reset_index(drop=True)

    def evidence(self) -> pd.DataFrame:
        """Every statement of every figure in the frame (see :func:`llmtrends.evidence`), stacked."""
        parts = []
        for _, row in self._df.iterrows():
            part = explore.evidence(row)
            for column, value in part.attrs["figure"].items():
                part.insert(list(part.attrs["figure"]).index(column), column, value)
            parts.append(part)
        if not parts:
            return pd.DataFrame(columns=explore.FIGURE_KEY + ["doc", "obs_id", "value", "quote"])
        return pd.concat(parts, ignore_index=True)


with warnings.catch_warnings():  # "overriding a preexisting attribute": DataFrame.lt, kept callable above
    warnings.simplefilter("ignore", UserWarning)
    pd.api.extensions.register_dataframe_accessor("lt")(LlmtrendsAccessor)

frames.register_display()  # in a notebook, the frames handed out display compactly (answer columns at the left)
