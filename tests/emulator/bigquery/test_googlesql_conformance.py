"""GoogleSQL conformance: each family's documented results, through the local warehouse
(`llmops sql`'s path) and through the real BigQuery client against the emulator.

Expected values are the documented results of Google's GoogleSQL reference (function pages
and the format-elements page); the issue's "silently wrong" table is the first family.
"""

from __future__ import annotations

import datetime
import math

import pytest
from googlesql_cases import assert_fails_locally, assert_fails_through_client

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
    ("SELECT FORMAT('%t|%T|%T', 1.0, 'abc', 2)", ('1.0|"abc"|2',), None),  # FLOAT64 "always with .0"
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

HASHES_ENCODINGS = [
    (
        "SELECT TO_HEX(SHA512('abc')), SHA512(b'abc') = SHA512('abc'), LENGTH(SHA512('')), SHA512(CAST(NULL AS STRING))",
        (
            "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
            "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
            True,
            64,
            None,
        ),
        ["STRING", "BOOLEAN", "INTEGER", "BYTES"],
    ),
    (
        "SELECT TO_BASE32(b'abcde\\xFF'), FROM_BASE32('MFRGGZDF74======'), TO_BASE32(b''), FROM_BASE32(CAST(NULL AS STRING))",
        ("MFRGGZDF74======", b"abcde\xff", "", None),
        ["STRING", "BYTES", "STRING", "BYTES"],
    ),
]

NET = [
    (
        "SELECT NET.HOST('http://abc.xyz'), NET.PUBLIC_SUFFIX('http://abc.xyz'), NET.REG_DOMAIN('http://abc.xyz'), "
        "NET.HOST(''), NET.PUBLIC_SUFFIX(''), NET.REG_DOMAIN('')",
        ("abc.xyz", "xyz", "abc.xyz", None, None, None),
        ["STRING"] * 6,
    ),
    (
        "SELECT NET.HOST('//user:password@a.b:80/path?query'), NET.PUBLIC_SUFFIX('//user:password@a.b:80/path?query'), "
        "NET.REG_DOMAIN('//user:password@a.b:80/path?query'), NET.HOST('https://[::1]:80'), "
        "NET.PUBLIC_SUFFIX('https://[::1]:80'), NET.HOST('mailto:?to=&subject=&body='), "
        "NET.REG_DOMAIN('mailto:?to=&subject=&body=')",
        ("a.b", None, None, "[::1]", None, "mailto", None),
        None,
    ),
    (
        "SELECT NET.HOST('    www.Example.Co.UK    '), NET.PUBLIC_SUFFIX('    www.Example.Co.UK    '), "
        "NET.REG_DOMAIN('    www.Example.Co.UK    '), NET.PUBLIC_SUFFIX('http://\u4f8b\u5b50.\u5377\u7b52\u7eb8.\u4e2d\u56fd'), "
        "NET.REG_DOMAIN('http://\u4f8b\u5b50.\u5377\u7b52\u7eb8.\u4e2d\u56fd'), NET.REG_DOMAIN('https://x.y.appspot.com')",
        (
            "www.Example.Co.UK",
            "Co.UK",
            "Example.Co.UK",
            "\u4e2d\u56fd",
            "\u5377\u7b52\u7eb8.\u4e2d\u56fd",
            "appspot.com",
        ),
        None,
    ),
    (
        "SELECT NET.IP_FROM_STRING('48.49.50.51'), NET.IP_FROM_STRING('3031:3233:3435:3637:3839:4041:4243:4445'), "
        "NET.SAFE_IP_FROM_STRING('48.49.50.51/32'), NET.SAFE_IP_FROM_STRING('::1'), "
        "NET.IP_TO_STRING(b'0123'), NET.IP_TO_STRING(b'\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\xff\\xff\\xc0\\x00\\x02\\x80')",
        (b"0123", b"0123456789@ABCDE", None, b"\x00" * 15 + b"\x01", "48.49.50.51", "::ffff:192.0.2.128"),
        ["BYTES"] * 4 + ["STRING"] * 2,
    ),
    (
        "SELECT NET.IPV4_FROM_INT64(0xABCDEF), NET.IPV4_FROM_INT64(-1), NET.IPV4_FROM_INT64(-2), "
        "NET.IPV4_TO_INT64(b'\\x00\\xab\\xcd\\xef'), NET.IPV4_TO_INT64(b'\\xff\\xff\\xff\\xff')",
        (b"\x00\xab\xcd\xef", b"\xff\xff\xff\xff", b"\xff\xff\xff\xfe", 11259375, 4294967295),
        ["BYTES"] * 3 + ["INTEGER"] * 2,
    ),
    (
        "SELECT NET.IP_NET_MASK(4, 0), NET.IP_NET_MASK(4, 20), NET.IP_NET_MASK(16, 1), "
        "NET.IP_TRUNC(b'\\xAA\\xBB\\xCC\\xDD', 11), NET.IP_TRUNC(b'\\xAA\\xBB\\xCC\\xDD', 24), "
        "NET.IP_TRUNC(NET.IP_FROM_STRING('2001:db8::1'), 32)",
        (
            b"\x00\x00\x00\x00",
            b"\xff\xff\xf0\x00",
            b"\x80" + b"\x00" * 15,
            b"\xaa\xa0\x00\x00",
            b"\xaa\xbb\xcc\x00",
            b"\x20\x01\x0d\xb8" + b"\x00" * 12,
        ),
        ["BYTES"] * 6,
    ),
]

