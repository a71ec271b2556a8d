"""PIVOT's output columns under BigQuery's names, and its FLOAT64 SUMs with BigQuery's overflow error.

BigQuery names a pivot column `<aggregate alias>_<value name>`, the value's name being its alias
or one made from the literal (`_100`, `minus_1`, `_1_point_5`, `true`, `NULL`, `_2020_01_02`,
`empty_string_value`: ZetaSQL's `CreatePivotColumn`); DuckDB writes `<value>_<aggregate alias>`
and its own text of the value. So the pivot gets DuckDB aliases of its own, and a SELECT around it
lists each pivot column under BigQuery's name: `x PIVOT(SUM(v) AS s FOR k IN (100)) AS p` becomes
`(SELECT * EXCLUDE (...), "__pivot0_a0" AS s_100 FROM x PIVOT(SUM(v) AS a0 FOR k IN (100 AS
__pivot0))) AS p`, which keeps the columns in BigQuery's order (the grouping columns, then each
value's aggregates).

DuckDB's PIVOT takes one aggregate per pivot expression, and some rewrites build an expression of
several (FLOAT64 SUM's overflow check adds MAX(ABS(x)), MIN/MAX's NaN rule the other one): once
every rewrite is done, `split_pivot_aggregates` makes each such aggregate a pivot expression of its
own and computes the expression in that SELECT.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlglot import exp

from .census import find_all

_NAMED = "bigquery_pivot_columns"  # meta key: the pivot `name_pivot_columns` put a SELECT around
_NUMERIC_TYPES = frozenset({exp.DataType.Type.DECIMAL, exp.DataType.Type.BIGDECIMAL})
_ALIAS_REQUIRED: dict[Any, str] = {  # DataType.Type -> BigQuery's type name
    exp.DataType.Type.TIMESTAMP: "TIMESTAMP",
    exp.DataType.Type.TIMESTAMPTZ: "TIMESTAMP",
    exp.DataType.Type.DATETIME: "DATETIME",
    exp.DataType.Type.TIME: "TIME",
    exp.DataType.Type.VARBINARY: "BYTES",
    exp.DataType.Type.BINARY: "BYTES",
    exp.DataType.Type.BLOB: "BYTES",
    exp.DataType.Type.JSON: "JSON",
    exp.DataType.Type.INTERVAL: "INTERVAL",
}


def _number_name(text: str, prefixed: bool) -> str:
    """ZetaSQL's name of a number's text: `_` before a leading digit, `minus_` and `_point_`."""
    lead = "_" if not prefixed and text[0].isdigit() else ""
    return lead + text.replace("-", "minus_").replace(".", "_point_")


def _numeric_text(text: str) -> str | None:
    """CAST(NUMERIC '<text>' AS STRING): no trailing zeros, no exponent, no negative zero."""
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        return None
    if not value.is_finite():
        return None
    return "0" if value.is_zero() else format(value.normalize(), "f")


def _value_name(value: exp.Expression, prefixed: bool) -> str | None:
    """BigQuery's name for an unaliased pivot value after the aggregate's alias (`prefixed`), or
    None where it is not known here."""
    if isinstance(value, exp.Null):
        return "NULL"
    if isinstance(value, exp.Boolean):
        return "true" if value.this else "false"
    if isinstance(value, exp.Literal) and value.is_string:
        if value.this == "":
            return ("_" if prefixed else "") + "empty_string_value"
        return str(value.this)
    negative = isinstance(value, exp.Neg)
    number = value.this if negative else value
    if isinstance(number, exp.Literal) and not number.is_string and number.this.isdigit():
        return _number_name(("-" if negative and int(number.this) else "") + str(int(number.this)), prefixed)
    if isinstance(value, exp.Cast) and isinstance(value.this, exp.Literal) and value.this.is_string:
        kind = value.to.this
        if kind in _NUMERIC_TYPES:
            text = _numeric_text(value.this.this)
            return None if text is None else _number_name(text, prefixed)
        date = re.fullmatch(r"\s*(\d{1,4})-(\d{1,2})-(\d{1,2})\s*", value.this.this)
        if kind == exp.DataType.Type.DATE and date:
            year, month, day = (int(part) for part in date.groups())
            return ("" if prefixed else "_") + f"{year:04d}_{month:02d}_{day:02d}"
    return None


def _unnamed_value_error(value: exp.Expression) -> Exception:
    """BigQuery's error for a value it gives no name, or the local warehouse's refusal where
    BigQuery's name depends on the pivot column's type."""
    from .googlesql import BigQueryError

    fix = "give the value an alias: `IN (DATE '2020-01-01' AS d2020)`"
    kind = None
    if isinstance(value, exp.ByteString):
        kind = "BYTES"
    elif isinstance(value, exp.Cast) and isinstance(value.this, exp.Literal):
        kind = _ALIAS_REQUIRED.get(value.to.this)
    if kind is not None:
        return BigQueryError(f"PIVOT values of type {kind} must specify an alias", fix=fix)
    if not isinstance(value, (exp.Literal, exp.Cast, exp.Struct, exp.Tuple)):
        return BigQueryError(
            "Generating an implicit alias for this PIVOT value is not supported; please provide an explicit alias",
            fix=fix,
        )
    return BigQueryError(
        "PIVOT over an unaliased FLOAT64, STRUCT or cast value is not supported by the local warehouse "
        "(BigQuery's column name depends on the pivot column's type)",
        fix=fix,
    )


def _source_alias(source: exp.Expression, pivot: exp.Pivot) -> exp.TableAlias | None:
    alias = pivot.args.get("alias") or source.args.get("alias")
    name = alias.name if alias is not None else (source.name if isinstance(source, exp.Table) else "")
    return exp.TableAlias(this=exp.to_identifier(name)) if name else None


def name_pivot_columns(stmt: exp.Expression) -> None:
    """Give every PIVOT's columns BigQuery's names; raise BigQuery's error for an unnamed one."""
    from .googlesql import BigQueryError

    for pivot in find_all(stmt, exp.Pivot):
        source = pivot.parent
        fields = pivot.args.get("fields") or []
        if pivot.args.get("unpivot") or len(fields) != 1 or not isinstance(fields[0], exp.In):
            continue
        if not isinstance(source, (exp.Table, exp.Subquery)):
            continue
        aggregates = list(pivot.expressions)
        if len(aggregates) > 1 and not all(isinstance(a, exp.Alias) for a in aggregates):
            raise BigQueryError(
                "PIVOT expression must specify an alias unless it is the only pivot expression in the PIVOT clause",
                fix="name each aggregate: `PIVOT(SUM(x) AS total, COUNT(*) AS n FOR ...)`",
            )
        prefixes: list[str] = []
        for j, aggregate in enumerate(aggregates):
            prefixes.append(f"{aggregate.alias}_" if isinstance(aggregate, exp.Alias) else "")
            call = aggregate.this if isinstance(aggregate, exp.Alias) else aggregate
            aggregate.replace(exp.alias_(call.copy(), f"a{j}"))

        def duck(i: int, j: int) -> str:
            return f"__pivot{i}_a{j}"

        columns: list[Any] = []
        hidden: list[str] = []
        duck_values: dict[str, exp.Expression] = {}  # a value listed twice is pivoted once (DuckDB refuses it)
        for value in fields[0].expressions:
            inner = value.this if isinstance(value, exp.PivotAlias) else value
            if inner.find(exp.Column, exp.Subquery) is not None:
                raise BigQueryError(
                    "IN expression in PIVOT clause must be constant", fix="list literals or query parameters"
                )
            text = inner.sql(dialect="bigquery")
            i = list(duck_values).index(text) if text in duck_values else len(duck_values)
            duck_values.setdefault(text, exp.PivotAlias(this=inner.copy(), alias=exp.to_identifier(f"__pivot{i}")))
            for j, prefix in enumerate(prefixes):
                if isinstance(value, exp.PivotAlias):
                    name: str | None = prefix + value.alias
                else:
                    name = _value_name(value, bool(prefix))
                    if name is None:
                        raise _unnamed_value_error(value)
                    name = prefix + name
                column = exp.column(exp.to_identifier(duck(i, j), quoted=True))
                if duck(i, j) not in hidden:
                    hidden.append(duck(i, j))
                columns.append(exp.alias_(column, exp.to_identifier(name, quoted=True)))
        fields[0].set("expressions", list(duck_values.values()))
        # the names DuckDB gives, which sqlglot's type inference reads the pivot's columns by
        pivot.set(
            "columns", [exp.to_identifier(duck(i, j)) for i in range(len(duck_values)) for j in range(len(prefixes))]
        )
        alias = _source_alias(source, pivot)
        pivot.set("alias", None)
        pivot.meta[_NAMED] = True
        inner_source = source.copy()
        inner_source.set("alias", None)
        key = "except_" if "except_" in exp.Star.arg_types else "except"
        star = exp.Star(**{key: [exp.column(exp.to_identifier(h, quoted=True)) for h in hidden]})
        source.replace(exp.Subquery(this=exp.select(star, *columns).from_(inner_source), alias=alias))


