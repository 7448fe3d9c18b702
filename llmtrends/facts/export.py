"""The whole fact base as a Frictionless Data Package (``llmtrends export DIR``).

One call writes every frame an analyst uses - ``figures``, ``observations``,
``sources``, ``documents``, ``entities``, ``metrics`` and each categorical
table (``table_<name>``) - as CSV or Parquet, plus a ``datapackage.json``
(https://specs.frictionlessdata.io/data-package/): every resource with its
schema (field types and descriptions), the sources cited and the licence. The
``frictionless`` tool validates it (``frictionless validate DIR/datapackage.json``).

- CSV: lists are JSON arrays (field type ``array``), missing values are
  empty cells, dates ``YYYY-MM-DD``; ``period`` is a string whose accepted
  values, in time order, are listed in the schema (``constraints.enum``).
- Parquet (pyarrow): every dtype survives - the ordered categorical
  ``period``, nullable booleans, dates, lists (read back as arrays by pandas;
  :func:`read` turns them into lists again).

Examples
--------
>>> import tempfile, llmtrends as lt
>>> folder = tempfile.mkdtemp()
>>> package = lt.export(folder, format="parquet")
>>> figures = lt.export.read(folder)["figures"]
>>> figures.dtypes.equals(lt.figures().dtypes)
True
"""
from __future__ import annotations

import json
import sys
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from llmtrends.facts import datasets
from llmtrends.errors import LlmtrendsError

FORMATS = ("csv", "parquet")
PACKAGE_NAME = "llmtrends-fact-base"

#: Descriptions of the columns of the exported frames (tables take theirs from data/tables.yaml).
FIELD_DESCRIPTIONS: dict[str, str] = {
    "obs_id": "Identifier of one statement of a figure by one document (data/observations/<document>.csv).",
    "obs_ids": "Every statement (obs_id) of this figure.",
    "source_id": "The report that first published the figure (see the sources resource).",
    "theme": "Dataset (theme) the figure belongs to; lt.load(theme) returns its figures.",
    "metric": "What is measured (see the metrics resource for its definition, unit and kind).",
    "segment": "Population or market segment the figure describes.",
    "entity": "Who or what the figure is about: a vendor, model, product, app, category or 'all'.",
    "entity_name": "Display name of the entity.",
    "entity_kind": "Kind of entity: vendor, model, product, app, category or aggregate.",
    "vendor": "Vendor entity id: the entity itself for a vendor, its maker for a model or product.",
    "country": "Country of the entity (a model or product takes its vendor's), ISO 3166 alpha-2.",
    "open_weights": "Whether the entity publishes open-weight (flagship) models, where the vocabulary says so.",
    "period": "Period the figure describes (YYYY, YYYY-MM, YYYY-Qn, YYYY-Hn, end-YYYY, mid-YYYY or a span A..B); "
              "accepted values are listed in time order.",
    "period_start": "First day of the period.",
    "period_end": "Last day of the period.",
    "value": "The figure, cleaned (no units or separators); the midpoint when only a range is published.",
    "value_low": "Lower end of a published range.",
    "value_high": "Upper end of a published range.",
    "value_derived": "How value was derived when the document does not print it (e.g. the midpoint of a range).",
    "qualifier": "exact, approx, at_least or at_most, as the document words the figure.",
    "value_kind": "Kind of metric: share, rate, level, change, multiple, price or rank.",
    "unit": "Unit of value (percent, usd_billion, multiple, months ...).",
    "doc": "The document (of the store) that states the figure.",
    "docs": "Every document that states the figure.",
    "primary_docs": "The documents that state the figure as primary evidence (the source's own publication).",
    "n_docs": "How many documents state the figure.",
    "n_relays": "How many statements (observations) of the figure there are.",
    "status": "confirmed, differs, relay_only or primary_only: how the statements of the figure compare.",
    "quote": "The sentence the figure came from, verbatim.",
    "period_quote": "Verbatim text of the same document stating the period.",
    "period_inferred": "Why the period is what it is when no text states it.",
    "note": "What was done to the figure (translation, correction, caveats).",
    "entity_as_written": "The entity as the document spells it.",
    "publisher": "Who published the report (or, for a document, the outlet).",
    "title": "Title of the report or document.",
    "published": "Publication date as known (YYYY, YYYY-MM or YYYY-MM-DD).",
    "url": "Address of the publication, where known.",
    "method": "How the source obtained its figures (survey, telemetry, desk research ...).",
    "sample": "Who or what was measured.",
    "fieldwork": "When the data were collected.",
    "geography": "Where the source's population is.",
    "relayed_by": "Documents that relay (or translate) the source's figures.",
    "documents": "Every document that reports the source's figures.",
    "document": "Document id: the file name in the document store, without extension.",
    "outlet": "Who published the document.",
    "language": "Language of the document (en, zh-Hans, zh-Hant).",
    "kind": "Kind (of a document: primary, relay or translation; of an entity: vendor, model ...).",
    "file": "File name of the document in the store.",
    "sha256": "SHA-256 of the document's bytes.",
    "reports": "Source ids whose figures the document states.",
    "primary_of": "The source this document is (for a primary document).",
    "id": "Entity id.",
    "name": "Display name.",
    "color": "Chart colour (#RRGGBB).",
    "aliases": "Every accepted spelling of the entity.",
    "definition": "Definition of the metric.",
    "data_window": "Period the source's data cover.",
    "series": "Report series the source is an edition of.",
}


