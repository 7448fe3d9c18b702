"""Text that a spreadsheet would run as a formula, neutralised before it is written to a CSV.

OWASP's rule for CSV injection: a cell that begins with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return is read by Excel, LibreOffice and Google
Sheets as a formula (``=HYPERLINK(...)``, ``@SUM(...)``). Every CSV llmtrends
writes passes its text cells through :func:`neutralise`, which prefixes such a
cell with a single quote: the spreadsheet shows the text as written and runs
nothing. Numbers are written as numbers and never touched (``-3.5`` stays a
number); a text cell like ``-3.5 points`` is neutralised, as OWASP advises.

The data themselves are kept as published (an entity named ``=Corp`` stays
``=Corp`` in every frame): only what goes to a spreadsheet is changed.
"""
from __future__ import annotations

from typing import Any

#: the first characters a spreadsheet reads as the start of a formula (OWASP)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """``value`` with a leading ``'`` when it is text a spreadsheet would read as a formula.

    >>> neutralise("=HYPERLINK(\\"http://x\\")")
    '\\'=HYPERLINK("http://x")'
    >>> neutralise("Anthropic"), neutralise(-3.5), neutralise(None)
    ('Anthropic', -3.5, None)
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def neutralise_frame(df):
    """A copy of a pandas frame whose text cells are :func:`neutralise`-d (numbers, dates, missing values untouched).

    >>> import pandas as pd
    >>> out = neutralise_frame(pd.DataFrame({"name": ["=Corp", "Anthropic", None], "value": [-1.5, 2.0, 3.0]}))
    >>> out["name"].tolist()[:2], bool(pd.isna(out["name"].iloc[2])), out["value"].tolist()
    (["'=Corp", 'Anthropic'], True, [-1.5, 2.0, 3.0])
    """
    import pandas as pd
    from pandas.api.types import is_bool_dtype, is_datetime64_any_dtype, is_numeric_dtype

    out = df.copy()
    for column in out.columns:
        series = out[column]
        if is_numeric_dtype(series) or is_bool_dtype(series) or is_datetime64_any_dtype(series):
            continue
        values = series.tolist()
        cleaned = [neutralise(v) for v in values]
        if cleaned != values:
            out[column] = pd.Series(cleaned, index=series.index, dtype=object)
    return out