def _aggregate_calls(node: exp.Expression, inner: frozenset[str] = frozenset()) -> list[exp.Expression]:
    """The outermost aggregate calls in `node` (with their FILTER) that aggregate the pivot's
    rows. Inside a subquery, a call that reads a column of the subquery's own FROM (`inner`, its
    aliases) is the subquery's: `MAX(y HAVING MAX x)` is `(SELECT MAX(__hm.v0) FROM
    UNNEST(ARRAY_AGG(...)) AS __hm WHERE __hm.h = MAX(x))` (havingminmax.py), whose ARRAY_AGG and
    MAX(x) are the pivot's and MAX(__hm.v0) is not (it was split out as a pivot aggregate of its
    own, and the pivot's SQL was a syntax error)."""
    from .sandbox import aggregate_functions

    if isinstance(node, exp.Select):
        sources = [node.args.get("from_") or node.args.get("from"), *(node.args.get("joins") or [])]
        inner = inner | {s.this.alias_or_name for s in sources if s is not None and s.this is not None}
    call = node.this if isinstance(node, exp.Filter) else node
    if isinstance(call, exp.AggFunc) or (
        isinstance(call, exp.Anonymous) and str(call.this).lower() in aggregate_functions()
    ):
        if not any(column.table in inner for column in call.find_all(exp.Column)):
            return [node]
    return [call for child in node.iter_expressions() for call in _aggregate_calls(child, inner)]


