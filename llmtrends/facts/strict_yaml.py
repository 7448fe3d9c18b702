"""The one YAML reader of the hand-edited files (``data/*.yaml``, the batch plan).

PyYAML's safe loader accepts more than these files should hold. `load`
refuses, with the line and column of the place:

- a key given twice in one mapping (PyYAML keeps the last one silently);
- aliases (``*name``): a few hundred bytes of nested aliases ("billion
  laughs") expand to gigabytes; no hand-edited file here needs them;
- merge keys (``<<: {...}`` or ``<<: *name``): they copy keys into a mapping
  silently, so a key given both ways is a duplicate nobody sees (the
  mapping's own value wins);
- numbers that are not plain ASCII decimals (``1_000``, ``0x1F``, ``017``,
  ``1:30``, ``.inf``, ``.nan``): the files' rule is "no thousands separators",
  and YAML 1.1 would silently read ``1_000`` as 1000, ``017`` as 15 and ``1:30`` as 90;
- nesting deeper than `MAX_DEPTH`.

The document is composed to nodes by libyaml (when available), checked, then
constructed: nothing is built from a refused document.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

try:  # the C parser is several times faster; fall back where libyaml is absent
    _Loader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on the PyYAML build
    _Loader = yaml.SafeLoader

#: Deepest nesting of mappings and lists accepted.
MAX_DEPTH = 40

_INT_TAG = "tag:yaml.org,2002:int"
_FLOAT_TAG = "tag:yaml.org,2002:float"
_MERGE_TAG = "tag:yaml.org,2002:merge"
_DECIMAL = re.compile(r"[-+]?[0-9]+(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?\Z")
_INTEGER = re.compile(r"[-+]?(?:0|[1-9][0-9]*)\Z")  # YAML 1.1 reads 017 as octal 15
NUMBER_FORMS = "ASCII digits with an optional sign and decimal point, like 1000, -3 or 19.99"


@dataclass
class Refused(Exception):
    """The text is YAML, or not, but not acceptable: ``problem`` at ``line``/``column`` (1-based)."""

    problem: str
    line: int | None = None
    column: int | None = None
    syntax: bool = False

    def __str__(self) -> str:
        where = f"line {self.line}, column {self.column}: " if self.line is not None else ""
        return where + self.problem


def _mark(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _check(root: yaml.Node) -> None:
    """Refuse aliases, duplicate keys, non-decimal numbers and deep nesting (iteratively: no recursion)."""
    seen: set[int] = set()
    stack: list[tuple[yaml.Node, int]] = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if id(node) in seen:  # the composer hands an alias the very node of its anchor
            line, column = _mark(node)
            raise Refused("YAML aliases (*name) are not accepted: write the value out; "
                          f"accepted: plain YAML without anchors (&) and aliases (*) (the anchor is at line {line})",
                          None, None)
        seen.add(id(node))
        if depth > MAX_DEPTH:
            line, column = _mark(node)
            raise Refused(f"nested more than {MAX_DEPTH} levels deep; accepted: at most {MAX_DEPTH}", line, column)
        if isinstance(node, yaml.ScalarNode):
            pattern = _INTEGER if node.tag == _INT_TAG else _DECIMAL
            if node.tag in (_INT_TAG, _FLOAT_TAG) and not node.style and not pattern.match(node.value):
                line, column = _mark(node)
                raise Refused(f"number {node.value!r} is not a plain decimal; accepted: {NUMBER_FORMS} "
                              "(no thousands separators, no hex or leading-zero octal, no 1:30, no .inf/.nan)", line, column)
        elif isinstance(node, yaml.MappingNode):
            keys: dict[Any, yaml.Node] = {}
            for key_node, value_node in node.value:
                if isinstance(key_node, yaml.ScalarNode) and key_node.tag == _MERGE_TAG:
                    line, column = _mark(key_node)
                    raise Refused("YAML merge keys (<<) are not accepted: write each key out in the mapping; "
                                  "accepted: plain YAML without merge keys, anchors (&) and aliases (*)", line, column)
                if isinstance(key_node, yaml.ScalarNode):
                    key = (key_node.tag, key_node.value)
                    if key in keys:
                        line, column = _mark(key_node)
                        first = keys[key].start_mark.line + 1
                        raise Refused(f"duplicate key {key_node.value!r} (first given on line {first}); "
                                      "accepted: each key once per mapping", line, column)
                    keys[key] = key_node
                stack.append((key_node, depth + 1))
                stack.append((value_node, depth + 1))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((item, depth + 1) for item in node.value)


def _find_alias(text: str) -> tuple[int, int] | None:
    """Where the first alias of ``text`` is, by its parser events (the composed graph has no marks of it)."""
    try:
        for event in yaml.parse(text, Loader=_Loader):
            if isinstance(event, yaml.AliasEvent):
                return event.start_mark.line + 1, event.start_mark.column + 1
    except yaml.YAMLError:
        return None
    return None


def load(text: str) -> Any:
    """Parse one YAML document of a hand-edited file, refusing what the module description lists.

    Parameters
    ----------
    text : str

    Returns
    -------
    object
        ``None`` for an empty document, else plain dicts, lists and scalars.

    Raises
    ------
    Refused
        With the problem and its line and column; ``syntax`` is set for
        YAML syntax errors (the message is PyYAML's problem).
    """
    loader = _Loader(text)
    try:
        try:
            node = loader.get_single_node()
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
            context = getattr(exc, "context", None)
            context_mark = getattr(exc, "context_mark", None)
            if context and context_mark is not None and context_mark.line != getattr(mark, "line", None):
                # e.g. an unclosed '[' is only noticed lines later: say where it opened
                problem += f" ({context} that starts at line {context_mark.line + 1}, column {context_mark.column + 1})"
            line, column = (mark.line + 1, mark.column + 1) if mark is not None else (None, None)
            raise Refused(problem, line, column, syntax=True) from None
        if node is None:
            return None
        try:
            _check(node)
        except Refused as refused:
            if refused.problem.startswith("YAML aliases"):
                where = _find_alias(text)
                if where is not None:
                    refused.line, refused.column = where
            raise
        try:
            return loader.construct_document(node)
        except yaml.YAMLError as exc:  # e.g. an invalid date such as 2025-02-31, a bad !!binary
            mark = getattr(exc, "problem_mark", None)
            problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
            line, column = (mark.line + 1, mark.column + 1) if mark is not None else (None, None)
            raise Refused(problem, line, column) from None
        except ValueError as exc:  # PyYAML's date constructor: "day is out of range for month"
            line, column = _mark(node)
            raise Refused(f"{exc}", None, None) from None
    finally:
        loader.dispose()
