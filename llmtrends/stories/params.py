"""Checks of report parameters, shared by the batch runner and the notebooks.

The runner calls :func:`validate` before any kernel starts; each notebook calls
it again right after its ``parameters`` cell, so a direct ``papermill`` run
fails just as clearly. A bad value raises :class:`~llmtrends.errors.ParameterError`
naming the parameter, the value and the accepted values.

Examples
--------
>>> validate("vendor_share", {"highlight_vendor": "Claude"})["highlight_vendor"]  # doctest: +SKIP
'anthropic'
"""
from __future__ import annotations

from typing import Any, Callable

from llmtrends.facts.reading import accepted_list, suggest
from llmtrends.errors import ParameterError
from llmtrends.facts.loading import pinned_data

FLAGEVAL_BOARDS = ("language_subjective", "language_objective", "text_to_image", "text_to_video")
AGENT_MAP_VIEWS = ("industry", "function", "both")


def _fail(param: str, value: Any, accepted, what: str = "value") -> ParameterError:
    names = list(accepted)
    return ParameterError(f"parameter '{param}': unknown {what} {value!r}{suggest(str(value), names)}; "
                          f"accepted: {accepted_list(names, limit=40)}")


def _type(param: str, value: Any, expected: type | tuple, label: str) -> None:
    ok = isinstance(value, expected) and not (expected in (int, (int, float)) and isinstance(value, bool))
    if not ok:
        raise ParameterError(f"parameter '{param}': expected {label}, got {type(value).__name__} {value!r}")


def _names_list(param: str, value: Any, accepted, what: str, allow_empty: bool = True) -> list[str]:
    _type(param, value, (list, tuple), f"a list of {what}s")
    accepted = list(accepted)
    for v in value:
        if not isinstance(v, str) or v not in accepted:
            raise _fail(param, v, accepted, what)
    if not value and not allow_empty:
        raise ParameterError(f"parameter '{param}': the selection is empty; accepted: one or more of "
                             f"{accepted_list(accepted, limit=40)}")
    return list(dict.fromkeys(value))


def _entity(param: str, value: Any, present: list[str]) -> str:
    from llmtrends.facts import datasets
    _type(param, value, str, "an entity name")
    reg = datasets.registry()
    eid = reg.entity_id(value)
    if eid is None or eid not in present:
        raise _fail(param, value, present, "vendor")
    return eid


def _vendor_share(p: dict) -> dict:
    from llmtrends.facts import datasets
    reg = datasets.registry()
    df = datasets.load("vendor_share")
    share_metrics = sorted(m for m in df["metric"].unique() if reg.metrics[m]["kind"] == "share")
    _type("metric", p["metric"], str, "a metric name")
    if p["metric"] not in share_metrics:
        raise _fail("metric", p["metric"], share_metrics, "share metric")
    d = df[df["metric"] == p["metric"]]
    _type("segment", p["segment"], str, "a segment name")
    segments = sorted(d["segment"].unique())
    if p["segment"] not in segments:
        raise _fail("segment", p["segment"], segments, f"segment for metric '{p['metric']}'")
    d = d[d["segment"] == p["segment"]]
    out = dict(p)
    # the followed vendor is followed across every lens: any vendor a vendor-share lens names (a model, product
    # or app stands for its vendor: "ChatGPT" follows OpenAI)
    named = set(d["entity"]) | _lens_vendors(reg)
    spelled = reg.entity_id(p["highlight_vendor"]) if isinstance(p["highlight_vendor"], str) else None
    vendor = reg.entities.get(spelled or "", {}).get("vendor")
    value = vendor if vendor and spelled not in named else p["highlight_vendor"]
    out["highlight_vendor"] = _entity("highlight_vendor", value, sorted(named))
    out["periods"] = _names_list("periods", p["periods"], sorted(d["period"].unique()), "period")
    return out


def _lens_vendors(reg) -> set[str]:
    """The vendors the vendor-share lenses name (a model, product or app counted as its vendor)."""
    from llmtrends.facts import datasets
    from llmtrends.facts.lenses import lens_rows
    figures = datasets.figures()
    out = set()
    for lens in reg.lenses.values():
        if lens["theme"] != "vendor_share":
            continue
        rows = lens_rows(figures, lens, reg)
        out |= {e if k == "vendor" else v for e, k, v in zip(rows["entity"], rows["entity_kind"], rows["vendor"])
                if k == "vendor" or isinstance(v, str)}
    return out