def describe_field(column: str, extra: dict[str, str] | None = None) -> str | None:
    """Description of an exported column; provenance columns (``<field>_quote`` ...) are described by rule.

    Examples
    --------
    >>> describe_field("fieldwork_quote")
    'Verbatim text of a document stating the fieldwork.'
    >>> describe_field("value_kind")
    'Kind of metric: share, rate, level, change, multiple, price or rank.'
    """
    known = {**FIELD_DESCRIPTIONS, **(extra or {})}
    if known.get(column):
        return known[column]
    for suffix, text in (("_quote", "Verbatim text of a document stating the {}."),
                         ("_inferred", "Why the {} is what it is when no text states it."),
                         ("_doc", "The document whose text states the {}.")):
        if column.endswith(suffix) and len(column) > len(suffix):
            return text.format(column[: -len(suffix)].replace("_", " "))
    return None


def _licence() -> dict:
    try:
        from importlib.metadata import metadata
        text = metadata("llmtrends").get("License") or metadata("llmtrends").get("License-Expression")
    except Exception:  # pragma: no cover - not installed
        text = None
    name = str(text or "MIT").strip()
    return {"name": name, "title": f"{name} (the compilation; each quote remains its publisher's text)",
            "path": "https://opensource.org/licenses/MIT" if name == "MIT" else "https://spdx.org/licenses/"}


def frames() -> dict[str, pd.DataFrame]:
    """Every exported frame by resource name (``figures``, ..., ``table_<name>``)."""
    reg = datasets.registry()
    out = {"figures": datasets.figures(), "observations": datasets.observations(), "sources": datasets.sources(),
           "documents": datasets.documents(), "entities": datasets.entities(), "metrics": datasets.metrics()}
    for name in sorted(reg.tables):
        out[f"table_{name}"] = datasets.load(name)
    return out


def _is_list_column(series: pd.Series) -> bool:
    return series.dtype == object and series.map(lambda v: isinstance(v, (list, tuple))).any()


def _field(name: str, series: pd.Series, description: str | None) -> dict:
    dtype = series.dtype
    field: dict = {"name": name}
    if isinstance(dtype, pd.CategoricalDtype):
        field["type"] = "string"
        field["constraints"] = {"enum": [str(c) for c in dtype.categories]}
    elif pd.api.types.is_bool_dtype(dtype):
        field["type"] = "boolean"
    elif pd.api.types.is_integer_dtype(dtype):
        field["type"] = "integer"
    elif pd.api.types.is_float_dtype(dtype):
        field["type"] = "number"
    elif pd.api.types.is_datetime64_any_dtype(dtype):
        field["type"] = "date"
    elif _is_list_column(series):
        field["type"] = "array"
    else:
        field["type"] = "string"
    if description:
        field["description"] = description
    return field


def _table_descriptions(resource: str) -> dict[str, str]:
    if not resource.startswith("table_"):
        return {}
    spec = datasets.registry().tables[resource[len("table_"):]]
    out = {}
    for column, meaning in spec["columns"].items():
        out[column] = meaning.get("description", "") if isinstance(meaning, dict) else str(meaning)
    return out


