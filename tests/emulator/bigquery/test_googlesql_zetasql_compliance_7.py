"""Failures and wrong answers left by the ZetaSQL compliance sweep, now BigQuery's.

Each row is a ZetaSQL compliance case or our own query, with GoogleSQL's answer, run on the
local warehouse and through the real BigQuery client:

- arithmetic, division or a CAST as a window's ORDER BY or PARTITION BY key
  (`SUM(x) OVER (ORDER BY x + 1)`) failed with DuckDB's "ORDER BY window expressions cannot be
  volatile": the checks that make them fail as BigQuery's do were volatile in DuckDB; they still
  fail with BigQuery's errors;
- INT64's least value written as a literal first in an array (`[-9223372036854775808]`) failed
  with DuckDB's "Type INT128 with value 9223372036854775808 can't be cast";
- a PERCENTILE_CONT / PERCENTILE_DISC fraction written as arithmetic (`PERCENTILE_CONT(x, 5 / 6)`,
  `@p / 2`) failed with DuckDB's "must be a constant expression" (the division's check again);
- APPROX_QUANTILES of FLOAT64 values put NaN last (DuckDB's order); GoogleSQL orders NULL, NaN,
  -inf, ..., +inf, as PERCENTILE_CONT/DISC already did here.
"""

from __future__ import annotations

import pytest
from googlesql_cases import (
    assert_fails_locally,
    assert_fails_through_client,
    case_params,
    check_locally,
    check_through_client,
)

STR = "STRING"
XS = "UNNEST([1, 2, 3]) AS x"


def _agg(select: str, rest: str = "") -> str:
    """The values of `SELECT <select> FROM XS <rest>` as one STRING in the order of x."""
    return f"SELECT STRING_AGG(FORMAT('%T', v), ' ' ORDER BY x) FROM (SELECT x, {select} AS v FROM {XS} {rest})"


WINDOW_KEYS = [
    # analytic_window_frames:range_window_order_by_duplicate
    (
        "WITH t AS (SELECT 1 AS x) SELECT TO_JSON_STRING(STRUCT(LAST_VALUE(x + 1) OVER (ORDER BY x + 1, x + 1) AS a, "
        "LAST_VALUE(x + 1) OVER (ORDER BY x + 1, x + 1) AS b)) FROM t",
        '{"a":2,"b":2}',
        STR,
    ),
    (_agg("SUM(x) OVER (ORDER BY x + 1)"), "1 3 6", STR),
    (_agg("SUM(x) OVER (ORDER BY -x * 2)"), "6 5 3", STR),
    (_agg("SUM(x) OVER (PARTITION BY DIV(x, 2) ORDER BY CAST(CAST(x AS STRING) AS INT64))"), "1 2 5", STR),
    (_agg("COUNT(*) OVER (PARTITION BY x / 2 > 0.6)"), "1 2 2", STR),
    (_agg("SUM(x) OVER w", "WINDOW w AS (ORDER BY x - 1 RANGE BETWEEN 1 PRECEDING AND CURRENT ROW)"), "1 3 5", STR),
    (_agg("RANK() OVER (ORDER BY x * 1.5 DESC)"), "3 2 1", STR),
]

MIN = "-9223372036854775808"
INT64_MIN = [
    (f"FORMAT('%T', [{MIN}])", f"[{MIN}]", STR),
    (f"ARRAY_LENGTH([{MIN}, {MIN}, 1])", 3, "INT64"),
    (f"[{MIN}, 0][OFFSET(0)]", -(2**63), "INT64"),
    (f"(SELECT MIN(x) FROM UNNEST([{MIN}, 9223372036854775807]) AS x)", -(2**63), "INT64"),
    (f"(SELECT x FROM UNNEST([{MIN}]) AS x WHERE x IN ({MIN}, 1))", -(2**63), "INT64"),
    (f"ARRAY_CONCAT([1], [{MIN}])[OFFSET(1)]", -(2**63), "INT64"),
    # TRIAGE group 10's example: no key within 2 of another
    (
        "SELECT STRING_AGG(FORMAT('%T', c), ' ' ORDER BY x) FROM (SELECT x, COUNT(*) OVER (ORDER BY x RANGE BETWEEN "
        f"2 PRECEDING AND CURRENT ROW) AS c FROM UNNEST([{MIN}, 0, 9223372036854775807]) AS x)",
        "1 1 1",
        STR,
    ),
]

PERCENTILES = [
    # over 1, 2, 3 the 5/6 percentile interpolates at (3 - 1) * 5/6 = 5/3
    (_agg("PERCENTILE_CONT(x, 5 / 6) OVER ()"), " ".join(["2.6666666666666665"] * 3), STR),
    (_agg("PERCENTILE_DISC(x, 1 / 2) OVER ()"), "2 2 2", STR),
    (_agg("PERCENTILE_CONT(CAST(x AS FLOAT64), 1 / 4 + 1 / 4) OVER (PARTITION BY x > 1)"), "1.0 2.5 2.5", STR),
    # NULLs take part, first: NULL, 1, 3 at (3 - 1) * 1/2 = 1
    (
        "SELECT STRING_AGG(FORMAT('%T', v), ' ') FROM (SELECT PERCENTILE_CONT(x, 1 / 2 RESPECT NULLS) OVER () AS v "
        "FROM UNNEST([1, NULL, 3]) AS x)",
        "1.0 1.0 1.0",
        STR,
    ),
]

