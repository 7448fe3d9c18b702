"""The ``llmtrends`` command.

``llmtrends list``  show the runs of the batch plan
``llmtrends run``   execute the plan and write ``exports/`` (see ``--help``)
``llmtrends check`` validate ``data/`` and the document store, print a summary
``llmtrends coverage [DOC ...]``  every number of each document and the row or declaration that covers it
``llmtrends export DIR [--format csv|parquet]``  the whole fact base as a Data Package
``llmtrends changes [--since VERSION]``  figures added, restated, removed between two data versions
``llmtrends release LABEL [--note TEXT]``  record the data as a release (its figure snapshot)
``llmtrends run NAME -p KEY VALUE``  one run of the plan with other parameters, into exports/

Exit status: 0 when everything succeeded, 1 when a run failed (or a file of
the batch could not be written), 2 when the plan, a run's parameters, the data
or the exports folder are unusable (nothing was executed; with ``--keep-going``
the valid runs were). Every problem is one message on stderr, never a
traceback (set ``LLMTRENDS_DEBUG=1`` to see one for an unexpected error).
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
from pathlib import Path
from typing import Sequence

from llmtrends import paths
from llmtrends.errors import DataError, LlmtrendsError, ParameterError, PlanError
from llmtrends.batch.lock import ExportsLocked, ExportsUnusable

from llmtrends.cli_data import (  # noqa: F401  (the data sub-commands, re-exported)
    EXIT_OK, EXIT_RUN_FAILED, command_changes, command_check, command_coverage, command_export, command_release,
)
EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 143


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The command-line parser of ``llmtrends``: one sub-command per job (list, run, check, coverage, export,
    changes, release).

    Returns
    -------
    argparse.ArgumentParser
    """
    parser = argparse.ArgumentParser(
        prog="llmtrends",
        description="Run the parameterized report notebooks and export them to HTML.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    _add_plan_option(commands.add_parser("list", help="show the runs of the batch plan"))
    _add_run(commands)
    _add_check(commands)
    _add_coverage(commands)
    _add_export(commands)
    _add_changes(commands)
    _add_release(commands)
    return parser


def _add_plan_option(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--plan",
        type=Path,
        default=None,
        metavar="PATH",
        help="batch plan (default: notebooks/reports.yaml of the project)",
    )


def _add_run(commands) -> None:
    run = commands.add_parser(
        "run",
        help="execute the batch plan and export HTML",
        description=(
            "Check every run's parameters, execute the notebooks (in parallel), export "
            "<name>.html, <name>.analyst.html and <name>.ipynb, and write index.html. "
            "Exit status: 0 all ok, 1 a run failed, 2 invalid plan, parameters, data or exports folder."
        ),
    )
    _add_plan_option(run)
    run.add_argument(
        "name",
        nargs="?",
        default=None,
        metavar="NAME",
        help="one run of the plan (as --only NAME); with -p, run it once with other parameters",
    )
    run.add_argument(
        "-p",
        "--parameter",
        nargs=2,
        action="append",
        default=[],
        metavar=("KEY", "VALUE"),
        help="with NAME: run it once with KEY = VALUE (repeatable; VALUE read as in reports.yaml: 3, true, "
        "[a, b]); checked like the plan before any kernel starts; exported as NAME--KEY-VALUE, which the "
        "next batch of the whole plan removes",
    )
    run.add_argument(
        "--only",
        nargs="+",
        action="extend",
        default=[],
        metavar="NAME",
        help="run only these runs (repeatable); the index still lists every run",
    )
    run.add_argument(
        "--jobs",
        type=_positive_int,
        default=None,
        metavar="N",
        help=f"runs executed at once (default: number of CPUs, {os.cpu_count()})",
    )
    run.add_argument(
        "--timeout",
        type=_positive_int,
        default=None,
        metavar="SECONDS",
        help="seconds a single cell may run before its run fails (default: 600)",
    )
    run.add_argument(
        "--max-output",
        type=_positive_int,
        default=None,
        metavar="MB",
        help="megabytes of output a run's kernel may print or display before the run is stopped (default: 20)",
    )
    run.add_argument(
        "--exports",
        type=Path,
        default=None,
        metavar="DIR",
        help="where to write the exports (default: exports/ of the project)",
    )
    run.add_argument(
        "--force",
        action="store_true",
        help="rebuild every run even when its notebook, parameters, data, llmtrends source, "
        "package versions and templates are unchanged since its last good export (which is reused otherwise)",
    )
    run.add_argument(
        "--keep-going",
        action="store_true",
        help="build the valid runs when some runs of the plan are invalid (bad entry or parameters); "
        "the invalid ones are reported and the exit status is 2",
    )


def _add_check(commands) -> None:
    check = commands.add_parser(
        "check",
        help="validate data/ and the document store; print rows, figures, documents, problems",
        description=(
            "Load and validate every file of data/ (the same checks as every load), build the figures, "
            "and run the document checks: every registered document present in the store with its "
            "registered SHA-256, every file of the store registered (README.md aside), every quote "
            "verbatim in its document, every number a document's body writes with digits a row's value, a "
            "period of a row's period_quote or in a not_rows text (llmtrends coverage lists them). Prints a summary (rows, figures, documents registered/present/"
            "checked) and each problem on its own line. The store is $LLMTRENDS_DOCUMENTS, else "
            "../shared/documents beside the checkout. When the store is absent the document checks are "
            "skipped with one line saying so and the exit status is 0 -- unless the environment "
            "variable CI is set, where an absent store is a problem (exit 1). "
            "Exit status: 0 no problem, 1 problems found."
        ),
    )
    check.add_argument(
        "--documents",
        type=Path,
        default=None,
        metavar="DIR",
        help="the document store (default: $LLMTRENDS_DOCUMENTS, else ../shared/documents)",
    )


def _add_coverage(commands) -> None:
    coverage = commands.add_parser(
        "coverage",
        help="list every number of each document with the row or not_rows declaration that covers it",
        description=(
            "For each document (default: every registered document), list every number its body writes with "
            "digits (for .md files the text after the --- header block), one line each: its line, the number "
            "as written, what covers it and its sentence. A number is covered by a row of the document whose "
            "quote holds it and whose value, value_low or value_high it is; by a row whose period_quote holds "
            "it, when it reads as a date part; or by a not_rows entry of documents.yaml whose text holds it. "
            "Anything else is UNCOVERED. A summary line per document. The store is $LLMTRENDS_DOCUMENTS, else "
            "../shared/documents; absent, the listing is skipped with one line (exit 0; under CI exit 1). "
            "Exit status: 0 every number covered, 1 a number is UNCOVERED (or a document is not in the store), "
            "2 an unknown document or broken data."
        ),
    )
    coverage.add_argument("docs", nargs="*", metavar="DOC",
                          help="document ids or files of documents.yaml (default: every document)")
    coverage.add_argument("--documents", type=Path, default=None, metavar="DIR",
                          help="the document store (default: $LLMTRENDS_DOCUMENTS, else ../shared/documents)")
    coverage.add_argument("--uncovered", action="store_true",
                          help="list only the UNCOVERED numbers (and the summary lines)")
    coverage.add_argument("--summary", action="store_true", help="print only the summary line of each document")


def _add_export(commands) -> None:
    data_export = commands.add_parser(
        "export",
        help="write the whole fact base (figures, observations, sources, documents, entities, metrics, "
        "tables) with a Frictionless datapackage.json",
        description="Write every frame of the fact base into DIR as CSV or Parquet, plus datapackage.json "
        "(a Frictionless Data Package: resources, field types and descriptions, sources, licence).",
    )
    data_export.add_argument("dir", type=Path, metavar="DIR", help="folder to write (created when missing)")
    data_export.add_argument("--format", choices=["csv", "parquet"], default="csv",
                             help="file format of the resources (default: csv)")


def _add_changes(commands) -> None:
    changes = commands.add_parser(
        "changes",
        help="figures added, restated and removed between two versions of the data",
        description="Compare two versions of the fact base figure by figure (by figure_id) and print the "
        "changelog: a summary line, then each kind of change by source, one line per figure with its old and "
        "new value. A version is a release label (see --list), or the folder of a Data Package written by "
        "llmtrends export. Default: the data's release against the one before it, or the current (edited) "
        "data against the latest release.",
    )
    changes.add_argument("--since", default=None, metavar="VERSION", help="the earlier version (default: see above)")
    changes.add_argument("--until", default=None, metavar="VERSION", help="the later version (default: the current data)")
    changes.add_argument("--limit", type=_positive_int, default=None, metavar="N",
                         help="figures shown per source and kind (the rest are counted)")
    changes.add_argument("--list", action="store_true", help="list the recorded releases and the data's version")


def _add_release(commands) -> None:
    release = commands.add_parser(
        "release",
        help="record the current data as a release (data/releases.yaml and its figure snapshot)",
        description="Record the data as release LABEL: its digest, a note and a snapshot of every figure "
        "(data/releases/LABEL.csv), so that 'llmtrends changes' can compare later data with it. Refused when "
        "the label exists or the data is unchanged since the latest release.",
    )
    release.add_argument("label", metavar="LABEL", help="the release's name, e.g. a date: 2026-12-06")
    release.add_argument("--note", default="", metavar="TEXT", help="what the release brings, in a sentence")


def _plan_path(option: Path | None) -> Path:
    return option if option is not None else paths.notebooks_dir() / "reports.yaml"


def _format_value(value) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)


