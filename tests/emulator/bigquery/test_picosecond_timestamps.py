"""BigQuery's picosecond timestamps: TIMESTAMP(12), a schema field's `timestampPrecision: 12`.

From BigQuery's documentation: `TableFieldSchema.timestampPrecision` is 6 (the default,
microseconds) or 12 (picoseconds); `DataFormatOptions.timestampOutputFormat` ISO8601_STRING writes
`YYYY-MM-DDTHH:MM:SS.FFFFFFFFFFFFZ`, INT64 microseconds and FLOAT64 seconds since the epoch
(FLOAT64 the default), and `useInt64Timestamp` beside FLOAT64 or ISO8601_STRING is refused;
`JobConfigurationLoad.timestampTargetPrecision` [12] loads CSV timestamps as TIMESTAMP(12).
The local warehouse holds TIMESTAMP(12) exactly (picotimestamps.py) and answers the SQL of
picosqls.py; what else a query does with one is refused by name.
"""

from __future__ import annotations

import io
import re

import pytest
from google.api_core.exceptions import BadRequest
from google.cloud import bigquery
from google.cloud.bigquery import enums

from llmops.core.errors import QueryError

PICO = enums.TimestampPrecision.PICOSECOND
MICRO = enums.TimestampPrecision.MICROSECOND  # the client's name for no precision given
VALUE = "2023-01-01T12:00:00.123456789123Z"


def _pico_table(client, dataset, name="pico", rows=(VALUE,)):
    schema = [bigquery.SchemaField("ts", "TIMESTAMP", timestamp_precision=PICO), bigquery.SchemaField("n", "INT64")]
    table = client.create_table(bigquery.Table(dataset.table(name), schema=schema))
    if rows:
        assert client.insert_rows_json(table, [{"ts": v, "n": i} for i, v in enumerate(rows)]) == []
    return table


# ------------------------------------------------------------------------------- schemas


def test_a_picosecond_field_is_kept_in_the_schema(bigquery_client, dataset, http):
    table = _pico_table(bigquery_client, dataset, rows=())
    got = bigquery_client.get_table(table)
    assert got.schema[0].timestamp_precision == PICO
    assert got.schema[1].timestamp_precision == MICRO  # not a TIMESTAMP: no precision reported
    path = f"/bigquery/v2/projects/{dataset.project}/datasets/{dataset.dataset_id}/tables/pico"
    assert http.get(path).json()["schema"]["fields"][0] == {
        "name": "ts",
        "type": "TIMESTAMP",
        "mode": "NULLABLE",
        "timestampPrecision": "12",
    }
    # a schema update keeps it, and adds another picosecond field
    got.schema = [*got.schema, bigquery.SchemaField("ts2", "TIMESTAMP", timestamp_precision=PICO)]
    updated = bigquery_client.update_table(got, ["schema"])
    assert [f.timestamp_precision for f in updated.schema] == [PICO, MICRO, PICO]
    # a column's precision is part of its type, which a schema update may not change
    updated.schema = [bigquery.SchemaField("ts", "TIMESTAMP"), *updated.schema[1:]]
    with pytest.raises(BadRequest, match=r"changed type from TIMESTAMP\(12\) to TIMESTAMP"):
        bigquery_client.update_table(updated, ["schema"])


@pytest.mark.parametrize(
    ("field", "words"),
    [
        ({"name": "t", "type": "TIMESTAMP", "timestampPrecision": "7"}, "Invalid timestampPrecision '7'"),
        ({"name": "t", "type": "TIMESTAMP", "timestampPrecision": 9}, "Invalid timestampPrecision 9"),
        ({"name": "t", "type": "DATETIME", "timestampPrecision": "12"}, "only allowed for TIMESTAMP fields"),
    ],
)
def test_other_precisions_are_refused_with_400(http, dataset, field, words):
    path = f"/bigquery/v2/projects/{dataset.project}/datasets/{dataset.dataset_id}/tables"
    body = {"tableReference": {"tableId": "bad"}, "schema": {"fields": [field]}}
    answer = http.post(path, json=body)
    assert answer.status_code == 400
    assert words in answer.json()["error"]["message"]


