"""GoogleSQL that GoogleCloudPlatform/bigquery-utils' community and migration UDFs write (their
CI runs them on BigQuery) and the local warehouse answered otherwise:

- a persistent SQL function calling another persistent function (SQL or JavaScript) could not be
  created ("function S is not supported by the local warehouse"); one with an argument named
  `regexp` failed to parse (sqlglot read MySQL's REGEXP operator); `RETURNS RANGE<DATE>` failed
  with DuckDB's "Expected a constant as type modifier", and `RETURNS NUMERIC` / `BIGNUMERIC`
  rounded the result to DuckDB's bare DECIMAL(18, 3) / sqlglot's DECIMAL(38, 5); `CAST(s AS
  BYTES)` of a non-ASCII argument failed in a function body (it is the UTF-8 bytes in a query);
- `x & 1 << n` was `(x & 1) << n`: GoogleSQL binds shifts tighter than `&`, `&` than `^`, `^`
  than `|` (operators reference, "Operator precedence"); sqlglot reads all five at one level;
- `~`, `&`, `|`, `^`, `<<`, `>>` of BYTES answer BYTES of the first operand's length
  ("Bitwise operators"); each was "No matching signature";
- REGEXP_EXTRACT / REGEXP_EXTRACT_ALL with a pattern that is not a literal answered the whole
  match where the pattern has a capturing group (the reference: the group's match);
- `TIMESTAMP_BUCKET(ts, INTERVAL n SECOND)` of an INT64 expression `n` was refused;
- `CAST(x AS STRING FORMAT 'hh:mi:ss:mmm')` failed the whole query even in a CASE branch no row
  takes: ZetaSQL's "Cannot find matched format element" is an evaluation error;
- `12e345` was refused as an invalid literal: ZetaSQL reads a FLOAT64 literal with
  `absl::SimpleAtod`, which answers +-inf past FLOAT64's range;
- an UNNEST element named like a column of a CTE beside it was DuckDB's "Ambiguous reference";
  GoogleSQL reads the range variable (ZetaSQL: range variables take precedence over columns);
- FORMAT's %t and %T of a GEOGRAPHY wrote DuckDB's WKT (`POINT (0 0)`): now refused by name;
- nested LOG, POW, FLOOR and divisions (bigquery-utils' cw_to_base) wrote 490 KB of SQL and took
  30 s to translate: a large argument of a checked math function is now evaluated once.

Each case is our own SQL with the answer Google's reference gives, on the local warehouse and
through the real BigQuery client against the emulator.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

import pytest
from googlesql_cases import (
    assert_fails_locally,
    assert_fails_through_client,
    case_params,
    check_locally,
    check_through_client,
)

from llmops.emulator.bigquery.engine import BigQueryEngine
from llmops.emulator.bigquery.googlesql import translate

INT, B, F, S = "INT64", "BYTES", "FLOAT64", "STRING"

# shifts before &, & before ^, ^ before |
BITWISE_PRECEDENCE = [
    ("23 & 1 << 3", 0, INT),
    ("1 | 4 & 2", 1, INT),
    ("1 ^ 3 & 2", 3, INT),
    ("4 | 1 ^ 5", 4, INT),
    ("1 << 2 | 1 << 4 & 31", 20, INT),
    ("SELECT (x & 1 << n) >> n FROM UNNEST([23]) AS x, UNNEST([3]) AS n", 0, INT),
]

# the bitwise operators of BYTES: the first operand's length, the bits shifted across bytes
BYTES_BITWISE = [
    (r"b'\x0b\x01' >> 1", b"\x05\x80", B),
    (r"b'\x0b\x01' << 4", b"\xb0\x10", B),
    (r"b'\x0b' << 8", b"\x00", B),
    (r"~b'\x0b'", b"\xf4", B),
    (r"b'\x0b' & b'\x01'", b"\x01", B),
    (r"b'\x0b' | b'\x10'", b"\x1b", B),
    (r"b'\x0b' ^ b'\x01'", b"\x0a", B),
    (r"b'' >> 3", b"", B),
    (r"b'\x01' >> CAST(NULL AS INT64)", None, B),
    (r"BIT_COUNT(RIGHT(b'\x0b' >> 3, 1) & b'\x01')", 1, INT),
]

# a pattern that is not a literal: its capturing group's match, or the whole match without one
DYNAMIC_PATTERNS = [
    ("SELECT REGEXP_EXTRACT('a&key=val#x', p) FROM UNNEST(['[?&]key=([^&#]+)']) AS p", "val", S),
    ("REGEXP_EXTRACT('a&key=val#x', CONCAT('[?&]', 'key', '=([^&#]+)'))", "val", S),
    ("SELECT REGEXP_EXTRACT('a1b2', p) FROM UNNEST(['(?:[a-z])([0-9])']) AS p", "1", S),
    ("SELECT ARRAY_TO_STRING(REGEXP_EXTRACT_ALL('a1b2', p), ',') FROM UNNEST(['[a-z]([0-9])']) AS p", "1,2", S),
]

OTHERS = [
    # TIMESTAMP_BUCKET's width of an INT64 expression
    (
        "SELECT TIMESTAMP_BUCKET(TIMESTAMP '2020-01-01 00:00:07+00', INTERVAL n SECOND, TIMESTAMP_SECONDS(0)) "
        "FROM UNNEST([5]) AS n",
        dt.datetime(2020, 1, 1, 0, 0, 5, tzinfo=dt.UTC),
        "TIMESTAMP",
    ),
    ("SELECT DATE_BUCKET(DATE '2020-05-17', INTERVAL n DAY) FROM UNNEST([10]) AS n", dt.date(2020, 5, 13), "DATE"),
    # FLOAT64 literals past the range are infinite (ZetaSQL's SimpleAtod)
    ("12e345", math.inf, F),
    ("-12e345", -math.inf, F),
    ("FORMAT('%T', 12e345)", 'CAST("inf" AS FLOAT64)', S),
    # the UNNEST's element, not the CTE's array column of the same name
    (
        "WITH t AS (SELECT ['b', '', 'a'] AS ms) "
        "SELECT STRING_AGG(ms, ',' ORDER BY ms) FROM t CROSS JOIN UNNEST(t.ms) AS ms WHERE ms <> ''",
        "a,b",
        S,
    ),
]

FAMILIES = {
    "bitwise_precedence": BITWISE_PRECEDENCE,
    "bytes_bitwise": BYTES_BITWISE,
    "dynamic_patterns": DYNAMIC_PATTERNS,
    "others": OTHERS,
}


@pytest.mark.parametrize("sql, want, typ", case_params(FAMILIES))
def test_local_warehouse(warehouse, sql, want, typ):
    check_locally(warehouse, sql, want, typ)


@pytest.mark.parametrize("family", list(FAMILIES))
def test_bigquery_client(bigquery_client, family):
    check_through_client(bigquery_client, FAMILIES[family])


def test_a_format_without_a_matching_element_fails_where_a_row_is_cast(warehouse, bigquery_client):
    cast = "CAST(DATETIME '2024-10-01 13:34:56' AS STRING FORMAT 'hh:mi:ss:mmm')"
    untaken = f"SELECT CASE n WHEN 1 THEN {cast} ELSE 'other' END FROM UNNEST([2]) AS n"
    check_locally(warehouse, untaken, "other", S)
    check_through_client(bigquery_client, [(untaken, "other", S)])
    taken = f"SELECT CASE n WHEN 1 THEN {cast} ELSE 'other' END FROM UNNEST([1]) AS n"
    assert_fails_locally(warehouse, taken, "Cannot find matched format element at 11")
    assert_fails_through_client(bigquery_client, taken, "Cannot find matched format element at 11")


ERRORS = [
    (
        r"SELECT b'\x0b' | b'\x01\x02'",
        "Bitwise binary operator for BYTES requires equal length of the inputs. Got 1 bytes on the left hand side "
        "and 2 bytes on the right hand side.",
    ),
    (r"SELECT b'\x0b' >> -1", "Bitwise shift by negative offset."),
    (
        "SELECT REGEXP_EXTRACT('a1', p) FROM UNNEST(['([a-z])([0-9])']) AS p",
        "Regular expressions passed into extraction functions must not have more than 1 capturing group",
    ),
    (
        "SELECT TIMESTAMP_BUCKET(TIMESTAMP '2020-01-01 00:00:07+00', INTERVAL n SECOND) FROM UNNEST([0]) AS n",
        "Zero bucket width INTERVAL is not allowed",
    ),
    (
        "SELECT TIMESTAMP_BUCKET(TIMESTAMP '2020-01-01 00:00:07+00', INTERVAL n SECOND) FROM UNNEST([-1]) AS n",
        "Negative bucket width INTERVAL is not allowed",
    ),
    # DuckDB's WKT (`POINT (0 0)`) is not BigQuery's text: refused by name, not answered
    ("SELECT FORMAT('%T', ST_GEOGPOINT(0, 0))", "FORMAT %T of a GEOGRAPHY is not supported by the local warehouse"),
    ("SELECT FORMAT('%t', ST_GEOGPOINT(1.5, 2))", "FORMAT %t of a GEOGRAPHY is not supported by the local warehouse"),
]


@pytest.mark.parametrize("sql, fragment", ERRORS)
def test_bigquerys_errors(warehouse, bigquery_client, sql, fragment):
    assert_fails_locally(warehouse, sql, fragment)
    assert_fails_through_client(bigquery_client, sql, fragment)


def test_a_persistent_function_calls_another(env):
    run, ds, _ = env
    run(f"CREATE FUNCTION {ds}.inc(x INT64) AS (x + 1)")
    run(f"CREATE FUNCTION {ds}.twice_inc(x INT64) AS ({ds}.inc(x) * 2)")
    assert run(f"SELECT {ds}.twice_inc(1), {ds}.twice_inc(NULL)") == [(4, None)]
    assert run(f"CREATE TEMP FUNCTION thrice_inc(x INT64) AS ({ds}.inc(x) * 3); SELECT thrice_inc(1)") == [(6,)]


def test_a_body_calling_a_missing_function_is_not_created(env):
    run, ds, error = env
    with pytest.raises(error, match=f"Function not found: {ds}.nope"):
        run(f"CREATE FUNCTION {ds}.calls_missing(x INT64) AS ({ds}.nope(x))")


def test_an_argument_named_regexp(env):
    run, ds, _ = env
    run(f"CREATE FUNCTION {ds}.matches(s STRING, regexp STRING) AS (REGEXP_CONTAINS(s, regexp))")
    assert run(f"SELECT {ds}.matches('abc', 'b+'), {ds}.matches('abc', '^b')") == [(True, False)]


def test_declared_return_types(env):
    run, ds, _ = env
    run(
        f"CREATE FUNCTION {ds}.head(span RANGE<DATE>, cut DATE) RETURNS RANGE<DATE> AS "
        "(IF(RANGE_CONTAINS(span, cut), RANGE(RANGE_START(span), cut), NULL))"
    )
    run(f"CREATE FUNCTION {ds}.seventh(x INT64) RETURNS NUMERIC AS (x / 7)")
    run(f"CREATE FUNCTION {ds}.part(x INT64) RETURNS BIGNUMERIC AS (x / BIGNUMERIC '2678400')")
    rows = run(
        f"SELECT RANGE_END({ds}.head(RANGE<DATE> '[2020-01-01, 2020-03-01)', DATE '2020-02-01')), "
        f"{ds}.head(RANGE<DATE> '[2020-01-01, 2020-03-01)', DATE '2021-01-01') IS NULL, "
        f"{ds}.seventh(86400), {ds}.part(86400)"
    )
    assert rows == [(dt.date(2020, 2, 1), True, Decimal("12342.857142857"), Decimal("0.032258064516129032"))]


def test_bytes_of_a_non_ascii_argument(env):
    run, ds, _ = env
    run(f"CREATE FUNCTION {ds}.lowerb(s STRING) RETURNS STRING AS (CAST(LOWER(CAST(s AS BYTES)) AS STRING))")
    assert run(f"SELECT {ds}.lowerb('ÉTUDIANT')") == [("Étudiant",)]
    assert run("CREATE TEMP FUNCTION nbytes(s STRING) AS (BYTE_LENGTH(CAST(s AS BYTES))); SELECT nbytes('ç')") == [(2,)]


def test_a_sql_function_calls_a_javascript_one(env):
    pytest.importorskip("py_mini_racer")
    run, ds, _ = env
    run(f"CREATE FUNCTION {ds}.mode(m STRING) RETURNS STRING LANGUAGE js AS r'''return m + 'g';'''")
    run(f"CREATE FUNCTION {ds}.modes(m STRING) AS (UPPER({ds}.mode(m)))")
    run(f"CREATE FUNCTION {ds}.modes2(m STRING) AS (CONCAT({ds}.modes(m), '!'))")
    assert run(f"SELECT {ds}.modes2('i')") == [("IG!",)]


def test_a_javascript_function_two_calls_away_on_a_new_engine(tmp_path):
    """A new engine (the next `llmops sql`, an emulator restart) registers the JavaScript UDF of a
    routine that only another routine's body calls."""
    pytest.importorskip("py_mini_racer")
    path = tmp_path / "warehouse.duckdb"
    first = BigQueryEngine(path, default_project="p")
    first.create_dataset("p", "ds")
    for sql in [
        "CREATE FUNCTION ds.mode(m STRING) RETURNS STRING LANGUAGE js AS r'''return m + 'g';'''",
        "CREATE FUNCTION ds.modes(m STRING) AS (UPPER(ds.mode(m)))",
        "CREATE FUNCTION ds.modes2(m STRING) AS (CONCAT(ds.modes(m), '!'))",
    ]:
        first.query(sql, default_dataset="ds")
    second = BigQueryEngine(path, default_project="p")
    assert second.query("SELECT ds.modes2('i') AS m", default_dataset="ds").table.to_pylist() == [{"m": "IG!"}]