def command_list(plan: Path | None) -> int:
    """Print each run of the plan: name, notebook, title, parameters.

    Parameters
    ----------
    plan : pathlib.Path or None
        The plan file (default ``notebooks/reports.yaml``).

    Returns
    -------
    int
        Exit status.
    """
    from llmtrends.batch.plan import load_plan

    from llmtrends.batch.console import visible  # a title or a file name never redraws the terminal

    runs = load_plan(_plan_path(plan))
    for run in runs:
        print(run.name)
        print(f"  notebook:   {visible(run.notebook_name)}")
        print(f"  title:      {visible(run.title)}")
        if run.parameters:
            values = ", ".join(f"{key} = {_format_value(value)}" for key, value in run.parameters.items())
        else:
            values = "(the notebook's defaults)"
        print(f"  parameters: {visible(values)}")
    return EXIT_OK


def _one_off(runs: list, name: str | None, only: Sequence[str], pairs: Sequence[Sequence[str]]) -> list:
    """The runs a NAME / -p command line selects: NAME alone is --only NAME; with -p, a one-off run of it."""
    from llmtrends.batch.parameters import command_line_value, declared_parameters
    from llmtrends.batch.plan import one_off, select_runs

    if name is None:
        if pairs:
            raise PlanError("-p KEY VALUE needs the run to change: llmtrends run NAME -p KEY VALUE "
                            f"(runs in the plan: {', '.join(r.name for r in runs)})")
        return select_runs(runs, only)
    if only:
        raise PlanError(f"give the run either as NAME ({name!r}) or with --only, not both")
    base = select_runs(runs, [name])[0]
    if not pairs:
        return [base]
    bad = [key for key, _ in pairs if not key.isidentifier()]
    if bad:
        raise PlanError(f"-p {bad[0]!r}: a parameter name is a Python name (letters, digits, _)")
    declared = declared_parameters(base.notebook)
    return [one_off(base, {key: command_line_value(text, declared.get(key)) for key, text in pairs})]


