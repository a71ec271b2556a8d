"""A call of a built-in function with a wrong number of arguments fails with BigQuery's error.

What was wrong (sqlglot's parser, which reads the GoogleSQL text, counts arguments its own way):

- an extra argument was dropped or folded into another meaning, so the query answered:
  `LENGTH('abc', 1)` was 3, `SPLIT('a,b', ',', 3)` was ["a", "b"], `IF(FALSE, 1)` was NULL,
  `JSON_VALUE('{}', '$', 1)` was NULL, `TO_JSON_STRING(1, TRUE, 3)` was "1",
  `SAFE.LENGTH('a', 1)` was 1;
- others failed with words that are not BigQuery's: `UPPER('a', 'b')` "Syntax error: The number of
  provided arguments (2) is greater than the maximum number of supported arguments (1)",
  `CONCAT()` / `COALESCE()` / `MOD(1)` "Syntax error: Unexpected end of script",
  `DATE_ADD(DATE '2020-01-01')` "sqlglot.expressions.core.Expr object expected; got None" (a
  Python message), `ARRAY_LENGTH([1], 2)` a DuckDB message about list dimensions, `ST_X()`
  "is not supported by the local warehouse".

Now each call of a function in `arities.ARITIES` is counted as written, and a count none of its
documented signatures takes fails with `No matching signature for function NAME: it takes N
arguments, got M` (a 400 invalidQuery through the API). The forms GoogleSQL writes inside a call
(named arguments, SAFE., DISTINCT / ORDER BY / LIMIT / IGNORE NULLS in an aggregate, OVER,
EXTRACT / CAST / ARRAY(subquery), typed STRUCT literals) keep answering, and routines named
like a built-in are not checked.
"""

from __future__ import annotations

import pytest
from googlesql_cases import (
    assert_fails_locally,
    assert_fails_through_client,
    check_locally,
    check_through_client,
)

from llmops.emulator.bigquery.arities import ARITIES

WRONG_COUNTS = [
    ("SELECT LENGTH('abc', 1)", "No matching signature for function LENGTH: it takes 1 argument, got 2"),
    ("SELECT SPLIT('a,b', ',', 3)", "No matching signature for function SPLIT: it takes 1 or 2 arguments, got 3"),
    ("SELECT UPPER('a', 'b')", "No matching signature for function UPPER: it takes 1 argument, got 2"),
    ("SELECT CONCAT()", "No matching signature for function CONCAT: it takes at least 1 argument, got 0"),
    ("SELECT COALESCE()", "No matching signature for function COALESCE: it takes at least 1 argument, got 0"),
    ("SELECT MOD(1)", "No matching signature for function MOD: it takes 2 arguments, got 1"),
    ("SELECT DATE_ADD(DATE '2020-01-01')", "No matching signature for function DATE_ADD: it takes 2 arguments, got 1"),
    ("SELECT IF(FALSE, 1)", "No matching signature for function IF: it takes 3 arguments, got 2"),
    ("SELECT JSON_VALUE('{}', '$', 1)", "No matching signature for function JSON_VALUE: it takes 1 or 2 arguments"),
    ("SELECT TO_JSON_STRING(1, TRUE, 3)", "No matching signature for function TO_JSON_STRING: it takes 1 or 2"),
    ("SELECT SAFE.LENGTH('a', 1)", "No matching signature for function LENGTH: it takes 1 argument, got 2"),
    ("SELECT ARRAY_LENGTH([1], 2)", "No matching signature for function ARRAY_LENGTH: it takes 1 argument, got 2"),
    ("SELECT ST_X()", "No matching signature for function ST_X: it takes 1 argument, got 0"),
    ("SELECT ROW_NUMBER(1) OVER ()", "No matching signature for function ROW_NUMBER: it takes no arguments, got 1"),
    ("SELECT CURRENT_DATE('UTC', 1)", "No matching signature for function CURRENT_DATE: it takes at most 1 argument"),
    ("SELECT REGEXP_CONTAINS('a')", "No matching signature for function REGEXP_CONTAINS: it takes 2 arguments"),
    # the position of the call, as BigQuery gives it
    ("SELECT 1,\n  UPPER(LENGTH('a', 2))", "got 2 at [2:9]"),
]


@pytest.mark.parametrize(("sql", "fragment"), WRONG_COUNTS, ids=[c[0][7:40] for c in WRONG_COUNTS])
def test_a_wrong_count_fails_locally(warehouse, sql, fragment):
    assert_fails_locally(warehouse, sql, fragment)


