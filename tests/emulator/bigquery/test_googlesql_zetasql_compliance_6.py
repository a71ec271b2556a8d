"""Silently wrong answers left by the ZetaSQL compliance sweep, now BigQuery's.

Each row is a ZetaSQL compliance case (unionall_queries) or our own query, with GoogleSQL's
answer, run on the local warehouse and through the real BigQuery client:

- a string literal beside a DATE, DATETIME, TIMESTAMP or TIME value in a set operation
  (`SELECT DATE '2014-01-17' UNION ALL SELECT '2015-01-17'`) made the column a STRING; GoogleSQL
  coerces the literal to the other value's type (literal coercion), also beside a table's column;
- a FROM subquery that is a value table (`SELECT AS VALUE 1 UNION ALL SELECT AS VALUE 2`) read
  by its alias was a row, a STRUCT of the value (`SELECT DISTINCT AS VALUE x FROM (...) x` answered
  {2}, {1}; `x + 1` and SUM(x) failed): the alias names the value;
- SQRT, LN, LOG, LOG10, EXP and POW of NUMERIC (BIGNUMERIC) arguments were FLOAT64s; BigQuery
  answers that type, rounded half away from zero at its scale (`SQRT(NUMERIC '2')` is
  1.414213562), with ZetaSQL's errors out of the domain or range;
- two STRUCT columns of a table compared with `=`, `!=` or IN matched their fields by name and
  took a NULL field for a value (DuckDB's rule); GoogleSQL compares by position, and a NULL field
  makes `=` NULL unless another field differs.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from googlesql_cases import (
    assert_fails_locally,
    assert_fails_through_client,
    case_params,
    check_locally,
    check_through_client,
)

UTC = dt.UTC

TEMPORAL_LITERALS = [
    # unionall_queries:unionall_literal_coercion_string, with literals
    (
        "SELECT MAX(d) FROM (SELECT DATE '2014-01-17' AS d UNION ALL SELECT '2015-01-17')",
        dt.date(2015, 1, 17),
        "DATE",
    ),
    ("SELECT MIN(d) FROM (SELECT '2015-01-17' AS d UNION ALL SELECT DATE '2014-01-17')", dt.date(2014, 1, 17), "DATE"),
    (
        "SELECT MAX(t) FROM (SELECT TIMESTAMP '2014-01-17 00:00:00+00' AS t "
        "UNION ALL SELECT '2015-01-17 00:00:00.123456 UTC')",
        dt.datetime(2015, 1, 17, 0, 0, 0, 123456, tzinfo=UTC),
        "TIMESTAMP",
    ),
    (
        "SELECT MAX(t) FROM (SELECT DATETIME '2014-01-17 10:00:00' AS t UNION DISTINCT SELECT '2015-01-17 10:00:00')",
        dt.datetime(2015, 1, 17, 10),
        "DATETIME",
    ),
    (
        "SELECT MAX(t) FROM (SELECT TIME '10:00:00' AS t UNION ALL SELECT NULL UNION ALL SELECT '11:00:00')",
        dt.time(11),
        "TIME",
    ),
]

VALUE_TABLES = [
    # select_distinct: SELECT DISTINCT AS VALUE over a value table
    (
        "SELECT ARRAY(SELECT DISTINCT AS VALUE x FROM "
        "(SELECT AS VALUE 1 UNION ALL SELECT AS VALUE 2 UNION ALL SELECT AS VALUE 1) x ORDER BY x)",
        [1, 2],
        "INT64",
    ),
    ("SELECT SUM(x) FROM (SELECT AS VALUE 1 UNION ALL SELECT AS VALUE 2) x", 3, "INT64"),
    ("SELECT x + 1 FROM (SELECT AS VALUE 1) AS x", 2, "INT64"),
    ("SELECT MAX(x) FROM (SELECT AS VALUE 'a' UNION ALL SELECT AS VALUE 'b') AS x", "b", "STRING"),
]

D = Decimal
DECIMAL_MATH = [
    ("SQRT(NUMERIC '2')", D("1.414213562"), "NUMERIC"),
    ("SQRT(NUMERIC '99999999999999999999999999999.999999999')", D("316227766016837.933199889"), "NUMERIC"),
    ("LOG(NUMERIC '100', 10)", D("2"), "NUMERIC"),
    ("LOG(NUMERIC '2', 3)", D("0.630929754"), "NUMERIC"),
    ("LOG(NUMERIC '100')", D("4.605170186"), "NUMERIC"),
    ("LN(NUMERIC '2')", D("0.693147181"), "NUMERIC"),
    ("LOG10(NUMERIC '1000')", D("3"), "NUMERIC"),
    ("EXP(NUMERIC '1')", D("2.718281828"), "NUMERIC"),
    ("EXP(NUMERIC '-30')", D("0"), "NUMERIC"),
    ("POW(NUMERIC '2', 3)", D("8"), "NUMERIC"),
    ("POWER(2, NUMERIC '0.5')", D("1.414213562"), "NUMERIC"),
    # 0.0009765625 exactly: half away from zero
    ("POW(NUMERIC '0.5', 10)", D("0.000976563"), "NUMERIC"),
    ("POW(NUMERIC '-0.5', 10)", D("0.000976563"), "NUMERIC"),
    ("POW(NUMERIC '0.03125', 2)", D("0.000976563"), "NUMERIC"),
    ("POW(NUMERIC '99999999999', 2)", D("9999999999800000000001"), "NUMERIC"),
    ("POW(NUMERIC '-2', 3)", D("-8"), "NUMERIC"),
    ("POW(NUMERIC '2', -2)", D("0.25"), "NUMERIC"),
    ("POW(NUMERIC '2', NULL)", None, "NUMERIC"),
    ("SAFE.SQRT(NUMERIC '-1')", None, "NUMERIC"),
    # the engine's BIGNUMERIC keeps 18 decimals (docs/googlesql.md)
    ("SQRT(BIGNUMERIC '2')", D("1.414213562373095049"), "BIGNUMERIC"),
    ("LOG(BIGNUMERIC '8', 2)", D("3"), "BIGNUMERIC"),
    ("POW(NUMERIC '2', BIGNUMERIC '2')", D("4"), "BIGNUMERIC"),
    # a FLOAT64 argument makes a FLOAT64; an INT64 one alone too
    ("POW(NUMERIC '2', 0.5)", 1.4142135623730951, "FLOAT64"),
    ("SQRT(4)", 2.0, "FLOAT64"),
]

FAMILIES = {"temporal_literals": TEMPORAL_LITERALS, "value_tables": VALUE_TABLES, "decimal_math": DECIMAL_MATH}
ROWS = case_params(FAMILIES)


@pytest.mark.parametrize("sql, want, typ", ROWS)
def test_local_warehouse(warehouse, sql, want, typ):
    check_locally(warehouse, sql, want, typ)


@pytest.mark.parametrize("family", list(FAMILIES))
def test_bigquery_client(bigquery_client, family):
    check_through_client(bigquery_client, FAMILIES[family])


ERRORS = [
    # a literal that is no DATE is not one in a set operation either
    ("SELECT DATE '2014-01-17' AS d UNION ALL SELECT 'x'", "date"),
    # ZetaSQL's NumericValue errors
    ("SELECT SQRT(NUMERIC '-1')", "SQRT is undefined for negative value: SQRT(-1)"),
    ("SELECT LN(NUMERIC '0')", "LN is undefined for zero or negative value: LN(0)"),
    ("SELECT LOG(NUMERIC '2', 1)", "LOG is undefined for zero or negative value, or when base equals 1: LOG(2, 1)"),
    ("SELECT EXP(NUMERIC '100')", "numeric overflow: EXP(100)"),
    ("SELECT POW(NUMERIC '10', 30)", "numeric overflow"),
    ("SELECT POW(NUMERIC '-2', NUMERIC '0.5')", "Negative NUMERIC value cannot be raised to a fractional power"),
    ("SELECT POW(NUMERIC '0', -1)", "division by zero"),
]


@pytest.mark.parametrize("sql, fragment", ERRORS)
def test_bigquerys_errors(warehouse, bigquery_client, sql, fragment):
    assert_fails_locally(warehouse, sql, fragment)
    assert_fails_through_client(bigquery_client, sql, fragment)


def test_string_literals_beside_table_columns_take_their_types(bigquery_client, dataset):
    """unionall_queries:unionall_literal_coercion_string: a DATE and a TIMESTAMP column."""
    table = f"{dataset.project}.{dataset.dataset_id}.typed"
    bigquery_client.query_and_wait(f"CREATE TABLE `{table}` (d DATE, ts TIMESTAMP)")
    bigquery_client.query_and_wait(f"INSERT INTO `{table}` VALUES ('2014-01-17', '2014-01-17 00:00:01.098+00')")
    result = bigquery_client.query_and_wait(
        f"SELECT d, ts FROM `{table}` UNION ALL SELECT '2015-01-17', '2015-01-17 00:00:00.123456 UTC' ORDER BY d"
    )
    assert [f.field_type for f in result.schema] == ["DATE", "TIMESTAMP"]
    assert [tuple(r.values()) for r in result] == [
        (dt.date(2014, 1, 17), dt.datetime(2014, 1, 17, 0, 0, 1, 98000, tzinfo=UTC)),
        (dt.date(2015, 1, 17), dt.datetime(2015, 1, 17, 0, 0, 0, 123456, tzinfo=UTC)),
    ]


def test_math_of_numeric_table_columns_keeps_their_type(bigquery_client, dataset):
    """A column's type comes from the table's schema: NUMERIC and BIGNUMERIC in, the same out."""
    table = f"{dataset.project}.{dataset.dataset_id}.numbers"
    bigquery_client.query_and_wait(f"CREATE TABLE `{table}` (n NUMERIC, b BIGNUMERIC, i INT64, f FLOAT64)")
    bigquery_client.query_and_wait(f"INSERT INTO `{table}` VALUES (2, 2, 3, 0.5)")
    result = bigquery_client.query_and_wait(
        f"SELECT SQRT(n), POW(n, i), POW(i, n), LOG(b, i), POW(n, f), LN(i), EXP(b) FROM `{table}`"
    )
    assert [f.field_type for f in result.schema] == [
        "NUMERIC",
        "NUMERIC",
        "NUMERIC",
        "BIGNUMERIC",
        "FLOAT",
        "FLOAT",
        "BIGNUMERIC",
    ]
    assert list(next(iter(result)).values()) == [
        D("1.414213562"),
        D("8"),
        D("9"),
        D("0.630929753571457437"),
        1.4142135623730951,
        1.0986122886681098,
        D("7.389056098930650227"),
    ]


def test_struct_columns_compare_by_position_with_null_fields(bigquery_client, dataset):
    """Two STRUCT columns of a table: `=` / `!=` / IN match the fields by position (the names
    differ here), and a NULL field makes `=` NULL unless another field differs."""
    table = f"{dataset.project}.{dataset.dataset_id}.pairs"
    bigquery_client.query_and_wait(
        f"CREATE TABLE `{table}` (k INT64, s STRUCT<a INT64, b STRING>, u STRUCT<x INT64, y STRING>)"
    )
    bigquery_client.query_and_wait(
        f"INSERT INTO `{table}` VALUES (1, (1, 'p'), (1, 'p')), (2, (1, NULL), (1, 'q')), "
        "(3, (1, NULL), (1, NULL)), (4, (2, NULL), (1, NULL))"
    )
    rows = bigquery_client.query_and_wait(f"SELECT s = u, s != u, s IN (u) FROM `{table}` ORDER BY k")
    assert [tuple(r.values()) for r in rows] == [
        (True, False, True),
        (None, None, None),
        (None, None, None),
        (False, True, False),
    ]


def test_the_double_shortcut_rounds_as_the_exact_decimal_does():
    """decimalmath's double shortcut is taken only where it gives the exact NUMERIC rounding."""
    import decimal
    import random
    from decimal import Decimal

    from llmops.emulator.bigquery import decimalmath

    rng = random.Random(7)
    taken = 0
    for name in ("SQRT", "LN", "LOG10", "LOG", "EXP"):
        for _ in range(2000):
            x = Decimal(rng.choice([rng.uniform(0, 10), rng.uniform(0, 1e6), rng.uniform(-5, 11)])).quantize(
                Decimal("1e-9")
            )
            y = Decimal(rng.choice(["2", "10", "0.5"])) if name == "LOG" else None
            quick = decimalmath._through_double(name, x, y)
            if quick is None:
                continue
            taken += 1
            exact = decimalmath.compute(name, x, y).quantize(
                Decimal("1e-9"), rounding=decimal.ROUND_HALF_UP, context=decimalmath._CONTEXT
            )
            assert quick == exact, (name, x, y)
    assert taken > 5000
