"""Text a spreadsheet would run as a formula is neutralised before it reaches a CSV (OWASP's rule)."""
from __future__ import annotations

import pandas as pd
import pytest

from llmtrends.facts.spreadsheet import neutralise, neutralise_frame


@pytest.mark.parametrize("text", ["=1+1", "+SUM(A1)", "-2+3", "@SUM(A1)", "\t=1", "\r=1"])
def test_every_formula_start_is_neutralised(text):
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("value", ["Anthropic", "", "42%", 42, -3.5, None, "a=b"])
def test_other_values_are_left_as_they_are(value):
    assert neutralise(value) == value


def test_a_frame_keeps_numbers_and_dates_and_neutralises_text_and_categories():
    df = pd.DataFrame({"entity": pd.Categorical(["=Corp", "OpenAI"]), "value": [-1.0, 2.0],
                       "when": pd.to_datetime(["2025-01-01", "2025-06-30"]), "note": ["@x", None]})
    out = neutralise_frame(df)
    assert out["entity"].tolist() == ["'=Corp", "OpenAI"]
    assert out["note"].iloc[0] == "'@x" and pd.isna(out["note"].iloc[1])
    assert out["value"].tolist() == [-1.0, 2.0] and out["when"].equals(df["when"])
    assert df["entity"].tolist() == ["=Corp", "OpenAI"]  # the frame itself is not changed
