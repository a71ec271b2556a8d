"""Engine errors left by the ZetaSQL compliance sweep where BigQuery answers, now BigQuery's
answers.

Each row is a ZetaSQL compliance case (cast_function, civil_time, json_queries) or our own query,
with GoogleSQL's answer, run on the local warehouse and through the real BigQuery client:

- CAST ... FORMAT with a format that is not a string literal was a syntax error (`FORMAT
  CAST(NULL AS STRING)`, `FORMAT 'BASE' || '64'`) or refused (`FORMAT @f`): a constant format
  is folded, a NULL one makes the CAST NULL, and a column or parameter chooses among the BYTES <->
  STRING formats when the query runs (an unknown one is BigQuery's "Invalid format" error,
  NULL under SAFE_CAST); a NULL `AT TIME ZONE` of a CAST AS STRING FORMAT ran past the query
  time limit;
- a leap second (`:60`) in DATETIME, TIME or TIMESTAMP text was DuckDB's "invalid timestamp field
  format": GoogleSQL reads it as the next minute's first second (a DATETIME or TIME drops its
  fraction, a TIMESTAMP keeps it);
- `CAST('' AS DATE FORMAT '')` (DATETIME, TIME, TIMESTAMP) could not be parsed and a format
  without a year or a month was refused: what the format leaves out is ZetaSQL's default
  (cast_date_time.cc): the current year and month, day 1, midnight;
- JSON_EXTRACT's bracket forms `$[a]` and `['b.c']` (json_queries) were DuckDB's "JSON path error",
  and so was a JSON subscript or field whose key is empty or holds `"` or `\\` (`json['']`,
  `` json.`a"b` ``);
- a NUMERIC SUM/AVG whose running total passed DuckDB's 38-digit decimals while the final value
  fits (numeric_aggregation_queries:numeric_sum_large) failed with DuckDB's "Overflow in HUGEINT
  addition"; summing wider costs ~80x on every NUMERIC sum, so it is refused by name.
"""

from __future__ import annotations

import datetime as dt

import pytest
from google.cloud import bigquery
from googlesql_cases import (
    assert_fails_locally,
    assert_fails_through_client,
    case_params,
    check_locally,
    check_through_client,
)

STR = "STRING"

CAST_FORMAT_EXPRESSIONS = [
    # cast_function:cast_bytes_to_string_format_is_null, cast_bytes_to_string_expression_as_format
    ("CAST(b'abc' AS STRING FORMAT CAST(NULL AS STRING))", None, STR),
    ("CAST(b'abc' AS STRING FORMAT 'BASE' || '64')", "YWJj", STR),
    ("CAST(b'abc' AS STRING FORMAT 'b' || 'A' || 'sE2')", "011000010110001001100011", STR),
    # cast_bytes_to_string_safe_cast_with_invalid_format, cast_string_to_bytes_safe_cast_invalid_format
    ("SAFE_CAST(b'abc' AS STRING FORMAT 'x' || 'y' || 'z')", None, STR),
    ("SAFE_CAST('123' AS BYTES FORMAT 'x' || 'y' || 'z')", None, "BYTES"),
    ("SAFE_CAST('123' AS BYTES FORMAT 'xyz')", None, "BYTES"),
    # cast_string_to_bytes_format_is_null, cast_string_to_timestamp_format_is_null
    ("CAST('abc' AS BYTES FORMAT NULL)", None, "BYTES"),
    ("CAST('1234' AS TIMESTAMP FORMAT CAST(NULL AS STRING))", None, "TIMESTAMP"),
    # cast_date_and_time_to_string_with_null_format, cast_number_to_string_null
    ("CAST(DATE '1234-05-06' AS STRING FORMAT CAST(NULL AS STRING))", None, STR),
    ("CAST(TIME '07:08:09' AS STRING FORMAT NULL)", None, STR),
    ("CAST(1.23 AS STRING FORMAT CAST(NULL AS STRING))", None, STR),
    ("CAST(DATE '2020-01-02' AS STRING FORMAT 'YYYY' || '/MM')", "2020/01", STR),
    # cast_timestamp_to_string_with_null_time_zone: timed out (a NULL zone copied into every element)
    (
        "CAST(TIMESTAMP '1234-05-06 07:08:09-10' AS STRING FORMAT 'HH12:MI:SS PM DD/MM/YYYY  TZH:TZM' "
        "AT TIME ZONE CAST(NULL AS STRING))",
        None,
        STR,
    ),
    ("CAST('2020-03' AS DATE FORMAT 'YYYY-' || 'MM')", dt.date(2020, 3, 1), "DATE"),
    (
        "SELECT STRING_AGG(TO_HEX(CAST(t AS BYTES FORMAT f)), ',' ORDER BY LOWER(f)) "
        "FROM UNNEST([STRUCT('YWJj' AS t, 'base64' AS f), ('616263', 'HEX'), ('01100001', 'base2')])",
        "61,616263,616263",
        STR,
    ),
]

