"""The package's version: one place, imported by whatever records it (the cache key, the export, the notebooks).

0.2.0: the package in three layers (facts, stories, batch). The data has its own version
(:func:`llmtrends.facts.versions.data_version`).
"""

__version__ = "0.2.0"