def _with_part_columns(expression: exp.Expression, parts: dict[str, str], i: int) -> exp.Expression:
    """`expression` with each aggregate call in `parts` read from the pivot's column for value `i`."""

    def part_column(node: exp.Expression) -> exp.Expression:
        text = node.sql(dialect="duckdb") if isinstance(node, (exp.AggFunc, exp.Filter, exp.Anonymous)) else None
        if text not in parts:
            return node
        return exp.column(exp.to_identifier(f"__pivot{i}_{parts[text]}", quoted=True))

    return expression.copy().transform(part_column)


def split_pivot_aggregates(stmt: exp.Expression) -> None:
    """Make each aggregate of a pivot expression that has several its own pivot expression, and
    compute the expression in the SELECT `name_pivot_columns` put around the pivot."""
    for pivot in find_all(stmt, exp.Pivot):
        select = pivot.find_ancestor(exp.Select)
        if not pivot.meta.get(_NAMED) or select is None:
            continue
        star = select.expressions[0]
        key = "except_" if "except_" in exp.Star.arg_types else "except"
        hidden = list(star.args.get(key) or [])
        count = len(pivot.args["fields"][0].expressions)
        aggregates: list[Any] = []
        for aggregate in pivot.expressions:
            calls = {call.sql(dialect="duckdb"): call for call in _aggregate_calls(aggregate.this)}
            if len(calls) < 2:
                aggregates.append(aggregate)
                continue
            parts = {text: f"{aggregate.alias}x{k}" for k, text in enumerate(calls)}
            aggregates += [exp.alias_(call.copy(), parts[text]) for text, call in calls.items()]
            for i in range(count):
                whole = f"__pivot{i}_{aggregate.alias}"
                value = _with_part_columns(aggregate.this, parts, i)
                if isinstance(value, exp.Query):  # HAVING MAX/MIN's subquery (see `_aggregate_calls`)
                    value = value.subquery()
                for column in select.find_all(exp.Column):
                    if column.name == whole and column.find_ancestor(exp.Select) is select:
                        column.replace(value.copy())
                hidden = [h for h in hidden if h.name != whole]
                hidden += [exp.column(exp.to_identifier(f"__pivot{i}_{p}", quoted=True)) for p in parts.values()]
        pivot.set("expressions", aggregates)
        star.set(key, hidden)
