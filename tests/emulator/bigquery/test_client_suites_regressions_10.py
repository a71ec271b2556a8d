"""What other emulators' client suites expect and the emulator answered otherwise, reproduced
through google-cloud-bigquery (2026-12-05, docs/emulator.md "Other emulators' client suites"):

- jtwebman/bigquery-local's Python client test `test_interval_round_trip` binds
  `ScalarQueryParameter("i", "INTERVAL", "1-2 3 4:5:6")` and reads it back as 1 year 2 months
  3 days 4:05:06. The client sends BigQuery's canonical INTERVAL text, which the emulator handed
  to DuckDB's cast: 400 "Could not convert string '1-2 3 4:5:6' to INTERVAL". A parameter's
  value is now read as `CAST('...' AS INTERVAL)` reads its text (`Y-M D H:M:S`, its shorter
  forms, ISO 8601), and anything else is a 400 naming the parameter.

- Its raw-HTTP SQL test "JSON_VALUE_ARRAY extracts an array of scalar strings" sends
  `JSON_VALUE_ARRAY('{"a":["x","y","z"]}', '$.a[*]')`. GoogleSQL's JSONPath has `$`, `.key` and
  `[index]` only (the JSON functions reference, "JSONPath format"); sqlglot parsed the wildcard and
  DuckDB answered the quoted texts `"x"`, `"y"`, `"z"` (JSON_QUERY_ARRAY an empty array). A
  wildcard, recursive descent, slice, union or filter in a JSONPath is now refused by name.

- Its SQL UDF test "triple-quoted body" creates `ds.tripled(x INT64) RETURNS INT64` with the body
  `x * 3` in triple quotes.
  A SQL function's body is an expression in parentheses (`AS (x * 3)`); a string body is a
  JavaScript function's, with LANGUAGE js. The emulator took the string as the body: the call
  failed "Could not convert string 'x * 3' to INT64", and without RETURNS the function returned
  the text 'x * 3'. Such a CREATE FUNCTION (TEMP or not) is now refused by name.

- Its scripting test "DECLARE DATE with quoted-string default coerces to DATE" runs
  `DECLARE d DATE DEFAULT '2026-01-15'; SELECT d;`, as BigQuery scripts commonly do. A STRING
  literal coerces to DATE, DATETIME, TIME and TIMESTAMP (the conversion rules' "Literal
  coercion"); the emulator refused it "Cannot coerce expression '2026-01-15' to type DATE (it is
  STRING)". DECLARE ... DEFAULT and SET now read such a literal as the variable's type; a STRING
  that is not a literal (a variable, CONCAT(...)) is still refused, as on BigQuery.

- Its table-function test "scalar UDF body can reference a table via backticks" creates
  `ds.region_count() RETURNS INT64 AS ((SELECT COUNT(DISTINCT region) FROM `ds.sales`))`, the form
  of the user-defined functions guide's "Default project in SQL expressions" example. A SQL
  function's body that read a table failed, persistent "Invalid function body ...: Catalog Error:
  Table with name "ds.sales" does not exist", TEMP at the call: the body's table names were not
  translated as a query's are. They are now (`ds.t` in the function's project, or fully
  qualified); a path from a parameter or an alias is left alone.

Each parameter case is checked against the same text written as a CAST in the query, on the
local warehouse and through the client, so the parameter and the literal cannot disagree.
"""

from __future__ import annotations

import datetime as dt

import pytest
from dateutil.relativedelta import relativedelta
from google.api_core.exceptions import BadRequest
from google.cloud import bigquery
from googlesql_cases import assert_fails_locally, assert_fails_through_client, check_locally, check_through_client

# (INTERVAL text as a client sends it, the value google-cloud-bigquery gives back)
INTERVALS = [
    ("1-2 3 4:5:6", relativedelta(years=1, months=2, days=3, hours=4, minutes=5, seconds=6)),
    ("-1-2 -3 -4:5:6", relativedelta(years=-1, months=-2, days=-3, hours=-4, minutes=-5, seconds=-6)),
    ("0-0 0 0:0:1.5", relativedelta(seconds=1, microseconds=500000)),
    ("1-6", relativedelta(years=1, months=6)),
    ("10 4:5:6", relativedelta(days=10, hours=4, minutes=5, seconds=6)),
    ("25:0:0", relativedelta(hours=25)),
    ("P1Y2M3DT4H5M6S", relativedelta(years=1, months=2, days=3, hours=4, minutes=5, seconds=6)),
    ("P-2W", relativedelta(days=-14)),
]

# (INTERVAL text, TIMESTAMP '2024-01-31 00:00:00+00' plus it, as BigQuery adds months first)
SUMS = [
    ("0-1 0 0:0:0", dt.datetime(2024, 2, 29, tzinfo=dt.UTC)),
    ("0-0 1 1:0:0", dt.datetime(2024, 2, 1, 1, tzinfo=dt.UTC)),
    ("-0-1 0 0:0:0", dt.datetime(2023, 12, 31, tzinfo=dt.UTC)),
]


def _query(client, sql, params):
    return [tuple(r.values()) for r in client.query(sql, job_config=bigquery.QueryJobConfig(query_parameters=params))]


