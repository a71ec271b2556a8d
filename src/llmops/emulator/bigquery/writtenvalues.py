"""The values an INSERT, UPDATE or MERGE writes into a table, as BigQuery stores them.

- A NULL ARRAY is stored as `[]` (the data types page: "When you write a NULL array to a table,
  it's converted to an empty array"), at the top level and inside a STRUCT (or an ARRAY of
  STRUCTs); an INSERT that omits an ARRAY column writes `[]` too.
- A value written to a `NUMERIC(P, S)` / `BIGNUMERIC(P, S)` column is rounded to S decimal
  digits (the column's `roundingMode`, else the table's `defaultRoundingMode`, else half away
  from zero; `ROUND_HALF_EVEN` rounds ties to even), then refused when it is out of range
  (ZetaSQL's `NUMERIC has precision 5 and scale 2 but got a value that is not in range of
  [-999.99, 999.99]`); a `STRING(L)` / `BYTES(L)` value longer than L is refused.

The engine's DuckDB statement is rewritten before it runs: each written value `v` becomes `f(v)`
(`COALESCE(v, [])`, `ROUND(CAST(v AS DECIMAL(38, 9)), 2)` with the range check, ...), in an
INSERT's VALUES rows or around its query, in UPDATE's SET and in MERGE's UPDATE and INSERT
clauses. The rewrite reads the target's column types and field options (~0.3 ms) and, only for a
table that has an ARRAY or a parameterized column, parses the statement (kept per statement text
and table). A statement over 20,000 characters of the form `INSERT INTO t (cols) VALUES ...` is
not read back (5,000 rows took 18 s more to parse than to write): its VALUES become a subquery
whose columns the same expressions take. A statement this cannot rewrite (MERGE's `INSERT ROW`, a VALUES row with DEFAULT, text
sqlglot cannot read back) keeps the older way for arrays: one UPDATE of the table's NULL top-level
ARRAYs after the write (`storedarrays.py`); its parameterized columns keep their CHECKs.
"""

from __future__ import annotations

import functools
import re
from dataclasses import replace
from typing import Any

import duckdb
import sqlglot
from sqlglot import exp

from . import fieldopts
from .googlesql import BigQueryError, Statement, duckdb_table, quote_ident
from .typeparams import upper_bound

WRITES = ("INSERT", "UPDATE", "MERGE")
_V = "__llmops_v"
"""The placeholder column a template stands for the written value by."""
_CACHE_MAX_CHARS = 20_000
"""Longer statements (an INSERT of many VALUES rows) are rewritten each time, not kept."""
_ROUNDING = {"ROUND_HALF_AWAY_FROM_ZERO": "ROUND", "ROUND_HALF_EVEN": "ROUND_EVEN"}


def beyond_parameters(message: str) -> bool:
    """Whether an engine error is a written value's refusal by its column's type parameters."""
    return message.startswith("Field ") and " but got a value " in message


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _has_list(t: Any) -> bool:
    if t.id == "list":
        return True
    if t.id == "struct":
        return any(_has_list(child) for _, child in t.children)
    return False


def _arrays(value: str, t: Any, depth: int = 0) -> str:
    """DuckDB SQL of `value` (of DuckDB type `t`) with each NULL ARRAY in it, at any depth, `[]`."""
    if t.id == "list":
        child = t.child
        inner = value
        if child.id == "struct" and _has_list(child):
            x = f"__llmops_x{depth}"
            inner = f"list_transform({value}, lambda {x}: {_arrays(x, child, depth + 1)})"
        return f"COALESCE({inner}, [])"
    if t.id == "struct" and _has_list(t):
        fields = ", ".join(
            f'"{name.replace(chr(34), chr(34) * 2)}" := '
            + (
                _arrays(f"struct_extract({value}, {_sql_string(name)})", child, depth)
                if _has_list(child)
                else f"struct_extract({value}, {_sql_string(name)})"
            )
            for name, child in t.children
        )
        return f"CASE WHEN {value} IS NULL THEN NULL ELSE struct_pack({fields}) END"
    return value


