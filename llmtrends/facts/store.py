"""The document store: the texts every quote of ``data/`` is checked against.

The store is a folder outside the repository (``$LLMTRENDS_DOCUMENTS``, else
``../shared/documents`` beside the checkout, see :func:`llmtrends.paths.documents_dir`).
``data/documents.yaml`` registers each of its files with its SHA-256; the
texts are never copied into the repository.

:func:`check` runs every document check and returns the problems found:

- every registered document is present and has the registered checksum;
- every file of the store is registered (``README.md`` aside);
- every quote stands verbatim in its document, whitespace runs aside:
  observation ``quote`` and ``period_quote`` (in the row's own document), table
  quotes (in a document reporting the row's source), the registry's
  ``<field>_quote`` fields (in a document reporting the source, or in
  ``<field>_doc`` when given), each document's ``published_quote`` (in itself),
  and in ``data/disagreements.yaml`` each ``reason_quote`` (in ``reason_doc``)
  and each source_fact statement's ``quote`` (in its ``doc``);
- every number a document's body writes with digits is a row's value, a
  period a row's period_quote states, or in a ``not_rows`` text, and each
  ``not_rows`` text finds one place (:mod:`llmtrends.facts.coverage`).

Examples
--------
>>> from llmtrends import documents
>>> documents.store_present()  # doctest: +SKIP
True
>>> [str(p) for p in documents.check()]  # doctest: +SKIP
[]
"""
from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from llmtrends import paths
from llmtrends.facts.reading import Problem, _collapse
from llmtrends.facts import coverage, loading
from llmtrends.facts.registry import Registry

#: files of the store that are not documents
STORE_EXTRAS = ("README.md",)


def store_dir() -> Path:
    """The document store folder (it may not exist)."""
    return paths.documents_dir()


def store_present(store: Path | str | None = None) -> bool:
    """Whether the document store folder exists."""
    return Path(store if store is not None else store_dir()).is_dir()


def absent_message(store: Path | str | None = None) -> str:
    """The one line printed when the store is absent and the document checks are skipped."""
    where = Path(store if store is not None else store_dir())
    return (f"document store not found at {where}: document checks skipped; set LLMTRENDS_DOCUMENTS "
            "or put the store at ../shared/documents")


def required() -> bool:
    """Whether an absent store is a failure: under CI (environment variable ``CI`` set and not empty/0/false)."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


@dataclass
class Report:
    """What :func:`check` looked at and what it found."""

    store: Path
    registered: int = 0
    present: int = 0
    checked: int = 0          # present documents whose checksum matched
    quotes: int = 0           # quotes compared with a document text
    problems: list[Problem] = field(default_factory=list)
    coverage: dict = field(default_factory=dict)  # document id -> its numbers (llmtrends.facts.coverage)


def store_files(folder: Path) -> list[Path]:
    """The document files of the store: its top level and one level of folders (``2026/``), hidden files and
    the store's own ``README.md`` files aside, in name order."""
    found = []
    for path in sorted(folder.iterdir()):
        if path.name.startswith("."):
            continue
        if path.is_dir():
            found += [p for p in sorted(path.iterdir())
                      if p.is_file() and not p.name.startswith(".") and p.name not in STORE_EXTRAS]
        elif path.is_file() and path.name not in STORE_EXTRAS:
            found.append(path)
    return found


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def check(store: Path | str | None = None, reg: Registry | None = None) -> list[Problem]:
    """Every document check; the problems found (empty when all pass).

    Parameters
    ----------
    store : path, optional
        The document store (default :func:`store_dir`).
    reg : Registry, optional
        The validated records (default: those of ``data/``).

    Returns
    -------
    list of Problem
        A missing store is one problem, never a pass.
    """
    return run(store, reg).problems


def run(store: Path | str | None = None, reg: Registry | None = None) -> Report:
    """Like :func:`check`, with the counts ``llmtrends check`` prints."""
    if reg is None:
        reg = loading.registry()
    folder = Path(store) if store is not None else store_dir()
    report = Report(folder, registered=len(reg.documents))
    if not folder.is_dir():
        report.problems.append(Problem(str(folder), absent_message(folder)))
        return report
    texts = _read_texts(folder, reg, report)
    _check_registration(folder, reg, report)

    def stands(quote: str, docs) -> bool | None:
        """True/False when at least one document text was available, else None."""
        available = [texts[d] for d in docs if texts.get(d) is not None]
        if not available:
            return None
        report.quotes += 1
        needle = _collapse(str(quote))
        return any(needle in t for t in available)

    _check_row_quotes(reg, stands, report.problems)
    _check_registry_quotes(reg, stands, report.problems)
    _check_lens_quotes(reg, stands, report.problems)
    report.coverage, problems = coverage.check(folder, reg)
    report.problems += problems
    return report


