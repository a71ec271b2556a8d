"""BIGNUMERIC table columns at BigQuery's full precision (76.76 digits, 38 after the point).

A stored BIGNUMERIC was the engine's DECIMAL(38, 18): a value with more than 20 integer or 18
decimal digits was refused (insertAll, JSON/CSV loads), or rounded to 18 decimals silently
(`-1e-38` was stored as 0), or failed in DuckDB (a Parquet `decimal(38, 12)` beyond it, a
`decimal256(76, 38)`). Now such a write makes the column wide (bignumerics.py) and every digit
comes back through tabledata.list, the Read API (Arrow decimal256(76, 38)), a query's `SELECT *`
or bare column and the local warehouse. Anything else done to a table with a wide column is
refused by name; a table whose BIGNUMERICs fit DECIMAL(38, 18) is the engine's as before.

The steps are python-bigquery's system tests' (tests/system/conftest.py's scalars_extreme_table
from tests/data/scalars_extreme.jsonl, test_list_rows.py, test_arrow.py, test_pandas.py), with
the values of the GoogleSQL reference's BIGNUMERIC range.
"""

from __future__ import annotations

import io
import json
import uuid
from decimal import Decimal

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from google.api_core import exceptions as gexc
from google.cloud import bigquery
from googlesql_cases import assert_fails_locally, assert_fails_through_client

NINES = "9." + "9" * 75 + "E+37"  # scalars_extreme.jsonl's bignumeric_col, 38 + 38 digits
EXTREME = [NINES, "-" + NINES, "-0.00000000000000000000000000000000000001", "0.0", None]
REFUSED = "is not supported by the local warehouse"


def _dataset(client) -> str:
    ds = client.create_dataset(f"bignum_{uuid.uuid4().hex[:8]}")
    return f"{ds.project}.{ds.dataset_id}"


def _extreme_table(client) -> str:
    """python-bigquery's scalars_extreme_table, its BIGNUMERIC and NUMERIC columns: a JSONL load."""
    table = f"{_dataset(client)}.scalars_extreme"
    rows = [
        {"rowindex": i, "bignumeric_col": b, "numeric_col": n}
        for i, (b, n) in enumerate(zip(EXTREME, ["9.9999999999999999999999999999999999999E+28", "0", "1", "0", None]))
    ]
    config = bigquery.LoadJobConfig(
        schema=[
            bigquery.SchemaField("bignumeric_col", "BIGNUMERIC"),
            bigquery.SchemaField("numeric_col", "NUMERIC"),
            bigquery.SchemaField("rowindex", "INTEGER", mode="REQUIRED"),
        ],
        source_format=bigquery.SourceFormat.NEWLINE_DELIMITED_JSON,
    )
    data = "\n".join(json.dumps(r) for r in rows).encode()
    client.load_table_from_file(io.BytesIO(data), table, job_config=config).result()
    return table


