"""GoogleSQL that a second outside sweep found answered wrongly or failing: each row our own
query with the result Google's reference documents. Every row runs through the local warehouse
(`llmops sql`'s path); each family runs as one query through the real BigQuery client against the
emulator.
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from googlesql_cases import same_type, single_value

INT, S = "INTEGER", "STRING"
_DOC = '(SELECT JSON \'{"n": [10, [20, 30]], "m": {"k": ["x", "y"]}}\' AS doc, STRUCT([5, 6] AS arr) AS s)'

# (query, BigQuery's documented result, its type or None)
JSON_SUBSCRIPTS = [
    ("SELECT JSON '{\"a\": [10, 20]}'.a[0]", "10", "JSON"),
    ('SELECT JSON \'{"a": {"b": [10, 20]}}\'.a.b[1]', "20", "JSON"),
    (f"SELECT doc.n[0] FROM {_DOC}", "10", "JSON"),
    (f"SELECT doc.n[1][0] FROM {_DOC}", "20", "JSON"),
    (f"SELECT doc.m.k[1] FROM {_DOC}", '"y"', "JSON"),
    (f"SELECT t.doc.n[0] FROM {_DOC} AS t", "10", "JSON"),
    (f"SELECT s.arr[0] FROM {_DOC}", 5, INT),
    (f"SELECT t.s.arr[1] FROM {_DOC} AS t", 6, INT),
    # a repeated key keeps its first value
    ("SELECT JSON_OBJECT('a', 10, 'b', 1, 'a', 'foo')['a']", "10", "JSON"),
    ("SELECT TO_JSON_STRING(JSON_OBJECT('a', 10, 'a', 'foo'))", '{"a":10}', S),
]

NAMES = [
    ("SELECT regexp FROM (SELECT 'b' AS regexp)", "b", S),
    (
        "SELECT REGEXP_CONTAINS(x, regexp) FROM (SELECT 'abc' AS x, 'b' AS regexp) WHERE regexp IS NOT NULL",
        True,
        "BOOLEAN",
    ),
    ("SELECT 'regexp'", "regexp", S),
]

WEEK_DIFFS = [
    # 2024-01-06 is a Saturday, 2024-01-14 a Sunday
    ("SELECT TIMESTAMP_DIFF(DATETIME '2024-01-14 00:00:00', DATETIME '2024-01-06 00:00:00', WEEK(SUNDAY))", 2, INT),
    ("SELECT TIMESTAMP_DIFF(DATETIME '2024-01-14 00:00:00', DATETIME '2024-01-06 00:00:00', WEEK(MONDAY))", 1, INT),
    ("SELECT TIMESTAMP_DIFF(DATETIME '2024-03-01 00:00:00', DATETIME '2024-01-31 00:00:00', MONTH)", 2, INT),
    ("SELECT DATE_DIFF(DATE '2024-01-14', DATE '2024-01-06', WEEK(SUNDAY))", 2, INT),
    ("SELECT DATE_DIFF(DATE '2024-01-14', DATE '2024-01-06', WEEK(SATURDAY))", 1, INT),
    ("SELECT DATE_DIFF(DATE '2024-01-14', DATE '2024-01-06', WEEK(MONDAY))", 1, INT),
    ("SELECT DATETIME_DIFF(DATETIME '2024-01-14 00:00:00', DATETIME '2024-01-06 00:00:00', WEEK(FRIDAY))", 1, INT),
    ("SELECT TIMESTAMP_DIFF(TIMESTAMP '2024-01-14 00:00:00', TIMESTAMP '2024-01-06 00:00:00', DAY)", 8, INT),
]

BAD_ARGUMENTS = [
    ("SELECT SAFE.LEFT('apple', -1)", None, S),
    ("SELECT SAFE.RIGHT(s, n) FROM (SELECT 'apple' AS s, -2 AS n)", None, S),
    ("SELECT LEFT(s, n) FROM (SELECT 'apple' AS s, 2 AS n)", "ap", S),
    ("SELECT RIGHT(b'apple', 2)", b"le", "BYTES"),
    ("SELECT SAFE.COT(0)", None, "FLOAT"),
    ("SELECT SAFE.LPAD('abc', -15)", None, S),
    ("SELECT RPAD(s, n, '-') FROM (SELECT 'abc' AS s, 5 AS n)", "abc--", S),
    ("SELECT LPAD(b'abc', 5)", b"  abc", "BYTES"),
    ("SELECT SAFE.GENERATE_ARRAY(1, 5, 0)", [], INT),
    ("SELECT GENERATE_ARRAY(1, 5, s) FROM (SELECT 2 AS s)", [1, 3, 5], INT),
]

BIGNUMERICS = [
    ("SELECT CAST('1.111111111111111111' AS BIGNUMERIC)", Decimal("1.111111111111111111"), "BIGNUMERIC"),
    ("SELECT BIGNUMERIC '0.123456789012345678'", Decimal("0.123456789012345678"), "BIGNUMERIC"),
    ("SELECT CAST([0.5] AS ARRAY<BIGNUMERIC>)[OFFSET(0)] + BIGNUMERIC '0.000001'", Decimal("0.500001"), "BIGNUMERIC"),
]

_NAN = "CAST('nan' AS FLOAT64)"
NAN_MINIMUMS = [
    # MIN is NaN when a NaN is among its values (MAX already was); else the least value
    (f"SELECT IS_NAN(MIN(x)) FROM UNNEST([1.0, {_NAN}, CAST('-inf' AS FLOAT64)]) AS x", True, "BOOLEAN"),
    ("SELECT MIN(x) FROM UNNEST([2.5, -1.0]) AS x", -1.0, "FLOAT"),
    (
        f"SELECT ARRAY_AGG(IS_NAN(m) ORDER BY k) FROM (SELECT k, MIN(v) AS m "
        f"FROM UNNEST([STRUCT(1 AS k, 2.5 AS v), (1, {_NAN}), (2, 3.0)]) GROUP BY k)",
        [True, False],
        "BOOLEAN",
    ),
    (
        f"SELECT COUNTIF(IS_NAN(m)) FROM (SELECT MIN(v) OVER (PARTITION BY k) AS m "
        f"FROM UNNEST([STRUCT(1 AS k, 2.5 AS v), (1, {_NAN}), (2, 3.0)]))",
        2,
        INT,
    ),
]

FAMILIES = {
    "json_subscripts": JSON_SUBSCRIPTS,
    "names": NAMES,
    "week_diffs": WEEK_DIFFS,
    "bad_arguments": BAD_ARGUMENTS,
    "bignumeric": BIGNUMERICS,
    "nan_minimums": NAN_MINIMUMS,
}

ROWS = [
    pytest.param(q, want, typ, id=f"{name}-{i}")
    for name, rows in FAMILIES.items()
    for i, (q, want, typ) in enumerate(rows)
]

# LEFT/RIGHT of a negative length and COT of 0 fail in BigQuery (SAFE.: NULL)
FAILING = [
    ("SELECT LEFT('apple', -1)", "LEFT: the length must not be negative"),
    ("SELECT RIGHT(s, n) FROM (SELECT 'apple' AS s, -1 AS n)", "RIGHT: the length must not be negative"),
    ("SELECT COT(x) FROM (SELECT 0.0 AS x)", "COT: division by zero"),
    ("SELECT LPAD('abc', -15)", "LPAD: the length must not be negative"),
    ("SELECT GENERATE_ARRAY(1, 5, s) FROM (SELECT 0 AS s)", "GENERATE_ARRAY: the step must not be 0"),
]
# a TIMESTAMP has no calendar weeks or months to count in TIMESTAMP_DIFF: BigQuery fails the query
FAILING += [
    (q, "TIMESTAMP_DIFF does not support")
    for q in [
        "SELECT TIMESTAMP_DIFF(TIMESTAMP '2024-01-14', TIMESTAMP '2024-01-06', WEEK)",
        "SELECT TIMESTAMP_DIFF(TIMESTAMP '2024-01-14', TIMESTAMP '2024-01-06', WEEK(SUNDAY))",
        "SELECT TIMESTAMP_DIFF(TIMESTAMP '2024-03-14', TIMESTAMP '2024-01-06', MONTH)",
    ]
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


@pytest.mark.parametrize("sql, message", FAILING)
def test_local_warehouse_fails(warehouse, sql, message):
    from llmops.core.errors import LlmopsError

    with pytest.raises(LlmopsError, match=message):
        warehouse.query_result(sql)


def _as_select(rows):
    """One query whose columns are the rows' scalar subqueries."""
    return "SELECT " + ", ".join(f"({q}) AS c{i}" for i, (q, _, _) in enumerate(rows))


@pytest.mark.parametrize("family", list(FAMILIES))
def test_bigquery_client(bigquery_client, family):
    rows = FAMILIES[family]
    result = bigquery_client.query_and_wait(_as_select(rows))
    values = list(next(iter(result)).values())
    for (q, want, typ), got, field in zip(rows, values, result.schema, strict=True):
        if field.field_type == "JSON":
            want = json.loads(want)  # the client reads the JSON value
        assert _same(got, want), (q, got)
        assert same_type(field.field_type, typ), (q, field.field_type)


def test_bigquery_client_fails(bigquery_client):
    from google.api_core.exceptions import BadRequest

    for sql, message in (FAILING[0], FAILING[-2]):
        with pytest.raises(BadRequest, match=message):
            bigquery_client.query_and_wait(sql)
