"""Arithmetic over wide BIGNUMERIC table columns (widecolumns.py, widearithmetic.py).

A BIGNUMERIC holds 76.76 digits, 38 after the point; `+`, `-`, `*`, `/` of BIGNUMERICs (or a
BIGNUMERIC and an INT64 or NUMERIC, coerced to BIGNUMERIC) are BIGNUMERIC, rounded half away from
zero at 38 decimals; a result past the type's range is BigQuery's "BIGNUMERIC overflow" error and a
zero divisor "division by zero" (GoogleSQL reference: data types, numeric types; operators,
arithmetic operators; conversion rules, coercion). Before, every one of these over a column
holding a value beyond the engine's DECIMAL(38, 18) was the named refusal. Each case runs on the
local warehouse and through the real BigQuery client (`env`).
"""

from __future__ import annotations

import decimal
import uuid
from decimal import Decimal

import pytest

from llmops.core.errors import QueryError

REFUSED = "not supported by the local warehouse"
BIG = Decimal("42e30")
TINY = Decimal("1e-38")


@pytest.fixture
def env(env):
    """The shared `env`, with the expected values computed exactly (Python's default context
    keeps 28 digits) while the warehouse runs under the default context, as the emulator does."""
    run, ds, error = env

    def plain(sql):
        with decimal.localcontext(decimal.Context()):
            return run(sql)

    with decimal.localcontext(decimal.Context(prec=100)):
        yield plain, ds, error


def _table(run, ds):
    run(f"CREATE TABLE {ds}.t (i INT64, b BIGNUMERIC, c BIGNUMERIC, n NUMERIC, f FLOAT64, g STRING)")
    run(
        f"INSERT INTO {ds}.t (i, b, c, n, f, g) VALUES "
        "(1, BIGNUMERIC '42e30', 1.5, 2.5, 1.0, 'x'), (2, BIGNUMERIC '1e-38', BIGNUMERIC '3e-38', NULL, 2.0, 'x'), "
        "(3, NULL, 7, 1, 3.0, 'y'), (4, -2, 5, 3, 4.0, 'y')"
    )
    return f"{ds}.t"


def test_add_subtract_negate_every_digit(env):
    run, ds, _ = env
    t = _table(run, ds)
    got = run(f"SELECT i, b + 1, b - c, -b, b + i, b - n FROM {t} ORDER BY i")
    assert got == [
        (1, BIG + 1, BIG - Decimal("1.5"), -BIG, BIG + 1, BIG - Decimal("2.5")),
        (2, 1 + TINY, -2 * TINY, -TINY, 2 + TINY, None),
        (3, None, None, None, None, None),
        (4, Decimal(-1), Decimal(-7), Decimal(2), Decimal(2), Decimal(-5)),
    ]


def test_multiply_and_divide_round_half_away_from_zero_at_38_decimals(env):
    run, ds, _ = env
    t = _table(run, ds)
    got = run(f"SELECT i, b * 2, b * 0.5, b * -0.5, b * 0.4, b / 3, b / -7, b / c FROM {t} ORDER BY i")
    assert got == [
        (
            1,
            2 * BIG,
            BIG / 2,
            -BIG / 2,
            BIG * Decimal("0.4"),
            BIG / 3,
            Decimal(-6_000000000000000000000000000000),
            BIG / Decimal("1.5"),
        ),
        # 1e-38 * 0.5 is a tie: away from zero; 1e-38 / 3 rounds to 0; 1e-38 / 3e-38 is 1/3 at 38 decimals
        (2, 2 * TINY, TINY, -TINY, Decimal(0), Decimal(0), Decimal(0), Decimal("0." + "3" * 38)),
        (3, None, None, None, None, None, None, None),
        (
            4,
            Decimal(-4),
            Decimal(-1),
            Decimal(1),
            Decimal("-0.8"),
            Decimal("-0." + "6" * 37 + "7"),
            Decimal("0." + "285714" * 6 + "29"),
            Decimal("-0.4"),
        ),
    ]