@pytest.mark.parametrize("text, want", INTERVALS)
def test_interval_parameter_reads_bigquery_text(bigquery_client, text, want):
    """The suite's step: a named INTERVAL parameter selected back."""
    rows = _query(
        bigquery_client,
        f"SELECT @i, @i = CAST('{text}' AS INTERVAL)",
        [bigquery.ScalarQueryParameter("i", "INTERVAL", text)],
    )
    assert rows == [(want, True)]


@pytest.mark.parametrize("text, want", SUMS)
def test_interval_parameter_in_arithmetic(bigquery_client, warehouse, text, want):
    sql = "SELECT TIMESTAMP '2024-01-31 00:00:00+00' + {}"
    got = _query(bigquery_client, sql.format("@i"), [bigquery.ScalarQueryParameter("i", "INTERVAL", text)])
    assert got == [(want,)]
    local = warehouse.query_result(sql.format(f"CAST('{text}' AS INTERVAL)")).table.to_pylist()
    assert [tuple(r.values()) for r in local] == [(want,)]


def test_array_interval_parameter(bigquery_client):
    rows = _query(
        bigquery_client,
        "SELECT x FROM UNNEST(@a) AS x WITH OFFSET o ORDER BY o",
        [bigquery.ArrayQueryParameter("a", "INTERVAL", ["1-0", "P3D"])],
    )
    assert rows == [(relativedelta(years=1),), (relativedelta(days=3),)]


def test_a_positional_interval_parameter_is_refused_by_name(bigquery_client):
    """Positional values are bound without their type: the INTERVAL came back a STRING."""
    with pytest.raises(BadRequest, match=r"positional \(\?\) INTERVAL parameter"):
        _query(bigquery_client, "SELECT ?", [bigquery.ScalarQueryParameter(None, "INTERVAL", "0-0 2 0:0:0")])


@pytest.mark.parametrize("text", ["1 day", "P", "1-2 3 4:5:x", "tomorrow"])
def test_a_parameter_that_is_not_interval_text_is_refused_by_name(bigquery_client, text):
    with pytest.raises(BadRequest, match=r"query parameter @i: .* is not a valid INTERVAL"):
        _query(bigquery_client, "SELECT @i", [bigquery.ScalarQueryParameter("i", "INTERVAL", text)])


# JSONPaths with an operator GoogleSQL's JSONPath lacks, in the JSON functions that take one
UNSUPPORTED_PATHS = [
    ("""SELECT JSON_VALUE_ARRAY('{"a":["x","y","z"]}', '$.a[*]')""", "the wildcard"),
    ("""SELECT JSON_QUERY_ARRAY(JSON '{"a":[1, 2]}', '$.a[*]')""", "the wildcard"),
    ("""SELECT JSON_VALUE('{"a":{"b":"s"}}', '$.*')""", "the wildcard"),
    ("""SELECT JSON_QUERY('{"a":{"b":[1]}}', '$..b')""", "recursive descent"),
    ("""SELECT JSON_EXTRACT('{"a":[1, 2, 3]}', '$.a[0:2]')""", "a slice"),
    ("""SELECT JSON_QUERY('{"a":[1, 2, 3]}', '$.a[0,1]')""", "a union"),
    ("""SELECT JSON_EXTRACT_SCALAR('{"a":[{"b":1}]}', '$.a[?(@.b)]')""", "a filter"),
]

# the operators GoogleSQL has, and a key spelled like an operator, still answer
SERVED_PATHS = [
    ("""JSON_VALUE_ARRAY('{"a":["x","y","z"]}', '$.a')""", ["x", "y", "z"], "STRING"),
    ("""JSON_VALUE('{"*":"s"}', '$."*"')""", "s", "STRING"),
    ("""JSON_QUERY('{"a":[{"b":1}]}', '$.a[0].b')""", "1", "STRING"),
    ("""JSON_VALUE(JSON '{"a":{"b":2}}', '$.a.b')""", "2", "STRING"),
]


@pytest.mark.parametrize("sql, what", UNSUPPORTED_PATHS)
def test_unsupported_jsonpath_operators_refused_locally(warehouse, sql, what):
    assert_fails_locally(warehouse, sql, f"Unsupported operator in JSONPath: {what}")


@pytest.mark.parametrize("sql, what", UNSUPPORTED_PATHS)
def test_unsupported_jsonpath_operators_refused_through_client(bigquery_client, sql, what):
    assert_fails_through_client(bigquery_client, sql, f"Unsupported operator in JSONPath: {what}")


@pytest.mark.parametrize("sql, want, typ", SERVED_PATHS)
def test_googlesql_jsonpaths_served_locally(warehouse, sql, want, typ):
    check_locally(warehouse, sql, want, typ)


def test_googlesql_jsonpaths_served_through_client(bigquery_client):
    check_through_client(bigquery_client, SERVED_PATHS)


