"""GoogleSQL that a third outside sweep over bigquery-emulator-duckdb's query cases (all of its
`tests/e2e/goclient/testdata`, values recorded against BigQuery) found answered differently
from BigQuery's documented behaviour:

- TO_JSON_STRING wrote an anonymous STRUCT field under the local name `_field_N`
  (`{"_field_1":1}`); the reference: "Anonymous fields are represented with `""`";
- TO_JSON_STRING left U+2028 and U+2029 as they are; ZetaSQL's JsonEscapeString, which
  TO_JSON_STRING writes STRINGs with, escapes them (`\\u2028`);
- FORMAT_DATETIME wrote %Z / %z as the UTC zone and FORMAT_TIME wrote the date elements (%Y as
  1970); the reference lists %Z and %z for TIMESTAMP only and the date elements not for TIME,
  and BigQuery writes such an element as it is;
- a SQL UDF evaluated its argument at each reference (`f(RAND())` with body `a = a` was FALSE);
  GoogleSQL evaluates a call's arguments once, before the call;
- a JavaScript UDF's INT64 result truncated a fraction (2.5 was 2) and a STRING result of
  another JavaScript kind was Python's text (`True`, `[1, 2]`); the reference: BigQuery converts
  the Number (or String) to INT64, as a cast rounds (half away from zero), and the STRING is
  JavaScript's own `String()` of the value (`true`, `1,2`); `undefined` is NULL.

Each row is our own query with the answer Google's GoogleSQL reference gives, run on the local
warehouse and through the real BigQuery client against the emulator.
"""

from __future__ import annotations

import pytest
from googlesql_cases import assert_fails_locally, assert_fails_through_client, case_params, check_locally
from googlesql_cases import check_through_client as check_rows_through_client

S, B, INT = "STRING", "BOOL", "INT64"

# anonymous STRUCT fields are "" in TO_JSON_STRING, wherever the STRUCT is built
ANONYMOUS_FIELDS = [
    ("TO_JSON_STRING(STRUCT(1, 'a'))", '{"":1,"":"a"}', S),
    ("TO_JSON_STRING(STRUCT(2.5 AS x, TRUE))", '{"x":2.5,"":true}', S),
    (
        "SELECT TO_JSON_STRING([STRUCT(n * 2, CONCAT(s, '!'))]) FROM UNNEST([STRUCT(4 AS n, 'k' AS s)])",
        '[{"":8,"":"k!"}]',
        S,
    ),
    # a field taken from a column path is named after it
    ("SELECT TO_JSON_STRING(STRUCT(STRUCT(n, n + 1) AS pair)) FROM UNNEST([7]) AS n", '{"pair":{"n":7,"":8}}', S),
    ("TO_JSON_STRING(STRUCT(1, 2), TRUE)", '{\n  "": 1,\n  "": 2\n}', S),
]

# U+2028 and U+2029 are escaped in TO_JSON_STRING's strings
LINE_SEPARATORS = [
    ("TO_JSON_STRING('a\\u2028b')", '"a\\u2028b"', S),
    ("TO_JSON_STRING(['\\u2029'])", '["\\u2029"]', S),
    ("TO_JSON_STRING(STRUCT('x\\u2028' AS s, 0.5 AS f))", '{"s":"x\\u2028","f":0.5}', S),
    ("SELECT TO_JSON_STRING(s) FROM UNNEST(['<\\u2028>']) AS s", '"<\\u2028>"', S),
]

# an element the value's type has not is written as it is
FORMAT_ELEMENTS = [
    ("FORMAT_DATETIME('%H:%M %Z', DATETIME '2021-03-04 05:06:07')", "05:06 %Z", S),
    ("FORMAT_DATETIME('%z|%Y', DATETIME '2021-03-04 05:06:07')", "%z|2021", S),
    ("FORMAT_TIME('%Y-%m %H:%M:%S', TIME '05:06:07')", "%Y-%m 05:06:07", S),
    ("SELECT FORMAT_TIME('%e %A %R', t) FROM UNNEST([TIME '23:59:00']) AS t", "%e %A 23:59", S),
]

