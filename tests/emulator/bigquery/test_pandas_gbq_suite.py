"""The queries of pandas-gbq 0.35.4's own system tests (`tests/system/test_read_gbq.py`'s
`test_default_dtypes` cases and `test_gbq.py`'s STRUCT/ARRAY reads) with the values their
expected DataFrames give, which pandas-gbq's CI checks against BigQuery. The suite itself, run
against the emulator, passes all of these; this module keeps them without pandas-gbq: on the local
warehouse, through the real BigQuery client (REST rows) and through the Read API.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

UTC = datetime.UTC

# `test_default_dtypes[scalar-types-nonnull-normal-range]`, one row: INT64's bounds as hex
# literals (the minimum negated), BYTES FORMAT 'HEX', microsecond TIME/DATETIME/TIMESTAMP.
SCALARS = """
SELECT
  0x7fffffffffffffff AS int64_max,
  -0x8000000000000000 AS int64_min,
  CAST('C00010FF' AS BYTES FORMAT 'HEX') AS bytes_col,
  CAST('999.999999' AS NUMERIC) AS numeric_col,
  CAST('23:59:59.999999' AS TIME) AS time_col,
  DATETIME('2018-04-11 23:59:59.999999') AS datetime_col,
  TIMESTAMP('2018-04-11 23:59:59.999999') AS timestamp_col,
  'こんにちは' AS string_col
"""
SCALARS_ROWS = [
    {
        "int64_max": 2**63 - 1,
        "int64_min": -(2**63),
        "bytes_col": bytes.fromhex("C00010FF"),
        "numeric_col": Decimal("999.999999"),
        "time_col": datetime.time(23, 59, 59, 999999),
        "datetime_col": datetime.datetime(2018, 4, 11, 23, 59, 59, 999999),
        "timestamp_col": datetime.datetime(2018, 4, 11, 23, 59, 59, 999999, tzinfo=UTC),
        "string_col": "こんにちは",
    }
]

# `test_default_dtypes[issue365-extreme-datetimes]`, verbatim.
EXTREME_DATETIMES = """
SELECT
  dates.row_num AS row_num,
  date_col,
  datetime_col,
  timestamp_col
FROM
  UNNEST([
      STRUCT(1 AS row_num, DATE(1, 1, 1) AS date_col),
      STRUCT(2 AS row_num, DATE(9999, 12, 31) AS date_col),
      STRUCT(3 AS row_num, DATE(2262, 4, 12) AS date_col) ]) AS `dates`
INNER JOIN
  UNNEST([
      STRUCT(1 AS row_num, DATETIME('0001-01-01 00:00:00.000000') AS datetime_col),
      STRUCT(2 AS row_num, DATETIME('9999-12-31 23:59:59.999999') AS datetime_col),
      STRUCT(3 AS row_num, DATETIME('2262-04-11 23:47:16.854776') AS datetime_col) ]) AS `datetimes`
INNER JOIN
  UNNEST([
      STRUCT(1 AS row_num, TIMESTAMP('0001-01-01 00:00:00.000000') AS timestamp_col),
      STRUCT(2 AS row_num, TIMESTAMP('9999-12-31 23:59:59.999999') AS timestamp_col),
      STRUCT(3 AS row_num, TIMESTAMP('2262-04-11 23:47:16.854776') AS timestamp_col) ]) AS `timestamps`
WHERE
  `dates`.row_num = `datetimes`.row_num
  AND `dates`.row_num = `timestamps`.row_num
ORDER BY row_num ASC
"""
EXTREME_DATETIMES_ROWS = [
    {
        "row_num": 1,
        "date_col": datetime.date(1, 1, 1),
        "datetime_col": datetime.datetime(1, 1, 1),
        "timestamp_col": datetime.datetime(1, 1, 1, tzinfo=UTC),
    },
    {
        "row_num": 2,
        "date_col": datetime.date(9999, 12, 31),
        "datetime_col": datetime.datetime(9999, 12, 31, 23, 59, 59, 999999),
        "timestamp_col": datetime.datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
    },
    {
        "row_num": 3,
        "date_col": datetime.date(2262, 4, 12),
        "datetime_col": datetime.datetime(2262, 4, 11, 23, 47, 16, 854776),
        "timestamp_col": datetime.datetime(2262, 4, 11, 23, 47, 16, 854776, tzinfo=UTC),
    },
]

# `test_default_dtypes[bignumeric-normal-range]`, verbatim.
BIGNUMERICS = """
SELECT
  bignumerics.row_num AS row_num,
  bignumeric_col,
  nullable_col,
  null_col