SKETCHES = [
    (
        # a column named like a rewrite's lambda parameter (i, e) keeps its meaning
        "SELECT APPROX_TOP_SUM(e, i, 1), ARRAY_LENGTH(ARRAY_AGG(INSTR(s, 'an', 1, 2))) FROM "
        "UNNEST([STRUCT('x' AS e, 2 AS i, 'banana' AS s), STRUCT('y', 1, 'b'), STRUCT('x', 3, 'c')])",
        ([{"value": "x", "sum": 5}], 3),
        ["RECORD", "INTEGER"],
    ),
    (
        "SELECT APPROX_TOP_SUM(x, weight, 2) FROM UNNEST([STRUCT('apple' AS x, 3 AS weight), STRUCT('pear', 2), "
        "STRUCT('apple', 0), STRUCT('banana', 5), STRUCT('pear', 4)])",
        ([{"value": "pear", "sum": 6}, {"value": "banana", "sum": 5}],),
        ["RECORD"],
    ),
    (
        "SELECT APPROX_TOP_SUM(x, weight, 2) FROM UNNEST([STRUCT('apple' AS x, CAST(NULL AS INT64) AS weight), "
        "STRUCT('pear', 0), STRUCT('pear', NULL)])",
        ([{"value": "pear", "sum": 0}, {"value": "apple", "sum": None}],),
        None,
    ),
    (
        "SELECT HLL_COUNT.EXTRACT(HLL_COUNT.INIT(x)), HLL_COUNT.EXTRACT(HLL_COUNT.INIT(x, 14)), "
        "HLL_COUNT.EXTRACT(CAST(NULL AS BYTES)) FROM UNNEST([1, 2, 2, NULL, 3]) AS x",
        (3, 3, 0),
        ["INTEGER"] * 3,
    ),
    (
        "SELECT HLL_COUNT.MERGE(s), HLL_COUNT.EXTRACT(HLL_COUNT.MERGE_PARTIAL(s)) FROM ("
        "SELECT HLL_COUNT.INIT(x) AS s FROM UNNEST(['a', 'b', 'c', 'a', 'd']) AS x GROUP BY x < 'c')",
        (4, 4),
        ["INTEGER", "INTEGER"],
    ),
    (
        "SELECT HLL_COUNT.MERGE(s) FROM (SELECT HLL_COUNT.INIT(x) AS s FROM UNNEST([CAST(NULL AS STRING)]) AS x)",
        (0,),
        ["INTEGER"],
    ),
]

