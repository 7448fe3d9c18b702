"""Checks that catch the next one (issue 16, items 2-3; issue 18, item 2).

- a row's value is readable in its quote, in any notation the document uses, or ``value_derived`` says how;
- one document states one figure once (two wordings are a declared ``within_document``);
- every number a document writes with digits is a row's value, a period a row states, or declared (coverage);
- ``figures()`` picks each figure's statement by a documented rule: the same under every hash seed, with and
  without the cache; two declarations naming different ``stands`` for one figure are refused.

Most tests build the small synthetic data folder of ``tests/test_evidence.py`` (``make_data``), so each
expected result can be read off the rows and texts below.
"""
from __future__ import annotations

import copy
import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from llmtrends.cli import main
from llmtrends.errors import DataError
from llmtrends.facts import datasets
from llmtrends.facts import store as documents
from llmtrends.facts.evidence import figure_groups, standing
from tests.test_evidence import BASE_ROWS, TEXTS, _with

REPO = Path(__file__).resolve().parents[1]
METRICS = yaml.safe_load((REPO / "data" / "metrics.yaml").read_text(encoding="utf-8"))


def _metric(unit: str) -> str:
    """A metric of data/metrics.yaml in ``unit`` (for percent the base rows' usage share)."""
    if unit == "percent":
        return "enterprise_llm_api_usage_share"
    return next(m for m, spec in METRICS.items() if spec["unit"] == unit)


def row(oid, value, quote, unit="percent", entity="google", period="2024", qualifier="exact", low="", high="",
        derived="", period_quote="", source="s25", metric=None):
    """One observation line; the period is inferred unless ``period_quote`` is given."""
    metric = metric or _metric(unit)
    inferred = "" if period_quote else "stated"
    cells = [oid, source, "vendor_share", metric, "enterprise", entity, period, str(value), str(low), str(high),
             qualifier, unit, quote, "", period_quote, inferred, derived]
    return ",".join(f'"{c}"' if "," in c else c for c in cells)


def _load_error() -> str:
    with pytest.raises(DataError) as exc:
        datasets.figures()
    return str(exc.value)


# --------------------------------------------------------------------------- a value its quote states

# value, unit, the quote, and a value the same quote does not state
NOTATIONS = [
    (4.5, "usd_million", "raised 450 萬美元", 45),                 # 万/萬 and the unit's scale
    (3.5, "usd_billion", "支出從35億美元", 35),
    (33.333333, "percent", "到 2025 年末约占三分之一", 30),        # a fraction in Chinese, as a percentage
    (66.666667, "percent", "常 >2/3", 66),
    (2, "multiple", "亚洲份额由≈13% 翻倍至≈31%", 3),             # 翻倍 = doubled
    (3, "multiple", "OpenAI's spend share tripled", 2),
    (0.5, "multiple", "约为两年前的一半", 0.25),
    (30, "percent", "占比超过三成", 35),
    (20, "percent", "nearly one in five rely on it", 25),
    (13, "percent", "Thirteen percent of AI workloads", 30),
    (1500, "count", "平均 prompt token 从约 1.5K", 1.5),
    (3, "rank", "谷歌年中市场份额已达20%，位居第三", 20),          # an ordinal for a rank
    (2, "rank", "Google came in second", 1),
    (30, "percent", "份额达到 ３０％", 3),                            # full-width digits
]


@pytest.mark.parametrize("value,unit,quote,wrong", NOTATIONS, ids=[n[2][:24] for n in NOTATIONS])
def test_a_value_written_in_any_notation_of_the_document_is_read_and_another_is_refused(synthetic, value, unit,
                                                                                        quote, wrong):
    synthetic(_with(BASE_ROWS, "prim25", row("p25-x", value, quote, unit)))
    obs = datasets.observations().set_index("obs_id")
    assert obs.loc["p25-x", "value"] == pytest.approx(value)
    synthetic(_with(BASE_ROWS, "prim25", row("p25-x", wrong, quote, unit)))
    message = _load_error()
    assert f"data/observations/prim25.csv, line 4 (obs_id p25-x), column 'value': value {wrong:g} ({unit}) " \
           "is not readable in its quote" in message


