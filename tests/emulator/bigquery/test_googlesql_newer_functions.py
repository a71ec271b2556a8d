"""GoogleSQL functions that were engine errors, refusals or other answers: the JSON mutators
(JSON_SET, JSON_REMOVE, JSON_STRIP_NULLS, JSON_ARRAY_APPEND, JSON_ARRAY_INSERT), DATE_BUCKET,
DATETIME_BUCKET and TIMESTAMP_BUCKET, TO_JSON_STRING's pretty_print, FORMAT's %s of a value that
is not a STRING (BigQuery's error), LOG10 as C's log10, and COLLATE (refused by name). Each row is
a documented example with the value Google's reference gives, run on the local warehouse and
through the real BigQuery client against the emulator.
"""

from __future__ import annotations

import datetime

import pytest
from googlesql_cases import (
    as_query,
    assert_fails_locally,
    assert_fails_through_client,
    client_queries,
    same_type,
    single_value,
)

J, S, F, D, DT, TS = "JSON", "STRING", "FLOAT64", "DATE", "DATETIME", "TIMESTAMP"

# the JSON functions reference's examples; the JSON value as the local warehouse prints it
JSON_SET = [
    ("""JSON_SET(JSON '{"a": 1}', '$', JSON '{"b": 2, "c": 3}')""", '{"b":2,"c":3}', J),
    ("""JSON_SET(JSON '{"a": 1}', "$.b", 999, create_if_missing => false)""", '{"a":1}', J),
    ("""JSON_SET(JSON '{"a": 1}', "$.a", 999, create_if_missing => false)""", '{"a":999}', J),
    ("""JSON_SET(JSON '{"a": {}}', '$.a.b', 100)""", '{"a":{"b":100}}', J),
    ("""JSON_SET(JSON 'null', '$.a.b', 100)""", '{"a":{"b":100}}', J),
    ("""JSON_SET(JSON '{"a": 1}', '$.b', 2, '$.a.c', 100, '$.d', 3)""", '{"a":1,"b":2,"d":3}', J),
    ("""JSON_SET(JSON '{"a": 1}', '$.a[2]', 100, '$.b', 2)""", '{"a":1,"b":2}', J),
    ("""JSON_SET(JSON '["a", ["b", "c"], "d"]', '$[1]', "foo")""", '["a","foo","d"]', J),
    ("""JSON_SET(JSON '["a", ["b", "c"], "d"]', '$[1][0]', "foo")""", '["a",["foo","c"],"d"]', J),
    ("""JSON_SET(JSON 'null', '$[0][3]', "foo")""", '[[null,null,null,"foo"]]', J),
    ("""JSON_SET(JSON '["a", ["b", "c"], "d"]', '$[1][4]', "foo")""", '["a",["b","c",null,null,"foo"],"d"]', J),
    ("""JSON_SET(JSON '["a", ["b", "c"], "d"]', '$[1][0][0]', "foo")""", '["a",["b","c"],"d"]', J),
    ("""JSON_SET(JSON '["a", ["b", "c"], "d"]', '$[1][2][1]', "foo")""", '["a",["b","c",[null,"foo"]],"d"]', J),
    ("""JSON_SET(JSON '{}', '$.b[2].d', 100)""", '{"b":[null,null,{"d":100}]}', J),
    (
        """JSON_SET(JSON '{"a": 1, "b": {"c":3}, "d": [4]}', '$.a', 'v1', '$.b.e', 'v2', '$.d[2]', 'v3')""",
        '{"a":"v1","b":{"c":3,"e":"v2"},"d":[4,null,"v3"]}',
        J,
    ),
    # values converted as TO_JSON converts them; SQL NULLs: a NULL path or create_if_missing is
    # ignored, a NULL value is JSON null, a NULL document is NULL
    (
        """JSON_SET(JSON '{}', '$.s', STRUCT(1.5 AS x, DATE '2020-01-01' AS d, b'abc' AS b))""",
        '{"s":{"b":"YWJj","d":"2020-01-01","x":1.5}}',
        J,
    ),
    ("""JSON_SET(JSON '{}', '$.n', NUMERIC '1.5', '$.i', 9007199254740993)""", '{"i":9007199254740993,"n":1.5}', J),
    ("""JSON_SET(JSON '{"a": 1}', NULL, 2)""", '{"a":1}', J),
    ("""JSON_SET(JSON '{"a": 1}', '$.a', 2, create_if_missing => CAST(NULL AS BOOL))""", '{"a":1}', J),
    ("""JSON_SET(JSON '{"a": 1}', '$.a', NULL)""", '{"a":null}', J),
    ("JSON_SET(CAST(NULL AS JSON), '$.a', 1)", None, J),
]

