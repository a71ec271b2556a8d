"""GoogleSQL that answered differently from BigQuery in the sweep of BigQuery's how-to guide pages
("Work with multi-statement queries", "Specify nested and repeated columns", ...):

- a script variable was read where a column of the same name that a WITH query or a FROM
  subquery gives is in scope (`DECLARE x INT64 DEFAULT 0; SET x = 10; WITH Numbers AS (SELECT 50
  AS x) SELECT (x+x) AS result FROM Numbers` answered 20; BigQuery's guide: 100, the column
  shadows the variable); only a table's columns shadowed it;
- a variable's name used as an alias without AS in a script (`SELECT 1 AS id, 9 x`) was replaced
  by the variable's value (a syntax error);
- a SELECT list whose items all have names, one of them a field of an array element
  (`SELECT addresses[OFFSET(0)].address FROM ...`), named that column after DuckDB's rewritten
  expression (`(CASE WHEN ... END).address`); BigQuery names it `address`, as it did when the
  list also held an unnamed item;
- INFORMATION_SCHEMA.COLUMNS' column_default was 'NULL' for a column that CREATE TABLE gave a
  `DEFAULT` (the default values guide: `x TIME DEFAULT CURRENT_TIME()` is 'CURRENT_TIME()', `y
  INT64 DEFAULT 5` is '5'), and the table's REST schema had no defaultValueExpression;
- a `CREATE TABLE t (c T DEFAULT e, ...) AS SELECT ...` lost its defaults: a later INSERT that
  omits c, or MERGE's `INSERT (a, c) VALUES (a, DEFAULT)`, wrote NULL (the default values guide
  shows the default);
- `UPDATE t SET c = DEFAULT` (and MERGE's `UPDATE SET c = DEFAULT`) failed as "unrecognized
  name: DEFAULT";
- the table function RANGE_SESSIONIZE (the time series guide and the range functions reference)
  was refused by name; it is served (`rangesessions.py`), and called outside FROM it names its
  FROM form;
- `RANGE_CONTAINS(r, RANGE_START(x))` failed as "cannot tell whether the second argument is a
  range or a value" (the time series guide); RANGE_START / RANGE_END give a value;
- `CREATE [TEMP] AGGREGATE FUNCTION` (the user-defined aggregates guide) failed as "invalid
  CREATE FUNCTION" or "the CREATE statement is not supported"; it is refused by name in
  JavaScript (SQL ones are served since, test_googlesql_bigquery_utils_udfs_4.py).

Each row is our own query with the answer Google's pages give, run on the local warehouse and
through the real BigQuery client against the emulator.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from googlesql_cases import assert_fails_locally, assert_fails_through_client

_ADDRESSES = (
    "(SELECT 'John' AS first_name, [STRUCT('123 First Avenue' AS address, 'WA' AS state),"
    " STRUCT('456 Main Street' AS address, 'OR' AS state)] AS addresses"
    " UNION ALL SELECT 'Jane', [STRUCT('789 Any Avenue' AS address, 'NY' AS state)])"
)

# (query or script, BigQuery's column names in order, its rows in order)
ROWS: list[tuple[str, list[str], list[tuple[Any, ...]]]] = [
    # the multi-statement queries guide: a WITH query's column shadows the variable
    (
        "DECLARE x INT64 DEFAULT 0;\nSET x = 10;\nWITH Numbers AS (SELECT 50 AS x) SELECT (x+x) AS result FROM Numbers",
        ["result"],
        [(100,)],
    ),
    # so does a FROM subquery's column, aliased or bare
    ("DECLARE x INT64 DEFAULT 3;\nSELECT x * 2 AS r FROM (SELECT 7 AS x)", ["r"], [(14,)]),
    (
        "DECLARE n STRING DEFAULT 'var';\n"
        "SELECT UPPER(n) AS u FROM (SELECT n FROM (SELECT 'col' AS n)) JOIN (SELECT 1 AS k) ON TRUE",
        ["u"],
        [("COL",)],
    ),
    # ... and a column named by an alias without AS, which is not the variable either
    (
        "DECLARE x INT64 DEFAULT 3;\nSELECT t.x AS a, x AS b FROM (SELECT 1 AS id) JOIN (SELECT 1 AS id, 9 x) t USING (id)",
        ["a", "b"],
        [(9, 9)],
    ),
    # inside the query that defines the column the variable is still read; elsewhere too
    (
        "DECLARE x INT64 DEFAULT 3;\nWITH a AS (SELECT 1 AS k), b AS (SELECT x * 10 AS x) SELECT x + k AS s FROM a, b",
        ["s"],
        [(31,)],
    ),
    # `SELECT *` (`t.*`, `* EXCEPT`) passes a subquery's column on; a FROM subquery inside WHERE
    # is another query, whose columns do not hide the variable outside it
    (
        "DECLARE x INT64 DEFAULT 3;\nSELECT x + k AS s FROM (SELECT * FROM (SELECT 7 AS x)), (SELECT 1 AS k)"
        " WHERE k IN (SELECT id FROM (SELECT 1 AS x, 1 AS id))",
        ["s"],
        [(8,)],
    ),
    (
        "DECLARE x INT64 DEFAULT 3;\nSELECT x AS a FROM (SELECT t.* FROM (SELECT 7 AS x) t)"
        " UNION ALL SELECT x FROM (SELECT * EXCEPT (y) FROM (SELECT 8 AS x, 1 AS y)) ORDER BY a",
        ["a"],
        [(7,), (8,)],
    ),
    (
        "DECLARE x INT64 DEFAULT 3;\nSELECT x AS v FROM (SELECT 1 AS id)"
        " WHERE id IN (SELECT id FROM (SELECT 1 AS x, 1 AS id))",
        ["v"],
        [(3,)],
    ),
    # the nested and repeated columns guide: an element's field is named after the field
    (
        f"SELECT first_name, addresses[OFFSET(0)].address FROM {_ADDRESSES} ORDER BY first_name",
        ["first_name", "address"],
        [("Jane", "789 Any Avenue"), ("John", "123 First Avenue")],
    ),
    (
        f"SELECT addresses[SAFE_OFFSET(1)].state FROM {_ADDRESSES} ORDER BY first_name",
        ["state"],
        [(None,), ("OR",)],
    ),
    (
        f"SELECT a.addresses[ORDINAL(1)].state AS s, a.addresses[OFFSET(0)].address FROM {_ADDRESSES} a ORDER BY s",
        ["s", "address"],
        [("NY", "789 Any Avenue"), ("WA", "123 First Avenue")],
    ),
]

_SENSORS = (
    "(SELECT 1 AS sensor_id, RANGE<DATETIME> '[2020-01-01 12:00:01, 2020-01-01 12:05:23)' AS duration, 10 AS flow"
    " UNION ALL SELECT 1, RANGE<DATETIME> '[2020-01-01 12:05:12, 2020-01-01 12:10:46)', 10"
    " UNION ALL SELECT 1, RANGE<DATETIME> '[2020-01-01 12:10:27, 2020-01-01 12:15:56)', 11"
    " UNION ALL SELECT 2, RANGE<DATETIME> '[2020-01-01 12:00:19, 2020-01-01 12:05:08)', 21"
    " UNION ALL SELECT 2, RANGE<DATETIME> '[2020-01-01 12:05:08, 2020-01-01 12:10:30)', 21)"
)


def _dt(text: str) -> Any:
    import datetime as dt

    return dt.datetime.fromisoformat(text)


ROWS += [
    # the time series guide: sessions within sensor and flow, OVERLAPS (12:05:08 meets, no overlap)
    (
        f"SELECT sensor_id, session_range, flow FROM RANGE_SESSIONIZE({_SENSORS}, 'duration',"
        " ['sensor_id', 'flow'], 'OVERLAPS') GROUP BY sensor_id, session_range, flow"
        " ORDER BY sensor_id, RANGE_START(session_range)",
        ["sensor_id", "session_range", "flow"],
        [
            (1, {"start": _dt("2020-01-01 12:00:01"), "end": _dt("2020-01-01 12:10:46")}, 10),
            (1, {"start": _dt("2020-01-01 12:10:27"), "end": _dt("2020-01-01 12:15:56")}, 11),
            (2, {"start": _dt("2020-01-01 12:00:19"), "end": _dt("2020-01-01 12:05:08")}, 21),
            (2, {"start": _dt("2020-01-01 12:05:08"), "end": _dt("2020-01-01 12:10:30")}, 21),
        ],
    ),
    # MEETS (the default) joins ranges that only meet; every input column is kept, in order
    (
        f"SELECT * FROM RANGE_SESSIONIZE({_SENSORS}, 'duration', ['sensor_id']) AS s"
        " WHERE s.sensor_id = 2 ORDER BY RANGE_START(duration)",
        ["sensor_id", "duration", "flow", "session_range"],
        [
            (
                2,
                {"start": _dt("2020-01-01 12:00:19"), "end": _dt("2020-01-01 12:05:08")},
                21,
                {"start": _dt("2020-01-01 12:00:19"), "end": _dt("2020-01-01 12:10:30")},
            ),
            (
                2,
                {"start": _dt("2020-01-01 12:05:08"), "end": _dt("2020-01-01 12:10:30")},
                21,
                {"start": _dt("2020-01-01 12:00:19"), "end": _dt("2020-01-01 12:10:30")},
            ),
        ],
    ),
    # unbounded bounds take part; a NULL range is a session of its own, NULL
    (
        "SELECT k, session_range FROM RANGE_SESSIONIZE((SELECT 1 AS k, RANGE<DATE> '[UNBOUNDED, 2020-01-01)' AS r"
        " UNION ALL SELECT 2, RANGE<DATE> '[2019-06-01, 2019-07-01)' UNION ALL SELECT 3, NULL), 'r', []) ORDER BY k",
        ["k", "session_range"],
        [(1, {"start": None, "end": _dt("2020-01-01").date()}), (2, {"start": None, "end": _dt("2020-01-01").date()})]
        + [(3, None)],
    ),
    # the time series guide: RANGE_START of a generated range is a value RANGE_CONTAINS tests
    (
        "SELECT RANGE_CONTAINS(RANGE<DATE> '[2020-01-01, 2020-06-01)', RANGE_START(r)) AS a,"
        " RANGE_CONTAINS(RANGE<DATE> '[2020-01-01, 2020-06-01)', RANGE_END(r)) AS b"
        " FROM UNNEST(GENERATE_RANGE_ARRAY(RANGE<DATE> '[2020-01-01, 2020-12-31)', INTERVAL 3 MONTH)) AS r"
        " ORDER BY RANGE_START(r)",
        ["a", "b"],
        [(True, True), (True, False), (False, False), (False, False)],
    ),
]

IDS = [f"rows-{i}" for i in range(len(ROWS))]


@pytest.mark.parametrize("sql, names, rows", ROWS, ids=IDS)
def test_rows_locally(warehouse, sql, names, rows):
    result = warehouse.query_result(sql)
    assert [f["name"] for f in result.schema] == names
    columns = [c.to_pylist() for c in result.table.columns]
    assert list(zip(*columns)) == rows


@pytest.mark.parametrize("sql, names, rows", ROWS, ids=IDS)
def test_rows_through_client(bigquery_client, sql, names, rows):
    result = bigquery_client.query_and_wait(sql)
    assert [f.name for f in result.schema] == names
    assert [tuple(row.values()) for row in result] == rows


_DEFAULTS = "(x TIME DEFAULT CURRENT_TIME(), y INT64 DEFAULT 5, z BOOL, s STRING DEFAULT 'hello')"
_COLUMN_DEFAULTS = [("s", "'hello'"), ("x", "CURRENT_TIME()"), ("y", "5"), ("z", "NULL")]


def test_column_default(env):
    run, ds, _ = env
    run(f"CREATE TABLE {ds}.mytable {_DEFAULTS}")
    rows = run(
        f"SELECT column_name, column_default FROM {ds}.INFORMATION_SCHEMA.COLUMNS"
        " WHERE table_name = 'mytable' ORDER BY column_name"
    )
    assert rows == _COLUMN_DEFAULTS
    run(f"INSERT {ds}.mytable (z) VALUES (TRUE)")
    assert run(f"SELECT y, z, s FROM {ds}.mytable") == [(5, True, "hello")]


def test_default_value_expression_through_client(bigquery_client):
    ds = f"ds_{uuid.uuid4().hex[:8]}"
    bigquery_client.create_dataset(ds)
    try:
        bigquery_client.query_and_wait(f"CREATE TABLE {ds}.mytable {_DEFAULTS}")
        table = bigquery_client.get_table(f"{ds}.mytable")
        shown = sorted((f.name, f.default_value_expression) for f in table.schema)
        assert shown == [("s", "'hello'"), ("x", "CURRENT_TIME()"), ("y", "5"), ("z", None)]
    finally:
        bigquery_client.delete_dataset(ds, delete_contents=True, not_found_ok=True)


def test_range_sessionize_of_a_table(env):
    """The range functions reference's example: `TABLE dataset.table`, MEETS and OVERLAPS."""
    run, ds, _ = env
    run(f"CREATE TABLE {ds}.my_sessionized_range_table (emp_id INT64, dept_id INT64, duration RANGE<DATE>)")
    run(
        f"INSERT {ds}.my_sessionized_range_table (emp_id, dept_id, duration) VALUES"
        " (10, 1000, RANGE<DATE> '[2010-01-10, 2010-03-10)'), (10, 2000, RANGE<DATE> '[2010-03-10, 2010-07-15)'),"
        " (10, 2000, RANGE<DATE> '[2010-06-15, 2010-08-18)'), (20, 2000, RANGE<DATE> '[2010-03-10, 2010-07-20)'),"
        " (20, 1000, RANGE<DATE> '[2020-05-10, 2020-09-20)')"
    )
    template = (
        "SELECT emp_id, CAST(RANGE_START(session_range) AS STRING) AS s, CAST(RANGE_END(session_range) AS STRING) AS e"
        f" FROM RANGE_SESSIONIZE(TABLE {ds}.my_sessionized_range_table, 'duration', ['emp_id']{{}})"
        " ORDER BY emp_id, RANGE_START(duration)"
    )
    assert run(template.format("")) == [
        (10, "2010-01-10", "2010-08-18"),
        (10, "2010-01-10", "2010-08-18"),
        (10, "2010-01-10", "2010-08-18"),
        (20, "2010-03-10", "2010-07-20"),
        (20, "2020-05-10", "2020-09-20"),
    ]
    assert run(template.format(", 'OVERLAPS'")) == [
        (10, "2010-01-10", "2010-03-10"),
        (10, "2010-03-10", "2010-08-18"),
        (10, "2010-03-10", "2010-08-18"),
        (20, "2010-03-10", "2010-07-20"),
        (20, "2020-05-10", "2020-09-20"),
    ]