STRING_BODIES = [
    'CREATE TEMP FUNCTION f(x INT64) AS """x * 3"""; SELECT f(3)',
    "CREATE TEMP FUNCTION f(x INT64) RETURNS STRING AS 'x'; SELECT f(3)",
    "CREATE TEMP FUNCTION f(x INT64) AS r'x * 3'; SELECT f(3)",
    'CREATE FUNCTION {ds}.tripled(x INT64) RETURNS INT64 AS """x * 3"""',
    "CREATE FUNCTION {ds}.text(x INT64) AS 'x * 3'",
]
STRING_BODY = "A SQL function's body is an expression in parentheses, not a string literal"


@pytest.mark.parametrize("sql", STRING_BODIES)
def test_a_sql_function_with_a_string_body_is_refused(env, sql):
    run, ds, error = env
    with pytest.raises(error, match=STRING_BODY):
        run(sql.format(ds=ds))


def test_a_parenthesized_string_body_is_a_string(env):
    """`AS ('x')` is an expression: the function returns the string."""
    run, ds, _ = env
    assert run("CREATE TEMP FUNCTION f(x INT64) AS ('x'); SELECT f(3)") == [("x",)]
    run(f"CREATE FUNCTION {ds}.tripled(x INT64) RETURNS INT64 AS (x * 3)")
    assert run(f"SELECT {ds}.tripled(4)") == [(12,)]


# (script, BigQuery's rows): a STRING literal read as the variable's type
LITERAL_COERCIONS = [
    ("DECLARE d DATE DEFAULT '2026-01-15'; SELECT d, d + 1", [(dt.date(2026, 1, 15), dt.date(2026, 1, 16))]),
    ("DECLARE d DATETIME; SET d = '2026-01-15 10:11:12'; SELECT d", [(dt.datetime(2026, 1, 15, 10, 11, 12),)]),
    ("DECLARE t TIME DEFAULT '10:11:12.5'; SELECT t", [(dt.time(10, 11, 12, 500000),)]),
    (
        "DECLARE t TIMESTAMP DEFAULT '2026-01-15 10:00:00 America/Los_Angeles'; SELECT t",
        [(dt.datetime(2026, 1, 15, 18, tzinfo=dt.UTC),)],
    ),
    ("DECLARE a, b DATE DEFAULT '2026-02-28'; SET b = '2026-03-01'; SELECT DATE_DIFF(b, a, DAY)", [(1,)]),
]

# a STRING that is not a literal does not coerce (BigQuery's error), nor a literal to INT64
NOT_COERCED = [
    "DECLARE s STRING DEFAULT '2026-01-15'; DECLARE d DATE DEFAULT s; SELECT d",
    "DECLARE d DATE DEFAULT CONCAT('2026-', '01-15'); SELECT d",
    "DECLARE n INT64 DEFAULT 'not-a-number'",
]


@pytest.mark.parametrize("sql, want", LITERAL_COERCIONS)
def test_a_string_literal_coerces_to_a_date_variable(env, sql, want):
    run, _, _ = env
    assert run(sql) == want


@pytest.mark.parametrize("sql", NOT_COERCED)
def test_a_string_that_is_no_literal_does_not_coerce(env, sql):
    run, _, error = env
    with pytest.raises(error, match="Cannot coerce expression"):
        run(sql)


def test_a_sql_function_body_reads_a_table(env):
    """The guide's example: (SELECT COUNT(*) FROM mydataset.mytable) in a persistent function."""
    run, ds, _ = env
    run(f"CREATE TABLE {ds}.sales AS SELECT * FROM UNNEST(['east', 'east', 'west']) AS region")
    run(f"CREATE FUNCTION {ds}.region_count() RETURNS INT64 AS ((SELECT COUNT(DISTINCT region) FROM `{ds}.sales`))")
    assert run(f"SELECT {ds}.region_count()") == [(2,)]
    run(f"CREATE FUNCTION {ds}.rows_in(r STRING) AS ((SELECT COUNT(*) FROM {ds}.sales AS s WHERE s.region = r))")
    assert run(f"SELECT {ds}.rows_in('east'), {ds}.rows_in('north')") == [(2, 0)]
    got = run(
        f"CREATE TEMP FUNCTION firsts(n INT64) AS ((WITH c AS (SELECT region FROM {ds}.sales) "
        "SELECT ARRAY_AGG(region ORDER BY region LIMIT n) FROM c)); SELECT firsts(2)"
    )
    assert got == [(["east", "east"],)]


def test_a_sql_function_body_reads_a_table_by_its_full_name(env):
    run, ds, _ = env
    [(project,)] = run("SELECT @@project_id")
    run(f"CREATE TABLE {ds}.t AS SELECT 5 AS x")
    assert run(f"CREATE TEMP FUNCTION top() AS ((SELECT MAX(x) FROM `{project}.{ds}.t`)); SELECT top()") == [(5,)]


def test_a_path_from_a_parameter_is_no_table(env):
    run, _, _ = env
    got = run(
        "CREATE TEMP FUNCTION total(p STRUCT<items ARRAY<INT64>>) AS ((SELECT SUM(i) FROM UNNEST(p.items) AS i)); "
        "SELECT total(STRUCT([1, 2, 3] AS items))"
    )
    assert got == [(6,)]
