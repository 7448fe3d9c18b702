"""The package's error types. Every failure a user can cause is one of these."""
from __future__ import annotations


class LlmtrendsError(Exception):
    """Base class of every error raised on purpose by llmtrends."""


class DataError(LlmtrendsError):
    """A data file under ``data/`` is broken.

    ``problems`` lists every problem found (file, row, column, message), so an
    analyst fixes them all in one pass.
    """

    def __init__(self, problems):
        self.problems = list(problems)
        lines = [str(p) for p in self.problems]
        head = f"{len(lines)} problem(s) in the data files:" if len(lines) > 1 else "problem in the data files:"
        super().__init__(head + "\n  " + "\n  ".join(lines))


class UnknownNameError(LlmtrendsError, KeyError):
    """A name (dataset, vendor, metric, segment, period ...) is not known.

    The message lists the accepted names.
    """

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0]) if self.args else ""


class ParameterError(LlmtrendsError, ValueError):
    """A notebook parameter has a wrong name, type or value."""


class PlanError(LlmtrendsError):
    """The batch plan (``notebooks/reports.yaml``) is invalid."""
