"""Type-dependent functions (DATE_TRUNC of a TIMESTAMP, LEFT of BYTES, TIMESTAMP - TIMESTAMP)
on arguments whose type the translator used to not know: a temporary or persistent function's
declared argument types, a table created earlier in the same script, a wildcard table's columns.
Each case runs on the local warehouse and through the BigQuery client against the emulator."""

from __future__ import annotations

import datetime as dt

UTC = dt.UTC


def test_temp_function_arguments_have_their_declared_types(env):
    run, _, _ = env
    rows = run(
        "CREATE TEMP FUNCTION day_of(d TIMESTAMP) AS (DATE_TRUNC(d, DAY)); "
        "CREATE TEMP FUNCTION head(b BYTES) AS (LEFT(b, 2)); "
        "CREATE TEMP FUNCTION apart(a DATE, b DATE) AS (CAST(a - b AS STRING)); "
        "SELECT day_of(TIMESTAMP '2008-12-25 15:30:00'), head(b'abc'), day_of('2008-12-26 01:00:00'), "
        "apart(DATE '2021-01-02', DATE '2021-01-01')"
    )
    assert rows == [
        (dt.datetime(2008, 12, 25, tzinfo=UTC), b"ab", dt.datetime(2008, 12, 26, tzinfo=UTC), "0-0 1 0:0:0")
    ]


def test_persistent_function_arguments_have_their_declared_types(env):
    run, ds, _ = env
    run(f"CREATE FUNCTION {ds}.head(b BYTES) AS (LEFT(b, 2))")
    assert run(f"SELECT {ds}.head(b'xyz')") == [(b"xy",)]


def test_columns_of_a_table_created_earlier_in_the_script(env):
    run, ds, _ = env
    rows = run(
        f"CREATE TABLE {ds}.events AS SELECT TIMESTAMP '2008-12-25 15:30:00' AS t, b'abc' AS b; "
        f"CREATE TEMP TABLE listed (t TIMESTAMP, b BYTES); "
        f"INSERT INTO listed VALUES (TIMESTAMP '2008-12-26 10:00:00', b'xyz'); "
        f"SELECT DATE_TRUNC(e.t, DAY), LEFT(e.b, 2), LEFT(l.b, 1), CAST(l.t - e.t AS STRING) "
        f"FROM {ds}.events AS e CROSS JOIN listed AS l"
    )
    assert rows == [(dt.datetime(2008, 12, 25, tzinfo=UTC), b"ab", b"x", "0-0 0 18:30:0")]


def test_columns_of_a_wildcard_table(env):
    run, ds, _ = env
    run(f"CREATE TABLE {ds}.ev_1 AS SELECT TIMESTAMP '2008-12-25 15:30:00' AS t, b'abc' AS b")
    run(f"CREATE TABLE {ds}.ev_2 AS SELECT TIMESTAMP '2008-12-26 15:30:00' AS t, b'def' AS b")
    rows = run(f"SELECT DATE_TRUNC(t, DAY), LEFT(b, 2), _TABLE_SUFFIX AS s FROM `{ds}.ev_*` ORDER BY s")
    assert rows == [
        (dt.datetime(2008, 12, 25, tzinfo=UTC), b"ab", "1"),
        (dt.datetime(2008, 12, 26, tzinfo=UTC), b"de", "2"),
    ]


def test_a_query_seen_again_follows_its_tables_present_column_types(env):
    # The first translation of a text asks for the column types it needs in one pass; later
    # ones reuse it only while those types stay the same.
    run, ds, _ = env
    query = f"SELECT LEFT(v, 2) AS head FROM {ds}.swapped"
    run(f"CREATE TABLE {ds}.swapped AS SELECT b'abc' AS v")
    assert run(query) == [(b"ab",)]
    assert run(query) == [(b"ab",)]
    run(f"CREATE OR REPLACE TABLE {ds}.swapped AS SELECT 'xyz' AS v")
    assert run(query) == [("xy",)]
    assert run(query) == [("xy",)]
