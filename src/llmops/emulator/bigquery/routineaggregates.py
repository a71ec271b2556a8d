"""`CREATE AGGREGATE FUNCTION` (a SQL user-defined aggregate function) read as the scalar
function statement the routine DDL already parses, and its parameters' NOT AGGREGATE marks.

A SQL UDAF is stored as a DuckDB macro like a scalar function: its body's aggregate calls
(`SUM(dividend) / divisor`) expand into the calling query, where they aggregate the group.
"""

from __future__ import annotations

from typing import Any

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

from .googlesql import BigQueryError
from .keywordnames import quote_operator_words
from .script_parser import Span

AGGREGATE_FUNCTION = "AGGREGATE_FUNCTION"
"""The routine type (REST `routineType`) of a user-defined aggregate function."""


def scalar_form(span: Span) -> tuple[str, frozenset[str]]:
    """The statement without `AGGREGATE` and its parameters' `NOT AGGREGATE`, and the lowercase
    names of those non-aggregate parameters."""
    tokens = span.tokens
    base = tokens[0].start
    cuts: list[tuple[int, int]] = []
    head = [t.upper for t in tokens[:8]]
    at = head.index("AGGREGATE")
    cuts.append((tokens[at].start, tokens[at + 1].start))
    opened = next((i for i, t in enumerate(tokens) if t.text == "("), None)
    if opened is None:
        raise BigQueryError("CREATE AGGREGATE FUNCTION needs a parameter list", fix="write f(x FLOAT64) AS (SUM(x))")
    depth = 0
    names: set[str] = set()
    param_start = opened + 1
    for i in range(opened, len(tokens)):
        t = tokens[i]
        if t.text in ("(", "<"):
            depth += 1
        elif t.text in (")", ">", ">>"):
            depth -= len(t.text)
            if depth <= 0:
                break
        elif t.text == "," and depth == 1:
            param_start = i + 1
        elif depth == 1 and t.upper == "NOT" and i + 1 < len(tokens) and tokens[i + 1].upper == "AGGREGATE":
            cuts.append((t.start, tokens[i + 1].end))
            names.add(tokens[param_start].text.strip("`").lower())
    text = span.source
    out, pos = [], base
    for start, end in cuts:
        out.append(text[pos:start])
        pos = end
    out.append(text[pos : tokens[-1].end])
    return "".join(out), frozenset(names)


def check_body(body: str, arguments: list[dict[str, Any]]) -> None:
    """An aggregate argument is read only inside the body's aggregate calls (ZetaSQL's "cannot be
    referenced outside aggregate function calls"): outside one, the macro would read each row's
    value where BigQuery refuses the function."""
    aggregated = {str(a["name"]).lower(): str(a["name"]) for a in arguments if a.get("isAggregate") is not False}
    try:
        node = sqlglot.parse_one(quote_operator_words(body), read="bigquery")
    except SqlglotError:
        return  # the body's translation reports it
    for col in node.find_all(exp.Column):
        name = col.name.lower()
        if col.table or name not in aggregated or col.find_ancestor(exp.AggFunc) is not None:
            continue
        raise BigQueryError(
            f"Function argument {aggregated[name]} cannot be referenced outside aggregate function calls unless "
            "marked as NOT AGGREGATE",
            fix=f"read it inside an aggregate (SUM({aggregated[name]})), or write {aggregated[name]} <type> NOT "
            "AGGREGATE",
        )