def test_the_refusal_says_what_the_quote_holds_and_what_is_accepted(synthetic):
    synthetic(_with(BASE_ROWS, "prim25", row("p25-spend", 35, "支出從2024年的35億美元，成長至84億美元", "usd_billion")))
    message = _load_error()
    assert "value 35 (usd_billion) is not readable in its quote, which holds" in message
    assert "'35億' (3.5 usd_billion)" in message and "'84億' (8.4 usd_billion)" in message
    assert "accepted: a value the quote states" in message and "or value_derived saying how" in message


def test_a_rank_is_read_from_an_ordinal_only_and_value_derived_says_how_else(synthetic):
    # 'leads' is a rank word, not a number: the rank rule's reading is written down in value_derived
    leads = row("p25-rank", 1, "Anthropic leads in spend", "rank", entity="anthropic")
    synthetic(_with(BASE_ROWS, "prim25", leads))
    assert "value 1 (rank) is not readable in its quote, which holds no ordinal" in _load_error()
    derived = row("p25-rank", 1, "Anthropic leads in spend", "rank", entity="anthropic",
                  derived="'leads' -> 1 (rank rule)")
    synthetic(_with(BASE_ROWS, "prim25", derived))
    assert datasets.observations().set_index("obs_id").loc["p25-rank", "value_derived"] == "'leads' -> 1 (rank rule)"
    # a cardinal is not a position: "3 vendors" does not say third
    synthetic(_with(BASE_ROWS, "prim25", row("p25-rank", 3, "3 vendors lead", "rank", entity="anthropic")))
    assert "value 3 (rank) is not readable" in _load_error()


def test_both_ends_of_a_range_are_read(synthetic):
    good = row("p25-users", "", "1.7–1.8 billion people", "count_billion", entity="all", low=1.7, high=1.8)
    synthetic(_with(BASE_ROWS, "prim25", good))
    assert datasets.observations().set_index("obs_id").loc["p25-users", "value"] == pytest.approx(1.75)
    bad = row("p25-users", "", "1.7–1.8 billion people", "count_billion", entity="all", low=1.7, high=1.9)
    synthetic(_with(BASE_ROWS, "prim25", bad))
    message = _load_error()
    assert "column 'value_high': value_high 1.9 (count_billion) is not readable" in message
    assert "column 'value_low'" not in message


# --------------------------------------------------------------------------- one statement per document

def test_two_rows_of_one_document_stating_one_figure_are_refused_naming_both(synthetic):
    synthetic(_with(BASE_ROWS, "prim25", row("p25-anthropic-again", 32, "Anthropic 32%", entity="anthropic",
                                             period="2025")))
    message = _load_error()
    assert "two rows state one figure" in message and "from document prim25" in message
    assert "p25-anthropic (data/observations/prim25.csv line 2: 32 exact)" in message
    assert "p25-anthropic-again (data/observations/prim25.csv line 4: 32 exact)" in message
    assert "merge them" in message and "within_document" in message


def _twice(kind):
    rows = _with(BASE_ROWS, "prim25", row("p25-anthropic-about", 32, "about 32%", entity="anthropic", period="2025",
                                          qualifier="approx"))
    return rows, [{"id": "anthropic-twice", "kind": kind, "obs_ids": ["p25-anthropic", "p25-anthropic-about"],
                   "stands": "p25-anthropic", "reason": "The page words it twice."}]


def test_a_figure_worded_twice_in_one_document_is_a_within_document_declaration(synthetic):
    synthetic(*_twice("within_document"))
    figure = datasets.figures().query("entity == 'anthropic'").iloc[0]
    assert figure["status"] == "differs" and figure["qualifier"] == "exact"
    synthetic(*_twice("between_documents"))
    message = _load_error()
    assert "kind between_documents names statements of one document (prim25)" in message
    assert "two rows state one figure" in message


