"""One declared schema per YAML file of ``data/``, checked before any field is read.

`problems` validates a parsed document with jsonschema and turns each
violation into ``(line, record, column, message)``: the line of the offending
value in the file, the record it belongs to (``entity 'openai'``, ``source
'menlo_2025_midyear'`` ...), the key, what was found and the accepted shape.
The finer rules (known units, periods that parse, provenance of facts ...)
stay with the loaders in ``llmtrends.facts.records``, which only ever see
documents of the declared shape.

Every subschema may carry ``accepted``: the human description of the shape,
used in messages (jsonschema ignores unknown keywords).
"""
from __future__ import annotations

import datetime as _dt
import difflib
from typing import Any, Iterable

TEXT = {"type": "string", "accepted": "text"}
TEXT_OR_NULL = {"type": ["string", "null"], "accepted": "text or null"}
SLUG_KEYS = {"type": "string", "pattern": r"^[A-Za-z0-9][A-Za-z0-9_.-]*$",
             "accepted": "a name of letters, digits, '_', '.' or '-'"}
DATE_OR_NULL = {"type": ["date", "string", "integer", "null"],
                "accepted": "a date (2025-07-31), a month (2025-07), a year, or null"}
URL_OR_NULL = {"type": ["string", "null"], "pattern": r"^https?://[^\s]+$",
               "accepted": "an http(s) URL (https://...) or null"}
TEXT_LIST = {"type": "array", "items": TEXT, "accepted": "a list of texts, like [a, b]"}


def _text_mapping(what: str) -> dict:
    return {"type": "object", "propertyNames": SLUG_KEYS, "additionalProperties": {"type": "string", "accepted": what},
            "accepted": f"a mapping of name: {what}"}


ENTITY = {
    "type": "object",
    "accepted": "a mapping with id, name, kind and optionally vendor, country, open_weights, color, aliases",
    "properties": {
        "id": {"type": "string", "accepted": "text (the entity id)"},
        "name": TEXT,
        "kind": TEXT,
        "vendor": {"type": ["string", "null"], "accepted": "the id of a vendor entity (text) or null"},
        "country": TEXT_OR_NULL,
        "open_weights": {"type": ["boolean", "null"], "accepted": "true, false or null"},
        "color": {"type": "string", "accepted": "a colour '#RRGGBB' (quoted)"},
        "aliases": {"type": "array", "items": {"type": "string", "accepted": "text (quote numbers: '360')"},
                    "accepted": "a list of spellings, like [OpenAI, GPT]"},
    },
    "additionalProperties": False,
}

VOCABULARY = {
    "type": "object",
    "accepted": "a mapping with themes, segments, units, qualifiers and entities",
    "properties": {
        "themes": _text_mapping("one-line description"),
        "segments": _text_mapping("one-line description"),
        "units": _text_mapping("display label, like \"USD billion\""),
        "qualifiers": _text_mapping("one-line description"),
        "entities": {"type": "array", "items": ENTITY, "accepted": "a list of entities (- id: ...)"},
    },
    "additionalProperties": False,
}

METRICS = {
    "type": "object",
    "accepted": "a mapping of metric name -> title, definition, unit, kind",
    "propertyNames": SLUG_KEYS,
    "additionalProperties": {
        "type": "object",
        "accepted": "a mapping with title, definition, unit and kind",
        "properties": {
            "definition": {"type": "string", "accepted": "one line of text"},
            "unit": {"type": "string", "accepted": "a unit name of vocabulary.yaml (text)"},
            "kind": {"type": "string", "accepted": "a metric kind (text)"},
            # what a stakeholder reads wherever the metric appears (reports, landing page, catalog)
            "title": {"type": "string", "minLength": 1,
                      "accepted": "a short human title, like 'Share of code-generation LLM use'"},
        },
        "required": ["title"],
        "additionalProperties": False,
    },
}

TABLE_COLUMN = {
    "oneOf": [
        {"type": "string"},
        {"type": "object", "properties": {"type": {"enum": ["int", "str"]}, "description": TEXT},
         "additionalProperties": False},
    ],
    "accepted": "a description (text), or a mapping {type: int|str, description: text}",
}

TABLES = {
    "type": "object",
    "accepted": "a mapping of table name -> title, definition, source_id, document, columns",
    "propertyNames": SLUG_KEYS,
    "additionalProperties": {
        "type": "object",
        "accepted": "a mapping with title, definition, source_id, document and columns",
        "properties": {
            "title": TEXT,
            "definition": TEXT,
            "source_id": TEXT,
            "document": TEXT,
            "note": TEXT_OR_NULL,
            "columns": {"type": "object", "propertyNames": SLUG_KEYS, "additionalProperties": TABLE_COLUMN,
                        "minProperties": 1, "accepted": "a mapping of column name: description"},
        },
        "additionalProperties": False,
    },
}

