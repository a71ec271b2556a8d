"""Numeric results of the wrong type, fixed: each value and its type as BigQuery gives them, on
the local warehouse and through the real BigQuery client against the emulator (the client's
Python type too: a NUMERIC is a `decimal.Decimal`, a FLOAT64 a `float`).

- A FLOAT64 literal operand of `+ - * /`, DIV, MOD, SAFE_DIVIDE or a comparison beside a NUMERIC
  (BIGNUMERIC) value is coerced to that type (conversion_rules, "Literal coercion"; ZetaSQL's
  analyzer tests type `numeric / 1.0` and `1.0 / numeric` NUMERIC, `bignumeric + 1.0`
  BIGNUMERIC; sqlalchemy-bigquery's compliance suite expects `5.52 / CAST(2.4 AS NUMERIC)` to be
  a Decimal). The result was a FLOAT64.
- TRUNC and IEEE_DIVIDE are FLOAT64 (of a FLOAT64 or INT64): `CONCAT(TRUNC(-2.7), '!')` wrote
  DuckDB's `-2.0!` (BigQuery `-2!`).
- AVG and `/` of a NUMERIC computed by a call the translator rewrites (TRUNC, ROUND, SIGN, MOD,
  an OFFSET subscript) or of an ARRAY whose FLOAT64 literal takes NUMERIC from an expression were
  FLOAT64 (or the error "inferred a wrong argument type").
"""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest

N, BN, F, S, B = "NUMERIC", "BIGNUMERIC", "FLOAT64", "STRING", "BOOL"

# the table `t` of each case: n NUMERIC 2.5, b BIGNUMERIC 1.25, f FLOAT64 1.5, i INT64 3
TABLE = "SELECT NUMERIC '2.5' AS n, BIGNUMERIC '1.25' AS b, 1.5 AS f, 3 AS i"

LITERAL_OPERANDS = [
    ("SELECT 5.52 / CAST(2.4 AS NUMERIC)", Decimal("2.3"), N),
    ("SELECT NUMERIC '1.5' + 0.1", Decimal("1.6"), N),
    ("SELECT 1e2 + NUMERIC '1'", Decimal("101"), N),
    ("SELECT -0.25 * NUMERIC '4'", Decimal("-1"), N),
    ("SELECT NUMERIC '12345678901234567.1' + 0.1", Decimal("12345678901234567.2"), N),
    ("SELECT BIGNUMERIC '1.25' + 0.5", Decimal("1.75"), BN),
    ("SELECT n - 0.1 FROM t", Decimal("2.4"), N),
    ("SELECT 0.1 + n FROM t", Decimal("2.6"), N),
    ("SELECT n * 1.5 FROM t", Decimal("3.75"), N),
    ("SELECT n / 2.0 FROM t", Decimal("1.25"), N),
    ("SELECT (n + 1) - 0.1 FROM t", Decimal("3.4"), N),
    ("SELECT SUM(n) - 0.1 FROM t", Decimal("2.4"), N),
    ("SELECT b + 0.5 FROM t", Decimal("1.75"), BN),
    ("SELECT AVG(n - 0.1) FROM t", Decimal("2.4"), N),
    ("SELECT MOD(n, 1.5) FROM t", Decimal("1"), N),
    ("SELECT DIV(n, 1.5) FROM t", Decimal("1"), N),
    ("SELECT SAFE_DIVIDE(n, 0.5) FROM t", Decimal("5"), N),
    # compared as NUMERICs: as doubles both sides were 12345678901234568
    ("SELECT NUMERIC '12345678901234567.1' IN (12345678901234567.0)", False, B),
    ("SELECT NUMERIC '12345678901234567.1' > 12345678901234567.0", True, B),
    # beside a FLOAT64 or INT64 value the literal stays FLOAT64
    ("SELECT f + 0.5 FROM t", 2.0, F),
    ("SELECT i + 0.5 FROM t", 3.5, F),
    ("SELECT CAST(1.5 AS FLOAT64) + NUMERIC '1'", 2.5, F),
]