@pytest.mark.parametrize("kind,ids,expected", [
    ("within_document", ["p25-openai", "ra-openai", "tr-openai"],
     "kind within_document names statements of 3 documents (prim25, relay_a, tr)"),
    ("between_documents", ["tr-openai", "tr-openai-about"], "kind between_documents names statements of one "
                                                           "document (tr); accepted: within_document"),
])
def test_a_declaration_kind_says_where_its_statements_come_from(synthetic, kind, ids, expected):
    rows = _with(BASE_ROWS, "tr", row("tr-openai", 27, "OpenAI 27%", entity="openai", period="2025"),
                 row("tr-openai-about", 27, "about OpenAI 27%", entity="openai", period="2025", qualifier="approx"))
    fine = [{"id": "tr-twice", "kind": "within_document", "obs_ids": ["tr-openai", "tr-openai-about"],
             "stands": "tr-openai", "reason": "Two wordings."},
            {"id": "tr-vs-rest", "kind": "between_documents",
             "obs_ids": ["p25-openai", "ra-openai", "tr-openai", "tr-openai-about"],
             "stands": "tr-openai", "reason": "The translation reads 27."}]
    synthetic(rows, fine)
    assert datasets.figures().query("entity == 'openai'").iloc[0]["value"] == 27
    synthetic(rows, fine + [{"id": "mis-kinded", "kind": kind, "obs_ids": ids, "stands": None, "reason": "x"}])
    message = _load_error()
    assert "disagreement 'mis-kinded'), column 'kind'" in message and expected in message


# --------------------------------------------------------------------------- one standing statement

def _two_stands(second_stands):
    rows = _with(BASE_ROWS, "prim25", row("p25-anthropic-b", 50, "Anthropic 50%", entity="anthropic", period="2025"))
    return rows, [
        {"id": "in-prim25", "kind": "within_document", "obs_ids": ["p25-anthropic", "p25-anthropic-b"],
         "stands": "p25-anthropic", "reason": "Two sentences of the page."},
        {"id": "prim25-b-vs-relays", "kind": "between_documents",
         "obs_ids": ["p25-anthropic-b", "ra-anthropic", "tr-anthropic"], "stands": second_stands,
         "reason": "The relays give 32."}]


@pytest.mark.parametrize("second_stands", ["ra-anthropic", "p25-anthropic-b"])
def test_two_declarations_naming_different_stands_for_one_figure_are_refused(synthetic, second_stands):
    synthetic(*_two_stands(second_stands))
    message = _load_error()
    assert (f"declarations 'in-prim25' (stands: p25-anthropic) and 'prim25-b-vs-relays' (stands: {second_stands})"
            " name different standing statements for one figure") in message
    assert "disagreement 'prim25-b-vs-relays'" in message


def test_one_standing_statement_per_figure_loads_and_gives_the_value(synthetic):
    synthetic(*_two_stands(None))  # the only declared stands: the page's 32
    figure = datasets.figures().query("entity == 'anthropic'").iloc[0]
    assert (figure["value"], figure["obs_id"], figure["quote"]) == (32, "p25-anthropic", "Anthropic 32%")


# --------------------------------------------------------------------------- the statement a figure shows

def _published(data: Path, **dates) -> None:
    path = data / "documents.yaml"
    docs = yaml.safe_load(path.read_text(encoding="utf-8"))
    for did, date in dates.items():
        docs[did].update(published=date, published_inferred="a test's date")
    path.write_text(yaml.safe_dump(docs, allow_unicode=True, sort_keys=False), encoding="utf-8")
    datasets.clear_cache()


def test_a_figure_shows_its_primary_statement_even_when_a_relay_words_it_more_exactly(synthetic):
    rows = {d: list(v) for d, v in BASE_ROWS.items()}
    rows["prim25"][0] = row("p25-anthropic", 32, "Anthropic 32%", entity="anthropic", period="2025", qualifier="approx")
    synthetic(rows)
    figure = datasets.figures().query("entity == 'anthropic'").iloc[0]
    # value, qualifier, quote and obs_id all come from one statement: the primary's
    assert (figure["obs_id"], figure["quote"], figure["qualifier"]) == ("p25-anthropic", "Anthropic 32%", "approx")
    assert figure["status"] == "confirmed"


def test_without_a_primary_the_exact_wording_then_the_earliest_document_then_file_order(synthetic):
    google = {"relay_a": [row("ra-google", 20, "Google 20%", period="2025", source="s25")],
              "tr": [row("tr-google", 20, "Google 20%", period="2025", source="s25", qualifier="approx")],
              "prim25": [], "prim24": []}
    data, _ = synthetic(google)
    assert datasets.figures().iloc[0]["obs_id"] == "ra-google"  # exact over approx
    google["tr"] = [row("tr-google", 20, "Google 20%", period="2025", source="s25")]
    data, _ = synthetic(google)
    assert datasets.figures().iloc[0]["obs_id"] == "ra-google"  # undated both: document id order
    _published(data, relay_a="2025-03", tr="2025-01")
    assert datasets.figures().iloc[0]["obs_id"] == "tr-google"  # the earlier document


