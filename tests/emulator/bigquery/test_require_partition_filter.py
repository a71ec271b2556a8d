"""`require_partition_filter` is enforced as BigQuery enforces it: a query, DML or CTAS that reads
such a table without a WHERE predicate on the partitioning column alone is a 400 "Cannot query
over table 'p.d.t' without a filter over column(s) 'd' that can be used for partition
elimination" (it ran, scanning the whole table). Set by REST (tables.insert/patch) or DDL
(OPTIONS / ALTER TABLE SET OPTIONS). Also: `list_partitions` and INFORMATION_SCHEMA.PARTITIONS
see partitioning that REST set (they saw only DDL's, so list_partitions answered [])."""

from __future__ import annotations

import pytest
from google.api_core import exceptions
from google.cloud import bigquery

from llmops.emulator.bigquery.engine import BigQueryEngine
from llmops.emulator.bigquery.googlesql import BigQueryInvalid


def _rest_table(client, dataset, name="p", require=True):
    table_id = f"{dataset.project}.{dataset.dataset_id}.{name}"
    table = bigquery.Table(
        table_id,
        schema=[bigquery.SchemaField("d", "DATE"), bigquery.SchemaField("v", "INT64")],
    )
    table.time_partitioning = bigquery.TimePartitioning(field="d")
    table.require_partition_filter = require
    client.create_table(table)
    client.query_and_wait(f"INSERT `{table_id}` VALUES (DATE '2024-01-01', 1), (DATE '2024-01-02', 2)")
    return table_id


def _refused(client, sql, table_id, column="d"):
    with pytest.raises(exceptions.BadRequest) as info:
        client.query_and_wait(sql)
    error = info.value.errors[0]
    assert error["reason"] == "invalid"
    assert error["message"].startswith(
        f"Cannot query over table '{table_id}' without a filter over column(s) '{column}' that can be used for "
        "partition elimination"
    ), error["message"]


@pytest.mark.parametrize(
    "where",
    ["", "WHERE v = 1", "WHERE d = '2024-01-01' OR v = 1", "WHERE d = DATE_ADD(d, INTERVAL v DAY)"],
)
def test_a_query_without_a_filter_on_the_partitioning_column_alone_is_refused(bigquery_client, dataset, where):
    table = _rest_table(bigquery_client, dataset)
    _refused(bigquery_client, f"SELECT * FROM `{table}` {where}", table)


@pytest.mark.parametrize(
    "where",
    [
        "WHERE d = '2024-01-01'",
        "WHERE d >= '2024-01-01' AND v = 1",
        "WHERE (v > 0 AND (d BETWEEN '2024-01-01' AND '2024-01-01'))",
        "WHERE t.d IN (DATE '2024-01-01')",
    ],
)
def test_a_query_with_a_filter_on_the_partitioning_column_runs(bigquery_client, dataset, where):
    table = _rest_table(bigquery_client, dataset)
    rows = bigquery_client.query_and_wait(f"SELECT v FROM `{table}` AS t {where}")
    assert [r.v for r in rows] == [1]


def test_dml_and_ctas_reading_the_table_need_the_filter_and_inserts_do_not(bigquery_client, dataset):
    client = bigquery_client
    table = _rest_table(client, dataset)
    copy = f"{dataset.project}.{dataset.dataset_id}.copy"
    _refused(client, f"DELETE FROM `{table}` WHERE v = 1", table)
    _refused(client, f"UPDATE `{table}` SET v = 3 WHERE TRUE", table)
    _refused(client, f"CREATE TABLE `{copy}` AS SELECT * FROM `{table}`", table)
    client.query_and_wait(f"INSERT `{table}` (d, v) VALUES (DATE '2024-01-03', 3)")
    client.query_and_wait(f"DELETE FROM `{table}` WHERE d = '2024-01-03'")
    client.query_and_wait(f"CREATE TABLE `{copy}` AS SELECT * FROM `{table}` WHERE d > '2000-01-01'")
    assert client.get_table(copy).num_rows == 2


def test_turning_the_option_off_through_rest_lets_queries_run(bigquery_client, dataset):
    table_id = _rest_table(bigquery_client, dataset)
    table = bigquery_client.get_table(table_id)
    assert table.require_partition_filter is True
    table.require_partition_filter = False
    bigquery_client.update_table(table, ["require_partition_filter"])
    assert len(list(bigquery_client.query_and_wait(f"SELECT * FROM `{table_id}`"))) == 2


def test_ddl_sets_and_clears_the_option(bigquery_client, dataset):
    client = bigquery_client
    table = f"{dataset.project}.{dataset.dataset_id}.r"
    client.query_and_wait(
        f"CREATE TABLE `{table}` (n INT64, s STRING) "
        "PARTITION BY RANGE_BUCKET(n, GENERATE_ARRAY(0, 100, 10)) OPTIONS (require_partition_filter = TRUE)"
    )
    _refused(client, f"SELECT COUNT(*) FROM `{table}`", table, column="n")
    assert list(client.query_and_wait(f"SELECT COUNT(*) AS c FROM `{table}` WHERE n < 50"))[0].c == 0
    client.query_and_wait(f"ALTER TABLE `{table}` SET OPTIONS (require_partition_filter = FALSE)")
    assert list(client.query_and_wait(f"SELECT COUNT(*) AS c FROM `{table}`"))[0].c == 0


def test_a_table_recreated_without_the_option_does_not_keep_it(bigquery_client, dataset):
    table = _rest_table(bigquery_client, dataset)
    bigquery_client.query_and_wait(f"CREATE OR REPLACE TABLE `{table}` AS SELECT DATE '2024-01-01' AS d")
    assert len(list(bigquery_client.query_and_wait(f"SELECT * FROM `{table}`"))) == 1


def test_partitions_of_a_table_partitioned_through_rest_are_listed(bigquery_client, dataset):
    table = _rest_table(bigquery_client, dataset, require=False)
    assert sorted(bigquery_client.list_partitions(table)) == ["20240101", "20240102"]
    rows = bigquery_client.query_and_wait(
        f"SELECT partition_id, total_rows FROM `{dataset.project}.{dataset.dataset_id}.INFORMATION_SCHEMA.PARTITIONS` "
        "WHERE table_name = 'p' ORDER BY partition_id"
    )
    assert [(r.partition_id, r.total_rows) for r in rows] == [("20240101", 1), ("20240102", 1)]


def test_the_local_warehouse_enforces_the_ddl_option(tmp_path):
    engine = BigQueryEngine(tmp_path / "w.duckdb")
    engine.create_dataset("llmops-local", "ds")
    engine.query(
        "CREATE TABLE ds.t (d DATE, v INT64) PARTITION BY d OPTIONS (require_partition_filter = true)",
        default_project="llmops-local",
    )
    with pytest.raises(BigQueryInvalid, match="without a filter over column\\(s\\) 'd'"):
        engine.query("SELECT * FROM ds.t", default_project="llmops-local")
    assert engine.query("SELECT * FROM ds.t WHERE d > '2020-01-01'", default_project="llmops-local").table.num_rows == 0
