"""Check every run's parameters against its notebook before any kernel starts.

Three checks, in order, per run:

1. every parameter name is declared in the notebook's ``parameters`` cell
   (``papermill.inspect_notebook``); an unknown name lists the declared ones
   and suggests the closest;
2. every value has the type of the declared default (or of the annotation,
   ``x: int = 3``); an ``int`` is accepted for a ``float``, a ``bool`` is not
   accepted for an ``int``; a default of ``None`` accepts any value;
3. if the notebook's metadata names a validator
   (``"llmtrends": {"validator": "<name>"}``), the library checks the values:
   ``llmtrends.stories.params.validate(name, merged_parameters)``.

The problems of all runs are collected and raised as one `ParameterError`.
"""
from __future__ import annotations

import ast
import difflib
import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable

from llmtrends.errors import DataError, LlmtrendsError, ParameterError
from llmtrends.batch.plan import Run

if TYPE_CHECKING:  # papermill and nbformat are imported when a run is checked
    import nbformat

_NO_DEFAULT = object()

#: Type names a parameter can be checked against.
CHECKED_TYPES = ("int", "float", "str", "bool", "list", "dict", "tuple")

_ANNOTATION_ALIASES = {
    "List": "list",
    "Dict": "dict",
    "Tuple": "tuple",
    "Sequence": "list",
    "Mapping": "dict",
}


@dataclass(frozen=True)
class DeclaredParameter:
    """One parameter declared in a notebook's ``parameters`` cell.

    Attributes
    ----------
    name : str
    type_name : str or None
        One of `CHECKED_TYPES`, or ``None`` when any value is accepted (the
        default is ``None`` or an expression that is not a literal).
    optional : bool
        ``None`` is also accepted (annotation ``Optional[...]``).
    default : object
        The default value when it is a Python literal, else a private
        sentinel (see `has_default`).
    default_source : str
        The default as written in the cell.
    help : str
        The inline comment after the assignment.
    """

    name: str
    type_name: str | None
    optional: bool
    default: Any
    default_source: str
    help: str

    @property
    def has_default(self) -> bool:
        """Whether the default is a literal value (usable for validation)."""
        return self.default is not _NO_DEFAULT


def _literal_defaults(nb: nbformat.NotebookNode) -> dict[str, Any]:
    """Parse the ``parameters`` cell with :mod:`ast` and evaluate literal defaults.

    papermill's line-based inspection cuts a default at the first ``#`` (so
    ``color = "#d97757"`` loses its value); the cell is Python, so parse it.
    """
    for cell in nb.cells:
        if cell.cell_type == "code" and "parameters" in cell.get("metadata", {}).get("tags", []):
            try:
                tree = ast.parse(cell.source)
            except SyntaxError:
                return {}
            defaults: dict[str, Any] = {}
            for node in tree.body:
                if isinstance(node, ast.Assign) and len(node.targets) == 1:
                    target, value = node.targets[0], node.value
                elif isinstance(node, ast.AnnAssign) and node.value is not None:
                    target, value = node.target, node.value
                else:
                    continue
                if isinstance(target, ast.Name):
                    try:
                        defaults[target.id] = ast.literal_eval(value)
                    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
                        pass
            return defaults
    return {}


def _type_from_annotation(annotation: str) -> tuple[str | None, bool]:
    """Map an annotation such as ``int``, ``list[str]`` or ``Optional[str]`` to a checked type."""
    text = annotation.replace(" ", "")
    optional = False
    if text.startswith("Optional[") and text.endswith("]"):
        text, optional = text[len("Optional[") : -1], True
    base = text.split("[", 1)[0].rsplit(".", 1)[-1]
    base = _ANNOTATION_ALIASES.get(base, base)
    return (base if base in CHECKED_TYPES else None), optional