FLOAT_RESULTS = [
    ("SELECT CONCAT(TRUNC(-2.7), '!')", "-2!", S),
    ("SELECT CONCAT(TRUNC(2.7, 0), '!')", "2!", S),
    ("SELECT CONCAT(IEEE_DIVIDE(4, 2), '!')", "2!", S),
    ("SELECT CONCAT(TRUNC(f), '!') FROM t", "1!", S),
    ("SELECT CONCAT(TRUNC(i), '!') FROM t", "3!", S),
    ("SELECT CONCAT(IEEE_DIVIDE(i, 1), '!') FROM t", "3!", S),
]

NUMERIC_EXPRESSIONS = [
    ("SELECT AVG(TRUNC(n)) FROM t", Decimal("2"), N),
    ("SELECT AVG(ROUND(n, 1)) FROM t", Decimal("2.5"), N),
    ("SELECT AVG(SIGN(n)) FROM t", Decimal("1"), N),
    ("SELECT AVG(MOD(n, 2)) FROM t", Decimal("0.5"), N),
    ("SELECT TRUNC(n) / 4 FROM t", Decimal("0.5"), N),
    ("SELECT [NUMERIC '3'][OFFSET(0)] / 2", Decimal("1.5"), N),
    ("SELECT AVG(v) FROM UNNEST([COALESCE(NUMERIC '1', 1), 2.5]) AS v", Decimal("1.75"), N),
]

CASES = [
    pytest.param(sql, want, typ, id=f"{name}-{i}")
    for name, rows in (
        ("literal-operands", LITERAL_OPERANDS),
        ("float-results", FLOAT_RESULTS),
        ("numeric-expressions", NUMERIC_EXPRESSIONS),
    )
    for i, (sql, want, typ) in enumerate(rows)
]

_PYTHON_TYPES = {N: Decimal, BN: Decimal, F: float, S: str, B: bool}
_LOCAL_TYPES = {"FLOAT": F, "BOOLEAN": B}


def _in(dataset: str, sql: str) -> str:
    return sql.replace(" FROM t", f" FROM {dataset}.t")


@pytest.fixture(scope="module")
def local_dataset(warehouse):
    ds = f"lit_{uuid.uuid4().hex[:8]}"
    warehouse.query_result(f"CREATE SCHEMA {ds}")
    warehouse.query_result(f"CREATE TABLE {ds}.t AS {TABLE}")
    return ds


@pytest.fixture(scope="module")
def client_dataset(bigquery_client):
    ds = f"lit_{uuid.uuid4().hex[:8]}"
    bigquery_client.create_dataset(ds)
    bigquery_client.query_and_wait(f"CREATE TABLE {ds}.t AS {TABLE}")
    yield ds
    bigquery_client.delete_dataset(ds, delete_contents=True, not_found_ok=True)


def _same(got, want, typ: str) -> bool:
    return type(got) is _PYTHON_TYPES[typ] and got == want


@pytest.mark.parametrize("sql, want, typ", CASES)
def test_locally(warehouse, local_dataset, sql, want, typ):
    result = warehouse.query_result(_in(local_dataset, sql))
    [row] = [list(r.values()) for r in result.table.to_pylist()]
    kind = result.schema[0]["type"]
    assert _LOCAL_TYPES.get(kind, kind) == typ, kind
    assert _same(row[0], want, typ), row[0]


@pytest.mark.parametrize("sql, want, typ", CASES)
def test_through_client(bigquery_client, client_dataset, sql, want, typ):
    result = bigquery_client.query_and_wait(_in(client_dataset, sql))
    [row] = list(result)
    field = result.schema[0].field_type
    assert _LOCAL_TYPES.get(field, field) == typ, field
    assert _same(row[0], want, typ), row[0]
