"""Date part arguments as BigQuery checks them (`dateparts.py`, `datefamily.py`).

- A date part must be a date part name: `DATE_TRUNC(d, 'month')` was answered as if MONTH had
  been written (sqlglot reads a quoted part as the name); `DATE_TRUNC(d, foo)`,
  `EXTRACT(FORTNIGHT FROM d)`, `INTERVAL 3 DAYS` and the PostgreSQL order `DATE_TRUNC('month', d)` failed in DuckDB's
  words ("extract specifier ... not recognized", "Invalid date"). BigQuery: "A valid date part
  name is required but found foo" (a name), "A valid date part name is required" (anything else).
- A valid part must suit the argument's type (each function's list in the GoogleSQL reference):
  `EXTRACT(HOUR FROM date)` was 0, `DATE_TRUNC(date, HOUR)` the date, `DATE_DIFF(d1, d2, HOUR)`
  a count of hours, `TIME_TRUNC(t, DAY)` midnight, BigQuery
  fails each with "EXTRACT from DATE does not support the HOUR date part" or "DATE_TRUNC does not
  support the HOUR date part when the argument is DATE type". Where the argument's type is known
  from the text the error comes before the query runs; a column's type is checked by DuckDB.
- TIMESTAMP_DIFF by WEEK, MONTH, ... of TIMESTAMPs fails in BigQuery's words ("... when the
  argument is TIMESTAMP type"; it was worded as our own).

Each case is our own query, run on the local warehouse and through the real BigQuery client.
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

D = "DATE '2024-01-05'"
DT = "DATETIME '2024-01-05 10:11:12'"
TS = "TIMESTAMP '2024-01-05 10:11:12+00'"
T = "TIME '10:11:12'"

NOT_A_PART = [
    (f"SELECT DATE_TRUNC({D}, 'month')", "A valid date part name is required at [1:"),
    (f"SELECT DATE_TRUNC('month', {D})", "A valid date part name is required at [1:"),
    (f"SELECT DATE_TRUNC(d, foo) FROM (SELECT {D} AS d)", "A valid date part name is required but found foo"),
    (f"SELECT EXTRACT(FORTNIGHT FROM {D})", "A valid date part name is required but found FORTNIGHT"),
    (f"SELECT DATE_DIFF({D}, {D}, 'DAY')", "A valid date part name is required at [1:"),
    (f"SELECT TIMESTAMP_TRUNC({TS}, t.hour) FROM (SELECT 1 AS hour) t", "but found t.hour"),
    (f"SELECT LAST_DAY({D}, 'MONTH')", "A valid date part name is required"),
    (f"SELECT DATE_TRUNC({D}, WEEK(FUNDAY))", "A valid date part name is required"),
    (f"SELECT DATE_ADD({D}, INTERVAL 1 FORTNIGHT)", "A valid date part name is required but found FORTNIGHT"),
    ("SELECT GENERATE_DATE_ARRAY('2024-01-01', '2024-01-10', INTERVAL 3 DAYS)", "but found DAYS at [1:"),
]

PART_FOR_TYPE = [
    (f"SELECT EXTRACT(HOUR FROM {D})", "EXTRACT from DATE does not support the HOUR date part"),
    (f"SELECT EXTRACT(HOUR FROM d) FROM (SELECT {D} AS d)", "EXTRACT from DATE does not support the HOUR date part"),
    (f"SELECT EXTRACT(YEAR FROM {T})", "EXTRACT from TIME does not support the YEAR date part"),
    (f"SELECT EXTRACT(DATETIME FROM {DT})", "EXTRACT from DATETIME does not support the DATETIME date part"),
    (f"SELECT DATE_TRUNC({D}, HOUR)", "DATE_TRUNC does not support the HOUR date part when the argument is DATE type"),
    (
        f"SELECT DATE_TRUNC(d, MINUTE) FROM UNNEST([{D}]) AS d",
        "DATE_TRUNC does not support the MINUTE date part when the argument is DATE type",
    ),
    (
        f"SELECT DATE_DIFF({D}, {D}, HOUR)",
        "DATE_DIFF does not support the HOUR date part when the argument is DATE type",
    ),
    (f"SELECT TIME_TRUNC({T}, DAY)", "TIME_TRUNC does not support the DAY date part"),
    (f"SELECT TIME_DIFF({T}, {T}, MONTH)", "TIME_DIFF does not support the MONTH date part"),
    (
        f"SELECT DATETIME_TRUNC({DT}, DAYOFWEEK)",
        "DATETIME_TRUNC does not support the DAYOFWEEK date part when the argument is DATETIME type",
    ),
    (f"SELECT LAST_DAY({D}, DAY)", "LAST_DAY does not support the DAY date part when the argument is DATE type"),
    (
        f"SELECT TIMESTAMP_DIFF({TS}, {TS}, WEEK)",
        "TIMESTAMP_DIFF does not support the WEEK date part when the argument is TIMESTAMP type",
    ),
]

# parts each function takes, written every way BigQuery accepts them: the answers are the reference's
SERVED = {
    "names": [
        (f"DATE_TRUNC({D}, MONTH)", dt.date(2024, 1, 1), "DATE"),
        (f"DATE_TRUNC({D}, `month`)", dt.date(2024, 1, 1), "DATE"),
        (f"DATE_TRUNC({D}, month)", dt.date(2024, 1, 1), "DATE"),
        (f"DATE_DIFF({D}, DATE '2023-12-25', WEEK(MONDAY))", 1, "INT64"),
        (f"EXTRACT(ISOWEEK FROM {D})", 1, "INT64"),
        (f"EXTRACT(DAYOFWEEK FROM {D})", 6, "INT64"),
        (f"EXTRACT(WEEK(MONDAY) FROM {D})", 1, "INT64"),
        (f"EXTRACT(HOUR FROM {DT})", 10, "INT64"),
        (f"EXTRACT(HOUR FROM {T})", 10, "INT64"),
        (f"EXTRACT(DATE FROM {TS})", dt.date(2024, 1, 5), "DATE"),
        (f"LAST_DAY({D}, ISOWEEK)", dt.date(2024, 1, 7), "DATE"),
        (f"TIME_DIFF({T}, TIME '10:00:00', MINUTE)", 11, "INT64"),
        (f"TIMESTAMP_DIFF({TS}, TIMESTAMP '2024-01-04 10:11:12+00', DAY)", 1, "INT64"),
        (f"DATE_ADD({D}, INTERVAL -(1 + 1) DAY)", dt.date(2024, 1, 3), "DATE"),
        (f"DATE_ADD({D}, INTERVAL ABS(-2) WEEK)", dt.date(2024, 1, 19), "DATE"),
        ("EXTRACT(DAY FROM INTERVAL '1-2 3' YEAR TO DAY)", 3, "INT64"),
    ],
    "columns": [
        ("SELECT EXTRACT(HOUR FROM t) FROM UNNEST([TIMESTAMP '2024-01-05 10:11:12+00']) AS t", 10, "INT64"),
        ("SELECT EXTRACT(DAY FROM d) FROM UNNEST([DATE '2024-01-05']) AS d", 5, "INT64"),
        (
            "SELECT DATE_TRUNC(t, HOUR) FROM (SELECT DATETIME '2024-01-05 10:11:12' AS t)",
            dt.datetime(2024, 1, 5, 10),
            "DATETIME",
        ),
        ("SELECT EXTRACT(HOUR FROM t) FROM UNNEST([CAST(NULL AS TIMESTAMP)]) AS t", None, "INT64"),
    ],
}
ERRORS = NOT_A_PART + PART_FOR_TYPE


@pytest.mark.parametrize(("sql", "fragment"), ERRORS)
def test_a_wrong_date_part_fails_locally(warehouse, sql, fragment):
    assert_fails_locally(warehouse, sql, fragment)


@pytest.mark.parametrize(("sql", "fragment"), ERRORS)
def test_a_wrong_date_part_fails_through_the_client(bigquery_client, sql, fragment):
    assert_fails_through_client(bigquery_client, sql, fragment)


@pytest.mark.parametrize(("sql", "want", "typ"), case_params(SERVED))
def test_date_parts_served_locally(warehouse, sql, want, typ):
    check_locally(warehouse, sql, want, typ)


@pytest.mark.parametrize("family", list(SERVED))
def test_date_parts_served_through_the_client(bigquery_client, family):
    check_through_client(bigquery_client, SERVED[family])
