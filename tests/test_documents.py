"""The document store and its registry: documents.yaml, checksums, quotes verbatim, `llmtrends check`.

Tests needing the store take the ``document_store`` fixture: absent, they skip
with one summary line (CI: they fail). ``test_clone_without_store_*`` proves both on a
fresh clone of the repository with nothing beside it.
"""
from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from llmtrends.facts import datasets
from llmtrends import paths
from llmtrends.cli import main
from llmtrends.errors import DataError

REPO = Path(__file__).resolve().parents[1]
ABSENT_LINE = "document checks skipped; set LLMTRENDS_DOCUMENTS or put the store at ../shared/documents"


def _edit_yaml(path: Path, edit) -> None:
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    edit(doc)
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _edit_csv(path: Path, edit) -> None:
    """Rewrite an observation file through ``edit(rows)`` (rows[0] is the header)."""
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    edit(rows)
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)


def _problems(exc_info) -> str:
    return "\n".join(str(p) for p in exc_info.value.problems)


@pytest.fixture
def store_copy(document_store, tmp_path, monkeypatch):
    """A writable copy of the document store that llmtrends checks instead of the real one."""
    target = tmp_path / "documents"
    shutil.copytree(document_store, target)
    monkeypatch.setenv("LLMTRENDS_DOCUMENTS", str(target))
    return target


# --------------------------------------------------------------------------- the real store

def test_every_document_check_passes_on_the_real_store(document_store):
    problems = datasets.check_quotes(document_store)
    assert problems == [], "\n".join(problems)


def test_every_store_file_is_registered_with_its_checksum(document_store):
    docs = datasets.documents().set_index("document")
    files = sorted(p.relative_to(document_store).as_posix() for p in document_store.rglob("*")
                   if p.is_file() and p.name != "README.md")
    assert sorted(docs["file"]) == files  # the store's folders (2026/) included
    assert any(f.startswith("2026/") for f in files)
    # the store's own README lists each file with its SHA-256: the registry must agree with it
    readme = (document_store / "README.md").read_text(encoding="utf-8")
    for _, row in docs.iterrows():
        assert f"| {row['file']} | {row['kind']} |" in readme
        assert row["sha256"] in readme


def test_the_registry_knows_the_kinds_and_what_each_document_reports():
    docs = datasets.documents().set_index("document")
    assert docs.loc["menlo_2025_midyear", "kind"] == "primary"
    assert docs.loc["menlo_2025_midyear", "primary_of"] == "menlo_2025_midyear"
    assert docs.loc["openrouter_state_of_ai_zh", "kind"] == "translation"
    assert docs.loc["001_f6f9bbcc7f4aaa0b", "published"] == "2025-08-01"
    assert datasets.registry().documents["000_dff873e1b34121a2"]["published"] is None  # no text of 000 states a date
    src = datasets.sources().set_index("source_id")
    # derived from reports: (no relayed_by in sources.yaml any more)
    assert set(src.loc["menlo_2025_midyear", "documents"]) == {
        "000_dff873e1b34121a2", "001_f6f9bbcc7f4aaa0b", "menlo_2025_midyear"}
    # the mid-year page cites the 2024 report's total: a relay there, not its primary
    assert "menlo_2025_midyear" in src.loc["menlo_2024_enterprise", "relayed_by"]
    assert "menlo_2025_midyear" not in src.loc["menlo_2025_midyear", "relayed_by"]
    assert "relayed_by" not in (REPO / "data" / "sources.yaml").read_text(encoding="utf-8")


def test_documents_dir_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("LLMTRENDS_DOCUMENTS", str(tmp_path))
    assert paths.documents_dir() == tmp_path
    monkeypatch.delenv("LLMTRENDS_DOCUMENTS")
    assert paths.documents_dir() == REPO.parent / "shared" / "documents"


# --------------------------------------------------------------------------- each check can fail