NAN = "CAST('nan' AS FLOAT64)"
FLOATS = f"UNNEST([1.0, {NAN}, 3.0, CAST('-inf' AS FLOAT64), 2.0]) AS x"
APPROX_QUANTILES = [
    # the value at floor((count - 1) * i / n) of NaN, -inf, 1, 2, 3
    (f"SELECT TO_JSON_STRING(APPROX_QUANTILES(x, 4)) FROM {FLOATS}", '["NaN","-Infinity",1,2,3]', STR),
    (f"SELECT APPROX_QUANTILES(x, 2)[OFFSET(1)] FROM {FLOATS}", 1.0, "FLOAT64"),
    (
        f"SELECT TO_JSON_STRING(APPROX_QUANTILES(x, 4 RESPECT NULLS)) FROM UNNEST([1.0, {NAN}, NULL, 3.0]) AS x",
        '[null,null,"NaN",1,3]',
        STR,
    ),
    (
        f"SELECT TO_JSON_STRING(APPROX_QUANTILES(DISTINCT x, 2)) FROM UNNEST([1.0, {NAN}, {NAN}, 3.0]) AS x",
        '["NaN",1,3]',
        STR,
    ),
    (
        f"SELECT TO_JSON_STRING(APPROX_QUANTILES(x, 2 IGNORE NULLS)) FROM UNNEST([3.0, NULL, {NAN}]) AS x",
        '["NaN","NaN",3]',
        STR,
    ),
    # as a window function too (RESPECT NULLS there did not parse)
    (
        f"SELECT STRING_AGG(DISTINCT TO_JSON_STRING(q)) FROM (SELECT APPROX_QUANTILES(x, 2) OVER () AS q FROM {FLOATS})",
        '["NaN",1,3]',
        STR,
    ),
    (
        "SELECT STRING_AGG(DISTINCT TO_JSON_STRING(q)) FROM (SELECT APPROX_QUANTILES(x, 2 RESPECT NULLS) OVER () AS q "
        "FROM UNNEST([1, NULL, 3]) AS x)",
        "[null,1,3]",
        STR,
    ),
    # INT64 values are untouched
    ("SELECT TO_JSON_STRING(APPROX_QUANTILES(x, 2)) FROM UNNEST([3, 1, 2]) AS x", "[1,2,3]", STR),
]

FAMILIES = {
    "window_keys": WINDOW_KEYS,
    "int64_min": INT64_MIN,
    "percentiles": PERCENTILES,
    "approx_quantiles": APPROX_QUANTILES,
}


@pytest.mark.parametrize("sql, want, typ", case_params(FAMILIES))
def test_local_warehouse(warehouse, sql, want, typ):
    check_locally(warehouse, sql, want, typ)


@pytest.mark.parametrize("family", list(FAMILIES))
def test_bigquery_client(bigquery_client, family):
    check_through_client(bigquery_client, FAMILIES[family])


ERRORS = [
    # the keys still fail as BigQuery's do
    ("SELECT SUM(x) OVER (ORDER BY x + 9223372036854775807) FROM UNNEST([1, 2]) AS x", "Overflow in addition"),
    ("SELECT SUM(x) OVER (PARTITION BY x / 0) FROM UNNEST([1, 2]) AS x", "division by zero"),
    ("SELECT SUM(x) OVER (ORDER BY x * 1e308) FROM UNNEST([1.0, 2.0]) AS x", "double overflow"),
    ("SELECT COUNT(*) OVER (ORDER BY CAST(x AS INT64)) FROM UNNEST(['1', 'a']) AS x", "Bad int64 value: a"),
    ("SELECT PERCENTILE_CONT(x, 1 / 0) OVER () FROM UNNEST([1.0, 2.0]) AS x", "division by zero"),
]


def test_a_percentile_of_a_parameter_expression(bigquery_client):
    from google.cloud import bigquery

    config = bigquery.QueryJobConfig(query_parameters=[bigquery.ScalarQueryParameter("p", "FLOAT64", 0.5)])
    sql = "SELECT PERCENTILE_CONT(x, @p / 2) OVER () AS v FROM UNNEST([1.0, 2.0, 3.0]) AS x"
    assert [row.v for row in bigquery_client.query_and_wait(sql, job_config=config)] == [1.5, 1.5, 1.5]


def test_approx_quantiles_of_a_float64_column(bigquery_client, dataset):
    """The column's type comes from the table's schema: NaN first, by group too."""
    table = f"{dataset.project}.{dataset.dataset_id}.floats"
    bigquery_client.query_and_wait(f"CREATE TABLE `{table}` (g INT64, f FLOAT64)")
    bigquery_client.query_and_wait(
        f"INSERT INTO `{table}` VALUES (1, 2.0), (1, CAST('nan' AS FLOAT64)), (1, 1.0), (2, 5.0), (2, NULL)"
    )
    rows = bigquery_client.query_and_wait(
        f"SELECT g, TO_JSON_STRING(APPROX_QUANTILES(f, 2)) AS q FROM `{table}` GROUP BY g ORDER BY g"
    )
    assert [(r.g, r.q) for r in rows] == [(1, '["NaN",1,2]'), (2, "[5,5,5]")]


@pytest.mark.parametrize("sql, fragment", ERRORS)
def test_bigquerys_errors(warehouse, bigquery_client, sql, fragment):
    assert_fails_locally(warehouse, sql, fragment)
    assert_fails_through_client(bigquery_client, sql, fragment)
