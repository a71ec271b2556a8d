"""GoogleSQL the tenth ZetaSQL compliance sweep found answered differently from BigQuery:

- `NUMERIC * NUMERIC` was DuckDB's DECIMAL(38, 18) product: a BIGNUMERIC with 18 decimals
  (`NUMERIC '1.000000001' * NUMERIC '1.000000001'` was 1.000000002000000001) and an overflow
  error past 10^20; BigQuery's product is a NUMERIC rounded half away from zero to 9 decimals, up
  to NUMERIC's 10^29, and "numeric overflow" beyond;
- a RANGE frame over a FLOAT64 key whose bound overflows (`k + 1.79769e308 FOLLOWING` at a finite
  `k`) took in the rows whose key is +inf (or -inf); the bound stops at the largest FLOAT64, as
  ZetaSQL's does;
- `DATETIME_TRUNC(timestamp, part)` was truncated as a DATETIME and typed DATETIME; BigQuery's
  DATETIME_TRUNC takes a TIMESTAMP too and answers TIMESTAMP_TRUNC's TIMESTAMP.

Each row is our own query with the answer Google's GoogleSQL reference gives, run on the local
warehouse and through the real BigQuery client against the emulator.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from googlesql_cases import (
    assert_fails_locally,
    assert_fails_through_client,
    case_params,
    check_locally,
    check_through_client,
)

NUM, F = "NUMERIC", "FLOAT64"


def _pairs(x: str, y: str) -> str:
    return f"FROM UNNEST([NUMERIC '{x}']) AS x, UNNEST([NUMERIC '{y}']) AS y"


# NUMERIC * NUMERIC: a NUMERIC, rounded half away from zero to 9 decimals
NUMERIC_PRODUCTS = [
    ("NUMERIC '1.000000001' * NUMERIC '1.000000001'", Decimal("1.000000002"), NUM),
    (f"SELECT x * y {_pairs('1.000000001', '-1.0000000005')}", Decimal("-1.000000002"), NUM),
    (f"SELECT x * y {_pairs('0.00001', '0.00005')}", Decimal("1E-9"), NUM),
    (f"SELECT x * y {_pairs('0.00001', '0.00004')}", Decimal("0E-9"), NUM),
    (f"SELECT x * y {_pairs('10000000000', '10000000000')}", Decimal("100000000000000000000.000000000"), NUM),
    (
        f"SELECT x * y {_pairs('12345678901234.123456789', '-98765432109876.987654321')}",
        Decimal("-1219326311370179544566211949.200412909"),
        NUM,
    ),
    (
        f"SELECT x * y {_pairs('99999999999999999999999999999.999999999', '0.5')}",
        Decimal("50000000000000000000000000000.000000000"),
        NUM,
    ),
    ("SELECT SUM(x * y) FROM (SELECT NUMERIC '1.5' AS x, NUMERIC '1.000000001' AS y)", Decimal("1.500000002"), NUM),
    (
        "SELECT (SUM(x) OVER () / 2) * (SUM(y) OVER () / 2) FROM (SELECT NUMERIC '3.000000001' AS x,"
        " NUMERIC '1.000000001' AS y)",
        Decimal("0.750000002"),
        NUM,
    ),
    ("SELECT x * y FROM (SELECT CAST(NULL AS NUMERIC) AS x, NUMERIC '2' AS y)", None, NUM),
    # with an INT64 or a FLOAT64 the product was right already
    ("SELECT x * 3 FROM (SELECT NUMERIC '1.000000001' AS x)", Decimal("3.000000003"), NUM),
    ("SELECT x * y FROM (SELECT NUMERIC '1.5' AS x, 2.5 AS y)", 3.75, F),
]

_KEYS = (
    "SELECT k, v FROM UNNEST([STRUCT(1.0 AS k, 1 AS v), (1.79769e308, 2), "
    "(CAST('inf' AS FLOAT64), 4), (CAST('-inf' AS FLOAT64), 8), (-1.79769e308, 16)])"
)
# a RANGE frame over a FLOAT64 key: a finite key's bound stops at the largest FLOAT64
FLOAT_RANGE_FRAMES = [
    (
        f"SELECT SUM(v) OVER (ORDER BY k RANGE BETWEEN CURRENT ROW AND 1.79769e308 FOLLOWING) AS s FROM ({_KEYS}) "
        "ORDER BY v LIMIT 1 OFFSET 1",
        2,
        "INT64",
    ),
    (
        f"SELECT SUM(v) OVER (ORDER BY k DESC RANGE BETWEEN CURRENT ROW AND 1.79769e308 FOLLOWING) AS s "
        f"FROM ({_KEYS}) ORDER BY v DESC LIMIT 1",
        16,
        "INT64",
    ),
    (
        f"SELECT SUM(v) OVER (ORDER BY k RANGE BETWEEN 1.79769e308 PRECEDING AND CURRENT ROW) AS s FROM ({_KEYS}) "
        "ORDER BY v DESC LIMIT 1",
        16,
        "INT64",
    ),
    # an infinite key, or an infinite offset, keeps its infinite bound
    (
        f"SELECT SUM(v) OVER (ORDER BY k RANGE BETWEEN CURRENT ROW AND 1.79769e308 FOLLOWING) AS s FROM ({_KEYS}) "
        "ORDER BY v LIMIT 1 OFFSET 2",
        4,
        "INT64",
    ),
    (
        "SELECT SUM(v) OVER (ORDER BY k RANGE BETWEEN CURRENT ROW AND CAST('inf' AS FLOAT64) FOLLOWING) AS s "
        "FROM UNNEST([STRUCT(1.79769e308 AS k, 2 AS v), (CAST('inf' AS FLOAT64), 4)]) ORDER BY v LIMIT 1",
        6,
        "INT64",
    ),
    # a bound that does not overflow is as before (1 + 1.79769e308 rounds to 1.79769e308)
    (
        f"SELECT SUM(v) OVER (ORDER BY k RANGE BETWEEN CURRENT ROW AND 1.79769e308 FOLLOWING) AS s FROM ({_KEYS}) "
        "ORDER BY v LIMIT 1",
        3,
        "INT64",
    ),
]

_TS = "TIMESTAMP '2001-02-03 04:05:06.789+00'"
# DATETIME_TRUNC of a TIMESTAMP truncates it as TIMESTAMP_TRUNC does, and is a TIMESTAMP
TIMESTAMP_TRUNCS = [
    (f"DATETIME_TRUNC({_TS}, MONTH)", dt.datetime(2001, 2, 1, tzinfo=dt.UTC), "TIMESTAMP"),
    (
        f"SELECT DATETIME_TRUNC(ts, HOUR) FROM (SELECT {_TS} AS ts)",
        dt.datetime(2001, 2, 3, 4, tzinfo=dt.UTC),
        "TIMESTAMP",
    ),
    (
        f"SELECT DATETIME_TRUNC(ts, DAY, 'America/Los_Angeles') FROM (SELECT {_TS} AS ts)",
        dt.datetime(2001, 2, 2, 8, tzinfo=dt.UTC),
        "TIMESTAMP",
    ),
    # of a DATETIME it stays a DATETIME
    ("DATETIME_TRUNC(DATETIME '2001-02-03 04:05:06', MONTH)", dt.datetime(2001, 2, 1), "DATETIME"),
]

FAMILIES = {
    "numeric_products": NUMERIC_PRODUCTS,
    "float_range_frames": FLOAT_RANGE_FRAMES,
    "timestamp_truncs": TIMESTAMP_TRUNCS,
}
ROWS = case_params(FAMILIES)


@pytest.mark.parametrize("sql, want, typ", ROWS)
def test_local_warehouse(warehouse, sql, want, typ):
    check_locally(warehouse, sql, want, typ)


@pytest.mark.parametrize("family", list(FAMILIES))
def test_bigquery_client(bigquery_client, family):
    check_through_client(bigquery_client, FAMILIES[family])


@pytest.mark.parametrize(
    "sql",
    [
        f"SELECT x * y {_pairs('100000000000000000000', '1000000000')}",
        f"SELECT x * y {_pairs('99999999999999999999999999999.999999999', '1.000000001')}",
        f"SELECT x * y {_pairs('-10000000000000000', '-10000000000000')}",
    ],
)
def test_a_product_past_numeric_is_bigquerys_overflow(warehouse, bigquery_client, sql):
    assert_fails_locally(warehouse, sql, "numeric overflow")
    assert_fails_through_client(bigquery_client, sql, "numeric overflow")


def test_table_columns_multiply_as_numeric(bigquery_client, dataset):
    """NUMERIC columns of a table: the schema's types choose the exact product."""
    table = f"{dataset.project}.{dataset.dataset_id}.prices"
    bigquery_client.query_and_wait(
        f"CREATE TABLE `{table}` AS SELECT NUMERIC '19.999999999' AS price, NUMERIC '3.000000001' AS qty"
    )
    result = bigquery_client.query_and_wait(f"SELECT price * qty AS total FROM `{table}`")
    assert [row.total for row in result] == [Decimal("60.000000017")]
    assert result.schema[0].field_type == "NUMERIC"
