"""A sweep of Google's GoogleSQL function reference examples (string, math, conversion, date,
time, timestamp, array, aggregate, window, JSON, bit, hash, conditional and operator pages),
each row the documented result and, where the page says, its type. Every row runs through the
local warehouse (`llmops sql`'s path) and, one query per family, through the real BigQuery
client against the emulator. Documented refusals assert their named error.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from decimal import Decimal

import pytest
from googlesql_cases import (
    as_query,
    assert_fails_locally,
    assert_fails_through_client,
    client_queries,
    same_type,
    single_value,
)

UTC = dt.UTC
INT, F, S, B, N, D = "INTEGER", "FLOAT", "STRING", "BOOLEAN", "NUMERIC", "DATE"

# (expression or query, BigQuery's documented result, its type or None)
STRINGS = [
    ("SPLIT('a,b,c', ',')", ["a", "b", "c"], S),
    ("SPLIT('abc', '')", ["a", "b", "c"], S),
    ("SPLIT('', ',')", [""], S),
    ("SPLIT('b,,c')", ["b", "", "c"], S),
    ("SPLIT(CAST(NULL AS STRING), ',')", None, S),
    ("REGEXP_CONTAINS('foo@example.com', r'@[a-zA-Z0-9-]+\\.[a-zA-Z0-9-.]+')", True, B),
    ("REGEXP_CONTAINS('abc', r'^b')", False, B),
    ("REGEXP_EXTRACT('foo@example.com', r'^[a-zA-Z0-9_.+-]+')", "foo", S),
    ("REGEXP_EXTRACT('foo@example.com', r'^([a-z]+)@')", "foo", S),
    ("REGEXP_EXTRACT('abc', 'x')", None, S),
    ("REGEXP_EXTRACT('cats&dogs&rabbits', r'\\w+&', 1, 2)", "dogs&", S),
    ("REGEXP_EXTRACT_ALL('Try `func(x)` or `func(y)`', '`(.+?)`')", ["func(x)", "func(y)"], S),
    ("REGEXP_EXTRACT_ALL('a1b22c333', r'\\d+')", ["1", "22", "333"], S),
    ("REGEXP_REPLACE('# Heading', r'^# ([a-zA-Z0-9\\s]+$)', '<h1>\\\\1</h1>')", "<h1>Heading</h1>", S),
    ("REGEXP_REPLACE('abcabc', 'b', 'X')", "aXcaXc", S),
    ("REGEXP_SUBSTR('Hello World Helloo', 'H?ello+', 14)", "elloo", S),
    ("REGEXP_INSTR('ab@cd-ef', '@[^-]*')", 3, INT),
    ("REGEXP_INSTR('a@cd-ef b@cd-ef', '@[^-]*', 1, 2)", 10, INT),
    ("FORMAT('%d', 10)", "10", S),
    ("FORMAT('|%10d|', 11)", "|        11|", S),
    ("FORMAT('+%010d+', 12)", "+0000000012+", S),
    ('FORMAT("%\'d", 123456789)', "123,456,789", S),
    ("FORMAT('%f', 1.1)", "1.100000", S),
    ("FORMAT('%.3f', 2.5)", "2.500", S),
    ("FORMAT('%e', 1.1)", "1.100000e+00", S),
    ("FORMAT('%E', 1.1)", "1.100000E+00", S),
    ("FORMAT('%g', 1.1)", "1.1", S),
    ("FORMAT('%10s', 'abc')", "       abc", S),
    ("FORMAT('%-10s|', 'abc')", "abc       |", S),
    ("FORMAT('%o', 10)", "12", S),
    ("FORMAT('%x', 255)", "ff", S),
    ("FORMAT('%X', 255)", "FF", S),
    ("FORMAT('%#x', 255)", "0xff", S),
    ("FORMAT('%t', [1, 2])", "[1, 2]", S),
    ("FORMAT('%T', [1, 2])", "[1, 2]", S),
    ("FORMAT('%t', DATE '2011-02-03')", "2011-02-03", S),
    ("FORMAT('%T', DATE '2011-02-03')", 'DATE "2011-02-03"', S),
    ("FORMAT('%T', TIMESTAMP '2011-02-03 04:05:06+00')", 'TIMESTAMP "2011-02-03 04:05:06+00"', S),
    ("FORMAT('%t', 123.0)", "123.0", S),
    ("FORMAT('%T', 123.0)", "123.0", S),
    ("FORMAT('%t', NUMERIC '123')", "123.0", S),
    ("FORMAT('%T', NUMERIC '123')", 'NUMERIC "123.0"', S),
    ("FORMAT('%T', CAST('inf' AS FLOAT64))", 'CAST("inf" AS FLOAT64)', S),
    ("FORMAT('%t', CAST('-inf' AS FLOAT64))", "-inf", S),
    ("FORMAT('%T', 'abc')", '"abc"', S),
    ("FORMAT('%t', 'abc')", "abc", S),
    ("FORMAT('%T', b'abc')", 'b"abc"', S),
    ("FORMAT('%t', NULL)", "NULL", S),
    ("FORMAT('%T', NULL)", "NULL", S),
    ("FORMAT('%s', CAST(NULL AS STRING))", None, S),
    ("FORMAT('%T', TRUE)", "true", S),
    ("LPAD('abc', 5)", "  abc", S),
    ("LPAD('abc', 5, 'xy')", "xyabc", S),
    ("LPAD('abc', 2)", "ab", S),
    ("LPAD('例子', 4)", "  例子", S),
    ("RPAD('abc', 5, '-')", "abc--", S),
    ("RPAD('abc', 2)", "ab", S),
    ("STARTS_WITH('foo', 'b')", False, B),
    ("STARTS_WITH('bar', 'b')", True, B),
    ("ENDS_WITH('apple', 'e')", True, B),
    ("TRIM('   apple   ')", "apple", S),
    ("TRIM('***apple***', '*')", "apple", S),
    ("TRIM('xxxapplexxx', 'xyz')", "apple", S),
    ("LTRIM('   apple   ')", "apple   ", S),
    ("RTRIM('***apple***', '*')", "***apple", S),
    ("INITCAP('Hello World-everyone!')", "Hello World-Everyone!", S),
    ("INITCAP('The12 Dollar-sign')", "The12 Dollar-Sign", S),
    ("INITCAP('hello WORLD')", "Hello World", S),
    ("INITCAP('ap_ple', '_')", "Ap_Ple", S),
    ("TRANSLATE('This is a cookie', 'sco', 'zku')", "Thiz iz a kuukie", S),
    ("TRANSLATE('abc', 'ab', 'x')", "xc", S),
    ("REPEAT('abc', 3)", "abcabcabc", S),
    ("REPEAT('abc', 0)", "", S),
    ("REPEAT('abc', NULL)", None, S),
    ("SAFE.REPEAT('a', -1)", None, S),
    ("STRPOS('foo@example.com', '@')", 4, INT),
    ("INSTR('helloooo', 'oo', 1, 2)", 6, INT),
    ("INSTR('banana', 'an', -1, 1)", 4, INT),
    ("SUBSTR('apple', 2)", "pple", S),
    ("SUBSTR('apple', 2, 2)", "pp", S),
    ("SUBSTR('apple', -2)", "le", S),
    ("SUBSTR('apple', 1, 123)", "apple", S),
    ("SUBSTR('apple', 123)", "", S),
    ("SAFE.SUBSTR('foo', 0, -2)", None, S),
    ("LENGTH('абвгд')", 5, INT),
    ("CHAR_LENGTH('абвгд')", 5, INT),
    ("LENGTH(b'ab')", 2, INT),
    ("BYTE_LENGTH('абвгд')", 10, INT),
    ("BYTE_LENGTH(b'abc')", 3, INT),
    ("CONCAT('T.P.', ' ', 'Bar')", "T.P. Bar", S),
    ("CONCAT('a', NULL)", None, S),
    ("'a' || 'b'", "ab", S),
    ("LOWER('FOO')", "foo", S),
    ("UPPER('foo')", "FOO", S),
    ("REVERSE('abc')", "cba", S),
    ("LEFT('apple', 3)", "app", S),
    ("RIGHT('apple', 3)", "ple", S),
    ("ASCII('abcd')", 97, INT),
    ("ASCII('')", 0, INT),
    ("CHR(65)", "A", S),
    ("CHR(513)", "ȁ", S),
    ("UNICODE('âbcd')", 226, INT),
    ("EDIT_DISTANCE('a', 'b')", 1, INT),
    ("EDIT_DISTANCE('aa', 'b')", 2, INT),
    ("REPLACE('apple pie', 'pie', 'cobbler')", "apple cobbler", S),
    ("TO_HEX(b'\\x00\\x01\\x02\\x03\\xAA\\xEE\\xEF\\xFF')", "00010203aaeeefff", S),
    ("FROM_HEX('00010203aaeeefff')", b"\x00\x01\x02\x03\xaa\xee\xef\xff", "BYTES"),
    ("TO_BASE64(b'\\377\\340')", "/+A=", S),
    ("FROM_BASE64('/+A=')", b"\xff\xe0", "BYTES"),
    ("CAST(b'\\x48\\x65\\x6c\\x6c\\x6f' AS STRING)", "Hello", S),
    ("CAST(b'\\xc3\\xa9' AS STRING)", "é", S),
    ("SAFE_CAST(b'\\xc2' AS STRING)", None, S),
    ("SAFE_CONVERT_BYTES_TO_STRING(b'abc')", "abc", S),
    ("'a_c' LIKE 'a\\\\_c'", True, B),
    ("'abc' LIKE 'a\\\\_c'", False, B),
]

MATH = [
    ("ROUND(2.5)", 3.0, F),
    ("ROUND(-2.5)", -3.0, F),
    ("ROUND(2.4)", 2.0, F),
    ("ROUND(123.456, 2)", 123.46, F),
    ("ROUND(123.456, -1)", 120.0, F),
    ("ROUND(NUMERIC '2.5')", Decimal("3"), N),
    ("ROUND(NUMERIC '-2.5')", Decimal("-3"), N),
    ("ROUND(NUMERIC '3.14159', 3)", Decimal("3.142"), N),
    ("TRUNC(NUMERIC '2.7')", Decimal("2"), N),
    ("CEIL(NUMERIC '2.1')", Decimal("3"), N),
    ("ROUND(5)", 5.0, F),
    ("TRUNC(-5)", -5.0, F),
    ("TRUNC(2.7)", 2.0, F),
    ("TRUNC(-2.7)", -2.0, F),
    ("TRUNC(123.456, 1)", 123.4, F),
    ("CEIL(2.1)", 3.0, F),
    ("FLOOR(-2.1)", -3.0, F),
    ("DIV(20, 4)", 5, INT),
    ("DIV(12, -7)", -1, INT),
    ("DIV(20, 3)", 6, INT),
    ("DIV(NUMERIC '7', NUMERIC '2')", Decimal("3"), N),
    ("DIV(NUMERIC '-7', 2)", Decimal("-3"), N),
    ("NUMERIC '7' / NUMERIC '2'", Decimal("3.5"), N),
    ("NUMERIC '1' / 3", Decimal("0.333333333"), N),
    ("MOD(25, 12)", 1, INT),
    ("MOD(-25, 12)", -1, INT),
    ("MOD(25, -12)", 1, INT),
    ("IEEE_DIVIDE(20.0, 4.0)", 5.0, F),
    ("IEEE_DIVIDE(0.0, 25.0)", 0.0, F),
    ("IEEE_DIVIDE(25.0, 0.0)", math.inf, F),
    ("IEEE_DIVIDE(-25.0, 0.0)", -math.inf, F),
    ("IEEE_DIVIDE(0.0, 0.0)", math.nan, F),
    ("SAFE_DIVIDE(20, 4)", 5.0, F),
    ("SAFE_DIVIDE(0, 20)", 0.0, F),
    ("SAFE_DIVIDE(20, 0)", None, F),
    ("SAFE_MULTIPLY(20, 4)", 80, INT),
    ("SAFE_MULTIPLY(9223372036854775807, 2)", None, INT),
    ("SAFE_ADD(5, 4)", 9, INT),
    ("SAFE_ADD(9223372036854775807, 1)", None, INT),
    ("SAFE_SUBTRACT(5, 4)", 1, INT),
    ("SAFE_SUBTRACT(-9223372036854775807, 2)", None, INT),
    ("SAFE_NEGATE(1)", -1, INT),
    ("SAFE_NEGATE(-9223372036854775807 - 1)", None, INT),
    ("ABS(-25)", 25, INT),
    ("SIGN(-25)", -1, INT),
    ("SIGN(0)", 0, INT),
    ("SIGN(25.5)", 1.0, F),
    ("SIGN(CAST('nan' AS FLOAT64))", math.nan, F),
    ("SIGN(NUMERIC '-2.5')", Decimal("-1"), N),
    ("SQRT(25)", 5.0, F),
    ("POW(2, 3)", 8.0, F),
    ("POWER(2, -1)", 0.5, F),
    ("SAFE.POW(-2, 0.5)", None, F),
    ("SAFE.SQRT(-1)", None, F),
    ("SAFE.LN(0)", None, F),
    ("SAFE.LOG(-1, 10)", None, F),
    ("SAFE.LOG10(-1)", None, F),
    ("EXP(0)", 1.0, F),
    ("LN(1)", 0.0, F),
    ("LOG(100, 10)", 2.0, F),
    ("LOG10(100)", 2.0, F),
    ("LOG(8, 2)", 3.0, F),
    ("CBRT(27)", 3.0000000000000004, F),
    ("GREATEST(1, 2, 3)", 3, INT),
    ("LEAST(1, 2, 3)", 1, INT),
    ("GREATEST(1, NULL, 3)", None, INT),
    ("IS_INF(CAST('-inf' AS FLOAT64))", True, B),
    ("IS_NAN(CAST('nan' AS FLOAT64))", True, B),
    ("RANGE_BUCKET(20, [0, 10, 20, 30, 40])", 3, INT),
    ("RANGE_BUCKET(25, [0, 10, 20, 30, 40])", 3, INT),
    ("RANGE_BUCKET(-5, [0, 10])", 0, INT),
    ("RANGE_BUCKET(80, [0, 10, 20, 30, 40])", 5, INT),
    ("RANGE_BUCKET(NULL, [0, 10])", None, INT),
    ("RANGE_BUCKET(15, CAST([] AS ARRAY<INT64>))", 0, INT),
    ("SEC(0)", 1.0, F),
    ("COS(0)", 1.0, F),
    ("ATAN2(0, 1)", 0.0, F),
    ("5 / 2", 2.5, F),
    ("-5 / 2", -2.5, F),
    ("7 - 10", -3, INT),
    ("2147483647 + 1", 2147483648, INT),
    ("100000 * 100000", 10000000000, INT),
    ("INTERVAL 1 DAY * 3 = INTERVAL 3 DAY", True, B),
]

CONVERSIONS = [
    ("CAST(1e20 AS STRING)", "1e+20", S),
    ("CAST(1.5e-7 AS STRING)", "1.5e-07", S),
    ("CAST(123456789.123 AS STRING)", "123456789.123", S),
    ("CAST(CAST('nan' AS FLOAT64) AS STRING)", "nan", S),
    ("CAST(CAST('inf' AS FLOAT64) AS STRING)", "inf", S),
    ("CAST(0.1 AS STRING)", "0.1", S),
    ("CAST(1/3 AS STRING)", "0.33333333333333331", S),
    ("CAST(1e15 AS STRING)", "1e+15", S),
    ("CAST(123456789012345678.0 AS STRING)", "1.2345678901234568e+17", S),
    ("CAST(NUMERIC '1.50' AS STRING)", "1.5", S),
    ("CAST(NUMERIC '100' AS STRING)", "100", S),
    ("CAST(NUMERIC '0.000000001' AS STRING)", "0.000000001", S),
    ("CAST(BIGNUMERIC '1.25' AS STRING)", "1.25", S),
    ("CAST(TRUE AS STRING)", "true", S),
    ("TO_JSON_STRING(1e20)", "1e+20", S),
    ("TO_JSON_STRING(CAST('nan' AS FLOAT64))", '"NaN"', S),
    ("TO_JSON_STRING(CAST('-inf' AS FLOAT64))", '"-Infinity"', S),
    ("TO_JSON_STRING(1.0)", "1", S),
    ("TO_JSON_STRING(1.5)", "1.5", S),
    ("TO_JSON_STRING(9007199254740993)", '"9007199254740993"', S),
    ("TO_JSON_STRING(NUMERIC '1.50')", '"1.5"', S),
    ("TO_JSON_STRING(NUMERIC '2')", "2", S),
    ("TO_JSON_STRING(b'abc')", '"YWJj"', S),
    ("TO_JSON_STRING(STRUCT(1 AS a, [1, 2] AS b, 'x' AS c))", '{"a":1,"b":[1,2],"c":"x"}', S),
    ("TO_JSON_STRING(STRUCT(1.0 AS a, [2.5, 3.0] AS b))", '{"a":1,"b":[2.5,3]}', S),
    ("TO_JSON_STRING(DATE '2020-01-01')", '"2020-01-01"', S),
    (
        "TO_JSON_STRING(STRUCT(NUMERIC '1.5' AS n, NUMERIC '2' AS m, b'abc' AS b, [1e20] AS f, 9007199254740993 AS w))",
        '{"n":"1.5","m":2,"b":"YWJj","f":[1e+20],"w":"9007199254740993"}',
        S,
    ),
    ("TO_JSON_STRING(STRUCT(TIMESTAMP '2024-03-04 05:06:07.1' AS t))", '{"t":"2024-03-04T05:06:07.100Z"}', S),
    ("TO_JSON_STRING('a\"b')", '"a\\"b"', S),
    ("CAST('1.5555555555' AS NUMERIC)", Decimal("1.555555556"), N),
    ("PARSE_NUMERIC('123.45')", Decimal("123.45"), N),
    ("PARSE_NUMERIC('  -  12.34 ')", Decimal("-12.34"), N),
    ("PARSE_NUMERIC('12.34e-1-')", Decimal("-1.234"), N),
    ("PARSE_NUMERIC('.1')", Decimal("0.1"), N),
    ("PARSE_NUMERIC('1.')", Decimal("1"), N),
    ("SAFE.PARSE_NUMERIC('abc')", None, N),
    ("PARSE_BIGNUMERIC('123.45')", Decimal("123.45"), "BIGNUMERIC"),
    ("SAFE_CAST('abc' AS INT64)", None, INT),
    ("SAFE_CAST('1.5' AS FLOAT64)", 1.5, F),
    ("SAFE_CAST('2020-13-01' AS DATE)", None, D),
    ("CAST('true' AS BOOL)", True, B),
    ("CAST('FALSE' AS BOOL)", False, B),
    ("CAST(0 AS BOOL)", False, B),
    ("CAST(5 AS BOOL)", True, B),
    ("SAFE_CAST('yes' AS BOOL)", None, B),
    ("SAFE_CAST(1.0 AS STRING)", "1", S),
    ("CAST('0x123' AS INT64)", 291, INT),
    ("CAST('1e3' AS FLOAT64)", 1000.0, F),
    ("CAST(1.7 AS INT64)", 2, INT),
    ("CAST(-1.5 AS INT64)", -2, INT),
    ("SAFE_CAST(1e19 AS INT64)", None, INT),
    ("CAST('Hello' AS BYTES)", b"Hello", "BYTES"),
    ("CAST('2020-01-01' AS DATE)", dt.date(2020, 1, 1), D),
    ("CAST('12:30:00' AS TIME)", dt.time(12, 30), "TIME"),
    ("CAST(DATE '2020-01-02' AS STRING)", "2020-01-02", S),
    ("CAST(TIMESTAMP '2020-01-02 03:04:05.123' AS STRING)", "2020-01-02 03:04:05.123+00", S),
    ("CAST(DATETIME '2020-01-02 03:04:05' AS STRING)", "2020-01-02 03:04:05", S),
    ("CAST(TIMESTAMP '2020-01-02 03:04:05+05' AS DATE)", dt.date(2020, 1, 1), D),
    ("CAST(NUMERIC '2.5' AS FLOAT64)", 2.5, F),
]

DATES = [
    ("DATE_DIFF(DATE '2010-07-07', DATE '2008-12-25', DAY)", 559, INT),
    ("DATE_DIFF(DATE '2017-10-15', DATE '2017-10-14', WEEK)", 1, INT),
    ("DATE_DIFF(DATE '2017-12-30', DATE '2014-12-30', YEAR)", 3, INT),
    ("DATE_DIFF(DATE '2017-12-30', DATE '2014-12-30', ISOYEAR)", 2, INT),
    ("DATE_DIFF('2017-12-18', '2017-12-17', WEEK)", 0, INT),
    ("DATE_DIFF('2017-12-18', '2017-12-17', WEEK(MONDAY))", 1, INT),
    ("DATE_DIFF('2017-12-18', '2017-12-17', ISOWEEK)", 1, INT),
    ("DATE_DIFF(DATE '2018-01-01', DATE '2017-12-31', MONTH)", 1, INT),
    ("LAST_DAY(DATE '2008-11-25')", dt.date(2008, 11, 30), D),
    ("LAST_DAY(DATE '2008-11-25', YEAR)", dt.date(2008, 12, 31), D),
    ("LAST_DAY(DATE '2008-11-10', WEEK(MONDAY))", dt.date(2008, 11, 16), D),
    ("LAST_DAY(DATE '2008-11-10', WEEK)", dt.date(2008, 11, 15), D),
    ("LAST_DAY(DATE '2008-11-10', QUARTER)", dt.date(2008, 12, 31), D),
    ("DATE_ADD(DATE '2008-12-25', INTERVAL 5 DAY)", dt.date(2008, 12, 30), D),
    ("DATE_ADD(DATE '2008-01-31', INTERVAL 1 MONTH)", dt.date(2008, 2, 29), D),
    ("DATE_ADD(DATE '2008-02-29', INTERVAL 1 YEAR)", dt.date(2009, 2, 28), D),
    ("DATE_SUB(DATE '2008-03-31', INTERVAL 1 MONTH)", dt.date(2008, 2, 29), D),
    ("DATE_ADD(DATE '2008-12-25', INTERVAL 2 WEEK)", dt.date(2009, 1, 8), D),
    ("DATE_ADD(DATE '2008-12-25', INTERVAL 1 QUARTER)", dt.date(2009, 3, 25), D),
    ("DATE '2008-12-25' + 5", dt.date(2008, 12, 30), D),
    ("GENERATE_DATE_ARRAY('2016-10-05', '2016-10-08')", [dt.date(2016, 10, d) for d in (5, 6, 7, 8)], D),
    ("GENERATE_DATE_ARRAY('2016-10-05', '2016-10-09', INTERVAL 2 DAY)", [dt.date(2016, 10, d) for d in (5, 7, 9)], D),
    (
        "GENERATE_DATE_ARRAY('2016-10-05', '2016-10-01', INTERVAL -3 DAY)",
        [dt.date(2016, 10, 5), dt.date(2016, 10, 2)],
        D,
    ),
    ("GENERATE_DATE_ARRAY('2016-10-05', '2016-10-01')", [], D),
    (
        "GENERATE_DATE_ARRAY('2016-01-01', '2016-12-31', INTERVAL 2 MONTH)",
        [dt.date(2016, m, 1) for m in (1, 3, 5, 7, 9, 11)],
        D,
    ),
    (
        "GENERATE_DATE_ARRAY('2016-01-31', '2016-05-31', INTERVAL 1 MONTH)",
        [dt.date(2016, 1, 31), dt.date(2016, 2, 29), dt.date(2016, 3, 31), dt.date(2016, 4, 30), dt.date(2016, 5, 31)],
        D,
    ),
    (
        "GENERATE_TIMESTAMP_ARRAY('2016-10-05 00:00:00', '2016-10-07 00:00:00', INTERVAL 1 DAY)",
        [dt.datetime(2016, 10, d, tzinfo=UTC) for d in (5, 6, 7)],
        "TIMESTAMP",
    ),
    ("DATE(2016, 12, 25)", dt.date(2016, 12, 25), D),
    ("DATE(TIMESTAMP '2016-12-25 05:30:00+07', 'America/Los_Angeles')", dt.date(2016, 12, 24), D),
    ("DATE(DATETIME '2016-12-25 23:59:59')", dt.date(2016, 12, 25), D),
    ("DATE_TRUNC(DATE '2008-12-25', MONTH)", dt.date(2008, 12, 1), D),
    ("DATE_TRUNC(DATE '2017-11-05', WEEK(MONDAY))", dt.date(2017, 10, 30), D),
    ("DATE_TRUNC(DATE '2015-06-15', ISOYEAR)", dt.date(2014, 12, 29), D),
    ("EXTRACT(DAY FROM DATE '2013-12-25')", 25, INT),
    ("EXTRACT(DAYOFWEEK FROM DATE '2013-12-25')", 4, INT),
    ("EXTRACT(ISOWEEK FROM DATE '2005-01-03')", 1, INT),
    ("EXTRACT(MONTH FROM TIMESTAMP '2005-01-03 12:00:00')", 1, INT),
    ("EXTRACT(HOUR FROM TIMESTAMP '2008-12-25 05:30:00+00' AT TIME ZONE 'America/Los_Angeles')", 21, INT),
    ("EXTRACT(DATE FROM TIMESTAMP '2008-12-25 05:30:00+00')", dt.date(2008, 12, 25), D),
    (
        "EXTRACT(DATE FROM TIMESTAMP '2008-12-25 05:30:00+00' AT TIME ZONE 'America/Los_Angeles')",
        dt.date(2008, 12, 24),
        D,
    ),
    ("EXTRACT(TIME FROM TIMESTAMP '2008-12-25 05:30:00+00')", dt.time(5, 30), "TIME"),
    ("EXTRACT(DATETIME FROM TIMESTAMP '2008-12-25 05:30:00+00')", dt.datetime(2008, 12, 25, 5, 30), "DATETIME"),
    ("FORMAT_DATE('%A %B %d %Y', DATE '2008-12-25')", "Thursday December 25 2008", S),
    ("PARSE_DATE('%A %b %e %Y', 'Thursday Dec 25 2008')", dt.date(2008, 12, 25), D),
    ("PARSE_DATE('%Y%m%d', '20081225')", dt.date(2008, 12, 25), D),
    ("UNIX_DATE(DATE '2008-12-25')", 14238, INT),
    ("DATE_FROM_UNIX_DATE(14238)", dt.date(2008, 12, 25), D),
    ("DATETIME(2008, 12, 25, 05, 30, 00)", dt.datetime(2008, 12, 25, 5, 30), "DATETIME"),
    (
        "DATETIME(TIMESTAMP '2008-12-25 05:30:00+00', 'America/Los_Angeles')",
        dt.datetime(2008, 12, 24, 21, 30),
        "DATETIME",
    ),
    ("DATETIME_ADD(DATETIME '2008-12-25 15:30:00', INTERVAL 10 MINUTE)", dt.datetime(2008, 12, 25, 15, 40), "DATETIME"),
    ("DATETIME_DIFF(DATETIME '2010-07-07 10:20:00', DATETIME '2008-12-25 15:30:00', DAY)", 559, INT),
    ("DATETIME_TRUNC(DATETIME '2008-12-25 15:30:00', DAY)", dt.datetime(2008, 12, 25), "DATETIME"),
    ("FORMAT_DATETIME('%c', DATETIME '2008-12-25 15:30:00')", "Thu Dec 25 15:30:00 2008", S),
    (
        "PARSE_DATETIME('%m/%d/%Y %I:%M:%S %p', '8/30/2018 2:23:38 pm')",
        dt.datetime(2018, 8, 30, 14, 23, 38),
        "DATETIME",
    ),
    ("TIME(15, 30, 00)", dt.time(15, 30), "TIME"),
    ("TIME(TIMESTAMP '2008-12-25 15:30:00+08', 'America/Los_Angeles')", dt.time(23, 30), "TIME"),
    ("TIME_ADD(TIME '23:30:00', INTERVAL 60 MINUTE)", dt.time(0, 30), "TIME"),
    ("TIME_SUB(TIME '00:10:00', INTERVAL 20 MINUTE)", dt.time(23, 50), "TIME"),
    ("TIME_DIFF(TIME '15:30:00', TIME '14:35:00', MINUTE)", 55, INT),
    ("TIME_TRUNC(TIME '15:30:00', HOUR)", dt.time(15), "TIME"),
    ("PARSE_TIME('%I:%M:%S %p', '2:23:38 pm')", dt.time(14, 23, 38), "TIME"),
    (
        "TIMESTAMP('2008-12-25 15:30:00', 'America/Los_Angeles')",
        dt.datetime(2008, 12, 25, 23, 30, tzinfo=UTC),
        "TIMESTAMP",
    ),
    ("TIMESTAMP(DATE '2008-12-25')", dt.datetime(2008, 12, 25, tzinfo=UTC), "TIMESTAMP"),
    (
        "TIMESTAMP_ADD(TIMESTAMP '2008-12-25 15:30:00+00', INTERVAL 10 MINUTE)",
        dt.datetime(2008, 12, 25, 15, 40, tzinfo=UTC),
        "TIMESTAMP",
    ),
    ("TIMESTAMP_DIFF(TIMESTAMP '2010-07-07 10:20:00+00', TIMESTAMP '2008-12-25 15:30:00+00', HOUR)", 13410, INT),
    ("TIMESTAMP_DIFF(TIMESTAMP '2018-08-14', TIMESTAMP '2018-10-14', DAY)", -61, INT),
    ("TIMESTAMP_DIFF(TIMESTAMP '2001-02-01 01:00:00', TIMESTAMP '2001-02-01 00:00:01', HOUR)", 0, INT),
    (
        "TIMESTAMP_TRUNC(TIMESTAMP '2008-12-25 15:30:00+00', DAY, 'America/Los_Angeles')",
        dt.datetime(2008, 12, 25, 8, tzinfo=UTC),
        "TIMESTAMP",
    ),
    (
        "TIMESTAMP_TRUNC(TIMESTAMP '2015-06-15 00:00:00+00', ISOYEAR)",
        dt.datetime(2014, 12, 29, tzinfo=UTC),
        "TIMESTAMP",
    ),
    ("UNIX_SECONDS(TIMESTAMP '2008-12-25 15:30:00+00')", 1230219000, INT),
    ("UNIX_MILLIS(TIMESTAMP '2008-12-25 15:30:00+00')", 1230219000000, INT),
    ("TIMESTAMP_SECONDS(1230219000)", dt.datetime(2008, 12, 25, 15, 30, tzinfo=UTC), "TIMESTAMP"),
    ("TIMESTAMP_MILLIS(1230219000000)", dt.datetime(2008, 12, 25, 15, 30, tzinfo=UTC), "TIMESTAMP"),
    ("PARSE_TIMESTAMP('%c', 'Thu Dec 25 07:30:00 2008')", dt.datetime(2008, 12, 25, 7, 30, tzinfo=UTC), "TIMESTAMP"),
    (
        "PARSE_TIMESTAMP('%Y-%m-%d %H:%M:%S', '2008-12-25 07:30:00', 'America/Los_Angeles')",
        dt.datetime(2008, 12, 25, 15, 30, tzinfo=UTC),
        "TIMESTAMP",
    ),
    ("FORMAT_TIMESTAMP('%b %Y %Ez', TIMESTAMP '2050-12-25 15:30:55+00')", "Dec 2050 +00:00", S),
    ("STRING(TIMESTAMP '2008-12-25 15:30:00+00', 'UTC')", "2008-12-25 15:30:00+00", S),
    ("STRING(TIMESTAMP '2008-12-25 15:30:00+00', 'America/Los_Angeles')", "2008-12-25 07:30:00-08", S),
    ("TIMESTAMP '2008-12-25 15:30:00-08:00'", dt.datetime(2008, 12, 25, 23, 30, tzinfo=UTC), "TIMESTAMP"),
]

ARRAYS = [
    ("ARRAY_CONCAT([1, 2], [3, 4], [5, 6])", [1, 2, 3, 4, 5, 6], INT),
    ("ARRAY_LENGTH([1, 2, 3])", 3, INT),
    ("ARRAY_LENGTH(CAST([] AS ARRAY<INT64>))", 0, INT),
    ("ARRAY_REVERSE([1, 2, 3])", [3, 2, 1], INT),
    ("ARRAY_TO_STRING(['a', NULL, 'b'], '--')", "a--b", S),
    ("ARRAY_TO_STRING(['a', NULL, 'b'], '--', 'MISSING')", "a--MISSING--b", S),
    ("ARRAY_TO_STRING(CAST([] AS ARRAY<STRING>), ',')", "", S),
    ("GENERATE_ARRAY(1, 5)", [1, 2, 3, 4, 5], INT),
    ("GENERATE_ARRAY(0, 10, 3)", [0, 3, 6, 9], INT),
    ("GENERATE_ARRAY(10, 0, -3)", [10, 7, 4, 1], INT),
    ("GENERATE_ARRAY(2, 2)", [2], INT),
    ("GENERATE_ARRAY(10, 0)", [], INT),
    ("GENERATE_ARRAY(0, 1, 0.25)", [0.0, 0.25, 0.5, 0.75, 1.0], F),
    ("GENERATE_ARRAY(1.5, 3)", [1.5, 2.5], F),
    ("GENERATE_ARRAY(1, 0, -0.5)", [1.0, 0.5, 0.0], F),
    ("ARRAY(SELECT x * 2 FROM UNNEST([1, 2, 3]) AS x)", [2, 4, 6], INT),
    ("[1, 2, 3][OFFSET(0)]", 1, INT),
    ("[1, 2, 3][SAFE_ORDINAL(4)]", None, INT),
    ("ARRAY_LENGTH(SPLIT('a,b'))", 2, INT),
    ("ARRAY_INCLUDES([1, 2, 3], 2)", True, B),
    ("ARRAY_INCLUDES_ANY([1, 2], [3, 2])", True, B),
    ("ARRAY_INCLUDES_ALL([1, 2], [2, 3])", False, B),
    ("ARRAY_FIRST([1, 2])", 1, INT),
    ("ARRAY_LAST([1, 2])", 2, INT),
    ("ARRAY_SLICE([1, 2, 3, 4, 5], 1, 3)", [2, 3, 4], INT),
    ("ARRAY_SLICE([1, 2, 3, 4, 5], -3, -1)", [3, 4, 5], INT),
    ("ARRAY_CONCAT([1], NULL)", None, INT),
]

AGGREGATES = [
    ("SELECT ARRAY_AGG(x ORDER BY x DESC LIMIT 2) FROM UNNEST([2, 1, 3, 1]) AS x", [3, 2], INT),
    ("SELECT ARRAY_AGG(DISTINCT x ORDER BY x) FROM UNNEST([2, 1, 3, 1]) AS x", [1, 2, 3], INT),
    ("SELECT ARRAY_AGG(x IGNORE NULLS) FROM UNNEST([1, NULL, 2]) AS x", [1, 2], INT),
    ("SELECT COUNT(DISTINCT x) FROM UNNEST([2, 1, 3, 1]) AS x", 3, INT),
    ("SELECT ARRAY_AGG(offset ORDER BY offset) FROM UNNEST(['a', 'b']) WITH OFFSET", [0, 1], INT),
    ("SELECT AVG(x) FROM UNNEST([1, 2, 4, NULL]) AS x", 7 / 3, F),
    ("SELECT SUM(x) FROM UNNEST([1, 2, 4, NULL]) AS x", 7, INT),
    ("SELECT COUNT(x) FROM UNNEST([1, 2, 4, NULL]) AS x", 3, INT),
    ("SELECT COUNT(*) FROM UNNEST([1, 2, 4, NULL]) AS x", 4, INT),
    ("SELECT SUM(x) FROM UNNEST([NUMERIC '1.5', NUMERIC '2']) AS x", Decimal("3.5"), N),
    ("SELECT SUM(x) FROM UNNEST(CAST([] AS ARRAY<INT64>)) AS x", None, INT),
    ("SELECT LOGICAL_AND(x) FROM UNNEST([true, NULL, false]) AS x", False, B),
    ("SELECT LOGICAL_OR(x) FROM UNNEST([true, NULL, false]) AS x", True, B),
    ("SELECT BIT_AND(x) FROM UNNEST([0xF001, 0x00A1]) AS x", 1, INT),
    ("SELECT BIT_OR(x) FROM UNNEST([0xF001, 0x00A1]) AS x", 61601, INT),
    ("SELECT BIT_XOR(x) FROM UNNEST([5678, 1234]) AS x", 4860, INT),
    ("SELECT COUNTIF(x > 1) FROM UNNEST([1, 2, 3]) AS x", 2, INT),
    ("SELECT MAX_BY(x, y) FROM UNNEST([STRUCT(1 AS x, 'b' AS y), STRUCT(2, 'a')])", 1, INT),
    ("SELECT MIN_BY(x, y) FROM UNNEST([STRUCT(1 AS x, 'b' AS y), STRUCT(2, 'a')])", 2, INT),
    ("SELECT STRING_AGG(x) FROM UNNEST(['a', NULL, 'b']) x", "a,b", S),
    (
        "SELECT STRING_AGG(x, ' & ' ORDER BY x DESC) FROM UNNEST(['apple', 'pear', 'banana', 'pear']) x",
        "pear & pear & banana & apple",
        S,
    ),
    (
        "SELECT STRING_AGG(DISTINCT x, ',' ORDER BY x) FROM UNNEST(['apple', 'pear', 'banana', 'pear']) x",
        "apple,banana,pear",
        S,
    ),
    ("SELECT STRING_AGG(x, ',' LIMIT 2) FROM UNNEST(['apple', 'pear', 'banana', 'pear']) x", "apple,pear", S),
    ("SELECT STRING_AGG(x) FROM UNNEST(CAST([] AS ARRAY<STRING>)) x", None, S),
    ("SELECT STDDEV(x) FROM UNNEST([10, 14, 18]) AS x", 4.0, F),
    ("SELECT VARIANCE(x) FROM UNNEST([10, 14, 18]) AS x", 16.0, F),
    ("SELECT VAR_POP(x) FROM UNNEST([10, 14, 18]) AS x", 32 / 3, F),
    ("SELECT STDDEV_SAMP(x) FROM UNNEST([10]) AS x", None, F),
    ("SELECT CORR(x, 2 * x) FROM UNNEST([1, 2, 3]) AS x", 1.0, F),
    ("SELECT APPROX_COUNT_DISTINCT(x) FROM UNNEST([1, 1, 2, 3]) AS x", 3, INT),
]

WINDOWS = [
    (
        "SELECT ARRAY_AGG(IFNULL(l, -9) ORDER BY x) FROM (SELECT x, LAG(x) OVER (ORDER BY x) AS l FROM UNNEST([1, 2, 5]) AS x)",
        [-9, 1, 2],
        INT,
    ),
    (
        "SELECT ARRAY_AGG(l ORDER BY x) FROM (SELECT x, LAG(x, 2, -1) OVER (ORDER BY x) AS l FROM UNNEST([1, 2, 5]) AS x)",
        [-1, -1, 1],
        INT,
    ),
    (
        "SELECT ARRAY_AGG(l ORDER BY x) FROM (SELECT x, LEAD(x, 1, 0) OVER (ORDER BY x) AS l FROM UNNEST([1, 2, 5]) AS x)",
        [2, 5, 0],
        INT,
    ),
    (
        "SELECT ARRAY_AGG(n ORDER BY x) FROM (SELECT x, NTILE(3) OVER (ORDER BY x) AS n FROM UNNEST([1, 2, 3, 4, 5, 6, 7]) AS x)",
        [1, 1, 1, 2, 2, 3, 3],
        INT,
    ),
    (
        "SELECT ARRAY_AGG(r ORDER BY x) FROM (SELECT x, RANK() OVER (ORDER BY x) AS r FROM UNNEST([1, 2, 2, 5]) AS x)",
        [1, 2, 2, 4],
        INT,
    ),
    (
        "SELECT ARRAY_AGG(r ORDER BY x) FROM (SELECT x, DENSE_RANK() OVER (ORDER BY x) AS r FROM UNNEST([1, 2, 2, 5]) AS x)",
        [1, 2, 2, 3],
        INT,
    ),
    (
        "SELECT ARRAY_AGG(r ORDER BY x) FROM (SELECT x, PERCENT_RANK() OVER (ORDER BY x) AS r FROM UNNEST([1, 2, 2, 5, 7]) AS x)",
        [0.0, 0.25, 0.25, 0.75, 1.0],
        F,
    ),
    (
        "SELECT ARRAY_AGG(r ORDER BY x) FROM (SELECT x, CUME_DIST() OVER (ORDER BY x) AS r FROM UNNEST([1, 2, 2, 5, 7]) AS x)",
        [0.2, 0.6, 0.6, 0.8, 1.0],
        F,
    ),
    (
        "SELECT ARRAY_AGG(f ORDER BY o) FROM (SELECT o, FIRST_VALUE(x IGNORE NULLS) OVER (ORDER BY o ROWS BETWEEN "
        "UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS f FROM UNNEST([NULL, 3, NULL, 4]) AS x WITH OFFSET o)",
        [3, 3, 3, 3],
        INT,
    ),
    (
        "SELECT ARRAY_AGG(f ORDER BY o) FROM (SELECT o, LAST_VALUE(x IGNORE NULLS) OVER (ORDER BY o ROWS BETWEEN "
        "UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS f FROM UNNEST([NULL, 3, NULL, 4]) AS x WITH OFFSET o)",
        [4, 4, 4, 4],
        INT,
    ),
    ("SELECT PERCENTILE_CONT(x, 0.5) OVER () FROM UNNEST([0, 3, NULL, 1, 2]) AS x LIMIT 1", 1.5, F),
    ("SELECT PERCENTILE_DISC(x, 0.5) OVER () FROM UNNEST([0, 3, NULL, 1, 2]) AS x LIMIT 1", 1, INT),
    ("SELECT PERCENTILE_CONT(x, 1) OVER () FROM UNNEST([0, 3, NULL, 1, 2]) AS x LIMIT 1", 3.0, F),
    (
        "SELECT ARRAY_AGG(s ORDER BY x) FROM (SELECT x, SUM(x) OVER (ORDER BY x) AS s FROM UNNEST([1, 2, 2, 3]) AS x)",
        [1, 5, 5, 8],
        INT,
    ),
]

JSONS = [
    ('JSON_VALUE(\'{"name": "Jakob", "age": "6"}\', \'$.name\')', "Jakob", S),
    ("JSON_VALUE('{\"a\": {\"b\": 1}}', '$.a')", None, S),
    ("JSON_QUERY('{\"a\": {\"b\": 1}}', '$.a')", '{"b":1}', S),
    ("JSON_EXTRACT_SCALAR('{\"a\": true}', '$.a')", "true", S),
    ("JSON_EXTRACT('{\"a\": \"x\"}', '$.a')", '"x"', S),
    ("JSON_EXTRACT_SCALAR('{\"a\": {\"b\": 1}}', '$.a')", None, S),
    ('JSON_VALUE_ARRAY(\'{"fruits": ["apples", "oranges"]}\', \'$.fruits\')', ["apples", "oranges"], S),
    ("JSON_QUERY_ARRAY('[1, [2], {\"a\": 3}]')", ["1", "[2]", '{"a":3}'], S),
    ("JSON_VALUE('{\"a\": [1, 2]}', '$.a[1]')", "2", S),
    ("JSON_VALUE('{\"a\": null}', '$.a')", None, S),
    ("JSON_VALUE(JSON '{\"a\": 10}', '$.a')", "10", S),
    ("JSON_TYPE(JSON '{\"a\": [1]}')", "object", S),
    ("INT64(JSON '2005')", 2005, INT),
    ("BOOL(JSON 'true')", True, B),
    ("STRING(JSON '\"purple\"')", "purple", S),
    ("LAX_INT64(JSON '\"10\"')", 10, INT),
    ("TO_JSON_STRING(JSON '{\"a\": [1, 2]}')", '{"a":[1,2]}', S),
    ("TO_JSON(STRUCT(1 AS a))", '{"a":1}', "JSON"),
    ("JSON_TYPE(TO_JSON(1))", "number", S),
]

OPERATORS = [
    ("1 IN (1, NULL)", True, B),
    ("2 IN (1, NULL)", None, B),
    ("NULL IN (1)", None, B),
    ("1 BETWEEN 0 AND 2", True, B),
    ("'abc' LIKE 'a%'", True, B),
    ("1 IS DISTINCT FROM NULL", True, B),
    ("NULL IS NOT DISTINCT FROM NULL", True, B),
    ("TRUE AND NULL", None, B),
    ("FALSE AND NULL", False, B),
    ("TRUE OR NULL", True, B),
    ("'b' IN UNNEST(['a', 'b'])", True, B),
    ("0xF0 & 0x0F", 0, INT),
    ("0xF0 | 0x0F", 255, INT),
    ("0xF0 ^ 0xFF", 15, INT),
    ("~1", -2, INT),
    ("1 << 4", 16, INT),
    ("256 >> 4", 16, INT),
    ("BIT_COUNT(7)", 3, INT),
    ("BIT_COUNT(-1)", 64, INT),
    ("1 << 40", 1099511627776, INT),
    ("IF(1 > 0, 'a', 'b')", "a", S),
    ("IFNULL(NULL, 0)", 0, INT),
    ("NULLIF(0, 0)", None, INT),
    ("COALESCE(NULL, 1, 2)", 1, INT),
    ("CASE 1 WHEN 1 THEN 'one' END", "one", S),
    ("TO_HEX(MD5(''))", "d41d8cd98f00b204e9800998ecf8427e", S),
    ("TO_HEX(SHA1('abc'))", "a9993e364706816aba3e25717850c26c9cd0d89d", S),
    ("FARM_FINGERPRINT('foo')", 6150913649986995171, INT),
    ("STRUCT(1 AS a, 'x' AS b).a", 1, INT),
    ("LENGTH(GENERATE_UUID())", 36, INT),
]

FAMILIES = {
    "string": STRINGS,
    "math": MATH,
    "conversion": CONVERSIONS,
    "date": DATES,
    "array": ARRAYS,
    "aggregate": AGGREGATES,
    "window": WINDOWS,
    "json": JSONS,
    "operator": OPERATORS,
}

# Documented refusals and BigQuery's errors: (query, fragment of the one-line error)
ERRORS = [
    ("SELECT SQRT(-1)", "Floating point error in function: SQRT"),
    ("SELECT LN(0)", "Floating point error in function: LN"),
    ("SELECT POW(-2, 0.5)", "Floating point error in function: POW"),
    ("SELECT SUBSTR('foo', 1, -1)", "SUBSTR() cannot be negative"),
    ("SELECT REPEAT('a', -1)", "REPEAT() cannot be negative"),
    ("SELECT PARSE_NUMERIC('-12.34-')", "Invalid NUMERIC value"),
    ("SELECT RANGE_BUCKET(1, [0, NULL])", "cannot be null"),
    # served where the query text shows the type (test_misc_differences_3.py); refused where not
    ("SELECT FORMAT('%t', s) FROM (SELECT STRUCT(1 AS a) AS s)", "FORMAT %t of a STRUCT"),
    ("SELECT FORMAT('%T', x) FROM (SELECT ['a'] AS x)", "FORMAT %T of a STRUCT or of an ARRAY"),
    ("SELECT TO_JSON_STRING(STRUCT(INTERVAL 1 DAY AS i))", "TO_JSON_STRING of a INTERVAL inside a STRUCT"),
    ("SELECT 9223372036854775807 * 2", "Overflow"),
    ("SELECT CAST('9223372036854775808' AS INT64)", "INT64"),
    ("SELECT [1, 2][OFFSET(5)]", "out of bounds"),
    ("SELECT 1 / 0", "division by zero"),
    ("SELECT GENERATE_ARRAY(0, 1, 0.0)", "step cannot be 0"),
    ("SELECT CAST('yes' AS BOOL)", "Bad bool value: yes"),
    ("SELECT CAST(b'\\xc2' AS STRING)", "UTF8"),
    ("SELECT ARRAY_FIRST(CAST([] AS ARRAY<INT64>))", "empty array"),
]


ROWS = [
    pytest.param(as_query(q), want, typ, id=f"{name}-{i}")
    for name, rows in FAMILIES.items()
    for i, (q, want, typ) in enumerate(rows)
]


def _same(got, want) -> bool:
    if isinstance(want, str) and isinstance(got, dict):  # the client reads a JSON value
        return json.loads(want) == got
    if isinstance(want, float) and isinstance(got, float):
        return got == want or (math.isnan(got) and math.isnan(want)) or math.isclose(got, want, rel_tol=1e-12)
    if isinstance(want, list) and isinstance(got, list):
        return len(got) == len(want) and all(_same(g, w) for g, w in zip(got, want, strict=True))
    return type(got) is type(want) and got == want if isinstance(want, bool) else got == want


@pytest.mark.parametrize("sql, want, typ", ROWS)
def test_local_warehouse(warehouse, sql, want, typ):
    got, kind = single_value(warehouse, sql)
    assert _same(got, want), got
    assert same_type(kind, typ), kind


@pytest.mark.parametrize("family", list(FAMILIES))
def test_bigquery_client(bigquery_client, family):
    """Each family's rows as the columns of one query (or one query per row that has a FROM)."""
    for sql, cases in client_queries(FAMILIES[family]):
        result = bigquery_client.query_and_wait(sql)
        values = list(next(iter(result)).values())
        for (q, want, typ), got, field in zip(cases, values, result.schema, strict=True):
            if want is None and field.mode == "REPEATED":
                want = []  # BigQuery returns a NULL array as an empty one
            assert _same(got, want), (q, got)
            assert same_type(field.field_type, typ), (q, field.field_type)


