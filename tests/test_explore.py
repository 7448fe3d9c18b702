"""Series, search and evidence over the whole fact base (llmtrends/facts/explore.py, accessor.py)."""
from __future__ import annotations

import pandas as pd
import pytest

import llmtrends as lt
from llmtrends.facts.periods import parse_period
from llmtrends.errors import LlmtrendsError, UnknownNameError

USAGE = "enterprise_llm_api_usage_share"


# --------------------------------------------------------------------------- timeseries

def test_timeseries_puts_each_figure_in_its_period_row_and_entity_column():
    wide = lt.timeseries(USAGE)
    figs = lt.figures()
    usage = figs[figs["metric"] == USAGE]
    assert wide.notna().sum().sum() == len(usage)
    for _, row in usage.iterrows():
        assert wide.loc[row["period"], row["entity"]] == row["value"]
    ends = [parse_period(p)[1] for p in wide.index]
    assert ends == sorted(ends)
    assert wide.attrs["metric"] == USAGE and set(wide.attrs["sources"]) == set(usage["source_id"])


def test_timeseries_refuses_to_average_two_figures_in_one_cell_and_names_both():
    figs = lt.figures()
    one = figs[(figs["metric"] == USAGE) & (figs["entity"] == "anthropic")].iloc[[0]]
    other = one.assign(source_id="menlo_2024_enterprise_other", value=one["value"] + 5,
                       obs_ids=[["x-other-statement"]])
    with pytest.raises(LlmtrendsError) as err:
        lt.timeseries(USAGE, data=pd.concat([one, other], ignore_index=True))
    message = str(err.value)
    assert "2 figures fall in one cell" in message and "would be averaged" in message
    assert one["obs_ids"].iloc[0][0] in message and "x-other-statement" in message
    assert f"= {one['value'].iloc[0]:g} " in message and f"= {one['value'].iloc[0] + 5:g} " in message
    assert "source=" in message


def test_timeseries_by_another_column_and_its_segments_apart():
    with pytest.raises(LlmtrendsError, match="segment="):
        lt.timeseries("respondents_mostly_inference_compute")
    wide = lt.timeseries("respondents_mostly_inference_compute", by="segment")
    assert {"enterprise", "startup"} <= set(wide.columns)
    assert (wide.loc["mid-2025", "startup"], wide.loc["mid-2025", "enterprise"]) == (74.0, 49.0)


def test_timeseries_rejects_unknown_names_with_the_accepted_ones():
    with pytest.raises(UnknownNameError, match="unknown metric 'enterprise_llm_api_usage_shar'; did you mean"):
        lt.timeseries("enterprise_llm_api_usage_shar")
    with pytest.raises(UnknownNameError, match="unknown segment 'retail'.*accepted: enterprise"):
        lt.timeseries(USAGE, segment="retail")


# --------------------------------------------------------------------------- search

def _quotes_mentioning(words):
    obs = lt.observations()
    text = (obs["quote"].fillna("") + " " + obs["note"].fillna("")).str.casefold()
    mask = pd.Series(False, index=obs.index)
    for w in words:
        mask |= text.str.contains(w.casefold(), regex=False)
    return set(obs.loc[mask, "obs_id"])


def _ids(frame) -> set[str]:
    return {i for ids in frame["obs_ids"].dropna() for i in ids}


def test_search_finds_an_entity_by_any_spelling_in_english_or_chinese():
    english, chinese, lower = lt.search("DeepSeek"), lt.search("深度求索"), lt.search("deepseek")
    keys = ["dataset", "source_id", "metric", "segment", "entity", "period"]
    assert english[keys].astype(str).equals(chinese[keys].astype(str))
    assert english[keys].astype(str).equals(lower[keys].astype(str))
    figs = lt.figures()
    deepseek = figs[(figs["entity"] == "deepseek") | (figs["vendor"] == "deepseek")]  # the vendor and its models
    found = english.dropna(subset=["metric"])
    assert sorted(found["figure_id"]) == sorted(deepseek["figure_id"])
    assert len(deepseek) > len(figs[figs["entity"] == "deepseek"])
    assert "reasoning_models" in set(english["dataset"]), "table rows whose vendor it is"