def test_nested_arithmetic_and_its_text(env):
    run, ds, _ = env
    t = _table(run, ds)
    got = run(f"SELECT CAST((b + 1) * 2 - b / 4 AS STRING), CAST(b * b * 0 AS STRING) FROM {t} WHERE i = 2")
    assert got == [("2.00000000000000000000000000000000000002", "0")]  # 1e-38 / 4 rounds to 0


def test_arithmetic_in_filters_ordering_grouping_and_writes(env):
    run, ds, _ = env
    t = _table(run, ds)
    assert run(f"SELECT i FROM {t} WHERE b * 2 > 1 ORDER BY i") == [(1,)]
    assert run(f"SELECT i FROM {t} WHERE b + 1 BETWEEN 0 AND 10 ORDER BY i") == [(2,)]
    assert run(f"SELECT i FROM {t} WHERE b - 1e-38 = 0") == [(2,)]
    assert run(f"SELECT i FROM {t} WHERE b IS NOT NULL ORDER BY b * -1 DESC") == [(4,), (2,), (1,)]
    assert run(f"SELECT b + 1 AS x, COUNT(*) FROM {t} WHERE i < 3 GROUP BY b + 1 ORDER BY x") == [
        (1 + TINY, 1),
        (BIG + 1, 1),
    ]
    run(f"UPDATE {t} SET b = b * 2, c = b / 4 WHERE i IN (1, 2)")
    assert run(f"SELECT i, b, c FROM {t} WHERE i < 3 ORDER BY i") == [(1, 2 * BIG, BIG / 4), (2, 2 * TINY, Decimal(0))]


def test_aggregates_of_arithmetic_and_arithmetic_of_aggregates(env):
    run, ds, _ = env
    t = _table(run, ds)
    got = run(f"SELECT SUM(b * 2), MAX(b + c), MAX(b) - MIN(b), SUM(b) * 2, COUNT(DISTINCT b + 1) FROM {t}")
    assert got == [(2 * (BIG + TINY - 2), BIG + Decimal("1.5"), BIG + 2, 2 * (BIG + TINY - 2), 3)]
    assert run(f"SELECT CAST(AVG(b / 2) AS STRING) FROM {t} WHERE i < 3") == [
        ("10500000000000000000000000000000." + "0" * 37 + "1",)  # (21e30 + 1e-38) / 2, half away from zero
    ]


def test_having_and_order_by_an_aggregate(env):
    run, ds, _ = env
    t = _table(run, ds)
    assert run(f"SELECT g, SUM(b) FROM {t} GROUP BY g HAVING SUM(b) > 0 ORDER BY g") == [("x", BIG + TINY)]
    assert run(f"SELECT g FROM {t} GROUP BY g HAVING MAX(b) * 2 < 0") == [("y",)]
    assert run(f"SELECT g FROM {t} GROUP BY g ORDER BY MAX(b) DESC") == [("x",), ("y",)]


@pytest.mark.parametrize(
    ("sql", "fragment"),
    [
        ("SELECT b * b FROM {t} WHERE i = 1", "BIGNUMERIC overflow"),  # 1.764e63
        ("SELECT b / 1e-30 FROM {t} WHERE i = 1", "BIGNUMERIC overflow"),  # 4.2e61
        ("SELECT b / 0 FROM {t} WHERE i = 1", "division by zero"),
        ("SELECT b / (c - c) FROM {t} WHERE i = 2", "division by zero"),
        ("SELECT SUM(b * 1e7) FROM {t}", "BIGNUMERIC overflow"),  # 4.2e38 each... twice 8.4e38
    ],
)
def test_overflow_and_division_by_zero_are_bigquery_errors(env, sql, fragment):
    run, ds, error = env
    t = _table(run, ds)
    if "SUM" in sql:
        run(f"UPDATE {t} SET b = BIGNUMERIC '42e30' WHERE i = 2")
    with pytest.raises(error, match=fragment):
        run(sql.format(t=t))


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT b + n * 2 FROM {t}",  # NUMERIC * INT64 is a NUMERIC first (rounded to 9 decimals)
        "SELECT SQRT(b) FROM {t}",
        "SELECT IEEE_DIVIDE(b, 2) FROM {t}",
        "SELECT LN(b) FROM {t}",
        "SELECT STDDEV(b) OVER () FROM {t}",
        "SELECT MAX(b) OVER (ORDER BY i + 1) + 1 FROM {t}",  # a window of a computed key
        "SELECT i FROM {t} QUALIFY VARIANCE(b) OVER () > 0",
    ],
)
def test_other_arithmetic_stays_a_named_refusal(env, sql):
    run, ds, error = env
    t = _table(run, ds)
    with pytest.raises(error, match=REFUSED):
        run(sql.format(t=t))