# --------------------------------------------------------------------------- values in/out


def test_insert_all_keeps_twelve_digits_and_each_output_format(bigquery_client, dataset, http):
    _pico_table(bigquery_client, dataset, rows=(VALUE, "1969-12-31 23:59:59.999999999999+00:00", None))
    path = f"/bigquery/v2/projects/{dataset.project}/datasets/{dataset.dataset_id}/tables/pico/data"

    def cells(**params):
        answer = http.get(path, params=params)
        assert answer.status_code == 200, answer.text
        return [r["f"][0]["v"] for r in answer.json()["rows"]]

    iso = cells(**{"formatOptions.timestampOutputFormat": "ISO8601_STRING"})
    assert iso == [VALUE, "1969-12-31T23:59:59.999999999999Z", None]
    # INT64 and FLOAT64 give the microsecond, rounded down (toward the past)
    assert cells(**{"formatOptions.useInt64Timestamp": "true"}) == ["1672574400123456", "-1", None]
    assert cells(**{"formatOptions.timestampOutputFormat": "INT64"}) == ["1672574400123456", "-1", None]
    assert cells() == ["1.672574400123456E9", "-1.0E-6", None]
    # the client keeps a picosecond value's text as it came
    rows = bigquery_client.list_rows(f"{dataset.dataset_id}.pico", timestamp_precision=PICO)
    assert [r["ts"] for r in rows] == [VALUE, "1969-12-31T23:59:59.999999999999Z", None]


@pytest.mark.parametrize(
    "bad",
    ["2023-01-01T12:00:00.1234567891234Z", "2023-13-01 00:00:00", "not a time", "1.0000000000001"],
)
def test_insert_all_refuses_what_is_not_a_picosecond_timestamp(bigquery_client, dataset, bad):
    table = _pico_table(bigquery_client, dataset, rows=())
    errors = bigquery_client.insert_rows_json(table, [{"ts": bad}])
    assert errors[0]["errors"][0]["reason"] == "invalid"
    assert errors[0]["errors"][0]["message"].startswith("Cannot convert value to timestamp")


def test_epoch_seconds_and_offsets_are_read_exactly(bigquery_client, dataset):
    table = _pico_table(bigquery_client, dataset, rows=())
    rows = [{"ts": 1672574400.5}, {"ts": "1672574400.000000000001"}, {"ts": "2023-01-01 14:00:00.000000000007+02:00"}]
    assert bigquery_client.insert_rows_json(table, rows) == []
    got = [r["ts"] for r in bigquery_client.list_rows(table, timestamp_precision=PICO)]
    assert got == [
        "2023-01-01T12:00:00.500000000000Z",
        "2023-01-01T12:00:00.000000000001Z",
        "2023-01-01T12:00:00.000000000007Z",
    ]


def test_load_jobs_read_csv_and_json_into_picosecond_columns(bigquery_client, dataset):
    table = _pico_table(bigquery_client, dataset, rows=())
    csv_config = bigquery.LoadJobConfig(source_format="CSV")
    data = io.BytesIO(b"2025-01-01T00:00:00.123456789012Z,1\n2025-01-02 00:00:00.5,2\n")
    bigquery_client.load_table_from_file(data, table, job_config=csv_config).result()
    json_config = bigquery.LoadJobConfig(source_format="NEWLINE_DELIMITED_JSON")
    data = io.BytesIO(b'{"ts": "2025-01-03T00:00:00.000000000001Z", "n": 3}\n')
    bigquery_client.load_table_from_file(data, table, job_config=json_config).result()
    got = sorted(r["ts"] for r in bigquery_client.list_rows(table, timestamp_precision=PICO))
    assert got == [
        "2025-01-01T00:00:00.123456789012Z",
        "2025-01-02T00:00:00.500000000000Z",
        "2025-01-03T00:00:00.000000000001Z",
    ]
    with pytest.raises(BadRequest, match="Cannot convert value to timestamp"):
        data = io.BytesIO(b"2025-01-01T00:00:00.1234567890123Z,1\n")
        bigquery_client.load_table_from_file(data, table, job_config=csv_config).result()