JSON_REMOVE = [
    ("""JSON_REMOVE(JSON '["a", ["b", "c"], "d"]', '$[1]')""", '["a","d"]', J),
    (
        """WITH T AS (SELECT JSON '{"a": {"b": 10, "c": 20}}' AS data) SELECT JSON_REMOVE(data.a, '$.b') FROM T""",
        '{"c":20}',
        J,
    ),
    ("""JSON_REMOVE(JSON '["a", ["b", "c"], "d"]', '$[1]', '$[1]')""", '["a"]', J),
    ("""JSON_REMOVE(JSON '["a", ["b", "c"], "d"]', '$[1]', '$[1]', '$[0]')""", "[]", J),
    ("""JSON_REMOVE(JSON '{"a": {"b": {"c": "d"}}}', '$.a.b.c')""", '{"a":{"b":{}}}', J),
    ("""JSON_REMOVE(JSON '{"a": {"b": {"c": "d"}}}', '$.a.b')""", '{"a":{}}', J),
    ("""JSON_REMOVE(JSON '{"a": 1}', '$.b')""", '{"a":1}', J),
    ("""JSON_REMOVE(JSON '{"a": [1, 2, 3]}', '$.a[0]', '$.a.b', '$.b', '$.a[0]')""", '{"a":[3]}', J),
    ("JSON_REMOVE(JSON 'null', '$.a.b')", "null", J),
]

JSON_STRIP_NULLS = [
    ("""JSON_STRIP_NULLS(JSON '{"a": null, "b": "c"}')""", '{"b":"c"}', J),
    ("JSON_STRIP_NULLS(JSON '[1, null, 2, null]')", "[1,2]", J),
    ("JSON_STRIP_NULLS(JSON '[1, null, 2, null]', include_arrays=>FALSE)", "[1,null,2,null]", J),
    ("JSON_STRIP_NULLS(JSON '[1, null, 2, null, [null]]')", "[1,2,[]]", J),
    ("JSON_STRIP_NULLS(JSON '[1, null, 2, null, [null]]', remove_empty=>TRUE)", "[1,2]", J),
    ("""JSON_STRIP_NULLS(JSON '{"a": null}', remove_empty=>TRUE)""", "null", J),
    ("""JSON_STRIP_NULLS(JSON '{"a": [null]}', remove_empty=>TRUE)""", "null", J),
    (
        """JSON_STRIP_NULLS(JSON '{"a": {"b": {"c": null}}, "d": [null], "e": [], "f": 1}', include_arrays=>FALSE, remove_empty=>TRUE)""",
        '{"d":[null],"e":[],"f":1}',
        J,
    ),
    (
        """JSON_STRIP_NULLS(JSON '{"a": {"b": {"c": null}}, "d": [null], "e": [], "f": 1}', remove_empty=>TRUE)""",
        '{"f":1}',
        J,
    ),
    ("JSON_STRIP_NULLS(JSON 'null')", "null", J),
    # a path strips only its subtree; a NULL path or flag answers the document as it is
    ("""JSON_STRIP_NULLS(JSON '{"a": {"b": null}, "c": null}', '$.a')""", '{"a":{},"c":null}', J),
    ("""JSON_STRIP_NULLS(JSON '{"a": null}', remove_empty => CAST(NULL AS BOOL))""", '{"a":null}', J),
]

