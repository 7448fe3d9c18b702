"""Read and validate the curated records of ``data/``: :func:`load_registry`.

The order matters: the vocabulary, metrics, sources and documents first
(:mod:`llmtrends.facts.registry`); with one of them broken, row-level messages
would only repeat the same cause. Then the rows (:mod:`llmtrends.facts.rows`),
then what ties them together - declared disagreements, one value per figure,
shares that add up (:mod:`llmtrends.facts.evidence`). Every problem found is
collected before one :class:`~llmtrends.errors.DataError` is raised.
"""
from __future__ import annotations

from pathlib import Path


from llmtrends.errors import DataError
from llmtrends.facts.evidence import _check_share_sums, check_statements, load_disagreements
from llmtrends.facts.lens_declarations import load_lenses
from llmtrends.facts.reading import Problem
from llmtrends.facts.registry import Registry, _load_documents, _load_metrics, _load_sources, _load_vocabulary
from llmtrends.facts.rows import _load_observations, _load_tables


def load_registry(root: Path) -> Registry:
    """Read and validate everything under ``root``; raise one DataError listing all problems."""
    problems: list[Problem] = []
    themes, segments, units, qualifiers, entities, aliases = _load_vocabulary(root, problems)
    metrics = _load_metrics(root, units, problems)
    sources = _load_sources(root, problems)
    documents = _load_documents(root, sources, problems)
    if problems:
        # every observation is checked against these files: with one of
        # them broken, row-level messages would only repeat the same cause
        raise DataError(problems)
    reg = Registry(root, themes, segments, units, qualifiers, entities, aliases, metrics, documents, sources, {})
    reg.observations = _load_observations(reg, problems)
    if not reg.observations and not problems:
        problems.append(Problem("data/observations/", "no observation rows (every file holds only its header); "
                                                      "accepted: at least one figure"))
    if not problems:  # declarations name obs_ids: checked against valid rows only
        reg.disagreements = load_disagreements(reg, problems)
        check_statements(reg, problems)
        _check_share_sums(reg, reg.observations, problems)
    reg.tables, reg.table_rows = _load_tables(reg, problems)
    reg.lenses = load_lenses(root, reg, problems)
    if problems:
        raise DataError(problems)
    return reg

# The names of llmtrends._records (0.1), whose deprecated path leads here until 0.3.
from llmtrends.facts.periods import PERIOD_FORMS, parse_period  # noqa: E402,F401
from llmtrends.facts.reading import _collapse, _rel, accepted_list, read_csv_rows, read_text, read_yaml, suggest  # noqa: E402,F401
from llmtrends.facts.registry import (  # noqa: E402,F401
    APPROX_SUM_TOLERANCE, DOCUMENT_KINDS, DOCUMENT_LANGUAGES, FACT_FIELDS, METRIC_KINDS, SHARE_SUM_TOLERANCE,
    SOURCE_METHODS,
)
from llmtrends.facts.rows import OBSERVATION_COLUMNS, TABLE_COMMON_COLUMNS  # noqa: E402,F401
