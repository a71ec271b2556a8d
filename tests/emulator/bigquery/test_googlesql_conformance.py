"""GoogleSQL conformance: each family's documented results, through the local warehouse
(`llmops sql`'s path) and through the real BigQuery client against the emulator.

Expected values are the documented results of Google's GoogleSQL reference (function pages
and the format-elements page); the issue's "silently wrong" table is the first family.
"""

from __future__ import annotations

import datetime
import math

import pytest

from llmops.backends.local.warehouse import DuckDBWarehouse
from llmops.core.config import Settings
from llmops.core.errors import QueryError

# (SQL, expected row as a tuple, expected BigQuery types)
SILENTLY_WRONG = [
    ("SELECT CAST(2.5 AS INT64), CAST(-2.5 AS INT64), CAST(0.5 AS INT64)", (3, -3, 1), ["INTEGER"] * 3),
    ("SELECT CAST(NUMERIC '2.5' AS INT64), CAST(' 0x1A' AS INT64), CAST(TRUE AS INT64)", (3, 26, 1), ["INTEGER"] * 3),
    ("SELECT SAFE_CAST('2.5' AS INT64), SAFE_CAST('7' AS INT64), SAFE_CAST(1e30 AS INT64)", (None, 7, None), None),
    ("SELECT CAST(CAST(1 AS INTEGER) * 3000000000 AS STRING)", ("3000000000",), ["STRING"]),
    ("SELECT SAFE_DIVIDE(1, 0), IEEE_DIVIDE(20.0, 0.0), 7 / 2, DIV(-7, 2)", (None, math.inf, 3.5, -3), None),
    ("SELECT [10, 20][SAFE_OFFSET(5)], [10, 20][OFFSET(1)], [10, 20][ORDINAL(1)]", (None, 20, 10), None),
    (
        "SELECT ARRAY_AGG(o ORDER BY o) FROM UNNEST(['a', 'b', 'c']) AS x WITH OFFSET AS o",
        ([0, 1, 2],),
        None,
    ),
    (
        "SELECT JSON_TYPE(JSON '1'), JSON_TYPE(JSON '\"str\"'), JSON_TYPE(JSON 'true'), JSON_TYPE(JSON 'null'), "
        "JSON_TYPE(JSON '[1, 2]'), JSON_TYPE(JSON '{\"a\": 1}'), JSON_TYPE(JSON '1.5')",
        ("number", "string", "boolean", "null", "array", "object", "number"),
        ["STRING"] * 7,
    ),
    (
        "SELECT TO_JSON_STRING(TIMESTAMP '2024-03-04 05:06:07'), "
        "TO_JSON_STRING(STRUCT(DATETIME '2017-01-01 12:00:00' AS d))",
        ('"2024-03-04T05:06:07Z"', '{"d":"2017-01-01T12:00:00"}'),
        ["STRING", "STRING"],
    ),
    ("SELECT COUNTIF(x < 0) FROM UNNEST([CAST(NULL AS INT64)]) AS x", (0,), ["INTEGER"]),
    ("SELECT CAST(1.0 AS STRING), CAST(1.5 AS STRING), CAST(-3 AS STRING)", ("1", "1.5", "-3"), None),
]

