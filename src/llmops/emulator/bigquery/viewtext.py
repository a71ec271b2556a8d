"""The text of a `CREATE VIEW`'s query, as BigQuery keeps it (`view.query` of the table resource,
`view_definition` of INFORMATION_SCHEMA.VIEWS): the query as the user wrote it, after `AS`."""

from __future__ import annotations

import re

from sqlglot import exp

_AS = re.compile(r"\bAS\b", re.IGNORECASE)


def view_query(tree: exp.Expr, text: str) -> str | None:
    """The query text of `tree`, a parsed `CREATE [MATERIALIZED] VIEW` of `text`, read while its
    nodes still carry their token positions; None for other statements. Where the positions do
    not locate it, the query as the parser writes it back in GoogleSQL."""
    if not (isinstance(tree, exp.Create) and str(tree.kind).upper() == "VIEW" and tree.expression is not None):
        return None
    body = tree.expression
    inside = {id(node) for node in body.walk()}
    header = [_end(node) for node in tree.walk() if id(node) not in inside]
    ends = [_end(node) for node in body.walk()]
    head_end = max((e for e in header if e is not None), default=None)
    body_end = max((e for e in ends if e is not None), default=None)
    if head_end is not None and body_end is not None:
        found = _AS.search(text, head_end + 1, body_end)
        if found:
            stop = text.find(";", body_end + 1)
            query = text[found.end() : stop if stop >= 0 else len(text)].strip()
            if query:
                return query
    return body.sql("bigquery")


def _end(node: exp.Expr) -> int | None:
    meta = node._meta
    return meta.get("end") if meta else None
