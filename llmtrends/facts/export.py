"""The whole fact base as a Frictionless Data Package (``llmtrends export DIR``).

One call writes every frame an analyst uses - ``figures``, ``observations``,
``disagreements``, ``sources``, ``documents``, ``entities``, ``metrics``,
``lenses`` and each categorical table (``table_<name>``) - as CSV or Parquet,
plus a ``datapackage.json`` (https://specs.frictionlessdata.io/data-package/):
every resource with its schema (field types and descriptions, its primary key
and foreign keys), the sources cited, the licence, the data version (see
:mod:`llmtrends.facts.versions`). The ``frictionless`` tool validates it,
keys included (``frictionless validate DIR/datapackage.json``).

- CSV: lists are JSON arrays (field type ``array``), missing values are
  empty cells, dates ``YYYY-MM-DD``; ``period`` is a string whose accepted
  values, in time order, are listed in the schema (``constraints.enum``), and
  ``period_start``/``period_end`` sort it in time without llmtrends. A text
  cell a spreadsheet would run as a formula (first character ``=``, ``+``,
  ``-``, ``@``, tab or CR: OWASP's rule, :mod:`llmtrends.facts.spreadsheet`)
  is written with one more leading ``'``, as is a text that already begins
  with ``'`` (so the rule can be undone exactly); :func:`read` removes it,
  so a round trip gives the text back as the data hold it.
- Parquet (pyarrow): every dtype survives - the ordered categorical
  ``period``, nullable booleans, dates, lists (read back as arrays by pandas;
  :func:`read` turns them into lists again). Texts are written as they are
  (a Parquet file is not opened by a spreadsheet).

A package is written whole or not at all: every file goes to a temporary
folder inside ``DIR`` first and is moved in when all are written,
``datapackage.json`` last; a failure (a full disk ...) leaves the previous
package as it was. :func:`read` reads only files inside the package's folder.

Examples
--------
>>> import tempfile, llmtrends as lt
>>> folder = tempfile.mkdtemp()
>>> package = lt.export(folder, format="parquet")
>>> figures = lt.export.read(folder)["figures"]
>>> figures.dtypes.equals(lt.figures().dtypes)
True
>>> lt.export.descriptor(folder)["resources"][0]["schema"]["primaryKey"]
['figure_id']
"""
from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath, PureWindowsPath

import pandas as pd

from llmtrends.errors import LlmtrendsError
from llmtrends.facts import datasets
from llmtrends.facts.export_fields import (  # noqa: F401 (public names)
    FIELD_DESCRIPTIONS, RESOURCE_FIELDS, describe_field, from_spreadsheet, to_spreadsheet)

FORMATS = ("csv", "parquet")
PACKAGE_NAME = "llmtrends-fact-base"

def _licence() -> dict:
    try:
        from importlib.metadata import metadata
        text = metadata("llmtrends").get("License") or metadata("llmtrends").get("License-Expression")
    except Exception:  # pragma: no cover - not installed
        text = None
    name = str(text or "MIT").strip()
    return {"name": name, "title": f"{name} (the compilation; each quote remains its publisher's text)",
            "path": "https://opensource.org/licenses/MIT" if name == "MIT" else "https://spdx.org/licenses/"}


def lens_declarations() -> pd.DataFrame:
    """The lenses of ``data/lenses.yaml``, one row each, as declared (``breaks`` as JSON text)."""
    reg = datasets.registry()
    cols = ["lens", "theme", "title", "metric", "segment", "entities", "population", "publisher", "series",
            "sources", "cadence", "follows", "breaks"]
    rows = []
    for lid, lens in reg.lenses.items():
        row = {c: lens.get(c) for c in cols}
        row["lens"] = lid
        row["entities"] = list(lens.get("entities") or [])
        row["sources"] = list(lens.get("sources") or [])
        row["breaks"] = json.dumps(lens.get("breaks") or [], ensure_ascii=False, default=str)
        rows.append(row)
    df = pd.DataFrame.from_records(rows, columns=cols)
    for column in cols:
        if column not in ("entities", "sources"):
            df[column] = df[column].astype("str")
    return df


def _disagreements() -> pd.DataFrame:
    """:func:`llmtrends.disagreements` with one type per column: the statements of a source fact (texts such
    as ``2024-11``) move from ``value_a``/``value_b`` (numbers) to ``fact_a``/``fact_b``."""
    df = datasets.disagreements()
    facts = df["kind"] == "source_fact"
    for side in ("a", "b"):
        df.insert(len(df.columns), f"fact_{side}", df[f"value_{side}"].where(facts, None).astype("str"))
        df[f"value_{side}"] = pd.to_numeric(df[f"value_{side}"].where(~facts, None)).astype("float64")
    return df


