"""Set operations matching columns by name (CORRESPONDING, BY NAME, their FULL/LEFT OUTER and
column-list forms), and INTERSECT ALL / EXCEPT ALL refused as BigQuery's query syntax (only
`INTERSECT DISTINCT`, `EXCEPT DISTINCT`) refuses them; on the local warehouse (`llmops sql`'s
path) and through the real BigQuery client against the emulator. Results follow the query-syntax
reference: columns by name, in the left query's order; NULL where an outer mode lacks a column.
"""

from __future__ import annotations

from typing import Any

import pytest
from google.api_core.exceptions import BadRequest

from llmops.core.errors import QueryError

# (name, query, BigQuery's column names, its rows in any order)
CASES: list[tuple[str, str, list[str], list[tuple[Any, ...]]]] = [
    (
        "corresponding_reorders",
        "SELECT 1 AS a, 'x' AS b UNION ALL CORRESPONDING SELECT 'y' AS b, 2 AS a",
        ["a", "b"],
        [(1, "x"), (2, "y")],
    ),
    (
        "corresponding_keeps_common",
        "SELECT 1 AS a, 2 AS b UNION ALL CORRESPONDING SELECT 3 AS b, 4 AS c",
        ["b"],
        [(2,), (3,)],
    ),
    (
        "corresponding_names_case_insensitive",
        "SELECT 1 AS Id, 'x' AS name UNION ALL CORRESPONDING SELECT 'y' AS NAME, 2 AS id",
        ["Id", "name"],
        [(1, "x"), (2, "y")],
    ),
    (
        "full_outer",
        "SELECT 1 AS a, 2 AS b FULL OUTER UNION ALL CORRESPONDING SELECT 3 AS b, 4 AS c",
        ["a", "b", "c"],
        [(1, 2, None), (None, 3, 4)],
    ),
    (
        "full_by_name",
        "SELECT 1 AS a FULL UNION ALL BY NAME SELECT 2 AS c",
        ["a", "c"],
        [(1, None), (None, 2)],
    ),
    (
        "left_outer",
        "SELECT 1 AS a, 2 AS b LEFT OUTER UNION ALL CORRESPONDING SELECT 3 AS b, 4 AS c",
        ["a", "b"],
        [(1, 2), (None, 3)],
    ),
    (
        "strict",
        "SELECT 1 AS a, 2 AS b UNION ALL STRICT CORRESPONDING SELECT 3 AS b, 4 AS a",
        ["a", "b"],
        [(1, 2), (4, 3)],
    ),
    (
        "by_name",
        "SELECT 1 AS a, 2 AS b UNION ALL BY NAME SELECT 3 AS b, 4 AS a",
        ["a", "b"],
        [(1, 2), (4, 3)],
    ),
    (
        "corresponding_by",
        "SELECT 1 AS a, 2 AS b, 0 AS z UNION ALL CORRESPONDING BY (b, a) SELECT 3 AS b, 4 AS a, 5 AS y",
        ["b", "a"],
        [(2, 1), (3, 4)],
    ),
    (
        "distinct",
        "SELECT 1 AS a, 2 AS b UNION DISTINCT CORRESPONDING SELECT 2 AS b, 1 AS a",
        ["a", "b"],
        [(1, 2)],
    ),
    (
        "intersect",
        "SELECT 1 AS a, 2 AS b INTERSECT DISTINCT CORRESPONDING SELECT 2 AS b, 1 AS a",
        ["a", "b"],
        [(1, 2)],
    ),
    (
        "except",
        "SELECT x AS a, 0 AS b FROM UNNEST([1, 2]) AS x EXCEPT DISTINCT CORRESPONDING SELECT 0 AS b, 2 AS a",
        ["a", "b"],
        [(1, 0)],
    ),
    (
        "three_inputs",
        "SELECT 1 AS a, 'p' AS b UNION ALL CORRESPONDING SELECT 'q' AS b, 2 AS a "
        "UNION ALL CORRESPONDING SELECT 'r' AS b, 3 AS a",
        ["a", "b"],
        [(1, "p"), (2, "q"), (3, "r")],
    ),
    (
        "in_a_subquery_with_a_cte",
        "WITH t AS (SELECT 1 AS a, 2 AS b) SELECT a + b AS s FROM "
        "(SELECT b, a FROM t UNION ALL CORRESPONDING SELECT a, b FROM t)",
        ["s"],
        [(3,), (3,)],
    ),
]

# (name, query, BigQuery's error, as a regular expression)
ERRORS = [
    ("intersect_all", "SELECT 1 AS a INTERSECT ALL SELECT 1", "INTERSECT ALL is not supported"),
    ("except_all", "SELECT 1 AS a EXCEPT ALL SELECT 2", "EXCEPT ALL is not supported"),
    ("nothing_in_common", "SELECT 1 AS a UNION ALL CORRESPONDING SELECT 2 AS b", "no column names in common"),
    ("strict_differs", "SELECT 1 AS a, 2 AS b UNION ALL BY NAME SELECT 3 AS b", "Column a is not in both inputs"),
    ("by_list_missing", "SELECT 1 AS a UNION ALL CORRESPONDING BY (a, b) SELECT 2 AS a", "Column b in the"),
    ("unnamed", "SELECT 1 UNION ALL CORRESPONDING SELECT 2 AS a", "has no name"),
    ("star", "SELECT * FROM UNNEST([1]) AS a UNION ALL CORRESPONDING SELECT 2 AS a", "SELECT \\*"),
]


@pytest.mark.parametrize("name, sql, columns, rows", CASES, ids=[c[0] for c in CASES])
def test_local_warehouse(warehouse, name, sql, columns, rows):
    result = warehouse.query_result(sql)
    assert [f["name"] for f in result.schema] == columns
    got = [tuple(r.values()) for r in result.table.to_pylist()]
    assert sorted(got, key=repr) == sorted(rows, key=repr)


def test_bigquery_client(bigquery_client):
    for name, sql, columns, rows in CASES:
        result = bigquery_client.query_and_wait(sql)
        assert [f.name for f in result.schema] == columns, name
        got = [tuple(r.values()) for r in result]
        assert sorted(got, key=repr) == sorted(rows, key=repr), name


@pytest.mark.parametrize("name, sql, message", ERRORS, ids=[e[0] for e in ERRORS])
def test_refused_locally(warehouse, name, sql, message):
    with pytest.raises(QueryError, match=message):
        warehouse.query_result(sql)


def test_refused_through_the_client_with_400(bigquery_client):
    for _name, sql, message in ERRORS:
        with pytest.raises(BadRequest, match=message):
            bigquery_client.query_and_wait(sql)
