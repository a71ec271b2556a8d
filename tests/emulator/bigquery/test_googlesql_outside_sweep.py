"""GoogleSQL that an outside sweep (another emulator's query cases, run through this engine) found
answered wrongly or refused with an engine error: each row our own query with the result
Google's function reference documents. Every row runs through the local warehouse (`llmops sql`'s
path); each family's rows without a FROM run as one query through the real BigQuery client
against the emulator, and each row with a FROM as its own.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from googlesql_cases import as_query, client_queries, same_type, single_value

UTC = dt.UTC
INT, S, BY = "INTEGER", "STRING", "BYTES"

# (expression or query, BigQuery's documented result, its type or None)
FORMAT_BYTES = [
    ("FORMAT('%T', b'\\x00\\x01ab')", 'b"\\x00\\x01ab"', S),
    ("FORMAT('%T', b'\\xff\\xfe')", 'b"\\xff\\xfe"', S),
    ("FORMAT('%T', b'q\"\\\\')", 'b"q\\"\\\\"', S),
    ("FORMAT('%T', NET.IPV4_FROM_INT64(11259375))", 'b"\\x00\\xab\\xcd\\xef"', S),
    ("FORMAT('%T', CAST(NULL AS BYTES))", "NULL", S),
]

JSONS = [
    ("JSON_QUERY('{\"x\": null}', '$.x')", None, S),
    ("JSON_EXTRACT('{\"x\": null, \"y\": 1}', '$.x')", None, S),
    ("JSON_QUERY('{\"x\": \"null\"}', '$.x')", '"null"', S),
    ("JSON_EXTRACT_ARRAY('{\"x\": \"one\"}', '$.x')", [], S),
    ("JSON_QUERY_ARRAY('{\"x\": [2, \"b\"]}', '$.x')", ["2", '"b"'], S),
    ('JSON_VALUE_ARRAY(\'{"x": ["b", {"c": 1}]}\', \'$.x\')', [], S),
    ("JSON_EXTRACT_STRING_ARRAY('{\"x\": [\"b\", 3]}', '$.x')", ["b", "3"], S),
    ("SELECT doc['k'][1]['v'] FROM (SELECT JSON '{\"k\": [{\"v\": 7}, {\"v\": 8}]}' AS doc)", "8", "JSON"),
    ('SELECT doc[0] FROM (SELECT JSON \'["first", "second"]\' AS doc)', '"first"', "JSON"),
]

STRUCT_TUPLES = [
    ("SELECT SUM(w) FROM UNNEST([STRUCT('p' AS k, 4 AS w), ('q', 5), ('p', 6)])", 15, INT),
    ("SELECT STRING_AGG(k, '' ORDER BY w) FROM UNNEST([STRUCT('p' AS k, 4 AS w), ('q', 1), (NULL, 9)])", "qp", S),
    ("SELECT ARRAY_LENGTH([STRUCT(1 AS n, 'a' AS t), (2, 'b')])", 2, INT),
    (
        "SELECT APPROX_TOP_SUM(k, w, 1)[OFFSET(0)].sum FROM UNNEST([STRUCT('p' AS k, 4 AS w), ('q', 5), ('p', 6)])",
        10,
        INT,
    ),
]

STRINGS = [
    ("INSTR(CAST(NULL AS STRING), 'a', 1, 1)", None, INT),
    ("INSTR('banana', CAST(NULL AS STRING), 2)", None, INT),
    ("INSTR('banana', 'an', 1, 2)", 4, INT),
    ("UNICODE('')", 0, INT),
    ("UNICODE('âbcd')", 226, INT),
    ("SOUNDEX('apple')", "a140", S),
    ("SOUNDEX('  H3##!@llo w00orld!')", "H464", S),
    ("SOUNDEX('Ashcraft')", "A261", S),
    ("CONCAT(1)", "1", S),
    ("CONCAT('Summer', ' ', 1923)", "Summer 1923", S),
    ("SPLIT('a b', CAST(NULL AS STRING))", [], S),
    ("SELECT INITCAP(v, d) FROM (SELECT 'hello WORLD!' AS v, '' AS d)", "Hello world!", S),
    ("BYTE_LENGTH(NULL)", None, INT),
    ("LENGTH(CAST('абвгд' AS BYTES))", 10, INT),
    ("CAST('é' AS BYTES)", b"\xc3\xa9", BY),
]

AGGREGATES = [
    (
        "SELECT APPROX_TOP_COUNT(x, 2) FROM UNNEST([NULL, 'pear', 'pear', 'pear', 'apple', NULL]) AS x",
        [{"value": "pear", "count": 3}, {"value": None, "count": 2}],
        None,
    ),
]

DATES = [
    (
        "TIMESTAMP_TRUNC('2015-06-15 00:00:00+00', ISOYEAR)",
        dt.datetime(2014, 12, 29, tzinfo=UTC),
        "TIMESTAMP",
    ),
    ("DATE_TRUNC('2008-12-25', MONTH)", dt.date(2008, 12, 1), "DATE"),
    ("PARSE_TIME('%R', '14:23')", dt.time(14, 23), "TIME"),
    ("PARSE_TIME('%I:%M:%S %p', '2:23:38 pm')", dt.time(14, 23, 38), "TIME"),
    ("PARSE_TIMESTAMP('%Y-%m-%d %l%p', '2020-05-01  3PM')", dt.datetime(2020, 5, 1, 15, tzinfo=UTC), "TIMESTAMP"),
    ("CAST(CAST('1-2 3 18:1:55' AS INTERVAL) AS STRING)", "1-2 3 18:1:55", S),
    ("DATE '2020-09-22' + CAST('0-1 2 3:0:0' AS INTERVAL)", dt.datetime(2020, 10, 24, 3), "DATETIME"),
]

FAMILIES = {
    "format_bytes": FORMAT_BYTES,
    "json": JSONS,
    "struct_tuples": STRUCT_TUPLES,
    "string": STRINGS,
    "aggregate": AGGREGATES,
    "date": DATES,
}


ROWS = [
    pytest.param(as_query(q), want, typ, id=f"{name}-{i}")
    for name, rows in FAMILIES.items()
    for i, (q, want, typ) in enumerate(rows)
]


def _same(got, want) -> bool:
    if want == [] and got is None:
        return True  # a NULL array: BigQuery's API hands it back as []
    return type(got) is type(want) and got == want if isinstance(want, bool) else got == want


@pytest.mark.parametrize("sql, want, typ", ROWS)
def test_local_warehouse(warehouse, sql, want, typ):
    got, kind = single_value(warehouse, sql)
    assert _same(got, want), got
    assert same_type(kind, typ), kind


@pytest.mark.parametrize("family", list(FAMILIES))
def test_bigquery_client(bigquery_client, family):
    """Each family's FROM-less rows as the columns of one query; a row with a FROM on its own."""
    for sql, cases in client_queries(FAMILIES[family]):
        result = bigquery_client.query_and_wait(sql)
        values = list(next(iter(result)).values())
        for (q, want, typ), got, field in zip(cases, values, result.schema, strict=True):
            if field.field_type == "JSON":
                want = json.loads(want)  # the client reads the JSON value
            assert _same(got, want), (q, got)
            assert same_type(field.field_type, typ), (q, field.field_type)


def test_bytes_cast_of_parameters_local_warehouse(warehouse):
    """A STRING parameter cast to BYTES is its UTF-8; a positional one is not duplicated."""
    named = warehouse.query_result("SELECT CAST(@p AS BYTES)", {"p": "é"}).table.to_pylist()
    positional = warehouse.query_result("SELECT CAST(? AS BYTES), ?", ["e", 2]).table.to_pylist()
    assert list(named[0].values()) == [b"\xc3\xa9"]
    assert list(positional[0].values()) == [b"e", 2]


def test_bytes_cast_of_parameter_bigquery_client(bigquery_client):
    from google.cloud import bigquery

    config = bigquery.QueryJobConfig(query_parameters=[bigquery.ScalarQueryParameter("p", "STRING", "ü")])
    rows = list(bigquery_client.query_and_wait("SELECT CAST(@p AS BYTES) AS b", job_config=config))
    assert rows[0]["b"] == b"\xc3\xbc"
