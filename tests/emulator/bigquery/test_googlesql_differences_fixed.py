"""Former known differences and named refusals of the GoogleSQL translator, now answered as
Google's GoogleSQL reference documents (value and result type), through the local warehouse
(`llmops sql`'s path) and through the real BigQuery client against the emulator; and the errors
BigQuery raises for them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal

import pytest
from googlesql_cases import assert_fails_locally, assert_fails_through_client, same_type, single_value

from llmops.backends.local.warehouse import DuckDBWarehouse
from llmops.core.config import Settings

INT, F, S, N, BN = "INTEGER", "FLOAT", "STRING", "NUMERIC", "BIGNUMERIC"

SETUP = [
    "CREATE SCHEMA IF NOT EXISTS diffs",
    "CREATE OR REPLACE TABLE diffs.nums (n NUMERIC, b BIGNUMERIC, i INT64, f FLOAT64)",
    "INSERT diffs.nums VALUES (1, 1, 1, 1.5), (1, 1, 3, 1.5), (2, 2, 2, 2.5), (NULL, NULL, 4, NULL)",
]

# (query, BigQuery's answer, its type)
CASES = [
    # AVG of NUMERIC is NUMERIC, of BIGNUMERIC BIGNUMERIC (rounded at the type's scale); of INT64 FLOAT64
    ("SELECT AVG(n) FROM diffs.nums", Decimal("1.333333333"), N),
    ("SELECT AVG(n) FROM diffs.nums WHERE i <= 2", Decimal("1.5"), N),
    ("SELECT AVG(b) FROM diffs.nums", Decimal("1.333333333333333333"), BN),
    ("SELECT AVG(-n) FROM diffs.nums", Decimal("-1.333333333"), N),
    ("SELECT AVG(DISTINCT n) FROM diffs.nums", Decimal("1.5"), N),
    ("SELECT AVG(n) FROM diffs.nums WHERE FALSE", None, N),
    ("SELECT AVG(i) FROM diffs.nums", 2.5, F),
    ("SELECT AVG(f) FROM diffs.nums", 11 / 6, F),
    ("SELECT AVG(n) OVER (PARTITION BY n) FROM diffs.nums WHERE i = 3", Decimal("1"), N),
    (
        "SELECT AVG(x) FROM UNNEST([NUMERIC '12345678901234567890.123456789', NUMERIC '2.000000001']) x",
        Decimal("6172839450617283946.061728395"),
        N,
    ),
    # `/`, DIV and SAFE_DIVIDE of NUMERIC columns (with INT64 ones) are NUMERIC, exact to 9 digits
    ("SELECT n / i FROM diffs.nums WHERE i = 3", Decimal("0.333333333"), N),
    ("SELECT -n / 3 FROM diffs.nums WHERE i = 2", Decimal("-0.666666667"), N),
    ("SELECT b / n FROM diffs.nums WHERE i = 3", Decimal("1"), BN),
    ("SELECT b / 3 FROM diffs.nums WHERE i = 3", Decimal("0.333333333333333333"), BN),
    ("SELECT DIV(n + 5, n) FROM diffs.nums WHERE i = 2", Decimal("3"), N),
    ("SELECT SAFE_DIVIDE(n, i - 1) FROM diffs.nums WHERE i = 1", None, N),
    ("SELECT SAFE_DIVIDE(n, i) FROM diffs.nums WHERE i = 2", Decimal("1"), N),
    ("SELECT n / f FROM diffs.nums WHERE i = 1", 1 / 1.5, F),
    ("SELECT i / i FROM diffs.nums WHERE i = 1", 1.0, F),
    ("SELECT NUMERIC '12345678901234567890.123456789' / 7", Decimal("1763668414462081127.160493827"), N),
    ("SELECT DIV(NUMERIC '-7', 2)", Decimal("-3"), N),
    # ROUND/TRUNC/CEIL/FLOOR of an INT64 column are FLOAT64
    ("SELECT ROUND(i) FROM diffs.nums WHERE i = 3", 3.0, F),
    ("SELECT TRUNC(i) FROM diffs.nums WHERE i = 3", 3.0, F),
    ("SELECT CEIL(i) FROM diffs.nums WHERE i = 3", 3.0, F),
    ("SELECT FLOOR(i) FROM diffs.nums WHERE i = 3", 3.0, F),
    ("SELECT ROUND(n) FROM diffs.nums WHERE i = 3", Decimal("1"), N),
    # an array with a NULL element is fine inside the query (only a result's arrays are checked)
    ("SELECT ARRAY_LENGTH([1, NULL])", 2, INT),
    ("SELECT COUNT(*) FROM UNNEST([1, NULL])", 2, INT),
    ("SELECT ARRAY_LENGTH(ARRAY_AGG(n)) FROM diffs.nums", 4, INT),
    ("SELECT ARRAY_AGG(n IGNORE NULLS ORDER BY n)[OFFSET(2)] FROM diffs.nums", Decimal("2"), N),
    # POW/POWER/EXP overflow is an error; SAFE. makes it NULL; infinite arguments stay infinite
    ("SELECT SAFE.POW(10, 400)", None, F),
    ("SELECT SAFE.POWER(f, 10000) FROM diffs.nums WHERE i = 3", None, F),
    ("SELECT SAFE.EXP(1000)", None, F),
    ("SELECT POW(CAST('inf' AS FLOAT64), 2)", float("inf"), F),
    ("SELECT EXP(-1000)", 0.0, F),
    ("SELECT POW(f, 2) FROM diffs.nums WHERE i = 3", 2.25, F),
    # NORMALIZE's forms of non-ASCII text; Unicode case folding
    ("SELECT TO_HEX(SHA512('\u00e9'))", hashlib.sha512("é".encode()).hexdigest(), S),
    ("SELECT NORMALIZE('\uff21\uff22\uff23', NFKC)", "ABC", S),
    ("SELECT CHAR_LENGTH(NORMALIZE('\u00e9', NFD))", 2, INT),
    ("SELECT NORMALIZE('\u00e9', NFD) = 'e\u0301'", True, "BOOLEAN"),
    ("SELECT NORMALIZE('\ufb01', NFKD)", "fi", S),
    ("SELECT NORMALIZE('abc', NFKD)", "abc", S),
    ("SELECT NORMALIZE_AND_CASEFOLD('Stra\u00dfe')", "strasse", S),
    ("SELECT NORMALIZE_AND_CASEFOLD('The Red Barn')", "the red barn", S),
    ("SELECT NORMALIZE_AND_CASEFOLD('\uff21BC', NFKC)", "abc", S),
    ("SELECT NORMALIZE_AND_CASEFOLD('\u00c9') = NORMALIZE_AND_CASEFOLD('E\u0301')", True, "BOOLEAN"),
    ("SELECT NORMALIZE_AND_CASEFOLD('\u00c9', NFD) = NORMALIZE_AND_CASEFOLD('e\u0301', NFD)", True, "BOOLEAN"),
    # JSON_KEYS: nested keys as a.b, sorted; arrays per mode (ZetaSQL's compliance cases)
    ("""SELECT JSON_KEYS(JSON '{"a": {"b": 1}}')""", ["a", "a.b"], S),
    ("""SELECT JSON_KEYS(JSON '{"a": {"b": 1}}', 1)""", ["a"], S),
    ("""SELECT JSON_KEYS(JSON '{"a": {"c": {"d": 1}, "b": 1, "a": {"a": 1}}}', 2)""", ["a", "a.a", "a.b", "a.c"], S),
    ("""SELECT JSON_KEYS(JSON '{"a": [{"b": 1}, {"c": 2}], "d": 3}')""", ["a", "d"], S),
    ("""SELECT JSON_KEYS(JSON '{"a": [{"b": 1}, {"c": 2}], "d": 3}', mode => 'lax')""", ["a", "a.b", "a.c", "d"], S),
    ("""SELECT JSON_KEYS(JSON '[{"a": {"b": 1}}]', 1, mode => "Lax")""", ["a"], S),
    ("""SELECT JSON_KEYS(JSON '[{"a": {"b": 1}}]', 1, mode => "Strict")""", [], S),
    ("""SELECT JSON_KEYS(JSON '{"a": [[{"b": 1}]]}', mode => 'lax')""", ["a"], S),
    ("""SELECT JSON_KEYS(JSON '{"a": [[{"b": 1}]]}', mode => 'lax recursive')""", ["a", "a.b"], S),
    (
        """SELECT JSON_KEYS(JSON '[1, {"a": 1}, {"c": [{"d": 2}, [{"e": 3}]]}, [{"b": 2}]]', mode => 'lax')""",
        ["a", "c", "c.d"],
        S,
    ),
    (
        """SELECT JSON_KEYS(JSON '{"a": [[{"b": 1}], [[[{"c": 2}]]], {"b": {"c": 3}}]}', 2, mode => 'lax recursive')""",
        ["a", "a.b", "a.c"],
        S,
    ),
    ("""SELECT JSON_KEYS(JSON '{"a.b": {"c": 1}}')""", ['"a.b"', '"a.b".c'], S),
    ("""SELECT JSON_KEYS(JSON '{"a.b": {"c\\\\"": 1, "d.e": 2}}')""", ['"a.b"', '"a.b"."c\\""', '"a.b"."d.e"'], S),
    ("""SELECT JSON_KEYS(JSON '{"a": 1}', NULL)""", ["a"], S),
    ("SELECT JSON_KEYS(JSON 'null')", [], S),
    ("SELECT JSON_KEYS(CAST(NULL AS JSON))", None, S),
    ("""SELECT JSON_KEYS(JSON '{"a": {"b": 1}}', mode => TRIM(' lax'))""", ["a", "a.b"], S),
    # %Z is ZetaSQL's `UTC` plus the offset at that instant (ExpandPercentZQJ), not an abbreviation
    ("SELECT FORMAT_TIMESTAMP('%Z', TIMESTAMP '2008-12-25 15:30:00+00', 'America/Los_Angeles')", "UTC-8", S),
    ("SELECT FORMAT_TIMESTAMP('%Z', TIMESTAMP '2008-07-25 15:30:00+00', 'America/Los_Angeles')", "UTC-7", S),
    ("SELECT FORMAT_TIMESTAMP('%Z', TIMESTAMP '2008-12-25 15:30:00+00', 'Asia/Kolkata')", "UTC+0530", S),
    ("SELECT FORMAT_TIMESTAMP('%H:%M %Z', TIMESTAMP '2008-12-25 15:30:00+00', 'Europe/Paris')", "16:30 UTC+1", S),
    ("SELECT FORMAT_TIMESTAMP('%Z', TIMESTAMP '2008-12-25 15:30:00+00', 'UTC')", "UTC", S),
    # STRING(timestamp, zone): the local time and the zone's offset (hours alone when whole)
    ("SELECT STRING(TIMESTAMP '2008-12-25 15:30:00+00', 'America/Los_Angeles')", "2008-12-25 07:30:00-08", S),
    ("SELECT STRING(TIMESTAMP '2008-06-25 15:30:00+00', 'America/St_Johns')", "2008-06-25 13:00:00-02:30", S),
    # the fraction as 3 or 6 digits, as CAST AS STRING writes it (ZetaSQL's "...00:00:00.100+00")
    ("SELECT STRING(TIMESTAMP '2008-12-25 15:30:00.5+00', 'Asia/Kolkata')", "2008-12-25 21:00:00.500+05:30", S),
    ("SELECT STRING(CAST(NULL AS TIMESTAMP), 'America/Los_Angeles')", None, S),
    # CAST ... FORMAT (the reference's "Format elements" for dates, times and bytes)
    ("SELECT CAST(DATE '2008-12-25' AS STRING FORMAT 'YYYY-MM-DD')", "2008-12-25", S),
    ("SELECT CAST(DATE '2008-12-25' AS STRING FORMAT 'DD-MON-YYYY')", "25-DEC-2008", S),
    ("SELECT CAST(DATE '2008-12-25' AS STRING FORMAT 'Month DD, YYYY')", "December 25, 2008", S),
    ("SELECT CAST(DATE '2008-12-25' AS STRING FORMAT 'MONTH')", "DECEMBER", S),
    ("SELECT CAST(DATE '2008-12-25' AS STRING FORMAT 'mon')", "dec", S),
    ("SELECT CAST(DATE '2008-12-25' AS STRING FORMAT 'DAY DY D DDD YY Y')", "THURSDAY THU 5 360 08 8", S),
    ("SELECT CAST(DATE '2008-12-25' AS STRING FORMAT 'YYYY\"Q\"MM')", "2008Q12", S),
    ("SELECT CAST(TIME '21:30:00.123456' AS STRING FORMAT 'HH12:MI:SS.FF3 A.M.')", "09:30:00.123 P.M.", S),
    ("SELECT CAST(TIME '21:30:00' AS STRING FORMAT 'HH24:MI SSSSS')", "21:30 77400", S),
    ("SELECT CAST(DATETIME '2008-12-25 15:30:00' AS STRING FORMAT 'YYYY-MM-DD HH24:MI:SS')", "2008-12-25 15:30:00", S),
    (
        "SELECT CAST(TIMESTAMP '2008-12-25 15:30:00+00' AS STRING FORMAT 'YYYY-MM-DD HH24:MI TZH:TZM')",
        "2008-12-25 15:30 +00:00",
        S,
    ),
    (
        "SELECT CAST(TIMESTAMP '2008-12-25 15:30:00+00' AS STRING FORMAT 'YYYY-MM-DD HH24:MI TZH' AT TIME ZONE 'Asia/Kolkata')",
        "2008-12-25 21:00 +05",
        S,
    ),
    ("SELECT CAST(CAST(NULL AS DATE) AS STRING FORMAT 'YYYY')", None, S),
    ("SELECT CAST('25-Dec-2008' AS DATE FORMAT 'DD-MON-YYYY')", dt.date(2008, 12, 25), "DATE"),
    (
        "SELECT CAST('2008-12-25 03:30:00 PM' AS DATETIME FORMAT 'YYYY-MM-DD HH:MI:SS AM')",
        dt.datetime(2008, 12, 25, 15, 30),
        "DATETIME",
    ),
    (
        "SELECT CAST('2008-12-25 15:30:00.5' AS TIMESTAMP FORMAT 'YYYY-MM-DD HH24:MI:SS.FF1')",
        dt.datetime(2008, 12, 25, 15, 30, 0, 500000, tzinfo=dt.UTC),
        "TIMESTAMP",
    ),
    (
        "SELECT CAST('2008-12-25 21:00+05:30' AS TIMESTAMP FORMAT 'YYYY-MM-DD HH24:MITZH:TZM')",
        dt.datetime(2008, 12, 25, 15, 30, tzinfo=dt.UTC),
        "TIMESTAMP",
    ),
    ("SELECT CAST('15:30' AS TIME FORMAT 'HH24:MI')", dt.time(15, 30), "TIME"),
    ("SELECT SAFE_CAST('nope' AS DATE FORMAT 'YYYY-MM-DD')", None, "DATE"),
    ("SELECT CAST(b'abc' AS STRING FORMAT 'BASE64')", "YWJj", S),
    ("SELECT CAST(b'abc' AS STRING FORMAT 'HEX')", "616263", S),
    ("SELECT CAST('YWJj' AS BYTES FORMAT 'BASE64')", b"abc", "BYTES"),
    ("SELECT CAST('\u00e9' AS BYTES FORMAT 'UTF-8')", "é".encode(), "BYTES"),
]

NULL_ELEMENT = "Array cannot have a null element; error in writing field"
ERRORS = [
    ("SELECT n / (i - 1) FROM diffs.nums WHERE i = 1", "division by zero"),
    ("SELECT [1, NULL]", f"{NULL_ELEMENT} f0_"),
    ("SELECT ARRAY_AGG(n) AS ns FROM diffs.nums", f"{NULL_ELEMENT} ns"),
    ("SELECT STRUCT(['a', NULL] AS arr) AS s", f"{NULL_ELEMENT} s.arr"),
    ("SELECT i, [n] AS ns FROM diffs.nums", f"{NULL_ELEMENT} ns"),
    ("SELECT POW(10, 400)", "Floating point overflow in function: POW"),
    ("SELECT POWER(f, 10000) FROM diffs.nums WHERE i = 3", "Floating point overflow in function: POW"),
    ("SELECT EXP(1000)", "Floating point overflow in function: EXP"),
    ("SELECT NORMALIZE('x', NFX)", "NORMALIZE mode NFX is not one of NFC, NFKC, NFD, NFKD"),
    ("SELECT NORMALIZE_AND_CASEFOLD('x', BOGUS)", "NORMALIZE_AND_CASEFOLD mode BOGUS is not one of"),
    # GoogleSQL has no SHA384 (the hash functions are FARM_FINGERPRINT, MD5, SHA1, SHA256, SHA512)
    ("SELECT SHA384(b'abc')", "Function not found: SHA384"),
    ("""SELECT JSON_KEYS(JSON '{"a": 1}', 0)""", "max_depth must be positive"),
    ("""SELECT JSON_KEYS(JSON '{"a": 1}', 1, mode => 'invalid')""", "Invalid JSON mode specified"),
    ("""SELECT JSON_KEYS(CAST(NULL AS JSON), -1)""", "max_depth must be positive"),
    ("SELECT STRING(TIMESTAMP '2008-12-25 15:30:00+00', 'Bogus/Zone')", "Bogus/Zone"),
    ("SELECT FORMAT_TIMESTAMP('%Z', TIMESTAMP '2008-12-25 15:30:00+00', 'Bogus/Zone')", "Bogus/Zone"),
    ("SELECT CAST(1.5 AS STRING FORMAT '999.99')", "FORMAT '999.99' of a number is not supported"),
    ("SELECT CAST(DATE '2008-12-25' AS STRING FORMAT 'HH24')", "not supported for DATE"),
    ("SELECT CAST(DATE '2008-12-25' AS STRING FORMAT 'YYYY-QQ')", "Cannot find matched format element at 5"),
    ("SELECT CAST('1' AS INT64 FORMAT '9')", "CAST AS INT64 FORMAT is not supported"),
]


def _same(got, want) -> bool:
    if isinstance(want, float) and isinstance(got, float) and want != float("inf"):
        return abs(got - want) <= 1e-12 * max(1.0, abs(want))
    return type(got) is type(want) and got == want if want is not None else got is None


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    wh = DuckDBWarehouse(Settings(workspace=tmp_path_factory.mktemp("diffs") / "ws"))
    for sql in SETUP:
        wh.query_result(sql)
    yield wh
    wh.close()


@pytest.fixture(scope="module")
def client(bigquery_client):
    for sql in SETUP:
        bigquery_client.query_and_wait(sql)
    return bigquery_client


@pytest.mark.parametrize("sql, want, typ", CASES)
def test_local_warehouse(warehouse, sql, want, typ):
    got, kind = single_value(warehouse, sql)
    assert _same(got, want), got
    assert same_type(kind, typ), kind


def test_bigquery_client(client):
    for sql, want, typ in CASES:
        result = client.query_and_wait(sql)
        rows = [list(r.values()) for r in result]
        if want is None and result.schema[0].mode == "REPEATED":
            want = []  # BigQuery returns a NULL array as an empty one
        assert len(rows) == 1 and _same(rows[0][0], want), (sql, rows)
        assert same_type(result.schema[0].field_type, typ), (sql, result.schema[0].field_type)


@pytest.mark.parametrize("sql, fragment", ERRORS)
def test_errors_local_warehouse(warehouse, sql, fragment):
    assert_fails_locally(warehouse, sql, fragment)


@pytest.mark.parametrize("sql, fragment", ERRORS)
def test_errors_bigquery_client(client, sql, fragment):
    assert_fails_through_client(client, sql, fragment)


def test_null_array_element_is_one_line_in_llmops_sql(cli):
    r = cli("sql", "SELECT 1 AS a, [1, NULL] AS arr")
    assert r.code == 1 and r.out == ""
    assert f"{NULL_ELEMENT} arr" in r.err and len(r.err.strip().splitlines()) == 1


GEO_SETUP = [
    "CREATE SCHEMA IF NOT EXISTS diffs",
    "CREATE OR REPLACE TABLE diffs.places (g GEOGRAPHY, n INT64)",
    "INSERT diffs.places VALUES (ST_GEOGPOINT(-122.35, 47.62), 1), "
    "(ST_GEOGFROMTEXT('POLYGON((0 0, 1 0, 1 1, 0 0))'), 2), (NULL, 3)",
]
GEO_QUERY = "SELECT TO_JSON_STRING(g) AS j, TO_JSON_STRING(n) AS k FROM diffs.places ORDER BY n"
GEO_ROWS = [
    ['{"type":"Point","coordinates":[-122.35,47.62]}', "1"],
    ['{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}', "2"],
    ["null", "3"],
]


def test_to_json_string_of_a_geography_column_is_geojson_local_warehouse(warehouse):
    """TO_JSON_STRING of a GEOGRAPHY column is GeoJSON, as of a geography function's result."""
    pytest.importorskip("shapely")
    for sql in GEO_SETUP:
        warehouse.query_result(sql)
    assert [list(r.values()) for r in warehouse.query_result(GEO_QUERY).table.to_pylist()] == GEO_ROWS


def test_to_json_string_of_a_geography_column_is_geojson_bigquery_client(client):
    pytest.importorskip("shapely")
    for sql in GEO_SETUP:
        client.query_and_wait(sql)
    assert [list(r.values()) for r in client.query_and_wait(GEO_QUERY)] == GEO_ROWS


def test_unnest_in_a_parenthesized_in_list_is_a_syntax_error(warehouse, bigquery_client):
    """`x IN (UNNEST(arr))` answered one row per element (DuckDB unnested it into the query's rows);
    GoogleSQL's IN takes `UNNEST(arr)` without parentheses."""
    sql = "SELECT 1 IN (UNNEST([1, 2])) AS found"
    assert_fails_locally(warehouse, sql, "Unexpected keyword UNNEST")
    assert_fails_through_client(bigquery_client, sql, "Unexpected keyword UNNEST")