def _want(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


def test_the_extreme_table_lists_every_digit(bigquery_client):
    """test_list_rows_scalars_extreme: `row["bignumeric_col"] == Decimal(f"9.{'9' * 75}E+37")`."""
    table = _extreme_table(bigquery_client)
    rows = sorted(bigquery_client.list_rows(table), key=lambda r: r["rowindex"])
    assert [r["bignumeric_col"] for r in rows] == [_want(v) for v in EXTREME]
    assert rows[0]["numeric_col"] == Decimal("9.9999999999999999999999999999999999999E+28")


@pytest.mark.parametrize("max_results", [None, 10])  # None: the Read API; 10: REST pages
def test_the_extreme_table_to_arrow_is_decimal256_76_38(bigquery_client, bigquery_read_client, max_results):
    """test_arrow.py's test_list_rows_nullable_scalars_dtypes over the extreme table."""
    table = _extreme_table(bigquery_client)
    rows = bigquery_client.list_rows(table, max_results=max_results)
    arrow = rows.to_arrow(bqstorage_client=bigquery_read_client if max_results is None else None)
    t = arrow.schema.field("bignumeric_col").type
    assert (t.precision, t.scale) in {(76, 38), (77, 38)}
    got = sorted(arrow.to_pylist(), key=lambda r: r["rowindex"])
    assert [r["bignumeric_col"] for r in got] == [_want(v) for v in EXTREME]


def test_a_query_selects_the_wide_column_bare_or_with_star(bigquery_client, bigquery_read_client):
    table = _extreme_table(bigquery_client)
    rows = bigquery_client.query_and_wait(f"SELECT rowindex, bignumeric_col AS b FROM `{table}` ORDER BY rowindex")
    assert [r["b"] for r in rows] == [_want(v) for v in EXTREME]
    assert [f.field_type for f in rows.schema] == ["INTEGER", "BIGNUMERIC"]
    star = bigquery_client.query(f"SELECT * FROM `{table}` WHERE rowindex = 0").result()
    assert [r["bignumeric_col"] for r in star] == [Decimal(NINES)]
    arrow = bigquery_client.query(f"SELECT * FROM `{table}`").result().to_arrow(bqstorage_client=bigquery_read_client)
    assert sorted(arrow.column("bignumeric_col").to_pylist(), key=lambda d: (d is None, d)) == sorted(
        [_want(v) for v in EXTREME], key=lambda d: (d is None, d)
    )


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT STDDEV(bignumeric_col) OVER () FROM `{t}`",
        "SELECT CAST(bignumeric_col AS NUMERIC) FROM `{t}`",
        "SELECT TO_JSON_STRING(x) FROM `{t}` x",
        "SELECT * FROM `{t}` ORDER BY POW(bignumeric_col, 2)",
        "CREATE TABLE `{t}_copy` AS SELECT * FROM `{t}`",
        "MERGE `{t}` t USING `{t}` s ON t.rowindex = s.rowindex WHEN NOT MATCHED THEN INSERT ROW",
        "CREATE TABLE FUNCTION `{t}_f`() AS SELECT CAST(bignumeric_col AS STRING) AS s FROM `{t}`",
        "CREATE TEMP FUNCTION f() AS ((SELECT MAX(rowindex) FROM `{t}`)); SELECT f()",
    ],
)
def test_other_uses_of_a_wide_column_are_refused_by_name(bigquery_client, sql):
    """DuckDB would have met the engine's struct (its text for the CAST); a value off by 10^38 or
    rounded is worse than the refusal."""
    table = _extreme_table(bigquery_client)
    assert_fails_through_client(bigquery_client, sql.format(t=table), REFUSED)


def test_insert_rows_keeps_every_digit_and_ordinary_tables_are_unchanged(bigquery_client):
    ds = _dataset(bigquery_client)
    schema = [bigquery.SchemaField("i", "INTEGER"), bigquery.SchemaField("b", "BIGNUMERIC")]
    wide = bigquery_client.create_table(bigquery.Table(f"{ds}.wide", schema=schema))
    narrow = bigquery_client.create_table(bigquery.Table(f"{ds}.narrow", schema=schema))
    assert not bigquery_client.insert_rows(narrow, [{"i": 1, "b": Decimal("1.5")}, {"i": 2, "b": Decimal("-2.25")}])
    # the ordinary table: SUM and comparisons as before
    assert list(bigquery_client.query_and_wait(f"SELECT SUM(b) AS s FROM `{ds}.narrow` WHERE b < 0"))[0][
        "s"
    ] == Decimal("-2.25")
    values = ["42e30", "-1e-38", "0.1234567890123456789012", "1.5"]  # 42e30: test_arrow.py's value
    assert not bigquery_client.insert_rows(wide, [{"i": i, "b": v} for i, v in enumerate(values)])
    assert not bigquery_client.insert_rows(wide, [{"i": 9, "b": "2.25"}])  # into the wide column
    got = {r["i"]: r["b"] for r in bigquery_client.list_rows(wide)}
    assert got == {**{i: Decimal(v) for i, v in enumerate(values)}, 9: Decimal("2.25")}


def test_a_value_the_engine_cannot_store_wide_is_refused_by_name(bigquery_client):
    """Inside a RECORD (BigQuery holds it). 10^38 and beyond, up to 5.78e38, is stored since
    (test_client_suites_regressions_9.py): it stops the RECORD's row here."""
    ds = _dataset(bigquery_client)
    schema = [
        bigquery.SchemaField("b", "BIGNUMERIC"),
        bigquery.SchemaField("r", "RECORD", fields=[bigquery.SchemaField("b", "BIGNUMERIC")]),
    ]
    table = bigquery_client.create_table(bigquery.Table(f"{ds}.t", schema=schema))
    errors = bigquery_client.insert_rows(table, [{"b": "1e38"}, {"r": {"b": "1e-38"}}])
    messages = [e["errors"][0]["message"] for e in errors if e["errors"][0]["reason"] == "invalid"]
    assert len(messages) == 1 and all(REFUSED in m for m in messages)
    assert list(bigquery_client.list_rows(table)) == []