def frames() -> dict[str, pd.DataFrame]:
    """Every exported frame by resource name (``figures``, ..., ``table_<name>``).

    The tables gain ``row`` (their position in the file), their primary key;
    ``disagreements`` keeps numbers in ``value_a``/``value_b`` and the texts a
    source fact's statements give in ``fact_a``/``fact_b``.
    """
    reg = datasets.registry()
    out = {"figures": datasets.figures(), "observations": datasets.observations(),
           "disagreements": _disagreements(), "sources": datasets.sources(),
           "documents": datasets.documents(), "entities": datasets.entities(), "metrics": datasets.metrics(),
           "lenses": lens_declarations()}
    for name in sorted(reg.tables):
        table = datasets.load(name)
        table.insert(0, "row", pd.Series(range(1, len(table) + 1), index=table.index, dtype="int64"))
        out[f"table_{name}"] = table
    for frame in out.values():
        frame.attrs = {}  # attrs are not part of the files; the descriptor carries the metadata
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
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column].dtype):
            out[column] = out[column].map(to_spreadsheet)
    return out


#: Resources and their titles (tables take theirs from data/tables.yaml).
_TITLES = {"figures": "Figures (one row per figure, statements consolidated)",
           "observations": "Observations (one row per statement of a figure by one document)",
           "disagreements": "Disagreements (one row per pair of differing statements, as declared)",
           "sources": "Sources (one row per published report)", "documents": "Documents of the store",
           "entities": "Entities (vendors, models, products, categories)", "metrics": "Metrics and their definitions",
           "lenses": "Lenses (one way of counting who leads: a measure among a population, a publisher's series)"}
PRIMARY_KEYS = {"figures": ["figure_id"], "observations": ["obs_id"], "disagreements": ["pair_id"],
                "sources": ["source_id"], "documents": ["document"], "entities": ["id"], "metrics": ["metric"],
                "lenses": ["lens"]}
_SOURCE, _METRIC, _ENTITY = ("sources", "source_id"), ("metrics", "metric"), ("entities", "id")
#: resource -> (column, referenced resource, referenced column); tables: source_id and vendor.
FOREIGN_KEYS = {
    "figures": [("source_id", *_SOURCE), ("metric", *_METRIC), ("entity", *_ENTITY)],
    "observations": [("figure_id", "figures", "figure_id"), ("source_id", *_SOURCE), ("metric", *_METRIC),
                     ("entity", *_ENTITY), ("doc", "documents", "document")],
    "disagreements": [("source_id", *_SOURCE), ("source_id_b", *_SOURCE), ("metric", *_METRIC),
                      ("entity", *_ENTITY), ("obs_id_a", "observations", "obs_id"),
                      ("obs_id_b", "observations", "obs_id"), ("doc_a", "documents", "document"),
                      ("doc_b", "documents", "document")],
    "documents": [("primary_of", *_SOURCE)],
    "entities": [("vendor", *_ENTITY)],
    "lenses": [("metric", *_METRIC), ("follows", "lenses", "lens")],
}
#: Prefix of the temporary folder a package is written into before it is moved in.
STAGING_PREFIX = ".llmtrends-export-"


def _resource_name(name: str) -> str:
    return name.replace("_", "-")


def _keys(name: str, df: pd.DataFrame) -> dict:
    """The schema's primaryKey and foreignKeys of a resource (a key that does not hold is a bug: refused)."""
    key = ["row"] if name.startswith("table_") else PRIMARY_KEYS[name]
    if not bool(df[key].notna().all(axis=None)) or df.duplicated(key).any():
        raise LlmtrendsError(f"resource {name}: its primary key {', '.join(key)} is missing or repeated in some "
                             "rows (a bug in llmtrends)")
    links = FOREIGN_KEYS.get(name) or ([("source_id", *_SOURCE), ("vendor", *_ENTITY)] if key == ["row"] else [])
    foreign = [{"fields": column, "reference": {"resource": "" if target == name else _resource_name(target),
                                                  "fields": field}}
               for column, target, field in links if column in df]
    return {"primaryKey": key, **({"foreignKeys": foreign} if foreign else {})}


def _resource(name: str, df: pd.DataFrame, format: str) -> dict:
    extra = {**_table_descriptions(name), **RESOURCE_FIELDS.get(name, {})}
    descriptions = {c: describe_field(c, extra) for c in df.columns}
    resource = {
        "name": _resource_name(name), "path": f"{name}.{format}", "format": format,
        "mediatype": "text/csv" if format == "csv" else "application/vnd.apache.parquet",
        "title": _TITLES.get(name) or datasets.registry().tables[name[len("table_"):]]["title"],
        "schema": {"fields": [_field(c, df[c], descriptions.get(c)) for c in df.columns], **_keys(name, df)},
    }
    if format == "csv":
        resource["encoding"] = "utf-8"
        resource["dialect"] = {"delimiter": ",", "header": True}
    return resource