# INTERVAL's range (10,000 years, 3,660,000 days, 87,840,000 hours) holds JUSTIFY_*'s results
# too: past it an error, NULL under SAFE.
INTERVAL_RANGE = [
    ("SELECT SAFE.JUSTIFY_DAYS(i) IS NULL FROM UNNEST([INTERVAL 3659999 DAY]) AS i", True, B),
    ("SAFE.JUSTIFY_HOURS(INTERVAL '3659999 48:0:0' DAY TO SECOND) IS NULL", True, B),
    ("SAFE.JUSTIFY_INTERVAL(INTERVAL '-9999-11 -90' YEAR TO DAY) IS NULL", True, B),
]

# GENERATE_ARRAY over NUMERIC / BIGNUMERIC (DuckDB's series takes no DECIMAL) and over values of
# a type the query does not show; FLOAT64 and NUMERIC arrays hold at most 1,048,576 elements
NUMERIC_SERIES = [
    ("TO_JSON_STRING(GENERATE_ARRAY(NUMERIC '0.5', 2))", '["0.5","1.5"]', S),
    ("TO_JSON_STRING(GENERATE_ARRAY(NUMERIC '2', NUMERIC '0.9', NUMERIC '-0.5'))", '[2,"1.5",1]', S),
    ("TO_JSON_STRING(GENERATE_ARRAY(NUMERIC '1', 2, 0.25))", '[1,"1.25","1.5","1.75",2]', S),
    ("SELECT TO_JSON_STRING(GENERATE_ARRAY(n, 0, -2)) FROM UNNEST([BIGNUMERIC '5']) AS n", "[5,3,1]", S),
    ("SELECT ARRAY_LENGTH(GENERATE_ARRAY(n, 6)) FROM UNNEST([NUMERIC '7']) AS n", 0, INT),
    ("SELECT SAFE.GENERATE_ARRAY(n, 2, 0) IS NULL FROM UNNEST([NUMERIC '1']) AS n", True, B),
    ("SELECT TO_JSON_STRING(GENERATE_ARRAY(f, 2)) FROM UNNEST([0.5]) AS f", "[0.5,1.5]", S),
    ("SAFE.GENERATE_ARRAY(NUMERIC '0', 1048576) IS NULL", True, B),
    ("SAFE.GENERATE_ARRAY(0.0, 1048576) IS NULL", True, B),
    ("SAFE.GENERATE_ARRAY(0.0, 5, CAST('inf' AS FLOAT64)) IS NULL", True, B),
    # a list of NUMERICs is written element by element (it was one quoted text)
    ("SELECT TO_JSON_STRING(ARRAY_AGG(n ORDER BY n)) FROM UNNEST([BIGNUMERIC '2.50', 1]) AS n", '[1,"2.5"]', S),
]

FAMILIES = {
    "numeric_series": NUMERIC_SERIES,
    "interval_range": INTERVAL_RANGE,
    "anonymous_fields": ANONYMOUS_FIELDS,
    "line_separators": LINE_SEPARATORS,
    "format_elements": FORMAT_ELEMENTS,
}
ROWS = case_params(FAMILIES)


@pytest.mark.parametrize("sql, want, typ", ROWS)
def test_local_warehouse(warehouse, sql, want, typ):
    check_locally(warehouse, sql, want, typ)


@pytest.mark.parametrize("family", list(FAMILIES))
def test_bigquery_client(bigquery_client, family):
    check_rows_through_client(bigquery_client, FAMILIES[family])


# scripts: a temporary function, then the query that calls it
UDF_ARGUMENTS = [
    # the argument is evaluated once, however often the body reads it
    ("CREATE TEMP FUNCTION same(x FLOAT64) AS (x = x); SELECT same(RAND())", True),
    ("CREATE TEMP FUNCTION halves(s STRING) AS (LEFT(s, 8) = LEFT(s, 8)); SELECT halves(GENERATE_UUID())", True),
    (
        "CREATE TEMP FUNCTION pairs(a FLOAT64, b STRING) AS (CONCAT(b, CAST(a = a AS STRING), b)); SELECT pairs(RAND(), '-')",
        "-true-",
    ),
    ("CREATE TEMP FUNCTION spread(x FLOAT64) AS (ABS(x - x) + x * 0); SELECT spread(RAND())", 0.0),
]