def command_run(
    plan: Path | None,
    only: Sequence[str],
    jobs: int | None,
    timeout: int | None,
    exports: Path | None,
    force: bool = False,
    keep_going: bool = False,
    max_output: int | None = None,
    name: str | None = None,
    parameters: Sequence[Sequence[str]] = (),
) -> int:
    """Execute the plan (or the ``only`` runs) and write the exports.

    Parameters
    ----------
    plan : pathlib.Path or None
    only : sequence of str
    jobs : int or None
    timeout : int or None
    exports : pathlib.Path or None
    force : bool, optional
        Rebuild runs whose exports are up to date.
    keep_going : bool, optional
        Build the valid runs of a plan with invalid ones (reported; exit status 2).
    max_output : int, optional
        Megabytes of output a run may send (default 20).
    name : str, optional
        One run of the plan (``llmtrends run NAME``).
    parameters : sequence of (key, value) texts, optional
        With ``name``: run it once with these parameters (``-p KEY VALUE``),
        checked like the plan's before any kernel starts, exported as
        ``NAME--KEY-VALUE`` (see :func:`llmtrends.batch.plan.one_off`).

    Returns
    -------
    int
        0 when every run succeeded, 1 when any failed, 2 when runs were left out as invalid.
    """
    from llmtrends.batch.runner import run_batch
    from llmtrends.batch.execute import DEFAULT_TIMEOUT, MAX_OUTPUT_BYTES
    from llmtrends.batch.plan import check_plan, load_plan

    path = _plan_path(plan)
    plan_problems: list[str] = []
    if keep_going:
        runs, plan_problems = check_plan(path)
        for problem in plan_problems:
            _error(f"{path}: {problem} (left out: --keep-going)")
        if not runs:
            print("error: no valid run in the plan", file=sys.stderr)
            return EXIT_BAD_INPUT
    else:
        runs = load_plan(path)
    selected = _one_off(runs, name, only, parameters)
    extra = [run for run in selected if run.name not in {r.name for r in runs}]
    batch = run_batch(
        selected,
        exports_dir=exports if exports is not None else paths.exports_dir(),
        jobs=jobs,
        timeout=timeout or DEFAULT_TIMEOUT,
        max_output=max_output * 1_000_000 if max_output else MAX_OUTPUT_BYTES,
        plan_runs=runs + extra,
        force=force,
        keep_going=keep_going,
        # an invalid entry may be a run that still exists: keep what the manifest has of it;
        # a one-off run keeps the other runs' exports as they are
        prune=not plan_problems and not extra,
    )
    if plan_problems:
        return EXIT_BAD_INPUT
    return batch.exit_status


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``llmtrends`` command.

    Parameters
    ----------
    argv : sequence of str, optional
        Arguments without the program name (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        0 success, 1 a run failed, 2 invalid plan, parameters or arguments,
        130 interrupted.

    Examples
    --------
    >>> main(["run", "--only", "vendor-share", "--jobs", "2"])  # doctest: +SKIP
    0
    """
    _console_safe()
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help (0) or a usage error (2)
        return exc.code if isinstance(exc.code, int) else EXIT_BAD_INPUT
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_BAD_INPUT
    paths.resolve_environment()  # LLMTRENDS_DATA=data: this folder's data, for the runner and every kernel
    previous = _stop_on_sigterm()
    try:
        if args.command == "list":
            return command_list(args.plan)
        if args.command == "check":
            return command_check(args.documents)
        if args.command == "coverage":
            return command_coverage(args.docs, args.documents, args.uncovered, args.summary)
        if args.command == "export":
            return command_export(args.dir, args.format)
        if args.command == "changes":
            return command_changes(args.since, args.until, args.limit, args.list)
        if args.command == "release":
            return command_release(args.label, args.note)
        return command_run(args.plan, args.only, args.jobs, args.timeout, args.exports, force=args.force,
                           keep_going=args.keep_going, max_output=args.max_output, name=args.name,
                           parameters=args.parameter)
    except DataError as exc:
        _error(f"the data is broken{', no run was started' if args.command == 'run' else ''}: {exc}")
        return EXIT_BAD_INPUT
    except (PlanError, ParameterError, ExportsLocked, ExportsUnusable) as exc:
        _error(str(exc))
        return EXIT_BAD_INPUT
    except LlmtrendsError as exc:
        _error(f"{type(exc).__name__}: {exc}")
        return EXIT_BAD_INPUT
    except OSError as exc:  # the file system, outside any run (a run's own I/O error fails that run only)
        where = f": {exc.filename}" if exc.filename else ""
        _error(f"{exc.strerror or exc}{where}")
        return EXIT_RUN_FAILED
    except (MemoryError, RecursionError) as exc:
        _error(f"{type(exc).__name__}: an input is too large or too deeply nested to read")
        return EXIT_BAD_INPUT
    except KeyboardInterrupt as exc:
        how = "terminated (SIGTERM)" if isinstance(exc, Terminated) else "interrupted"
        print(f"{how}: the batch was stopped and its kernels shut down; unfinished runs did not touch "
              "their exports", file=sys.stderr)
        return EXIT_TERMINATED if isinstance(exc, Terminated) else EXIT_INTERRUPTED
    except Exception as exc:  # a bug: still one line, not a traceback, unless asked for
        if os.environ.get("LLMTRENDS_DEBUG"):
            raise
        _error(f"unexpected {type(exc).__name__}: {exc} (a bug in llmtrends; LLMTRENDS_DEBUG=1 shows the traceback)")
        return EXIT_RUN_FAILED
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _error(message: str) -> None:
    """One error message on stderr (a closed stderr is not an error of its own; control characters escaped)."""
    from llmtrends.facts.reading import printable

    try:
        print(f"error: {printable(message, keep=chr(10))}", file=sys.stderr)
    except (OSError, ValueError):
        pass


def _console_safe() -> None:
    """Let a console that cannot show every character (``LC_ALL=C``, ``PYTHONIOENCODING=ascii``) show the rest.

    Quotes and names are Chinese, arrows and dashes are not ASCII: such a
    character is written as an escape (``\\u4e2d``) instead of failing the command.
    """
    for stream in (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "").replace("_", "")
        if encoding in ("utf8", "utf16", "utf32") or not hasattr(stream, "reconfigure"):
            continue
        try:
            stream.reconfigure(errors="backslashreplace")
        except (ValueError, OSError, TypeError):
            pass


class Terminated(KeyboardInterrupt):
    """SIGTERM, turned into the same orderly stop as Ctrl-C."""


def _stop_on_sigterm():
    """Make SIGTERM stop a batch like Ctrl-C does (kernels killed, nothing half-written)."""
    if threading.current_thread() is not threading.main_thread():
        return None

    def handler(signum, frame):
        raise Terminated()
    return signal.signal(signal.SIGTERM, handler)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
