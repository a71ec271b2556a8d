"""FLOAT64 literals that take a NUMERIC or BIGNUMERIC type from the values beside them.

GoogleSQL coerces a floating-point literal to NUMERIC (or BIGNUMERIC) where a common type is
chosen for several values: `[NUMERIC '1', 2.5]` is an ARRAY<NUMERIC>, `COALESCE(n, 0.5)` of a
NUMERIC `n` a NUMERIC, and so are the results of CASE/IF, GREATEST/LEAST and a set operation's
column (`SELECT CAST(NULL AS NUMERIC) UNION ALL SELECT 3.5`). The engine typed every such
literal DOUBLE, so the result was FLOAT64, with a FLOAT64's precision.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from sqlglot import exp

_T = exp.DataType.Type
_DECIMALS = {_T.DECIMAL: "NUMERIC", _T.BIGDECIMAL: "BIGNUMERIC"}
_FLOATS = (_T.DOUBLE, _T.FLOAT)


def decimal_fits(text: str, integer_digits: int) -> bool:
    """Whether the number literal `text` has at most `integer_digits` digits before the point."""
    try:
        value = Decimal(text)
    except InvalidOperation:
        return False
    return value.is_finite() and abs(value) < Decimal(10) ** integer_digits


def _float_literal(node: exp.Expression) -> bool:
    """`2.5`, `-1e3`: a number literal GoogleSQL types FLOAT64."""
    inner = node.this if isinstance(node, exp.Neg) else node
    return isinstance(inner, exp.Literal) and not inner.is_string and any(c in inner.this for c in ".eE")


def _value(node: exp.Expression) -> exp.Expression:
    return node.this if isinstance(node, exp.Alias) else node


def _set_operation_columns(op: exp.SetOperation) -> list[list[exp.Expression]]:
    from .setops import set_inputs

    selects = set_inputs(op)
    widths = {len(s.expressions) for s in selects}
    if len(widths) != 1 or any(isinstance(_value(e), exp.Star) for s in selects for e in s.expressions):
        return []
    return [[_value(s.expressions[i]) for s in selects] for i in range(widths.pop())]


def _groups(stmt: exp.Expression) -> list[list[exp.Expression]]:
    """The values of which GoogleSQL takes a common type, in each place where it does."""
    groups: list[list[exp.Expression]] = []
    for node in stmt.find_all(exp.Array, exp.Coalesce, exp.Case, exp.If, exp.Greatest, exp.Least, exp.SetOperation):
        if isinstance(node, exp.SetOperation):
            if not isinstance(node.parent, exp.SetOperation):  # the outermost has every input
                groups += _set_operation_columns(node)
        elif isinstance(node, exp.Case):
            results = [i.args.get("true") for i in node.args.get("ifs") or []] + [node.args.get("default")]
            groups.append([r for r in results if r is not None])
        elif isinstance(node, exp.If):
            if not isinstance(node.parent, exp.Case):
                groups.append([v for v in (node.args.get("true"), node.args.get("false")) if v is not None])
        elif isinstance(node, exp.Array):
            groups.append(list(node.expressions))
        else:
            groups.append([node.this, *node.expressions])
    return [g for g in groups if len(g) > 1 and any(_float_literal(v) for v in g)]


def sibling_columns(stmt: exp.Expression) -> list[exp.Expression]:
    """The columns beside a FLOAT64 literal where a common type is taken: a NUMERIC one makes
    the literal NUMERIC, which needs its type."""
    return [v for g in _groups(stmt) for v in g if isinstance(v, exp.Column)]


def _decimal_type(value: exp.Expression) -> str | None:
    """NUMERIC, BIGNUMERIC, FLOAT64 (a non-literal FLOAT64) or None (another or an unknown type)."""
    if isinstance(value, exp.Cast | exp.TryCast):
        if value.to.this in _DECIMALS:
            return _DECIMALS[value.to.this]
        if value.to.this in _FLOATS and not _float_literal(value.this):
            return "FLOAT64"
        return None
    from .coltypes import known_type

    kind = known_type(value)
    return kind if kind in ("NUMERIC", "BIGNUMERIC", "FLOAT64") else None


def decimal_literal_types(stmt: exp.Expression) -> dict[int, str]:
    """The FLOAT64 literals (by `id` of the Literal node) that take NUMERIC or BIGNUMERIC from a
    value beside them; none where a FLOAT64 value is among them (the common type is FLOAT64)."""
    out: dict[int, str] = {}
    for group in _groups(stmt):
        kinds = {_decimal_type(v) for v in group if not _float_literal(v)}
        if "FLOAT64" in kinds or not kinds & {"NUMERIC", "BIGNUMERIC"}:
            continue
        kind = "BIGNUMERIC" if "BIGNUMERIC" in kinds else "NUMERIC"
        for v in group:
            if _float_literal(v):
                literal = v.this if isinstance(v, exp.Neg) else v
                # BIGNUMERIC wins over NUMERIC where the literal is in two groups
                if out.get(id(literal)) != "BIGNUMERIC":
                    out[id(literal)] = kind
    return out