@pytest.mark.parametrize(("sql", "fragment"), WRONG_COUNTS[:6], ids=[c[0][7:40] for c in WRONG_COUNTS[:6]])
def test_a_wrong_count_fails_through_the_client(bigquery_client, sql, fragment):
    assert_fails_through_client(bigquery_client, sql, fragment)


def test_a_wrong_count_is_a_400_invalid_query(bigquery_client):
    from google.api_core.exceptions import BadRequest

    with pytest.raises(BadRequest) as info:
        bigquery_client.query_and_wait("SELECT LENGTH('abc', 1)")
    assert info.value.code == 400
    assert info.value.errors[0]["reason"] == "invalidQuery"


def test_llmops_sql_prints_one_line(cli):
    r = cli("sql", "SELECT SPLIT('a,b', ',', 3)", "--json")
    assert r.code == 1 and r.out == ""
    assert "No matching signature for function SPLIT: it takes 1 or 2 arguments, got 3" in r.err
    assert len(r.err.strip().splitlines()) == 1


ROWS = "UNNEST(['a', 'b', 'c', 'a']) AS s"
NUMS = "UNNEST([1, NULL, 3, 2]) AS x"

FORMS = [
    # (a form GoogleSQL writes inside a call, its answer, its type, the same call with a wrong count)
    (
        "TO_JSON_STRING(PARSE_JSON('1.5', wide_number_mode => 'round'))",
        "1.5",
        "STRING",
        "PARSE_JSON('1', 'round', wide_number_mode => 'round')",
        "PARSE_JSON: it takes 1 or 2 arguments, got 3",
    ),
    ("SAFE.SUBSTR('abc', 2)", "bc", "STRING", "SAFE.SUBSTR('abc')", "SUBSTR: it takes 2 or 3 arguments, got 1"),
    (
        f"(SELECT STRING_AGG(DISTINCT s, '-' ORDER BY s DESC LIMIT 2) FROM {ROWS})",
        "c-b",
        "STRING",
        f"(SELECT STRING_AGG(DISTINCT s, '-', '+' ORDER BY s DESC LIMIT 2) FROM {ROWS})",
        "STRING_AGG: it takes 1 or 2 arguments, got 3",
    ),
    (
        f"(SELECT ARRAY_AGG(x IGNORE NULLS ORDER BY x DESC, x LIMIT 2) FROM {NUMS})",
        [3, 2],
        "INT64",  # an ARRAY<INT64> column (REPEATED INT64)
        f"(SELECT ARRAY_AGG(x, 1 IGNORE NULLS ORDER BY x DESC, x LIMIT 2) FROM {NUMS})",
        "ARRAY_AGG: it takes 1 argument, got 2",
    ),
    (
        "(SELECT ARRAY_AGG(l ORDER BY x) FROM (SELECT x, LAG(x, 1, 0) OVER (PARTITION BY 1, 2 ORDER BY x) AS l"
        " FROM UNNEST([1, 2, 3]) AS x))",
        [0, 1, 2],
        "INT64",  # an ARRAY<INT64> column (REPEATED INT64)
        "(SELECT ARRAY_AGG(l) FROM (SELECT LAG(x, 1, 0, 5) OVER (ORDER BY x) AS l FROM UNNEST([1, 2, 3]) AS x))",
        "LAG: it takes 1 to 3 arguments, got 4",
    ),
    (
        "EXTRACT(DAY FROM DATE_ADD(DATE '2020-01-01', INTERVAL 2 DAY))",
        3,
        "INT64",
        "EXTRACT(DAY FROM DATE_ADD(DATE '2020-01-01'))",
        "DATE_ADD: it takes 2 arguments, got 1",
    ),
    (
        "ARRAY_LENGTH(ARRAY(SELECT 1 UNION ALL SELECT 2))",
        2,
        "INT64",
        "ARRAY_LENGTH(ARRAY(SELECT 1), 2)",
        "ARRAY_LENGTH: it takes 1 argument, got 2",
    ),
    (
        "ARRAY_LENGTH(ARRAY<STRUCT<a INT64, b ARRAY<STRING>>>[(1, ['x']), (2, ['y', 'z'])])",
        2,
        "INT64",
        "ARRAY_LENGTH(ARRAY<STRUCT<a INT64, b STRING>>[(1, 'x')], 1)",
        "ARRAY_LENGTH: it takes 1 argument, got 2",
    ),
    (
        "ARRAY_LENGTH((SELECT [1, 2, 3]))",
        3,
        "INT64",
        "ARRAY_LENGTH((SELECT [1, 2]), (SELECT 1))",
        "ARRAY_LENGTH: it takes 1 argument, got 2",
    ),
    (
        "LENGTH(CAST('abc' AS STRING(5)))",
        3,
        "INT64",
        "LENGTH(CAST('abc' AS STRING(5)), 1)",
        "LENGTH: it takes 1 argument, got 2",
    ),
    ("CASE WHEN TRUE THEN IF(FALSE, 1, 2) END", 2, "INT64", "CASE WHEN TRUE THEN IF(FALSE, 1) END", "IF: it takes 3"),
    ("CONCAT('a', 'b', 'c', 'd')", "abcd", "STRING", "CONCAT()", "CONCAT: it takes at least 1 argument, got 0"),
    ("NET.HOST('http://a.com/x')", "a.com", "STRING", "NET.HOST('http://a.com', 'b')", "NET.HOST: it takes 1 argument"),
    (
        "(SELECT TO_JSON_STRING(t) FROM (SELECT * REPLACE (UPPER(a) AS a, 2 AS b) FROM (SELECT 'x' AS a, 1 AS b)) t)",
        '{"a":"X","b":2}',
        "STRING",
        "(SELECT TO_JSON_STRING(t) FROM (SELECT * REPLACE (UPPER(a, b) AS a) FROM (SELECT 'x' AS a, 1 AS b)) t)",
        "UPPER: it takes 1 argument, got 2",
    ),
]
FORM_IDS = [f[0][:40] for f in FORMS]


