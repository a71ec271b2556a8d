"""Functions, windows and FLOAT64 operands over wide BIGNUMERIC table columns (widecolumns.py,
widearithmetic.py, widefunctions.py).

GoogleSQL reference, mathematical functions: ABS, ROUND (with and without digits, and with a
rounding mode), TRUNC, SAFE_DIVIDE, DIV and MOD of a BIGNUMERIC are BIGNUMERIC (their return type
tables), ROUND rounding half away from zero; DIV's and MOD's zero divisor, DIV's and ROUND's result
past the range are errors (ZetaSQL's `division by zero: DIV(a, b)`, `BIGNUMERIC overflow: ROUND(a,
n)`). Aggregate and statistical aggregate functions: SUM/AVG (also as window functions) of a
BIGNUMERIC are BIGNUMERIC; STDDEV/VARIANCE and their _POP/_SAMP forms are FLOAT64, computed by ZetaSQL
from the exact sums. Conversion rules: a BIGNUMERIC beside a FLOAT64 operand is coerced to FLOAT64,
and so is the result. Before, every one of these over a column holding a value beyond the engine's
DECIMAL(38, 18) was the named refusal. Each case runs on the local warehouse and through the real
BigQuery client (`env`).
"""

from __future__ import annotations

import decimal
import uuid
from decimal import Decimal
from fractions import Fraction

import pytest

REFUSED = "not supported by the local warehouse"
BIG = Decimal("42e30")
TINY = Decimal("1e-38")


@pytest.fixture
def env(env):
    """The shared `env`, with the expected values computed exactly (Python's default context keeps
    28 digits) while the warehouse runs under the default context, as the emulator does."""
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
        "(3, NULL, 7, 1, 3.0, 'y'), (4, -2.5, 5, 3, 4.0, 'y')"
    )
    return f"{ds}.t"


def test_abs_round_and_trunc_keep_every_digit(env):
    run, ds, _ = env
    t = _table(run, ds)
    got = run(
        f"SELECT i, ABS(b), ROUND(b), ROUND(b, 2), ROUND(b, -31), TRUNC(b), TRUNC(b, -31), "
        f"ROUND(b, 0, 'ROUND_HALF_EVEN'), ROUND(b / 3, 37) FROM {t} ORDER BY i"
    )
    assert got == [
        (1, BIG, BIG, BIG, Decimal("4e31"), BIG, Decimal("4e31"), BIG, Decimal("14e30")),
        (2, TINY, 0, 0, 0, 0, 0, 0, 0),
        (3, None, None, None, None, None, None, None, None),
        # -2.5 rounds half away from zero to -3, half to even to -2; -2.5 / 3 at 37 decimals
        (4, Decimal("2.5"), -3, Decimal("-2.5"), 0, -2, 0, -2, Decimal("-0.8" + "3" * 36)),
    ]


def test_floor_ceil_and_sign(env):
    run, ds, _ = env
    t = _table(run, ds)
    got = run(f"SELECT i, FLOOR(b), CEIL(b), CEILING(b / 3), SIGN(b), SIGN(b - b) FROM {t} ORDER BY i")
    assert got == [
        (1, BIG, BIG, Decimal("14e30"), 1, 0),
        (2, 0, 1, 0, 1, 0),
        (3, None, None, None, None, None),
        (4, -3, -2, 0, -1, 0),
    ]


def test_safe_divide_div_and_mod(env):
    run, ds, _ = env
    t = _table(run, ds)
    got = run(
        f"SELECT i, SAFE_DIVIDE(b, c), SAFE_DIVIDE(b, 0), DIV(b, 7), DIV(b, c), MOD(b, 7), MOD(b, c) FROM {t} ORDER BY i"
    )
    assert got == [
        (1, BIG / Decimal("1.5"), None, Decimal(6_000000000000000000000000000000), BIG / Decimal("1.5"), 0, 0),
        (2, Decimal("0." + "3" * 38), None, 0, 0, TINY, TINY),
        (3, None, None, None, None, None, None),
        # DIV truncates toward zero; MOD has the dividend's sign
        (4, Decimal("-0.5"), None, 0, 0, Decimal("-2.5"), Decimal("-2.5")),
    ]


