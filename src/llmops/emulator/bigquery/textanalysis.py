"""BAG_OF_WORDS(tokenized_document), from BigQuery's text analysis functions (TEXT_ANALYZE is in
textsearch.py): each distinct term of the ARRAY<STRING> with the number of times it occurs, as
ARRAY<STRUCT<term STRING, count INT64>> sorted by term, a NULL term (counted too) first. It was
refused as an unknown function."""

from __future__ import annotations

from sqlglot import exp

from .census import find_all

_BAG = (
    "CASE WHEN _A IS NULL THEN NULL ELSE "
    "(CASE WHEN list_contains(list_transform(_A, t -> t IS NULL), true) "
    "THEN [{'term': CAST(NULL AS VARCHAR), 'count': CAST(len(list_filter(_A, t -> t IS NULL)) AS BIGINT)}] "
    "ELSE [] END) || "
    "coalesce(list_sort(list_transform(map_entries(list_aggregate(_A, 'histogram')), "
    "e -> {'term': CAST(e.key AS VARCHAR), 'count': CAST(e.value AS BIGINT)})), []) END"
)


def rewrite_bag_of_words(stmt: exp.Expression) -> None:
    """Each BAG_OF_WORDS call of `stmt` as DuckDB list functions."""
    from .functions import _invalid, _t

    node: exp.Expr
    for node in reversed(find_all(stmt, exp.Anonymous)):
        if str(node.this).upper() != "BAG_OF_WORDS":
            continue
        if len(node.expressions) != 1:
            raise _invalid(f"BAG_OF_WORDS takes one argument (a tokenized document), got {len(node.expressions)}")
        node.replace(_t(_BAG, exp.paren(node.expressions[0].copy(), copy=False)))
