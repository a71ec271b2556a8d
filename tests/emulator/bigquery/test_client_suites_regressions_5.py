"""What googleapis/python-bigquery's system tests (`tests/system/test_pandas.py`, run against
BigQuery in Google's CI) expect and the emulator answered otherwise, reproduced through
google-cloud-bigquery:

- a REQUIRED field inside a REQUIRED RECORD was read back NULLABLE (DuckDB's STRUCT fields have no
  NOT NULL), so the client's schema comparison after `load_table_from_dataframe` failed; BigQuery
  keeps the mode, and insertAll refuses a row that leaves such a field NULL;
- a Parquet column of well-known binary (WKB) geometries, which `load_table_from_dataframe` writes
  for a shapely column or bytes of WKB, could not be loaded into a GEOGRAPHY column ("Invalid
  UTF8 payload"); BigQuery loads WKB into GEOGRAPHY as it does WKT.
"""

from __future__ import annotations

import pandas
import pytest
from google.cloud import bigquery

REQUIRED_RECORD = [
    bigquery.SchemaField(
        "bar",
        "RECORD",
        mode="REQUIRED",
        fields=[
            bigquery.SchemaField("id", "INTEGER", mode="REQUIRED"),
            bigquery.SchemaField("note", "STRING"),
        ],
    )
]


def test_a_required_field_inside_a_record_keeps_its_mode(bigquery_client, dataset):
    table_id = f"{dataset.project}.{dataset.dataset_id}.required_inside"
    created = bigquery_client.create_table(bigquery.Table(table_id, schema=REQUIRED_RECORD))
    assert created.schema == REQUIRED_RECORD
    frame = pandas.DataFrame({"bar": [{"id": 1, "note": "a"}, {"id": 2, "note": None}]})
    bigquery_client.load_table_from_dataframe(frame, table_id).result()
    table = bigquery_client.get_table(table_id)
    assert table.schema == REQUIRED_RECORD
    assert table.num_rows == 2


def test_insert_all_refuses_a_null_required_field_inside_a_record(bigquery_client, dataset):
    table_id = f"{dataset.project}.{dataset.dataset_id}.required_inside_rows"
    table = bigquery_client.create_table(bigquery.Table(table_id, schema=REQUIRED_RECORD))
    errors = bigquery_client.insert_rows_json(table, [{"bar": {"id": 1}}, {"bar": {"note": "no id"}}])
    by_row = {e["index"]: e["errors"][0] for e in errors}
    assert (by_row[1]["reason"], by_row[1]["location"]) == ("invalid", "bar.id")
    assert by_row[0]["reason"] == "stopped"
    assert bigquery_client.insert_rows_json(table, [{"bar": {"id": 3}}]) == []


def test_relaxing_a_required_field_inside_a_record_shows_it_nullable(bigquery_client, dataset):
    table_id = f"{dataset.project}.{dataset.dataset_id}.required_relaxed"
    table = bigquery_client.create_table(bigquery.Table(table_id, schema=REQUIRED_RECORD))
    relaxed = [
        bigquery.SchemaField(
            "bar",
            "RECORD",
            mode="REQUIRED",
            fields=[bigquery.SchemaField("id", "INTEGER", mode="NULLABLE"), bigquery.SchemaField("note", "STRING")],
        )
    ]
    table.schema = relaxed
    assert bigquery_client.update_table(table, ["schema"]).schema == relaxed
    assert bigquery_client.insert_rows_json(table_id, [{"bar": {"note": "no id"}}]) == []


def test_a_parquet_column_of_wkb_loads_into_geography(bigquery_client, dataset):
    shapely = pytest.importorskip("shapely")
    table_id = f"{dataset.project}.{dataset.dataset_id}.from_wkb"
    bigquery_client.query_and_wait(f"CREATE TABLE `{table_id}` (name STRING, geo GEOGRAPHY)")
    frame = pandas.DataFrame(
        {"name": ["foo", "bar", "baz"], "geo": [None, shapely.to_wkb(shapely.Point(1, 1)), b"\x01\x02"]}
    )
    job = bigquery_client.load_table_from_dataframe(frame.iloc[:2], table_id)
    job.result()
    rows = bigquery_client.query_and_wait(f"SELECT name, ST_ASTEXT(geo) AS wkt, ST_X(geo) AS x FROM `{table_id}`")
    assert sorted((r.name, r.wkt, r.x) for r in rows if r.wkt) == [("bar", "POINT(1 1)", 1.0)]
    with pytest.raises(Exception, match="not well-known binary"):
        bigquery_client.load_table_from_dataframe(frame.iloc[2:], table_id).result()


def test_a_shapely_column_loads_into_a_new_geography_table(bigquery_client, dataset):
    shapely = pytest.importorskip("shapely")
    table_id = f"{dataset.project}.{dataset.dataset_id}.from_shapes"
    frame = pandas.DataFrame({"name": ["foo", "bar"], "geo": [None, shapely.Polygon([(0, 0), (1, 0), (1, 1)])]})
    bigquery_client.load_table_from_dataframe(frame, table_id).result()
    table = bigquery_client.get_table(table_id)
    assert [(f.name, f.field_type) for f in table.schema] == [("name", "STRING"), ("geo", "GEOGRAPHY")]
    rows = {r.name: r.geo for r in bigquery_client.list_rows(table_id)}
    assert rows["foo"] is None
    assert rows["bar"].startswith("POLYGON((")