def test_a_wide_column_read_through_a_cte_or_a_subquery(env):
    """Before: any CTE or subquery over a table holding a wide value was the named refusal."""
    run, ds, _ = env
    t = _table(run, ds)
    assert run(f"WITH w AS (SELECT i, b FROM {t}) SELECT i, b * 2 FROM w WHERE b > 0 ORDER BY i") == [
        (1, 2 * BIG),
        (2, 2 * TINY),
    ]
    assert run(f"SELECT s.i, s.x + 1 FROM (SELECT i, b - c AS x FROM {t}) s WHERE s.i = 2") == [(2, 1 - 2 * TINY)]
    assert run(f"SELECT * FROM (SELECT i, b FROM {t}) WHERE b < 0") == [(4, Decimal(-2))]
    assert run(f"WITH w AS (SELECT SUM(b) AS s FROM {t}) SELECT CAST(s AS STRING), s / 2 FROM w") == [
        ("41999999999999999999999999999998." + "0" * 37 + "1", (BIG - 2 + TINY) / 2 + TINY / 2)
    ]
    got = run(
        f"WITH w AS (SELECT i, b FROM {t}), v AS (SELECT i, b + 1 AS y FROM w WHERE i < 3) "
        "SELECT v.i, y, w.b FROM v JOIN w USING (i) ORDER BY v.i"
    )
    assert got == [(1, BIG + 1, BIG), (2, 1 + TINY, TINY)]
    assert run(f"SELECT COUNT(*), MAX(x) FROM (SELECT b AS x FROM {t} WHERE b > 0)") == [(2, BIG)]


@pytest.mark.parametrize(
    "sql",
    [
        "WITH w AS (SELECT b FROM {t}) SELECT (SELECT CAST(MAX(b) AS STRING) FROM w)",  # a scalar subquery
        "SELECT i FROM {t} WHERE i IN (SELECT i FROM {t} WHERE b > 0)",
        "WITH w AS (SELECT b FROM {t} UNION ALL SELECT b FROM {t}) SELECT b FROM w",
        "SELECT x FROM (SELECT b AS x FROM {t}) WHERE CAST(x AS NUMERIC) > 0",
    ],
)
def test_other_nested_queries_stay_named_refusals(env, sql):
    run, ds, error = env
    t = _table(run, ds)
    with pytest.raises(error, match=REFUSED):
        run(sql.format(t=t))


def test_min_max_and_count_over_a_window_and_a_wide_window_key(env):
    """Before: any window over a table holding a wide value was the named refusal."""
    run, ds, _ = env
    t = _table(run, ds)
    got = run(
        f"SELECT i, MAX(b) OVER () AS m, MIN(b) OVER (ORDER BY i) AS r, COUNT(b) OVER (PARTITION BY g) AS c, "
        f"ROW_NUMBER() OVER (ORDER BY b DESC) AS n FROM {t} ORDER BY i"
    )
    assert got == [
        (1, BIG, BIG, 2, 1),
        (2, BIG, TINY, 2, 2),
        (3, BIG, TINY, 1, 4),  # NULL sorts last in a descending order
        (4, BIG, Decimal(-2), 1, 3),
    ]
    assert run(f"SELECT i, COUNT(*) OVER (PARTITION BY b) FROM {t} WHERE i < 3 ORDER BY i") == [(1, 1), (2, 1)]