LEAP_SECONDS = [
    # civil_time:roundtrip_cast_between_string_and_datetime_common, cast_from_timestamp_to_time,
    # cast_from_datetime_to_time, roundtrip_cast_between_string_and_time_common
    ("CAST('2015-11-06 23:59:60' AS DATETIME)", dt.datetime(2015, 11, 7), "DATETIME"),
    ("DATETIME '2015-11-06 12:59:60.123456'", dt.datetime(2015, 11, 6, 13), "DATETIME"),
    ("CAST(TIMESTAMP '2015-11-06 12:59:60+00' AS TIME)", dt.time(13), "TIME"),
    ("CAST(TIMESTAMP '2015-11-06 12:59:60.123456' AS TIME)", dt.time(13, 0, 0, 123456), "TIME"),
    ("CAST(DATETIME '2015-11-06 23:59:60' AS TIME)", dt.time(0), "TIME"),
    ("TIME '23:59:60'", dt.time(0), "TIME"),
    ("CAST('12:59:60.123456' AS TIME)", dt.time(13), "TIME"),
    (
        "TIMESTAMP '2015-11-06 23:59:60.5+05'",
        dt.datetime(2015, 11, 6, 19, 0, 0, 500000, tzinfo=dt.UTC),
        "TIMESTAMP",
    ),
    ("SAFE_CAST('2015-11-06 23:59:60' AS DATETIME)", dt.datetime(2015, 11, 7), "DATETIME"),
]

# cast_function:cast_string_to_default_value_date/_datetime/_time/_timestamp: the query checks
# the current year and month itself, as the ZetaSQL cases do
_THIS_MONTH = "EXTRACT(YEAR FROM d) = EXTRACT(YEAR FROM CURRENT_DATE()) AND EXTRACT(MONTH FROM d) = EXTRACT(MONTH FROM CURRENT_DATE())"
FORMAT_DEFAULTS = [
    (
        f"SELECT {_THIS_MONTH} AND CAST(d AS STRING FORMAT 'DD') = '01' FROM (SELECT CAST('' AS DATE FORMAT '') AS d)",
        True,
        "BOOL",
    ),
    (
        f"SELECT {_THIS_MONTH} AND CAST(d AS STRING FORMAT 'DD HH24:MI:SS.FF6') = '01 00:00:00.000000' "
        "FROM (SELECT CAST('' AS DATETIME FORMAT '') AS d)",
        True,
        "BOOL",
    ),
    (
        f"SELECT {_THIS_MONTH} AND CAST(d AS STRING FORMAT 'DD HH24:MI:SS.FF6') = '01 00:00:00.000000' "
        "FROM (SELECT CAST('' AS TIMESTAMP FORMAT '') AS d)",
        True,
        "BOOL",
    ),
    ("CAST('' AS TIME FORMAT '')", dt.time(0), "TIME"),
    (
        "SELECT EXTRACT(MONTH FROM d) = EXTRACT(MONTH FROM CURRENT_DATE()) AND EXTRACT(YEAR FROM d) = 1234 "
        "FROM (SELECT CAST('1234' AS DATE FORMAT 'YYYY') AS d)",
        True,
        "BOOL",
    ),
    # cast_string_to_timestamp_time_zone_is_null
    ("CAST('1234' AS TIMESTAMP FORMAT 'yyyy' AT TIME ZONE NULL)", None, "TIMESTAMP"),
]

