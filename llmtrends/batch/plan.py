"""Read and check the batch plan (``notebooks/reports.yaml``).

The plan is a YAML mapping with one key, ``reports``, holding a list of runs::

    reports:
      - name: vendor-share            # export name: exports/vendor-share.html
        notebook: vendor_share.ipynb  # relative to the plan file's folder
        title: Who supplies enterprise LLMs
        parameters: {highlight_vendor: anthropic}

Every problem found in the runs is reported at once, in one `PlanError`.
"""
from __future__ import annotations

import difflib
import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Sequence

from llmtrends.facts import strict_yaml as _yaml
from llmtrends.errors import PlanError

#: Export names: lower-case letters, digits and hyphens, not starting with a hyphen.
SLUG_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]*\Z")

#: Names a run may not take: its exports (``<name>.html`` ...) would overwrite a page the batch
#: writes itself (index.html, catalog.html) or be mistaken for one (manifest.json).
RESERVED_NAMES = ("index", "catalog", "manifest")

REQUIRED_KEYS = ("name", "notebook", "title")
OPTIONAL_KEYS = ("parameters",)


@dataclass(frozen=True)
class Run:
    """One report run of the batch plan.

    Attributes
    ----------
    name : str
        Export name (a slug): the run writes ``<name>.html``,
        ``<name>.analyst.html`` and ``<name>.ipynb``.
    notebook : pathlib.Path
        Absolute path of the notebook to execute.
    title : str
        Human title shown on the index page.
    parameters : dict
        Values injected into the notebook's ``parameters`` cell.
    notebook_name : str
        The notebook's path as exports show it, never a machine path (see
        `shown_path`): as written in the plan when that is a path inside the
        plan's folder, else relative to the project.
    """

    name: str
    notebook: Path
    title: str
    parameters: dict[str, Any] = field(default_factory=dict, hash=False)
    notebook_name: str = ""

    def __post_init__(self) -> None:
        if not self.notebook_name:
            object.__setattr__(self, "notebook_name", self.notebook.name)


