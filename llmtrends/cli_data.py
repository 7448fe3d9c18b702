"""The data sub-commands of ``llmtrends``: ``check``, ``coverage``, ``export``, ``changes``, ``release``.

They read and write the fact base only (``llmtrends.facts``); the batch's
sub-commands (``list``, ``run``) and the parser are in :mod:`llmtrends.cli`,
which re-exports these functions. Each returns the command's exit status.
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Sequence

from llmtrends import paths

EXIT_OK = 0
EXIT_RUN_FAILED = 1


def command_changes(since: str | None, until: str | None, limit: int | None, listing: bool = False) -> int:
    """Print the changelog between two versions of the data (see :mod:`llmtrends.facts.changes`).

    Returns
    -------
    int
        Exit status.
    """
    from llmtrends.facts import changes, versions

    if listing:
        version = versions.data_version()
        print(f"data version: {version} ({version.digest})")
        for release in versions.releases():
            mark = " <- the data" if version.released and release.label == version.label else ""
            print(f"  {release.label}  {release.date}  {release.note}{mark}")
        return EXIT_OK
    print(changes.format_changes(changes.changes(since=since, until=until), limit=limit))
    return EXIT_OK


def command_release(label: str, note: str) -> int:
    """Record the data as release ``label`` (see :func:`llmtrends.facts.versions.record_release`)."""
    from llmtrends.facts import versions

    release = versions.record_release(label, note)
    print(f"release {release.label} recorded: data/{versions.RELEASES_FILE}, data/{release.figures} "
          f"({release.digest})")
    return EXIT_OK


def command_export(folder: Path, format: str) -> int:
    """Write the fact base into ``folder`` (see :mod:`llmtrends.facts.export`); print what was written.

    Returns
    -------
    int
        Exit status.
    """
    from llmtrends.facts import export

    descriptor = export.export(folder, format=format)
    resources = json.loads(descriptor.read_text(encoding="utf-8"))["resources"]
    print(f"{descriptor}: {len(resources)} resources ({', '.join(r['path'] for r in resources)})")
    return EXIT_OK


def command_check(store: Path | None = None) -> int:
    """Validate ``data/`` and the document store; print a summary and every problem.

    Parameters
    ----------
    store : pathlib.Path or None
        The document store (default :func:`llmtrends.paths.documents_dir`).

    Returns
    -------
    int
        0 when nothing is wrong (an absent store counts as nothing wrong unless
        ``CI`` is set), 1 otherwise.
    """
    from llmtrends.facts import coverage, datasets
    from llmtrends.facts import store as documents
    from llmtrends.errors import DataError

    from llmtrends.facts import files
    from llmtrends.facts.reading import printable

    print(f"data: {printable(paths.data_dir())}")
    skipped = files.ignored_files(paths.data_dir())
    if skipped:  # hidden, lock and backup files are not data: say which, so a misnamed file is found
        print(f"ignored (hidden, lock or backup files, not data): {printable(', '.join(skipped))}")
    try:
        reg = datasets.registry()
        figures = datasets.figures()
    except DataError as exc:
        print(f"problems: {len(exc.problems)} (data/ does not load; the document checks need it)")
        for problem in exc.problems:
            print(f"  {problem}")
        return EXIT_RUN_FAILED
    files = len({r["_file"] for r in reg.observations})
    table_rows = sum(len(rows) for rows in reg.table_rows.values())
    print(f"rows: {len(reg.observations)} observations in {files} files, {table_rows} table rows "
          f"in {len(reg.tables)} tables")
    counts = figures["status"].value_counts()
    print(f"figures: {len(figures)} (" + ", ".join(f"{counts.get(s, 0)} {s}" for s in
                                                     ("confirmed", "differs", "relay_only", "primary_only")) + ")")
    print(f"disagreements: {len(reg.disagreements)} declared")
    folder = store if store is not None else documents.store_dir()
    if not documents.store_present(folder):
        print(f"documents: {len(reg.documents)} registered, store absent")
        print(documents.absent_message(folder))
        if documents.required():
            print("problems: 1")
            print("  CI is set: the document checks are required and the store is absent")
            return EXIT_RUN_FAILED
        print("problems: 0 (data/ only; document checks skipped)")
        return EXIT_OK
    report = documents.run(folder, reg)
    print(f"documents: {report.registered} registered, {report.present} present, {report.checked} checked "
          f"(checksum as registered); {report.quotes} quotes compared with their documents")
    total = coverage.counts(report.coverage)
    print(f"coverage: {total['numbers']} numbers in {_plural(total['documents'], 'document')}: {total['row']} row values, "
          f"{total['period']} periods, {total['not_rows']} not_rows, {total['uncovered']} uncovered "
          "(llmtrends coverage lists them)")
    print(f"problems: {len(report.problems)}")
    for problem in report.problems:
        print(f"  {problem}")
    return EXIT_RUN_FAILED if report.problems else EXIT_OK


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _resolve_documents(names: Sequence[str], reg) -> list[str]:
    """Document ids for ``names`` (an id, or a file as documents.yaml writes it); UnknownNameError otherwise."""
    from llmtrends.errors import UnknownNameError
    from llmtrends.facts.reading import accepted_list, suggest

    by_file = {str(d.get("file")): did for did, d in reg.documents.items()}
    out = []
    for name in names:
        did = name if name in reg.documents else by_file.get(name)
        if did is None:
            raise UnknownNameError(f"unknown document {name!r}{suggest(name, reg.documents)}; accepted: a document "
                                   f"id of data/documents.yaml ({accepted_list(reg.documents, limit=50)}) or its file")
        out.append(did)
    return out


def command_coverage(docs: Sequence[str] = (), store: Path | None = None, only_uncovered: bool = False,
                     summary: bool = False) -> int:
    """Print every number of each document and what covers it (see :mod:`llmtrends.facts.coverage`).

    Returns
    -------
    int
        0 when every number is covered (or the store is absent outside CI), 1 when one is not or a
        document is missing from the store.
    """
    from llmtrends.facts import coverage, datasets
    from llmtrends.facts import store as documents

    reg = datasets.registry()
    chosen = _resolve_documents(docs, reg) if docs else None
    folder = store if store is not None else documents.store_dir()
    if not documents.store_present(folder):
        print(documents.absent_message(folder).replace("document checks", "coverage"))
        return EXIT_RUN_FAILED if documents.required() else EXIT_OK
    found = coverage.run(folder, reg, chosen)
    total = coverage.counts(found)
    missing = any(items is None for items in found.values())
    status = EXIT_RUN_FAILED if total["uncovered"] or missing else EXIT_OK
    try:
        for did, items in found.items():
            if items is None:
                print(f"{did}: {reg.documents[did].get('file')} is not in the store {folder} as UTF-8 text "
                      "(llmtrends check says why)")
            elif summary:
                print(coverage.summary(did, items))
            else:
                print("\n".join(coverage.table(did, items, only_uncovered)) + "\n")
        print(f"total: {total['numbers']} numbers in {_plural(total['documents'], 'document')}: {total['row']} row values, "
              f"{total['period']} periods, {total['not_rows']} not_rows, {total['uncovered']} UNCOVERED")
        sys.stdout.flush()
    except BrokenPipeError:  # `llmtrends coverage | head`: the reader has what it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return status
