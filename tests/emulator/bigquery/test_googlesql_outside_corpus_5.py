"""GoogleSQL that a fifth outside sweep over bigquery-emulator-duckdb's query cases (all of its
`tests/e2e/goclient/testdata`, values recorded against BigQuery) found answered differently
from BigQuery's documented behaviour:

- a FLOAT64 NaN or infinity in JSON_ARRAY / JSON_OBJECT was the bare token `NaN` (not JSON);
  GoogleSQL's JSON encoding writes it as the string "NaN", "Infinity", "-Infinity";
- TO_JSON_STRING of a FLOAT64 negative zero was `-0`; BigQuery writes `0`;
- a CAST to a STRUCT type with a STRING field kept DuckDB's text of the field's value (a NUMERIC
  1.50 was "1.500000000", a FLOAT64 3.0 "3.0"); the field converts as CAST(x AS STRING) does;
- REVERSE of a STRING kept each grapheme cluster whole; the reference reverses characters (code
  points);
- a STRUCT cast of a value whose field names the query does not show (a script variable, a
  function's result, another cast) failed in DuckDB, which matches fields by name; GoogleSQL
  matches them by position; a STRUCT variable did not take its declared field names;
- SAFE.RANGE and SAFE.RANGE_INTERSECT failed in DuckDB (TRY refused the rewrite's error);
  SAFE_CAST of a TIMESTAMP text with a five-digit year and SAFE.PARSE_JSON with an invalid
  wide_number_mode failed where SAFE. answers NULL;
- BigQuery's errors the local warehouse answered: a range text cast at run time without BigQuery's
  ", " between the bounds, and a cast of an ARRAY of STRUCTs to STRUCTs of other field types;
- a script variable of a parameterized type (`STRING(10)`, `NUMERIC(5, 2)`, a STRUCT field of
  `STRING(1)`) took no value of the plain type, and a STRUCT field's parameters were not checked;
  the data types reference: a value that does not fit the parameters is an error, a NUMERIC with
  more decimals than the scale is rounded, and the variable reads as the type without them.

Each row is our own query with the answer Google's GoogleSQL reference gives, run on the local
warehouse and through the real BigQuery client against the emulator.
"""

from __future__ import annotations

import decimal

import pytest
from googlesql_cases import assert_fails_locally, assert_fails_through_client, case_params, check_locally
from googlesql_cases import check_through_client as check_rows_through_client

S, B, INT, F, NUM = "STRING", "BOOL", "INT64", "FLOAT64", "NUMERIC"

# NaN and the infinities of FLOAT64 are JSON strings in GoogleSQL's JSON encoding
JSON_NONFINITE = [
    ("TO_JSON_STRING(JSON_ARRAY(CAST('inf' AS FLOAT64), 2))", '["Infinity",2]', S),
    ("TO_JSON_STRING(JSON_ARRAY(CAST('-inf' AS FLOAT64), CAST(NULL AS FLOAT64)))", '["-Infinity",null]', S),
    ("TO_JSON_STRING(JSON_OBJECT('k', CAST('nan' AS FLOAT64), 'm', 0.5))", '{"k":"NaN","m":0.5}', S),
    ("SELECT TO_JSON_STRING(JSON_ARRAY(CAST(x AS FLOAT64))) FROM UNNEST(['-inf']) AS x", '["-Infinity"]', S),
]

# TO_JSON_STRING writes a FLOAT64 negative zero as 0
NEGATIVE_ZERO_JSON = [
    ("TO_JSON_STRING(-0.0)", "0", S),
    ("SELECT TO_JSON_STRING(x * -1) FROM UNNEST([0.0]) AS x", "0", S),
    ("CAST(-0.0 AS STRING)", "-0", S),
]

