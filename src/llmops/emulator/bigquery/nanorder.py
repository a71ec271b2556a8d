"""GoogleSQL's place for a FLOAT64 NaN in an order: below every number (NULL < NaN < -inf < ... <
+inf ascending, the reverse descending), where DuckDB sorts NaN above +inf.

Each ORDER BY key known to be FLOAT64 is sorted negated the other way round: `ORDER BY x` becomes
`ORDER BY -x DESC` with the NULLs where they were. Negating a double is exact and DuckDB's NaN
stays above every number, so NaN comes first; one key, so a RANGE frame (which takes a single
numeric key) keeps its meaning: DESC turns an offset PRECEDING into an addition to the negated
key. That covers the query's ORDER BY (a column, an expression, a SELECT alias or position of
one), an aggregate's (ARRAY_AGG, STRING_AGG) and a window's, with or without a frame. A key's
type is inferred from the tables' schemas and the query's arrays (coltypes.py); a key whose type
is not inferred sorts NaN as DuckDB does (a known difference). Keys of other types are left alone: DuckDB keeps even a constant extra key, which
made `ORDER BY int_column LIMIT n` 5.6x slower.

A SELECT alias or position whose expression is negated is evaluated again in ORDER BY (DuckDB
refuses a reference to an alias inside an expression when the alias's expression may raise an
error, as the overflow checks do); one that calls RAND or GENERATE_UUID, or a window function over
a named window (`OVER w`, which DuckDB does not resolve there), is left as DuckDB sorts it.

PERCENTILE_CONT and PERCENTILE_DISC of a FLOAT64 (percentiles.py) take NaN as the least value too.
"""

from __future__ import annotations

from sqlglot import exp

from .census import find_all

_ORDER_TAG = "llmops_nan_ordering"
_TYPED = "llmops_nan_typed"  # the node whose inferred type decides, kept through later rewrites

_VOLATILE = ("rand", "random", "generate_uuid", "gen_random_uuid", "uuid")


def tag_orderings(stmt: exp.Expression) -> None:
    """Mark the ORDER BY keys the query writes that may be FLOAT64 (before any rewrite adds keys)."""
    for node in stmt.find_all(exp.Ordered):
        if _sort_key(node, copy=False) is not None:
            node.meta[_ORDER_TAG] = True


def ordering_keys(stmt: exp.Expression) -> list[exp.Expression]:
    """The expressions whose types decide NaN's place: the marked ORDER BY keys (for an alias or
    a position, its SELECT expression)."""
    out = []
    for node in stmt.find_all(exp.Ordered):
        if node._meta and node.meta.get(_ORDER_TAG):
            key = _sort_key(node, copy=False)
            if key is not None:
                node.meta[_TYPED] = key
                out.append(key)
    return out


def _sort_key(node: exp.Ordered, copy: bool = True) -> exp.Expression | None:
    """The expression an ORDER BY key sorts on: a select-list entry where the key names it (by
    alias or position), else the key; None for a constant."""
    order = node.parent
    owner = order.parent if isinstance(order, exp.Order) else None
    if owner is None:
        return None
    key = node.this
    projections = owner.expressions if isinstance(owner, exp.Select) else []
    chosen: exp.Expression | None = key
    if isinstance(key, exp.Literal):
        position = int(key.name) if not key.is_string and key.name.isdigit() else 0
        chosen = projections[position - 1] if 1 <= position <= len(projections) else None
    elif isinstance(key, exp.Column) and not key.table:
        name = key.name.lower()
        aliased = [p for p in projections if isinstance(p, (exp.Alias, exp.Column)) and p.alias_or_name.lower() == name]
        if aliased:
            chosen = aliased[0]
    if isinstance(chosen, exp.Alias):
        chosen = chosen.this
    if chosen is None or isinstance(chosen, (exp.Literal, exp.Null, exp.Boolean, exp.Star, exp.Predicate)):
        return None
    return chosen.copy() if copy and chosen is not key else chosen


def is_float64(node: exp.Expression | None) -> bool:
    """Whether `node`'s inferred type (kept on it by `ordering_keys`, or its own) is FLOAT64."""
    return inferred_type(node) == "FLOAT64"


def inferred_type(node: exp.Expression | None) -> str | None:
    """The BigQuery type inferred for an ORDER BY key (kept on it by `ordering_keys`) or for `node`."""
    from .coltypes import known_type

    typed = node.meta.get(_TYPED, node) if node is not None and node._meta else node
    return known_type(typed)


def rewrite_nan_orderings(stmt: exp.Expression) -> None:
    """Each marked ORDER BY key known to be FLOAT64, negated and sorted the other way round; a key
    known to be an ARRAY or a STRUCT is BigQuery's error (neither type is orderable)."""
    for node in find_all(stmt, exp.Ordered):
        if not (node._meta and node.meta.pop(_ORDER_TAG, None)):
            continue
        _check_orderable(node)
        if not is_float64(node):
            continue
        key = _sort_key(node)  # as rewritten since tagging
        if key is None or (key is not node.this and (_volatile(key) or _names_a_window(key))):
            continue
        node.set("this", negated(key))
        node.set("desc", not node.args.get("desc"))
        node.set("nulls_first", bool(node.args.get("nulls_first")))


def _check_orderable(node: exp.Ordered) -> None:
    from .coltypes import composite_type
    from .googlesql import BigQueryError

    typed = node.meta.get(_TYPED, node)
    composite = composite_type(typed)
    if composite is not None:
        raise BigQueryError(
            f"ORDER BY does not support expressions of type {composite}",
            fix="order by a value of the array or struct (`arr[SAFE_OFFSET(0)]`, `s.field`), or by its TO_JSON_STRING",
        )


def negated(key: exp.Expression) -> exp.Expression:
    """-key, which DuckDB sorts with NaN above every number, as it sorts `key`. Unguarded: a
    window's ORDER BY may not raise an error, and were the inferred type ever wrong, negation
    orders any other number the same way round and fails to bind for the rest."""
    return exp.Neg(this=exp.paren(key.copy(), copy=False))


def _names_a_window(node: exp.Expression) -> bool:
    """Whether `node` calls a window function over a named window (`OVER w`), which DuckDB does
    not resolve in ORDER BY: such an alias stays DuckDB's sort."""
    return any(isinstance(w, exp.Window) and w.args.get("alias") is not None for w in node.walk())


def _volatile(node: exp.Expression) -> bool:
    """Whether evaluating `node` again may give another value."""
    return any(
        isinstance(n, (exp.Rand, exp.Uuid)) or (isinstance(n, exp.Anonymous) and n.name.lower() in _VOLATILE)
        for n in node.walk()
    )


def sorted_key_of(window: exp.Window) -> tuple[exp.Ordered | None, exp.Window]:
    """A window's single ORDER BY key (as GoogleSQL wrote it) and the window that holds it: its
    own, or the named window's (`OVER w`, `OVER (w RANGE ...)`)."""
    order = window.args.get("order")
    if order is None:
        named = window.args.get("alias")
        select = window.find_ancestor(exp.Select)
        if isinstance(named, exp.Identifier) and select is not None:
            for definition in select.args.get("windows") or []:
                if isinstance(definition.this, exp.Identifier) and definition.this.name.lower() == named.name.lower():
                    return sorted_key_of(definition)
        return None, window
    keys = order.expressions
    return (keys[0] if len(keys) == 1 else None), window