INTERVALS = [
    (
        "SELECT CAST(DATE '2021-05-20' - DATE '2020-04-19' AS STRING), "
        "CAST(TIMESTAMP '2021-06-01 12:34:56.789' - TIMESTAMP '2021-05-31 00:00:00' AS STRING), "
        "CAST(INTERVAL '1-2 3 4:5:6.789999' YEAR TO SECOND AS STRING), CAST(INTERVAL 3 MONTH * 2 AS STRING)",
        ("0-0 396 0:0:0", "0-0 0 36:34:56.789", "1-2 3 4:5:6.789999", "0-6 0 0:0:0"),
        ["STRING"] * 4,
    ),
    (
        "SELECT EXTRACT(YEAR FROM i), EXTRACT(MONTH FROM i), EXTRACT(DAY FROM i), EXTRACT(HOUR FROM i), "
        "EXTRACT(MINUTE FROM i), EXTRACT(SECOND FROM i), EXTRACT(MILLISECOND FROM i), EXTRACT(MICROSECOND FROM i) "
        "FROM UNNEST([INTERVAL '0-13 370 48:61:61.123456' YEAR TO SECOND]) AS i",
        (1, 1, 370, 49, 2, 1, 123, 123456),
        ["INTEGER"] * 8,
    ),
    (
        "SELECT CAST(JUSTIFY_DAYS(INTERVAL 29 DAY) AS STRING), CAST(JUSTIFY_DAYS(INTERVAL -30 DAY) AS STRING), "
        "CAST(JUSTIFY_DAYS(INTERVAL 31 DAY) AS STRING), CAST(JUSTIFY_DAYS(INTERVAL -65 DAY) AS STRING), "
        "CAST(JUSTIFY_DAYS(INTERVAL 370 DAY) AS STRING)",
        ("0-0 29 0:0:0", "-0-1 0 0:0:0", "0-1 1 0:0:0", "-0-2 -5 0:0:0", "1-0 10 0:0:0"),
        None,
    ),
    (
        "SELECT CAST(JUSTIFY_HOURS(INTERVAL 23 HOUR) AS STRING), CAST(JUSTIFY_HOURS(INTERVAL -24 HOUR) AS STRING), "
        "CAST(JUSTIFY_HOURS(INTERVAL 47 HOUR) AS STRING), CAST(JUSTIFY_HOURS(INTERVAL -12345 MINUTE) AS STRING), "
        "CAST(JUSTIFY_INTERVAL(INTERVAL '29 49:00:00' DAY TO SECOND) AS STRING)",
        ("0-0 0 23:0:0", "0-0 -1 0:0:0", "0-0 1 23:0:0", "0-0 -8 -13:45:0", "0-1 1 1:0:0"),
        None,
    ),
    (
        "SELECT CAST(MAKE_INTERVAL(1, 6, 15) AS STRING), CAST(MAKE_INTERVAL(hour => 10, second => 20) AS STRING), "
        "CAST(INTERVAL 1 DAY + INTERVAL 2 HOUR AS STRING), DATE '2021-01-31' + INTERVAL 1 MONTH",
        ("1-6 15 0:0:0", "0-0 0 10:0:20", "0-0 1 2:0:0", datetime.datetime(2021, 2, 28)),
        ["STRING"] * 3 + ["DATETIME"],
    ),
    (
        "SELECT EXTRACT(WEEK(SUNDAY) FROM d), EXTRACT(WEEK(MONDAY) FROM d), EXTRACT(WEEK(MONDAY) FROM DATE '2017-01-01'), "
        "DATE_TRUNC(d, WEEK(MONDAY)), DATE_TRUNC(d, WEEK(SATURDAY)) FROM UNNEST([DATE '2017-11-05']) AS d",
        (45, 44, 0, datetime.date(2017, 10, 30), datetime.date(2017, 11, 4)),
        ["INTEGER"] * 3 + ["DATE"] * 2,
    ),
]

INTERVALS += [
    (
        "SELECT CAST(d - DATE '2020-01-01' AS STRING), CAST(DATE '2020-01-03' - CAST(d AS DATE) AS STRING), "
        "DATE '2020-01-03' - n, CAST(TIME '10:00:00' - TIME '08:30:00.5' AS STRING) "
        "FROM UNNEST([DATE '2020-01-02']) AS d, UNNEST([1]) AS n",
        ("0-0 1 0:0:0", "0-0 1 0:0:0", datetime.date(2020, 1, 2), "0-0 0 1:29:59.5"),
        ["STRING", "STRING", "DATE", "STRING"],
    ),
]

COLUMN_ORDER = [
    (
        "SELECT * FROM (SELECT 'a' AS x, 1 AS id) JOIN (SELECT TRUE AS y, 1 AS id) USING (id)",
        (1, "a", True),
        ["INTEGER", "STRING", "BOOLEAN"],
    ),
    (
        "SELECT * FROM (SELECT 'Kale' AS product, 51 AS Q1, 23 AS Q2) "
        "UNPIVOT((first_half_sales, second_half_sales) FOR semesters IN ((Q1, Q2) AS 'semester_1'))",
        ("Kale", 51, 23, "semester_1"),
        ["STRING", "INTEGER", "INTEGER", "STRING"],
    ),
    (
        "SELECT * FROM (SELECT 'Kale' AS product, 51 AS Q1) UNPIVOT(sales FOR quarter IN (Q1))",
        ("Kale", 51, "Q1"),
        ["STRING", "INTEGER", "STRING"],
    ),
]

