"""GoogleSQL that go-zetasqlite's cases answered with an engine error or a refusal: BYTES
arguments of BIT_COUNT and SPLIT, JSON extractors given text that is not JSON, and
SAFE_CONVERT_BYTES_TO_STRING of bytes that are not UTF-8. Each row is our own query with the
result Google's reference (or ZetaSQL's compliance tests) gives, run through the local warehouse
and, one query per family, through the real BigQuery client against the emulator.
"""

from __future__ import annotations

import pytest
from googlesql_cases import (
    as_query,
    assert_fails_locally,
    assert_fails_through_client,
    client_queries,
    same_type,
    single_value,
)

INT, S, B = "INT64", "STRING", "BYTES"

# (expression or query, BigQuery's value, its type)
BYTES_CALLS = [
    # BIT_COUNT's documented example rows
    ("BIT_COUNT(b'')", 0, INT),
    ("BIT_COUNT(b'\\x00\\x08')", 1, INT),
    ("BIT_COUNT(b'\\xFF\\xFF')", 16, INT),
    ("BIT_COUNT(b'\\xFF\\xFF\\xFF\\xFF\\xFF\\xFF\\xFF\\xFE')", 63, INT),
    ("BIT_COUNT(b'\\xFF\\xFF\\xFF\\xFF\\xFF\\xFF\\xFF\\xFF\\xFF\\xFF')", 80, INT),
    ("BIT_COUNT(b'\\x00\\x01')", 1, INT),
    ("SELECT BIT_COUNT(b) FROM (SELECT b'\\x05' AS b)", 2, INT),
    ("WITH t AS (SELECT b'\\x03\\x03' AS b) SELECT BIT_COUNT(b) FROM t", 4, INT),
    ("BIT_COUNT(-1)", 64, INT),
    ("SELECT REVERSE(b) FROM (SELECT b'bar' AS b)", b"rab", B),
    ("WITH t AS (SELECT b'123' AS b) SELECT REVERSE(b) FROM t", b"321", B),
    ("SPLIT(b'\\xab\\xcd', NULL)", None, B),
    ("SPLIT(b'a,b,,c', b',')", [b"a", b"b", b"", b"c"], B),
    ("SPLIT(b'abc', b'')", [b"a", b"b", b"c"], B),
    ("SPLIT(b'\\x00\\xab\\xcd', b'\\xab')", [b"\x00", b"\xcd"], B),
    ("SELECT SPLIT(b, d) FROM (SELECT b'x--y' AS b, b'--' AS d)", [b"x", b"y"], B),
    ("SPLIT('a,b')", ["a", "b"], S),
]

# ZetaSQL's string JSON extractors answer NULL for text that does not parse (JsonPathEvaluator's
# "Null cases"; its compliance tests: '{"a": ' gives NULL for JSON_QUERY and the _ARRAY forms)
BAD_JSON = [
    ("JSON_EXTRACT_STRING_ARRAY('}}', '$')", None, S),
    ("JSON_VALUE_ARRAY('}}', '$')", None, S),
    ("JSON_EXTRACT_ARRAY('{\"a\": ', '$')", None, S),
    ("JSON_QUERY_ARRAY('{\"a\": ', '$')", None, S),
    ("JSON_QUERY('{\"a\": ', '$')", None, S),
    ("JSON_EXTRACT('{\"a\": ', '$')", None, S),
    ("JSON_VALUE('}}', '$')", None, S),
    ("JSON_EXTRACT_SCALAR('}}', '$')", None, S),
    ("SELECT JSON_VALUE(s, '$.a') FROM (SELECT '{\"a\": ' AS s)", None, S),
    ("SELECT JSON_QUERY(s, '$.a') FROM (SELECT '{\"a\": ' AS s)", None, S),
    ("SELECT JSON_VALUE(s, '$.a') FROM (SELECT '{\"a\": \"x\"}' AS s)", "x", S),
    ("JSON_VALUE(JSON '{\"a\": 1}', '$.a')", "1", S),
]

# ZetaSQL's compliance rows: one U+FFFD for each byte of an ill-formed sequence
BAD_UTF8 = [
    ("SAFE_CONVERT_BYTES_TO_STRING(b'\\xc2')", "\ufffd", S),
    ("SAFE_CONVERT_BYTES_TO_STRING(b'\\xc3\\x28')", "\ufffd(", S),
    ("SAFE_CONVERT_BYTES_TO_STRING(b'\\xa0\\xa1')", "\ufffd\ufffd", S),
    ("SAFE_CONVERT_BYTES_TO_STRING(b'\\xe2\\x82\\x28')", "\ufffd\ufffd(", S),
    ("SAFE_CONVERT_BYTES_TO_STRING(b'\\xe2\\x28\\xa1')", "\ufffd(\ufffd", S),
    ("SAFE_CONVERT_BYTES_TO_STRING(b'abc\\xffd')", "abc\ufffdd", S),
    ("SAFE_CONVERT_BYTES_TO_STRING(CAST(NULL AS BYTES))", None, S),
    ("SELECT SAFE_CONVERT_BYTES_TO_STRING(b) FROM (SELECT b'\\xd0' AS b)", "\ufffd", S),
]

FAMILIES = {"bytes_calls": BYTES_CALLS, "bad_json": BAD_JSON, "bad_utf8": BAD_UTF8}
ROWS = [
    pytest.param(q, want, typ, id=f"{name}-{i}")
    for name, rows in FAMILIES.items()
    for i, (q, want, typ) in enumerate(rows)
]

# a BYTES argument whose type the translator cannot learn: a named error with the cast to write
UNKNOWN = [
    (
        "WITH t AS (SELECT b'bar' AS b UNION ALL SELECT CAST(NULL AS BYTES)) SELECT REVERSE(b) FROM t",
        "REVERSE of a BYTES value whose type the local warehouse cannot infer",
    ),
    (
        "CREATE TEMP FUNCTION f(x ANY TYPE) AS (BIT_COUNT(x)); SELECT f(b'\\x01')",
        "BIT_COUNT of a BYTES value whose type the local warehouse cannot infer",
    ),
    (
        "CREATE TEMP FUNCTION g(x ANY TYPE) AS (SPLIT(x, b',')); SELECT g(b'a,b')",
        "SPLIT of a BYTES value whose type the local warehouse cannot infer",
    ),
]


@pytest.mark.parametrize("sql, want, typ", ROWS)
def test_local_warehouse(warehouse, sql, want, typ):
    got, kind = single_value(warehouse, as_query(sql))
    assert got == want, got
    assert same_type(kind, typ), kind


@pytest.mark.parametrize("sql, message", UNKNOWN)
def test_unknown_bytes_type_is_named(warehouse, sql, message):
    assert_fails_locally(warehouse, sql, message)


def test_parse_json_of_bad_text_stays_an_error(warehouse):
    assert_fails_locally(warehouse, "SELECT PARSE_JSON('}}')", "")


@pytest.mark.parametrize("family", list(FAMILIES))
def test_bigquery_client(bigquery_client, family):
    for sql, rows in client_queries(FAMILIES[family]):
        result = bigquery_client.query_and_wait(sql)
        values = list(next(iter(result)).values())
        for (q, want, typ), got, field in zip(rows, values, result.schema, strict=True):
            if want is None and field.mode == "REPEATED":
                want = []  # the API sends a NULL array as an empty one
            assert got == want, (q, got)
            assert same_type(field.field_type, typ), (q, field.field_type)


def test_bigquery_client_unknown_bytes_type(bigquery_client):
    assert_fails_through_client(bigquery_client, UNKNOWN[0][0], UNKNOWN[0][1])
