"""A relay and its primary that state the same figure are linked (issue 8, point 3).

The checks are computed from the data: a relay row "states what the primary states"
when a primary document has a row with the same metric, entity and number(s). Such
rows must use the same figure key (source_id, metric, segment, entity, period) as the
primary row, or `figures()` cannot see that the primary confirms them.
"""

import math

import pytest

from llmtrends.facts import datasets

MIDYEAR = "menlo_2025_midyear"
RELAYS_OF_MIDYEAR = ("000_dff873e1b34121a2", "001_f6f9bbcc7f4aaa0b")
KEY = ["source_id", "metric", "segment", "entity", "period"]


def _numbers(row):
    """The number(s) a row states: its value, or the two ends of its range."""
    if isinstance(row["value_low"], float) and not math.isnan(row["value_low"]):
        return (round(row["value_low"], 6), round(row["value_high"], 6))
    return (round(row["value"], 6),)


@pytest.fixture(scope="module")
def evidence():
    obs = datasets.observations().copy()
    obs["numbers"] = obs.apply(_numbers, axis=1)
    figs = datasets.figures()
    status = {tuple(r[k] for k in KEY): r for _, r in figs.iterrows()}
    return obs, status


def _figure(status, row):
    return status[tuple(row[k] for k in KEY)]


def test_figures_000_001_share_with_the_midyear_page_are_linked_to_it(evidence):
    obs, status = evidence
    page = obs[obs["doc"] == MIDYEAR]
    stated = {(r["metric"], r["entity"], r["numbers"]): r for _, r in page.iterrows()}
    relay = obs[obs["doc"].isin(RELAYS_OF_MIDYEAR)]
    shared = [r for _, r in relay.iterrows() if (r["metric"], r["entity"], r["numbers"]) in stated]
    assert len(shared) >= 40, "000/001 relay most of the mid-year page's figures"
    problems = []
    for r in shared:
        fig = _figure(status, r)
        if MIDYEAR not in fig["docs"]:
            p = stated[(r["metric"], r["entity"], r["numbers"])]
            problems.append(f"{r['obs_id']} {tuple(r[k] for k in KEY)} is not linked to "
                            f"{p['obs_id']} {tuple(p[k] for k in KEY)}")
        elif r["source_id"] == MIDYEAR and fig["status"] not in ("confirmed", "differs"):
            problems.append(f"{r['obs_id']}: status {fig['status']}")
    assert problems == []


def test_no_midyear_figure_of_000_001_is_relay_only_if_the_page_states_its_metric_for_that_entity(evidence):
    obs, status = evidence
    page = obs[obs["doc"] == MIDYEAR]
    page_pairs = set(zip(page["metric"], page["entity"]))
    relay = obs[obs["doc"].isin(RELAYS_OF_MIDYEAR) & (obs["source_id"] == MIDYEAR)]
    relay_only = [r for _, r in relay.iterrows() if _figure(status, r)["status"] == "relay_only"]
    # What is left relay-only must be something the page does not state at all (Google's
    # third place, 001's 'half of Anthropic' in coding), not a figure keyed differently.
    mislinked = [r["obs_id"] for r in relay_only if (r["metric"], r["entity"]) in page_pairs]
    assert mislinked == []
    for r in relay_only:
        assert MIDYEAR not in _figure(status, r)["docs"]


def test_figures_the_midyear_page_relays_from_the_2024_report_are_linked_but_relay_only(evidence):
    # $3.5B API spend and the 19% open-source share: the page cites its November 2024 report
    # (footnotes 1 and 4), which is not in the store, so the page is a relay there.
    obs, status = evidence
    rows = obs[obs["doc"].isin(RELAYS_OF_MIDYEAR) & (obs["source_id"] == "menlo_2024_enterprise")]
    assert len(rows) >= 2
    for _, r in rows.iterrows():
        fig = _figure(status, r)
        assert MIDYEAR in fig["docs"], r["obs_id"]
        assert fig["status"] == "relay_only" and fig["primary_docs"] == []