# a STRING field of a STRUCT cast converts as CAST(x AS STRING)
STRUCT_TEXT_FIELDS = [
    ("CAST(STRUCT(NUMERIC '2.50' AS p) AS STRUCT<p STRING>).p", "2.5", S),
    ("SELECT CAST(s AS STRUCT<q STRING, r INT64>).q FROM UNNEST([STRUCT(NUMERIC '7.10' AS q, 1 AS r)]) AS s", "7.1", S),
    ("CAST(STRUCT(3.0 AS f) AS STRUCT<f STRING>).f", "3", S),
    (
        "SELECT TO_JSON_STRING(CAST(s AS STRUCT<n STRING>)) FROM UNNEST([STRUCT(BIGNUMERIC '0.250' AS n)]) AS s",
        '{"n":"0.25"}',
        S,
    ),
    (
        "SELECT SAFE_CAST(s AS STRUCT<a STRING, b INT64>).a FROM UNNEST([STRUCT(NUMERIC '4.00' AS a, '5' AS b)]) AS s",
        "4",
        S,
    ),
]

# REVERSE of a STRING reverses its code points
CODE_POINT_REVERSE = [
    ("TO_CODE_POINTS(REVERSE('e\\u0301x'))", [120, 769, 101], "ARRAY<INT64>"),
    ("SELECT TO_CODE_POINTS(REVERSE(s)) FROM UNNEST(['n\\u0303o']) AS s", [111, 771, 110], "ARRAY<INT64>"),
    ("REVERSE('añb')", "bña", S),
    ("REVERSE('abc')", "cba", S),
]

# a STRUCT cast matches fields by position, whatever the value's field names (a query parameter
# or script variable, a function's result, another cast's)
POSITIONAL_STRUCT_CASTS = [
    (
        "SELECT CAST(CAST(s AS STRUCT<INT64, STRING>) AS STRUCT<k INT64, v STRING>).v "
        "FROM (SELECT STRUCT(9 AS m, 'w' AS n) AS s)",
        "w",
        S,
    ),
    (
        "SELECT CAST(IF(TRUE, s, NULL) AS STRUCT<p STRING, q STRING>).q FROM (SELECT STRUCT(1 AS a, 'z' AS b) AS s)",
        "z",
        S,
    ),
]

# SAFE. makes a range function's own error NULL
SAFE_RANGES = [
    ("SAFE.RANGE(DATE '2023-05-02', DATE '2023-05-01') IS NULL", True, B),
    (
        "SAFE.RANGE_INTERSECT(RANGE<DATE> '[2023-01-01, 2023-02-01)', RANGE<DATE> '[2023-03-01, 2023-04-01)') IS NULL",
        True,
        B,
    ),
    ("SELECT SAFE.RANGE(d, DATE '2023-01-10') IS NULL FROM UNNEST([DATE '2023-02-01']) AS d", True, B),
]

# a text whose year has five digits is no TIMESTAMP; an invalid wide_number_mode is NULL under SAFE.
SAFE_NULLS = [
    ("SELECT SAFE_CAST(x AS TIMESTAMP) IS NULL FROM UNNEST(['12345-06-07 08:09:10']) AS x", True, B),
    ("SAFE_CAST('20000-01-01 00:00:00+00' AS TIMESTAMP) IS NULL", True, B),
    ("SAFE.PARSE_JSON('2', wide_number_mode => 'wide') IS NULL", True, B),
]

FAMILIES = {
    "json_nonfinite": JSON_NONFINITE,
    "negative_zero_json": NEGATIVE_ZERO_JSON,
    "struct_text_fields": STRUCT_TEXT_FIELDS,
    "code_point_reverse": CODE_POINT_REVERSE,
    "positional_struct_casts": POSITIONAL_STRUCT_CASTS,
    "safe_ranges": SAFE_RANGES,
    "safe_nulls": SAFE_NULLS,
}
ROWS = case_params(FAMILIES)


@pytest.mark.parametrize("sql, want, typ", ROWS)
def test_local_warehouse(warehouse, sql, want, typ):
    check_locally(warehouse, sql, want, None if typ.startswith("ARRAY") else typ)


@pytest.mark.parametrize("family", list(FAMILIES))
def test_bigquery_client(bigquery_client, family):
    rows = [(q, want, None if typ.startswith("ARRAY") else typ) for q, want, typ in FAMILIES[family]]
    check_rows_through_client(bigquery_client, rows)