def _descriptor(resources: list[dict], format: str) -> dict:
    from llmtrends.facts import versions
    from llmtrends.version import __version__

    sources = datasets.sources()
    version = versions.data_version()
    return {
        "name": PACKAGE_NAME,
        "title": "llmtrends: source-cited figures about the LLM market",
        "description": ("Every figure of the llmtrends fact base with the document sentence it came from, the "
                        "reports that published it, the documents that state it, the declared disagreements, the "
                        "lenses, and the vocabulary and metric definitions. Built by llmtrends.export (lt.export)."
                        + (" Text cells that a spreadsheet would read as a formula (first character = + - @, tab "
                           "or CR), and texts beginning with ', carry one more leading ' (OWASP's rule); "
                           "lt.export.read removes it." if format == "csv" else "")),
        "version": str(version),
        "created": datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
        "licenses": [_licence()],
        "sources": [{"title": datasets.citation(sid), **({"path": url} if isinstance(url, str) and url else {})}
                    for sid, url in zip(sources["source_id"], sources["url"])],
        "llmtrends": {"package_version": __version__, "data_version": str(version), "data_digest": version.digest,
                      "release": version.release.label if version.release else None, "released": version.released},
        "resources": resources,
    }


def _write(df: pd.DataFrame, path: Path, format: str) -> None:
    if format == "csv":
        _csv_frame(df).to_csv(path, index=False, encoding="utf-8", lineterminator="\n")
    else:
        df.to_parquet(path, index=False, engine="pyarrow")


def export(folder, format: str = "csv") -> Path:
    """Write the whole fact base and its ``datapackage.json`` into ``folder``, whole or not at all.

    Parameters
    ----------
    folder : str or pathlib.Path
        Created when missing. The files of the package written there before
        are replaced (those it no longer has are removed); other files stay.
    format : {"csv", "parquet"}
        File format of the resources.

    Returns
    -------
    pathlib.Path
        The path of ``datapackage.json``.

    Raises
    ------
    LlmtrendsError
        For an unknown format (the accepted ones are named), or when the
        package cannot be written (a full disk ...; the file is named and the
        package that was there is left as it was).
    """
    if format not in FORMATS:
        raise LlmtrendsError(f"unknown export format {format!r}; accepted: {', '.join(FORMATS)}")
    folder = Path(folder)
    content = frames()
    resources = [_resource(name, df, format) for name, df in content.items()]
    descriptor = _descriptor(resources, format)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        _remove_stale_staging(folder)
        staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=folder))
    except OSError as exc:
        raise LlmtrendsError(f"cannot write into {folder}: {exc.strerror or exc}") from None
    try:
        for name, df in content.items():
            _write(df, staging / f"{name}.{format}", format)
        (staging / "datapackage.json").write_text(json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n",
                                                   encoding="utf-8")
        _swap_in(staging, folder, [r["path"] for r in resources])
    except OSError as exc:
        where = f" ({Path(exc.filename).name})" if exc.filename else ""
        raise LlmtrendsError(f"could not write the Data Package into {folder}: {exc.strerror or exc}{where}; "
                             "the package that was there is unchanged") from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return folder / "datapackage.json"


def _remove_stale_staging(folder: Path, age: float = 3600.0) -> None:
    """Temporary folders of an export killed an hour ago or more (a running one is younger)."""
    for path in folder.glob(STAGING_PREFIX + "*"):
        try:
            if path.is_dir() and not path.is_symlink() and time.time() - path.stat().st_mtime > age:
                shutil.rmtree(path, ignore_errors=True)
        except OSError:
            pass


def _swap_in(staging: Path, folder: Path, names: list[str]) -> None:
    """Move the written files into ``folder`` (a rename replaces a file or a symlink, never writes through one).

    Every target is checked before anything moves; ``datapackage.json`` moves last, so a reader finds either
    the old descriptor or the new one with its files. Files of the previous package that the new one does not
    list are removed afterwards.
    """
    previous = []
    try:
        previous = [r.get("path") for r in descriptor(folder).get("resources", [])]
    except LlmtrendsError:
        pass
    for name in names + ["datapackage.json"]:
        target = folder / name
        if target.is_dir() and not target.is_symlink():
            raise LlmtrendsError(f"{target} is a folder; the package's file of that name cannot replace it "
                                 "(nothing was changed)")
    for name in names + ["datapackage.json"]:
        os.replace(staging / name, folder / name)
    for old in previous:
        if isinstance(old, str) and old not in names and "/" not in old and "\\" not in old and old != "..":
            target = folder / old
            if target.is_file() or target.is_symlink():
                target.unlink(missing_ok=True)