def test_functions_compose_with_arithmetic_filters_ordering_and_writes(env):
    run, ds, _ = env
    t = _table(run, ds)
    assert run(f"SELECT ABS(b) + 1, ROUND(b * 3, -30) - 1 FROM {t} WHERE i = 1") == [(BIG + 1, Decimal("126e30") - 1)]
    assert run(f"SELECT i FROM {t} WHERE ROUND(b) = 0 ORDER BY i") == [(2,)]
    assert run(f"SELECT i FROM {t} WHERE MOD(b, 2) != 0 ORDER BY i") == [(2,), (4,)]
    assert run(f"SELECT i FROM {t} ORDER BY ABS(b) DESC, i") == [(1,), (4,), (2,), (3,)]
    run(f"UPDATE {t} SET b = TRUNC(b, -31) + BIGNUMERIC '1e-38' WHERE i = 1")
    assert run(f"SELECT b FROM {t} WHERE i = 1") == [(Decimal("4e31") + TINY,)]


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("SELECT DIV(b, 0) FROM {t} WHERE i = 1", r"division by zero: DIV\(42000000000000000000000000000000, 0\)"),
        ("SELECT MOD(b, c - c) FROM {t} WHERE i = 4", r"division by zero: MOD\(-2.5, 0\)"),
        (
            "SELECT DIV(b, BIGNUMERIC '1e-38') FROM {t} WHERE i = 1",
            r"BIGNUMERIC overflow: DIV\(42000000000000000000000000000000, 0.00000000000000000000000000000000000001\)",
        ),
        (
            "SELECT ROUND(b * 13700000, -38) FROM {t} WHERE i = 1",  # 5.754e38 rounds to 6e38 > 5.79e38
            r"BIGNUMERIC overflow: ROUND\(575400000000000000000000000000000000000, -38\)",
        ),
    ],
)
def test_division_by_zero_and_overflow_are_zetasqls_errors(env, sql, message):
    run, ds, error = env
    t = _table(run, ds)
    with pytest.raises(error, match=message):
        run(sql.format(t=t))


def test_a_float64_operand_coerces_the_bignumeric_to_float64(env):
    run, ds, _ = env
    t = _table(run, ds)
    got = run(
        f"SELECT i, b + f, b * f, b - f, SAFE_DIVIDE(b, f), CAST(b AS FLOAT64), b * 1e40, b > f FROM {t} ORDER BY i"
    )
    assert got == [
        (1, 4.2e31, 4.2e31, 4.2e31, 4.2e31, 4.2e31, 4.2e71, True),
        (2, 2.0, 2e-38, -2.0, 5e-39, 1e-38, 100.0, False),
        (3, None, None, None, None, None, None, None),
        (4, 1.5, -10.0, -6.5, -0.625, -2.5, -2.5e40, False),
    ]
    assert all(isinstance(v, float) for row in got for v in row[1:7] if v is not None)
    assert run(f"SELECT i FROM {t} WHERE b < f ORDER BY i") == [(2,), (4,)]


def test_stddev_and_variance_from_the_exact_sums(env):
    """1e30 + 1, + 2, + 3: a double holds each as 1e30 (their variance through doubles is 0);
    BigQuery's exact sums give 1 (sample) and 2/3 (population)."""
    run, ds, _ = env
    run(f"CREATE TABLE {ds}.v (g STRING, b BIGNUMERIC)")
    run(
        f"INSERT INTO {ds}.v VALUES ('a', BIGNUMERIC '1000000000000000000000000000001'), "
        f"('a', BIGNUMERIC '1000000000000000000000000000002'), ('a', BIGNUMERIC '1000000000000000000000000000003'), "
        f"('a', NULL), ('b', BIGNUMERIC '1e-38')"
    )
    got = run(
        f"SELECT g, VAR_SAMP(b), VARIANCE(b), VAR_POP(b), STDDEV_SAMP(b), STDDEV(b), STDDEV_POP(b) "
        f"FROM {ds}.v GROUP BY g ORDER BY g"
    )
    pop = float(Fraction(2, 3))
    assert got == [("a", 1.0, 1.0, pop, 1.0, 1.0, pop**0.5), ("b", None, None, 0.0, None, None, 0.0)]