def test_rows_of_two_documents_with_the_same_source_metric_entity_and_number_are_one_figure(evidence):
    """Any pair of documents (relay and primary, two relays, translation and relay): the same
    number for the same source, metric and entity is the same figure, so segment and period
    must match too (e.g. 003 and Willison both relay Menlo 2024's 50% -> 34%)."""
    obs, _ = evidence
    # A place in a ranking is one of a few small numbers: the same place of a continuously published ranking
    # in two periods (OpenRouter's weekly ranking: Chinese models 1 in February and in March) is two figures.
    kinds = datasets.metrics().set_index("metric")["kind"]
    obs = obs[obs["metric"].map(kinds) != "rank"]
    pairs = obs.merge(obs, on=["source_id", "metric", "entity", "numbers"])
    pairs = pairs[(pairs["doc_x"] < pairs["doc_y"])
                  & ((pairs["segment_x"] != pairs["segment_y"]) | (pairs["period_x"] != pairs["period_y"]))]
    assert [f"{a} ({sa}, {pa}) vs {b} ({sb}, {pb})" for a, sa, pa, b, sb, pb in zip(
        pairs["obs_id_x"], pairs["segment_x"], pairs["period_x"],
        pairs["obs_id_y"], pairs["segment_y"], pairs["period_y"])] == []


def test_differs_figures_take_the_value_of_their_standing_statement(evidence):
    obs, _ = evidence
    by_id = obs.set_index("obs_id")
    table = datasets.disagreements()
    table = table[table["kind"] != "source_fact"]
    figs = datasets.figures()
    differs = figs[figs["status"] == "differs"]
    assert len(differs) >= 3  # Meta 9% vs under 9%, 150 vs over 150, the open share 1/3 vs about 30%
    for _, fig in differs.iterrows():
        decl = table[table["obs_id_a"].isin(fig["obs_ids"]) | table["obs_id_b"].isin(fig["obs_ids"])]
        assert len(decl), f"{fig['obs_id']}: differs without a declaration"
        # a declaration may also link a statement of another figure (a change read as a level): its
        # stands says nothing about this figure
        stands = set(decl["stands"].dropna()) & set(fig["obs_ids"])
        if not stands:
            # stands null (both stand): the primary's statement gives the value, else one of the
            # figure's own statements by the rule of data/README.md
            primary = [o for o in fig["obs_ids"] if by_id.loc[o, "doc"] in fig["primary_docs"]]
            values = {(by_id.loc[o, "value"], by_id.loc[o, "qualifier"]) for o in primary or fig["obs_ids"]}
            assert (fig["value"], fig["qualifier"]) in values, f"{fig['obs_id']}: value of no statement"
            continue
        values = {(by_id.loc[s, "value"], by_id.loc[s, "qualifier"]) for s in stands}
        assert len(values) == 1, f"{fig['obs_id']}: declarations let different values stand: {values}"
        assert (fig["value"], fig["qualifier"]) == values.pop()


def test_where_a_primary_states_a_differing_figure_its_own_statement_stands(evidence):
    """A relay's wording never overrules the primary's (Meta 9% vs 001's under 9%)."""
    obs, _ = evidence
    by_id = obs.set_index("obs_id")
    docs = datasets.documents().set_index("document")
    primary_of = docs["primary_of"].dropna().to_dict()
    figs = datasets.figures()
    for _, fig in figs[figs["status"] == "differs"].iterrows():
        mine = [o for o in fig["obs_ids"] if primary_of.get(by_id.loc[o, "doc"]) == fig["source_id"]]
        if not mine:
            continue
        own = {(by_id.loc[o, "value"], by_id.loc[o, "qualifier"]) for o in mine}
        assert (fig["value"], fig["qualifier"]) in own, fig["obs_id"]


def test_a_figure_one_document_words_two_ways_is_declared(evidence):
    """Within one document, '≈13%' and '13%' (or 'nearly one in five' and '20%') are two statements:
    undeclared, the figure would silently take the most precise wording (issue 8, point 5: 9% vs 不足9%)."""
    obs, status = evidence
    undeclared = []
    for _, group in obs.groupby(KEY + ["doc"]):
        wordings = set(zip(group["numbers"], group["qualifier"]))
        if len(wordings) > 1 and _figure(status, group.iloc[0])["status"] != "differs":
            undeclared.append(sorted(group["obs_id"]))
    assert undeclared == []