def _numeric(value: str, t: Any, name: str, opts: dict[str, Any], default_mode: str | None) -> str:
    """Round `value` to the column's scale by its rounding mode, then refuse it out of range."""
    precision, scale = int(opts["precision"]), int(opts.get("scale") or 0)
    width, type_scale = t.children[0][1], t.children[1][1]
    base = "BIGNUMERIC" if type_scale > 9 else "NUMERIC"
    mode = str(opts.get("roundingMode") or default_mode or "ROUND_HALF_AWAY_FROM_ZERO").upper()
    rounded = (
        f"{_ROUNDING.get(mode, 'ROUND')}(CAST({value} AS DECIMAL({width}, {type_scale})), {min(scale, type_scale)})"
    )
    digits = precision - scale
    if digits > width - type_scale:  # the column's own type bounds it
        return rounded
    shown = upper_bound(precision, scale)
    message = (
        f"Field {name}: the value is out of range for {base}({precision}, {scale}): {base} has precision"
        f" {precision} and scale {scale} but got a value that is not in range of [-{shown}, {shown}]"
    )
    return (
        f"CASE WHEN ABS({rounded}) > CAST('{shown}' AS DECIMAL({width}, {type_scale})) "
        f"THEN ERROR({_sql_string(message)}) ELSE {rounded} END"
    )


def _length(value: str, t: Any, name: str, limit: int) -> str:
    base, fn = ("BYTES", "OCTET_LENGTH") if t.id == "blob" else ("STRING", "LENGTH")
    message = (
        f"Field {name}: the value is longer than the maximum length {limit} of {base}({limit}): "
        f"{base} has maximum length {limit} but got a value with length "
    )
    return (
        f"CASE WHEN {fn}({value}) > {limit} THEN ERROR({_sql_string(message)} || CAST({fn}({value}) AS VARCHAR)) "
        f"ELSE {value} END"
    )


def plan(con: duckdb.DuckDBPyConnection, project: str, dataset: str, table: str) -> tuple[tuple[str, str, str], ...]:
    """Per column of the table, in order: (name, DuckDB type text, the template of its written
    value in `__llmops_v`, or "" when stored as written). () when every value is stored as written."""
    try:
        rel = con.table(duckdb_table(project, dataset, table))
    except duckdb.Error:
        return ()
    columns = list(zip(rel.columns, rel.types, strict=True))
    if not any(_has_list(t) for _, t in columns):
        options = fieldopts.stored(con, project, dataset, table)
        if not any("maxLength" in o or "precision" in o for p, o in options.items() if "." not in p):
            return ()
    else:
        options = fieldopts.stored(con, project, dataset, table)
    default_mode = None
    if any("precision" in o for o in options.values()):
        from .ddlopts import stored

        default_mode = stored(con, project, dataset, table).get("defaultRoundingMode")
    out: list[tuple[str, str, str]] = []
    changed = False
    for name, t in columns:
        opts = options.get(name.lower(), {})
        template = ""
        if _has_list(t):
            # a STRUCT value takes the column's field names first (STRUCT(NULL, 2) has none)
            template = _arrays(_V if t.id == "list" and t.child.id != "struct" else f"CAST({_V} AS {t})", t)
        elif "precision" in opts and t.id == "decimal":
            template = _numeric(_V, t, name, opts, default_mode)
        elif "maxLength" in opts and t.id in ("varchar", "blob"):
            template = _length(_V, t, name, int(opts["maxLength"]))
        changed = changed or bool(template)
        out.append((name, str(t), template))
    return tuple(out) if changed else ()


def _apply(template: exp.Expression, value: exp.Expression) -> exp.Expression:
    out = template.copy()
    for col in list(out.find_all(exp.Column)):
        if col.name == _V and not col.table:
            col.replace(value.copy())
    return out


def prepare(con: duckdb.DuckDBPyConnection, stmt: Statement) -> tuple[Statement, bool]:
    """The statement to run for a write (INSERT, UPDATE, MERGE) into `stmt.target`, and whether
    its NULL top-level ARRAYs are to be made `[]` after it (a statement this cannot rewrite)."""
    if stmt.statement_type not in WRITES or stmt.target is None or not stmt.target[2]:
        return stmt, False
    columns = plan(con, *stmt.target)
    if not columns:
        return stmt, False
    done = rewrite(stmt, columns)
    if done is not None:
        return done, False
    limited = [name for name, kind, template in columns if template and not kind.endswith("]") and "STRUCT" not in kind]
    if limited:
        raise BigQueryError(
            f"this {stmt.statement_type} into a table with type parameters (column {limited[0]}) is not supported by the "
            "local warehouse: it cannot round or check the values it writes",
            fix="name the columns and their values (INSERT (a, b) VALUES ..., MERGE ... INSERT (a, b) VALUES ...)",
        )
    return stmt, any(kind.endswith("]") for _, kind, _ in columns)


