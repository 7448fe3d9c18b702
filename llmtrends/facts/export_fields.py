"""What each column of the Data Package holds (the descriptions ``datapackage.json`` gives its fields), and
how a text cell is written to a CSV so that a spreadsheet runs nothing (:func:`to_spreadsheet`)."""
from __future__ import annotations

from llmtrends.facts.spreadsheet import FORMULA_STARTS, neutralise

#: Descriptions of the columns of the exported frames (tables take theirs from data/tables.yaml).
FIELD_DESCRIPTIONS: dict[str, str] = {
    "obs_id": "Identifier of one statement of a figure by one document (data/observations/<document>.csv).",
    "obs_ids": "Every statement (obs_id) of this figure.",
    "source_id": "The report that first published the figure (see the sources resource).",
    "theme": "Dataset (theme) the figure belongs to; lt.load(theme) returns its figures.",
    "metric": "What is measured (see the metrics resource for its definition, unit and kind).",
    "segment": "Population or market segment the figure describes.",
    "entity": "Who or what the figure is about: a vendor, model, product, app, category or 'all'.",
    "entity_name": "Display name of the entity.",
    "entity_kind": "Kind of entity: vendor, model, product, app, category or aggregate.",
    "vendor": "Vendor entity id: the entity itself for a vendor, its maker for a model or product.",
    "country": "Country of the entity (a model or product takes its vendor's), ISO 3166 alpha-2.",
    "open_weights": "Whether the entity publishes open-weight (flagship) models, where the vocabulary says so.",
    "period": "Period the figure describes (YYYY, YYYY-MM, YYYY-Qn, YYYY-Hn, end-YYYY, mid-YYYY or a span A..B); "
              "accepted values are listed in time order.",
    "period_start": "First day of the period.",
    "period_end": "Last day of the period.",
    "value": "The figure, cleaned (no units or separators); the midpoint when only a range is published.",
    "value_low": "Lower end of a published range.",
    "value_high": "Upper end of a published range.",
    "value_derived": "How value was derived when the document does not print it (e.g. the midpoint of a range).",
    "qualifier": "exact, approx, at_least or at_most, as the document words the figure.",
    "value_kind": "Kind of metric: share, rate, level, change, multiple, price or rank.",
    "unit": "Unit of value (percent, usd_billion, multiple, months ...).",
    "doc": "The document (of the store) that states the figure.",
    "docs": "Every document that states the figure.",
    "primary_docs": "The documents that state the figure as primary evidence (the source's own publication).",
    "n_docs": "How many documents state the figure.",
    "n_relays": "How many of the documents stating the figure are not its source's own publication (relays, "
                "translations, other reports citing it).",
    "status": "confirmed, differs, relay_only or primary_only: how the statements of the figure compare.",
    "quote": "The sentence the figure came from, verbatim.",
    "period_quote": "Verbatim text of the same document stating the period.",
    "period_inferred": "Why the period is what it is when no text states it.",
    "note": "What was done to the figure (translation, correction, caveats).",
    "entity_as_written": "The entity as the document spells it.",
    "publisher": "Who published the report (or, for a document, the outlet).",
    "title": "Title of the report or document.",
    "published": "Publication date as known (YYYY, YYYY-MM or YYYY-MM-DD).",
    "url": "Address of the publication, where known.",
    "method": "How the source obtained its figures (survey, telemetry, desk research ...).",
    "sample": "Who or what was measured.",
    "fieldwork": "When the data were collected.",
    "geography": "Where the source's population is.",
    "relayed_by": "Documents that relay (or translate) the source's figures.",
    "documents": "Every document that reports the source's figures.",
    "document": "Document id: the file name in the document store, without extension.",
    "outlet": "Who published the document.",
    "language": "Language of the document (en, zh-Hans, zh-Hant).",
    "kind": "Kind of the row (see the resource's own description of kind).",
    "file": "File name of the document in the store.",
    "sha256": "SHA-256 of the document's bytes.",
    "reports": "Source ids whose figures the document states.",
    "primary_of": "The source this document is (for a primary document).",
    "id": "Entity id.",
    "name": "Display name.",
    "color": "Chart colour (#RRGGBB).",
    "aliases": "Every accepted spelling of the entity.",
    "definition": "Definition of the metric.",
    "data_window": "Period the source's data cover.",
    "series": "Report series the source is an edition of.",
    "metric_title": "Short title of the metric, as readers see it (see the metrics resource).",
    "source": "Short citation of the source: publisher and publication date.",
    "figure_id": "Stable id of the figure: its key source_id/metric/segment/entity/period written out (the same in "
                 "every data version while the figure is the same figure).",
    "pair_id": "Id of one pair of disagreeing statements: <declaration id>/<n>, the n-th pair in file order.",
    "field": "For a source_fact disagreement: the field of the source the documents state differently.",
    "obs_id_a": "First statement (obs_id) of the pair.",
    "obs_id_b": "Second statement (obs_id) of the pair.",
    "value_a": "Value the first statement gives.",
    "value_b": "Value the second statement gives.",
    "qualifier_a": "Qualifier of the first statement.",
    "qualifier_b": "Qualifier of the second statement.",
    "source_id_b": "Source of the second statement, when the pair spans two sources (a restatement).",
    "doc_a": "Document of the first statement.",
    "doc_b": "Document of the second statement.",
    "quote_a": "Verbatim text of the first statement.",
    "quote_b": "Verbatim text of the second statement.",
    "stands": "The statement used where one must be chosen (obs_id, or document for source facts); empty when "
              "both stand.",
    "reason": "Why the statements differ, as the curators read it.",
    "reason_quote": "Verbatim text supporting the reason.",
    "reason_doc": "The document of reason_quote.",
    "lens": "Lens id: one way of counting who leads (data/lenses.yaml).",
    "population": "Who the lens counts, in words.",
    "entities": "The entities the lens reads, when not all of its metric's.",
    "cadence": "How often the publisher publishes an edition: monthly, quarterly, twice_a_year, yearly, once, "
               "irregular.",
    "follows": "The lens this one continues after the publisher changed its measure.",
    "breaks": "JSON list of the changes of method inside the lens: {from, what, quote and doc, or inferred}.",
    "row": "Position of the row in its table's file (1 = first row after the header).",
}


