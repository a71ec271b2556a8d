"""Partition decorators (`table$20240101`) name one partition, as BigQuery's partitioned-table
guides use them, through the real client:

- a load job or a query job writing to `t$20240101` with WRITE_TRUNCATE replaces that partition's
  rows only (a load was refused; a query job replaced the whole table: every other partition
  was lost, silently), WRITE_APPEND adds to it, WRITE_EMPTY needs it empty, and a row of another
  partition fails the job ("Some rows belong to different partitions rather than destination
  partition ...", as BigQuery words it; appending such rows went through);
- `client.delete_table("t$20240101")` deletes that partition's rows (it dropped the whole table);
- `client.list_rows("t$20240101")` and `get_table` list and count that partition's rows (they
  showed the whole table);
- hourly, daily and integer-range partitions, `$__NULL__` and `$__UNPARTITIONED__`; a decorator
  on an unpartitioned table, or one that does not fit the partitioning, is a 400."""

from __future__ import annotations

import uuid

import pytest
from google.api_core import exceptions as gexc
from google.cloud import bigquery

SCHEMA = [bigquery.SchemaField("d", "DATE"), bigquery.SchemaField("v", "INT64")]


@pytest.fixture
def ds(bigquery_client):
    name = f"parts_{uuid.uuid4().hex[:8]}"
    bigquery_client.create_dataset(name)
    bigquery_client.query_and_wait(f"CREATE TABLE {name}.t (d DATE, v INT64) PARTITION BY d")
    bigquery_client.query_and_wait(f"INSERT {name}.t VALUES ('2024-01-01', 1), ('2024-01-01', 3), ('2024-01-02', 2)")
    yield name
    bigquery_client.delete_dataset(name, delete_contents=True, not_found_ok=True)


def _rows(client, ds):
    return [tuple(r.values()) for r in client.query_and_wait(f"SELECT CAST(d AS STRING), v FROM {ds}.t ORDER BY d, v")]


def _load(client, rows, dest, disposition="WRITE_APPEND"):
    config = bigquery.LoadJobConfig(schema=SCHEMA, write_disposition=disposition)
    return client.load_table_from_json(rows, dest, job_config=config).result()


def test_a_load_replaces_one_partition(bigquery_client, ds):
    _load(bigquery_client, [{"d": "2024-01-01", "v": 10}], f"{ds}.t$20240101", "WRITE_TRUNCATE")
    assert _rows(bigquery_client, ds) == [("2024-01-01", 10), ("2024-01-02", 2)]
    _load(bigquery_client, [{"d": "2024-01-02", "v": 20}], f"{ds}.t$20240102")
    assert _rows(bigquery_client, ds) == [("2024-01-01", 10), ("2024-01-02", 2), ("2024-01-02", 20)]
    with pytest.raises(gexc.Conflict, match="partition 20240102"):
        _load(bigquery_client, [{"d": "2024-01-02", "v": 30}], f"{ds}.t$20240102", "WRITE_EMPTY")
    _load(bigquery_client, [{"d": "2024-01-05", "v": 5}], f"{ds}.t$20240105", "WRITE_EMPTY")
    assert ("2024-01-05", 5) in _rows(bigquery_client, ds)


def test_a_row_of_another_partition_fails_the_load_and_writes_nothing(bigquery_client, ds):
    before = _rows(bigquery_client, ds)
    rows = [{"d": "2024-01-01", "v": 7}, {"d": "2024-01-03", "v": 8}]
    with pytest.raises(gexc.BadRequest, match="rather than destination partition 20240101"):
        _load(bigquery_client, rows, f"{ds}.t$20240101", "WRITE_TRUNCATE")
    assert _rows(bigquery_client, ds) == before


def test_a_query_job_replaces_one_partition(bigquery_client, ds):
    config = bigquery.QueryJobConfig(
        destination=f"{bigquery_client.project}.{ds}.t$20240102", write_disposition="WRITE_TRUNCATE"
    )
    bigquery_client.query("SELECT DATE '2024-01-02' AS d, 99 AS v", job_config=config).result()
    assert _rows(bigquery_client, ds) == [("2024-01-01", 1), ("2024-01-01", 3), ("2024-01-02", 99)]


def test_delete_list_and_get_one_partition(bigquery_client, ds):
    listed = bigquery_client.list_rows(f"{ds}.t$20240101")
    assert sorted(r["v"] for r in listed) == [1, 3]
    assert bigquery_client.get_table(f"{ds}.t$20240101").num_rows == 2
    bigquery_client.delete_table(f"{ds}.t$20240101")
    assert _rows(bigquery_client, ds) == [("2024-01-02", 2)]
    assert bigquery_client.get_table(f"{ds}.t").num_rows == 1  # the table is still there


def test_hourly_and_integer_range_partitions(bigquery_client, ds):
    bigquery_client.query_and_wait(f"CREATE TABLE {ds}.h (t TIMESTAMP, v INT64) PARTITION BY TIMESTAMP_TRUNC(t, HOUR)")
    bigquery_client.query_and_wait(f"INSERT {ds}.h VALUES ('2024-01-01 10:30:00', 1), ('2024-01-01 11:30:00', 2)")
    assert [r["v"] for r in bigquery_client.list_rows(f"{ds}.h$2024010110")] == [1]
    bigquery_client.query_and_wait(
        f"CREATE TABLE {ds}.r (k INT64, v STRING) PARTITION BY RANGE_BUCKET(k, GENERATE_ARRAY(0, 100, 10))"
    )
    bigquery_client.query_and_wait(f"INSERT {ds}.r VALUES (1, 'a'), (15, 'b'), (NULL, 'n'), (500, 'u')")

    def values(decorator):
        return sorted(r["v"] for r in bigquery_client.list_rows(f"{ds}.r${decorator}"))

    assert (values("10"), values("__NULL__"), values("__UNPARTITIONED__")) == (["b"], ["n"], ["u"])
    bigquery_client.delete_table(f"{ds}.r$__NULL__")
    assert values("0") == ["a"] and values("__NULL__") == []


def test_decorators_that_name_no_partition_are_refused(bigquery_client, ds):
    with pytest.raises(gexc.BadRequest, match="Invalid partition decorator .*partitioned by day"):
        bigquery_client.delete_table(f"{ds}.t$2024")
    with pytest.raises(gexc.BadRequest, match="Invalid partition decorator"):
        bigquery_client.list_rows(f"{ds}.t$20241340")
    bigquery_client.query_and_wait(f"CREATE TABLE {ds}.plain (d DATE, v INT64)")
    with pytest.raises(gexc.BadRequest, match="the table is not partitioned"):
        _load(bigquery_client, [{"d": "2024-01-01", "v": 1}], f"{ds}.plain$20240101")
    assert _rows(bigquery_client, ds) == [("2024-01-01", 1), ("2024-01-01", 3), ("2024-01-02", 2)]
