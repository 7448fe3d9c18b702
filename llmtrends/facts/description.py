"""What ``lt.describe(name)`` returns: a text that prints as lines and renders as a table in a notebook."""
from __future__ import annotations


class Description(str):
    """What :func:`llmtrends.describe` returns: the text (prints as lines), rendered as HTML in a notebook.

    A ``str``, so ``print(d)``, ``"metric" in d`` and ``d.splitlines()`` work as
    on the text; ``repr(d)`` is the text itself (a notebook cell shows its
    lines, not one line with ``\\n``), and ``_repr_html_`` a heading, a table
    of the metrics (or columns) and the sources. ``d.name``, ``d.rows``
    (metrics or columns, one dict each) and ``d.sources`` (source id ->
    citation) hold the parts.
    """

    name: str
    heading: str
    summary: str
    rows: list
    sources: dict

    def __new__(cls, text: str, *, name: str, heading: str, summary: str, rows: list, sources: dict):
        obj = super().__new__(cls, text)
        obj.name, obj.heading, obj.summary, obj.rows, obj.sources = name, heading, summary, rows, sources
        return obj

    def __repr__(self) -> str:
        return str(self)

    def _repr_pretty_(self, printer, cycle) -> None:  # IPython's plain-text display
        printer.text(str(self))

    def _repr_html_(self) -> str:
        from html import escape
        head = list(self.rows[0]) if self.rows else []
        left = ' style="text-align: left; vertical-align: top"'
        cells = "".join(f"<th{left}>{escape(str(h))}</th>" for h in head)
        body = "".join("<tr>" + "".join(f"<td{left}>{escape(str(r.get(h, '')))}</td>" for h in head) + "</tr>"
                       for r in self.rows)
        sources = "".join(f"<li><code>{escape(s)}</code>: {escape(c)}</li>" for s, c in self.sources.items())
        return (f'<div class="llmtrends-describe"><h4>{escape(self.name)}: {escape(self.heading)}</h4>'
                f"<p>{escape(self.summary)}</p><table><thead><tr>{cells}</tr></thead><tbody>{body}</tbody></table>"
                f"<p>Sources</p><ul>{sources}</ul></div>")
