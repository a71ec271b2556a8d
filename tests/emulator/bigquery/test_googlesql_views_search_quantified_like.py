"""Views over dropped objects, quantified LIKE with a subquery, and SEARCH.

What was wrong:

- a view calling a persistent SQL, JavaScript or table function that was dropped later failed
  with `function H is not supported by the local warehouse` (as if GoogleSQL had no such
  function), and a view over a dropped table, view or dataset with DuckDB's `Table with name t
  does not exist!`; BigQuery names the missing object (`Function not found: ds.h`, 400; `Not
  found: Table p:ds.t`, 404). A direct call of an unknown function was a 404, BigQuery's is 400;
- `x LIKE ANY (SELECT ...)` (ZetaSQL's subquery patterns, which BigQuery's quantified LIKE does
  not take: its patterns are a list or `UNNEST(array)`) reached DuckDB as `x LIKE SELECT ...`, a
  syntax error naming DuckDB; it now fails with ZetaSQL's own analyzer error. BigQuery's documented
  `LIKE ANY UNNEST(ARRAY(SELECT ...))` failed the same way.
"""

from __future__ import annotations

import pytest
from google.api_core.client_options import ClientOptions
from google.api_core.exceptions import BadRequest, NotFound
from google.auth.credentials import AnonymousCredentials
from google.cloud import bigquery
from googlesql_cases import (
    assert_fails_locally,
    assert_fails_through_client,
    case_params,
    check_locally,
    check_through_client,
)

from llmops.core.errors import QueryError
from llmops.testing import start_emulator

# (name, statements that leave a view over something dropped, its read, the error, its HTTP status)
DROPPED_UNDER_A_VIEW = [
    (
        "sql-function",
        [
            "CREATE FUNCTION {ds}.h(x INT64) AS (x + 1)",
            "CREATE VIEW {ds}.calls_h AS SELECT {ds}.h(1) AS a",
            "DROP FUNCTION {ds}.h",
        ],
        "SELECT * FROM {ds}.calls_h",
        "Function not found: {ds}.h",
        400,
    ),
    (
        "javascript-function",
        [
            "CREATE FUNCTION {ds}.js(x FLOAT64) RETURNS FLOAT64 LANGUAGE js AS 'return x + 1;'",
            "CREATE VIEW {ds}.calls_js AS SELECT {ds}.js(1) AS a",
            "DROP FUNCTION {ds}.js",
        ],
        "SELECT * FROM {ds}.calls_js",
        "Function not found: {ds}.js",
        400,
    ),
    (
        "table-function",
        [
            "CREATE TABLE FUNCTION {ds}.tf(n INT64) AS (SELECT n AS a)",
            "CREATE VIEW {ds}.reads_tf AS SELECT * FROM {ds}.tf(1)",
            "DROP TABLE FUNCTION {ds}.tf",
        ],
        "SELECT * FROM {ds}.reads_tf",
        "Function not found: {ds}.tf",
        400,
    ),
    (
        "function-of-a-view-under-a-view",
        [
            "CREATE FUNCTION {ds}.g(x INT64) AS (x * 2)",
            "CREATE VIEW {ds}.calls_g AS SELECT {ds}.g(1) AS a",
            "CREATE VIEW {ds}.over_calls_g AS SELECT a FROM {ds}.calls_g",
            "DROP FUNCTION {ds}.g",
        ],
        "SELECT * FROM {ds}.over_calls_g",
        "Function not found: {ds}.g",
        400,
    ),
    (
        "table",
        [
            "CREATE TABLE {ds}.t AS SELECT 1 AS a",
            "CREATE VIEW {ds}.reads_t AS SELECT a FROM {ds}.t",
            "DROP TABLE {ds}.t",
        ],
        "SELECT * FROM {ds}.reads_t",
        ".{ds}.t` not found",
        404,
    ),
    (
        "view",
        [
            "CREATE VIEW {ds}.inner_v AS SELECT 1 AS a",
            "CREATE VIEW {ds}.outer_v AS SELECT a FROM {ds}.inner_v",
            "DROP VIEW {ds}.inner_v",
        ],
        "SELECT * FROM {ds}.outer_v",
        ".{ds}.inner_v` not found",
        404,
    ),
    (
        "dataset",
        [
            "CREATE SCHEMA {ds}_gone",
            "CREATE TABLE {ds}_gone.t AS SELECT 1 AS a",
            "CREATE VIEW {ds}.reads_gone AS SELECT a FROM {ds}_gone.t",
            "DROP SCHEMA {ds}_gone CASCADE",
        ],
        "SELECT * FROM {ds}.reads_gone",
        ".{ds}_gone` not found",
        404,
    ),
]
DROPPED_IDS = [case[0] for case in DROPPED_UNDER_A_VIEW]


@pytest.mark.parametrize(("name", "setup", "read", "error", "status"), DROPPED_UNDER_A_VIEW, ids=DROPPED_IDS)
def test_a_view_over_something_dropped_names_it_locally(warehouse, name, setup, read, error, status):
    ds = f"local_{name.replace('-', '_')}"
    warehouse.query_result(f"CREATE SCHEMA {ds}")
    for sql in setup:
        warehouse.query_result(sql.format(ds=ds))
    with pytest.raises(QueryError) as info:
        warehouse.query_result(read.format(ds=ds))
    assert error.format(ds=ds) in str(info.value)
    assert "not supported" not in str(info.value)