def _csv_frame(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for column in out.columns:
        series = out[column]
        if isinstance(series.dtype, pd.CategoricalDtype):
            out[column] = series.astype("object")
        elif pd.api.types.is_datetime64_any_dtype(series.dtype):
            out[column] = series.dt.strftime("%Y-%m-%d")
        elif _is_list_column(series):
            out[column] = series.map(lambda v: json.dumps(list(v), ensure_ascii=False)
                                     if isinstance(v, (list, tuple)) else v)
        elif series.dtype == object:
            out[column] = series.map(lambda v: v.isoformat() if hasattr(v, "isoformat") else v)
    return out


def export(folder, format: str = "csv") -> Path:
    """Write the whole fact base and its ``datapackage.json`` into ``folder``.

    Parameters
    ----------
    folder : str or pathlib.Path
        Created when missing; files of the same names are replaced.
    format : {"csv", "parquet"}
        File format of the resources.

    Returns
    -------
    pathlib.Path
        The path of ``datapackage.json``.

    Raises
    ------
    LlmtrendsError
        For an unknown format (the accepted ones are named).
    """
    if format not in FORMATS:
        raise LlmtrendsError(f"unknown export format {format!r}; accepted: {', '.join(FORMATS)}")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    from llmtrends.version import __version__
    resources = []
    for name, df in frames().items():
        path = f"{name}.{format}"
        descriptions = {c: describe_field(c, _table_descriptions(name)) for c in df.columns}
        if format == "csv":
            _csv_frame(df).to_csv(folder / path, index=False, encoding="utf-8", lineterminator="\n")
        else:
            plain = df.copy()
            plain.attrs = {}  # attrs are not part of the file; the descriptor carries the metadata
            plain.to_parquet(folder / path, index=False, engine="pyarrow")
        resource = {
            "name": name.replace("_", "-"), "path": path, "format": format,
            "mediatype": "text/csv" if format == "csv" else "application/vnd.apache.parquet",
            "title": _TITLES.get(name) or datasets.registry().tables[name[len("table_"):]]["title"],
            "schema": {"fields": [_field(c, df[c], descriptions.get(c)) for c in df.columns]},
        }
        if format == "csv":
            resource["encoding"] = "utf-8"
            resource["dialect"] = {"delimiter": ",", "header": True}
        key = _PRIMARY_KEYS.get(name)
        if key and bool(df[key].notna().all(axis=None)) and not df.duplicated(key).any():
            resource["schema"]["primaryKey"] = key
        resources.append(resource)
    sources = datasets.sources()
    descriptor = {
        "name": PACKAGE_NAME,
        "title": "llmtrends: source-cited figures about the LLM market, 2023-2025",
        "description": ("Every figure of the llmtrends fact base with the document sentence it came from, the "
                        "reports that published it, the documents that state it, and the vocabulary and metric "
                        "definitions. Built by llmtrends.export (lt.export)."),
        "version": __version__,
        "created": datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
        "licenses": [_licence()],
        "sources": [{"title": datasets.citation(sid), **({"path": url} if isinstance(url, str) and url else {})}
                    for sid, url in zip(sources["source_id"], sources["url"])],
        "resources": resources,
    }
    target = folder / "datapackage.json"
    target.write_text(json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return target


_TITLES = {"figures": "Figures (one row per figure, statements consolidated)",
           "observations": "Observations (one row per statement of a figure by one document)",
           "sources": "Sources (one row per published report)", "documents": "Documents of the store",
           "entities": "Entities (vendors, models, products, categories)", "metrics": "Metrics and their definitions"}
_PRIMARY_KEYS = {"observations": ["obs_id"], "sources": ["source_id"], "entities": ["id"], "metrics": ["metric"]}


def read(folder) -> dict[str, pd.DataFrame]:
    """Read an export back into frames (CSV or Parquet), lists as lists.

    Parameters
    ----------
    folder : str or pathlib.Path
        A folder written by :func:`export`.

    Returns
    -------
    dict of str to pandas.DataFrame
        By resource name as in :func:`frames`.
    """
    folder = Path(folder)
    descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    out = {}
    for resource in descriptor["resources"]:
        path = folder / resource["path"]
        fields = resource["schema"]["fields"]
        if resource["format"] == "parquet":
            df = pd.read_parquet(path, engine="pyarrow")
            for f in fields:
                if f["type"] == "array":
                    df[f["name"]] = df[f["name"]].map(lambda v: list(v) if v is not None and not isinstance(v, float)
                                                      else v)
        else:
            df = pd.read_csv(path, keep_default_na=False, na_values=[""], dtype="object")
            for f in fields:
                col = df[f["name"]]
                if f["type"] == "array":
                    df[f["name"]] = col.map(lambda v: json.loads(v) if isinstance(v, str) else [])
                elif f["type"] == "number":
                    df[f["name"]] = pd.to_numeric(col).astype("float64")
                elif f["type"] == "integer":
                    df[f["name"]] = pd.to_numeric(col).astype("int64")
                elif f["type"] == "boolean":
                    df[f["name"]] = col.map({"True": True, "False": False, "true": True, "false": False}).astype("boolean")
                elif f["type"] == "date":
                    df[f["name"]] = pd.to_datetime(col).astype("datetime64[ms]")
                elif "enum" in f.get("constraints", {}):
                    df[f["name"]] = pd.Categorical(col, categories=f["constraints"]["enum"], ordered=True)
                else:
                    df[f["name"]] = col.astype("str")
        out[resource["name"].replace("-", "_")] = df
    return out


# ``lt.export(...)`` is this module's function; ``lt.export.read(...)`` its reader.
class _CallableModule(type(sys.modules[__name__])):
    def __call__(self, folder, format: str = "csv") -> Path:
        return export(folder, format=format)


sys.modules[__name__].__class__ = _CallableModule
