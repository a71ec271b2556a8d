"""NUMERIC * NUMERIC is a NUMERIC, rounded half away from zero to 9 decimals, as in BigQuery.

DuckDB multiplies two DECIMAL(38, 9) into a DECIMAL(38, 18): the product kept 18 decimals and
came out as a BIGNUMERIC (`NUMERIC '1.000000001' * NUMERIC '1.000000001'` was the BIGNUMERIC
1.000000002000000001, BigQuery's NUMERIC 1.000000002), and a product past 10^20 failed with
DuckDB's "Overflow in multiplication of DECIMAL(38)" where BigQuery answers up to NUMERIC's
10^29. A product below 10^19 (told by the operands' doubles) is DuckDB's exact product rounded to
9 decimals; a larger one, rare, is decimalmath's exact product (a Python UDF), and past NUMERIC's
range BigQuery's "numeric overflow". The operands' types come from `coltypes.annotate`; a product
whose operand types are not inferred keeps DuckDB's answer.
"""

from __future__ import annotations

from sqlglot import exp

from .census import find_all
from .coltypes import TYPE_KEY, known_type

_FAST_LIMIT = "1e19"  # below it DuckDB's DECIMAL(38, 18) product holds the exact value


def exact_numeric_products(stmt: exp.Expression) -> None:
    """Each `x * y` of two NUMERIC values, BigQuery's rounded NUMERIC product."""
    node: exp.Expr
    for node in reversed(find_all(stmt, exp.Mul)):
        if known_type(node.this) == "NUMERIC" and known_type(node.expression) == "NUMERIC":
            product = numeric_product(node.this, node.expression)
            product.meta[TYPE_KEY] = "NUMERIC"  # the later rewrites' type checks (SUM's overflow) skip it
            node.replace(product)


def numeric_product(x: exp.Expression, y: exp.Expression) -> exp.Expression:
    """The NUMERIC x * y rounded half away from zero to 9 decimals, or BigQuery's overflow error.
    Operands that are not columns or literals are bound once, as a lambda's struct, rather than
    copied into each branch."""
    from .functions import _t

    if _simple(x) and _simple(y):
        return _t(_product("_A", "_B"), x, y)
    return _t(f"list_transform([{{'x': _A, 'y': _B}}], v -> {_product('v.x', 'v.y')})[1]", x, y)


def _product(x: str, y: str) -> str:
    """The rounded product's SQL of the operands written `x` and `y` (DuckDB's cast to fewer
    decimals rounds half away from zero; decimalmath's UDF computes the rare larger products)."""
    from .decimalmath import NUMERIC_MATH_UDF

    return (
        f"CASE WHEN abs(multiply(CAST({x} AS DOUBLE), CAST({y} AS DOUBLE))) < {_FAST_LIMIT} "
        f"THEN CAST(multiply({x}, {y}) AS DECIMAL(38, 9)) ELSE {NUMERIC_MATH_UDF}('MULTIPLY', {x}, {y}) END"
    )


def _simple(node: exp.Expression) -> bool:
    """A column or a literal (cast), cheap to repeat in each branch."""
    while isinstance(node, exp.Paren | exp.Cast):
        node = node.this
    return isinstance(node, exp.Column | exp.Literal)
