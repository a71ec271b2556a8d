"""The bitwise operators grouped by GoogleSQL's precedence.

GoogleSQL binds `<<` and `>>` tighter than `&`, `&` tighter than `^`, and `^` tighter than `|`
(operators reference, "Operator precedence"): `x & 1 << n` is `x & (1 << n)`, `a | b & c` is
`a | (b & c)`. sqlglot reads all five at one level from the left (`(x & 1) << n`), so such a
chain answered another number. Each chain is rebuilt by precedence here, right after parsing;
the operands are those sqlglot read (`+` and `-` bind tighter than all five, and a parenthesized
operand stays as written), and each nested operator is written in parentheses, as DuckDB too
reads its bitwise operators at one level.
"""

from __future__ import annotations

from typing import Any

from sqlglot import exp

_LEVELS: dict[type[exp.Expression], int] = {
    exp.BitwiseLeftShift: 3,
    exp.BitwiseRightShift: 3,
    exp.BitwiseAnd: 2,
    exp.BitwiseXor: 1,
    exp.BitwiseOr: 0,
}
_OPERATORS = tuple(_LEVELS)


def _chain(node: exp.Expression) -> tuple[list[exp.Expression], list[type[exp.Expression]]]:
    """The operands and operators of the left-leaning chain sqlglot read, in the query's order."""
    operands: list[exp.Expression] = []
    operators: list[type[exp.Expression]] = []
    current: exp.Expression = node
    while isinstance(current, _OPERATORS):
        operators.append(type(current))
        operands.append(current.expression)
        current = current.this
    operands.append(current)
    return operands[::-1], operators[::-1]


def _grouped(operands: list[exp.Expression], operators: list[type[exp.Expression]]) -> exp.Expression:
    """The chain as a tree by GoogleSQL's precedence, left-associative within a level."""
    values: list[exp.Expression] = [operands[0]]
    pending: list[type[exp.Expression]] = []

    def reduce() -> None:
        right, left = values.pop(), values.pop()
        values.append(pending.pop()(this=_wrapped(left), expression=_wrapped(right)))

    for operator, operand in zip(operators, operands[1:], strict=True):
        while pending and _LEVELS[pending[-1]] >= _LEVELS[operator]:
            reduce()
        pending.append(operator)
        values.append(operand)
    while pending:
        reduce()
    return values[0]


def _wrapped(node: exp.Expression) -> exp.Expression:
    return exp.Paren(this=node) if isinstance(node, _OPERATORS) else node


def regroup_bitwise_operators(stmt: exp.Expression) -> None:
    """Rebuild each chain of bitwise operators in `stmt` by GoogleSQL's precedence."""
    tops: list[Any] = [
        n for n in stmt.find_all(*_OPERATORS) if not (isinstance(n.parent, _OPERATORS) and n.arg_key == "this")
    ]
    for top in reversed(tops):  # inner chains (inside an operand) first
        operands, operators = _chain(top)
        if len(operators) < 2 or len({_LEVELS[o] for o in operators}) == 1:
            continue
        for operand in operands:
            operand.pop()
        top.replace(_grouped(operands, operators))
