"""GAP_FILL(TABLE t | (subquery), ts_column, bucket_width [, partitioning_columns => [...]]
[, value_columns => [(column, 'null' | 'locf' | 'linear'), ...]] [, origin => ...]
[, ignore_null_values => TRUE | FALSE]) as window functions over the input and a grid of buckets.

BigQuery's table function (time series functions reference) answers, for each time series (a
partition of the input), one row per bucket `origin + k * bucket_width` from the first bucket at
or after the series' earliest time point to the last bucket at or before its latest one: the time
column (the bucket, in the time column's type), the partitioning columns, and the value columns
(or, without `value_columns`, every other column with the `null` method) in that order. A bucket
with an input row at exactly its time takes that row's values; otherwise `null` leaves the column
NULL, `locf` carries the last value before it forward, and `linear` interpolates between the rows
before and after it (an INT64 column's result rounded, FLOAT64 kept). With `ignore_null_values`
(the default) NULL values are skipped: `locf` and `linear` use the nearest non-NULL values, even
over a bucket's own row whose value is NULL; without it a NULL is carried, and `linear` is NULL
when either end is. Input rows of one series at one time point with the same values count once
(the reference's "condensed" example).

The buckets' and the interpolation's SQL depends on the time column's type and on the value
columns' types, which the translator does not know for a subquery's or a table's column. So the
translator translates the input (with the WITH queries it reads) and the origin as queries of
their own (`rewrite`), and leaves a marker call in the statement in place of the function; when
the statement runs, the engine asks DuckDB for the input's columns (DESCRIBE) and writes out the
SQL for those types (`expand`).

Served: a DATE, DATETIME or TIMESTAMP time column and a bucket width of one part: MICROSECOND to
DAY and WEEK (DAY and WEEK only for a DATE column), and MONTH, QUARTER or YEAR for a DATE or
DATETIME column whose origin is the first of a month at midnight (the default 1950-01-01 is).
Refused by name: months of a TIMESTAMP column or from another origin (ZetaSQL's end-of-month
rules), widths of several parts, `linear` of a NUMERIC or BIGNUMERIC column,
query parameters inside the function's arguments, a view over GAP_FILL, and, when the query runs,
an input row whose time is NULL or two rows of one series at one time point with different values
(BigQuery's reference does not say what it answers for these).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import re
from collections.abc import Callable
from typing import Any

from sqlglot import exp

MARKER = "__bq_gap_fill"
_MARKER_CALL = re.compile(MARKER + r"\('(\d+)'\)(?:\s+AS\s+\"[^\"]*\")?", re.IGNORECASE)
_FIX = (
    "write GAP_FILL(TABLE t, ts_column => 'time', bucket_width => INTERVAL 1 MINUTE"
    "[, partitioning_columns => ['id']][, value_columns => [('v', 'locf')]][, origin => ...]"
    "[, ignore_null_values => FALSE])"
)
_POSITIONS = ("ts_column", "bucket_width", "partitioning_columns", "value_columns", "origin", "ignore_null_values")
_METHODS = ("null", "locf", "linear")
# microseconds of each fixed-length part a bucket width may have
_MICROS = {
    "MICROSECOND": 1,
    "MILLISECOND": 1_000,
    "SECOND": 1_000_000,
    "MINUTE": 60_000_000,
    "HOUR": 3_600_000_000,
    "DAY": 86_400_000_000,
    "WEEK": 7 * 86_400_000_000,
}
_DAY_MICROS = 86_400_000_000
_MONTHS = {"MONTH": 1, "QUARTER": 3, "YEAR": 12}
# DuckDB's type of each time column type GAP_FILL takes
_TIME_TYPES = {"DATE": "DATE", "TIMESTAMP": "DATETIME", "TIMESTAMP WITH TIME ZONE": "TIMESTAMP"}
_DEFAULT_ORIGIN = {
    "DATE": "DATE '1950-01-01'",
    "TIMESTAMP": "TIMESTAMP '1950-01-01 00:00:00'",
    "TIMESTAMP WITH TIME ZONE": "TIMESTAMPTZ '1950-01-01 00:00:00+00'",
}


@dataclasses.dataclass(frozen=True)
class GapFill:
    """One GAP_FILL call of a statement, its input and origin translated on their own."""

    key: str
    source: str
    """DuckDB SQL of the input (`SELECT * FROM (input)`, with the WITH queries it reads)."""
    source_fills: tuple[GapFill, ...]
    """GAP_FILL calls inside the input, expanded before it is described."""
    origin: str | None
    """DuckDB SQL of `SELECT origin`, or None for the default origin."""
    origin_fills: tuple[GapFill, ...]
    column: str
    micros: int
    """The bucket width in microseconds (0 for a width in months)."""
    months: int
    """The bucket width in months (MONTH, QUARTER, YEAR), or 0."""
    width: str
    """The bucket width as written, for messages."""
    partitions: tuple[str, ...]
    tables: tuple[tuple[str, str, str], ...]
    """The tables the input and the origin read (the statement's, for not-found errors)."""
    values: tuple[tuple[str, str], ...] | None
    """(column, method) pairs; None: every column but the time and partitioning ones, `null`."""
    ignore_nulls: bool


def _error(message: str) -> Exception:
    from .googlesql import BigQueryError

    return BigQueryError(message, fix=_FIX)


def _unsupported(what: str, fix: str = _FIX) -> Exception:
    from .googlesql import BigQueryError

    return BigQueryError(f"{what} is not supported by the local warehouse", fix=fix)


def rewrite(stmt: exp.Expression, translate: Callable[[exp.Expression], Any]) -> tuple[GapFill, ...]:
    """Replace each GAP_FILL call in FROM by `(SELECT __bq_gap_fill('n'))`, which `expand` writes
    out when the statement runs; `translate` translates a query of its own (a Statement)."""
    calls = [t for t in stmt.find_all(exp.Table) if isinstance(t.this, exp.GapFill)]
    if not calls:
        return ()
    if isinstance(stmt, exp.Create) and str(stmt.kind).upper() == "VIEW":
        raise _unsupported(
            "a view over GAP_FILL", fix="run GAP_FILL in the query itself, or save its rows with CREATE TABLE ... AS"
        )
    fills = []
    for table in calls:
        key = str(_next_key())
        fills.append(_one(table, key, translate))
        marker = exp.select(exp.Anonymous(this=MARKER, expressions=[exp.Literal.string(key)]))
        alias = table.args.get("alias")
        table.replace(exp.Subquery(this=marker, alias=alias.copy() if alias is not None else None))
    return tuple(fills)


_keys = itertools.count(1)


def _next_key() -> int:
    return next(_keys)


def _one(table: exp.Table, key: str, translate: Callable[[exp.Expression], Any]) -> GapFill:
    call = table.this
    args: dict[str, exp.Expression] = {}
    positional = [call.args.get(name) for name in ("ts_column", *_POSITIONS[1:])]
    positional_ok = True
    for i, arg in enumerate(positional):
        if arg is None:
            continue
        if isinstance(arg, exp.Kwarg):
            positional_ok = False
            name = arg.this.name.lower()
            if name not in _POSITIONS:
                raise _error(f"Named argument {arg.this.name} not found in signature for call to function GAP_FILL")
            if name in args:
                raise _error(f"GAP_FILL's argument {name} is given twice")
            args[name] = arg.expression
        elif not positional_ok:
            raise _error("GAP_FILL's positional arguments must come before its named arguments")
        else:
            args[_POSITIONS[i]] = arg
    source = call.this
    if not isinstance(source, exp.Subquery):
        raise _error("GAP_FILL's first argument must be TABLE name or a (subquery)")
    for name in ("ts_column", "bucket_width"):
        if name not in args:
            raise _error(f"GAP_FILL needs the argument {name}")
    if call.find(exp.Placeholder, exp.Parameter):
        raise _unsupported("a query parameter inside GAP_FILL's arguments")
    column = _string(args["ts_column"], "ts_column")
    micros, months, width = _width(args["bucket_width"])
    partitions = _strings(args.get("partitioning_columns"), "partitioning_columns")
    values = _value_columns(args["value_columns"]) if "value_columns" in args else None
    ignore = args.get("ignore_null_values")
    if ignore is not None and not isinstance(ignore, exp.Boolean):
        raise _error("GAP_FILL's ignore_null_values must be TRUE or FALSE")
    probe = exp.select("*").from_(source.copy())
    ctes = _ctes_read(table, source)
    if ctes:
        probe.set("with_", exp.With(expressions=[c.copy() for c in ctes], recursive=_recursive(table)))
    src = translate(probe)
    origin = origin_fills = None
    tables = list(src.tables)
    if "origin" in args:
        o = translate(exp.select(exp.alias_(args["origin"].copy(), "o")))
        origin, origin_fills = o.sql, o.gap_fills
        tables += o.tables
    return GapFill(
        key=key,
        source=src.sql,
        source_fills=src.gap_fills,
        origin=origin,
        origin_fills=origin_fills or (),
        column=column,
        micros=micros,
        months=months,
        width=width,
        partitions=tuple(partitions),
        tables=tuple(tables),
        values=values,
        ignore_nulls=ignore is None or bool(ignore.this),
    )


def _string(node: exp.Expression, what: str) -> str:
    if not (isinstance(node, exp.Literal) and node.is_string):
        raise _error(f"GAP_FILL's {what} must be a STRING literal")
    return str(node.this)


def _strings(node: exp.Expression | None, what: str) -> list[str]:
    if node is None:
        return []
    if not isinstance(node, exp.Array):
        raise _error(f"GAP_FILL's {what} must be an ARRAY<STRING> literal")
    return [_string(n, what) for n in node.expressions]


def _value_columns(node: exp.Expression) -> tuple[tuple[str, str], ...]:
    if not isinstance(node, exp.Array):
        raise _error("GAP_FILL's value_columns must be an ARRAY<STRUCT<STRING, STRING>> literal")
    out: list[tuple[str, str]] = []
    for pair in node.expressions:
        parts = pair.expressions if isinstance(pair, (exp.Tuple, exp.Struct)) else None
        if parts is None or len(parts) != 2:
            raise _error("each of GAP_FILL's value_columns must be a (column_name, gap_filling_method) pair")
        name = _string(parts[0], "value column name")
        method = _string(parts[1], "gap-filling method").lower()
        if method not in _METHODS:
            raise _error(f"GAP_FILL's gap-filling method must be 'null', 'locf' or 'linear', not {parts[1].this!r}")
        if any(name.lower() == n.lower() for n, _ in out):
            raise _error(f"GAP_FILL's value column {name} is given more than once")
        out.append((name, method))
    return tuple(out)


def _width(node: exp.Expression) -> tuple[int, int, str]:
    if not isinstance(node, exp.Interval) or node.args.get("unit") is None:
        raise _unsupported(
            "a GAP_FILL bucket width other than an INTERVAL literal of one part",
            fix="write the bucket width as INTERVAL n MINUTE (or SECOND, HOUR, DAY, ...)",
        )
    unit = node.unit.upper() if isinstance(node.unit, str) else node.args["unit"].name.upper()
    text = node.this.this if isinstance(node.this, exp.Literal) else None
    if isinstance(node.this, exp.Neg) and isinstance(node.this.this, exp.Literal):
        text = "-" + str(node.this.this.this)
    try:
        count = int(str(text).strip())
    except ValueError:
        count = None
    written = f"INTERVAL {text} {unit}"
    if count is None or unit not in (*_MICROS, *_MONTHS):
        raise _unsupported(
            f"the GAP_FILL bucket width {written}",
            fix="write the bucket width as INTERVAL n MINUTE (or SECOND, HOUR, DAY, ...)",
        )
    if count <= 0:
        raise _error(f"GAP_FILL's bucket_width must be positive, not {written}")
    if unit in _MONTHS:
        return 0, count * _MONTHS[unit], written
    return count * _MICROS[unit], 0, written


def _ctes_read(table: exp.Table, source: exp.Expression) -> list[exp.CTE]:
    """The WITH queries around the call that its input reads (and those they read), in order;
    not the WITH query the call is in, nor those after it."""
    visible: list[exp.CTE] = []
    node: Any = table
    while node is not None:
        parent = node.parent
        if isinstance(node, exp.CTE) and isinstance(parent, exp.With):
            visible = [*parent.expressions[: parent.expressions.index(node)], *visible]
        elif isinstance(node, exp.Query) and isinstance(node.args.get("with_"), exp.With) and node is not table:
            with_ = node.args["with_"]
            if not any(node_ is with_ for node_ in _ancestors(table)):
                visible = [*with_.expressions, *visible]
        node = parent
    by_name: dict[str, exp.CTE] = {}
    for cte in visible:
        by_name[cte.alias_or_name.lower()] = cte  # an inner WITH's name hides an outer one
    wanted: list[str] = []
    todo = [source]
    while todo:
        for t in todo.pop().find_all(exp.Table):
            name = t.name.lower()
            if not t.args.get("db") and name in by_name and name not in wanted:
                wanted.append(name)
                todo.append(by_name[name])
    return [c for c in visible if c.alias_or_name.lower() in wanted and by_name[c.alias_or_name.lower()] is c]


def _ancestors(node: Any) -> list[Any]:
    out = []
    while node.parent is not None:
        node = node.parent
        out.append(node)
    return out


def _recursive(table: exp.Table) -> bool:
    return any(isinstance(a, exp.With) and a.args.get("recursive") for a in _ancestors(table)) or any(
        isinstance(a, exp.Query)
        and isinstance(a.args.get("with_"), exp.With)
        and bool(a.args["with_"].args.get("recursive"))
        for a in _ancestors(table)
    )


# ---------------------------------------------------------------------- run time


def expand(con: Any, sql: str, fills: tuple[GapFill, ...]) -> str:
    """`sql` with each GAP_FILL marker call written out for the types of its input's columns,
    which DuckDB describes on `con`."""
    by_key = {f.key: f for f in fills}
    written = {f.key: _fill_sql(con, f) for f in fills}

    def one(m: re.Match[str]) -> str:
        if m.group(1) not in by_key:
            return m.group(0)
        return f"* FROM ({written[m.group(1)]})"

    return _MARKER_CALL.sub(one, sql)


def expanded(con: Any, stmt: Any) -> Any:
    """The translated statement `stmt` with its GAP_FILL markers written out (`expand`); `stmt`
    itself when it has none. Every path that runs or shows a statement's SQL goes through this."""
    if not stmt.gap_fills:
        return stmt
    return dataclasses.replace(stmt, sql=expand(con, stmt.sql, stmt.gap_fills))


def _describe(con: Any, sql: str) -> list[tuple[str, str]]:
    return [(str(r[0]), str(r[1])) for r in con.execute(f"DESCRIBE {sql}").fetchall()]


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _bq_type(duck: str) -> str:
    from .googlesql import duckdb_type_to_field

    return str(duckdb_type_to_field("x", duck).get("type", duck))


def _fill_sql(con: Any, f: GapFill) -> str:
    source = expand(con, f.source, f.source_fills) if f.source_fills else f.source
    columns = _describe(con, source)
    types = {n.lower(): (n, t) for n, t in columns}

    def column(name: str, what: str) -> tuple[str, str]:
        found = types.get(name.lower())
        if found is None:
            raise _error(f"GAP_FILL's {what} {name} is not a column of its input")
        return found

    ts, ts_type = column(f.column, "ts_column")
    if ts_type not in _TIME_TYPES:
        raise _error(
            f"GAP_FILL's time series column {ts} must be of type DATE, DATETIME or TIMESTAMP, not {_bq_type(ts_type)}"
        )
    if ts_type == "DATE" and f.micros % _DAY_MICROS:
        raise _error(f"GAP_FILL's bucket width {f.width} is not a whole number of days, which a DATE column needs")
    if f.months and ts_type == "TIMESTAMP WITH TIME ZONE":
        raise _unsupported(
            f"a GAP_FILL bucket width in months, quarters or years ({f.width}) of a TIMESTAMP column",
            fix="GAP_FILL the column as a DATETIME (DATETIME(t)), or use a width of DAY or a shorter part",
        )
    unit = _DAY_MICROS if ts_type == "DATE" else 1
    width = f.micros // unit
    if f.origin is not None:
        origin_sql = expand(con, f.origin, f.origin_fills) if f.origin_fills else f.origin
        (_, origin_type), *_ = _describe(con, origin_sql)
        if origin_type != ts_type:
            raise _error(
                f"GAP_FILL's origin must have the type of the time series column {ts} ({_TIME_TYPES[ts_type]}), "
                f"not {_bq_type(origin_type)}"
            )
        origin = f"(SELECT o FROM ({origin_sql}))"
        if f.months:
            start = con.execute(origin_sql).fetchall()[0][0]
            if start is not None and (start.day != 1 or (isinstance(start, dt.datetime) and start.time() != dt.time())):
                raise _unsupported(
                    f"a GAP_FILL bucket width in months, quarters or years ({f.width}) with an origin other than "
                    "the first of a month at midnight",
                    fix="give an origin on the first of a month at midnight, or leave the default 1950-01-01",
                )
    else:
        origin = _DEFAULT_ORIGIN[ts_type]
    parts = []
    for p in f.partitions:
        name, _ = column(p, "partitioning column")
        if name.lower() == ts.lower():
            raise _error(f"GAP_FILL's partitioning column {name} is its time series column")
        parts.append(name)
    taken = {ts.lower(), *(p.lower() for p in parts)}
    if f.values is None:
        values = [(n, "null") for n, _ in columns if n.lower() not in taken]
    else:
        values = []
        for v, method in f.values:
            name, _ = column(v, "value column")
            if name.lower() in taken:
                raise _error(f"GAP_FILL's value column {name} is its time series column or a partitioning column")
            values.append((name, method))
    kinds = {}
    for name, method in values:
        duck = types[name.lower()][1]
        if method == "linear":
            if duck.startswith("DECIMAL"):
                raise _unsupported(
                    f"linear gap filling of the {_bq_type(duck)} column {name}",
                    fix="cast the column to FLOAT64 in a subquery, or use 'locf'",
                )
            if duck not in ("BIGINT", "DOUBLE"):
                raise _error(f"GAP_FILL's linear gap-filling method needs a numeric column; {name} is {_bq_type(duck)}")
        kinds[name] = duck
    return _sql(source, ts, ts_type, origin, width, f.months, parts, values, kinds, f.ignore_nulls)


def _sql(
    source: str,
    ts: str,
    ts_type: str,
    origin: str,
    width: int,
    months: int,
    parts: list[str],
    values: list[tuple[str, str]],
    kinds: dict[str, str],
    ignore_nulls: bool,
) -> str:
    t, x, k, o = "__bq_gf_t", "__bq_gf_x", "__bq_gf_k", "__bq_gf_o"
    n, lo, hi = "__bq_gf_n", "__bq_gf_lo", "__bq_gf_hi"
    part_cols = [_q(p) for p in parts]
    vals = [_q(v) for v, _ in values]
    over = f"PARTITION BY {', '.join(part_cols)} " if parts else ""
    offset = f"{t} - {o}" if ts_type == "DATE" else f"epoch_us({t}) - epoch_us({o})"
    bucket = f"{o} + {_bucket_offset(ts_type, x)}"
    keys = ", ".join([*part_cols, t])
    data = f"SELECT DISTINCT {', '.join([*part_cols, f'{_q(ts)} AS {t}', *vals])} FROM ({source}) AS __bq_gf_src"
    counted = f"SELECT *, count(*) OVER (PARTITION BY {keys}) AS {n} FROM __bq_gf_data"
    null_time = _raise(f"GAP_FILL of an input row whose time series column {ts} is NULL")
    duplicate = _raise("GAP_FILL of two input rows of one time series at one time point with different values")
    checked = (
        f"SELECT * EXCLUDE ({n}, {o}), {offset} AS {x} FROM ({counted}), (SELECT {origin} AS {o}) AS __bq_gf_origin "
        f"WHERE CASE WHEN {t} IS NULL THEN {null_time} WHEN {n} > 1 THEN {duplicate} ELSE TRUE END"
    )
    if months:
        # buckets start on the first of a month (the origin's day): the span's month numbers
        # counted from the origin's month, rounded to whole buckets
        span = f"SELECT {', '.join([*part_cols, f'min({t}) AS {lo}', f'max({t}) AS {hi}'])} FROM __bq_gf_rows"
        month_lo = f"((year({lo}) - year({o})) * 12 + month({lo}) - month({o}))"
        month_hi = f"((year({hi}) - year({o})) * 12 + month({hi}) - month({o}))"
        first = (
            f"CASE WHEN {lo} = date_trunc('month', {lo}) THEN {_ceil_div(month_lo, months)} "
            f"ELSE {_ceil_div(f'{month_lo} + 1', months)} END"
        )
        last = _floor_div(month_hi, months)
        at = f"{o} + to_months({k} * {months})"
        start = f"CAST({at} AS DATE) - {o}" if ts_type == "DATE" else f"epoch_us({at}) - epoch_us({o})"
        step = f"{start} AS {x}"
    else:
        span = f"SELECT {', '.join([*part_cols, f'min({x}) AS {lo}', f'max({x}) AS {hi}'])} FROM __bq_gf_rows"
        first, last = _ceil_div(lo, width), _floor_div(hi, width)
        step = f"{k} * {width} AS {x}"
    if parts:
        span += f" GROUP BY {', '.join(part_cols)}"
    grid = (
        f"SELECT {', '.join([*part_cols, step])} FROM ({span}) AS __bq_gf_span, "
        f"(SELECT {origin} AS {o}) AS __bq_gf_origin, range({first}, {last} + 1) AS __bq_gf_range({k})"
    )
    union = (
        f"SELECT {', '.join([*part_cols, x, f'0 AS {k}', *vals])} FROM __bq_gf_rows UNION ALL "
        f"SELECT {', '.join([*part_cols, x, f'1 AS {k}', *(f'NULL AS {v}' for v in vals)])} FROM __bq_gf_grid"
    )
    order = f"ORDER BY {x}, {k}"
    before = f"OVER ({over}{order} ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)"
    after = f"OVER ({over}{order} ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING)"
    row = "{" + ", ".join([f"'x': {x}", *(f"'v{i}': {v}" for i, v in enumerate(vals))]) + "}"
    if ignore_nulls or all(m == "null" for _, m in values):
        # only a bucket's own row is wanted, which sorts just before it: the row before
        windows = [f"lag(CASE WHEN {k} = 0 THEN {row} END) OVER ({over}{order}) AS __bq_gf_prev"]
    else:  # the last row at or before the bucket, however far back
        windows = [f"last_value(CASE WHEN {k} = 0 THEN {row} END IGNORE NULLS) {before} AS __bq_gf_prev"]
    if not ignore_nulls and any(m == "linear" for _, m in values):
        windows.append(f"first_value(CASE WHEN {k} = 0 THEN {row} END IGNORE NULLS) {after} AS __bq_gf_next")
    out = []
    for i, ((name, method), v) in enumerate(zip(values, vals)):
        if method == "null":
            out.append(f"CASE WHEN __bq_gf_prev.x = {x} THEN __bq_gf_prev.v{i} END AS {v}")
            continue
        if ignore_nulls:
            one = "{" + f"'x': {x}, 'v': {v}" + "}"
            windows.append(
                f"last_value(CASE WHEN {k} = 0 AND {v} IS NOT NULL THEN {one} END IGNORE NULLS) {before} AS __bq_gf_p{i}"
            )
            prev_x, prev_v = f"__bq_gf_p{i}.x", f"__bq_gf_p{i}.v"
            if method == "linear":
                windows.append(
                    f"first_value(CASE WHEN {k} = 0 AND {v} IS NOT NULL THEN {one} END IGNORE NULLS) {after} AS __bq_gf_n{i}"
                )
            next_x, next_v = f"__bq_gf_n{i}.x", f"__bq_gf_n{i}.v"
        else:
            prev_x, prev_v = "__bq_gf_prev.x", f"__bq_gf_prev.v{i}"
            next_x, next_v = "__bq_gf_next.x", f"__bq_gf_next.v{i}"
        if method == "locf":
            out.append(f"{prev_v} AS {v}")
            continue
        line = (
            f"{prev_v} + ({next_v} - {prev_v}) * CAST({x} - {prev_x} AS DOUBLE) / CAST({next_x} - {prev_x} AS DOUBLE)"
        )
        if kinds[name] == "BIGINT":
            line = f"CAST(round({line}) AS BIGINT)"
        out.append(f"CASE WHEN {prev_x} = {x} THEN {prev_v} ELSE {line} END AS {v}")
    head = f"WITH __bq_gf_data AS ({data}), __bq_gf_rows AS ({checked}), __bq_gf_grid AS ({grid}) "
    if all(m == "null" for _, m in values):
        # only each bucket's own row (at most one, checked above): a hash join, not a sort
        on = " AND ".join(
            [
                *(f"__bq_gf_r.{p} IS NOT DISTINCT FROM __bq_gf_g.{p}" for p in part_cols),
                f"__bq_gf_r.{x} = __bq_gf_g.{x}",
            ]
        )
        picked = [*(f"__bq_gf_g.{p}" for p in part_cols), *(f"__bq_gf_r.{v}" for v in vals)]
        grid_bucket = _bucket_offset(ts_type, f"__bq_gf_g.{x}")
        return (
            f"{head}SELECT {', '.join([f'CAST({o} + {grid_bucket} AS {ts_type}) AS {_q(ts)}', *picked])} "
            f"FROM __bq_gf_grid AS __bq_gf_g LEFT JOIN __bq_gf_rows AS __bq_gf_r ON {on}, "
            f"(SELECT {origin} AS {o}) AS __bq_gf_origin"
        )
    filled = f"SELECT *, {', '.join(windows)} FROM ({union}) AS __bq_gf_union"
    return (
        f"WITH __bq_gf_data AS ({data}), __bq_gf_rows AS ({checked}), __bq_gf_grid AS ({grid}) "
        f"SELECT {', '.join([f'CAST({bucket} AS {ts_type}) AS {_q(ts)}', *part_cols, *out])} "
        f"FROM ({filled}) AS __bq_gf_filled, (SELECT {origin} AS {o}) AS __bq_gf_origin WHERE {k} = 1"
    )


def _floor_div(a: str, b: int) -> str:
    """SQL for a // b rounded down (DuckDB's // rounds toward zero)."""
    return f"((({a}) - ((({a}) % {b}) + {b}) % {b}) // {b})"


def _ceil_div(a: str, b: int) -> str:
    return f"(-{_floor_div(f'-({a})', b)})"


def _bucket_offset(ts_type: str, x: str) -> str:
    """`x` (days of a DATE, microseconds otherwise) as what an origin of the type adds."""
    return f"CAST({x} AS INTEGER)" if ts_type == "DATE" else f"to_microseconds({x})"


def _raise(message: str) -> str:
    text = f"{message} is not supported by the local warehouse".replace("'", "''")
    return f"error('{text}')::BOOLEAN"