FORMAT_ELEMENTS = [
    ('SELECT FORMAT_DATE("%x", DATE "2008-12-25")', ("12/25/08",), ["STRING"]),
    ('SELECT FORMAT_DATE("%b-%d-%Y", DATE "2008-12-25")', ("Dec-25-2008",), None),
    ('SELECT FORMAT_DATETIME("%c", DATETIME "2008-12-25 15:30:00")', ("Thu Dec 25 15:30:00 2008",), None),
    ('SELECT FORMAT_TIME("%R", TIME "15:30:00")', ("15:30",), None),
    ('SELECT FORMAT_TIMESTAMP("%c", TIMESTAMP "2050-12-25 15:30:55+00", "UTC")', ("Sun Dec 25 15:30:55 2050",), None),
    (
        'SELECT FORMAT_TIMESTAMP("%Y-%m-%dT%H:%M:%SZ", TIMESTAMP "2050-12-25 15:30:55", "UTC")',
        ("2050-12-25T15:30:55Z",),
        None,
    ),
    (
        "SELECT FORMAT_TIMESTAMP('%E3S|%E6S|%E*S|%E4Y|%Ez|%k|%l|%e', TIMESTAMP '2008-12-05 09:30:05.12+00')",
        ("05.120|05.120000|05.12|2008|+00:00| 9| 9| 5",),
        None,
    ),
    (
        "SELECT FORMAT_TIMESTAMP('%H:%M %Ez', TIMESTAMP '2008-12-25 15:30:00+00', 'America/Los_Angeles')",
        ("07:30 -08:00",),
        None,
    ),
    (
        "SELECT PARSE_TIMESTAMP('%Y-%m-%d %H:%M:%E*S', '2008-12-25 15:30:00.5') = TIMESTAMP '2008-12-25 15:30:00.5+00'",
        (True,),
        None,
    ),
    ("SELECT FORMAT('%t|%T|%T', 1.0, 'abc', 2)", ('1|"abc"|2',), None),
    ("SELECT FORMAT(\"%'d\", 123456789), FORMAT('%5.2f', 3.14159)", ("123,456,789", " 3.14"), None),
]

STRINGS = [
    (
        "SELECT NORMALIZE('\\u00e9') = NORMALIZE('e\\u0301'), NORMALIZE_AND_CASEFOLD('The Red Barn'), "
        "NORMALIZE('abc', NFKC)",
        (True, "the red barn", "abc"),
        ["BOOLEAN", "STRING", "STRING"],
    ),
    (
        "SELECT TO_CODE_POINTS('foo'), TO_CODE_POINTS(b'\\x66\\x6f\\xff'), TO_CODE_POINTS('')",
        ([102, 111, 111], [102, 111, 255], []),
        None,
    ),
    (
        "SELECT CODE_POINTS_TO_STRING([65, 255, 513, 1024]), CODE_POINTS_TO_BYTES([65, 98, 67, 100]), "
        "CODE_POINTS_TO_STRING([65, NULL])",
        ("A\u00ff\u0201\u0400", b"AbCd", None),
        ["STRING", "BYTES", "STRING"],
    ),
    (
        "SELECT SOUNDEX('Ashcraft'), SOUNDEX('Robert'), SOUNDEX('Tymczak'), SOUNDEX('')",
        ("A261", "R163", "T522", ""),
        None,
    ),
    ("SELECT INITCAP('Hello World-everyone!')", ("Hello World-Everyone!",), ["STRING"]),
    (
        "SELECT INSTR('banana', 'an'), INSTR('banana', 'an', 3), INSTR('banana', 'an', 1, 2), "
        "INSTR('banana', 'ann', 1, 1), INSTR('banana', 'an', -1, 1), INSTR('banana', 'ana', 1, 2)",
        (2, 4, 4, 0, 4, 4),
        ["INTEGER"] * 6,
    ),
    (
        "SELECT LEFT(b'apple', 3), RIGHT(b'apple', 3), LPAD(b'abc', 5, b'xy'), RPAD(b'abc', 5), REVERSE(b'abc'), "
        "LENGTH(b'abc'), LPAD(b'abcdef', 3)",
        (b"app", b"ple", b"xyabc", b"abc  ", b"cba", 3, b"abc"),
        ["BYTES"] * 5 + ["INTEGER", "BYTES"],
    ),
    ("SELECT t, len FROM UNNEST([STRUCT('abc' AS t, 5 AS len)])", ("abc", 5), ["STRING", "INTEGER"]),
]

