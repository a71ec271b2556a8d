"""DATE_, DATETIME_ and TIMESTAMP_ functions given a value of another of those types, and the date
parts each accepts, as BigQuery's analyzer (ZetaSQL's extended date/time signatures) treats them.

Silently wrong before: DATE_ADD / DATE_SUB of a DATETIME, FORMAT_DATE of a DATETIME and
DATE_BUCKET of a DATETIME cast it to a DATE and dropped the time; TIMESTAMP_BUCKET and
DATETIME_BUCKET of a DATE answered a TIMESTAMP / DATETIME; DATE_ADD of a TIMESTAMP answered a
DATE; TIME() of a string with a UTC offset ignored the offset; and a date part the function
cannot add (`TIMESTAMP_ADD(ts, INTERVAL 1 MONTH)`, `DATE_ADD(d, INTERVAL 1 HOUR)`,
`TIME_ADD(t, INTERVAL 1 DAY)`) answered instead of failing. ZetaSQL compliance cases
civil_time:datetime_in_date_add_sub, datetime_in_format_date, datetime_in_date_bucket,
time_on_string_literal_or_parameter, date:date_in_timestamp_bucket, date_in_datetime_bucket,
timestamp_with_default_time_zone:timestamp_in_date_bucket; the errors are ZetaSQL's
CheckDateDatetimeTimestampAddSubArguments / CheckTimeAddSubArguments.
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

DT = "DATETIME '2000-01-01 00:00:00'"
UTC = dt.UTC

ADD_SUB = [
    (f"DATE_ADD({DT}, INTERVAL 1 YEAR)", dt.datetime(2001, 1, 1), "DATETIME"),
    (f"DATE_SUB({DT}, INTERVAL 1 MONTH)", dt.datetime(1999, 12, 1), "DATETIME"),
    (f"DATE_ADD({DT}, INTERVAL 1 WEEK)", dt.datetime(2000, 1, 8), "DATETIME"),
    (f"DATE_SUB({DT}, INTERVAL 1 DAY)", dt.datetime(1999, 12, 31), "DATETIME"),
    (f"DATE_ADD({DT}, INTERVAL 1 HOUR)", dt.datetime(2000, 1, 1, 1), "DATETIME"),
    (f"DATE_SUB({DT}, INTERVAL 1 MINUTE)", dt.datetime(1999, 12, 31, 23, 59), "DATETIME"),
    (f"DATE_ADD({DT}, INTERVAL 1 MICROSECOND)", dt.datetime(2000, 1, 1, 0, 0, 0, 1), "DATETIME"),
    (
        "DATE_ADD(TIMESTAMP '2000-01-01 10:00:00+00', INTERVAL 1 DAY)",
        dt.datetime(2000, 1, 2, 10, tzinfo=UTC),
        "TIMESTAMP",
    ),
    ("TIMESTAMP_ADD(DATETIME '2000-01-31 10:00:00', INTERVAL 1 MONTH)", dt.datetime(2000, 2, 29, 10), "DATETIME"),
    (
        "DATETIME_SUB(TIMESTAMP '2000-01-01 10:00:00+00', INTERVAL 1 HOUR)",
        dt.datetime(2000, 1, 1, 9, tzinfo=UTC),
        "TIMESTAMP",
    ),
    ("DATE_ADD(DATE '2000-01-31', INTERVAL 1 MONTH)", dt.date(2000, 2, 29), "DATE"),
    ("DATE_ADD('2000-01-31', INTERVAL 1 DAY)", dt.date(2000, 2, 1), "DATE"),
]

FORMATS = [
    # civil_time:datetime_in_format_date
    ("FORMAT_DATE('%D %T', DATETIME '1987-08-07 12:34:56.789123')", "08/07/87 12:34:56", "STRING"),
    ("FORMAT_DATE('%j %g', DATETIME '1987-08-07 12:34:56.789123')", "219 87", "STRING"),
    ("FORMAT_DATE('%F %T', DATE '1987-08-07')", "1987-08-07 00:00:00", "STRING"),
]

BUCKETS = [
    # civil_time:datetime_in_date_bucket
    ("DATE_BUCKET(DATETIME '2020-02-15 14:57:39.646565', INTERVAL 7 DAY)", dt.datetime(2020, 2, 9), "DATETIME"),
    (
        "DATE_BUCKET(DATETIME '2020-02-15 14:57:39.646565', INTERVAL 7 DAY, DATETIME '2150-12-11 07:00:00')",
        dt.datetime(2020, 2, 14, 7),
        "DATETIME",
    ),
    # date:date_in_timestamp_bucket, date_in_datetime_bucket
    ("TIMESTAMP_BUCKET(DATE '2020-02-15', INTERVAL 7 DAY)", dt.date(2020, 2, 9), "DATE"),
    ("TIMESTAMP_BUCKET(DATE '2020-02-15', INTERVAL 7 DAY, DATE '2150-12-11')", dt.date(2020, 2, 14), "DATE"),
    ("DATETIME_BUCKET(DATE '2020-02-15', INTERVAL 7 DAY, DATE '2150-12-11')", dt.date(2020, 2, 14), "DATE"),
    # timestamp_with_default_time_zone:timestamp_in_date_bucket
    (
        "DATE_BUCKET(TIMESTAMP '2020-02-15 14:57:39.646565+00', INTERVAL 7 DAY)",
        dt.datetime(2020, 2, 9, tzinfo=UTC),
        "TIMESTAMP",
    ),
]

TIMES = [
    # civil_time:time_on_string_literal_or_parameter, in BigQuery's default zone UTC
    ("TIME('2010-11-12 01:02:03.456')", dt.time(1, 2, 3, 456000), "TIME"),
    ("TIME('2010-11-12 01:02:03.456+08')", dt.time(17, 2, 3, 456000), "TIME"),
    ("TIME('2010-11-12 01:02:03.456-05:00')", dt.time(6, 2, 3, 456000), "TIME"),
    ("TIME('2010-11-12 01:02:03.456 America/Los_Angeles')", dt.time(9, 2, 3, 456000), "TIME"),
]

FAMILIES = {"add_sub": ADD_SUB, "formats": FORMATS, "buckets": BUCKETS, "times": TIMES}
ROWS = case_params(FAMILIES)


@pytest.mark.parametrize("sql, want, typ", ROWS)
def test_local_warehouse(warehouse, sql, want, typ):
    check_locally(warehouse, sql, want, typ)


@pytest.mark.parametrize("family", list(FAMILIES))
def test_bigquery_client(bigquery_client, family):
    check_through_client(bigquery_client, FAMILIES[family])


ERRORS = [
    (
        "SELECT TIMESTAMP_ADD(TIMESTAMP '2000-01-01 00:00:00+00', INTERVAL 1 MONTH)",
        "TIMESTAMP_ADD does not support the MONTH date part when the argument is TIMESTAMP type",
    ),
    (
        "SELECT TIMESTAMP_SUB(TIMESTAMP '2000-01-01 00:00:00+00', INTERVAL 1 WEEK)",
        "TIMESTAMP_SUB does not support the WEEK date part when the argument is TIMESTAMP type",
    ),
    (
        "SELECT DATE_ADD(TIMESTAMP '2000-01-01 00:00:00+00', INTERVAL 1 YEAR)",
        "DATE_ADD does not support the YEAR date part when the argument is TIMESTAMP type",
    ),
    (
        "SELECT DATE_ADD(DATE '2000-01-01', INTERVAL 1 HOUR)",
        "DATE_ADD does not support the HOUR date part when the argument is DATE type",
    ),
    (
        "SELECT DATE_SUB(CURRENT_DATE(), INTERVAL 5 SECOND)",
        "DATE_SUB does not support the SECOND date part when the argument is DATE type",
    ),
    ("SELECT TIME_ADD(TIME '10:00:00', INTERVAL 1 DAY)", "TIME_ADD does not support the DAY date part"),
    ("SELECT TIME_SUB(TIME '10:00:00', INTERVAL 1 YEAR)", "TIME_SUB does not support the YEAR date part"),
]


@pytest.mark.parametrize("sql, fragment", ERRORS)
def test_bigquerys_errors(warehouse, bigquery_client, sql, fragment):
    assert_fails_locally(warehouse, sql, fragment)
    assert_fails_through_client(bigquery_client, sql, fragment)


def test_table_columns_choose_the_function_by_their_type(bigquery_client, dataset):
    """A column's type from the table's schema chooses the function, as a literal's does."""
    table = f"{dataset.project}.{dataset.dataset_id}.moments"
    bigquery_client.query_and_wait(
        f"CREATE TABLE `{table}` AS SELECT DATETIME '2020-02-15 14:57:39' AS dt, DATE '2020-02-15' AS d, "
        "TIMESTAMP '2020-02-15 14:57:39+00' AS ts"
    )
    rows = bigquery_client.query_and_wait(
        "SELECT DATE_ADD(dt, INTERVAL 2 HOUR) AS a, DATE_SUB(d, INTERVAL 1 DAY) AS b, "
        "DATE_ADD(ts, INTERVAL 1 DAY) AS c, FORMAT_DATE('%F %T', dt) AS f, DATE_BUCKET(dt, INTERVAL 7 DAY) AS k "
        f"FROM `{table}`"
    )
    assert [tuple(r.values()) for r in rows] == [
        (
            dt.datetime(2020, 2, 15, 16, 57, 39),
            dt.date(2020, 2, 14),
            dt.datetime(2020, 2, 16, 14, 57, 39, tzinfo=UTC),
            "2020-02-15 14:57:39",
            dt.datetime(2020, 2, 9),
        )
    ]
    assert [f.field_type for f in rows.schema] == ["DATETIME", "DATE", "TIMESTAMP", "STRING", "DATETIME"]
    assert_fails_through_client(
        bigquery_client,
        f"SELECT TIMESTAMP_ADD(ts, INTERVAL 1 MONTH) FROM `{table}`",
        "TIMESTAMP_ADD does not support the MONTH date part when the argument is TIMESTAMP type",
    )
