"""The fourth round of the ibis sweep (ibis-framework 12.0.0's BigQuery backend test suite against
the emulator).

- A GENERATE_TIMESTAMP_ARRAY or GENERATE_DATE_ARRAY whose step is an INTERVAL value, not the
  `INTERVAL int64_expr date_part` syntax (ibis's `ibis.range(start, stop, -ibis.interval(hours=1))`
  writes `-(INTERVAL '1' HOUR)`): ZetaSQL's signatures take the step as an INT64 and a date part,
  which only that syntax gives, so BigQuery refuses it (ibis's marks record BigQuery's BadRequest);
  the emulator answered the series.
"""

from __future__ import annotations

import datetime as dt

import pytest
from googlesql_cases import (
    assert_fails_locally,
    assert_fails_through_client,
    check_locally,
    check_through_client,
)

_UTC = dt.UTC
_T0 = "TIMESTAMP '2017-01-01 00:00:00+00'"
_T2 = "TIMESTAMP '2017-01-01 02:00:00+00'"
_NO_SIGNATURE = (
    "No matching signature for function GENERATE_TIMESTAMP_ARRAY for argument types: TIMESTAMP, TIMESTAMP, INTERVAL"
)
_DATE_FORMS = (
    "Expected either GENERATE_DATE_ARRAY(start, end) or GENERATE_DATE_ARRAY(start, end, INTERVAL int [date_part])"
)

INTERVAL_VALUE_STEPS = [
    (f"SELECT GENERATE_TIMESTAMP_ARRAY({_T2}, {_T0}, -(INTERVAL '1' HOUR))", _NO_SIGNATURE),
    (f"SELECT GENERATE_TIMESTAMP_ARRAY({_T0}, {_T2}, MAKE_INTERVAL(hour => 1))", _NO_SIGNATURE),
    # ibis: ibis.range(datetime(2017, 1, 2), datetime(2017, 1, 1), -ibis.interval(hours=1))
    (
        f"SELECT IF(TRUE, ARRAY(SELECT t FROM UNNEST(GENERATE_TIMESTAMP_ARRAY({_T2}, {_T0}, "
        f"-(INTERVAL '1' HOUR))) AS t WHERE t <> {_T0}), [])",
        _NO_SIGNATURE,
    ),
    ("SELECT GENERATE_DATE_ARRAY(DATE '2017-01-03', DATE '2017-01-01', -(INTERVAL 1 DAY))", _DATE_FORMS),
]


@pytest.mark.parametrize("sql, fragment", INTERVAL_VALUE_STEPS)
def test_an_interval_value_as_a_series_step_is_refused(warehouse, bigquery_client, sql, fragment):
    assert_fails_locally(warehouse, sql, fragment)
    assert_fails_through_client(bigquery_client, sql, fragment)


_HOURS = [dt.datetime(2017, 1, 1, h, tzinfo=_UTC) for h in range(3)]
INTERVAL_SYNTAX_STEPS = [
    (f"GENERATE_TIMESTAMP_ARRAY({_T0}, {_T2}, INTERVAL '1' HOUR)", _HOURS, None),
    (f"GENERATE_TIMESTAMP_ARRAY({_T0}, {_T2}, (INTERVAL 1 HOUR))", _HOURS, None),
    (f"GENERATE_TIMESTAMP_ARRAY({_T2}, {_T0}, INTERVAL -1 HOUR)", _HOURS[::-1], None),
    (
        "GENERATE_DATE_ARRAY(DATE '2017-01-03', DATE '2017-01-01', INTERVAL -1 DAY)",
        [dt.date(2017, 1, 3), dt.date(2017, 1, 2), dt.date(2017, 1, 1)],
        None,
    ),
]


def test_the_interval_syntax_still_steps_locally(warehouse):
    for sql, want, typ in INTERVAL_SYNTAX_STEPS:
        check_locally(warehouse, sql, want, typ)


def test_the_interval_syntax_still_steps_through_the_client(bigquery_client):
    check_through_client(bigquery_client, INTERVAL_SYNTAX_STEPS)
