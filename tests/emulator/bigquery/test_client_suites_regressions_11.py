"""What the client tests of four other BigQuery emulators (esilver's, satks', glassmonkey's
bigquery-emulator; marcosapmf's has none) found where they expect BigQuery's documented answer.

esilver's `TestQueryJobStatementType` expects `ddlOperationPerformed` REPLACE for `CREATE OR
REPLACE VIEW` of an existing view and CREATE for a `CREATE TABLE ... AS SELECT`. The DDL reference
gives the values: CREATE (the target was created), SKIP (`CREATE ... IF NOT EXISTS` of an existing
target, `DROP ... IF EXISTS` of a missing one), REPLACE (`CREATE OR REPLACE` of an existing one),
DROP. The emulator answered CREATE for every CREATE and DROP for every DROP, and nothing for a
CREATE TABLE AS SELECT. Each case runs through google-cloud-bigquery against the emulator (the
job's statistics) and on the local warehouse (the statement's result).

glassmonkey's dashed-identifier goldens expect `CREATE TABLE FUNCTION my-dashed-project.ds.f()`
and `FROM my-dashed-project.ds.f()` to fail, as BigQuery's parser does (ZetaSQL's grammar reads an
unquoted dashed first part in table names only, never in a routine's name); both ran here. The
client's project here, `llmops-test`, is dashed.

satks' Go tests query `FROM "q_ds"."items"`: in GoogleSQL '...' and "..." are string literals,
and a string literal where a table name goes is BigQuery's "Syntax error: Unexpected string
literal"; sqlglot reads it as a quoted name, so the query answered the table's rows.

glassmonkey's operator probe has `["coffee", "tea", "milk"][6]`: the operators reference makes a
bare index `OFFSET(index)`, an error out of range; it was NULL here (DuckDB's list subscript).
Worse, a bare index that is not a literal (`arr[i]`) was read from 1, as DuckDB counts: `arr[1]`
of `[7, 8]` answered 7 (BigQuery: 8) and `arr[0]` NULL.
"""

from __future__ import annotations

import uuid

import pytest
from googlesql_cases import assert_fails_locally, assert_fails_through_client

# (statements run first, the statement, its ddlOperationPerformed); {d} is a fresh dataset
DDL_OPERATIONS = [
    ([], "CREATE TABLE {d}.t (x INT64)", "CREATE"),
    (["CREATE TABLE {d}.t (x INT64)"], "CREATE TABLE IF NOT EXISTS {d}.t (x INT64)", "SKIP"),
    (["CREATE TABLE {d}.t (x INT64)"], "CREATE OR REPLACE TABLE {d}.t (y STRING)", "REPLACE"),
    ([], "CREATE OR REPLACE TABLE {d}.t (y STRING)", "CREATE"),
    ([], "CREATE TABLE {d}.t AS SELECT 1 AS x", "CREATE"),
    (["CREATE TABLE {d}.t AS SELECT 1 AS x"], "CREATE OR REPLACE TABLE {d}.t AS SELECT 2 AS x", "REPLACE"),
    (["CREATE TABLE {d}.t AS SELECT 1 AS x"], "CREATE TABLE IF NOT EXISTS {d}.t AS SELECT 3 AS x", "SKIP"),
    ([], "CREATE VIEW {d}.v AS SELECT 1 AS x", "CREATE"),
    (["CREATE VIEW {d}.v AS SELECT 1 AS x"], "CREATE OR REPLACE VIEW {d}.v AS SELECT 2 AS x", "REPLACE"),
    (["CREATE VIEW {d}.v AS SELECT 1 AS x"], "CREATE VIEW IF NOT EXISTS {d}.v AS SELECT 3 AS x", "SKIP"),
    (["CREATE TABLE {d}.t (x INT64)"], "DROP TABLE {d}.t", "DROP"),
    ([], "DROP TABLE IF EXISTS {d}.t", "SKIP"),
    ([], "DROP VIEW IF EXISTS {d}.v", "SKIP"),
    (["CREATE VIEW {d}.v AS SELECT 1 AS x"], "DROP VIEW IF EXISTS {d}.v", "DROP"),
]
SCHEMA_OPERATIONS = [
    ([], "CREATE SCHEMA {s}", "CREATE"),
    (["CREATE SCHEMA {s}"], "CREATE SCHEMA IF NOT EXISTS {s}", "SKIP"),
    (["CREATE SCHEMA {s}"], "DROP SCHEMA {s}", "DROP"),
    ([], "DROP SCHEMA IF EXISTS {s}", "SKIP"),
]


def _ids(cases):
    return [sql for _, sql, _ in cases]


