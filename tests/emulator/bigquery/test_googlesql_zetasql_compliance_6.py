"""Silently wrong answers left by the ZetaSQL compliance sweep, now BigQuery's.

Each row is a ZetaSQL compliance case (unionall_queries) or our own query, with GoogleSQL's
answer, run on the local warehouse and through the real BigQuery client:

- a string literal beside a DATE, DATETIME, TIMESTAMP or TIME value in a set operation
  (`SELECT DATE '2014-01-17' UNION ALL SELECT '2015-01-17'`) made the column a STRING; GoogleSQL
  coerces the literal to the other value's type (literal coercion), also beside a table's column;
- a FROM subquery that is a value table (`SELECT AS VALUE 1 UNION ALL SELECT AS VALUE 2`) read
  by its alias was a row, a STRUCT of the value (`SELECT DISTINCT AS VALUE x FROM (...) x` answered
  {2}, {1}; `x + 1` and SUM(x) failed): the alias names the value.
"""

from __future__ import annotations

import datetime as dt

import pytest
from googlesql_cases import (
    assert_fails_locally,
    assert_fails_through_client,
    case_params,
    check_locally,
    check_through_client,
)

UTC = dt.UTC

TEMPORAL_LITERALS = [
    # unionall_queries:unionall_literal_coercion_string, with literals
    (
        "SELECT MAX(d) FROM (SELECT DATE '2014-01-17' AS d UNION ALL SELECT '2015-01-17')",
        dt.date(2015, 1, 17),
        "DATE",
    ),
    ("SELECT MIN(d) FROM (SELECT '2015-01-17' AS d UNION ALL SELECT DATE '2014-01-17')", dt.date(2014, 1, 17), "DATE"),
    (
        "SELECT MAX(t) FROM (SELECT TIMESTAMP '2014-01-17 00:00:00+00' AS t "
        "UNION ALL SELECT '2015-01-17 00:00:00.123456 UTC')",
        dt.datetime(2015, 1, 17, 0, 0, 0, 123456, tzinfo=UTC),
        "TIMESTAMP",
    ),
    (
        "SELECT MAX(t) FROM (SELECT DATETIME '2014-01-17 10:00:00' AS t UNION DISTINCT SELECT '2015-01-17 10:00:00')",
        dt.datetime(2015, 1, 17, 10),
        "DATETIME",
    ),
    (
        "SELECT MAX(t) FROM (SELECT TIME '10:00:00' AS t UNION ALL SELECT NULL UNION ALL SELECT '11:00:00')",
        dt.time(11),
        "TIME",
    ),
]

VALUE_TABLES = [
    # select_distinct: SELECT DISTINCT AS VALUE over a value table
    (
        "SELECT ARRAY(SELECT DISTINCT AS VALUE x FROM "
        "(SELECT AS VALUE 1 UNION ALL SELECT AS VALUE 2 UNION ALL SELECT AS VALUE 1) x ORDER BY x)",
        [1, 2],
        "INT64",
    ),
    ("SELECT SUM(x) FROM (SELECT AS VALUE 1 UNION ALL SELECT AS VALUE 2) x", 3, "INT64"),
    ("SELECT x + 1 FROM (SELECT AS VALUE 1) AS x", 2, "INT64"),
    ("SELECT MAX(x) FROM (SELECT AS VALUE 'a' UNION ALL SELECT AS VALUE 'b') AS x", "b", "STRING"),
]

FAMILIES = {"temporal_literals": TEMPORAL_LITERALS, "value_tables": VALUE_TABLES}
ROWS = case_params(FAMILIES)


@pytest.mark.parametrize("sql, want, typ", ROWS)
def test_local_warehouse(warehouse, sql, want, typ):
    check_locally(warehouse, sql, want, typ)


@pytest.mark.parametrize("family", list(FAMILIES))
def test_bigquery_client(bigquery_client, family):
    check_through_client(bigquery_client, FAMILIES[family])


ERRORS = [
    # a literal that is no DATE is not one in a set operation either
    ("SELECT DATE '2014-01-17' AS d UNION ALL SELECT 'x'", "date"),
]


@pytest.mark.parametrize("sql, fragment", ERRORS)
def test_bigquerys_errors(warehouse, bigquery_client, sql, fragment):
    assert_fails_locally(warehouse, sql, fragment)
    assert_fails_through_client(bigquery_client, sql, fragment)


def test_string_literals_beside_table_columns_take_their_types(bigquery_client, dataset):
    """unionall_queries:unionall_literal_coercion_string: a DATE and a TIMESTAMP column."""
    table = f"{dataset.project}.{dataset.dataset_id}.typed"
    bigquery_client.query_and_wait(f"CREATE TABLE `{table}` (d DATE, ts TIMESTAMP)")
    bigquery_client.query_and_wait(f"INSERT INTO `{table}` VALUES ('2014-01-17', '2014-01-17 00:00:01.098+00')")
    result = bigquery_client.query_and_wait(
        f"SELECT d, ts FROM `{table}` UNION ALL SELECT '2015-01-17', '2015-01-17 00:00:00.123456 UTC' ORDER BY d"
    )
    assert [f.field_type for f in result.schema] == ["DATE", "TIMESTAMP"]
    assert [tuple(r.values()) for r in result] == [
        (dt.date(2014, 1, 17), dt.datetime(2014, 1, 17, 0, 0, 1, 98000, tzinfo=UTC)),
        (dt.date(2015, 1, 17), dt.datetime(2015, 1, 17, 0, 0, 0, 123456, tzinfo=UTC)),
    ]