def declared_parameters(notebook: str | Path) -> dict[str, DeclaredParameter]:
    """The parameters a notebook declares, with their checked types.

    Parameters
    ----------
    notebook : str or pathlib.Path
        Path of the notebook.

    Returns
    -------
    dict of str to DeclaredParameter
        In declaration order; empty when no cell is tagged ``parameters``.

    Examples
    --------
    >>> declared_parameters("notebooks/vendor_share.ipynb")["highlight_vendor"].type_name  # doctest: +SKIP
    'str'
    """
    import nbformat
    import papermill

    inspected = papermill.inspect_notebook(str(notebook))
    nb = nbformat.read(str(notebook), as_version=4)
    literals = _literal_defaults(nb)
    declared: dict[str, DeclaredParameter] = {}
    for name, info in inspected.items():
        default = literals.get(name, _NO_DEFAULT)
        if default is _NO_DEFAULT:
            try:
                default = ast.literal_eval(info["default"])
            except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
                default = _NO_DEFAULT
        annotation = info.get("inferred_type_name") or "None"
        optional = False
        if annotation not in ("None", "NoneType"):
            type_name, optional = _type_from_annotation(annotation)
        elif default is _NO_DEFAULT or default is None:
            type_name = None
        else:
            type_name = type(default).__name__
            type_name = type_name if type_name in CHECKED_TYPES else None
        declared[name] = DeclaredParameter(
            name=name,
            type_name=type_name,
            optional=optional,
            default=default,
            default_source=str(info.get("default", "")),
            help=str(info.get("help", "")),
        )
    return declared


def value_matches(value: Any, type_name: str | None, optional: bool = False) -> bool:
    """Whether ``value`` is acceptable for a parameter of type ``type_name``.

    Parameters
    ----------
    value : object
        The value from the plan.
    type_name : str or None
        One of `CHECKED_TYPES`; ``None`` accepts anything.
    optional : bool
        Also accept ``None``.

    Returns
    -------
    bool

    Examples
    --------
    >>> value_matches(3, "float"), value_matches(True, "int"), value_matches([1], "tuple")
    (True, False, True)
    """
    if type_name is None or (optional and value is None):
        return True
    if type_name == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if type_name == "float":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if type_name == "bool":
        return isinstance(value, bool)
    if type_name == "str":
        return isinstance(value, str)
    if type_name in ("list", "tuple"):
        return isinstance(value, (list, tuple))
    if type_name == "dict":
        return isinstance(value, dict)
    return True


def _label(run: Run) -> str:
    return f"run {run.name!r} ({run.notebook_name})"


