"""JSONPath operators that GoogleSQL's JSONPath does not have, refused by name.

GoogleSQL's JSON functions read `$`, `.key` (`."key"`) and `[index]` (the JSON functions
reference, "JSONPath format"). sqlglot also parses JSONPath's wildcard (`[*]`, `.*`), recursive
descent (`..`), slices (`[1:2]`), unions (`[0,1]`) and filters (`[?(...)]`), which DuckDB then
answers: `JSON_VALUE_ARRAY(j, '$.a[*]')` gave the quoted texts `"x"` and `JSON_QUERY_ARRAY` an
empty array, values BigQuery does not give.
"""

from __future__ import annotations

from sqlglot import exp

from .census import find_all

_OPERATORS: dict[type[exp.Expr], str] = {
    exp.JSONPathWildcard: "the wildcard *",
    exp.JSONPathRecursive: "recursive descent ..",
    exp.JSONPathSlice: "a slice [start:end]",
    exp.JSONPathUnion: "a union [a,b]",
    exp.JSONPathFilter: "a filter [?(...)]",
    exp.JSONPathScript: "a script [(...)]",
    exp.JSONPathSelector: "a filter [?(...)]",
}


def refuse_unsupported_operators(tree: exp.Expr) -> None:
    """Raise BigQueryError naming the first JSONPath operator GoogleSQL lacks in the tree."""
    from .googlesql import BigQueryError

    for path in find_all(tree, exp.JSONPath):
        for node in path.walk():
            what = _OPERATORS.get(type(node))
            if what is not None:
                raise BigQueryError(
                    f"Unsupported operator in JSONPath: {what} is not part of GoogleSQL's JSONPath "
                    "($, .key and [index] only)",
                    fix="name each member or index, or select the array ('$.a') with JSON_QUERY_ARRAY "
                    "or JSON_VALUE_ARRAY and UNNEST it",
                )
