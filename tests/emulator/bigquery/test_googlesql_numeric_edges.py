"""GoogleSQL's numeric edges that the local warehouse got wrong, now BigQuery's.

Each row is a ZetaSQL compliance case or our own query, with GoogleSQL's answer, run on the local
warehouse and through the real BigQuery client:

- a RANGE window frame over a NUMERIC or BIGNUMERIC key whose bound (key ± offset) falls past the
  type's range failed ("Overflow in subtract of DECIMAL(38)"); GoogleSQL's bound past the edge
  takes in every key on that side, or none (analytic_numeric_range_window_frames).
"""

from __future__ import annotations

import pytest
from googlesql_cases import case_params, check_locally, check_through_client

STR = "STRING"
NUMERIC_MAX = "99999999999999999999999999999.999999999"
BIGNUMERIC_MAX = "99999999999999999999.999999999999999999"


def _keys(kind: str, keys: list[str]) -> str:
    """Rows (i, x) with x the `kind` values `keys` (NULL where the key is 'NULL'), i from 1."""
    values = [f"{kind} '{k}'" if k != "NULL" else f"CAST(NULL AS {kind})" for k in keys]
    rows = [f"SELECT {i} AS i, {v} AS x" for i, v in enumerate(values[:1], start=1)]
    rows += [f"SELECT {i}, {v}" for i, v in enumerate(values[1:], start=2)]
    return "(" + " UNION ALL ".join(rows) + ")"


def _frames(table: str, window: str) -> str:
    """Each row's frame as `i:min/max` of the row numbers in it, in row order."""
    return (
        "SELECT STRING_AGG(FORMAT('%d:%T/%T', i, lo, hi), ' ' ORDER BY i) FROM "
        f"(SELECT i, MIN(i) OVER w AS lo, MAX(i) OVER w AS hi FROM {table} WINDOW w AS ({window}))"
    )


N = _keys("NUMERIC", [f"-{NUMERIC_MAX}", "-99999999999999999999999999998.5", "0", NUMERIC_MAX, "NULL"])
B = _keys(
    "BIGNUMERIC", [f"-{BIGNUMERIC_MAX}", "-99999999999999999998.5", "0.000000000000000001", BIGNUMERIC_MAX, "NULL"]
)

RANGE_FRAMES = [
    # numeric_range_window_asc_with_special_values_1: 2 PRECEDING from the smallest key is before every key
    (_frames(N, "ORDER BY x RANGE BETWEEN UNBOUNDED PRECEDING AND 2 PRECEDING"), "1:5/5 2:5/5 3:1/5 4:1/5 5:5/5", STR),
    (_frames(N, "ORDER BY x RANGE BETWEEN 2 PRECEDING AND 2 FOLLOWING"), "1:1/2 2:1/2 3:3/3 4:4/4 5:5/5", STR),
    # numeric_range_window_asc_with_special_values_12: 1 FOLLOWING from the largest key is past every key
    (
        _frames(N, "ORDER BY x RANGE BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING"),
        "1:2/4 2:3/4 3:4/4 4:NULL/NULL 5:1/5",
        STR,
    ),
    (
        _frames(N, "ORDER BY x DESC RANGE BETWEEN UNBOUNDED PRECEDING AND 2 PRECEDING"),
        "1:3/4 2:3/4 3:4/4 4:NULL/NULL 5:1/5",
        STR,
    ),
    (
        _frames(N, "ORDER BY x DESC RANGE BETWEEN CURRENT ROW AND NUMERIC '2' FOLLOWING"),
        "1:1/1 2:1/2 3:3/3 4:4/4 5:5/5",
        STR,
    ),
    # numeric_range_window_asc_with_special_values_17: an offset of the whole range, both ways
    (
        _frames(N, f"ORDER BY x RANGE BETWEEN NUMERIC '{NUMERIC_MAX}' PRECEDING AND NUMERIC '{NUMERIC_MAX}' FOLLOWING"),
        "1:1/3 2:1/3 3:1/4 4:3/4 5:5/5",
        STR,
    ),
    (
        _frames(B, "ORDER BY x DESC RANGE BETWEEN UNBOUNDED PRECEDING AND 2 PRECEDING"),
        "1:3/4 2:3/4 3:4/4 4:NULL/NULL 5:1/5",
        STR,
    ),
    (
        _frames(B, "ORDER BY x RANGE BETWEEN BIGNUMERIC '0.000000000000000001' FOLLOWING AND 99999999999999 FOLLOWING"),
        "1:2/2 2:NULL/NULL 3:NULL/NULL 4:NULL/NULL 5:5/5",
        STR,
    ),
]

FAMILIES = {"range_frames": RANGE_FRAMES}
ROWS = case_params(FAMILIES)


@pytest.mark.parametrize("sql, want, typ", ROWS)
def test_local_warehouse(warehouse, sql, want, typ):
    check_locally(warehouse, sql, want, typ)


@pytest.mark.parametrize("family", list(FAMILIES))
def test_bigquery_client(bigquery_client, family):
    check_through_client(bigquery_client, FAMILIES[family])