def test_a_parquet_load_of_wide_decimals(bigquery_client):
    """test_pandas.py's load_table_from_dataframe of decimal(38, 12) and decimal256(76, 38)."""
    ds = _dataset(bigquery_client)
    values = [Decimal("12345678901234567890123456.000000000001"), Decimal("-1.5"), None]
    wider = [Decimal(NINES), Decimal("1e-38"), Decimal(0)]
    data = pa.table({"a": pa.array(values, pa.decimal128(38, 12)), "b": pa.array(wider, pa.decimal256(76, 38))})
    buf = io.BytesIO()
    pq.write_table(data, buf)
    config = bigquery.LoadJobConfig(
        schema=[bigquery.SchemaField("a", "BIGNUMERIC"), bigquery.SchemaField("b", "BIGNUMERIC")],
        source_format=bigquery.SourceFormat.PARQUET,
    )
    bigquery_client.load_table_from_file(io.BytesIO(buf.getvalue()), f"{ds}.t", job_config=config).result()
    rows = list(bigquery_client.list_rows(f"{ds}.t"))
    assert sorted(((r["a"], r["b"]) for r in rows), key=lambda p: p[1]) == sorted(
        zip(values, wider, strict=True), key=lambda p: p[1]
    )


def test_a_csv_load_of_a_38_digit_bignumeric(bigquery_client):
    ds = _dataset(bigquery_client)
    text = f"1,{NINES}\n2,-0.00000000000000000000000000000000000001\n3,1.25\n"
    config = bigquery.LoadJobConfig(
        schema=[bigquery.SchemaField("i", "INTEGER"), bigquery.SchemaField("b", "BIGNUMERIC")],
        source_format=bigquery.SourceFormat.CSV,
    )
    bigquery_client.load_table_from_file(io.BytesIO(text.encode()), f"{ds}.t", job_config=config).result()
    got = {r["i"]: r["b"] for r in bigquery_client.list_rows(f"{ds}.t")}
    assert got == {1: Decimal(NINES), 2: Decimal("-1e-38"), 3: Decimal("1.25")}


def test_a_view_over_the_column_keeps_it_narrow(bigquery_client):
    """A view translated for DECIMAL(38, 18) would meet the struct: the write that would widen
    the column is refused by name."""
    ds = _dataset(bigquery_client)
    table = bigquery_client.create_table(bigquery.Table(f"{ds}.t", schema=[bigquery.SchemaField("b", "BIGNUMERIC")]))
    bigquery_client.query_and_wait(f"CREATE VIEW `{ds}.v` AS SELECT CAST(b AS STRING) AS s FROM `{ds}.t`")
    with pytest.raises(gexc.BadRequest, match=REFUSED):
        bigquery_client.insert_rows(table, [{"b": "1e-38"}])
    assert not bigquery_client.insert_rows(table, [{"b": "1.5"}])
    assert [r["s"] for r in bigquery_client.query_and_wait(f"SELECT s FROM `{ds}.v`")] == ["1.5"]


def test_the_local_warehouse_stores_and_selects_every_digit(scratch_warehouse):
    wh = scratch_warehouse
    ds = f"ds_{uuid.uuid4().hex[:8]}"
    wh.query_result(f"CREATE SCHEMA {ds}")
    wh.query_result(f"CREATE TABLE {ds}.t (i INT64, b BIGNUMERIC)")
    wh.insert_rows(f"{ds}.t", [{"i": 1, "b": Decimal(NINES)}, {"i": 2, "b": Decimal("-1e-38")}])
    got = wh.query_result(f"SELECT i, b FROM {ds}.t").table.to_pylist()
    assert sorted((r["i"], r["b"]) for r in got) == [(1, Decimal(NINES)), (2, Decimal("-1e-38"))]
    assert_fails_locally(wh, f"SELECT STDDEV(b) OVER () FROM {ds}.t", REFUSED)