@pytest.mark.parametrize(("sql", "want", "typ", "wrong", "fragment"), FORMS, ids=FORM_IDS)
def test_the_forms_inside_a_call_are_counted_as_googlesql_does(warehouse, sql, want, typ, wrong, fragment):
    check_locally(warehouse, sql, want, typ)
    assert_fails_locally(warehouse, f"SELECT {wrong}", f"No matching signature for function {fragment}")


def test_the_forms_through_the_client(bigquery_client):
    check_through_client(bigquery_client, [(sql, want, typ) for sql, want, typ, _, _ in FORMS])
    for _, _, _, wrong, fragment in FORMS[:3]:
        assert_fails_through_client(bigquery_client, f"SELECT {wrong}", fragment)


def test_a_routine_named_like_a_built_in_is_not_counted(bigquery_client, dataset):
    ds = dataset.dataset_id
    bigquery_client.query_and_wait(f"CREATE FUNCTION {ds}.upper(a STRING, b STRING) RETURNS STRING AS (CONCAT(a, b))")
    rows = bigquery_client.query_and_wait(f"SELECT {ds}.upper('a', 'b') AS x, `{ds}.upper`('c', 'd') AS y")
    assert [tuple(r.values()) for r in rows] == [("ab", "cd")]
    # the built-in of that name, called bare, still is
    assert_fails_through_client(bigquery_client, "SELECT upper('a', 'b')", "UPPER: it takes 1 argument, got 2")


def test_a_table_or_routine_being_defined_is_not_a_call(bigquery_client, dataset):
    ds = dataset.dataset_id
    script = (
        f"CREATE TABLE {ds}.upper (a STRING, b STRING(10));"
        f"INSERT INTO {ds}.upper (a, b) VALUES ('x', 'y');"
        f"CREATE TEMP FUNCTION twice(v INT64) AS (v * 2);"
        f"SELECT twice(LENGTH(a)) + ARRAY_LENGTH([1, 2]) AS n FROM {ds}.upper"
    )
    assert [r["n"] for r in bigquery_client.query_and_wait(script)] == [4]
    with pytest.raises(Exception, match="No matching signature for function LENGTH: it takes 1 argument, got 2"):
        bigquery_client.query_and_wait("CREATE TEMP FUNCTION twice(v INT64) AS (v * 2); SELECT twice(LENGTH('ab', 1))")


def test_the_table_holds_only_counts_a_signature_can_have():
    assert all(0 <= low and (high is None or high >= low) for low, high in ARITIES.values())
    assert {"LENGTH", "SPLIT", "CONCAT", "COALESCE", "DATE_ADD", "NET.HOST"} <= set(ARITIES)