DATES = [
    (
        "SELECT EXTRACT(ISOWEEK FROM DATE '2015-12-31'), EXTRACT(ISOYEAR FROM DATE '2017-01-01'), "
        "EXTRACT(DAYOFYEAR FROM DATE '2015-12-31'), EXTRACT(QUARTER FROM DATE '2015-12-31'), EXTRACT(WEEK FROM DATE '2017-01-01')",
        (53, 2016, 365, 4, 1),
        ["INTEGER"] * 5,
    ),
    (
        "SELECT TIME_TRUNC(TIME '15:30:00', HOUR), FORMAT_TIME('%R', TIME '15:30:00')",
        (datetime.time(15), "15:30"),
        ["TIME", "STRING"],
    ),
    (
        "SELECT CURRENT_DATETIME('America/Los_Angeles') < CURRENT_DATETIME('Asia/Tokyo'), "
        "DATE(TIMESTAMP '2008-12-25 05:30:00+00', 'America/Los_Angeles'), "
        "DATETIME(TIMESTAMP '2008-12-25 05:30:00+00', 'America/Los_Angeles')",
        (True, datetime.date(2008, 12, 24), datetime.datetime(2008, 12, 24, 21, 30)),
        ["BOOLEAN", "DATE", "DATETIME"],
    ),
    (
        "SELECT TIMESTAMP_MILLIS(1230219000000), TIMESTAMP_MICROS(1230219000000000), TIMESTAMP_SECONDS(1230219000)",
        (datetime.datetime(2008, 12, 25, 15, 30, tzinfo=datetime.UTC),) * 3,
        ["TIMESTAMP"] * 3,
    ),
    (
        "SELECT DATE_TRUNC(TIMESTAMP '2008-12-25 15:30:00+00', DAY), DATE_TRUNC(DATE '2008-12-25', MONTH), "
        "DATE_TRUNC(DATETIME '2008-12-25 15:30:00', DAY), CAST(DATE_TRUNC(DATE '2008-12-25', MONTH) AS STRING)",
        (
            datetime.datetime(2008, 12, 25, tzinfo=datetime.UTC),
            datetime.date(2008, 12, 1),
            datetime.datetime(2008, 12, 25),
            "2008-12-01",
        ),
        ["TIMESTAMP", "DATE", "DATETIME", "STRING"],
    ),
]

JSONS = [
    (
        "SELECT LAX_BOOL(JSON '\"true\"'), LAX_BOOL(JSON '10'), LAX_BOOL(JSON '0.0'), LAX_BOOL(JSON '\"foo\"')",
        (True, True, False, None),
        ["BOOLEAN"] * 4,
    ),
    (
        "SELECT LAX_INT64(JSON '\"10\"'), LAX_INT64(JSON '10.6'), LAX_INT64(JSON 'true'), LAX_INT64(JSON '\"1.1e2\"'), "
        "LAX_INT64(JSON '\"foo\"'), LAX_INT64(JSON '1e100')",
        (10, 11, 1, 110, None, None),
        ["INTEGER"] * 6,
    ),
    (
        "SELECT LAX_FLOAT64(JSON '\"1.5\"'), LAX_FLOAT64(JSON '9'), LAX_FLOAT64(JSON 'true'), LAX_STRING(JSON '1'), "
        "LAX_STRING(JSON '\"purple\"'), LAX_STRING(JSON 'true'), LAX_STRING(JSON '123.4')",
        (1.5, 9.0, None, "1", "purple", "true", "123.4"),
        ["FLOAT"] * 3 + ["STRING"] * 4,
    ),
    (
        "SELECT BOOL(JSON 'true'), INT64(JSON '2005'), FLOAT64(JSON '9.8'), STRING(JSON '\"purple\"'), "
        "FLOAT64(JSON '18446744073709551615', wide_number_mode=>'round')",
        (True, 2005, 9.8, "purple", 1.8446744073709552e19),
        ["BOOLEAN", "INTEGER", "FLOAT", "STRING", "FLOAT"],
    ),
    (
        "SELECT JSON_EXTRACT('{\"a\": {\"b\": 1}}', '$.a'), JSON_QUERY('{\"a\": \"x\"}', '$.a'), "
        "JSON_QUERY_ARRAY('[1, \"a\"]')",
        ('{"b":1}', '"x"', ["1", '"a"']),
        ["STRING", "STRING", "STRING"],
    ),
]

