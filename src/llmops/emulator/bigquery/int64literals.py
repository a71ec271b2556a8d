"""GoogleSQL's integer literals are INT64; DuckDB types one that fits 32 bits as its INTEGER.

A literal the query selects as a column (of a subquery, a CTE, a UNION branch, a STRUCT field, a
CASE or IF branch) kept DuckDB's 32-bit type, so arithmetic on that column in an outer query
overflowed at 2^31 where BigQuery answers. The query's own integer literals are tagged before the
rewrites (`tag_literals`, so the SQL the rewrites write keeps its numbers) and cast to BIGINT
after them (`widen_literals`).

DuckDB has a few 32-bit parameters with no BIGINT overload (`DATE + INTEGER`, ROUND's digits,
LPAD's length, ...): an INT64 value passed there is cast to INTEGER (BigQuery rejects a value
beyond 32 bits there too), and a literal there stays DuckDB's INTEGER.
"""

from __future__ import annotations

from sqlglot import exp

from .census import find_all

_TAG = "int64_literal"
DUCKDB_INT32 = "duckdb_int32"
"""Meta key of a CAST to DuckDB's 32-bit INTEGER that a rewrite wrote (not a GoogleSQL INTEGER)."""
_INT32_MAX = 2**31 - 1

# the arguments (by key; None: all) by which nodes pass a value on to a column, a field or an
# outer query: a literal there is a value whose type the result keeps; elsewhere it is compared
# (`CASE x WHEN 1`), a clause's number (ORDER BY 1, LIMIT 10), or an argument that DuckDB or
# sqlglot's SQL for it may want as a plain literal
_VALUE_ARGUMENTS: dict[type[exp.Expr], tuple[str, ...] | None] = {
    exp.Select: ("expressions",),
    exp.Alias: ("this",),
    exp.PropertyEQ: ("expression",),
    exp.Struct: None,
    exp.Tuple: None,
    exp.Paren: None,
    exp.Neg: None,
    exp.Add: None,
    exp.Sub: None,
    exp.Mul: None,
    exp.Mod: None,
    exp.IntDiv: None,
    exp.BitwiseAnd: None,
    exp.BitwiseOr: None,
    exp.BitwiseXor: None,
    exp.BitwiseNot: None,
    exp.If: ("true", "false"),
    exp.Case: ("default",),
    exp.Coalesce: None,
    exp.Nullif: ("this",),
    exp.Greatest: None,
    exp.Least: None,
    exp.Abs: None,
    exp.Max: None,
    exp.Min: None,
    exp.AnyValue: None,
    exp.ArrayAgg: None,
}

# DuckDB calls whose argument (by its key on the sqlglot node) is a 32-bit INTEGER
_INT32_ARGUMENTS: dict[type[exp.Expression], str] = {
    exp.Round: "decimals",
    exp.Trunc: "decimals",
    exp.Pad: "expression",
    exp.Chr: "expressions",
}


def tag_literals(stmt: exp.Expression) -> None:
    """Mark the integer literals the query itself writes as values (those `widen_literals` may
    type INT64; the mark is copied with every copy of the literal, so only those are marked)."""
    for node in stmt.find_all(exp.Literal):
        if not node.is_string and node.this.isdigit() and int(node.this) <= _INT32_MAX and _is_value(node):
            node.meta[_TAG] = True


def widen_literals(stmt: exp.Expression) -> None:
    """Type the query's integer literals BIGINT, and pass INT64 values to DuckDB's 32-bit
    parameters as INTEGER."""
    for literal in find_all(stmt, exp.Literal):
        if literal._meta and literal.meta.get(_TAG) and _is_value(literal):
            cast = exp.Cast(to=exp.DataType(this=exp.DataType.Type.BIGINT))  # not exp.cast: no parsing
            literal.replace(cast)
            cast.set("this", literal)
    for call in find_all(stmt, *_INT32_ARGUMENTS):
        _int32_arguments(call)


def literal_column_names(stmt: exp.Expression) -> set[str]:
    """The names (lower case) of the columns and fields `stmt` computes from its integer
    literals (`3 AS n`, `IF(c, 1, 2) AS n`, `STRUCT(3 AS n)`): DuckDB's BIGINT once widened."""
    return {
        node.alias_or_name.lower() if isinstance(node, exp.Alias) else node.name.lower()
        for node in stmt.find_all(exp.Alias, exp.PropertyEQ)
        if any(lit._meta and lit.meta.get(_TAG) for lit in node.find_all(exp.Literal))
    }


def _literal_value(node: exp.Expression | None) -> int | None:
    """The value of integer-literal arithmetic (`2147483647 + 1`), or None."""
    if isinstance(node, exp.Paren):
        return _literal_value(node.this)
    if isinstance(node, exp.Neg):
        inner = _literal_value(node.this)
        return None if inner is None else -inner
    if isinstance(node, exp.Literal):
        return int(node.this) if not node.is_string and node.this.isdigit() else None
    if isinstance(node, exp.Add | exp.Sub | exp.Mul):
        a, b = _literal_value(node.this), _literal_value(node.expression)
        if a is None or b is None:
            return None
        return a + b if isinstance(node, exp.Add) else a - b if isinstance(node, exp.Sub) else a * b
    return None


def _is_value(node: exp.Literal) -> bool:
    """Whether the literal is a value that its expression passes on (and not a day count)."""
    parent = node.parent
    if parent is None or type(parent) not in _VALUE_ARGUMENTS:
        return False
    keys = _VALUE_ARGUMENTS[type(parent)]
    return (keys is None or node.arg_key in keys) and not _day_count(node)


def _day_count(node: exp.Literal) -> bool:
    """Whether the literal (or the literal arithmetic around it) is added to or subtracted from
    a value that may be a DATE: DuckDB adds only an INTEGER to a DATE, and its sum with an
    INT64 value is INT64 anyway."""
    top: exp.Expression = node
    while isinstance(top.parent, exp.Paren | exp.Neg | exp.Add | exp.Sub | exp.Mul):
        if _literal_value(top.parent) is None:
            break
        top = top.parent
    value = _literal_value(top)
    return isinstance(top.parent, exp.Add | exp.Sub) and value is not None and abs(value) <= _INT32_MAX


def _int32_arguments(node: exp.Expression) -> None:
    key = _INT32_ARGUMENTS[type(node)]
    values = node.args.get(key)
    for value in values if isinstance(values, list) else [values]:
        if isinstance(value, exp.Expression) and not _is_int32(value):
            value.replace(int32(value.copy()))


def _is_int32(value: exp.Expression) -> bool:
    # a literal's DuckDB type fits where it is written
    return isinstance(value, exp.Literal) or (isinstance(value, exp.Cast) and value.to.this == exp.DataType.Type.INT)


def int32(value: exp.Expression) -> exp.Expression:
    """`value` cast to DuckDB's 32-bit INTEGER (a DuckDB parameter's type, not GoogleSQL's INTEGER)."""
    cast = exp.cast(value, "INTEGER")
    cast.meta[DUCKDB_INT32] = True  # semantics.py's INTEGER-is-INT64 rewrite leaves it
    return cast