JS_RESULTS = [
    ('CREATE TEMP FUNCTION f() RETURNS INT64 LANGUAGE js AS "return 2.5;"; SELECT f()', 3),
    ('CREATE TEMP FUNCTION f() RETURNS INT64 LANGUAGE js AS "return -0.5;"; SELECT f()', -1),
    ('CREATE TEMP FUNCTION f() RETURNS STRING LANGUAGE js AS "return false;"; SELECT f()', "false"),
    ('CREATE TEMP FUNCTION f() RETURNS STRING LANGUAGE js AS "return [3, [4, 5]];"; SELECT f()', "3,4,5"),
    ('CREATE TEMP FUNCTION f() RETURNS STRING LANGUAGE js AS "return {k: 1};"; SELECT f()', "[object Object]"),
    ('CREATE TEMP FUNCTION f() RETURNS FLOAT64 LANGUAGE js AS "return undefined;"; SELECT f() IS NULL', True),
    ('CREATE TEMP FUNCTION f() RETURNS ARRAY<STRING> LANGUAGE js AS "return [true, 2];"; SELECT f()', ["true", "2"]),
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


@pytest.mark.parametrize("script, want", UDF_ARGUMENTS)
def test_udf_arguments_once_locally(warehouse, script, want):
    assert _script_value_locally(warehouse, script) == want


@pytest.mark.parametrize("script, want", UDF_ARGUMENTS)
def test_udf_arguments_once_through_client(bigquery_client, script, want):
    assert _script_value_through_client(bigquery_client, script) == want


@pytest.mark.parametrize("script, want", JS_RESULTS)
def test_javascript_results_locally(warehouse, script, want):
    pytest.importorskip("py_mini_racer")
    assert _script_value_locally(warehouse, script) == want


@pytest.mark.parametrize("script, want", JS_RESULTS)
def test_javascript_results_through_client(bigquery_client, script, want):
    pytest.importorskip("py_mini_racer")
    assert _script_value_through_client(bigquery_client, script) == want


def test_time_format_with_expanded_date_element_is_refused(warehouse, bigquery_client):
    """%F, %D, %x and %c reach the translator already spelled with date elements, so FORMAT_TIME
    cannot write them as they are: a named refusal rather than a guess."""
    sql = "SELECT FORMAT_TIME('%F', TIME '01:02:03')"
    assert_fails_locally(warehouse, sql, "is not supported by the local warehouse")
    assert_fails_through_client(bigquery_client, sql, "is not supported by the local warehouse")


@pytest.mark.parametrize(
    "sql, fragment",
    [
        ("SELECT INTERVAL -10001 YEAR", "Interval field months '-120012' is out of range -120000 to 120000"),
        ("SELECT INTERVAL 40001 QUARTER", "is out of range -120000 to 120000"),
        ("SELECT INTERVAL 3660001 DAY", "Interval field days '3660001' is out of range"),
        ("SELECT INTERVAL '1:2:3.4567891' HOUR TO SECOND", "Invalid interval literal"),
        ("SELECT JUSTIFY_DAYS(i) FROM UNNEST([INTERVAL 3659999 DAY]) AS i", "is out of range -120000 to 120000"),
        ("SELECT JUSTIFY_HOURS(INTERVAL '3659999 48:0:0' DAY TO SECOND)", "is out of range -3660000 to 3660000"),
        # SAFE. covers the function's own errors, not those of a named argument's value
        ("SELECT SAFE.MAKE_INTERVAL(hour => DIV(5, 0))", "division by zero"),
        ("SELECT SAFE.MAKE_INTERVAL(minute => MOD(x, 0)) FROM UNNEST([1]) AS x", "division by zero"),
    ],
)
def test_bigquerys_errors(warehouse, bigquery_client, sql, fragment):
    assert_fails_locally(warehouse, sql, fragment)
    assert_fails_through_client(bigquery_client, sql, fragment)