def test_a_load_into_a_new_table_takes_the_picosecond_schema(bigquery_client, dataset):
    config = bigquery.LoadJobConfig(
        source_format="CSV", schema=[bigquery.SchemaField("ts", "TIMESTAMP", timestamp_precision=PICO)]
    )
    data = io.BytesIO(b"2025-01-01T00:00:00.123456789012Z\n")
    table = f"{dataset.dataset_id}.loaded"
    bigquery_client.load_table_from_file(data, table, job_config=config).result()
    assert bigquery_client.get_table(table).schema[0].timestamp_precision == PICO
    assert [r[0] for r in bigquery_client.list_rows(table, timestamp_precision=PICO)] == [
        "2025-01-01T00:00:00.123456789012Z"
    ]


def test_float64_timestamps_keep_every_digit_of_the_double(bigquery_client, dataset, http):
    # FLOAT64 (the default) is seconds since the epoch; it was written with seven significant
    # digits (1.672574E+09), which lost the seconds of every timestamp, picosecond or not
    bigquery_client.query_and_wait(
        f"CREATE TABLE `{dataset.dataset_id}.plain` AS SELECT TIMESTAMP '2023-01-01 12:00:00.123456' AS ts"
    )
    path = f"/bigquery/v2/projects/{dataset.project}/datasets/{dataset.dataset_id}/tables/plain/data"
    assert http.get(path).json()["rows"] == [{"f": [{"v": "1.672574400123456E9"}]}]


def test_the_read_api_sends_microseconds_nanoseconds_or_text_as_asked(bigquery_client, bigquery_read_client, dataset):
    from google.cloud.bigquery_storage_v1 import types

    table = _pico_table(bigquery_client, dataset)
    via_client = bigquery_client.list_rows(table).to_arrow(bqstorage_client=bigquery_read_client)
    assert str(via_client.schema.field("ts").type) == "timestamp[us, tz=UTC]"  # the default: microseconds
    assert via_client.column("ts")[0].as_py().isoformat() == "2023-01-01T12:00:00.123456+00:00"
    want = {2: "2023-01-01 12:00:00.123456789+00:00", 3: VALUE}
    for precision, text in want.items():
        options = types.ArrowSerializationOptions(picos_timestamp_precision=precision)
        asked = types.ReadSession(
            table=f"projects/{dataset.project}/datasets/{dataset.dataset_id}/tables/pico",
            data_format=types.DataFormat.ARROW,
            read_options=types.ReadSession.TableReadOptions(arrow_serialization_options=options),
        )
        session = bigquery_read_client.create_read_session(
            parent=f"projects/{dataset.project}", read_session=asked, max_stream_count=1
        )
        got = bigquery_read_client.read_rows(session.streams[0].name).to_arrow(session)
        assert str(got.column("ts")[0].as_py()) == text
    for precision, text in {0: "2023-01-01 12:00:00.123456+00:00", 3: VALUE}.items():
        options = types.AvroSerializationOptions(picos_timestamp_precision=precision)
        asked = types.ReadSession(
            table=f"projects/{dataset.project}/datasets/{dataset.dataset_id}/tables/pico",
            data_format=types.DataFormat.AVRO,
            read_options=types.ReadSession.TableReadOptions(avro_serialization_options=options),
        )
        session = bigquery_read_client.create_read_session(
            parent=f"projects/{dataset.project}", read_session=asked, max_stream_count=1
        )
        (row,) = list(bigquery_read_client.read_rows(session.streams[0].name).rows(session))
        assert str(row["ts"]) == text