def test_parameterized_bignumeric_columns_take_a_wide_value(env):
    """python-bigquery's test_arrow_extension_types_same_for_storage_and_REST_APIs_894[True]
    writes 42e30 into BIGNUMERIC, BIGNUMERIC(37) and BIGNUMERIC(37, 2) columns of a table with
    other type parameters: before, the whole INSERT was refused (DuckDB cannot change the type of
    a column a CHECK names); the table is rebuilt with the columns wide, its other parameters kept."""
    run, ds, error = env
    run(
        f"CREATE TABLE {ds}.p (s9 STRING(9), n92 NUMERIC(9, 2), a BIGNUMERIC, a37 BIGNUMERIC(37), "
        "a372 BIGNUMERIC(37, 2), st STRUCT<v INT64>, i INT64 NOT NULL)"
    )
    run(f"INSERT INTO {ds}.p (s9, n92, a37, a372, i) VALUES ('y', 1.005, 5, 1.255, 0)")  # rounded to the scales
    run(f"INSERT INTO {ds}.p (s9, n92, a, a37, a372, st, i) VALUES ('x', 42, 42e30, 42e30, 42e30, STRUCT(42), 1)")
    assert run(f"SELECT i, s9, n92, a, a37, a372, st FROM {ds}.p ORDER BY i") == [
        (0, "y", Decimal("1.01"), None, Decimal(5), Decimal("1.26"), None),
        (1, "x", Decimal(42), BIG, BIG, BIG, {"v": 42}),
    ]
    assert run(f"SELECT a37 + a372 FROM {ds}.p WHERE i = 1") == [(2 * BIG,)]
    # the parameters still bound the columns: BigQuery's range error, the STRING's length
    with pytest.raises(error, match="out of range for BIGNUMERIC"):
        run(f"INSERT INTO {ds}.p (a37, i) VALUES (1e37, 2)")
    with pytest.raises(error, match="maximum length 9"):
        run(f"INSERT INTO {ds}.p (s9, i) VALUES ('0123456789', 2)")
    run(f"INSERT INTO {ds}.p (a37, i) VALUES (-9999999999999999999999999999999999999, 3)")  # P digits fit
    assert run(f"SELECT a37 FROM {ds}.p WHERE i = 3") == [(Decimal("-9999999999999999999999999999999999999"),)]


def test_a_failed_write_leaves_the_parameterized_column_as_it_was(env):
    run, ds, error = env
    run(f"CREATE TABLE {ds}.p (s9 STRING(9), a37 BIGNUMERIC(37))")
    run(f"INSERT INTO {ds}.p (s9, a37) VALUES ('y', 5)")
    with pytest.raises(error, match="maximum length 9"):
        run(f"INSERT INTO {ds}.p (s9, a37) VALUES ('0123456789', 42e30)")
    assert run(f"SELECT s9, a37, CAST(a37 AS STRING) FROM {ds}.p") == [("y", Decimal(5), "5")]
    run(f"INSERT INTO {ds}.p (s9, a37) VALUES ('z', 1.5)")  # still the engine's column: rounded to 0 decimals
    assert run(f"SELECT a37 FROM {ds}.p WHERE s9 = 'z'") == [(Decimal(2),)]


def test_a_negative_literal_of_more_than_28_digits_keeps_every_digit(env):
    """Before, `-value` of Python's Decimal rounded the literal to 28 digits: -1234567890123456789012345678901.5
    was stored and compared as -1234567890123456789012345679000."""
    run, ds, _ = env
    t = _table(run, ds)
    run(f"INSERT INTO {t} (i, b) VALUES (9, -1234567890123456789012345678901.5)")
    assert run(f"SELECT CAST(b AS STRING) FROM {t} WHERE i = 9") == [("-1234567890123456789012345678901.5",)]
    assert run(f"SELECT i FROM {t} WHERE b = -1234567890123456789012345678901.5") == [(9,)]


