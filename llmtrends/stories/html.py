"""Two helpers every page generator uses: escape text, and vet a link.

``esc`` escapes any value for HTML text *and* attribute values (quotes
included); ``safe_url`` lets through only links a reader can follow safely
(http, https, or a relative path) and turns anything else (``javascript:``,
``data:``, ``vbscript:`` ...) into ``None``.
"""
from __future__ import annotations

import html
import math
import re
from urllib.parse import urlsplit

_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
_CONTROL = re.compile(r"[\x00-\x20\x7f]+")


def esc(value) -> str:
    """``value`` as HTML-escaped text (``None`` and NaN become ``""``).

    Examples
    --------
    >>> esc('<b title="x">')
    '&lt;b title=&quot;x&quot;&gt;'
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return html.escape(str(value), quote=True)


def safe_url(url) -> str | None:
    """``url`` when it is an http(s) URL or a relative link, else ``None``.

    Control characters and spaces inside the scheme are ignored when judging,
    as browsers do (``java\\tscript:`` is still ``javascript:``).

    Examples
    --------
    >>> safe_url("https://menlovc.com/report")
    'https://menlovc.com/report'
    >>> safe_url("catalog.html#theme-spend")
    'catalog.html#theme-spend'
    >>> safe_url("javascript:alert(1)") is None
    True
    """
    if url is None or (isinstance(url, float) and math.isnan(url)):
        return None
    text = str(url).strip()
    if not text:
        return None
    probe = _CONTROL.sub("", text)
    if probe.startswith("//"):
        return None  # protocol-relative: another host, scheme chosen by the page
    if _SCHEME.match(probe):
        scheme = urlsplit(probe).scheme.lower()
        if scheme not in ("http", "https") or not urlsplit(probe).netloc:
            return None
    return text
