"""One module per theme's story: ``vendor_share``, ``open_vs_closed``, ``agentic_usage``.

Each reads as: select the lens data -> compute -> sentences -> sections. The
story functions are re-exported by :mod:`llmtrends.stories`
(``lt.stories.vendor_share(**params)``).
"""
