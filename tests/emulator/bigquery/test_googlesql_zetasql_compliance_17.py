"""GoogleSQL the seventeenth ZetaSQL compliance sweep found answered or refused differently from
BigQuery:

- `INTERVAL / INT64` was DuckDB's division: the microseconds rounded and a month's rest spread as
  30.436875 days (`INTERVAL 1 MONTH / 7` was 0-0 4 6:51:25.6896; BigQuery's 0-0 4 6:51:25.714285,
  the rest of each part carried down as 30-day months and 24-hour days, truncated toward zero);
- `INTERVAL * x` or `INTERVAL / x` of a FLOAT64 or NUMERIC x answered (BigQuery takes only an
  INT64), and a product past INTERVAL's range answered (`INTERVAL 10000 YEAR * 2`);
- `HAVING MOD(COUNT(x), 2) = 1`, and MOD inside a PIVOT aggregate's ORDER BY, failed (DuckDB's
  "references column m which is neither grouped nor aggregated"; the check that refuses MOD of a
  FLOAT64 wrote its message's type names through lambdas);
- `LIMIT @n` with a parameter past 2^62 (`9223372036854775807`) was DuckDB's `Max value ... for
  LIMIT/OFFSET`.

Each row is our own query with the answer (or the error) Google's GoogleSQL reference gives, run on
the local warehouse and through the real BigQuery client against the emulator.
"""

from __future__ import annotations

import pytest
from google.cloud import bigquery
from googlesql_cases import (
    assert_fails_locally,
    assert_fails_through_client,
    case_params,
    check_locally,
    check_through_client,
)

STR = "STRING"

# "Interval arithmetic operators": the reference's examples, and divisions whose rest is carried
# down to the next part (months as 30 days, days as 24 hours) and truncated toward zero
INTERVAL_ARITHMETIC = [
    ("CAST(INTERVAL '1:2:3' HOUR TO SECOND * 10 AS STRING)", "0-0 0 10:20:30", STR),
    ("CAST(INTERVAL 35 SECOND * 4 AS STRING)", "0-0 0 0:2:20", STR),
    ("CAST(INTERVAL 10 YEAR / 3 AS STRING)", "3-4 0 0:0:0", STR),
    ("CAST(INTERVAL 1 MONTH / 12 AS STRING)", "0-0 2 12:0:0", STR),
    ("CAST(INTERVAL 1 MONTH / 7 AS STRING)", "0-0 4 6:51:25.714285", STR),
    ("CAST(INTERVAL '1-1 1 1:1:1' YEAR TO SECOND / -7 AS STRING)", "-0-1 -25 -20:43:0.142857", STR),
    ("CAST(INTERVAL '0.000008' SECOND / 3 AS STRING)", "0-0 0 0:0:0.000002", STR),
    ("CAST(INTERVAL '0.000008' SECOND / -3 AS STRING)", "0-0 0 -0:0:0.000002", STR),
    ("CAST((DATE '2021-03-01' - DATE '2021-01-01') / 7 AS STRING)", "0-0 8 10:17:8.571428", STR),
    (
        "SELECT CAST(i / n AS STRING) FROM UNNEST([INTERVAL 1 MONTH]) AS i, UNNEST([7]) AS n",
        "0-0 4 6:51:25.714285",
        STR,
    ),
    (
        "SELECT CAST(i / n AS STRING) FROM UNNEST([INTERVAL 1 MONTH]) AS i, UNNEST([CAST(NULL AS INT64)]) AS n",
        None,
        STR,
    ),
    ("CAST(2 * INTERVAL 1 DAY AS STRING)", "0-0 2 0:0:0", STR),
    ("CAST(INTERVAL 1 MONTH / 12 * 2 AS STRING)", "0-0 4 24:0:0", STR),
]

