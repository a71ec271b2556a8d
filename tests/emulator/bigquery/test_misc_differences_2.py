"""Leftover differences from BigQuery, each checked against Google's documented behaviour:

- The pseudo-columns `_PARTITIONTIME` / `_PARTITIONDATE` of an ingestion-time partitioned table
  (`timePartitioning` without a field, `PARTITION BY _PARTITIONDATE`) are refused naming the
  pseudo-column and the table (the emulator keeps no ingestion time per row); they were
  "unrecognized name", as if the table had none. Of another table that error stays (BigQuery's).
- EXTRACT of a STRING query parameter reads it as the type ZetaSQL's signature matching picks
  (the cheapest coercion of a STRING: DATE, or TIMESTAMP for the DATE, TIME and DATETIME parts);
  it was "No matching signature for function DATE_PART". LAST_DAY, UNIX_SECONDS/MILLIS/MICROS and
  GENERATE_TIMESTAMP_ARRAY coerce a STRING parameter too. EXTRACT of a part its argument's type
  has not (`EXTRACT(HOUR FROM DATE ...)`, which DuckDB answered 0) and of a STRING literal are
  BigQuery's errors ("EXTRACT from DATE does not support the HOUR date part", "EXTRACT does not
  support literal STRING arguments").
- Newline-delimited JSON exports (extract jobs, EXPORT DATA, the local warehouse's export) leave
  NULL fields out of a row, nested ones too (BigQuery's backend: googleapis/nodejs-bigquery#1134),
  and write `<`, `>`, `&` as `\\u003c`, `\\u003e`, `\\u0026` ("Export table data"); they wrote
  `"name":null` and the symbols as they are.
- A GAP_FILL query gives the same rows through `engine.translate()`, the streamed JSON lines path
  and the local export as through jobs.query (its marker call was left in the SQL: "function
  __BQ_GAP_FILL is not supported").
- `INFORMATION_SCHEMA.TABLE_SNAPSHOTS` lists a dataset's (or a region's) table snapshots with
  their base tables and snapshot times; it was refused by name.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid

import duckdb
import pytest
from googlesql_cases import LOCAL_TYPES, assert_fails_locally, assert_fails_through_client

from llmops.core.errors import QueryError


def _dataset(client, prefix: str) -> str:
    return client.create_dataset(f"{prefix}_{uuid.uuid4().hex[:8]}").dataset_id


# ---------------------------------------------------------------- ingestion-time pseudo-columns


def test_ingestion_time_pseudo_columns_are_refused_by_name_on_the_local_warehouse(scratch_warehouse):
    wh = scratch_warehouse
    wh.query_result("CREATE SCHEMA IF NOT EXISTS ingest")
    wh.query_result("CREATE TABLE ingest.daily (a INT64) PARTITION BY _PARTITIONDATE")
    wh.query_result("INSERT INTO ingest.daily VALUES (1)")
    fragment = "the pseudo-column {} of the ingestion-time partitioned table {}.ingest.daily is not supported"
    for sql, name in [
        ("SELECT _PARTITIONTIME AS pt, * FROM ingest.daily", "_PARTITIONTIME"),
        ("SELECT a FROM ingest.daily WHERE _PARTITIONDATE = DATE '2024-01-01'", "_PARTITIONDATE"),
        ("SELECT d._PARTITIONTIME FROM ingest.daily AS d", "_PARTITIONTIME"),
        # dbt's time_ingestion_partitioning writes the pseudo-column in an INSERT's column list
        ("INSERT INTO ingest.daily (_PARTITIONTIME, a) VALUES (TIMESTAMP '2024-01-01', 2)", "_PARTITIONTIME"),
    ]:
        assert_fails_locally(wh, sql, fragment.format(name, wh.project))
    # a table partitioned by a column has no pseudo-column: BigQuery's "Unrecognized name"
    wh.query_result("CREATE TABLE ingest.by_day (d DATE, a INT64) PARTITION BY d")
    assert_fails_locally(wh, "SELECT _PARTITIONTIME FROM ingest.by_day", "Unrecognized name: _PARTITIONTIME")


def test_ingestion_time_pseudo_columns_are_refused_by_name_through_the_client(bigquery_client):
    from google.cloud import bigquery

    dataset = _dataset(bigquery_client, "ingest")
    try:
        table = bigquery.Table(
            f"{bigquery_client.project}.{dataset}.events", schema=[bigquery.SchemaField("a", "INT64")]
        )
        table.time_partitioning = bigquery.TimePartitioning(type_=bigquery.TimePartitioningType.DAY)
        bigquery_client.create_table(table)
        assert_fails_through_client(
            bigquery_client,
            f"SELECT _PARTITIONTIME, * FROM `{dataset}.events` WHERE _PARTITIONTIME >= TIMESTAMP '2024-01-01'",
            f"the pseudo-column _PARTITIONTIME of the ingestion-time partitioned table "
            f"{bigquery_client.project}.{dataset}.events is not supported by the local warehouse",
        )
    finally:
        bigquery_client.delete_dataset(dataset, delete_contents=True, not_found_ok=True)


# ---------------------------------------------------------------- EXTRACT and STRING parameters

# (query, its STRING parameters, BigQuery's value, its type)
STRING_PARAMETERS = [
    ("SELECT EXTRACT(YEAR FROM @p)", {"p": "2024-03-05"}, 2024, "INT64"),
    ("SELECT EXTRACT(DAYOFYEAR FROM @p)", {"p": "2024-03-05"}, 65, "INT64"),
    ("SELECT EXTRACT(DAYOFWEEK FROM @p)", {"p": "2024-03-05"}, 3, "INT64"),
    ("SELECT EXTRACT(ISOWEEK FROM @p)", {"p": "2024-03-05"}, 10, "INT64"),
    # the DATE, TIME and DATETIME parts take a TIMESTAMP (in UTC)
    ("SELECT EXTRACT(DATE FROM @p)", {"p": "2024-03-05 23:00:00-05"}, dt.date(2024, 3, 6), "DATE"),
    ("SELECT EXTRACT(TIME FROM @p)", {"p": "2024-03-05 23:00:00-05"}, dt.time(4, 0), "TIME"),
    ("SELECT EXTRACT(DATETIME FROM @p)", {"p": "2024-03-05 23:00:00-05"}, dt.datetime(2024, 3, 6, 4, 0), "DATETIME"),
    # AT TIME ZONE: only the TIMESTAMP signature takes a zone
    ("SELECT EXTRACT(HOUR FROM @p AT TIME ZONE 'Asia/Tokyo')", {"p": "2024-03-05 23:00:00+00"}, 8, "INT64"),
    ("SELECT LAST_DAY(@p)", {"p": "2024-02-05"}, dt.date(2024, 2, 29), "DATE"),
    ("SELECT LAST_DAY(@p, YEAR)", {"p": "2024-02-05"}, dt.date(2024, 12, 31), "DATE"),
    ("SELECT UNIX_SECONDS(@p)", {"p": "2024-01-01 00:00:01+00"}, 1704067201, "INT64"),
    ("SELECT UNIX_MILLIS(@p)", {"p": "2024-01-01 00:00:01.5+00"}, 1704067201500, "INT64"),
    ("SELECT UNIX_MICROS(@p)", {"p": "1970-01-01 00:00:00.000002+00"}, 2, "INT64"),
    (
        "SELECT ARRAY_LENGTH(GENERATE_TIMESTAMP_ARRAY(@a, @b, INTERVAL 1 HOUR))",
        {"a": "2024-01-01 00:00:00+00", "b": "2024-01-01 05:00:00+00"},
        6,
        "INT64",
    ),
]


@pytest.mark.parametrize(("sql", "params", "want", "typ"), STRING_PARAMETERS)
def test_a_string_parameter_coerces_where_the_function_takes_a_date_or_time(
    warehouse, bigquery_client, sql, params, want, typ
):
    from google.cloud import bigquery

    result = warehouse.engine.query(sql, params, param_types={k: "STRING" for k in params})
    assert list(result.table.to_pylist()[0].values()) == [want]
    assert LOCAL_TYPES.get(result.schema[0]["type"], result.schema[0]["type"]) == typ
    config = bigquery.QueryJobConfig(
        query_parameters=[bigquery.ScalarQueryParameter(k, "STRING", v) for k, v in params.items()]
    )
    rows = bigquery_client.query_and_wait(sql, job_config=config)
    assert [list(r.values()) for r in rows] == [[want]]
    assert LOCAL_TYPES.get(rows.schema[0].field_type, rows.schema[0].field_type) == typ


def test_extract_of_a_string_parameter_refuses_a_part_a_date_has_not(warehouse, bigquery_client):
    """The parameter reads as a DATE, whatever its text holds (ZetaSQL picks the signature before
    it looks at the value), so HOUR is the analyzer's error."""
    from google.api_core.exceptions import BadRequest
    from google.cloud import bigquery

    sql, value = "SELECT EXTRACT(HOUR FROM @p)", "2024-03-05 10:11:12"
    fragment = "EXTRACT from DATE does not support the HOUR date part"
    with pytest.raises(QueryError, match=fragment):
        warehouse.engine.query(sql, {"p": value}, param_types={"p": "STRING"})
    config = bigquery.QueryJobConfig(query_parameters=[bigquery.ScalarQueryParameter("p", "STRING", value)])
    with pytest.raises(BadRequest, match=fragment):
        bigquery_client.query_and_wait(sql, job_config=config)
    # the parts a value has are still answered, of columns whose type the translator does not know too
    sql = (
        "SELECT EXTRACT(HOUR FROM ts) AS h, EXTRACT(YEAR FROM d) AS y, EXTRACT(DATE FROM ts) AS dd "
        "FROM UNNEST([STRUCT(TIMESTAMP '2024-01-01 10:00:00+00' AS ts, DATE '2023-05-06' AS d)])"
    )
    want = {"h": 10, "y": 2023, "dd": dt.date(2024, 1, 1)}
    assert warehouse.query_result(sql).table.to_pylist() == [want]
    assert [dict(r) for r in bigquery_client.query_and_wait(sql)] == [want]