def test_an_edited_quote_is_caught(data_copy, document_store):
    path = data_copy / "observations" / "004_7a1188515460bd69.csv"
    text = path.read_text(encoding="utf-8")
    # 週 -> 周: the value stays readable in the quote (the load check), the quote is no longer verbatim
    path.write_text(text.replace("平均週份額約 13.0%", "平均周份額約 13.0%"), encoding="utf-8")
    problems = datasets.check_quotes(document_store)
    assert len(problems) == 2, problems
    assert "004_7a1188515460bd69.csv" in problems[0] and "column 'quote'" in problems[0]
    # and the number that quote covered is no row's value any more (coverage)
    assert "document 004_7a1188515460bd69" in problems[1] and "number '13.0%'" in problems[1]


def test_a_period_quote_not_in_the_same_document_is_caught(data_copy, document_store):
    # a phrase of 001, not of 000: the period quote must come from the row's own document
    _edit_csv(data_copy / "observations" / "000_dff873e1b34121a2.csv",
              lambda rows: rows[1].__setitem__(slice(rows[0].index("period_quote"), rows[0].index("period_inferred") + 1),
                                               ["在6月30日至7月10日", ""]))
    problems = datasets.check_quotes(document_store)
    assert len(problems) == 1, problems
    assert "line 2" in problems[0] and "column 'period_quote'" in problems[0] and "000_dff873e1b34121a2" in problems[0]


def test_a_changed_document_fails_its_checksum(store_copy):
    path = store_copy / "003_663836e434da2f9a.txt"
    path.write_bytes(path.read_bytes() + b"\n")  # even a trailing newline is a change
    problems = datasets.check_quotes()
    assert len(problems) == 1
    assert "checksum mismatch" in problems[0] and "document '003_663836e434da2f9a'" in problems[0]


def test_a_missing_and_an_unregistered_document_are_caught(store_copy):
    (store_copy / "menlo_2025_consumer_via_pivot.md").unlink()
    (store_copy / "new_report.md").write_text("---\nid: new_report\n---\n", encoding="utf-8")
    problems = "\n".join(datasets.check_quotes())
    assert "'menlo_2025_consumer_via_pivot.md' is not in the document store" in problems
    assert "new_report.md: file of the document store is not registered" in problems


def test_registry_quotes_are_checked(data_copy, document_store):
    _edit_yaml(data_copy / "documents.yaml",
               lambda d: d["004_7a1188515460bd69"].update(published_quote="date: 2025-10-28T10:00:00+08:00"))
    _edit_yaml(data_copy / "sources.yaml",
               lambda d: d["sources"]["menlo_2025_enterprise"].update(geography_quote="limited to EU enterprises"))
    problems = datasets.check_quotes(document_store)
    assert len(problems) == 2, problems
    assert any("published_quote not found verbatim in 004_7a1188515460bd69" in p for p in problems)
    assert any("geography_quote not found verbatim" in p and "source 'menlo_2025_enterprise'" in p
               for p in problems)


def test_a_missing_store_is_reported_not_passed(tmp_path):
    problems = datasets.check_quotes(tmp_path / "nowhere")
    assert len(problems) == 1 and ABSENT_LINE in problems[0]


# --------------------------------------------------------------------------- loader rules (no store needed)

def test_relayed_by_in_sources_yaml_is_refused(data_copy):
    _edit_yaml(data_copy / "sources.yaml",
               lambda d: d["sources"]["flageval_2024_12"].update(relayed_by=["002_5e558ed93eb34f2f"]))
    with pytest.raises(DataError) as exc:
        datasets.figures()
    text = _problems(exc)
    assert "source 'flageval_2024_12'" in text and "column 'relayed_by'" in text and "reports:" in text


def test_an_observation_source_must_be_among_its_documents_reports(data_copy):
    _edit_yaml(data_copy / "documents.yaml",
               lambda d: d["002_5e558ed93eb34f2f"]["reports"].remove("analysys_csdn_developer_survey_2024")
               or d["menlo_2025_enterprise"]["reports"].append("analysys_csdn_developer_survey_2024"))
    path = data_copy / "observations" / "002_5e558ed93eb34f2f.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        line = next(reader.line_num for row in reader if row[1] == "analysys_csdn_developer_survey_2024")
    with pytest.raises(DataError) as exc:
        datasets.figures()
    text = _problems(exc)
    assert f"002_5e558ed93eb34f2f.csv, line {line}" in text
    assert "source 'analysys_csdn_developer_survey_2024' is not among the sources document '002_5e558ed93eb34f2f' reports" in text