def _read_texts(folder: Path, reg: Registry, report: Report) -> dict[str, str | None]:
    """Each registered document's text (whitespace runs collapsed), ``None`` when absent or not UTF-8;
    counts the present ones and those whose checksum matches."""
    problems = report.problems
    texts: dict[str, str | None] = {}
    for did, d in reg.documents.items():
        path = folder / str(d.get("file") or "")
        if not path.is_file():
            problems.append(Problem("data/documents.yaml", f"registered document file {d.get('file')!r} is not "
                                    f"in the document store {folder}; accepted: a file present in the store",
                                    record=f"document '{did}'", column="file"))
            texts[did] = None
            continue
        report.present += 1
        raw = path.read_bytes()
        digest = hashlib.sha256(raw).hexdigest()
        if digest != d.get("sha256"):
            problems.append(Problem("data/documents.yaml", f"checksum mismatch: {path.name} has sha256 {digest}, "
                                    f"registered {d.get('sha256')}; the file changed or the registry is wrong "
                                    "(documents in the store are never edited)",
                                    record=f"document '{did}'", column="sha256"))
        else:
            report.checked += 1
        try:
            texts[did] = _collapse(raw.decode("utf-8-sig"))
        except UnicodeDecodeError:
            problems.append(Problem(str(path), "document is not UTF-8 text; the quote checks need UTF-8"))
            texts[did] = None
    return texts


def _check_registration(folder: Path, reg: Registry, report: Report) -> None:
    """Every file of the store is registered."""
    registered_files = {str(d.get("file")) for d in reg.documents.values()}
    for path in store_files(folder):
        rel = path.relative_to(folder).as_posix()
        if rel not in registered_files:
            report.problems.append(Problem(str(path), "file of the document store is not registered; accepted: an "
                                           f"entry '{path.stem}' in data/documents.yaml with file: {rel} (sha256, kind, ...)"))


def _check_row_quotes(reg: Registry, stands, problems: list[Problem]) -> None:
    """Observation quotes and period quotes in their own document; table quotes in a document of their source."""
    for r in reg.observations:
        for column in ("quote", "period_quote"):
            quote = r.get(column)
            if quote and stands(quote, [r["doc"]]) is False:
                problems.append(Problem(r["_file"], f"{column} not found verbatim in {r['doc']}: {quote[:60]!r}",
                                        line=r["_line"], record=f"obs_id {r['obs_id']}", column=column))
    for name in reg.tables:
        for r in reg.table_rows[name]:
            docs = reg.sources[r["source_id"]].get("documents") or []
            if stands(r["quote"], docs) is False:
                problems.append(Problem(r["_file"], f"quote not found verbatim in {', '.join(docs)}: "
                                                    f"{r['quote'][:60]!r}", line=r["_line"], column="quote"))


def _check_registry_quotes(reg: Registry, stands, problems: list[Problem]) -> None:
    """Quotes of sources.yaml, documents.yaml (published, not_rows) and disagreements.yaml."""
    for sid, src in reg.sources.items():
        for key, quote in src.items():
            if not key.endswith("_quote") or not quote:
                continue
            field_doc = src.get(key[: -len("_quote")] + "_doc")
            docs = [field_doc] if field_doc else list(src.get("documents") or [])
            if field_doc and field_doc not in reg.documents:
                problems.append(Problem("data/sources.yaml", f"unknown document {field_doc!r}; accepted: a key of "
                                        "documents.yaml", record=f"source '{sid}'",
                                        column=key[: -len("_quote")] + "_doc"))
                continue
            if stands(quote, docs) is False:
                problems.append(Problem("data/sources.yaml", f"{key} not found verbatim in its documents "
                                        f"({', '.join(docs)})", record=f"source '{sid}'", column=key))
    for did, d in reg.documents.items():
        quote = d.get("published_quote")
        if quote and stands(quote, [did]) is False:
            problems.append(Problem("data/documents.yaml", f"published_quote not found verbatim in {did}: "
                                    f"{str(quote)[:60]!r}", record=f"document '{did}'", column="published_quote"))
        for j, item in enumerate(d.get("not_rows") or [], start=1):
            if stands(item["text"], [did]) is False:
                problems.append(Problem("data/documents.yaml", f"not_rows #{j}: text not found verbatim in {did}: "
                                        f"{str(item['text'])[:60]!r}", record=f"document '{did}'", column="not_rows"))
    for d in reg.disagreements:
        record = f"disagreement '{d['id']}'"
        if d.get("reason_quote") and d.get("reason_doc") and stands(d["reason_quote"], [d["reason_doc"]]) is False:
            problems.append(Problem("data/disagreements.yaml", f"reason_quote not found verbatim in {d['reason_doc']}: "
                                    f"{str(d['reason_quote'])[:60]!r}", record=record, column="reason_quote"))
        for j, s in enumerate(d.get("statements") or [], start=1):
            if stands(s["quote"], [s["doc"]]) is False:
                problems.append(Problem("data/disagreements.yaml", f"statement #{j}: quote not found verbatim in "
                                        f"{s['doc']}: {str(s['quote'])[:60]!r}", record=record, column="statements"))


def _check_lens_quotes(reg: Registry, stands, problems: list[Problem]) -> None:
    """Each lens break's quote (where the publisher says its method changed) stands in its document."""
    for lid, lens in (getattr(reg, "lenses", None) or {}).items():
        for j, brk in enumerate(lens.get("breaks") or [], start=1):
            if brk.get("quote") and brk.get("doc") and stands(brk["quote"], [brk["doc"]]) is False:
                problems.append(Problem("data/lenses.yaml", f"break #{j}: quote not found verbatim in {brk['doc']}: "
                                        f"{str(brk['quote'])[:60]!r}", record=f"lens '{lid}'", column="breaks"))
