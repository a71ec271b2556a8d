"""DML writing BIGNUMERIC values beyond the engine's DECIMAL(38, 18), and queries over a wide
BIGNUMERIC column (widecolumns.py).

BigQuery's BIGNUMERIC holds 76.76 digits, 38 after the point, rounding half away from zero (the
GoogleSQL reference's numeric types); a FLOAT64 literal coerces to BIGNUMERIC (conversion rules,
literal coercion). Before: `INSERT ... VALUES (BIGNUMERIC '42e30')` was the literal's refusal,
`VALUES (42e30)` DuckDB's conversion error, `VALUES (1.5e-30)` stored 0 silently, and a filter,
ORDER BY, GROUP BY, MIN/MAX/SUM or UPDATE/DELETE over a table holding a wide value was refused.
Each case runs on the local warehouse and through the real BigQuery client (`env`).
"""

from __future__ import annotations

import decimal
import uuid
from decimal import Decimal

import pytest

NINES = Decimal("9." + "9" * 75 + "E+37")  # python-bigquery's scalars_extreme bignumeric_col
REFUSED = "not supported by the local warehouse"


def _d(text: str) -> Decimal:
    return Decimal(text)


def test_insert_values_stores_every_digit(env):
    run, ds, _ = env
    run(f"CREATE TABLE {ds}.t (i INT64, b BIGNUMERIC)")
    run(
        f"INSERT INTO {ds}.t (i, b) VALUES (1, BIGNUMERIC '42e30'), (2, 42e30), (3, BIGNUMERIC '1e-38'), "
        "(4, -0.00000000000000000000000000000000000001), (5, 1.5), (6, NULL), "
        "(7, CAST('0.123456789012345678901234567890123456785' AS BIGNUMERIC)), "
        "(8, CAST('-1.000000000000000000000000000000000000005' AS BIGNUMERIC)), "
        f"(9, BIGNUMERIC '{NINES}')"
    )
    got = dict(run(f"SELECT i, b FROM {ds}.t"))
    assert got == {
        1: _d("42e30"),
        2: _d("42e30"),  # the FLOAT64 literal coerced from its digits
        3: _d("1e-38"),
        4: _d("-1e-38"),
        5: _d("1.5"),
        6: None,
        7: _d("0.12345678901234567890123456789012345679"),  # half away from zero, 38 decimals
        8: _d("-1.00000000000000000000000000000000000001"),
        9: NINES,
    }


def test_a_float_literal_with_more_than_18_decimals_is_not_rounded_away(env):
    """`VALUES (1.5e-30)` into a BIGNUMERIC column was stored as 0."""
    run, ds, _ = env
    run(f"CREATE TABLE {ds}.t (b BIGNUMERIC)")
    run(f"INSERT INTO {ds}.t (b) VALUES (1.5e-30), (0.1)")
    assert sorted(v for (v,) in run(f"SELECT b FROM {ds}.t")) == [_d("1.5e-30"), _d("0.1")]


def test_float_literals_into_an_ordinary_bignumeric_column_keep_their_digits(env):
    """Through a DOUBLE, 123456.789 was stored as 123456.789000000003637248 and 1e15 as
    999999999999999.945575230987042816; the column stays the engine's DECIMAL(38, 18)."""
    run, ds, _ = env
    run(f"CREATE TABLE {ds}.t (i INT64, b BIGNUMERIC)")
    run(f"INSERT INTO {ds}.t (i, b) VALUES (1, 123456.789), (2, 1e15), (3, -2.5E-3)")
    run(f"UPDATE {ds}.t SET b = 0.3 WHERE i = 3")
    assert run(f"SELECT i, CAST(b AS STRING) FROM {ds}.t ORDER BY i") == [
        (1, "123456.789"),
        (2, "1000000000000000"),
        (3, "0.3"),
    ]