# scripts whose variables have parameterized types: the value, as the last SELECT returns it
TYPED_VARIABLES = [
    ("DECLARE v STRING(4) DEFAULT 'abcd'; SELECT v", "abcd"),
    ("DECLARE v STRING(3); SET v = 'ok'; SELECT CONCAT(v, '!')", "ok!"),
    ("DECLARE n NUMERIC(6, 1) DEFAULT 2.25; SELECT n", decimal.Decimal("2.3")),
    ("DECLARE n NUMERIC(4) DEFAULT 12; DECLARE m NUMERIC(4, 2) DEFAULT 0.5; SELECT n + m", decimal.Decimal("12.5")),
    ("DECLARE n BIGNUMERIC(4, 1) DEFAULT -3.25; SELECT n", decimal.Decimal("-3.3")),
    ("DECLARE a ARRAY<STRING(1)>; SET a = ['x', 'y']; SELECT ARRAY_LENGTH(a)", 2),
    (
        "DECLARE s STRUCT<c STRING(2)>; BEGIN SET s = STRUCT('abc'); EXCEPTION WHEN ERROR THEN SELECT 'refused'; END",
        "refused",
    ),
    (
        "DECLARE s STRUCT<c STRING(2), d INT64>; SET s = STRUCT('ab', 4); SELECT s.c",
        "ab",
    ),
    ("DECLARE b BYTES(3); BEGIN SET b = b'abcd'; EXCEPTION WHEN ERROR THEN SELECT 'refused'; END", "refused"),
    # a STRUCT variable takes its declared field names, by position, from a STRUCT or a tuple
    ("DECLARE s STRUCT<c STRING, d INT64>; SET s = STRUCT('ab', 4); SELECT s.d", 4),
    ("DECLARE s STRUCT<c STRING, d INT64> DEFAULT ('ab', 5); SELECT s.d", 5),
    (
        "DECLARE s STRUCT<INT64, STRING> DEFAULT (1, 'p'); SET s = (2, 'q'); SELECT CAST(s AS STRUCT<a INT64, b STRING>).b",
        "q",
    ),
]


def _script_value_locally(warehouse, script):
    result = warehouse.query_result(script)
    rows = [list(r.values()) for r in result.table.to_pylist()]
    assert len(rows) == 1 and len(rows[0]) == 1, rows
    return rows[0][0]


def _script_value_through_client(client, script):
    rows = [list(r.values()) for r in client.query_and_wait(script)]
    assert len(rows) == 1 and len(rows[0]) == 1, rows
    return rows[0][0]


@pytest.mark.parametrize("script, want", TYPED_VARIABLES)
def test_typed_variables_locally(warehouse, script, want):
    assert _script_value_locally(warehouse, script) == want


@pytest.mark.parametrize("script, want", TYPED_VARIABLES)
def test_typed_variables_through_client(bigquery_client, script, want):
    assert _script_value_through_client(bigquery_client, script) == want


@pytest.mark.parametrize(
    "sql, fragment",
    [
        # a value that does not fit the variable's type parameters is an error
        ("DECLARE v STRING(2) DEFAULT 'abc'; SELECT v", "maximum length 2 of STRING(2)"),
        ("DECLARE n NUMERIC(3, 1); SET n = 123; SELECT n", "out of range for NUMERIC(3, 1)"),
        # a range text cast at run time has BigQuery's form: the bounds apart by ", "
        ("SELECT CAST(CONCAT('[2021-01-01,', '2021-02-01)') AS RANGE<DATE>)", "Invalid RANGE<DATE> literal"),
        # an ARRAY casts only to the same element type; STRUCT elements may rename their fields
        (
            "SELECT CAST(items AS ARRAY<STRUCT<x STRING, y STRING>>) FROM (SELECT [STRUCT(1 AS a, 'b' AS b)] AS items)",
            "Casting between arrays with incompatible element types",
        ),
        ("SELECT CAST(x AS TIMESTAMP) FROM UNNEST(['10000-01-01 00:00:00']) AS x", "Invalid timestamp"),
    ],
)
def test_bigquerys_errors(warehouse, bigquery_client, sql, fragment):
    assert_fails_locally(warehouse, sql, fragment)
    assert_fails_through_client(bigquery_client, sql, fragment)
