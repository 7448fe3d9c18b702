"""The fact base: the first layer of llmtrends, below the stories and the batch.

Reading and validating ``data/`` (``strict_yaml``, ``schemas``, ``records``,
``evidence``), caching the validated result (``cache``), the document store
checks (``store``), the public frames (``datasets``, ``frames``,
``accessor``), searching them (``explore``) and writing them out
(``export``). A module here imports only ``llmtrends.errors``,
``llmtrends.paths``, ``llmtrends.version`` and modules of this package, never
the stories or the batch (``tests/test_flow.py``).

Analysts reach all of it through ``import llmtrends as lt`` (``lt.figures()``,
``lt.search(...)``, ``lt.export(...)``).
"""