def test_insert_select_and_update_write_wide_values(env):
    run, ds, _ = env
    run(f"CREATE TABLE {ds}.src (i INT64, b BIGNUMERIC, n NUMERIC)")
    run(f"INSERT INTO {ds}.src VALUES (1, BIGNUMERIC '1e-38', 3), (2, 2.5, 1.25)")
    run(f"INSERT INTO {ds}.src VALUES (3, NULL, NUMERIC '99999999999999999999999999999.999999999')")
    run(f"CREATE TABLE {ds}.dst (i INT64, b BIGNUMERIC, c BIGNUMERIC, s STRING)")
    run(f"INSERT INTO {ds}.dst (i, c) VALUES (1, 7)")
    # a wide column into the (then narrow) BIGNUMERIC column b, a NUMERIC one into c
    run(f"INSERT INTO {ds}.dst (i, b, c) SELECT i + 10, b, n FROM {ds}.src WHERE i = 2 OR b < 1")
    run(f"INSERT INTO {ds}.dst (i, b) SELECT 20, n FROM {ds}.src WHERE i = 3")  # 29 integer digits
    run(f"UPDATE {ds}.dst SET b = BIGNUMERIC '-42e30', s = 'x' WHERE i = 1")
    run(f"UPDATE {ds}.dst SET c = b WHERE i = 11")
    got = {r[0]: r[1:] for r in run(f"SELECT i, b, c, s FROM {ds}.dst")}
    assert got == {
        1: (_d("-42e30"), _d(7), "x"),
        11: (_d("1e-38"), _d("1e-38"), None),
        12: (_d("2.5"), _d("1.25"), None),
        20: (_d("99999999999999999999999999999.999999999"), None, None),
    }


def test_update_and_delete_filtering_other_columns_of_a_wide_table(env):
    run, ds, _ = env
    run(f"CREATE TABLE {ds}.t (i INT64, b BIGNUMERIC, s STRING)")
    run(f"INSERT INTO {ds}.t VALUES (1, BIGNUMERIC '1e-38', 'a'), (2, 2, 'b'), (3, 3, 'c')")
    run(f"UPDATE {ds}.t SET s = 'z' WHERE i = 1")
    run(f"DELETE {ds}.t WHERE s = 'b'")  # BigQuery's DELETE without FROM
    run(f"DELETE FROM {ds}.t WHERE b > 2")
    assert run(f"SELECT i, b, s FROM {ds}.t") == [(1, _d("1e-38"), "z")]


def _wide_table(run, ds: str) -> None:
    run(f"CREATE TABLE {ds}.t (i INT64, b BIGNUMERIC, c BIGNUMERIC, g STRING)")
    run(
        f"INSERT INTO {ds}.t VALUES (1, BIGNUMERIC '42e30', 1, 'x'), (2, BIGNUMERIC '1e-38', 0, 'x'), "
        f"(3, -1.5, -1.5, 'y'), (4, NULL, 2, 'y'), (5, BIGNUMERIC '42e30', 5, 'y')"
    )


@pytest.mark.parametrize(
    ("where", "want"),
    [
        ("b > 0", [1, 2, 5]),
        ("b = 42e30", [1, 5]),  # a FLOAT64 literal compared as BIGNUMERIC
        ("b < BIGNUMERIC '0.00000000000000000000000000000000000002'", [2, 3]),
        ("b >= 1e-38", [1, 2, 5]),
        ("0 < b", [1, 2, 5]),
        ("b != c", [1, 2, 5]),
        ("b = c", [3]),
        ("b > c", [1, 2, 5]),
        ("b BETWEEN -2 AND BIGNUMERIC '1e-38'", [2, 3]),
        ("b IN (-1.5, BIGNUMERIC '1e-38')", [2, 3]),
        ("b IS NULL", [4]),
        ("NOT b IS NULL AND g = 'y'", [3, 5]),
    ],
)
def test_filters_on_a_wide_column_are_exact(env, where, want):
    run, ds, _ = env
    _wide_table(run, ds)
    assert [i for (i,) in run(f"SELECT i FROM {ds}.t WHERE {where} ORDER BY i")] == want