def test_sum_and_avg_over_windows_and_qualify(env):
    run, ds, _ = env
    t = _table(run, ds)
    got = run(
        f"SELECT i, SUM(b) OVER (PARTITION BY g ORDER BY i), AVG(b) OVER (), "
        f"SUM(b * 2) OVER (ORDER BY b DESC ROWS BETWEEN 1 PRECEDING AND CURRENT ROW), "
        f"MAX(b) OVER () + 1, SUM(b) OVER (ORDER BY i) - b FROM {t} ORDER BY i"
    )
    avg = (BIG + TINY - Decimal("2.5")) / 3
    assert got == [
        (1, BIG, avg.quantize(TINY, decimal.ROUND_HALF_UP), 2 * BIG, BIG + 1, 0),
        (2, BIG + TINY, avg.quantize(TINY, decimal.ROUND_HALF_UP), 2 * BIG + 2 * TINY, BIG + 1, BIG),
        (3, None, avg.quantize(TINY, decimal.ROUND_HALF_UP), Decimal(-5), BIG + 1, None),
        (4, Decimal("-2.5"), avg.quantize(TINY, decimal.ROUND_HALF_UP), 2 * TINY - 5, BIG + 1, BIG + TINY),
    ]
    assert run(f"SELECT i FROM {t} QUALIFY b = MAX(b) OVER ()") == [(1,)]
    assert run(f"SELECT i FROM {t} QUALIFY SUM(b) OVER (PARTITION BY g) > 1 ORDER BY i") == [(1,), (2,)]


def test_sum_over_a_window_past_the_range_is_bigquerys_overflow(env):
    run, ds, error = env
    t = _table(run, ds)
    run(f"UPDATE {t} SET b = BIGNUMERIC '42e30' WHERE i = 2")
    assert run(f"SELECT SUM(b * 10000000) OVER (ORDER BY i) FROM {t} WHERE i = 1") == [(BIG * 10000000,)]
    with pytest.raises(error, match="BIGNUMERIC overflow"):  # 8.4e38
        run(f"SELECT SUM(b * 10000000) OVER () FROM {t}")


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT STDDEV(b) OVER () FROM {t}",  # statistical aggregates as window functions
        "SELECT SUM(b) OVER w FROM {t} WINDOW w AS (ORDER BY i)",  # a named window
        "SELECT SUM(b) OVER (ORDER BY i + 1) FROM {t}",  # a computed window key
        "SELECT ROUND(b, i) FROM {t}",  # digits from a column
        "SELECT SUM(DISTINCT b) FROM {t}",
        "SELECT DIV(b, f) FROM {t}",  # no FLOAT64 signature in BigQuery either
        "MERGE {t} T USING {t} S ON T.i = S.i WHEN NOT MATCHED THEN INSERT ROW",  # the row as a value
        "UPDATE {t} SET n = b + 1 WHERE TRUE",  # a wide value into a NUMERIC column
        "UPDATE {t} SET b = b + f WHERE TRUE",  # a FLOAT64 into a BIGNUMERIC column: BigQuery's type error
    ],
)
def test_the_rest_stays_a_named_refusal(env, sql):
    run, ds, error = env
    t = _table(run, ds)
    with pytest.raises(error, match=REFUSED):
        run(sql.format(t=t))


def test_the_refusal_names_what_is_served(env):
    run, ds, error = env
    t = _table(run, ds)
    with pytest.raises(error, match="through ABS, SIGN, ROUND, TRUNC, FLOOR, CEIL, SAFE_DIVIDE, DIV and MOD"):
        run(f"SELECT SUM(DISTINCT b) FROM {t}")