def _read_yaml(path: Path) -> Any:
    """The plan document, read with the data files' safe YAML reader (`llmtrends.facts.strict_yaml`).

    Duplicate keys, aliases (a "billion laughs" plan would otherwise take
    gigabytes) and non-decimal numbers are refused with their line.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PlanError(f"plan file not found: {path}") from None
    except UnicodeDecodeError as exc:
        raise PlanError(f"cannot read plan file {path}: not UTF-8 (byte offset {exc.start}); "
                        "accepted: UTF-8 text") from None
    except OSError as exc:
        raise PlanError(f"cannot read plan file {path}: {exc.strerror or exc}") from None
    try:
        return _yaml.load(text)
    except _yaml.Refused as refused:
        where = f"line {refused.line}, column {refused.column}" if refused.line is not None else ""
        if refused.syntax:
            raise PlanError(f"{path}: YAML syntax error{' at ' + where if where else ''}: {refused.problem}") from None
        raise PlanError(f"{path}: {where + ': ' if where else ''}{refused.problem}") from None
    except RecursionError:
        raise PlanError(f"{path}: nested too deeply to read; accepted: plain mappings and lists") from None


def shown_path(written: str, notebook: Path, plan_dir: Path) -> str:
    """The notebook's path as exports, the manifest and the index show it (POSIX form, never absolute).

    ``written`` as the plan has it when it stays inside the plan's folder
    (``vendor_share.ipynb``, ``sub/x.ipynb``); otherwise (an absolute path,
    ``../``) the path relative to the project (`llmtrends.paths.project_root`)
    when the notebook lies in it, relative to the plan's folder when it lies
    there, else its file name only.

    >>> shown_path("/srv/elsewhere/notebooks/x.ipynb", Path("/srv/elsewhere/notebooks/x.ipynb"), Path("/srv/plans"))
    'x.ipynb'
    """
    from llmtrends import paths
    import posixpath

    relative = Path(written).as_posix()
    if not Path(written).is_absolute():
        normal = posixpath.normpath(relative)
        if normal != ".." and not normal.startswith("../"):
            return normal
    notebook = Path(os.path.abspath(notebook))
    for root in (paths.project_root(), plan_dir):
        try:
            return notebook.relative_to(os.path.abspath(root)).as_posix()
        except ValueError:
            continue
    return notebook.name


def _describe(position: int, name: Any) -> str:
    if isinstance(name, str) and name:
        return f"run #{position} {name!r}"
    return f"run #{position} (no name)"


def _type_name(value: Any) -> str:
    return "null" if value is None else type(value).__name__


def _check_entry(position: int, entry: Any, plan_dir: Path, problems: list[str]) -> Run | None:
    """Check one plan entry; append its problems; return the Run when it is valid."""
    if not isinstance(entry, dict):
        problems.append(
            f"run #{position}: must be a mapping with {', '.join(REQUIRED_KEYS)}, got {_type_name(entry)}"
        )
        return None
    name = entry.get("name")
    label = _describe(position, name)
    own: list[str] = []

    missing = [key for key in REQUIRED_KEYS if entry.get(key) in (None, "")]
    if missing:
        own.append(f"{label}: missing {', '.join(repr(key) for key in missing)}")
    for key in entry:
        if key not in REQUIRED_KEYS + OPTIONAL_KEYS:
            hint = difflib.get_close_matches(str(key), REQUIRED_KEYS + OPTIONAL_KEYS, n=1)
            suggestion = f"; did you mean {hint[0]!r}?" if hint else ""
            own.append(
                f"{label}: unknown key {key!r}{suggestion} "
                f"(a run has {', '.join(REQUIRED_KEYS + OPTIONAL_KEYS)})"
            )

    if name not in (None, ""):
        if not isinstance(name, str) or not SLUG_PATTERN.match(name):
            own.append(
                f"{label}: name {name!r} is not a slug "
                "(lower-case letters, digits and '-', starting with a letter or digit)"
            )
        elif name in RESERVED_NAMES:
            own.append(
                f"{label}: name {name!r} is reserved: the batch writes {name}.html/.json itself "
                f"(reserved: {', '.join(RESERVED_NAMES)})"
            )
    title = entry.get("title")
    if title not in (None, "") and not isinstance(title, str):
        own.append(f"{label}: title must be text, got {_type_name(title)} {title!r}")

    notebook_path: Path | None = None
    written = entry.get("notebook")
    if written not in (None, ""):
        if not isinstance(written, str):
            own.append(f"{label}: notebook must be a path, got {_type_name(written)} {written!r}")
        elif not written.endswith(".ipynb"):
            own.append(f"{label}: notebook {written!r} is not a .ipynb file")
        else:
            notebook_path = plan_dir / written
            if not notebook_path.is_file():
                own.append(f"{label}: notebook {written!r} not found (looked in {plan_dir})")

    parameters = entry.get("parameters")
    if parameters is None:
        parameters = {}
    elif not isinstance(parameters, dict):
        own.append(f"{label}: parameters must be a mapping of name: value, got {_type_name(parameters)}")
    else:
        for key in parameters:
            if not isinstance(key, str) or not key.isidentifier():
                own.append(f"{label}: parameter name {key!r} is not a valid Python name")

    problems.extend(own)
    if own:
        return None
    return Run(
        name=name,
        notebook=notebook_path,
        title=title,
        parameters=dict(parameters),
        notebook_name=shown_path(written, notebook_path, plan_dir),
    )


def load_plan(path: str | Path) -> list[Run]:
    """Read a batch plan and check every run in it.

    Parameters
    ----------
    path : str or pathlib.Path
        The plan file (YAML). Notebook paths in it are relative to its folder.

    Returns
    -------
    list of Run
        The runs, in plan order.

    Raises
    ------
    PlanError
        If the file is missing or is not valid YAML (the message gives the
        line and column), if the top level is not a mapping with a
        ``reports`` list, or if any run is invalid: missing ``name``,
        ``notebook`` or ``title``; a name that is not a slug; a name used
        twice; a notebook file that does not exist; ``parameters`` that is not
        a mapping. All run problems are listed in one error.

    Examples
    --------
    >>> runs = load_plan("notebooks/reports.yaml")  # doctest: +SKIP
    >>> [run.name for run in runs]  # doctest: +SKIP
    ['vendor-share', 'open-vs-closed']
    """
    runs, problems = check_plan(path)
    if problems:
        head = f"{path}: {len(problems)} problem(s) in the plan:" if len(problems) > 1 else f"{path}:"
        raise PlanError(head + "\n  " + "\n  ".join(problems))
    return runs


def check_plan(path: str | Path) -> tuple[list[Run], list[str]]:
    """The valid runs of a plan and the problems of the others (for ``llmtrends run --keep-going``).

    Parameters
    ----------
    path : str or pathlib.Path

    Returns
    -------
    (runs, problems) : tuple of (list of Run, list of str)
        Every run without a problem, in plan order (of two runs with one name,
        neither), and one message per problem.

    Raises
    ------
    PlanError
        When the file itself is unusable (missing, not YAML, no ``reports`` list).
    """
    path = Path(path)
    document = _read_yaml(path)
    if not isinstance(document, dict) or "reports" not in document:
        got = "a mapping without 'reports'" if isinstance(document, dict) else _type_name(document)
        raise PlanError(f"{path}: the top level must be a mapping with a 'reports' list, got {got}")
    extra = sorted(str(key) for key in document if key != "reports")
    if extra:
        raise PlanError(f"{path}: unknown top-level key(s) {', '.join(extra)}; only 'reports' is allowed")
    entries = document["reports"]
    if not isinstance(entries, list):
        raise PlanError(f"{path}: 'reports' must be a list of runs, got {_type_name(entries)}")
    if not entries:
        raise PlanError(f"{path}: 'reports' is empty; add at least one run")

    plan_dir = path.absolute().parent
    problems: list[str] = []
    runs: list[Run | None] = [
        _check_entry(position, entry, plan_dir, problems) for position, entry in enumerate(entries, start=1)
    ]

    first_position: dict[str, int] = {}
    twice: set[str] = set()
    for position, entry in enumerate(entries, start=1):
        name = entry.get("name") if isinstance(entry, dict) else None
        if not isinstance(name, str) or not name:
            continue
        if name in first_position:
            problems.append(f"runs #{first_position[name]} and #{position} are both named {name!r}")
            twice.add(name)
        else:
            first_position[name] = position
    return [run for run in runs if run is not None and run.name not in twice], problems


def select_runs(runs: Sequence[Run], only: Iterable[str] | None) -> list[Run]:
    """Keep the runs named in ``only`` (all runs when ``only`` is empty).

    Parameters
    ----------
    runs : sequence of Run
        The plan's runs.
    only : iterable of str or None
        Run names to keep; plan order is preserved.

    Returns
    -------
    list of Run

    Raises
    ------
    PlanError
        If a name is not in the plan; the message lists the plan's names and
        suggests the closest one.
    """
    wanted = list(only or [])
    if not wanted:
        return list(runs)
    known = [run.name for run in runs]
    unknown = [name for name in wanted if name not in known]
    if unknown:
        lines = []
        for name in unknown:
            hint = difflib.get_close_matches(name, known, n=1)
            suggestion = f" (did you mean {hint[0]!r}?)" if hint else ""
            lines.append(f"no run named {name!r} in the plan{suggestion}")
        raise PlanError("; ".join(lines) + f". Runs in the plan: {', '.join(known)}")
    return [run for run in runs if run.name in wanted]


def _shown(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_shown(v) for v in value) + "]"
    return value if isinstance(value, str) else repr(value)


def one_off(run: Run, parameters: dict[str, Any]) -> Run:
    """``run`` with other parameters, as a run of its own (``llmtrends run NAME -p KEY VALUE``).

    Its exports take their own name, ``<name>--<key>-<value>...`` (a slug; a
    long one is cut and ends with a digest), so the planned run's exports stay
    as they are; its title says which parameters differ. The run is not in
    the plan: the next batch of the whole plan removes its exports.

    Examples
    --------
    >>> base = Run(name="vendor-share", notebook=Path("vendor_share.ipynb"), title="Vendor share",
    ...            parameters={"metric": "enterprise_llm_api_usage_share"})
    >>> run = one_off(base, {"highlight_vendor": "openai"})
    >>> run.name, run.title, sorted(run.parameters)
    ('vendor-share--highlight-vendor-openai', 'Vendor share (highlight_vendor = openai)', ['highlight_vendor', 'metric'])
    """
    if not parameters:
        return run
    words = "-".join(f"{key}-{value}" for key, value in parameters.items())
    slug = re.sub(r"[^a-z0-9]+", "-", words.lower()).strip("-") or "parameters"
    if len(slug) > 60:
        slug = slug[:48].rstrip("-") + "-" + hashlib.sha256(words.encode("utf-8")).hexdigest()[:8]
    shown = ", ".join(f"{key} = {_shown(value)}" for key, value in parameters.items())
    return Run(name=f"{run.name}--{slug}", notebook=run.notebook, title=f"{run.title} ({shown})",
               parameters={**run.parameters, **parameters}, notebook_name=run.notebook_name)
