"""RANGE frame bounds over a FLOAT64 key that overflow stop at the largest finite FLOAT64.

A finite key plus (or minus) a finite offset can pass FLOAT64's range: ZetaSQL's bound then
stops at +-1.7976931348623157e308, so a frame from a finite key never reaches a key that is
+inf or -inf. DuckDB's bound became the infinity and took in those rows
(`AVG(v) OVER (ORDER BY k RANGE BETWEEN CURRENT ROW AND 1.79769e308 FOLLOWING)` at
`k = 1.79769e308` averaged the +inf rows too). An infinite key or offset keeps its infinite
bound, as in ZetaSQL, where only finite operands overflow.
"""

from __future__ import annotations

from sqlglot import exp

_LARGEST = "1.7976931348623157e308"
_SAFE_OFFSET = 2.0**970  # below half the largest FLOAT64's last-place unit: no finite key overflows


def may_overflow(offset: exp.Expression) -> bool:
    """Whether key +- `offset` may overflow for a finite key (not for a number literal below 2^970)."""
    if isinstance(offset, exp.Literal) and not offset.is_string:
        try:
            return float(offset.name) >= _SAFE_OFFSET
        except ValueError:
            return True
    return True


def cut_float_offset(offset: exp.Expression, side: str, ordered: exp.Ordered) -> exp.Expression:
    """`offset`, row by row, cut to what takes the FLOAT64 key to the largest finite FLOAT64 on
    its side where key +- offset overflows: PRECEDING subtracts on an ascending key and adds on a
    descending one, FOLLOWING the other way round."""
    from .semantics import call, case

    key = ordered.this
    largest = exp.cast(exp.Literal.string(_LARGEST), "DOUBLE")
    subtracts = (side == "PRECEDING") != bool(ordered.args.get("desc"))
    if subtracts:  # key - offset >= -largest
        bound: exp.Expression = exp.Sub(this=exp.paren(key.copy()), expression=exp.paren(offset.copy()))
        reach: exp.Expression = exp.Add(this=exp.paren(key.copy()), expression=largest)
    else:  # key + offset <= largest
        bound = exp.Add(this=exp.paren(key.copy()), expression=exp.paren(offset.copy()))
        reach = exp.Sub(this=largest, expression=exp.paren(key.copy()))
    overflows = exp.and_(
        call("isfinite", exp.cast(key.copy(), "DOUBLE")),
        call("isfinite", exp.cast(offset.copy(), "DOUBLE")),
        call("isinf", bound),
    )
    return exp.paren(case((overflows, reach), default=offset.copy()), copy=False)
