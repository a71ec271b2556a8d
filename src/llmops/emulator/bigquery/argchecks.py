"""Arguments GoogleSQL rejects at run time where DuckDB answers: the query fails (SAFE.: NULL)."""

from __future__ import annotations

from sqlglot import exp


def _fail_when(value: exp.Expression, bad: exp.Expression, message: str) -> exp.Expression:
    """`value`, or an error when `bad` holds; SAFE.'s rewrite turns the error into NULL."""
    from .semantics import case, fail

    return case((bad, fail(message)), default=value)


def _is_literal_at_least(node: exp.Expression, low: float) -> bool:
    return isinstance(node, exp.Literal) and not node.is_string and float(node.this) >= low


def check_arguments(stmt: exp.Expression) -> None:
    """LEFT/RIGHT/LPAD/RPAD of a negative length, GENERATE_ARRAY by a step of 0 and COT of 0 are
    errors in BigQuery (DuckDB: text, '', an empty array, inf)."""
    for node in list(stmt.find_all(exp.Left, exp.Right)):
        length = node.expression
        if length is None or _is_literal_at_least(length, 0):
            continue
        name = "LEFT" if isinstance(node, exp.Left) else "RIGHT"
        bad: exp.Expression = exp.LT(this=length.copy(), expression=exp.Literal.number(0))
        node.set("expression", _fail_when(length.copy(), bad, f"{name}: the length must not be negative"))
    for node in list(stmt.find_all(exp.Pad)):
        length = node.expression
        if length is None or _is_literal_at_least(length, 0):
            continue
        name = "LPAD" if node.args.get("is_left") else "RPAD"
        bad = exp.LT(this=length.copy(), expression=exp.Literal.number(0))
        node.set("expression", _fail_when(length.copy(), bad, f"{name}: the length must not be negative"))
    for node in list(stmt.find_all(exp.GenerateSeries)):
        step = node.args.get("step")
        if step is None or (isinstance(step, exp.Literal) and not step.is_string and float(step.this) != 0):
            continue
        bad = exp.EQ(this=step.copy(), expression=exp.Literal.number(0))
        node.set("step", _fail_when(step.copy(), bad, "GENERATE_ARRAY: the step must not be 0"))
    for node in list(stmt.find_all(exp.Cot)):
        arg = node.this
        if _is_literal_at_least(arg, 1e-300):
            continue
        bad = exp.EQ(this=arg.copy(), expression=exp.Literal.number(0))
        node.set("this", _fail_when(arg.copy(), bad, "COT: division by zero (COT of 0)"))
