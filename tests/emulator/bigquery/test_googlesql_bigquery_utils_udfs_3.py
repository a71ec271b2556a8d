"""GoogleSQL that GoogleCloudPlatform/bigquery-utils' UDFs write (their CI runs them on
BigQuery) and the local warehouse answered differently or refused, third run (docs/googlesql.md,
"Outside sweep: bigquery-utils' UDFs", "Third run"):

- a NUMERIC or BIGNUMERIC argument of a JavaScript UDF reached JavaScript as a Number always
  (`1.5`), where the reference ("Supported JavaScript UDF data types") encodes it as a Number
  only when it "can be represented exactly as an IEEE 754 floating-point value and has no
  fractional part", else as a String: `typeof x` and `x + 1` were silently different.
- JavaScript UDFs with INT64 arguments (`cw_substring_index(str STRING, sep STRING, idx INT64)`,
  `cw_td_strtok`, `cw_regexp_extract_n`, `cw_convert_base`, the `*_generic` regular expression
  functions and the 7 that call them) were refused, where BigQuery creates and runs them (their
  CI does). The reference calls INT64 "unsupported as an input type" for JavaScript has no 64-bit
  integer; BigQuery passes the value as a String of its digits (as in ibis-project/ibis#1939),
  which every one of these functions reads either way (`idx >= 0`, `p - 1`, `splice(idx, ...)`).

Each case is our own SQL with the answer the reference gives, on the local warehouse and through
the real BigQuery client against the emulator.
"""

from __future__ import annotations

import pytest


@pytest.fixture
def js():
    pytest.importorskip("py_mini_racer")


KIND = "RETURNS STRING LANGUAGE js AS r'''return typeof x + ':' + String(x);'''"


def test_an_int64_argument_is_a_string_of_its_digits(js, env):
    run, _, _ = env
    sql = f"CREATE TEMP FUNCTION kind(x INT64) {KIND}; SELECT kind(41), kind(9223372036854775807), kind(-3), kind(NULL)"
    assert run(sql) == [("string:41", "string:9223372036854775807", "string:-3", "object:null")]


def test_int64_inside_an_array_or_struct_argument(js, env):
    run, ds, _ = env
    run(
        f"CREATE FUNCTION {ds}.shape(a ARRAY<INT64>, s STRUCT<n INT64, w STRING>) RETURNS STRING "
        "LANGUAGE js AS r'''return JSON.stringify([a, s]);'''"
    )
    assert run(f"SELECT {ds}.shape([1, 2], STRUCT(3 AS n, 'x' AS w))") == [('[["1","2"],{"n":"3","w":"x"}]',)]


SUBSTRING_INDEX = r'''RETURNS STRING LANGUAGE js AS """
  if (str === null || sep === null || idx === null) return null;
  if (sep == "") return "";
  var arr = str.split(sep);
  var oth = arr.splice(idx, arr.length - idx);
  return (idx >= 0 ? arr : oth).join(sep);
"""'''


def test_a_function_of_an_int64_argument_runs(js, env):
    # bigquery-utils' cw_substring_index and its recorded cases
    run, ds, _ = env
    run(f"CREATE FUNCTION {ds}.substring_index(str STRING, sep STRING, idx INT64) {SUBSTRING_INDEX}")
    got = run(
        f"SELECT {ds}.substring_index('TestStr123456,Test123', ',', 1), "
        f"{ds}.substring_index('TestStr123456,Test123,1,2,3', ',', 3), "
        f"{ds}.substring_index('TestStr123456,Test123,1,2,3', ',', -2), "
        f"{ds}.substring_index('TestStr123456', ',', NULL)"
    )
    assert got == [("TestStr123456", "TestStr123456,Test123,1", "2,3", None)]


def test_an_int64_argument_returned_as_int64(js, env):
    run, _, _ = env
    sql = (
        "CREATE TEMP FUNCTION same(x INT64) RETURNS INT64 LANGUAGE js AS 'return x;'; SELECT same(9223372036854775807)"
    )
    assert run(sql) == [(9223372036854775807,)]


def test_a_numeric_argument_is_a_number_only_when_whole(js, env):
    run, _, _ = env
    sql = (
        f"CREATE TEMP FUNCTION kind(x NUMERIC) {KIND}; "
        "SELECT kind(NUMERIC '1.50'), kind(NUMERIC '12'), kind(NUMERIC '9007199254740993'), "
        "kind(NUMERIC '-0.000000001'), kind(2.5)"
    )
    assert run(sql) == [("string:1.5", "number:12", "string:9007199254740993", "string:-0.000000001", "string:2.5")]


def test_a_numeric_fraction_adds_as_a_string(js, env):
    run, _, _ = env
    sql = (
        "CREATE TEMP FUNCTION plus_one(x NUMERIC) RETURNS STRING LANGUAGE js AS 'return String(x + 1);'; "
        "SELECT plus_one(NUMERIC '1.5'), plus_one(NUMERIC '2')"
    )
    assert run(sql) == [("1.51", "3")]


def test_a_bignumeric_argument_keeps_its_digits(js, env):
    run, ds, _ = env
    run(f"CREATE FUNCTION {ds}.kind(x BIGNUMERIC) {KIND}")
    got = run(f"SELECT {ds}.kind(BIGNUMERIC '1.123456789012345678'), {ds}.kind(BIGNUMERIC '7')")
    assert got == [("string:1.123456789012345678", "number:7")]