@pytest.mark.parametrize(("name", "setup", "read", "error", "status"), DROPPED_UNDER_A_VIEW, ids=DROPPED_IDS)
def test_a_view_over_something_dropped_names_it_through_the_client(bigquery_client, name, setup, read, error, status):
    ds = f"client_{name.replace('-', '_')}"
    bigquery_client.create_dataset(ds)
    for sql in setup:
        bigquery_client.query_and_wait(sql.format(ds=ds))
    with pytest.raises(BadRequest if status == 400 else NotFound) as info:
        bigquery_client.query_and_wait(read.format(ds=ds))
    assert error.format(ds=ds) in str(info.value)


def test_an_unknown_function_is_a_400_as_in_bigquery(warehouse, bigquery_client):
    assert_fails_locally(warehouse, "SELECT no_such_ds.no_such_fn(1)", "Function not found: no_such_ds.no_such_fn")
    assert_fails_through_client(bigquery_client, "SELECT nods.nofn(1)", "Function not found: nods.nofn")


def test_a_view_over_a_dropped_function_after_an_emulator_restart(tmp_path):
    def client(running):
        return bigquery.Client(
            project="p",
            credentials=AnonymousCredentials(),
            client_options=ClientOptions(api_endpoint=running.endpoint),
            location="US",
        )

    first = start_emulator(tmp_path)
    try:
        bq = client(first)
        bq.create_dataset("ds")
        for sql in DROPPED_UNDER_A_VIEW[0][1]:
            bq.query_and_wait(sql.format(ds="ds"))
    finally:
        first.server.stop()
    second = start_emulator(tmp_path)
    try:
        with pytest.raises(BadRequest, match="Function not found: ds.h"):
            client(second).query_and_wait("SELECT * FROM ds.calls_h")
    finally:
        second.server.stop()


WORDS = (
    "WITH Words AS (SELECT 'Intend with clarity.' AS value UNION ALL SELECT 'Secure with intention.' "
    "UNION ALL SELECT 'Clarity and security.') "
)

ARRAY_OF_A_SUBQUERY = [
    ("'a' LIKE ANY UNNEST(ARRAY(SELECT p FROM UNNEST(['b%', '%']) AS p))", True, "BOOL"),
    ("'a' LIKE ALL UNNEST(ARRAY(SELECT p FROM UNNEST(['b%', '%']) AS p))", False, "BOOL"),
    # as 'a' NOT LIKE ANY ('a', NULL): no pattern fails to match, one comparison is NULL
    ("'a' NOT LIKE ANY UNNEST(ARRAY(SELECT p FROM UNNEST(['a', NULL]) AS p))", None, "BOOL"),
    ("b'a' LIKE ANY UNNEST(ARRAY(SELECT b'%'))", True, "BOOL"),
    # the operators reference's example of an array and a subquery
    (
        WORDS + "SELECT STRING_AGG(value, '|' ORDER BY value) FROM Words "
        "WHERE value LIKE ANY UNNEST(ARRAY(SELECT e FROM UNNEST(['%ion%', '%and%']) AS e))",
        "Clarity and security.|Secure with intention.",
        "STRING",
    ),
]
QUANTIFIED_LIKE = {"array-of-a-subquery": ARRAY_OF_A_SUBQUERY}

SUBQUERY_PATTERNS = [
    "SELECT 'a' LIKE ANY (SELECT 'a')",
    "SELECT 'a' LIKE SOME (SELECT p FROM UNNEST(['b%', '%']) AS p)",
    "SELECT 'a' NOT LIKE ALL (SELECT 'a' UNION ALL SELECT 'b')",
    "SELECT b'a' NOT LIKE ANY (SELECT b'a')",
    WORDS + "SELECT value FROM Words WHERE value LIKE ANY (SELECT '%with%')",
]
NO_SUBQUERY_PATTERNS = "does not support subquery expression as patterns"


@pytest.mark.parametrize(("sql", "want", "typ"), case_params(QUANTIFIED_LIKE))
def test_quantified_like_locally(warehouse, sql, want, typ):
    check_locally(warehouse, sql, want, typ)


def test_quantified_like_through_the_client(bigquery_client):
    check_through_client(bigquery_client, ARRAY_OF_A_SUBQUERY)


@pytest.mark.parametrize("sql", SUBQUERY_PATTERNS)
def test_subquery_patterns_fail_as_in_bigquery(warehouse, bigquery_client, sql):
    assert_fails_locally(warehouse, sql, NO_SUBQUERY_PATTERNS)
    assert_fails_through_client(bigquery_client, sql, NO_SUBQUERY_PATTERNS)


def test_a_list_of_one_scalar_subquery_is_not_a_subquery_of_patterns(warehouse):
    check_locally(warehouse, "'a' LIKE ANY ((SELECT 'a'))", True, "BOOL")
    check_locally(warehouse, "'a' LIKE ALL ((SELECT 'a'), (SELECT 'b'))", False, "BOOL")