JSON_ARRAY_APPEND = [
    ("""JSON_ARRAY_APPEND(JSON '["a", "b", "c"]', '$', 1)""", '["a","b","c",1]', J),
    ("""JSON_ARRAY_APPEND(JSON '["a", "b", "c"]', '$', [1, 2])""", '["a","b","c",1,2]', J),
    (
        """JSON_ARRAY_APPEND(JSON '["a", "b", "c"]', '$', [1, 2], append_each_element=>FALSE)""",
        '["a","b","c",[1,2]]',
        J,
    ),
    (
        """JSON_ARRAY_APPEND(JSON '["a", ["b"], "c"]', '$[1]', [1, 2], '$[1][1]', [3, 4], append_each_element=>FALSE)""",
        '["a",["b",[1,2,[3,4]]],"c"]',
        J,
    ),
    ("""JSON_ARRAY_APPEND(JSON '["a", ["b"], "c"]', '$[1]', [1, 2], '$[1][1]', [3, 4])""", '["a",["b",1,2],"c"]', J),
    ("""JSON_ARRAY_APPEND(JSON '{"a": [1]}', '$.a', 2)""", '{"a":[1,2]}', J),
    ("""JSON_ARRAY_APPEND(JSON '{"a": null}', '$.a', 10)""", '{"a":[10]}', J),
    ("""JSON_ARRAY_APPEND(JSON '{"a": 1}', '$.a', 2)""", '{"a":1}', J),
    ("""JSON_ARRAY_APPEND(JSON '{"a": 1}', '$.b', 2)""", '{"a":1}', J),
    # a JSON array is one value; a NULL ARRAY adds nothing
    ("""JSON_ARRAY_APPEND(JSON '[1]', '$', JSON '[2, 3]')""", "[1,[2,3]]", J),
    ("JSON_ARRAY_APPEND(JSON '[1]', '$', CAST(NULL AS ARRAY<INT64>))", "[1]", J),
]

JSON_ARRAY_INSERT = [
    ("""JSON_ARRAY_INSERT(JSON '["a", ["b", "c"], "d"]', '$[1]', 1)""", '["a",1,["b","c"],"d"]', J),
    ("""JSON_ARRAY_INSERT(JSON '["a", ["b", "c"], "d"]', '$[1][0]', 1)""", '["a",[1,"b","c"],"d"]', J),
    ("""JSON_ARRAY_INSERT(JSON '["a", "b", "c"]', '$[1]', [1, 2])""", '["a",1,2,"b","c"]', J),
    (
        """JSON_ARRAY_INSERT(JSON '["a", "b", "c"]', '$[1]', [1, 2], insert_each_element=>FALSE)""",
        '["a",[1,2],"b","c"]',
        J,
    ),
    ("""JSON_ARRAY_INSERT(JSON '["a", "b", "c", "d"]', '$[7]', "e")""", '["a","b","c","d",null,null,null,"e"]', J),
    ("""JSON_ARRAY_INSERT(JSON '{"a": {}}', '$.a[0]', 2)""", '{"a":{}}', J),
    ("JSON_ARRAY_INSERT(JSON '[1, 2]', '$', 3)", "[1,2]", J),
    ("""JSON_ARRAY_INSERT(JSON '{"a": null}', '$.a[2]', 10)""", '{"a":[null,null,10]}', J),
    ("JSON_ARRAY_INSERT(JSON '1', '$[0]', 'r1')", "1", J),
]

_DATES = "SELECT DATE '{}' AS d UNION ALL SELECT DATE '{}'"
_DATETIMES = "SELECT DATETIME '{}' AS d UNION ALL SELECT DATETIME '{}'"


def _dt(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text)