_PROVENANCE = {"type": ["string", "null"], "accepted": "text (verbatim quote, reason, or document id) or null"}

SOURCE = {
    "type": "object",
    "accepted": "a mapping with publisher, title, method ... (data/README.md)",
    "properties": {
        "publisher": TEXT,
        "publisher_note": TEXT_OR_NULL,
        "title": TEXT,
        "url": URL_OR_NULL,
        "published": DATE_OR_NULL,
        "method": TEXT_OR_NULL,
        "sample": TEXT_OR_NULL,
        "fieldwork": {"type": ["string", "date", "integer", "null"], "accepted": "a period like 2025-06-30..2025-07-10, or null"},
        "geography": TEXT_OR_NULL,
        "data_window": {"type": ["string", "date", "integer", "null"], "accepted": "a period, or null"},
        "series": TEXT_OR_NULL,
        "note": TEXT_OR_NULL,
        "segment_definitions": TEXT_OR_NULL,
    },
    "patternProperties": {"^[a-z_]+_(quote|inferred|doc)$": _PROVENANCE},
}

SOURCES = {
    "type": "object",
    "accepted": "a mapping with 'sources:'",
    "properties": {
        "sources": {"type": "object", "propertyNames": SLUG_KEYS, "additionalProperties": SOURCE,
                    "accepted": "a mapping of source id -> publisher, title, ..."},
    },
}

DOCUMENT = {
    "type": "object",
    "accepted": "a mapping with file, sha256, kind, language, title, publisher, url, published, reports ...",
    "properties": {
        "file": TEXT,
        "sha256": TEXT,
        "kind": TEXT,
        "language": TEXT,
        "title": TEXT,
        "publisher": TEXT_OR_NULL,
        "url": URL_OR_NULL,
        "published": DATE_OR_NULL,
        "reports": {"type": "array", "items": {"type": "string", "accepted": "a source id (text)"},
                    "accepted": "a list of source ids, like [menlo_2025_midyear]"},
        "primary_of": TEXT_OR_NULL,
        "note": TEXT_OR_NULL,
        "not_rows": {"type": "array", "accepted": "a list of {text: the number as written (verbatim), reason: why it is not a row}",
                     "items": {"type": "object", "required": ["text", "reason"], "additionalProperties": False,
                               "accepted": "a mapping {text: verbatim text holding the number(s), reason: why they are not rows}",
                               "properties": {"text": TEXT, "reason": TEXT}}},
    },
    "patternProperties": {"^[a-z_]+_(quote|inferred|doc)$": _PROVENANCE},
}

DOCUMENTS = {
    "type": "object",
    "accepted": "a mapping of document id -> file, sha256, kind ...",
    "propertyNames": SLUG_KEYS,
    "additionalProperties": DOCUMENT,
}

STATEMENT = {
    "type": "object",
    "accepted": "a mapping {doc: document id, value: ..., quote: verbatim text}",
    "properties": {
        "doc": {"type": "string", "accepted": "a document id (text)"},
        "value": {"type": ["string", "number", "date", "null"], "accepted": "a value (text, number or date)"},
        "quote": TEXT,
    },
}

DISAGREEMENT = {
    "type": "object",
    "accepted": "a mapping with id, kind, obs_ids (or source, field, statements), stands, reason ...",
    "properties": {
        "id": {"type": "string", "accepted": "a slug (text)"},
        "kind": TEXT,
        "obs_ids": {"type": "array", "items": {"type": "string", "accepted": "an obs_id (text)"},
                    "accepted": "a list of obs_ids, like [mm25-x, me25-x]"},
        "stands": TEXT_OR_NULL,
        "reason": TEXT,
        "reason_quote": TEXT_OR_NULL,
        "reason_doc": TEXT_OR_NULL,
        "source": TEXT,
        "field": TEXT,
        "statements": {"type": "array", "items": STATEMENT, "accepted": "a list of {doc, value, quote}"},
    },
}

DISAGREEMENTS = {
    "type": ["array", "null"],
    "items": DISAGREEMENT,
    "accepted": "a list of disagreements (- id: ...)",
}

LABELS = {
    "type": "object",
    "propertyNames": SLUG_KEYS,
    "additionalProperties": _text_mapping("display name, like \"Manufacturing and energy\""),
    "accepted": "a mapping of kind (segment, board, agent_map_category, theme ...): a mapping of id: display name",
}

