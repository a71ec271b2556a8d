"""Other dialects' SQL that BigQuery refuses fails here too (`foreignsyntax.py`), in BigQuery's
words; it ran before (DuckDB and sqlglot read it), so code tested here failed on BigQuery:

- `x::INT64` ("CAST operators are not supported").
- Type names GoogleSQL does not have, in a CAST or SAFE_CAST (also inside ARRAY<...> and
  STRUCT<...>), a procedural DECLARE and a CREATE TABLE column list: `VARCHAR`, `FLOAT`, `TEXT`,
  `DOUBLE`, `REAL`, `CHAR`, `INT32`, `UUID` ("Type not found: FLOAT"). The data types page's
  aliases stay served: INT, SMALLINT, INTEGER, BIGINT, TINYINT, BYTEINT, DECIMAL, BIGDECIMAL,
  BOOLEAN.
- An aggregate's `FILTER (WHERE ...)` ('Syntax error: Expected end of input but got "("'),
  `ILIKE`, the `%` operator, MySQL's `LIMIT 1, 2`, `FETCH FIRST n ROWS ONLY`, `SELECT * EXCLUDE
  (...)` and `DISTINCT ON (...)` (GoogleSQL has none of them). A column named `filter` stays a
  column; `%` in strings (LIKE patterns, FORMAT) is text.

Each case is our own query, run on the local warehouse and through the real BigQuery client.
"""

from __future__ import annotations

import datetime as dt
import decimal

import pytest
from googlesql_cases import (
    assert_fails_locally,
    assert_fails_through_client,
    case_params,
    check_locally,
    check_through_client,
)

REFUSED = [
    ("SELECT '1'::INT64", "CAST operators are not supported at [1:11]"),
    ("SELECT DATE_TRUNC(DATE '2024-01-05', MONTH)::STRING", "CAST operators are not supported"),
    ("SELECT CAST(1 AS VARCHAR)", "Type not found: VARCHAR at [1:18]"),
    ("SELECT CAST(1 AS FLOAT)", "Type not found: FLOAT"),
    ("SELECT CAST(1 AS double)", "Type not found: double"),
    ("SELECT SAFE_CAST('a' AS TEXT)", "Type not found: TEXT"),
    ("SELECT CAST(1 AS REAL)", "Type not found: REAL"),
    ("SELECT CAST('a' AS CHAR(1))", "Type not found: CHAR"),
    ("SELECT CAST(1 AS INT32)", "Type not found: INT32"),
    ("SELECT CAST(x AS ARRAY<FLOAT>) FROM (SELECT [1.5] AS x)", "Type not found: FLOAT"),
    ("SELECT CAST(STRUCT(1 AS a) AS STRUCT<a VARCHAR>)", "Type not found: VARCHAR"),
    ("SELECT CAST((SELECT 'a' AS b) AS VARCHAR)", "Type not found: VARCHAR"),
    ("DECLARE x FLOAT DEFAULT 1.5; SELECT x", "Type not found: FLOAT at [1:11]"),
    ("DECLARE x ARRAY<STRUCT<a TEXT>>; SELECT x", "Type not found: TEXT"),
    ("SELECT COUNT(*) FILTER (WHERE x > 1) FROM UNNEST([1, 2]) AS x", 'Expected end of input but got "(" at [1:24]'),
    ("SELECT x FROM UNNEST(['a']) AS x WHERE x ILIKE 'A'", 'Expected end of input but got identifier "ILIKE"'),
    ("SELECT 7 % 2", 'Syntax error: Unexpected "%" at [1:10]'),
    ("SELECT x FROM UNNEST([1, 2, 3]) AS x LIMIT 1, 2", 'Expected end of input but got "," at [1:45]'),
    ("SELECT x FROM UNNEST([1, 2]) AS x FETCH FIRST 1 ROWS ONLY", "got keyword FETCH"),
    ("SELECT * EXCLUDE (x) FROM (SELECT 1 AS x, 2 AS y)", 'Expected end of input but got identifier "EXCLUDE"'),
    ("SELECT DISTINCT ON (x) x FROM UNNEST([1]) AS x", "Syntax error: Unexpected keyword ON"),
]