# Functions whose answer depends on an argument's type, given values whose type the query text
# does not show: columns of UNNEST, CTEs and (below, `TYPED_COLUMNS`) tables.
ARGUMENT_TYPES = [
    (
        "SELECT DATE_TRUNC(d, DAY) FROM UNNEST([TIMESTAMP '2008-12-25 15:30:00+00']) AS d",
        (datetime.datetime(2008, 12, 25, tzinfo=datetime.UTC),),
        ["TIMESTAMP"],
    ),
    (
        "SELECT CAST(d1 - d2 AS STRING) FROM UNNEST([STRUCT(DATE '2021-05-20' AS d1, DATE '2020-04-19' AS d2)])",
        ("0-0 396 0:0:0",),
        ["STRING"],
    ),
    (
        'WITH t AS (SELECT \'{"class": {"students": [{"name": "Jane"}]}}\' AS j) '
        "SELECT JSON_QUERY(j, '$.class') FROM t",
        ('{"students":[{"name":"Jane"}]}',),
        ["STRING"],
    ),
    ("SELECT LEFT(b, 3), REVERSE(b) FROM UNNEST([b'apple']) AS b", (b"app", b"elppa"), ["BYTES", "BYTES"]),
]

TYPED_COLUMNS_TABLE = (
    "CREATE TABLE IF NOT EXISTS typed_columns.t AS SELECT TIMESTAMP '2008-12-25 15:30:00+00' AS ts, "
    "DATETIME '2008-12-25 15:30:00' AS dt, DATE '2015-06-15' AS d, DATE '2021-05-20' AS d1, "
    "DATE '2020-04-19' AS d2, 1 AS n, TIMESTAMP '2021-06-01 12:34:56.789+00' AS t1, "
    'TIMESTAMP \'2021-05-31 00:00:00+00\' AS t0, \'{"class": {"students": [{"name": "Jane"}]}}\' AS js, '
    '\'{"fruits": ["apples", "oranges", "grapes"]}\' AS fruits, b\'apple\' AS apple, b\'abc\' AS abc, '
    "b'1a3' AS b13, b'\\x66\\x6f\\x6f' AS foo, b'banana' AS banana"
)
TYPED_COLUMNS = [
    (
        "SELECT DATE_TRUNC(ts, DAY), DATE_TRUNC(dt, DAY), DATE_TRUNC(d, ISOYEAR) FROM typed_columns.t",
        (
            datetime.datetime(2008, 12, 25, tzinfo=datetime.UTC),
            datetime.datetime(2008, 12, 25),
            datetime.date(2014, 12, 29),
        ),
        ["TIMESTAMP", "DATETIME", "DATE"],
    ),
    (
        "SELECT CAST(d1 - d2 AS STRING), CAST(t1 - t0 AS STRING), d1 - n FROM typed_columns.t",
        ("0-0 396 0:0:0", "0-0 0 36:34:56.789", datetime.date(2021, 5, 19)),
        ["STRING", "STRING", "DATE"],
    ),
    (
        "SELECT JSON_QUERY(js, '$.class'), JSON_EXTRACT(js, '$.class'), JSON_QUERY_ARRAY(fruits, '$.fruits'), "
        "JSON_EXTRACT_ARRAY(fruits, '$.fruits') FROM typed_columns.t",
        (
            '{"students":[{"name":"Jane"}]}',
            '{"students":[{"name":"Jane"}]}',
            ['"apples"', '"oranges"', '"grapes"'],
            ['"apples"', '"oranges"', '"grapes"'],
        ),
        ["STRING"] * 4,
    ),
    (
        "SELECT LEFT(apple, 3), RIGHT(apple, 3), LPAD(abc, 8, b'def'), RPAD(abc, 8, b'def'), REVERSE(b13), "
        "TO_CODE_POINTS(foo) FROM typed_columns.t",
        (b"app", b"ple", b"defdeabc", b"abcdefde", b"3a1", [102, 111, 111]),
        ["BYTES"] * 5 + ["INTEGER"],
    ),
    (
        "SELECT INSTR(banana, b'an'), INSTR(banana, b'an', 1, 2), INSTR(banana, b'an', -1), "
        "INSTR(banana, b'an', -3, 1), INSTR(banana, b'ann') FROM typed_columns.t",
        (2, 4, 4, 4, 0),
        ["INTEGER"] * 5,
    ),
]