def test_order_group_distinct_and_aggregates_over_a_wide_column(env):
    run, ds, _ = env
    _wide_table(run, ds)
    assert [i for (i,) in run(f"SELECT i FROM {ds}.t ORDER BY b DESC, i")] == [1, 5, 2, 3, 4]
    assert run(f"SELECT b, COUNT(*) AS n FROM {ds}.t GROUP BY b ORDER BY b") == [
        (None, 1),
        (_d("-1.5"), 1),
        (_d("1e-38"), 1),
        (_d("42e30"), 2),
    ]
    assert run(f"SELECT DISTINCT b FROM {ds}.t WHERE b > 1 ORDER BY b") == [(_d("42e30"),)]
    assert run(f"SELECT MIN(b), MAX(b) AS mx, COUNT(b), COUNT(DISTINCT b), SUM(b) FROM {ds}.t") == [
        (_d("-1.5"), _d("42e30"), 4, 3, _d("83999999999999999999999999999998.50000000000000000000000000000000000001"))
    ]
    assert run(f"SELECT g, SUM(b) AS s, MAX(b) AS m FROM {ds}.t GROUP BY g ORDER BY g") == [
        ("x", _d("42000000000000000000000000000000.00000000000000000000000000000000000001"), _d("42e30")),
        ("y", _d("41999999999999999999999999999998.5"), _d("42e30")),
    ]


def test_avg_of_a_wide_column_rounds_half_away_from_zero_to_38_decimals(env):
    run, ds, _ = env
    _wide_table(run, ds)
    context = decimal.Context(prec=100, rounding=decimal.ROUND_HALF_UP)  # half away from zero
    quantum = Decimal("1e-38")

    def mean(*values: str) -> Decimal:
        total = Decimal(0)
        for v in values:
            total = context.add(total, Decimal(v))
        return context.divide(total, Decimal(len(values))).quantize(quantum, context=context)

    assert run(f"SELECT g, AVG(b) AS a FROM {ds}.t GROUP BY g ORDER BY g") == [
        ("x", mean("42e30", "1e-38")),
        ("y", mean("-1.5", "42e30")),
    ]
    assert run(f"SELECT AVG(b) FROM {ds}.t WHERE b < 0") == [(_d("-1.5"),)]
    assert run(f"SELECT AVG(b) FROM {ds}.t WHERE b IS NULL") == [(None,)]
    run(f"INSERT INTO {ds}.t (i, b, g) VALUES (6, BIGNUMERIC '-1e-38', 'z'), (7, BIGNUMERIC '-1e-38', 'z')")
    run(f"INSERT INTO {ds}.t (i, b, g) VALUES (8, BIGNUMERIC '1e-38', 'z'), (9, 0, 'z')")
    # -1e-38 / 4 rounds to 0 (a quarter), (-2e-38) / 4 to -1e-38 (a half: away from zero)
    assert run(f"SELECT AVG(b) FROM {ds}.t WHERE g = 'z' AND i < 9 AND i <> 7") == [(_d("0"),)]
    assert run(f"SELECT AVG(b) FROM {ds}.t WHERE g = 'z' AND i IN (6, 7, 9, 9)") == [(_d("-1e-38"),)]


def test_cast_of_a_wide_column_to_string(env):
    """BigQuery's text of a BIGNUMERIC: every digit, no exponent, no trailing zeros."""
    run, ds, _ = env
    _wide_table(run, ds)
    assert run(f"SELECT i, CAST(b AS STRING), SAFE_CAST(b AS STRING) AS s FROM {ds}.t ORDER BY i") == [
        (1, "42000000000000000000000000000000", "42000000000000000000000000000000"),
        (2, "0." + "0" * 37 + "1", "0." + "0" * 37 + "1"),
        (3, "-1.5", "-1.5"),
        (4, None, None),
        (5, "42000000000000000000000000000000", "42000000000000000000000000000000"),
    ]
    assert [i for (i,) in run(f"SELECT i FROM {ds}.t WHERE CAST(b AS STRING) LIKE '%.%' ORDER BY i")] == [2, 3]


