"""BIGNUMERIC written in a query (`CAST(x AS BIGNUMERIC)`, `BIGNUMERIC '1.5'`, `ARRAY<BIGNUMERIC>`)
is the engine's BIGNUMERIC, DECIMAL(38, 18): sqlglot writes a bare BIGDECIMAL as DuckDB's
DECIMAL(38, 5), which dropped digits after the fifth."""

from __future__ import annotations

from sqlglot import exp


def widen_bignumeric(stmt: exp.Expression) -> None:
    for dt in list(stmt.find_all(exp.DataType)):
        if dt.this == exp.DataType.Type.BIGDECIMAL and not dt.expressions:
            dt.replace(exp.DataType.build("DECIMAL(38, 18)"))
