"""The data catalog as a stakeholder reads it: no internal words, each evidence label defined where it is
shown, weak provenance visible (no known URL), and one group for every spelling of a name or a country, as
lt.search finds them. The filter itself, run in a browser, is checked in test_browser_reports.py.
"""
from __future__ import annotations

import re

import pytest

from llmtrends.stories import catalog


def _reg():
    from llmtrends.facts import datasets
    return datasets.registry()


def _figures():
    from llmtrends.facts import datasets
    return datasets.figures()


def test_the_catalog_shows_no_internal_words_and_defines_each_label_where_it_is_shown():
    from llmtrends.facts.registry import SOURCE_METHODS
    page = catalog.render_catalog()
    text = re.sub(r"<script.*?</script>|<[^>]+>", " ", page, flags=re.S)
    assert "lt.observations" not in text and "lt.evidence" not in text
    for method in SOURCE_METHODS:
        if "_" in method:
            assert not re.search(rf"\b{method}\b", text), method
    labels = re.findall(r"<a class='status status-(\w+)' href='#evidence-(\w+)' title='([^']+)'>", page)
    assert labels and all(a == b and meaning for a, b, meaning in labels)
    for kind in {a for a, _, _ in labels}:
        assert f"<dt id='evidence-{kind}'>" in page


def test_the_catalog_says_when_no_document_of_a_figure_has_a_known_url():
    reg, figs = _reg(), _figures()
    unlinked = figs[figs["docs"].map(lambda docs: bool(docs) and not any(reg.documents[d].get("url") for d in docs))]
    assert len(unlinked), "the data hold figures whose documents have no URL"
    page = catalog.render_catalog()
    for ident in unlinked["obs_ids"].map(lambda ids: ids[0]):
        block = re.search(rf"<div class='fig'[^>]*data-obs='[^']*\b{re.escape(ident)}\b.*?</details></div>", page, re.S)
        assert block and "no known URL" in block.group(0), ident


@pytest.mark.parametrize("spellings", [("China", "中国", "中國", "CN", "Chinese"), ("Google", "谷歌", "Gemini")])
def test_every_spelling_of_a_name_or_country_is_one_group_of_the_catalog_filter(spellings):
    index, needles = catalog.spelling_groups()
    groups = {index[catalog.squash(s)] for s in spellings}
    assert len(groups) == 1
    assert needles[groups.pop()], "the sentences are searched for its spellings"
