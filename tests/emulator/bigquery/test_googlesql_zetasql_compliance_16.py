"""GoogleSQL the fifteenth ZetaSQL compliance sweep found answered or refused differently from
BigQuery:

- `CAST(x AS BIGNUMERIC(P, S))` answered x unrounded and unbounded (the engine's BIGNUMERIC dropped
  P and S; `CAST(BIGNUMERIC '0.12345' AS BIGNUMERIC(2, 2))` was 0.12345, BigQuery's 0.12), also as
  an ARRAY's element or a STRUCT's field type;
- an INT64 SUM or COUNT inside a STRUCT or an ARRAY (`STRUCT(SUM(x) AS s)`, `ARRAY_AGG(STRUCT(d,
  total))` over a subquery's sums) came back as DuckDB's 128-bit integer, an Arrow decimal (a
  Python Decimal, `"3"` in `llmops sql --json`) where the schema says INT64;
- a STRING(L) or BYTES(L) field of a STRUCT cast (`CAST(s AS STRUCT<x STRING(4)>)`) was not
  checked: a longer value came back as it was (a BYTES(L) field was DuckDB's `Type "BLOB" does not
  take any type parameters`).

Each row is our own query with the answer (or the error) Google's GoogleSQL reference gives, run on
the local warehouse and through the real BigQuery client against the emulator.
"""

from __future__ import annotations

from decimal import Decimal

import pyarrow as pa
import pytest
from googlesql_cases import (
    assert_fails_locally,
    assert_fails_through_client,
    case_params,
    check_locally,
    check_through_client,
)

BIG, STR, BYTES = "BIGNUMERIC", "STRING", "BYTES"

# "Parameterized data types": BIGNUMERIC(P, S) rounds to S decimals (half away from zero) and
# holds P digits, as NUMERIC(P, S) does
BIGNUMERIC_PARAMS = [
    ("CAST(BIGNUMERIC '0.12345' AS BIGNUMERIC(2, 2))", Decimal("0.12"), BIG),
    ("CAST(BIGNUMERIC '-0.125' AS BIGNUMERIC(3, 2))", Decimal("-0.13"), BIG),
    ("CAST(BIGNUMERIC '2.5' AS BIGNUMERIC(1))", Decimal("3"), BIG),
    (
        "CAST(BIGNUMERIC '12345678901234567890.123456789' AS BIGNUMERIC(50, 30))",
        Decimal("12345678901234567890.123456789"),
        BIG,
    ),
    ("SAFE_CAST(BIGNUMERIC '123.4' AS BIGNUMERIC(2, 1))", None, BIG),
    ("CAST([BIGNUMERIC '1.25', BIGNUMERIC '-1.25'] AS ARRAY<BIGNUMERIC(3, 1)>)[OFFSET(1)]", Decimal("-1.3"), BIG),
    ("CAST(STRUCT(BIGNUMERIC '0.125' AS x) AS STRUCT<x BIGNUMERIC(3, 2)>).x", Decimal("0.13"), BIG),
    (
        "SELECT SUM(v.b) FROM UNNEST(CAST([(BIGNUMERIC '0.12345', 'hey'), (BIGNUMERIC '0.9876', 'hi')] "
        "AS ARRAY<STRUCT<b BIGNUMERIC(2, 2), s STRING(4)>>)) AS v",
        Decimal("1.11"),
        BIG,
    ),
]

# STRING(L) / BYTES(L) as a STRUCT's field type
STRUCT_LENGTHS = [
    ("CAST(STRUCT(b'hello' AS b) AS STRUCT<b BYTES(5)>).b", b"hello", BYTES),
    ("CAST(STRUCT('hey' AS s, 2 AS n) AS STRUCT<s STRING(4), n INT64>).s", "hey", STR),
    ("SAFE_CAST(STRUCT('abc' AS a, 1 AS b) AS STRUCT<a STRING(2), b INT64>) IS NULL", True, "BOOL"),
    ("SAFE_CAST(STRUCT('ab' AS a, 1 AS b) AS STRUCT<a STRING(2), b INT64>).a", "ab", STR),
]

