"""The BYTES overloads of GoogleSQL's string functions, which count, compare and match bytes
(DuckDB has SUBSTR, REPLACE, TRIM, LOWER/UPPER, STARTS_WITH/ENDS_WITH, ASCII, TRANSLATE and the
REGEXP_ functions only for VARCHAR, and refused a BLOB). Each row is a case of ZetaSQL's compliance
tests (bytes.test, strings.test) with the value BigQuery's reference gives, or our own query with the
value Google's string-functions reference documents, bytes that are not UTF-8 and NUL included; run
on the local warehouse and through the real BigQuery client against the emulator.
"""

from __future__ import annotations

import pytest
from googlesql_cases import assert_fails_locally, case_params, check_locally, check_through_client

B, BOOL, INT = "BYTES", "BOOL", "INT64"

# (expression or query, BigQuery's value, its type)
SUBSTR = [
    # bytes.test function_substr / function_substring
    ('SUBSTR(b"abc", 1)', b"abc", B),
    ('SUBSTR(b"abc", 1, 1)', b"a", B),
    ('SUBSTR(b"\\xE2\\x82\\xAC", 2, 1)', b"\x82", B),
    ('SUBSTR(b"abc", 0, 1)', b"a", B),
    ('SUBSTRING(b"abc", -3, 5)', b"abc", B),
    # strings.test diff_strings_and_bytes_4 / _5
    ('SUBSTR(b"\\xe2\\x82\\xac", 1, 1) = b"\\xe2"', True, BOOL),
    ('SUBSTR(CAST("€" AS BYTES), 1, 1) = b"\\xe2"', True, BOOL),
    ('SUBSTR(CAST("\\xE2\\x82\\xAC" AS BYTES), 1, 1)', b"\xc3", B),
    # our own: NUL and bytes that are not UTF-8, counted from the end
    ('SUBSTR(b"\\x00\\xff\\x80z", -3, 2)', b"\xff\x80", B),
    ("SELECT SUBSTR(b, 2) FROM (SELECT b'\\xc3\\x00\\xfe' AS b)", b"\x00\xfe", B),
]

REPLACE_TRANSLATE = [
    # bytes.test function_replace / function_translate
    ('REPLACE(b"\\xE2\\x82\\xAC", b"\\xac", b"\\xFF")', b"\xe2\x82\xff", B),
    ('REPLACE(b"abc", b"a", b"xyz")', b"xyzbc", B),
    ('REPLACE(b"abc", b"abc", b"x")', b"x", B),
    ('TRANSLATE(b"ab\\xFE", b"a\\xFE", b"x\\x01")', b"xb\x01", B),
    ('TRANSLATE(b"abcabc", b"ab", b"\\tд")', b"\t\xd0c\t\xd0c", B),
    # our own: a C2 byte that is not the start of a character is a byte like any other
    ('REPLACE(b"\\xc2A\\xc2\\x90", b"\\xc2", b"")', b"A\x90", B),
]

TRIM_CASE = [
    # bytes.test function_trim / _ltrim / _rtrim
    ('TRIM(b" a b ", NULL)', None, B),
    ('TRIM(b" a b ", b"")', b" a b ", B),
    ('TRIM(NULL, b" ")', None, B),
    ('TRIM(b" \\xE2\\x82\\xAC ", b" \\xac")', b"\xe2\x82", B),
    ('LTRIM(b" \\xE2\\x82\\xAC ", b" \\xe2")', b"\x82\xac ", B),
    ('RTRIM(b" \\xE2\\x82\\xAC ", b" \\xac")', b" \xe2\x82", B),
    # bytes.test function_lower / _upper / _lcase / _ucase: only ASCII letters change
    ('LOWER(b"\\xE2\\x82\\xAC")', b"\xe2\x82\xac", B),
    ('LOWER(b"A\\123")', b"as", B),
    ('UPPER(b"a\\123")', b"AS", B),
    ('LCASE(b"\\xc3\\x80Z")', b"\xc3\x80z", B),
    ('UCASE(b"\\xe0b")', b"\xe0B", B),
]

COMPARE = [
    # bytes.test function_starts_with / _ends_with / function_ascii
    ('STARTS_WITH(b"", b"")', True, BOOL),
    ('STARTS_WITH(b"", b"a")', False, BOOL),
    ('STARTS_WITH(NULL, b"abc")', None, BOOL),
    ('STARTS_WITH(b"\\xE2\\x82\\xAC", b"\\xe2")', True, BOOL),
    ('ENDS_WITH(b"\\xE2\\x82\\xAC", b"\\xac")', True, BOOL),
    ('ENDS_WITH(NULL, b"abc")', None, BOOL),
    ('ASCII(b"")', 0, INT),
    ('ASCII(b"a")', 97, INT),
    # our own: the first byte, not a character
    ('ASCII(b"\\xff\\x00")', 255, INT),
]

REGEXP = [
    # bytes.test function_regexp_extract / _regex_replace / _regexp_extract_all
    ('REGEXP_EXTRACT(b"abcabc", b"")', b"", B),
    ('REGEXP_EXTRACT(b"abcabc", NULL)', None, B),
    ('REGEXP_EXTRACT(b"abcabc", b"a.c")', b"abc", B),
    ('REGEXP_EXTRACT(b"abcabc", b"[a|d]b?")', b"ab", B),
    ('REGEXP_EXTRACT(b"abcabc", b"%#ab")', None, B),
    ('REGEXP_REPLACE(b"abcabc", b"", b"xyz")', b"xyzaxyzbxyzcxyzaxyzbxyzcxyz", B),
    ('REGEXP_REPLACE(b"abcabc", b"a.c", b"xyz")', b"xyzxyz", B),
    ('REGEXP_REPLACE(NULL, b"[^efg]", b"xyz")', None, B),
    ('ARRAY_LENGTH(REGEXP_EXTRACT_ALL(b"abcabc", b"a.c"))', 2, INT),
    ('REGEXP_EXTRACT_ALL(b"banana", b"a(n)a")[OFFSET(0)]', b"n", B),
    # our own: `.` is one byte, also of a character's UTF-8 or of bytes that are not UTF-8
    ('REGEXP_CONTAINS(b"\\xE2\\x82\\xAC", b"^...$")', True, BOOL),
    ('REGEXP_EXTRACT(b"\\x00\\xff\\xfe", b"\\x00(.)")', b"\xff", B),
    ('REGEXP_INSTR(b"\\xE2\\x82\\xACx", b"x")', 4, INT),
]

FAMILIES = {
    "substr": SUBSTR,
    "replace_translate": REPLACE_TRANSLATE,
    "trim_case": TRIM_CASE,
    "compare": COMPARE,
    "regexp": REGEXP,
}
ROWS = case_params(FAMILIES)


@pytest.mark.parametrize("sql, want, typ", ROWS)
def test_local_warehouse(warehouse, sql, want, typ):
    check_locally(warehouse, sql, want, typ)


@pytest.mark.parametrize("family", list(FAMILIES))
def test_bigquery_client(bigquery_client, family):
    check_through_client(bigquery_client, FAMILIES[family])


def test_trim_of_bytes_needs_the_set_of_bytes(warehouse):
    # "If the value to trim is BYTES, ... The set of bytes is required."
    assert_fails_locally(warehouse, 'SELECT TRIM(b" a ")', "set of bytes")