def test_insert_rows_into_a_parameterized_column_takes_a_wide_value(scratch_warehouse):
    """insertAll's rows of 42e30 into a BIGNUMERIC(37, 2) column: refused before (the column's
    CHECK), stored now; past the parameters' range still an error."""
    wh = scratch_warehouse
    ds = f"ds_{uuid.uuid4().hex[:8]}"
    wh.query_result(f"CREATE SCHEMA {ds}")
    wh.query_result(f"CREATE TABLE {ds}.p (s9 STRING(9), a372 BIGNUMERIC(37, 2), i INT64)")
    wh.insert_rows(f"{ds}.p", [{"s9": "x", "a372": Decimal("42e30"), "i": 1}])
    got = wh.query_result(f"SELECT i, CAST(a372 AS STRING) AS s FROM {ds}.p").table.to_pylist()
    assert got == [{"i": 1, "s": "42000000000000000000000000000000"}]
    with pytest.raises(QueryError, match="out of range for BIGNUMERIC"):
        wh.insert_rows(f"{ds}.p", [{"a372": Decimal("1e36"), "i": 3}])


def test_python_bigquerys_table_of_parameterized_types_reads_the_same_through_rest_and_the_read_api(
    bigquery_client, bigquery_read_client
):
    """python-bigquery's test_arrow_extension_types_same_for_storage_and_REST_APIs_894[True]: its
    INSERT of 42e30 into BIGNUMERIC(37) and BIGNUMERIC(37, 2) was refused; past it, the Read API's
    Arrow fields lacked the extension names python-bigquery's REST pages carry (a GEOGRAPHY's
    `google:sqlType:geography` with `{"encoding": "WKT"}`, a DATETIME's `google:sqlType:datetime`)."""
    ds = bigquery_client.create_dataset(f"wide_{uuid.uuid4().hex[:8]}")
    table = f"{ds.project}.{ds.dataset_id}.t"
    types = {
        "astring9": ("STRING(9)", "'x'"),
        "anumeric92": ("NUMERIC(9,2)", "42"),
        "abignumeric": ("BIGNUMERIC", "42e30"),
        "abignumeric49": ("BIGNUMERIC(37)", "42e30"),
        "abignumeric492": ("BIGNUMERIC(37,2)", "42e30"),
        "adatetime": ("DATETIME", "'2021-09-06T09:57:26'"),
        "ageography": ("GEOGRAPHY", "ST_GEOGFROMTEXT('point(0 0)')"),
        "astruct": ("STRUCT<v int64>", "struct(42)"),
    }
    try:
        columns = ", ".join(f"{k} {t}" for k, (t, _) in types.items())
        bigquery_client.query(f"create table `{table}` ({columns})").result()
        values = ", ".join(v for _, v in types.values())
        bigquery_client.query(f"insert into `{table}` ({', '.join(types)}) values ({values})").result()
        storage = (
            bigquery_client.query(f"select * from `{table}`").result().to_arrow(bqstorage_client=bigquery_read_client)
        )
        rest = bigquery_client.query(f"select * from `{table}`").result().to_arrow(create_bqstorage_client=False)
        assert {f.name: f.metadata for f in storage.schema} == {f.name: f.metadata for f in rest.schema}
        assert rest.schema.field("adatetime").metadata == {b"ARROW:extension:name": b"google:sqlType:datetime"}
        for name in ("abignumeric", "abignumeric49", "abignumeric492"):
            assert storage.column(name).to_pylist() == rest.column(name).to_pylist() == [BIG]
    finally:
        bigquery_client.delete_dataset(ds, delete_contents=True, not_found_ok=True)