# ---------------------------------------------------------------------------------- SQL


def _local_table(warehouse, name):
    warehouse.query_result(f"CREATE SCHEMA IF NOT EXISTS pico_{name}")
    warehouse.query_result(f"CREATE OR REPLACE TABLE pico_{name}.t (ts TIMESTAMP(12), n INT64)")
    warehouse.query_result(
        f"INSERT INTO pico_{name}.t (ts, n) VALUES ('2023-01-01 12:00:00.123456789123', 1), "
        f"(CAST(TIMESTAMP '2023-01-01 12:00:00.5' AS TIMESTAMP(12)), 2), (NULL, 3)"
    )
    return f"pico_{name}.t"


SQL_CASES = [
    # (query over a table t of (2023-01-01 12:00:00.123456789123, 1), (...12:00:00.5, 2), (NULL, 3)), rows
    ("SELECT n FROM {t} ORDER BY ts DESC, n", [(2,), (1,), (3,)]),
    ("SELECT n FROM {t} WHERE ts > '2023-01-01 12:00:00.123456789122'", [(1,), (2,)]),
    ("SELECT n FROM {t} WHERE ts > '2023-01-01 12:00:00.123456789123'", [(2,)]),
    ("SELECT n FROM {t} WHERE ts < TIMESTAMP '2023-01-01 12:00:00.123457'", [(1,)]),
    ("SELECT n FROM {t} WHERE ts = TIMESTAMP '2023-01-01 12:00:00.5'", [(2,)]),
    ("SELECT n FROM {t} WHERE ts BETWEEN '2023-01-01 12:00:00.1' AND '2023-01-01 12:00:00.2'", [(1,)]),
    ("SELECT n FROM {t} WHERE ts IS NULL", [(3,)]),
    (
        "SELECT CAST(ts AS STRING) FROM {t} WHERE n < 3 ORDER BY n",
        [("2023-01-01 12:00:00.123456789123+00",), ("2023-01-01 12:00:00.500+00",)],
    ),
    ("SELECT CAST(ts AS TIMESTAMP) = TIMESTAMP '2023-01-01 12:00:00.123456' FROM {t} WHERE n = 1", [(True,)]),
    (
        "SELECT COUNT(DISTINCT ts), CAST(MIN(ts) AS STRING), CAST(MAX(ts) AS STRING) FROM {t}",
        [(2, "2023-01-01 12:00:00.123456789123+00", "2023-01-01 12:00:00.500+00")],
    ),
    (
        "SELECT CAST(CAST(CAST(ts AS STRING) AS TIMESTAMP(12)) AS STRING) FROM {t} WHERE n = 1",
        [("2023-01-01 12:00:00.123456789123+00",)],
    ),
    (
        "SELECT CAST(CAST('2023-01-01 12:00:00.000000000001+02:00' AS TIMESTAMP(12)) AS STRING)",
        [("2023-01-01 10:00:00.000000000001+00",)],
    ),
    ("SELECT SAFE_CAST('2023-01-01 12:00:00.1234567890123' AS TIMESTAMP(12)) IS NULL", [(True,)]),
    ("SELECT CAST('2023-01-01 12:00:00.1234567890123' AS TIMESTAMP(12)) IS NULL", "Could not cast literal"),
    ("SELECT n FROM (SELECT ts AS x, n FROM {t}) WHERE x > '2023-01-01 12:00:00.2'", [(2,)]),
    ("SELECT n FROM {t} WHERE GREATEST(ts, ts) = ts AND IF(n = 1, ts, NULL) IS NOT NULL", [(1,)]),
    ("SELECT ARRAY_LENGTH(ARRAY_AGG(ts ORDER BY n)) FROM {t} WHERE ts IS NOT NULL", [(2,)]),
    ("SELECT a.n FROM {t} a JOIN {t} b ON a.ts = b.ts ORDER BY 1", [(1,), (2,)]),
    ("SELECT CONCAT(ts, 'x') FROM {t}", "CONCAT of a TIMESTAMP(12) value is not supported by the local warehouse"),
    ("WITH w AS (SELECT ts FROM {t}) SELECT CONCAT(ts, 'x') FROM w", "CONCAT of a TIMESTAMP(12) value"),
    ("SELECT CONCAT(x, 'a') FROM {t}, UNNEST([ts]) AS x", "CONCAT of a TIMESTAMP(12) value"),
    ("SELECT ts + INTERVAL 1 DAY FROM {t}", "of a TIMESTAMP(12) value is not supported"),
    ("UPDATE {t} SET n = 5 WHERE CONCAT(ts, 'x') = 'a'", "CONCAT of a TIMESTAMP(12) value"),
    ("DELETE FROM {t} WHERE TO_JSON_STRING(ts) = 'x'", "TO_JSON_STRING of a TIMESTAMP(12) value"),
    ("SELECT TIMESTAMP_ADD(ts, INTERVAL 1 SECOND) FROM {t}", "TIMESTAMP_ADD of a TIMESTAMP(12) value is not supported"),
    ("SELECT EXTRACT(YEAR FROM ts) FROM {t}", "EXTRACT of a TIMESTAMP(12) value is not supported"),
    ("SELECT TO_JSON_STRING(ts) FROM {t}", "TO_JSON_STRING of a TIMESTAMP(12) value is not supported"),
    ("SELECT CAST(ts AS DATE) FROM {t}", "CAST to DATE of a TIMESTAMP(12) value is not supported"),
    ("SELECT CAST('2023-01-01' AS TIMESTAMP(7))", "TIMESTAMP(7): a TIMESTAMP's precision is 6 (microseconds) or 12"),
]