def test_a_join_on_a_wide_column(env):
    run, ds, _ = env
    _wide_table(run, ds)
    run(f"CREATE TABLE {ds}.k (b BIGNUMERIC, name STRING)")
    run(f"INSERT INTO {ds}.k VALUES (-1.5, 'neg'), (7, 'seven')")
    run(f"CREATE TABLE {ds}.w (b BIGNUMERIC, name STRING)")
    run(f"INSERT INTO {ds}.w VALUES (42e30, 'big')")
    assert run(f"SELECT t.i, k.name FROM {ds}.t t JOIN {ds}.k k ON t.b = k.b") == [(3, "neg")]
    assert run(f"SELECT t.i, w.name FROM {ds}.t AS t JOIN {ds}.w AS w ON w.b = t.b ORDER BY t.i") == [
        (1, "big"),
        (5, "big"),
    ]


def test_sum_past_bignumeric_range_is_an_overflow(env):
    run, ds, error = env
    run(f"CREATE TABLE {ds}.t (b BIGNUMERIC)")
    run(f"INSERT INTO {ds}.t VALUES " + ", ".join([f"(BIGNUMERIC '{NINES}')"] * 6))
    with pytest.raises(error, match="overflow"):
        run(f"SELECT SUM(b) FROM {ds}.t")


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT VARIANCE(b) OVER () FROM {t}",
        "SELECT SUM(DISTINCT b) FROM {t}",
        "SELECT CAST(b AS INT64) FROM {t}",
        "SELECT FORMAT('%t', b) FROM {t}",
        "SELECT i FROM {t} WHERE b IN (f, 1)",  # a FLOAT64 in the list
        "INSERT INTO {t} (b) VALUES (1 + 1)",
        "SELECT i FROM {t} WHERE i IN (SELECT i FROM {t} WHERE b > 0)",
    ],
)
def test_other_uses_stay_named_refusals(env, sql):
    run, ds, error = env
    run(f"CREATE TABLE {ds}.t (i INT64, b BIGNUMERIC, f FLOAT64, g STRING)")
    run(f"INSERT INTO {ds}.t (i, b, f, g) VALUES (1, BIGNUMERIC '1e-38', 1.0, 'x')")
    with pytest.raises(error, match=REFUSED):
        run(sql.format(t=f"{ds}.t"))
    assert run(f"SELECT i, b FROM {ds}.t") == [(1, _d("1e-38"))]


def test_dml_wide_value_reads_back_the_same_through_rest_and_the_read_api(bigquery_client, bigquery_read_client):
    """python-bigquery's test_arrow_extension_types_same_for_storage_and_REST_APIs_894[True]
    (its BIGNUMERIC column, 42e30, by DML), plus list_rows."""
    ds = bigquery_client.create_dataset(f"wide_{uuid.uuid4().hex[:8]}")
    table = f"{ds.project}.{ds.dataset_id}.t"
    try:
        bigquery_client.query(f"create table `{table}` (abignumeric BIGNUMERIC, astring STRING)").result()
        bigquery_client.query(f"insert into `{table}` (abignumeric, astring) values (42e30, 'x')").result()
        storage = (
            bigquery_client.query(f"select * from `{table}`").result().to_arrow(bqstorage_client=bigquery_read_client)
        )
        rest = bigquery_client.query(f"select * from `{table}`").result().to_arrow(create_bqstorage_client=False)
        assert {f.name: f.metadata for f in storage.schema} == {f.name: f.metadata for f in rest.schema}
        assert storage.column("abignumeric").to_pylist() == rest.column("abignumeric").to_pylist() == [_d("42e30")]
        assert [r["abignumeric"] for r in bigquery_client.list_rows(table)] == [_d("42e30")]
        listed = bigquery_client.list_rows(table).to_arrow(bqstorage_client=bigquery_read_client)
        assert listed.column("abignumeric").to_pylist() == [_d("42e30")]
        fields = {f.name: f.field_type for f in bigquery_client.get_table(table).schema}
        assert fields == {"abignumeric": "BIGNUMERIC", "astring": "STRING"}
    finally:
        bigquery_client.delete_dataset(ds, delete_contents=True, not_found_ok=True)
