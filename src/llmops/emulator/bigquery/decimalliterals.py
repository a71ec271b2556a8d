"""Literals that take their type from the values beside them: FLOAT64 ones NUMERIC or BIGNUMERIC,
STRING ones DATE, DATETIME, TIMESTAMP or TIME.

GoogleSQL coerces a floating-point literal to NUMERIC (or BIGNUMERIC) where a common type is
chosen for several values: `[NUMERIC '1', 2.5]` is an ARRAY<NUMERIC>, `COALESCE(n, 0.5)` of a
NUMERIC `n` a NUMERIC, and so are the results of CASE/IF, GREATEST/LEAST and a set operation's
column (`SELECT CAST(NULL AS NUMERIC) UNION ALL SELECT 3.5`). The engine typed every such
literal DOUBLE, so the result was FLOAT64, with a FLOAT64's precision.

Likewise a string literal beside a DATE (DATETIME, TIMESTAMP, TIME) value is that type: `SELECT
DATE '2014-01-17' UNION ALL SELECT '2015-01-17'` is a DATE column, where DuckDB's set operation
made it VARCHAR.

And a FLOAT64 literal operand of arithmetic (`+ - * /`, DIV, MOD, SAFE_DIVIDE) or of a comparison
(`=`, `<`, IN, BETWEEN) beside a NUMERIC (BIGNUMERIC) value is that type, by GoogleSQL's literal
coercion (ZetaSQL's analyzer tests: `numeric / 1.0` is NUMERIC, `bignumeric + 1.0` BIGNUMERIC): `5.52
/ CAST(2.4 AS NUMERIC)` is the NUMERIC 2.3, where DuckDB computed a FLOAT64.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from sqlglot import exp

from .census import find_all

_T = exp.DataType.Type
_DECIMALS = {_T.DECIMAL: "NUMERIC", _T.BIGDECIMAL: "BIGNUMERIC"}
_FLOATS = (_T.DOUBLE, _T.FLOAT)
_TEMPORAL = ("DATE", "DATETIME", "TIMESTAMP", "TIME")


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


def _string_literal(node: exp.Expression) -> bool:
    return isinstance(node, exp.Literal) and node.is_string


def _coercible(node: exp.Expression) -> bool:
    return _float_literal(node) or _string_literal(node)


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
    for node in find_all(stmt, exp.Array, exp.Coalesce, exp.Case, exp.If, exp.Greatest, exp.Least, exp.SetOperation):
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
    return [g for g in groups if len(g) > 1 and any(_coercible(v) for v in g)]


def sibling_values(stmt: exp.Expression) -> list[exp.Expression]:
    """The values beside a FLOAT64 or STRING literal where a common type is taken, of a type the
    text does not show: a NUMERIC (DATE, ...) one makes the literal NUMERIC (DATE, ...), which
    needs its type. Columns, and beside a FLOAT64 literal expressions too (`[COALESCE(n, 1),
    2.5]`); not beside a STRING one, where sqlglot's type of a date expression may be wrong
    (`DATETIME_ADD` of a DATE)."""
    return [
        v
        for g in _groups(stmt)
        for v in g
        if isinstance(v, exp.Column) or (not _shown(v) and not _coercible(v) and any(_float_literal(w) for w in g))
    ]


def _shown(value: exp.Expression) -> bool:
    """A number literal, NULL or CAST: a value whose type the text shows."""
    inner = value.this if isinstance(value, exp.Neg) else value
    return isinstance(inner, exp.Literal | exp.Null | exp.Cast | exp.TryCast)


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
        if not any(_float_literal(v) for v in group):
            continue
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


def _temporal_type(value: exp.Expression) -> str:
    """DATE, DATETIME, TIMESTAMP, TIME, or what else `value` is known to be ("" for unknown)."""
    if isinstance(value, exp.Cast | exp.TryCast):
        kind = value.to.sql("bigquery").upper()
    else:
        from .coltypes import known_type

        kind = known_type(value) or ""
    return kind


def coerce_temporal_literals(stmt: exp.Expression) -> None:
    """Casts each string literal to the DATE (DATETIME, TIMESTAMP, TIME) type of the values beside
    it where a common type is taken, when all of those (but NULLs and other string literals) are
    known to be of that one type."""
    for group in _groups(stmt):
        literals = [v for v in group if _string_literal(v)]
        kinds = {_temporal_type(v) for v in group if not _string_literal(v) and not isinstance(v, exp.Null)}
        if not literals or len(kinds) != 1 or next(iter(kinds)) not in _TEMPORAL:
            continue
        to = exp.DataType.build(kinds.pop(), dialect="bigquery")
        for literal in literals:
            if isinstance(literal.parent, exp.Cast | exp.TryCast):
                continue  # in two groups, already cast
            literal.replace(exp.Cast(this=literal.copy(), to=to.copy()))


_ARITHMETIC = (exp.Add, exp.Sub, exp.Mul, exp.Div, exp.IntDiv, exp.SafeDivide, exp.Mod)
_COMPARISONS = (exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE, exp.NullSafeEQ, exp.NullSafeNEQ)
_INTEGER_DIGITS = {"NUMERIC": 29, "BIGNUMERIC": 20}  # the engine's BIGNUMERIC is DECIMAL(38, 18)


def _operand_groups(stmt: exp.Expression) -> list[list[exp.Expression]]:
    """The operands of each operator or comparison of `stmt` with a FLOAT64 literal operand."""
    groups: list[list[exp.Expression]] = []
    for node in find_all(stmt, *_ARITHMETIC, *_COMPARISONS, exp.In, exp.Between):
        if isinstance(node, exp.In):
            if node.args.get("query") or node.args.get("unnest") or node.args.get("field"):
                continue
            group = [node.this, *node.expressions]
        elif isinstance(node, exp.Between):
            group = [node.this, node.args.get("low"), node.args.get("high")]
        else:
            group = [node.this, node.expression]
        operands = [_value(v) for v in group if isinstance(v, exp.Expression)]
        if any(_float_literal(v) for v in operands):
            groups.append(operands)
    return groups


def _number_literal(node: exp.Expression) -> bool:
    inner = node.this if isinstance(node, exp.Neg) else node
    return isinstance(inner, exp.Literal) and not inner.is_string


def operand_siblings(stmt: exp.Expression) -> list[exp.Expression]:
    """The operands beside a FLOAT64 literal operand whose type the text does not show: a NUMERIC
    (BIGNUMERIC) one makes the literal that type, which needs its type."""
    return [v for g in _operand_groups(stmt) for v in g if not _shown(v)]


def coerce_operand_literals(stmt: exp.Expression) -> None:
    """Each FLOAT64 literal operand beside NUMERIC (BIGNUMERIC) values, and number literals or
    NULLs only, as the exact decimal it reads as (rounded to the type's scale, as BigQuery reads
    the literal's text); one past the type's integer digits is left FLOAT64."""
    from .coltypes import TYPE_KEY

    done: set[int] = set()
    for group in _operand_groups(stmt):
        others = [v for v in group if not _number_literal(v) and not isinstance(v, exp.Null)]
        kinds = {_decimal_type(v) for v in others}
        if not kinds or not kinds <= {"NUMERIC", "BIGNUMERIC"}:
            continue
        kind = "BIGNUMERIC" if "BIGNUMERIC" in kinds else "NUMERIC"
        for value in group:
            if not _float_literal(value) or id(value) in done:
                continue
            done.add(id(value))
            text = f"-{value.this.this}" if isinstance(value, exp.Neg) else value.this
            if not decimal_fits(text, _INTEGER_DIGITS[kind]):
                continue
            to = exp.DataType(this=_T.BIGDECIMAL if kind == "BIGNUMERIC" else _T.DECIMAL)
            cast = exp.Cast(this=exp.Literal.string(text), to=to)
            cast.meta[TYPE_KEY] = kind
            value.replace(cast)
