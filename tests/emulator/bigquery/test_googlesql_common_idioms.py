"""Everyday GoogleSQL that failed or answered wrong, found by trying common report queries:

- nested date calls (`DATE_SUB(DATE_TRUNC(DATE_ADD(d, INTERVAL 1 MONTH), MONTH), INTERVAL 1 DAY)`,
  the last day of d's month) failed with "the local warehouse inferred a wrong argument type":
  the DATE cast an outer call got was made of a copy, and the inner DATE_ADD's cast was put on
  the tree the copy replaced, so DuckDB's DATE + INTERVAL stayed a TIMESTAMP; under a CAST to
  another type (`CAST(DATE_ADD(...) AS STRING)`, CONCAT) there was no DATE cast at all, and the
  text was silently `2024-02-29 00:00:00`;
- `EXTRACT(DAYOFWEEK ...)` inside another EXTRACT's argument counted Sunday as 0 (DuckDB's), so the
  outer value was silently one day off, for the same reason;
- ORDER BY a grouped expression written out again (`GROUP BY 1 ORDER BY DATE_TRUNC(d, MONTH)`)
  and a window key that is a grouped expression (`SUM(SUM(v)) OVER (ORDER BY DATE_TRUNC(d,
  MONTH)) ... GROUP BY DATE_TRUNC(d, MONTH)`) failed with "SELECT list expression references
  column d which is neither grouped nor aggregated": the copies were translated with other checks;
- `LAST_DAY(d, ISOWEEK)` and `LAST_DAY(d, ISOYEAR)` (date parts the reference lists) were refused;
- format elements: see ELEMENTS.

Each case's value is worked out from the GoogleSQL reference's definitions; each runs on the local
warehouse and through the real BigQuery client.
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

D = dt.date
SALES = (
    "WITH sales AS (SELECT 'a' AS k, DATE '2024-01-05' AS d, 10 AS v UNION ALL SELECT 'a', DATE '2024-01-20', 5 "
    "UNION ALL SELECT 'a', DATE '2024-02-01', 7 UNION ALL SELECT 'b', DATE '2024-02-03', 1) "
)
NESTED_DATES = [
    (
        "DATE_SUB(DATE_TRUNC(DATE_ADD(DATE '2024-02-10', INTERVAL 1 MONTH), MONTH), INTERVAL 1 DAY)",
        D(2024, 2, 29),
        "DATE",
    ),
    (
        "DATE_SUB(DATE_TRUNC(DATE_ADD(DATE '2023-02-10', INTERVAL 1 MONTH), MONTH), INTERVAL 1 DAY)",
        D(2023, 2, 28),
        "DATE",
    ),
    (
        "DATE_ADD(DATE_TRUNC(DATE_SUB(DATE '2024-03-10', INTERVAL 1 MONTH), MONTH), INTERVAL 1 DAY)",
        D(2024, 2, 2),
        "DATE",
    ),
    ("DATE_SUB(DATE_TRUNC(DATE_ADD(DATE '2024-02-10', INTERVAL 1 DAY), WEEK), INTERVAL 1 DAY)", D(2024, 2, 10), "DATE"),
    (
        "SELECT DATE_DIFF(DATE_SUB(DATE_TRUNC(DATE_ADD(d, INTERVAL 1 MONTH), MONTH), INTERVAL 1 DAY), "
        "DATE_TRUNC(d, MONTH), DAY) + 1 FROM UNNEST([DATE '2024-02-10']) AS d",
        29,
        "INT64",
    ),
    # a CAST to another type read DuckDB's TIMESTAMP (the DATE cast was left out under any CAST)
    ("CAST(DATE_ADD(DATE '2024-01-31', INTERVAL 1 MONTH) AS STRING)", "2024-02-29", "STRING"),
    ("CONCAT(DATE_TRUNC(DATE '2024-05-15', MONTH), '!')", "2024-05-01!", "STRING"),
    ("FORMAT('%t', LAST_DAY(DATE '2024-02-10'))", "2024-02-29", "STRING"),
    # DAYOFWEEK counts Sunday as 1: 2024-01-03 is a Wednesday (4), 2024-01-05 a Friday (6)
    (
        "EXTRACT(DAYOFWEEK FROM DATE_ADD(DATE '2024-01-01', INTERVAL EXTRACT(DAYOFWEEK FROM DATE '2024-01-03') DAY))",
        6,
        "INT64",
    ),
]
LAST_DAYS = [
    ("LAST_DAY(DATE '2024-02-10', ISOWEEK)", D(2024, 2, 11), "DATE"),
    ("LAST_DAY(DATE '2024-02-11', ISOWEEK)", D(2024, 2, 11), "DATE"),
    ("LAST_DAY(DATETIME '2024-01-01 10:00:00', ISOWEEK)", D(2024, 1, 7), "DATE"),
    # ISO 2020 ends on Sunday 2021-01-03; ISO 2024 on 2024-12-29; ISO 2026 has 53 weeks
    ("LAST_DAY(DATE '2021-01-02', ISOYEAR)", D(2021, 1, 3), "DATE"),
    ("LAST_DAY(DATE '2024-02-10', ISOYEAR)", D(2024, 12, 29), "DATE"),
    ("LAST_DAY(DATE '2026-12-28', ISOYEAR)", D(2027, 1, 3), "DATE"),
    ("LAST_DAY(DATETIME '2008-11-25 00:00:00', ISOYEAR)", D(2008, 12, 28), "DATE"),
]
# format elements of the format elements page: %s is text (it was an INT64 column when alone,
# and rounded 0.9 s up), %J (ISO day of the year) and %P (am/pm) were DuckDB's "Unrecognized
# format", PARSE_TIMESTAMP/PARSE_DATETIME with %s failed the same way
ELEMENTS = [
    ("FORMAT_TIMESTAMP('%s', TIMESTAMP '2023-11-14 22:13:20.9+00')", "1700000000", "STRING"),
    ("FORMAT_DATETIME('%s', DATETIME '1969-12-31 23:59:59.5')", "-1", "STRING"),
    ("FORMAT_TIMESTAMP('%J|%P|%s', TIMESTAMP '2024-03-07 15:04:05+00')", "067|pm|1709823845", "STRING"),
    ("FORMAT_DATE('%J', DATE '2021-01-03')", "371", "STRING"),
    ("FORMAT_DATETIME('%P', DATETIME '2024-01-01 09:00:00')", "am", "STRING"),
    # a TIME is formatted as that time of 1970-01-01 UTC: %s is its seconds of the day (it was
    # DuckDB's "Unimplemented type for cast (TIME -> TIMESTAMP WITH TIME ZONE)")
    ("FORMAT_TIME('%s', TIME '15:06:07.9')", "54367", "STRING"),
    ("FORMAT_TIME('%H:%M|%s', TIME '00:00:01')", "00:00|1", "STRING"),
    (
        "PARSE_TIMESTAMP('%s', '1700000000')",
        dt.datetime(2023, 11, 14, 22, 13, 20, tzinfo=dt.UTC),
        "TIMESTAMP",
    ),
    ("PARSE_DATETIME('%s', '-1')", dt.datetime(1969, 12, 31, 23, 59, 59), "DATETIME"),
    ("SAFE.PARSE_TIMESTAMP('%s', 'abc')", None, "TIMESTAMP"),
]
ROWS = case_params({"nested_dates": NESTED_DATES, "last_days": LAST_DAYS, "elements": ELEMENTS})

# (query, rows) of grouped queries that order or window by a grouped expression written out again
GROUPED = [
    (
        SALES
        + "SELECT DATE_TRUNC(d, MONTH) AS m, SUM(v) AS total FROM sales GROUP BY 1 ORDER BY DATE_TRUNC(d, MONTH) DESC",
        [(D(2024, 2, 1), 8), (D(2024, 1, 1), 15)],
    ),
    (
        SALES + "SELECT k, DATE_TRUNC(d, MONTH) AS m, SUM(v) AS total FROM sales "
        "GROUP BY k, DATE_TRUNC(d, MONTH) ORDER BY k, DATE_TRUNC(d, MONTH)",
        [("a", D(2024, 1, 1), 15), ("a", D(2024, 2, 1), 7), ("b", D(2024, 2, 1), 1)],
    ),
    (
        SALES + "SELECT k, DATE_TRUNC(d, MONTH) AS m, SUM(SUM(v)) OVER (PARTITION BY k ORDER BY DATE_TRUNC(d, MONTH)) "
        "AS running FROM sales GROUP BY k, m ORDER BY k, m",
        [("a", D(2024, 1, 1), 15), ("a", D(2024, 2, 1), 22), ("b", D(2024, 2, 1), 1)],
    ),
    (
        SALES + "SELECT DISTINCT FORMAT_DATE('%Y-%m', d) AS ym FROM sales ORDER BY FORMAT_DATE('%Y-%m', d)",
        [("2024-01",), ("2024-02",)],
    ),
    (SALES + "SELECT k, COUNT(*) AS n FROM sales GROUP BY k ORDER BY COUNT(*) DESC, k", [("a", 3), ("b", 1)]),
]


@pytest.mark.parametrize("sql, want, typ", ROWS)
def test_local_warehouse(warehouse, sql, want, typ):
    check_locally(warehouse, sql, want, typ)


def test_seconds_beside_other_elements_are_refused(warehouse, bigquery_client):
    sql = "SELECT PARSE_TIMESTAMP('%Y %s', '2024 1700000000')"
    assert_fails_locally(warehouse, sql, "%s beside other elements")
    assert_fails_through_client(bigquery_client, sql, "%s beside other elements")


def test_through_client(bigquery_client):
    check_through_client(bigquery_client, NESTED_DATES + LAST_DAYS + ELEMENTS)


@pytest.mark.parametrize("sql, rows", GROUPED)
def test_grouped_orders_locally(warehouse, sql, rows):
    table = warehouse.query_result(sql).table
    assert [tuple(r.values()) for r in table.to_pylist()] == rows


@pytest.mark.parametrize("sql, rows", GROUPED)
def test_grouped_orders_through_client(bigquery_client, sql, rows):
    assert [tuple(r.values()) for r in bigquery_client.query_and_wait(sql)] == rows