def test_search_returns_the_entitys_own_rows_and_mentions_only_when_asked():
    """The issue's case: search("Alibaba") gave 28 rows, 9 of them Alibaba's figures."""
    own, more = lt.search("Alibaba"), lt.search("Alibaba", mentions=True)
    assert len(own) and set(own["vendor"]) == {"alibaba"} and not own["mention"].any()
    figs = lt.figures()
    alibaba = figs[figs["vendor"] == "alibaba"]  # Alibaba and its products (Quark ...)
    assert sorted(own.dropna(subset=["metric"])["figure_id"]) == sorted(alibaba["figure_id"])
    tables = [(n, len(t[t["vendor"] == "alibaba"])) for n in lt.datasets.registry().tables
              for t in [lt.load(n)] if "vendor" in t]
    assert all((own["dataset"] == n).sum() == k for n, k in tables)
    extra = more[more["mention"]]
    assert len(extra) and set(own["figure_id"].dropna()) <= set(more["figure_id"].dropna())
    assert not extra["vendor"].eq("alibaba").any()
    assert not extra["matched_in"].map(lambda m: "entity" in m.split(", ")).any()
    mentioned = _quotes_mentioning(["Alibaba", "阿里", "Qwen", "千问"])
    assert mentioned and mentioned <= _ids(more), "every statement that names it, with mentions=True"


@pytest.mark.parametrize("spelling", ["通义千问", "千问", "qwen2.5", "Qwen 2.5", "QWEN", "阿里巴巴", "Ｑｗｅｎ"])
def test_every_spelling_of_alibaba_finds_its_rows(spelling):
    found = lt.search(spelling)
    assert len(found) and found[["dataset", "figure_id"]].astype(str).equals(
        lt.search("Alibaba")[["dataset", "figure_id"]].astype(str))


@pytest.mark.parametrize("spelling", ["open weight", "open-weight", "openweight", "Open Weight", "open–weight"])
def test_words_match_with_and_without_hyphens_or_spaces(spelling):
    found = lt.search(spelling)
    assert set(found["entity"]) == {"open_source_models"}
    assert found["figure_id"].tolist() == lt.search("open weight")["figure_id"].tolist()
    quotes = lt.search(spelling, mentions=True)
    hyphenated = _quotes_mentioning(["open-weight"]) | _quotes_mentioning(["open weight"])
    assert hyphenated and hyphenated <= _ids(quotes)


#: Spellings the documents use (grep of the store), each with the entity it names.
SPELLINGS_IN_DOCUMENTS = {
    "通义大模型": "alibaba", "阿里云千问": "alibaba", "Qwen3": "alibaba", "Qwen2.5": "alibaba", "QwQ-32B-Preview": "alibaba",
    "Qwen-max-0919": "alibaba", "千问": "alibaba", "GPT-4o": "openai", "gpt-oss-120b": "openai", "o1-mini": "openai",
    "Claude 3.5 Sonnet": "claude_sonnet_3_5", "Claude 4.5 Sonnet": "anthropic", "Claude Code": "anthropic",
    "Claude.ai": "anthropic", "Opus 4.6": "anthropic", "Gemini 2.0 Flash": "google", "Gemini 3 Pro": "google",
    "Llama 4 Maverick": "meta", "LlaMa3.1": "meta", "DeepSeek V3": "deepseek", "DeepSeek-R1": "deepseek_r1",
    "Kimi K2": "moonshot", "MoonshotAI": "moonshot", "GLM 4.5": "zhipu", "智谱清言": "zhipu", "腾讯元宝": "tencent",
    "可灵": "kuaishou", "海螺AI": "minimax", "文心大模型": "baidu", "ERINE 4.0 Turbo": "baidu",
    "Doubaopro-32k-preview": "bytedance", "开源权重": "open_source_models", "open-weight": "open_source_models",
    "中国开源模型": "chinese_open_models",
}


@pytest.mark.parametrize("written,entity", sorted(SPELLINGS_IN_DOCUMENTS.items()))
def test_spellings_the_documents_use_name_their_entity(written, entity, document_store):
    from llmtrends.facts import spelling
    assert spelling.entity_id(written, lt.datasets.registry()) == entity
    texts = (p.read_text(encoding="utf-8") for p in document_store.rglob("*") if p.suffix in (".md", ".txt"))
    assert any(written in text for text in texts), f"{written!r} is not in any document of the store"


def test_search_by_country_brings_the_countrys_entities_and_mentions():
    china, zh, code = lt.search("China"), lt.search("中国"), lt.search("CN")
    assert len(china) == len(zh) == len(code)
    figs = lt.figures()
    chinese = figs[figs["country"] == "CN"]
    assert len(chinese) > 0
    assert sorted(china.dropna(subset=["metric"])["figure_id"]) == sorted(chinese["figure_id"])
    countries = lt.entities().set_index("id")["country"]
    for name in lt.datasets.registry().tables:
        table = lt.load(name)
        if "vendor" in table:
            chinese_rows = table[table["vendor"].map(countries) == "CN"]
            assert (china["dataset"] == name).sum() == len(chinese_rows), f"table rows of Chinese vendors in {name}"
    assert china["dataset"].isin(list(lt.datasets.registry().tables)).any()
    mentioned = lt.search("China", mentions=True)
    assert len(mentioned) > len(china) and _quotes_mentioning(["China"]) <= _ids(mentioned)