NAMES = (
    "SELECT STRUCT(1 AS a, 'x' AS b).a, [STRUCT(2 AS c)][OFFSET(0)].c, 3, s.d, 4 FROM (SELECT STRUCT(5 AS d) AS s)",
    ["a", "c", "f0_", "d", "f1_"],
)


SUBQUERY_NAMES = (
    "SELECT 5, * FROM (SELECT 1 AS a, 2) CROSS JOIN (WITH t AS (SELECT 3, 'x' AS b) SELECT * FROM t) "
    "CROSS JOIN UNNEST([7]) WITH OFFSET",
    ["f0_", "a", "f1_", "f2_", "b", "f3_", "offset"],
)


def test_subquery_column_names_local_warehouse(warehouse):
    """A subquery's unnamed columns reach the result as f<i>_, as BigQuery's $colN do."""
    assert [f["name"] for f in warehouse.query_result(SUBQUERY_NAMES[0]).schema] == SUBQUERY_NAMES[1]


def test_subquery_column_names_bigquery_client(bigquery_client):
    from google.cloud import bigquery

    assert [f.name for f in bigquery_client.query_and_wait(SUBQUERY_NAMES[0]).schema] == SUBQUERY_NAMES[1]
    dry = bigquery_client.query(SUBQUERY_NAMES[0], job_config=bigquery.QueryJobConfig(dry_run=True))
    assert [f.name for f in dry.schema] == SUBQUERY_NAMES[1]


def test_column_names_local_warehouse(warehouse):
    assert [f["name"] for f in warehouse.query_result(NAMES[0]).schema] == NAMES[1]


def test_column_names_bigquery_client(bigquery_client):
    assert [f.name for f in bigquery_client.query_and_wait(NAMES[0]).schema] == NAMES[1]


@pytest.mark.parametrize("sql, fragment", ERRORS)
def test_errors_local_warehouse(warehouse, sql, fragment):
    assert_fails_locally(warehouse, sql, fragment)


@pytest.mark.parametrize("sql, fragment", ERRORS)
def test_errors_bigquery_client(bigquery_client, sql, fragment):
    assert_fails_through_client(bigquery_client, sql, fragment)