def test_results_read_back_every_digit_through_rest_and_the_read_api(bigquery_client, bigquery_read_client):
    ds = bigquery_client.create_dataset(f"widefn_{uuid.uuid4().hex[:8]}")
    t = f"{ds.project}.{ds.dataset_id}.t"
    try:
        with decimal.localcontext(decimal.Context(prec=100)):
            bigquery_client.query(f"CREATE TABLE `{t}` (i INT64, b BIGNUMERIC)").result()
            bigquery_client.query(f"INSERT INTO `{t}` VALUES (1, BIGNUMERIC '42e30'), (2, BIGNUMERIC '1e-38')").result()
            sql = (
                f"SELECT i, ROUND(b / 3, 37) AS r, SUM(b) OVER () AS s, MOD(b, 7) AS m, CAST(b AS FLOAT64) AS f "
                f"FROM `{t}` ORDER BY i"
            )
            storage = bigquery_client.query(sql).result().to_arrow(bqstorage_client=bigquery_read_client)
            rest = bigquery_client.query(sql).result().to_arrow(create_bqstorage_client=False)
            for arrow in (storage, rest):
                assert str(arrow.schema.field("r").type) == "decimal256(76, 38)"
                assert str(arrow.schema.field("f").type) == "double"
                assert arrow.to_pylist() == [
                    {"i": 1, "r": Decimal("14e30"), "s": BIG + TINY, "m": 0, "f": 4.2e31},
                    {"i": 2, "r": 0, "s": BIG + TINY, "m": TINY, "f": 1e-38},
                ]
    finally:
        bigquery_client.delete_dataset(ds, delete_contents=True, not_found_ok=True)


def test_merge_reads_and_writes_wide_values(env):
    """MERGE over a table holding a wide value, and MERGE writing one into an ordinary BIGNUMERIC
    column (which goes wide in the write's transaction): before, the named refusal."""
    run, ds, _ = env
    t = _table(run, ds)
    run(f"CREATE TABLE {ds}.s (i INT64, b BIGNUMERIC, n NUMERIC)")
    run(f"INSERT INTO {ds}.s VALUES (1, 5, 1.5), (5, 7, 2.5)")
    run(
        f"MERGE {t} T USING {ds}.s S ON T.i = S.i "
        "WHEN MATCHED THEN UPDATE SET b = T.b + S.b, c = S.n "
        "WHEN NOT MATCHED THEN INSERT (i, b, c) VALUES (S.i, S.b, BIGNUMERIC '1e-38')"
    )
    assert run(f"SELECT i, b, c FROM {t} WHERE i IN (1, 5) ORDER BY i") == [
        (1, BIG + 5, Decimal("1.5")),
        (5, Decimal(7), TINY),
    ]
    # the wide values compared in the conditions: rows 1, 2 and 4 match no source row; 2 and 4 are below 1
    run(f"MERGE {t} T USING {ds}.s S ON T.b = S.b WHEN NOT MATCHED BY SOURCE AND T.b < 1 THEN DELETE")
    assert run(f"SELECT i FROM {t} ORDER BY i") == [(1,), (3,), (5,)]
    run(f"MERGE {ds}.s T USING {t} S ON T.i = S.i WHEN MATCHED THEN UPDATE SET b = S.b * 2")
    assert run(f"SELECT i, b FROM {ds}.s ORDER BY i") == [(1, 2 * (BIG + 5)), (5, Decimal(14))]
    run(
        f"MERGE {ds}.s T USING {t} S ON FALSE WHEN NOT MATCHED BY SOURCE AND T.i = 5 THEN UPDATE SET b = -BIGNUMERIC '1e-38'"
    )
    assert run(f"SELECT i, b FROM {ds}.s ORDER BY i") == [(1, 2 * (BIG + 5)), (5, -TINY)]