def test_the_choice_does_not_depend_on_the_order_statements_arrive_in():
    reg = datasets.registry()
    for key, group in figure_groups(reg.observations).items():
        chosen = standing(reg, group)["obs_id"]
        for order in (group[::-1], group[1:] + group[:1]):
            assert standing(reg, order)["obs_id"] == chosen, key


_DIGEST = """
import hashlib, llmtrends as lt
for frame in (lt.figures(), lt.disagreements(), lt.observations()):
    print(hashlib.sha256(frame.to_csv(index=False).encode("utf-8")).hexdigest())
"""


def test_figures_are_identical_under_every_hash_seed_with_and_without_the_cache(tmp_path):
    """The quote of OpenRouter's end-2025 open-weight share flipped with PYTHONHASHSEED (a set walk)."""
    def digest(seed: int, cache: str) -> str:
        env = dict(os.environ, PYTHONHASHSEED=str(seed), LLMTRENDS_CACHE=cache)
        done = subprocess.run([sys.executable, "-c", _DIGEST], env=env, capture_output=True, text=True,
                              timeout=300, cwd=REPO)
        assert done.returncode == 0, done.stderr
        return done.stdout
    cache = str(tmp_path / "cache")
    runs = {(seed, "off"): digest(seed, "off") for seed in (0, 1, 4, 7, 2024)}
    runs[(4, "cold")] = digest(4, cache)       # builds the cache
    runs[(11, "warm")] = digest(11, cache)     # reads it under another seed
    assert (tmp_path / "cache").is_dir() and any((tmp_path / "cache").iterdir())
    assert len(set(runs.values())) == 1, {k: v[:12] for k, v in runs.items()}
    # and what they agree on: the end-2025 open-weight share shows 004's about-30% sentence
    figs = datasets.figures()
    open_share = figs[(figs["metric"] == "openrouter_token_share") & (figs["entity"] == "open_source_models")
                      & (figs["period"] == "end-2025")].iloc[0]
    assert open_share["obs_id"] == "d004-or-token-share-open-weight-30" and "30% vs 70%" in open_share["quote"]


# --------------------------------------------------------------------------- coverage

def _texts(**extra):
    return {did: TEXTS[did] + extra.get(did, "") for did in TEXTS}


def _problems(store) -> list[str]:
    datasets.clear_cache()
    return [str(p) for p in documents.check(store)]


def _declare(data: Path, did: str, *entries) -> None:
    path = data / "documents.yaml"
    docs = yaml.safe_load(path.read_text(encoding="utf-8"))
    docs[did]["not_rows"] = list(docs[did].get("not_rows") or []) + [dict(text=t, reason=r) for t, r in entries]
    path.write_text(yaml.safe_dump(docs, allow_unicode=True, sort_keys=False), encoding="utf-8")
    datasets.clear_cache()


def test_an_uncovered_number_fails_check_and_shows_in_coverage_until_it_is_declared(synthetic, capsys):
    data, store = synthetic(texts=_texts(relay_a=" It gained 7 new users."))
    problems = _problems(store)
    assert len(problems) == 1, problems
    assert problems[0].startswith("document relay_a, line 1: number '7' is neither a row's value")
    assert "“It gained 7 new users.”" in problems[0] and "a not_rows entry {text, reason}" in problems[0]
    assert main(["check"]) == 1
    assert main(["coverage", "relay_a"]) == 1
    out = capsys.readouterr().out
    uncovered = [line for line in out.splitlines() if "UNCOVERED" in line and " numbers" not in line]
    assert len(uncovered) == 1 and " 7 " in uncovered[0] and "It gained 7 new users." in uncovered[0]
    assert "relay_a: 6 numbers: 2 row values, 0 periods, 3 not_rows, 1 UNCOVERED" in out
    assert "total: 6 numbers in 1 document: 2 row values" in out
    _declare(data, "relay_a", ("gained 7 new users", "users, not a market figure"))
    assert _problems(store) == []
    assert main(["coverage", "relay_a"]) == 0
    out = capsys.readouterr().out
    assert "not_rows #3: users, not a market figure" in out and "0 UNCOVERED" in out