ERRORS = [
    ("SELECT NET.HOST(1)", "No matching signature for function NET.HOST"),  # not the engine UDF's name
    ("SELECT 1 / 0", "division by zero"),
    ("SELECT 1.5 / 0.0", "division by zero"),
    ("SELECT [10, 20][OFFSET(5)]", "out of bounds"),
    ("SELECT [10, 20][ORDINAL(0)]", "out of bounds"),
    ("SELECT CAST('2.5' AS INT64)", "Bad int64 value: 2.5"),
    ("SELECT 9223372036854775807 + 1", "Overflow"),
    ("SELECT CODE_POINTS_TO_BYTES([256])", "Invalid byte value 256"),
    ("SELECT INSTR('banana', 'an', 0)", "must not be 0"),
    ("SELECT INT64(JSON '10.5')", "not an integer"),
    ("SELECT REGEXP_INSTR('a@cd-ef', '@([^-]*)')", "capturing group"),
    ("SELECT BOOL(JSON '\"true\"')", "not a boolean"),
    ("SELECT STRING(JSON '1')", "not a string"),
    ("SELECT FLOAT64(JSON '18446744073709551615', wide_number_mode => 'exact')", "loss of precision"),
    ("SELECT NET.IP_FROM_STRING('48.49.50.51/32')", "Unparseable IP address"),
    ("SELECT NET.IPV4_TO_INT64(b'\\x00\\x01')", "non-IPv4 address of 2 bytes"),
    ("SELECT NET.IPV4_FROM_INT64(0x100000000)", "out of IPv4 range"),
    ("SELECT NET.IP_NET_MASK(4, 33)", "prefix length 33"),
    ("SELECT NET.FORMAT_IP(1)", "NET.FORMAT_IP is not supported"),
    ("SELECT NET.IP_TRUNC(b'1234')", "No matching signature for function NET.IP_TRUNC: it takes 2 arguments, got 1"),
    ("SELECT FROM_BASE32('1!')", "invalid base32"),
    ("SELECT HLL_COUNT.EXTRACT(b'not a sketch')", "did not make"),
    ("SELECT HLL_COUNT.INIT(x, 30) FROM UNNEST([1]) AS x", "precision"),
    ("SELECT HLL_COUNT.INIT(x) FROM UNNEST([1.5]) AS x", "HLL_COUNT.INIT takes INT64"),
    ("SELECT INTERVAL '1 2' YEAR TO SECOND", "Invalid interval literal"),
]

CASES = [pytest.param(*c, id=f"silent-{i}") for i, c in enumerate(SILENTLY_WRONG)] + [
    pytest.param(*c, id=f"format-{i}") for i, c in enumerate(FORMAT_ELEMENTS)
]
CASES += [pytest.param(*c, id=f"string-{i}") for i, c in enumerate(STRINGS)]
CASES += [pytest.param(*c, id=f"date-{i}") for i, c in enumerate(DATES)]
CASES += [pytest.param(*c, id=f"json-{i}") for i, c in enumerate(JSONS)]
CASES += [pytest.param(*c, id=f"aggregate-{i}") for i, c in enumerate(AGGREGATES)]
CASES += [pytest.param(*c, id=f"hash-{i}") for i, c in enumerate(HASHES_ENCODINGS)]
CASES += [pytest.param(*c, id=f"net-{i}") for i, c in enumerate(NET)]
CASES += [pytest.param(*c, id=f"sketch-{i}") for i, c in enumerate(SKETCHES)]
CASES += [pytest.param(*c, id=f"interval-{i}") for i, c in enumerate(INTERVALS)]
CASES += [pytest.param(*c, id=f"order-{i}") for i, c in enumerate(COLUMN_ORDER)]
CASES += [pytest.param(*c, id=f"argtype-{i}") for i, c in enumerate(ARGUMENT_TYPES)]
TYPED = [pytest.param(*c, id=f"column-{i}") for i, c in enumerate(TYPED_COLUMNS)]


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


@pytest.mark.parametrize("sql, expected, types", TYPED)
def test_column_types_local_warehouse(warehouse, sql, expected, types):
    warehouse.query_result("CREATE SCHEMA IF NOT EXISTS typed_columns")
    warehouse.query_result(TYPED_COLUMNS_TABLE)
    test_local_warehouse(warehouse, sql, expected, types)