FAMILIES = {
    "bignumeric_params": BIGNUMERIC_PARAMS,
    "struct_lengths": STRUCT_LENGTHS,
}
ROWS = case_params(FAMILIES)

REFUSED = [
    pytest.param(
        "SELECT CAST(STRUCT('heyyy' AS s) AS STRUCT<s STRING(4)>)",
        "STRING(4) has maximum length 4 but got a value with length 5",
        id="struct_string_too_long",
    ),
    pytest.param(
        "SELECT CAST((b'hey', 2) AS STRUCT<BYTES(2), INT64>)",
        "BYTES(2) has maximum length 2 but got a value with length 3",
        id="struct_bytes_too_long",
    ),
    pytest.param(
        "SELECT CAST(([(1, 'abcd')], 'x') AS STRUCT<a ARRAY<STRUCT<INT64, STRING(3)>>, b STRING(1)>)",
        "STRING(3) has maximum length 3 but got a value with length 4",
        id="nested_string_too_long",
    ),
    pytest.param(
        "SELECT CAST(1e25 AS BIGNUMERIC(40, 2))",
        "is not supported by the local warehouse",
        id="bignumeric_params_beyond_local_digits",
    ),
    pytest.param(
        "SELECT CAST(BIGNUMERIC '123.4' AS BIGNUMERIC(2, 1))",
        "out of range",
        id="bignumeric_out_of_range",
    ),
]


@pytest.mark.parametrize("sql, want, typ", ROWS)
def test_local_warehouse(warehouse, sql, want, typ):
    check_locally(warehouse, sql, want, typ)


@pytest.mark.parametrize("family", list(FAMILIES))
def test_bigquery_client(bigquery_client, family):
    check_through_client(bigquery_client, FAMILIES[family])


@pytest.mark.parametrize("sql, fragment", REFUSED)
def test_refused_locally(warehouse, sql, fragment):
    assert_fails_locally(warehouse, sql, fragment)


@pytest.mark.parametrize("sql, fragment", REFUSED)
def test_refused_through_client(bigquery_client, sql, fragment):
    assert_fails_through_client(bigquery_client, sql, fragment)


# SUM / COUNT of INT64 inside a STRUCT or an ARRAY: INT64 values (Arrow int64), as at the top level
_SUMS = (
    "SELECT STRUCT(SUM(x) AS s, COUNT(*) AS c) AS v, [SUM(x)] AS w, "
    "(SELECT ARRAY_AGG(STRUCT(d, t) ORDER BY d) FROM (SELECT x AS d, SUM(x) AS t FROM UNNEST([4, 4, 5]) AS x GROUP BY x)) AS g "
    "FROM UNNEST([1, 2]) AS x"
)
_SUM_ROWS = [{"v": {"s": 3, "c": 2}, "w": [3], "g": [{"d": 4, "t": 8}, {"d": 5, "t": 5}]}]
_SUM_TYPES = {
    "v": pa.struct([("s", pa.int64()), ("c", pa.int64())]),
    "w": pa.list_(pa.int64()),
    "g": pa.list_(pa.struct([("d", pa.int64()), ("t", pa.int64())])),
}


def _ints(value) -> bool:
    """Whether every number in a row value is a Python int (a Decimal equals an int too)."""
    if isinstance(value, dict):
        return all(_ints(v) for v in value.values())
    if isinstance(value, list):
        return all(_ints(v) for v in value)
    return type(value) is int


def test_nested_int64_sums_locally(warehouse):
    table = warehouse.query(_SUMS)
    assert table.to_pylist() == _SUM_ROWS
    assert _ints(table.to_pylist())
    for name, want in _SUM_TYPES.items():
        assert table.schema.field(name).type.equals(want), (name, table.schema.field(name).type)


def test_nested_int64_sums_through_client(bigquery_client, bigquery_read_client):
    job = bigquery_client.query(_SUMS)
    rows = [dict(r.items()) for r in job.result()]
    assert rows == _SUM_ROWS and _ints(rows)
    arrow = bigquery_client.list_rows(job.destination).to_arrow(bqstorage_client=bigquery_read_client)
    assert arrow.to_pylist() == _SUM_ROWS and _ints(arrow.to_pylist())
    assert "decimal" not in str(arrow.schema), arrow.schema