@pytest.mark.parametrize("edit,expected", [
    (lambda d: d["000_dff873e1b34121a2"].update(kind="blog"), "unknown kind 'blog'; accepted: relay, primary, translation"),
    (lambda d: d["menlo_2025_midyear"].pop("primary_of"), "a primary document needs 'primary_of'"),
    (lambda d: d["004_7a1188515460bd69"].pop("published_quote"), "published needs exactly one of published_quote"),
    (lambda d: d["004_7a1188515460bd69"].update(published_inferred="guess"), "found both"),
    (lambda d: d["002_5e558ed93eb34f2f"].update(sha256="abc"), "is not a SHA-256"),
    (lambda d: d["002_5e558ed93eb34f2f"].update(file="002.txt"), "does not match the id"),
    (lambda d: d["002_5e558ed93eb34f2f"].update(file="a/b/002_5e558ed93eb34f2f.txt"), "does not match the id"),
    (lambda d: d["002_5e558ed93eb34f2f"].update(file="../002_5e558ed93eb34f2f.txt"), "does not match the id"),
    (lambda d: d["002_5e558ed93eb34f2f"].update(not_rows=[{"text": "未来3-5年", "reason": " "}]),
     "not_rows #1 needs a non-empty text"),
    (lambda d: d["002_5e558ed93eb34f2f"].update(not_rows=[{"text": "未来3-5年"}]), "not_rows"),
    (lambda d: d["002_5e558ed93eb34f2f"]["reports"].append("flagevl_2024_12"),
     "unknown source 'flagevl_2024_12'; did you mean 'flageval_2024_12'?"),
])
def test_documents_yaml_rules(data_copy, edit, expected):
    _edit_yaml(data_copy / "documents.yaml", edit)
    with pytest.raises(DataError) as exc:
        datasets.figures()
    assert "data/documents.yaml" in _problems(exc) and expected in _problems(exc)


def test_a_document_may_sit_in_one_folder_of_the_store(data_copy, store_copy):
    (store_copy / "older").mkdir()
    (store_copy / "004_7a1188515460bd69.txt").rename(store_copy / "older" / "004_7a1188515460bd69.txt")
    _edit_yaml(data_copy / "documents.yaml", lambda d: d["004_7a1188515460bd69"].update(file="older/004_7a1188515460bd69.txt"))
    assert datasets.check_quotes() == []
    assert datasets.documents().set_index("document").loc["004_7a1188515460bd69", "file"] == "older/004_7a1188515460bd69.txt"


def test_an_unregistered_file_in_a_folder_of_the_store_is_caught(store_copy):
    (store_copy / "2026" / "new_relay.md").write_text("---\nid: new_relay\n---\n", encoding="utf-8")
    problems = "\n".join(datasets.check_quotes())
    assert "new_relay.md: file of the document store is not registered" in problems
    assert "with file: 2026/new_relay.md" in problems


def test_a_declared_non_row_must_stand_verbatim_in_its_document(data_copy, document_store):
    declared = datasets.registry().documents["002_5e558ed93eb34f2f"]["not_rows"]
    _edit_yaml(data_copy / "documents.yaml", lambda d: d["002_5e558ed93eb34f2f"]["not_rows"].append(
        {"text": "未来4-6年", "reason": "not in the text"}))
    problems = datasets.check_quotes(document_store)
    assert len(problems) == 1, problems
    assert f"not_rows #{len(declared) + 1}: text not found verbatim in 002_5e558ed93eb34f2f" in problems[0]


def test_a_written_derivation_is_carried_with_the_value(data_copy):
    _edit_csv(data_copy / "observations" / "004_7a1188515460bd69.csv",
              lambda rows: rows[1].__setitem__(rows[0].index("value_derived"), "read from a test"))
    obs = datasets.observations().set_index("obs_id")
    first = next(iter(csv.DictReader((data_copy / "observations" / "004_7a1188515460bd69.csv").open(encoding="utf-8"))))
    assert obs.loc[first["obs_id"], "value_derived"] == "read from a test"