AGGREGATES = [
    (
        "SELECT REGEXP_INSTR('ab@cd-ef', '@[^-]*'), REGEXP_INSTR('a@cd-ef b@cd-ef', '@[^-]*', 1, 2), "
        "REGEXP_INSTR('a@cd-ef', '@[^-]*', 1, 1, 1), REGEXP_INSTR('abc-ef', '@[^-]*')",
        (3, 10, 5, 0),
        ["INTEGER"] * 4,
    ),
    ("SELECT CHR(0) = CODE_POINTS_TO_STRING([0]), LENGTH(CHR(0)), CHR(65)", (True, 1, "A"), None),
    ("SELECT STRING_AGG(x, ',' LIMIT 2) FROM UNNEST(['a', 'b', 'c']) AS x", ("a,b",), ["STRING"]),
    ("SELECT ARRAY_AGG(x IGNORE NULLS ORDER BY x DESC LIMIT 2) FROM UNNEST([1, NULL, 3, 2]) AS x", ([3, 2],), None),
    ("SELECT ARRAY_AGG(x RESPECT NULLS ORDER BY x LIMIT 2) FROM UNNEST([2, 1, 3]) AS x", ([1, 2],), None),
    ("SELECT APPROX_QUANTILES(x, 2) FROM UNNEST([1, 1, 1, 4, 5, 6, 7, 8, 9, 10]) AS x", ([1, 5, 10],), None),
    (
        "SELECT APPROX_TOP_COUNT(x, 2) FROM UNNEST(['apple', 'apple', 'pear', 'pear', 'pear', 'banana']) AS x",
        ([{"value": "pear", "count": 3}, {"value": "apple", "count": 2}],),
        ["RECORD"],
    ),
    (
        "CREATE TEMP FUNCTION AddFourAndDivide(x INT64, y INT64) RETURNS FLOAT64 AS ((x + 4) / y); "
        "SELECT AddFourAndDivide(3, 2)",
        (3.5,),
        ["FLOAT"],
    ),
]

ERRORS = [
    ("SELECT 1 / 0", "division by zero"),
    ("SELECT 1.5 / 0.0", "division by zero"),
    ("SELECT [10, 20][OFFSET(5)]", "out of bounds"),
    ("SELECT [10, 20][ORDINAL(0)]", "out of bounds"),
    ("SELECT CAST('2.5' AS INT64)", "Bad int64 value: 2.5"),
    ("SELECT 9223372036854775807 + 1", "Overflow"),
    ("SELECT FORMAT_TIMESTAMP('%Z', CURRENT_TIMESTAMP(), 'America/Los_Angeles')", "%Z"),
    ("SELECT TO_HEX(SHA512('abc'))", "SHA512 is not supported"),
    ("SELECT CODE_POINTS_TO_BYTES([256])", "Invalid byte value 256"),
    ("SELECT INSTR('banana', 'an', 0)", "must not be 0"),
    ("SELECT NORMALIZE_AND_CASEFOLD('Stra\\u00dfe')", "NORMALIZE_AND_CASEFOLD"),
    ("SELECT NORMALIZE('\\u00e9', NFKD)", "NFKD"),
    ("SELECT DATE_TRUNC(d, MONTH) FROM UNNEST([TIMESTAMP '2008-12-25']) AS d", "TIMESTAMP_TRUNC"),
    ("SELECT EXTRACT(WEEK(MONDAY) FROM DATE '2017-01-01')", "WEEK(MONDAY)"),
    ("SELECT INT64(JSON '10.5')", "not an integer"),
    ("SELECT REGEXP_INSTR('a@cd-ef', '@([^-]*)')", "capturing group"),
    ("SELECT TO_BASE32(b'abc')", "TO_BASE32 is not supported"),
    ("SELECT APPROX_TOP_SUM(x, 1, 2) FROM UNNEST(['a']) AS x", "APPROX_TOP_SUM is not supported"),
    ("SELECT BOOL(JSON '\"true\"')", "not a boolean"),
    ("SELECT STRING(JSON '1')", "not a string"),
    ("SELECT FLOAT64(JSON '18446744073709551615')", "loss of precision"),
]

