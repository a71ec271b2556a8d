"""Wrong answers and missing errors left by the ZetaSQL compliance sweep, now BigQuery's.

Each row is a ZetaSQL compliance case (bytes, strings, json_queries) or our own query, with
GoogleSQL's answer, run on the local warehouse and through the real BigQuery client:

- REGEXP_EXTRACT_ALL searched once more at the end of the input after a match that reached it
  (DuckDB's iteration; ZetaSQL stops there), so a pattern that can match empty had one empty
  match too many: `REGEXP_EXTRACT_ALL('abc', '')` had 4 elements, `'a*'` of `'baaa'` 3, STRING
  and BYTES alike, and REGEXP_EXTRACT's occurrence past the last match was `''`, not NULL; an
  unmatched capturing group was a NULL element (an error when written) where ZetaSQL's is `''`;
- JSON_OBJECT(keys, values) with arrays of different sizes paired what it could (sqlglot's
  parser zipped the two arrays); a NULL key array, a NULL value array and a NULL key were
  DuckDB's "keys must be VARCHAR" error instead of BigQuery's (SAFE. gives NULL);
- TRANSLATE of BYTES with a source byte listed twice answered (the STRING form already failed).
"""

from __future__ import annotations

import pytest
from googlesql_cases import (
    assert_fails_locally,
    assert_fails_through_client,
    case_params,
    check_locally,
    check_through_client,
)

STR = "STRING"
STRS = "STRING"  # an ARRAY<STRING> (a REPEATED column of its element type)
BYTES = "BYTES"

REGEXP_MATCHES = [
    # bytes:function_regexp_extract_all
    ("REGEXP_EXTRACT_ALL(b'abc', b'')", [b"", b"", b""], BYTES),
    # ZetaSQL's ExtractAllIterator: after an empty match one character is skipped; a match or
    # a skip that reaches the end of a non-empty input is the last
    ("REGEXP_EXTRACT_ALL('abc', '')", ["", "", ""], STRS),
    ("REGEXP_EXTRACT_ALL('baaa', 'a*')", ["", "aaa"], STRS),
    ("REGEXP_EXTRACT_ALL(b'baaa', b'a*')", [b"", b"aaa"], BYTES),
    ("REGEXP_EXTRACT_ALL('aab', 'a*')", ["aa", ""], STRS),
    ("REGEXP_EXTRACT_ALL('xay', 'a*')", ["", "a", ""], STRS),
    ("REGEXP_EXTRACT_ALL('abcb', 'b|$')", ["b", "b"], STRS),
    ("REGEXP_EXTRACT_ALL('héllo', '')", ["", "", "", "", ""], STRS),
    # an unmatched group is an empty match
    ("REGEXP_EXTRACT_ALL('bb', '(x)?b')", ["", ""], STRS),
    ("SELECT REGEXP_EXTRACT_ALL(x, 'a*') FROM UNNEST(['baaa']) AS x", ["", "aaa"], STRS),
    # REGEXP_EXTRACT's occurrences are the same matches
    ("REGEXP_EXTRACT('abc', 'x*', 1, 4)", None, STR),
    ("REGEXP_EXTRACT(b'abc', b'x*', 1, 4)", None, BYTES),
]

JSON_OBJECTS = [
    # json_queries:json_object_arrays_null_keys_safe
    ("SAFE.JSON_OBJECT(CAST(NULL AS ARRAY<STRING>), [10, 20]) IS NULL", True, "BOOL"),
    ("SAFE.JSON_OBJECT(['a', 'b'], [10]) IS NULL", True, "BOOL"),
]

FAMILIES = {"regexp_matches": REGEXP_MATCHES, "json_objects": JSON_OBJECTS}
ROWS = case_params(FAMILIES)


@pytest.mark.parametrize("sql, want, typ", ROWS)
def test_local_warehouse(warehouse, sql, want, typ):
    check_locally(warehouse, sql, want, typ)


@pytest.mark.parametrize("family", list(FAMILIES))
def test_bigquery_client(bigquery_client, family):
    check_through_client(bigquery_client, FAMILIES[family])


