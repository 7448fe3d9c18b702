"""Regression suite of issue 11, safe HTML: hostile values in every free-text field of the data and in
every string of the manifest reach the exports as text; no script runs and no javascript: link exists.

Checked in a real browser (headless Chromium): the index, the data catalog and every report page.
"""
from __future__ import annotations

import csv
import io
import json
import re
import shutil

import pytest
import yaml

from llmtrends.facts import strict_yaml as _yaml
from llmtrends.facts import datasets
from llmtrends.errors import DataError
from llmtrends.stories.html import esc, safe_url

from .reports_fixture import NOTEBOOKS

#: Markup that runs a script if any page lets it through unescaped, plus matplotlib's math syntax.
HOSTILE = (' <script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">'
           "\"'><svg onload=window.__pwned=3> $\\frac{ $5 vs $7")
HOSTILE_URL = 'https://example.org/?q="><script>window.__pwned=4</script>'
#: Keys of the YAML files that hold free text (names, titles, definitions, notes ...).
FREE_TEXT = {"title", "publisher", "note", "definition", "name", "sample", "segment_definitions", "reason",
             "description", "geography"}
VOCABULARY_TEXTS = ("themes", "segments", "units", "qualifiers")

#: What a page may not contain once loaded: a script that ran, or a javascript: link.
PROBE = """
const targets = [];
for (const el of document.querySelectorAll('[href],[src],[action],[formaction],[xlink\\\\:href]')) {
  for (const name of ['href', 'src', 'action', 'formaction', 'xlink:href']) {
    const value = el.getAttribute(name);
    if (value && value.replace(/[\\u0000-\\u0020\\u007f]/g, '').toLowerCase().startsWith('javascript:')) {
      targets.push(name + '=' + value);
    }
  }
}
return {pwned: window.__pwned === undefined ? null : String(window.__pwned), javascript: targets};
"""


def _hostile_yaml(value, key=None):
    if isinstance(value, dict):
        return {k: (HOSTILE_URL if k == "url" and isinstance(v, str) else _hostile_yaml(v, k)) for k, v in value.items()}
    if isinstance(value, list):
        return [_hostile_yaml(item, key) for item in value]
    if isinstance(value, str) and key in FREE_TEXT:
        return value + HOSTILE
    return value


def make_hostile(data_dir) -> None:
    """Append `HOSTILE` to every free-text field of the data, make every URL hostile (but http)."""
    for path in sorted(data_dir.glob("*.yaml")):
        document = _yaml.load(path.read_text(encoding="utf-8"))
        if path.name == "vocabulary.yaml":
            for section in VOCABULARY_TEXTS:
                document[section] = {k: v + HOSTILE for k, v in document[section].items()}
        document = _hostile_yaml(document)
        path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=1000), encoding="utf-8")
    for path in sorted(data_dir.glob("observations/*.csv")) + sorted(data_dir.glob("tables/*.csv")):
        rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=list(rows[0]) if rows else [], lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow(dict(row, note=row["note"] + HOSTILE))
        path.write_text(out.getvalue(), encoding="utf-8")


def _hostile_manifest(exports) -> dict:
    """Every string of every manifest record made hostile, keeping the shape a batch accepts."""
    document = json.loads((exports / "manifest.json").read_text(encoding="utf-8"))
    keep = {"name", "status", "build", "files", "key", "digests", "inputs", "failed_notebook"}

    def spoil(value, key=None):
        if key in keep:
            return value
        if isinstance(value, dict):
            return {k: spoil(v, k) for k, v in value.items()}
        if isinstance(value, list):
            return [spoil(item, key) for item in value]
        return value + HOSTILE if isinstance(value, str) else value

    for name, record in document["runs"].items():
        spoiled = spoil(record)
        spoiled["status"] = "failed"
        spoiled["failure"] = {"cell": 3, "cell_source": "x = 1" + HOSTILE, "error": "ValueError: boom" + HOSTILE}
        document["runs"][name] = spoiled
    return document


def test_safe_url_keeps_http_and_relative_links_only():
    assert safe_url("https://menlovc.com/a?b=1") == "https://menlovc.com/a?b=1"
    assert safe_url("http://x.org") == "http://x.org"
    assert safe_url("catalog.html#source-x") == "catalog.html#source-x"
    for hostile in ("javascript:alert(1)", " JavaScript:alert(1)", "java\tscript:alert(1)", "\x01javascript:x",
                    "data:text/html,<script>alert(1)</script>", "vbscript:x", "file:///etc/passwd", "", None):
        assert safe_url(hostile) is None, hostile
    assert esc('"><script>') == "&quot;&gt;&lt;script&gt;"


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,x", "ftp://example.org/x"])
def test_a_url_in_the_data_must_be_http(data_copy, url):
    """Defect: `url: 'javascript:alert(1)'` in sources.yaml became a live link in every report."""
    path = data_copy / "sources.yaml"
    text = path.read_text(encoding="utf-8")
    edited = re.sub(r"^    url: https?://.*$", f"    url: '{url}'", text, count=1, flags=re.M)
    assert edited != text
    path.write_text(edited, encoding="utf-8")
    datasets.clear_cache()
    with pytest.raises(DataError, match=r"column 'url': found text .*accepted: an http\(s\) URL"):
        datasets.registry()


