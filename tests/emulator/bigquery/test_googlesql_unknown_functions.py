"""Calls of functions GoogleSQL does not have fail with BigQuery's `Function not found: <name as
written> at [line:col]` (as BigQuery answered `Function not found: charindex at [23:25]`), where
DuckDB's function of that name answered: `RADIANS`, `DEGREES`, `LIST_VALUE`, `STRFTIME`,
`REGEXP_MATCHES`, `LEVENSHTEIN` (GoogleSQL's is EDIT_DISTANCE), `LEN` (GoogleSQL's is LENGTH),
`SHA384`. The names GoogleSQL calls are the reference's function list (functionnames.py). Each
refusal is checked on the local warehouse and through the real BigQuery client (a 400), with
the valid neighbours that must keep their answers: GoogleSQL's own functions, `SAFE.`, a
temporary function named like a DuckDB one, a persistent routine, syntax written like a call.
"""

from __future__ import annotations

import pytest
from googlesql_cases import assert_fails_locally, assert_fails_through_client

ERRORS = [
    ("SELECT RADIANS(180)", "Function not found: RADIANS at [1:8]"),
    ("SELECT degrees(3.14)", "Function not found: degrees at [1:8]"),
    ("SELECT ARRAY_LENGTH(list_value(1, 2))", "Function not found: list_value at [1:21]"),
    ("SELECT strftime(CURRENT_TIMESTAMP(), '%Y')", "Function not found: strftime at [1:8]"),
    ("SELECT regexp_matches('abc', 'b')", "Function not found: regexp_matches at [1:8]"),
    ("SELECT LEVENSHTEIN('kitten', 'sitting')", "Function not found: LEVENSHTEIN at [1:8]"),
    ("SELECT x FROM UNNEST(['a', 'bc']) AS x WHERE len(x) > 1", "Function not found: len at [1:46]"),
    ("SELECT TO_HEX(SHA384(b'abc'))", "Function not found: SHA384 at [1:15]"),
    ("SELECT SAFE.radians(1)", "Function not found: radians at [1:13]"),
    # GoogleSQL's TYPEOF names GoogleSQL's types; DuckDB's answered 'INTEGER' for TYPEOF(1)
    ("SELECT TYPEOF(1)", "TYPEOF is not supported by the local warehouse"),
    ("SELECT 1 AS a,\n  epoch_ms(CURRENT_TIMESTAMP()) AS b", "Function not found: epoch_ms at [2:3]"),
]

# (query, its rows as BigQuery answers them)
VALID = [
    ("SELECT EDIT_DISTANCE('kitten', 'sitting'), LENGTH('abc'), ARRAY_LENGTH([1, 2])", [(3, 3, 2)]),
    ("SELECT SAFE.LOG(-1), IFNULL(NULL, 1), COALESCE(NULL, 2), NULLIF(1, 1), IF(TRUE, 3, 4)", [(None, 1, 2, None, 3)]),
    ("SELECT [1, 2][OFFSET(0)], [1, 2][SAFE_ORDINAL(3)], DATE_TRUNC(DATE '2024-01-10', WEEK(MONDAY))", None),
    ("CREATE TEMP FUNCTION radians(x FLOAT64) AS (x * ACOS(-1) / 180); SELECT radians(180) = ACOS(-1)", [(True,)]),
    ("WITH RECURSIVE r (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 3) SELECT SUM(n) FROM r", [(6,)]),
    ("SELECT * REPLACE (2 AS a) FROM (SELECT 1 AS a)", [(2,)]),
]


@pytest.mark.parametrize(("sql", "fragment"), ERRORS)
def test_local_warehouse_refuses_a_function_googlesql_does_not_have(warehouse, sql, fragment):
    assert_fails_locally(warehouse, sql, fragment)


@pytest.mark.parametrize(("sql", "fragment"), ERRORS)
def test_bigquery_client_gets_function_not_found_as_a_400(bigquery_client, sql, fragment):
    assert_fails_through_client(bigquery_client, sql, fragment)


def _rows(result) -> list[tuple]:
    return [tuple(r.values()) for r in result]


@pytest.mark.parametrize(("sql", "want"), VALID)
def test_local_warehouse_keeps_googlesql_calls(warehouse, sql, want):
    got = [tuple(r.values()) for r in warehouse.query_result(sql).table.to_pylist()]
    assert want is None and len(got) == 1 or got == want


@pytest.mark.parametrize(("sql", "want"), VALID)
def test_bigquery_client_keeps_googlesql_calls(bigquery_client, sql, want):
    got = _rows(bigquery_client.query_and_wait(sql))
    assert want is None and len(got) == 1 or got == want


def test_a_routine_named_like_a_duckdb_function_is_called(bigquery_client, dataset):
    bigquery_client.query_and_wait(f"CREATE FUNCTION `{dataset.dataset_id}`.degrees(x FLOAT64) AS (x * 180 / ACOS(-1))")
    assert _rows(bigquery_client.query_and_wait(f"SELECT ROUND(`{dataset.dataset_id}`.degrees(ACOS(-1)))")) == [
        (180.0,)
    ]
    assert _rows(bigquery_client.query_and_wait(f"SELECT ROUND({dataset.dataset_id}.degrees(ACOS(-1)))")) == [(180.0,)]