CASES = [pytest.param(*c, id=f"silent-{i}") for i, c in enumerate(SILENTLY_WRONG)] + [
    pytest.param(*c, id=f"format-{i}") for i, c in enumerate(FORMAT_ELEMENTS)
]
CASES += [pytest.param(*c, id=f"string-{i}") for i, c in enumerate(STRINGS)]
CASES += [pytest.param(*c, id=f"date-{i}") for i, c in enumerate(DATES)]
CASES += [pytest.param(*c, id=f"json-{i}") for i, c in enumerate(JSONS)]
CASES += [pytest.param(*c, id=f"aggregate-{i}") for i, c in enumerate(AGGREGATES)]


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    wh = DuckDBWarehouse(Settings(workspace=tmp_path_factory.mktemp("conformance") / "ws"))
    yield wh
    wh.close()


def _same(got, want) -> bool:
    if isinstance(want, float) and isinstance(got, float):
        return got == want or (math.isnan(got) and math.isnan(want))
    return got == want


@pytest.mark.parametrize("sql, expected, types", CASES)
def test_local_warehouse(warehouse, sql, expected, types):
    result = warehouse.query_result(sql)
    rows = [tuple(r.values()) for r in result.table.to_pylist()]
    assert len(rows) == 1 and all(_same(g, w) for g, w in zip(rows[0], expected, strict=True)), rows
    if types:
        assert [
            {"INT64": "INTEGER", "FLOAT64": "FLOAT", "BOOL": "BOOLEAN"}.get(f["type"], f["type"]) for f in result.schema
        ] == types


@pytest.mark.parametrize("sql, expected, types", CASES)
def test_bigquery_client(bigquery_client, sql, expected, types):
    result = bigquery_client.query_and_wait(sql)
    rows = [tuple(r.values()) for r in result]
    assert len(rows) == 1 and all(_same(g, w) for g, w in zip(rows[0], expected, strict=True)), rows
    if types:
        assert [f.field_type for f in result.schema] == types


@pytest.mark.parametrize("sql, fragment", ERRORS)
def test_errors_local_warehouse(warehouse, sql, fragment):
    with pytest.raises(QueryError) as info:
        warehouse.query_result(sql)
    assert fragment in str(info.value)


@pytest.mark.parametrize("sql, fragment", ERRORS)
def test_errors_bigquery_client(bigquery_client, sql, fragment):
    from google.api_core.exceptions import BadRequest

    with pytest.raises(BadRequest) as info:
        bigquery_client.query_and_wait(sql)
    assert fragment in str(info.value)


def test_llmops_sql_json_keeps_same_named_columns(cli):
    import json

    r = cli("sql", "--json", "SELECT 1 AS id, 2 AS id, 3 AS id_1, 'x' AS Name, 'y' AS name")
    assert r.code == 0
    assert json.loads(r.out) == [{"id": 1, "id_2": 2, "id_1": 3, "Name": "x", "name_1": "y"}]


def test_unique_column_names():
    from llmops.commands.sql import unique_column_names

    assert unique_column_names(["a", "b"]) == ["a", "b"]
    assert unique_column_names(["f0_", "x", "x", "x"]) == ["f0_", "x", "x_1", "x_2"]