# --------------------------------------------------------------------------- reading a package back

def descriptor(folder) -> dict:
    """The ``datapackage.json`` of ``folder``, parsed (a clear error when it is missing or not JSON)."""
    path = Path(folder) / "datapackage.json"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise LlmtrendsError(f"no datapackage.json in {folder}: not a Data Package folder (lt.export writes one)") \
            from None
    except (OSError, UnicodeDecodeError) as exc:
        raise LlmtrendsError(f"cannot read {path}: {exc}") from None
    try:
        found = json.loads(text)
    except ValueError as exc:
        raise LlmtrendsError(f"{path} is not valid JSON: {exc}") from None
    if not isinstance(found, dict) or not isinstance(found.get("resources"), list):
        raise LlmtrendsError(f"{path}: a Data Package descriptor needs a list 'resources'")
    return found


def resource_file(folder, resource: dict) -> Path:
    """The file of one resource, refused unless it is a file inside ``folder`` (no ``..``, absolute path, URL
    or symlink leading out of it).

    >>> resource_file(".", {"name": "x", "path": "../secret.csv"})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    llmtrends.errors.LlmtrendsError: resource 'x': path '../secret.csv' is not a file inside the package's folder...
    """
    folder = Path(folder)
    name, path = resource.get("name"), resource.get("path")
    accepted = f"accepted: a relative path to a file inside {folder}"
    if not isinstance(path, str) or not path:
        raise LlmtrendsError(f"resource {name!r}: 'path' must be one file name (got {path!r}); {accepted}")
    parts = PurePosixPath(path).parts + PureWindowsPath(path).parts
    if "://" in path or PurePosixPath(path).is_absolute() or PureWindowsPath(path).is_absolute() \
            or PureWindowsPath(path).drive or ".." in parts:
        raise LlmtrendsError(f"resource {name!r}: path {path!r} is not a file inside the package's folder; {accepted}")
    full = folder / path
    if folder.resolve() not in full.resolve().parents:
        raise LlmtrendsError(f"resource {name!r}: path {path!r} leads out of the package's folder (a symlink?); "
                             f"{accepted}")
    if not full.is_file():
        raise LlmtrendsError(f"resource {name!r}: file {full} is missing (or not a regular file)")
    return full


def _typed_csv(df: pd.DataFrame, fields: list[dict]) -> pd.DataFrame:
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
            df[f["name"]] = pd.Categorical(col.map(from_spreadsheet), categories=f["constraints"]["enum"],
                                           ordered=True)
        else:
            df[f["name"]] = col.map(from_spreadsheet).astype("str")
    return df


def _read_resource(path: Path, resource: dict) -> pd.DataFrame:
    fields = resource["schema"]["fields"]
    if resource.get("format") == "parquet" or path.suffix == ".parquet":
        df = pd.read_parquet(path, engine="pyarrow")
        for f in fields:
            if f["type"] == "array":
                df[f["name"]] = df[f["name"]].map(lambda v: list(v) if v is not None and not isinstance(v, float)
                                                  else v)
        return df
    df = pd.read_csv(path, keep_default_na=False, na_values=[""], dtype="object")
    missing = [f["name"] for f in fields if f["name"] not in df]
    if missing:
        raise ValueError(f"missing column(s) {', '.join(missing)} that the descriptor lists")
    return _typed_csv(df, fields)


def read(folder) -> dict[str, pd.DataFrame]:
    """Read an export back into frames (CSV or Parquet), lists as lists, texts as the data hold them.

    Parameters
    ----------
    folder : str or pathlib.Path
        A folder written by :func:`export`.

    Returns
    -------
    dict of str to pandas.DataFrame
        By resource name as in :func:`frames`.

    Raises
    ------
    LlmtrendsError
        When the descriptor is missing or broken, a resource's path is not a
        file inside ``folder`` (``../``, an absolute path, a URL, a symlink
        out), or a file cannot be read: the resource and file are named.
    """
    folder = Path(folder)
    out = {}
    for resource in descriptor(folder)["resources"]:
        path = resource_file(folder, resource)
        try:
            df = _read_resource(path, resource)
        except Exception as exc:  # a truncated or foreign file: name it, whatever the parser raised
            raise LlmtrendsError(f"resource {resource.get('name')!r}: {path} cannot be read: "
                                 f"{type(exc).__name__}: {exc}") from None
        out[str(resource["name"]).replace("-", "_")] = df
    return out


# ``lt.export(...)`` is this module's function; ``lt.export.read(...)`` its reader.
class _CallableModule(type(sys.modules[__name__])):
    def __call__(self, folder, format: str = "csv") -> Path:
        return export(folder, format=format)


sys.modules[__name__].__class__ = _CallableModule