@pytest.mark.parametrize(("sql", "want"), SQL_CASES)
def test_sql_over_picosecond_timestamps_in_the_local_warehouse(warehouse, sql, want):
    query = sql.format(t=_local_table(warehouse, "cases"))
    if isinstance(want, str):
        with pytest.raises(QueryError, match=re.escape(want)):
            warehouse.query_result(query)
        return
    assert [tuple(r.values()) for r in warehouse.query_result(query).table.to_pylist()] == want


def test_sql_over_picosecond_timestamps_through_the_client(bigquery_client, dataset):
    table = _pico_table(bigquery_client, dataset, rows=(VALUE, "2023-01-01T12:00:00.5Z"))
    t = f"`{dataset.dataset_id}.{table.table_id}`"
    job = bigquery_client.query(
        f"SELECT ts, CAST(ts AS STRING) AS s FROM {t} WHERE ts < '2023-01-01 12:00:00.2' ORDER BY ts",
        api_method="QUERY",
        timestamp_precision=PICO,
    )
    assert [tuple(r.values()) for r in job.result()] == [(VALUE, "2023-01-01 12:00:00.123456789123+00")]
    # the clients' default (useInt64Timestamp): the microsecond, rounded down, read as a datetime
    rows = bigquery_client.query_and_wait(f"SELECT MAX(ts) AS m FROM {t}")
    assert [r["m"] for r in rows] == ["1672574400500000"]  # the client keeps a picosecond cell's text
    bigquery_client.query_and_wait(f"CREATE TABLE `{dataset.dataset_id}.copied` AS SELECT * FROM {t}")
    copied = bigquery_client.get_table(f"{dataset.dataset_id}.copied")
    assert copied.schema[0].timestamp_precision == PICO
    with pytest.raises(BadRequest, match="TIMESTAMP_TRUNC of a TIMESTAMP\\(12\\) value is not supported"):
        bigquery_client.query_and_wait(f"SELECT TIMESTAMP_TRUNC(ts, DAY) FROM {t}")


