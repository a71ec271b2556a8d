"""JSON subscripts count from 0 in GoogleSQL and in DuckDB alike: `json.a[0]['b']` must reach
DuckDB unshifted, while sqlglot adds 1 to every bare array index it writes for DuckDB."""

from __future__ import annotations

from sqlglot import exp

from .coltypes import known_type


def _chain(node: exp.Bracket) -> list[exp.Bracket]:
    """The brackets of one subscript chain, outermost first (`x[0]['a'][1]`)."""
    while isinstance(node.parent, exp.Bracket) and node.parent.this is node:
        node = node.parent
    chain = []
    cur: exp.Expression = node
    while isinstance(cur, exp.Bracket):
        chain.append(cur)
        cur = cur.this
    return chain


def mark_json_subscripts(stmt: exp.Expression) -> None:
    """Keep the indexes of subscript chains on JSON values as written: a chain with a string key
    (only JSON takes one) or whose base is known to be JSON."""
    seen: set[int] = set()
    for bracket in list(stmt.find_all(exp.Bracket)):
        if id(bracket) in seen:
            continue
        chain = _chain(bracket)
        seen.update(id(b) for b in chain)
        keyed = any(
            isinstance(k, exp.Literal) and k.is_string
            for b in chain
            for k in b.expressions
            if b.args.get("offset") is None
        )
        if not keyed and known_type(chain[-1].this) != "JSON":
            continue
        for b in chain:
            if b.args.get("offset") is None:
                b.set("json_access", True)