def test_nested_math_checks_bind_large_arguments_once(warehouse, bigquery_client):
    """bigquery-utils' cw_to_base: each level of LOG, POW, FLOOR and division copied its checked
    argument three to six times (490 KB of SQL, 30 s to translate); a large argument is now bound
    once."""
    sql = (
        "SELECT MOD(CAST(FLOOR(ABS(n) / POW(b, (FLOOR(LOG(ABS(n)) / LOG(b)) + 1) - i)) AS INT64), b) "
        "FROM (SELECT 255 AS n, 16 AS b, 1 AS i)"
    )
    translated = translate(sql).statements[0].sql
    assert len(translated) < 60_000, len(translated)
    check_locally(warehouse, sql, 15, INT)
    check_through_client(bigquery_client, [(sql, 15, INT)])


def test_a_body_calling_a_routine_that_calls_an_engine_udf(tmp_path):
    """The routine a new function's body calls runs NET.HOST, an engine UDF no text of the new
    body names: it is registered when the new function is created (bigquery-utils'
    cw_url_extract_authority over cw_url_extract_host)."""
    path = tmp_path / "warehouse.duckdb"
    first = BigQueryEngine(path, default_project="p")
    first.create_dataset("p", "ds")
    first.query("CREATE FUNCTION ds.host(u STRING) AS (NET.HOST(u))", default_dataset="ds")
    second = BigQueryEngine(path, default_project="p")
    second.query("CREATE FUNCTION ds.authority(u STRING) AS (CONCAT('//', ds.host(u)))", default_dataset="ds")
    rows = second.query("SELECT ds.authority('https://a.b.com/x') AS a", default_dataset="ds").table.to_pylist()
    assert rows == [{"a": "//a.b.com"}]
