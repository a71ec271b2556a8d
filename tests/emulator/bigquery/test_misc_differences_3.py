"""Leftover differences from BigQuery, third round, each checked against Google's documented
behaviour on the local warehouse and through the real BigQuery client:

- FORMAT's %t / %T of an ARRAY, a STRUCT, a RANGE and an INTERVAL follow the reference's table
  ("%t and %T behavior": `[v, v]`, `(v, v)`, `STRUCT(v)` with one field under %T, `INTERVAL "..."
  YEAR TO SECOND`); an ARRAY<NUMERIC> was `NUMERIC "[1.500000000]"`, an INTERVAL `1 day`, the
  others refused by name.
- `EXTRACT(HOUR FROM CAST(NULL AS TIMESTAMP))` is an INT64 NULL (every part but DATE, TIME and
  DATETIME is an INT64); DuckDB typed its date_part of a constant NULL DOUBLE (a FLOAT64 column).
- A SQL UDF whose body reads its argument inside a subquery evaluates the argument once per
  call (`f(RAND())` with body `(SELECT x - x)` is 0; it substituted RAND() at each reference).
- `ARRAY<STRING>[0, 1, 2]` is "Array element type INT64 does not coerce to STRING" (DuckDB cast
  the elements to '0', '1', '2').
- `SELECT ilike FROM t` reads a column named `ilike` (GoogleSQL's reserved keywords do not list
  ILIKE); it was a syntax error. `x ILIKE y` stays the named refusal.
- `CAST([NUMERIC '1.50'] AS STRING)`, `CAST(STRUCT(1 AS a) AS STRING)`: BigQuery casts an ARRAY or a
  STRUCT only to an ARRAY or a STRUCT ("Invalid cast from ARRAY<NUMERIC> to STRING"); DuckDB's
  text (`[1.500000000]`) was answered.
"""

from __future__ import annotations

import pytest
from googlesql_cases import (
    assert_fails_locally,
    assert_fails_through_client,
    case_params,
    check_locally,
    check_through_client,
    same_type,
    single_value,
)

FORMATS = {
    "array": [
        ("FORMAT('%T', [NUMERIC '1.50', NUMERIC '2'])", '[NUMERIC "1.5", NUMERIC "2.0"]', "STRING"),
        ("FORMAT('%t', [NUMERIC '1.50'])", "[1.5]", "STRING"),
        ("FORMAT('%T', ['a', NULL, 'b'])", '["a", NULL, "b"]', "STRING"),
        ("FORMAT('%t', ['a', 'b'])", "[a, b]", "STRING"),
        ("FORMAT('%T', [1.5, 2.0])", "[1.5, 2.0]", "STRING"),
        ("FORMAT('%T', [DATE '2024-01-01'])", '[DATE "2024-01-01"]', "STRING"),
        ("FORMAT('%T', ARRAY<STRING>[])", "[]", "STRING"),
    ],
    "struct": [
        ("FORMAT('%T', STRUCT(1 AS x, 'a' AS y))", '(1, "a")', "STRING"),
        ("FORMAT('%t', STRUCT(1 AS x, 'a' AS y))", "(1, a)", "STRING"),
        # one field under %T: STRUCT(value), as the reference's special case
        ("FORMAT('%T', STRUCT(1.5 AS x))", "STRUCT(1.5)", "STRING"),
        ("FORMAT('%T', [STRUCT(1 AS x, [1.5, NULL] AS y)])", "[(1, [1.5, NULL])]", "STRING"),
    ],
    "range": [
        ("FORMAT('%T', RANGE<DATE> '[2024-01-01, 2024-02-01)')", 'RANGE<DATE> "[2024-01-01, 2024-02-01)"', "STRING"),
        ("FORMAT('%t', RANGE<DATE> '[2024-01-01, UNBOUNDED)')", "[2024-01-01, UNBOUNDED)", "STRING"),
    ],
    "interval": [
        ("FORMAT('%T', INTERVAL 1 DAY)", 'INTERVAL "0-0 1 0:0:0" YEAR TO SECOND', "STRING"),
        ("FORMAT('%t', INTERVAL -3 MONTH)", "-0-3 0 0:0:0", "STRING"),
    ],
    # ILIKE is no reserved keyword of GoogleSQL (and no operator): a name; it was a syntax error
    "names": [
        ("WITH t AS (SELECT 1 AS ilike) SELECT ilike FROM t", 1, "INT64"),
        ("WITH t AS (SELECT 2 AS ilike) SELECT t.ilike + 1 AS x FROM t WHERE ilike = 2", 3, "INT64"),
    ],
    "typed_nulls": [
        ("EXTRACT(HOUR FROM CAST(NULL AS TIMESTAMP))", None, "INT64"),
        ("EXTRACT(DAY FROM CAST(NULL AS DATE))", None, "INT64"),
        ("EXTRACT(DAYOFWEEK FROM CAST(NULL AS DATETIME))", None, "INT64"),
        ("EXTRACT(MINUTE FROM CAST(NULL AS TIME))", None, "INT64"),
    ],
}