EXTRACT_REFUSALS = [
    ("SELECT EXTRACT(YEAR FROM '2024-03-05')", "EXTRACT does not support literal STRING arguments"),
    ("SELECT EXTRACT(HOUR FROM DATE '2024-01-01')", "EXTRACT from DATE does not support the HOUR date part"),
    ("SELECT EXTRACT(MINUTE FROM CURRENT_DATE())", "EXTRACT from DATE does not support the MINUTE date part"),
    ("SELECT EXTRACT(DATE FROM DATE '2024-01-01')", "EXTRACT from DATE does not support the DATE date part"),
    ("SELECT EXTRACT(TIME FROM TIME '10:00:00')", "EXTRACT from TIME does not support the TIME date part"),
    ("SELECT EXTRACT(YEAR FROM TIME '10:00:00')", "EXTRACT from TIME does not support the YEAR date part"),
    (
        "SELECT EXTRACT(DATETIME FROM DATETIME '2024-01-01 10:00:00')",
        "EXTRACT from DATETIME does not support the DATETIME date part",
    ),
    # a DATE column the translator does not type: DuckDB checks it when the query runs
    (
        "SELECT EXTRACT(SECOND FROM d) FROM UNNEST([DATE '2024-01-01']) AS d",
        "EXTRACT from DATE does not support the SECOND date part",
    ),
]


