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
  INT64 DEFAULT 5` is '5'), and the table's REST schema had no defaultValueExpression.

Each row is our own query with the answer Google's pages give, run on the local warehouse and
through the real BigQuery client against the emulator.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

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
