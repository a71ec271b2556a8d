"""Regressions a rerun of the reference and guide page sweeps found after the day's merges.

- A set operation matching columns by name with its right side in parentheses, `UNION ALL BY NAME
  (SELECT ...)` and `UNION ALL CORRESPONDING (SELECT ...)` (the form of the "Migrating from legacy
  SQL" page and the query syntax reference), failed "Function not found: NAME" /
  "CORRESPONDING": the check of function names (`functionnames.py`) read `NAME (` as a call. The
  query syntax reference's set operations: BY NAME / CORRESPONDING match the columns by name, the
  output columns in the left input's order; FULL keeps every column, a NULL where an input lacks
  it; STRICT needs the same names on both sides.
- The pipe operators ZetaSQL has and BigQuery lacks written with a parenthesis (`|> FORK (...)`,
  `|> TEE (...)`, the pipe syntax reference's examples) failed "Function not found: FORK" instead of
  their named refusal, for the same reason.
- A temporary function in a language the local warehouse does not run (`CREATE TEMP FUNCTION f(x
  FLOAT64) RETURNS FLOAT64 LANGUAGE lua AS 'return x+1;'`, the ZetaSQL user-defined functions
  page's Lua examples; `LANGUAGE python`) was run as JavaScript and answered NULL for every row;
  it is refused by name as a persistent one is (`routines.install`).

Each row is our own query with the answer Google's reference gives, run on the local warehouse and
through the real BigQuery client against the emulator.
"""

from __future__ import annotations

from typing import Any

import pytest
from googlesql_cases import assert_fails_locally, assert_fails_through_client

# (query, BigQuery's column names in order, its rows in order)
ORDERED: list[tuple[str, list[str], list[tuple[Any, ...]]]] = [
    ("SELECT 1 AS a, 2 AS b UNION ALL BY NAME (SELECT 3 AS b, 4 AS a) ORDER BY a", ["a", "b"], [(1, 2), (4, 3)]),
    (
        "SELECT 'x' AS k, 1 AS n UNION DISTINCT CORRESPONDING (SELECT 2 AS n, 'y' AS k, 0 AS extra) ORDER BY n",
        ["k", "n"],
        [("x", 1), ("y", 2)],
    ),
    ("(SELECT 1 AS a) FULL UNION ALL BY NAME (SELECT 2 AS b) ORDER BY a", ["a", "b"], [(None, 2), (1, None)]),
    ("SELECT 1 AS a, 2 AS b EXCEPT DISTINCT STRICT CORRESPONDING (SELECT 2 AS b, 1 AS a)", ["a", "b"], []),
    ("SELECT 1 AS a INTERSECT DISTINCT BY NAME (SELECT 1 AS a)", ["a"], [(1,)]),
]

# (query, the error's text): what stays refused, and a call of a function BigQuery lacks
REFUSED = [
    (
        "SELECT * FROM UNNEST([STRUCT(1 AS a, 2 AS b)]) UNION ALL BY NAME (SELECT 3 AS b, 4 AS a)",
        "CORRESPONDING and BY NAME over SELECT * are not supported by the local warehouse",
    ),
    ("SELECT 1 AS a UNION ALL SELECT 2 ORDER BY NAME(1)", "Function not found: NAME"),
    ("SELECT 1 AS x |> FORK (|> WHERE x > 0)", "the pipe operator |> FORK is not supported by the local warehouse"),
    ("SELECT 1 AS x |> TEE (|> WHERE x > 0)", "the pipe operator |> TEE is not supported by the local warehouse"),
    (
        "CREATE TEMP FUNCTION PlusOne(x FLOAT64) RETURNS FLOAT64 LANGUAGE lua AS 'return x+1;';"
        " SELECT PlusOne(1.0) AS y",
        "language LUA is not supported for a SCALAR_FUNCTION",
    ),
    (
        "CREATE TEMP FUNCTION PlusOne(x FLOAT64) RETURNS FLOAT64 LANGUAGE python"
        " OPTIONS (entry_point = 'f', runtime_version = 'python-3.11') AS 'def f(x): return x + 1';"
        " SELECT PlusOne(1.0) AS y",
        "language PYTHON is not supported for a SCALAR_FUNCTION",
    ),
]


@pytest.mark.parametrize("sql, names, rows", ORDERED, ids=[f"ordered-{i}" for i in range(len(ORDERED))])
def test_rows_locally(warehouse, sql, names, rows):
    result = warehouse.query_result(sql)
    assert [f["name"] for f in result.schema] == names
    columns = [c.to_pylist() for c in result.table.columns]
    assert list(zip(*columns)) == rows


@pytest.mark.parametrize("sql, names, rows", ORDERED, ids=[f"ordered-{i}" for i in range(len(ORDERED))])
def test_rows_through_client(bigquery_client, sql, names, rows):
    result = bigquery_client.query_and_wait(sql)
    assert [f.name for f in result.schema] == names
    assert [tuple(row.values()) for row in result] == rows


@pytest.mark.parametrize("sql, fragment", REFUSED, ids=[f"refused-{i}" for i in range(len(REFUSED))])
def test_refused_locally(warehouse, sql, fragment):
    assert_fails_locally(warehouse, sql, fragment)


@pytest.mark.parametrize("sql, fragment", REFUSED, ids=[f"refused-{i}" for i in range(len(REFUSED))])
def test_refused_through_client(bigquery_client, sql, fragment):
    assert_fails_through_client(bigquery_client, sql, fragment)
