"""`SELECT *` over UNNEST ... WITH OFFSET: each 0-based offset shown under its name, where BigQuery
lists it.

The offset is DuckDB's 1-based ordinality under a hidden name (`semantics._zero_based_offset`);
the star leaves that column out and adds the offset minus one. BigQuery expands a star in FROM
order, so an offset comes right after its UNNEST's value, before the columns of what is joined
after it: with more than one FROM item the star becomes one qualified star per item.
"""

from __future__ import annotations

from sqlglot import exp

HIDDEN_OFFSET = "__bq_ordinality_"


def rewrite_offset_stars(select: exp.Select) -> None:
    """Every `*` of `select` shows the offsets of its UNNEST ... WITH OFFSET items."""
    items = _from_items(select)
    offsets = [i for i in items if isinstance(i, exp.Unnest) and _hidden(i)]
    if not offsets:
        return
    for star in [e for e in select.expressions if isinstance(e, exp.Star)]:
        columns = _in_from_order(select, items, star)
        if columns is None:
            for unnest in offsets:
                hidden = _hidden(unnest)
                add_offset_column(star, hidden, hidden.removeprefix(HIDDEN_OFFSET))
        else:
            at = select.expressions.index(star)
            select.set("expressions", [*select.expressions[:at], *columns, *select.expressions[at + 1 :]])


def add_offset_column(star: exp.Star, hidden: str, name: str) -> None:
    """The star without the hidden ordinality column, and the 0-based offset after it."""
    select = star.parent
    assert isinstance(select, exp.Select)
    excepts = list(star.args.get("except_") or star.args.get("except") or [])
    if any(isinstance(e, exp.Column) and e.name == hidden for e in excepts):
        return  # two UNNESTs joined USING (offset): one offset column
    excepts.append(exp.column(hidden))
    key = "except_" if "except_" in star.arg_types else "except"
    star.set(key, excepts)
    joined = any(
        isinstance(key, exp.Identifier) and key.name == hidden
        for join in select.args.get("joins") or []
        for key in join.args.get("using") or []
    )
    if joined:  # a USING column comes first, as BigQuery lists them
        select.set("expressions", [_offset(hidden, name), *select.expressions])
    else:
        select.append("expressions", _offset(hidden, name))


def _from_items(select: exp.Select) -> list[exp.Expression]:
    source = select.args.get("from_")
    if source is None:
        return []
    return [source.this, *(join.this for join in select.args.get("joins") or [])]


def _hidden(unnest: exp.Unnest) -> str:
    offset = unnest.args.get("offset")
    name = offset.name if isinstance(offset, exp.Identifier) else ""
    return name if name.startswith(HIDDEN_OFFSET) else ""


def _in_from_order(select: exp.Select, items: list[exp.Expression], star: exp.Star) -> list[exp.Expr] | None:
    """One qualified star per FROM item, each offset after its UNNEST's; None where one `*` already
    lists BigQuery's order (a single item, or only the last has an offset) or where the items
    cannot all be named (USING columns, an unaliased subquery, a star with EXCEPT or REPLACE)."""
    if len(items) < 2 or not any(isinstance(i, exp.Unnest) and _hidden(i) for i in items[:-1]):
        return None
    if any(star.args.values()) or any(j.args.get("using") for j in select.args.get("joins") or []):
        return None
    names = [_qualifier(item, n) for n, item in enumerate(items)]
    if not all(names) or len({n.lower() for n in names}) < len(names):
        return None
    columns: list[exp.Expr] = []
    for item, name in zip(items, names, strict=True):
        hidden = _hidden(item) if isinstance(item, exp.Unnest) else ""
        if not hidden:
            columns.append(exp.Column(this=exp.Star(), table=exp.to_identifier(name)))
            continue
        # DuckDB cannot qualify a star with an UNNEST WITH ORDINALITY's alias; its columns it can
        values = [c for c in item.args["alias"].columns if not c.name.startswith(HIDDEN_OFFSET)]
        columns += [exp.Column(this=c.copy(), table=exp.to_identifier(name)) for c in values]
        columns.append(_offset(hidden, hidden.removeprefix(HIDDEN_OFFSET)))
    return columns


def _qualifier(item: exp.Expression, position: int) -> str:
    """The name a qualified star gives `item`: an UNNEST whose alias names only its columns gets one."""
    if isinstance(item, exp.Unnest):
        alias = item.args.get("alias")
        if not isinstance(alias, exp.TableAlias) or not alias.columns:
            return ""  # DuckDB names an unaliased STRUCT array's fields itself
        if not alias.name:
            alias.set("this", exp.to_identifier(f"__bq_from_item{position}"))
        return alias.name
    if isinstance(item, exp.Table):
        return item.alias_or_name
    if isinstance(item, exp.Subquery):
        return item.alias
    return ""


def _offset(hidden: str, name: str) -> exp.Expr:
    return exp.alias_(exp.Sub(this=exp.column(hidden), expression=exp.Literal.number(1)), name)
