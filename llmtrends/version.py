"""The package's version: one place, imported by whatever records it (the cache key, the export, the notebooks)."""

__version__ = "0.1.0"
