"""BIGNUMERIC values at BigQuery's full precision (76.76 digits, 38 after the point) where the
engine's DECIMAL(38, 18) cannot hold them (bignumerics.py).

A BIGNUMERIC literal, a cast of a string literal to BIGNUMERIC or a named BIGNUMERIC query
parameter selected by the top-level SELECT list keeps every digit, from BigQuery's largest value
(5.7896044618658097711785492504343953926634992332820282019728792003956564819967E+38) down to its
smallest fraction 1E-38, through the REST rows, tabledata.list, the Read API (Arrow's
decimal256(76, 38), as BigQuery sends it) and the local warehouse; it was refused by name (a
literal, a parameter) or silently rounded through a double (a Decimal parameter of the local
warehouse with more than 38 digits). Anything else done with such a value stays a named refusal.

Each case is our own query with the value the GoogleSQL reference documents for BIGNUMERIC, run
on the local warehouse and through the real BigQuery client against the emulator.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

import pyarrow as pa
import pytest
from google.api_core import exceptions as gexc
from google.cloud import bigquery
from googlesql_cases import (
    assert_fails_locally,
    assert_fails_through_client,
    check_locally,
    check_through_client,
)

from llmops.core.errors import QueryError

BIG = "BIGNUMERIC"
MAX = "578960446186580977117854925043439539266.34992332820282019728792003956564819967"
MIN = "-578960446186580977117854925043439539266.34992332820282019728792003956564819968"
TINY = "0.00000000000000000000000000000000000001"
NINES = "-" + "9" * 38 + "." + "9" * 38  # python-bigquery's system test `@bignum_param`
EXTREMES = [MAX, MIN, TINY, "-" + TINY, NINES, "0.1234567890123456789012", "123456789012345678901"]

SELECTED = [
    (f"BIGNUMERIC '{MAX}'", Decimal(MAX), BIG),
    (f"BIGNUMERIC '{MIN}'", Decimal(MIN), BIG),
    ("BIGNUMERIC '1e-38'", Decimal(TINY), BIG),
    (
        "BIGNUMERIC '-5.7896044618658097711785492504343953926634992332820282019728792003956564819968E+38'",
        Decimal(MIN),
        BIG,
    ),
    (f"CAST('{NINES}' AS BIGNUMERIC)", Decimal(NINES), BIG),
    ("SAFE_CAST('0.1234567890123456789012' AS BIGNUMERIC)", Decimal("0.1234567890123456789012"), BIG),
]

# (the value selected, which is served; the same value used otherwise, which is refused by name)
REFUSED = [
    (f"SELECT BIGNUMERIC '{MAX}'", f"SELECT BIGNUMERIC '{MAX}' + 1"),
    (f"SELECT BIGNUMERIC '{TINY}'", f"SELECT BIGNUMERIC '{TINY}' = BIGNUMERIC '{TINY}'"),
    (f"SELECT BIGNUMERIC '{MAX}' AS x", f"SELECT x FROM (SELECT BIGNUMERIC '{MAX}' AS x)"),
    (f"SELECT BIGNUMERIC '{TINY}' AS x", f"SELECT [BIGNUMERIC '{TINY}']"),
    (f"SELECT BIGNUMERIC '{TINY}' AS x", f"DECLARE v BIGNUMERIC DEFAULT BIGNUMERIC '{TINY}'; SELECT v"),
]


@pytest.mark.parametrize(("sql", "want", "typ"), SELECTED)
def test_selected_wide_literals_keep_every_digit_locally(warehouse, sql, want, typ):
    check_locally(warehouse, f"SELECT {sql}", want, typ)


def test_selected_wide_literals_keep_every_digit_through_the_client(bigquery_client):
    check_through_client(bigquery_client, SELECTED)


@pytest.mark.parametrize(("served", "sql"), REFUSED)
def test_other_uses_of_a_wide_value_are_refused_by_name(warehouse, bigquery_client, served, sql):
    assert warehouse.query_result(served).schema[0]["type"] == BIG
    assert_fails_locally(warehouse, sql, "is not supported by the local warehouse")
    assert_fails_through_client(bigquery_client, sql, "is not supported by the local warehouse")


@pytest.mark.parametrize("text", EXTREMES)
def test_a_wide_parameter_selected_keeps_every_digit(warehouse, bigquery_client, text):
    value = Decimal(text)
    local = warehouse.query_result("SELECT @p AS p", {"p": value})
    assert local.table.to_pylist() == [{"p": value}]
    assert local.schema[0]["type"] == BIG
    param = bigquery.ScalarQueryParameter("p", "BIGNUMERIC", value)
    config = bigquery.QueryJobConfig(query_parameters=[param])
    result = bigquery_client.query_and_wait("SELECT @p AS p, 1 AS i", job_config=config)
    assert [tuple(r.values()) for r in result] == [(value, 1)]
    assert result.schema[0].field_type == BIG


def test_a_wide_parameter_used_otherwise_is_refused_by_name(warehouse, bigquery_client):
    value = Decimal(NINES)
    with pytest.raises(QueryError, match="query parameter @p: a BIGNUMERIC value beyond DECIMAL"):
        warehouse.query_result("SELECT @p + 1", {"p": value})
    with pytest.raises(QueryError, match="positional query parameter"):
        warehouse.query_result("SELECT ?", [value])
    config = bigquery.QueryJobConfig(query_parameters=[bigquery.ScalarQueryParameter("p", "BIGNUMERIC", value)])
    with pytest.raises(gexc.BadRequest, match="is not supported by the local warehouse"):
        bigquery_client.query_and_wait("SELECT @p > 0", job_config=config)
    positional = bigquery.QueryJobConfig(query_parameters=[bigquery.ScalarQueryParameter(None, "BIGNUMERIC", value)])
    with pytest.raises(gexc.BadRequest):
        bigquery_client.query_and_wait("SELECT ?", job_config=positional)


def test_rows_of_a_query_result_and_its_read_api_arrow(bigquery_client, bigquery_read_client):
    """tabledata.list of the query's result table and the Read API (Arrow decimal256(76, 38))."""
    sql = f"SELECT BIGNUMERIC '{MAX}' AS mx, BIGNUMERIC '{MIN}' AS mn, BIGNUMERIC '1e-38' AS tiny, BIGNUMERIC '1.5' AS plain"
    job = bigquery_client.query(sql)
    job.result()
    want = {"mx": Decimal(MAX), "mn": Decimal(MIN), "tiny": Decimal(TINY), "plain": Decimal("1.5")}
    listed = list(bigquery_client.list_rows(job.destination))
    assert [dict(r.items()) for r in listed] == [want]
    table = bigquery_client.list_rows(job.destination).to_arrow(bqstorage_client=bigquery_read_client)
    assert table.to_pylist() == [want]
    assert table.schema.field("mx").type == pa.decimal256(76, 38)
    assert table.schema.field("plain").type == pa.decimal256(76, 38)  # BigQuery's BIGNUMERIC, narrow or not