def test_a_source_no_document_reports_is_refused(data_copy):
    _edit_yaml(data_copy / "sources.yaml",
               lambda d: d["sources"].update(orphan={"publisher": "X", "title": "Y", "method": "survey"}))
    with pytest.raises(DataError) as exc:
        datasets.figures()
    assert "source 'orphan'" in _problems(exc) and "no document reports this source" in _problems(exc)


def test_observation_files_need_the_period_provenance_columns(data_copy):
    _edit_csv(data_copy / "observations" / "004_7a1188515460bd69.csv",
              lambda rows: rows.__setitem__(slice(None), [r[:rows[0].index("period_quote")] + r[rows[0].index("value_derived"):]
                                                          for r in rows]))
    with pytest.raises(DataError) as exc:
        datasets.figures()
    assert "missing column(s) 'period_quote', 'period_inferred'" in _problems(exc)


# --------------------------------------------------------------------------- llmtrends check

def test_check_command_summarises_and_exits_0(document_store, capsys):
    assert main(["check", "--documents", str(document_store)]) == 0
    out = capsys.readouterr().out
    n_docs = len(datasets.documents())
    assert f"documents: {n_docs} registered, {n_docs} present, {n_docs} checked" in out
    figs = datasets.figures()
    assert f"figures: {len(figs)} ({(figs['status'] == 'confirmed').sum()} confirmed, " in out
    assert f"disagreements: {len(datasets.registry().disagreements)} declared" in out
    assert f"rows: {len(datasets.observations())} observations" in out
    assert "problems: 0" in out


def test_check_command_lists_each_problem_and_exits_1(store_copy, capsys):
    (store_copy / "stray.txt").write_text("x", encoding="utf-8")
    path = store_copy / "002_5e558ed93eb34f2f.txt"
    path.write_bytes(path.read_bytes() + b" ")
    assert main(["check"]) == 1
    out = capsys.readouterr().out
    assert "problems: 2" in out
    assert "\n  data/documents.yaml (document '002_5e558ed93eb34f2f'), column 'sha256': checksum mismatch" in out
    assert "stray.txt: file of the document store is not registered" in out


def test_check_command_reports_broken_data(data_copy, capsys):
    _edit_yaml(data_copy / "documents.yaml", lambda d: d["000_dff873e1b34121a2"].update(kind="blog"))
    assert main(["check"]) == 1
    assert "unknown kind 'blog'" in capsys.readouterr().out


@pytest.mark.parametrize("ci,status", [(None, 0), ("1", 1)])
def test_check_command_without_store(tmp_path, monkeypatch, capsys, ci, status):
    monkeypatch.delenv("CI", raising=False)
    if ci:
        monkeypatch.setenv("CI", ci)
    assert main(["check", "--documents", str(tmp_path / "nowhere")]) == status
    out = capsys.readouterr().out
    assert ABSENT_LINE in out


# --------------------------------------------------------------------------- a clone with nothing beside it

@pytest.fixture(scope="module")
def bare_clone(tmp_path_factory):
    """The repository's HEAD cloned into a folder with no document store beside it."""
    if shutil.which("git") is None or not (REPO / ".git").exists():
        pytest.skip("not a git checkout: the clone test needs git and the repository")
    root = tmp_path_factory.mktemp("bare")
    clone = root / "clone"
    subprocess.run(["git", "clone", "--quiet", "--no-hardlinks", str(REPO), str(clone)], check=True,
                   capture_output=True)
    assert not (root / "shared").exists()
    return clone


def _run_document_tests(clone: Path, ci: str | None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items()
           if k not in ("CI", "LLMTRENDS_DOCUMENTS", "LLMTRENDS_DATA", "PYTEST_ADDOPTS")}
    env["PYTHONPATH"] = str(clone)  # the clone's llmtrends, not the checkout's
    if ci:
        env["CI"] = ci
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-ra", "-m", "not slow",
         "tests/test_documents.py", "-k", "real_store or caught or registry_quotes or check_command_summarises or not_passed"],
        cwd=clone, env=env, capture_output=True, text=True, timeout=600)