REFUSED = [
    'CREATE TEMP AGGREGATE FUNCTION SumPositive(x FLOAT64) RETURNS FLOAT64 LANGUAGE js AS r"""\n'
    'export function initialState() { return {sum: 0} }""";\nSELECT SumPositive(x) FROM UNNEST([1.0]) AS x',
]
_FRAGMENT = "JavaScript aggregate functions (CREATE AGGREGATE FUNCTION ... LANGUAGE js) are not supported"


@pytest.mark.parametrize("sql", REFUSED, ids=[f"refused-{i}" for i in range(len(REFUSED))])
def test_refused_locally(warehouse, sql):
    assert_fails_locally(warehouse, sql, _FRAGMENT)


@pytest.mark.parametrize("sql", REFUSED, ids=[f"refused-{i}" for i in range(len(REFUSED))])
def test_refused_through_client(bigquery_client, sql):
    assert_fails_through_client(bigquery_client, sql, _FRAGMENT)


def test_defaults_of_a_table_made_by_a_query(env):
    """The default values guide's MERGE: a CTAS with DEFAULT columns keeps them for later writes."""
    run, ds, _ = env
    run(
        f"CREATE TABLE {ds}.target_table (a STRING, b STRING DEFAULT 'default_b', c INT64 DEFAULT 7)"
        " AS (SELECT 'val1' AS a, 'hi' AS b, 1 AS c UNION ALL SELECT 'val2', 'goodbye', 2)"
    )
    run(
        f"CREATE TABLE {ds}.source_table (a STRING, b STRING) AS (SELECT 'val1' AS a, 'x' AS b UNION ALL SELECT 'val3', 'y')"
    )
    run(
        f"MERGE {ds}.target_table T USING {ds}.source_table S ON T.a = S.a"
        " WHEN NOT MATCHED THEN INSERT(a, b) VALUES (a, DEFAULT)"
    )
    run(f"INSERT {ds}.target_table (a) VALUES ('val4')")
    assert run(f"SELECT a, b, c FROM {ds}.target_table ORDER BY a") == [
        ("val1", "hi", 1),
        ("val2", "goodbye", 2),
        ("val3", "default_b", 7),
        ("val4", "default_b", 7),
    ]