def _open_vs_closed(p: dict) -> dict:
    """``lenses``: ``["all"]`` (every open-vs-closed lens of data/lenses.yaml, so a new lens is a data edit)
    or some of those lens ids (those the figures hold)."""
    from llmtrends.facts import datasets
    from llmtrends.stories.themes.lens_parts import declared_lenses, lens_rows
    figures = datasets.figures()
    lenses = [lid for lid, lens in declared_lenses().items() if len(lens_rows(figures, lens))]
    out = dict(p)
    chosen = _names_list("lenses", p["lenses"], ["all"] + lenses, "lens", allow_empty=False)
    if "all" in chosen and len(chosen) > 1:
        raise ParameterError(f"parameter 'lenses': 'all' stands alone (every lens); got {chosen!r}; accepted: "
                             f"['all'] or some of {accepted_list(lenses, limit=40)}")
    out["lenses"] = None if chosen == ["all"] else chosen
    out["flageval_boards"] = _names_list("flageval_boards", p["flageval_boards"], FLAGEVAL_BOARDS, "board",
                                         allow_empty=False)
    _type("show_quotes", p["show_quotes"], bool, "True or False")
    return out


def _agentic_usage(p: dict) -> dict:
    from llmtrends.facts import datasets
    figs = datasets.figures()
    segs = sorted(figs.loc[figs["metric"] == "respondents_mostly_inference_compute", "segment"].unique())
    out = dict(p)
    out["compute_segments"] = _names_list("compute_segments", p["compute_segments"], segs, "segment",
                                          allow_empty=False)
    _type("agent_map_view", p["agent_map_view"], str, "a view name")
    if p["agent_map_view"] not in AGENT_MAP_VIEWS:
        raise _fail("agent_map_view", p["agent_map_view"], AGENT_MAP_VIEWS, "view")
    _type("top_n_scenarios", p["top_n_scenarios"], int, "a whole number")
    if p["top_n_scenarios"] < 1:
        raise ParameterError(f"parameter 'top_n_scenarios': expected a whole number >= 1, got {p['top_n_scenarios']!r}")
    return out


VALIDATORS: dict[str, tuple[Callable[[dict], dict], tuple[str, ...]]] = {
    "vendor_share": (_vendor_share, ("metric", "segment", "highlight_vendor", "periods")),
    "open_vs_closed": (_open_vs_closed, ("lenses", "flageval_boards", "show_quotes")),
    "agentic_usage": (_agentic_usage, ("compute_segments", "agent_map_view", "top_n_scenarios")),
}


def _assigned_names(source: str) -> set[str]:
    import ast
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    names = set()
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
        names.update(target.id for target in targets if isinstance(target, ast.Name))
    return names


def _papermill_injected_unknown(declared: tuple[str, ...]) -> list[str]:
    """Names papermill injected into the running notebook that it does not declare.

    ``papermill -p typo value`` only logs a warning and runs the report with
    its defaults. Inside a kernel, the injected cell (``# Parameters`` then
    assignments) is in IPython's input history right after the notebook's own
    parameters cell; a name it assigns that neither that cell nor the report
    declares is a typo. Outside a kernel, or without injected parameters,
    nothing is checked.
    """
    try:
        from IPython import get_ipython
    except ImportError:
        return []
    shell = get_ipython()
    history = list((shell.user_ns.get("In") or []) if shell is not None else [])
    for position in range(len(history) - 1, 0, -1):
        source = history[position]
        if isinstance(source, str) and source.lstrip().startswith("# Parameters"):
            known = set(declared) | _assigned_names(str(history[position - 1]))
            return sorted(_assigned_names(source) - known)
    return []


@pinned_data
def validate(notebook: str, params: dict | None = None, **kwargs: Any) -> dict:
    """Check a report's parameters; return them normalized (spellings -> entity ids).

    Parameters
    ----------
    notebook : str
        The report's validator name (the notebook stem: ``vendor_share`` ...).
    params : dict, optional
        Parameter values (keyword arguments are merged in).

    Returns
    -------
    dict
        The parameters, with accepted spellings normalized.

    Raises
    ------
    ParameterError
        Unknown parameter, wrong type, unknown value or empty selection; the
        message names the parameter, the value and the accepted values.
    """
    if notebook not in VALIDATORS:
        raise _fail("notebook", notebook, VALIDATORS, "report")
    check, declared = VALIDATORS[notebook]
    values = dict(params or {}, **kwargs)
    injected = _papermill_injected_unknown(declared)
    if injected:
        k = injected[0]
        raise ParameterError(f"parameter '{k}' is not a parameter of {notebook}{suggest(k, declared)}; "
                             f"accepted: {', '.join(declared)} (papermill -p only warns about it)")
    unknown = [k for k in values if k not in declared]
    if unknown:
        k = unknown[0]
        raise ParameterError(f"parameter '{k}' is not a parameter of {notebook}{suggest(k, declared)}; "
                             f"accepted: {', '.join(declared)}")
    missing = [k for k in declared if k not in values]
    if missing:
        raise ParameterError(f"{notebook}: missing parameter(s) {', '.join(missing)}")
    return check(values)