@pytest.mark.parametrize(("sql", "fragment"), EXTRACT_REFUSALS)
def test_extract_of_a_part_its_argument_has_not_is_bigquerys_error(warehouse, bigquery_client, sql, fragment):
    assert_fails_locally(warehouse, sql, fragment)
    assert_fails_through_client(bigquery_client, sql, fragment)


# ---------------------------------------------------------------- JSON exports

_NULLS = (
    "SELECT 1 AS id, CAST(NULL AS STRING) AS name, 'profit&loss <x>' AS s, "
    "STRUCT(CAST(NULL AS INT64) AS a, 'b' AS b) AS rec, [STRUCT(CAST(NULL AS STRING) AS c, 2 AS e)] AS arr"
)


def test_extract_jobs_and_export_data_leave_null_fields_out(bigquery_client, storage_client):
    from google.cloud import bigquery

    dataset = _dataset(bigquery_client, "jsonnull")
    bucket = storage_client.create_bucket(f"jsonnull-{uuid.uuid4().hex[:8]}")
    try:
        bigquery_client.query_and_wait(f"CREATE TABLE `{dataset}.rows` AS {_NULLS}")
        config = bigquery.ExtractJobConfig(destination_format="NEWLINE_DELIMITED_JSON")
        bigquery_client.extract_table(f"{dataset}.rows", f"gs://{bucket.name}/rows.json", job_config=config).result()
        line = bucket.blob("rows.json").download_as_text()
        assert line == ('{"id":"1","s":"profit\\u0026loss \\u003cx\\u003e","rec":{"b":"b"},"arr":[{"e":"2"}]}\n')
        bigquery_client.query_and_wait(
            f"EXPORT DATA OPTIONS(uri='gs://{bucket.name}/q-*.json', format='JSON') AS {_NULLS}"
        )
        (blob,) = [b for b in bucket.list_blobs(prefix="q-")]
        row = json.loads(blob.download_as_text())
        assert sorted(row) == ["arr", "id", "rec", "s"]
        assert row["rec"] == {"b": "b"} and row["arr"] == [{"e": "2"}] and row["id"] == "1"
        assert "\\u0026" in blob.download_as_text()
    finally:
        bigquery_client.delete_dataset(dataset, delete_contents=True, not_found_ok=True)


