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

import pytest
from google.api_core.exceptions import BadRequest
from google.cloud import bigquery
from google.cloud.bigquery import enums

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