def test_llmops_sql_prints_every_digit(cli):
    r = cli("sql", f"SELECT BIGNUMERIC '{MAX}' AS mx, BIGNUMERIC '1e-38' AS tiny", "--json")
    assert r.code == 0, r.err
    assert r.json() == [{"mx": MAX, "tiny": TINY}]  # normalize() rounded it to 28 digits


def test_a_wide_result_written_to_a_destination_table_keeps_every_digit(bigquery_client, warehouse):
    """DuckDB failed on the decimal256; a stored column goes wide where needed
    (test_bignumeric_table_columns.py)."""
    ds = bigquery_client.create_dataset(f"bignum_{uuid.uuid4().hex[:8]}")
    narrow = bigquery.QueryJobConfig(destination=f"{ds.project}.{ds.dataset_id}.narrow")
    bigquery_client.query_and_wait("SELECT BIGNUMERIC '1.5' AS x", job_config=narrow)
    assert [r["x"] for r in bigquery_client.list_rows(f"{ds.project}.{ds.dataset_id}.narrow")] == [Decimal("1.5")]
    wide = bigquery.QueryJobConfig(destination=f"{ds.project}.{ds.dataset_id}.wide")
    bigquery_client.query_and_wait(f"SELECT BIGNUMERIC '{TINY}' AS x", job_config=wide)
    assert [r["x"] for r in bigquery_client.list_rows(f"{ds.project}.{ds.dataset_id}.wide")] == [Decimal(TINY)]


def test_an_avro_read_session_of_a_query_result_keeps_every_digit(bigquery_client, bigquery_read_client):
    from google.cloud.bigquery_storage_v1 import types

    job = bigquery_client.query(
        f"SELECT BIGNUMERIC '{MAX}' AS mx, BIGNUMERIC '{MIN}' AS mn, BIGNUMERIC '1e-38' AS tiny"
    )
    job.result()
    ref = job.destination
    asked = types.ReadSession(
        table=f"projects/{ref.project}/datasets/{ref.dataset_id}/tables/{ref.table_id}",
        data_format=types.DataFormat.AVRO,
    )
    s = bigquery_read_client.create_read_session(
        parent=f"projects/{ref.project}", read_session=asked, max_stream_count=1
    )
    rows = [r for stream in s.streams for r in bigquery_read_client.read_rows(stream.name).rows(s)]
    assert rows == [{"mx": Decimal(MAX), "mn": Decimal(MIN), "tiny": Decimal(TINY)}]