def test_the_local_warehouse_export_leaves_null_fields_out(scratch_warehouse):
    engine = scratch_warehouse.engine
    engine.export(_NULLS, "nulls.jsonl")
    text = (engine.local_root / "nulls.jsonl").read_text()
    assert text == '{"id":"1","s":"profit\\u0026loss \\u003cx\\u003e","rec":{"b":"b"},"arr":[{"e":"2"}]}\n'
    # a JSON value's own nulls are data, not fields
    engine.export("SELECT JSON '{\"k\": null}' AS j, CAST(NULL AS JSON) AS k", "json.jsonl")
    assert (engine.local_root / "json.jsonl").read_text() == '{"j":{"k":null}}\n'


# ---------------------------------------------------------------- GAP_FILL through every path

_GAP_FILL = (
    "SELECT * FROM GAP_FILL((SELECT DATE '2024-01-01' AS d, 1 AS v UNION ALL SELECT DATE '2024-01-04', 4), "
    "ts_column => 'd', bucket_width => INTERVAL 1 DAY, value_columns => [('v', 'linear')]) ORDER BY d"
)
_FILLED = [
    {"d": dt.date(2024, 1, 1), "v": 1},
    {"d": dt.date(2024, 1, 2), "v": 2},
    {"d": dt.date(2024, 1, 3), "v": 3},
    {"d": dt.date(2024, 1, 4), "v": 4},
]