def test_a_quote_covers_only_its_own_value_and_a_period_quote_only_date_parts(synthetic):
    text = " Meta 9% across 4 regions in 2023, 15% of them new."
    meta = row("tr-meta-23", 9, "Meta 9% across 4 regions", entity="meta", period="2023",
               period_quote="in 2023, 15% of them new")
    data, store = synthetic(_with(BASE_ROWS, "tr", meta), texts=_texts(tr=text))
    assert _problems(store) == [
        "document tr, line 1: number '4' is neither a row's value (a row whose quote holds it), a period of a "
        "row's period_quote, nor in a not_rows text: “Meta 9% across 4 regions in 2023, 15% of them new.”; "
        "accepted: a row for it, or a not_rows entry {text, reason} in data/documents.yaml",
        "document tr, line 1: number '15%' is neither a row's value (a row whose quote holds it), a period of a "
        "row's period_quote, nor in a not_rows text: “Meta 9% across 4 regions in 2023, 15% of them new.”; "
        "accepted: a row for it, or a not_rows entry {text, reason} in data/documents.yaml"]
    found = {i.text: i for i in documents.run(store).coverage["tr"]}
    assert (found["9%"].how, found["9%"].ref) == ("row", "tr-meta-23")
    assert (found["2023"].how, found["2023"].detail) == ("period", "period 2023")
    assert found["4"].how is None and found["15%"].how is None  # neither the row's value nor a date part


def test_a_rank_covers_the_digit_of_its_ordinal(synthetic):
    ranked = row("tr-google-rank", 3, "Google ranked 3rd", "rank", period="2025")
    data, store = synthetic(_with(BASE_ROWS, "tr", ranked), texts=_texts(tr=" Google ranked 3rd by 5 votes."))
    found = {i.text: i for i in documents.run(store).coverage["tr"]}
    assert (found["3"].how, found["3"].detail) == ("row", "value 3 rank")
    assert found["5"].how is None


def test_a_not_rows_text_must_find_one_place(synthetic):
    data, store = synthetic(texts=_texts(relay_a=" 7 new users. 7 new users."))
    _declare(data, "relay_a", ("7 new users", "users"))
    problems = _problems(store)
    assert problems == ["data/documents.yaml (document 'relay_a'), column 'not_rows': not_rows #3: text "
                        "'7 new users' occurs 2 times in the body of relay_a; accepted: a text that finds one place "
                        "(add words of its sentence, or one entry per place)"]


def test_the_header_of_a_markdown_document_is_not_counted(synthetic):
    data, store = synthetic()
    body = "---\nid: note\npublished: 2025-03-01\n---\n\nA note with 12 pages.\n"
    (store / "note.md").write_text(body, encoding="utf-8")
    docs = yaml.safe_load((data / "documents.yaml").read_text(encoding="utf-8"))
    docs["note"] = dict(copy.deepcopy(docs["tr"]), file="note.md", sha256=hashlib.sha256(body.encode()).hexdigest(),
                        kind="relay", not_rows=[])
    (data / "documents.yaml").write_text(yaml.safe_dump(docs, allow_unicode=True, sort_keys=False), encoding="utf-8")
    datasets.clear_cache()
    items = documents.run(store).coverage["note"]
    assert [(i.text, i.line, i.how) for i in items] == [("12", 6, None)]


def test_coverage_without_the_store_is_one_line_and_a_failure_under_ci(synthetic, tmp_path, monkeypatch, capsys):
    synthetic()
    monkeypatch.setenv("LLMTRENDS_DOCUMENTS", str(tmp_path / "absent"))
    monkeypatch.delenv("CI", raising=False)
    assert main(["coverage"]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1 and "coverage skipped" in out[0]
    monkeypatch.setenv("CI", "true")
    assert main(["coverage"]) == 1


def test_an_unknown_document_names_the_accepted_ones(synthetic, capsys):
    synthetic()
    assert main(["coverage", "relay-a"]) == 2
    err = capsys.readouterr().err
    assert "unknown document 'relay-a'; did you mean 'relay_a'?" in err and "prim24" in err


def test_every_document_of_the_store_is_covered(document_store, capsys):
    assert main(["coverage", "--summary"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    registry = datasets.registry().documents
    assert [line.split(":")[0] for line in lines[:-1]] == list(registry)
    assert all(line.endswith(" 0 UNCOVERED") for line in lines)
    total = lines[-1]
    assert total.startswith("total: ") and f"in {len(registry)} documents" in total
    assert int(total.split()[1]) > 1000  # the store writes well over a thousand numbers