UDF_ARGUMENTS = [
    ("CREATE TEMP FUNCTION f(x FLOAT64) AS ((SELECT x - x));\nSELECT f(RAND())", 0.0, "FLOAT64"),
    ("CREATE TEMP FUNCTION f(x FLOAT64) AS ((SELECT x) - x);\nSELECT f(RAND())", 0.0, "FLOAT64"),
    (
        "CREATE TEMP FUNCTION f(x FLOAT64) AS ((SELECT COUNT(DISTINCT y) FROM UNNEST([x, x, x]) AS y));\n"
        "SELECT f(RAND())",
        1,
        "INT64",
    ),
    # one value on each row, not one for the query
    (
        "CREATE TEMP FUNCTION f(x FLOAT64) AS ((SELECT x - x));\n"
        "SELECT COUNTIF(f(RAND()) = 0) FROM UNNEST(GENERATE_ARRAY(1, 50)) AS n",
        50,
        "INT64",
    ),
]


@pytest.mark.parametrize(("sql", "want", "typ"), case_params(FORMATS))
def test_the_value_and_type_on_the_local_warehouse(warehouse, sql, want, typ):
    check_locally(warehouse, sql, want, typ)


def test_the_values_and_types_through_the_client(bigquery_client):
    check_through_client(bigquery_client, [row for rows in FORMATS.values() for row in rows])


@pytest.mark.parametrize(("script", "want", "typ"), UDF_ARGUMENTS)
def test_a_udf_reads_its_argument_once_where_its_body_has_a_subquery(warehouse, bigquery_client, script, want, typ):
    assert single_value(warehouse, script) == (want, typ)
    rows = bigquery_client.query_and_wait(script)
    assert [list(r.values()) for r in rows] == [[want]]
    assert same_type(rows.schema[0].field_type, typ)


CASTS = [
    ("SELECT CAST([NUMERIC '1.50'] AS STRING)", "Invalid cast from ARRAY<NUMERIC> to STRING"),
    ("SELECT CAST([1, 2] AS STRING)", "Invalid cast from ARRAY<INT64> to STRING"),
    ("SELECT SAFE_CAST(STRUCT(1 AS a) AS STRING)", "Invalid cast from STRUCT<a INT64> to STRING"),
    # a typed array constructor's elements coerce to its element type; DuckDB cast them
    ("SELECT ARRAY<STRING>[0, 1, 2]", "Array element type INT64 does not coerce to STRING"),
    ("SELECT ARRAY<INT64>['1']", "Array element type STRING does not coerce to INT64"),
    ("SELECT ARRAY<INT64>[1, 2.5]", "Array element type FLOAT64 does not coerce to INT64"),
]


@pytest.mark.parametrize(("sql", "fragment"), CASTS)
def test_bigquerys_array_and_struct_conversion_errors(warehouse, bigquery_client, sql, fragment):
    assert_fails_locally(warehouse, sql, fragment)
    assert_fails_through_client(bigquery_client, sql, fragment)