def test_a_javascript_url_never_becomes_a_link_in_the_sources_section(monkeypatch):
    """Even past the schema (a registry built in code), the sources section links http(s) only."""
    from llmtrends.stories import display
    reg = datasets.registry()
    source_id = next(iter(reg.sources))
    monkeypatch.setitem(reg.sources, source_id, dict(reg.sources[source_id], url="javascript:alert(1)"))
    shown = []
    monkeypatch.setattr(display, "_show", shown.append)
    monkeypatch.setattr("llmtrends.stories.citations.declare_sources", lambda citations: list(citations))
    display.sources_section([source_id])
    markup = str(shown[0].data if hasattr(shown[0], "data") else shown[0])
    assert "<li>" in markup and "javascript:" not in markup


@pytest.mark.slow
@pytest.mark.browser
def test_hostile_data_and_manifest_run_no_script_in_any_export(data_copy, tmp_path, browser):
    """Defects: markup in the data (a javascript: url, names with `$\\frac{`) and a hand-edited manifest
    status injected live links, scripts and mathematics into the exports."""
    from selenium.common.exceptions import NoAlertPresentException

    from llmtrends.batch import load_plan, run_batch
    from llmtrends.batch.index import render_index
    from llmtrends.batch.manifest import load_manifest

    make_hostile(data_copy)
    datasets.clear_cache()
    datasets.registry()  # the hostile data is still valid data
    plan_dir = tmp_path / "notebooks"
    plan_dir.mkdir()
    for notebook in ("vendor_share.ipynb", "open_vs_closed.ipynb", "agentic_usage.ipynb"):
        shutil.copy(NOTEBOOKS / notebook, plan_dir / notebook)
    (plan_dir / "reports.yaml").write_text(
        "reports:\n"
        + "".join(f"  - {{name: {name}, notebook: {name.replace('-', '_')}.ipynb, title: {json.dumps('T' + HOSTILE)}}}\n"
                  for name in ("vendor-share", "open-vs-closed", "agentic-usage")),
        encoding="utf-8")
    exports = tmp_path / "exports"
    lines: list[str] = []
    runs = load_plan(plan_dir / "reports.yaml")
    result = run_batch(runs, exports_dir=exports, jobs=2, emit=lines.append)
    assert result.exit_status == 0, "\n".join(lines)

    hostile = _hostile_manifest(exports)
    (exports / "manifest.json").write_text(json.dumps(hostile), encoding="utf-8")
    records = load_manifest(exports)
    assert set(records) == set(hostile["runs"])  # hostile text, right shape: kept and rendered
    (exports / "index-hostile.html").write_text(render_index(runs, records, exports_dir=exports), encoding="utf-8")
    (exports / "manifest.json").write_text(json.dumps(
        {"version": 1, "runs": {name: dict(record, status='"><script>window.__pwned=5</script>')
                                for name, record in hostile["runs"].items()}}), encoding="utf-8")
    assert load_manifest(exports) == {}  # a status outside ok/failed: the record is not used
    unchecked = {name: dict(record, status='"><script>window.__pwned=5</script>')
                 for name, record in records.items()}  # past the manifest check: the renderer escapes it
    (exports / "index-unchecked.html").write_text(render_index(runs, unchecked, exports_dir=exports),
                                                  encoding="utf-8")

    control = tmp_path / "control.html"  # the probe itself finds what it looks for
    control.write_text(f"<p>{HOSTILE}</p><a href=' javascript:alert(1)'>x</a>", encoding="utf-8")
    browser.get(control.as_uri())
    found = browser.execute_script(PROBE)
    assert found["pwned"] is not None and found["javascript"] == ["href= javascript:alert(1)"], found

    pages = sorted(exports.glob("*.html"))
    assert {"index.html", "index-hostile.html", "index-unchecked.html", "catalog.html", "vendor-share.html",
            "vendor-share.analyst.html"} <= {page.name for page in pages}
    for page in pages:
        browser.get(page.as_uri())
        try:
            alert = browser.switch_to.alert
            text = alert.text
            alert.dismiss()
            pytest.fail(f"{page.name}: an alert ran ({text})")
        except NoAlertPresentException:
            pass
        found = browser.execute_script(PROBE)
        assert found == {"pwned": None, "javascript": []}, page.name
        assert "window.__pwned" in browser.page_source, f"{page.name}: the hostile text did not reach it"


@pytest.mark.parametrize("label", ["Anthropic $5 vs $7", "Anthropic $\\frac{$ broken"])
def test_display_text_is_never_parsed_as_mathematics(label):
    """Defect: an entity name with `$\\frac{` broke every chart; `Anthropic $5 vs $7` rendered as "Anthropic 5vs7"."""
    import matplotlib.pyplot as plt

    from llmtrends.stories import plotting

    with plotting.theme():
        fig, ax = plt.subplots()
        title = ax.set_title(label)
        fig.canvas.draw()  # mathtext would raise on "$\frac{"
        assert title._preprocess_math(title.get_text()) == (label, False)
        plt.close(fig)