@pytest.mark.parametrize("sql, expected, types", TYPED)
def test_column_types_bigquery_client(bigquery_client, sql, expected, types):
    bigquery_client.query_and_wait("CREATE SCHEMA IF NOT EXISTS typed_columns")
    bigquery_client.query_and_wait(TYPED_COLUMNS_TABLE)
    test_bigquery_client(bigquery_client, sql, expected, types)


def test_parameter_types_bigquery_client(bigquery_client):
    from google.cloud import bigquery

    config = bigquery.QueryJobConfig(
        query_parameters=[
            bigquery.ScalarQueryParameter("ts", "TIMESTAMP", datetime.datetime(2008, 12, 25, 15, 30)),
            bigquery.ScalarQueryParameter("d1", "DATE", datetime.date(2021, 5, 20)),
            bigquery.ScalarQueryParameter("d2", "DATE", datetime.date(2020, 4, 19)),
            bigquery.ScalarQueryParameter("b", "BYTES", b"apple"),
            bigquery.ScalarQueryParameter("j", "STRING", '{"a": {"b": 1}}'),
        ]
    )
    rows = list(
        bigquery_client.query_and_wait(
            "SELECT DATE_TRUNC(@ts, DAY) AS t, CAST(@d1 - @d2 AS STRING) AS i, LEFT(@b, 3) AS l, "
            "JSON_QUERY(@j, '$.a') AS q",
            job_config=config,
        )
    )
    assert dict(rows[0]) == {
        "t": datetime.datetime(2008, 12, 25, tzinfo=datetime.UTC),
        "i": "0-0 396 0:0:0",
        "l": b"app",
        "q": '{"b":1}',
    }


@pytest.mark.parametrize("sql, fragment", ERRORS)
def test_errors_local_warehouse(warehouse, sql, fragment):
    assert_fails_locally(warehouse, sql, fragment)


@pytest.mark.parametrize("sql, fragment", ERRORS)
def test_errors_bigquery_client(bigquery_client, sql, fragment):
    assert_fails_through_client(bigquery_client, sql, fragment)


def test_llmops_sql_json_keeps_same_named_columns(cli):
    import json

    r = cli("sql", "--json", "SELECT 1 AS id, 2 AS id, 3 AS id_1, 'x' AS Name, 'y' AS name")
    assert r.code == 0
    assert json.loads(r.out) == [{"id": 1, "id_2": 2, "id_1": 3, "Name": "x", "name_1": "y"}]


def test_llmops_sql_json_writes_nan_and_infinity_as_bigquery_does(cli):
    import json

    r = cli(
        "sql", "--json", "SELECT x FROM UNNEST([CAST('nan' AS FLOAT64), CAST('-inf' AS FLOAT64), 1.5]) x ORDER BY x"
    )
    assert r.code == 0
    # strict JSON (no bare NaN), the strings BigQuery's REST API uses
    assert json.loads(r.out, parse_constant=lambda c: pytest.fail(f"bare {c}")) == [
        {"x": "NaN"},
        {"x": "-Infinity"},
        {"x": 1.5},
    ]


def test_unique_column_names():
    from llmops.commands.sql import unique_column_names

    assert unique_column_names(["a", "b"]) == ["a", "b"]
    assert unique_column_names(["f0_", "x", "x", "x"]) == ["f0_", "x", "x_1", "x_2"]


def test_interval_value_local_warehouse(warehouse):
    result = warehouse.query_result(
        "SELECT DATE '2021-05-20' - DATE '2020-04-19' AS d, INTERVAL '-1-2' YEAR TO MONTH AS m"
    )
    row = result.table.to_pylist()[0]
    assert (row["d"].months, row["d"].days, row["d"].nanoseconds) == (0, 396, 0)
    assert (row["m"].months, row["m"].days) == (-14, 0)
    assert [f["type"] for f in result.schema] == ["INTERVAL", "INTERVAL"]


def test_interval_value_bigquery_client(bigquery_client):
    from dateutil.relativedelta import relativedelta

    rows = list(
        bigquery_client.query_and_wait(
            "SELECT DATE '2021-05-20' - DATE '2020-04-19' AS d, "
            "TIMESTAMP '2021-06-01 12:34:56.789' - TIMESTAMP '2021-05-31 00:00:00' AS t"
        )
    )
    assert rows[0]["d"] == relativedelta(days=396)
    assert rows[0]["t"] == relativedelta(hours=36, minutes=34, seconds=56, microseconds=789000)
