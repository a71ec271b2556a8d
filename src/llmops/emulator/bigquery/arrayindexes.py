"""A bare array subscript, `arr[i]`, is `arr[OFFSET(i)]` in GoogleSQL: an index past either end
is an error ("Array index 6 is out of bounds"). sqlglot writes it as DuckDB's list subscript,
which answers NULL there, so `['coffee', 'tea', 'milk'][6]` was NULL.

The subscripts are marked as the query is parsed, before the rewrites add subscripts of their
own; JSON subscripts (jsonaccess.py) and STRUCT ones keep their forms.
"""

from __future__ import annotations

from sqlglot import exp

from .coltypes import composite_type, known_type

_BARE = "bare_subscript"


def mark_bare_subscripts(tree: exp.Expr) -> None:
    """Mark the subscripts the query writes without OFFSET, ORDINAL or their SAFE_ forms."""
    for bracket in tree.find_all(exp.Bracket):
        if bracket.args.get("offset") is None:
            bracket.meta[_BARE] = True


def as_offset(bracket: exp.Bracket) -> bool:
    """Make `bracket` an OFFSET subscript when the query wrote it bare on an array; whether it
    was."""
    if not bracket.meta.get(_BARE) or bracket.args.get("offset") is not None or bracket.args.get("json_access"):
        return False
    if len(bracket.expressions) != 1:
        return False
    index = bracket.expressions[0]
    if isinstance(index, exp.Literal) and index.is_string:
        return False
    if _in_typeof(bracket):
        return False
    base = bracket.this
    if known_type(base) == "JSON" or (composite_type(base) or "").startswith("STRUCT"):
        return False
    bracket.set("offset", 0)
    bracket.set("safe", False)
    return True


def _in_typeof(node: exp.Expression) -> bool:
    """Whether `node` is inside a `typeof(...)` that jsonaccess.py wrote to choose JSON's or an
    array's counting (a copy of a subscript it marks afterwards)."""
    parent = node.parent
    while parent is not None:
        if isinstance(parent, exp.Anonymous) and parent.name.lower() == "typeof":
            return True
        parent = parent.parent
    return False