@pytest.mark.slow
def test_clone_without_store_passes_and_says_so_in_one_line(bare_clone):
    result = _run_document_tests(bare_clone, ci=None)
    out = result.stdout + result.stderr
    assert result.returncode == 0, out
    lines = [l for l in out.splitlines() if ABSENT_LINE in l]
    assert len(lines) == 1, out
    assert str(bare_clone.parent / "shared" / "documents") in lines[0]
    summary = out.strip().splitlines()[-1]
    assert "1 passed" in summary and "skipped" in summary and "failed" not in summary, summary
    assert lines[0].startswith("SKIPPED [")  # every document check under one reason


@pytest.mark.slow
def test_clone_without_store_fails_under_ci(bare_clone):
    result = _run_document_tests(bare_clone, ci="1")
    out = result.stdout + result.stderr
    assert result.returncode == 1, out
    assert "CI is set, so the document checks are required" in out
    summary = out.strip().splitlines()[-1]
    assert "error" in summary and "skipped" not in summary, summary


# --------------------------------------------------------------------------- no fact without a source

@pytest.mark.parametrize("edit,found", [
    (lambda s: s.pop("fieldwork_quote"), "neither"),
    (lambda s: s.update(fieldwork_inferred="the footnote's dates"), "both"),
])
def test_a_registry_fact_needs_a_quote_or_an_inferred_reason(data_copy, edit, found):
    _edit_yaml(data_copy / "sources.yaml", lambda d: edit(d["sources"]["menlo_2025_enterprise"]))
    with pytest.raises(DataError) as exc:
        datasets.figures()
    text = _problems(exc)
    assert ("data/sources.yaml (source 'menlo_2025_enterprise'), column 'fieldwork': fieldwork "
            f"'2025-11-07..2025-11-25' has {found} of fieldwork_quote and fieldwork_inferred") in text
    assert "accepted: exactly one of fieldwork_quote" in text and "fieldwork_inferred (why, from what)" in text


def test_a_null_fact_needs_nothing_and_a_fact_doc_must_be_registered(data_copy):
    _edit_yaml(data_copy / "sources.yaml", lambda d: d["sources"]["menlo_2025_enterprise"].update(
        fieldwork=None, fieldwork_quote=None, geography_doc="menlo_2025_enterprize"))
    with pytest.raises(DataError) as exc:
        datasets.figures()
    assert len(exc.value.problems) == 1
    assert ("column 'geography_doc': unknown document 'menlo_2025_enterprize'; did you mean "
            "'menlo_2025_enterprise'?") in _problems(exc)


@pytest.mark.parametrize("cells,found,column", [(["", ""], "neither", "period_quote"),
                                                (["2025", "a reason"], "both", "period_inferred")])
def test_every_period_quotes_its_document_or_says_why_it_is_inferred(data_copy, cells, found, column):
    _edit_csv(data_copy / "observations" / "004_7a1188515460bd69.csv",
              lambda rows: rows[2].__setitem__(slice(rows[0].index("period_quote"), rows[0].index("period_inferred") + 1), cells))
    with pytest.raises(DataError) as exc:
        datasets.figures()
    text = _problems(exc)
    assert "data/observations/004_7a1188515460bd69.csv, line 3" in text and f"column '{column}'" in text
    assert f"has {found} of period_quote and period_inferred; accepted: exactly one" in text


def test_every_real_row_and_registry_fact_carries_its_provenance():
    reg = datasets.registry()
    assert all(bool(r["period_quote"]) != bool(r["period_inferred"]) for r in reg.observations)
    # the invented OpenRouter window is gone: the translation states the real one
    src = reg.sources["openrouter_state_of_ai"]
    assert src["data_window"] == "2024-11-03..2025-11-30" and src["data_window_doc"] == "openrouter_state_of_ai_zh"
    windows = {r["period"] for r in reg.observations if r["source_id"] == "openrouter_state_of_ai"}
    assert "2024-12..2025-10" not in windows