def _value_text(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _type_problem(run: Run, name: str, value: Any, declared: DeclaredParameter) -> str:
    expected = declared.type_name + (" or None" if declared.optional else "")
    got = "null" if value is None else type(value).__name__
    message = (
        f"{_label(run)}: parameter {name!r} = {_value_text(value)} has type {got}, "
        f"expected {expected} (the notebook's default is {declared.default_source})"
    )
    if declared.type_name == "str" and got in ("date", "datetime"):
        message += f"; quote the value in the plan: '{value}'"
    return message


def _validator_problems(run: Run, validator: str, merged: dict[str, Any]) -> list[str]:
    try:
        params_module = importlib.import_module("llmtrends.stories.params")
        validate = params_module.validate
    except (ImportError, AttributeError) as exc:
        return [
            f"{_label(run)}: the notebook asks for validator {validator!r}, "
            f"but llmtrends.stories.params.validate is not available ({exc})"
        ]
    try:
        validate(validator, merged)
    except DataError:
        raise  # the data, not this run, is broken: reported once by the caller, not once per run
    except LlmtrendsError as exc:
        return [f"{_label(run)}: {exc}"]
    except Exception as exc:  # a validator that breaks is this run's problem, not a traceback
        return [f"{_label(run)}: validator {validator!r} failed: {type(exc).__name__}: {exc}"]
    return []


def run_parameter_problems(run: Run) -> list[str]:
    """Check one run's parameters; return its problems as messages.

    Parameters
    ----------
    run : Run

    Returns
    -------
    list of str
        Empty when the run's parameters are acceptable. The validator is only
        consulted when names and types are right.
    """
    import nbformat

    try:
        declared = declared_parameters(run.notebook)
        nb = nbformat.read(str(run.notebook), as_version=4)
    except Exception as exc:  # an unreadable notebook is one more problem to list
        return [f"{_label(run)}: cannot read the notebook: {type(exc).__name__}: {exc}"]

    problems: list[str] = []
    names = list(declared)
    for name, value in run.parameters.items():
        if name not in declared:
            if names:
                close = difflib.get_close_matches(name, names, n=1)
                hint = f"did you mean {close[0]!r}? " if close else ""
                problems.append(
                    f"{_label(run)}: unknown parameter {name!r}; {hint}declared parameters: {', '.join(names)}"
                )
            else:
                problems.append(
                    f"{_label(run)}: unknown parameter {name!r}; "
                    "the notebook declares no parameters (no cell tagged 'parameters')"
                )
            continue
        if not value_matches(value, declared[name].type_name, declared[name].optional):
            problems.append(_type_problem(run, name, value, declared[name]))
    if problems:
        return problems

    validator = nb.metadata.get("llmtrends", {}).get("validator")
    if validator:
        merged = {name: p.default for name, p in declared.items() if p.has_default}
        merged.update(run.parameters)
        problems.extend(_validator_problems(run, str(validator), merged))
    return problems


def parameter_problems(runs: Iterable[Run]) -> dict[str, list[str]]:
    """The problems of each run that has any, by run name (see `run_parameter_problems`).

    Raises
    ------
    DataError
        When a validator cannot read the data: that is one problem, whatever
        the number of runs.
    """
    found: dict[str, list[str]] = {}
    for run in runs:
        problems = run_parameter_problems(run)
        if problems:
            found[run.name] = problems
    return found


def parameter_error(problems: list[str]) -> ParameterError:
    """One `ParameterError` listing ``problems`` (``error.problems``)."""
    head = (
        f"{len(problems)} parameter problems; no run was started:"
        if len(problems) > 1
        else "parameter problem; no run was started:"
    )
    error = ParameterError(head + "\n  " + "\n  ".join(problems))
    error.problems = problems
    return error


def check_parameters(runs: Iterable[Run]) -> None:
    """Check the parameters of every run; raise one error listing all problems.

    Parameters
    ----------
    runs : iterable of Run

    Raises
    ------
    ParameterError
        If any run has an unknown parameter, a value of the wrong type, or a
        value its notebook's validator rejects. ``error.problems`` holds one
        message per problem.
    DataError
        Once, when the data the validators read is broken.
    """
    problems = [problem for found in parameter_problems(runs).values() for problem in found]
    if problems:
        raise parameter_error(problems)


def command_line_value(text: str, declared: DeclaredParameter | None) -> Any:
    """A value typed after ``-p KEY`` on the command line, as the plan would hold it.

    Read as YAML like ``notebooks/reports.yaml`` (``3``, ``0.5``, ``true``,
    ``[a, b]``, ``null``); for a parameter whose type is ``str`` the text is
    taken as typed (``-p label 2024`` is the text ``'2024'``). Text that is not
    YAML stays text; the checks of the plan then judge the value.

    Examples
    --------
    >>> command_line_value("[enterprise, startup]", None), command_line_value("5", None)
    (['enterprise', 'startup'], 5)
    >>> str_parameter = DeclaredParameter("label", "str", False, "x", "'x'", "")
    >>> command_line_value("2024", str_parameter), command_line_value("openai", None)
    ('2024', 'openai')
    """
    from llmtrends.facts import strict_yaml

    if declared is not None and declared.type_name == "str":
        return text
    try:
        value = strict_yaml.load(text)
    except (strict_yaml.Refused, RecursionError):
        return text
    return text if value is None and not text.strip() else value
