"""GoogleSQL forms that BigQuery documents and the local warehouse refused or failed on.

Each case is a ZetaSQL compliance case or our own query, with BigQuery's documented answer, run on
the local warehouse and through the real BigQuery client:

- `x LIKE y` of two BYTES values neither of which the query text shows as BYTES (a BYTES column
  compared with itself, `col LIKE ALL (b'a%', col)`) failed with DuckDB's "No function matches
  like_escape(BLOB, BLOB, ...)" (like_any / like_all: *_bytes_nulls, *_bytes_array_nulls,
  *_bytes_nonconstant_patterns);
- `PERCENTILE_CONT(x, p IGNORE NULLS) OVER (...)` (and PERCENTILE_DISC's) was refused; IGNORE NULLS
  is the documented default (analytic_percentile_cont: *_ignore_nulls).
"""

from __future__ import annotations

import pytest
from googlesql_cases import (
    case_params,
    check_locally,
    check_through_client,
)

FLOAT = "FLOAT64"
INT = "INT64"


def _window(call: str, values: str = "[1, NULL, 2, 4]") -> str:
    """The one value of `call OVER ()` over the elements of `values`."""
    return f"SELECT ANY_VALUE(p) FROM (SELECT {call} OVER () AS p FROM UNNEST({values}) AS x)"


PERCENTILES_IGNORE_NULLS = [
    (_window("PERCENTILE_CONT(x, 0.25 IGNORE NULLS)"), 1.5, FLOAT),
    (_window("PERCENTILE_CONT(x, 0.5 IGNORE NULLS)"), 2.0, FLOAT),
    (_window("PERCENTILE_DISC(x, 0.5 IGNORE NULLS)"), 2, INT),
    (_window("PERCENTILE_CONT(x, 1 IGNORE NULLS)", "[CAST(NULL AS FLOAT64), 0.5, -1]"), 0.5, FLOAT),
]

FAMILIES = {
    "percentiles_ignore_nulls": PERCENTILES_IGNORE_NULLS,
}
ROWS = case_params(FAMILIES)


@pytest.mark.parametrize("sql, want, typ", ROWS)
def test_local_warehouse(warehouse, sql, want, typ):
    check_locally(warehouse, sql, want, typ)


@pytest.mark.parametrize("family", list(FAMILIES))
def test_bigquery_client(bigquery_client, family):
    check_through_client(bigquery_client, FAMILIES[family])


def test_bytes_like_of_columns(env):
    """A BYTES column on both sides of LIKE, also in LIKE ANY/ALL lists and arrays, with
    BigQuery's NULLs (like_all_bytes_nulls, like_any_bytes_array_nulls)."""
    run, ds, _ = env
    run(f"CREATE TABLE {ds}.kvb (k INT64, v BYTES)")
    run(f"INSERT INTO {ds}.kvb VALUES (1, b'Value1'), (2, b'Value2'), (3, NULL)")
    rows = run(
        f"SELECT v LIKE v, v LIKE ALL (NULL, b'Value1', v), v LIKE ANY UNNEST([b'x', v]), "
        f"v NOT LIKE ANY (v, b'Value1') FROM {ds}.kvb ORDER BY k"
    )
    assert rows == [(True, None, True, False), (True, False, True, True), (None, None, None, None)]
