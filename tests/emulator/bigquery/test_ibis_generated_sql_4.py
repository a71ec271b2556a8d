"""The fourth round of the ibis sweep (ibis-framework 12.0.0's BigQuery backend test suite against
the emulator).

- A GENERATE_TIMESTAMP_ARRAY or GENERATE_DATE_ARRAY whose step is an INTERVAL value, not the
  `INTERVAL int64_expr date_part` syntax (ibis's `ibis.range(start, stop, -ibis.interval(hours=1))`
  writes `-(INTERVAL '1' HOUR)`): ZetaSQL's signatures take the step as an INT64 and a date part,
  which only that syntax gives, so BigQuery refuses it (ibis's marks record BigQuery's BadRequest);
  the emulator answered the series.
- MOD of a FLOAT64 whose type the text does not show (ibis's `double_col % (smallint_col + 1)`,
  written `MOD(t0.double_col, t0.smallint_col + 1)`): GoogleSQL's MOD has INT64, NUMERIC and
  BIGNUMERIC signatures only, so BigQuery refuses it (ibis's mark: "bigquery doesn't support
  floating modulus"); DuckDB answered fmod's value. A FLOAT64 the text shows was refused already.
- A CTE that calls GENERATE_UUID() or RAND(), read twice (ibis's `memtable(...).mutate(key=ibis.uuid())`
  joined with a filter of itself): the reference's WITH clause says a non-recursive CTE "is executed
  once for each reference", so each read draws its own values and no key matches (ibis's mark
  records BigQuery's count as not 3). DuckDB materialized the CTE and every key matched: 3.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

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


_ROW = "UNNEST([STRUCT(5.5 AS double_col, 2 AS smallint_col, 7 AS int_col, NUMERIC '5.5' AS num)]) AS t0"
FLOAT_MODS = [
    # ibis: operator.mod(t.double_col, t.smallint_col + 1)
    (f"SELECT MOD(t0.double_col, t0.smallint_col + 1) AS tmp FROM {_ROW}", "FLOAT64, INT64"),
    (f"SELECT MOD(t0.int_col, t0.double_col) FROM {_ROW}", "INT64, FLOAT64"),
    (f"SELECT MOD(t0.num, t0.double_col) FROM {_ROW}", "NUMERIC, FLOAT64"),
    ("SELECT MOD(x, 2) FROM UNNEST([5.5, 7.25]) AS x", "FLOAT64, INT64"),
    # a signature error is no error SAFE. answers NULL for
    ("SELECT SAFE.MOD(x, 2) FROM UNNEST([5.5]) AS x", "FLOAT64, INT64"),
]


@pytest.mark.parametrize("sql, types", FLOAT_MODS)
def test_mod_of_a_float64_column_is_refused(warehouse, bigquery_client, sql, types):
    fragment = f"No matching signature for function MOD for argument types: {types}"
    assert_fails_locally(warehouse, sql, fragment)
    assert_fails_through_client(bigquery_client, sql, fragment)


INTEGER_AND_NUMERIC_MODS = [
    (f"SELECT MOD(t0.int_col, t0.smallint_col + 1) FROM {_ROW}", 1, "INT64"),
    (f"SELECT MOD(t0.num, t0.smallint_col) FROM {_ROW}", Decimal("1.5"), "NUMERIC"),
    ("SELECT MOD(x, 3) FROM UNNEST([-7]) AS x", -1, "INT64"),
    (f"SELECT MOD(t0.int_col, NULL) FROM {_ROW}", None, "INT64"),
    (f"SELECT SAFE.MOD(t0.int_col, 0) FROM {_ROW}", None, "INT64"),
    (f"SELECT SAFE.MOD(t0.int_col, 4) FROM {_ROW}", 3, "INT64"),
]


def test_mod_of_integers_and_numerics_still_answers_locally(warehouse):
    for sql, want, typ in INTEGER_AND_NUMERIC_MODS:
        check_locally(warehouse, sql, want, typ)
    assert_fails_locally(warehouse, f"SELECT MOD(t0.int_col, 0) FROM {_ROW}", "division by zero")


def test_mod_of_integers_and_numerics_still_answers_through_the_client(bigquery_client):
    check_through_client(bigquery_client, INTEGER_AND_NUMERIC_MODS)
    assert_fails_through_client(bigquery_client, f"SELECT MOD(t0.int_col, 0) FROM {_ROW}", "division by zero")


_UUIDS = "SELECT idx, GENERATE_UUID() AS key FROM UNNEST([0, 1, 2, 3, 4]) AS idx"
VOLATILE_CTES = [
    # ibis: left = memtable(...).mutate(key=ibis.uuid()); left.join(left.filter(left.idx < 3), "key").count()
    (
        f"WITH t1 AS ({_UUIDS}) SELECT COUNT(*) FROM (SELECT t3.idx FROM t1 AS t3 INNER JOIN "
        "(SELECT * FROM t1 AS t2 WHERE t2.idx < 3) AS t5 ON t3.key = t5.key) AS t6",
        0,
        "INT64",
    ),
    (
        "WITH t1 AS (SELECT idx, RAND() AS r FROM UNNEST([0, 1, 2, 3, 4]) AS idx) "
        "SELECT COUNTIF(a.r = b.r) FROM t1 AS a JOIN t1 AS b USING (idx)",
        0,
        "INT64",
    ),
    ("WITH t1 AS (SELECT GENERATE_UUID() AS u) SELECT (SELECT u FROM t1) = (SELECT u FROM t1)", False, "BOOL"),
    # a CTE reading one that draws random values runs it again at each of its own references
    (
        "WITH a AS (SELECT idx, RAND() AS r FROM UNNEST([1, 2, 3]) AS idx), "
        "b AS (SELECT idx, MAX(r) AS r FROM a GROUP BY idx) "
        "SELECT COUNTIF(x.r = y.r) FROM b AS x JOIN b AS y USING (idx)",
        0,
        "INT64",
    ),
    # one read: its rows' UUIDs are as many as its rows
    (f"WITH t1 AS ({_UUIDS}) SELECT COUNT(DISTINCT key) FROM t1", 5, "INT64"),
    # a recursive CTE is materialized: both reads see the same RAND()
    (
        "WITH RECURSIVE r AS (SELECT 1 AS n, RAND() AS x UNION ALL SELECT n + 1, x FROM r WHERE n < 3) "
        "SELECT COUNTIF(a.x = b.x) FROM r AS a JOIN r AS b USING (n)",
        3,
        "INT64",
    ),
    (
        "WITH t AS (SELECT idx FROM UNNEST([1, 2]) AS idx) SELECT COUNT(*) FROM t AS a JOIN t AS b USING (idx)",
        2,
        "INT64",
    ),
]


def test_a_volatile_cte_is_evaluated_per_reference_locally(warehouse):
    for sql, want, typ in VOLATILE_CTES:
        check_locally(warehouse, sql, want, typ)


def test_a_volatile_cte_is_evaluated_per_reference_through_the_client(bigquery_client):
    check_through_client(bigquery_client, VOLATILE_CTES)