@pytest.mark.parametrize("before, sql, want", DDL_OPERATIONS, ids=_ids(DDL_OPERATIONS))
def test_ddl_operation_through_client(bigquery_client, dataset, before, sql, want):
    d = f"{dataset.dataset_id}_{uuid.uuid4().hex[:6]}"
    bigquery_client.create_dataset(d)
    try:
        for statement in before:
            bigquery_client.query(statement.format(d=d)).result()
        job = bigquery_client.query(sql.format(d=d))
        job.result()
        assert job.ddl_operation_performed == want
    finally:
        bigquery_client.delete_dataset(d, delete_contents=True, not_found_ok=True)


@pytest.mark.parametrize("before, sql, want", SCHEMA_OPERATIONS, ids=_ids(SCHEMA_OPERATIONS))
def test_schema_ddl_operation_through_client(bigquery_client, before, sql, want):
    s = f"s_{uuid.uuid4().hex[:8]}"
    try:
        for statement in before:
            bigquery_client.query(statement.format(s=s)).result()
        job = bigquery_client.query(sql.format(s=s))
        job.result()
        assert job.ddl_operation_performed == want
    finally:
        bigquery_client.delete_dataset(s, delete_contents=True, not_found_ok=True)


@pytest.mark.parametrize("before, sql, want", DDL_OPERATIONS, ids=_ids(DDL_OPERATIONS))
def test_ddl_operation_locally(scratch_warehouse, before, sql, want):
    d = f"ds_{uuid.uuid4().hex[:8]}"
    scratch_warehouse.query_result(f"CREATE SCHEMA {d}")
    try:
        for statement in before:
            scratch_warehouse.query_result(statement.format(d=d))
        assert scratch_warehouse.query_result(sql.format(d=d)).ddl_operation == want
    finally:
        scratch_warehouse.query_result(f"DROP SCHEMA {d} CASCADE")


def test_ctas_job_names_its_table_and_operation(bigquery_client, dataset):
    """A CREATE TABLE AS SELECT job keeps naming the created table as its destination (dbt-bigquery
    reads it) and now reports CREATE and the target, as the DDL reference's statistics say."""
    table = f"{dataset.project}.{dataset.dataset_id}.ctas_{uuid.uuid4().hex[:6]}"
    job = bigquery_client.query(f"CREATE TABLE `{table}` AS SELECT 1 AS id, 'x' AS name")
    job.result()
    assert job.statement_type == "CREATE_TABLE_AS_SELECT"
    assert job.ddl_operation_performed == "CREATE"
    assert job.ddl_target_table.table_id == table.rsplit(".", 1)[1]
    assert job.destination.table_id == table.rsplit(".", 1)[1]


DASHED_ROUTINE = "a routine name cannot contain an unquoted '-'"


@pytest.mark.parametrize(
    "statement",
    [
        "CREATE TABLE FUNCTION {p}.{d}.tvf() AS (SELECT 1 AS x)",
        "CREATE OR REPLACE TABLE FUNCTION {p}.{d}.tvf(n INT64) AS (SELECT n AS x)",
        "CREATE FUNCTION {p}.{d}.f() AS (1)",
        "CREATE TEMP FUNCTION g() AS (1); SELECT * FROM {p}.{d}.tvf_q()",
    ],
)
def test_dashed_routine_name_refused_through_client(bigquery_client, dataset, statement):
    sql = statement.format(p=dataset.project, d=dataset.dataset_id)
    assert_fails_through_client(bigquery_client, sql, DASHED_ROUTINE)


def test_dashed_table_function_call_refused_through_client(bigquery_client, dataset):
    p, d = dataset.project, dataset.dataset_id
    bigquery_client.query_and_wait(f"CREATE TABLE FUNCTION `{p}`.{d}.tvf_q() AS (SELECT 7 AS x)")
    assert_fails_through_client(bigquery_client, f"SELECT * FROM {p}.{d}.tvf_q()", DASHED_ROUTINE)
    # quoted, the same routine is served; a dashed table name stays served unquoted
    assert [tuple(r.values()) for r in bigquery_client.query_and_wait(f"SELECT * FROM `{p}`.{d}.tvf_q()")] == [(7,)]
    bigquery_client.query_and_wait(f"CREATE TABLE {p}.{d}.t AS SELECT 8 AS x")
    assert [tuple(r.values()) for r in bigquery_client.query_and_wait(f"SELECT x FROM {p}.{d}.t")] == [(8,)]


def test_dashed_table_function_call_refused_locally(warehouse):
    assert_fails_locally(warehouse, "SELECT * FROM my-project.ds.tvf()", DASHED_ROUTINE)