def describe_field(column: str, extra: dict[str, str] | None = None) -> str | None:
    """Description of an exported column; provenance columns (``<field>_quote`` ...) are described by rule.

    Examples
    --------
    >>> describe_field("fieldwork_quote")
    'Verbatim text of a document stating the fieldwork.'
    >>> describe_field("value_kind")
    'Kind of metric: share, rate, level, change, multiple, price or rank.'
    """
    known = {**FIELD_DESCRIPTIONS, **(extra or {})}
    if known.get(column):
        return known[column]
    for suffix, text in (("_quote", "Verbatim text of a document stating the {}."),
                         ("_inferred", "Why the {} is what it is when no text states it."),
                         ("_doc", "The document whose text states the {}.")):
        if column.endswith(suffix) and len(column) > len(suffix):
            return text.format(column[: -len(suffix)].replace("_", " "))
    return None


#: Where a column means something else in one resource, its description there.
RESOURCE_FIELDS: dict[str, dict[str, str]] = {
    "disagreements": {
        "id": "Id of the declaration in data/disagreements.yaml (one declaration may give several pairs).",
        "kind": "Kind of disagreement: restatement, relay_vs_primary, within_document, between_documents, "
                "source_fact or same_number_other_measure.",
        "source_id": "Source of the first statement; for a source_fact pair, the source whose fact the documents "
                     "state differently.",
        "period": "Period of the first statement's figure (empty for a source_fact pair); accepted values are "
                  "listed in time order.",
        "unit": "Unit of value_a and value_b (the metric's unit).",
        "value_kind": "Kind of the metric: share, rate, level, change, multiple, price or rank.",
        "value_a": "Value the first statement gives (empty for a source_fact pair: see fact_a).",
        "value_b": "Value the second statement gives (empty for a source_fact pair: see fact_b).",
        "fact_a": "For a source_fact pair: what the first document states (a date, a sample ...), as text.",
        "fact_b": "For a source_fact pair: what the second document states, as text.",
    },
    "sources": {
        "title": "Title of the report.", "publisher": "Who published the report.",
        "note": "What the documents say and do not say about the report.",
        "source_id": "Source id: the key the other resources use.",
        "published": "Publication date of the report as known (YYYY, YYYY-MM or YYYY-MM-DD).",
    },
    "documents": {
        "title": "Title of this document.", "publisher": "Who published this document (the outlet, for a relay).",
        "published": "Publication date of this document as its text states it (YYYY, YYYY-MM or YYYY-MM-DD).",
        "kind": "primary (the publisher's own report), relay (reports another publisher's figures) or "
                "translation (of a primary; counts as a relay).",
        "note": "What the text does and does not say.",
        "published_quote": "Verbatim text of this document stating its publication date.",
        "published_inferred": "Why the publication date is what it is when the text does not state it.",
    },
    "entities": {
        "name": "Display name of the entity.", "id": "Entity id: the key the other resources use.",
        "kind": "Kind of entity: vendor, model, product, app, category or aggregate.",
        "vendor": "The vendor (entity id) that makes a model, product or app; empty for a vendor itself and for "
                  "categories.",
        "country": "Country (ISO 3166 alpha-2) where the vocabulary gives one; in the figures a model or product "
                   "takes its vendor's.",
    },
    "metrics": {
        "title": "Short title of the metric, as readers see it.", "metric": "Metric id: the key the other "
        "resources use.", "kind": "Kind of metric: share, rate, level, change, multiple, price or rank.",
        "unit": "Unit of the metric's values.",
    },
    "lenses": {
        "title": "The measure in words, as a reader sees it.", "theme": "Theme whose report shows the lens.",
        "metric": "What the lens counts (see the metrics resource).",
        "segment": "Among whom (a segment of the vocabulary), when the metric is published for several.",
        "publisher": "Whose series the lens reads.",
        "series": "The report series (the sources' series) whose editions the lens reads.",
        "sources": "The source ids the lens reads, when it names editions instead of a series.",
    },
}


def to_spreadsheet(value):
    """A CSV cell a spreadsheet shows as text: :func:`llmtrends.facts.spreadsheet.neutralise` (OWASP), and a
    text that already begins with ``'`` gets one more, so :func:`from_spreadsheet` can undo both exactly.

    >>> to_spreadsheet("=HYPERLINK(1)"), to_spreadsheet("'quoted"), to_spreadsheet("Anthropic"), to_spreadsheet(-1.5)
    ("'=HYPERLINK(1)", "''quoted", 'Anthropic', -1.5)
    """
    if isinstance(value, str) and value.startswith("'"):
        return "'" + value
    return neutralise(value)


def from_spreadsheet(value):
    """The text :func:`to_spreadsheet` was given (any other cell unchanged).

    >>> [from_spreadsheet(to_spreadsheet(v)) for v in ("=x", "'=x", "''", "'a", "-3 points", "plain")]
    ['=x', "'=x", "''", "'a", '-3 points', 'plain']
    >>> from_spreadsheet("'not ours")  # a single ' before a plain text was not written by llmtrends
    "'not ours"
    """
    if isinstance(value, str) and len(value) > 1 and value[0] == "'" and value[1] in FORMULA_STARTS + ("'",):
        return value[1:]
    return value