# the time series reference's examples (two rows of each, one each side of a bucket's bound)
BUCKETS = [
    ("DATE_BUCKET(DATE '1949-12-29', INTERVAL 2 DAY)", datetime.date(1949, 12, 28), D),
    ("DATE_BUCKET(DATE '1949-12-31', INTERVAL 2 DAY)", datetime.date(1949, 12, 30), D),
    ("DATE_BUCKET(DATE '1950-01-02', INTERVAL 2 DAY)", datetime.date(1950, 1, 1), D),
    ("DATE_BUCKET(DATE '1950-01-03', INTERVAL 2 DAY)", datetime.date(1950, 1, 3), D),
    ("DATE_BUCKET(DATE '2000-12-23', INTERVAL 7 DAY, DATE '2000-12-24')", datetime.date(2000, 12, 17), D),
    ("DATE_BUCKET(DATE '2000-12-25', INTERVAL 7 DAY, DATE '2000-12-24')", datetime.date(2000, 12, 24), D),
    ("DATE_BUCKET(DATE '2020-05-31', INTERVAL 1 YEAR)", datetime.date(2020, 1, 1), D),
    ("DATE_BUCKET(DATE '1949-12-31', INTERVAL 2 MONTH)", datetime.date(1949, 11, 1), D),
    ("DATE_BUCKET(DATE '2020-08-15', INTERVAL 1 QUARTER)", datetime.date(2020, 7, 1), D),
    ("DATETIME_BUCKET(DATETIME '1949-12-30 13:00:00', INTERVAL 12 HOUR)", _dt("1949-12-30 12:00:00"), DT),
    ("DATETIME_BUCKET(DATETIME '1950-01-01 13:00:00', INTERVAL 12 HOUR)", _dt("1950-01-01 12:00:00"), DT),
    (
        "DATETIME_BUCKET(DATETIME '2000-12-20 00:00:00', INTERVAL 7 DAY, DATETIME '2000-12-22 12:00:00')",
        _dt("2000-12-15 12:00:00"),
        DT,
    ),
    (
        "DATETIME_BUCKET(DATETIME '2000-12-23 00:00:00', INTERVAL 7 DAY, DATETIME '2000-12-22 12:00:00')",
        _dt("2000-12-22 12:00:00"),
        DT,
    ),
    ("DATETIME_BUCKET(DATETIME '2020-03-15 10:00:00', INTERVAL 2 MONTH)", _dt("2020-03-01 00:00:00"), DT),
    ("TIMESTAMP_BUCKET(TIMESTAMP '1949-12-31 00:00:00+00', INTERVAL 12 HOUR)", _dt("1949-12-31 00:00:00+00:00"), TS),
    (
        "TIMESTAMP_BUCKET(TIMESTAMP '2000-12-20 00:00:00', INTERVAL 7 DAY, TIMESTAMP '2000-12-22 12:00:00.00')",
        _dt("2000-12-15 12:00:00+00:00"),
        TS,
    ),
    (
        "TIMESTAMP_BUCKET(TIMESTAMP '2020-01-01 13:17:00.123456', INTERVAL 100 MILLISECOND)",
        _dt("2020-01-01 13:17:00.100000+00:00"),
        TS,
    ),
    ("DATE_BUCKET(CAST(NULL AS DATE), INTERVAL 1 DAY)", None, D),
    (
        f"SELECT DATE_BUCKET(d, INTERVAL 2 DAY) FROM ({_DATES.format('1949-12-29', '1950-01-03')}) WHERE d < '1950-01-01'",
        datetime.date(1949, 12, 28),
        D,
    ),
    (
        f"SELECT DATETIME_BUCKET(d, INTERVAL 12 HOUR) FROM ({_DATETIMES.format('1949-12-31 13:00:00', '2000-01-01 00:00:00')}) WHERE d < '2000-01-01'",
        _dt("1949-12-31 12:00:00"),
        DT,
    ),
]

PRETTY = '{\n  "id": 1,\n  "coordinates": [\n    10,\n    20\n  ]\n}'
OTHERS = [
    ("TO_JSON_STRING(STRUCT(1 AS id, [10,20] AS coordinates), true)", PRETTY, S),
    ("TO_JSON_STRING(STRUCT(1 AS id, [10,20] AS coordinates), pretty_print => TRUE)", PRETTY, S),
    ("TO_JSON_STRING(STRUCT(1 AS id, [10,20] AS coordinates), false)", '{"id":1,"coordinates":[10,20]}', S),
    ("TO_JSON_STRING(STRUCT([] AS e, 'a,b:c' AS s), true)", '{\n  "e": [],\n  "s": "a,b:c"\n}', S),
    # C's log10 (ZetaSQL's Log10); LOG(x, base) divides natural logarithms in ZetaSQL too
    ("LOG10(1000)", 3.0, F),
    ("LOG10(1e-5)", -5.0, F),
    ("LOG(1000, 10)", 2.9999999999999996, F),
    ("LOG(8, 2)", 3.0, F),
    ("FORMAT('%s', 'abc')", "abc", S),
    ("FORMAT('%s|%5s', 'a', CONCAT('b', 'c'))", "a|   bc", S),
    ("SELECT FORMAT('%s', x) FROM UNNEST(['ok']) AS x", "ok", S),
]

FAMILIES = {
    "json_set": JSON_SET,
    "json_remove": JSON_REMOVE,
    "json_strip_nulls": JSON_STRIP_NULLS,
    "json_array_append": JSON_ARRAY_APPEND,
    "json_array_insert": JSON_ARRAY_INSERT,
    "buckets": BUCKETS,
    "others": OTHERS,
}
ROWS = [
    pytest.param(q, want, typ, id=f"{name}-{i}")
    for name, rows in FAMILIES.items()
    for i, (q, want, typ) in enumerate(rows)
]

