"""MOD of a FLOAT64 whose type the query text does not show (a table's column, an UNNEST alias,
another call's result; ibis's `double_col % (smallint_col + 1)`): GoogleSQL's MOD has INT64,
NUMERIC and BIGNUMERIC signatures only, so BigQuery refuses the query ("No matching signature for
function MOD for argument types: FLOAT64, INT64"); DuckDB's `%` answered fmod's value. A type the
text shows is operandtypes.py's; here the check is DuckDB's typeof(), a constant of the bound
query, so the query fails when DuckDB binds it, whatever its rows."""

from __future__ import annotations

from sqlglot import exp

from .census import find_all
from .coltypes import typed_like

_FLOATS = ("DOUBLE", "FLOAT")
# DuckDB's typeof() names of the operands MOD takes or is refused with, as BigQuery shows them
_NAMES = {
    "DOUBLE": "FLOAT64",
    "FLOAT": "FLOAT64",
    "DECIMAL(38,9)": "NUMERIC",
    "DECIMAL(38,18)": "BIGNUMERIC",
    "VARCHAR": "STRING",
    "BOOLEAN": "BOOL",
}


def _name(value: exp.Expression, kind: str | None) -> exp.Expression:
    """The operand's BigQuery type name for the message: the shown one, else its typeof()'s."""
    from .operandtypes import _shown
    from .semantics import call, lit

    if kind is not None:
        return lit(_shown(kind))
    ifs = [exp.If(this=lit(duck), true=lit(bq)) for duck, bq in _NAMES.items()]
    return exp.Case(this=call("typeof", value.copy()), ifs=ifs, default=lit("INT64"))


def _joined(*parts: exp.Expression) -> exp.Expression:
    """The texts `parts` joined with `||`; no CAST AS STRING, which the string-cast rewrite would
    turn into lambdas (DuckDB then binds a lambda's field as a column of an aggregate query's HAVING)."""
    out = parts[0]
    for part in parts[1:]:
        out = exp.DPipe(this=out, expression=part, safe=True)
    return out


def refuse_float_mods(stmt: exp.Expression) -> None:
    """Each MOD of an operand whose type the text does not show, failing when DuckDB types that
    operand as a float."""
    from .semantics import call, case, lit, type_is
    from .setoptypes import value_type

    for node in reversed(find_all(stmt, exp.Mod)):
        operands = (node.this, node.expression)
        kinds = [value_type(v) for v in operands]
        if None not in kinds:
            continue  # operandtypes.py judged it
        tests = [type_is(v, *_FLOATS) for v, k in zip(operands, kinds, strict=True) if k is None]
        either_float = tests[0] if len(tests) == 1 else exp.Or(this=tests[0], expression=tests[1])
        names = [_name(v, k) for v, k in zip(operands, kinds, strict=True)]
        message = call(
            "error",
            _joined(lit("No matching signature for function MOD for argument types: "), names[0], lit(", "), names[1]),
        )
        # outside SAFE.'s TRY: a signature error is no error SAFE. turns into NULL
        target = node.parent if isinstance(node.parent, exp.SafeFunc) else node
        target.replace(typed_like(case((either_float, message), default=target.copy()), target))