def test_search_finds_metric_words_and_phrases_in_quotes():
    tokens = lt.search("token share")
    assert set(tokens.dropna(subset=["metric"])["metric"]) >= {"openrouter_token_share"}
    assert tokens["figure_id"].tolist() == lt.search("token-share")["figure_id"].tolist()
    phrase = lt.search("市占率")
    assert _quotes_mentioning(["市占率"]) <= _ids(phrase) and not phrase["mention"].any()
    assert lt.search("no such thing anywhere zzz").empty
    with pytest.raises(LlmtrendsError, match="search needs some text"):
        lt.search("  ")


# --------------------------------------------------------------------------- evidence

def test_evidence_lists_every_statement_of_a_figure_with_its_quote():
    figs, obs = lt.figures(), lt.observations()
    relayed = figs[figs["n_relays"] > 1]
    assert len(relayed) > 0
    for _, fig in relayed.iterrows():
        ev = lt.evidence(fig)
        assert sorted(ev["obs_id"]) == sorted(fig["obs_ids"])
        quotes = obs.set_index("obs_id").loc[ev["obs_id"], "quote"].tolist()
        assert ev["quote"].tolist() == quotes
    one = relayed.iloc[0]
    by_obs = lt.evidence(one["obs_ids"][-1])
    assert sorted(by_obs["obs_id"]) == sorted(one["obs_ids"])
    assert by_obs["document"].notna().all()


def test_evidence_of_an_unknown_obs_id_names_the_accepted_forms():
    with pytest.raises(UnknownNameError, match="unknown obs_id 'd001-nope'.*accepted: an obs_id"):
        lt.evidence("d001-nope")


# --------------------------------------------------------------------------- df.lt

def test_accessor_cites_exactly_the_sources_a_subset_uses():
    figs = lt.figures()
    subset = figs[figs["entity"] == "anthropic"]
    ids = list(dict.fromkeys(subset["source_id"]))
    assert subset.lt.source_ids() == ids
    assert subset.lt.cite().splitlines() == [lt.citation(s) for s in ids]
    assert subset.lt.cite(short=True).splitlines() == [lt.short_citation(s) for s in ids]
    assert subset.lt.sources()["source_id"].tolist() == ids
    assert len(subset.lt.evidence()) == sum(len(x) for x in subset["obs_ids"])


def test_accessor_keeps_pandas_less_than():
    df = pd.DataFrame({"x": [1, 3]})
    assert df.lt(2)["x"].tolist() == [True, False]
    assert df.lt(pd.Series({"x": 3}), axis="columns")["x"].tolist() == [True, False]


def test_accessor_on_a_frame_without_sources_says_what_is_missing():
    with pytest.raises(LlmtrendsError, match="no 'source_id' column"):
        pd.DataFrame({"value": [1.0]}).lt.cite()


# --------------------------------------------------------------------------- disagreements

def test_disagreements_at_top_level_list_every_declaration_in_pandas_form():
    import yaml
    from llmtrends.paths import data_dir
    declared = yaml.safe_load((data_dir() / "disagreements.yaml").read_text(encoding="utf-8"))
    table = lt.disagreements()
    assert set(table["id"]) == {entry["id"] for entry in declared}
    assert isinstance(table["period"].dtype, pd.CategoricalDtype) and table["period"].cat.ordered
    figure_rows = table.dropna(subset=["metric"])
    assert (figure_rows["entity_name"].notna()).all()
    assert not (table.select_dtypes("str") == "").any().any()


def test_no_two_entities_share_a_spelling_once_case_width_spaces_and_hyphens_are_set_aside():
    """Else 'open weight' or 'GPT-4o mini' would name no entity (the squashed index drops a shared spelling)."""
    from collections import defaultdict

    from llmtrends.facts import spelling
    reg = lt.datasets.registry()
    owners = defaultdict(set)
    for eid in reg.entities:
        for written in spelling.spellings(eid, reg):
            owners[spelling.squash(written)].add(eid)
    shared = {key: sorted(ids) for key, ids in owners.items() if len(ids) > 1}
    assert shared == {}, f"spellings of more than one entity: {shared}"