# MOD of an aggregate or inside a PIVOT aggregate's ORDER BY (its float check's message was built
# with lambdas, which DuckDB bound as columns: "references column m which is neither grouped nor
# aggregated", "PIVOT expression cannot contain qualified columns")
AGGREGATE_MODS = [
    ("SELECT b FROM (SELECT 1 AS a, 2 AS b) GROUP BY b HAVING MOD(COUNT(b), 2) = 1", 2, "INT64"),
    (
        "SELECT MOD(COUNT(DISTINCT b), 2) FROM (SELECT 1 AS a, 2 AS b) GROUP BY b HAVING MOD(COUNT(DISTINCT b), 2) = 1",
        1,
        "INT64",
    ),
    (
        "SELECT _100 FROM (SELECT 1 AS x, 100 AS y, z FROM UNNEST([5, 3, 4]) AS z) "
        "PIVOT(ARRAY_AGG(z ORDER BY MOD(z, 3), z DESC) FOR y IN (100, 101))",
        [3, 4, 5],
        "INT64",
    ),
]

FAMILIES = {"interval_arithmetic": INTERVAL_ARITHMETIC, "aggregate_mods": AGGREGATE_MODS}
ROWS = case_params(FAMILIES)

REFUSED = [
    pytest.param("SELECT INTERVAL 1 DAY / 0", "Interval division by zero", id="interval_division_by_zero"),
    pytest.param(
        "SELECT INTERVAL 1 DAY / 1.5",
        "No matching signature for operator / for argument types: INTERVAL, FLOAT64",
        id="interval_divided_by_float64",
    ),
    pytest.param(
        "SELECT i / n FROM UNNEST([INTERVAL 1 MONTH]) AS i, UNNEST([7.5]) AS n",
        "No matching signature for operator / for argument types: INTERVAL, FLOAT64",
        id="interval_divided_by_float64_column",
    ),
    pytest.param(
        "SELECT i * n FROM UNNEST([INTERVAL 1 DAY]) AS i, UNNEST([CAST(2 AS NUMERIC)]) AS n",
        "No matching signature for operator * for argument types: INTERVAL, NUMERIC",
        id="interval_times_numeric_column",
    ),
    pytest.param(
        "SELECT INTERVAL 10000 YEAR * 2",
        "Interval field months '240000' is out of range",
        id="interval_product_out_of_range",
    ),
]


@pytest.mark.parametrize("sql, want, typ", ROWS)
def test_local_warehouse(warehouse, sql, want, typ):
    check_locally(warehouse, sql, want, typ)


@pytest.mark.parametrize("family", list(FAMILIES))
def test_bigquery_client(bigquery_client, family):
    check_through_client(bigquery_client, FAMILIES[family])


@pytest.mark.parametrize("sql, fragment", REFUSED)
def test_refused_locally(warehouse, sql, fragment):
    assert_fails_locally(warehouse, sql, fragment)


@pytest.mark.parametrize("sql, fragment", REFUSED)
def test_refused_through_client(bigquery_client, sql, fragment):
    assert_fails_through_client(bigquery_client, sql, fragment)


# LIMIT / OFFSET parameters of any INT64 (DuckDB refuses a computed count past 2^62)
_LIMIT = "SELECT x FROM UNNEST([1, 2, 3]) AS x ORDER BY x LIMIT @n OFFSET @o"
_LIMITS = [
    pytest.param(2**63 - 1, 1, [2, 3], id="max_limit"),
    pytest.param(2, 2**63 - 1, [], id="max_offset"),
    pytest.param(1, 1, [2], id="small"),
]


@pytest.mark.parametrize("n, o, want", _LIMITS)
def test_limit_parameters_locally(warehouse, n, o, want):
    got = warehouse.engine.query(_LIMIT, {"n": n, "o": o}, param_types={"n": "INT64", "o": "INT64"})
    assert [r["x"] for r in got.table.to_pylist()] == want


@pytest.mark.parametrize("n, o, want", _LIMITS)
def test_limit_parameters_through_client(bigquery_client, n, o, want):
    config = bigquery.QueryJobConfig(
        query_parameters=[
            bigquery.ScalarQueryParameter("n", "INT64", n),
            bigquery.ScalarQueryParameter("o", "INT64", o),
        ]
    )
    assert [r["x"] for r in bigquery_client.query_and_wait(_LIMIT, job_config=config)] == want