def test_a_dry_run_types_a_wide_value_bignumeric(bigquery_client):
    config = bigquery.QueryJobConfig(dry_run=True)
    job = bigquery_client.query(f"SELECT BIGNUMERIC '{MAX}' AS mx", job_config=config)
    assert [(f.name, f.field_type) for f in job.schema] == [("mx", BIG)]


# A wide value that came back from a query and goes into the engine again: a script variable
# (EXECUTE IMMEDIATE ... INTO was rounded to DECIMAL(38, 18) silently: 1E-38 became 0), a table
# function's column, a model's training input (a TypeError)
SCRIPTS = [
    (f"DECLARE v BIGNUMERIC; EXECUTE IMMEDIATE \"SELECT BIGNUMERIC '{TINY}'\" INTO v; SELECT v", Decimal(TINY)),
    (f"FOR r IN (SELECT BIGNUMERIC '{MAX}' AS x) DO SELECT r.x; END FOR", Decimal(MAX)),
]
SCRIPTS_REFUSED = [
    (
        f"DECLARE v BIGNUMERIC; EXECUTE IMMEDIATE \"SELECT BIGNUMERIC '{TINY}'\" INTO v; SELECT v + 1",
        "script variable v",
    ),
    (f"FOR r IN (SELECT BIGNUMERIC '{MAX}' AS x) DO SELECT r.x > 0; END FOR", "script variable r__x"),
]


@pytest.mark.parametrize(("sql", "want"), SCRIPTS)
def test_a_script_variable_holding_a_wide_value_keeps_every_digit(scratch_warehouse, bigquery_client, sql, want):
    assert list(scratch_warehouse.query_result(sql).table.to_pylist()[0].values()) == [want]
    assert [list(r.values()) for r in bigquery_client.query_and_wait(sql)] == [[want]]


@pytest.mark.parametrize(("sql", "fragment"), SCRIPTS_REFUSED)
def test_a_wide_value_passed_on_in_a_script_is_refused_by_name(scratch_warehouse, bigquery_client, sql, fragment):
    assert_fails_locally(scratch_warehouse, sql, fragment)
    assert_fails_through_client(bigquery_client, sql, fragment)


def test_a_table_function_or_model_over_a_wide_value_is_refused_by_name(bigquery_client):
    """A table function's body kept the struct: `SELECT CAST(x AS STRING) FROM tf()` would have
    been DuckDB's text of it; training failed with a TypeError."""
    ds = bigquery_client.create_dataset(f"bignum_{uuid.uuid4().hex[:8]}")
    function = f"CREATE TABLE FUNCTION `{ds.dataset_id}.tf`() AS SELECT BIGNUMERIC '1e30' AS x"
    assert_fails_through_client(bigquery_client, function, "a table function's column")
    model = (
        f"CREATE MODEL `{ds.dataset_id}.m` OPTIONS(model_type='linear_reg', input_label_cols=['y']) "
        f"AS SELECT BIGNUMERIC '{TINY}' AS x, 1.0 AS y"
    )
    assert_fails_through_client(bigquery_client, model, "training a model on a value")


def test_the_read_api_sends_every_bignumeric_as_decimal256(bigquery_client, bigquery_read_client):
    """BigQuery's Read API types BIGNUMERIC, top-level or nested, as decimal256(76, 38); the
    emulator sent the engine's decimal128(38, 18)."""
    ds = bigquery_client.create_dataset(f"bignum_{uuid.uuid4().hex[:8]}")
    schema = [
        bigquery.SchemaField("b", "BIGNUMERIC"),
        bigquery.SchemaField("r", "RECORD", mode="REPEATED", fields=[bigquery.SchemaField("b", "BIGNUMERIC")]),
    ]
    table = bigquery_client.create_table(bigquery.Table(f"{ds.project}.{ds.dataset_id}.t", schema=schema))
    assert not bigquery_client.insert_rows(
        table, [{"b": Decimal("-1.25"), "r": [{"b": Decimal("0.000000000000000001")}]}]
    )
    arrow = bigquery_client.list_rows(table).to_arrow(bqstorage_client=bigquery_read_client)
    assert arrow.schema.field("b").type == pa.decimal256(76, 38)
    assert arrow.schema.field("r").type == pa.list_(pa.struct([pa.field("b", pa.decimal256(76, 38))]))
    assert arrow.to_pylist() == [{"b": Decimal("-1.25"), "r": [{"b": Decimal("1E-18")}]}]
