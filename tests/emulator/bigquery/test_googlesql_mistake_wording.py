"""The commonest query mistakes fail with BigQuery's words and GoogleSQL's type names.

What was wrong: these came out as DuckDB's binder messages (`Table "t" does not have a column
named "nope"`, `column "id" must appear in the GROUP BY clause...`, `No function matches the
given name and argument types 'sum(VARCHAR)'`, `Referenced table "y" not found!`), naming DuckDB
types a BigQuery user has never seen.
"""

from __future__ import annotations

import pytest
from googlesql_cases import assert_fails_locally, assert_fails_through_client

from llmops.emulator.bigquery.binderwords import googlesql_type_name

TABLE = "(SELECT 1 AS id, 'a' AS title, [1, 2] AS nums)"

CASES = [
    (f"SELECT t.nope FROM {TABLE} t", "Name nope not found inside t"),
    (f"SELECT y.id FROM {TABLE} t", "Unrecognized name: y"),
    (
        f"SELECT id, COUNT(*) FROM {TABLE} t GROUP BY title",
        "SELECT list expression references column id which is neither grouped nor aggregated",
    ),
    (f"SELECT SUM(title) FROM {TABLE} t", "No matching signature for function SUM for argument types: STRING"),
    ("SELECT ABS('a')", "No matching signature for function ABS for argument types: STRING"),
    (f"SELECT SUM(nums) FROM {TABLE} t", "No matching signature for function SUM for argument types: ARRAY<INT64>"),
    # an operator's wrong operands were DuckDB's "Could not choose a best candidate function ... +(STRING_LITERAL, ...)"
    ("SELECT 'a' + 1", "No matching signature for operator + for argument types: STRING, INT64"),
    (f"SELECT title * 2 FROM {TABLE} t", "No matching signature for operator * for argument types: STRING, INT64"),
    ("SELECT DATE '2024-01-01' - 'x'", "No matching signature for operator - for argument types: DATE, STRING"),
]


@pytest.mark.parametrize(("sql", "message"), CASES, ids=[c[1][:40] for c in CASES])
def test_locally(warehouse, sql, message):
    assert_fails_locally(warehouse, sql, message)


@pytest.mark.parametrize(("sql", "message"), CASES, ids=[c[1][:40] for c in CASES])
def test_through_client(bigquery_client, sql, message):
    assert_fails_through_client(bigquery_client, sql, message)


def test_llmops_sql_prints_one_line(cli):
    r = cli("sql", "SELECT SUM(title) FROM `bigquery-public-data.stackoverflow.posts_questions`", "--json")
    assert r.code == 1 and r.out == ""
    assert "No matching signature for function SUM for argument types: STRING" in r.err
    assert len(r.err.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("duckdb_name", "googlesql"),
    [
        ("VARCHAR", "STRING"),
        ("BIGINT[]", "ARRAY<INT64>"),
        ("TIMESTAMP WITH TIME ZONE", "TIMESTAMP"),
        ("TIMESTAMP", "DATETIME"),
        ("DECIMAL(38,9)", "NUMERIC"),
        ("DECIMAL(38,18)", "BIGNUMERIC"),
        ("BLOB", "BYTES"),
        ("INTEGER_LITERAL", "INT64"),
    ],
)
def test_type_names(duckdb_name, googlesql):
    assert googlesql_type_name(duckdb_name) == googlesql


def test_a_date_plus_int64_the_engine_cannot_type_names_date_add(tmp_path):
    """In a script of several statements the columns' types are not looked up (see googlesql.md,
    "Known differences"): DATE + INT64 there names DATE_ADD, not a signature BigQuery has."""
    from llmops.core.errors import QueryError
    from llmops.emulator.bigquery.engine import BigQueryEngine

    engine = BigQueryEngine()
    engine.create_dataset("llmops-local", "b")
    engine.query("CREATE TABLE b.t AS SELECT DATE '2024-01-01' AS d, 3 AS n")
    with pytest.raises(QueryError) as info:
        engine.query("SELECT 1; SELECT d + n FROM b.t")
    assert str(info.value).startswith("DATE + INT64 of values whose types the local warehouse could not infer")
    assert "DATE_ADD(d, INTERVAL n DAY)" in str(info.value)
