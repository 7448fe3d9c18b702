"""Spellings: how a name typed by an analyst meets the names the documents use.

Two texts match when they are equal after :func:`squash`: Unicode
compatibility folding (NFKC: full-width ``Ｑｗｅｎ`` is ``Qwen``), case folding,
and no spaces, hyphens, dashes, underscores or middle dots, so ``open weight``,
``open-weight``, ``Open Weight`` and ``openweight`` are one spelling, as are
``DeepSeek-R1`` and ``deepseek r1``.

- :func:`entity_ids` finds the entity a text names, by any spelling of
  ``data/vocabulary.yaml`` (an exact spelling first, then the squashed one);
- :func:`mentions` says whether a text (a quote, a note) mentions a spelling:
  a spelling of four or more characters anywhere in the squashed text; a
  shorter one (``GPT``, ``o3``, ``IT``, ``阿里``) only where no other Latin
  letter or digit touches it, so ``IT`` is not found in ``with``.

Examples
--------
>>> squash("Open-Weight") == squash("open weight") == squash("openweight") == "openweight"
True
>>> mentions("阿里云千问占比 17.7%", "千问"), mentions("the model with most tokens", "IT")
(True, False)
"""
from __future__ import annotations

import re
import unicodedata
from typing import Iterable

#: Characters that separate the words of a name and are ignored when names are compared.
SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212_\u00b7\u30fb]+")
#: Spellings shorter than this are matched as whole words (see :func:`mentions`).
SHORT = 4


def fold(text: str) -> str:
    """``text`` in NFKC form, case-folded, with runs of separators as one space.

    >>> fold("  Ｑｗｅｎ２.５ —  Max ")
    'qwen2.5 max'
    """
    return SEPARATORS.sub(" ", unicodedata.normalize("NFKC", str(text)).casefold()).strip()


def squash(text: str) -> str:
    """``text`` folded with no separators at all: the form two spellings are compared in.

    >>> squash("DeepSeek-R1"), squash("deepseek r1")
    ('deepseekr1', 'deepseekr1')
    """
    return fold(text).replace(" ", "")


def _word_pattern(spelling: str) -> re.Pattern:
    body = r"[\s\-_]*".join(re.escape(ch) for ch in squash(spelling))
    return re.compile(rf"(?<![a-z0-9]){body}(?![a-z0-9])")


def mentions(text: str, spelling: str) -> bool:
    """Whether ``text`` mentions ``spelling`` (see the module's rules).

    >>> mentions("OpenRouter's open-weight share", "open weight"), mentions("GPT-4o", "GPT")
    (True, True)
    >>> mentions("ChatGPT", "GPT"), mentions("Qwen2.5-Max", "qwen 2.5")
    (False, True)
    """
    needle = squash(spelling)
    if not needle or not isinstance(text, str):
        return False
    if len(needle) >= SHORT:
        return needle in squash(text)
    return _word_pattern(spelling).search(fold(text)) is not None


def mentions_any(text: str, spellings: Iterable[str]) -> bool:
    """Whether ``text`` mentions any of ``spellings``."""
    return isinstance(text, str) and any(mentions(text, s) for s in spellings)


def mention_mask(texts: Iterable, spellings: Iterable[str]) -> list[bool]:
    """:func:`mentions_any` for many texts at once (each text folded once).

    >>> mention_mask(["Qwen3 leads", None, "open-weight share"], ["qwen", "open weight"])
    [True, False, True]
    """
    longs = [squash(s) for s in spellings if len(squash(s)) >= SHORT]
    shorts = [_word_pattern(s) for s in spellings if 0 < len(squash(s)) < SHORT]
    out = []
    for text in texts:
        if not isinstance(text, str):
            out.append(False)
            continue
        folded = fold(text)
        squashed = folded.replace(" ", "")
        out.append(any(n in squashed for n in longs) or any(p.search(folded) for p in shorts))
    return out


_INDEX: dict[int, tuple[object, dict[str, str]]] = {}


def _squashed_index(reg) -> dict[str, str]:
    """squashed spelling -> entity id, for every id, name and alias of the vocabulary (one version at a time)."""
    cached = _INDEX.get(0)
    if cached is not None and cached[0] is reg:
        return cached[1]
    index: dict[str, str] = {}
    ambiguous: set[str] = set()
    for eid, ent in reg.entities.items():
        for spelling in [eid, ent.get("name")] + list(ent.get("aliases") or []):
            if not spelling:
                continue
            key = squash(spelling)
            if index.get(key, eid) != eid:
                ambiguous.add(key)
            index.setdefault(key, eid)
    for key in ambiguous:  # two entities share it once squashed: only the exact spelling decides
        del index[key]
    _INDEX[0] = (reg, index)
    return index


def entity_id(text: str, reg) -> str | None:
    """The entity ``text`` names (any spelling of the vocabulary, separators and width aside), else None.

    Examples
    --------
    >>> import llmtrends as lt
    >>> reg = lt.datasets.registry()
    >>> entity_id("open weight", reg), entity_id("Open-Weight", reg), entity_id("通义千问", reg)
    ('open_source_models', 'open_source_models', 'alibaba')
    """
    exact = reg.entity_id(text)
    if exact is not None:
        return exact
    if str(text).strip() in reg.entities:
        return str(text).strip()
    return _squashed_index(reg).get(squash(text))


def spellings(entity: str, reg) -> list[str]:
    """Every spelling of one entity: its id, its name and its aliases (distinct, in that order)."""
    ent = reg.entities[entity]
    found = [entity, ent.get("name")] + list(ent.get("aliases") or [])
    return list(dict.fromkeys(str(s) for s in found if s))