FROM
  UNNEST([
      STRUCT(1 AS row_num, CAST('123456789.123456789' AS BIGNUMERIC) AS bignumeric_col),
      STRUCT(2 AS row_num, CAST('-123456789.123456789' AS BIGNUMERIC) AS bignumeric_col),
      STRUCT(3 AS row_num, CAST('987654321.987654321' AS BIGNUMERIC) AS bignumeric_col) ]) AS `bignumerics`
INNER JOIN
  UNNEST([
      STRUCT(1 AS row_num, CAST('123456789.123456789' AS BIGNUMERIC) AS nullable_col),
      STRUCT(2 AS row_num, NULL AS nullable_col),
      STRUCT(3 AS row_num, CAST('987654321.987654321' AS BIGNUMERIC) AS nullable_col) ]) AS `nullables`
INNER JOIN
  UNNEST([
      STRUCT(1 AS row_num, CAST(NULL AS BIGNUMERIC) AS null_col),
      STRUCT(2 AS row_num, CAST(NULL AS BIGNUMERIC) AS null_col),
      STRUCT(3 AS row_num, CAST(NULL AS BIGNUMERIC) AS null_col) ]) AS `nulls`
WHERE
  `bignumerics`.row_num = `nullables`.row_num
  AND `bignumerics`.row_num = `nulls`.row_num
ORDER BY row_num ASC
"""
BIGNUMERICS_ROWS = [
    {"row_num": 1, "bignumeric_col": Decimal("123456789.123456789"), "nullable_col": Decimal("123456789.123456789")},
    {"row_num": 2, "bignumeric_col": Decimal("-123456789.123456789"), "nullable_col": None},
    {"row_num": 3, "bignumeric_col": Decimal("987654321.987654321"), "nullable_col": Decimal("987654321.987654321")},
]
for _row in BIGNUMERICS_ROWS:
    _row["null_col"] = None

# `test_gbq.py`'s test_struct, test_array, test_array_length_zero, test_array_agg,
# test_array_of_floats.
NESTED = [
    (
        """SELECT 1 int_field, STRUCT("a" as letter, 1 as num) struct_field""",
        [{"int_field": 1, "struct_field": {"letter": "a", "num": 1}}],
    ),
    ("""select ["a","x","b","y","c","z"] as letters""", [{"letters": ["a", "x", "b", "y", "c", "z"]}]),
    (
        """WITH t as (SELECT "a" letter, [""] as array_field
                      UNION ALL SELECT "b" letter, [] as array_field)
           select letter, array_field, array_length(array_field) len from t order by letter ASC""",
        [{"letter": "a", "array_field": [""], "len": 1}, {"letter": "b", "array_field": [], "len": 0}],
    ),
    (
        """WITH t as (SELECT "a" letter, 1 num UNION ALL SELECT "b" letter, 2 num
                      UNION ALL SELECT "a" letter, 3 num)
           select letter, array_agg(num order by num ASC) numbers from t group by letter order by letter ASC""",
        [{"letter": "a", "numbers": [1, 3]}, {"letter": "b", "numbers": [2]}],
    ),
    ("""select [1.1, 2.2, 3.3] as a, 4 as b""", [{"a": [1.1, 2.2, 3.3], "b": 4}]),
]

CASES = [
    pytest.param(SCALARS, SCALARS_ROWS, id="scalar-types"),
    pytest.param(EXTREME_DATETIMES, EXTREME_DATETIMES_ROWS, id="issue365-extreme-datetimes"),
    pytest.param(BIGNUMERICS, BIGNUMERICS_ROWS, id="bignumeric-normal-range"),
    *(pytest.param(sql, rows, id=f"nested-{n}") for n, (sql, rows) in enumerate(NESTED)),
]


@pytest.mark.parametrize("sql, want", CASES)
def test_pandas_gbq_query_locally(warehouse, sql, want):
    assert warehouse.query_result(sql).table.to_pylist() == want


@pytest.mark.parametrize("sql, want", CASES)
def test_pandas_gbq_query_through_client(bigquery_client, sql, want):
    rows = bigquery_client.query_and_wait(sql)
    assert [dict(r.items()) for r in rows] == want


@pytest.mark.parametrize("sql, want", CASES)
def test_pandas_gbq_query_through_read_api(bigquery_client, bigquery_read_client, sql, want):
    arrow = bigquery_client.query(sql).result().to_arrow(bqstorage_client=bigquery_read_client)
    assert arrow.to_pylist() == want