def store_rows(con: duckdb.DuckDBPyConnection, project: str, dataset: str, table: str) -> None:
    """Make a table's present rows what BigQuery stores of them (after CREATE TABLE (cols) AS
    SELECT, whose rows the query wrote): one UPDATE of its parameterized columns."""
    sets = [
        f"{quote_ident(name)} = {template.replace(_V, quote_ident(name))}"
        for name, kind, template in plan(con, project, dataset, table)
        if template and not kind.endswith("]") and not kind.startswith("STRUCT")
    ]
    if sets:
        con.execute(f"UPDATE {duckdb_table(project, dataset, table)} SET {', '.join(sets)}")


def loaded(con: duckdb.DuckDBPyConnection, project: str, dataset: str, table: str, names: list[str], query: str) -> str:
    """`query` (whose columns are `names`, of the table) with its values as the table stores them."""
    templates = {name.lower(): template for name, _, template in plan(con, project, dataset, table) if template}
    if not any(n.lower() in templates for n in names):
        return query
    inner = [f"__llmops_c{i}" for i in range(len(names))]
    select = ", ".join(
        templates[n.lower()].replace(_V, c) if n.lower() in templates else c for n, c in zip(names, inner, strict=True)
    )
    return f"SELECT {select} FROM ({query}) AS __llmops_q({', '.join(inner)})"


def rewrite(stmt: Statement, columns: tuple[tuple[str, str, str], ...]) -> Statement | None:
    """`stmt` writing each value as `columns` (a `plan`) says; None when it cannot be rewritten."""
    if len(stmt.sql) <= _CACHE_MAX_CHARS:
        text = _rewritten(stmt.sql, columns)
    else:  # reading many VALUES rows back costs more than the write: they are wrapped, not read
        text = _wrapped_values(stmt.sql, columns) or _rewritten.__wrapped__(stmt.sql, columns)
    return replace(stmt, sql=text) if text else None


_INSERT_VALUES = re.compile(
    r'^(INSERT INTO (?:"(?:[^"]|"")*"|\w+)(?:\.(?:"(?:[^"]|"")*"|\w+))*)\s*(?:\(([^()]*)\))?\s*(VALUES\s.*)$', re.S
)


def _wrapped_values(sql: str, columns: tuple[tuple[str, str, str], ...]) -> str:
    """`INSERT INTO t (a, b) VALUES ...` as `INSERT INTO t (a, b) SELECT f(c0), g(c1) FROM (VALUES
    ...) AS q(c0, c1)`, found in the text without reading the rows; "" for any other text."""
    m = _INSERT_VALUES.match(sql)
    if m is None or re.search(r"\bDEFAULT\b", m.group(3), re.I):
        return ""
    listed = (
        [c.strip().strip('"').replace('""', '"') for c in m.group(2).split(",")]
        if m.group(2) is not None
        else [name for name, _, _ in columns]
    )
    templates = {name.lower(): template for name, _, template in columns if template}
    arrays = [(name, kind) for name, kind, _ in columns if kind.endswith("]")]
    missing = [(n, k) for n, k in arrays if n.lower() not in {x.lower() for x in listed}]
    inner = [f"__llmops_c{i}" for i in range(len(listed))]
    values = [
        templates[n.lower()].replace(_V, c) if n.lower() in templates else c for n, c in zip(listed, inner, strict=True)
    ] + [f"CAST([] AS {k})" for _, k in missing]
    names = ", ".join(quote_ident(n) for n in [*listed, *(n for n, _ in missing)])
    return f"{m.group(1)} ({names}) SELECT {', '.join(values)} FROM ({m.group(3)}) AS __llmops_q({', '.join(inner)})"