def test_gap_fill_gives_the_same_rows_through_every_path(scratch_warehouse, bigquery_client):
    assert [dict(r) for r in bigquery_client.query_and_wait(_GAP_FILL)] == _FILLED
    assert scratch_warehouse.query_result(_GAP_FILL).table.to_pylist() == _FILLED
    translated = scratch_warehouse.engine.translate(_GAP_FILL)
    assert "__bq_gap_fill(" not in translated.lower()
    assert duckdb.sql(translated).fetchall() == [tuple(r.values()) for r in _FILLED]

    batches: list = []
    scratch_warehouse.stream_json_lines(_GAP_FILL, batches.append, lines={"line": ["d", "v"]})
    lines = [json.loads(r["line"]) for b in batches for r in b.to_pylist()]
    assert lines == [{"d": r["d"].isoformat(), "v": str(r["v"])} for r in _FILLED]  # INT64 as strings

    scratch_warehouse.engine.export(_GAP_FILL, "filled.jsonl")
    text = (scratch_warehouse.engine.local_root / "filled.jsonl").read_text()
    assert [json.loads(x) for x in text.splitlines()] == [{"d": r["d"].isoformat(), "v": str(r["v"])} for r in _FILLED]


# ---------------------------------------------------------------- INFORMATION_SCHEMA.TABLE_SNAPSHOTS


def test_table_snapshots_lists_each_snapshot_with_its_base_table(bigquery_client, scratch_warehouse):
    project = bigquery_client.project
    base, other = _dataset(bigquery_client, "snapbase"), _dataset(bigquery_client, "snaps")
    try:
        bigquery_client.query_and_wait(f"CREATE TABLE `{base}.orders` AS SELECT 1 AS id")
        bigquery_client.query_and_wait(f"CREATE SNAPSHOT TABLE `{other}.orders_snap` CLONE `{base}.orders`")
        bigquery_client.query_and_wait(f"CREATE TABLE `{other}.orders_clone` CLONE `{base}.orders`")
        sql = (
            "SELECT table_catalog, table_schema, table_name, base_table_catalog, base_table_schema, "
            f"base_table_name, snapshot_time FROM `{other}.INFORMATION_SCHEMA.TABLE_SNAPSHOTS`"
        )
        rows = [dict(r) for r in bigquery_client.query_and_wait(sql)]
        snapshot = bigquery_client.get_table(f"{other}.orders_snap").snapshot_definition
        assert rows == [
            {
                "table_catalog": project,
                "table_schema": other,
                "table_name": "orders_snap",
                "base_table_catalog": project,
                "base_table_schema": base,
                "base_table_name": "orders",
                "snapshot_time": rows[0]["snapshot_time"],
            }
        ]
        # the REST resource's snapshotTime (milliseconds) is the same time
        assert abs(rows[0]["snapshot_time"] - snapshot.snapshot_time) < dt.timedelta(milliseconds=1)
        assert list(bigquery_client.query_and_wait(f"SELECT * FROM `{base}.INFORMATION_SCHEMA.TABLE_SNAPSHOTS`")) == []
        region = "SELECT table_name FROM `region-us`.INFORMATION_SCHEMA.TABLE_SNAPSHOTS WHERE table_schema = "
        assert [r[0] for r in bigquery_client.query_and_wait(f"{region}'{other}'")] == ["orders_snap"]
        bigquery_client.query_and_wait(f"DROP SNAPSHOT TABLE `{other}.orders_snap`")
        assert list(bigquery_client.query_and_wait(sql)) == []
    finally:
        bigquery_client.delete_dataset(other, delete_contents=True, not_found_ok=True)
        bigquery_client.delete_dataset(base, delete_contents=True, not_found_ok=True)

    wh = scratch_warehouse
    wh.query_result("CREATE SCHEMA IF NOT EXISTS snaplocal")
    wh.query_result("CREATE TABLE snaplocal.t AS SELECT 1 AS id")
    wh.query_result("CREATE SNAPSHOT TABLE snaplocal.s CLONE snaplocal.t")
    got = wh.query_result(
        "SELECT table_name, base_table_schema, base_table_name FROM snaplocal.INFORMATION_SCHEMA.TABLE_SNAPSHOTS"
    )
    assert got.table.to_pylist() == [{"table_name": "s", "base_table_schema": "snaplocal", "base_table_name": "t"}]