BREAK = {
    "type": "object",
    "accepted": "a mapping {from: the first period under the new method, what: what changed, quote: verbatim, doc: document id}",
    "required": ["from", "what"],
    "properties": {
        "from": {"type": ["string", "date"], "accepted": "a period label like 2026-05"},
        "what": TEXT,
        "quote": TEXT_OR_NULL,
        "doc": TEXT_OR_NULL,
        "inferred": TEXT_OR_NULL,
    },
    "additionalProperties": False,
}

LENS = {
    "type": "object",
    "accepted": "a mapping with theme, title, metric, population, publisher, cadence (and segment, entities, "
                "sources, follows, breaks, market, rank_metric, short)",
    "required": ["theme", "title", "metric", "population", "publisher", "cadence"],
    "properties": {
        "theme": TEXT,
        "title": TEXT,
        "metric": TEXT,
        "segment": TEXT_OR_NULL,
        "entities": {"type": "array", "items": {"type": "string", "accepted": "an entity id"},
                     "accepted": "a list of entity ids, like [open_source_models]"},
        "population": TEXT,
        "publisher": TEXT,
        "series": TEXT_OR_NULL,
        "sources": {"type": "array", "items": {"type": "string", "accepted": "a source id"},
                    "accepted": "a list of source ids, like [vercel_ai_gateway_index_2026]"},
        "cadence": TEXT,
        "follows": TEXT_OR_NULL,
        "breaks": {"type": "array", "items": BREAK, "accepted": "a list of method changes"},
        "market": TEXT_OR_NULL,
        "rank_metric": TEXT_OR_NULL,
        "short": TEXT_OR_NULL,
        "note": TEXT_OR_NULL,
    },
    "additionalProperties": False,
}

LENSES = {
    "type": "object",
    "accepted": "a mapping with 'lenses': lens id -> theme, title, metric ...",
    "required": ["lenses"],
    "properties": {
        "lenses": {"type": "object", "propertyNames": SLUG_KEYS, "additionalProperties": LENS,
                   "accepted": "a mapping of lens id -> theme, title, metric ..."},
    },
    "additionalProperties": False,
}