# BigQuery's documented errors, and the named refusals
ERRORS = [
    ("SELECT JSON_REMOVE(JSON '{}', '$')", "The JSONPath cannot be '$'"),
    ("SELECT JSON_SET(JSON '{}', 'a', 1)", "JSONPath must start with '$'"),
    ("SELECT JSON_SET(JSON '{}', '$[-1]', 1)", "Invalid token in JSONPath at: [-1]"),
    ("SELECT JSON_ARRAY_INSERT(JSON '[]', '$[1000000]', 1)", "Exceeded maximum array size of 1000000"),
    ("SELECT JSON_SET('{}', '$.a', 1)", "No matching signature for function JSON_SET"),
    (
        "SELECT DATE_BUCKET(DATE '2020-01-01', INTERVAL 1 HOUR)",
        "Only MONTH and DAY parts are allowed in bucket width INTERVAL",
    ),
    (
        "SELECT DATE_BUCKET(DATE '2020-01-01', INTERVAL 0 DAY)",
        "Exactly one non-zero INTERVAL part in bucket width is required",
    ),
    ("SELECT DATE_BUCKET(DATE '2020-01-01', INTERVAL -1 DAY)", "Negative bucket width INTERVAL is not allowed"),
    (
        "SELECT TIMESTAMP_BUCKET(TIMESTAMP '2020-01-01', INTERVAL 1 MONTH)",
        "Bucket width INTERVAL with non-zero MONTH part is not allowed",
    ),
    ("SELECT TIMESTAMP_BUCKET(TIMESTAMP '2020-01-01', INTERVAL 0 HOUR)", "Zero bucket width INTERVAL is not allowed"),
    (
        "SELECT DATE_BUCKET(DATE '2020-01-01', INTERVAL 1 MONTH, DATE '2020-01-15')",
        "is not supported by the local warehouse",
    ),
    ("SELECT FORMAT('%s', DATE '2020-01-01')", "Invalid type for argument 2 to FORMAT; Expected STRING; Got DATE"),
    (
        "SELECT FORMAT('%d %s', 1, STRUCT(1 AS a))",
        "Invalid type for argument 3 to FORMAT; Expected STRING; Got STRUCT<a INT64>",
    ),
    ("SELECT FORMAT('%s', 1)", "Invalid type for argument 2 to FORMAT; Expected STRING; Got INT64"),
    (
        "SELECT FORMAT('%s', x) FROM UNNEST([DATE '2020-01-01']) AS x",
        "Invalid type for argument 2 to FORMAT; Expected STRING; Got DATE",
    ),
    ("SELECT LOG10(0)", "Floating point error in function: LOG10(0)"),
    ("SELECT COLLATE('a', 'und:ci')", "is not supported by the local warehouse"),
    # not BigQuery functions (its conditional expressions are CASE, COALESCE, IF, IFNULL, NULLIF)
    ("SELECT ZEROIFNULL(NULL)", "Function not found: ZEROIFNULL"),
    ("SELECT NULLIFZERO(0)", "Function not found: NULLIFZERO"),
]


def _as_client_value(want, typ):
    """The client reads JSON as parsed Python values."""
    import json

    return json.loads(want) if typ == J and want is not None else want


@pytest.mark.parametrize("sql, want, typ", ROWS)
def test_local_warehouse(warehouse, sql, want, typ):
    got, kind = single_value(warehouse, as_query(sql))
    assert got == want, got
    assert same_type(kind, typ), kind


@pytest.mark.parametrize("sql, message", ERRORS)
def test_documented_errors(warehouse, sql, message):
    assert_fails_locally(warehouse, sql, message)


@pytest.mark.parametrize("family", list(FAMILIES))
def test_bigquery_client(bigquery_client, family):
    for sql, rows in client_queries(FAMILIES[family]):
        result = bigquery_client.query_and_wait(sql)
        values = list(next(iter(result)).values())
        for (q, want, typ), got, field in zip(rows, values, result.schema, strict=True):
            assert got == _as_client_value(want, typ), (q, got)
            assert same_type(field.field_type, typ), (q, field.field_type)


@pytest.mark.parametrize("sql, message", [ERRORS[0], ERRORS[5], ERRORS[11], ERRORS[16]])
def test_bigquery_client_errors(bigquery_client, sql, message):
    assert_fails_through_client(bigquery_client, sql, message)