def test_update_set_default(env):
    """The default values guide's `UPDATE ... SET b = DEFAULT`, and MERGE's UPDATE SET."""
    run, ds, _ = env
    run(f"CREATE TABLE {ds}.t (a STRING, b STRING DEFAULT 'Happy day!', n INT64)")
    run(f"INSERT {ds}.t VALUES ('val1', 'Good evening', 1), ('val3', 'Good morning!', 3)")
    run(f"UPDATE {ds}.t SET b = DEFAULT, n = DEFAULT WHERE a = 'val1'")
    assert run(f"SELECT a, b, n FROM {ds}.t ORDER BY a") == [("val1", "Happy day!", None), ("val3", "Good morning!", 3)]
    run(f"MERGE {ds}.t T USING (SELECT 'val3' AS a) S ON T.a = S.a WHEN MATCHED THEN UPDATE SET b = DEFAULT")
    assert run(f"SELECT a, b FROM {ds}.t ORDER BY a") == [("val1", "Happy day!"), ("val3", "Happy day!")]


_SESSIONIZE_MISUSE = "SELECT RANGE_SESSIONIZE(RANGE<DATE> '[2020-01-01, 2020-02-01)')"


def test_range_sessionize_outside_from_names_its_form_locally(warehouse):
    """Called as a scalar it names the FROM form (it said 'not supported' after it was served)."""
    assert_fails_locally(warehouse, _SESSIONIZE_MISUSE, "RANGE_SESSIONIZE is a table function")


def test_range_sessionize_outside_from_names_its_form_through_the_client(bigquery_client):
    assert_fails_through_client(bigquery_client, _SESSIONIZE_MISUSE, "RANGE_SESSIONIZE is a table function")