@pytest.mark.parametrize(("targets", "want"), [([12], [PICO, PICO]), ([6, 12], [MICRO, PICO]), (None, [MICRO, MICRO])])
def test_timestamp_target_precision_of_an_autodetected_csv_load(bigquery_client, dataset, http, targets, want):
    config = bigquery.LoadJobConfig(source_format="CSV", autodetect=True)
    if targets is not None:
        config.timestamp_target_precision = targets
    data = io.BytesIO(b"2025-01-01 00:00:00.5,2025-01-01 00:00:00.123456789012\n")
    bigquery_client.load_table_from_file(data, f"{dataset.dataset_id}.auto", job_config=config).result()
    assert [f.timestamp_precision for f in bigquery_client.get_table(f"{dataset.dataset_id}.auto").schema] == want
    path = f"/bigquery/v2/projects/{dataset.project}/datasets/{dataset.dataset_id}/tables/auto/data"
    (row,) = http.get(path, params={"formatOptions.timestampOutputFormat": "ISO8601_STRING"}).json()["rows"]
    # a TIMESTAMP column keeps the microseconds of a longer fraction (BigQuery: "truncated")
    digits = {PICO: "2025-01-01T00:00:00.123456789012Z", MICRO: "2025-01-01T00:00:00.123456Z"}
    assert row["f"][1]["v"] == digits[want[1]]


def test_dml_writes_and_filters_picosecond_columns(warehouse):
    t = _local_table(warehouse, "dml")
    warehouse.query_result(f"UPDATE {t} SET ts = '2024-01-01 00:00:00.000000000009' WHERE ts > '2023-01-01 12:00:00.2'")
    warehouse.query_result(f"DELETE FROM {t} WHERE ts < TIMESTAMP '2023-01-01 12:00:00.2'")
    rows = warehouse.query_result(f"SELECT n, CAST(ts AS STRING) AS s FROM {t} ORDER BY n").table.to_pylist()
    assert rows == [{"n": 2, "s": "2024-01-01 00:00:00.000000000009+00"}, {"n": 3, "s": None}]


def test_llmops_sql_prints_twelve_digits(cli):
    sql = (
        "SELECT CAST('2023-01-01 12:00:00.123456789123' AS TIMESTAMP(12)) AS p, "
        "[CAST('2023-01-01 12:00:00.5' AS TIMESTAMP(12))] AS a"
    )
    r = cli("sql", sql, "--json")
    assert r.code == 0, r.err
    assert r.json() == [
        {"p": "2023-01-01T12:00:00.123456789123+00:00", "a": ["2023-01-01T12:00:00.500000000000+00:00"]}
    ]
    r = cli("sql", sql, "--format", "csv")
    assert r.code == 0, r.err
    assert "2023-01-01T12:00:00.123456789123+00:00" in r.out


def test_exports_of_picosecond_columns_are_refused_by_name_and_their_text_exports(bigquery_client, dataset, bucket):
    table = _pico_table(bigquery_client, dataset)
    t = f"`{dataset.dataset_id}.{table.table_id}`"
    with pytest.raises(
        BadRequest, match=r"an export of a TIMESTAMP\(12\) column is not supported by the local warehouse"
    ):
        bigquery_client.query_and_wait(
            f"EXPORT DATA OPTIONS(uri='gs://{bucket.name}/raw-*.csv', format='CSV') AS SELECT ts FROM {t}"
        )
    bigquery_client.query_and_wait(
        f"EXPORT DATA OPTIONS(uri='gs://{bucket.name}/text-*.csv', format='CSV', header=false) AS "
        f"SELECT CAST(ts AS STRING) AS ts FROM {t}"
    )
    (blob,) = list(bucket.list_blobs(prefix="text-"))
    assert blob.download_as_text().strip() == "2023-01-01 12:00:00.123456789123+00"
