"""STDDEV and VARIANCE of wide BIGNUMERIC values (widecolumns.py), as ZetaSQL computes them.

BigQuery's `VAR_SAMP`/`VARIANCE`, `VAR_POP`, `STDDEV_SAMP`/`STDDEV` and `STDDEV_POP` of a
BIGNUMERIC are FLOAT64, computed from the exact sums: ZetaSQL's BigNumericValue variance
aggregator keeps the sum and the sum of squares of the scaled integers exactly and answers
`double(count * sum_sq - sum^2) / double(10^76 * count * (count - offset))` (offset 1 for the
sample forms, 0 for the population ones), the standard deviation that value's square root; NULL
where the count is not above the offset. DuckDB 2.0.1's BIGNUM multiplies only as a DOUBLE, so the
group's scaled values come here as a list of their text (`VARIANCE_UDF`, once a group).
"""

from __future__ import annotations

import math

import pyarrow as pa

from . import bignumerics

VARIANCE_UDF = "__bq_bignumeric_variance"
"""(function name, the group's scaled values as text) -> the FLOAT64 result."""

_SQUARED_SCALE = 10 ** (2 * bignumerics.SCALE)
_SAMPLE = {"VAR_SAMP": True, "VAR_POP": False, "STDDEV_SAMP": True, "STDDEV_POP": False}


def variance(name: str, values: list[str | None]) -> float | None:
    """`name` (VAR_SAMP, VAR_POP, STDDEV_SAMP, STDDEV_POP) of scaled integers' text; NULLs skipped."""
    numbers = [int(v) for v in values if v is not None]
    count = len(numbers)
    offset = 1 if _SAMPLE[name] else 0
    if count <= offset:
        return None
    total = sum(numbers)
    squares = sum(n * n for n in numbers)
    result = float(count * squares - total * total) / float(_SQUARED_SCALE * count * (count - offset))
    return math.sqrt(result) if name.startswith("STDDEV") else result


def batch(names: pa.Array, lists: pa.Array) -> pa.Array:
    """`variance` over Arrow arrays; NULL for a NULL list."""
    out = [
        None if name is None or values is None else variance(name, values)
        for name, values in zip(names.to_pylist(), lists.to_pylist(), strict=True)
    ]
    return pa.array(out, type=pa.float64())