DOC = """JSON '{"a": [1, {"b.c": [10, 20]}]}'"""
SPECIAL = r"""JSON '{"a\\"\\\\foo\\t@! \'bar": {"b.c": [10, 20]}}'"""
JSON_PATHS = [
    # json_queries:json_extract, json_extract_scalar
    (f"""TO_JSON_STRING(JSON_EXTRACT({DOC}, "$[a][1]['b.c']"))""", "[10,20]", STR),
    (f"""JSON_EXTRACT_SCALAR({DOC}, "$[a][1]['b.c'][0]")""", "10", STR),
    ("""JSON_EXTRACT('{"a": [1, {"b.c": [10, 20]}]}', "$[a][1]['b.c']")""", "[10,20]", STR),
    # json_subscript_special_character, json_dot_notation_special_characters
    (rf"""TO_JSON_STRING(({SPECIAL})['a"\\foo\t@! \'bar']['b.c'])""", "[10,20]", STR),
    (rf"""TO_JSON_STRING(({SPECIAL}).`a\"\\foo\t@! \'bar`.`b.c`)""", "[10,20]", STR),
    # json_empty_json_path_matching, json_empty_json_path_nonmatching
    ("""SELECT COUNT(*) FROM (SELECT JSON '{"": "value"}' AS j) WHERE j[''] IS NOT NULL""", 1, "INT64"),
    ("""SELECT COUNT(*) FROM (SELECT JSON '{"key": "value"}' AS j) WHERE j[''] IS NOT NULL""", 0, "INT64"),
]

FAMILIES = {
    "cast_format_expressions": CAST_FORMAT_EXPRESSIONS,
    "leap_seconds": LEAP_SECONDS,
    "format_defaults": FORMAT_DEFAULTS,
    "json_paths": JSON_PATHS,
}
ROWS = case_params(FAMILIES)


@pytest.mark.parametrize("sql, want, typ", ROWS)
def test_local_warehouse(warehouse, sql, want, typ):
    check_locally(warehouse, sql, want, typ)


@pytest.mark.parametrize("family", list(FAMILIES))
def test_bigquery_client(bigquery_client, family):
    check_through_client(bigquery_client, FAMILIES[family])


ERRORS = [
    # cast_function: an unknown format is an error when the query runs
    ("SELECT CAST('123' AS BYTES FORMAT 'x' || 'y' || 'z')", "Invalid format 'xyz'"),
    ("SELECT CAST(t AS BYTES FORMAT f) FROM UNNEST([STRUCT('YWJj' AS t, 'xyz' AS f)])", "Invalid format 'xyz'"),
    (
        "SELECT SUM(v) FROM UNNEST([NUMERIC '99999999999999999999999999999', "
        "NUMERIC '99999999999999999999999999999', NUMERIC '-99999999999999999999999999999']) AS v",
        "SUM or AVG whose running total passes 38 digits (with the scale) is not supported by the local warehouse",
    ),
    # a date/time format that only the rows give cannot be read ahead of them here
    (
        "SELECT CAST(t AS DATE FORMAT f) FROM UNNEST([STRUCT('2020' AS t, 'YYYY' AS f)])",
        "is not supported by the local warehouse",
    ),
]


@pytest.mark.parametrize("sql, fragment", ERRORS)
def test_bigquerys_errors(warehouse, bigquery_client, sql, fragment):
    assert_fails_locally(warehouse, sql, fragment)
    assert_fails_through_client(bigquery_client, sql, fragment)


def test_a_query_parameter_as_the_format(warehouse, bigquery_client):
    # cast_function:cast_bytes_to_string_with_parameter_as_format
    sql = "SELECT CAST(b'abc' AS STRING FORMAT @f) AS s"
    assert warehouse.query_result(sql, {"f": "base2"}).table.to_pylist() == [{"s": "011000010110001001100011"}]
    config = bigquery.QueryJobConfig(query_parameters=[bigquery.ScalarQueryParameter("f", "STRING", "base64")])
    assert [r.s for r in bigquery_client.query_and_wait(sql, job_config=config)] == ["YWJj"]