@functools.lru_cache(maxsize=256)
def _rewritten(sql: str, columns: tuple[tuple[str, str, str], ...]) -> str:
    """The rewritten text of a statement for a table's plan ("" when it cannot be), kept per both."""
    try:
        return _rewrite_sql(sql, columns) or ""
    except (sqlglot.errors.SqlglotError, ValueError):
        return ""


def _rewrite_sql(sql: str, columns: tuple[tuple[str, str, str], ...]) -> str | None:
    tree = sqlglot.parse_one(sql, read="duckdb")
    templates: dict[str, Any] = {
        name.lower(): sqlglot.parse_one(template, read="duckdb") for name, _, template in columns if template
    }
    arrays = {name.lower(): (name, kind) for name, kind, _ in columns if kind.endswith("]")}

    def written(name: str, value: exp.Expression) -> exp.Expression:
        template = templates.get(name.lower())
        return _apply(template, value) if template is not None else value

    def empty(name: str) -> exp.Expression:
        empty_array: Any = sqlglot.parse_one(f"CAST([] AS {arrays[name][1]})", read="duckdb")
        return empty_array

    if isinstance(tree, exp.Insert):
        return _insert(tree, columns, written, arrays, empty)
    if isinstance(tree, exp.Update):
        for eq in tree.expressions:
            if not isinstance(eq, exp.EQ) or not isinstance(eq.this, exp.Column):
                return None
            eq.set("expression", written(eq.this.name, eq.expression))
        return tree.sql("duckdb")
    if isinstance(tree, exp.Merge):
        whens = tree.args.get("whens")
        for when in whens.expressions if whens is not None else []:
            then = when.args.get("then")
            if isinstance(then, exp.Update):
                for eq in then.expressions:
                    if not isinstance(eq, exp.EQ) or not isinstance(eq.this, exp.Column):
                        return None
                    eq.set("expression", written(eq.this.name, eq.expression))
            elif isinstance(then, exp.Insert):
                names, values = then.this, then.expression
                if not isinstance(names, exp.Tuple) or not isinstance(values, exp.Tuple):
                    return None
                listed = [c.name for c in names.expressions]
                if len(listed) != len(values.expressions):
                    return None
                values.set("expressions", [written(n, v) for n, v in zip(listed, values.expressions, strict=True)])
                for name in [k for k in arrays if k not in {n.lower() for n in listed}]:
                    names.append("expressions", exp.column(arrays[name][0], quoted=True))
                    values.append("expressions", empty(name))
            elif then is not None and not isinstance(then, exp.Var):  # DELETE
                return None
        return tree.sql("duckdb")
    return None


def _insert(tree: exp.Insert, columns: Any, written: Any, arrays: dict[str, Any], empty: Any) -> str | None:
    target, source = tree.this, tree.expression
    if isinstance(target, exp.Schema):
        listed = [c.name for c in target.expressions]
    elif isinstance(target, exp.Table):
        listed = [name for name, _, _ in columns]
    else:
        return None
    missing = [k for k in arrays if k not in {n.lower() for n in listed}]
    if isinstance(source, exp.Values):
        for row in source.expressions:
            if not isinstance(row, exp.Tuple) or len(row.expressions) != len(listed):
                return None
            if any(isinstance(v, (exp.Var, exp.Column)) and v.name.upper() == "DEFAULT" for v in row.expressions):
                return None
            row.set(
                "expressions",
                [written(n, v) for n, v in zip(listed, row.expressions, strict=True)] + [empty(k) for k in missing],
            )
    elif isinstance(source, exp.Query):
        inner = [f"__llmops_c{i}" for i in range(len(listed))]
        select = exp.select(
            *[written(n, exp.column(c)) for n, c in zip(listed, inner, strict=True)], *[empty(k) for k in missing]
        ).from_(
            exp.Subquery(
                this=source.copy(),
                alias=exp.TableAlias(
                    this=exp.to_identifier("__llmops_q"), columns=[exp.to_identifier(c) for c in inner]
                ),
            )
        )
        tree.set("expression", select)
    else:
        return None
    if missing:
        names = [exp.to_identifier(n, quoted=True) for n in listed] + [
            exp.to_identifier(arrays[k][0], quoted=True) for k in missing
        ]
        table = target.this if isinstance(target, exp.Schema) else target
        tree.set("this", exp.Schema(this=table.copy(), expressions=names))
    return tree.sql("duckdb")