SERVED = {
    "aliases": [
        ("CAST('1' AS INT)", 1, "INT64"),
        ("CAST('1' AS INTEGER)", 1, "INT64"),
        ("CAST(1.0 AS BIGINT)", 1, "INT64"),
        ("CAST(1 AS SMALLINT)", 1, "INT64"),
        ("CAST(1 AS TINYINT)", 1, "INT64"),
        ("CAST(1 AS BYTEINT)", 1, "INT64"),
        ("CAST('1.5' AS DECIMAL)", decimal.Decimal("1.5"), "NUMERIC"),
        ("CAST('1.5' AS BIGDECIMAL)", decimal.Decimal("1.5"), "BIGNUMERIC"),
        ("CAST('true' AS BOOLEAN)", True, "BOOL"),
        ("CAST(1 AS float64)", 1.0, "FLOAT64"),
        ("CAST('ab' AS STRING(5))", "ab", "STRING"),
        ("CAST(1.25 AS NUMERIC(5, 2))", decimal.Decimal("1.25"), "NUMERIC"),
        ("CAST('2024-01-05' AS DATE FORMAT 'YYYY-MM-DD')", dt.date(2024, 1, 5), "DATE"),
    ],
    "queries": [
        ("SELECT CAST(x AS ARRAY<FLOAT64>)[OFFSET(0)] FROM (SELECT [1.5] AS x)", 1.5, "FLOAT64"),
        ("SELECT CAST(STRUCT(1 AS a) AS STRUCT<a FLOAT64>).a", 1.0, "FLOAT64"),
        ("SELECT filter FROM (SELECT 1 AS filter)", 1, "INT64"),
        ("SELECT COUNTIF(x > 1) FROM UNNEST([1, 2]) AS x", 1, "INT64"),
        ("SELECT MOD(7, 2)", 1, "INT64"),
        ("SELECT FORMAT('%d%%', 5)", "5%", "STRING"),
        ("SELECT ARRAY_LENGTH(ARRAY_AGG(x LIMIT 1)) FROM UNNEST([1, 2]) AS x", 1, "INT64"),
        ("SELECT x FROM UNNEST([1, 2, 3]) AS x ORDER BY x LIMIT 1 OFFSET 1", 2, "INT64"),
        ("SELECT * EXCEPT (x) FROM (SELECT 1 AS x, 2 AS y)", 2, "INT64"),
    ],
}


@pytest.mark.parametrize(("sql", "fragment"), REFUSED)
def test_other_dialects_spelling_fails_locally(warehouse, sql, fragment):
    assert_fails_locally(warehouse, sql, fragment)


@pytest.mark.parametrize(("sql", "fragment"), REFUSED)
def test_other_dialects_spelling_fails_through_the_client(bigquery_client, sql, fragment):
    assert_fails_through_client(bigquery_client, sql, fragment)


def test_a_column_list_with_a_type_googlesql_lacks_creates_nothing(warehouse, bigquery_client):
    bigquery_client.create_dataset("fs")
    warehouse.query_result("CREATE SCHEMA fs")
    for run in (warehouse.query_result, bigquery_client.query_and_wait):
        with pytest.raises(Exception, match="Type not found: VARCHAR"):
            run("CREATE TABLE fs.t (id INT64, name VARCHAR(10))")
    assert "t" not in {
        t["table_name"]
        for t in warehouse.query_result("SELECT table_name FROM fs.INFORMATION_SCHEMA.TABLES").table.to_pylist()
    }
    assert "t" not in {t.table_id for t in bigquery_client.list_tables("fs")}
    bigquery_client.query_and_wait(
        "CREATE TABLE fs.t (id INT64 OPTIONS(description = 'key'), amount NUMERIC(10, 2), "
        "tags STRUCT<names ARRAY<STRING>>, ok BOOLEAN NOT NULL, PRIMARY KEY (id) NOT ENFORCED)"
    )
    types = {f.name: f.field_type for f in bigquery_client.get_table("fs.t").schema}
    assert types == {"id": "INTEGER", "amount": "NUMERIC", "tags": "RECORD", "ok": "BOOLEAN"}


@pytest.mark.parametrize(("sql", "want", "typ"), case_params(SERVED))
def test_googlesql_type_names_are_served_locally(warehouse, sql, want, typ):
    check_locally(warehouse, sql, want, typ)


@pytest.mark.parametrize("family", list(SERVED))
def test_googlesql_type_names_are_served_through_the_client(bigquery_client, family):
    check_through_client(bigquery_client, SERVED[family])