ERRORS = [
    # json_queries:json_object_arrays_size_differs_with_null_key
    ("SELECT JSON_OBJECT(['a', NULL], [10])", "Invalid input to JSON_OBJECT: The number of keys and values must match"),
    ("SELECT JSON_OBJECT(['a', 'b'], [1])", "Invalid input to JSON_OBJECT: The number of keys and values must match"),
    (
        "SELECT JSON_OBJECT(['a', 'b'], [STRUCT(1 AS x, [2, 3] AS y), STRUCT(4, [5]), STRUCT(6, [])])",
        "The number of keys and values must match",
    ),
    # json_queries:json_object_arrays_null_keys, _null_values, _null_keys_and_values
    (
        "SELECT JSON_OBJECT(CAST(NULL AS ARRAY<STRING>), [10, 20])",
        "Invalid input to JSON_OBJECT: The keys array cannot be NULL",
    ),
    (
        "SELECT JSON_OBJECT(['a', 'b'], CAST(NULL AS ARRAY<INT64>))",
        "Invalid input to JSON_OBJECT: The values array cannot be NULL",
    ),
    (
        "SELECT JSON_OBJECT(CAST(NULL AS ARRAY<STRING>), CAST(NULL AS ARRAY<INT64>))",
        "Invalid input to JSON_OBJECT: The keys array cannot be NULL",
    ),
    ("SELECT JSON_OBJECT(['a', NULL], [1, 2])", "Invalid input to JSON_OBJECT: A key cannot be NULL"),
    # ZetaSQL's string tests: a byte listed twice
    ("SELECT TRANSLATE(b'unused', b'abcda', b'vwxyz')", "Duplicate byte 0x61 in TRANSLATE source bytes"),
    ("SELECT TRANSLATE(b'unused', b'\\x01\\x01', b'yz')", "Duplicate byte 0x01 in TRANSLATE source bytes"),
    ("SELECT TRANSLATE(x, b'cc', b'y') FROM UNNEST([b'abc']) AS x", "Duplicate byte 0x63 in TRANSLATE source bytes"),
    # two capturing groups: BigQuery fails (sqlglot answered the whole match, 'ab')
    ("SELECT REGEXP_EXTRACT('ab', '(a)(b)')", "must not have more than 1 capturing group"),
    ("SELECT REGEXP_EXTRACT_ALL('ab', r'(?P<x>a)(b)')", "must not have more than 1 capturing group"),
    # an empty key in a path: sqlglot read `$.""` as `$` (JSON_VALUE answered NULL, JSON_QUERY the
    # whole document, where BigQuery answers the member)
    ("""SELECT JSON_VALUE('{"": 1, "a": 2}', '$.""')""", "a JSONPath with an empty key"),
    ("""SELECT JSON_QUERY('{"": {"b": 3}}', '$."".b')""", "a JSONPath with an empty key"),
]


@pytest.mark.parametrize("sql, fragment", ERRORS)
def test_bigquerys_errors(warehouse, bigquery_client, sql, fragment):
    assert_fails_locally(warehouse, sql, fragment)
    assert_fails_through_client(bigquery_client, sql, fragment)


def test_safe_translate_of_a_repeated_byte_is_null(warehouse, bigquery_client):
    sql = "SELECT SAFE.TRANSLATE(b'abc', b'aa', b'xy')"
    check_locally(warehouse, sql, None, "BYTES")
    check_through_client(bigquery_client, [(sql, None, "BYTES")])


def test_safe_regexp_extract_with_two_groups_is_null(warehouse, bigquery_client):
    sql = "SELECT SAFE.REGEXP_EXTRACT('ab', '(a)(b)')"
    check_locally(warehouse, sql, None, "STRING")
    check_through_client(bigquery_client, [(sql, None, "STRING")])


def test_an_empty_key_outside_a_path_is_text(warehouse):
    check_locally(warehouse, """SELECT '$.""' AS s""", '$.""', "STRING")
    check_locally(warehouse, """SELECT INT64(JSON '{"": 1}'[''])""", 1, "INT64")
