"""GoogleSQL the eleventh ZetaSQL compliance sweep found answered differently from BigQuery:

- `STRING_AGG(x ... LIMIT n)` counted NULL values toward the limit, so fewer values (or none)
  came back: `STRING_AGG(x, '-' ORDER BY x LIMIT 2)` over `'c', 'b', 'a', NULL` was `'a'`
  (BigQuery's STRING_AGG ignores NULL values; the limit counts the values it aggregates: `'a-b'`);
- `STRING_AGG(DISTINCT x)` of BYTES was a STRING, and with a BYTES delimiter DuckDB's error
  `Function "hex" is a Scalar Function` (the reference: STRING_AGG of BYTES is BYTES, DISTINCT
  aggregates distinct values);
- a QUALIFY clause that names a SELECT-list alias of FLOAT64 arithmetic (`price * qty AS total
  ... QUALIFY ROW_NUMBER() OVER (ORDER BY total DESC) = 1`) was DuckDB's error `Alias "total"
  referenced - but the expression has side effects`: the alias's FLOAT64 overflow check raises an
  error, which DuckDB counts as a side effect. The reference's QUALIFY reads SELECT-list aliases;
- a bare field name of an UNNEST of STRUCTs WITH OFFSET (`SELECT a FROM UNNEST(structs) AS e WITH
  OFFSET`) was `unrecognized name: a` (the reference: the STRUCTs' fields are columns of the
  UNNEST's rows, with or without WITH OFFSET).

Each row is our own query with the answer Google's GoogleSQL reference gives, run on the local
warehouse and through the real BigQuery client against the emulator.
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

S, B, F, INT = "STRING", "BYTES", "FLOAT64", "INT64"

# STRING_AGG ignores NULL values: LIMIT counts the values it aggregates
STRING_AGG_LIMITS = [
    ("SELECT STRING_AGG(x, '-' ORDER BY x LIMIT 2) FROM UNNEST(['c', 'b', 'a', NULL]) AS x", "a-b", S),
    ("SELECT STRING_AGG(x, '-' LIMIT 1) FROM UNNEST([NULL, NULL, 'c']) AS x", "c", S),
    # only NULL values, or LIMIT 0: NULL, as for no values (right before too)
    ("SELECT STRING_AGG(x ORDER BY x LIMIT 5) FROM UNNEST(CAST([NULL, NULL] AS ARRAY<STRING>)) AS x", None, S),
    ("SELECT STRING_AGG(x, b'-' ORDER BY x LIMIT 2) FROM UNNEST([b'3', b'2', b'1', NULL]) AS x", b"1-2", B),
    (
        "SELECT STRING_AGG(DISTINCT x, ',' ORDER BY x LIMIT 2) FROM UNNEST([NULL, 'b', 'a', 'b', NULL, 'c']) AS x",
        "a,b",
        S,
    ),
    ("SELECT STRING_AGG(x, '-' ORDER BY x LIMIT 0) FROM UNNEST(['a', NULL]) AS x", None, S),
]

# STRING_AGG(DISTINCT bytes) is BYTES, with or without a delimiter, ORDER BY or LIMIT
DISTINCT_BYTES = [
    ("SELECT STRING_AGG(DISTINCT x) FROM UNNEST([b'ab', b'ab']) AS x", b"ab", B),
    ("SELECT STRING_AGG(DISTINCT x ORDER BY x) FROM UNNEST([b'2', b'1', b'2']) AS x", b"1,2", B),
    (
        "SELECT STRING_AGG(DISTINCT x, b'->' ORDER BY x DESC) FROM UNNEST([b'1', b'2', b'1', b'\\xff']) AS x",
        b"\xff->2->1",
        B,
    ),
    ("SELECT STRING_AGG(DISTINCT x, b'-') FROM UNNEST([b'z', NULL, b'z']) AS x", b"z", B),
    (
        "SELECT STRING_AGG(DISTINCT x, b'-' ORDER BY x LIMIT 2) FROM UNNEST([b'3', b'2', b'1', NULL, b'1']) AS x",
        b"1-2",
        B,
    ),
    ("SELECT STRING_AGG(DISTINCT x) FROM UNNEST(CAST([NULL] AS ARRAY<BYTES>)) AS x", None, B),
]

_ITEMS = "UNNEST([STRUCT('a' AS k, 1.5 AS price, 2 AS qty), ('a', 2.5, 3), ('b', 4.0, 1)])"
# QUALIFY reads a SELECT-list alias of arithmetic
QUALIFY_ALIASES = [
    (
        f"SELECT price * qty AS total FROM {_ITEMS} WHERE k = 'a' "
        "QUALIFY ROW_NUMBER() OVER (PARTITION BY k ORDER BY total DESC) = 1",
        7.5,
        F,
    ),
    (
        "SELECT x / 2 AS half FROM UNNEST([1.0, 3.0]) AS x WHERE TRUE "
        "QUALIFY half > 1 AND ROW_NUMBER() OVER (ORDER BY x) > 0",
        1.5,
        F,
    ),
    (
        "SELECT (ROW_NUMBER() OVER (ORDER BY i) + 100) AS rn FROM UNNEST([1, 2]) AS i WHERE TRUE QUALIFY rn = 101",
        101,
        INT,
    ),
    (
        "SELECT SUM(qty) * 1.5 AS s FROM " + _ITEMS + " GROUP BY k QUALIFY RANK() OVER (ORDER BY s DESC) = 1",
        7.5,
        F,
    ),
]

_DAYS = "ARRAY<STRUCT<start_day DATE, end_day DATE, step INT64>>[('2020-03-01', '2020-03-10', 4), ('2020-03-11', '2020-03-12', 1)]"
# a bare field name of an UNNEST of STRUCTs WITH OFFSET is the field
OFFSET_FIELDS = [
    (
        f"SELECT ARRAY_LENGTH(GENERATE_DATE_ARRAY(start_day, end_day, INTERVAL step DAY)) FROM UNNEST({_DAYS}) AS e "
        "WITH OFFSET WHERE offset = 0",
        3,
        INT,
    ),
    ("SELECT b FROM UNNEST([STRUCT(1 AS a, 'x' AS b)]) AS e WITH OFFSET", "x", S),
    ("SELECT SUM(a * pos) FROM UNNEST([STRUCT(5 AS a), STRUCT(7 AS a)]) AS e WITH OFFSET AS pos", 7, INT),
    ("SELECT (SELECT n FROM UNNEST(ARRAY<STRUCT<n INT64>>[STRUCT(5)]) AS e WITH OFFSET)", 5, INT),
]

FAMILIES = {
    "string_agg_limits": STRING_AGG_LIMITS,
    "distinct_bytes": DISTINCT_BYTES,
    "qualify_aliases": QUALIFY_ALIASES,
    "offset_fields": OFFSET_FIELDS,
}
ROWS = case_params(FAMILIES)


@pytest.mark.parametrize("sql, want, typ", ROWS)
def test_local_warehouse(warehouse, sql, want, typ):
    check_locally(warehouse, sql, want, typ)


@pytest.mark.parametrize("family", list(FAMILIES))
def test_bigquery_client(bigquery_client, family):
    check_through_client(bigquery_client, FAMILIES[family])


def test_an_overflow_in_a_qualified_alias_is_still_bigquerys_error(warehouse, bigquery_client):
    """The SELECT list's copy of the alias keeps its FLOAT64 overflow check."""
    sql = "SELECT x * 10 AS big FROM UNNEST([1e308]) AS x WHERE TRUE QUALIFY ROW_NUMBER() OVER (ORDER BY big) = 1"
    assert_fails_locally(warehouse, sql, "double overflow")
    assert_fails_through_client(bigquery_client, sql, "double overflow")


def test_a_numeric_average_whose_total_passes_38_digits_is_refused_by_name(warehouse, bigquery_client, dataset):
    """AVG of NUMERIC table values whose total passes DuckDB's DECIMAL(38, 9) (BigQuery answers
    5E+28 + 0.5): refused by name, as a running total past 38 digits already was; it was DuckDB's
    `Overflow in SUM of DECIMAL`."""
    values = "[NUMERIC '99999999999999999999999999999.999999999', NUMERIC '1']"
    warehouse.query_result("CREATE SCHEMA IF NOT EXISTS wide")
    warehouse.query_result(f"CREATE OR REPLACE TABLE wide.vals AS SELECT val FROM UNNEST({values}) AS val")
    assert_fails_locally(warehouse, "SELECT AVG(val) FROM wide.vals", "is not supported by the local warehouse")
    table = f"{dataset.project}.{dataset.dataset_id}.vals"
    bigquery_client.query_and_wait(f"CREATE TABLE `{table}` AS SELECT val FROM UNNEST({values}) AS val")
    assert_fails_through_client(
        bigquery_client, f"SELECT AVG(val) FROM `{table}`", "is not supported by the local warehouse"
    )