RELEASE = {
    "type": "object",
    "accepted": "a mapping with label, date, digest, figures (and note, commit), written by llmtrends release",
    "required": ["label", "date", "digest", "figures"],
    "properties": {
        "label": {"type": "string", "pattern": r"^[0-9A-Za-z][0-9A-Za-z._-]{0,63}$",
                  "accepted": "a label of letters, digits, '.', '_' or '-' (e.g. 2026-12-06)"},
        "date": {"type": "string", "pattern": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$", "accepted": "a quoted date, 'YYYY-MM-DD'"},
        "digest": {"type": "string", "pattern": r"^sha256:[0-9a-f]{64}$", "accepted": "sha256:<64 hex digits>"},
        "figures": TEXT,
        "note": TEXT_OR_NULL,
        "commit": TEXT_OR_NULL,
    },
    "additionalProperties": False,
}

RELEASES = {
    "type": "object",
    "accepted": "a mapping with 'releases': a list of {label, date, digest, figures, note}",
    "required": ["releases"],
    "properties": {"releases": {"type": "array", "items": RELEASE, "accepted": "a list of releases"}},
    "additionalProperties": False,
}

#: The schema of each YAML file of data/, by file name.
SCHEMAS: dict[str, dict] = {
    "vocabulary.yaml": VOCABULARY,
    "metrics.yaml": METRICS,
    "tables.yaml": TABLES,
    "sources.yaml": SOURCES,
    "documents.yaml": DOCUMENTS,
    "disagreements.yaml": DISAGREEMENTS,
    "labels.yaml": LABELS,
    "lenses.yaml": LENSES,
    "releases.yaml": RELEASES,
}

_validators: dict[str, Any] = {}


def _validator(file_name: str):
    validator = _validators.get(file_name)
    if validator is None:
        from jsonschema import Draft202012Validator, validators

        checker = Draft202012Validator.TYPE_CHECKER.redefine(
            "date", lambda _, value: isinstance(value, (_dt.date, _dt.datetime)))
        cls = validators.extend(Draft202012Validator, type_checker=checker)
        validator = _validators[file_name] = cls(SCHEMAS[file_name])
    return validator


def _found(value: Any) -> str:
    kind = {dict: "a mapping", list: "a list", str: "text", bool: "true/false", int: "a number",
            float: "a number", type(None): "nothing (null)"}.get(type(value), type(value).__name__)
    if isinstance(value, (dict, list)):
        return kind
    text = repr(value) if not isinstance(value, (_dt.date, _dt.datetime)) else value.isoformat()
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{kind} {text}" if value is not None else kind


def _record(file_name: str, path: list, document: Any) -> str | None:
    """``entity 'openai'``, ``metric 'x'``, ``source 'y'`` ... for a path into ``document``."""
    if not path:
        return None
    if file_name == "vocabulary.yaml":
        if path[0] == "entities" and len(path) > 1 and isinstance(path[1], int):
            try:
                ident = document["entities"][path[1]].get("id")
            except (AttributeError, IndexError, KeyError, TypeError):
                ident = None
            return f"entity '{ident}'" if isinstance(ident, str) else f"entity #{path[1] + 1}"
        return None
    if file_name == "disagreements.yaml" and isinstance(path[0], int):
        try:
            ident = document[path[0]].get("id")
        except (AttributeError, IndexError, KeyError, TypeError):
            ident = None
        return f"disagreement '{ident}'" if isinstance(ident, str) else f"disagreement #{path[0] + 1}"
    if file_name == "sources.yaml":
        return f"source '{path[1]}'" if path[0] == "sources" and len(path) > 1 else None
    if file_name == "lenses.yaml":
        return f"lens '{path[1]}'" if path[0] == "lenses" and len(path) > 1 else None
    if file_name == "releases.yaml":
        return f"release #{path[1] + 1}" if path[0] == "releases" and len(path) > 1 else None
    label = {"metrics.yaml": "metric", "tables.yaml": "table", "documents.yaml": "document",
             "labels.yaml": "labels of"}.get(file_name)
    return f"{label} '{path[0]}'" if label else None


def _line(text: str | None, path: Iterable) -> int | None:
    """The 1-based line of the node at ``path`` (keys and indexes) in ``text``."""
    if text is None:
        return None
    import yaml

    try:
        node = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError:
        return None
    for step in path:
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                if key_node.value == str(step):
                    node = value_node
                    break
            else:
                return node.start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and step < len(node.value):
            node = node.value[step]
        else:
            break
    return node.start_mark.line + 1 if node is not None else None


def _message(error) -> tuple[list, str]:
    """The path to report and the message of one jsonschema error."""
    path = list(error.absolute_path)
    schema = error.schema if isinstance(error.schema, dict) else {}
    accepted = schema.get("accepted")
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        known = sorted(schema.get("properties", {}))
        extra = [key for key in error.instance if key not in schema.get("properties", {})]
        pattern = schema.get("patternProperties", {})
        if pattern:
            import re
            extra = [key for key in extra if not any(re.match(p, str(key)) for p in pattern)]
        key = extra[0] if extra else "?"
        close = difflib.get_close_matches(str(key), known, n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        return path + [key], f"unknown key '{key}'{hint}; accepted keys: {', '.join(known)}"
    if error.validator == "propertyNames":
        return path, f"key {error.instance!r} is not accepted; accepted: {SLUG_KEYS['accepted']}"
    if error.validator == "minProperties":
        return path, f"is empty; accepted: {accepted or 'at least one entry'}"
    if error.validator in ("type", "oneOf", "enum", "pattern", "items"):
        if not accepted and error.parent is not None and isinstance(error.parent.schema, dict):
            accepted = error.parent.schema.get("accepted")
        return path, f"found {_found(error.instance)}; accepted: {accepted or error.message}"
    return path, f"{error.message}; accepted: {accepted or 'see data/README.md'}"


def problems(file_name: str, document: Any, text: str | None = None) -> list[tuple[int | None, str | None, str | None, str]]:
    """Check a parsed data file against its schema.

    Parameters
    ----------
    file_name : str
        ``vocabulary.yaml``, ``metrics.yaml`` ... (a file without a schema passes).
    document : object
        What `llmtrends.facts.strict_yaml.load` returned.
    text : str, optional
        The file's text, to give line numbers.

    Returns
    -------
    list of (line, record, column, message)
        Empty when the document has the declared shape.
    """
    if file_name not in SCHEMAS or document is None:
        return []
    found = []
    for error in sorted(_validator(file_name).iter_errors(document), key=lambda e: list(map(str, e.absolute_path))):
        path, message = _message(error)
        keys = [step for step in path if isinstance(step, str)]
        column = keys[-1] if keys and (len(path) > 1 or file_name == "vocabulary.yaml") else None
        record = _record(file_name, path, document)
        if record and column and record.endswith(f"'{column}'"):
            column = None
        found.append((_line(text, path), record, column, message))
    return found
