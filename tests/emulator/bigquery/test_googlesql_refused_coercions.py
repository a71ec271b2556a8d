"""Queries BigQuery refuses that DuckDB answered: a recursive CTE past BigQuery's iteration limit
("the iteration limit is 500 iterations. Once a recursive CTE reaches the maximum number of
iterations, the CTE execution is aborted with an error", the "Work with recursive CTEs" guide),
which ran here until memory ran out. Each error is checked on the local warehouse and through the
real BigQuery client against the emulator (a 400), with the valid neighbours that must keep their
answers: recursions that end (at 500 iterations too), the guide's examples, and a UNION DISTINCT
graph walk over a cycle, which ends by its de-duplication.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from googlesql_cases import assert_fails_locally, assert_fails_through_client

LIMIT = "reached the maximum number of iterations: 500"

ERRORS = [
    # no termination condition
    "WITH RECURSIVE r AS (SELECT 1 AS n UNION ALL SELECT n + 1 FROM r) SELECT COUNT(*) FROM r",
    # 501 iterations
    "WITH RECURSIVE r AS (SELECT 0 AS n UNION ALL SELECT n + 1 FROM r WHERE n < 501) SELECT MAX(n) FROM r",
    # UNION DISTINCT whose every iteration finds a new row
    "WITH RECURSIVE r AS (SELECT 1 AS n UNION DISTINCT SELECT n + 1 FROM r) SELECT COUNT(*) FROM r",
    # a column list, a join, the base term a set operation of its own
    "WITH RECURSIVE r (k, v) AS ((SELECT 1, 'a' UNION ALL SELECT 2, 'b') UNION ALL "
    "SELECT x.k, x.v FROM r AS x CROSS JOIN (SELECT 1 AS one) AS o) SELECT COUNT(*) FROM r",
]

GRAPH = "SELECT 1 AS a, 2 AS b UNION ALL SELECT 2, 3 UNION ALL SELECT 3, 1 UNION ALL SELECT 3, 4"

# (query, its rows as BigQuery answers them)
VALID = [
    # 500 iterations: the limit, not past it
    (
        "WITH RECURSIVE r AS (SELECT 0 AS n UNION ALL SELECT n + 1 FROM r WHERE n < 500) SELECT COUNT(*), MAX(n) FROM r",
        [(501, 500)],
    ),
    # the guide's first example
    (
        "WITH RECURSIVE CTE_1 AS ((SELECT 1 AS iteration UNION ALL SELECT 1 AS iteration) UNION ALL "
        "SELECT iteration + 1 AS iteration FROM CTE_1 WHERE iteration < 3) SELECT iteration FROM CTE_1 ORDER BY 1",
        [(1,), (1,), (2,), (2,), (3,), (3,)],
    ),
    # the reader sees the CTE's own columns only
    (
        "WITH RECURSIVE r AS (SELECT 1 AS n, 'x' AS s UNION ALL SELECT n + 1, s FROM r WHERE n < 2) SELECT * FROM r ORDER BY n",
        [(1, "x"), (2, "x")],
    ),
    # a graph walk over the cycle 1 -> 2 -> 3 -> 1: UNION DISTINCT ends it
    (
        f"WITH RECURSIVE g AS ({GRAPH}), r AS (SELECT 1 AS node UNION DISTINCT "
        "SELECT g.b FROM r JOIN g ON r.node = g.a) SELECT node FROM r ORDER BY node",
        [(1,), (2,), (3,), (4,)],
    ),
    # UNION DISTINCT of a row that only repeats; and a base term with a duplicate row
    ("WITH RECURSIVE r AS (SELECT 7 AS n UNION DISTINCT SELECT n FROM r) SELECT * FROM r", [(7,)]),
    (
        "WITH RECURSIVE r AS ((SELECT 1 AS n UNION ALL SELECT 1) UNION DISTINCT "
        "SELECT MOD(n, 3) + 1 FROM r) SELECT n FROM r ORDER BY n",
        [(1,), (2,), (3,)],
    ),
    # NULL rows are one row under UNION DISTINCT
    (
        "WITH RECURSIVE r AS (SELECT CAST(NULL AS INT64) AS n UNION DISTINCT SELECT n FROM r) SELECT COUNT(*) FROM r",
        [(1,)],
    ),
]


@pytest.mark.parametrize("sql", ERRORS)
def test_local_warehouse_stops_at_the_iteration_limit(warehouse, sql):
    assert_fails_locally(warehouse, sql, LIMIT)


@pytest.mark.parametrize("sql", ERRORS)
def test_bigquery_client_gets_the_iteration_limit_as_a_400(bigquery_client, sql):
    assert_fails_through_client(bigquery_client, sql, LIMIT)


@pytest.mark.parametrize(("sql", "want"), VALID)
def test_local_warehouse_keeps_recursions_that_end(warehouse, sql, want):
    assert [tuple(r.values()) for r in warehouse.query_result(sql).table.to_pylist()] == want


@pytest.mark.parametrize(("sql", "want"), VALID)
def test_bigquery_client_keeps_recursions_that_end(bigquery_client, sql, want):
    assert [tuple(r.values()) for r in bigquery_client.query_and_wait(sql)] == want


# Set operations whose columns have no common type ("Conversion rules": the numeric types meet,
# a STRING literal coerces to DATE/DATETIME/TIME/TIMESTAMP, NULL meets any type)
SET_ERRORS = [
    ("SELECT 1 UNION ALL SELECT 'a'", "Column 1 in UNION ALL has incompatible types: INT64, STRING"),
    ("SELECT [1] UNION ALL SELECT ['a']", "Column 1 in UNION ALL has incompatible types: ARRAY<INT64>, ARRAY<STRING>"),
    ("SELECT 1, 'a' UNION DISTINCT SELECT 2, TRUE", "Column 2 in UNION DISTINCT has incompatible types: STRING, BOOL"),
    ("SELECT TRUE UNION ALL SELECT 0", "Column 1 in UNION ALL has incompatible types: BOOL, INT64"),
    (
        "SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 'x'",
        "Column 1 in UNION ALL has incompatible types: INT64, INT64, STRING",
    ),
    (
        "(SELECT 1 UNION ALL SELECT 2) EXCEPT DISTINCT SELECT 'x'",
        "Column 1 in EXCEPT DISTINCT has incompatible types: INT64, STRING",
    ),
    (
        "SELECT CAST(1 AS NUMERIC) INTERSECT DISTINCT SELECT DATE '2020-01-01'",
        "Column 1 in INTERSECT DISTINCT has incompatible types: NUMERIC, DATE",
    ),
]

# (query, its rows) that keep working: supertypes, literal coercion, NULL
SET_VALID = [
    ("SELECT 1 AS x UNION ALL SELECT 2.5 ORDER BY x", [(1.0,), (2.5,)]),
    (
        "SELECT DATE '2020-01-01' AS d UNION ALL SELECT '2020-01-02' ORDER BY d",
        [(datetime.date(2020, 1, 1),), (datetime.date(2020, 1, 2),)],
    ),
    ("SELECT NULL AS s UNION ALL SELECT 'a' ORDER BY s", [(None,), ("a",)]),
    ("SELECT [1] AS a UNION ALL SELECT [2.5]", [([1.0],), ([2.5],)]),
]


@pytest.mark.parametrize(("sql", "message"), SET_ERRORS)
def test_local_warehouse_refuses_set_operations_of_incompatible_types(warehouse, sql, message):
    assert_fails_locally(warehouse, sql, message)


@pytest.mark.parametrize(("sql", "message"), SET_ERRORS)
def test_bigquery_client_refuses_set_operations_of_incompatible_types(bigquery_client, sql, message):
    assert_fails_through_client(bigquery_client, sql, message)


@pytest.mark.parametrize(("sql", "want"), SET_VALID)
def test_set_operations_of_a_common_supertype_keep_working(warehouse, bigquery_client, sql, want):
    local = [tuple(r.values()) for r in warehouse.query_result(sql).table.to_pylist()]
    remote = [tuple(r.values()) for r in bigquery_client.query_and_wait(sql)]
    assert local == want
    assert remote == want


# Operators and functions of operand types GoogleSQL has no signature for ("Conversion rules":
# no STRING -> INT64 coercion; IF's condition, NOT, AND and OR take BOOL; MOD takes INT64,
# NUMERIC or BIGNUMERIC; LENGTH STRING or BYTES; ARRAY has no equality)
OPERAND_ERRORS = [
    ("SELECT IF(1, 2, 3)", "No matching signature for function IF for argument types: INT64, INT64, INT64"),
    ("SELECT NOT 1", "No matching signature for operator NOT for argument types: INT64"),
    ("SELECT 1 AND TRUE", "No matching signature for operator AND for argument types: INT64, BOOL"),
    ("SELECT 1 = '1'", "No matching signature for operator = for argument types: INT64, STRING"),
    ("SELECT 1 < '2'", "No matching signature for operator < for argument types: INT64, STRING"),
    ("SELECT CAST(1 AS STRING) = 1", "No matching signature for operator = for argument types: STRING, INT64"),
    ("SELECT [1, 2] = [1, 2]", "Equality is not defined for arguments of type ARRAY<INT64>"),
    ("SELECT MOD(5.5, 2)", "No matching signature for function MOD for argument types: FLOAT64, INT64"),
    ("SELECT LENGTH(123)", "No matching signature for function LENGTH for argument types: INT64"),
]

# (expression, value) that keep working: literal coercion, supertypes, NULL
OPERAND_VALID = [
    ("DATE '2020-01-01' = '2020-01-01'", True),
    ("TIMESTAMP '2020-01-01 00:00:00+00' < '2020-01-02 00:00:00+00'", True),
    ("DATE '2020-01-01' = DATETIME '2020-01-01 00:00:00'", True),
    ("1 = 1.0", True),
    ("NOT NULL", None),
    ("IF(NULL, 1, 2)", 2),
    ("MOD(5, 2)", 1),
    ("MOD(NUMERIC '5.5', 2)", Decimal("1.5")),
    ("LENGTH('abc')", 3),
    ("1e308", 1e308),
]


@pytest.mark.parametrize(("sql", "message"), OPERAND_ERRORS)
def test_local_warehouse_refuses_operand_types_without_a_signature(warehouse, sql, message):
    assert_fails_locally(warehouse, sql, message)


@pytest.mark.parametrize(("sql", "message"), OPERAND_ERRORS)
def test_bigquery_client_refuses_operand_types_without_a_signature(bigquery_client, sql, message):
    assert_fails_through_client(bigquery_client, sql, message)


@pytest.mark.parametrize(("expression", "want"), OPERAND_VALID)
def test_coercions_googlesql_makes_keep_working(warehouse, bigquery_client, expression, want):
    sql = f"SELECT {expression} AS v"
    assert [r["v"] for r in warehouse.query_result(sql).table.to_pylist()] == [want]
    assert [r["v"] for r in bigquery_client.query_and_wait(sql)] == [want]
