"""A query or load job that creates its destination table gives it the job's `timePartitioning`,
`rangePartitioning` and `clustering` (QueryJobConfig/LoadJobConfig `time_partitioning`,
`range_partitioning`, `clustering_fields`), as BigQuery does; they were dropped, so the table
came out unpartitioned. A field the table lacks is a 400 and no table is made."""

from __future__ import annotations

import io

import pytest
from google.api_core import exceptions
from google.cloud import bigquery


def test_a_query_job_partitions_and_clusters_the_table_it_creates(bigquery_client, dataset):
    dest = f"{dataset.project}.{dataset.dataset_id}.dest"
    config = bigquery.QueryJobConfig(
        destination=dest,
        time_partitioning=bigquery.TimePartitioning(field="d", type_="MONTH"),
        clustering_fields=["a"],
    )
    bigquery_client.query(
        "SELECT DATE '2024-01-05' AS d, 1 AS a UNION ALL SELECT DATE '2024-02-05', 2", job_config=config
    ).result()
    table = bigquery_client.get_table(dest)
    assert (table.time_partitioning.field, table.time_partitioning.type_) == ("d", "MONTH")
    assert table.clustering_fields == ["a"]
    assert sorted(bigquery_client.list_partitions(dest)) == ["202401", "202402"]


def test_a_load_job_range_partitions_the_table_it_creates(bigquery_client, dataset):
    dest = f"{dataset.project}.{dataset.dataset_id}.loaded"
    config = bigquery.LoadJobConfig(
        source_format="NEWLINE_DELIMITED_JSON",
        schema=[bigquery.SchemaField("n", "INT64"), bigquery.SchemaField("s", "STRING")],
        range_partitioning=bigquery.RangePartitioning(
            field="n", range_=bigquery.PartitionRange(start=0, end=100, interval=10)
        ),
        clustering_fields=["s"],
    )
    data = io.BytesIO(b'{"n": 5, "s": "a"}\n{"n": 25, "s": "b"}\n')
    bigquery_client.load_table_from_file(data, dest, job_config=config).result()
    table = bigquery_client.get_table(dest)
    assert table.range_partitioning.field == "n"
    assert (table.range_partitioning.range_.start, table.range_partitioning.range_.interval) == (0, 10)
    assert table.clustering_fields == ["s"]
    assert sorted(bigquery_client.list_partitions(dest)) == ["0", "20"]


def test_an_existing_table_keeps_its_own_layout(bigquery_client, dataset):
    dest = f"{dataset.project}.{dataset.dataset_id}.kept"
    bigquery_client.query_and_wait(f"CREATE TABLE `{dest}` (d DATE, a INT64)")
    config = bigquery.QueryJobConfig(destination=dest, write_disposition="WRITE_APPEND", clustering_fields=["a"])
    bigquery_client.query("SELECT DATE '2024-01-05' AS d, 1 AS a", job_config=config).result()
    assert bigquery_client.get_table(dest).clustering_fields is None


@pytest.mark.parametrize(
    "config",
    [
        {"time_partitioning": bigquery.TimePartitioning(field="nope")},
        {"clustering_fields": ["a", "nope"]},
        {"clustering_fields": ["a", "a", "a", "a", "a"]},
    ],
)
def test_a_layout_naming_a_missing_column_is_refused_and_makes_no_table(bigquery_client, dataset, config):
    dest = f"{dataset.project}.{dataset.dataset_id}.bad"
    with pytest.raises(exceptions.BadRequest) as info:
        bigquery_client.query("SELECT 1 AS a", job_config=bigquery.QueryJobConfig(destination=dest, **config)).result()
    assert "clustering" in info.value.message or "partitioning" in info.value.message
    with pytest.raises(exceptions.NotFound):
        bigquery_client.get_table(dest)


def test_information_schema_columns_show_partitioning_and_clustering(bigquery_client, dataset):
    """`is_partitioning_column` and `clustering_ordinal_position` (were always NO and NULL), for a
    table laid out by a job and one by DDL."""
    ds = f"{dataset.project}.{dataset.dataset_id}"
    config = bigquery.QueryJobConfig(
        destination=f"{ds}.by_job", time_partitioning=bigquery.TimePartitioning(field="d"), clustering_fields=["b", "a"]
    )
    bigquery_client.query("SELECT DATE '2024-01-05' AS d, 1 AS a, 'x' AS b", job_config=config).result()
    bigquery_client.query_and_wait(
        f"CREATE TABLE `{ds}.by_ddl` (n INT64, s STRING) "
        "PARTITION BY RANGE_BUCKET(n, GENERATE_ARRAY(0, 100, 10)) CLUSTER BY s"
    )
    rows = bigquery_client.query_and_wait(
        f"SELECT table_name, column_name, is_partitioning_column, clustering_ordinal_position "
        f"FROM `{ds}.INFORMATION_SCHEMA.COLUMNS` ORDER BY table_name, ordinal_position"
    )
    assert [tuple(r.values()) for r in rows] == [
        ("by_ddl", "n", "YES", None),
        ("by_ddl", "s", "NO", 1),
        ("by_job", "d", "YES", None),
        ("by_job", "a", "NO", 2),
        ("by_job", "b", "NO", 1),
    ]