STRING_TABLE = "Unexpected string literal"
STRING_TABLE_NAMES = [
    'SELECT x FROM "{d}"."t"',
    'SELECT x FROM "{d}.t"',
    "SELECT x FROM '{d}'.t",
    'SELECT x FROM {d}."t"',
    'SELECT t.x FROM {d}.t JOIN "{d}".u USING (x)',
    'SELECT x FROM {d}.t WHERE x IN (SELECT x FROM "{d}".u)',
    'INSERT INTO "{d}".t (x) VALUES (2)',
    'UPDATE "{d}".t SET x = 3 WHERE TRUE',
    'DELETE FROM "{d}".t WHERE TRUE',
    'CREATE TABLE "{d}".v (x INT64)',
]
# string literals where GoogleSQL takes them, next to FROM and after a JSON literal's dot
STRING_LITERALS_KEPT = [
    ('SELECT COUNT(*) FROM {d}.t WHERE "a" IS DISTINCT FROM "b"', [(1,)]),
    ("SELECT x FROM {d}.t WHERE 'a' IS NOT DISTINCT FROM 'a'", [(1,)]),
    ("""SELECT INT64(JSON '{{"a": 5}}'.a) FROM {d}.t""", [(5,)]),
    ("SELECT x FROM `{d}`.`t`", [(1,)]),
    ("SELECT x FROM `{d}.t`", [(1,)]),
]


@pytest.fixture
def string_tables(bigquery_client, dataset):
    d = dataset.dataset_id
    bigquery_client.query_and_wait(f"CREATE TABLE {d}.t AS SELECT 1 AS x")
    bigquery_client.query_and_wait(f"CREATE TABLE {d}.u AS SELECT 1 AS x")
    return d


def test_string_literal_table_names_refused_through_client(bigquery_client, string_tables):
    for sql in STRING_TABLE_NAMES:
        assert_fails_through_client(bigquery_client, sql.format(d=string_tables), STRING_TABLE)
    rows = bigquery_client.query_and_wait(f"SELECT x FROM {string_tables}.t")
    assert [tuple(r.values()) for r in rows] == [(1,)]  # the writes above changed nothing


def test_string_literals_elsewhere_served_through_client(bigquery_client, string_tables):
    for sql, want in STRING_LITERALS_KEPT:
        rows = bigquery_client.query_and_wait(sql.format(d=string_tables))
        assert [tuple(r.values()) for r in rows] == want, sql


@pytest.mark.parametrize("sql", STRING_TABLE_NAMES)
def test_string_literal_table_names_refused_locally(warehouse, sql):
    assert_fails_locally(warehouse, sql.format(d="ds"), STRING_TABLE)


OUT_OF_BOUNDS = "Array index"
BARE_INDEX_ERRORS = [
    "SELECT ['coffee', 'tea', 'milk'][6]",
    "SELECT ['coffee', 'tea', 'milk'][-1]",
    "SELECT arr[5] FROM (SELECT [1, 2] AS arr)",
    "SELECT arr[i] FROM (SELECT [1, 2] AS arr, 2 AS i)",
]
BARE_INDEX_VALUES = [
    ("SELECT ['coffee', 'tea', 'milk'][1]", "tea"),
    ("SELECT arr[0] FROM (SELECT [7, 8] AS arr)", 7),
    # an index that is not a literal counted from 1 (DuckDB's), one element too far
    ("SELECT arr[i] FROM (SELECT [7, 8] AS arr, 1 AS i)", 8),
    ("SELECT arr[i] FROM (SELECT [7, 8] AS arr, 0 AS i)", 7),
    ("SELECT [7, 8][i + 0] FROM (SELECT 0 AS i)", 7),
    ("SELECT [1, 2][CAST(NULL AS INT64)]", None),
    ("SELECT arr[0] FROM (SELECT CAST(NULL AS ARRAY<INT64>) AS arr)", None),
    ("""SELECT INT64(JSON '[5, 6]'[1])""", 6),
]


@pytest.mark.parametrize("sql", BARE_INDEX_ERRORS)
def test_bare_index_out_of_range_fails_locally(warehouse, sql):
    assert_fails_locally(warehouse, sql, OUT_OF_BOUNDS)


@pytest.mark.parametrize("sql", BARE_INDEX_ERRORS)
def test_bare_index_out_of_range_fails_through_client(bigquery_client, sql):
    assert_fails_through_client(bigquery_client, sql, OUT_OF_BOUNDS)


@pytest.mark.parametrize("sql, want", BARE_INDEX_VALUES)
def test_bare_index_in_range(warehouse, bigquery_client, sql, want):
    assert list(warehouse.query_result(sql).table.to_pylist()[0].values()) == [want]
    assert [tuple(r.values()) for r in bigquery_client.query_and_wait(sql)] == [(want,)]
