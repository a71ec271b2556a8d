"""GoogleSQL that answered differently from BigQuery in the second sweep of BigQuery's how-to
guide pages (the first: `test_googlesql_guide_sweep.py`):

- a value with more digits after the decimal point than a parameterized column's scale
  (`NUMERIC(5, 2)`, `NUMERIC(9)`, `BIGNUMERIC(40, 2)`) was stored unrounded: "Specify a schema"'s
  rounding mode example wrote 1.025 into `x NUMERIC(5, 2) OPTIONS (rounding_mode =
  'ROUND_HALF_EVEN')` and read back 1.025 where BigQuery stores 1.02 (and 1.03 under the default
  ROUND_HALF_AWAY_FROM_ZERO). The local warehouse keeps the plain type, so such a write is refused
  by name (INSERT, UPDATE, insertAll); a value that fits is stored as it was.

Each case is our own statement with the answer Google's pages give, run on the local warehouse and
through the real BigQuery client against the emulator.
"""

from __future__ import annotations

import decimal

import pytest

_REFUSED = "is not supported by the local warehouse"


@pytest.mark.parametrize(
    "column, write",
    [
        # the schemas guide's example: BigQuery stores 1.02 (ROUND_HALF_EVEN) / 1.03
        ("x NUMERIC(5, 2) OPTIONS (rounding_mode = 'ROUND_HALF_EVEN')", "INSERT {t} (x) VALUES (NUMERIC '1.025')"),
        ("x NUMERIC(5, 2)", "INSERT {t} (x) VALUES (-1.0251)"),
        # scale 0: BigQuery stores 3
        ("x NUMERIC(9)", "INSERT {t} (x) SELECT 2.5"),
        ("x BIGNUMERIC(40, 2)", "INSERT {t} (x) VALUES (BIGNUMERIC '0.005')"),
        # an UPDATE that computes more digits (1.00 / 3)
        ("x NUMERIC(5, 2)", "INSERT {t} (x) VALUES (1); UPDATE {t} SET x = x / 3 WHERE TRUE"),
    ],
)
def test_a_write_that_needs_rounding_is_refused(env, column, write):
    run, ds, error = env
    table = f"{ds}.t"
    run(f"CREATE TABLE {table} ({column})")
    statements = write.format(t=table).split("; ")
    for statement in statements[:-1]:
        run(statement)
    # a value that fits is stored as it is, before and after the refused write
    run(f"INSERT {table} (x) VALUES (-1), (NULL)")
    before = run(f"SELECT x FROM {table} ORDER BY x")
    with pytest.raises(error) as info:
        run(statements[-1])
    assert _REFUSED in str(info.value)
    assert "rounding a value" in str(info.value)
    assert run(f"SELECT x FROM {table} ORDER BY x") == before
    assert decimal.Decimal("-1") in [x for (x,) in before]


def test_insert_all_row_that_needs_rounding_is_refused(bigquery_client):
    from google.cloud import bigquery

    ds = "ds_guide2_insert_all"
    bigquery_client.create_dataset(ds, exists_ok=True)
    try:
        table = bigquery.Table(
            f"{bigquery_client.project}.{ds}.t",
            schema=[bigquery.SchemaField("x", "NUMERIC", precision=5, scale=2)],
        )
        table = bigquery_client.create_table(table)
        errors = bigquery_client.insert_rows_json(table, [{"x": "1.02"}, {"x": "1.025"}], skip_invalid_rows=True)
        assert [e["index"] for e in errors] == [1]
        assert _REFUSED in errors[0]["errors"][0]["message"]
        rows = [tuple(r.values()) for r in bigquery_client.query(f"SELECT x FROM {ds}.t").result()]
        assert rows == [(decimal.Decimal("1.02"),)]
    finally:
        bigquery_client.delete_dataset(ds, delete_contents=True, not_found_ok=True)
